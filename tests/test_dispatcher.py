"""The typed Dispatcher: routing to leaf handlers, unknown variants, errors, unhandled, and mypy."""

from __future__ import annotations

import copy
import dataclasses
import json
import re
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from conftest import (
    Recorder,
    GENERATED,
    GeneratePackage,
    bundled_samples,
    run_mypy,
    trading_sample,
)

# Leaf tag path under message_type.server_message -> (method, payload class name), from the spec.
LEAVES = {
    ("auth_result",): ("on_auth_result", "AuthResult"),
    ("account_event", "account_update"): (
        "on_account_event_account_update",
        "AccountUpdate",
    ),
    ("account_event", "account_added"): ("on_account_event_account_added", "Account"),
    ("position", "created"): ("on_position_created", "Position"),
    ("position", "updated"): ("on_position_updated", "Position"),
    ("position", "closed"): ("on_position_closed", "Position"),
    ("pending_position", "created"): ("on_pending_position_created", "PendingPosition"),
}


def leaf_of(sample: dict[str, Any]) -> tuple[tuple[str, ...], Any]:
    """The tags under message_type.server_message and the JSON payload they hold."""
    node = sample["message_type"]["server_message"]
    tags: list[str] = []
    while tuple(tags) not in LEAVES:
        ((tag, node),) = node.items()
        tags.append(tag)
    return tuple(tags), node


def holds(obj: Any, data: Any) -> bool:
    """Whether a decoded object holds exactly this JSON (the trading keys are all identifiers)."""
    if dataclasses.is_dataclass(obj):
        names = [f.name for f in dataclasses.fields(obj) if not f.name.startswith("_")]
        return (
            isinstance(data, dict)
            and list(data) == names
            and all(holds(getattr(obj, key), value) for key, value in data.items())
        )
    return type(obj) is type(data) and obj == data


def full_dispatcher(trading: ModuleType, recorder: Recorder) -> Any:
    dispatcher = trading.Dispatcher()
    for method, _ in LEAVES.values():
        getattr(dispatcher, method)(recorder.handler(method))
    for method in ("on_unknown", "on_unhandled", "on_error"):
        getattr(dispatcher, method)(recorder.handler(method))
    return dispatcher


def test_dispatcher_has_a_method_per_leaf(trading: ModuleType) -> None:
    methods = {name for name in dir(trading.Dispatcher) if name.startswith("on_")}
    expected = {method for method, _ in LEAVES.values()}
    assert methods == expected | {"on_unknown", "on_unhandled", "on_error"}


def test_registration_returns_the_handler(trading: ModuleType) -> None:
    dispatcher = trading.Dispatcher()

    def handler(message: Any, payload: Any) -> None:
        pass

    assert dispatcher.on_position_created(handler) is handler


@pytest.mark.parametrize("form", ["text", "bytes", "data"])
def test_every_sample_goes_to_its_leaf_handler(trading: ModuleType, form: str) -> None:
    recorder = Recorder()
    dispatcher = full_dispatcher(trading, recorder)
    samples = [sample for _, sample in bundled_samples("trading")]
    assert len(samples) == 9
    for sample in samples:
        raw: Any = {
            "text": json.dumps(sample),
            "bytes": json.dumps(sample).encode("utf-8"),
            "data": copy.deepcopy(sample),
        }[form]
        dispatcher.dispatch(raw)
    assert len(recorder.calls) == len(samples)
    seen = set()
    for sample, (name, (message, payload)) in zip(samples, recorder.calls):
        tags, json_payload = leaf_of(sample)
        method, payload_class = LEAVES[tags]
        assert name == method
        assert type(payload) is getattr(trading, payload_class)
        assert message == trading.decode(sample)
        assert type(message) is trading.TradingMessage
        assert json.dumps(trading.encode(message)) == json.dumps(sample)
        # The payload is the message's own leaf object, and it is the leaf's JSON.
        leaf = message.message_type
        while not isinstance(leaf, getattr(trading, payload_class)):
            leaf = leaf.value
        assert payload is leaf
        assert holds(payload, json_payload)
        seen.add(tags)
    assert seen == set(LEAVES)


def test_position_payloads_are_positions(trading: ModuleType) -> None:
    recorder = Recorder()
    dispatcher = full_dispatcher(trading, recorder)
    for _, sample in bundled_samples("trading"):
        if leaf_of(sample)[0][0] == "position":
            dispatcher.dispatch(sample)
    assert sorted(name for name, _ in recorder.calls) == [
        "on_position_closed",
        "on_position_created",
        "on_position_updated",
    ]
    for _, (_, payload) in recorder.calls:
        assert isinstance(payload, trading.Position)
        assert payload.asset_pair == "BTCUSD"
        assert isinstance(payload.asset_open_bid_ask, trading.BidAsk)


UNSEEN = [
    pytest.param(
        [], {"client_message": {"ping": 1}}, "UnknownMessageType", id="message_type"
    ),
    pytest.param(
        ["server_message"],
        {"order": {"id": "o"}},
        "UnknownServerMessage",
        id="server_message",
    ),
    pytest.param(
        ["server_message", "position"],
        {"deleted": {"id": "p"}},
        "UnknownPositionEvent",
        id="position",
    ),
    pytest.param(
        ["server_message", "account_event"],
        {"account_removed": {"id": "a"}},
        "UnknownAccountEvent",
        id="account_event",
    ),
    pytest.param(
        ["server_message", "pending_position"],
        {"cancelled": {"id": "p"}},
        "UnknownPendingPositionEvent",
        id="pending_position",
    ),
]


@pytest.mark.parametrize(("tags", "unseen", "unknown_class"), UNSEEN)
def test_unseen_variant_goes_to_on_unknown(
    trading: ModuleType, tags: list[str], unseen: dict[str, Any], unknown_class: str
) -> None:
    recorder = Recorder()
    dispatcher = full_dispatcher(trading, recorder)
    node: dict[str, Any] = unseen
    for tag in reversed(tags):
        node = {tag: node}
    raw = {"message_id": "u-1", "message_type": node}
    dispatcher.dispatch(json.dumps(raw))
    assert len(recorder.calls) == 1
    name, (message, unknown) = recorder.calls[0]
    assert name == "on_unknown"
    assert type(unknown) is getattr(trading, unknown_class)
    assert unknown.raw == unseen
    assert message == trading.decode(raw)
    assert json.dumps(trading.encode(message)) == json.dumps(raw)


def test_decode_failure_goes_to_on_error_with_the_raw_message(
    trading: ModuleType,
) -> None:
    recorder = Recorder()
    dispatcher = full_dispatcher(trading, recorder)
    bad = trading_sample("server_message", "position", "created")
    bad["message_type"]["server_message"]["position"]["created"]["asset_open_bid_ask"][
        "ask"
    ] = "x"
    for raw in (bad, json.dumps(bad), b"{not json", "[]"):
        recorder.calls.clear()
        dispatcher.dispatch(raw)
        assert len(recorder.calls) == 1
        name, (got_raw, error) = recorder.calls[0]
        assert name == "on_error"
        assert got_raw is raw
        assert isinstance(error, trading.DecodeError)
    recorder.calls.clear()
    dispatcher.dispatch(bad)
    ((_, (_, error)),) = recorder.calls
    assert str(error).startswith(
        "$.message_type.server_message.position.created.asset_open_bid_ask.ask"
    )


def test_without_on_error_dispatch_raises_decode_error(trading: ModuleType) -> None:
    recorder = Recorder()
    dispatcher = trading.Dispatcher()
    dispatcher.on_position_created(recorder.handler("on_position_created"))
    dispatcher.on_unhandled(recorder.handler("on_unhandled"))
    bad = trading_sample("server_message", "position", "created")
    del bad["message_id"]
    with pytest.raises(trading.DecodeError) as caught:
        dispatcher.dispatch(bad)
    assert "message_id" in str(caught.value)
    with pytest.raises(trading.DecodeError):
        dispatcher.dispatch("not json")
    assert recorder.calls == []


def test_leaf_without_handler_goes_to_on_unhandled(trading: ModuleType) -> None:
    recorder = Recorder()
    dispatcher = trading.Dispatcher()
    dispatcher.on_auth_result(recorder.handler("on_auth_result"))
    dispatcher.on_unhandled(recorder.handler("on_unhandled"))
    samples = [sample for _, sample in bundled_samples("trading")]
    for sample in samples:
        dispatcher.dispatch(sample)
    assert len(recorder.calls) == len(samples)
    for sample, (name, args) in zip(samples, recorder.calls):
        if leaf_of(sample)[0] == ("auth_result",):
            assert name == "on_auth_result"
        else:
            assert name == "on_unhandled"
            assert args == (trading.decode(sample),)


def test_without_any_handler_dispatch_is_silent(trading: ModuleType) -> None:
    dispatcher = trading.Dispatcher()
    for _, sample in bundled_samples("trading"):
        dispatcher.dispatch(sample)
    dispatcher.dispatch({"message_id": "x", "message_type": {"client_message": {}}})


def test_onboarding_dispatcher_calls_on_message(onboarding: ModuleType) -> None:
    ((_, sample),) = bundled_samples("onboarding")
    recorder = Recorder()
    dispatcher = onboarding.Dispatcher()
    dispatcher.on_message(recorder.handler("on_message"))
    dispatcher.dispatch(json.dumps(sample))
    assert recorder.calls == [("on_message", (onboarding.decode(sample),))]
    unhandled = onboarding.Dispatcher()
    unhandled.on_unhandled(recorder.handler("on_unhandled"))
    unhandled.dispatch(sample)
    assert recorder.calls[-1] == ("on_unhandled", (onboarding.decode(sample),))


def test_fixture_dispatcher_with_nested_unions(
    generate_package: GeneratePackage,
) -> None:
    samples = [
        {"seq": 1, "event": {"order": {"created": {"id": "o1", "qty": 1}}}},
        {"seq": 2, "event": {"order": {"filled": {"id": "o1", "price": 2.5}}}},
        {"seq": 3, "event": {"trade": {"executed": {"px": 2, "side": "buy"}}}},
    ]
    package = generate_package(samples)
    leaves = sorted(
        name
        for name in dir(package.Dispatcher)
        if name.startswith("on_")
        and name not in ("on_unknown", "on_unhandled", "on_error")
    )
    assert len(leaves) == 3
    recorder = Recorder()
    dispatcher = package.Dispatcher()
    for name in [*leaves, "on_unknown", "on_unhandled", "on_error"]:
        getattr(dispatcher, name)(recorder.handler(name))
    for sample in samples:
        dispatcher.dispatch(sample)
    assert sorted(name for name, _ in recorder.calls) == leaves
    payload_keys = [
        set(package.encode(message)["event"]) for _, (message, _) in recorder.calls
    ]
    assert payload_keys == [{"order"}, {"order"}, {"trade"}]
    for sample, (_, (message, payload)) in zip(samples, recorder.calls):
        ((_, inner),) = sample["event"].items()
        ((_, leaf),) = inner.items()
        assert set(leaf) == {
            f.name for f in dataclasses.fields(payload) if not f.name.startswith("_")
        }
        assert message == package.decode(sample)
    recorder.calls.clear()
    for event in ({"order": {"cancelled": {}}}, {"trade": {"busted": 1}}, {"fee": {}}):
        dispatcher.dispatch({"seq": 9, "event": event})
    assert [name for name, _ in recorder.calls] == ["on_unknown"] * 3
    unknowns = [unknown for _, (_, unknown) in recorder.calls]
    assert all(type(u).__name__.startswith("Unknown") for u in unknowns)
    assert [u.raw for u in unknowns] == [{"cancelled": {}}, {"busted": 1}, {"fee": {}}]
    recorder.calls.clear()
    dispatcher.dispatch({"seq": "nine", "event": {"fee": {}}})
    assert [name for name, _ in recorder.calls] == ["on_error"]


# --- mypy catches a handler of the wrong payload -------------------------------------------

WRONG = """
from trading import AuthResult, Dispatcher, TradingMessage

dispatcher = Dispatcher()


def handler(message: TradingMessage, payload: AuthResult) -> None:
    print(message.message_id, payload.result)


dispatcher.on_position_created(handler)
"""

RIGHT = """
from trading import (
    Account,
    AuthResult,
    DecodeError,
    Dispatcher,
    Position,
    TradingMessage,
)
from trading.dispatch import Raw, Unknown

dispatcher = Dispatcher()


@dispatcher.on_position_created
def opened(message: TradingMessage, position: Position) -> None:
    print(message.message_id, position.asset_pair, position.asset_open_bid_ask.bid)


@dispatcher.on_auth_result
def authenticated(message: TradingMessage, result: AuthResult) -> None:
    print(result.session_id)


@dispatcher.on_account_event_account_added
def added(message: TradingMessage, account: Account) -> None:
    print(account.balance)


@dispatcher.on_unknown
def unknown(message: TradingMessage, variant: Unknown) -> None:
    print(variant.raw)


@dispatcher.on_error
def broken(raw: Raw, error: DecodeError) -> None:
    print(error.json_path)


@dispatcher.on_unhandled
def unhandled(message: TradingMessage) -> None:
    print(message)


dispatcher.dispatch("{}")
"""


def test_mypy_rejects_a_handler_for_the_wrong_payload(tmp_path: Path) -> None:
    (tmp_path / "wrong_handler.py").write_text(WRONG, encoding="utf-8")
    (tmp_path / "right_handler.py").write_text(RIGHT, encoding="utf-8")
    result = run_mypy(
        "wrong_handler.py", "right_handler.py", cwd=tmp_path, mypypath=GENERATED
    )
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    errors = [line for line in output.splitlines() if ": error:" in line]
    assert errors, output
    assert all(line.startswith("wrong_handler.py:") for line in errors), output
    assert any(
        re.search(r"on_position_created.*\[arg-type\]$", line) for line in errors
    ), output
    assert any(line.startswith("wrong_handler.py:11:") for line in errors), output
