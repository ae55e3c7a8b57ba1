"""codegen.distributed: a set folded on a real local Dask cluster (two worker processes) writes
the package `codegen generate` writes, byte for byte, from a bag of its files and from a bag of
its lines; a bad line is the error one process gives."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from codegen.config import load_config
from codegen.errors import CodegenError
from codegen.fold import summarize_set
from codegen.ingest import sample_files

from conftest import cli_generate, tree_of
from test_jobs import book, lines, trade, write_parts

distributed = pytest.importorskip("distributed")  # a guard: the test extra installs it
db = pytest.importorskip("dask.bag")

from codegen.distributed import (  # noqa: E402  (after the guard)
    package_from_files,
    package_from_lines,
    summarize_files,
    summarize_lines,
    write_set,
)


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    """Two worker processes, one thread each: every partition crosses a process boundary."""
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=50,
        ) as cluster,
        distributed.Client(cluster) as dask_client,
    ):
        yield dask_client


def write_feed(samples: Path) -> Path:
    """One kind of message per `type` tag, in JSON Lines and logs; duplicates across files."""
    feed = samples / "feed"
    write_parts(feed, 4, 6)
    (feed / "repeat.ndjson").write_text(lines(trade(3), book(4), trade(3)))
    (feed / "a.log").write_text(
        "starting\n12:00:01 " + json.dumps(trade(99)) + "\nstopping\n"
    )
    (feed / "z.log").write_text("[12:00:02] recv " + json.dumps(book(98)))
    return feed


def write_hooks(samples: Path) -> Path:
    """Samples sorted into a folder per kind; one sample sits in two folders."""
    hooks = samples / "hooks"
    for kind, make in (("trades", trade), ("books", book)):
        (hooks / kind).mkdir(parents=True)
        for part in range(2):
            (hooks / kind / f"{part}.jsonl").write_text(
                lines(*(make(i) for i in range(part * 3, part * 3 + 3)))
            )
    (hooks / "books" / "x.jsonl").write_text(lines(trade(0)))
    return hooks


def bag_of_lines(directory: Path, npartitions: int, seed: int | None = None) -> Any:
    """Every line of the set's files as (file, line number, text with its "\\n"), in file order
    or shuffled; files split across partitions."""
    items = [
        (name, number, text)
        for name in sample_files(directory, "set")
        for number, text in enumerate(
            (directory / name).read_text().splitlines(keepends=True), start=1
        )
    ]
    if seed is not None:
        random.Random(seed).shuffle(items)
    return db.from_sequence(items, npartitions=npartitions)


def bag_of_files(directory: Path, npartitions: int) -> Any:
    return db.from_sequence(sample_files(directory, "set"), npartitions=npartitions)


@pytest.mark.parametrize("write", [write_feed, write_hooks])
def test_bags_write_what_generate_writes(
    client: Any, tmp_path: Path, write: Any
) -> None:
    directory = write(tmp_path / "samples")
    one = cli_generate(tmp_path / "samples", tmp_path / "one")
    assert one.exit_code == 0, one.output
    expected = tree_of(tmp_path / "one")
    assert len(expected) > 4  # a package was written, not two empty folders
    assert not any(b"dask" in (content or b"") for content in expected.values())

    from_files = write_set(
        directory, tmp_path / "files", files=bag_of_files(directory, 3)
    )
    assert tree_of(tmp_path / "files") == expected
    from_lines = write_set(
        directory, tmp_path / "lines", lines=bag_of_lines(directory, 4)
    )
    assert tree_of(tmp_path / "lines") == expected
    assert from_files.name == from_lines.name == directory.name
    if write is write_hooks:  # the settings are the set's: a kind per folder
        assert {"Trades", "Books"} <= set(json.dumps(from_lines.schema).split('"'))


@pytest.mark.parametrize("write", [write_feed, write_hooks])
def test_any_cut_of_the_set_is_the_summary_of_one_process(
    client: Any, tmp_path: Path, write: Any
) -> None:
    """The package is a function of the summary: every bag here gives the one summary."""
    directory = write(tmp_path / "samples")
    set_display = "samples/" + directory.name
    expected = summarize_set(
        directory, set_display, load_config(directory, set_display)
    )
    assert len(expected) > 10
    assert summarize_files(directory) == expected
    assert summarize_files(directory, bag_of_files(directory, 5)) == expected
    for npartitions, seed in ((1, None), (3, 1), (7, 2)):
        bag = bag_of_lines(directory, npartitions, seed)
        assert summarize_lines(directory, bag) == expected, (npartitions, seed)


def test_bad_json_is_the_error_generate_gives(client: Any, tmp_path: Path) -> None:
    directory = write_feed(tmp_path / "samples")
    (directory / "part1.jsonl").write_text(lines(trade(1)) + '{"type": "trade",\n')
    (directory / "part3.jsonl").write_text("[1, 2\n")
    one = cli_generate(tmp_path / "samples", tmp_path / "one")
    assert one.exit_code == 2
    assert "part1.jsonl:2:" in one.stderr

    for infer in (
        lambda: package_from_files(directory, bag_of_files(directory, 3)),
        lambda: package_from_lines(directory, bag_of_lines(directory, 4)),
    ):
        with pytest.raises(CodegenError) as caught:
            infer()
        assert f"error: {caught.value}\n" in one.stderr
        assert str(caught.value).startswith("samples/feed/part1.jsonl:2:")


def test_a_log_without_a_message_is_the_error_generate_gives(
    client: Any, tmp_path: Path
) -> None:
    directory = write_feed(tmp_path / "samples")
    (directory / "a.log").write_text("starting\nstopping\n")
    one = cli_generate(tmp_path / "samples", tmp_path / "one")
    assert one.exit_code == 2
    with pytest.raises(CodegenError) as caught:
        package_from_lines(directory, bag_of_lines(directory, 3))
    assert f"error: {caught.value}\n" in one.stderr
    assert "a.log" in str(caught.value)


def test_a_bag_must_hold_the_set_and_only_the_set(client: Any, tmp_path: Path) -> None:
    directory = write_feed(tmp_path / "samples")
    (directory / "one.json").write_text(json.dumps(trade(5)))
    with pytest.raises(CodegenError, match="not JSON Lines or a log") as caught:
        package_from_lines(directory, bag_of_lines(directory, 2))
    assert str(caught.value).startswith("samples/feed/one.json:")
    without = bag_of_lines(directory, 2).filter(_not_json)
    with pytest.raises(CodegenError, match="missing from the bag of lines") as caught:
        package_from_lines(directory, without)
    assert str(caught.value).startswith("samples/feed/one.json:")
    partial_bag = db.from_sequence(["part0.jsonl", "elsewhere.jsonl"], npartitions=1)
    with pytest.raises(CodegenError, match="cannot read file|not a sample file"):
        package_from_files(directory, partial_bag)
    with pytest.raises(CodegenError, match="missing from the bag of files"):
        package_from_files(directory, bag_of_files(directory, 2).filter(_not_part2))


def _not_part2(name: str) -> bool:
    return name != "part2.jsonl"


def _not_json(item: tuple[str, int, str]) -> bool:
    return not item[0].endswith(".json")


def test_the_cli_never_imports_dask(tmp_path: Path) -> None:
    """What `codegen generate` imports, and a set folded by its code path, bring in no Dask."""
    directory = write_feed(tmp_path / "samples")
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "import codegen.cli, codegen.pipeline, codegen.write, codegen.render\n"
        "from codegen.config import load_config\n"
        "from codegen.fold import summarize_set\n"
        f"directory = Path({str(directory)!r})\n"
        "summarize_set(directory, 'feed', load_config(directory, 'feed'), jobs=2)\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'dask', 'distributed'}))\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert run.stdout.splitlines()[-1] == "[]"
