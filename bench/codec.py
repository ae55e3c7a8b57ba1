"""Benchmark: the generated codec against plain json in the same process, printed as ratios.

Baselines are `json.loads` (what every app pays to read a message) and `json.dumps`; the ratios
say what typed decoding and exact encoding add on top. Each measurement is thread CPU time of one
chunk of calls; chunks of the candidates are interleaved (baseline, candidate, baseline, ...) so
that a noisy neighbour slows both alike, and the median ratio over the chunks is printed.
Run: `python bench/codec.py [CHUNKS]` (default 41).
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "generated"))
sys.path.insert(0, str(REPO))

from codegen.ingest import read_sample_set  # noqa: E402

CALLS_PER_CHUNK = 200


def cpu_time(work: Callable[[], object]) -> float:
    start = time.thread_time()
    for _ in range(CALLS_PER_CHUNK):
        work()
    return time.thread_time() - start


def median_ratio(
    baseline: Callable[[], object], candidate: Callable[[], object], chunks: int
) -> float:
    """Median over interleaved chunks of candidate CPU time / baseline CPU time."""
    ratios = []
    for _ in range(chunks):
        base = cpu_time(baseline)
        ratios.append(cpu_time(candidate) / base if base else float("nan"))
    return statistics.median(ratios)


def main() -> None:
    chunks = int(sys.argv[1]) if len(sys.argv) > 1 else 41
    print(
        f"{'set':<12} {'samples':>7} {'decode(text)':>13} {'decode(data)':>13}"
        f" {'encode+dumps':>13}"
    )
    for set_dir in sorted(p for p in (REPO / "samples").iterdir() if p.is_dir()):
        package = __import__(set_dir.name)
        texts = [
            json.dumps(s.value)
            for s in read_sample_set(set_dir, f"samples/{set_dir.name}")
        ]
        values = [json.loads(t) for t in texts]
        objects = [package.decode(v) for v in values]

        def loads() -> object:
            return [json.loads(t) for t in texts]

        def dumps() -> object:
            return [json.dumps(v) for v in values]

        decode_text = median_ratio(
            loads, lambda: [package.decode(t) for t in texts], chunks
        )
        decode_data = median_ratio(
            loads, lambda: [package.decode(v) for v in values], chunks
        )
        encode_dumps = median_ratio(
            dumps, lambda: [json.dumps(package.encode(o)) for o in objects], chunks
        )
        print(
            f"{set_dir.name:<12} {len(texts):>7} {decode_text:>12.2f}x"
            f" {decode_data:>12.2f}x {encode_dumps:>12.2f}x"
        )
    print(
        "median ratios of thread CPU time, interleaved chunks: decode against json.loads of the"
        " same text; encode+dumps against json.dumps of the same data"
    )


if __name__ == "__main__":
    main()
