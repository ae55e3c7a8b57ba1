"""Benchmark: where generation time goes, and how the generator scales.

1. Stages: each stage on the bundled sets and on a synthetic set (300 messages, 40 types, a
   tagged union level), as ratios to reading the samples.
2. Dedupe: 400 sibling records with one key set in one ~40 KB sample (median CPU of 3 runs);
   then each pass at 400 and 4,000 siblings and the ratio (10 is linear, 100 quadratic).
3. CLI: `codegen generate` wall and CPU time (medians of runs), on the bundled samples and on 273
   varied nested webhook-like payloads (one set, a sub-folder per event): cold (an empty cache,
   the output folder as committed: a fresh clone's first run) and unchanged (nothing changed
   since the last run: every set is skipped, see codegen/cache.py). Beside them, the
   `datamodel-codegen` command on the same sets' wire schemas: what the library alone costs.
(Inference cost per MB and peak memory on 1 MB to 1 GB captures: bench/scale.py.)

Every figure is printed on one line with its name, so runs before and after a change compare
line by line. Fixed seeds; the machine may be shared, so CPU times are given beside wall times.
Run: `python bench/generate.py [--runs 5]`.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from codegen.errors import Location  # noqa: E402
from codegen.config import load_config  # noqa: E402
from codegen.fold import summarize_set  # noqa: E402
from codegen.infer import infer  # noqa: E402
from codegen.infer.observe import observe  # noqa: E402
from codegen.infer.passes import PASSES  # noqa: E402
from codegen.ingest import read_sample_set  # noqa: E402
from codegen.render import render_package  # noqa: E402
from codegen.render.wire import template_data, wire_schema  # noqa: E402
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


def stages(scratch: Path) -> None:
    sets = [REPO / "samples" / "trading", REPO / "samples" / "onboarding"]
    sets.append(synthetic_set(scratch / "synthetic"))
    print(
        f"{'set':<12} {'samples':>7} {'ingest ms':>9} {'read+infer':>10} {'schema':>7} {'render':>7}"
    )
    for folder in sets:
        display = f"samples/{folder.name}"
        read, samples = timed(lambda: read_sample_set(folder, display))
        config = load_config(folder, display)
        inferred, inference = timed(
            lambda: infer(summarize_set(folder, display, config).members(), "Root")
        )
        built, schema = timed(lambda: build_schema(inference))
        rendered, _ = timed(lambda: render_package(schema, folder.name))
        print(
            f"{folder.name:<12} {len(samples):>7} {read * 1000:>9.1f}"
            f" {inferred / read:>9.1f}x {built / read:>6.1f}x {rendered / read:>6.1f}x"
        )
    print(
        "ratios: each stage's time against reading and parsing the same samples (ingest)"
    )


def webhook_value(rng: random.Random, depth: int, path: str) -> Any:
    """A value like those of webhook payloads: the shape at a path is fixed (nested records,
    lists, ids, urls), the values vary and about one in six is null."""
    shape = random.Random(path)  # the same path, the same type, as in real payloads
    roll = shape.random()
    if rng.random() < 0.15:
        return None
    if depth > 3 or roll < 0.45:
        return shape.choice(
            [rng.randint(1, 10**9), "https://api.example.com/x", True, 1.5]
        )
    if roll < 0.55:
        return [
            webhook_value(rng, depth + 1, path + "[]") for _ in range(rng.randint(0, 3))
        ]
    keys = shape.sample(WEBHOOK_KEYS, shape.randint(2, 8))
    return {key: webhook_value(rng, depth + 1, f"{path}.{key}") for key in keys}


WEBHOOK_KEYS = [
    "id", "url", "name", "login", "owner", "state", "title", "body", "created_at",
    "updated_at", "user", "labels", "head", "base", "sha", "repo", "node_id", "html_url",
    "type", "site_admin", "description", "private", "size", "default_branch", "action",
]  # fmt: skip


def webhook_set(folder: Path, count: int = 273) -> Path:
    """`count` payloads of 30 event kinds, a sub-folder per kind (as the event is a header)."""
    rng = random.Random(273)
    for number in range(count):
        kind = f"event_{number % 30}"
        payload = {
            "action": rng.choice(["opened", "closed", "edited"]),
            "sender": webhook_value(rng, 1, "sender"),
            "repository": webhook_value(rng, 1, "repository"),
            kind: webhook_value(rng, 0, kind),
        }
        (folder / kind).mkdir(parents=True, exist_ok=True)
        (folder / kind / f"{number:03d}.json").write_text(
            json.dumps(payload, indent=2), encoding="utf-8"
        )
    return folder


def child(args: list[str], cwd: Path) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and peak RSS (MB) of `python -m codegen <args>`, this child's
    own (os.wait4), not the largest of all children so far."""
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "codegen", *args], cwd=cwd, stdout=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"codegen {' '.join(args)} failed: {process.returncode}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def medians(runs: list[tuple[float, float, float]]) -> tuple[float, float]:
    return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)


def cli(scratch: Path, runs: int) -> None:
    cache = scratch / "cache"
    os.environ["CODEGEN_CACHE_DIR"] = str(cache)
    webhooks = scratch / "webhook-samples"
    webhook_set(webhooks / "hooks")
    for label, samples in (("bundled", REPO / "samples"), ("273 webhooks", webhooks)):
        out = scratch / f"out-{samples.name}"
        if samples == REPO / "samples":
            shutil.copytree(REPO / "generated", out)  # as committed
        args = ["generate", str(samples), "-o", str(out)]
        child(args, scratch)  # the output as committed: a first run writes it
        cold = []
        for _ in range(max(1, runs // 2)):
            shutil.rmtree(cache, ignore_errors=True)
            cold.append(child(args, scratch))
        unchanged = [child(args, scratch) for _ in range(runs)]
        (cold_wall, cold_cpu), (wall, cpu) = medians(cold), medians(unchanged)
        print(
            f"cli generate {label:<13} cold {cold_wall:6.2f} s wall {cold_cpu:6.2f} s cpu;"
            f" unchanged {wall:5.2f} s wall {cpu:5.2f} s cpu (medians of {len(cold)} and"
            f" {len(unchanged)} runs; cold/unchanged {cold_wall / wall:.0f}x)"
        )


def library_command(scratch: Path, runs: int) -> None:
    """The `datamodel-codegen` command on the wire schemas of the bundled sets, one command per
    set as a user would run it (options as codegen.render.wire_worker gives them, its builtin
    formatter): what the library alone costs a cold `codegen generate`."""
    command = Path(sys.executable).with_name("datamodel-codegen")
    if not command.exists():
        print("datamodel-codegen: not installed beside this Python, skipped")
        return
    calls = []
    for name in ("onboarding", "trading"):
        schema = json.loads((REPO / "generated" / name / "schema.json").read_text())
        document = wire_schema(schema)
        (scratch / f"{name}.wire.json").write_text(json.dumps(document))
        (scratch / f"{name}.data.json").write_text(json.dumps(template_data(document)))
        calls.append(
            [
                str(command),
                *("--input", str(scratch / f"{name}.wire.json")),
                *("--output", str(scratch / f"{name}_wire.py")),
                *("--input-file-type", "jsonschema"),
                *("--output-model-type", "typing.TypedDict"),
                *("--target-python-version", "3.10"),
                *("--custom-template-dir", str(REPO / "templates" / "dcg")),
                *("--extra-template-data", str(scratch / f"{name}.data.json")),
                "--use-title-as-name",
                "--use-union-operator",
                "--use-standard-collections",
                "--use-schema-description",
                "--disable-timestamp",
                *("--formatters", "builtin"),
            ]
        )
    walls = []
    for _ in range(runs):
        start = time.perf_counter()
        for call in calls:
            subprocess.run(call, check=True, stdout=subprocess.DEVNULL)
        walls.append(time.perf_counter() - start)
    print(
        f"datamodel-codegen alone, bundled wire schemas: {statistics.median(walls):6.2f} s wall"
        f" (median of {runs} runs; one command per set, {len(calls)} in all)"
    )


def sibling_sample(count: int) -> dict[str, Any]:
    """`count` sibling records with one key set: nulls, empty arrays and kinds apart deep down."""
    rng = random.Random(5)

    def value(depth: int) -> Any:
        roll = rng.random()
        if depth > 2 or roll < 0.25:
            return rng.choice([None, 1, 2.5, "s", True, [], [1], ["x"]])
        if roll < 0.4:
            return [value(depth + 1) for _ in range(rng.randint(0, 2))]
        return {key: value(depth + 1) for key in rng.sample(["a", "b", "c"], 2)}

    return {
        f"s{n}": {"a": value(1), "b": value(1), "c": {"d": value(2), "e": [value(2)]}}
        for n in range(count)
    }


def pass_times(sample: dict[str, Any], runs: int) -> dict[str, float]:
    """Each pass's CPU time (median of `runs`) on the tree the passes before it leave."""
    root = observe([(sample, Location("siblings.json", 1))])
    assert root is not None
    times = {}
    for name, rewrite in PASSES:
        spent = []
        for _ in range(runs):
            start = time.process_time()
            result = rewrite(root)
            spent.append(time.process_time() - start)
        times[name] = statistics.median(spent)
        root = result
    return times


def siblings() -> None:
    """Dedupe on 400 siblings; then every pass at 400 and at 4,000 siblings, in this process:
    a ratio near 10 is linear, near 100 quadratic."""
    small, large = sibling_sample(400), sibling_sample(4000)
    at_small, at_large = pass_times(small, 3), pass_times(large, 3)
    print(
        f"dedupe 400 siblings ({len(json.dumps(small)) // 1000} KB):"
        f" {at_small['dedupe']:.2f} s cpu (median of 3)"
    )
    for name, _ in PASSES:
        print(
            f"scaling {name:<20} 400 siblings {at_small[name]:6.3f} s,"
            f" 4,000 {at_large[name]:6.3f} s cpu (medians of 3):"
            f" ratio {at_large[name] / at_small[name]:5.1f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per CLI median")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        stages(Path(scratch))
        siblings()
        cli(Path(scratch), options.runs)
        library_command(Path(scratch), options.runs)


if __name__ == "__main__":
    main()
