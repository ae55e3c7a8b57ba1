"""Benchmark: the generated codec against plain json in the same process, printed as ratios.

Baselines are `json.loads` (what every app pays to read a message) and `json.dumps`; the ratios
say what typed decoding and exact encoding add on top. Run: `python bench/codec.py [ROUNDS]`.
"""

from __future__ import annotations

import json
import sys
import timeit
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "generated"))
sys.path.insert(0, str(REPO))

from codegen.ingest import read_sample_set  # noqa: E402


def best_of(statement: object, rounds: int) -> float:
    """Seconds per call: the best of 5 repeats, so noise from the machine counts least."""
    return min(timeit.repeat(statement, number=rounds, repeat=5)) / rounds  # type: ignore[arg-type]


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    print(
        f"{'set':<12} {'samples':>7} {'loads µs':>9} {'decode(text)':>13} {'decode(data)':>13} {'encode+dumps':>13}"
    )
    for set_dir in sorted(p for p in (REPO / "samples").iterdir() if p.is_dir()):
        package = __import__(set_dir.name)
        texts = [
            json.dumps(s.value)
            for s in read_sample_set(set_dir, f"samples/{set_dir.name}")
        ]
        values = [json.loads(t) for t in texts]
        objects = [package.decode(v) for v in values]
        loads = best_of(lambda: [json.loads(t) for t in texts], rounds)
        decode_text = best_of(lambda: [package.decode(t) for t in texts], rounds)
        decode_data = best_of(lambda: [package.decode(v) for v in values], rounds)
        dumps = best_of(lambda: [json.dumps(v) for v in values], rounds)
        encode_dumps = best_of(
            lambda: [json.dumps(package.encode(o)) for o in objects], rounds
        )
        per_sample = 1e6 / len(texts)
        print(
            f"{set_dir.name:<12} {len(texts):>7} {loads * per_sample:>9.2f}"
            f" {decode_text / loads:>12.2f}x {decode_data / loads:>12.2f}x {encode_dumps / dumps:>12.2f}x"
        )
    print(
        "ratios: decode against json.loads of the same text; encode+dumps against json.dumps alone"
    )


if __name__ == "__main__":
    main()
