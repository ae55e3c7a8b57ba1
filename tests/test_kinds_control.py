"""Control messages beside a feed's data: replies of one structure told apart by a tag, and a
bare heartbeat of one key.

Feeds answer with small control messages that share one structure (`{"id", "type": "welcome"}`,
`{"id", "type": "ack"}`, `{"id", "type": "pong"}`) beside data messages told apart by another key
(`subject`); and some send a bare `{"ping": <time>}` between messages that share no key with it.
The fixtures are written by hand in those shapes (no captured data); expectations are derived
from them by hand.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from conftest import (
    Recorder,
    build_and_import,
    contract_failures,
    handlers,
    package_schema,
)


def _data(subject: str, symbol: str, n: int, **fields: Any) -> dict[str, Any]:
    return {
        "type": "message",
        "topic": f"/market/{subject}:{symbol}",
        "subject": subject,
        "data": {"symbol": symbol, "time": 1545910660739 + n, **fields},
    }


CONTROL_AND_DATA = [
    {"id": f"{kind}{n}", "type": kind}
    for kind in ("welcome", "ack", "pong")
    for n in range(2)
] + [
    message
    for n, symbol in enumerate(["BTC-USDT", "ETH-USDT", "SOL-USDT"])
    for message in (
        _data("ticker", symbol, n, price="3494.0", bestAsk="3494.1", bestBid="3493.9"),
        _data("level2", symbol, n, changes={"asks": [["18906", "0.1"]], "bids": []}),
        _data("match", symbol, n, side="buy", price="0.08", tradeId=f"5c24c5da{n}"),
    )
]


def test_replies_of_one_structure_are_kinds_by_their_tag(tmp_path: Path) -> None:
    """`subject` tells the data apart; the replies without one share `{id, type}`, and `type`,
    a tag of all the messages, names each of them."""
    package = build_and_import(tmp_path, "replies", CONTROL_AND_DATA)
    assert handlers(package) >= {
        "on_welcome",
        "on_ack",
        "on_pong",
        "on_ticker",
        "on_level2",
        "on_match",
    }
    recorder = Recorder()
    dispatcher = package.Dispatcher()
    dispatcher.on_pong(recorder.handler("pong"))
    dispatcher.on_ack(recorder.handler("ack"))
    for message in CONTROL_AND_DATA[:6]:
        dispatcher.dispatch(json.dumps(message))
    assert [(name, args[0].id) for name, args in recorder.calls] == [
        ("ack", "ack0"),
        ("ack", "ack1"),
        ("pong", "pong0"),
        ("pong", "pong1"),
    ]
    assert contract_failures(package, CONTROL_AND_DATA) == []


def _push(channel: str, symbol: str, n: int, tick: dict[str, Any]) -> dict[str, Any]:
    return {"ch": f"market.{symbol}.{channel}", "ts": 1489474082831 + n, "tick": tick}


BARE_PING = [
    message
    for n, symbol in enumerate(["btcusdt", "ethusdt", "solusdt"])
    for message in (
        _push("kline.1min", symbol, n, {"id": n, "open": 7962.62, "close": 7963.1}),
        _push("depth.step0", symbol, n, {"bids": [[9999.39, 0.0098]], "asks": []}),
        {"id": f"id{n}", "status": "ok", "subbed": f"market.{symbol}.kline.1min"},
        {"ping": 1492420473027 + n},
    )
]


def test_a_bare_one_key_heartbeat_is_a_kind_of_its_own(tmp_path: Path) -> None:
    package = build_and_import(tmp_path, "bare_ping", BARE_PING)
    assert "on_ping" in handlers(package)
    recorder = Recorder()
    dispatcher = package.Dispatcher()
    dispatcher.on_ping(recorder.handler("ping"))
    dispatcher.dispatch(json.dumps({"ping": 1492420473099}))
    ((_, (message,)),) = recorder.calls
    assert message.ping == 1492420473099
    assert contract_failures(package, BARE_PING) == []


def _status(event: str, status: str, n: int, **fields: Any) -> dict[str, Any]:
    return {"event": event, "status": status, "connectionID": 86286153908 + n, **fields}


STATUS_FEED = (
    [_status("systemStatus", "online", n, version="1.0.0") for n in range(2)]
    + [
        _status(
            "subscriptionStatus", "subscribed", n, channelName="ticker", pair="XBT/EUR"
        )
        for n in range(2, 4)
    ]
    + [
        _status("subscriptionStatus", "error", n, errorMessage="depth not supported")
        for n in range(4, 6)
    ]
    + [{"event": "heartbeat"}] * 3
)


def test_the_kind_without_the_tag_is_named_by_a_value_only_it_holds(
    tmp_path: Path,
) -> None:
    """`status` tells the kinds apart; the messages without it all hold `event: heartbeat`,
    which no other kind holds: they are the Heartbeat, not WithoutStatus."""
    package = build_and_import(tmp_path, "status_feed", STATUS_FEED)
    assert {"on_heartbeat", "on_online", "on_subscribed"} <= handlers(package)
    assert "on_without_status" not in handlers(package)
    assert type(package.decode('{"event": "heartbeat"}')).__name__ == "Heartbeat"
    schema = package_schema(package)
    assert schema["$defs"]["Heartbeat"]["x-codegen-named-by"] == {"event": "heartbeat"}
    assert contract_failures(package, STATUS_FEED) == []


def test_a_value_another_kind_holds_too_names_nothing(tmp_path: Path) -> None:
    """The messages without `status` hold `event: subscriptionStatus`, as the subscribed ones
    do: the value does not tell them apart, so they stay WithoutStatus."""
    samples = STATUS_FEED[:4] + [
        {"event": "subscriptionStatus", "reqid": n, "pair": "XBT/EUR"} for n in range(3)
    ]
    package = build_and_import(tmp_path, "status_shared", samples)
    assert "on_without_status" in handlers(package)
    assert contract_failures(package, samples) == []
