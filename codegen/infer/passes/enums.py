"""The detect_enums pass: strings (or small ints) that name a few things, seen many times,
become open enums."""

from __future__ import annotations

from dataclasses import replace

from codegen.infer import thresholds
from codegen.infer.ir import Shape, Values
from codegen.infer.kinds import looks_like_name
from codegen.infer.passes.tree import transform


def detect_enums(root: Shape) -> Shape:
    """Mark string and int positions whose values are an open enum (`side`: buy/sell over 80
    messages; `order_type`: 1/2/3 over 60).

    The evidence and its thresholds are in `thresholds` (ENUM_*, INT_ENUM_*); the config can
    force either way (`enum = true/false/"closed"` at a path). Open: a value never seen still
    decodes, as a plain str or int; closed (config only): it is a DecodeError.
    """

    def rewrite(shape: Shape) -> Shape:
        if shape.texts is not None and is_enum(shape):
            return replace(shape, texts=replace(shape.texts, enum=True))
        if shape.ints is not None and is_int_enum(shape):
            return replace(shape, ints=replace(shape.ints, enum=True))
        return shape

    return transform(root, rewrite)


def is_enum(shape: Shape) -> bool:
    texts = shape.texts
    if texts is None or not _may_be_enum(texts):
        return False
    only_strings = shape.string and not (shape.integer or _other_kinds(shape))
    if texts.forced:
        return only_strings
    return (
        only_strings
        and texts.total >= thresholds.ENUM_MIN_OBSERVATIONS
        and len(texts.counts) ** 2 <= texts.total
        and all(looks_like_name(value) for value, _ in texts.counts)
    )


def is_int_enum(shape: Shape) -> bool:
    """Codes numbered from 0 or 1 without gaps, seen many times, each more than once: never
    counters, ids, timestamps, sizes (see thresholds.INT_ENUM_*)."""
    ints = shape.ints
    if ints is None or not _may_be_enum(ints):
        return False
    only_ints = shape.integer and not (shape.string or _other_kinds(shape))
    if ints.forced:
        return only_ints
    values = [value for value, _ in ints.counts]  # sorted
    return (
        only_ints
        and ints.total >= thresholds.INT_ENUM_MIN_OBSERVATIONS
        and len(values) <= thresholds.INT_ENUM_MAX_VALUES
        and len(values) ** 2 <= ints.total
        and all(count >= thresholds.INT_ENUM_MIN_PER_VALUE for _, count in ints.counts)
        and values[0] in (0, 1)
        and values == list(range(values[0], values[0] + len(values)))
        and values != [0, 1]
    )


def _may_be_enum(values: Values[str] | Values[int]) -> bool:
    return values.forced is not False and len(values.counts) >= 2


def _other_kinds(shape: Shape) -> bool:
    """Values an enum never holds: booleans, floats, arrays, objects."""
    return bool(
        shape.boolean
        or shape.number
        or shape.array
        or shape.tuple
        or shape.tuples
        or shape.record
    )
