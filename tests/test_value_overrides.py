"""Overrides by JSON path of what value-level inference guessed: enum on/off and open/closed,
map or record, tuple or list, type name, field name (formats: test_formats.py). Mistakes are
errors naming the file and line."""

from __future__ import annotations

import json
from typing import Any

import pytest

from codegen.errors import CodegenError
from conftest import GeneratePackage, contract_failures, package_schema

SIDES = ["buy", "sell"]


def orders(count: int) -> list[dict[str, Any]]:
    return [
        {
            "side": SIDES[n % 2],
            "type": [1, 2, 3][n % 3],
            "qty": n,
            "book": {"alice": n, "bob": n + 1, "carol": n + 2},
            "level": [f"{n}.5", f"{n}.25"],
        }
        for n in range(24)
    ]


def root(package: Any) -> dict[str, Any]:
    schema = package_schema(package)
    found: dict[str, Any] = schema["$defs"][schema["title"]]
    return found


def test_closed_enums_refuse_values_never_seen(
    generate_package: GeneratePackage,
) -> None:
    samples = orders(24)
    package = generate_package(
        samples,
        config='[paths."$.side"]\nenum = "closed"\n[paths."$.type"]\nenum = "closed"\n',
    )
    schema = package_schema(package)
    assert root(package)["properties"]["side"] == {"$ref": "#/$defs/Side"}
    assert schema["$defs"]["Side"]["x-codegen-enum"] == "closed"
    assert schema["$defs"]["Type"]["type"] == "integer"
    assert contract_failures(package, samples) == []
    order = package.decode(samples[1])
    assert order.side is package.Side.SELL and order.type is package.Type.N_2
    with pytest.raises(package.DecodeError) as caught:
        package.decode({**samples[0], "side": "short"})
    assert str(caught.value) == (
        '$.side: expected one of the Side values, found string "short"'
    )
    with pytest.raises(package.DecodeError) as caught:
        package.decode({**samples[0], "type": 4})
    assert str(caught.value).startswith("$.type: expected one of the Type values")
    # schema.json refuses the same value.
    assert contract_failures(package, [{**samples[0], "side": "short"}]) != []


def test_enum_on_off_and_named(generate_package: GeneratePackage) -> None:
    few = [{"type": code, "n": n} for n, code in enumerate([1, 2, 1, 2])]
    forced = generate_package(
        few, config='[paths."$.type"]\nenum = "open"\nname = "OrderKind"\n'
    )
    assert package_schema(forced)["$defs"]["OrderKind"]["enum"] == [1, 2]
    unseen = {"type": 9, "n": 9}
    assert forced.decode(unseen).type == 9
    assert contract_failures(forced, few + [unseen]) == []
    off = generate_package(orders(24), config='[paths."$.type"]\nenum = false\n')
    assert root(off)["properties"]["type"] == {"type": "integer"}
    assert "Side" in package_schema(off)["$defs"]


def test_map_or_record(generate_package: GeneratePackage) -> None:
    samples = orders(24)
    inferred = generate_package(samples)
    assert (
        "$ref" in root(inferred)["properties"]["book"]
    )  # the same word keys each time
    as_map = generate_package(samples, config='[paths."$.book"]\nmap = true\n')
    assert root(as_map)["properties"]["book"] == {
        "type": "object",
        "additionalProperties": {"type": "integer"},
    }
    assert as_map.decode(samples[3]).book == {"alice": 3, "bob": 4, "carol": 5}
    assert contract_failures(as_map, samples) == []
    ids = [
        {"prices": {str(100 + n): n, str(200 + n): n, str(300 + n): n}}
        for n in range(3)
    ]
    assert "additionalProperties" in root(generate_package(ids))["properties"]["prices"]
    record = generate_package(ids, config='[paths."$.prices"]\nmap = false\n')
    assert "$ref" in root(record)["properties"]["prices"]
    assert contract_failures(record, ids) == []


def test_tuple_or_list(generate_package: GeneratePackage) -> None:
    samples = orders(24)
    assert "prefixItems" in root(generate_package(samples))["properties"]["level"]
    as_list = generate_package(samples, config='[paths."$.level"]\ntuple = false\n')
    level = root(as_list)["properties"]["level"]
    assert level["type"] == "array" and "prefixItems" not in level
    assert as_list.decode(samples[2]).level == ["2.5", "2.25"]


def test_field_names_the_attribute_of_a_key(generate_package: GeneratePackage) -> None:
    samples = [
        {"side": s, "order-id": n, "order_side": "x"} for n, s in enumerate(SIDES)
    ]
    package = generate_package(
        samples,
        config='[paths."$.side"]\nfield = "order_side"\n'
        '[paths."$[\\"order-id\\"]"]\nfield = "order_id"\n',
    )
    definition = root(package)
    assert definition["x-codegen-fields"] == {
        "order-id": "order_id",
        "side": "order_side",
    }
    order = package.decode(json.dumps(samples[1]))
    assert (order.order_side, order.order_id) == ("sell", 1)
    assert order.order_side_2 == "x"  # the key that had the name first gives way
    assert contract_failures(package, samples) == []


@pytest.mark.parametrize(
    ("config", "message"),
    [
        (
            '[paths."$.side"]\nfield = "class"\n',
            r"codegen.toml:3: field 'class' is a name",
        ),
        (
            '[paths."$.side"]\nfield = "Side"\n',
            r"codegen.toml:3: field must be an attribute",
        ),
        ('[paths."$.side"]\nfield = "str"\n', r"codegen.toml:3: field 'str' is a name"),
        (
            '[paths."$[*]"]\nfield = "x"\n',
            r"codegen.toml:3: field names the attribute of a key",
        ),
        (
            '[paths."$.side"]\nenum = "shut"\n',
            r'codegen.toml:3: enum must be true, false, "open"',
        ),
        (
            '[paths."$.book"]\nmap = "yes"\n',
            r"codegen.toml:3: map must be true or false",
        ),
        (
            '[paths."$.side"]\nenum = true\nformat = "date"\n',
            r"codegen.toml:4: an enum has no format",
        ),
        (
            '[paths."$.side"]\nfield = "same"\n[paths."$.qty"]\nfield = "same"\n',
            r"codegen.toml:4: field 'same' is given to both 'side' and 'qty'",
        ),
    ],
)
def test_mistakes_name_the_line(
    generate_package: GeneratePackage, config: str, message: str
) -> None:
    with pytest.raises(CodegenError, match=message):
        generate_package(orders(3), config="\n" + config)
