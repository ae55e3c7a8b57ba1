"""The detect_tuples pass: arrays of one fixed length whose positions mean different things."""

from __future__ import annotations

from dataclasses import replace

from codegen.infer import thresholds
from codegen.infer.ir import ArrayShape, Shape, TupleShape
from codegen.infer.passes.tree import kinds_of, transform


def detect_tuples(root: Shape) -> Shape:
    """`[price, size]`, `[id, payload, channel, pair]` become tuples; other arrays stay lists.

    Observation kept the shape at each index where every array had one small length; this pass
    decides on that evidence (ArrayShape.positions) and drops it either way, so no later pass
    sees a value twice. Thresholds are in `thresholds` (TUPLE_*); the config forces either way.
    """

    def rewrite(shape: Shape) -> Shape:
        array = shape.array
        if array is None or array.positions is None:
            return shape
        if is_tuple(array):
            return replace(shape, array=None, tuple=TupleShape(array.positions))
        return replace(shape, array=replace(array, positions=None))

    return transform(root, rewrite)


def is_tuple(array: ArrayShape) -> bool:
    positions = array.positions
    if positions is None or array.forced is False:
        return False
    if array.forced:
        return True
    same_kind = len({kinds_of(position) for position in positions}) == 1
    needed = (
        thresholds.TUPLE_MIN_ARRAYS_SAME_KIND
        if same_kind
        else thresholds.TUPLE_MIN_ARRAYS
    )
    return array.count >= needed
