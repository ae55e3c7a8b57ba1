"""Inference: samples -> shape IR, through named passes, then names for every type."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from codegen.errors import Location
from codegen.infer.ir import Shape
from codegen.infer.naming import Names, name_shapes
from codegen.infer.observe import observe
from codegen.infer.passes import PASSES


@dataclass(frozen=True)
class Inference:
    root: Shape
    names: Names
    root_name: str


def infer(samples: Iterable[tuple[Any, Location]], root_name: str) -> Inference | None:
    """Run observation, every pass in order, then naming; None when there is no sample."""
    root = observe(samples)
    if root is None:
        return None
    for _, rewrite in PASSES:
        root = rewrite(root)
    return Inference(root, name_shapes(root, root_name), root_name)
