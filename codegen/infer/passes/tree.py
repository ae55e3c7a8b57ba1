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
    TupleUnion,
    Variant,
)

Rewrite = Callable[[Shape], Shape]


def transform(shape: Shape, rewrite: Rewrite) -> Shape:
    """Rebuild `shape` bottom-up, applying `rewrite` to every shape after its children."""
    return rewrite(rebuild_shape(shape, lambda child: transform(child, rewrite)))


def rebuild_shape(shape: Shape, visit: Rewrite) -> Shape:
    """The same shape with `visit` applied to each child shape (items, positions, fields...).

    When `visit` returns every child as it was (the same object), so is the shape: shapes are
    values, and a pass that changes little of a big tree then copies little of it.
    """
    array = shape.array
    if array is not None:
        items = None if array.items is None else visit(array.items)
        positions = (
            None
            if array.positions is None
            else tuple(visit(position) for position in array.positions)
        )
        if items is not array.items or not _same(positions, array.positions):
            array = replace(array, items=items, positions=positions)
    fixed = shape.tuple
    if fixed is not None:
        positions = tuple(visit(position) for position in fixed.positions)
        if not _same(positions, fixed.positions):
            fixed = TupleShape(positions)
    record = shape.record
    if record is not None:
        record = rebuild(record, visit)
    tuples = shape.tuples
    if tuples is not None:
        tuples = _rebuild_tuples(tuples, visit)
    if (
        array is shape.array
        and fixed is shape.tuple
        and record is shape.record
        and tuples is shape.tuples
    ):
        return shape
    return replace(shape, array=array, tuple=fixed, record=record, tuples=tuples)


def _rebuild_tuples(union: TupleUnion, visit: Rewrite) -> TupleUnion:
    kinds = []
    for kind in union.kinds:
        positions = tuple(visit(position) for position in kind.positions)
        kinds.append(
            kind
            if _same(positions, kind.positions)
            else replace(kind, positions=positions)
        )
    if all(new is old for new, old in zip(kinds, union.kinds)):
        return union
    return replace(union, kinds=tuple(kinds))


def rebuild(record: Record, visit: Rewrite) -> Record:
    """The same record with `visit` applied to each child shape (the same object when `visit`
    returns every child as it was)."""
    if isinstance(record, ObjectShape):
        shapes = tuple(visit(f.shape) for f in record.fields)
        if _same(shapes, tuple(f.shape for f in record.fields)):
            return record
        return replace(
            record,
            fields=tuple(
                f if shape is f.shape else replace(f, shape=shape)
                for f, shape in zip(record.fields, shapes)
            ),
        )
    if isinstance(record, MapShape):
        values = visit(record.values)
        return record if values is record.values else MapShape(values, record.origin)
    shapes = tuple(visit(v.shape) for v in record.variants)
    if _same(shapes, tuple(v.shape for v in record.variants)):
        return record
    if isinstance(record, TaggedUnion):
        return TaggedUnion(
            tuple(Variant(v.tag, shape) for v, shape in zip(record.variants, shapes)),
            record.origin,
            record.out_of_band,
        )
    return replace(
        record,
        variants=tuple(
            ObjectVariant(v.tag, shape, v.count)
            for v, shape in zip(record.variants, shapes)
        ),
    )


def _same(
    visited: tuple[Shape, ...] | None, children: tuple[Shape, ...] | None
) -> bool:
    """Whether `visit` gave back each child as it was."""
    if visited is None or children is None:
        return visited is children
    return all(new is old for new, old in zip(visited, children))


def value_children(shape: Shape) -> list[Shape]:
    """The shapes inside a shape's arrays and tuples (its record's are `children`)."""
    found: list[Shape] = []
    if shape.array is not None:
        if shape.array.items is not None:
            found.append(shape.array.items)
        found.extend(shape.array.positions or ())
    if shape.tuple is not None:
        found.extend(shape.tuple.positions)
    if shape.tuples is not None:
        for kind in shape.tuples.kinds:
            found.extend(kind.positions)
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
    if shape.tuples is not None:
        told = "by the head" if shape.tuples.head else "by the name"
        kinds.add(f"tuples told {told} at {shape.tuples.index}")
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
    if left.tuples is not None and right.tuples is not None:
        kinds = {(k.tag, len(k.positions)): k.positions for k in right.tuples.kinds}
        if not all(
            all(map(compatible, kind.positions, kinds[key]))
            for kind in left.tuples.kinds
            if (key := (kind.tag, len(kind.positions))) in kinds
        ):
            return False
    if left.record is not None and right.record is not None:
        return compatible_records(left.record, right.record)
    return True
