"""Observation: every sample is evidence for one root shape; values at the same position merge,
except objects of different kinds (told apart by a tag or by their keys), which stay apart.
"""

from __future__ import annotations

from collections import Counter
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from codegen.errors import CodegenError, Location
from codegen.infer import thresholds
from codegen.infer.ir import (
    INTEGER,
    NUMBER,
    STRING,
    Scalar,
    Anchor,
    ArrayShape,
    Field,
    MapShape,
    ObjectShape,
    ObjectUnion,
    ObjectVariant,
    Looks,
    Origin,
    Record,
    Shape,
    Tag,
    TagPath,
    TaggedUnion,
    TupleKind,
    TupleShape,
    TupleUnion,
    V,
    Values,
    Variant,
)
from codegen.infer.kinds import (
    ForcedTagError,
    Split,
    find_split,
    find_tuple_split,
    tag_order,
)
from codegen.infer.looks import fits, looks_of, merge_looks
from codegen.infer.overrides import (
    ITEMS,
    Overrides,
    PathOverride,
    Segment,
    matches,
    parse_path,
    path_text,
)
from codegen.infer.recursion import Member as Below, find_recursion
from codegen.infer.summary import Member, is_docs_example
from codegen.jsonpath import child_path


@dataclass(frozen=True)
class _Instance:
    """One JSON value at a position (a `Scalar` where a summary kept only its evidence), where it
    was first seen, whether its sample is a docs example, and how many samples it stands for.
    """

    value: Any
    origin: Origin
    docs: bool
    weight: int = 1


def observe(
    samples: Iterable[tuple[Any, Location]] | Iterable[Member],
    overrides: Overrides | None = None,
) -> Shape | None:
    """The root shape of all samples (None when there are none): (value, location) pairs, each
    one sample, or the weighted members of a summary (`codegen.infer.summary`).

    Observation goes top-down, one position at a time over every value seen there, so that the
    objects at a position can be split into kinds (`codegen.infer.kinds`) before their fields
    are merged: each kind's fields then come from its own objects only.
    """
    instances = _instances(samples)
    if not instances:
        return None
    return _Observer(overrides or Overrides()).shape(instances, ())


def observe_kinds(
    kinds: Mapping[str, Iterable[tuple[Any, Location]] | Iterable[Member]],
    overrides: Overrides | None = None,
) -> Shape:
    """The root of samples whose kind is said outside them (one folder of samples per kind):
    an out-of-band union of each kind's shape. A kind's messages must be JSON objects.
    """
    observer = _Observer(overrides or Overrides())
    variants = []
    for kind in sorted(kinds):
        instances = _instances(kinds[kind])
        for instance in instances:
            if not isinstance(instance.value, dict):
                raise CodegenError(
                    f"the samples of kind {kind!r} (its sub-folder) must be JSON objects",
                    instance.origin.location,
                )
        observer.scope = f"{kind}:"  # each kind's messages are a root of their own
        variants.append(
            Variant(kind, Shape(record=observer.objects(instances, (), is_kind=True)))
        )
    origin = min(v.shape.record.origin for v in variants if v.shape.record is not None)
    return Shape(record=TaggedUnion(tuple(variants), origin, out_of_band=True))


def _instances(
    samples: Iterable[tuple[Any, Location]] | Iterable[Member],
) -> list[_Instance]:
    return [
        (
            _Instance(
                sample.value, Origin(sample.location, "$"), sample.docs, sample.weight
            )
            if isinstance(sample, Member)
            else _Instance(
                sample[0], Origin(sample[1], "$"), is_docs_example(sample[0])
            )
        )
        for sample in samples
    ]


def _weight(instances: Iterable[_Instance]) -> int:
    return sum(instance.weight for instance in instances)


class _Observer:
    def __init__(self, overrides: Overrides) -> None:
        self.overrides = overrides
        # Positions whose objects are those of an enclosing recursive type: its anchor's id.
        self.recursive_at: dict[tuple[Segment, ...], str] = {}
        self.anchors: set[str] = set()
        self.scope = ""
        self.recursive_settings = any(
            entry.recursive is not None for entry in overrides.entries
        )

    def shape(
        self,
        instances: list[_Instance],
        path: tuple[Segment, ...],
        tags: tuple[Tag, ...] = (),
    ) -> Shape:
        """The shape of all values seen at one position (`path`: keys and `[*]` for items);
        `tags`: the tag its objects hold, when that tag tells the kind of their holder.
        """
        if len(path) > thresholds.MAX_TYPE_DEPTH:
            origin = instances[0].origin
            raise CodegenError(
                f"values nest deeper than {thresholds.MAX_TYPE_DEPTH} levels of objects and"
                " arrays here, and no recursive type folds them (a `recursive` path setting"
                " in codegen.toml can say which objects contain their own kind)",
                origin.location,
            )
        values = [instance.value for instance in instances]
        arrays = [i for i in instances if isinstance(i.value, list)]
        objects = [i for i in instances if isinstance(i.value, dict)]
        texts = [i for i in instances if _json_type(i.value) is STRING]
        ints = [i for i in instances if _json_type(i.value) is INTEGER]
        recursion = self.recursive_at.get(path) if objects else None
        tuples = self.tuple_kinds(arrays, path) if arrays else None
        return Shape(
            null=any(value is None for value in values),
            boolean=any(isinstance(value, bool) for value in values),
            integer=any(not i.docs for i in ints),
            number=any(
                _json_type(i.value) is NUMBER
                or (i.docs and _json_type(i.value) is INTEGER)
                for i in instances
            ),
            string=bool(texts),
            array=self.array(arrays, path) if arrays and tuples is None else None,
            tuples=tuples,
            record=(
                self.objects(objects, path, tags=tags)
                if objects and not recursion
                else None
            ),
            texts=self.values(texts, path) if texts else None,
            ints=self.values(ints, path) if ints else None,
            looks=self.looks(instances, path),
            recursion=recursion,
        )

    def array(self, arrays: list[_Instance], path: tuple[Segment, ...]) -> ArrayShape:
        """All items as one shape, and, when every array has the same small length, the shape at
        each index too: the evidence detect_tuples decides on."""
        items = [_item(i, index) for i in arrays for index in range(len(i.value))]
        setting = self.overrides.at(path)
        forced = setting.as_tuple if setting is not None else None
        lengths = {len(i.value) for i in arrays}
        positions = None
        if forced is not False and len(lengths) == 1:
            (length,) = lengths
            if thresholds.TUPLE_MIN_LENGTH <= length <= thresholds.TUPLE_MAX_LENGTH:
                positions = tuple(
                    self.shape([_item(i, index) for i in arrays], path + (ITEMS,))
                    for index in range(length)
                )
        return ArrayShape(
            self.shape(items, path + (ITEMS,)) if items else None,
            positions,
            _weight(arrays),
            forced,
        )

    def tuple_kinds(
        self, arrays: list[_Instance], path: tuple[Segment, ...]
    ) -> TupleUnion | None:
        """The arrays at one position as kinds told by a name at a fixed index
        (kinds.find_tuple_split), each kind's positions observed from its own arrays; None when
        they are one kind (or the config says they are a list). The name's position is a string:
        the kind says what it holds."""
        setting = self.overrides.at(path)
        if setting is not None and setting.as_tuple is False:
            return None
        split = find_tuple_split(
            [instance.value for instance in arrays],
            [instance.weight for instance in arrays],
        )
        if split is None:
            return None
        kinds = []
        for (tag, length), members in split.groups:
            group = [arrays[member] for member in members]
            positions = [
                self.shape([_item(i, index) for i in group], path + (ITEMS,))
                for index in range(length)
            ]
            if tag is not None:
                positions[split.index] = Shape(string=True)
            kinds.append(
                TupleKind(
                    tag,
                    tuple(positions),
                    _weight(group),
                    min(instance.origin for instance in group),
                )
            )
        return TupleUnion(
            split.index,
            tuple(kinds),
            split.evidence,
            min(instance.origin for instance in arrays),
            split.head,
        )

    def values(
        self, instances: list[_Instance], path: tuple[Segment, ...]
    ) -> Values[Any]:
        """The strings (or ints) at one position, counted while they are few (see Values); not
        counted when one is a docs placeholder or a summary's Scalar (a value that names nothing:
        no enum holds it)."""
        setting = self.overrides.at(path)
        forced = setting.enum if setting is not None else None
        closed = setting is not None and setting.closed
        if any(i.docs or isinstance(i.value, Scalar) for i in instances):
            return Values((), _weight(instances), forced, closed=closed)
        counts: Counter[Any] = Counter()
        for instance in instances:
            counts[instance.value] += instance.weight
        return replace(_bounded(counts, forced), closed=closed)

    def looks(
        self, instances: list[_Instance], path: tuple[Segment, ...]
    ) -> Looks | None:
        """What the strings and numbers at one position look like (None when there are none);
        a format the config sets must fit every value there."""
        scalars = [i for i in instances if _is_scalar(i.value)]
        setting = self.overrides.at(path)
        forced = setting.format if setting is not None else None
        if forced is not None and forced != "none":
            assert setting is not None
            # One kind of value (strings, or numbers): a format describes one type.
            texts = next(
                (_json_type(i.value) is STRING for i in scalars if not i.docs), None
            )
            for instance in instances:
                if (
                    instance.value is not None
                    and not instance.docs
                    and (
                        forced not in _fits(instance.value)
                        or (_json_type(instance.value) is STRING) is not texts
                    )
                ):
                    raise _format_mismatch(setting, instance)
        if not scalars:
            return None
        if any(instance.docs for instance in scalars):
            return Looks(frozenset(), _weight(scalars), 0, None, None, forced)
        looks = _looks(scalars[0])
        for instance in scalars[1:]:
            looks = merge_looks(looks, _looks(instance))
        return replace(looks, forced=forced)

    def objects(
        self,
        objects: list[_Instance],
        path: tuple[Segment, ...],
        is_kind: bool = False,
        tags: tuple[Tag, ...] = (),
    ) -> ObjectShape | ObjectUnion:
        """The objects at one position: a type whose objects nest inside each other
        (`codegen.infer.recursion`), or a record (or a union of kinds) as anywhere else.
        `tags`: see `record`.
        """
        setting = self.overrides.at(path) if self.recursive_settings else None
        found = (
            None
            if setting is not None and setting.recursive is False
            else find_recursion(
                [instance.value for instance in objects],
                [instance.weight for instance in objects],
                path,
                lambda below: self._forced_recursion(below, path),
                lambda below: below in self.recursive_at,
            )
        )
        if found is None:
            return self.record(objects, path, tags, is_kind=is_kind)
        anchor = self.scope + path_text(path)
        while anchor in self.anchors:  # a tuple's positions are observed at one path
            anchor += "'"
        self.anchors.add(anchor)
        edges = {
            path + relative: evidence for relative, evidence in found.edges.items()
        }
        self.recursive_at.update((below, anchor) for below in edges)
        try:
            members = [_member(objects[m.source], m) for m in found.members]
            record = self.record(members, path, tags, is_kind=is_kind)
        finally:
            for below in edges:
                del self.recursive_at[below]
        evidence = tuple(sorted((path_text(p), why) for p, why in edges.items()))
        return replace(record, anchor=Anchor(anchor, evidence))

    def _forced_recursion(
        self, below: tuple[Segment, ...], path: tuple[Segment, ...]
    ) -> bool | None:
        """What the config says of the objects at `below`: of the type at `path` (True), never
        part of a recursive type (False), or nothing (None)."""
        if not self.recursive_settings:
            return None
        setting = self.overrides.at(below)
        if setting is None or setting.recursive is None:
            return None
        if setting.recursive is False:
            return False
        return isinstance(setting.recursive, str) and matches(
            parse_path(setting.recursive), path
        )

    def record(
        self,
        objects: list[_Instance],
        path: tuple[Segment, ...],
        tags: tuple[Tag, ...] = (),
        forced: tuple[str, ...] | None = None,
        allowed: frozenset[TagPath] | None = None,
        is_kind: bool = False,
        unnamed: bool = False,
    ) -> ObjectShape | ObjectUnion:
        """The objects at one position: one record, or a union of kinds when they split.

        `tags`: the tag keys and values that selected these objects at this position already
        (a composite tag's outer levels); `forced`: tag keys the config still asks for here;
        `allowed`: inside a kind, the keys that may split it further; `is_kind`: these objects
        are one kind of a union already; `unnamed`: they are its kind without the tag
        (kinds.find_split).
        """
        if forced is None:
            setting = self.overrides.at(path)
            if setting is not None and (setting.no_union or setting.as_map):
                return self.object(objects, path, tags, is_kind=is_kind)
            forced = setting.tag if setting is not None and setting.tag else None
            excluded = setting.not_tags if setting is not None else frozenset()
        else:
            excluded = frozenset()
        if forced == ():
            return self.object(objects, path, tags, is_kind=is_kind)
        split = self._split(objects, path, tags, forced, excluded, allowed, unnamed)
        if split is None:
            return self.object(objects, path, tags, is_kind=is_kind)
        key = split.discriminator.tag_key
        variants = []
        for tag, members in split.groups:
            group = [objects[index] for index in members]
            inner_tags = (
                tags
                + (
                    Tag(
                        key,
                        tag,
                        split.discriminator.head,
                        split.discriminator.within,
                    ),
                )
                if key is not None and tag is not None
                else tags
            )
            variants.append(
                ObjectVariant(
                    tag,
                    Shape(
                        record=self.record(
                            group,
                            path,
                            inner_tags,
                            forced[1:] if forced is not None else None,
                            split.runners_up,
                            is_kind=True,
                            unnamed=key is not None and tag is None,
                        )
                    ),
                    _weight(group),
                )
            )
        return ObjectUnion(
            split.discriminator,
            tuple(variants),
            min(instance.origin for instance in objects),
            tags,
        )

    def _split(
        self,
        objects: list[_Instance],
        path: tuple[Segment, ...],
        tags: tuple[Tag, ...],
        forced: tuple[str, ...] | None,
        excluded: frozenset[str],
        allowed: frozenset[TagPath] | None,
        unnamed: bool = False,
    ) -> Split | None:
        values = [instance.value for instance in objects]
        weights = [instance.weight for instance in objects]
        used = frozenset(tag.path for tag in tags)
        # A forbidden `arg.channel` is the tag inside `arg` (or a key with a dot: both go).
        forbidden = frozenset(
            path for key in excluded for path in ((key,), tuple(key.split(".", 1)))
        )
        if forced is None:
            return find_split(
                values,
                weights,
                exclude=used | forbidden,
                only=allowed,
                unnamed=unnamed,
            )
        try:
            return find_split(values, weights, forced_tag=forced[0])
        except ForcedTagError as error:
            where = next(i.origin for i in objects if i.value is error.obj)
            setting = self.overrides.at(path)
            config = f" (set in {setting.where})" if setting is not None else ""
            raise CodegenError(
                f"the config makes {error.key!r} the tag at {where.path}{config}, but this"
                " object has no string or integer there",
                where.location,
            ) from None

    def object(
        self,
        objects: list[_Instance],
        path: tuple[Segment, ...],
        tags: tuple[Tag, ...],
        *,
        is_kind: bool = False,
    ) -> ObjectShape:
        """One record: each key's values (in the order keys were first seen) make its field.
        A tag inside the object at a key (`arg.channel`) is that object's tag too."""
        by_key: dict[str, list[_Instance]] = {}
        for instance in objects:
            for key, item in instance.value.items():
                by_key.setdefault(key, []).append(
                    _Instance(
                        item,
                        Origin(
                            instance.origin.location,
                            child_path(instance.origin.path, key),
                        ),
                        instance.docs,
                        instance.weight,
                    )
                )
        setting = self.overrides.at(path)
        held = {
            tag.within: (tag._replace(within=None),)
            for tag in tags
            if tag.within is not None
        }
        return ObjectShape(
            tuple(
                Field(
                    key,
                    self.shape(values, path + (("key", key),), held.get(key, ())),
                    _weight(values),
                )
                for key, values in by_key.items()
            ),
            count=_weight(objects),
            single_key=_weight(i for i in objects if len(i.value) == 1),
            origin=min(instance.origin for instance in objects),
            tags=tags,
            is_kind=is_kind,
            as_map=setting.as_map if setting is not None else None,
        )


def _json_type(value: Any) -> str | None:
    """STRING, INTEGER or NUMBER for a string or number (or the Scalar standing for one)."""
    if isinstance(value, Scalar):
        return value.kind
    kind = type(value)
    if kind is str:
        return STRING
    if kind is int:
        return INTEGER
    return NUMBER if kind is float else None


def _is_scalar(value: Any) -> bool:
    """A string or a number: what formats describe."""
    return _json_type(value) is not None


def _fits(value: Any) -> frozenset[str]:
    if isinstance(value, Scalar):
        return value.fits
    return fits(value) if _is_scalar(value) else frozenset()


def _looks(instance: _Instance) -> Looks:
    """The format evidence of one value, counted as often as its instance stands for samples."""
    if isinstance(instance.value, Scalar):
        return instance.value.looks  # counted over its samples already
    one = looks_of([instance.value])
    if instance.weight == 1:
        return one
    return replace(
        one, count=instance.weight, fractions=one.fractions * instance.weight
    )


def _format_mismatch(setting: PathOverride, instance: _Instance) -> CodegenError:
    value = instance.value
    shown = json.dumps(value.example if isinstance(value, Scalar) else value)
    shown = shown if len(shown) <= 60 else shown[:57] + "..."
    return CodegenError(
        f"the config (set in {setting.where}) gives {instance.origin.path} the format"
        f" {setting.format!r}, but this value is not one (or not of the kind the others"
        f" are): {shown}",
        instance.origin.location,
    )


def _member(instance: _Instance, member: Below) -> _Instance:
    """An object of a recursive type, as seen below the object at its position."""
    path = instance.origin.path
    for step in member.steps:
        path = f"{path}[{step}]" if isinstance(step, int) else child_path(path, step)
    return _Instance(
        member.value,
        Origin(instance.origin.location, path),
        instance.docs,
        instance.weight,
    )


def _item(array: _Instance, index: int) -> _Instance:
    origin = Origin(array.origin.location, f"{array.origin.path}[{index}]")
    return _Instance(array.value[index], origin, array.docs, array.weight)


def merge(left: Shape, right: Shape) -> Shape:
    """The shape that accepts everything either side accepts."""
    return Shape(
        null=left.null or right.null,
        boolean=left.boolean or right.boolean,
        integer=left.integer or right.integer,
        number=left.number or right.number,
        string=left.string or right.string,
        array=_merge_optional(left.array, right.array, merge_arrays),
        record=_merge_optional(left.record, right.record, merge_records),
        texts=_merge_optional(left.texts, right.texts, merge_values),
        ints=_merge_optional(left.ints, right.ints, merge_values),
        looks=_merge_optional(left.looks, right.looks, merge_looks),
        format=left.format if left.format == right.format else None,
        tuple=_merge_optional(left.tuple, right.tuple, merge_tuples),
        recursion=left.recursion or right.recursion,
        tuples=_merge_optional(left.tuples, right.tuples, merge_tuple_unions),
    )


def merge_tuple_unions(left: TupleUnion, right: TupleUnion) -> TupleUnion:
    """Kinds with the same name and length merge, counts add up; passes merge only unions
    told at the same index."""
    if left.index != right.index or left.head != right.head:
        raise ValueError("tuple unions told apart differently cannot merge")
    kinds = {(k.tag, len(k.positions)): k for k in left.kinds}
    for kind in right.kinds:
        key = (kind.tag, len(kind.positions))
        known = kinds.get(key)
        kinds[key] = (
            kind
            if known is None
            else TupleKind(
                kind.tag,
                tuple(map(merge, known.positions, kind.positions)),
                known.count + kind.count,
                min(known.origin, kind.origin),
            )
        )
    return TupleUnion(
        left.index,
        tuple(
            kinds[key] for key in sorted(kinds, key=lambda k: (tag_order(k[0]), k[1]))
        ),
        left.evidence,
        min(left.origin, right.origin),
        left.head,
    )


def merge_tuples(left: TupleShape, right: TupleShape) -> TupleShape:
    """Position by position; passes merge only compatible shapes, so the lengths agree."""
    if len(left.positions) != len(right.positions):
        raise ValueError(
            "tuples of different lengths cannot merge; passes keep them apart"
        )
    return TupleShape(tuple(map(merge, left.positions, right.positions)))


def merge_values(left: Values[V], right: Values[V]) -> Values[V]:
    """Counts add up; once either side stopped counting (too many values, docs), so does the sum."""
    forced = left.forced if left.forced is not None else right.forced
    enum, closed = left.enum or right.enum, left.closed or right.closed
    if (left.total and not left.counts) or (right.total and not right.counts):
        return Values((), left.total + right.total, forced, enum, closed)
    counts: Counter[V] = Counter(dict(left.counts))
    counts.update(dict(right.counts))
    return replace(_bounded(counts, forced), enum=enum, closed=closed)


def _bounded(counts: Counter[V], forced: bool | None) -> Values[V]:
    total = sum(counts.values())
    if len(counts) > thresholds.ENUM_MAX_VALUES:
        return Values((), total, forced)
    return Values(tuple(sorted(counts.items())), total, forced)


def _merge_optional(left: Any, right: Any, merge_both: Any) -> Any:
    if left is None:
        return right
    if right is None:
        return left
    return merge_both(left, right)


def merge_arrays(left: ArrayShape, right: ArrayShape) -> ArrayShape:
    return ArrayShape(_merge_optional(left.items, right.items, merge))


def merge_records(left: Record, right: Record) -> Record:
    if isinstance(left, ObjectShape) and isinstance(right, ObjectShape):
        return merge_objects(left, right)
    if isinstance(left, TaggedUnion) and isinstance(right, TaggedUnion):
        return merge_unions(left, right)
    if isinstance(left, MapShape) and isinstance(right, MapShape):
        return MapShape(
            merge(left.values, right.values), min(left.origin, right.origin)
        )
    if isinstance(left, ObjectUnion) and isinstance(right, ObjectUnion):
        return merge_object_unions(left, right)
    raise ValueError("records of different kinds cannot merge; passes keep them apart")


def merge_objects(left: ObjectShape, right: ObjectShape) -> ObjectShape:
    """Keys keep the order they were first seen in; `present` counts add up."""
    by_key = {f.key: f for f in right.fields}
    merged = []
    for item in left.fields:
        other = by_key.pop(item.key, None)
        if other is None:
            merged.append(item)
        else:
            merged.append(
                Field(
                    item.key,
                    merge(item.shape, other.shape),
                    item.present + other.present,
                )
            )
    merged.extend(by_key.values())
    return ObjectShape(
        tuple(merged),
        count=left.count + right.count,
        single_key=left.single_key + right.single_key,
        origin=min(left.origin, right.origin),
        tags=left.tags,
        is_kind=left.is_kind,
        evidence=left.evidence or right.evidence,
        as_map=left.as_map,
        anchor=left.anchor or right.anchor,
    )


def merge_unions(left: TaggedUnion, right: TaggedUnion) -> TaggedUnion:
    variants = {v.tag: v.shape for v in left.variants}
    for variant in right.variants:
        known = variants.get(variant.tag)
        variants[variant.tag] = (
            variant.shape if known is None else merge(known, variant.shape)
        )
    return TaggedUnion(
        tuple(Variant(tag, variants[tag]) for tag in sorted(variants)),
        origin=min(left.origin, right.origin),
        out_of_band=left.out_of_band,
    )


def merge_object_unions(left: ObjectUnion, right: ObjectUnion) -> ObjectUnion:
    """Two unions with the same discriminator: kinds with the same tag merge, counts add up."""
    variants = {v.tag: v for v in left.variants}
    for variant in right.variants:
        known = variants.get(variant.tag)
        variants[variant.tag] = (
            variant
            if known is None
            else ObjectVariant(
                variant.tag,
                merge(known.shape, variant.shape),
                known.count + variant.count,
            )
        )
    order = [v.tag for v in left.variants] + [
        v.tag for v in right.variants if v.tag not in {w.tag for w in left.variants}
    ]
    return ObjectUnion(
        left.discriminator,
        tuple(variants[tag] for tag in sorted(order, key=tag_order)),
        min(left.origin, right.origin),
        left.tags,
        left.anchor or right.anchor,
    )
