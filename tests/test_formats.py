"""Formats, recorded and never applied: uuid, date-time, date, decimals in strings and epoch
timestamps are said in schema.json, the field's docstring and a typed property, while the stored
value and the round trip stay exactly the wire's."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from conftest import (
    GeneratePackage,
    contract_failures,
    error_places,
    mypy_on_use,
    package_schema,
)
from jsonschema import Draft202012Validator

from codegen.errors import CodegenError
from codegen.render.formats import field_doc
from codegen.schema import EVIDENCE_KEYWORD, FORMAT_KEYWORD

UTC = timezone.utc


def trades(count: int) -> list[dict[str, Any]]:
    """`count` trades whose fields each have one format (written out, not computed by codegen)."""
    return [
        {
            "id": f"9f8c{n:04d}-77aa-4bd1-9e10-3f5b2c{n:06d}",
            "time": f"2026-01-0{n % 9 + 1}T10:00:0{n % 10}.{'123456789'[: n % 9 + 1]}Z",
            "local": f"2026-01-0{n % 9 + 1} 10:00:00",
            "day": f"2026-03-{n % 28 + 1:02d}",
            "price": ["14.8024", "-0.5", "1e-8", "100"][n % 4],
            "ts_s": 1767225600 + n,
            "ts_ms": 1767225600000 + n,
            "ts_us": 1767225600000000 + n,
            "ts_ns": 1767225600000000000 + n,
            "ts_ms_text": str(1767225600000 + n),
            "ts_float": 1767225600.25 + n,
            "optional_day": None if n % 2 else "2026-02-28",
        }
        for n in range(count)
    ]


FOUND = {
    "id": ("format", "uuid"),
    "time": ("format", "date-time"),
    "local": ("x-codegen-format", "iso-date-time"),
    "day": ("format", "date"),
    "price": ("x-codegen-format", "decimal"),
    "ts_s": ("x-codegen-format", "epoch-seconds"),
    "ts_ms": ("x-codegen-format", "epoch-milliseconds"),
    "ts_us": ("x-codegen-format", "epoch-microseconds"),
    "ts_ns": ("x-codegen-format", "epoch-nanoseconds"),
    "ts_ms_text": ("x-codegen-format", "epoch-milliseconds"),
    "ts_float": ("x-codegen-format", "epoch-seconds"),
    "optional_day": ("format", "date"),
}


def properties(schema: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = schema["$defs"][schema["title"]]["properties"]
    return found


def formats(schema: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """Key -> (keyword, format) of every property that has one."""
    found = {}
    for key, fragment in properties(schema).items():
        for keyword in ("format", "x-codegen-format"):
            if keyword in fragment:
                found[key] = (keyword, fragment[keyword])
    return found


def test_formats_are_found_from_every_value(generate_package: GeneratePackage) -> None:
    samples = trades(12)
    package = generate_package(samples)
    schema = package_schema(package)
    assert formats(schema) == FOUND
    assert properties(schema)["ts_s"]["x-codegen-evidence"] == (
        "all 12 values are epoch seconds, from 2026-01-01T00:00:00Z to"
        " 2026-01-01T00:00:11Z"
    )
    assert properties(schema)["optional_day"]["type"] == ["string", "null"]
    assert contract_failures(package, samples) == []
    # The format keywords hold as assertions too (jsonschema's own checkers).
    checked = Draft202012Validator(
        schema, format_checker=Draft202012Validator.FORMAT_CHECKER
    )
    assert [error.message for s in samples for error in checked.iter_errors(s)] == []
    assert not checked.is_valid({**samples[0], "id": "not-a-uuid"})


def test_values_stay_the_wire_text_and_properties_read_them(
    generate_package: GeneratePackage,
) -> None:
    samples = trades(12)
    package = generate_package(samples)
    trade = package.decode(json.dumps(samples[1]))
    assert trade.price == "-0.5" and trade.ts_ms == 1767225600001
    assert trade.time == "2026-01-02T10:00:01.12Z"
    assert trade.id_uuid == UUID("9f8c0001-77aa-4bd1-9e10-3f5b2c000001")
    assert trade.time_datetime == datetime(2026, 1, 2, 10, 0, 1, 120000, tzinfo=UTC)
    assert trade.local_datetime == datetime(2026, 1, 2, 10, 0, 0)
    assert trade.day_date == date(2026, 3, 2)
    assert trade.price_decimal == Decimal("-0.5")
    start = datetime(2026, 1, 1, tzinfo=UTC)
    assert trade.ts_s_datetime == start + timedelta(seconds=1)
    assert trade.ts_ms_datetime == start + timedelta(milliseconds=1)
    assert trade.ts_us_datetime == start + timedelta(microseconds=1)
    assert trade.ts_ns_datetime == start  # 1 ns: a datetime holds microseconds
    assert trade.ts_ms_text_datetime == start + timedelta(milliseconds=1)
    assert trade.ts_float_datetime == start + timedelta(seconds=1.25)
    assert trade.optional_day_date is None  # null on the wire
    assert package.decode(samples[0]).optional_day_date == date(2026, 2, 28)
    nine_digits = package.decode(samples[8])
    assert nine_digits.time == "2026-01-09T10:00:08.123456789Z"
    assert nine_digits.time_datetime.microsecond == 123456
    assert package.decode(samples[2]).price_decimal == Decimal("1E-8")
    for sample in samples:
        assert json.dumps(package.encode(package.decode(json.dumps(sample)))) == (
            json.dumps(sample)
        )


def test_the_docstring_and_the_wire_types_say_it(
    generate_package: GeneratePackage,
) -> None:
    package = generate_package(trades(12))
    folder = Path(package.__file__).parent
    models = (folder / "models.py").read_text(encoding="utf-8")
    assert '    price: str\n    """A decimal number, kept as the wire has it:' in models
    # Docstrings wrap at the line length: read them as text.
    assert "`price_decimal` reads it as an exact Decimal." in " ".join(models.split())
    assert "# ruff: noqa" not in models  # every line fits: no lint exemption
    wire = (folder / "wire.py").read_text(encoding="utf-8")
    assert "    time: str\n" in wire and "    ts_ms: int\n" in wire
    assert "datetime" not in wire and "UUID" not in wire


def test_formats_inside_lists_are_said_in_the_docstring(
    generate_package: GeneratePackage,
) -> None:
    samples = [{"n": n, "prices": [f"{n}.5", f"{n}.25"]} for n in range(3)]
    package = generate_package(samples)
    items = properties(package_schema(package))["prices"]["items"]
    assert items["x-codegen-format"] == "decimal"
    models = Path(package.__file__).with_name("models.py").read_text(encoding="utf-8")
    assert '"""Its items are each a decimal number (all 6 values' in models
    assert "def prices_" not in models  # a property only for the field's own value
    assert contract_failures(package, samples) == []


def test_formats_deeper_down_are_said_by_where_they_are() -> None:
    """Each step down is named once: never `its items items` or `its values items at 0`."""
    decimal = {"type": "string", FORMAT_KEYWORD: "decimal", EVIDENCE_KEYWORD: "e"}
    levels = {"type": "array", "items": {"type": "array", "items": decimal}}
    pair = {
        "anyOf": [
            {"type": "array", "prefixItems": [decimal, decimal]},
            {"type": "null"},
        ]
    }
    book = {
        "type": "object",
        "additionalProperties": {"type": "array", "items": decimal},
    }
    said = "are each a decimal number (e)"
    assert field_doc(levels, None) == f"The items of its items {said}."
    assert field_doc(pair, None) == (
        f"Its items at position 0 {said}; its items at position 1 {said}."
    )
    assert field_doc(book, None) == f"The items of its values {said}."
    nullable = {"anyOf": [decimal, {"type": "null"}]}
    assert field_doc(nullable, None) == f"Its values {said}."


@pytest.mark.parametrize(
    ("values", "why"),
    [
        (["12345", "67890", "13579", "24680"], "order ids of digits are no decimals"),
        (["00123", "0.5", "1.5", "2.5"], "a leading zero is a code"),
        (["1.0", "1.0", "1.0", "1.0"], "one value repeated: a constant"),
        ([1, 2, 3, 500, 20000], "small ints and counters are no timestamps"),
        ([1767225600, 1767225601, 17], "one value outside the window"),
        (
            ["1234567890123456789", "1234567890123456790", "1234567890123456791"],
            "19-digit strings are snowflake ids as often as nanoseconds",
        ),
        (
            [
                "7b87bf1c-e88d-4251-bb6c-8bd40ab34dcb",
                "4478debd-2de1-47d3-a26e-3be9730f3a1f",
                "test",
            ],
            "one value that is no UUID",
        ),
        (["2024-02-30", "2024-01-01", "2024-01-02"], "a date that does not exist"),
        (
            ["2024-01-01T24:00:00Z", "2024-01-01T00:00:00Z", "2024-01-02T00:00:00Z"],
            "an hour past the day",
        ),
        (["2024-01-01", "2024-01-02"], "two values: too few"),
        (["2024-01-01", 1767225600, "2024-01-03"], "strings beside numbers"),
        (["1.5", "2.5", "3.5", True], "booleans beside them"),
    ],
)
def test_hard_negatives_have_no_format(
    generate_package: GeneratePackage, values: list[Any], why: str
) -> None:
    samples = [{"n": n, "value": value} for n, value in enumerate(values)]
    package = generate_package(samples)
    assert formats(package_schema(package)) == {}, why
    assert contract_failures(package, samples) == []


def test_docs_placeholders_never_make_formats(
    generate_package: GeneratePackage,
) -> None:
    docs = [
        {"id": "<string>", "created_at": 1767225600, "price": "1.5"},
        {"id": "<uuid>", "created_at": 1767225601, "price": "2.5"},
        {"id": "<string>", "created_at": 1767225602, "price": "3.5"},
    ]
    assert formats(package_schema(generate_package(docs))) == {}


def test_mypy_strict_on_code_using_the_readers(
    generate_package: GeneratePackage, tmp_path: Path
) -> None:
    package = generate_package(trades(12))
    result = mypy_on_use(
        package,
        "from datetime import date, datetime\n"
        "from decimal import Decimal\n"
        "from uuid import UUID\n"
        f"from {package.__name__} import decode\n"
        "trade = decode('{}')\n"
        "price: Decimal = trade.price_decimal\n"
        "moment: datetime = trade.ts_ms_datetime\n"
        "key: UUID = trade.id_uuid\n"
        "maybe: date | None = trade.optional_day_date\n"
        "wire: str = trade.price\n"
        "wrong: date = trade.optional_day_date\n",
        tmp_path,
    )
    # Only the last line is wrong: a nullable field's reading may be None.
    assert result.returncode == 1, result.stdout
    assert error_places(result) == ["use.py:11"], result.stdout


def test_a_reader_never_takes_a_field_s_name(generate_package: GeneratePackage) -> None:
    samples = [
        {"price": f"{n}.5", "price_decimal": f"{n}.25", "n": n} for n in range(3)
    ]
    package = generate_package(samples)
    item = package.decode(samples[1])
    assert item.price_decimal == "1.25"  # the field, as on the wire
    assert item.price_as_decimal == Decimal("1.5")
    assert item.price_decimal_decimal == Decimal("1.25")


def test_config_sets_or_forbids_a_format(generate_package: GeneratePackage) -> None:
    ids = [{"order_id": str(10000 + n), "price": f"{n}.5"} for n in range(4)]
    package = generate_package(
        ids,
        config='[paths."$.order_id"]\nformat = "decimal"\n'
        '[paths."$.price"]\nformat = "none"\n',
    )
    found = properties(package_schema(package))
    assert found["order_id"]["x-codegen-format"] == "decimal"
    assert found["order_id"]["x-codegen-evidence"] == "set in the config"
    assert "x-codegen-format" not in found["price"]
    assert package.decode(ids[1]).order_id_decimal == Decimal(10001)
    assert contract_failures(package, ids) == []


@pytest.mark.parametrize(
    ("values", "name", "shown"),
    [
        (["7b87bf1c-e88d-4251-bb6c-8bd40ab34dcb", "test"], "uuid", '"test"'),
        ([1767225600, "1767225601"], "epoch-seconds", '"1767225601"'),
    ],
)
def test_a_forced_format_every_value_must_fit(
    generate_package: GeneratePackage, values: list[Any], name: str, shown: str
) -> None:
    samples = [{"id": value} for value in values]
    with pytest.raises(CodegenError) as caught:
        generate_package(samples, config=f'\n[paths."$.id"]\nformat = "{name}"\n')
    message = str(caught.value)
    assert "sample_001.json" in message and "codegen.toml:2" in message
    assert repr(name) in message and shown in message


def test_an_unknown_format_is_an_error_naming_the_line(
    generate_package: GeneratePackage,
) -> None:
    with pytest.raises(CodegenError, match=r"codegen.toml:3: format must be one of"):
        generate_package(
            trades(3), config='root_name = "Trades"\n[paths."$.id"]\nformat = "guid"\n'
        )
