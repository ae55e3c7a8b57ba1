"""Walking and comparing shape trees: what every pass shares."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from codegen.infer.ir import (
    ArrayShape,
    Field,
    MapShape,
    ObjectShape,
    ObjectUnion,
    ObjectVariant,
    Record,
    Shape,
    TaggedUnion,
    Variant,
)

Rewrite = Callable[[Shape], Shape]


def transform(shape: Shape, rewrite: Rewrite) -> Shape:
    """Rebuild `shape` bottom-up, applying `rewrite` to every shape after its children."""
    array = shape.array
    if array is not None and array.items is not None:
        array = ArrayShape(transform(array.items, rewrite))
    record = shape.record
    if record is not None:
        record = rebuild(record, lambda child: transform(child, rewrite))
    return rewrite(replace(shape, array=array, record=record))


def rebuild(record: Record, visit: Rewrite) -> Record:
    """The same record with `visit` applied to each child shape."""
    if isinstance(record, ObjectShape):
        return ObjectShape(
            tuple(Field(f.key, visit(f.shape), f.present) for f in record.fields),
            record.count,
            record.single_key,
            record.origin,
            record.tags,
            record.is_kind,
        )
    if isinstance(record, TaggedUnion):
        return TaggedUnion(
            tuple(Variant(v.tag, visit(v.shape)) for v in record.variants),
            record.origin,
            record.out_of_band,
        )
    if isinstance(record, ObjectUnion):
        return ObjectUnion(
            record.discriminator,
            tuple(
                ObjectVariant(v.tag, visit(v.shape), v.count) for v in record.variants
            ),
            record.origin,
            record.tags,
        )
    return MapShape(visit(record.values), record.origin)


def with_record(shape: Shape, record: Record | None) -> Shape:
    return replace(shape, record=record)


def children(record: Record) -> list[Shape]:
    if isinstance(record, ObjectShape):
        return [f.shape for f in record.fields]
    if isinstance(record, MapShape):
        return [record.values]
    return [v.shape for v in record.variants]


def record_key(record: Record) -> tuple[object, ...]:
    """What two records must share to be one type: keys (and tags), a union's tags, or map-ness."""
    if isinstance(record, ObjectShape):
        return ("object", record.keys, record.tags, record.is_kind)
    if isinstance(record, MapShape):
        return ("map",)
    if isinstance(record, ObjectUnion):
        return (
            "object-union",
            record.tag_key,
            record.tags,
            frozenset(v.tag for v in record.variants),
        )
    return ("union", record.out_of_band, frozenset(v.tag for v in record.variants))


def compatible_records(left: Record, right: Record) -> bool:
    if record_key(left) != record_key(right):
        return False
    if isinstance(left, ObjectShape) and isinstance(right, ObjectShape):
        others = {f.key: f.shape for f in right.fields}
        return all(compatible(f.shape, others[f.key]) for f in left.fields)
    if isinstance(left, MapShape) and isinstance(right, MapShape):
        return compatible(left.values, right.values)
    if isinstance(left, (TaggedUnion, ObjectUnion)) and isinstance(
        right, (TaggedUnion, ObjectUnion)
    ):
        variants: dict[str | int | None, Shape] = {
            v.tag: v.shape for v in right.variants
        }
        return all(
            compatible(v.shape, variants[v.tag])
            for v in left.variants
            if v.tag in variants
        )
    return False


def _kinds(shape: Shape) -> frozenset[str]:
    kinds = set()
    if shape.boolean:
        kinds.add("boolean")
    if shape.integer or shape.number:
        kinds.add("number")
    if shape.string:
        kinds.add("string")
    if shape.array is not None:
        kinds.add("array")
    if shape.record is not None:
        kinds.add("object")
    return frozenset(kinds)


def compatible(left: Shape, right: Shape) -> bool:
    """Whether two positions hold the same type, seen with different (or partial) evidence."""
    if left.is_unknown or right.is_unknown:
        return True
    if _kinds(left) != _kinds(right):
        return False
    if left.array is not None and right.array is not None:
        items, other = left.array.items, right.array.items
        if items is not None and other is not None and not compatible(items, other):
            return False
    if left.record is not None and right.record is not None:
        return compatible_records(left.record, right.record)
    return True
