"""What scalar values look like: the formats each string or number fits, gathered per position
while observing, for the formats pass (`passes/formats.py`) to decide on.

A format fits a value only when its strict shape (in `thresholds`) matches and the value means
something: a date that exists, a time within its day, a number inside an epoch window.
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import datetime
from functools import lru_cache
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from codegen.infer import thresholds
from codegen.infer.ir import Looks

Number = Decimal | int | float

UUID = "uuid"
DATE_TIME = "date-time"  # RFC 3339
ISO_DATE_TIME = "iso-date-time"  # ISO 8601 beyond RFC 3339: a space for `T`, or no zone
DATE = "date"
DECIMAL = "decimal"
# Epoch formats and the units per second of each.
EPOCH_UNITS = {
    "epoch-seconds": 1,
    "epoch-milliseconds": 1000,
    "epoch-microseconds": 1000_000,
    "epoch-nanoseconds": 1000_000_000,
}
# Every format, most specific first: a position whose values fit several takes the first
# (`"1731675320.5"` is a decimal and epoch seconds: epoch seconds).
FORMATS = (UUID, DATE_TIME, ISO_DATE_TIME, DATE, *EPOCH_UNITS, DECIMAL)
# The formats JSON Schema names (`format`); the others are `x-codegen-format`.
SCHEMA_FORMATS = frozenset({UUID, DATE_TIME, DATE})
# Nanosecond epochs only as JSON ints (see thresholds.EPOCH_EARLIEST).
_INT_ONLY = frozenset({"epoch-nanoseconds"})
# Each unit's window of plausible times, and the span of them all.
_EPOCH_WINDOWS = tuple(
    (
        name,
        thresholds.EPOCH_EARLIEST * per_second,
        thresholds.EPOCH_LATEST * per_second,
    )
    for name, per_second in EPOCH_UNITS.items()
)
# The windows' bounds in order: a number is inside window i when bisection puts it at 2 * i + 1.
# Every number is read for its formats, so the answer is looked up by that position (one C call,
# which the summary's walk makes itself), without building a set.
EPOCH_BOUNDS = [bound for _, low, high in _EPOCH_WINDOWS for bound in (low, high)]
if EPOCH_BOUNDS != sorted(EPOCH_BOUNDS):
    raise AssertionError("epoch windows must be in ascending order and not overlap")
# The bounds as Decimals, for numbers in strings: a Decimal compares with a Decimal twice as fast
# as with an int.
DECIMAL_EPOCH_BOUNDS = [Decimal(bound) for bound in EPOCH_BOUNDS]


def fits(value: str | int | float) -> frozenset[str]:
    """The formats one string or number fits."""
    if isinstance(value, str):
        return _text_fits(value)
    return _epochs(value, json_int=type(value) is int)


def looks_of(values: list[str | int | float]) -> Looks:
    """The evidence of the (non-null, non-docs) strings and numbers seen at one position."""
    every = frozenset(FORMATS)
    fractions = 0
    numbers: list[Decimal] = []
    for value in values:
        every &= fits(value)
        if isinstance(value, str):
            number = number_in(value)
            if number is not None:
                numbers.append(number)
                fractions += any(mark in value for mark in ".eE")
        else:
            numbers.append(Decimal(value))
    return Looks(
        every,
        len(values),
        fractions,
        lowest(numbers),
        highest(numbers),
    )


def merge_looks(left: Looks, right: Looks) -> Looks:
    """Formats both sides fit; counts add up; the range spans both."""
    numbers = [n for n in (left.low, left.high, right.low, right.high) if n is not None]
    return Looks(
        left.fits & right.fits,
        left.count + right.count,
        left.fractions + right.fractions,
        lowest(numbers),
        highest(numbers),
        left.forced if left.forced is not None else right.forced,
    )


# Every format of a string starts with a digit, a minus sign or (a UUID) a hex letter; a UUID
# has 36 characters. Most strings are told apart by these two facts alone, without a pattern.
_DIGIT_START = frozenset("-0123456789")
_HEX_LETTERS = frozenset("abcdefABCDEF")
_UUID_LENGTH = 36
_NONE: frozenset[str] = frozenset()
_DECIMAL_ONLY = frozenset({DECIMAL})
# Distinct dates whose existence is remembered: a capture spans few.
_DATES_KEPT = 1 << 12


def lowest(numbers: Iterable[Number]) -> Decimal | None:
    """The smallest number; of equal ones (`1.5`, `1.50`, `15e-1`) the one written shortest:
    the same whichever order the values came in."""
    low = min(map(Decimal, numbers), key=_shortest_first, default=None)
    return low


def highest(numbers: Iterable[Number]) -> Decimal | None:
    """The largest number; of equal ones, the one written shortest (see lowest)."""
    high = min(map(Decimal, numbers), key=_largest_first, default=None)
    return high


def _shortest_first(number: Decimal) -> tuple[Decimal, int, str]:
    text = str(number)
    return number, len(text), text


def _largest_first(number: Decimal) -> tuple[Decimal, int, str]:
    text = str(number)
    return -number, len(text), text


def _text_fits(text: str) -> frozenset[str]:
    first = text[:1]
    if first not in _DIGIT_START and (
        first not in _HEX_LETTERS or len(text) != _UUID_LENGTH
    ):
        return _NONE
    if thresholds.DECIMAL.fullmatch(text):  # the commonest: then no other pattern fits
        number = number_in(text)
        return _NONE if number is None else number_text_fits(number)
    found: set[str] = set()
    if len(text) == _UUID_LENGTH and thresholds.UUID.fullmatch(text):
        found.add(UUID)
    if text[4:5] == "-":  # dates start with a four-digit year and a '-'
        if thresholds.ISO_DATE_TIME.fullmatch(text) and _real_date_time(text):
            found.add(ISO_DATE_TIME)
            if thresholds.RFC3339_DATE_TIME.fullmatch(text):
                found.add(DATE_TIME)
        if thresholds.DATE.fullmatch(text) and _real_date(text):
            found.add(DATE)
    return frozenset(found)


def number_in(text: str) -> Decimal | None:
    """The number a string holds (thresholds.DECIMAL), else None. A number past Decimal's
    exponent limits (`1E1000000000000000000`) is none: no reader could take it, it is text.
    """
    if not thresholds.DECIMAL.fullmatch(text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def number_text_fits(number: Decimal) -> frozenset[str]:
    """The formats of a string holding `number` (one that thresholds.DECIMAL matched)."""
    return NUMBER_TEXT_FITS_AT[bisect_right(DECIMAL_EPOCH_BOUNDS, number)]


def _epochs(number: int | float, *, json_int: bool) -> frozenset[str]:
    """The epoch unit whose window of plausible times holds `number` (ns: JSON ints only).
    (Python compares ints and floats exactly.)"""
    fits_at = INT_FITS_AT if json_int else FLOAT_FITS_AT
    return fits_at[bisect_right(EPOCH_BOUNDS, number)]


def _fits_at(position: int, *, json_int: bool) -> frozenset[str]:
    """The epoch unit of a number that bisection puts at `position` among EPOCH_BOUNDS."""
    if position % 2 == 0:
        return _NONE  # below, between or above the windows
    unit = frozenset({_EPOCH_WINDOWS[position // 2][0]})
    return unit if json_int or unit.isdisjoint(_INT_ONLY) else _NONE


# The formats of a JSON int, a JSON float and a number in a string, by where bisection puts the
# number among EPOCH_BOUNDS (or DECIMAL_EPOCH_BOUNDS).
_POSITIONS = range(len(EPOCH_BOUNDS) + 1)
INT_FITS_AT = tuple(_fits_at(at, json_int=True) for at in _POSITIONS)
FLOAT_FITS_AT = tuple(_fits_at(at, json_int=False) for at in _POSITIONS)
NUMBER_TEXT_FITS_AT = tuple(_DECIMAL_ONLY | fits for fits in FLOAT_FITS_AT)


def _real_date(text: str) -> bool:
    """Whether the date `text` starts with (a shape thresholds.DATE matched) exists."""
    return _date_exists(text[:10])


@lru_cache(maxsize=_DATES_KEPT)
def _date_exists(date: str) -> bool:
    try:
        datetime(int(date[0:4]), int(date[5:7]), int(date[8:10]))
    except ValueError:
        return False
    return True


def _real_date_time(text: str) -> bool:
    """A date-time whose date exists, whose time is within the day and whose zone is at most
    23:59 away: what datetime accepts (hours 0-23, minutes and seconds 0-59, an offset under
    24 hours), on every Python the generated code runs on."""
    zone = text[19:].lstrip(".0123456789")
    if zone not in ("", "Z", "z") and (int(zone[1:3]) > 23 or int(zone[4:6]) > 59):
        return False
    return (
        int(text[11:13]) < 24
        and int(text[14:16]) < 60
        and int(text[17:19]) < 60
        and _real_date(text)
    )
