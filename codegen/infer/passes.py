"""Named passes over the shape IR. Each is a pure function `Shape -> Shape`, testable alone."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from codegen.infer import thresholds
from codegen.infer.ir import (
    ArrayShape,
    Field,
    MapShape,
    ObjectShape,
    Record,
    Shape,
    TaggedUnion,
    Variant,
)
from codegen.infer.observe import merge, merge_records

Rewrite = Callable[[Shape], Shape]


def transform(shape: Shape, rewrite: Rewrite) -> Shape:
    """Rebuild `shape` bottom-up, applying `rewrite` to every shape after its children."""
    array = shape.array
    if array is not None and array.items is not None:
        array = ArrayShape(transform(array.items, rewrite))
    record = shape.record
    if isinstance(record, ObjectShape):
        record = ObjectShape(
            tuple(
                Field(f.key, transform(f.shape, rewrite), f.present)
                for f in record.fields
            ),
            record.count,
            record.single_key,
            record.origin,
        )
    elif isinstance(record, TaggedUnion):
        record = TaggedUnion(
            tuple(Variant(v.tag, transform(v.shape, rewrite)) for v in record.variants),
            record.origin,
        )
    elif isinstance(record, MapShape):
        record = MapShape(transform(record.values, rewrite), record.origin)
    rebuilt = Shape(
        shape.null,
        shape.boolean,
        shape.integer,
        shape.number,
        shape.string,
        array,
        record,
    )
    return rewrite(rebuilt)


def detect_tagged_unions(root: Shape) -> Shape:
    """Objects that always had exactly one key, varying across samples, are externally tagged unions.

    Each key becomes a variant whose payload is the shape merged from that key's values alone.
    """

    def rewrite(shape: Shape) -> Shape:
        record = shape.record
        if not isinstance(record, ObjectShape) or record.single_key != record.count:
            return shape
        tags = record.fields
        if len(tags) < thresholds.MIN_TAGS_FOR_ANY_PAYLOAD and not _holds_objects_only(
            tags[0].shape
        ):
            return shape
        variants = tuple(
            Variant(f.key, f.shape) for f in sorted(tags, key=lambda f: f.key)
        )
        return _with_record(shape, TaggedUnion(variants, record.origin))

    return transform(root, rewrite)


def _holds_objects_only(shape: Shape) -> bool:
    """Only records (or unions) were seen here: never null, a scalar, an array or a map."""
    return isinstance(shape.record, (ObjectShape, TaggedUnion)) and shape == Shape(
        record=shape.record
    )


def _with_record(shape: Shape, record: Record) -> Shape:
    return Shape(
        shape.null,
        shape.boolean,
        shape.integer,
        shape.number,
        shape.string,
        shape.array,
        record,
    )


def detect_maps(root: Shape) -> Shape:
    """Objects whose keys are data (`{"BTC-USD": {...}, "ETH-USD": {...}}`) become maps.

    Thresholds and the data-key pattern are in `thresholds`; the values merge into one shape.
    """

    def rewrite(shape: Shape) -> Shape:
        record = shape.record
        if (
            not isinstance(record, ObjectShape)
            or len(record.fields) < thresholds.MAP_MIN_KEYS
        ):
            return shape
        if not all(thresholds.DATA_KEY.fullmatch(f.key) for f in record.fields):
            return shape
        values = record.fields[0].shape
        for item in record.fields[1:]:
            # Against everything merged so far: compatibility is not transitive (`[]` fits both
            # `[{}]` and `[{"a-b": 1, ...}]`, which do not fit each other).
            if not compatible(values, item.shape):
                return shape
            values = merge(values, item.shape)
        return _with_record(shape, MapShape(values, record.origin))

    return transform(root, rewrite)


def dedupe(root: Shape) -> Shape:
    """Records with the same keys (or tags) and compatible field types become one shape.

    Compatible means merging them adds no new kind of value anywhere: null next to a value,
    an int next to a float, an empty array next to a full one are the same type seen twice.
    Pairs merge one at a time, first pair by position first, until none is left: the result is
    the same for any sample order because the IR itself is.
    """
    while True:
        records = _records(root)
        root = transform(root, lambda shape: _earliest_origin(shape, records))
        pair = _first_mergeable_pair(
            sorted(records.values(), key=lambda record: record.origin)
        )
        if pair is None:
            return root
        left, right = pair
        merged = merge_records(left, right)

        def rewrite(shape: Shape, left: object = left, right: object = right) -> Shape:
            if shape.record is not None and (
                shape.record == left or shape.record == right
            ):
                return _with_record(shape, merged)
            return shape

        root = transform(root, rewrite)


def _earliest_origin(shape: Shape, records: dict[Record, Record]) -> Shape:
    """Equal records seen at several places all carry the origin of the one seen first."""
    if shape.record is None:
        return shape
    return _with_record(
        shape, replace(shape.record, origin=records[shape.record].origin)
    )


def _records(root: Shape) -> dict[Record, Record]:
    """Each distinct record in the tree, mapped to its equal twin seen first (origins differ)."""
    found: dict[Record, Record] = {}

    def visit(shape: Shape) -> Shape:
        record = shape.record
        if record is not None:
            known = found.get(record)
            if known is None or record.origin < known.origin:
                found[record] = record
        return shape

    transform(root, visit)
    return found


def _first_mergeable_pair(
    records: list[Record],
) -> tuple[Record, Record] | None:
    for index, left in enumerate(records):
        for right in records[index + 1 :]:
            if (
                _record_key(left) == _record_key(right)
                and _compatible_records(left, right)
                and not _nests(left, right)
                and not _nests(right, left)
            ):
                return left, right
    return None


def _nests(outer: Record, inner: Record) -> bool:
    """Whether `inner` occurs inside `outer`: a tree (`children: [{...same keys...}]`) is not
    one type seen twice, and merging the two levels would never reach a fixpoint."""
    found = False

    def visit(shape: Shape) -> Shape:
        nonlocal found
        found = found or shape.record == inner
        return shape

    for child in _children(outer):
        transform(child, visit)
    return found


def _children(record: Record) -> list[Shape]:
    if isinstance(record, ObjectShape):
        return [f.shape for f in record.fields]
    if isinstance(record, MapShape):
        return [record.values]
    return [v.shape for v in record.variants]


def _record_key(record: Record) -> tuple[str, frozenset[str]]:
    if isinstance(record, ObjectShape):
        return ("object", record.keys)
    if isinstance(record, MapShape):
        return ("map", frozenset())
    return ("union", frozenset(v.tag for v in record.variants))


def _compatible_records(left: Record, right: Record) -> bool:
    if isinstance(left, ObjectShape) and isinstance(right, ObjectShape):
        if left.keys != right.keys:
            return False
        others = {f.key: f.shape for f in right.fields}
        return all(compatible(f.shape, others[f.key]) for f in left.fields)
    if isinstance(left, MapShape) and isinstance(right, MapShape):
        return compatible(left.values, right.values)
    if isinstance(left, TaggedUnion) and isinstance(right, TaggedUnion):
        others = {v.tag: v.shape for v in right.variants}
        return all(
            compatible(v.shape, others[v.tag]) for v in left.variants if v.tag in others
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
        return _record_key(left.record) == _record_key(
            right.record
        ) and _compatible_records(left.record, right.record)
    return True


PASSES: tuple[tuple[str, Rewrite], ...] = (
    ("detect_maps", detect_maps),  # first: data keys (`"BTC-USD"`) are never tags
    ("detect_tagged_unions", detect_tagged_unions),
    ("dedupe", dedupe),
)
