"""Inference at scale: CPU cost against json.loads on the same bytes, and peak memory, for
synthetic trading feeds of 1 MB, 100 MB, 1 GB (JSON Lines, five message kinds, prices, ids,
times and sizes varying as in a real capture).

    python bench/scale.py                     # 1 MB and 100 MB
    python bench/scale.py --sizes 1,100,1000  # and 1 GB (about 10 minutes)
    python bench/scale.py --codegen /tmp/old  # another checkout, for a before/after table

Each size runs in a child process of its own, so its peak RSS (ru_maxrss) is that run's: the
child infers the set's schema (codegen.pipeline.infer_schema: reading, folding, every pass) and,
interleaved with it, reads every line with json.loads, all in CPU time. The small size repeats
both, alternating, and gives the median ratio; the big ones run once (one side by side pair).
The feeds are written once into --work (default: a folder in the system temp folder).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

SYMBOLS = [
    f"{base}-USD" for base in ("BTC", "ETH", "SOL", "DOGE", "XRP", "ADA", "AVAX")
]


def message(rng: random.Random, index: int) -> dict[str, object]:
    """One feed message: trades, book updates, tickers, order updates, heartbeats."""
    time_ms = 1_700_000_000_000 + index * 7
    roll = rng.random()
    if roll < 0.4:
        return {
            "type": "trade",
            "symbol": rng.choice(SYMBOLS),
            "side": rng.choice(["buy", "sell"]),
            "price": f"{rng.uniform(1, 70000):.2f}",
            "size": f"{rng.uniform(0, 5):.4f}",
            "trade_id": rng.randrange(10**9),
            "time": time_ms,
        }
    if roll < 0.7:
        return {
            "type": "l2update",
            "symbol": rng.choice(SYMBOLS),
            "changes": [
                [
                    rng.choice(["buy", "sell"]),
                    f"{rng.uniform(1, 70000):.2f}",
                    f"{rng.uniform(0, 5):.4f}",
                ]
                for _ in range(rng.randrange(1, 4))
            ],
            "time": time_ms,
        }
    if roll < 0.85:
        return {
            "type": "ticker",
            "symbol": rng.choice(SYMBOLS),
            "best_bid": f"{rng.uniform(1, 70000):.2f}",
            "best_ask": f"{rng.uniform(1, 70000):.2f}",
            "volume_24h": rng.uniform(0, 1e6),
            "sequence": rng.randrange(10**10, 10**11),
        }
    if roll < 0.95:
        return {
            "type": "order",
            "order_id": "%08x-%04x-4%03x-a%03x-%012x"
            % tuple(rng.getrandbits(bits) for bits in (32, 16, 12, 12, 48)),
            "status": rng.choice(["open", "filled", "canceled", "partially_filled"]),
            "remaining": f"{rng.uniform(0, 5):.4f}",
            "note": rng.choice(["", "hedge leg", "manual close"]),
            "created_at": "2024-05-%02dT%02d:%02d:%02d.%06dZ"
            % (
                rng.randrange(1, 29),
                rng.randrange(24),
                rng.randrange(60),
                rng.randrange(60),
                rng.randrange(10**6),
            ),
        }
    return {"type": "heartbeat", "time": time_ms}


def feed(work: Path, megabytes: int) -> Path:
    """A set folder holding one feed.jsonl of about `megabytes` MB (written once)."""
    folder = work / f"feed{megabytes}mb" / "feed"
    capture = folder / "feed.jsonl"
    if not capture.exists():
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "codegen.toml").write_text(
            f"max_file_size = {(megabytes + 1) * 2**20}\n"
        )
        rng = random.Random(megabytes)
        size, written, index = megabytes * 2**20, 0, 0
        with open(str(capture) + ".part", "w") as out:
            while written < size:
                line = json.dumps(message(rng, index)) + "\n"
                out.write(line)
                written += len(line)
                index += 1
        os.replace(str(capture) + ".part", capture)
    return folder


CHILD = r"""
import json, resource, statistics, sys, time
from pathlib import Path
from codegen.pipeline import SampleSet, infer_schema

folder, repeats = Path(sys.argv[1]), int(sys.argv[2])
capture = folder / "feed.jsonl"

def loads():
    with open(capture, "rb") as lines:
        for line in lines:
            json.loads(line)

def infer():
    infer_schema(SampleSet(folder, "bench/" + folder.name))

ratios, infer_times, loads_times = [], [], []
for _ in range(repeats):
    start = time.process_time(); loads(); base = time.process_time() - start
    start = time.process_time(); infer(); cost = time.process_time() - start
    ratios.append(cost / base); infer_times.append(cost); loads_times.append(base)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"ratio": statistics.median(ratios), "infer": statistics.median(infer_times),
                  "loads": statistics.median(loads_times), "peak_mb": peak}))
"""


def measure(folder: Path, repeats: int, codegen: Path) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(codegen)}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(folder), str(repeats)],
        env=env,
        cwd=codegen,  # `python -c` puts the working folder first on the path
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1,100", help="MB, comma-separated")
    parser.add_argument(
        "--work", type=Path, default=Path(tempfile.gettempdir()) / "codegen-bench-scale"
    )
    parser.add_argument(
        "--codegen", type=Path, default=REPO, help="the checkout to measure"
    )
    parser.add_argument("--repeats", type=int, default=5, help="for sizes under 10 MB")
    args = parser.parse_args()
    print(f"codegen at {args.codegen}")
    print(
        "| feed | messages | inference CPU s | json.loads CPU s | cost x json.loads | s per MB | peak RSS MB |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for megabytes in (int(size) for size in args.sizes.split(",")):
        folder = feed(args.work, megabytes)
        with open(folder / "feed.jsonl", "rb") as lines:
            count = sum(1 for _ in lines)
        result = measure(folder, args.repeats if megabytes < 10 else 1, args.codegen)
        print(
            f"| {megabytes} MB | {count:,} | {result['infer']:.2f} | {result['loads']:.2f}"
            f" | {result['ratio']:.1f} | {result['infer'] / megabytes:.3f} | {result['peak_mb']:.0f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
