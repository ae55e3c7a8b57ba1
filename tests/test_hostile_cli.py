"""Hostile and broken sample files through `codegen generate`: a correct package or a clear error.

Every bad input ends in exit status 2 and one line naming the file, line, column and problem,
without a traceback, and leaves OUT byte for byte as it was (a previous good run is snapshotted
first). Every accepted input generates a package that imports and round-trips its samples.
The reader's own catalogue (positions, phrases) is tests/test_ingest.py: these tests are about
what the command does with each case end to end.
"""

from __future__ import annotations

import codecs
import json
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from codegen.jsonreader import MAX_DEPTH
from click.testing import Result

from conftest import (
    cli_generate,
    import_generated,
    package_schema,
    round_trips,
    source_problems,
    tree_of,
)

GOOD_ALPHA = b'{"id": 1, "name": "first"}\n'
CHANGED_ALPHA = b'{"id": 1, "name": "first", "added": [true]}\n'
GOOD_BETA = b'{"event": {"created": {"n": 1}}}\n{"event": {"deleted": {"n": 2}}}\n'


def write_sets(root: Path, sets: dict[str, dict[str, bytes]]) -> Path:
    """root/samples/<set>/<file> with the given bytes; returns the samples folder."""
    samples = root / "samples"
    for set_name, files in sets.items():
        (samples / set_name).mkdir(parents=True, exist_ok=True)
        for file_name, content in files.items():
            (samples / set_name / file_name).write_bytes(content)
    return samples


def assert_no_traceback(result: Result) -> None:
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(
        result.exception, SystemExit
    ), result.exception


@pytest.fixture(scope="module")
def previous_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """OUT after a good run over the sets alpha and beta (copied by each test)."""
    root = tmp_path_factory.mktemp("previous")
    samples = write_sets(
        root, {"alpha": {"a.json": GOOD_ALPHA}, "beta": {"b.json": GOOD_BETA}}
    )
    result = cli_generate(samples, root / "out")
    assert result.exit_code == 0, result.output
    return root / "out"


@pytest.fixture
def out(previous_run: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "out"
    shutil.copytree(previous_run, copy)
    return copy


def test_a_good_run_replaces_the_previous_output(out: Path, tmp_path: Path) -> None:
    """The control case: with beta fine, the changed alpha is written (so 'unchanged' can fail)."""
    before = tree_of(out)
    samples = write_sets(
        tmp_path, {"alpha": {"a.json": CHANGED_ALPHA}, "beta": {"b.json": GOOD_BETA}}
    )
    result = cli_generate(samples, out)
    assert result.exit_code == 0, result.output
    after = tree_of(out)
    assert after["alpha/models.py"] != before["alpha/models.py"]
    assert after["beta/models.py"] == before["beta/models.py"]
    assert sorted(after) == sorted(
        before
    )  # no temporary folder left beside the packages


# (file name, content, line, column, phrase): realistic captures gone wrong, one way each
# After a UTF-8 BOM, the bad byte's place counts from the text that follows the BOM; two-byte
# characters before it, so that a place counted from the file's start would fall inside one.
BOM_THEN_LATIN_1 = codecs.BOM_UTF8 + '{"\u00e9\u00e9": "caf'.encode() + b'\xe9"}'

BAD_SAMPLES = [
    pytest.param(
        "x.json", b'{"px": [1.5, 2.5', 1, 17, "found end of input", id="truncated"
    ),
    pytest.param(
        "x.json", b'{"side": "bu', 1, 10, "unterminated string", id="truncated-string"
    ),
    pytest.param(
        "x.json", b'{"qty": 3}\nok', 2, 1, "found 'ok'", id="trailing-garbage"
    ),
    pytest.param("x.json", b'{"qty": 3]]', 1, 10, "member, found ']'", id="unbalanced"),
    pytest.param("x.json", b"[[0]]]", 1, 6, "found ']'", id="unbalanced-extra-close"),
    pytest.param("x.json", b'{"px": [2}', 1, 10, "element, found '}'", id="mismatched"),
    pytest.param(
        "x.json", b"{\n  'side': 'buy'}", 2, 3, "double quotes", id="single-quotes"
    ),
    pytest.param(
        "x.json",
        b'{"qty": 3, // lots\n "px": 1}',
        1,
        12,
        "no comments",
        id="line-comment",
    ),
    pytest.param(
        "x.json", b'{"qty": /* lots */ 3}', 1, 9, "no comments", id="block-comment"
    ),
    pytest.param(
        "x.json", b'{"qty": 3}\n# end\n', 2, 1, "found '#'", id="hash-comment"
    ),
    pytest.param(
        "x.json", b'{"name": "caf\xe9"}', 1, 14, "invalid UTF-8", id="latin-1"
    ),
    pytest.param("x.json", b'["\xc0\xaf"]', 1, 3, "invalid UTF-8", id="overlong-utf8"),
    pytest.param(
        "x.json",
        BOM_THEN_LATIN_1,
        1,
        12,
        "invalid UTF-8: byte 0xe9",
        id="utf8-bom-then-latin-1-json",
    ),
    pytest.param(  # counted from the file's start, that place cut a character: a crash
        "x.json",
        codecs.BOM_UTF8 + b'["\xc3\xa9\xc3\xa9\xff"]',
        1,
        5,
        "invalid UTF-8: byte 0xff",
        id="utf8-bom-then-bad-byte-after-two-byte-characters",
    ),
    pytest.param(
        "x.jsonl",
        BOM_THEN_LATIN_1,
        1,
        12,
        "invalid UTF-8: byte 0xe9",
        id="utf8-bom-then-latin-1-jsonl",
    ),
    pytest.param(
        "x.json",
        b'["ok", "\xed\xa0\x80"]',
        1,
        9,
        "invalid UTF-8",
        id="encoded-surrogate",
    ),
    pytest.param(
        "x.json",
        codecs.BOM_UTF16_BE + '{"qty": 3}'.encode("utf-16-be")[:-1],
        1,
        10,
        "invalid UTF-16",
        id="truncated-utf16",
    ),
    pytest.param(
        "x.json", "[3]".encode("utf-16-le"), 1, 2, "NUL byte", id="utf16-without-bom"
    ),
    pytest.param(
        "x.json", b'{"qty": 3, "px"\x00: 1}', 1, 16, "NUL byte", id="nul-byte"
    ),
    pytest.param("x.json", b'{"px": [1.5, NaN]}', 1, 14, "NaN is not JSON", id="nan"),
    pytest.param(
        "x.json", b'{"px":\n Infinity}', 2, 2, "Infinity is not JSON", id="infinity"
    ),
    pytest.param(
        "x.json", b"[-Infinity]", 1, 2, "-Infinity is not JSON", id="minus-infinity"
    ),
    pytest.param(
        "x.json", b'{"px": -2e308}', 1, 8, "too large for a float", id="float-overflow"
    ),
    pytest.param(
        "x.json",
        b'{"id": ' + b"7" * 4301 + b"}",
        1,
        8,
        "integer too long",
        id="int-too-long",
    ),
    pytest.param(
        "x.json",
        b'{"qty": 3, "px": 1, "qty": 3}',
        1,
        21,
        'duplicate key "qty"',
        id="duplicate-key",
    ),
    pytest.param(
        "x.json",
        b'[{"a": {"px": 1,\n   "px": 1}}]',
        2,
        4,
        'duplicate key "px"',
        id="duplicate-key-nested",
    ),
    pytest.param(
        "x.json",
        b"[" * 10_000 + b"]" * 10_000,
        1,
        MAX_DEPTH + 1,
        f"deeper than {MAX_DEPTH}",
        id="nesting-10000-arrays",
    ),
    pytest.param(
        "x.json",
        b'{"k":' * 10_000 + b"0" + b"}" * 10_000,
        1,
        MAX_DEPTH * len('{"k":') + 1,
        f"deeper than {MAX_DEPTH}",
        id="nesting-10000-objects",
    ),
    pytest.param("x.json", b"", 1, 1, "empty file", id="empty-file"),
    pytest.param("x.json", b"  \r\n\t\n", 3, 1, "empty file", id="blank-file"),
    pytest.param(
        "x.jsonl",
        b'{"qty": 3}\n\n{"qty": 3,}\n',
        3,
        11,
        "found '}'",
        id="jsonl-bad-line",
    ),
    pytest.param(
        "x.md",
        b'# Orders\n\nExample: {"qty": 3, "qty": 4}\n',
        3,
        21,
        'duplicate key "qty"',
        id="docs",
    ),
]


@pytest.mark.parametrize(
    ("file_name", "content", "line", "column", "phrase"), BAD_SAMPLES
)
def test_bad_sample_is_a_clear_error_and_out_stays_as_it_was(
    out: Path,
    tmp_path: Path,
    file_name: str,
    content: bytes,
    line: int,
    column: int,
    phrase: str,
) -> None:
    before = tree_of(out)
    samples = write_sets(tmp_path, {"beta": {file_name: content}})
    result = cli_generate(samples, out)
    assert result.exit_code == 2, result.output
    assert_no_traceback(result)
    (message,) = result.output.splitlines()
    assert message.startswith(f"error: samples/beta/{file_name}:{line}:{column}: ")
    assert phrase in message
    assert tree_of(out) == before


@pytest.mark.parametrize(
    "content", [b'{"a": [1, 2', b'{"id": 1, "id": 2}', b"", b"[" * 10_000]
)
def test_bad_sample_after_a_good_set_writes_nothing(
    out: Path, tmp_path: Path, content: bytes
) -> None:
    """alpha changed and comes first: a run that wrote it before beta failed would show."""
    before = tree_of(out)
    samples = write_sets(
        tmp_path, {"alpha": {"a.json": CHANGED_ALPHA}, "beta": {"x.json": content}}
    )
    result = cli_generate(samples, out)
    assert result.exit_code == 2, result.output
    assert_no_traceback(result)
    assert result.output.startswith("error: samples/beta/x.json:")
    assert tree_of(out) == before


@pytest.mark.parametrize(
    ("files", "where", "phrase"),
    [
        pytest.param({}, "samples/beta", "no samples found", id="zero-samples"),
        pytest.param(
            {"codegen.toml": b'root_name = "Beta"\n', "notes.yaml": b"a: 1\n"},
            "samples/beta",
            "no samples found",
            id="no-sample-files",
        ),
        pytest.param(
            {"x.md": b"Prose with {id} only.\n"},
            "samples/beta/x.md",
            "no JSON object or array found",
            id="docs-without-json",
        ),
    ],
)
def test_set_without_samples_is_a_clear_error_and_out_stays_as_it_was(
    out: Path,
    tmp_path: Path,
    files: dict[str, bytes],
    where: str,
    phrase: str,
) -> None:
    before = tree_of(out)
    samples = write_sets(tmp_path, {"alpha": {"a.json": CHANGED_ALPHA}, "beta": files})
    result = cli_generate(samples, out)
    assert result.exit_code == 2, result.output
    assert_no_traceback(result)
    (message,) = result.output.splitlines()
    assert message.startswith("error: ") and where in message and phrase in message
    assert tree_of(out) == before


@pytest.mark.parametrize("make", ["missing", "empty"])
def test_samples_folder_without_sets_is_a_clear_error(
    out: Path, tmp_path: Path, make: str
) -> None:
    before = tree_of(out)
    samples = tmp_path / "samples"
    if make == "empty":
        samples.mkdir()
    result = cli_generate(samples, out)
    assert result.exit_code == 2, result.output
    assert_no_traceback(result)
    (message,) = result.output.splitlines()
    assert message.startswith(f"error: {samples}: ")
    assert tree_of(out) == before


def test_sample_that_cannot_be_read_is_a_clear_error(out: Path, tmp_path: Path) -> None:
    before = tree_of(out)
    samples = write_sets(tmp_path, {"alpha": {"a.json": CHANGED_ALPHA}, "beta": {}})
    (samples / "beta" / "b.json").symlink_to(tmp_path / "nowhere.json")
    result = cli_generate(samples, out)
    assert result.exit_code == 2, result.output
    assert_no_traceback(result)
    (message,) = result.output.splitlines()
    assert message.startswith("error: samples/beta/b.json: ")
    assert tree_of(out) == before


def test_out_that_is_a_file_is_a_clear_error(tmp_path: Path) -> None:
    samples = write_sets(tmp_path, {"alpha": {"a.json": GOOD_ALPHA}})
    out = tmp_path / "out"
    out.write_bytes(b"not a folder\n")
    result = cli_generate(samples, out)
    assert result.exit_code == 2, result.output
    assert_no_traceback(result)
    (message,) = result.output.splitlines()
    assert message.startswith("error: ") and str(out) in message
    assert out.read_bytes() == b"not a folder\n"


# --- accepted inputs: generate, import, round-trip ---------------------------------------------


def generate_accepted(tmp_path: Path, files: dict[str, bytes]) -> ModuleType:
    samples = write_sets(tmp_path, {"accepted": files})
    result = cli_generate(samples, tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert_no_traceback(result)
    assert result.output.startswith(f"wrote {tmp_path / 'out' / 'accepted'} ")
    return import_generated(tmp_path / "out", "accepted")


def assert_round_trips(package: ModuleType, values: list[Any]) -> None:
    for value in values:
        assert round_trips(package, value), json.dumps(value)[:200]


def big_string_sample() -> bytes:
    return json.dumps({"text": 'x\u00e9"\\' * 250_000, "n": 1}).encode()


ACCEPTED = [
    pytest.param(
        {"x.json": codecs.BOM_UTF8 + '{"a": 1, "b": "\u00e9"}'.encode()},
        [{"a": 1, "b": "\u00e9"}],
        id="utf8-bom",
    ),
    pytest.param(
        {"x.json": '{"a": "\u00e9", "b": [1, 2]}'.encode("utf-16")},
        [{"a": "\u00e9", "b": [1, 2]}],
        id="utf16-le-bom",
    ),
    pytest.param(
        {"x.json": codecs.BOM_UTF16_BE + '{"a": "\u20ac"}'.encode("utf-16-be")},
        [{"a": "\u20ac"}],
        id="utf16-be-bom",
    ),
    pytest.param(
        {
            "x.json": b'{"n": 123456789012345678901234567890,'
            b' "m": -18446744073709551617, "l": [18446744073709551616, 1]}'
        },
        [
            {
                "n": 123456789012345678901234567890,
                "m": -18446744073709551617,
                "l": [18446744073709551616, 1],
            }
        ],
        id="ints-beyond-64-bits",
    ),
    pytest.param(
        {"x.json": big_string_sample()},
        [json.loads(big_string_sample())],
        id="string-of-1MB",
    ),
    pytest.param(
        {"x.json": json.dumps({"k" * 10_000: 1, "k-" * 5_000: {"x": 2}}).encode()},
        [{"k" * 10_000: 1, "k-" * 5_000: {"x": 2}}],
        id="keys-of-10KB",
    ),
    pytest.param(
        {
            "x.json": b'{"p": "1E1000000000000000000", "q": "-0e+1000000000000000000"}',
            "y.json": b'{"p": "1.5", "q": "2"}',
        },
        [
            {"p": "1E1000000000000000000", "q": "-0e+1000000000000000000"},
            {"p": "1.5", "q": "2"},
        ],
        id="numbers-in-strings-past-decimal-exponent-limits",  # crashed: exit 3
    ),
    pytest.param({"x.json": b"42", "y.json": b"-7"}, [42, -7], id="int-root"),
    pytest.param({"x.json": b"1.5 2"}, [1.5, 2], id="number-root"),
    pytest.param({"x.json": b'"text"'}, ["text"], id="string-root"),
    pytest.param({"x.json": b"[1, 2, 3]"}, [[1, 2, 3]], id="array-root"),
    pytest.param(
        {"x.json": b'[{"id": 1}, {"id": 2, "x": null}]'},
        [[{"id": 1}, {"id": 2, "x": None}]],
        id="array-of-objects-root",
    ),
    pytest.param(
        {"x.json": b'{"id": 1, "tags": ["a"]}', "y.json": b'[{"id": 2}, 3]'},
        [{"id": 1, "tags": ["a"]}, [{"id": 2}, 3]],
        id="mixed-roots",
    ),
]


@pytest.mark.parametrize(("files", "values"), ACCEPTED)
def test_accepted_input_generates_a_package_that_round_trips(
    tmp_path: Path, files: dict[str, bytes], values: list[Any]
) -> None:
    package = generate_accepted(tmp_path, files)
    assert_round_trips(package, values)


def test_deepest_nesting_the_reader_accepts_generates_or_is_a_clear_error(
    tmp_path: Path,
) -> None:
    """MAX_DEPTH levels pass the reader; the generated code must cope, or the error must be clear."""
    text = "[" * MAX_DEPTH + "1" + "]" * MAX_DEPTH
    samples = write_sets(tmp_path, {"accepted": {"x.json": text.encode()}})
    result = cli_generate(samples, tmp_path / "out")
    assert_no_traceback(result)
    if result.exit_code == 2:
        (message,) = result.output.splitlines()
        assert message.startswith("error: samples/accepted/x.json")
        return
    assert result.exit_code == 0, result.output
    package = import_generated(tmp_path / "out", "accepted")
    assert_round_trips(package, [json.loads(text)])


def test_negative_zero_and_exponents_keep_what_json_dumps_gives(tmp_path: Path) -> None:
    text = '{"z": -0.0, "e": 1E5, "f": 1e-5, "g": 1.50, "h": -0}'
    package = generate_accepted(tmp_path, {"x.json": text.encode()})
    value = json.loads(text)
    assert_round_trips(package, [value])
    again = json.dumps(package.encode(package.decode(text)))
    assert again == '{"z": -0.0, "e": 100000.0, "f": 1e-05, "g": 1.5, "h": 0}'
    assert again == json.dumps(value)


def test_conflicting_evidence_becomes_a_union_that_round_trips(tmp_path: Path) -> None:
    files = {
        "a.json": b'{"at": "2024-01-01", "n": 1}',
        "b.json": b'{"at": {"day": 1, "month": 1}, "n": 2}',
        "c.json": b'{"at": null, "n": 3.5}',
    }
    package = generate_accepted(tmp_path, files)
    values = [json.loads(content) for content in files.values()]
    assert_round_trips(package, values)
    schema = package_schema(package)
    root = schema["$defs"][schema["title"]]
    kinds = json.dumps(root["properties"]["at"])
    assert '"string"' in kinds and "$ref" in kinds and '"null"' in kinds
    as_text, as_record, as_null = (package.decode(v).at for v in values)
    assert as_text == "2024-01-01" and as_null is None
    assert (as_record.day, as_record.month) == (1, 1)


# --- hostile set folder names and root names: an importable package or a clear error ------------

TAGGED = '{"id": 1, "t": {"x": {"b": 1}}}\n{"id": 2, "t": {"y": {"c": "s"}}}\n'

# A fresh interpreter with OUT first on sys.path, as the project that vendors the package has it.
IMPORT_AND_ROUND_TRIP = """
import importlib, json, sys
sys.path.insert(0, sys.argv[1])
package = importlib.import_module(sys.argv[2])
for line in sys.argv[3].splitlines():
    again = json.dumps(package.encode(package.decode(line)))
    assert again == json.dumps(json.loads(line)), (line, again)
print(type(package.decode(sys.argv[3].splitlines()[0])).__name__)
"""


def assert_usable_or_clear_error(result: Result, out: Path, named: str) -> str | None:
    """The class name of a decoded message, or None after a clear error that names `named`."""
    assert_no_traceback(result)
    if result.exit_code == 2:
        (message,) = result.output.splitlines()
        assert message.startswith("error: ") and named in message
        assert not out.exists() or not any(out.iterdir())
        return None
    assert result.exit_code == 0, result.output
    (package,) = out.iterdir()
    assert package.name not in sys.stdlib_module_names
    check = subprocess.run(
        [sys.executable, "-c", IMPORT_AND_ROUND_TRIP, str(out), package.name, TAGGED],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert check.returncode == 0, check.stderr
    return check.stdout.strip()


@pytest.mark.parametrize(
    "set_name",
    ["x_y", "A B", "class", "123", "\u00e9", "json", "typing", "os"],
)
def test_hostile_set_name_gives_an_importable_package_or_a_clear_error(
    tmp_path: Path, set_name: str
) -> None:
    """Folder names become package names: never one that crashes or shadows the stdlib."""
    samples = write_sets(tmp_path, {set_name: {"x.json": TAGGED.encode()}})
    result = cli_generate(samples, tmp_path / "out")
    assert_usable_or_clear_error(result, tmp_path / "out", set_name)


@pytest.mark.parametrize(
    "root_name",
    ["HTTPResponse", "ABC", "OrderBookV2", "Any", "Dispatcher", "DecodeError"]
    + ["TypedDict", "Raw", "Unknown"],
)
def test_root_name_setting_names_the_root_class_or_is_a_clear_error(
    tmp_path: Path, root_name: str
) -> None:
    config = f'root_name = "{root_name}"\n'.encode()
    samples = write_sets(
        tmp_path, {"api": {"x.json": TAGGED.encode(), "codegen.toml": config}}
    )
    result = cli_generate(samples, tmp_path / "out")
    decoded = assert_usable_or_clear_error(result, tmp_path / "out", "codegen.toml")
    if decoded is not None:
        assert decoded == root_name
        assert source_problems(tmp_path / "out" / "api", []) == []
