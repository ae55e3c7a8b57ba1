"""Overrides: what the set's config says about a JSON path, where inference would guess.

A path is `$` followed by `.key`, `["any key"]`, `.*` (any one key) or `[*]` (the items of an
array): `$.data`, `$[*]`, `$.changes.*`. The config module reads them from codegen.toml; inference
asks `Overrides.at(path)` at every object position and reports which overrides were never used.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cached_property

from codegen.errors import Location
from codegen.jsonpath import child_path

ITEMS = ("[*]",)  # the segment of an array's items
ANY_KEY = ("*",)  # a pattern segment matching any one key
Segment = tuple[str, ...]  # ("key", name), ITEMS, ANY_KEY

_STEP = re.compile(r'\.([A-Za-z_][A-Za-z0-9_-]*|\*)|\[(\*|"(?:[^"\\]|\\.)*")\]')


class PathSyntaxError(ValueError):
    pass


def parse_path(text: str) -> tuple[Segment, ...]:
    """`$.data[*].items` -> (("key", "data"), ITEMS, ("key", "items"))."""
    if not text.startswith("$"):
        raise PathSyntaxError(f"a path starts with '$', found {text!r}")
    segments: list[Segment] = []
    position = 1
    while position < len(text):
        step = _STEP.match(text, position)
        if step is None:
            raise PathSyntaxError(
                f'cannot read {text!r} at {text[position:]!r}; expected .key, ["key"],'
                " .* or [*]"
            )
        name, bracket = step.groups()
        if name == "*":
            segments.append(ANY_KEY)
        elif name is not None:
            segments.append(("key", name))
        elif bracket == "*":
            segments.append(ITEMS)
        else:
            segments.append(("key", json.loads(bracket)))
        position = step.end()
    return tuple(segments)


def path_text(segments: tuple[Segment, ...]) -> str:
    """The inverse of parse_path: (("key", "data"), ITEMS) -> `$.data[*]`."""
    text = "$"
    for segment in segments:
        if segment == ITEMS:
            text += "[*]"
        elif segment == ANY_KEY:
            text += ".*"
        else:
            text = child_path(text, segment[1])
    return text


def matches(pattern: tuple[Segment, ...], path: tuple[Segment, ...]) -> bool:
    return len(pattern) == len(path) and all(
        want == have or (want == ANY_KEY and have != ITEMS)
        for want, have in zip(pattern, path)
    )


@dataclass(frozen=True)
class PathOverride:
    """The settings for one path pattern, and where the config sets them."""

    pattern: str
    where: Location
    # The tag keys, outermost first (two for a composite tag); () when not set.
    tag: tuple[str, ...] = ()
    no_union: bool = (
        False  # `tag = false`: the objects here are one kind, whatever the evidence
    )
    not_tags: frozenset[str] = frozenset()  # keys that are never the tag here
    name: str | None = None  # the class (or union, or enum) name of the values here
    enum: bool | None = (
        None  # the strings (or ints) here are an enum (True), or never one (False)
    )
    closed: bool = False  # `enum = "closed"`: a value never seen is a DecodeError
    as_tuple: bool | None = (
        None  # the arrays here are a tuple (if they have one length)
    )
    as_map: bool | None = None  # the objects here are a map (True) or a record (False)
    field_name: str | None = None  # the Python attribute of the key this path ends in
    format: str | None = None  # the format of the values here; "none": never one
    variant_names: dict[str, str] = field(
        default_factory=dict
    )  # tag value -> class name
    # Positional kinds' attributes by index (from the end when negative).
    items: dict[int, str] = field(default_factory=dict)
    # False: no recursion here (the objects here hold no objects of their own type, and they and
    # those below are not an enclosing position's); a path: the objects here are those of that
    # enclosing position.
    recursive: bool | str | None = None

    @cached_property
    def segments(self) -> tuple[Segment, ...]:
        return parse_path(self.pattern)


@dataclass
class Overrides:
    """All overrides of a set; remembers which ones matched some position."""

    entries: tuple[PathOverride, ...] = ()
    used: set[str] = field(default_factory=set)

    def at(self, path: tuple[Segment, ...]) -> PathOverride | None:
        """The override for this position (the last matching entry wins), if any."""
        found = None
        for entry in self.entries:
            if matches(entry.segments, path):
                self.used.add(entry.pattern)
                found = entry
        return found

    def unused(self) -> list[PathOverride]:
        return [entry for entry in self.entries if entry.pattern not in self.used]
