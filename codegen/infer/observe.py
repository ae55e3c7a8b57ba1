"""Observation: every sample is evidence for one root shape; values at the same position merge."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from codegen.errors import Location
from codegen.infer import thresholds
from codegen.infer.ir import (
    ArrayShape,
    Field,
    MapShape,
    ObjectShape,
    Origin,
    Record,
    Shape,
    TaggedUnion,
    Variant,
)
from codegen.jsonpath import child_path


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


def observe(samples: Iterable[tuple[Any, Location]]) -> Shape | None:
    """Merge the shapes of all samples into the root shape (None when there are no samples)."""
    root: Shape | None = None
    for value, location in samples:
        shape = shape_of(value, Origin(location, "$"), docs=is_docs_example(value))
        root = shape if root is None else merge(root, shape)
    return root


def shape_of(value: Any, origin: Origin, *, docs: bool) -> Shape:
    """The shape of one JSON value; in a docs example every number is typed as a float."""
    if value is None:
        return Shape(null=True)
    if isinstance(value, bool):
        return Shape(boolean=True)
    if isinstance(value, int):
        return Shape(number=True) if docs else Shape(integer=True)
    if isinstance(value, float):
        return Shape(number=True)
    if isinstance(value, str):
        return Shape(string=True)
    if isinstance(value, list):
        items: Shape | None = None
        for index, item in enumerate(value):
            item_shape = shape_of(
                item, Origin(origin.location, f"{origin.path}[{index}]"), docs=docs
            )
            items = item_shape if items is None else merge(items, item_shape)
        return Shape(array=ArrayShape(items))
    fields = tuple(
        Field(
            key,
            shape_of(
                item, Origin(origin.location, child_path(origin.path, key)), docs=docs
            ),
            1,
        )
        for key, item in value.items()
    )
    return Shape(
        record=ObjectShape(
            fields, count=1, single_key=int(len(fields) == 1), origin=origin
        )
    )


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
    )


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
    )
