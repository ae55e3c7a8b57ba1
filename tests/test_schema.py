"""schema.json: a valid JSON Schema 2020-12 that every sample of its set validates against."""

from __future__ import annotations

import json
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from conftest import (
    BUNDLED_SETS,
    GENERATED,
    GeneratePackage,
    bundled_samples,
    package_schema,
    round_trips,
    trading_sample,
)

DIALECT = "https://json-schema.org/draft/2020-12/schema"


def committed_schema(set_name: str) -> dict[str, Any]:
    return json.loads(
        (GENERATED / set_name / "schema.json").read_text(encoding="utf-8")
    )


def errors(schema: dict[str, Any], instance: Any) -> list[str]:
    return [e.message for e in Draft202012Validator(schema).iter_errors(instance)]


def valid(schema: dict[str, Any], instance: Any) -> bool:
    return Draft202012Validator(schema).is_valid(instance)


def root_definition(schema: dict[str, Any]) -> dict[str, Any]:
    return schema["$defs"][schema["$ref"].removeprefix("#/$defs/")]


# --- committed schemas ----------------------------------------------------------------------


@pytest.mark.parametrize("set_name", BUNDLED_SETS)
def test_committed_schema_is_a_valid_2020_12_schema(set_name: str) -> None:
    schema = committed_schema(set_name)
    assert schema["$schema"] == DIALECT
    Draft202012Validator.check_schema(schema)
    assert schema["$defs"]


@pytest.mark.parametrize("set_name", BUNDLED_SETS)
def test_every_sample_validates_against_its_schema(set_name: str) -> None:
    schema = committed_schema(set_name)
    samples = bundled_samples(set_name)
    assert samples
    for origin, sample in samples:
        assert errors(schema, sample) == [], origin


def test_committed_schema_rejects_contradicting_data() -> None:
    schema = committed_schema("trading")
    sample = trading_sample("server_message", "auth_result")
    assert valid(schema, sample)
    broken = json.loads(json.dumps(sample))
    del broken["message_id"]
    assert not valid(schema, broken)
    onboarding = committed_schema("onboarding")
    ((_, response),) = bundled_samples("onboarding")
    wrong = json.loads(json.dumps(response))
    wrong["pagination"]["limit"] = "ten"
    assert not valid(onboarding, wrong)
    wrong["pagination"]["limit"] = 10.5
    assert valid(onboarding, wrong)


def test_every_ref_resolves_and_every_def_is_used() -> None:
    for set_name in BUNDLED_SETS:
        schema = committed_schema(set_name)
        text = json.dumps(schema)
        for name in schema["$defs"]:
            assert f'"#/$defs/{name}"' in text, (set_name, name)
        refs = []

        def collect(node: Any) -> None:
            if isinstance(node, dict):
                if isinstance(node.get("$ref"), str):
                    refs.append(node["$ref"])
                for value in node.values():
                    collect(value)
            elif isinstance(node, list):
                for value in node:
                    collect(value)

        collect(schema)
        for ref in refs:
            assert ref.removeprefix("#/$defs/") in schema["$defs"], (set_name, ref)


def test_trading_unions_are_annotated() -> None:
    schema = committed_schema("trading")
    unions = {
        name
        for name, definition in schema["$defs"].items()
        if definition.get("x-codegen-union") == "externally-tagged"
    }
    assert (
        len(unions) == 5
    )  # message_type, server_message, account_event, position, pending_position
    for name in unions:
        members = schema["$defs"][name]["anyOf"]
        unknown = [
            m
            for m in members
            if schema["$defs"][m["$ref"].removeprefix("#/$defs/")].get(
                "x-codegen-unknown-variant"
            )
        ]
        assert len(unknown) == 1, name


# --- fixture sets ---------------------------------------------------------------------------

FIXTURE_SETS = {
    "union": [
        {"id": 1, "event": {"order": {"created": {"ref": "a", "qty": 1}}}},
        {"id": 2, "event": {"order": {"filled": {"ref": "a", "price": 2.5}}}},
        {"id": 3, "event": {"trade": {"executed": {"px": 2}}}},
    ],
    "optional": [
        {"a": 1, "b": "x", "inner": {"p": True}},
        {"a": 2, "inner": {"p": False, "q": [1]}},
    ],
    "nullable": [
        {"a": None, "b": "x", "list": [1, None]},
        {"a": 1.5, "b": None, "list": []},
    ],
}


@pytest.mark.parametrize("kind", sorted(FIXTURE_SETS))
def test_fixture_schema_is_valid_and_accepts_its_samples(
    generate_package: GeneratePackage, kind: str
) -> None:
    samples = FIXTURE_SETS[kind]
    package = generate_package(samples)
    schema = package_schema(package)
    assert schema["$schema"] == DIALECT
    Draft202012Validator.check_schema(schema)
    for sample in samples:
        assert errors(schema, sample) == []
        assert round_trips(package, sample)


def test_union_schema(generate_package: GeneratePackage) -> None:
    package = generate_package(FIXTURE_SETS["union"])
    schema = package_schema(package)
    # An unseen variant is part of the open union.
    assert valid(schema, {"id": 4, "event": {"refund": {"x": 1}}})
    assert valid(schema, {"id": 4, "event": {"order": {"cancelled": {}}}})
    # The tagged object is still an object with a required tag.
    assert not valid(schema, {"id": 4, "event": "order"})
    assert not valid(schema, {"id": 4})
    union_defs = [
        d
        for d in schema["$defs"].values()
        if d.get("x-codegen-union") == "externally-tagged"
    ]
    assert len(union_defs) == 3


def test_optional_schema(generate_package: GeneratePackage) -> None:
    package = generate_package(FIXTURE_SETS["optional"])
    schema = package_schema(package)
    root = root_definition(schema)
    assert sorted(root["required"]) == ["a", "inner"]
    inner = schema["$defs"][
        root["properties"]["inner"]["$ref"].removeprefix("#/$defs/")
    ]
    assert inner["required"] == ["p"]
    assert valid(schema, {"a": 3, "inner": {"p": True}})
    assert not valid(schema, {"b": "x", "inner": {"p": True}})
    assert not valid(schema, {"a": 3, "b": None, "inner": {"p": True}})
    assert not valid(schema, {"a": 3, "inner": {"q": []}})


def test_nullable_schema(generate_package: GeneratePackage) -> None:
    package = generate_package(FIXTURE_SETS["nullable"])
    schema = package_schema(package)
    root = root_definition(schema)
    assert sorted(root["required"]) == ["a", "b", "list"]
    assert valid(schema, {"a": None, "b": None, "list": [None]})
    assert valid(schema, {"a": 7, "b": "s", "list": [2]})
    assert not valid(schema, {"b": None, "list": []})
    assert not valid(schema, {"a": "s", "b": None, "list": []})
    assert not valid(schema, {"a": None, "b": 1, "list": []})
