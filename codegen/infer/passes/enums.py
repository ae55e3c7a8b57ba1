"""The detect_enums pass: strings that name a few things, seen many times, become open enums."""

from __future__ import annotations

from dataclasses import replace

from codegen.infer import thresholds
from codegen.infer.ir import Shape
from codegen.infer.kinds import looks_like_name
from codegen.infer.passes.tree import transform


def detect_enums(root: Shape) -> Shape:
    """Mark string positions whose values are an open enum (`side`: buy/sell over 80 messages).

    The evidence and its thresholds are in `thresholds` (ENUM_*); the config can force either
    way (`enum = true/false` at a path). Open: a value never seen still decodes, as a plain str.
    """

    def rewrite(shape: Shape) -> Shape:
        texts = shape.texts
        if texts is None or not is_enum(shape):
            return shape
        return replace(shape, texts=replace(texts, enum=True))

    return transform(root, rewrite)


def is_enum(shape: Shape) -> bool:
    texts = shape.texts
    if texts is None or texts.forced is False or len(texts.counts) < 2:
        return False
    only_strings = shape == Shape(null=shape.null, string=True, texts=texts)
    if texts.forced:
        return only_strings
    return (
        only_strings
        and texts.total >= thresholds.ENUM_MIN_OBSERVATIONS
        and len(texts.counts) ** 2 <= texts.total
        and all(looks_like_name(value) for value, _ in texts.counts)
    )
