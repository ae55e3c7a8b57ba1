"""The detect_tagged_unions pass: `{tag: payload}` objects become externally tagged unions."""

from __future__ import annotations

from codegen.infer import thresholds
from codegen.infer.ir import (
    ObjectShape,
    ObjectUnion,
    Shape,
    TaggedUnion,
    Variant,
)
from codegen.infer.passes.tree import transform, with_record


def detect_tagged_unions(root: Shape) -> Shape:
    """Objects that always had exactly one key are an externally tagged union, given evidence.

    Evidence is several tags seen at the position, or one tag whose payload is itself such a
    union (`{"server_message": {"position": ...}}`), or one tag inside a union family whose
    sibling kinds are unions (`pending_position: {created: ...}` beside `position: {created,
    updated, closed}`). A wrapper that never varies (`{"data": {"user": {...}}}`,
    `changes: {"title": {...}}`) stays a record: one new sibling key must not turn a whole
    message into an unknown variant. Each tag's payload is the shape merged from its values alone.
    """
    root = transform(root, _multi_tag_levels)
    return transform(root, _family_levels)


def _single_key_object(shape: Shape) -> ObjectShape | None:
    record = shape.record
    if (
        isinstance(record, ObjectShape)
        and not record.is_kind
        and record.anchor is None  # `{"a": {"a": ...}}` nests a record, not a union
        and record.fields
        and record.single_key == record.count
    ):
        return record
    return None


def _as_union(shape: Shape, record: ObjectShape) -> Shape:
    variants = tuple(
        Variant(f.key, f.shape) for f in sorted(record.fields, key=lambda f: f.key)
    )
    return with_record(shape, TaggedUnion(variants, record.origin))


def _multi_tag_levels(shape: Shape) -> Shape:
    record = _single_key_object(shape)
    if record is None:
        return shape
    if len(record.fields) >= thresholds.MIN_TAGS_FOR_UNION or _is_union(
        record.fields[0].shape
    ):
        return _as_union(shape, record)
    return shape


def _family_levels(shape: Shape) -> Shape:
    """In a union whose kinds include unions, a kind's one-tag level is a union too."""
    record = shape.record
    if (
        not isinstance(record, TaggedUnion)
        or record.out_of_band
        or not any(_is_union(v.shape) for v in record.variants)
    ):
        return shape
    variants = []
    for variant in record.variants:
        level = _single_key_object(variant.shape)
        payload = variant.shape
        if level is not None and _holds_objects_only(level.fields[0].shape):
            payload = _as_union(variant.shape, level)
        variants.append(Variant(variant.tag, payload))
    return with_record(
        shape, TaggedUnion(tuple(variants), record.origin)
    )  # not out of band


def _is_union(shape: Shape) -> bool:
    """Only a union was seen here (never null, a scalar or an array beside it)."""
    return isinstance(shape.record, (TaggedUnion, ObjectUnion)) and shape == Shape(
        record=shape.record
    )


def _holds_objects_only(shape: Shape) -> bool:
    """Only records (or unions) were seen here: never null, a scalar, an array or a map."""
    return isinstance(
        shape.record, (ObjectShape, TaggedUnion, ObjectUnion)
    ) and shape == Shape(record=shape.record)
