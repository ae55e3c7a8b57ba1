"""Open enums: strings naming a few things seen many times become a str Enum; any other string
still decodes (as a plain str) and everything round-trips."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import (
    GeneratePackage,
    contract_failures,
    error_places,
    mypy_on_use,
    package_schema,
    run_pyright,
    run_ruff,
)

SIDES = ["buy", "sell"]
STATUSES = ["open", "filled", "cancelled"]


def orders(count: int) -> list[dict[str, Any]]:
    """`count` orders: side cycles over 2 values, status over 3; ids, prices and times differ."""
    return [
        {
            "id": f"9f8c{number:04d}-77aa-4bd1-9e10-3f5b2c{number:06d}",
            "side": SIDES[number % 2],
            "status": STATUSES[number % 3],
            "symbol": ["BTC-USD", "ETH-USD"][number % 2],
            "price": f"{100 + number}.25",
            "time": f"2026-01-01T00:00:{number:02d}Z",
            "note": ["fill or kill", "good till cancelled"][number % 2],
        }
        for number in range(count)
    ]


def enum_defs(schema: dict[str, Any]) -> dict[str, list[str]]:
    return {
        name: definition["enum"]
        for name, definition in schema["$defs"].items()
        if definition.get("x-codegen-enum") == "open"
    }


def test_few_values_seen_often_are_open_enums(
    generate_package: GeneratePackage,
) -> None:
    samples = orders(12)
    package = generate_package(samples)
    schema = package_schema(package)
    assert enum_defs(schema) == {"Side": SIDES, "Status": sorted(STATUSES)}
    assert [m.value for m in package.Side] == SIDES
    assert package.Side.BUY.value == "buy"
    root = schema["$defs"][schema["title"]]
    assert root["properties"]["side"] == {
        "anyOf": [{"$ref": "#/$defs/Side"}, {"type": "string"}]
    }
    assert contract_failures(package, samples) == []
    order = package.decode(samples[1])
    assert order.side is package.Side.SELL and order.status is package.Status.FILLED
    # IDs, symbols, prices in strings, timestamps and free text stay plain strings (some with
    # a format, see test_formats.py).
    for key in ("id", "symbol", "price", "time", "note"):
        assert root["properties"][key]["type"] == "string", key
        assert "anyOf" not in root["properties"][key], key
        assert type(getattr(order, key)) is str


def test_a_value_never_seen_decodes_as_a_string_and_round_trips(
    generate_package: GeneratePackage,
) -> None:
    package = generate_package(orders(12))
    unseen = {**orders(1)[0], "side": "short", "status": "expired"}
    order = package.decode(json.dumps(unseen))
    assert (order.side, order.status) == ("short", "expired")
    assert type(order.side) is str
    assert json.dumps(package.encode(order)) == json.dumps(unseen)
    assert contract_failures(package, [unseen]) == []


def test_one_enum_for_every_position_with_the_same_values(
    generate_package: GeneratePackage,
) -> None:
    samples = [
        {"side": SIDES[n % 2], "legs": [{"side": SIDES[(n + 1) % 2], "qty": n}]}
        for n in range(10)
    ]
    package = generate_package(samples)
    assert enum_defs(package_schema(package)) == {"Side": SIDES}
    decoded = package.decode(samples[0])
    assert (
        decoded.side is package.Side.BUY and decoded.legs[0].side is package.Side.SELL
    )


@pytest.mark.parametrize(
    ("values", "why"),
    [
        (["buy", "sell"] * 4, "8 observations: too few to say values repeat"),
        ([f"v{n}" for n in range(4)] * 3, "4 values in 12: more than the square root"),
        (["BTC-USD", "ETH-USD"] * 6, "symbols are data"),
        (["0.25", "0.50"] * 6, "prices in strings"),
        (["fill or kill", "day"] * 6, "free text"),
        (["<string>", "x"] * 6, "a docs placeholder"),
    ],
)
def test_hard_negatives_stay_strings(
    generate_package: GeneratePackage, values: list[str], why: str
) -> None:
    package = generate_package([{"n": n, "value": v} for n, v in enumerate(values)])
    schema = package_schema(package)
    assert enum_defs(schema) == {}, why


def test_config_forces_and_forbids_enums(generate_package: GeneratePackage) -> None:
    few = [{"side": side, "n": n} for n, side in enumerate(SIDES * 2)]
    forced = generate_package(few, config='[paths."$.side"]\nenum = true\n')
    assert enum_defs(package_schema(forced)) == {"Side": SIDES}
    assert contract_failures(forced, few) == []
    forbidden = generate_package(orders(12), config='[paths."$.side"]\nenum = false\n')
    assert enum_defs(package_schema(forbidden)) == {"Status": sorted(STATUSES)}
    named = generate_package(
        orders(12), config='[paths."$.status"]\nname = "OrderState"\n'
    )
    assert "OrderState" in enum_defs(package_schema(named))


def test_mypy_knows_the_members(
    generate_package: GeneratePackage, tmp_path: Path
) -> None:
    package = generate_package(orders(12))
    name = package.__name__
    result = mypy_on_use(
        package,
        f"from {name} import Side, decode\n"
        "order = decode({})\n"
        "if order.side is Side.BUY:\n"
        "    pass\n"
        "side: Side = order.side\n",
        tmp_path,
    )
    # An open enum may hold any other string: assigning it to `Side` alone is an error.
    assert result.returncode == 1, result.stdout
    assert "use.py:5: error" in result.stdout
    assert "use.py:3" not in result.stdout
    # The package itself is lint-clean, enum classes and lookup tables included.
    assert run_ruff(Path(package.__file__).parent) == []
    assert run_pyright(Path(package.__file__).parent, cwd=tmp_path) == []


def test_enum_member_names() -> None:
    from codegen.render.identifiers import enum_members

    assert enum_members(["buy", "BUY", "subscribed/order_book", "1m", "camelCase"]) == [
        ("BUY", '"buy"'),
        ("BUY_2", '"BUY"'),
        ("SUBSCRIBED_ORDER_BOOK", '"subscribed/order_book"'),
        ("N_1M", '"1m"'),
        ("CAMEL_CASE", '"camelCase"'),
    ]


def test_an_enum_setting_that_is_not_a_known_value_is_an_error(
    generate_package: GeneratePackage,
) -> None:
    from codegen.errors import CodegenError

    with pytest.raises(
        CodegenError,
        match=r"codegen.toml:3: enum must be true, false, \"open\" or \"closed\"",
    ):
        generate_package(
            orders(12), config='root_name = "Orders"\n[paths."$.side"]\nenum = 1\n'
        )


# --- Open int enums ----------------------------------------------------------------------------

ORDER_TYPES = [1, 2, 3]


def int_orders(count: int) -> list[dict[str, Any]]:
    """`count` orders: order_type cycles over 3 codes; ids, quantities and times differ."""
    return [
        {
            "order_id": 700000 + number,
            "order_type": ORDER_TYPES[number % 3],
            "qty": number % 7 + 1 + number // 7 * 3,
            "time": 1767225600000 + number,
        }
        for number in range(count)
    ]


def test_small_codes_seen_often_are_open_int_enums(
    generate_package: GeneratePackage,
) -> None:
    samples = int_orders(24)
    package = generate_package(samples)
    schema = package_schema(package)
    assert enum_defs(schema) == {"OrderType": ORDER_TYPES}
    assert schema["$defs"]["OrderType"]["type"] == "integer"
    root = schema["$defs"][schema["title"]]
    assert root["properties"]["order_type"] == {
        "anyOf": [{"$ref": "#/$defs/OrderType"}, {"type": "integer"}]
    }
    assert [(m.name, m.value) for m in package.OrderType] == [
        ("N_1", 1),
        ("N_2", 2),
        ("N_3", 3),
    ]
    order = package.decode(samples[1])
    assert order.order_type is package.OrderType.N_2
    assert type(order.qty) is int and type(order.order_id) is int
    assert contract_failures(package, samples) == []


def test_an_int_never_seen_decodes_as_an_int_and_round_trips(
    generate_package: GeneratePackage,
) -> None:
    package = generate_package(int_orders(24))
    unseen = {**int_orders(1)[0], "order_type": 4}
    order = package.decode(json.dumps(unseen))
    assert order.order_type == 4 and type(order.order_type) is int
    assert json.dumps(package.encode(order)) == json.dumps(unseen)
    # A boolean is no int code, and a float is no int: both are errors, not members.
    with pytest.raises(package.DecodeError):
        package.decode({**unseen, "order_type": True})
    with pytest.raises(package.DecodeError):
        package.decode({**unseen, "order_type": 2.0})
    assert contract_failures(package, [unseen]) == []


@pytest.mark.parametrize(
    ("values", "why"),
    [
        ([1, 2] * 9, "18 observations: too few for ints"),
        (list(range(24)), "a counter: every value once"),
        ([1, 2, 3] * 10 + [4], "sizes: a tail of values seen once"),
        ([0, 1] * 12, "a flag"),
        ([0, 1, 3, 5] * 6, "gaps: delays in seconds are measured"),
        ([100, 200, 300, 400, 500] * 6, "round sizes"),
        ([2, 3, 4] * 8, "not numbered from 0 or 1"),
        ([17000, 25000, 31000] * 8, "prices in cents: past the size of a code"),
        ([1767225600000, 1767225600001] * 12, "timestamps"),
        (list(range(1, 14)) * 14, "13 distinct values: more than a code table"),
        ([1, 2, 3, 4, 5, 6] * 5, "6 values in 30 sightings: more than the square root"),
        ([1, 2, "3"] * 8, "ints beside strings"),
    ],
)
def test_int_hard_negatives_stay_ints(
    generate_package: GeneratePackage, values: list[Any], why: str
) -> None:
    samples = [{"n": f"x{n}", "value": v} for n, v in enumerate(values)]
    package = generate_package(samples)
    assert enum_defs(package_schema(package)) == {}, why
    assert contract_failures(package, samples) == []


def test_mypy_matches_int_members(
    generate_package: GeneratePackage, tmp_path: Path
) -> None:
    package = generate_package(int_orders(24))
    result = mypy_on_use(
        package,
        f"from {package.__name__} import OrderType, decode\n"
        "order = decode({})\n"
        "match order.order_type:\n"
        "    case OrderType.N_1:\n"
        "        pass\n"
        "    case int(other):\n"
        "        pass\n"
        "code: int = order.order_type\n"
        "kind: OrderType = order.order_type\n",
        tmp_path,
    )
    # Open: the field may hold any other int, so it is no OrderType for mypy; it is an int.
    assert result.returncode == 1, result.stdout
    assert error_places(result) == ["use.py:9"], result.stdout


def test_int_enum_member_names() -> None:
    from codegen.render.identifiers import enum_members

    assert enum_members([-1, 0, 2, 404]) == [
        ("MINUS_1", "-1"),
        ("N_0", "0"),
        ("N_2", "2"),
        ("N_404", "404"),
    ]
