"""Walking and comparing shape trees: what every pass shares."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from codegen.infer.ir import (
    MapShape,
    ObjectShape,
    ObjectUnion,
    ObjectVariant,
    Record,
    Shape,
    TaggedUnion,
    TupleShape,
    Variant,
)

Rewrite = Callable[[Shape], Shape]


def transform(shape: Shape, rewrite: Rewrite) -> Shape:
    """Rebuild `shape` bottom-up, applying `rewrite` to every shape after its children."""
    return rewrite(rebuild_shape(shape, lambda child: transform(child, rewrite)))


def rebuild_shape(shape: Shape, visit: Rewrite) -> Shape:
    """The same shape with `visit` applied to each child shape (items, positions, fields...)."""
    array = shape.array
    if array is not None:
        array = replace(
            array,
            items=None if array.items is None else visit(array.items),
            positions=(
                None
                if array.positions is None
                else tuple(visit(position) for position in array.positions)
            ),
        )
    fixed = shape.tuple
    if fixed is not None:
        fixed = TupleShape(tuple(visit(position) for position in fixed.positions))
    record = shape.record
    if record is not None:
        record = rebuild(record, visit)
    return replace(shape, array=array, tuple=fixed, record=record)


def rebuild(record: Record, visit: Rewrite) -> Record:
    """The same record with `visit` applied to each child shape."""
    if isinstance(record, ObjectShape):
        return replace(
            record,
            fields=tuple(replace(f, shape=visit(f.shape)) for f in record.fields),
        )
    if isinstance(record, TaggedUnion):
        return TaggedUnion(
            tuple(Variant(v.tag, visit(v.shape)) for v in record.variants),
            record.origin,
            record.out_of_band,
        )
    if isinstance(record, ObjectUnion):
        return replace(
            record,
            variants=tuple(
                ObjectVariant(v.tag, visit(v.shape), v.count) for v in record.variants
            ),
        )
    return MapShape(visit(record.values), record.origin)


def value_children(shape: Shape) -> list[Shape]:
    """The shapes inside a shape's arrays and tuples (its record's are `children`)."""
    found: list[Shape] = []
    if shape.array is not None:
        if shape.array.items is not None:
            found.append(shape.array.items)
        found.extend(shape.array.positions or ())
    if shape.tuple is not None:
        found.extend(shape.tuple.positions)
    return found


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
    # A recursive record is only ever itself: its anchor is what the positions below refer to.
    if isinstance(record, ObjectShape):
        return ("object", record.keys, record.tags, record.is_kind, record.anchor)
    if isinstance(record, MapShape):
        return ("map",)
    if isinstance(record, ObjectUnion):
        return (
            "object-union",
            record.tag_key,
            record.tags,
            frozenset(v.tag for v in record.variants),
            record.anchor,
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


def kinds_of(shape: Shape) -> frozenset[str]:
    kinds = set()
    if shape.boolean:
        kinds.add("boolean")
    if shape.integer or shape.number:
        kinds.add("number")
    if shape.string:
        kinds.add("string")
    if shape.array is not None:
        kinds.add("array")
    if shape.tuple is not None:
        kinds.add(f"tuple of {len(shape.tuple.positions)}")
    if shape.record is not None or shape.recursion is not None:
        kinds.add("object")
    return frozenset(kinds)


def compatible(left: Shape, right: Shape) -> bool:
    """Whether two positions hold the same type, seen with different (or partial) evidence."""
    if left.is_unknown or right.is_unknown:
        return True
    if kinds_of(left) != kinds_of(right):
        return False
    if left.recursion != right.recursion:
        return False  # a recursive type and a record, or two recursive types
    if left.array is not None and right.array is not None:
        items, other = left.array.items, right.array.items
        if items is not None and other is not None and not compatible(items, other):
            return False
    if left.tuple is not None and right.tuple is not None:
        if not all(map(compatible, left.tuple.positions, right.tuple.positions)):
            return False
    if left.record is not None and right.record is not None:
        return compatible_records(left.record, right.record)
    return True
