"""The dedupe pass: records with the same keys and compatible field types become one shape."""

from __future__ import annotations

from dataclasses import replace

from codegen.infer.ir import Record, Shape
from codegen.infer.observe import merge_records
from codegen.infer.passes.tree import (
    children,
    compatible_records,
    rebuild_shape,
    record_key,
    transform,
    value_children,
    with_record,
)


def dedupe(root: Shape) -> Shape:
    """Records with the same keys (or tags) and compatible field types become one shape.

    Compatible means merging them adds no new kind of value anywhere: null next to a value,
    an int next to a float, an empty array next to a full one are the same type seen twice.
    Each round buckets the records by keys, clusters each bucket in order of first sighting
    (a record joins the first cluster it is compatible with) and rewrites the tree once; rounds
    repeat until nothing merges, since merging children can make their parents equal. The result
    is the same for any sample order because the IR itself is. Kinds of an object union never
    merge with each other: their tag values differ, and the tag is part of what they are.
    """
    while True:
        records = _records(root)
        root = transform(root, lambda shape: _earliest_origin(shape, records))
        merged = _merges(sorted(records.values(), key=lambda record: record.origin))
        if not merged:
            return root
        root = _replace(root, merged)


def _merges(records: list[Record]) -> dict[Record, Record]:
    """Each record that merges with others, mapped to the merge of its cluster."""
    inside = _descendants(records)
    clusters: dict[tuple[object, ...], list[list[Record]]] = {}
    for record in records:
        bucket = clusters.setdefault(record_key(record), [])
        for cluster in bucket:
            if all(
                compatible_records(member, record)
                and member not in inside[record]
                and record not in inside[member]
                for member in cluster
            ):
                cluster.append(record)
                break
        else:
            bucket.append([record])
    merged: dict[Record, Record] = {}
    for bucket in clusters.values():
        for cluster in bucket:
            if len(cluster) > 1:
                result = cluster[0]
                for member in cluster[1:]:
                    result = merge_records(result, member)
                merged.update((member, result) for member in cluster)
    return merged


def _descendants(records: list[Record]) -> dict[Record, frozenset[Record]]:
    """The records nested inside each record: a tree (`children: [{...same keys...}]`) is not
    one type seen twice, and merging the two levels would never reach a fixpoint."""
    found: dict[Record, frozenset[Record]] = {}

    def below(shape: Shape) -> frozenset[Record]:
        nested: set[Record] = set()
        for child in value_children(shape):
            nested |= below(child)
        if shape.record is not None:
            nested.add(shape.record)
            nested |= of(shape.record)
        return frozenset(nested)

    def of(record: Record) -> frozenset[Record]:
        if record not in found:
            found[record] = frozenset().union(
                *(below(child) for child in children(record))
            )
        return found[record]

    for record in records:
        of(record)
    return found


def _replace(shape: Shape, merged: dict[Record, Record]) -> Shape:
    """Top-down: a record that merged is replaced by the merge, then its children are visited
    (replacing bottom-up would change a parent before it is looked up)."""
    if shape.record is not None and shape.record in merged:
        shape = replace(shape, record=merged[shape.record])
    return rebuild_shape(shape, lambda child: _replace(child, merged))


def _earliest_origin(shape: Shape, records: dict[Record, Record]) -> Shape:
    """Equal records seen at several places all carry the origin of the one seen first."""
    if shape.record is None:
        return shape
    return with_record(
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
