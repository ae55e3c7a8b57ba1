"""A tag that is null in some messages: those are the kind without the tag.

Gateways write their events' name in a field that their control messages hold as null (a chat
gateway's `{"op": 0, "t": "MESSAGE_CREATE", "d": {...}}` beside `{"op": 11, "t": null, "d":
null}`). Null names no kind, so before this the field could not be a tag and every message was
one class. The fixture is written by hand in that shape; expectations are derived by hand.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from conftest import build_and_import, contract_failures, package_schema

USER = {"id": "80351110224678912", "username": "nelly"}


def _event(name: str, seq: int, payload: dict[str, Any]) -> dict[str, Any]:
    return {"op": 0, "d": payload, "s": seq, "t": name}


GATEWAY: list[dict[str, Any]] = [
    {"op": 10, "d": {"heartbeat_interval": 41250}, "s": None, "t": None},
    {"op": 11, "d": None, "s": None, "t": None},
    {"op": 7, "d": None, "s": None, "t": None},
    _event("READY", 1, {"v": 10, "user": USER, "session_id": "abc"}),
    _event("MESSAGE_CREATE", 2, {"id": "11", "author": USER, "content": "hi"}),
    _event("MESSAGE_CREATE", 3, {"id": "12", "author": USER, "content": "yo"}),
    _event("MESSAGE_DELETE", 4, {"id": "11", "channel_id": "41"}),
    _event("MESSAGE_DELETE", 5, {"id": "12", "channel_id": "41"}),
    _event("TYPING_START", 6, {"user_id": "80", "timestamp": 1680350400}),
    _event("TYPING_START", 7, {"user_id": "81", "timestamp": 1680350401}),
]


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    return build_and_import(tmp_path_factory.mktemp("null"), "null_tag", GATEWAY)


def test_the_field_null_in_some_messages_is_the_tag(gateway: ModuleType) -> None:
    (union,) = [
        d
        for d in package_schema(gateway)["$defs"].values()
        if d.get("x-codegen-tag") is not None
    ]
    assert union["x-codegen-tag"] == "t"
    handlers = {n for n in dir(gateway.Dispatcher) if n.startswith("on_")}
    assert handlers == {
        "on_message_create",
        "on_message_delete",
        "on_ready",
        "on_typing_start",
        "on_without_t",
        "on_unknown",
        "on_unhandled",
        "on_error",
    }
    without = package_schema(gateway)["$defs"]["WithoutT"]
    assert without["x-codegen-place"] == "$<!t>"  # the kind without `t`, not `$<None>`
    description = without["description"]
    assert description.startswith(
        "The kind of NullTagMessage whose `t` is null or absent"
    )


def test_each_message_decodes_to_its_kind_and_round_trips(gateway: ModuleType) -> None:
    names = {
        "READY": "Ready",
        "MESSAGE_CREATE": "MessageCreate",
        "MESSAGE_DELETE": "MessageDelete",
        "TYPING_START": "TypingStart",
        None: "WithoutT",
    }
    for sample in GATEWAY:
        assert type(gateway.decode(json.dumps(sample))).__name__ == names[sample["t"]]
    # schema.json's oneOf: each sample (null tags too) fits exactly one kind
    assert contract_failures(gateway, GATEWAY) == []


def test_a_new_control_message_is_the_kind_without_the_tag(gateway: ModuleType) -> None:
    sample = {"op": 1, "d": None, "s": None, "t": None}
    assert type(gateway.decode(json.dumps(sample))).__name__ == "WithoutT"
    assert contract_failures(gateway, [sample]) == []


def test_the_tag_absent_goes_to_the_same_kind_which_names_its_missing_key(
    gateway: ModuleType,
) -> None:
    """Every sample of that kind held `t` (as null): absent, it is the same kind, and the
    error says the key is missing there, as for any required field."""
    with pytest.raises(gateway.DecodeError) as raised:
        gateway.decode(json.dumps({"op": 11, "d": None, "s": None}))
    assert 'the required key "t"' in str(raised.value)
    assert str(raised.value).endswith('(decoding the kind without "t")')


def test_an_unseen_event_is_the_unknown_kind(gateway: ModuleType) -> None:
    sample = _event("GUILD_CREATE", 9, {"id": "41", "name": "g"})
    message = gateway.decode(json.dumps(sample))
    assert type(message).__name__ == "UnknownNullTagMessage"
    assert contract_failures(gateway, [sample]) == []


def test_a_field_null_in_most_messages_is_no_tag(tmp_path: Path) -> None:
    """A tag is held by at least half the objects; nulls count as not holding it."""
    samples = [{"id": n, "reason": None, "price": 1.5 + n} for n in range(5)]
    samples += [{"id": 9, "reason": "expired", "detail": {"at": 1}}]
    samples += [{"id": 8, "reason": "rejected", "detail": {"at": 2}}]
    package = build_and_import(tmp_path, "null_most", samples)
    assert {n for n in dir(package.Dispatcher) if n.startswith("on_")} == {
        "on_message",
        "on_unhandled",
        "on_error",
    }
