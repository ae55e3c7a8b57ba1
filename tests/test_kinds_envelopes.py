"""Kinds told apart by the key that holds their payload, inside a shared envelope.

JSON-RPC 2.0 (Ethereum nodes, exchange APIs, language servers) answers `{"jsonrpc", "id",
"result"}` or `{"jsonrpc", "id", "error"}` and notifies `{"jsonrpc", "method", "params"}`. The
kinds share most of their keys (the envelope), which alone would make them one record whose
optional keys alternate; the key holding each payload, seen apart again and again, says they
are kinds. Fixtures are written by hand in that shape; expectations are derived by hand.
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
    handlers,
    mypy_on_use,
)


def _result(n: int) -> dict[str, Any]:
    return {
        "jsonrpc": "2.0",
        "id": n,
        "result": {"number": hex(n), "hash": f"0x{n:x}f"},
    }


def _error(n: int) -> dict[str, Any]:
    return {
        "jsonrpc": "2.0",
        "id": n,
        "error": {"code": -32601, "message": "Not found"},
    }


def _notification(n: int) -> dict[str, Any]:
    return {
        "jsonrpc": "2.0",
        "method": "eth_subscription",
        "params": {"subscription": "0x9ce5", "result": {"number": hex(n)}},
    }


RPC = [_result(1), _result(2), _error(3), _error(4), _notification(5), _notification(6)]


@pytest.fixture(scope="module")
def rpc(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    return build_and_import(tmp_path_factory.mktemp("rpc"), "rpc", RPC)


def test_result_error_and_notification_are_three_kinds(rpc: ModuleType) -> None:
    assert handlers(rpc) == {
        "on_result",
        "on_params",
        "on_rpc_message_error",  # `on_error` is the dispatcher's own: the class names it
        "on_unknown",
        "on_unhandled",
        "on_error",
    }
    kinds = [type(rpc.decode(json.dumps(sample))).__name__ for sample in RPC]
    assert (
        kinds
        == ["RpcMessageResult"] * 2 + ["RpcMessageError"] * 2 + ["RpcMessageParams"] * 2
    )
    assert contract_failures(rpc, RPC) == []


def test_the_error_kind_reaches_its_handler_and_decode_errors_on_error(
    rpc: ModuleType,
) -> None:
    recorder = Recorder()
    dispatcher = rpc.Dispatcher()
    for name in ("on_rpc_message_error", "on_error", "on_unknown"):
        getattr(dispatcher, name)(recorder.handler(name))
    dispatcher.dispatch(json.dumps(_error(7)))
    dispatcher.dispatch(json.dumps({**_error(8), "error": {"code": "x"}}))  # no decode
    dispatcher.dispatch(json.dumps({"jsonrpc": "2.0", "id": 9}))  # neither: unknown
    assert [name for name, _ in recorder.calls] == [
        "on_rpc_message_error",
        "on_error",
        "on_unknown",
    ]


def test_payload_keys_seen_apart_once_each_stay_one_record(tmp_path: Path) -> None:
    """One result and one error, and nothing else: two objects may alternate by chance."""
    package = build_and_import(tmp_path, "rpc_once", [_result(1), _error(2)])
    assert handlers(package) == {"on_message", "on_unhandled", "on_error"}


def test_optional_scalars_alternating_stay_one_record(tmp_path: Path) -> None:
    """The relaxed share is for payloads only: `phone` or `email` is no kind."""
    samples = [{"id": n, "name": f"user{n}", "phone": "555"} for n in range(3)]
    samples += [{"id": n, "name": f"user{n}", "email": "b@c.d"} for n in range(3, 6)]
    package = build_and_import(tmp_path, "contacts", samples)
    assert handlers(package) == {"on_message", "on_unhandled", "on_error"}


def test_one_error_among_results_is_a_kind(tmp_path: Path) -> None:
    """Errors are rare in a capture: one is enough beside the recurring results."""
    samples = [_result(1), _result(2), _result(3), _error(4)]
    package = build_and_import(tmp_path, "rpc_rare", samples)
    assert handlers(package) >= {"on_result", "on_rpc_rare_message_error"}
    assert contract_failures(package, samples) == []


# --- a kind that holds a union of its own: routed by the inner kinds ---------------------------


def _callback(event: dict[str, Any], n: int) -> dict[str, Any]:
    return {
        "token": "XXYYZZ",
        "team_id": "T1",
        "event": event,
        "type": "event_callback",
        "event_id": f"Ev{n}",
    }


HOOKS = [
    {"token": "Jhj5", "challenge": "3eZbrw1aBm2r", "type": "url_verification"},
    _callback({"type": "message", "channel": "C1", "user": "U1", "text": "hi"}, 1),
    _callback({"type": "message", "channel": "C1", "user": "U2", "text": "yo"}, 2),
    _callback({"type": "reaction_added", "user": "U1", "reaction": "+1"}, 3),
    _callback({"type": "reaction_added", "user": "U2", "reaction": "-1"}, 4),
]


@pytest.fixture(scope="module")
def hooks(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    return build_and_import(tmp_path_factory.mktemp("hooks"), "hooks", HOOKS)


def test_a_kind_holding_kinds_is_routed_by_them(hooks: ModuleType) -> None:
    assert handlers(hooks) == {
        "on_event_callback_message",
        "on_event_callback_reaction_added",
        "on_url_verification",
        "on_unknown",
        "on_unhandled",
        "on_error",
    }
    recorder = Recorder()
    dispatcher = hooks.Dispatcher()
    for name in sorted(handlers(hooks)):
        getattr(dispatcher, name)(recorder.handler(name))
    for sample in HOOKS:
        dispatcher.dispatch(json.dumps(sample))
    unseen = {"type": "channel_created", "channel": {"id": "C2"}}
    dispatcher.dispatch(json.dumps(_callback(unseen, 5)))
    calls = [(name, [type(a).__name__ for a in args]) for name, args in recorder.calls]
    assert calls == [
        ("on_url_verification", ["UrlVerification"]),
        ("on_event_callback_message", ["EventCallback", "Message"]),
        ("on_event_callback_message", ["EventCallback", "Message"]),
        ("on_event_callback_reaction_added", ["EventCallback", "ReactionAdded"]),
        ("on_event_callback_reaction_added", ["EventCallback", "ReactionAdded"]),
        ("on_unknown", ["EventCallback", "UnknownEventCallbackEvent"]),
    ]
    message, payload = recorder.calls[1][1]
    assert (message.event_id, payload.text) == ("Ev1", "hi")


def test_mypy_holds_the_held_kinds_handlers_to_their_types(
    hooks: ModuleType, tmp_path: Path
) -> None:
    use = (
        "from hooks import Dispatcher, EventCallback, Message, ReactionAdded\n"
        "\n"
        "def message(hook: EventCallback, event: Message) -> None:\n"
        "    print(hook.event_id, event.text)\n"
        "\n"
        "def reaction(hook: EventCallback, event: ReactionAdded) -> None: ...\n"
        "\n"
        "dispatcher = Dispatcher()\n"
        "dispatcher.on_event_callback_message(message)\n"
        "dispatcher.on_event_callback_reaction_added(reaction)\n"
        "dispatcher.on_event_callback_message(reaction)\n"
    )
    result = mypy_on_use(hooks, use, tmp_path)
    errors = [line for line in result.stdout.splitlines() if ": error:" in line]
    assert len(errors) == 1 and errors[0].startswith("use.py:11:"), result.stdout


def test_a_union_held_through_a_record_is_routed_too(tmp_path: Path) -> None:
    """`data.object` holds the kinds: the pattern reaches through the `data` record."""

    def note(kind: str, n: int, **fields: Any) -> dict[str, Any]:
        body = {"object": {"kind": kind, **fields}, "seq": n}
        return {"type": "notify", "id": f"n{n}", "data": body}

    samples = [
        note("file", 1, path="/a", size=1),
        note("file", 2, path="/b", size=2),
        note("user", 3, login="ann", admin=False),
        note("user", 4, login="bob", admin=True),
        {"type": "ping", "id": "p1"},
        {"type": "ping", "id": "p2"},
    ]
    package = build_and_import(tmp_path, "held_deep", samples)
    assert handlers(package) >= {"on_notify_file", "on_notify_user", "on_ping"}
    recorder = Recorder()
    dispatcher = package.Dispatcher()
    dispatcher.on_notify_user(recorder.handler("user"))
    dispatcher.dispatch(json.dumps(samples[2]))
    ((_, (message, payload)),) = recorder.calls
    assert (type(message).__name__, payload.login) == ("Notify", "ann")


def test_kinds_held_by_the_kind_without_the_tag_are_named_by_their_own_tags(
    tmp_path: Path,
) -> None:
    """Control messages carry `event`; data pushes carry none but say their channel in `arg`
    (with the channel's own parameters): the pushes' handlers read `on_books`, not
    `on_without_event_books`."""

    def push(channel: str, n: int, **fields: Any) -> dict[str, Any]:
        arg = {"channel": channel, "inst": f"i{n}"} if channel == "books" else {}
        arg = arg or {"channel": channel, "uid": n}
        return {"arg": arg, "data": [fields]}

    def control(event: str, n: int) -> dict[str, Any]:
        return {"event": event, "arg": {"channel": "books"}, "conn": f"c{n}"}

    samples = [
        control("subscribe", 1),
        control("subscribe", 2),
        control("unsubscribe", 3),
        control("unsubscribe", 4),
        push("books", 5, asks=[["1.5", "2"]], seq=5),
        push("books", 6, asks=[["1.6", "3"]], seq=6),
        push("trades", 7, px="1.5", side="buy"),
        push("trades", 8, px="1.6", side="sell"),
    ]
    package = build_and_import(tmp_path, "pushes", samples)
    assert handlers(package) == {
        "on_subscribe",
        "on_unsubscribe",
        "on_books",
        "on_trades",
        "on_unknown",
        "on_unhandled",
        "on_error",
    }
    recorder = Recorder()
    dispatcher = package.Dispatcher()
    dispatcher.on_trades(recorder.handler("trades"))
    dispatcher.dispatch(json.dumps(samples[6]))
    ((_, (message, payload)),) = recorder.calls
    assert payload.channel == "trades" and message.data[0].px == "1.5"
