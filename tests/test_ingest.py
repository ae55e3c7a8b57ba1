"""Ingest and the strict JSON reader: expected values come from the spec and the seed files."""

from __future__ import annotations

import codecs
import hashlib
import io
import json
import math
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from codegen import captures
from codegen.errors import CodegenError, Location
from codegen.ingest import (
    Sample,
    extract_from_document,
    ingest_document,
    read_sample_set,
)
from codegen.jsonreader import MAX_DEPTH, Lines, parse_values

SEEDS = Path(__file__).parent / "fixtures" / "seeds"
WEBSOCKET_SEED = SEEDS / "000_06e79cef9e5c5c77.txt"
REST_SEED = SEEDS / "003_2066f76084269dfd.txt"


def write_samples(root: Path, files: dict[str, bytes]) -> Path:
    directory = root / "samples"
    directory.mkdir()
    for name, content in files.items():
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return directory


def read_one_file(tmp_path: Path, name: str, content: bytes) -> list[Sample]:
    tmp_path.mkdir(exist_ok=True)
    return read_sample_set(write_samples(tmp_path, {name: content}), "samples")


# --- bad inputs: (file name, content, line, column or None, phrase) --------------------------

BAD_INPUTS = [
    pytest.param(
        "x.json",
        b'{\n  "a": [1, 2',
        2,
        13,
        "expected ',' or ']' after an array element, found end of input",
        id="truncated",
    ),
    pytest.param(
        "x.json",
        b'{"a": "abc',
        1,
        7,
        "unterminated string",
        id="truncated-string",
    ),
    pytest.param(
        "x.json",
        b'{"a": 1} x',
        1,
        10,
        "found 'x'",
        id="trailing-garbage",
    ),
    pytest.param(
        "x.json",
        b'[\n  {"a": 1]\n]',
        2,
        10,
        "expected ',' or '}' after an object member, found ']'",
        id="unbalanced-inner",
    ),
    pytest.param("x.json", b"[1, 2]]", 1, 7, "found ']'", id="unbalanced-extra-close"),
    pytest.param("x.json", b"{'a': 1}", 1, 2, "double quotes", id="single-quotes"),
    pytest.param(
        "x.json",
        b'{\n  // note\n  "a": 1\n}',
        2,
        3,
        "JSON has no comments",
        id="line-comment",
    ),
    pytest.param(
        "x.json", b"[1, /* two */ 2]", 1, 5, "JSON has no comments", id="block-comment"
    ),
    pytest.param("x.json", b'{"a": NaN}', 1, 7, "NaN is not JSON", id="nan"),
    pytest.param(
        "x.json", b"[1,\n Infinity]", 2, 2, "Infinity is not JSON", id="infinity"
    ),
    pytest.param(
        "x.json",
        b'{"a": -Infinity}',
        1,
        7,
        "-Infinity is not JSON",
        id="minus-infinity",
    ),
    pytest.param(
        "x.json", b'{"big": 1e400}', 1, 9, "too large for a float", id="float-overflow"
    ),
    pytest.param(
        "x.json",
        b"[1" + b"0" * 400 + b".5]",
        1,
        2,
        "too large for a float",
        id="float-overflow-without-exponent",
    ),
    pytest.param(
        "x.json",
        b"[" + b"1" * 5000 + b"]",
        1,
        2,
        "integer too long",
        id="int-string-limit",
    ),
    pytest.param(
        "x.json",
        b'{\n  "id": 1,\n  "id": 2\n}',
        3,
        3,
        'duplicate key "id" in an object (first at line 2, column 3)',
        id="duplicate-key",
    ),
    pytest.param(
        "x.json",
        b'{"a": 1, "a": {"b": 1, "b": 2}}',
        1,
        10,
        'duplicate key "a"',
        id="duplicate-key-first-in-text-order",
    ),
    pytest.param(
        "x.json",
        b'{"a": 1, "\\u0061": 2}',
        1,
        10,
        'duplicate key "a"',
        id="duplicate-key-escaped",
    ),
    pytest.param(
        "x.json",
        b"\n" + b"[" * 10_000 + b"]" * 10_000,
        2,
        MAX_DEPTH + 1,
        f"nesting deeper than {MAX_DEPTH} levels",
        id="nesting-10000",
    ),
    pytest.param(
        "x.json",
        b'{"a":' * (MAX_DEPTH + 44) + b"1" + b"}" * (MAX_DEPTH + 44),
        1,
        MAX_DEPTH * len('{"a":') + 1,
        f"nesting deeper than {MAX_DEPTH} levels",
        id="nesting-300-objects",
    ),
    pytest.param(
        "x.json",
        b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1),
        1,
        MAX_DEPTH + 1,
        f"nesting deeper than {MAX_DEPTH} levels",
        id="nesting-limit-plus-one",
    ),
    pytest.param(
        "x.json", b'{\n"a": "x\xff"}', 2, 8, "invalid UTF-8", id="invalid-utf8"
    ),
    pytest.param(
        "x.json", b'{"a": 1,\x00 "b": 2}', 1, 9, "found NUL byte", id="nul-byte"
    ),
    pytest.param(
        "x.json", b'{"a": "x\x00"}', 1, 9, "found NUL byte", id="nul-byte-in-string"
    ),
    pytest.param(
        "x.json", b"", 1, 1, "empty file, expected a JSON value", id="empty-file"
    ),
    pytest.param("x.json", b"\n\n", 3, 1, "empty file", id="blank-file"),
    pytest.param("x.json", b"01", 1, 2, "found '1'", id="leading-zero"),
    pytest.param(
        "x.jsonl",
        b'{"a": 1}\n\n{"a": }\n',
        3,
        7,
        "expected a JSON value after ':', found '}'",
        id="jsonl-line-number",
    ),
    pytest.param(
        "x.ndjson",
        b'{"a": 1} {"b": 2}\n',
        1,
        10,
        "one JSON value per line",
        id="jsonl-two-values-on-a-line",
    ),
    pytest.param(
        "x.jsonl",
        b"\n \n",
        3,
        1,
        "empty file, expected one JSON value per line",
        id="jsonl-empty",
    ),
    pytest.param(
        "doc.txt",
        b"Just prose with {id} in it.\n",
        None,
        None,
        "no JSON object or array found",
        id="doc-without-json",
    ),
    pytest.param(
        "doc.md",
        b'Example:\nCopy {"a": 1, "a": 2}\n',
        2,
        15,
        'duplicate key "a"',
        id="doc-duplicate-key",
    ),
    pytest.param("doc.md", b"See [1, NaN].", 1, 9, "NaN is not JSON", id="doc-nan"),
    pytest.param(
        "x.json",
        b'["a\\qb"]',
        1,
        4,
        "expected a valid escape in a string, found '\\q'",
        id="invalid-escape",
    ),
    pytest.param(
        "x.json",
        b'["ab\ncd"]',
        1,
        5,
        "found end of line",
        id="raw-newline-in-string",
    ),
    pytest.param(
        "x.json",
        '{"a":\u00a01}'.encode(),
        1,
        6,
        "found character U+00A0",
        id="no-break-space",
    ),
]


@pytest.mark.parametrize(("name", "content", "line", "column", "phrase"), BAD_INPUTS)
def test_bad_input_is_an_error_at_its_position(
    tmp_path: Path,
    name: str,
    content: bytes,
    line: int | None,
    column: int | None,
    phrase: str,
) -> None:
    with pytest.raises(CodegenError) as caught:
        read_one_file(tmp_path, name, content)
    message = str(caught.value)
    where = f"samples/{name}"
    if line is not None:
        where += f":{line}:{column}"
    assert message.startswith(where + ": ")
    assert phrase in message


# A JSON Lines line holding one object or array from its first character is read a quicker way
# (jsonreader.whole_line_value), which hands every line breaking a rule to the general reader:
# the error is the one the general reader alone gives.
LINES_BREAKING_A_RULE = [
    pytest.param(b'{"a": 1, "a": 2}', id="duplicate-key"),
    pytest.param(b'{"a": {"b": 1, "\\u0062": 2}}', id="nested-escaped-duplicate-key"),
    pytest.param(b'{"a": NaN}', id="nan"),
    pytest.param(b"[1, -Infinity]", id="minus-infinity"),
    pytest.param(b'{"a": 1e400}', id="float-overflow"),
    pytest.param(b"[" + b"7" * 5000 + b"]", id="int-beyond-the-digit-limit"),
    pytest.param(b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1), id="too-deep"),
    pytest.param(b'{"a": 1} {"b": 2}', id="second-value"),
    pytest.param(b'{"a": 1} x', id="text-after"),
    pytest.param(b'{"a": }', id="syntax"),
]


@pytest.mark.parametrize("line", LINES_BREAKING_A_RULE)
def test_a_line_breaking_a_rule_is_the_error_the_general_reader_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, line: bytes
) -> None:
    content = b'{"ok": 1}\n' + line + b"\n"
    with pytest.raises(CodegenError) as quick:
        read_one_file(tmp_path / "quick", "x.jsonl", content)
    monkeypatch.setattr(captures, "whole_line_value", lambda text: None)
    with pytest.raises(CodegenError) as general:
        read_one_file(tmp_path / "general", "x.jsonl", content)
    assert quick.value.location is not None
    assert quick.value.location.line == 2
    assert (quick.value.message, quick.value.location) == (
        general.value.message,
        general.value.location,
    )


# JSON Lines are read a block of lines at a time (jsonreader.Lines): the lines, and the error at
# an undecodable byte, are those a line at a time gives, whatever the block size, with the lines
# before the error taken first.
UTF8_PIECES = [
    b"a",
    b"{}",
    b"\n",
    b"\r\n",
    b"\xc3\xa9",
    b"\xe2\x82\xac",
    codecs.BOM_UTF8,
]
UNDECODABLE_PIECES = [b"\xff", b"\xc3", b"\xe2\x82", b"\xed\xa0\x80"]


def lines_one_at_a_time(
    data: bytes,
) -> tuple[list[tuple[int, str]], CodegenError | None]:
    """The lines of `data` and its first undecodable byte's error, a line (with its "\\n") at a
    time, as str.split("\\n") cuts the text."""
    raws = data.split(b"\n")
    lines: list[tuple[int, str]] = []
    for number, raw in enumerate(raws, start=1):
        if number < len(raws):
            raw += b"\n"
        if number == 1 and raw.startswith(codecs.BOM_UTF8):
            raw = raw[len(codecs.BOM_UTF8) :]
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            column = len(raw[: exc.start].decode("utf-8")) + 1
            message = f"invalid UTF-8: byte 0x{raw[exc.start]:02x} ({exc.reason})"
            return lines, CodegenError(message, Location("x.jsonl", number, column))
        lines.append((number, text.removesuffix("\n")))
    return lines, None


@given(
    st.lists(st.sampled_from(UTF8_PIECES + UNDECODABLE_PIECES), max_size=24),
    st.integers(1, 9),
)
def test_lines_read_in_blocks_are_the_lines_read_one_at_a_time(
    pieces: list[bytes], block_size: int
) -> None:
    data = b"".join(pieces)
    lines = Lines(io.BytesIO(data), "x.jsonl", block_size)
    taken: list[tuple[int, str]] = []
    error: CodegenError | None = None
    try:
        taken.extend(lines)
    except CodegenError as raised:
        error = raised
    expected, expected_error = lines_one_at_a_time(data)
    assert taken == expected
    if expected_error is None:
        assert error is None
        assert lines.end == (len(expected), len(expected[-1][1]))
    else:
        assert error is not None
        assert (error.message, error.location) == (
            expected_error.message,
            expected_error.location,
        )


# --- accepted inputs: (content of x.json, expected values) ---------------------------------


def utf16_be_with_bom(text: str) -> bytes:
    return codecs.BOM_UTF16_BE + text.encode("utf-16-be")


ACCEPTED = [
    pytest.param(b'\xef\xbb\xbf{"a": 1}', [{"a": 1}], id="utf8-bom"),
    pytest.param('{"é": [1, 2]}'.encode("utf-16"), [{"é": [1, 2]}], id="utf16"),
    pytest.param(utf16_be_with_bom('{"é": "ü"}'), [{"é": "ü"}], id="utf16-be"),
    pytest.param('["€"]'.encode("utf-32"), [["€"]], id="utf32"),
    pytest.param(
        b'{"n": 123456789012345678901234567890}',
        [{"n": 123456789012345678901234567890}],
        id="big-int",
    ),
    pytest.param(b"[-0.0]", [[-0.0]], id="negative-zero"),
    pytest.param(b"[1E5, 1e-5]", [[100000.0, 0.00001]], id="exponents"),
    pytest.param(
        b"[" * MAX_DEPTH + b"]" * MAX_DEPTH,
        [json.loads("[" * MAX_DEPTH + "]" * MAX_DEPTH)],
        id="nesting-limit",
    ),
    pytest.param(
        b'"[[[{{{" {} []\n[{"a": "}"}]',
        ["[[[{{{", {}, [], [{"a": "}"}]],
        id="concatenated",
    ),
]


@pytest.mark.parametrize(("content", "expected"), ACCEPTED)
def test_accepted_input(tmp_path: Path, content: bytes, expected: list[object]) -> None:
    values = [sample.value for sample in read_one_file(tmp_path, "x.json", content)]
    assert values == expected
    # repr tells -0.0 from 0.0 and 1e5 from 100000: the values must be exactly json.loads'.
    assert repr(values) == repr(expected)


def test_numbers_read_as_json_loads_reads_them(tmp_path: Path) -> None:
    text = "[-0.0, 1E5, 18446744073709551616, -0.00009999999997489795]"
    (value,) = [s.value for s in read_one_file(tmp_path, "x.json", text.encode())]
    assert repr(value) == repr(json.loads(text))
    assert math.copysign(1.0, value[0]) == -1.0


# --- the reader's positions and spans ---------------------------------------------------------


def test_parse_values_gives_start_location_and_span() -> None:
    text = '  {"a": [1]}\n\n  [2]  "s"\n'
    parsed = parse_values(text, "f.json")
    assert [p.value for p in parsed] == [{"a": [1]}, [2], "s"]
    assert [p.location for p in parsed] == [
        Location("f.json", 1, 3),
        Location("f.json", 3, 3),
        Location("f.json", 3, 8),
    ]
    assert [text[p.start : p.end] for p in parsed] == ['{"a": [1]}', "[2]", '"s"']


def test_parse_values_counts_lines_from_start_line() -> None:
    (parsed,) = parse_values(' {"a": 1}', "f.jsonl", start_line=7)
    assert parsed.location == Location("f.jsonl", 7, 2)


def test_crlf_lines_are_counted_once() -> None:
    with pytest.raises(CodegenError, match=r"^f\.json:3:5: "):
        parse_values('{\r\n"a":\r\n  1 2}', "f.json")


# --- sample sets ------------------------------------------------------------------------------


def test_sample_set_order_duplicates_and_skipped_files(tmp_path: Path) -> None:
    directory = write_samples(
        tmp_path,
        {
            "b.json": b'{"id": 1}\n{"id": 2}\n{"id": 1.0}\n',
            "a/x.jsonl": b'{"id": 2}\n\n{"id": 3}\n',
            "c.md": b'Response:\n```json\n{"id": 3}\n```\nCopy {"x": 1, "id": 4}\n',
            "d.ndjson": b'{"id": 4, "x": 1}\n',
            ".hidden.json": b'{"hidden": true}',
            ".git/e.json": b'{"hidden": true}',
            "codegen.toml": b"[codegen]\n",
            "notes.yaml": b"a: 1\n",
        },
    )
    samples = read_sample_set(directory, "samples")
    assert [(s.value, str(s.origin)) for s in samples] == [
        ({"id": 2}, "samples/a/x.jsonl:1:1"),
        ({"id": 3}, "samples/a/x.jsonl:3:1"),
        ({"id": 1}, "samples/b.json:1:1"),
        ({"id": 1.0}, "samples/b.json:3:1"),  # 1.0 is not 1: kept
        ({"x": 1, "id": 4}, "samples/c.md:5:6"),
        ({"id": 4, "x": 1}, "samples/d.ndjson:1:1"),  # other key order: kept
    ]


@pytest.mark.parametrize(
    "files", [{}, {"codegen.toml": b"[codegen]\n"}], ids=["empty", "config-only"]
)
def test_no_samples_is_an_error(tmp_path: Path, files: dict[str, bytes]) -> None:
    directory = write_samples(tmp_path, files)
    with pytest.raises(CodegenError, match=r"^no samples found in samples: expected"):
        read_sample_set(directory, "samples")


def test_missing_directory_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(CodegenError, match="not found"):
        read_sample_set(tmp_path / "nope", "nope")


# --- docs extraction --------------------------------------------------------------------------


def test_extraction_skips_candidates_that_are_not_json_even_with_nan() -> None:
    text = "Values [NaN, or more] are not JSON; {'a': 1} neither.\n[{\"a\": 1}]"
    samples = extract_from_document(text, "doc.md")
    assert [(s.value, str(s.origin)) for s in samples] == [([{"a": 1}], "doc.md:2:1")]


def test_extraction_leaves_arrays_of_scalars_in_prose() -> None:
    text = 'See note [1], values in [0, 100]; the message:\n{"ids": [1, 2]}'
    samples = extract_from_document(text, "doc.md")
    assert [(s.value, str(s.origin)) for s in samples] == [
        ({"ids": [1, 2]}, "doc.md:2:1")
    ]


def test_extraction_skips_prose_and_keeps_distinct_values() -> None:
    text = (
        'GET /users/{id} returns [the user]. Scalars like 42 and "x" are prose.\n'
        'Copy {"id": 1}\n'
        '{"id": 1}\n'
        '[{"id": 2}]{"id": 3}\n'
    )
    samples = extract_from_document(text, "doc.txt")
    assert [(s.value, str(s.origin)) for s in samples] == [
        ({"id": 1}, "doc.txt:2:6"),
        ([{"id": 2}], "doc.txt:4:1"),
        ({"id": 3}, "doc.txt:4:12"),
    ]


WEBSOCKET_STARTS = [1, 12, 23, 34, 71, 95, 164, 233, 302]
"""Lines of the seed where a message starts: "Copy {" or a lone "{" (checked by hand)."""


def test_websocket_seed_has_nine_messages() -> None:
    text = WEBSOCKET_SEED.read_text(encoding="utf-8")
    lines = text.split("\n")
    samples = extract_from_document(text, "seed.txt")
    assert len(samples) == 9
    assert [s.origin.line for s in samples] == WEBSOCKET_STARTS
    for sample in samples:
        assert sample.origin.line is not None and sample.origin.column is not None
        line = lines[sample.origin.line - 1]
        assert line in ("{", "Copy {")
        assert line[sample.origin.column - 1] == "{"
        assert isinstance(sample.value, dict) and "message_id" in sample.value
    assert samples[0].value["message_type"]["server_message"]["auth_result"] == {
        "result": "auth_failed",
        "session_id": None,
    }


def test_rest_seed_has_one_distinct_response() -> None:
    text = REST_SEED.read_text(encoding="utf-8")
    samples = extract_from_document(text, "seed.txt")
    assert len(samples) == 1
    assert samples[0].origin == Location("seed.txt", 2, 1)
    assert text.split("\n")[1] == "{"
    assert list(samples[0].value) == ["error", "pagination", "result", "success"]
    # The example really is repeated: four top-level copies, all equal.
    assert text.count('{\n"error": "<string>",\n"pagination"') == 4


def test_seeds_read_as_a_sample_set(tmp_path: Path) -> None:
    directory = write_samples(
        tmp_path,
        {
            "ws.txt": WEBSOCKET_SEED.read_bytes(),
            "rest.md": REST_SEED.read_bytes(),
        },
    )
    samples = read_sample_set(directory, "samples")
    assert [str(s.origin) for s in samples][:2] == [
        "samples/rest.md:2:1",
        "samples/ws.txt:1:6",
    ]
    assert len(samples) == 10


# --- ingest_document --------------------------------------------------------------------------


def expected_name(stem_slug: str, value: object) -> str:
    canonical = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return f"{stem_slug}-{hashlib.sha256(canonical.encode()).hexdigest()[:10]}.json"


def test_ingest_seed_is_stable_and_verbatim(tmp_path: Path) -> None:
    into = tmp_path / "out" / "samples"
    first = ingest_document(WEBSOCKET_SEED, into)
    stats = {path: path.stat() for path in first}
    second = ingest_document(WEBSOCKET_SEED, into)
    assert first == second
    assert sorted(path.name for path in into.iterdir()) == sorted(p.name for p in first)
    # Kept as they were, not rewritten.
    assert all(path.stat().st_mtime_ns == stats[path].st_mtime_ns for path in second)

    text = WEBSOCKET_SEED.read_text(encoding="utf-8")
    samples = extract_from_document(text, "seed.txt")
    assert [path.name for path in first] == [
        expected_name("000-06e79cef9e5c5c77", s.value) for s in samples
    ]
    lines = text.split("\n")
    for path, sample in zip(first, samples):
        written = path.read_text(encoding="utf-8")
        assert json.loads(written) == sample.value
        assert written.endswith("}\n") and not written.endswith("\n\n")
        # Verbatim: the written lines are the seed's lines from the value's start on.
        assert sample.origin.line is not None
        written_lines = written.rstrip("\n").split("\n")
        start = sample.origin.line - 1
        assert written_lines[0] == lines[start].removeprefix("Copy ")
        assert written_lines[1:] == lines[start + 1 : start + len(written_lines)]
    assert any("-0.49939999999990503" in path.read_text() for path in first)


def test_ingest_keeps_number_text(tmp_path: Path) -> None:
    doc = tmp_path / "My Docs_Page.v2.md"
    doc.write_text('Body:\n{"x": 1.50, "y": 1E5, "z": -0.00009999999997489795}\n')
    (path,) = ingest_document(doc, tmp_path / "into")
    value = {"x": 1.5, "y": 100000.0, "z": -0.00009999999997489795}
    assert path.name == expected_name("my-docs-page-v2", value)
    assert path.read_text() == '{"x": 1.50, "y": 1E5, "z": -0.00009999999997489795}\n'


def test_ingest_json_file_writes_each_distinct_value(tmp_path: Path) -> None:
    doc = tmp_path / "capture.json"
    doc.write_text('{"a": 1}\n{"a":1}\n[2]\n')
    paths = ingest_document(doc, tmp_path / "into")
    assert [p.name for p in paths] == [
        expected_name("capture", {"a": 1}),
        expected_name("capture", [2]),
    ]
    assert [p.read_text() for p in paths] == ['{"a": 1}\n', "[2]\n"]


def test_ingest_names_values_with_lone_surrogates(tmp_path: Path) -> None:
    doc = tmp_path / "doc.md"
    doc.write_text('Escapes: {"k": "\\ud800"}\n')
    (path,) = ingest_document(doc, tmp_path / "into")
    canonical = '{"k":"\ud800"}'.encode("utf-8", "surrogatepass")
    assert path.name == f"doc-{hashlib.sha256(canonical).hexdigest()[:10]}.json"
    assert path.read_text() == '{"k": "\\ud800"}\n'


def test_ingest_never_overwrites_different_content(tmp_path: Path) -> None:
    doc = tmp_path / "doc.txt"
    doc.write_text('One: {"a": 1}\nTwo: {"b": 2}\n')
    into = tmp_path / "into"
    into.mkdir()
    taken = into / expected_name("doc", {"b": 2})
    taken.write_text('{ "b" : 2 }\n')
    with pytest.raises(
        CodegenError, match="already exists with different content"
    ) as err:
        ingest_document(doc, into)
    assert str(err.value).startswith(f"{doc}:2:6: ")
    assert taken.read_text() == '{ "b" : 2 }\n'
    assert list(into.iterdir()) == [taken]  # checked before anything was written


def test_ingest_document_without_json_is_an_error(tmp_path: Path) -> None:
    doc = tmp_path / "doc.txt"
    doc.write_text("Nothing here.\n")
    with pytest.raises(CodegenError, match="no JSON object or array found"):
        ingest_document(doc, tmp_path / "into")
    assert not (tmp_path / "into").exists()
