"""The optional orjson path gives exactly what the stdlib path gives: objects, errors, text.

One package is generated from samples of every field kind (strings, ints, numbers, nullable and
optional keys, Any, free objects, lists, nested records, an externally tagged union, kinds told
apart by a tag, an open enum) and imported twice: with orjson, and with `import orjson` failing
(a None in sys.modules), which is the stdlib path a vendored package without orjson takes. Every
input (the samples, edits of them, hostile text, and hypothesis' random sample sets of
test_fuzz) must give both the same object (same repr: ints stay ints, floats keep their value)
and the same encoded text, or the same DecodeError (message and path). A subprocess checks that
the package works where orjson cannot be imported at all. No timings: speed is bench/codec.py's.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
import tempfile
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from codegen.pipeline import build_packages
from codegen.write import write_packages

from conftest import NAUGHTY_STRINGS, import_generated
from test_fuzz import sample_sets

orjson = pytest.importorskip("orjson")

TRADE: dict[str, Any] = {
    "type": "trade",
    "id": "t-1",
    "seq": 7,
    "price": 101.25,
    "size": 2,
    "side": "buy",
    "note": None,
    "tags": ["a", "b"],
    "meta": {"src": "x", "n": [1, 2.5, None]},
    "extra": {"k": 1},
    "fill": {"px": 1.5, "qty": 3},
    "event": {"created": {"at": 1731675320544000}},
    "opt": 1,
    "free": None,
    "blob": {},
}
TRADE_2: dict[str, Any] = {
    "type": "trade",
    "id": "t-2",
    "seq": 8,
    "price": 99,
    "size": 0.5,
    "side": "sell",
    "note": "n",
    "tags": [],
    "meta": {},
    "extra": "text",
    "fill": {"px": 2, "qty": 4},
    "event": {"deleted": {"why": "x"}},
    "free": None,
    "blob": {"any": [1, "x"]},
}
BOOK: dict[str, Any] = {"type": "book", "bids": [[1.5, 2]], "asks": [], "ts": 1}
BOOK_2: dict[str, Any] = {"type": "book", "bids": [], "asks": [[2.5, 1]], "ts": 2}
# Enough trades for `side` to be an open enum (members for the sides seen, any other string kept).
SAMPLES = [TRADE, TRADE_2, BOOK, BOOK_2] + [
    {**TRADE, "id": f"t-{n}", "side": ("buy", "sell")[n % 2]} for n in range(12)
]


def import_twice(out: Path, name: str) -> tuple[ModuleType, ModuleType]:
    """The package as imported with orjson, and as imported where `import orjson` fails."""
    fast = import_generated(out, name)
    saved = sys.modules.get("orjson")
    sys.modules["orjson"] = None  # type: ignore[assignment]
    try:
        plain = import_generated(out, name)
    finally:
        if saved is None:
            del sys.modules["orjson"]
        else:
            sys.modules["orjson"] = saved
    assert fast._runtime.orjson is orjson
    assert plain._runtime.orjson is None
    return fast, plain


def generate(root: Path, name: str, samples: list[Any]) -> Path:
    set_dir = root / "samples" / name
    set_dir.mkdir(parents=True)
    for number, sample in enumerate(samples):
        (set_dir / f"{number:03d}.json").write_text(
            json.dumps(sample), encoding="utf-8"
        )
    write_packages(build_packages(root / "samples"), root / "out")
    return root / "out"


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> tuple[ModuleType, ModuleType]:
    out = generate(tmp_path_factory.mktemp("fast"), "fast_parser", SAMPLES)
    return import_twice(out, "fast_parser")


def outcome(package: ModuleType, raw: Any) -> tuple[Any, ...]:
    """What decoding raw gives: the object (its repr, its encodings), or the error."""
    try:
        obj = package.decode(raw)
    except package.DecodeError as error:
        return ("error", str(error), error.json_path, error.expected, error.found)
    encoded = package.encode(obj)
    return ("ok", repr(obj), json.dumps(encoded), package.encode_json(obj))


def same_everywhere(
    packages: tuple[ModuleType, ModuleType], raw: Any
) -> tuple[Any, ...]:
    fast, plain = packages
    result = outcome(plain, raw)
    assert outcome(fast, raw) == result, raw
    if isinstance(raw, str):
        assert outcome(fast, raw.encode("utf-8", "surrogatepass")) == result
        assert outcome(plain, raw.encode("utf-8", "surrogatepass")) == result
    if result[0] == "ok":
        expected = json.dumps(
            json.loads(raw), separators=(",", ":"), ensure_ascii=False
        )
        assert result[3] == expected  # encode_json: the compact text of the same value
    return result


@pytest.mark.parametrize("sample", SAMPLES)
def test_samples_decode_alike_and_round_trip(
    packages: tuple[ModuleType, ModuleType], sample: Any
) -> None:
    result = same_everywhere(packages, json.dumps(sample))
    assert result[0] == "ok"
    assert result[2] == json.dumps(sample)


HUGE = [2**64, -(2**63) - 1, 10**30, -(10**25), 2**64 - 1, -(2**63)]
# Values put in place of each key of each sample: every kind, huge ints, floats beyond 2**63,
# small floats, hostile strings. Number texts are written as they come (`@@` is replaced).
REPLACEMENTS: list[Any] = [
    None,
    True,
    0,
    -1,
    1.5,
    "x",
    [],
    {},
    [1, "a"],
    {"a": {"b": [None]}},
    *HUGE,
    1e19,
    -1e19,
    1e300,
    2.5e-7,
    1e-5,
    *NAUGHTY_STRINGS[:20],
]


@pytest.mark.parametrize("sample", SAMPLES[:4])
def test_every_edit_decodes_alike(
    packages: tuple[ModuleType, ModuleType], sample: dict[str, Any]
) -> None:
    for key in sample:
        for value in REPLACEMENTS:
            same_everywhere(packages, json.dumps({**sample, key: value}))
        without = {k: v for k, v in sample.items() if k != key}
        same_everywhere(packages, json.dumps(without))
        same_everywhere(packages, json.dumps(dict(reversed(list(sample.items())))))
        same_everywhere(packages, json.dumps({**sample, f"unknown {key}": 2**70}))


NUMBER_TEXTS = [
    "18446744073709551616",
    "18446744073709551615",
    "-9223372036854775809",
    "-9223372036854775808",
    "123456789012345678901234567890",
    "1e19",
    "1E5",
    "-0",
    "-0.0",
    "1e-400",
    "1e400",
    "-1e400",
    "NaN",
    "Infinity",
    "-Infinity",
    "0.30000000000000004",
    "2.2250738585072011e-308",
    "4.9e-324",
    "1.7976931348623157e308",
    "1.7976931348623159e308",
    "12345678901234567890.5",
    "1.0",
    "01",
    "1.",
    ".5",
    "+1",
]


@pytest.mark.parametrize("text", NUMBER_TEXTS)
@pytest.mark.parametrize("key", ["seq", "price", "free", "blob", "unknown"])
def test_number_texts_decode_alike(
    packages: tuple[ModuleType, ModuleType], text: str, key: str
) -> None:
    """Huge integers (which orjson reads as floats), floats beyond 2**63, out-of-range numbers and
    non-JSON number forms: in an int field, a number field, an Any field, an unknown key.
    """
    raw = json.dumps({**TRADE, key: "@@"}).replace('"@@"', text)
    same_everywhere(packages, raw)
    nested = json.dumps({**TRADE, "blob": {"deep": ["@@"]}}).replace('"@@"', text)
    same_everywhere(packages, nested)


def test_huge_integers_stay_integers(packages: tuple[ModuleType, ModuleType]) -> None:
    for value in HUGE:
        raw = json.dumps({**TRADE, "seq": value, "price": value, "free": [value]})
        result = same_everywhere(packages, raw)
        assert result[0] == "ok"
        assert result[2] == raw


def test_floats_beyond_two_to_the_63_are_taken_as_floats(
    packages: tuple[ModuleType, ModuleType],
) -> None:
    raw = json.dumps({**TRADE, "price": 1e19, "blob": {"n": -1.5e300}})
    result = same_everywhere(packages, raw)
    assert result[2] == raw
    for (
        package
    ) in packages:  # also from parsed data, and the flag is back off afterwards
        obj = package.decode_value(json.loads(raw))
        assert obj.price == 1e19 and type(obj.price) is float
        assert package._runtime._BIG_FLOATS_TAKEN.get() is False


HOSTILE_TEXTS: list[str | bytes] = [
    "",
    " ",
    "{",
    "[" * 1025 + "]" * 1025,
    "[" * 100_000,
    '{"a":' * 2000 + "1" + "}" * 2000,
    json.dumps(TRADE) + " ",
    " " + json.dumps(TRADE),
    "\t\n\r" + json.dumps(TRADE) + "\n",
    json.dumps(TRADE) + "x",
    json.dumps(TRADE) * 2,
    "\ufeff" + json.dumps(TRADE),
    json.dumps(TRADE).replace('"t-1"', '"\\ud800"'),
    json.dumps(TRADE).replace('"t-1"', '"\\udc00\\ud800"'),
    json.dumps(TRADE).replace('"t-1"', '"\ud800"'),
    json.dumps(TRADE).replace('"t-1"', '"a\x00b"'),
    json.dumps(TRADE).replace('"t-1"', '"a\x7fb"'),
    json.dumps(TRADE).replace('"t-1"', "'t-1'"),
    json.dumps(TRADE).replace('"seq": 7', '"seq": 7, "seq": 8'),
    json.dumps(TRADE).replace('"seq": 7', '"seq": 7, "id": "dup"'),
    json.dumps(TRADE).replace("[", "[ ").replace(",", " ,"),
    json.dumps(TRADE).replace("]", ",]"),
    json.dumps(TRADE).replace('"fill"', '"fill" '),
    json.dumps(BOOK).replace("1.5", "1.5e+3"),
    "[]",
    "null",
    '"text"',
    "42",
    b"\xef\xbb\xbf" + json.dumps(TRADE).encode(),
    json.dumps(TRADE).encode("utf-16"),
    json.dumps(TRADE).encode("utf-16-le"),
    json.dumps(TRADE).encode("utf-32"),
    json.dumps(TRADE).replace('"t-1"', '"\\u00e9"').encode(),
    b'{"id": "\xff"}',
    json.dumps(TRADE).replace('"t-1"', '"\xed\xa0\x80"').encode("latin-1", "replace"),
    json.dumps(TRADE).encode()[:-1],
]


@pytest.mark.parametrize("raw", HOSTILE_TEXTS, ids=range(len(HOSTILE_TEXTS)))
def test_hostile_text_decodes_alike(
    packages: tuple[ModuleType, ModuleType], raw: str | bytes
) -> None:
    fast, plain = packages
    assert outcome(fast, raw) == outcome(plain, raw)
    assert outcome(fast, bytearray(raw) if isinstance(raw, bytes) else raw) == outcome(
        plain, raw
    )


def test_duplicate_keys_keep_json_loads_semantics(
    packages: tuple[ModuleType, ModuleType],
) -> None:
    """Both parsers keep the last value at the first key's place, as json.loads does."""
    raw = json.dumps(TRADE).replace('"seq": 7', '"seq": 7, "price": 3, "seq": 9')
    result = same_everywhere(packages, raw)
    assert json.loads(result[2]) == json.loads(raw)
    assert list(json.loads(result[2])) == list(json.loads(raw))


# --- the runtime's parser and writer on random JSON -------------------------------------------

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=6), children, max_size=4),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(JSON_VALUES, st.integers(0, 3), st.binary(max_size=3), st.integers(0, 10**6))
def test_random_text_parses_alike(
    packages: tuple[ModuleType, ModuleType],
    value: Any,
    edit: int,
    noise: bytes,
    where: int,
) -> None:
    """Random JSON, as written by json.dumps, and with bytes cut, inserted or replaced."""
    fast, plain = packages
    data = json.dumps(value).encode("utf-8", "surrogatepass")
    if edit and data:
        at = where % len(data)
        data = [
            data[:at],
            data[:at] + noise + data[at:],
            data[:at] + noise + data[at + 1 :],
        ][edit - 1]

    def parse(package: ModuleType, raw: bytes) -> tuple[str, str]:
        runtime = package._runtime
        try:
            return ("ok", repr(runtime.decode_text(raw, runtime.as_any)))
        except package.DecodeError as error:
            return ("error", str(error))

    assert parse(fast, data) == parse(plain, data)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(JSON_VALUES)
def test_random_values_write_alike(
    packages: tuple[ModuleType, ModuleType], value: Any
) -> None:
    fast, plain = packages
    expected = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    assert fast._runtime.dump_json(value) == expected
    assert plain._runtime.dump_json(value) == expected


def test_floats_of_every_magnitude_write_alike(
    packages: tuple[ModuleType, ModuleType],
) -> None:
    """orjson writes floats between 1e-10 and 1e-4 in another form: those go to json."""
    fast, _ = packages
    values = [
        float(f"{sign}{mantissa}e{exponent}")
        for exponent in range(-330, 310)
        for mantissa in ("1", "1.5", "9.999999999999999", "3.0000000000000004")
        for sign in ("", "-")
    ]
    values += [0.0, -0.0, 5e-324, 1.7976931348623157e308, 2.0**63, 2.0**64, 0.1]
    for value in values:
        if math.isfinite(value):
            assert fast._runtime.dump_json([value, {"k": value}]) == json.dumps(
                [value, {"k": value}], separators=(",", ":")
            )


def test_every_character_writes_alike(packages: tuple[ModuleType, ModuleType]) -> None:
    fast, _ = packages
    text = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)
    for start in range(0, len(text), 4096):
        chunk = text[start : start + 4096]
        value = {chunk: [chunk]}
        assert fast._runtime.dump_json(value) == json.dumps(
            value, separators=(",", ":"), ensure_ascii=False
        )


@pytest.mark.parametrize(
    "value",
    [
        "\ud800",
        {"\udfff": 1},
        2**64,
        -(2**63) - 1,
        {1: "int key"},
        [[[[]]]] * 3,
        json.loads("[" * 300 + "]" * 300),
        ("tuple", 1),
    ],
)
def test_what_orjson_refuses_is_written_by_json(
    packages: tuple[ModuleType, ModuleType], value: Any
) -> None:
    fast, plain = packages
    expected = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    assert fast._runtime.dump_json(value) == plain._runtime.dump_json(value) == expected


def test_values_json_refuses_are_refused_by_both(
    packages: tuple[ModuleType, ModuleType],
) -> None:
    """Subclasses, dataclasses and dates are passed through orjson: json decides."""
    import dataclasses
    import datetime
    import enum

    @dataclasses.dataclass
    class Point:
        x: int

    class Color(enum.IntEnum):
        RED = 1

    class Text(str):
        pass

    fast, plain = packages
    for value in (
        {"p": Point(1)},
        [datetime.date(2024, 1, 1)],
        {"c": Color.RED},
        Text("a"),
    ):
        outcomes = []
        for runtime in (fast._runtime, plain._runtime):
            try:
                outcomes.append(("ok", runtime.dump_json(value)))
            except (TypeError, ValueError) as error:
                outcomes.append(("error", type(error).__name__))
        assert outcomes[0] == outcomes[1], value


# --- hypothesis' random sample sets (test_fuzz's strategies) ----------------------------------

_numbers = iter(range(10**6))


@settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(sample_sets())
def test_random_sample_sets_decode_alike(samples: list[Any]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        name = f"fast_fuzz_{next(_numbers)}"
        both = import_twice(generate(Path(tmp), name, samples), name)
        for sample in samples:
            raw = json.dumps(sample)
            result = same_everywhere(both, raw)
            assert result[0] == "ok" and result[2] == raw
            for (
                other
            ) in samples:  # every sample against every package: errors alike too
                same_everywhere(both, json.dumps([other, sample]))


# --- no orjson at all ---------------------------------------------------------------------------


def test_the_package_works_where_orjson_cannot_be_imported(tmp_path: Path) -> None:
    out = generate(tmp_path, "no_orjson", SAMPLES)
    script = f"""
import json, sys
sys.modules["orjson"] = None  # `import orjson` fails, as where it is not installed
sys.path.insert(0, {str(out)!r})
import no_orjson
assert no_orjson._runtime.orjson is None
for sample in {SAMPLES!r}:
    text = json.dumps(sample)
    obj = no_orjson.decode(text)
    assert json.dumps(no_orjson.encode(obj)) == text
    assert no_orjson.encode_json(obj) == json.dumps(sample, separators=(",", ":"))
try:
    no_orjson.decode(json.dumps({SAMPLES[2]!r}).replace("1.5", "NaN"))
except no_orjson.DecodeError as error:
    assert error.json_path == "$", error
else:
    raise AssertionError("NaN decoded")
print("done")
"""
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.endswith("done\n")
