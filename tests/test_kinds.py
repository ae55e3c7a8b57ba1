"""Message kinds: discriminated unions of every form, found from the samples alone.

One group per form, each on a small hand-written set whose expectations are derived by hand from
the fixture: an internal tag (`type`), a composite tag (`type` + `channel`), a tag one level down
(`$.data`), a tag beside an envelope (`channel` + `data`), kinds told apart by their keys
(`res` / `err`), a tag missing from a minority of objects, one-key wrappers, and the hard negatives
that must stay one record. Every form checks detection (schema.json), decoding, exact round trips,
unknown kinds, DecodeError paths, dispatcher routing and schema validation; mypy runs once over
all of them. The packages are generated once per module (one build of every set).
"""

from __future__ import annotations

import dataclasses
import json
import re
import typing
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from codegen.infer.kinds import looks_like_name
from codegen.pipeline import SampleSet, build_packages, infer_schema
from codegen.write import write_packages
from conftest import (
    Recorder,
    build_and_import,
    contract_failures,
    handlers,
    import_generated,
    package_schema,
    run_mypy,
    run_pyright,
    run_ruff,
)

# --- fixtures: hand-written sample sets ------------------------------------------------------

CONN = "8f14e45f-ceea-467f-a0e6-8a0bcdc5b8b1"


def _feed_message(i: int) -> dict[str, Any]:
    product = ("BTC-USD", "ETH-USD")[i // 4 % 2]
    time = f"2024-05-01T12:00:{i:02d}.{i * 37 % 1000:03d}Z"
    kind = i % 4
    if kind == 0:
        side = ("buy", "sell")[i // 4 % 2]
        return {
            "type": "l2update",
            "product_id": product,
            "changes": [[side, f"{100 + i}.5", f"0.{i + 1}"]],
            "time": time,
        }
    if kind == 1:
        return {
            "type": "ticker",
            "product_id": product,
            "price": f"{100 + i}.25",
            "best_bid": f"{100 + i}.2",
            "best_ask": f"{100 + i}.3",
            "time": time,
        }
    if kind == 2:
        return {"type": "heartbeat", "sequence": 90000 + i, "last_trade_id": 70000 + i}
    return {
        "type": "match",
        "trade_id": 70000 + i,
        "side": ("buy", "sell")[i % 2],
        "size": f"0.0{i}",
        "price": f"{100 + i}.5",
        "product_id": product,
    }


# Form 1: a websocket feed, 16 messages, four kinds by "type", each seen four times.
FEED: list[dict[str, Any]] = [_feed_message(i) for i in range(16)]
FEED_KINDS = {
    "l2update": "L2Update",
    "ticker": "Ticker",
    "heartbeat": "Heartbeat",
    "match": "Match",
}

_TRADE = {
    "id": "8a5e",
    "side": "BUY",
    "size": "0.01",
    "price": "64000.5",
    "createdAt": "2024-05-01T12:00:00.000Z",
}
_LEVELS = {
    "bids": [{"price": "63999", "size": "1.5"}],
    "asks": [{"price": "64001", "size": "2"}],
}

# Form 2: a docs page showing each message once; `subscribed` and `channel_data` come per channel.
DOCS: list[dict[str, Any]] = [
    {"type": "connected", "connection_id": CONN, "message_id": 0},
    {
        "type": "subscribed",
        "connection_id": CONN,
        "message_id": 1,
        "channel": "v4_trades",
        "id": "BTC-USD",
        "contents": {"trades": [_TRADE]},
    },
    {
        "type": "subscribed",
        "connection_id": CONN,
        "message_id": 2,
        "channel": "v4_orderbook",
        "id": "BTC-USD",
        "contents": _LEVELS,
    },
    {
        "type": "subscribed",
        "connection_id": CONN,
        "message_id": 3,
        "channel": "v4_markets",
        "contents": {"markets": [{"ticker": "BTC-USD", "status": "ACTIVE"}]},
    },
    {
        "type": "channel_data",
        "connection_id": CONN,
        "message_id": 4,
        "channel": "v4_trades",
        "id": "BTC-USD",
        "version": "2.1.0",
        "contents": {"trades": [_TRADE]},
    },
    {
        "type": "channel_data",
        "connection_id": CONN,
        "message_id": 5,
        "channel": "v4_orderbook",
        "id": "BTC-USD",
        "version": "1.0.0",
        "contents": _LEVELS,
    },
    {
        "type": "unsubscribed",
        "connection_id": CONN,
        "message_id": 6,
        "channel": "v4_trades",
        "id": "BTC-USD",
    },
    {
        "type": "error",
        "connection_id": CONN,
        "message_id": 7,
        "message": "Invalid subscribe message: channel not found",
    },
]
# (type, channel or None) -> (leaf class, handler)
DOCS_LEAVES = {
    ("connected", None): ("Connected", "on_connected"),
    ("subscribed", "v4_trades"): ("SubscribedV4Trades", "on_subscribed_v4_trades"),
    ("subscribed", "v4_orderbook"): (
        "SubscribedV4Orderbook",
        "on_subscribed_v4_orderbook",
    ),
    ("subscribed", "v4_markets"): ("SubscribedV4Markets", "on_subscribed_v4_markets"),
    ("channel_data", "v4_trades"): ("ChannelDataV4Trades", "on_channel_data_v4_trades"),
    ("channel_data", "v4_orderbook"): (
        "ChannelDataV4Orderbook",
        "on_channel_data_v4_orderbook",
    ),
    ("unsubscribed", None): ("Unsubscribed", "on_unsubscribed"),
    # A kind tagged `error` gets `on_error_variant` (on_error is the decode-error handler).
    ("error", None): ("Error", "on_error_variant"),
}


def _event(kind: str, i: int, symbol: str) -> dict[str, Any]:
    common = {"e": kind, "E": 1714564800000 + i, "s": symbol}
    if kind == "trade":
        return {
            **common,
            "t": 3000 + i,
            "p": f"6400{i % 10}.5",
            "q": "0.01",
            "m": i % 2 == 0,
        }
    if kind == "depthUpdate":
        return {
            **common,
            "U": 400 + i,
            "u": 410 + i,
            "b": [["63999.9", "1"]],
            "a": [["64000.1", "2"]],
        }
    return {**common, "k": {"t": 1714564800000, "o": "64000.0", "c": f"6400{i % 10}.0"}}


_SYMBOLS = ("BTCUSDT", "ETHUSDT", "BNBUSDT")
_EVENT_KINDS = ("trade", "depthUpdate", "kline")
# Form 3: the kinds sit one level down, at $.data; the envelope has a sequence number.
NESTED: list[dict[str, Any]] = [
    {"seq": 500 + i, "data": _event(_EVENT_KINDS[i % 3], i, _SYMBOLS[i // 3 % 3])}
    for i in range(12)
]
NESTED_KINDS = {
    "trade": ("Trade", "on_trade"),
    "depthUpdate": ("DepthUpdate", "on_depth_update"),
    "kline": ("Kline", "on_kline"),
}

# Form 4: `channel` beside a `data` envelope whose shape depends on it.
ADJACENT: list[dict[str, Any]] = [
    *(
        {
            "channel": "book",
            "data": {
                "bids": [[f"{100 + i}.1", "1"]],
                "asks": [[f"{100 + i}.9", "2"]],
                "checksum": 1234567 + i,
            },
        }
        for i in range(4)
    ),
    *(
        {
            "channel": "trades",
            "data": {
                "price": f"{100 + i}.5",
                "qty": f"0.{i + 1}",
                "side": "sell",
                "ts": 1714564800000 + i,
            },
        }
        for i in range(4)
    ),
    *(
        {"channel": "status", "data": {"system": state, "version": "2.0.0"}}
        for state in ("online", "maintenance", "cancel_only", "post_only")
    ),
]
ADJACENT_KINDS = {
    "book": ("Book", "on_book", {"bids", "asks", "checksum"}),
    "trades": ("Trades", "on_trades", {"price", "qty", "side", "ts"}),
    "status": ("Status", "on_status", {"system", "version"}),
}

# Form 5: no tag; a response holds `res`, a failure holds `err` (request ids never repeat).
KEYED: list[dict[str, Any]] = [
    {"rid": 1, "res": {"balance": "10.5", "currency": "USD"}},
    {"rid": 2, "err": {"code": 401, "message": "unauthorized"}},
    {"rid": 3, "res": {"balance": "11.0", "currency": "EUR"}},
    {"rid": 4, "res": {"balance": "0", "currency": "USD"}},
    {"rid": 5, "err": {"code": 429, "message": "rate limited"}},
    {"rid": 6, "res": {"balance": "3.25", "currency": "GBP"}},
    {"rid": 7, "err": {"code": 500, "message": "internal error"}},
    {"rid": 8, "res": {"balance": "7", "currency": "JPY"}},
]


def _without(i: int) -> dict[str, Any]:
    if i in (0, 5):  # the bare snapshots: no `op`
        return {
            "bids": [[f"100.{i}", "1"]],
            "asks": [[f"101.{i}", "2"]],
            "lastUpdateId": 9000 + i,
        }
    if i % 2:
        return {"op": "update", "bids": [[f"100.{i}", "1"]], "asks": [], "seq": 100 + i}
    return {"op": "trade", "price": f"100.{i}", "qty": f"0.{i}", "seq": 100 + i}


# A tag missing from a minority: 2 of 10 objects are snapshots without `op`.
WITHOUT: list[dict[str, Any]] = [_without(i) for i in range(10)]

# Form 8: a one-key wrapper that never varies is a record; the externally tagged form still works.
WRAPPER: list[dict[str, Any]] = [
    {"data": {"user": {"id": 101, "name": "ann", "email": "ann@example.com"}}},
    {"data": {"user": {"id": 102, "name": "bob", "email": "bob@example.com"}}},
    {"data": {"user": {"id": 103, "name": "cy", "email": "cy@example.com"}}},
    {"data": {"user": {"id": 104, "name": "dee", "email": "dee@example.com"}}},
]
EXTERNAL: list[dict[str, Any]] = [
    {"message_id": "m1", "event": {"position": {"created": {"id": "p1", "qty": 1}}}},
    {"message_id": "m2", "event": {"position": {"closed": {"id": "p1", "qty": 0}}}},
    {"message_id": "m3", "event": {"order": {"filled": {"id": "o1", "price": 2.5}}}},
    {"message_id": "m4", "event": {"position": {"created": {"id": "p2", "qty": 3}}}},
]

# Messages that come as batches: a JSON array of kinds told apart by `T`, as some market data
# streams and webhook senders deliver them.
BATCH: list[list[dict[str, Any]]] = [
    [{"T": "success", "msg": "connected"}],
    [{"T": "trade", "sym": "ABC", "price": 12.5, "size": 3}],
    [
        {"T": "quote", "sym": "ABC", "bid": 12.4, "ask": 12.6},
        {"T": "trade", "sym": "XYZ", "price": 3.25, "size": 1},
    ],
    [{"T": "quote", "sym": "XYZ", "bid": 3.2, "ask": 3.3}],
    [
        {"T": "trade", "sym": "ABC", "price": 12.75, "size": 10},
        {"T": "success", "msg": "authenticated"},
    ],
]

SETS: dict[str, list[Any]] = {
    "kinds_feed": FEED,
    "kinds_docs": DOCS,
    "kinds_nested": NESTED,
    "kinds_adjacent": ADJACENT,
    "kinds_keyed": KEYED,
    "kinds_without": WITHOUT,
    "kinds_wrapper": WRAPPER,
    "kinds_external": EXTERNAL,
    "kinds_batch": BATCH,
}


def write_set(
    root: Path, name: str, samples: list[Any], config: str | None = None
) -> Path:
    """root/samples/<name>/: one .json file per sample (and the config, if any)."""
    set_dir = root / "samples" / name
    set_dir.mkdir(parents=True)
    for number, sample in enumerate(samples):
        (set_dir / f"{number:03d}.json").write_text(
            json.dumps(sample), encoding="utf-8"
        )
    if config is not None:
        (set_dir / "codegen.toml").write_text(config, encoding="utf-8")
    return set_dir


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every set of SETS generated in one run; returns the output folder."""
    root = tmp_path_factory.mktemp("kinds")
    for name, samples in SETS.items():
        write_set(root, name, samples)
    write_packages(build_packages(root / "samples"), root / "out")
    return root / "out"


def _package(built: Path, name: str) -> ModuleType:
    return import_generated(built, name)


@pytest.fixture(scope="module")
def batch(built: Path) -> ModuleType:
    return _package(built, "kinds_batch")


@pytest.fixture(scope="module")
def feed(built: Path) -> ModuleType:
    return _package(built, "kinds_feed")


@pytest.fixture(scope="module")
def docs(built: Path) -> ModuleType:
    return _package(built, "kinds_docs")


@pytest.fixture(scope="module")
def nested(built: Path) -> ModuleType:
    return _package(built, "kinds_nested")


@pytest.fixture(scope="module")
def adjacent(built: Path) -> ModuleType:
    return _package(built, "kinds_adjacent")


@pytest.fixture(scope="module")
def keyed(built: Path) -> ModuleType:
    return _package(built, "kinds_keyed")


@pytest.fixture(scope="module")
def without(built: Path) -> ModuleType:
    return _package(built, "kinds_without")


# --- helpers ---------------------------------------------------------------------------------


SPECIAL = ("on_unknown", "on_unhandled", "on_error")


def leaf_methods(package: ModuleType) -> set[str]:
    return {
        name
        for name in dir(package.Dispatcher)
        if name.startswith("on_") and name not in SPECIAL
    }


def recording_dispatcher(package: ModuleType) -> tuple[Any, Recorder]:
    recorder = Recorder()
    dispatcher = package.Dispatcher()
    for method in sorted(leaf_methods(package)) + list(SPECIAL):
        getattr(dispatcher, method)(recorder.handler(method))
    return dispatcher, recorder


def unions(schema: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The defs of schema.json that are unions (any form)."""
    return {
        name: definition
        for name, definition in schema.get("$defs", {}).items()
        if "x-codegen-union" in definition
    }


def members(definition: dict[str, Any]) -> list[str]:
    return [
        m["$ref"].rsplit("/", 1)[1]
        for m in definition.get("oneOf", definition.get("anyOf", []))
    ]


def unknown_members(schema: dict[str, Any], definition: dict[str, Any]) -> list[str]:
    return [
        m
        for m in members(definition)
        if schema["$defs"][m].get("x-codegen-unknown-variant")
    ]


def public_fields(obj_or_class: Any) -> dict[str, dataclasses.Field[Any]]:
    return {
        f.name: f
        for f in dataclasses.fields(obj_or_class)
        if not f.name.startswith("_")
    }


def assert_tag_field(cls: type, key: str, value: str) -> None:
    """The kind's tag: typed Literal[value], with that value as its default."""
    assert public_fields(cls)[key].default == value
    # The module is no longer in sys.modules (import_generated): evaluate the annotation alone.
    annotation = eval(str(public_fields(cls)[key].type), {"Literal": typing.Literal})
    assert typing.get_origin(annotation) is typing.Literal
    assert typing.get_args(annotation) == (value,)


def schema_rejects(package: ModuleType, sample: Any) -> bool:
    return not Draft202012Validator(package_schema(package)).is_valid(sample)


def mutated(
    sample: dict[str, Any], path: tuple[str | int, ...], value: Any
) -> dict[str, Any]:
    copy: dict[str, Any] = json.loads(json.dumps(sample))
    node: Any = copy
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    return copy


# --- form 1: an internal tag -----------------------------------------------------------------


def test_internal_tag_is_detected(feed: ModuleType) -> None:
    schema = package_schema(feed)
    root = schema["$defs"][schema["title"]]
    assert schema["$ref"] == f"#/$defs/{schema['title']}"
    assert root["x-codegen-union"] == "internally-tagged"
    assert root["x-codegen-tag"] == "type"
    assert (
        isinstance(root["x-codegen-evidence"], str)
        and "type" in root["x-codegen-evidence"]
    )
    unknown = f"Unknown{schema['title']}"
    assert sorted(members(root)) == sorted([*FEED_KINDS.values(), unknown])
    assert unknown_members(schema, root) == [unknown]
    for tag, cls in FEED_KINDS.items():
        assert schema["$defs"][cls]["properties"]["type"] == {
            "type": "string",
            "const": tag,
        }
        assert_tag_field(getattr(feed, cls), "type", tag)
    # Each kind has its own keys only (no field borrowed from another kind as absent).
    for sample in FEED:
        cls = getattr(feed, FEED_KINDS[sample["type"]])
        assert list(public_fields(cls)) == list(sample)
    assert len(unions(schema)) == 1


def test_internal_tag_decodes_each_kind_and_round_trips(feed: ModuleType) -> None:
    for sample in FEED:
        message = feed.decode(json.dumps(sample))
        assert type(message) is getattr(feed, FEED_KINDS[sample["type"]])
        assert message.type == sample["type"]
        assert json.dumps(feed.encode(message)) == json.dumps(sample)
    assert contract_failures(feed, FEED) == []


def test_internal_tag_kind_built_in_code_encodes_its_tag(feed: ModuleType) -> None:
    beat = feed.Heartbeat(sequence=1, last_trade_id=2)
    assert feed.encode(beat) == {"type": "heartbeat", "sequence": 1, "last_trade_id": 2}


@pytest.mark.parametrize(
    "unseen",
    [
        {"type": "snapshot", "product_id": "BTC-USD", "bids": [], "asks": []},
        {"type": 7, "sequence": 1},
        {"kind": "no type at all"},
    ],
    ids=["new-tag-value", "int-tag-value", "no-tag"],
)
def test_internal_tag_unknown_value_is_the_unknown_kind(
    feed: ModuleType, unseen: dict[str, Any]
) -> None:
    schema = package_schema(feed)
    unknown = getattr(feed, f"Unknown{schema['title']}")
    message = feed.decode(json.dumps(unseen))
    assert type(message) is unknown
    assert message.raw == unseen
    assert json.dumps(feed.encode(message)) == json.dumps(unseen)
    assert contract_failures(feed, [unseen]) == []
    dispatcher, recorder = recording_dispatcher(feed)
    dispatcher.dispatch(unseen)
    ((name, (got, variant)),) = recorder.calls
    assert name == "on_unknown"
    assert type(variant) is unknown and variant.raw == unseen
    assert got == message


@pytest.mark.parametrize(
    ("path", "value", "where"),
    [
        (("changes",), "oops", "$.changes"),
        (("changes", 0, 1), 100.5, "$.changes[0][1]"),
        (("time",), None, "$.time"),
    ],
)
def test_internal_tag_wrong_payload_names_path_and_kind(
    feed: ModuleType, path: tuple[str | int, ...], value: Any, where: str
) -> None:
    bad = mutated(FEED[0], path, value)
    with pytest.raises(feed.DecodeError) as caught:
        feed.decode(bad)
    text = str(caught.value)
    assert text.startswith(f"{where}: expected ")
    assert '(decoding the "type": "l2update" kind)' in text
    assert schema_rejects(feed, bad)


def test_internal_tag_missing_key_names_the_kind(feed: ModuleType) -> None:
    bad = dict(FEED[2])
    del bad["sequence"]
    with pytest.raises(feed.DecodeError) as caught:
        feed.decode(bad)
    assert '"sequence"' in str(caught.value)
    assert '"type": "heartbeat"' in str(caught.value)
    assert schema_rejects(feed, bad)


def test_internal_tag_dispatcher_routes_each_kind_to_its_handler(
    feed: ModuleType,
) -> None:
    assert leaf_methods(feed) == {f"on_{tag}" for tag in FEED_KINDS}
    dispatcher, recorder = recording_dispatcher(feed)
    for sample in FEED:
        dispatcher.dispatch(json.dumps(sample))
    assert [name for name, _ in recorder.calls] == [f"on_{s['type']}" for s in FEED]
    for sample, (_, args) in zip(FEED, recorder.calls):
        # The union is the message root: the handler takes the message (its kind) alone.
        (message,) = args
        assert type(message) is getattr(feed, FEED_KINDS[sample["type"]])
        assert json.dumps(feed.encode(message)) == json.dumps(sample)
    recorder.calls.clear()
    dispatcher.dispatch(mutated(FEED[0], ("changes",), "oops"))
    ((name, (_, error)),) = recorder.calls
    assert name == "on_error" and isinstance(error, feed.DecodeError)


def test_internal_tag_kind_without_handler_is_unhandled(feed: ModuleType) -> None:
    recorder = Recorder()
    dispatcher = feed.Dispatcher()
    dispatcher.on_ticker(recorder.handler("on_ticker"))
    dispatcher.on_unhandled(recorder.handler("on_unhandled"))
    for sample in FEED[:4]:
        dispatcher.dispatch(sample)
    assert [name for name, _ in recorder.calls] == [
        "on_unhandled",
        "on_ticker",
        "on_unhandled",
        "on_unhandled",
    ]


# --- form 2: a composite tag -----------------------------------------------------------------


def _docs_leaf(sample: dict[str, Any]) -> tuple[str, str]:
    return DOCS_LEAVES[
        (
            sample["type"],
            (
                sample.get("channel")
                if sample["type"] in ("subscribed", "channel_data")
                else None
            ),
        )
    ]


def test_composite_tag_is_detected(docs: ModuleType) -> None:
    schema = package_schema(docs)
    root = schema["$defs"][schema["title"]]
    assert root["x-codegen-union"] == "internally-tagged"
    assert root["x-codegen-tag"] == "type"
    inner = {
        name: d
        for name, d in unions(schema).items()
        if d.get("x-codegen-tag") == "channel"
    }
    assert len(inner) == 2  # subscribed and channel_data split by channel
    leaves_by_inner = {
        frozenset(m for m in members(d) if m not in unknown_members(schema, d))
        for d in inner.values()
    }
    assert leaves_by_inner == {
        frozenset(
            {"SubscribedV4Trades", "SubscribedV4Orderbook", "SubscribedV4Markets"}
        ),
        frozenset({"ChannelDataV4Trades", "ChannelDataV4Orderbook"}),
    }
    for definition in (root, *inner.values()):
        assert definition["x-codegen-evidence"]
        assert definition["x-codegen-union"] == "internally-tagged"
        assert len(unknown_members(schema, definition)) == 1
    # The root's members: the three single kinds, the two inner unions, the unknown.
    assert set(members(root)) >= {"Connected", "Unsubscribed", "Error", *inner}
    assert len(members(root)) == 6
    for (tag, channel), (cls, _) in DOCS_LEAVES.items():
        properties = schema["$defs"][cls]["properties"]
        assert properties["type"] == {"type": "string", "const": tag}
        assert_tag_field(getattr(docs, cls), "type", tag)
        if channel is not None:
            assert properties["channel"] == {"type": "string", "const": channel}
            assert_tag_field(getattr(docs, cls), "channel", channel)


def test_composite_tag_decodes_round_trips_and_dispatches(docs: ModuleType) -> None:
    assert leaf_methods(docs) == {method for _, method in DOCS_LEAVES.values()}
    assert contract_failures(docs, DOCS) == []
    dispatcher, recorder = recording_dispatcher(docs)
    for sample in DOCS:
        cls, _ = _docs_leaf(sample)
        message = docs.decode(sample)
        assert type(message) is getattr(docs, cls)
        assert list(public_fields(message)) == list(sample)
        dispatcher.dispatch(json.dumps(sample))
    assert [name for name, _ in recorder.calls] == [_docs_leaf(s)[1] for s in DOCS]
    for sample, (_, args) in zip(DOCS, recorder.calls):
        (message,) = args  # the union is the message root: one argument
        assert type(message) is getattr(docs, _docs_leaf(sample)[0])


@pytest.mark.parametrize(
    ("unseen", "level"),
    [
        (
            {
                "type": "subscribed",
                "connection_id": CONN,
                "message_id": 8,
                "channel": "v4_candles",
                "contents": {},
            },
            "channel",
        ),
        ({"type": "pong", "connection_id": CONN, "message_id": 9}, "type"),
    ],
    ids=["unseen-channel", "unseen-type"],
)
def test_composite_tag_unknown_at_each_level(
    docs: ModuleType, unseen: dict[str, Any], level: str
) -> None:
    schema = package_schema(docs)
    message = docs.decode(unseen)
    assert type(message).__name__.startswith("Unknown")
    assert message.raw == unseen
    owner = [d for d in unions(schema).values() if type(message).__name__ in members(d)]
    assert [d["x-codegen-tag"] for d in owner] == [level]
    assert contract_failures(docs, [unseen]) == []
    dispatcher, recorder = recording_dispatcher(docs)
    dispatcher.dispatch(unseen)
    assert [(name, args[1].raw) for name, args in recorder.calls] == [
        ("on_unknown", unseen)
    ]


def test_composite_tag_wrong_payload_names_both_tags(docs: ModuleType) -> None:
    bad = mutated(DOCS[1], ("contents", "trades", 0, "size"), 0.01)
    with pytest.raises(docs.DecodeError) as caught:
        docs.decode(bad)
    text = str(caught.value)
    assert text.startswith("$.contents.trades[0].size: expected string")
    assert '"type": "subscribed"' in text and '"channel": "v4_trades"' in text
    assert schema_rejects(docs, bad)


# --- form 3: a tag one level down ------------------------------------------------------------


def test_nested_tag_is_detected(nested: ModuleType) -> None:
    schema = package_schema(nested)
    root = schema["$defs"][schema["title"]]
    assert "x-codegen-union" not in root
    assert list(root["properties"]) == ["seq", "data"]
    union_name = root["properties"]["data"]["$ref"].rsplit("/", 1)[1]
    union = schema["$defs"][union_name]
    assert union["x-codegen-union"] == "internally-tagged"
    assert union["x-codegen-tag"] == "e"
    assert "e" in union["x-codegen-evidence"]
    assert set(unions(schema)) == {union_name}
    kinds = {cls for cls, _ in NESTED_KINDS.values()}
    assert set(members(union)) - set(unknown_members(schema, union)) == kinds
    for tag, (cls, _) in NESTED_KINDS.items():
        assert schema["$defs"][cls]["properties"]["e"] == {
            "type": "string",
            "const": tag,
        }
        assert_tag_field(getattr(nested, cls), "e", tag)


def test_nested_tag_dispatcher_routes_whole_messages(nested: ModuleType) -> None:
    assert leaf_methods(nested) == {method for _, method in NESTED_KINDS.values()}
    assert contract_failures(nested, NESTED) == []
    dispatcher, recorder = recording_dispatcher(nested)
    for sample in NESTED:
        dispatcher.dispatch(json.dumps(sample).encode())
    assert [name for name, _ in recorder.calls] == [
        NESTED_KINDS[s["data"]["e"]][1] for s in NESTED
    ]
    root_class = getattr(nested, package_schema(nested)["title"])
    for sample, (_, (message, payload)) in zip(NESTED, recorder.calls):
        assert type(message) is root_class
        assert message.seq == sample["seq"]
        assert payload is message.data
        assert type(payload) is getattr(nested, NESTED_KINDS[sample["data"]["e"]][0])


def test_nested_tag_unknown_and_wrong_payload(nested: ModuleType) -> None:
    unseen = {"seq": 900, "data": {"e": "aggTrade", "E": 1, "s": "BTCUSDT", "a": 5}}
    message = nested.decode(unseen)
    assert type(message.data).__name__.startswith("Unknown")
    assert message.data.raw == unseen["data"]
    assert contract_failures(nested, [unseen]) == []
    dispatcher, recorder = recording_dispatcher(nested)
    dispatcher.dispatch(unseen)
    ((name, (got, variant)),) = recorder.calls
    assert name == "on_unknown" and got == message and variant is got.data

    bad = mutated(NESTED[0], ("data", "p"), 64000.5)
    with pytest.raises(nested.DecodeError) as caught:
        nested.decode(bad)
    assert str(caught.value).startswith("$.data.p: expected string")
    assert '(decoding the "e": "trade" kind)' in str(caught.value)
    assert schema_rejects(nested, bad)


def _stream_samples() -> list[dict[str, Any]]:
    """Binance-style combined streams: `stream` is `<symbol>@<channel>`, so it holds the symbol."""
    names = {"trade": "trade", "depthUpdate": "depth", "kline": "kline"}
    return [
        {
            "stream": f"{sample['data']['s'].lower()}@{names[sample['data']['e']]}",
            "data": sample["data"],
        }
        for sample in NESTED
    ]


def test_nested_tag_beside_a_stream_name_holding_the_symbol(tmp_path: Path) -> None:
    samples = _stream_samples()
    set_dir = write_set(tmp_path, "streams", samples)
    _, schema = infer_schema(SampleSet(set_dir, "samples/streams"))
    root = schema["$defs"][schema["title"]]
    assert "x-codegen-union" not in root, root.get("x-codegen-evidence")
    data = schema["$defs"][root["properties"]["data"]["$ref"].rsplit("/", 1)[1]]
    assert data["x-codegen-tag"] == "e"


# --- form 4: a tag beside an envelope --------------------------------------------------------


def test_adjacent_tag_gives_each_kind_its_own_data_class(adjacent: ModuleType) -> None:
    schema = package_schema(adjacent)
    root = schema["$defs"][schema["title"]]
    assert root["x-codegen-union"] == "internally-tagged"
    assert root["x-codegen-tag"] == "channel"
    assert "channel" in root["x-codegen-evidence"]
    kinds = {cls for cls, _, _ in ADJACENT_KINDS.values()}
    assert set(members(root)) - set(unknown_members(schema, root)) == kinds
    data_classes = set()
    for tag, (cls, _, keys) in ADJACENT_KINDS.items():
        definition = schema["$defs"][cls]
        assert definition["properties"]["channel"] == {"type": "string", "const": tag}
        data_class = definition["properties"]["data"]["$ref"].rsplit("/", 1)[1]
        # The payload class has this kind's keys, all required: nothing borrowed from the others.
        assert set(schema["$defs"][data_class]["properties"]) == keys
        assert set(schema["$defs"][data_class]["required"]) == keys
        data_classes.add(data_class)
    assert len(data_classes) == 3
    assert len(unions(schema)) == 1


def test_adjacent_tag_decodes_round_trips_and_dispatches(adjacent: ModuleType) -> None:
    assert leaf_methods(adjacent) == {
        method for _, method, _ in ADJACENT_KINDS.values()
    }
    assert contract_failures(adjacent, ADJACENT) == []
    dispatcher, recorder = recording_dispatcher(adjacent)
    for sample in ADJACENT:
        dispatcher.dispatch(sample)
    assert [name for name, _ in recorder.calls] == [
        ADJACENT_KINDS[s["channel"]][1] for s in ADJACENT
    ]
    for sample, (_, args) in zip(ADJACENT, recorder.calls):
        (message,) = args
        cls, _, keys = ADJACENT_KINDS[sample["channel"]]
        assert type(message) is getattr(adjacent, cls)
        assert set(public_fields(message.data)) == keys


def test_adjacent_tag_unknown_and_wrong_payload(adjacent: ModuleType) -> None:
    unseen = {"channel": "ohlc", "data": {"open": "1", "close": "2"}}
    message = adjacent.decode(unseen)
    assert type(message).__name__.startswith("Unknown") and message.raw == unseen
    assert json.dumps(adjacent.encode(message)) == json.dumps(unseen)
    assert contract_failures(adjacent, [unseen]) == []
    # A book channel carrying a trade's data.
    bad = {"channel": "book", "data": ADJACENT[4]["data"]}
    with pytest.raises(adjacent.DecodeError) as caught:
        adjacent.decode(bad)
    text = str(caught.value)
    assert text.startswith("$.data: expected the required key")
    assert '(decoding the "channel": "book" kind)' in text
    assert schema_rejects(adjacent, bad)


# --- form 5: kinds told apart by their keys --------------------------------------------------


def _keyed_kind(sample: dict[str, Any]) -> str:
    return "res" if "res" in sample else "err"


def test_keyed_kinds_are_detected(keyed: ModuleType) -> None:
    schema = package_schema(keyed)
    root = schema["$defs"][schema["title"]]
    assert root["x-codegen-union"] == "keyed"
    assert "x-codegen-tag" not in root  # the int request id is not a tag
    assert sorted(root["x-codegen-keys"]) == ["err", "res"]
    assert "res" in root["x-codegen-evidence"] and "err" in root["x-codegen-evidence"]
    kinds = [m for m in members(root) if m not in unknown_members(schema, root)]
    assert sorted(sorted(schema["$defs"][k]["properties"]) for k in kinds) == [
        ["err", "rid"],
        ["res", "rid"],
    ]


def test_keyed_kinds_decode_round_trip_and_dispatch(keyed: ModuleType) -> None:
    assert leaf_methods(keyed) == {"on_res", "on_err"}
    assert contract_failures(keyed, KEYED) == []
    dispatcher, recorder = recording_dispatcher(keyed)
    for sample in KEYED:
        message = keyed.decode(sample)
        assert list(public_fields(message)) == list(sample)
        dispatcher.dispatch(sample)
    assert [name for name, _ in recorder.calls] == [
        f"on_{_keyed_kind(s)}" for s in KEYED
    ]
    by_kind = {
        _keyed_kind(s): type(args[0]) for s, (_, args) in zip(KEYED, recorder.calls)
    }
    assert by_kind["res"] is not by_kind["err"]


def test_keyed_kinds_beside_a_key_nearly_all_hold(tmp_path: Path) -> None:
    """Bare payloads of a feed (no envelope): all but the subscription ack carry `ts`. That
    pick (`ts` or `result`) makes no kinds; the keys holding payloads first do."""
    samples: list[dict[str, Any]] = []
    for n in range(2):
        ts = 1_700_000_000_000 + n
        samples += [
            {"asks": [["1.5", "2"]], "bids": [], "instrument": "ETH-USD", "ts": ts},
            {"ticker": {"b": "1.4", "a": "1.6"}, "ts": ts},
            {
                "trade_id": f"t{n}",
                "price": "1.5",
                "amount": "0.1",
                "instrument": "ETH-USD",
                "ts": ts,
            },
            {"id": f"req-{n}", "result": {"subscribed": ["book", "trades"]}},
        ]
    set_dir = write_set(tmp_path, "bare", samples)
    _, schema = infer_schema(SampleSet(set_dir, "samples/bare"))
    root = schema["$defs"][schema["title"]]
    assert root["x-codegen-union"] == "keyed", root.get("x-codegen-evidence")
    assert sorted(root["x-codegen-keys"]) == ["asks", "result", "ticker", "trade_id"]


def field_values(obj: Any) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in public_fields(obj)}


def test_each_item_of_a_batch_reaches_the_handler_of_its_kind(
    batch: ModuleType,
) -> None:
    """A message that is an array of kinds: dispatch calls one handler per item, in order,
    with the item decoded as its kind."""
    assert leaf_methods(batch) == {"on_success", "on_trade", "on_quote"}
    assert contract_failures(batch, BATCH) == []
    dispatcher, recorder = recording_dispatcher(batch)
    for message in BATCH:
        dispatcher.dispatch(message)
    items = [item for message in BATCH for item in message]
    assert [name for name, _ in recorder.calls] == [f"on_{i['T']}" for i in items]
    for item, (_, args) in zip(items, recorder.calls):
        (payload,) = args
        assert type(payload).__name__ == item["T"].title()
        assert field_values(payload) == item


def test_a_batch_item_of_an_unseen_kind_or_without_a_handler(
    batch: ModuleType,
) -> None:
    recorder = Recorder()
    dispatcher = batch.Dispatcher()
    for method in ("on_trade", "on_unknown", "on_unhandled"):
        getattr(dispatcher, method)(recorder.handler(method))
    halt = {"T": "halt", "sym": "ABC"}
    quote = {"T": "quote", "sym": "ABC", "bid": 1.0, "ask": 2.0}
    trade = {"T": "trade", "sym": "ABC", "price": 1.5, "size": 2}
    dispatcher.dispatch([halt, quote, trade])
    assert [name for name, _ in recorder.calls] == [
        "on_unknown",
        "on_unhandled",
        "on_trade",
    ]
    unknown_item, unknown = recorder.calls[0][1]
    assert unknown is unknown_item and unknown.raw == halt
    assert field_values(recorder.calls[1][1][0]) == quote


def test_the_payload_of_a_keyed_kind_is_named_by_its_key(keyed: ModuleType) -> None:
    """The kind told apart by `res` is named with its union; the record under `res` is `Res`
    (qualified by its kind it would take the kind's own name again)."""
    classes = {
        type(getattr(keyed.decode(sample), _keyed_kind(sample))).__name__
        for sample in KEYED
    }
    assert classes == {"Res", "Err"}


def test_no_class_name_says_its_words_twice(built: Path) -> None:
    """`KindsKeyedMessageResKindsKeyedMessageRes` was once the fallback for a record named
    like the kind holding it."""
    for models in sorted(built.glob("*/models.py")):
        for name in re.findall(r"^class (\w+)", models.read_text("utf-8"), re.M):
            stem = name.rstrip("0123456789")
            half = len(stem) // 2
            assert stem[:half] != stem[half:], f"{models.parent.name}: {name}"


def test_keyed_kinds_unknown_and_wrong_payload(keyed: ModuleType) -> None:
    unseen = {"rid": 9, "ack": {"queued": True}}
    message = keyed.decode(unseen)
    assert type(message).__name__.startswith("Unknown") and message.raw == unseen
    assert contract_failures(keyed, [unseen]) == []
    bad = mutated(KEYED[0], ("res", "balance"), 10.5)
    with pytest.raises(keyed.DecodeError) as caught:
        keyed.decode(bad)
    text = str(caught.value)
    assert text.startswith("$.res.balance: expected string")
    assert '(decoding the "res" key kind)' in text
    assert schema_rejects(keyed, bad)


def test_keyed_object_holding_both_keys_decode_and_schema_agree(
    keyed: ModuleType,
) -> None:
    both = {
        "rid": 9,
        "res": {"balance": "1", "currency": "USD"},
        "err": {"code": 1, "message": "m"},
    }
    try:
        keyed.decode(both)
        decodes = True
    except keyed.DecodeError:
        decodes = False
    assert decodes == (not schema_rejects(keyed, both))


# --- a tag missing from a minority of objects ------------------------------------------------


def _without_kind(schema: dict[str, Any]) -> str:
    root = schema["$defs"][schema["title"]]
    (name,) = [
        m
        for m in members(root)
        if m not in unknown_members(schema, root)
        and "op" not in schema["$defs"][m]["properties"]
    ]
    return name


def test_tag_missing_from_a_minority_is_a_kind_without_it(without: ModuleType) -> None:
    schema = package_schema(without)
    root = schema["$defs"][schema["title"]]
    assert root["x-codegen-union"] == "internally-tagged"
    assert root["x-codegen-tag"] == "op"
    assert root["x-codegen-evidence"]
    bare = _without_kind(schema)
    assert schema["$defs"][bare]["not"] == {  # without `op`, or null there
        "required": ["op"],
        "properties": {"op": {"not": {"type": "null"}}},
    }
    assert set(schema["$defs"][bare]["properties"]) == {"bids", "asks", "lastUpdateId"}
    assert len(members(root)) == 4  # trade, update, without op, unknown
    assert leaf_methods(without) == {"on_trade", "on_update", "on_without_op"}
    assert contract_failures(without, WITHOUT) == []
    dispatcher, recorder = recording_dispatcher(without)
    for sample in WITHOUT:
        dispatcher.dispatch(sample)
    assert [name for name, _ in recorder.calls] == [
        f"on_{s['op']}" if "op" in s else "on_without_op" for s in WITHOUT
    ]
    assert type(recorder.calls[0][1][0]).__name__ == bare


def test_kind_without_the_tag_unknown_and_wrong_payload(without: ModuleType) -> None:
    unseen = {"op": "funding", "rate": "0.0001"}
    message = without.decode(unseen)
    assert type(message).__name__.startswith("Unknown") and message.raw == unseen
    assert contract_failures(without, [unseen]) == []
    bad = mutated(WITHOUT[0], ("lastUpdateId",), "9000")
    with pytest.raises(without.DecodeError) as caught:
        without.decode(bad)
    text = str(caught.value)
    assert text.startswith("$.lastUpdateId: expected integer")
    assert text.endswith('(decoding the kind without "op")')
    assert schema_rejects(without, bad)


def test_kind_without_the_tag_has_a_meaningful_class_name(without: ModuleType) -> None:
    name = _without_kind(package_schema(without))
    assert "None" not in name
    assert "Without" in name


# --- form 8: one-key wrappers ----------------------------------------------------------------


def test_one_key_wrapper_that_never_varies_is_a_record(built: Path) -> None:
    package = _package(built, "kinds_wrapper")
    schema = package_schema(package)
    assert unions(schema) == {}
    root = schema["$defs"][schema["title"]]
    assert list(root["properties"]) == ["data"]
    data = schema["$defs"][root["properties"]["data"]["$ref"].rsplit("/", 1)[1]]
    assert list(data["properties"]) == ["user"]
    user = schema["$defs"][data["properties"]["user"]["$ref"].rsplit("/", 1)[1]]
    assert list(user["properties"]) == ["id", "name", "email"]
    assert leaf_methods(package) == {"on_message"}
    assert contract_failures(package, WRAPPER) == []
    message = package.decode(WRAPPER[1])
    assert message.data.user.name == "bob"


def test_externally_tagged_form_keeps_working(built: Path) -> None:
    package = _package(built, "kinds_external")
    schema = package_schema(package)
    kinds = {d["x-codegen-union"] for d in unions(schema).values()}
    assert kinds == {"externally-tagged"}
    assert leaf_methods(package) == {
        "on_position_created",
        "on_position_closed",
        "on_order_filled",
    }
    assert contract_failures(package, EXTERNAL) == []
    dispatcher, recorder = recording_dispatcher(package)
    for sample in EXTERNAL:
        dispatcher.dispatch(sample)
    expected = [
        f"on_{outer}_{inner}"
        for s in EXTERNAL
        for outer, payload in s["event"].items()
        for inner in payload
    ]
    assert [name for name, _ in recorder.calls] == expected
    for sample, (_, (message, payload)) in zip(EXTERNAL, recorder.calls):
        ((_, leaf),) = next(iter(sample["event"].values())).items()
        assert set(public_fields(payload)) == set(leaf)
        assert message.message_id == sample["message_id"]


# --- hard negatives: no union, the root stays one record -------------------------------------

_NAMES = ("alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel")
NEGATIVES: dict[str, list[dict[str, Any]]] = {
    # An id with a different value per message (words, so they pass the tag-value test).
    "ids": [
        {"order_id": n, "status": "open", **({"filled": "1.0"} if i % 2 else {})}
        for i, n in enumerate(_NAMES)
    ],
    # Timestamps, with an optional key alternating beside them.
    "timestamps": [
        {
            "time": f"2024-05-0{1 + i % 3}T10:00:0{i}Z",
            "v": i,
            **({"note": "x"} if i % 2 else {}),
        }
        for i in range(8)
    ],
    # Price strings that repeat and even correlate with an optional `fee`.
    "prices": [
        {
            "price": ("100.5", "101.25", "99.75")[i % 3],
            "qty": i,
            **({"fee": "0.1"} if i % 3 == 0 else {}),
        }
        for i in range(12)
    ],
    # A two-valued, boolean-like string; both values have the same keys.
    "sides": [
        {"side": ("buy", "sell")[i % 2], "price": f"1.{i}", "qty": "2"}
        for i in range(12)
    ],
    # A record with an optional key in some samples.
    "optional": [
        {"id": 1000 + i, "name": f"n{i}", **({"nickname": "x"} if i % 3 == 0 else {})}
        for i in range(12)
    ],
    # Integer request ids beside scalar res / err (one key each: an optional field, not a kind).
    "request_ids": [
        {"rid": 0, "res": "ok"},
        {"rid": 1, "err": "bad request"},
        {"rid": 2, "res": "ok"},
        {"rid": 3, "err": "timeout"},
    ],
}
NEGATIVE_COINCIDENCES: dict[str, tuple[list[dict[str, Any]], str]] = {
    # A letter-valued field that happens to correlate with an optional key in a small set.
    "letters": (
        [
            {"user": "ann", "grade": "a", "score": 91, "bonus": 5},
            {"user": "bob", "grade": "b", "score": 78},
            {"user": "cy", "grade": "a", "score": 95, "bonus": 3},
            {"user": "dee", "grade": "b", "score": 81},
            {"user": "eve", "grade": "b", "score": 74},
        ],
        "`grade` with values 'a'/'b' (single letters, not words) that happens to "
        "correlate with the optional key `bonus` in 5 objects is taken as a tag "
        "(evidence: tag 'grade': 2 values, explains 1 of 1 keys that vary)",
    ),
    # Mostly shared keys: one record whose optional keys alternate, not two keyed kinds.
    "address_or_tags": (
        [
            {
                "id": 1,
                "name": "ann",
                "address": {"street": "Main St", "city": "Springfield"},
            },
            {"id": 2, "name": "bob", "tags": ["vip", "beta"]},
        ],
        "In a 2-object set the per-record `name` values ('ann', 'bob') pass the "
        "small-set word rule and become a tag (evidence: tag 'name': 2 values, explains 2 of 2 "
        "keys that vary); the keyed check rightly refuses, but the tag check does not",
    ),
}


def _no_union(tmp_path: Path, name: str, samples: list[dict[str, Any]]) -> None:
    set_dir = write_set(tmp_path, name, samples)
    _, schema = infer_schema(SampleSet(set_dir, f"samples/{name}"))
    root = schema["$defs"][schema["title"]]
    assert unions(schema) == {}, root.get("x-codegen-evidence")
    keys = list(dict.fromkeys(key for sample in samples for key in sample))
    assert list(root["properties"]) == keys
    always = [key for key in keys if all(key in sample for sample in samples)]
    assert root.get("required", []) == always


@pytest.mark.parametrize("name", sorted(NEGATIVES))
def test_hard_negative_stays_one_record(tmp_path: Path, name: str) -> None:
    _no_union(tmp_path, name, NEGATIVES[name])


@pytest.mark.parametrize("name", sorted(NEGATIVE_COINCIDENCES))
def test_hard_negative_coincidence_in_few_samples_stays_one_record(
    tmp_path: Path, name: str
) -> None:
    """Found as false positives once: a field lining up with optional keys by chance."""
    _no_union(tmp_path, name, NEGATIVE_COINCIDENCES[name][0])


def test_int_request_ids_are_not_a_tag_beside_keyed_kinds(tmp_path: Path) -> None:
    """rid 0..3 never repeat: not a tag; res / err objects are the keyed kinds."""
    samples = [
        {"rid": 0, "res": {"balance": "10.5"}},
        {"rid": 1, "err": {"code": 401, "message": "no"}},
        {"rid": 2, "res": {"balance": "11.0"}},
        {"rid": 3, "err": {"code": 429, "message": "slow"}},
    ]
    set_dir = write_set(tmp_path, "rids", samples)
    _, schema = infer_schema(SampleSet(set_dir, "samples/rids"))
    root = schema["$defs"][schema["title"]]
    assert root["x-codegen-union"] == "keyed"
    assert "x-codegen-tag" not in root
    assert all(d.get("x-codegen-tag") != "rid" for d in unions(schema).values())


def webhook_events(ids: list[str]) -> list[dict[str, Any]]:
    """Webhook deliveries: one envelope, the delivered object's kind named by its `object` key
    (recurring: two invoices, two users, one charge), and a per-object `id` (one user twice).
    """
    payloads: list[dict[str, Any]] = [
        {"object": "invoice", "amount": 100, "currency": "usd", "meta": {}},
        {"object": "invoice", "amount": 250, "currency": "eur", "meta": {"order": "7"}},
        {"object": "user", "email": "ann@example.com", "name": "Ann", "meta": {}},
        {
            "object": "user",
            "email": "ann@example.org",
            "name": "Ann",
            "meta": {"vip": "y"},
        },
        {"object": "charge", "amount": 100, "paid": True, "meta": {}},
    ]
    return [
        {"event": f"evt{n}", "data": {"item": {"id": ident, **payload}}}
        for n, (ident, payload) in enumerate(zip(ids, payloads))
    ]


def _tag_at(tmp_path: Path, samples: list[dict[str, Any]], place: str) -> str:
    set_dir = write_set(tmp_path, "hooks", samples)
    _, schema = infer_schema(SampleSet(set_dir, "samples/hooks"))
    found = [d for d in unions(schema).values() if d["description"].startswith(place)]
    assert len(found) == 1, sorted(unions(schema))
    tag: str = found[0]["x-codegen-tag"]
    return tag


@pytest.mark.parametrize("value", ["T024BE7LD", "in_1Mq2Xb3Kd", "x7fZ2kQ9", "U2F7QZ"])
def test_a_machine_made_id_is_no_name(value: str) -> None:
    """Letters and digits alternating three times in one run: an id, never a tag or enum."""
    assert not looks_like_name(value)


@pytest.mark.parametrize("value", ["l2update", "v4_trades", "candle1m", "webData2"])
def test_a_name_with_a_digit_in_one_place_is_a_name(value: str) -> None:
    assert looks_like_name(value)


def test_machine_made_ids_are_not_the_tag(tmp_path: Path) -> None:
    """With no key naming the kinds, ids that differ with the kind line up with every key that
    varies; they are still not a tag (no handler is named after an id)."""
    samples: list[dict[str, Any]] = [
        {"id": "in_1Mq2Xb3Kd", "amount": 100, "currency": "usd"},
        {"id": "us_4Rt7Yu1Io", "email": "ann@example.com", "name": "Ann"},
        {"id": "ch_9Lk2Jh5Gf", "amount": 100, "paid": True},
    ]
    set_dir = write_set(tmp_path, "ids", samples)
    _, schema = infer_schema(SampleSet(set_dir, "samples/ids"))
    assert all(d.get("x-codegen-tag") != "id" for d in unions(schema).values())


def test_a_tag_whose_values_recur_beats_one_of_near_unique_values(
    tmp_path: Path,
) -> None:
    """Here the ids pass as names (a digit in one place), and being finer they also explain
    the odd `meta` key of one object; the key whose values recur is still the tag."""
    ids = ["inv_Ab1Cd", "inv_Ef2Gh", "usr_Ij3Kl", "usr_Ij3Kl", "chg_Mn4Op"]
    assert all(looks_like_name(ident) for ident in ids)
    assert _tag_at(tmp_path, webhook_events(ids), "Found at $.data.item.") == "object"


# --- mypy: a handler of the wrong payload is a type error ------------------------------------

RIGHT = """
from kinds_batch import Dispatcher as BatchDispatcher, KindsBatchMessageObject, Quote
from kinds_docs import Dispatcher as DocsDispatcher, SubscribedV4Trades
from kinds_feed import Dispatcher as FeedDispatcher, KindsFeedMessage, L2Update, Ticker
from kinds_nested import Dispatcher as NestedDispatcher, KindsNestedMessage, Trade
from kinds_nested.dispatch import Unknown

feed = FeedDispatcher()


@feed.on_l2update
def l2update(message: L2Update) -> None:
    print(message.changes, message.type)


@feed.on_ticker
def ticker(message: Ticker) -> None:
    print(message.best_bid)


@feed.on_unknown
def unknown_feed(message: KindsFeedMessage, variant: object) -> None:
    print(message)


nested = NestedDispatcher()


@nested.on_trade
def trade(message: KindsNestedMessage, payload: Trade) -> None:
    print(message.seq, payload.p)


@nested.on_unknown
def unknown_nested(message: KindsNestedMessage, variant: Unknown) -> None:
    print(variant.raw)


docs = DocsDispatcher()


@docs.on_subscribed_v4_trades
def subscribed(message: SubscribedV4Trades) -> None:
    print(message.contents.trades[0].price, message.channel)


batch = BatchDispatcher()


@batch.on_quote
def quote(item: Quote) -> None:
    print(item.bid, item.T)


@batch.on_unhandled
def unhandled_item(item: KindsBatchMessageObject) -> None:
    print(item)
"""

WRONG = """
from kinds_batch import Dispatcher as BatchDispatcher, KindsBatchMessage, Trade as BatchTrade
from kinds_docs import Dispatcher as DocsDispatcher, SubscribedV4Orderbook
from kinds_feed import Dispatcher as FeedDispatcher, KindsFeedMessage, L2Update, Ticker
from kinds_nested import Dispatcher as NestedDispatcher, DepthUpdate, KindsNestedMessage


def wrong_kind(message: Ticker) -> None: ...
def two_arguments(message: KindsFeedMessage, payload: L2Update) -> None: ...
def wrong_payload(message: KindsNestedMessage, payload: DepthUpdate) -> None: ...
def wrong_leaf(message: SubscribedV4Orderbook) -> None: ...
def wrong_item(item: BatchTrade) -> None: ...
def whole_batch(message: KindsBatchMessage) -> None: ...


FeedDispatcher().on_l2update(wrong_kind)
FeedDispatcher().on_l2update(two_arguments)
NestedDispatcher().on_trade(wrong_payload)
DocsDispatcher().on_subscribed_v4_trades(wrong_leaf)
BatchDispatcher().on_quote(wrong_item)
BatchDispatcher().on_unhandled(whole_batch)
"""


def test_kinds_packages_pass_ruff_and_pyright_strict(
    built: Path, tmp_path: Path
) -> None:
    packages = sorted(path for path in built.iterdir() if path.is_dir())
    assert len(packages) > 1
    assert run_ruff(*packages) == []
    assert run_pyright(*packages, cwd=tmp_path) == []


def test_mypy_rejects_handlers_of_the_wrong_kind(built: Path, tmp_path: Path) -> None:
    (tmp_path / "right_kinds.py").write_text(RIGHT, encoding="utf-8")
    (tmp_path / "wrong_kinds.py").write_text(WRONG, encoding="utf-8")
    result = run_mypy("right_kinds.py", "wrong_kinds.py", cwd=tmp_path, mypypath=built)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    errors = [line for line in output.splitlines() if ": error:" in line]
    assert all(line.startswith("wrong_kinds.py:") for line in errors), output
    wrong_lines = {
        number
        for number, line in enumerate(WRONG.splitlines(), 1)
        if line.endswith(")") and "Dispatcher()." in line
    }
    assert len(wrong_lines) == 6
    flagged = {
        int(match.group(1))
        for line in errors
        if (match := re.match(r"wrong_kinds\.py:(\d+): error: .*\[arg-type\]$", line))
    }
    assert flagged == wrong_lines, output


def test_handler_names_keep_an_interval_in_one_word(tmp_path: Path) -> None:
    """`candle1D` is a candle of one day (`on_candle1d`), not `candle1` and `d`; a capital after
    a digit that starts a word still starts one (`book5Levels` -> `on_book5_levels`)."""
    samples = [
        {"type": "candle1D", "open": "1.5", "close": "1.6", "vol": n} for n in range(2)
    ] + [
        {"type": "book5Levels", "asks": [["1.5", "2"]], "bids": [], "seq": n}
        for n in range(2)
    ]
    package = build_and_import(tmp_path, "intervals", samples)
    assert handlers(package) >= {
        "on_candle1d",
        "on_book5_levels",
    }
