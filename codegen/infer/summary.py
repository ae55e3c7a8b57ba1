"""The sample summary: every sample folded, one at a time, into a value that merges.

Inference never keeps the parsed samples. Each sample is reduced to its *skeleton*: its structure
(objects with their keys in order, arrays with their items) and every value that could name
something (a tag or enum value: null, booleans, small ints, name-like strings, see
`kinds.looks_like_name`), while every other string or number (prices, ids, timestamps, free
text) becomes a `Scalar` slot that keeps only what inference reads of it: its JSON kind, the
formats it fits (looks.fits), the range of the numbers it holds and, from the first sample, an
example. Samples with one skeleton are one `Entry`, weighted by how many distinct samples it
stands for; a feed of a million ticks of a few kinds is a few hundred entries.

Exact duplicates (the same JSON text, as `json.dumps` writes the value) are counted once, per
folder when every sample sits in a folder naming its kind (see pipeline.infer_schema), else
once in the set. Each entry keeps the 64-bit digest of every distinct sample it stands for, with
which of its slots held a number with a fraction, so that merging two summaries that both saw a
sample counts it once: `merge` is associative, commutative and idempotent, and the summary of a
whole equals the merge of the summaries of its parts, whichever way it was split (the property
`--jobs` and the Dask extra rely on; tests/test_summary.py checks it on random splits).

What a skeleton drops is what no pass reads: a position whose values include one that is not a
name can be no tag and no enum, so its distinct values are not counted (`Values` stops
counting, as it does past thresholds.ENUM_MAX_VALUES); formats and ranges are kept in full.
The config can ask for the exact values (a `tag` names keys whose values stay whole; a forced
`enum` keeps every value whole).
"""

from __future__ import annotations

import hashlib
import json
from bisect import bisect_right
import marshal
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from itertools import repeat
from json.scanner import make_scanner
from typing import Any, NoReturn

from codegen.errors import Location
from codegen.infer import thresholds
from codegen.infer.digests import DigestSet
from codegen.infer.ir import INTEGER, NUMBER, STRING, Looks, Scalar
from codegen.infer.kinds import looks_like_name, name_head
from codegen.infer.looks import (
    DECIMAL_EPOCH_BOUNDS,
    EPOCH_BOUNDS,
    FLOAT_FITS_AT,
    INT_FITS_AT,
    NUMBER_TEXT_FITS_AT,
    Number,
    fits,
    highest,
    lowest,
)


@dataclass(frozen=True)
class Member:
    """One weighted skeleton, as observation reads it: `value` holds Scalars at its slots."""

    value: Any
    location: Location
    docs: bool
    weight: int  # the distinct samples it stands for


@dataclass
class Entry:
    """The samples with one skeleton: the first one's example values, the range of each slot's
    numbers, and the digest of each distinct sample."""

    skeleton: tuple[Any, ...]  # flat and hashable: see _walk
    location: Location  # of the first sample
    docs: bool
    examples: list[str | int | float]
    # The smallest and largest number each slot held (numbers in strings as Decimals).
    low: list[Number | None]
    high: list[Number | None]
    # The slots that hold numbers: the same in every sample of a skeleton, whose slot tokens
    # say what each holds (a number in a string fits DECIMAL, other strings never do).
    numeric: tuple[int, ...]
    # The digests of the distinct samples, grouped by the slots where they held a fraction (a
    # bit each): identical samples have identical bits, so a sample is in one group only.
    seen: dict[int, DigestSet] = field(default_factory=dict)

    @property
    def weight(self) -> int:
        return sum(len(digests) for digests in self.seen.values())


@dataclass
class Summary:
    """Every sample of a set, folded.

    `by_folder`: every sample sits in a sub-folder naming its kind (decided from the file list
    before reading, so that duplicates are counted the same way wherever the summary is built).
    `exact_keys`: keys whose values stay whole (config tags); `exact`: keep every value whole.
    """

    by_folder: bool
    exact_keys: frozenset[str] = frozenset()
    exact: bool = False
    # (folder or None, docs, skeleton) -> entry
    entries: dict[tuple[str | None, bool, Any], Entry] = field(default_factory=dict)

    def add(
        self,
        value: Any,
        folder: str | None,
        file: str,
        line: int | None,
        column: int | None,
    ) -> None:
        """Fold one sample in, found in `folder` at file:line:column (ingest.FlatSample): its
        Location is built only for an entry it starts or is the first of."""
        tokens: list[Any] = []
        slots: list[str | int | float] = []
        numbers: list[Number | None] = []
        placeholders: list[str] = []
        exact, exact_keys = self.exact, self.exact_keys
        # A message is an object: taken here, it saves the walk a call around it.
        if type(value) is dict:
            tokens.append((_OBJECT, tuple(value)))
            members: Iterable[tuple[str | None, Any]] = value.items()
        else:
            members = ((None, value),)
        fractions = _walk(
            members, tokens, slots, numbers, placeholders, exact, exact_keys
        )
        docs = bool(placeholders)
        key = (folder if self.by_folder else None, docs, tuple(tokens))
        entry = self.entries.get(key)
        if entry is None:
            self.entries[key] = Entry(
                key[2],
                Location(file, line, column),
                docs,
                slots,
                list(numbers),
                list(numbers),
                tuple(
                    index for index, number in enumerate(numbers) if number is not None
                ),
                {fractions: DigestSet((_digest(slots),))},
            )
            return
        # Identical samples have identical fractions: a duplicate is in its own group only.
        digests = entry.seen.get(fractions)
        if digests is None:
            digests = entry.seen[fractions] = DigestSet()
        if not digests.add(_digest(slots)):
            return
        first = entry.location
        # Location's order (by file, line, column) without building one: samples mostly come
        # later than the entry's first, in the file it was found in.
        if file != first.file:
            earlier = file < first.file
        elif line != first.line:
            earlier = line < first.line  # type: ignore[operator]  # as Location compares
        else:  # equal columns (None ones too) are not earlier
            earlier = column != first.column and column < first.column  # type: ignore[operator]
        if earlier:
            entry.location, entry.examples = Location(file, line, column), slots
        # At the numeric slots, none of these is None.
        lows: list[Any] = entry.low
        highs: list[Any] = entry.high
        values: list[Any] = numbers
        for index in entry.numeric:
            number, low, high = values[index], lows[index], highs[index]
            if number <= low:
                lows[index] = number if number < low else lowest((low, number))
            if number >= high:
                highs[index] = number if number > high else highest((high, number))

    def merge(self, other: Summary) -> Summary:
        """The summary of both sides' samples (neither side changes)."""
        if (self.by_folder, self.exact_keys, self.exact) != (
            other.by_folder,
            other.exact_keys,
            other.exact,
        ):
            raise ValueError("summaries built with different settings cannot merge")
        merged = Summary(self.by_folder, self.exact_keys, self.exact)
        for side in (self, other):
            for key, entry in side.entries.items():
                known = merged.entries.get(key)
                merged.entries[key] = (
                    _copy(entry) if known is None else _merge_entries(known, entry)
                )
        return merged

    def members(self, folder: str | None = None) -> list[Member]:
        """The skeletons of one folder's samples (all, when not by folder), first seen first."""
        found = [
            (entry.location, _member(entry))
            for (scope, _, _), entry in self.entries.items()
            if scope == folder
        ]
        found.sort(key=lambda pair: pair[0])
        return [member for _, member in found]

    def folders(self) -> list[str]:
        return sorted({scope for scope, _, _ in self.entries if scope is not None})

    def __len__(self) -> int:
        """The distinct samples folded in."""
        return sum(entry.weight for entry in self.entries.values())

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Summary):
            return NotImplemented
        return (
            self.by_folder == other.by_folder
            and self.exact_keys == other.exact_keys
            and self.exact == other.exact
            and _comparable(self) == _comparable(other)
        )


def is_docs_example(value: Any) -> bool:
    """A sample holding a docs placeholder string is an example from docs, not a capture."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if thresholds.PLACEHOLDER_STRING.fullmatch(item):
                return True
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _walk(
    members: Iterable[tuple[str | None, Any]],
    tokens: list[Any],
    slots: list[str | int | float],
    numbers: list[Number | None],
    placeholders: list[str],
    exact: bool,
    exact_keys: frozenset[str],
) -> int:
    """Reduce the values of `members` (each with the key it is under, None in an array) to
    their skeleton: append their tokens to `tokens`, their slots' values to `slots` and the
    slots' numbers to `numbers` (None: not a number), and the docs placeholders they hold to
    `placeholders`; return a bit per slot appended that holds a number in a string with a
    fraction or an exponent. One loop takes every kind, commonest first, and a string's token
    is read in it: a call per value would cost as much as the rest of the value's reading. A
    function of lists, not a method: an object holding them costs as much to make as a small
    message's walk.

    The skeleton is flat, a tuple of tokens in document order (one hash and one comparison per
    sample, where nested tuples are hashed and compared level by level): an object is
    `("{", keys)` followed by its values, an array `("[", length)` followed by its items, null,
    true and false `("=", value)`, a slot `(kind, formats)`; a value kept whole is itself (a
    string or an int, never a tuple, so the tokens read back one way only, see `_rebuild`).
    Kinds never compare equal across types: `1`, `1.0`, `true` and `"1"` are four skeletons.

    A string's token is itself when it is a name (or kept whole), else a slot with its formats
    (a number in it read once, for its range).
    """
    fractions = 0
    for name, item in members:
        kind = type(item)
        if kind is str:
            token = _TOKENS.get(item)
            if token is None and (
                len(item) <= thresholds.TAG_CODE_DIGITS or item[:1] not in _NUMBER_START
            ):
                token = _remember(item)
            if type(token) is str:
                tokens.append(token)  # a name, as remembered: it compares as itself
                continue
            if token is False and item[:1] == "<" and _PLACEHOLDER(item):
                placeholders.append(item)
            if exact or name in exact_keys:
                tokens.append(item)
            elif token:
                slots.append(item)
                numbers.append(None)
                tokens.append(token)
            else:
                try:
                    number, end = _NUMBER_TEXT(item, 0)
                    if end != len(item):
                        number = None  # a number followed by more: no number
                except (StopIteration, ValueError, InvalidOperation):
                    # No number starts it, or one past Decimal's exponent limits
                    # (`1E1000000000000000000`): text.
                    number = None
                if number is None:
                    tokens.append((STRING, fits(item)))
                else:
                    if "." in item or "e" in item or "E" in item:
                        fractions |= 1 << len(slots)  # a fraction or exponent
                    if number < _EARLIEST:  # prices, sizes: one comparison
                        tokens.append(_NUMBER_TEXT_SLOTS[0])
                    else:
                        at = bisect_right(DECIMAL_EPOCH_BOUNDS, number)
                        tokens.append(_NUMBER_TEXT_SLOTS[at])
                slots.append(item)
                numbers.append(number)
        elif kind is int:
            if exact or -_MAX_NAME_INT <= item <= _MAX_NAME_INT or name in exact_keys:
                tokens.append(item)
            else:
                slots.append(item)
                numbers.append(item)
                tokens.append(_INTEGER_SLOTS[bisect_right(EPOCH_BOUNDS, item)])
        elif kind is dict:
            tokens.append((_OBJECT, tuple(item)))
            fractions |= _walk(
                item.items(), tokens, slots, numbers, placeholders, exact, exact_keys
            )
        elif kind is list:
            tokens.append((_ARRAY, len(item)))
            fractions |= _walk(
                zip(_NO_KEYS, item),
                tokens,
                slots,
                numbers,
                placeholders,
                exact,
                exact_keys,
            )
        elif kind is float:
            slots.append(item)
            numbers.append(item)
            tokens.append(_FLOAT_SLOTS[bisect_right(EPOCH_BOUNDS, item)])
        else:
            tokens.append((_CONSTANT, item))  # null, true, false
    return fractions


_OBJECT, _ARRAY, _CONSTANT = "{", "[", "="
# The keys of an array's items: none (endless: zip takes as many as there are items).
_NO_KEYS = repeat(None)
_MAX_NAME_INT = thresholds.TAG_MAX_INT  # ints kinds.looks_like_name takes as names
_NUMBER_START = frozenset("-0123456789")
_PLACEHOLDER = thresholds.PLACEHOLDER_STRING.fullmatch
# A number's slot token by where bisection puts it among the epoch windows' bounds (its formats:
# looks.epochs, looks.number_text_fits), made once: a token made per value would be built,
# hashed and compared anew, where a shared one compares as itself; and a number's formats are
# found with one C call, where a call of looks' would cost a Python frame.
_INTEGER_SLOTS = tuple((INTEGER, formats) for formats in INT_FITS_AT)
_FLOAT_SLOTS = tuple((NUMBER, formats) for formats in FLOAT_FITS_AT)
_NUMBER_TEXT_SLOTS = tuple((STRING, formats) for formats in NUMBER_TEXT_FITS_AT)
# Below it, a number is in no window (bisection puts it first): most numbers in strings are.
_EARLIEST = DECIMAL_EPOCH_BOUNDS[0]


def _not_a_number(constant: str) -> NoReturn:
    raise ValueError(constant)


# A number in a string (thresholds.DECIMAL) read as a Decimal by the C JSON scanner, whose
# grammar for numbers is DECIMAL's: the whole string is one when the scan ends at its end. Twice
# as quick as matching the pattern and then reading the Decimal. (-Infinity, which the scanner
# would read as a constant, is none.)
_NUMBER_TEXT = make_scanner(
    json.JSONDecoder(  # type: ignore[arg-type]  # typeshed types the context as a scanner
        parse_float=Decimal, parse_int=Decimal, parse_constant=_not_a_number
    )
)
# Strings seen lately and what the walk makes of them under any key, for strings recur: a name
# (kinds.looks_like_name) is its own token; a string that is a slot and nothing else (no number,
# no placeholder) has its slot's token (STRING, formats), or (STRING, (formats, head)) for a
# channel name with parameters, whose head may name a kind; any other is False (read each time).
# A string starting like a number and longer than a code is no name, and rarely seen twice: it
# is not remembered.
_TOKENS: dict[str, str | tuple[str, Any] | bool] = {}
_TOKENS_KEPT = 1 << 16  # then all forgotten at once


def _remember(text: str) -> str | tuple[str, Any] | bool:
    """What _TOKENS is to say of `text`, put in it."""
    known: str | tuple[str, Any] | bool
    if looks_like_name(text):
        known = text
    elif text[:1] in _NUMBER_START or text[:1] == "<":
        known = False
    elif (head := name_head(text)) is not None:
        known = (STRING, (fits(text), head))  # entries apart by head (Scalar.head)
    else:
        known = (STRING, fits(text))
    if len(_TOKENS) >= _TOKENS_KEPT:
        _TOKENS.clear()
    _TOKENS[text] = known
    return known


def _rebuild(tokens: Iterator[Any], slots: Iterator[Scalar]) -> Any:
    """The JSON-like value the next tokens of a skeleton stand for, with the entry's Scalars at
    its slots."""
    token = next(tokens)
    if type(token) is not tuple:
        return token
    mark, body = token
    if mark == _OBJECT:
        return {name: _rebuild(tokens, slots) for name in body}
    if mark == _ARRAY:
        return [_rebuild(tokens, slots) for _ in range(body)]
    if mark == _CONSTANT:
        return body
    return next(slots)


def _member(entry: Entry) -> Member:
    weight = entry.weight
    scalars = iter(
        [
            Scalar(
                _kind_of(raw),
                Looks(
                    fits(raw),
                    weight,
                    sum(
                        len(digests)
                        for mask, digests in entry.seen.items()
                        if mask >> index & 1
                    ),
                    _decimal(entry.low[index]),
                    _decimal(entry.high[index]),
                ),
                raw,
                name_head(raw) if type(raw) is str and raw[:1].isalpha() else None,
            )
            for index, raw in enumerate(entry.examples)
        ]
    )
    return Member(
        _rebuild(iter(entry.skeleton), scalars), entry.location, entry.docs, weight
    )


def _decimal(number: Number | None) -> Decimal | None:
    return None if number is None else Decimal(number)


def _kind_of(raw: str | int | float) -> str:
    if isinstance(raw, str):
        return STRING
    return INTEGER if isinstance(raw, int) else NUMBER


def _digest(slots: list[str | int | float]) -> int:
    """64 bits that tell apart the samples of one skeleton: the skeleton holds everything else
    of a sample, so equal slot values make exact duplicates (short of a collision, about one in
    10^19 for a pair). The bytes hashed are marshal's, in its format 2: typed (1, 1.0 and "1"
    differ), exact (floats in binary, strings in UTF-8 with lone surrogates kept) and, unlike
    formats 3 and up, the same for equal values whatever objects hold them (no references to
    shared or interned objects); four times quicker to write than `repr`. Every process that
    folds parts of a set runs one Python, whose marshal writes them alike."""
    hashed = _BLAKE2B_8.copy()  # quicker than a new one: no parameters to read
    hashed.update(marshal.dumps(slots, _MARSHAL_FORMAT))
    return int.from_bytes(hashed.digest(), "big")


_MARSHAL_FORMAT = 2
_BLAKE2B_8 = hashlib.blake2b(digest_size=8)


def _copy(entry: Entry) -> Entry:
    return replace(
        entry,
        low=list(entry.low),
        high=list(entry.high),
        seen={mask: digests.copy() for mask, digests in entry.seen.items()},
    )


def _merge_entries(left: Entry, right: Entry) -> Entry:
    first = left if left.location <= right.location else right
    seen = {mask: digests.copy() for mask, digests in left.seen.items()}
    for mask, digests in right.seen.items():
        seen[mask] = seen[mask].union(digests) if mask in seen else digests.copy()
    return replace(
        first,
        low=[_extreme(lowest, a, b) for a, b in zip(left.low, right.low)],
        high=[_extreme(highest, a, b) for a, b in zip(left.high, right.high)],
        seen=seen,
    )


def _extreme(
    pick: Callable[[Iterable[Number]], Decimal | None],
    left: Number | None,
    right: Number | None,
) -> Number | None:
    return pick(number for number in (left, right) if number is not None)


def _comparable(summary: Summary) -> dict[Any, Any]:
    return {
        key: (
            entry.location,
            entry.docs,
            entry.examples,
            entry.low,
            entry.high,
            entry.seen,
        )
        for key, entry in summary.entries.items()
    }
