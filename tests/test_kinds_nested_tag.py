"""Message kinds told by a tag inside an object of the message: `{"arg": {"channel": "books",
...}, "data": [...]}`.

Many exchange feeds push data as `{"arg": {"channel": ..., "instId": ...}, "data": [...]}` beside
control messages tagged by `event` (`subscribe`, `error`, `login`): the channel, one level down,
says what `data` holds. Every `arg` has the same keys, so nothing varies inside it: the evidence
is the sibling `data`. The fixtures are written by hand in that shape (no captured data); every
expectation is derived from them by hand.
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
    contract_failures,
    error_places,
    handlers,
    mypy_on_use,
    package_schema,
    round_trips,
)

from codegen.diff import schema_changes
from codegen.schema import TAG_IN_KEYWORD, TAG_KEYWORD


def _push(channel: str, inst: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {"arg": {"channel": channel, "instId": inst}, "data": rows}


def _books(inst: str, n: int) -> dict[str, Any]:
    row = {
        "asks": [["8476.98", "415"]],
        "bids": [["8476.97", str(256 + n)]],
        "ts": str(1597026383085 + n),
        "checksum": -855196043 + n,
    }
    return _push("books", inst, [row])


def _trades(inst: str, n: int) -> dict[str, Any]:
    row = {
        "instId": inst,
        "tradeId": f"13063947{n}",
        "px": f"42219.{n}",
        "sz": "0.12",
        "side": "buy" if n % 2 else "sell",
        "ts": str(1630048897897 + n),
    }
    return _push("trades", inst, [row])


def _tickers(inst: str, n: int) -> dict[str, Any]:
    row = {
        "instType": "SPOT",
        "instId": inst,
        "last": f"9999.9{n}",
        "askPx": "10000.1",
        "bidPx": "9999.8",
        "ts": str(1597026383085 + n),
    }
    return _push("tickers", inst, [row])


PUSHES = [
    _books("BTC-USDT", 1),
    _books("ETH-USDT", 2),
    _trades("BTC-USDT", 3),
    _trades("ETH-USDT", 4),
    _tickers("BTC-USDT", 5),
    _tickers("ETH-USDT", 6),
]


def _event(event: str, conn: str) -> dict[str, Any]:
    if event in ("error", "login"):
        code, msg = ("60012", "Invalid request") if event == "error" else ("0", "")
        return {"event": event, "code": code, "msg": msg, "connId": conn}
    return {
        "event": event,
        "arg": {"channel": "books", "instId": "BTC-USDT"},
        "connId": conn,
    }


CONTROL = [
    _event(event, conn)
    for event in ("subscribe", "unsubscribe", "error", "login")
    for conn in ("a4d3ae55", "b4d3ae56")
]
FEED = CONTROL + PUSHES
FEED_HANDLERS = {
    "on_subscribe",
    "on_unsubscribe",
    "on_error_variant",  # the kind `error`: on_error is the dispatcher's own
    "on_login",
    "on_books",
    "on_trades",
    "on_tickers",
    "on_unknown",
    "on_unhandled",
    "on_error",
}


@pytest.fixture(scope="module")
def feed(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    return build_and_import(tmp_path_factory.mktemp("feed"), "pushes_feed", FEED)


@pytest.fixture(scope="module")
def pushes(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    return build_and_import(tmp_path_factory.mktemp("pushes"), "pushes_only", PUSHES)


def _root_union(package: ModuleType) -> dict[str, Any]:
    schema = package_schema(package)
    name = schema["$ref"].rsplit("/", 1)[1]
    union: dict[str, Any] = schema["$defs"][name]
    return union


def test_pushes_are_kinds_by_the_channel_beside_the_control_messages(
    feed: ModuleType,
) -> None:
    assert handlers(feed) == FEED_HANDLERS
    trade = feed.decode(json.dumps(PUSHES[2]))
    assert type(trade).__name__ == "Trades"
    assert (trade.arg.channel, trade.data[0].px) == ("trades", "42219.3")
    book = feed.decode(json.dumps(PUSHES[0]))
    assert (type(book).__name__, book.data[0].checksum) == ("Books", -855196042)


def test_every_sample_round_trips_and_fits_its_kind_in_the_schema(
    feed: ModuleType, pushes: ModuleType
) -> None:
    assert contract_failures(feed, FEED) == []
    assert contract_failures(pushes, PUSHES) == []


def test_the_dispatcher_routes_each_push_by_its_channel(feed: ModuleType) -> None:
    recorder = Recorder()
    dispatcher = feed.Dispatcher()
    for name in ("on_books", "on_trades", "on_tickers", "on_subscribe", "on_unknown"):
        getattr(dispatcher, name)(recorder.handler(name))
    for sample in [PUSHES[4], PUSHES[0], CONTROL[0], PUSHES[3]]:
        dispatcher.dispatch(json.dumps(sample))
    assert [(name, type(args[0]).__name__) for name, args in recorder.calls] == [
        ("on_tickers", "Tickers"),
        ("on_books", "Books"),
        ("on_subscribe", "Subscribe"),
        ("on_trades", "Trades"),
    ]


def test_an_unseen_channel_is_unknown_and_round_trips(feed: ModuleType) -> None:
    candle = _push("candle1D", "BTC-USDT", [{"o": "1.5", "c": "1.6"}])
    recorder = Recorder()
    dispatcher = feed.Dispatcher()
    dispatcher.on_unknown(recorder.handler("unknown"))
    dispatcher.dispatch(json.dumps(candle))
    ((_, (message, unknown)),) = recorder.calls
    assert message is unknown and unknown.raw == candle
    assert contract_failures(feed, [candle]) == []
    assert round_trips(feed, candle)


def test_a_known_channel_with_a_wrong_payload_names_the_tag(feed: ModuleType) -> None:
    bad = _push("trades", "BTC-USDT", [{**PUSHES[2]["data"][0], "px": 42219.3}])
    with pytest.raises(feed.DecodeError) as raised:
        feed.decode(json.dumps(bad))
    assert str(raised.value) == (
        "$.data[0].px: expected string, found number 42219.3 (decoding the"
        ' "arg.channel": "trades" kind without "event")'
    )


def test_schema_json_says_where_the_tag_is_and_why(pushes: ModuleType) -> None:
    union = _root_union(pushes)
    assert (union[TAG_KEYWORD], union[TAG_IN_KEYWORD]) == ("channel", "arg")
    assert union["x-codegen-evidence"].startswith("tag 'arg.channel': 3 values")
    assert handlers(pushes) >= {"on_books", "on_trades", "on_tickers"}


def test_a_value_that_tells_only_its_own_object_apart_is_no_message_tag(
    tmp_path: Path,
) -> None:
    """`order.type` predicts `order.price` only, inside `order`: the messages are one kind."""
    samples = [
        {"id": n, "order": {"type": "limit", "price": f"1.{n}", "size": "2"}}
        for n in range(4)
    ] + [{"id": n, "order": {"type": "market", "size": "2"}} for n in range(4, 8)]
    package = build_and_import(tmp_path, "orders_feed", samples)
    assert TAG_IN_KEYWORD not in json.dumps(package_schema(package))
    assert contract_failures(package, samples) == []


def _generate_with_config(tmp_path: Path, name: str, config: str) -> ModuleType:
    return build_and_import(tmp_path, name, PUSHES, config)


def test_the_config_can_forbid_the_tag_inside_an_object(tmp_path: Path) -> None:
    package = _generate_with_config(
        tmp_path, "pushes_forbidden", '[paths."$"]\nnot_tags = ["arg.channel"]\n'
    )
    assert TAG_IN_KEYWORD not in json.dumps(package_schema(package))
    assert not handlers(package) & {"on_books", "on_trades", "on_tickers"}
    assert contract_failures(package, PUSHES) == []


def test_the_config_can_set_the_tag_inside_an_object(tmp_path: Path) -> None:
    """Pushes whose rows all look alike tell nothing apart by structure: the config says."""
    same = [_push(channel, "BTC-USDT", [{"v": "1"}]) for channel in ("a1", "b2", "c3")]
    package = build_and_import(
        tmp_path, "pushes_forced", same, '[paths."$"]\ntag = "arg.channel"\n'
    )
    union = _root_union(package)
    assert union["x-codegen-evidence"] == "tag 'arg.channel': set in the config"
    assert handlers(package) >= {"on_a1", "on_b2", "on_c3"}
    assert contract_failures(package, same) == []


def test_a_new_channel_shows_in_the_semantic_diff_by_the_tag_path(
    tmp_path: Path,
) -> None:
    old = build_and_import(tmp_path / "old", "pushes_diff", PUSHES)
    candles = [
        _push("candles", inst, [{"o": "1.5", "c": "1.6", "vol": "12"}])
        for inst in ("BTC-USDT", "ETH-USDT")
    ]
    new = build_and_import(tmp_path / "new", "pushes_diff", PUSHES + candles)
    changes = schema_changes("pushes_diff", package_schema(old), package_schema(new))
    added = [c.subject for c in changes if c.change == "variant added"]
    assert added == ["PushesDiffMessage[arg.channel=candles]"]


def test_mypy_holds_the_handlers_to_their_kinds(
    feed: ModuleType, tmp_path: Path
) -> None:
    use = (
        "from pushes_feed import Books, Dispatcher, Trades\n"
        "\n"
        "def book(message: Books) -> None:\n"
        "    print(message.data[0].checksum + 1)\n"
        "\n"
        "def trade(message: Trades) -> None:\n"
        "    print(message.data[0].px.upper())\n"
        "\n"
        "dispatcher = Dispatcher()\n"
        "dispatcher.on_books(book)\n"
        "dispatcher.on_trades(trade)\n"
        "dispatcher.on_books(trade)\n"
    )
    result = mypy_on_use(feed, use, tmp_path)
    assert error_places(result) == ["use.py:12"], result.stdout


# --- control messages a minority: a capture holds far more pushes than acks and errors ---------

MOSTLY_PUSHES = CONTROL + [
    make(inst, n)
    for make in (_books, _trades, _tickers)
    for n, inst in enumerate(
        ["BTC-USDT", "ETH-USDT", "SOL-USDT", "XRP-USDT", "ADA-USDT", "DOT-USDT"]
    )
]


def test_control_messages_in_a_minority_still_name_their_kinds(tmp_path: Path) -> None:
    """`event` is in 8 of 26 messages: the 18 without it hold `data`, which no control message
    has, so they are a kind of their own (split again by `arg.channel`), not records that lack an
    optional key."""
    package = build_and_import(tmp_path, "mostly_pushes", MOSTLY_PUSHES)
    assert _root_union(package)[TAG_KEYWORD] == "event"
    assert handlers(package) == FEED_HANDLERS
    assert contract_failures(package, MOSTLY_PUSHES) == []


def test_a_rare_key_that_comes_with_optional_keys_is_no_tag(tmp_path: Path) -> None:
    """A few orders hold `cancel_reason` (two values) with `canceled_at`: the others have no key
    of their own, they are the same record without those two: one kind."""
    orders = [
        {"id": f"o{n}", "price": f"1.{n}", "size": str(n + 1)} for n in range(16)
    ] + [
        {
            "id": f"c{n}",
            "price": f"2.{n}",
            "size": str(n + 1),
            "cancel_reason": reason,
            "canceled_at": f"2026-01-0{n + 1}T00:00:00Z",
        }
        for n, reason in enumerate(["user", "user", "expired", "expired"])
    ]
    package = build_and_import(tmp_path, "rare_orders", orders)
    assert "x-codegen-tag" not in json.dumps(package_schema(package))
    assert contract_failures(package, orders) == []


def _push_of(symbol: str, kind: str, n: int) -> dict[str, Any]:
    """A push whose payload names its own kind (`e`) and holds the market's symbol (`s`)."""
    data: dict[str, Any] = {"e": kind, "E": 1672515782136 + n, "s": symbol}
    if kind == "trade":
        data |= {"t": 12345 + n, "p": f"0.00{n}", "q": "100", "m": n % 2 == 0}
    else:
        data |= {"U": 157 + n, "u": 160 + n, "b": [["0.0024", "10"]], "a": []}
    return {"data": data}


SYMBOL_PUSHES = [
    _push_of(symbol, kind, n)
    for n, (symbol, kind) in enumerate(
        (symbol, kind)
        for symbol in ("BTCUSDT", "ETHUSDT", "SOLUSDT")
        for kind in ("trade", "depthUpdate", "trade")
    )
] + [{"result": None, "id": 1}, {"result": None, "id": 2}]


def test_a_symbol_in_the_payload_is_no_kind_though_the_replies_lack_it(
    tmp_path: Path,
) -> None:
    """`data.s` is present in every push and absent from the two replies, so it "explains" the
    keys `data`, `result` and `id`; but its values (the markets) tell no push from another:
    every market has trades and depth updates alike. The pushes are one kind beside the
    replies, split by their payload's own tag `e`."""
    package = build_and_import(tmp_path, "symbol_pushes", SYMBOL_PUSHES)
    assert TAG_IN_KEYWORD not in json.dumps(package_schema(package))
    assert {"on_data_trade", "on_data_depth_update", "on_result"} <= handlers(package)
    assert not {"on_btcusdt", "on_ethusdt", "on_solusdt"} & handlers(package)
    assert contract_failures(package, SYMBOL_PUSHES) == []


def _book_push(kind: str, n: int) -> dict[str, Any]:
    """A book push whose `arg` is a kind of its own: a snapshot's says its depth, an update's
    its sequence numbers."""
    arg: dict[str, Any] = {"channel": "books", "kind": kind, "instId": "BTC-USDT"}
    arg |= {"depth": n} if kind == "snapshot" else {"seq": n, "prevSeq": n - 1}
    rows = [{"asks": [["1.0", str(n)]], "bids": [], "ts": str(1000 + n)}]
    return {"arg": arg, "data": rows, "checksum": n}


HELD_KINDS = [
    message
    for n in range(4)
    for message in (
        _book_push("snapshot", n),
        _book_push("update", n),
        _push("trades", "ETH-USDT", [{"px": f"3.{n}", "sz": "1", "tradeId": str(n)}]),
    )
]


def test_the_object_holding_the_tag_may_be_kinds_of_its_own(tmp_path: Path) -> None:
    """`arg` of the books pushes splits by its `kind`: the tag `arg.channel` is in each of
    those kinds, and the books pushes decode as Books (they were the unknown kind)."""
    package = build_and_import(tmp_path, "held_kinds", HELD_KINDS)
    assert _root_union(package)[TAG_IN_KEYWORD] == "arg"
    assert [type(package.decode(m)).__name__ for m in HELD_KINDS[:3]] == [
        "Books",
        "Books",
        "Trades",
    ]
    assert {"on_books_snapshot", "on_books_update", "on_trades"} <= handlers(package)
    assert contract_failures(package, HELD_KINDS) == []


def test_the_holders_unknown_kind_keeps_the_message_tag(tmp_path: Path) -> None:
    """A trades push with no rows, whose `arg` carries a `kind` no book push has, and a
    `checksum` as book pushes do: the decoder reads `arg.channel` and takes it as trades. schema.json must too:
    the unknown kind of the books' `arg` holds `channel: books`, else the message would be a
    books push as well and fail `oneOf`."""
    package = build_and_import(tmp_path, "held_unknown", HELD_KINDS)
    odd = {
        "arg": {"channel": "trades", "kind": "zzz", "instId": "ETH-USDT"},
        "data": [],
        "checksum": 7,
    }
    assert type(package.decode(odd)).__name__ == "Trades"
    assert contract_failures(package, [odd]) == []
