"""The detect_formats pass: strings and numbers whose every value has one format (uuid,
date-time, date, a decimal in a string, an epoch timestamp) record it; the wire is untouched.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone
from decimal import Decimal

from codegen.infer import thresholds
from codegen.infer.ir import Format, Looks, Shape
from codegen.infer.looks import DECIMAL, EPOCH_UNITS, FORMATS
from codegen.infer.passes.tree import kinds_of, transform

_DESCRIPTIONS = {
    "uuid": "UUIDs",
    "date-time": "RFC 3339 date-times",
    "iso-date-time": "ISO 8601 date-times",
    "date": "dates",
    "decimal": "decimal numbers",
    "epoch-seconds": "epoch seconds",
    "epoch-milliseconds": "epoch milliseconds",
    "epoch-microseconds": "epoch microseconds",
    "epoch-nanoseconds": "epoch nanoseconds",
}


def detect_formats(root: Shape) -> Shape:
    """Record the format of every position whose values all have one (see thresholds FORMAT_*,
    DECIMAL_*, EPOCH_*): the first of looks.FORMATS they all fit, with the evidence. An enum
    has no format; the config sets one (`format = "decimal"`) or none (`format = "none"`).
    """

    def rewrite(shape: Shape) -> Shape:
        found = find_format(shape)
        return shape if found is None else replace(shape, format=found)

    return transform(root, rewrite)


def find_format(shape: Shape) -> Format | None:
    looks = shape.looks
    if looks is None or looks.forced == "none" or _is_enum(shape):
        return None
    if looks.forced is not None:
        return Format(looks.forced, "set in the config")
    if kinds_of(shape) not in ({"string"}, {"number"}):
        return None  # strings beside numbers, or beside arrays: no one format describes them
    if looks.count < thresholds.FORMAT_MIN_OBSERVATIONS:
        return None
    for name in FORMATS:
        if name in looks.fits and (name != DECIMAL or _decimal_evidence(looks)):
            return Format(name, _evidence(name, looks))
    return None


def _is_enum(shape: Shape) -> bool:
    return any(
        values is not None and values.enum for values in (shape.texts, shape.ints)
    )


def _decimal_evidence(looks: Looks) -> bool:
    """Numbers in strings, not digit ids or a constant: a fraction or exponent somewhere, and
    two different values at least (thresholds.DECIMAL)."""
    return looks.fractions > 0 and looks.low != looks.high


def _evidence(name: str, looks: Looks) -> str:
    """One line a reviewer reads: how many values, and for numbers their range."""
    what = f"all {looks.count} values are {_DESCRIPTIONS[name]}"
    if name in EPOCH_UNITS and looks.low is not None and looks.high is not None:
        low, high = _moment(looks.low, name), _moment(looks.high, name)
        return f"{what}, at {low}" if low == high else f"{what}, from {low} to {high}"
    if name == DECIMAL and looks.low is not None:
        return f"{what} ({looks.fractions} with a fraction), from {looks.low} to {looks.high}"
    return what


def _moment(number: Decimal, name: str) -> str:
    seconds = number / EPOCH_UNITS[name]
    moment = datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(seconds=int(seconds))
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
