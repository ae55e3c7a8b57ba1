"""Formats in generated code: a field's docstring says what its wire text is, and a property
reads it as the Python type it means (`price_decimal -> Decimal`); the field keeps the wire text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from codegen.render.identifiers import docstring
from codegen.schema import EVIDENCE_KEYWORD, FORMAT_KEYWORD

# Format -> (what the wire value is, property suffix, annotation, expression over `{v}`, what the
# property gives). The annotations are the private aliases models.py imports (a record may be
# named `Decimal`).
_EPOCH = ("datetime", "_datetime", "a UTC datetime")
_HELPERS: dict[str, tuple[str, str, str, str, str]] = {
    "uuid": ("a UUID", "uuid", "_UUID", "_UUID({v})", "a UUID"),
    "date-time": (
        "an RFC 3339 date-time",
        "datetime",
        "_datetime",
        "date_time({v})",
        "a datetime",
    ),
    "iso-date-time": (
        "an ISO 8601 date-time",
        "datetime",
        "_datetime",
        "date_time({v})",
        "a datetime (naive when the text has no zone)",
    ),
    "date": ("a date", "date", "_date", "_date.fromisoformat({v})", "a date"),
    "decimal": (
        "a decimal number",
        "decimal",
        "_Decimal",
        "_Decimal({v})",
        "an exact Decimal",
    ),
    "epoch-seconds": (
        "a time in epoch seconds",
        *_EPOCH[:2],
        "from_epoch({v}, 1)",
        _EPOCH[2],
    ),
    "epoch-milliseconds": (
        "a time in epoch milliseconds",
        *_EPOCH[:2],
        "from_epoch({v}, 1_000)",
        _EPOCH[2],
    ),
    "epoch-microseconds": (
        "a time in epoch microseconds",
        *_EPOCH[:2],
        "from_epoch({v}, 1_000_000)",
        _EPOCH[2],
    ),
    "epoch-nanoseconds": (
        "a time in epoch nanoseconds",
        *_EPOCH[:2],
        "from_epoch({v}, 1_000_000_000)",
        _EPOCH[2] + " (to the microsecond)",
    ),
}
# The Python type of a wire value of each JSON type, for the property's isinstance() test.
_PYTHON_TYPES = {"string": "str", "integer": "int", "number": "(int, float)"}


@dataclass(frozen=True)
class PropertyModel:
    """A typed reading of a formatted field: `def <name>(self) -> <annotation>`."""

    name: str
    annotation: str
    doc: str
    expression: str


def format_of(fragment: dict[str, Any]) -> tuple[str, str] | None:
    """(format, evidence) recorded beside a fragment's type, if any."""
    name = fragment.get("format", fragment.get(FORMAT_KEYWORD))
    if not isinstance(name, str) or name not in _HELPERS:
        return None
    return name, str(fragment.get(EVIDENCE_KEYWORD, ""))


def field_doc(fragment: dict[str, Any], reader: str | None) -> str | None:
    """What the docstring of a field whose values (or items, map values, tuple positions) have a
    format says (plain text); `reader` is the property reading it."""
    found = format_of(fragment)
    if found is not None:
        doc = _sentence(f"{_HELPERS[found[0]][0]}, kept as the wire has it: {found[1]}")
        if reader is not None:
            doc += f" `{reader}` reads it as {_HELPERS[found[0]][4]}."
        return doc
    inside = [
        f"{_where(steps)} are each {_HELPERS[name][0]} ({evidence})"
        for steps, (name, evidence) in _formats_inside(fragment, ())
    ]
    return _sentence("; ".join(inside)) if inside else None


def reader(
    fragment: dict[str, Any], attribute: str, required: bool, taken: set[str]
) -> PropertyModel | None:
    """The property reading a field whose own values have a format (None if they have none).

    Its name is the attribute and what it gives (`price_decimal`), else `<attribute>_as_...`,
    else numbered: never a name the record's fields or other properties have (`taken`).
    """
    found = format_of(fragment)
    if found is None:
        return None
    text, suffix, annotation, expression, gives = _HELPERS[found[0]]
    base = f"{attribute}_{suffix}"
    name, number = base, 2
    if name in taken:
        base = name = f"{attribute}_as_{suffix}"
    while name in taken:
        name, number = f"{base}_{number}", number + 1
    taken.add(name)
    value = f"self.{attribute}"
    types = fragment["type"]
    types = [types] if isinstance(types, str) else types
    (json_type,) = [t for t in types if t != "null"]  # a format describes one type
    missing = [
        word
        for word, holds in (("null", "null" in types), ("absent", not required))
        if holds
    ]
    if missing:
        test = f"isinstance({value}, {_PYTHON_TYPES[json_type]})"
        returned = f"{expression.format(v=value)} if {test} else None"
        annotation += " | None"
        doc = f"`{attribute}` ({text}) as {gives}; None when it is {' or '.join(missing)}."
    else:
        returned = expression.format(v=value)
        doc = f"`{attribute}` ({text}) as {gives}."
    return PropertyModel(name, annotation, docstring(doc, indent=8), returned)


def _formats_inside(
    fragment: dict[str, Any], steps: tuple[str, ...]
) -> list[tuple[tuple[str, ...], tuple[str, str]]]:
    """(steps down, (format, evidence)) below a fragment: in items, map values, tuple positions
    and union members (no step of their own), not through references (a named type documents
    its own fields)."""
    found: list[tuple[tuple[str, ...], tuple[str, str]]] = []
    children: list[tuple[tuple[str, ...], Any]] = [
        (steps, member) for member in fragment.get("anyOf", [])
    ]
    if isinstance(fragment.get("items"), dict):
        children.append(((*steps, "items"), fragment["items"]))
    if isinstance(fragment.get("additionalProperties"), dict):
        children.append(((*steps, "values"), fragment["additionalProperties"]))
    for index, position in enumerate(fragment.get("prefixItems", [])):
        children.append(((*steps, f"items at position {index}"), position))
    for where, child in children:
        own = format_of(child)
        if own is not None:
            found.append((where, own))
        else:
            found += _formats_inside(child, where)
    return found


def _where(steps: tuple[str, ...]) -> str:
    """A field's values reached by `steps` (outermost first), in words: `its items`, `the items
    of its items`; no step is the field's own values (in a union with null, say)."""
    if not steps:
        return "its values"
    if len(steps) == 1:
        return f"its {steps[0]}"
    return f"the {steps[-1]} of {_where(steps[:-1])}"


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + "."
