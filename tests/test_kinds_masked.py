"""Message kinds named by a channel name whose market is a lowercase word: `btcusdt@trade`,
`market.btcusdt.kline.1min`.

A symbol written in lowercase passes for a word of the name, so the head rule alone makes a kind
per market (`btcusdt@trade`, `ethusdt@trade`). The evidence says otherwise: grouped by that
segment alone the messages differ in nothing, while a later segment (`trade`, `kline`) tells
their structure apart. That segment is *masked*: the kind is `*@trade`. The fixtures are
written by hand in the shape of such feeds (no captured data); every expectation is derived from
them by hand. As for heads, three implementations must agree (inference, the generated
decoder, schema.json's patterns): a property test holds them to each other.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from conftest import (
    build_and_import,
    contract_failures,
    handlers,
    mypy_on_use,
    package_schema,
    tagged_union,
)
from hypothesis import given
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from codegen.infer.kinds import tag_head
from codegen.schema import HEAD_KEYWORD, MASKED_KEYWORD, head_schema

SYMBOLS = ("btcusdt", "ethusdt", "solusdt")


def _stream(symbol: str, kind: str, n: int) -> dict[str, Any]:
    """A combined-stream push: `<market>@<kind>` beside its payload."""
    data: dict[str, Any]
    if kind == "trade":
        data = {"t": 12345 + n, "p": f"0.00{n}", "q": "100", "m": n % 2 == 0}
    elif kind == "depth@100ms":
        data = {"lastUpdateId": 160 + n, "bids": [["0.0024", "10"]], "asks": []}
    elif kind == "kline_1m":
        data = {"k": {"t": 1672515780000 + n, "o": "0.0010", "c": "0.0020", "x": False}}
    else:  # bookTicker
        data = {"u": 400900217 + n, "b": "25.35", "B": "31.21", "a": "25.36"}
    return {"stream": f"{symbol}@{kind}", "data": data}


STREAMS = [
    _stream(symbol, kind, n)
    for n, (symbol, kind) in enumerate(
        (symbol, kind)
        for symbol in SYMBOLS
        for kind in ("trade", "depth@100ms", "kline_1m", "bookTicker")
    )
] + [{"result": None, "id": 1}, {"result": None, "id": 2}]


def _topic(symbol: str, kind: str, n: int) -> dict[str, Any]:
    """A push on `market.<market>.<kind>.<parameter>`."""
    tick: dict[str, Any]
    if kind == "kline.1min":
        tick = {"id": 1489464480 + n, "open": 7962.62, "close": 7962.0, "vol": 0.5}
    elif kind == "depth.step0":
        tick = {"bids": [[9999.39, 0.0098]], "asks": [[10010.68, 0.022]], "seq": n}
    else:  # trade.detail
        tick = {"data": [{"tradeId": 102523573486 + n, "price": 52648.62}]}
    return {"ch": f"market.{symbol}.{kind}", "ts": 1630994963175 + n, "tick": tick}


TOPICS = [
    _topic(symbol, kind, n)
    for n, (symbol, kind) in enumerate(
        (symbol, kind)
        for symbol in SYMBOLS
        for kind in ("kline.1min", "depth.step0", "trade.detail")
    )
]


@pytest.fixture(scope="module")
def streams(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    return build_and_import(
        tmp_path_factory.mktemp("streams"), "masked_streams", STREAMS
    )


@pytest.fixture(scope="module")
def topics(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    return build_and_import(tmp_path_factory.mktemp("topics"), "masked_topics", TOPICS)


def test_the_market_before_the_kind_is_masked(streams: ModuleType) -> None:
    union = tagged_union(streams)
    assert union["x-codegen-tag"] == "stream"
    assert union[MASKED_KEYWORD]["masked"] == [0]
    assert "('btcusdt@trade' -> '*@trade')" in union["x-codegen-evidence"]
    assert {"on_trade", "on_depth", "on_kline_1m", "on_book_ticker"} <= handlers(
        streams
    )
    assert not any(symbol in name for name in handlers(streams) for symbol in SYMBOLS)


def test_a_masked_segment_between_words(topics: ModuleType) -> None:
    union = tagged_union(topics)
    assert union[MASKED_KEYWORD]["masked"] == [1]
    assert handlers(topics) >= {
        "on_market_kline",
        "on_market_depth_step0",
        "on_market_trade_detail",
    }


def test_every_sample_round_trips_and_fits_its_kind_in_the_schema(
    streams: ModuleType, topics: ModuleType
) -> None:
    assert contract_failures(streams, STREAMS) == []
    assert contract_failures(topics, TOPICS) == []


def test_a_market_never_seen_routes_by_its_kind(streams: ModuleType) -> None:
    """What masking is for: a new market's trades are trades."""
    raw = _stream("xrpusdt", "trade", 99)
    message = streams.decode(raw)
    assert type(message).__name__ == "Trade" and message.stream == "xrpusdt@trade"
    assert streams.encode(message) == raw
    assert Draft202012Validator(package_schema(streams)).is_valid(raw)


def test_a_kind_never_seen_is_unknown_in_decoder_and_schema(
    streams: ModuleType,
) -> None:
    raw = {"stream": "btcusdt@aggTrade", "data": {"a": 1}}
    message = streams.decode(raw)
    assert type(message).__name__.startswith("Unknown") and message.raw == raw
    assert streams.encode(message) == raw
    schema = package_schema(streams)
    unknown = next(
        name
        for name, d in schema["$defs"].items()
        if d.get("x-codegen-unknown-variant")
    )
    assert Draft202012Validator({**schema, "$ref": f"#/$defs/{unknown}"}).is_valid(raw)


def test_mypy_holds_the_handlers_to_their_kinds(
    streams: ModuleType, tmp_path: Path
) -> None:
    use = (
        "from masked_streams import Dispatcher, Trade, Depth\n"
        "\n"
        "def trade(message: Trade) -> None: ...\n"
        "\n"
        "dispatcher = Dispatcher()\n"
        "dispatcher.on_trade(trade)\n"
        "dispatcher.on_depth(trade)\n"
    )
    result = mypy_on_use(streams, use, tmp_path)
    errors = [line for line in result.stdout.splitlines() if ": error:" in line]
    assert len(errors) == 1 and errors[0].startswith("use.py:7:"), result.stdout


def _event(resource: str, action: str, n: int) -> dict[str, Any]:
    """A webhook event: what `data.object` holds depends on the resource, deep inside it."""
    fields = (
        {"email": f"c{n}@example.com", "name": "A"}
        if resource == "customer"
        else {"amount_due": 500 + n, "currency": "usd"}
    )
    body: dict[str, Any] = {"object": {"id": f"{resource}_{n}", **fields}}
    if action == "updated":
        body["previous_attributes"] = {"name": "B"}
    return {"id": f"evt_{n}", "type": f"{resource}.{action}", "data": body}


def test_a_resource_that_shapes_the_payload_deep_down_is_no_parameter(
    tmp_path: Path,
) -> None:
    """`customer.updated` vs `invoice.updated`: the resource differs only three levels down,
    the action one level down; both tell something, so neither is masked."""
    events = [
        _event(resource, action, n)
        for n, (resource, action) in enumerate(
            (resource, action)
            for resource in ("customer", "invoice")
            for action in ("created", "updated")
            for _ in range(2)
        )
    ]
    package = build_and_import(tmp_path, "masked_events", events)
    assert MASKED_KEYWORD not in json.dumps(package_schema(package))
    assert handlers(package) >= {
        "on_customer_created",
        "on_customer_updated",
        "on_invoice_created",
        "on_invoice_updated",
    }
    assert contract_failures(package, events) == []


def test_a_word_after_the_kind_is_kept(tmp_path: Path) -> None:
    """`orders.created` / `orders.deleted` of one structure: the trailing word is the event's
    name (an action), not a parameter, though it tells nothing apart."""
    events = [
        {"topic": f"{resource}.{action}", "data": {"id": n, "note": "x"}}
        for n, (resource, action) in enumerate(
            (resource, action)
            for resource in ("orders", "fills")
            for action in ("created", "deleted")
            for _ in range(2)
        )
    ]
    events = [
        {**e, "data": {**e["data"], "fill": 1}} if e["topic"].startswith("fills") else e
        for e in events
    ]
    package = build_and_import(tmp_path, "masked_trailing", events)
    assert MASKED_KEYWORD not in json.dumps(package_schema(package))
    assert contract_failures(package, events) == []


@pytest.mark.parametrize(
    ("value", "masked", "head"),
    [
        ("btcusdt@trade", (), "btcusdt@trade"),
        ("btcusdt@trade", (0,), "*@trade"),
        ("btcusdt@kline_1m", (0,), "*@kline_1m"),  # a word may hold a digit...
        ("btcusdt@depth@100ms", (0,), "*@depth"),  # ...a parameter starts with one
        ("market.btcusdt.kline.1min", (1,), "market.*.kline"),
        ("market.BTC.kline", (1,), "market"),  # a symbol ends the head before the mask
        ("books-l2-tbt", (), "books-l2-tbt"),
        ("trade", (0,), "*"),
    ],
)
def test_tag_head_masked(value: str, masked: tuple[int, ...], head: str) -> None:
    assert tag_head(value, masked) == head


CHANNEL_TEXT = st.text(alphabet="abAB01._-:/@xyz9", max_size=16)
MASKS = st.lists(st.integers(0, 3), max_size=2, unique=True).map(
    lambda found: tuple(sorted(found))
)


@given(value=CHANNEL_TEXT, other=CHANNEL_TEXT, masked=MASKS)
def test_decoder_schema_and_inference_agree_on_masked_heads(
    streams: ModuleType, value: str, other: str, masked: tuple[int, ...]
) -> None:
    """The runtime's tag_head is inference's with the same masked segments, and the schema
    pattern of a masked head matches a value exactly when that is the value's masked head.
    """
    assert streams.codec.tag_head(value, masked) == tag_head(value, masked)
    name = tag_head(other, masked)
    if name:
        pattern = head_schema([name])["pattern"]
        accepted = Draft202012Validator({"type": "string", "pattern": pattern})
        assert accepted.is_valid(value) == (tag_head(value, masked) == name), pattern


def test_each_kind_property_carries_its_masked_head(streams: ModuleType) -> None:
    trade = package_schema(streams)["$defs"]["Trade"]["properties"]["stream"]
    assert trade[HEAD_KEYWORD] == "*@trade"
    assert re.search(trade["pattern"], "ethusdt@trade")
    assert not re.search(trade["pattern"], "ethusdt@trades")
