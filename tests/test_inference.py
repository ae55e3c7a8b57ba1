"""Inference rules, each through a package generated from a small fixture set (and the bundled ones).

For every rule: each fixture sample round-trips, and the types (dataclass annotations, schema)
say what the rule says.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib
import json
import keyword
import re
import typing
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from conftest import (
    BUNDLED_SETS,
    GENERATED,
    GeneratePackage,
    bundled_samples,
    package_schema,
    round_trips,
    trading_sample,
)

BOOKKEEPING = ("_extra", "_key_order")
UNION = "x-codegen-union"
UNKNOWN = "x-codegen-unknown-variant"


# --- helpers --------------------------------------------------------------------------------


def annotations(cls: type) -> dict[str, str]:
    """Field name -> annotation text of a generated dataclass (bookkeeping fields left out)."""
    return {
        f.name: str(f.type)
        for f in dataclasses.fields(cls)
        if f.name not in BOOKKEEPING
    }


def parts(annotation: str) -> set[str]:
    """`int | None | Absent` -> {"int", "None", "Absent"}."""
    return {part.strip() for part in annotation.split("|")}


def list_item(annotation: str) -> str:
    """`list[Order]` -> `Order`."""
    match = re.fullmatch(r"list\[(\w+)\]", annotation)
    assert match is not None, annotation
    return match.group(1)


def ref_name(fragment: dict[str, Any]) -> str:
    ref: str = fragment["$ref"]
    assert ref.startswith("#/$defs/")
    return ref.removeprefix("#/$defs/")


def root_name(schema: dict[str, Any]) -> str:
    return ref_name(schema)


def root_class(package: ModuleType) -> Any:
    return getattr(package, root_name(package_schema(package)))


def default(cls: type, name: str) -> Any:
    (found,) = [f for f in dataclasses.fields(cls) if f.name == name]
    return found.default


def is_union(schema: dict[str, Any], name: str) -> bool:
    return schema["$defs"][name].get(UNION) == "externally-tagged"


def union_variants(schema: dict[str, Any], name: str) -> dict[str, tuple[str, Any]]:
    """tag -> (variant class name, payload schema) of a tagged union definition."""
    definition = schema["$defs"][name]
    assert definition[UNION] == "externally-tagged"
    variants = {}
    for member in definition["anyOf"]:
        member_name = ref_name(member)
        member_def = schema["$defs"][member_name]
        if member_def.get(UNKNOWN):
            continue
        ((tag, payload),) = member_def["properties"].items()
        variants[tag] = (member_name, payload)
    return variants


def unknown_variant(schema: dict[str, Any], name: str) -> str:
    members = [ref_name(m) for m in schema["$defs"][name]["anyOf"]]
    (unknown,) = [m for m in members if schema["$defs"][m].get(UNKNOWN)]
    return unknown


def check_union_value(
    package: ModuleType, schema: dict[str, Any], union: str, value: Any, data: Any
) -> None:
    """The decoded `value` of tagged-union JSON `data` is the variant chain its tags name."""
    ((tag, payload),) = data.items()
    variant_name, payload_schema = union_variants(schema, union)[tag]
    assert type(value) is getattr(package, variant_name)
    target = ref_name(payload_schema)
    if is_union(schema, target):
        check_union_value(package, schema, target, value.value, payload)
    else:
        assert type(value.value) is getattr(package, target)


def unknown_at(
    package: ModuleType, schema: dict[str, Any], union: str, value: Any, tags: list[str]
) -> tuple[Any, str]:
    """Follow known `tags` down from a decoded union value: (the value reached, its union)."""
    for tag in tags:
        variant_name, payload_schema = union_variants(schema, union)[tag]
        assert type(value) is getattr(package, variant_name)
        value, union = value.value, ref_name(payload_schema)
    return value, union


def class_names_in(package_dir: Path) -> set[str]:
    """Every class and type alias a generated package defines (models and wire)."""
    names = set()
    for module in ("models.py", "wire.py"):
        tree = ast.parse((package_dir / module).read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.ClassDef):
                names.add(node.name)
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                names.add(node.target.id)
    schema = json.loads((package_dir / "schema.json").read_text(encoding="utf-8"))
    return names | set(schema.get("$defs", {}))


# --- absent vs null -------------------------------------------------------------------------

ABSENT_NULL_SAMPLES = [
    {"id": 1, "opt": "a", "nul": None, "both": 1},
    {"id": 2, "nul": "x", "both": None},
    {"id": 3, "opt": "b", "nul": None},
]


def test_absent_vs_null_types(generate_package: GeneratePackage) -> None:
    package = generate_package(ABSENT_NULL_SAMPLES)
    for sample in ABSENT_NULL_SAMPLES:
        assert round_trips(package, sample)
    cls = root_class(package)
    types = {name: parts(text) for name, text in annotations(cls).items()}
    assert types == {
        "id": {"int"},
        "opt": {"str", "Absent"},
        "nul": {"str", "None"},
        "both": {"int", "None", "Absent"},
    }
    assert default(cls, "opt") is package.ABSENT
    assert default(cls, "both") is package.ABSENT
    assert default(cls, "nul") is dataclasses.MISSING
    assert default(cls, "id") is dataclasses.MISSING
    definition = package_schema(package)["$defs"][root_name(package_schema(package))]
    assert sorted(definition["required"]) == ["id", "nul"]
    assert "null" in json.dumps(definition["properties"]["nul"])
    assert "null" in json.dumps(definition["properties"]["both"])
    assert "null" not in json.dumps(definition["properties"]["opt"])


def test_absent_stays_absent_and_null_stays_null(
    generate_package: GeneratePackage,
) -> None:
    package = generate_package(ABSENT_NULL_SAMPLES)
    without = package.decode({"id": 4, "nul": None})
    assert without.opt is package.ABSENT
    assert without.both is package.ABSENT
    assert without.nul is None
    assert package.encode(without) == {"id": 4, "nul": None}
    with_null = package.decode('{"id": 5, "nul": null, "both": null}')
    assert with_null.both is None
    assert (
        json.dumps(package.encode(with_null)) == '{"id": 5, "nul": null, "both": null}'
    )
    # A required nullable key may not be left out: absent is not null.
    with pytest.raises(package.DecodeError) as caught:
        package.decode({"id": 6, "opt": "x"})
    assert "nul" in str(caught.value)
    # An optional key that is present must still have its type.
    with pytest.raises(package.DecodeError) as caught:
        package.decode({"id": 7, "nul": None, "opt": None})
    assert str(caught.value).startswith("$.opt")


def test_objects_built_in_code_encode_absent_as_no_key(
    generate_package: GeneratePackage,
) -> None:
    package = generate_package(ABSENT_NULL_SAMPLES)
    cls = root_class(package)
    built = cls(id=8, nul=None)
    assert built.opt is package.ABSENT
    assert json.dumps(package.encode(built)) == '{"id": 8, "nul": null}'
    built.opt = "set"
    built.both = None
    assert package.encode(built) == {"id": 8, "opt": "set", "nul": None, "both": None}


# --- numbers --------------------------------------------------------------------------------


def test_int_and_float_at_one_position_make_a_float_that_keeps_its_wire_form(
    generate_package: GeneratePackage,
) -> None:
    samples = [
        {"price": 89788, "qty": 1, "levels": [1, 2]},
        {"price": 25.0, "qty": 2, "levels": [0.5]},
    ]
    package = generate_package(samples)
    for sample in samples:
        assert round_trips(package, sample)
    cls = root_class(package)
    assert annotations(cls) == {
        "price": "float",
        "qty": "int",
        "levels": "list[float]",
    }
    schema = package_schema(package)
    properties = schema["$defs"][root_name(schema)]["properties"]
    assert properties["price"] == {"type": "number"}
    assert properties["qty"] == {"type": "integer"}
    assert properties["levels"]["items"] == {"type": "number"}

    as_int = package.decode('{"price": 89788, "qty": 1, "levels": [3, 4.0]}')
    assert type(as_int.price) is int
    assert [type(level) for level in as_int.levels] == [int, float]
    as_float = package.decode('{"price": 25.0, "qty": 1, "levels": []}')
    assert type(as_float.price) is float
    assert json.dumps(package.encode(as_int)) == (
        '{"price": 89788, "qty": 1, "levels": [3, 4.0]}'
    )
    assert json.dumps(package.encode(as_float)) == (
        '{"price": 25.0, "qty": 1, "levels": []}'
    )
    # An int-only position stays int: a float there contradicts the samples.
    with pytest.raises(package.DecodeError) as caught:
        package.decode({"price": 1, "qty": 1.5, "levels": []})
    assert str(caught.value).startswith("$.qty")


# --- empty and null-only --------------------------------------------------------------------


def test_empty_list_empty_object_and_only_null(
    generate_package: GeneratePackage,
) -> None:
    samples = [
        {"tags": [], "meta": {}, "gone": None},
        {"tags": [], "meta": {}, "gone": None},
    ]
    package = generate_package(samples)
    for sample in samples:
        assert round_trips(package, sample)
    assert annotations(root_class(package)) == {
        "tags": "list[Any]",
        "meta": "dict[str, Any]",
        "gone": "Any",
    }
    # Any value fits where the samples showed nothing specific, and round-trips.
    full = {
        "tags": [1, "a", {"b": None}, [2.5]],
        "meta": {"k": [1], "n": None},
        "gone": {"x": 1},
    }
    assert round_trips(package, full)
    assert round_trips(package, {"tags": [], "meta": {}, "gone": 12})
    assert round_trips(package, {"tags": [], "meta": {}, "gone": None})


# --- identical shapes are one class ---------------------------------------------------------


def test_trading_bid_ask_is_one_class(trading: ModuleType) -> None:
    position = annotations(trading.Position)
    for key in ("asset_open_bid_ask", "margin_bid_ask", "profit_bid_ask"):
        assert position[key] == "BidAsk"
    schema = package_schema(trading)
    properties = schema["$defs"]["Position"]["properties"]
    for key in ("asset_open_bid_ask", "margin_bid_ask", "profit_bid_ask"):
        assert properties[key] == {"$ref": "#/$defs/BidAsk"}
    keys = {"id", "bid", "ask", "date", "base", "quote"}
    same_keys = [
        name
        for name, definition in schema["$defs"].items()
        if set(definition.get("properties", {})) == keys
    ]
    assert same_keys == ["BidAsk"]
    # `ask` is 89788.01 at two places and 1 at the third: one float-typed field.
    assert annotations(trading.BidAsk)["ask"] == "float"


def test_trading_position_numbers(trading: ModuleType) -> None:
    # tp_in_instrument_price is null, 25.0 and 100000 in the three position samples.
    assert parts(annotations(trading.Position)["tp_in_instrument_price"]) == {
        "float",
        "None",
    }
    # Only ever null: Any.
    assert annotations(trading.Position)["close_reason"] == "Any"
    assert annotations(trading.Position)["swaps"] == "list[Any]"
    assert annotations(trading.Position)["metadata"] == "dict[str, Any]"


def test_trading_position_is_one_class(trading: ModuleType) -> None:
    schema = package_schema(trading)
    server_message = ref_name(
        union_variants(
            schema,
            ref_name(schema["$defs"]["TradingMessage"]["properties"]["message_type"]),
        )["server_message"][1]
    )
    position_event = ref_name(union_variants(schema, server_message)["position"][1])
    variants = union_variants(schema, position_event)
    assert set(variants) == {"created", "updated", "closed"}
    for variant_name, payload in variants.values():
        assert payload == {"$ref": "#/$defs/Position"}
        assert annotations(getattr(trading, variant_name)) == {"value": "Position"}
    position_keys = set(schema["$defs"]["Position"]["properties"])
    assert [
        name
        for name, definition in schema["$defs"].items()
        if set(definition.get("properties", {})) == position_keys
    ] == ["Position"]


def test_trading_account_is_one_class(trading: ModuleType) -> None:
    schema = package_schema(trading)
    assert annotations(trading.AccountUpdate)["account"] == "Account"
    assert annotations(trading.AccountEventAccountAdded) == {"value": "Account"}
    assert schema["$defs"]["AccountUpdate"]["properties"]["account"] == {
        "$ref": "#/$defs/Account"
    }
    account_keys = set(schema["$defs"]["Account"]["properties"])
    assert [
        name
        for name, definition in schema["$defs"].items()
        if set(definition.get("properties", {})) == account_keys
    ] == ["Account"]
    added = trading.decode(
        trading_sample("server_message", "account_event", "account_added")
    )
    update = trading.decode(
        trading_sample("server_message", "account_event", "account_update")
    )
    assert type(added.message_type.value.value.value) is trading.Account
    assert type(update.message_type.value.value.value.account) is trading.Account


def test_same_shape_at_several_places_is_one_class(
    generate_package: GeneratePackage,
) -> None:
    samples = [
        {
            "home": {"lat": 1.5, "lng": 2},
            "work": {"lat": 3, "lng": 4.5},
            "trips": [{"start": {"lat": 0, "lng": 0}, "note": None}],
        },
        {
            "home": {"lat": 1, "lng": 2},
            "work": {"lat": 3, "lng": None},
            "trips": [],
        },
    ]
    package = generate_package(samples)
    for sample in samples:
        assert round_trips(package, sample)
    root = annotations(root_class(package))
    assert root["home"] == root["work"]
    item = list_item(root["trips"])
    assert annotations(getattr(package, item))["start"] == root["home"]
    point = annotations(getattr(package, root["home"]))
    assert point == {"lat": "float", "lng": "float | None"}
    schema = package_schema(package)
    assert [
        name
        for name, definition in schema["$defs"].items()
        if set(definition.get("properties", {})) == {"lat", "lng"}
    ] == [root["home"]]


# --- externally tagged unions ---------------------------------------------------------------


def test_trading_union_levels(trading: ModuleType) -> None:
    schema = package_schema(trading)
    message_type = ref_name(
        schema["$defs"]["TradingMessage"]["properties"]["message_type"]
    )
    top = union_variants(schema, message_type)
    # A level seen with one variant is still a union, open to new variants.
    assert set(top) == {"server_message"}
    assert unknown_variant(schema, message_type).startswith("Unknown")
    assert len(typing.get_args(getattr(trading, message_type))) == 2
    server_message = ref_name(top["server_message"][1])
    variants = union_variants(schema, server_message)
    assert set(variants) == {
        "auth_result",
        "account_event",
        "position",
        "pending_position",
    }
    assert ref_name(variants["auth_result"][1]) == "AuthResult"
    nested = {tag: ref_name(payload) for tag, (_, payload) in variants.items()}
    assert set(union_variants(schema, nested["position"])) == {
        "created",
        "updated",
        "closed",
    }
    assert set(union_variants(schema, nested["account_event"])) == {
        "account_added",
        "account_update",
    }
    assert set(union_variants(schema, nested["pending_position"])) == {"created"}
    pending = union_variants(schema, nested["pending_position"])
    assert ref_name(pending["created"][1]) == "PendingPosition"
    members = typing.get_args(getattr(trading, server_message))
    assert len(members) == 5
    assert {m.__name__ for m in members} >= {unknown_variant(schema, server_message)}


@pytest.mark.parametrize(("origin", "sample"), bundled_samples("trading"))
def test_trading_samples_decode_to_their_variants(
    trading: ModuleType, origin: str, sample: Any
) -> None:
    schema = package_schema(trading)
    message = trading.decode(sample)
    message_type = ref_name(
        schema["$defs"]["TradingMessage"]["properties"]["message_type"]
    )
    check_union_value(
        trading, schema, message_type, message.message_type, sample["message_type"]
    )


UNSEEN = [
    pytest.param([], {"client_message": {"ping": 1}}, id="message_type"),
    pytest.param(["server_message"], {"order": {"id": "o"}}, id="server_message"),
    pytest.param(["server_message"], {"heartbeat": 1}, id="server_message-scalar"),
    pytest.param(
        ["server_message", "position"], {"deleted": {"id": "p"}}, id="position"
    ),
    pytest.param(
        ["server_message", "account_event"],
        {"account_removed": {"id": "a"}},
        id="account_event",
    ),
    pytest.param(
        ["server_message", "pending_position"],
        {"cancelled": None},
        id="pending_position",
    ),
]


def nest(tags: list[str], leaf: dict[str, Any]) -> dict[str, Any]:
    for tag in reversed(tags):
        leaf = {tag: leaf}
    return leaf


@pytest.mark.parametrize(("tags", "unseen"), UNSEEN)
def test_unseen_tag_decodes_to_the_unknown_variant(
    trading: ModuleType, tags: list[str], unseen: dict[str, Any]
) -> None:
    schema = package_schema(trading)
    sample = {"message_id": "m-1", "message_type": nest(tags, unseen)}
    assert round_trips(trading, sample)
    message = trading.decode(json.dumps(sample))
    message_type = ref_name(
        schema["$defs"]["TradingMessage"]["properties"]["message_type"]
    )
    value, union = unknown_at(trading, schema, message_type, message.message_type, tags)
    unknown = unknown_variant(schema, union)
    assert unknown.startswith("Unknown")
    assert type(value) is getattr(trading, unknown)
    assert value.raw == unseen
    assert trading.encode(message)["message_type"] == nest(tags, unseen)


NESTED_SAMPLES = [
    {"seq": 1, "event": {"order": {"created": {"id": "o1", "qty": 1}}}},
    {"seq": 2, "event": {"order": {"filled": {"id": "o1", "price": 2.5}}}},
    {"seq": 3, "event": {"trade": {"executed": {"px": 2, "side": "buy"}}}},
    {"seq": 4, "event": {"order": {"created": {"id": "o2", "qty": 3}}}},
]


def test_two_level_nested_union(generate_package: GeneratePackage) -> None:
    package = generate_package(NESTED_SAMPLES)
    schema = package_schema(package)
    event = ref_name(schema["$defs"][root_name(schema)]["properties"]["event"])
    variants = union_variants(schema, event)
    assert set(variants) == {"order", "trade"}
    order, trade = ref_name(variants["order"][1]), ref_name(variants["trade"][1])
    assert set(union_variants(schema, order)) == {"created", "filled"}
    assert set(union_variants(schema, trade)) == {"executed"}
    for sample in NESTED_SAMPLES:
        assert round_trips(package, sample)
        check_union_value(
            package, schema, event, package.decode(sample).event, sample["event"]
        )
    for tags, unseen in [
        ([], {"account": {"opened": {}}}),
        (["order"], {"cancelled": {"id": "o1"}}),
        (["trade"], {"busted": {"px": 1}}),
    ]:
        sample = {"seq": 9, "event": nest(tags, unseen)}
        assert round_trips(package, sample)
        value, union = unknown_at(
            package, schema, event, package.decode(sample).event, tags
        )
        assert type(value) is getattr(package, unknown_variant(schema, union))
        assert value.raw == unseen
    # A known tag whose payload contradicts its type is an error, not an unknown variant.
    with pytest.raises(package.DecodeError) as caught:
        package.decode({"seq": 9, "event": {"order": {"created": {"id": 5, "qty": 1}}}})
    assert str(caught.value).startswith("$.event.order.created.id")


# --- docs placeholders ----------------------------------------------------------------------


def test_docs_example_numbers_are_floats(generate_package: GeneratePackage) -> None:
    docs = {
        "count": 123,
        "name": "<string>",
        "page": {"size": 10},
        "items": [{"v": 7, "label": "<string>"}],
    }
    package = generate_package([docs])
    assert round_trips(package, docs)
    root = annotations(root_class(package))
    assert root["count"] == "float"
    assert root["name"] == "str"
    page = annotations(getattr(package, root["page"]))
    assert page == {"size": "float"}
    item = list_item(root["items"])
    assert annotations(getattr(package, item)) == {"v": "float", "label": "str"}
    decoded = package.decode(
        {
            "count": 1.5,
            "name": "n",
            "page": {"size": 0.25},
            "items": [{"v": 2.5, "label": "l"}],
        }
    )
    assert decoded.count == 1.5
    assert json.dumps(package.encode(package.decode(json.dumps(docs)))) == json.dumps(
        docs
    )
    with pytest.raises(package.DecodeError):
        package.decode({"count": 1, "name": 5, "page": {"size": 1}, "items": []})


def test_captured_numbers_without_placeholders_stay_int(
    generate_package: GeneratePackage,
) -> None:
    package = generate_package([{"count": 123, "name": "bob"}])
    assert annotations(root_class(package)) == {"count": "int", "name": "str"}


def test_onboarding_numbers_are_floats(onboarding: ModuleType) -> None:
    models = importlib.import_module("onboarding.models")
    numeric = 0
    for name in models.__all__:
        cls = getattr(models, name)
        if not dataclasses.is_dataclass(cls):
            continue
        for field, annotation in annotations(cls).items():
            assert "int" not in parts(annotation), (name, field)
            numeric += "float" in parts(annotation)
    assert annotations(onboarding.Pagination) == {
        "limit": "float",
        "order": "str",
        "page": "float",
        "total": "float",
    }
    assert numeric > 20
    ((_, sample),) = bundled_samples("onboarding")
    bigger = json.loads(json.dumps(sample))
    bigger["pagination"]["limit"] = 12.5
    assert round_trips(onboarding, bigger)


# --- names ----------------------------------------------------------------------------------


def test_trading_names(trading: ModuleType) -> None:
    for name in (
        "Position",
        "PendingPosition",
        "Account",
        "AccountOperation",
        "BidAsk",
        "AuthResult",
    ):
        assert dataclasses.is_dataclass(getattr(trading, name)), name
    assert annotations(trading.AccountUpdate)["operation"] == "AccountOperation"
    assert root_name(package_schema(trading)) == "TradingMessage"


COUNTER_NAMES = re.compile(
    r"(Class|Model|Purple|Fluffy|Tentacled|Sticky|Indigo|Indecent|Hilarious|Ambitious"
    r"|Cunning|Magenta|Frisky|Mischievous|Braggadocious|Item|Root|Object)\d*(Dict)?"
    r"|.*\d+(Dict)?"
)


@pytest.mark.parametrize("set_name", BUNDLED_SETS)
def test_no_generated_class_name_is_a_counter_or_a_filler(set_name: str) -> None:
    names = class_names_in(GENERATED / set_name)
    assert len(names) > 5
    assert sorted(n for n in names if COUNTER_NAMES.fullmatch(n)) == []


def test_list_items_are_named_after_the_singular_key(
    generate_package: GeneratePackage,
) -> None:
    sample = {"orders": [{"id": 1}], "categories": [{"name": "x"}]}
    package = generate_package([sample])
    root = annotations(root_class(package))
    assert root == {"orders": "list[Order]", "categories": "list[Category]"}
    assert (
        sorted(
            n
            for n in class_names_in(Path(package.__file__).parent)
            if COUNTER_NAMES.fullmatch(n)
        )
        == []
    )


# --- keys -----------------------------------------------------------------------------------


def field_for_value(obj: Any, value: Any) -> str:
    (name,) = [
        f.name
        for f in dataclasses.fields(obj)
        if f.name not in BOOKKEEPING and getattr(obj, f.name) == value
    ]
    return name


def check_sanitised_keys(package: ModuleType, sample: dict[str, Any]) -> dict[str, str]:
    """Each key's field is a usable identifier, reads its value and writes back to that key."""
    assert round_trips(package, sample)
    obj = package.decode(sample)
    names = {key: field_for_value(obj, value) for key, value in sample.items()}
    assert len(set(names.values())) == len(sample)
    for key, name in names.items():
        assert name.isidentifier() and not keyword.iskeyword(name), (key, name)
        setattr(obj, name, -1)
        encoded = package.encode(obj)
        assert list(encoded) == list(sample)
        assert encoded[key] == -1, key
        setattr(obj, name, sample[key])
    assert json.dumps(package.encode(obj)) == json.dumps(sample)
    return names


def test_keys_that_are_not_identifiers(generate_package: GeneratePackage) -> None:
    sample = {"my-key": 101, "class": 102, "1st": 103, "with space": 104, "my_key": 105}
    package = generate_package([sample])
    names = check_sanitised_keys(package, sample)
    # As documented: a plain identifier keeps its name, a keyword gets a trailing underscore.
    assert names["my_key"] == "my_key"
    assert names["class"] == "class_"
    assert names["my-key"] == "my_key_2"
    cls = root_class(package)
    built = cls(**{names[key]: value for key, value in sample.items()})
    assert json.dumps(package.encode(built)) == json.dumps(sample)


def test_keys_named_like_builtins_and_generated_names(
    generate_package: GeneratePackage,
) -> None:
    keys = [
        "type",
        "id",
        "field",
        "list",
        "dict",
        "str",
        "int",
        "float",
        "bool",
        "Any",
        "ABSENT",
        "Absent",
        "dataclass",
        "None",
        "self",
        "obj",
        "data",
        "key",
        "result",
        "value",
        "raw",
        "_extra",
        "_key_order",
        "__init__",
    ]
    full = {key: index for index, key in enumerate(keys)}
    partial = {key: index + 0.5 for index, key in enumerate(keys) if index % 2}
    package = generate_package([full, partial])
    for sample in (full, partial):
        assert round_trips(package, sample)
    check_sanitised_keys(package, full)
    check_sanitised_keys(package, partial)


def test_unknown_keys_are_kept_in_place(generate_package: GeneratePackage) -> None:
    samples = [{"a": 1, "inner": {"x": "s", "y": 2}, "items": [{"k": 1}], "b": True}]
    package = generate_package(samples)
    assert round_trips(package, samples[0])
    for data in [
        {"new": 0, "a": 1, "inner": {"x": "s", "y": 2}, "items": [], "b": True},
        {
            "a": 1,
            "new": [1, {"z": None}],
            "inner": {"x": "s", "y": 2},
            "items": [],
            "b": True,
        },
        {"a": 1, "inner": {"x": "s", "y": 2}, "items": [], "b": True, "new": "end"},
        {
            "a": 1,
            "inner": {"x": "s", "n1": 1, "y": 2, "n2": 2},
            "items": [],
            "b": False,
        },
        {
            "a": 1,
            "inner": {"x": "s", "y": 2},
            "items": [{"k": 1, "more": {}}, {"q": 1, "k": 2}],
            "b": True,
        },
    ]:
        assert round_trips(package, data), data
    decoded = package.decode(
        {"a": 1, "new": 5, "inner": {"x": "s", "y": 2}, "items": [], "b": True}
    )
    decoded.a = 2
    assert json.dumps(package.encode(decoded)) == (
        '{"a": 2, "new": 5, "inner": {"x": "s", "y": 2}, "items": [], "b": true}'
    )


def test_unknown_keys_in_trading_payloads(trading: ModuleType) -> None:
    sample = trading_sample("server_message", "position", "created")
    position = sample["message_type"]["server_message"]["position"]["created"]
    rebuilt = {}
    for index, (key, value) in enumerate(position.items()):
        if index == 3:
            rebuilt["brand_new"] = {"nested": [1, 2.0]}
        rebuilt[key] = value
    rebuilt["asset_open_bid_ask"] = {"extra": None, **rebuilt["asset_open_bid_ask"]}
    sample["message_type"]["server_message"]["position"]["created"] = rebuilt
    sample["trailer"] = 1
    assert round_trips(trading, sample)


def test_key_order_of_each_sample_is_kept(generate_package: GeneratePackage) -> None:
    samples = [
        {"a": 1, "b": "x", "c": True, "d": {"p": 1, "q": 2}},
        {"c": False, "a": 2, "d": {"q": 3, "p": 4}, "b": "y"},
        {"b": "z", "a": 3, "c": True},
    ]
    package = generate_package(samples)
    for sample in samples:
        assert round_trips(package, sample)
    for data in [
        {"d": {"p": 1, "q": 2}, "c": True, "b": "x", "a": 1},
        {"b": "x", "new": 1, "a": 1, "c": True},
        {"c": True, "b": "x", "a": 1, "later": None},
    ]:
        assert round_trips(package, data), data
    reordered = package.decode({"c": True, "b": "x", "a": 1})
    reordered.a = 10
    assert list(package.encode(reordered)) == ["c", "b", "a"]
