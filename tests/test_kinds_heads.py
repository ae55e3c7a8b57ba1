"""Message kinds named by a channel name with parameters: `topic: "orderbook.50.BTCUSDT"`.

Many feeds say what a message is in a channel name that also carries its parameters (a symbol,
a depth, an interval): `orderbook.50.BTCUSDT`, `publicTrade.ETHUSDT`, `kline.5.BTCUSDT`,
`ticker.BTC-PERPETUAL.100ms`, `book-10`. The whole value is no name (every symbol would be a
kind), but its head is: the kinds are `orderbook`, `publicTrade`, `kline`. The fixture below is
written by hand in the shape of such a feed (no captured data); every expectation is derived
from it by hand. Three implementations of "the head of a value" must agree: inference's
(kinds.tag_head), the generated decoder's (_runtime.tag_head) and schema.json's patterns; a
property test holds them to each other on random channel-like strings.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from conftest import (
    Recorder,
    build_and_import,
    contract_failures,
    import_generated,
    mypy_on_use,
    package_schema,
    round_trips,
    tagged_union,
)
from hypothesis import given
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from codegen.diff import schema_changes
from codegen.infer.kinds import tag_head
from codegen.pipeline import build_packages
from codegen.write import write_packages


def _book(topic: str, kind: str, seq: int) -> dict[str, Any]:
    return {
        "topic": topic,
        "type": kind,
        "ts": 1672304484978 + seq,
        "data": {"s": topic.rsplit(".", 1)[1], "b": [["16493.50", "0.006"]], "u": seq},
    }


def _trade(symbol: str, seq: int) -> dict[str, Any]:
    return {
        "topic": f"publicTrade.{symbol}",
        "type": "snapshot",
        "ts": 1672304486868 + seq,
        "data": [{"T": 1672304486865 + seq, "s": symbol, "S": "Buy", "p": "16578.50"}],
    }


def _ticker(symbol: str, seq: int) -> dict[str, Any]:
    return {
        "topic": f"tickers.{symbol}",
        "type": "snapshot",
        "cs": 24987956059 + seq,
        "ts": 1673272861686 + seq,
        "data": {"symbol": symbol, "lastPrice": "17216.00", "volume24h": "91.2"},
    }


def _kline(interval: str, symbol: str, seq: int) -> dict[str, Any]:
    return {
        "topic": f"kline.{interval}.{symbol}",
        "type": "snapshot",
        "ts": 1672324988882 + seq,
        "data": [{"start": 1672324800000, "interval": interval, "confirm": False}],
    }


def _reply(op: str, seq: int) -> dict[str, Any]:
    return {"success": True, "ret_msg": op, "req_id": f"r{seq}", "op": op}


FEED: list[dict[str, Any]] = [
    _book("orderbook.50.BTCUSDT", "snapshot", 1),
    _book("orderbook.50.BTCUSDT", "delta", 2),
    _book("orderbook.1.ETHUSDT", "delta", 3),
    _trade("BTCUSDT", 4),
    _trade("ETHUSDT", 5),
    _ticker("BTCUSDT", 6),
    _ticker("SOLUSDT", 7),
    _kline("5", "BTCUSDT", 8),
    _kline("60", "ETHUSDT", 9),
    _reply("subscribe", 10),
    _reply("ping", 11),
]
HEADS = {"kline", "orderbook", "publicTrade", "tickers"}


@pytest.fixture(scope="module")
def heads(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    return build_and_import(tmp_path_factory.mktemp("heads"), "heads_feed", FEED)


def test_the_kinds_are_the_heads_of_the_channel_names(heads: ModuleType) -> None:
    union = tagged_union(heads)
    assert union["x-codegen-tag"] == "topic"
    evidence = union["x-codegen-evidence"]
    assert "by the name before its parameters" in evidence
    assert "'orderbook.50.BTCUSDT' -> 'orderbook'" in evidence
    handlers = {name for name in dir(heads.Dispatcher) if name.startswith("on_")}
    assert handlers == {
        "on_kline",
        "on_orderbook",
        "on_public_trade",
        "on_tickers",
        "on_without_topic",  # the replies to requests, which have no topic
        "on_unknown",
        "on_unhandled",
        "on_error",
    }


def test_each_message_decodes_to_its_kind_and_round_trips(heads: ModuleType) -> None:
    expected = {
        "orderbook": "Orderbook",
        "publicTrade": "PublicTrade",
        "tickers": "Tickers",
        "kline": "Kline",
    }
    for sample in FEED:
        message = heads.decode(json.dumps(sample))
        head = sample["topic"].split(".")[0] if "topic" in sample else None
        assert type(message).__name__ == expected.get(head, "WithoutTopic"), sample
        if head is not None:
            assert (
                message.topic == sample["topic"]
            )  # the whole name, parameters and all
    assert contract_failures(heads, FEED) == []


def test_the_topic_field_is_a_plain_string(heads: ModuleType) -> None:
    """Not Literal["orderbook"]: the kind's messages hold any parameters."""
    assert heads.Orderbook.__annotations__["topic"] == "str"


@pytest.mark.parametrize(
    ("topic", "kind"),
    [
        (
            "orderbook.200.SOLUSDT",
            "Orderbook",
        ),  # a depth and a symbol the samples lacked
        ("kline.D.BNBUSDT", "Kline"),
        ("tickers.XRPUSDT", "Tickers"),
    ],
)
def test_new_parameters_decode_to_the_known_kind(
    heads: ModuleType, topic: str, kind: str
) -> None:
    sample = {**FEED[{"Orderbook": 0, "Kline": 7, "Tickers": 5}[kind]], "topic": topic}
    assert type(heads.decode(json.dumps(sample))).__name__ == kind
    assert round_trips(heads, sample)
    assert Draft202012Validator(package_schema(heads)).is_valid(sample)


@pytest.mark.parametrize(
    "topic",
    [
        "liquidation.BTCUSDT",  # a kind the samples never showed
        "orderbook.snapshot.BTCUSDT",  # head `orderbook.snapshot`: not the orderbook kind
        "orderbookX.50.BTCUSDT",
        5,
    ],
)
def test_other_heads_are_the_unknown_kind_in_decoder_and_schema(
    heads: ModuleType, topic: Any
) -> None:
    sample = {"topic": topic, "data": {"x": 1}}
    message = heads.decode(json.dumps(sample))
    assert type(message).__name__ == "UnknownHeadsFeedMessage"
    assert round_trips(heads, sample)
    schema = package_schema(heads)
    unknown = schema["$defs"]["UnknownHeadsFeedMessage"]
    validator = Draft202012Validator({**unknown, "$defs": schema["$defs"]})
    assert validator.is_valid(sample)
    assert Draft202012Validator(schema).is_valid(sample)


def test_a_wrong_payload_names_the_path_and_the_channel(heads: ModuleType) -> None:
    sample = {**FEED[2], "data": 5}
    with pytest.raises(heads.DecodeError) as raised:
        heads.decode(json.dumps(sample))
    message = str(raised.value)
    assert message.startswith("$.data: expected object")
    assert '"topic": "orderbook.1.ETHUSDT"' in message


def test_the_dispatcher_routes_by_head(heads: ModuleType) -> None:
    recorder = Recorder()
    dispatcher = heads.Dispatcher()
    for name in ("on_orderbook", "on_kline", "on_unknown", "on_unhandled"):
        getattr(dispatcher, name)(recorder.handler(name))
    for sample, topic in (
        (FEED[0], "orderbook.50.BTCUSDT"),
        (FEED[7], "kline.1.SOLUSDT"),
        (FEED[0], "liquidation.BTCUSDT"),
    ):
        dispatcher.dispatch(json.dumps({**sample, "topic": topic}))
    dispatcher.dispatch(json.dumps(FEED[3]))  # publicTrade: no handler given
    assert [name for name, _ in recorder.calls] == [
        "on_orderbook",
        "on_kline",
        "on_unknown",
        "on_unhandled",
    ]


def test_mypy_rejects_a_handler_of_another_kind(
    heads: ModuleType, tmp_path: Path
) -> None:
    use = (
        "from heads_feed import Dispatcher, Kline, Orderbook\n"
        "\n"
        "def book(message: Orderbook) -> None: ...\n"
        "def kline(message: Kline) -> None: ...\n"
        "\n"
        "dispatcher = Dispatcher()\n"
        "dispatcher.on_orderbook(book)\n"
        "dispatcher.on_kline(book)\n"
    )
    result = mypy_on_use(heads, use, tmp_path)
    errors = [line for line in result.stdout.splitlines() if ": error:" in line]
    assert len(errors) == 1 and errors[0].startswith("use.py:8:"), result.stdout


# --- what is a head, and what is not -----------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "head"),
    [
        ("orderbook.50.BTCUSDT", "orderbook"),
        ("publicTrade.BTCUSDT", "publicTrade"),
        ("ticker.BTC-PERPETUAL.100ms", "ticker"),
        ("ticker_slim.ETH-USDC.1000", "ticker_slim"),
        ("book-10", "book"),
        ("user-order.BTC", "user-order"),  # a word after a separator is the name's
        ("customer.subscription.created", "customer.subscription.created"),
        ("l2update", "l2update"),  # the first segment is always the name's
        ("trades..raw", "trades"),  # an empty segment ends the name
    ],
)
def test_tag_head(value: str, head: str) -> None:
    assert tag_head(value) == head


CHANNEL_TEXT = st.text(alphabet="abAB01._-:/@xyzXYZ9", max_size=16)


@given(value=CHANNEL_TEXT, other=CHANNEL_TEXT)
def test_decoder_schema_and_inference_agree_on_heads(
    heads: ModuleType, value: str, other: str
) -> None:
    """The runtime's tag_head is inference's, and the schema pattern of a head matches a value
    exactly when that is the value's head."""
    runtime = heads.codec.tag_head
    assert runtime(value) == tag_head(value)
    pattern = (
        Draft202012Validator({"type": "string", "pattern": _head_pattern(heads, other)})
        if tag_head(other)
        else None
    )
    if pattern is not None:
        assert pattern.is_valid(value) == (tag_head(value) == tag_head(other))


def _head_pattern(package: ModuleType, value: str) -> str:
    """The schema pattern for the head of `value`, made as schema.json makes the orderbook's."""
    orderbook = package_schema(package)["$defs"]["Orderbook"]["properties"]["topic"]
    assert orderbook["x-codegen-tag-head"] == "orderbook"
    return str(orderbook["pattern"]).replace(
        "(?:orderbook)", f"(?:{re.escape(tag_head(value))})", 1
    )


def _kinds_of(tmp_path: Path, name: str, samples: list[Any]) -> set[str]:
    package = build_and_import(tmp_path, name, samples)
    return {
        attr
        for attr in dir(package.Dispatcher)
        if attr.startswith("on_")
        and attr not in ("on_unknown", "on_unhandled", "on_error")
    }


def test_names_with_parameters_are_one_kind_even_when_each_is_a_name(
    tmp_path: Path,
) -> None:
    """`tickers.BTCUSDT` is a valid name on its own; with `tickers.ETHUSDT` beside it, the
    kind is `tickers`, not one per symbol."""
    samples = [_ticker(s, i) for i, s in enumerate(("BTCUSDT", "ETHUSDT", "SOLUSDT"))]
    samples += [_trade(s, i) for i, s in enumerate(("BTCUSDT", "ETHUSDT", "SOLUSDT"))]
    assert _kinds_of(tmp_path, "heads_named", samples) == {
        "on_public_trade",
        "on_tickers",
    }


def test_dotted_names_without_parameters_stay_whole(tmp_path: Path) -> None:
    """Webhook event names like `invoice.paid` have no parameters: each is its own kind."""
    samples = [
        {"type": "invoice.paid", "data": {"invoice": "in_1", "amount": 5}},
        {"type": "invoice.paid", "data": {"invoice": "in_2", "amount": 7}},
        {"type": "customer.created", "data": {"customer": "cu_1", "email": "a@b.c"}},
        {"type": "customer.created", "data": {"customer": "cu_2", "email": "d@e.f"}},
    ]
    assert _kinds_of(tmp_path, "heads_dotted", samples) == {
        "on_customer_created",
        "on_invoice_paid",
    }


def test_a_symbol_is_no_channel_name(tmp_path: Path) -> None:
    """`BTC-USD` has a head (`BTC`), but grouping by it explains nothing: no kinds."""
    samples = [
        {"product_id": symbol, "price": f"{100 + i}.5", "size": "0.1"}
        for i, symbol in enumerate(("BTC-USD", "ETH-USD", "BTC-USD", "SOL-USD"))
    ]
    assert _kinds_of(tmp_path, "heads_symbols", samples) == {"on_message"}


def _liquidation(seq: int) -> dict[str, Any]:
    return {
        "topic": "liquidation.BTCUSDT",
        "type": "snapshot",
        "ts": 1673251091822 + seq,
        "data": {"price": "16300.5", "side": "Buy", "size": "0.1"},
    }


def test_a_new_kind_shows_in_the_semantic_diff_by_its_head(tmp_path: Path) -> None:
    old = build_and_import(tmp_path / "old", "heads_feed", FEED)
    new = build_and_import(
        tmp_path / "new", "heads_feed", FEED + [_liquidation(1), _liquidation(2)]
    )
    changes = schema_changes("heads_feed", package_schema(old), package_schema(new))
    added = [(c.change, c.subject) for c in changes if c.change == "variant added"]
    assert added == [("variant added", "HeadsFeedMessage[topic=liquidation*]")]


def test_a_tag_set_in_the_config_is_read_by_its_heads(tmp_path: Path) -> None:
    """The config forces `topic`; its values hold parameters, so its kinds are its heads."""
    set_dir = tmp_path / "samples" / "heads_forced"
    set_dir.mkdir(parents=True)
    for number, sample in enumerate(FEED[:9]):  # the replies, without a topic, left out
        (set_dir / f"{number:03d}.json").write_text(json.dumps(sample), "utf-8")
    (set_dir / "codegen.toml").write_text('[paths."$"]\ntag = "topic"\n', "utf-8")
    write_packages(build_packages(tmp_path / "samples"), tmp_path / "out")
    package = import_generated(tmp_path / "out", "heads_forced")
    union = tagged_union(package)
    assert union["x-codegen-evidence"].startswith(
        "tag 'topic' by the name before its parameters: set in the config"
    )
    assert {n for n in dir(package.Dispatcher) if n.startswith("on_")} >= {
        f"on_{name}" for name in ("kline", "orderbook", "public_trade", "tickers")
    }
    assert contract_failures(package, FEED[:9]) == []


def test_a_null_topic_is_the_kind_without_one(heads: ModuleType) -> None:
    """Null at the tag is read as no tag, as it was in inference."""
    reply = {**FEED[9], "topic": None}
    assert type(heads.decode(json.dumps(reply))).__name__ == "WithoutTopic"
    assert contract_failures(heads, [reply]) == []
