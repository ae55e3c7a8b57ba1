"""Benchmark: where generation time goes, stage by stage, as ratios to reading the samples.

Runs each stage on the bundled sets and on a synthetic set (300 messages, 40 types, a tagged
union level) made here with a fixed seed. Run: `python bench/generate.py`.
"""

from __future__ import annotations

import json
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from codegen.infer import infer  # noqa: E402
from codegen.ingest import read_sample_set  # noqa: E402
from codegen.render import render_package  # noqa: E402
from codegen.schema import build_schema  # noqa: E402


def synthetic_set(folder: Path) -> Path:
    """300 messages of 40 types with 5 to 30 fields each; every fifth wrapped in a tagged union."""
    rng = random.Random(7)
    folder.mkdir(parents=True)
    for number in range(300):
        kind = number % 40
        fields = {
            f"field_{j}": rng.random() if j % 3 else {"x": j, "y": [1, 2]}
            for j in range(5 + kind % 26)
        }
        message: dict[str, Any] = {
            "type": f"t{kind}",
            "id": number,
            f"payload_{kind}": fields,
        }
        if number % 5 == 0:
            message = {f"event_{number % 12}": message}
        (folder / f"{number:03d}.json").write_text(
            json.dumps(message), encoding="utf-8"
        )
    return folder


def timed(stage: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = stage()
    return time.perf_counter() - start, result


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        sets = [REPO / "samples" / "trading", REPO / "samples" / "onboarding"]
        sets.append(synthetic_set(Path(scratch) / "synthetic"))
        print(
            f"{'set':<12} {'samples':>7} {'ingest ms':>9} {'infer':>7} {'schema':>7} {'render':>7}"
        )
        for folder in sets:
            read, samples = timed(
                lambda: read_sample_set(folder, f"samples/{folder.name}")
            )
            inferred, inference = timed(
                lambda: infer(((s.value, s.origin) for s in samples), "Root")
            )
            built, schema = timed(lambda: build_schema(inference))
            rendered, _ = timed(lambda: render_package(schema, folder.name))
            print(
                f"{folder.name:<12} {len(samples):>7} {read * 1000:>9.1f}"
                f" {inferred / read:>6.1f}x {built / read:>6.1f}x {rendered / read:>6.1f}x"
            )
    print(
        "ratios: each stage's time against reading and parsing the same samples (ingest)"
    )


if __name__ == "__main__":
    main()
