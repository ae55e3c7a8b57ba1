"""Message kinds told by a name at a fixed index of a positional array.

Some feeds send arrays, not objects: `[channel_id, {...}, "ticker", "XBT/USD"]`, where the name
second from the end says what the payload is (and a book update may carry one item more), or
`[channel_id, "te", [...]]`, where the name comes second and a snapshot has none. Each kind is a
NamedTuple of its positions (its length is part of it), the arrays a union of them with an
unknown kind, decoded by a dict lookup on (length, name). The fixtures are written by hand in the
shape of such feeds (no captured data); every expectation is derived from them by hand.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from conftest import (
    Recorder,
    build_and_import,
    cli_generate,
    contract_failures,
    error_places,
    handlers,
    mypy_on_use,
    package_schema,
    tree_of,
)
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from codegen.errors import CodegenError
from codegen.schema import POSITIONAL_KIND, TAG_AT_KEYWORD, UNION_KEYWORD


def _ticker(channel: int, n: int) -> list[Any]:
    payload = {"a": [f"5525.{n}", 1, "1.000"], "b": ["5525.1", 1, "1.000"], "v": [n, n]}
    return [channel, payload, "ticker", "XBT/USD"]


def _spread(n: int) -> list[Any]:
    return [7, [f"5698.{n}", "5700.0", f"1542057299.{n}"], "spread", "XBT/USD"]


def _book(n: int, depth: int) -> list[Any]:
    return [
        9,
        {"a": [[f"5541.{n}", "2.5", "1534614248.4"]], "c": str(n)},
        f"book-{depth}",
        "ETH/USD",
    ]


def _book_both(n: int) -> list[Any]:
    """A book update holding asks and bids as two objects: one item more."""
    return [
        9,
        {"a": [[f"5541.{n}", "2.5", "1534614248.4"]]},
        {"b": [], "c": str(n)},
        "book-10",
        "ETH/USD",
    ]


def _event(event: str, n: int) -> dict[str, Any]:
    return {"event": event, "reqid": n} if event != "heartbeat" else {"event": event}


FEED: list[Any] = [
    *(_ticker(340 + n % 2, n) for n in range(3)),
    *(_spread(n) for n in range(3)),
    _book(1, 10),
    _book(2, 10),
    _book(3, 100),
    _book_both(4),
    _book_both(5),
    _event("heartbeat", 0),
    _event("subscriptionStatus", 1),
    _event("subscriptionStatus", 2),
    _event("pong", 3),
]


def _trade(kind: str, n: int) -> list[Any]:
    return [17470, kind, [401597395 + n, 1574694478808 + n, 0.005 * n, 7245.3]]


TRADES: list[Any] = [
    [
        17470,
        [
            [401597390, 1574694478000, 0.1, 7245.0],
            [401597391, 1574694478001, 0.2, 7245.1],
        ],
    ],
    [17470, [[401597392, 1574694478002, 0.3, 7245.2]]],
    *(_trade(kind, n) for n in range(3) for kind in ("te", "tu")),
    [17470, "hb"],
    [17471, "hb"],
    {"event": "info", "version": 2},
    {"event": "subscribed", "channel": "trades", "chanId": 17470},
]


@pytest.fixture(scope="module")
def feed(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    return build_and_import(tmp_path_factory.mktemp("feed"), "positional_feed", FEED)


@pytest.fixture(scope="module")
def trades(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    return build_and_import(
        tmp_path_factory.mktemp("trades"), "positional_trades", TRADES
    )


def _tuple_union(package: ModuleType) -> dict[str, Any]:
    (union,) = [
        d
        for d in package_schema(package)["$defs"].values()
        if d.get(UNION_KEYWORD) == POSITIONAL_KIND
    ]
    return union


def _unknown(package: ModuleType) -> type:
    """The class of the kinds of arrays not seen."""
    name = _tuple_union(package)["oneOf"][-1]["$ref"].rsplit("/", 1)[1]
    found: type = getattr(package, name)
    return found


def _has_tuple_union(package: ModuleType) -> bool:
    return any(
        d.get(UNION_KEYWORD) == POSITIONAL_KIND
        for d in package_schema(package)["$defs"].values()
    )


def test_the_arrays_are_kinds_by_the_name_second_from_the_end(feed: ModuleType) -> None:
    union = _tuple_union(feed)
    assert union[TAG_AT_KEYWORD] == -2
    assert "'book-10' -> 'book'" in union["x-codegen-evidence"]
    assert handlers(feed) >= {
        "on_ticker",
        "on_spread",
        "on_book_4_items",
        "on_book_5_items",
        "on_heartbeat",
        "on_subscription_status",
    }
    assert "on_array" not in handlers(feed)


def test_every_sample_round_trips_and_fits_its_kind_in_the_schema(
    feed: ModuleType, trades: ModuleType
) -> None:
    assert contract_failures(feed, FEED) == []
    assert contract_failures(trades, TRADES) == []


def test_each_kind_is_a_named_tuple_of_typed_positions(feed: ModuleType) -> None:
    ticker = feed.decode(_ticker(340, 7))
    assert type(ticker) is feed.Ticker and isinstance(ticker, tuple)
    channel, payload, name, pair = ticker
    assert (channel, name, pair) == (340, "ticker", "XBT/USD")
    assert payload.a == ("5525.7", 1, "1.000") and ticker.item_1 is payload
    book = feed.decode(_book_both(9))
    assert type(book) is feed.Book5Items and book.item_2.c == "9"
    assert type(feed.decode(_book(9, 25))) is feed.Book4Items  # a depth never seen


def test_a_name_or_a_length_never_seen_is_the_unknown_kind(feed: ModuleType) -> None:
    schema = package_schema(feed)
    validator = Draft202012Validator(schema)
    for raw in ([1, {}, "ohlc-5", "XBT/USD"], [*_ticker(340, 1), "extra"], [1, 2]):
        message = feed.decode(raw)
        assert type(message) is _unknown(feed), raw
        assert message.raw == raw and feed.encode(message) == raw
        assert validator.is_valid(raw)


def test_a_known_kind_with_a_wrong_payload_names_the_path_and_the_name(
    feed: ModuleType,
) -> None:
    with pytest.raises(feed.DecodeError) as caught:
        feed.decode([340, {"a": "x"}, "ticker", "XBT/USD"])
    assert str(caught.value).startswith("$[1].a: expected array")
    assert '"[-2]": "ticker"' in str(caught.value)
    assert not Draft202012Validator(package_schema(feed)).is_valid(
        [340, {"a": "x"}, "ticker", "XBT/USD"]
    )


def test_the_name_second_from_the_start_and_the_arrays_without_one(
    trades: ModuleType,
) -> None:
    assert _tuple_union(trades)[TAG_AT_KEYWORD] == 1
    assert handlers(trades) >= {"on_te", "on_tu", "on_hb", "on_untagged"}
    snapshot = trades.decode(TRADES[0])
    assert type(snapshot) is trades.Untagged and snapshot.item_1[1][0] == 401597391
    assert type(trades.decode(_trade("te", 9))) is trades.Te


def test_the_dispatcher_routes_each_array_by_its_kind(trades: ModuleType) -> None:
    recorder = Recorder()
    dispatcher = trades.Dispatcher()
    for name in ("on_te", "on_tu", "on_hb", "on_untagged", "on_unknown"):
        getattr(dispatcher, name)(recorder.handler(name))
    for raw in (_trade("tu", 1), [17470, "hb"], TRADES[1], [17470, "fte", []]):
        dispatcher.dispatch(json.dumps(raw))
    assert [name for name, _ in recorder.calls] == [
        "on_tu",
        "on_hb",
        "on_untagged",
        "on_unknown",
    ]


def test_mypy_holds_the_handlers_to_their_kinds(
    trades: ModuleType, tmp_path: Path
) -> None:
    use = (
        "from positional_trades import Dispatcher, Te, Hb\n"
        "\n"
        "def trade(message: Te) -> None:\n"
        "    trade_id, mts, amount, price = message.item_2\n"
        "\n"
        "dispatcher = Dispatcher()\n"
        "dispatcher.on_te(trade)\n"
        "dispatcher.on_hb(trade)\n"
    )
    result = mypy_on_use(trades, use, tmp_path)
    assert error_places(result) == ["use.py:8"], result.stdout


def test_lists_of_names_are_lists_not_kinds(tmp_path: Path) -> None:
    """`["buy", "limit"]`, `["sell"]`: strings only, whatever the length: a list."""
    samples = [
        {"id": n, "flags": flags}
        for n, flags in enumerate(
            (["buy", "limit"], ["sell"], ["buy", "market", "ioc"], ["sell", "limit"])
        )
    ]
    package = build_and_import(tmp_path, "positional_lists", samples)
    assert not _has_tuple_union(package)
    assert contract_failures(package, samples) == []


def test_the_config_can_say_the_arrays_are_a_list(tmp_path: Path) -> None:
    package = build_and_import(
        tmp_path, "positional_forced", TRADES, '[paths."$"]\ntuple = false\n'
    )
    assert not _has_tuple_union(package)
    assert contract_failures(package, TRADES) == []


ITEM = st.one_of(
    st.integers(-3, 3),
    st.sampled_from(["ticker", "spread", "book-10", "book-7", "ohlc-5", "XBT/USD"]),
    st.just({}),
    st.just([]),
    st.just({"a": []}),
)


@settings(max_examples=300, deadline=None)
@given(raw=st.lists(ITEM, max_size=6))
def test_schema_and_decoder_agree_on_any_array(
    feed: ModuleType, raw: list[Any]
) -> None:
    """schema.json accepts exactly what decodes, and its unknown kind exactly what decodes
    to it: the kinds' lengths and names say the same in both."""
    schema = package_schema(feed)
    union = _tuple_union(feed)
    unknown = union["oneOf"][-1]["$ref"]
    try:
        message = feed.decode(raw)
    except feed.DecodeError:
        assert not Draft202012Validator(
            {**schema, "$ref": f"#/$defs/{union['title']}"}
        ).is_valid(raw)
        return
    assert feed.encode(message) == raw
    is_unknown = Draft202012Validator({**schema, "$ref": unknown}).is_valid(raw)
    assert is_unknown == (type(message) is _unknown(feed))
    assert Draft202012Validator(schema).is_valid(raw)


def test_a_feed_of_arrays_only_is_the_union_itself(tmp_path: Path) -> None:
    arrays = [raw for raw in TRADES if isinstance(raw, list)]
    package = build_and_import(tmp_path, "positional_only", arrays)
    union = _tuple_union(package)
    assert package_schema(package)["$ref"] == f"#/$defs/{union['title']}"
    assert union["title"] == "PositionalOnlyMessage"
    assert handlers(package) >= {"on_te", "on_tu", "on_hb", "on_untagged"}
    assert contract_failures(package, arrays) == []
    assert package.encode_json(package.decode(json.dumps(arrays[2]))) == json.dumps(
        arrays[2], separators=(",", ":")
    )


def _generate_with_config(tmp_path: Path, name: str, config: str) -> ModuleType:
    return build_and_import(tmp_path, name, FEED, config)


def test_the_config_names_the_items_and_the_kinds(tmp_path: Path) -> None:
    """Indexes from the end name the same item in kinds of 4 and 5 items."""
    package = _generate_with_config(
        tmp_path,
        "positional_named",
        '[paths."$"]\n'
        'items = { 0 = "channel_id", 1 = "payload", -2 = "channel_name", -1 = "pair" }\n'
        'variant_names = { ticker = "TickerUpdate", book = "BookUpdate" }\n',
    )
    ticker = package.decode(_ticker(340, 1))
    assert type(ticker).__name__ == "TickerUpdate"
    assert (ticker.channel_id, ticker.channel_name, ticker.pair) == (
        340,
        "ticker",
        "XBT/USD",
    )
    assert ticker.payload.v == [1, 1]
    book = package.decode(_book_both(2))
    assert type(book).__name__ == "BookUpdate5Items"
    assert book._fields == ("channel_id", "payload", "item_2", "channel_name", "pair")
    assert handlers(package) >= {"on_ticker", "on_book_4_items", "on_book_5_items"}
    assert contract_failures(package, FEED) == []


@pytest.mark.parametrize(
    ("items", "message", "line"),
    [
        ('{ one = "x" }', "items are named by index", 3),
        ('{ 0 = "Channel" }', "an item's name must be an attribute name", 3),
        # Found on the kinds: the path's table says where.
        ('{ 2 = "name", -2 = "kind" }', "items names item 2 of the 4-item kind", 1),
        ('{ 0 = "item_1" }', "items gives 'item_1' to two items", 1),
    ],
)
def test_a_wrong_items_setting_names_the_line(
    tmp_path: Path, items: str, message: str, line: int
) -> None:
    with pytest.raises(CodegenError, match=message) as caught:
        _generate_with_config(
            tmp_path, "positional_wrong", f'[paths."$"]\n\nitems = {items}\n'
        )
    assert caught.value.location is not None
    assert caught.value.location.line == line


def _frame(
    join: str | None, ref: str | None, topic: str, event: str, payload: Any
) -> Any:
    """A channel frame: join ref, ref, topic, event, payload (as a v2 serializer writes it)."""
    return [join, ref, topic, event, payload]


FRAMES = [
    _frame("1", "1", "room:lobby", "phx_join", {"config": {"private": False}}),
    _frame("1", "1", "room:lobby", "phx_reply", {"status": "ok", "response": {}}),
    _frame(None, "2", "phoenix", "heartbeat", {}),
    _frame(None, "2", "phoenix", "phx_reply", {"status": "ok", "response": {}}),
    _frame(None, None, "room:lobby", "new_msg", {"body": "hi", "user": "a"}),
    _frame(None, None, "room:lobby", "new_msg", {"body": "yo", "user": "b"}),
    _frame(None, None, "room:lobby", "presence_diff", {"joins": {}, "leaves": {}}),
    _frame(None, "3", "phoenix", "heartbeat", {}),
    _frame(None, "3", "phoenix", "phx_reply", {"status": "ok", "response": {}}),
    _frame("4", "4", "room:a", "phx_join", {"config": {"private": True}}),
    _frame("4", "4", "room:a", "phx_reply", {"status": "error", "response": {}}),
]


def test_the_name_that_tells_the_payloads_apart_beats_a_reference(
    tmp_path: Path,
) -> None:
    """Item 1 (a reference: "1", "2"... or null) lines up with which items are null; item 3
    (the event) with the keys of every payload. The payload's keys weigh as much as the
    nulls: the event is the tag."""
    package = build_and_import(tmp_path, "positional_frames", FRAMES)
    assert _tuple_union(package)[TAG_AT_KEYWORD] == 3
    assert handlers(package) >= {
        "on_phx_join",
        "on_phx_reply",
        "on_heartbeat",
        "on_new_msg",
        "on_presence_diff",
    }
    assert contract_failures(package, FRAMES) == []


def test_a_second_run_writes_nothing_new(tmp_path: Path) -> None:
    """Records at two positions of one kind (the 5-item book's two objects) and of a plain
    tuple (`pair`) keep their names from run to run: each position is a place of its own,
    where a name kept by place stays with its record."""
    samples = tmp_path / "samples"
    for name, messages in (
        ("positional_rerun", FEED),
        (
            "tuple_rerun",
            [{"pair": [{"a": n}, {"b": str(n), "c": [n]}]} for n in range(9)],
        ),
    ):
        (samples / name).mkdir(parents=True)
        for number, message in enumerate(messages):
            (samples / name / f"{number:03d}.json").write_text(
                json.dumps(message), "utf-8"
            )
    out = tmp_path / "out"
    assert cli_generate(samples, out).exit_code == 0
    first = tree_of(out)
    assert cli_generate(samples, out).exit_code == 0
    assert tree_of(out) == first
