"""Strict JSON reading with positions: every value and every error carries file:line:column.

Decisions:
- RFC 8259 only. NaN, Infinity and -Infinity are rejected although Python's json accepts them:
  they cannot round-trip as JSON. A number that overflows a float (1e400 would silently become
  inf) and an integer longer than Python's int-string limit (sys.get_int_max_str_digits) are
  errors too. Integers beyond 64 bits, -0.0 and 1E5 are accepted and read as json.loads reads them.
- A duplicate key in one object is an error at its second occurrence (last-wins would silently
  lose data). Keys are compared after unescaping, so "a" and "\\u0061" are the same key.
- Nesting deeper than MAX_DEPTH is an error at the first bracket beyond it, never a RecursionError.
- A text may hold several values one after the other (concatenated JSON, whitespace between).
- Lines end at "\\n" (so CRLF works); columns count characters (code points); both are 1-based.
- Fast path: the C parser (json.JSONDecoder.raw_decode) with hooks that only detect violations.
  When it fails, a small pure-Python scanner re-reads that one value to find the first problem and
  say what was expected and what was found: errors are rare, so its speed does not matter.
- Bytes: UTF-8, with an optional BOM that is stripped; UTF-16 and UTF-32 only with a BOM, which is
  what tells them apart from UTF-8 (Windows editors save UTF-16 with one). Without a BOM, UTF-16
  reads as UTF-8 full of NUL bytes, which the parser reports as such.
"""

from __future__ import annotations

import codecs
import json
import math
import re
from dataclasses import dataclass
from json.scanner import make_scanner
from itertools import accumulate, chain, count
from collections.abc import Iterable, Iterator
from typing import Any, BinaryIO, Callable, NoReturn

from codegen.errors import CodegenError, Location

MAX_DEPTH = 300
"""Deepest nesting of objects and arrays the reader accepts: a limit for the reader's safety only,
far beyond real payloads (which nest well under 20 levels) but deep enough for trees, threads and
ASTs, which inference folds into one recursive type whatever their depth (types themselves nest
at most thresholds.MAX_TYPE_DEPTH levels). A generated package decodes a level of a recursive
type in at most three Python frames: 300 levels stay within Python's default recursion limit of
1,000, so every sample the reader accepts can round-trip."""

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8"),
    # UTF-32 before UTF-16: the UTF-32-LE BOM starts with the UTF-16-LE one.
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
)
_NON_SPACE = re.compile(r"[^ \t\n\r]")
_VALUE_START = frozenset('{["-0123456789tfnNI')
_CONTAINER_START = ("{", "[")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?")
_WORD = re.compile(r"[A-Za-z0-9_.+-]+")
# In text the C parser accepted, every '"' belongs to a string: removing strings and all other
# non-bracket characters leaves the brackets alone.
_STRING_OR_NON_BRACKETS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[^"\[\]{}]+')
_DEPTH_STEP = {"{": 1, "[": 1, "}": -1, "]": -1}


def decode_text(data: bytes, file: str) -> str:
    """The text of an input file; an undecodable byte is an error at its line and column."""
    codec, name = "utf-8", "UTF-8"
    for bom, bom_codec, bom_name in _BOMS:
        if data.startswith(bom):
            codec, name = bom_codec, bom_name
            break
    if codec == "utf-8-sig":
        # Decoded after the BOM: utf-8-sig counts an error's offset from there, not from `data`.
        data, codec = data[len(codecs.BOM_UTF8) :], "utf-8"
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        before = data[: exc.start].decode(codec)
        line = before.count("\n") + 1
        column = len(before) - before.rfind("\n")
        message = f"invalid {name}: byte 0x{data[exc.start]:02x} ({exc.reason})"
        raise CodegenError(message, Location(file, line, column)) from None


def decode_lines(stream: BinaryIO, file: str) -> Lines | None:
    """The lines of a UTF-8 file, read a block at a time (see Lines); None for a file in UTF-16
    or UTF-32, which is read whole by decode_text instead."""
    head = stream.peek(4)[:4] if hasattr(stream, "peek") else b""
    if any(head.startswith(bom) for bom, codec, _ in _BOMS if codec != "utf-8-sig"):
        return None
    return Lines(stream, file)


# Bytes of lines read and decoded at once: thousands of a capture's lines a call, and all a
# streamed capture holds of its text at a time (a longer line is read whole).
_LINES_BLOCK = 1 << 18


class Lines:
    """The lines of a UTF-8 stream as (line number, text without its "\\n"), cut as
    str.split("\\n") cuts the text (lines end at "\\n" only; a "\\n" at the end starts an empty
    last line), with a BOM at the start stripped. An undecodable byte is an error at its line and
    column, as in decode_text, raised once the lines before it are taken.

    Read and decoded a block of whole lines at a time, and handed out by C iterators: a line
    costs no Python call of its own. `end`: the number and length of the last line handed out.
    """

    def __init__(
        self, stream: BinaryIO, file: str, block_size: int = _LINES_BLOCK
    ) -> None:
        self.end = (1, 0)
        self._stream = stream
        self._file = file
        self._block_size = block_size

    def __iter__(self) -> Iterator[tuple[int, str]]:
        return chain.from_iterable(self._blocks())

    def _blocks(self) -> Iterator[Iterable[tuple[int, str]]]:
        number = 1  # of the first line of the next block
        pieces: list[bytes] = []  # of a line not ended yet
        while True:
            data = self._stream.read(self._block_size)
            cut = data.rfind(b"\n") + 1
            if data and not cut:
                pieces.append(data)
                continue
            pieces.append(data[:cut])
            block = b"".join(pieces)
            pieces = [data[cut:]]
            if number == 1 and block.startswith(codecs.BOM_UTF8):
                block = block[len(codecs.BOM_UTF8) :]
            try:
                lines = block.decode("utf-8").split("\n")
            except UnicodeDecodeError as exc:
                # The lines before the one holding it are taken first, as a line at a time.
                start = block.rfind(b"\n", 0, exc.start) + 1
                before = block[:start].decode("utf-8").split("\n")[:-1]
                yield zip(count(number), before)
                column = len(block[start : exc.start].decode("utf-8")) + 1
                message = f"invalid UTF-8: byte 0x{block[exc.start]:02x} ({exc.reason})"
                where = Location(self._file, number + len(before), column)
                raise CodegenError(message, where) from None
            if data:
                lines.pop()  # what follows the block's last "\n": the start of the next block
            self.end = (number + len(lines) - 1, len(lines[-1]))
            yield zip(count(number), lines)
            if not data:
                return
            number += len(lines)


@dataclass(frozen=True)
class ParsedValue:
    """A JSON value, where it starts (for messages) and its span in the text (to copy it verbatim)."""

    value: Any
    location: Location
    start: int
    end: int


class InvalidJSON(CodegenError):
    """A JSON reading error at the first problem in a value.

    well_formed is True when the value is complete JSON as Python's lenient json module reads it
    and breaks only one of our strictness rules (duplicate key, NaN, overflow, depth): docs
    extraction skips prose that is not JSON at all, but must report such values.
    """

    def __init__(self, message: str, location: Location, *, well_formed: bool) -> None:
        super().__init__(message, location)
        self.well_formed = well_formed


class JSONText:
    """A decoded text to read JSON values from, numbering its lines from start_line."""

    def __init__(self, text: str, file: str, *, start_line: int = 1) -> None:
        self.text = text
        self.file = file
        self._start_line = start_line
        # A known offset and its line: locations are mostly asked for in text order.
        self._cursor = (0, start_line)

    def location(self, offset: int) -> Location:
        """The file:line:column of an offset into the text."""
        known, line = self._cursor
        if offset < known:
            known, line = 0, self._start_line
        line += self.text.count("\n", known, offset)
        self._cursor = (offset, line)
        return Location(self.file, line, offset - self.text.rfind("\n", 0, offset))

    def values(self) -> list[ParsedValue]:
        """Every value in the text, which must hold nothing but whitespace-separated JSON values."""
        found: list[ParsedValue] = []
        pos = _skip_space(self.text, 0)
        while pos < len(self.text):
            if found and (
                self.text[pos] not in _VALUE_START
                # "1 2" is two values but "12" is one: only brackets and quotes delimit.
                or pos == found[-1].end
                and self.text[pos - 1] not in '}]"'
            ):
                expected = "expected end of input or whitespace and another JSON value"
                raise self._error(_syntax(self.text, pos, expected), well_formed=False)
            found.append(self.value_at(pos))
            pos = _skip_space(self.text, found[-1].end)
        return found

    def value_at(self, offset: int) -> ParsedValue:
        """The JSON value starting exactly at offset; InvalidJSON at its first problem otherwise."""
        try:
            return self._fast(offset)
        except _SLOW_PATH:
            raise self._diagnose(offset) from None

    def embedded_value_at(self, offset: int) -> ParsedValue | None:
        """Like value_at, but None when the text at offset is not JSON at all (prose in a doc)."""
        try:
            return self._fast(offset)
        except json.JSONDecodeError:
            return None  # a syntax error, so prose: no need for the slow diagnosis
        except _SLOW_PATH:
            problem = self._diagnose(offset)
        if problem.well_formed:
            raise problem
        return None

    def _fast(self, offset: int) -> ParsedValue:
        """The C parser's reading; any exception sends the caller to the slow diagnosis."""
        value, end = _DECODER.raw_decode(self.text, offset)
        if _too_deep(self.text, offset, end):
            raise _Violation
        return ParsedValue(value, self.location(offset), offset, end)

    def _diagnose(self, offset: int) -> InvalidJSON:
        """Re-read the value with the slow scanner to name its first problem and where it is."""
        scanner = _Scanner(self.text, self.location)
        try:
            scanner.scan_value(offset)
        except _Problem as syntax:
            return self._error(scanner.violation or syntax, well_formed=False)
        if scanner.violation is None:
            # The C parser hit RecursionError below MAX_DEPTH: the caller's stack was already deep.
            message = "JSON value nested too deeply for the remaining Python stack"
            return InvalidJSON(message, self.location(offset), well_formed=True)
        return self._error(scanner.violation, well_formed=True)

    def _error(self, problem: _Problem, *, well_formed: bool) -> InvalidJSON:
        return InvalidJSON(
            problem.message, self.location(problem.offset), well_formed=well_formed
        )


def parse_values(text: str, file: str, *, start_line: int = 1) -> list[ParsedValue]:
    """Every whitespace-separated JSON value in text; [] for a blank text."""
    return JSONText(text, file, start_line=start_line).values()


def whole_line_value(text: str) -> tuple[Any, int] | None:
    """The object or array that starts at the first character of `text` and is followed by
    nothing but whitespace, with its end, read as JSONText.values reads it; None for any other
    text and for a value that breaks a rule (the caller then reads the text the general way,
    which says what is wrong). The common line of a capture, read without the general way's
    bookkeeping."""
    if text[:1] not in _CONTAINER_START:
        return None
    try:
        # raw_decode's own work, without its Python frame (StopIteration: no value there).
        value, end = _SCAN_ONCE(text, 0)
    except (StopIteration, *_SLOW_PATH):
        return None
    if end < len(text) and _NON_SPACE.search(text, end):
        return None
    if end > _SHALLOW and _too_deep(text, 0, end):  # a line is short: no call then
        return None
    return value, end


class _Violation(Exception):
    """Raised by the C parser's hooks to leave the fast path; the scanner then says where and why."""


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        raise _Violation
    return obj


def _finite_float(token: str) -> float:
    value = float(token)
    if math.isinf(value):
        raise _Violation
    return value


def _reject_constant(token: str) -> NoReturn:
    raise _Violation


_DECODER = json.JSONDecoder(
    object_pairs_hook=_unique_pairs,
    parse_float=_finite_float,
    parse_constant=_reject_constant,
)
# What the fast path raises when the slow scanner must look: JSONDecodeError (a ValueError) for
# syntax, ValueError for the int-string limit, RecursionError or _Violation for our own rules.
_SLOW_PATH = (ValueError, RecursionError, _Violation)
# What _DECODER.raw_decode calls (typeshed types the context as a scanner).
_SCAN_ONCE = make_scanner(_DECODER)  # type: ignore[arg-type]


def _skip_space(text: str, pos: int) -> int:
    found = _NON_SPACE.search(text, pos)
    return found.start() if found else len(text)


# A value this long or shorter nests no deeper than MAX_DEPTH: each level takes two characters
# at least, its brackets.
_SHALLOW = 2 * MAX_DEPTH


def _too_deep(text: str, start: int, end: int) -> bool:
    """Whether a value the C parser accepted nests deeper than MAX_DEPTH (it allows ~1000)."""
    if end - start <= _SHALLOW:
        return False
    if text.count("{", start, end) + text.count("[", start, end) <= MAX_DEPTH:
        return False
    brackets = _STRING_OR_NON_BRACKETS.sub("", text[start:end])
    return (
        max(accumulate(map(_DEPTH_STEP.__getitem__, brackets)), default=0) > MAX_DEPTH
    )


class _Problem(Exception):
    """A problem found by the scanner; raised for syntax errors, noted for strictness violations."""

    def __init__(self, offset: int, message: str) -> None:
        super().__init__(message)
        self.offset = offset
        self.message = message


def _shorten(token: str) -> str:
    return token if len(token) <= 24 else token[:21] + "..."


def _describe(text: str, pos: int) -> str:
    """What the reader found at pos, for "expected X, found Y" messages."""
    if pos >= len(text):
        return "end of input"
    char = text[pos]
    if char == "\x00":
        return "NUL byte"
    if char == "\n":
        return "end of line"
    if char == "'":
        return '"\'" (JSON strings use double quotes)'
    if text.startswith(("//", "/*"), pos):
        return f"{text[pos:pos + 2]!r} (JSON has no comments)"
    word = _WORD.match(text, pos)
    if word:
        return repr(_shorten(word.group()))
    if not char.isprintable():
        return f"character U+{ord(char):04X}"
    return repr(char)


def _syntax(text: str, pos: int, expected: str) -> _Problem:
    return _Problem(pos, f"{expected}, found {_describe(text, pos)}")


class _Scanner:
    """A pure-Python JSON reader that only looks for problems; iterative, so depth cannot hurt it."""

    def __init__(self, text: str, locate: Callable[[int], Location]) -> None:
        self.text = text
        self.locate = locate
        self.violation: _Problem | None = None

    def scan_value(self, pos: int) -> int:
        """Read one value from pos and return its end.

        A syntax error raises; the first strictness violation is noted and reading goes on, to
        learn whether the value is otherwise well-formed.
        """
        text = self.text
        # One entry per open container: an object's keys with their offsets, or None for an array.
        stack: list[dict[str, int] | None] = []
        expected = "expected a JSON value"
        while True:
            pos = _skip_space(text, pos)
            char = text[pos : pos + 1]
            if char in ("{", "["):
                if len(stack) == MAX_DEPTH:
                    self._note(
                        pos,
                        f"nesting deeper than {MAX_DEPTH} levels of objects and arrays",
                    )
                pos = _skip_space(text, pos + 1)
                if text.startswith("}" if char == "{" else "]", pos):
                    pos += 1  # an empty container is a complete value
                elif char == "[":
                    stack.append(None)
                    expected = "expected a JSON value or ']'"
                    continue
                else:
                    keys: dict[str, int] = {}
                    stack.append(keys)
                    pos = self._member_key(pos, keys, "expected a string key or '}'")
                    expected = "expected a JSON value after ':'"
                    continue
            else:
                pos = self._scalar(pos, expected)
            # A value is complete: close the containers it completes, or go on after a ','.
            while stack:
                pos = _skip_space(text, pos)
                keys_or_array = stack[-1]
                if text.startswith(",", pos):
                    if keys_or_array is None:
                        pos += 1
                        expected = "expected a JSON value after ','"
                    else:
                        pos = self._member_key(
                            pos + 1, keys_or_array, "expected a string key after ','"
                        )
                        expected = "expected a JSON value after ':'"
                    break
                if keys_or_array is None:
                    if not text.startswith("]", pos):
                        raise _syntax(
                            text, pos, "expected ',' or ']' after an array element"
                        )
                elif not text.startswith("}", pos):
                    raise _syntax(
                        text, pos, "expected ',' or '}' after an object member"
                    )
                stack.pop()
                pos += 1
            else:
                return pos

    def _note(self, pos: int, message: str) -> None:
        if self.violation is None:
            self.violation = _Problem(pos, message)

    def _member_key(self, pos: int, keys: dict[str, int], expected: str) -> int:
        """Read `"key" :` from pos and return the offset after the ':'."""
        pos = _skip_space(self.text, pos)
        if not self.text.startswith('"', pos):
            raise _syntax(self.text, pos, expected)
        key, end = self._string(pos)
        first = keys.setdefault(key, pos)
        if first != pos:
            where = self.locate(first)
            self._note(
                pos,
                f"duplicate key {json.dumps(key, ensure_ascii=False)} in an object (first at"
                f" line {where.line}, column {where.column}): keeping one value would lose data",
            )
        pos = _skip_space(self.text, end)
        if not self.text.startswith(":", pos):
            raise _syntax(self.text, pos, "expected ':' after an object key")
        return pos + 1

    def _string(self, pos: int) -> tuple[str, int]:
        """Read the string whose opening quote is at pos, with the C parser."""
        try:
            decoded: tuple[str, int] = _DECODER.raw_decode(self.text, pos)
            return decoded
        except json.JSONDecodeError as exc:
            if exc.msg.startswith("Unterminated"):
                raise _Problem(
                    pos, "unterminated string: no closing '\"' before end of input"
                )
            if exc.msg.startswith("Invalid control"):
                found = _describe(self.text, exc.pos)
                raise _Problem(
                    exc.pos,
                    f"expected '\"' to end the string (control characters must be escaped),"
                    f" found {found}",
                )
            # The C parser points at the backslash or, for \\uXXXX, just after it.
            start = self.text.rindex("\\", pos, exc.pos + 1)
            length = 6 if self.text.startswith("\\u", start) else 2
            escape = self.text[start : start + length]
            raise _Problem(
                start, f"expected a valid escape in a string, found '{escape}'"
            )

    def _scalar(self, pos: int, expected: str) -> int:
        """Read a string, number or literal from pos and return its end."""
        text = self.text
        if text.startswith('"', pos):
            return self._string(pos)[1]
        for literal in ("true", "false", "null"):
            if text.startswith(literal, pos):
                return pos + len(literal)
        for constant in ("NaN", "Infinity", "-Infinity"):
            if text.startswith(constant, pos):
                self._note(
                    pos,
                    f"{constant} is not JSON (non-finite numbers cannot round-trip)",
                )
                return pos + len(constant)
        number = _NUMBER.match(text, pos)
        if number is None:
            raise _syntax(text, pos, expected)
        token = number.group()
        if number.group(1) or number.group(2):
            if math.isinf(float(token)):
                self._note(
                    pos,
                    f"number {_shorten(token)} is too large for a float (it would become inf)",
                )
        else:
            try:
                int(token)
            except ValueError as exc:
                self._note(pos, f"integer too long to read: {exc}")
        return number.end()
