"""Captured traffic as samples: log lines with a prefix, and HAR files.

Decisions:
- A line of a log is one message: a JSON object or array running from after a prefix to the end
  of the line: `1617123456.789: {...}`, `2024-01-01T00:00:00Z <- {...}`, `[12:00:01] recv {...}`.
  The prefix is any text that is not itself a message: bracketed tags (`[INFO]`, `[12:00:01]`,
  `[42]`: not JSON, or arrays of scalars like `[1]` in prose) are prefix. The message starts at the
  first `[` that opens a JSON array reaching the end of the line, else at the first `{`. A value
  spread over several lines, a suffix after it or a second message on the line is reported, never
  guessed at.
- .log files: a line with a `{` that is not a message is skipped with a warning naming
  file:line:column and why; lines with no message and no `{` are log text, counted in one warning.
  .jsonl/.ndjson: every non-blank line is one JSON value, or a prefix and an object or array;
  anything else is an error, as a mistake in a sample file always is.
- HAR files (HTTP Archive, as browsers export it): the messages are the response bodies whose
  mime type is JSON (application/json, text/json, anything+json, ndjson; parameters ignored) and
  the websocket frames received (`_webSocketMessages` of type "receive") holding a JSON object or
  array. Base64 bodies and frames are decoded (UTF-8). Requests and frames sent are what the
  client said: not samples.
- A HAR message is located in the HAR file: where its text starts inside the JSON string that
  holds it, and an error inside it points into that string (a base64 body: at the string).
- Nothing is dropped silently: a JSON body, or a frame that starts like JSON, that does not read
  is a warning naming file:line:column, the entry (`log.entries[3]`, method and URL) and why;
  responses of other mime types, JSON responses without a body, frames sent and received frames
  that are not a JSON object or array (pings, protocol codes) are counted, one warning per reason
  naming the first.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from codegen.errors import CodegenError, Location, notify, shown
from codegen.jsonreader import (
    InvalidJSON,
    JSONText,
    ParsedValue,
    _skip_space,
    decode_text,
    whole_line_value,
)


@dataclass(frozen=True)
class Found:
    """A value read from a file, with the text its span indexes (to copy it verbatim)."""

    parsed: ParsedValue
    text: str

    @property
    def source(self) -> str:
        return self.text[self.parsed.start : self.parsed.end]


# --- log lines --------------------------------------------------------------------------------

_OPEN_ARRAY = re.compile(r"\[")


def read_lines(text: str, file: str, *, log: bool) -> list[Found]:
    """The messages of a log (`log`) or of JSON Lines, one per line (see the module docstring)."""
    return list(lines_found(enumerate(text.split("\n"), start=1), file, log=log))


Message = tuple[Any, int | None, int | None, int, int, str]
"""A value read from a file, flat: the value, the line and column it starts at in the file
read, its span (start, end) in the text and that text (Found's fields, its location's line and
column). Big captures stream as these: a message costs no object but its value."""


def lines_found(
    lines: Iterable[tuple[int, str]], file: str, *, log: bool
) -> Iterator[Found]:
    """read_lines over (line number, text) pairs, one at a time: a capture of any size streams."""
    for value, number, column, start, end, line in line_messages(lines, file, log=log):
        location = Location(file, number, column)
        yield Found(ParsedValue(value, location, start, end), line)


def line_messages(
    lines: Iterable[tuple[int, str]], file: str, *, log: bool
) -> Iterator[Message]:
    """lines_found, flat."""
    text_lines: list[Location] = []
    for number, line in lines:
        whole = whole_line_value(line)
        if whole is not None:  # a message alone on its line: what a capture's lines are
            value, end = whole
            yield value, number, 1, 0, end, line
            continue
        if not line.strip():
            continue
        source = JSONText(line, file, start_line=number)
        try:
            values = _line_values(source, any_value=not log)
        except CodegenError as problem:
            if not log:
                raise
            notify(f"warning: {problem.location}: skipped a line: {problem.message}")
            continue
        if values is None:
            text_lines.append(Location(file, number))
        else:
            for parsed in values:
                where = parsed.location
                yield parsed.value, where.line, where.column, parsed.start, parsed.end, line
    if text_lines:
        _summary(
            text_lines, "line(s) holding no JSON object or array (log text)", Counter()
        )


def _line_values(source: JSONText, *, any_value: bool) -> list[ParsedValue] | None:
    """The message of one line; None for log text; a CodegenError saying why a line is not one.

    any_value: JSON Lines, where a line may be any JSON value and must be a message.
    """
    line = source.text
    first = len(line) - len(line.lstrip())
    problem: CodegenError | None = None
    try:
        values = source.values()
    except InvalidJSON as error:
        if error.well_formed:
            raise
        problem = error
    else:
        if len(values) > 1:
            problem = CodegenError(
                "expected one JSON value per line, found a second one",
                values[1].location,
            )
            if holds_containers(values[0].value):
                raise problem  # two messages: the first is no prefix
        elif any_value or isinstance(values[0].value, (dict, list)):
            return values
    prefixed = _after_prefix(source, first)
    if prefixed is not None:
        return [prefixed]
    if problem is not None and (any_value or line.startswith("{", first)):
        raise problem
    return None


def _after_prefix(source: JSONText, first: int) -> ParsedValue | None:
    """The object or array after a prefix that runs to the end of the line, if any."""
    line = source.text
    brace = line.find("{")
    starts = [
        m.start()
        for m in _OPEN_ARRAY.finditer(line, 0, len(line) if brace < 0 else brace)
    ]
    if brace > first:
        starts.append(brace)
    for start in starts:
        is_brace = start == brace
        try:
            parsed = source.value_at(start)
        except InvalidJSON as error:
            if is_brace or error.well_formed:
                raise
            continue  # `[12:00:01]`: a prefix
        if not line[parsed.end :].strip():
            return parsed
        if is_brace or holds_containers(parsed.value):
            raise CodegenError(
                "expected the end of the line after the JSON value"
                " (a line holds one message, after an optional prefix)",
                source.location(parsed.end),
            )
    return None


def holds_containers(value: Any) -> bool:
    """An object, or an array holding objects or arrays: a message, never a prefix."""
    return isinstance(value, dict) or (
        isinstance(value, list)
        and any(isinstance(item, (dict, list)) for item in value)
    )


# --- HAR --------------------------------------------------------------------------------------

_JSON_MIME = re.compile(
    r"(application|text)/((x-)?(nd)?json(l|lines)?|[^;\s]*\+json)", re.IGNORECASE
)
# One character of a JSON string's value, as it is written in the string (the closing quote last).
_STRING_UNIT = re.compile(
    r"\\u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}|\\u[0-9a-fA-F]{4}|\\.|.",
    re.DOTALL,
)
_PLAIN = json.JSONDecoder()  # for text already read strictly
_URL_SHOWN = 80  # characters of an entry's URL in a warning


class _InString(JSONText):
    """The text held by a JSON string of an outer file (a HAR body), located in that file."""

    def __init__(
        self, text: str, outer: JSONText, quote: int, *, escaped: bool
    ) -> None:
        super().__init__(text, outer.file)
        self._outer = outer
        self._quote = quote  # offset of the string's opening quote in the outer text
        self._escaped = (
            escaped  # False for base64: no place inside it has one in the file
        )

    def location(self, offset: int) -> Location:
        if not self._escaped:
            return self._outer.location(self._quote)
        units = _STRING_UNIT.finditer(self._outer.text, self._quote + 1)
        unit = next(islice(units, offset, None))
        return self._outer.location(unit.start())


@dataclass
class _Skipped:
    """What a HAR file held that is not a sample, by reason: where each was and what it was."""

    places: dict[str, list[Location]] = field(default_factory=dict)
    kinds: dict[str, Counter[str]] = field(default_factory=dict)

    def add(self, reason: str, where: Location, kind: str = "") -> None:
        self.places.setdefault(reason, []).append(where)
        counts = self.kinds.setdefault(reason, Counter())
        if kind:
            counts[kind] += 1

    def report(self) -> None:
        for reason, places in self.places.items():
            _summary(places, reason, self.kinds[reason])


def _summary(places: list[Location], what: str, kinds: Counter[str]) -> None:
    detail = ", ".join(f"{kind} {count}" for kind, count in sorted(kinds.items()))
    notify(
        f"warning: {places[0]}: skipped {len(places)} {what}"
        f"{f' ({detail})' if detail else ''}, the first here"
    )


def read_har(text: str, file: str) -> list[Found]:
    """The JSON response bodies and received websocket frames of a HAR file, in file order."""
    har = JSONText(text, file)
    values = har.values()
    if len(values) != 1:
        where = values[1].location if values else har.location(len(text))
        raise CodegenError('expected one HAR document {"log": {...}}', where)
    document = values[0]
    log = document.value.get("log") if isinstance(document.value, dict) else None
    entries = log.get("entries") if isinstance(log, dict) else None
    if not isinstance(entries, list):
        raise CodegenError(
            'not a HAR file: expected {"log": {"entries": [...]}}', document.location
        )
    offsets = _value_offsets(text, document.start)
    found: list[Found] = []
    skipped = _Skipped()
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            continue
        path = ("log", "entries", index)
        name = _entry_name(index, entry)
        found += _response(har, offsets, path, name, entry.get("response"), skipped)
        frames = entry.get("_webSocketMessages")
        for number, frame in enumerate(frames if isinstance(frames, list) else ()):
            frame_path = (*path, "_webSocketMessages", number)
            found += _frame(har, offsets, frame_path, name, frame, skipped)
    skipped.report()
    return found


_Offsets = dict[tuple[str | int, ...], int]


def _entry_name(index: int, entry: dict[str, Any]) -> str:
    """`log.entries[3] (GET https://…)`: an entry as warnings name it."""
    request = entry.get("request")
    method, url = (
        (request.get("method"), request.get("url"))
        if isinstance(request, dict)
        else (None, None)
    )
    if not isinstance(method, str) or not isinstance(url, str):
        return f"log.entries[{index}]"
    if len(url) > _URL_SHOWN:
        url = url[: _URL_SHOWN - 1] + "…"
    return f"log.entries[{index}] ({shown(method)} {shown(url)})"


def _response(
    har: JSONText,
    offsets: _Offsets,
    path: tuple[str | int, ...],
    name: str,
    response: Any,
    skipped: _Skipped,
) -> list[Found]:
    content_path = (*path, "response", "content")
    content = response.get("content") if isinstance(response, dict) else None
    where = har.location(offsets.get(content_path, offsets[path]))
    if not isinstance(content, dict):
        skipped.add("response(s) without content", where)
        return []
    mime = content.get("mimeType")
    mime = mime.split(";")[0].strip() if isinstance(mime, str) else ""
    if not _JSON_MIME.fullmatch(mime):
        skipped.add("response(s) whose mime type is not JSON", where, mime or "none")
        return []
    body = content.get("text")
    if not isinstance(body, str) or not body.strip():
        skipped.add("JSON response(s) without a body", where)
        return []
    quote = offsets[(*content_path, "text")]
    what = f"the response body of {name}"
    encoding = content.get("encoding")
    try:
        if encoding == "base64":
            body = _base64_text(body)
        elif encoding is not None:
            raise CodegenError(f"unknown encoding {encoding!r} (HAR bodies use base64)")
    except CodegenError as problem:
        _warn(har, quote, what, problem)
        return []
    return _messages(har, quote, body, encoding is None, what, any_value=True)


def _frame(
    har: JSONText,
    offsets: _Offsets,
    path: tuple[str | int, ...],
    name: str,
    frame: Any,
    skipped: _Skipped,
) -> list[Found]:
    if not isinstance(frame, dict):
        return []
    where = har.location(offsets[path])
    data = frame.get("data")
    if frame.get("type") != "receive":
        skipped.add("websocket frame(s) sent (only frames received are samples)", where)
        return []
    binary = frame.get("opcode") == 2  # Chrome writes binary frames in base64
    try:
        text = _base64_text(data) if binary and isinstance(data, str) else data
    except CodegenError:
        text = None  # protobuf, msgpack: not JSON
    if not isinstance(text, str) or not text.lstrip().startswith(("{", "[")):
        skipped.add(
            "websocket frame(s) received that are not a JSON object or array"
            " (pings, protocol codes, binary)",
            where,
        )
        return []
    what = f"websocket frame {path[-1]} received by {name}"
    quote = offsets[(*path, "data")]
    return _messages(har, quote, text, not binary, what, any_value=False)


def _base64_text(data: str) -> str:
    try:
        decoded = base64.b64decode(data, validate=True)
    except binascii.Error as error:
        raise CodegenError(f"not valid base64: {error}") from None
    try:
        return decode_text(decoded, "")
    except CodegenError as error:  # its place is in the decoded bytes, not in the file
        raise CodegenError(error.message) from None


def _messages(
    har: JSONText, quote: int, text: str, escaped: bool, what: str, *, any_value: bool
) -> list[Found]:
    """The JSON values of a body or frame held by the HAR string at `quote`; a warning if none."""
    try:
        values = _InString(text, har, quote, escaped=escaped).values()
        if not any_value and not all(isinstance(v.value, (dict, list)) for v in values):
            raise CodegenError(
                "holds a JSON value that is not an object or array", values[0].location
            )
    except CodegenError as problem:
        _warn(har, quote, what, problem)
        return []
    return [Found(parsed, text) for parsed in values]


def _warn(har: JSONText, quote: int, what: str, problem: CodegenError) -> None:
    where = problem.location or har.location(quote)
    notify(f"warning: {where}: skipped {what}: {problem.message}")


def _value_offsets(text: str, start: int) -> _Offsets:
    """Where the values that HAR messages are read from start, by JSON path: entries, responses,
    their contents and bodies, websocket frames and their data. The text is known to be JSON:
    values on no such path are skipped whole by the C parser.
    """
    offsets: _Offsets = {}
    _walk(text, start, (), offsets)
    return offsets


def _walk(text: str, pos: int, path: tuple[str | int, ...], offsets: _Offsets) -> int:
    """Note the offset of the value at pos if it is wanted, and return the offset after it."""
    wanted, descend = _on_the_way(path)
    if wanted:
        offsets[path] = pos
    if not descend or text[pos] not in "{[":
        return _PLAIN.raw_decode(text, pos)[1]
    closing = "}" if text[pos] == "{" else "]"
    pos = _skip_space(text, pos + 1)
    index = 0
    while text[pos] != closing:
        if closing == "}":
            key, pos = _PLAIN.raw_decode(text, pos)
            pos = _skip_space(text, _skip_space(text, pos) + 1)  # past the ':'
        else:
            key, index = index, index + 1
        pos = _skip_space(text, _walk(text, pos, (*path, key), offsets))
        if text[pos] == ",":
            pos = _skip_space(text, pos + 1)
    return pos + 1


def _on_the_way(path: tuple[str | int, ...]) -> tuple[bool, bool]:
    """(whether the value at path is one whose offset is wanted, whether to look inside it)."""
    match path:
        case () | ("log",) | ("log", "entries"):
            return False, True
        case ("log", "entries", int()):
            return True, True
        case ("log", "entries", int(), "response" | "_webSocketMessages"):
            return False, True
        case ("log", "entries", int(), "response", "content"):
            return True, True
        case ("log", "entries", int(), "_webSocketMessages", int()):
            return True, True
        case ("log", "entries", int(), "response", "content", "text"):
            return True, False
        case ("log", "entries", int(), "_webSocketMessages", int(), "data"):
            return True, False
    return False, False
