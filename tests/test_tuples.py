"""Tuples: arrays of one fixed length whose positions mean different things (`[price, size]`,
`[id, payload, channel, pair]`) are typed per position; other arrays stay lists."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import (
    GeneratePackage,
    contract_failures,
    mypy_on_use,
    package_schema,
    run_pyright,
    run_ruff,
)

BOOKS = [
    {"seq": n, "bids": [[f"{100 - k}.5", f"{k + 1}.25"] for k in range(n % 3 + 1)]}
    for n in range(6)
]  # 2 + ... = 12 two-item levels over 6 messages


def root(schema: dict[str, Any]) -> dict[str, Any]:
    definition: dict[str, Any] = schema["$defs"][schema["title"]]
    return definition


def test_fixed_length_levels_are_tuples(generate_package: GeneratePackage) -> None:
    package = generate_package(BOOKS)
    schema = package_schema(package)
    bids = root(schema)["properties"]["bids"]
    positions = bids["items"].pop("prefixItems")
    assert bids == {
        "type": "array",
        "items": {"type": "array", "minItems": 2, "maxItems": 2},
    }
    # Prices and sizes in strings: each position a string holding a decimal (test_formats.py).
    assert [(p["type"], p["x-codegen-format"]) for p in positions] == [
        ("string", "decimal"),
        ("string", "decimal"),
    ]
    assert contract_failures(package, BOOKS) == []
    book = package.decode(json.dumps(BOOKS[2]))
    assert book.bids == [("100.5", "1.25"), ("99.5", "2.25"), ("98.5", "3.25")]
    # Back on the wire a tuple is a list again: encode gives exactly the parsed JSON.
    assert package.encode(book) == BOOKS[2]
    wire = Path(package.__file__).with_name("wire.py").read_text(encoding="utf-8")
    assert "bids: list[list[str]]" in wire


def test_a_wrong_length_names_the_path(generate_package: GeneratePackage) -> None:
    package = generate_package(BOOKS)
    broken = {"seq": 9, "bids": [["1.5", "2"], ["1.5", "2", "3"]]}
    with pytest.raises(package.DecodeError) as caught:
        package.decode(broken)
    assert str(caught.value) == (
        "$.bids[1]: expected array of 2 items, found array of 3 items"
    )
    wrong_kind = {"seq": 9, "bids": [["1.5", 2]]}
    with pytest.raises(package.DecodeError) as caught:
        package.decode(wrong_kind)
    assert str(caught.value) == "$.bids[0][1]: expected string, found integer 2"


def test_positions_of_different_kinds_need_fewer_arrays(
    generate_package: GeneratePackage,
) -> None:
    samples = [{"fills": [[n, "buy", n * 1.5]]} for n in range(3)]
    package = generate_package(samples)
    items = root(package_schema(package))["properties"]["fills"]["items"]
    assert [p["type"] for p in items["prefixItems"]] == ["integer", "string", "number"]
    assert package.decode(samples[1]).fills == [(1, "buy", 1.5)]
    assert contract_failures(package, samples) == []


@pytest.mark.parametrize(
    ("samples", "why"),
    [
        ([{"tags": ["a", "b"]}], "one array of two items: a list that happened to"),
        (
            [{"tags": ["a", "b"]}, {"tags": ["a"]}, {"tags": ["a", "b", "c"]}],
            "lengths vary",
        ),
        ([{"p": [n, n + 1]} for n in range(7)], "7 same-kind pairs: too few to tell"),
        ([{"p": [[n], n]} for n in range(2)], "2 arrays of different kinds: too few"),
    ],
)
def test_lists_stay_lists(
    generate_package: GeneratePackage, samples: list[Any], why: str
) -> None:
    package = generate_package(samples)
    text = json.dumps(package_schema(package))
    assert "prefixItems" not in text, why
    assert contract_failures(package, samples) == []


def test_config_forces_and_forbids_tuples(generate_package: GeneratePackage) -> None:
    pairs = [{"p": [n, n + 1]} for n in range(3)]
    forced = generate_package(pairs, config='[paths."$.p"]\ntuple = true\n')
    assert "prefixItems" in json.dumps(package_schema(forced))
    assert forced.decode(pairs[0]).p == (0, 1)
    forbidden = generate_package(BOOKS, config='[paths."$.bids[*]"]\ntuple = false\n')
    assert "prefixItems" not in json.dumps(package_schema(forbidden))
    assert forbidden.decode(BOOKS[0]).bids == [["100.5", "1.25"]]


def test_mypy_types_each_position(
    generate_package: GeneratePackage, tmp_path: Path
) -> None:
    package = generate_package(BOOKS)
    result = mypy_on_use(
        package,
        f"from {package.__name__} import decode\n"
        "book = decode({})\n"
        "price, size = book.bids[0]\n"
        "total: str = price + size\n"
        "third = book.bids[0][2]\n",
        tmp_path,
    )
    assert result.returncode == 1, result.stdout
    assert "use.py:5: error" in result.stdout  # a pair has no third position
    assert "use.py:4" not in result.stdout and "use.py:3" not in result.stdout
    # The package itself is lint-clean, tuple helpers included.
    assert run_ruff(Path(package.__file__).parent) == []
    assert run_pyright(Path(package.__file__).parent, cwd=tmp_path) == []
