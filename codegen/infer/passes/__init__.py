"""Named passes over the shape IR, one module each; each is a pure function `Shape -> Shape`."""

from __future__ import annotations

from codegen.infer.passes.dedupe import dedupe
from codegen.infer.passes.enums import detect_enums
from codegen.infer.passes.formats import detect_formats
from codegen.infer.passes.maps import detect_maps
from codegen.infer.passes.similar import merge_similar
from codegen.infer.passes.tagged_unions import detect_tagged_unions
from codegen.infer.passes.tree import Rewrite
from codegen.infer.passes.tuples import detect_tuples

PASSES: tuple[tuple[str, Rewrite], ...] = (
    (
        "detect_tuples",
        detect_tuples,
    ),  # first: it drops the per-index evidence others would read
    ("detect_maps", detect_maps),  # first: data keys (`"BTC-USD"`) are never tags
    ("detect_tagged_unions", detect_tagged_unions),
    ("dedupe", dedupe),
    ("merge_similar", merge_similar),  # after dedupe: compares distinct records only
    (
        "detect_enums",
        detect_enums,
    ),  # after dedupe, counts of merged records add up
    (
        "detect_formats",
        detect_formats,
    ),  # last: after dedupe (evidence adds up) and enums (an enum has no format)
)

__all__ = [
    "PASSES",
    "dedupe",
    "detect_enums",
    "detect_formats",
    "detect_maps",
    "detect_tagged_unions",
    "detect_tuples",
    "merge_similar",
]
