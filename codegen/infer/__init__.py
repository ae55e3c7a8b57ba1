"""Inference: samples -> shape IR, through named passes, then names for every type."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from codegen.errors import CodegenError, Location
from codegen.infer.ir import Shape
from codegen.infer.naming import Names, name_shapes
from codegen.infer.observe import observe, observe_kinds
from codegen.infer.overrides import Overrides
from codegen.infer.passes import PASSES
from codegen.infer.summary import Member


@dataclass(frozen=True)
class Inference:
    root: Shape
    names: Names
    root_name: str


def infer(
    samples: Iterable[tuple[Any, Location]] | Iterable[Member],
    root_name: str,
    overrides: Overrides | None = None,
    *,
    kinds: (
        Mapping[str, Iterable[tuple[Any, Location]] | Iterable[Member]] | None
    ) = None,
    kept: Mapping[str, str] | None = None,
) -> Inference | None:
    """Run observation, every pass in order, then naming; None when there is no sample.

    `samples`: (value, location) pairs, or the weighted members of a summary (see
    codegen.infer.summary), which is how the pipeline reads a set.

    `kinds`: samples whose kind is said outside them (a sub-folder per kind), instead of
    `samples`. An override whose path matches no position of the samples is an error: a typo in
    a path would otherwise silently change nothing. `kept`: class names to keep, by the place
    they name (from the package generated before).
    """
    overrides = overrides or Overrides()
    root = observe_kinds(kinds, overrides) if kinds else observe(samples, overrides)
    if root is None:
        return None
    for _, rewrite in PASSES:
        root = rewrite(root)
    names = name_shapes(root, root_name, overrides, kept)
    for entry in overrides.unused():
        raise CodegenError(
            f"path {entry.pattern!r} matches no object in the samples", entry.where
        )
    return Inference(root, names, root_name)
