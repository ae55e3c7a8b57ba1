"""`--jobs`: a set's files folded by several processes give the output one process gives, byte
for byte, with the same warnings in the same order and the same first error."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from codegen import fold
from codegen.errors import collecting_notices, notify
from codegen.cli import main

from conftest import tree_of


@pytest.fixture(autouse=True)
def parallel_even_when_small(monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers start for any set here (the real floor is megabytes; the rule is the same)."""
    monkeypatch.setattr(fold, "PARALLEL_MIN_BYTES", 0)


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], env={"CODEGEN_DEBUG": None})


def lines(*messages: Any) -> str:
    return "".join(json.dumps(message) + "\n" for message in messages)


def trade(index: int) -> dict[str, Any]:
    return {
        "type": "trade",
        "side": ["buy", "sell"][index % 2],
        "px": f"{100 + index}.25",
        "ts": 1_700_000_000_000 + index,
    }


def book(index: int) -> dict[str, Any]:
    return {"type": "book", "bids": [[1.5 + index, 3]], "seq": 10_000 + index}


def write_parts(feed: Path, parts: int, per_part: int) -> None:
    """part0.jsonl, part1.jsonl, ...: trades and books in turn, `per_part` lines each."""
    feed.mkdir(parents=True)
    for part in range(parts):
        start = part * per_part
        (feed / f"part{part}.jsonl").write_text(
            lines(
                *(
                    trade(i) if i % 2 else book(i)
                    for i in range(start, start + per_part)
                )
            )
        )


def write_feed(samples: Path) -> None:
    feed = samples / "feed"
    write_parts(feed, 5, 8)
    # A sample several files repeat counts once, whichever worker reads it.
    (feed / "repeat.json").write_text(json.dumps(trade(3)))
    # Warnings from two runs: log text lines.
    (feed / "a.log").write_text("starting\n12:00:01 " + json.dumps(trade(99)) + "\n")
    (feed / "z.log").write_text("stopping\n12:00:02 " + json.dumps(book(98)) + "\n")


def generate(samples: Path, out: Path, jobs: int) -> Result:
    return run("generate", samples, "-o", out, "--jobs", jobs)


@pytest.mark.parametrize("jobs", [2, 3, 0])
def test_jobs_write_what_one_process_writes(tmp_path: Path, jobs: int) -> None:
    write_feed(tmp_path / "samples")
    one = generate(tmp_path / "samples", tmp_path / "one", 1)
    many = generate(tmp_path / "samples", tmp_path / "many", jobs)
    assert one.exit_code == 0, one.output
    assert many.exit_code == 0, many.output
    assert tree_of(tmp_path / "many") == tree_of(tmp_path / "one")
    assert many.stderr == one.stderr
    assert "a.log:1: skipped 1 line(s)" in one.stderr
    assert "z.log:1: skipped 1 line(s)" in one.stderr
    assert (
        len(
            fold._runs(
                tmp_path / "samples" / "feed",
                sorted(p.name for p in (tmp_path / "samples" / "feed").iterdir()),
                3,
            )
        )
        == 3
    )


def test_infer_and_diff_with_jobs_print_what_one_process_prints(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    in_workers = []
    fold_in_workers = fold._fold_in_workers
    monkeypatch.setattr(
        fold,
        "_fold_in_workers",
        lambda runs: in_workers.append(len(runs)) or fold_in_workers(runs),
    )
    samples = tmp_path / "samples"
    write_feed(samples)
    assert generate(samples, tmp_path / "out", 1).exit_code == 0
    (samples / "feed" / "part5.jsonl").write_text(
        lines({"type": "halt", "reason": "auction", "ts": 1_700_000_000_000})
    )
    for command in (
        ["infer", samples / "feed"],
        ["infer", samples],
        ["diff", samples, "-o", tmp_path / "out"],
    ):
        one, many = run(*command, "--jobs", 1), run(*command, "--jobs", 3)
        assert one.exit_code == many.exit_code, many.output
        assert one.exit_code == (1 if command[0] == "diff" else 0), one.output
        assert many.stdout == one.stdout and many.stderr == one.stderr
    assert "halt" in one.stdout
    assert in_workers == [3, 3, 3]  # each `--jobs 3` run read the feed in three workers


def test_jobs_with_a_folder_per_kind(tmp_path: Path) -> None:
    """Samples sorted into a folder per kind: a sample in two folders is a sample of each."""
    samples = tmp_path / "samples"
    for kind, make in (("trades", trade), ("books", book)):
        folder = samples / "hooks" / kind
        folder.mkdir(parents=True)
        for index in range(4):
            (folder / f"{index}.json").write_text(json.dumps(make(index)))
    (samples / "hooks" / "books" / "x.json").write_text(json.dumps(trade(0)))
    one = generate(samples, tmp_path / "one", 1)
    many = generate(samples, tmp_path / "many", 2)
    assert one.exit_code == 0, one.output
    assert many.exit_code == 0, many.output
    assert tree_of(tmp_path / "many") == tree_of(tmp_path / "one")


def test_jobs_report_the_first_bad_file_as_one_process_does(tmp_path: Path) -> None:
    write_feed(tmp_path / "samples")
    feed = tmp_path / "samples" / "feed"
    (feed / "part1.jsonl").write_text(lines(trade(1)) + '{"type": "trade",\n')
    (feed / "part4.jsonl").write_text("[1, 2\n")
    one = generate(tmp_path / "samples", tmp_path / "one", 1)
    many = generate(tmp_path / "samples", tmp_path / "many", 3)
    assert one.exit_code == 2 and many.exit_code == 2
    assert "part1.jsonl:2" in one.stderr
    assert many.stderr == one.stderr
    assert "Traceback" not in many.output + many.stderr
    assert not (tmp_path / "many").exists()


def test_notices_are_collected_per_thread() -> None:
    """A Dask worker may fold two partitions at once in two threads: each keeps its own."""
    inside = threading.Barrier(2)
    said = threading.Barrier(2)
    kept: dict[str, list[str]] = {}

    def fold(name: str) -> None:
        with collecting_notices() as notices:
            inside.wait()
            notify(name)
            said.wait()
        kept[name] = notices

    threads = [threading.Thread(target=fold, args=(name,)) for name in "ab"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert kept == {"a": ["a"], "b": ["b"]}
