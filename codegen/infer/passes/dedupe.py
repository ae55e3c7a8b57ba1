"""The dedupe pass: records with the same keys and compatible field types become one shape."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from codegen.infer.ir import MapShape, ObjectShape, Record, Shape
from codegen.infer.observe import merge_records
from codegen.infer.passes.tree import (
    children,
    kinds_of,
    rebuild,
    rebuild_shape,
    record_key,
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
        records = _Records(root)
        merged = _merges(records)
        root = _rewrite(root, records, merged)
        if not merged:
            return root


class _Records:
    """The distinct records of a tree (equal but for origins is the same record), numbered in
    order of their earliest origin; each is the twin seen first. Looking a record of the tree up
    costs no hashing of the record (which would walk all of it): its identity is remembered.
    """

    def __init__(self, root: Shape) -> None:
        first: dict[Record, int] = {}  # each distinct record: its place in `twins`
        twins: list[Record] = []  # the twin seen first of each
        seen: dict[int, tuple[Record, int]] = (
            {}
        )  # by identity: each record object, its place

        def visit(shape: Shape) -> None:  # children first, as `transform` visits
            for child in value_children(shape):
                visit(child)
            record = shape.record
            if record is not None:
                for child in children(record):
                    visit(child)
                place = first.setdefault(record, len(twins))
                if place == len(twins):
                    twins.append(record)
                elif record.origin < twins[place].origin:
                    twins[place] = record
                seen[id(record)] = (
                    record,
                    place,
                )  # the record is kept: its id stays its own

        visit(root)
        order = sorted(range(len(twins)), key=lambda place: twins[place].origin)
        self.records = [twins[place] for place in order]
        self._places = (
            first  # not re-keyed by number: that would hash every record again
        )
        self._numbers = [0] * len(twins)
        for n, place in enumerate(order):
            self._numbers[place] = n
        self._by_identity = {
            key: self._numbers[place] for key, (_, place) in seen.items()
        }

    def number(self, record: Record) -> int | None:
        """The number of a record equal to `record`, None when the tree has none."""
        known = self._by_identity.get(id(record))
        if known is not None:
            return known
        place = self._places.get(record)
        return None if place is None else self._numbers[place]


def _merges(found: _Records) -> dict[int, Record]:
    """Each record (by number) that merges with others, mapped to the merge of its cluster.

    A record joins the first cluster (in order of creation) of its bucket whose every member it
    is compatible with and none of which it nests in or holds. Compatibility is agreement on the
    kinds seen at every position both records know (`_positions`); members of a cluster agree
    with each other, so agreeing with each member is agreeing with the union of their positions,
    which the bucket's index answers for all its clusters at once (`_Bucket.agreeing`).
    A record alone with its keys merges with nothing: its positions (all of the tree, for the
    root) are never listed.
    """
    records = found.records
    inside = _descendants(found)
    keys = [record_key(record) for record in records]
    sharing = Counter(keys)
    numbers: dict[object, int] = {}
    buckets: dict[tuple[object, ...], _Bucket] = {}
    for index, record in enumerate(records):
        if sharing[keys[index]] > 1:
            bucket = buckets.setdefault(keys[index], _Bucket())
            bucket.place(index, _positions(record, numbers), inside[index])
    merged: dict[int, Record] = {}
    for bucket in buckets.values():
        for cluster in bucket.clusters:
            if len(cluster.members) > 1:
                result = records[cluster.members[0]]
                for member in cluster.members[1:]:
                    result = merge_records(result, records[member])
                merged.update((member, result) for member in cluster.members)
    return merged


@dataclass
class _Cluster:
    members: list[int] = field(default_factory=list)
    holds: set[int] = field(default_factory=set)  # records nested in any member

    def admits(self, record: int, nested: frozenset[int]) -> bool:
        """Whether `record`, agreeing with every member, neither nests in nor holds one."""
        return record not in self.holds and nested.isdisjoint(self.members)

    def add(self, record: int, nested: frozenset[int]) -> None:
        self.members.append(record)
        self.holds |= nested


@dataclass
class _Bucket:
    """The clusters of one record key in order of creation, indexed by position as bit sets
    (bit i: the i-th cluster): those that know each position, and those that know each kinds
    there. One look-up is a few operations on machine words per position of the record, not a
    comparison with each cluster.
    """

    clusters: list[_Cluster] = field(default_factory=list)
    knowing: dict[int, int] = field(default_factory=dict)
    knowing_kinds: dict[tuple[int, int], int] = field(default_factory=dict)

    def place(self, record: int, known: dict[int, int], nested: frozenset[int]) -> None:
        """Add `record` (knowing `known`) to the first cluster that admits it, or to a new one."""
        for bit in self.agreeing(known):
            if self.clusters[bit].admits(record, nested):
                break
        else:
            bit = len(self.clusters)
            self.clusters.append(_Cluster())
        self.clusters[bit].add(record, nested)
        flag = 1 << bit
        for path, kinds in known.items():
            self.knowing[path] = self.knowing.get(path, 0) | flag
            self.knowing_kinds[path, kinds] = (
                self.knowing_kinds.get((path, kinds), 0) | flag
            )

    def agreeing(self, known: dict[int, int]) -> Iterator[int]:
        """In order, the clusters that know the same kinds as `known` wherever both know any."""
        bits = (1 << len(self.clusters)) - 1
        for path, kinds in known.items():
            knowing = self.knowing.get(path, 0)
            if knowing:
                bits &= ~knowing | self.knowing_kinds.get((path, kinds), 0)
        while bits:
            lowest = bits & -bits
            yield lowest.bit_length() - 1
            bits ^= lowest


def _positions(record: Record, numbers: dict[object, int]) -> dict[int, int]:
    """What `compatible_records` compares, flattened: each position below the record that it
    knows (not only null, not an array seen only empty) mapped to the kinds seen there, both
    numbered in `numbers` (a position by its parent's number and the step from it)."""
    known: dict[int, int] = {}

    def visit_shape(shape: Shape, path: int) -> None:
        if shape.is_unknown:
            return
        # What `compatible` compares at this position alone: the kinds, the keys of a record,
        # and the recursive type the objects are (a reference to one is no record, and two
        # references to different recursive types differ).
        record = None if shape.record is None else record_key(shape.record)
        kinds = (kinds_of(shape), record, shape.recursion)
        known[path] = numbers.setdefault(kinds, len(numbers))
        if shape.array is not None and shape.array.items is not None:
            visit_shape(shape.array.items, step(path, "[]"))
        if shape.tuple is not None:
            for place, position in enumerate(shape.tuple.positions):
                visit_shape(position, step(path, "()", place))
        for kind in shape.tuples.kinds if shape.tuples is not None else ():
            for place, position in enumerate(kind.positions):
                visit_shape(
                    position,
                    step(path, "<>", f"{kind.tag}/{len(kind.positions)}/{place}"),
                )
        if shape.record is not None:
            visit_record(shape.record, path)

    def visit_record(record: Record, path: int) -> None:
        if isinstance(record, ObjectShape):
            for item in record.fields:
                visit_shape(item.shape, step(path, ".", item.key))
        elif isinstance(record, MapShape):
            visit_shape(record.values, step(path, "*"))
        else:
            for variant in record.variants:
                visit_shape(variant.shape, step(path, "|", variant.tag))

    def step(path: int, *where: object) -> int:
        return numbers.setdefault((path, *where), len(numbers))

    visit_record(record, -1)
    return known


def _descendants(found: _Records) -> list[frozenset[int]]:
    """The records nested inside each record, by number: a tree (`children: [{...same keys...}]`)
    is not one type seen twice, and merging the two levels would never reach a fixpoint.
    """
    nested_in: dict[int, frozenset[int]] = {}

    def below(shape: Shape) -> frozenset[int]:
        nested: set[int] = set()
        for child in value_children(shape):
            nested |= below(child)
        if shape.record is not None:
            number = found.number(shape.record)
            assert number is not None  # every record of the tree is numbered
            nested.add(number)
            nested |= of(number, shape.record)
        return frozenset(nested)

    def of(number: int, record: Record) -> frozenset[int]:
        if number not in nested_in:
            nested_in[number] = frozenset().union(
                *(below(child) for child in children(record))
            )
        return nested_in[number]

    return [of(number, record) for number, record in enumerate(found.records)]


def _rewrite(root: Shape, found: _Records, merged: dict[int, Record]) -> Shape:
    """The tree with every record that merged replaced by the merge of its cluster, and every
    other record carrying the origin of its twin seen first.

    Merges replace top-down, then their own children are visited (replacing bottom-up would
    change a parent before it is looked up); the children of a merge keep their origins.
    """

    def visit(shape: Shape) -> Shape:
        record = shape.record
        if record is None:
            return rebuild_shape(shape, visit)
        number = found.number(record)
        assert number is not None  # every record of the tree is numbered
        if number in merged:
            rebuilt = rebuild_shape(with_record(shape, None), visit)
            return with_record(rebuilt, rebuild(merged[number], within_merge))
        rebuilt = rebuild_shape(shape, visit)
        assert rebuilt.record is not None
        origin = found.records[number].origin
        if rebuilt.record.origin == origin:
            return rebuilt  # as it was, when nothing below changed either
        return with_record(rebuilt, replace(rebuilt.record, origin=origin))

    def within_merge(shape: Shape) -> Shape:
        if shape.record is not None:
            number = found.number(shape.record)
            if number is not None and number in merged:
                shape = with_record(shape, merged[number])
        return rebuild_shape(shape, within_merge)

    return visit(root)
