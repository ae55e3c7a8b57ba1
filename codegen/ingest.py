"""Ingest: sample files in, samples out, each with the file:line:column it came from.

Decisions:
- A sample set is a directory, read recursively in sorted relative-POSIX-path order, so the
  result never depends on the file system; hidden files and directories are skipped. Suffixes
  are matched case-insensitively; other files are ignored (codegen.toml lives there too).
- .json holds one or more concatenated values; .jsonl/.ndjson one value per non-blank line (lines
  end at "\\n" only: str.splitlines would also split at U+2028, which a JSON string may hold raw),
  which may follow a prefix; .log one message per line after a prefix; .har the JSON responses
  and websocket frames received of an HTTP Archive (the rules are in codegen/captures.py);
  .txt/.md are text copied from docs pages, see extract_from_document.
- A sample file that yields no sample is an error, not skipped: an empty capture is a mistake.
- Exact duplicates (same keys in the same order, same values) are kept once, at their first
  occurrence; they are compared as json.dumps text, so 1, 1.0 and true stay distinct. (Inference
  reads a set through iter_samples, one sample at a time, and counts duplicates in its summary:
  codegen.infer.summary.)
- .jsonl/.ndjson/.log files in UTF-8 are read a line at a time, so a capture of any size streams.
- Docs extraction skips only candidates that are not JSON at all ("{id}" in a sentence). A
  candidate that is complete JSON by Python's lenient reading but breaks a strictness rule
  (duplicate key, NaN, 1e400, too deep) is an error at its position: skipping it would silently
  drop an example that the page meant as a sample.
- Docs blocks that are almost JSON are not lost silently. When the intent is unambiguous the
  block is repaired and read, with a warning naming file:line: `//` and `/* */` comments, trailing
  commas, HTML-escaped text (`&quot;`). A block with a `...` elision cannot be completed by
  guessing: it is skipped with a warning naming file:line. A repaired block is written by
  `codegen ingest` as its repaired text.
- In a set, notes are never samples: README*, NOTES*, CHANGELOG* (any case, any suffix) are
  skipped, so a folder can explain its captures beside them.
- ingest_document reads any other suffix (.html, no suffix) as a docs document.
- Only regular files are read: in a set, a FIFO (which would wait forever for a writer), a socket
  or a device (a link to /dev/zero never ends) is skipped with a warning naming it; a document
  given to `codegen ingest` must be a regular file. A file larger than the set's max_file_size is
  an error before it is read.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from collections.abc import Iterable, Iterator
from typing import Any, BinaryIO, NoReturn

from codegen.captures import (
    Found,
    Message,
    holds_containers,
    line_messages,
    read_har,
    read_lines,
)
from codegen.errors import CodegenError, Location, notify, shown
from codegen.jsonreader import JSONText, Lines, ParsedValue, decode_lines, decode_text

SAMPLE_SUFFIXES = (".json", ".jsonl", ".ndjson", ".log", ".har", ".txt", ".md")
_LINES_SUFFIXES = (".jsonl", ".ndjson")
_CANDIDATE = re.compile(r"[{\[]")
_NOTES = re.compile(r"(readme|notes|changelog)([._ -].*)?", re.IGNORECASE)
# Outside strings: a comment, or a comma before a closing bracket.
_REPAIRABLE = re.compile(
    r'"(?:[^"\\]|\\.)*"|//[^\n]*|/\*.*?\*/|,(?=\s*[}\]])', re.DOTALL
)
_HTML_ENTITY = re.compile(r"&(?:quot|amp|lt|gt|apos|#\d+|#x[0-9a-fA-F]+);")
_STRING_OR_BRACKET = re.compile(r'"(?:[^"\\\n]|\\.)*"|[{}\[\]]')
_ELISION = re.compile(r"\.\.\.|…")

MAX_FILE_SIZE = 64 * 1024 * 1024
"""Largest input file read, in bytes, unless a set's codegen.toml sets max_file_size: far above
real captures, and a clear error instead of running out of memory on a runaway file."""

_SPECIAL_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


class NotRegularFile(CodegenError):
    """An input path that is a FIFO, socket or device: reading it could block or never end."""


@dataclass(frozen=True)
class Sample:
    """One parsed JSON value and where it starts, for messages about it."""

    value: Any
    origin: Location
    folder: str | None = (
        None  # the set's sub-folder the sample sits in (it may name its kind)
    )


FlatSample = tuple[Any, str | None, str, int | None, int | None]
"""A sample, flat: its value, its folder, and the file, line and column it starts at (Sample's
fields, its origin's fields). A set's samples stream to their summary as these: a sample costs
no object but its value (codegen.fold)."""


def read_sample_set(
    directory: Path, display_root: str, *, max_file_size: int = MAX_FILE_SIZE
) -> list[Sample]:
    """All distinct samples of a sample-set directory, sorted by (file, line, column)."""
    files = sample_files(directory, display_root)
    samples: list[Sample] = []
    seen: set[str] = set()  # a sample is kept once per folder (folders may name kinds)
    # Files in sorted order and values in text order: the samples come out sorted.
    for value, folder, file, line, column in iter_samples(
        directory, display_root, files, max_file_size
    ):
        key = f"{folder}/{json.dumps(value)}"
        if key not in seen:
            seen.add(key)
            samples.append(Sample(value, Location(file, line, column), folder))
    if not samples:
        raise no_samples(display_root)
    if any(sample.folder is None for sample in samples):
        # Folders only organise files here (see pipeline.infer_schema): one copy in all.
        unique = {json.dumps(sample.value): sample for sample in reversed(samples)}
        samples = [
            sample for sample in samples if unique[json.dumps(sample.value)] is sample
        ]
    return samples


def sample_files(directory: Path, display_root: str) -> list[str]:
    """The sample files of a set, as sorted relative POSIX paths."""
    if not directory.is_dir():
        raise CodegenError(f"sample set directory not found: {shown(display_root)}")
    return _sample_files(directory)


def by_folder(directory: Path, files: list[str]) -> bool:
    """Every sample sits in a sub-folder (which may then name its kind): no regular sample file
    at the top of the set. Known from the file list alone, before any sample is read."""
    for relative in files:
        if "/" not in relative:
            try:
                if stat.S_ISREG(os.stat(directory / relative).st_mode):
                    return False
            except OSError:
                return False  # reading it will report the problem
    return True


def iter_samples(
    directory: Path, display_root: str, files: list[str], max_file_size: int
) -> Iterator[FlatSample]:
    """The samples of `files` (relative to `directory`) in order, one at a time, duplicates
    included; a file that is not a regular file is skipped with a warning."""
    for relative in files:
        display = f"{display_root}/{relative}"
        folder = _folder(relative)
        try:
            for value, line, column, _, _, _ in _read_messages(
                directory / relative, display, max_file_size
            ):
                yield value, folder, display, line, column
        except NotRegularFile as skipped:
            notify(f"warning: {skipped}; skipped")


def line_samples(
    display_root: str, relative: str, lines: Iterable[tuple[int, str]]
) -> Iterator[FlatSample]:
    """The samples of lines of the set's file `relative` (JSON Lines or a log, by its suffix),
    given as (line number, text without its "\\n"): the rules of a file read whole, for lines
    that come from elsewhere (codegen.distributed). The check that a file yields a sample is
    the caller's (see no_message)."""
    display = f"{display_root}/{relative}"
    log = lines_kind(relative)
    if log is None:
        raise CodegenError(
            "not JSON Lines or a log (.jsonl, .ndjson, .log): read it as a file",
            Location(display),
        )
    folder = _folder(relative)
    for value, line, column, _, _, _ in line_messages(lines, display, log=log):
        yield value, folder, display, line, column


def lines_kind(name: str) -> bool | None:
    """For a file read a line at a time (.jsonl, .ndjson, .log): whether it is a log; None for
    any other file."""
    suffix = PurePosixPath(name).suffix.lower()
    if suffix == ".log":
        return True
    return False if suffix in _LINES_SUFFIXES else None


def no_message(display: str, *, log: bool, last: tuple[int, int]) -> CodegenError:
    """The error for a JSON Lines file or log none of whose lines holds a message; `last`: the
    number and length of the line it ends with (a "\\n" at its end starts an empty one).
    """
    if log:
        return CodegenError(_NO_MESSAGE_LINE, Location(display))
    return _empty(Location(display, max(last[0], 1), last[1] + 1), ".jsonl")


def _folder(relative: str) -> str | None:
    """The set's sub-folder a file sits in (it may name its kind)."""
    return relative.split("/", 1)[0] if "/" in relative else None


def no_samples(display_root: str) -> CodegenError:
    return CodegenError(
        f"no samples found in {shown(display_root)}: expected .json, .jsonl, .ndjson, .log,"
        " .har, .txt or .md files"
    )


def extract_from_document(text: str, file: str) -> list[Sample]:
    """The distinct JSON objects and arrays in text copied from a docs page, in text order."""
    return [
        Sample(found.parsed.value, found.parsed.location)
        for found in _extract(text, file)
    ]


def ingest_document(doc: Path, into: Path) -> list[Path]:
    """Write each distinct JSON value of doc into its own stably named file in into.

    A file's content is the value's exact source text (numbers keep their spelling) plus a
    newline. An existing file with the same content is kept; one with different content is an
    error, checked for every value before anything is written. Returns paths in document order.
    """
    display = str(doc)
    prefix = re.sub(r"[^a-z0-9]+", "-", doc.stem.lower()).strip("-") or "doc"
    planned: dict[Path, tuple[bytes, Location]] = {}
    for found in _read_file(doc, display, MAX_FILE_SIZE):
        canonical = json.dumps(
            found.parsed.value, separators=(",", ":"), ensure_ascii=False
        )
        # surrogatepass: a JSON "\ud800" escape reads as a lone surrogate.
        digest = hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()
        path = into / f"{prefix}-{digest[:10]}.json"
        content = (found.source + "\n").encode("utf-8")
        planned.setdefault(path, (content, found.parsed.location))
    try:
        missing = [
            path
            for path, (content, origin) in planned.items()
            if not _holds(path, content, origin)
        ]
        into.mkdir(parents=True, exist_ok=True)
        for path in missing:
            _write_atomically(path, planned[path][0])
    except OSError as exc:
        _fail_io(exc)
    return list(planned)


def _holds(path: Path, content: bytes, origin: Location) -> bool:
    """Whether path already holds content; an error if it holds anything else."""
    if not path.exists():
        return False
    if path.read_bytes() != content:
        raise CodegenError(
            f"{shown(str(path))} already exists with different content: not overwriting it",
            origin,
        )
    return True


def _write_atomically(path: Path, content: bytes) -> None:
    """Write via a temporary file in the same directory, so no reader sees a partial file."""
    # Not tempfile.mkstemp: its files are private (0600), these should follow the umask.
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    try:
        with open(temporary, "xb") as stream:
            stream.write(content)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _fail_io(exc: OSError) -> NoReturn:
    where = Location(str(exc.filename)) if exc.filename else None
    raise CodegenError(f"cannot access it: {exc.strerror or exc}", where) from exc


def _sample_files(directory: Path) -> list[str]:
    """Relative POSIX paths of the sample files under directory, sorted, hidden ones skipped."""
    found: list[str] = []
    for root, dirs, files in os.walk(directory, onerror=_fail_io):
        dirs[:] = [name for name in dirs if not name.startswith(".")]
        base = Path(root).relative_to(directory)
        found.extend(
            (base / name).as_posix()
            for name in files
            if not name.startswith(".")
            and Path(name).suffix.lower() in SAMPLE_SUFFIXES
            and not _NOTES.fullmatch(name)
        )
    return sorted(found)


def _read_regular_file(path: Path, display: str, limit: int) -> bytes:
    """The bytes of a regular file of at most `limit` bytes; NotRegularFile for anything else.

    The path is checked first (opening a socket fails, opening a FIFO waits for a writer), then the
    file is opened without blocking and checked again, in case it was replaced in between.
    """
    try:
        _require_regular(os.stat(path), display)
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        with open(descriptor, "rb") as stream:
            info = os.fstat(descriptor)
            _require_regular(info, display)
            data = stream.read(limit + 1)
            size = max(info.st_size, len(data))
    except OSError as exc:
        raise CodegenError(
            f"cannot read file: {exc.strerror or exc}", Location(display)
        ) from None
    if size > limit:
        raise CodegenError(
            f"file of {size} bytes is larger than the limit of {limit} bytes"
            " (raise max_file_size in the set's codegen.toml if it is meant to be read)",
            Location(display),
        )
    return data


def _require_regular(info: os.stat_result, display: str) -> None:
    for is_kind, kind in _SPECIAL_KINDS:
        if is_kind(info.st_mode):
            raise NotRegularFile(f"{kind}, not a regular file", Location(display))


def _read_file(path: Path, display: str, max_file_size: int) -> Iterator[Found]:
    """The values of one sample file by its suffix; a file that yields none is an error."""
    for value, line, column, start, end, text in _read_messages(
        path, display, max_file_size
    ):
        location = Location(display, line, column)
        yield Found(ParsedValue(value, location, start, end), text)


def _read_messages(path: Path, display: str, max_file_size: int) -> Iterator[Message]:
    """_read_file, flat. JSON Lines and logs are read a line at a time, so a capture of any
    size streams."""
    suffix = path.suffix.lower()
    log = lines_kind(path.name)
    if log is not None:
        streamed = _stream_lines(path, display, max_file_size, log=log)
        if streamed is not None:
            yield from streamed
            return
    text = decode_text(_read_regular_file(path, display, max_file_size), display)
    if suffix == ".json" or suffix in _LINES_SUFFIXES:
        if suffix == ".json":
            found = [Found(parsed, text) for parsed in JSONText(text, display).values()]
        else:
            found = read_lines(text, display, log=False)
        if not found:
            raise _empty(JSONText(text, display).location(len(text)), suffix)
        yield from _flat(found)
        return
    if suffix == ".log":
        found, nothing = read_lines(text, display, log=True), _NO_MESSAGE_LINE
    elif suffix == ".har":
        found = read_har(text, display)
        nothing = "no JSON response body or websocket frame received in this HAR file"
    else:
        found, nothing = _extract(text, display), "no JSON object or array found"
    if not found:
        raise CodegenError(nothing, Location(display))
    yield from _flat(found)


def _flat(found: list[Found]) -> Iterator[Message]:
    for each in found:
        parsed = each.parsed
        where = parsed.location
        yield parsed.value, where.line, where.column, parsed.start, parsed.end, each.text


_NO_MESSAGE_LINE = "no line holds a message"


def _empty(end: Location, suffix: str) -> CodegenError:
    expected = "a JSON value" if suffix == ".json" else "one JSON value per line"
    return CodegenError(f"empty file, expected {expected}", end)


def _stream_lines(
    path: Path, display: str, limit: int, *, log: bool
) -> Iterator[Message] | None:
    """The messages of a JSON Lines file or log, a line at a time; None for a file in UTF-16
    or UTF-32 (read whole instead). The same checks as a whole read: a regular file, within the
    size limit, at least one message."""
    try:
        _require_regular(os.stat(path), display)
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        stream = open(descriptor, "rb")
        info = os.fstat(descriptor)
        _require_regular(info, display)
    except OSError as exc:
        raise CodegenError(
            f"cannot read file: {exc.strerror or exc}", Location(display)
        ) from None
    if info.st_size > limit:
        stream.close()
        raise CodegenError(
            f"file of {info.st_size} bytes is larger than the limit of {limit} bytes"
            " (raise max_file_size in the set's codegen.toml if it is meant to be read)",
            Location(display),
        )
    lines = decode_lines(stream, display)
    if lines is None:
        stream.close()
        return None
    return _each_message(stream, lines, display, log=log)


def _each_message(
    stream: BinaryIO, lines: Lines, display: str, *, log: bool
) -> Iterator[Message]:
    any_found = False
    with stream:
        try:
            for message in line_messages(lines, display, log=log):
                any_found = True
                yield message
        except OSError as exc:
            raise CodegenError(
                f"cannot read file: {exc.strerror or exc}", Location(display)
            ) from None
    if not any_found:
        raise no_message(display, log=log, last=lines.end)


def _extract(text: str, file: str) -> list[Found]:
    """Every distinct object, or array holding objects or arrays, embedded in prose.

    Each '{' or '[' is a candidate; a candidate that is not JSON is tried as almost-JSON (see the
    module docstring) and otherwise skipped, scanning on at the next character; a value that is
    taken is skipped over as a whole. An array of scalars in prose ("see note [1]", "in [0, 100]")
    is prose, not a sample. First occurrences are kept.
    """
    source = JSONText(text, file)
    found: list[Found] = []
    seen: set[str] = set()
    pos = 0
    while candidate := _CANDIDATE.search(text, pos):
        start = candidate.start()
        parsed = source.embedded_value_at(start)
        if parsed is not None:
            value: Found | None = Found(parsed, text)
            pos = parsed.end
        else:
            # A block meant as JSON is skipped whole: its inner brackets are not samples.
            value, end = _almost_json(source, start)
            pos = start + 1 if end is None else end
        if value is None:
            continue
        if not holds_containers(value.parsed.value):
            continue
        key = json.dumps(value.parsed.value)
        if key not in seen:
            seen.add(key)
            found.append(value)
    return found


def _almost_json(source: JSONText, start: int) -> tuple[Found | None, int | None]:
    """A docs block at start that is JSON but for comments, trailing commas or HTML escapes.

    Returns the repaired value (its text is the repaired block) and the block's end; (None, end)
    for a block with a `...` elision, which is reported; (None, None) for prose.
    """
    end = _block_end(source.text, start)
    if end is None:
        return None, None
    block = source.text[start:end]
    where = source.location(start)
    repairs = []
    if _HTML_ENTITY.search(block):
        block = html.unescape(block)
        repairs.append("HTML escapes")
    stripped = _REPAIRABLE.sub(
        lambda m: m.group() if m.group().startswith('"') else "", block
    )
    if stripped != block:
        repairs.append("comments or trailing commas")
    if not repairs and not _ELISION.search(block):
        return None, None
    try:
        parsed = JSONText(stripped, source.file).value_at(0)
    except CodegenError:
        parsed = None
    if parsed is None or stripped[parsed.end :].strip():
        if _ELISION.search(stripped) and '"' in stripped:
            notify(
                f"warning: {where}: skipped a block that is not JSON: it elides part of the"
                " value with `...`; write it out in full to use it as a sample"
            )
            return None, end
        return None, None
    notify(f"warning: {where}: read a block after removing its {' and '.join(repairs)}")
    located = ParsedValue(parsed.value, where, 0, parsed.end)
    return Found(located, stripped), end


def _block_end(text: str, start: int) -> int | None:
    """The end of the bracketed block at start (strings skipped), None if it never closes."""
    depth = 0
    for match in _STRING_OR_BRACKET.finditer(text, start):
        token = match.group()
        if token in "{[":
            depth += 1
        elif token in "}]":
            depth -= 1
            if depth == 0:
                return match.end()
    return None
