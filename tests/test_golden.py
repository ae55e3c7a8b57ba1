"""Golden output and determinism: the committed generated/ is exactly what samples/ produce.

Expected bytes are the committed generated/ folder (reviewed output), never this run's output.
"""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import codegen.ingest
from codegen.pipeline import Package, build_packages
from codegen.write import diff_packages, package_files, write_packages

from conftest import BUNDLED_SETS, GENERATED, PACKAGE_FILES, SAMPLES, files_under


@pytest.fixture(scope="module")
def built() -> list[Package]:
    return build_packages(SAMPLES)


def committed() -> dict[str, bytes]:
    return files_under(GENERATED)


def copy_of_generated(tmp_path: Path) -> Path:
    target = tmp_path / "generated"
    shutil.copytree(
        GENERATED, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
    )
    return target


# --- golden ---------------------------------------------------------------------------------


def test_committed_folder_holds_exactly_the_bundled_packages() -> None:
    packages = sorted({path.split("/")[0] for path in committed()})
    assert packages == sorted(BUNDLED_SETS)
    for name in BUNDLED_SETS:
        files = {p.split("/", 1)[1] for p in committed() if p.startswith(name + "/")}
        assert files == PACKAGE_FILES, name


def test_regenerated_output_is_byte_identical_to_committed(
    built: list[Package], tmp_path: Path
) -> None:
    write_packages(built, tmp_path / "out")
    regenerated = files_under(tmp_path / "out")
    expected = committed()
    assert sorted(regenerated) == sorted(expected)
    different = [path for path in expected if regenerated[path] != expected[path]]
    assert different == []


def test_built_packages_in_memory_match_committed(built: list[Package]) -> None:
    assert sorted(p.name for p in built) == sorted(BUNDLED_SETS)
    expected = committed()
    for package in built:
        files = package_files(package)  # what the writer adds: the ownership mark
        assert set(files) == PACKAGE_FILES
        for name, content in files.items():
            assert content.encode("utf-8") == expected[f"{package.name}/{name}"], name


def test_schema_in_package_matches_schema_file(built: list[Package]) -> None:
    for package in built:
        assert json.loads(package.files["schema.json"]) == package.schema


def test_check_is_clean_for_the_committed_folder(built: list[Package]) -> None:
    assert diff_packages(built, GENERATED) == []


def test_check_reports_an_edited_file_as_a_unified_diff(
    built: list[Package], tmp_path: Path
) -> None:
    out = copy_of_generated(tmp_path)
    models = out / "trading" / "models.py"
    models.write_text(
        models.read_text(encoding="utf-8").replace("class BidAsk:", "class BidAsk2:"),
        encoding="utf-8",
    )
    diffs = diff_packages(built, out)
    assert len(diffs) == 1
    (diff,) = diffs
    assert diff.startswith("--- generated/trading/models.py\n")
    assert "+++ generated/trading/models.py\n" in diff
    assert "\n@@ " in diff
    assert "-class BidAsk2:\n" in diff
    assert "+class BidAsk:\n" in diff


def test_check_reports_a_missing_file(built: list[Package], tmp_path: Path) -> None:
    out = copy_of_generated(tmp_path)
    (out / "onboarding" / "codec.py").unlink()
    diffs = diff_packages(built, out)
    assert len(diffs) == 1
    assert "generated/onboarding/codec.py" in diffs[0]


def test_check_reports_a_missing_empty_file(
    built: list[Package], tmp_path: Path
) -> None:
    out = copy_of_generated(tmp_path)
    (out / "trading" / "py.typed").unlink()
    diffs = diff_packages(built, out)
    assert len(diffs) == 1
    assert "generated/trading/py.typed" in diffs[0]


def test_check_reports_a_file_that_is_not_generated(
    built: list[Package], tmp_path: Path
) -> None:
    out = copy_of_generated(tmp_path)
    (out / "trading" / "stale.py").write_text("x = 1\n", encoding="utf-8")
    diffs = diff_packages(built, out)
    assert len(diffs) == 1
    assert "generated/trading/stale.py" in diffs[0]


def test_check_reports_a_missing_package(built: list[Package], tmp_path: Path) -> None:
    out = copy_of_generated(tmp_path)
    shutil.rmtree(out / "onboarding")
    diffs = diff_packages(built, out)
    assert len(diffs) == len(PACKAGE_FILES)
    assert all("generated/onboarding/" in diff for diff in diffs)


# --- determinism ----------------------------------------------------------------------------


def test_two_runs_in_one_process_are_byte_identical(built: list[Package]) -> None:
    again = build_packages(SAMPLES)
    assert [(p.name, p.files) for p in again] == [(p.name, p.files) for p in built]


def _generate_in_subprocess(seed: str, out: Path) -> subprocess.Popen[str]:
    env = dict(os.environ, PYTHONHASHSEED=seed)
    return subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from codegen.cli import main; main()",
            "generate",
            str(SAMPLES),
            "-o",
            str(out),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_output_does_not_depend_on_the_hash_seed(tmp_path: Path) -> None:
    seeds = ("1", "4242")
    processes = {
        seed: _generate_in_subprocess(seed, tmp_path / f"seed-{seed}") for seed in seeds
    }
    for seed, process in processes.items():
        _, stderr = process.communicate(timeout=300)
        assert process.returncode == 0, (seed, stderr)
    trees = [files_under(tmp_path / f"seed-{seed}") for seed in seeds]
    assert trees[0] == trees[1]
    assert trees[0] == committed()


@pytest.fixture
def reversed_listings(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, int]]:
    """Every directory listing comes back in reverse sorted order; counts the calls."""
    calls = {"walk": 0, "iterdir": 0}
    real_walk = os.walk
    real_iterdir = pathlib.Path.iterdir

    def walk(top: Any, *args: Any, **kwargs: Any) -> Iterator[Any]:
        calls["walk"] += 1
        for root, dirs, files in real_walk(top, *args, **kwargs):
            # In place, so that pruning `dirs[:] = ...` still steers the real walk.
            dirs.sort(reverse=True)
            files.sort(reverse=True)
            yield root, dirs, files

    def iterdir(self: Path) -> Iterator[Path]:
        calls["iterdir"] += 1
        return iter(sorted(real_iterdir(self), reverse=True))

    monkeypatch.setattr(codegen.ingest.os, "walk", walk)
    monkeypatch.setattr(pathlib.Path, "iterdir", iterdir)
    yield calls


def test_output_does_not_depend_on_listing_order(
    reversed_listings: dict[str, int],
) -> None:
    packages = build_packages(SAMPLES)
    # The patch was in effect: ingest walked each set, the pipeline listed the sets.
    assert reversed_listings["walk"] >= len(BUNDLED_SETS)
    assert reversed_listings["iterdir"] >= 1
    assert diff_packages(packages, GENERATED) == []


def _order_sensitive_set(root: Path) -> Path:
    """A set whose first-seen key order and first-seen origins depend on which file is read first."""
    samples = root / "samples"
    (samples / "orders" / "nested").mkdir(parents=True)
    (samples / "orders" / "a.json").write_text('{"x": 1, "y": "a"}', encoding="utf-8")
    (samples / "orders" / "b.json").write_text(
        '{"z": null, "y": "b", "x": 2.5}', encoding="utf-8"
    )
    (samples / "orders" / "nested" / "c.jsonl").write_text(
        '{"w": [1], "x": 3}\n', encoding="utf-8"
    )
    (samples / "another").mkdir()
    (samples / "another" / "m.json").write_text('{"k": true}', encoding="utf-8")
    return samples


def test_fixture_set_output_does_not_depend_on_listing_order(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    reversed_listings: dict[str, int],
) -> None:
    samples = _order_sensitive_set(tmp_path)
    reversed_order = build_packages(samples)
    assert reversed_listings["walk"] >= 2
    monkeypatch.undo()
    in_order = build_packages(samples)
    assert [(p.name, p.files) for p in reversed_order] == [
        (p.name, p.files) for p in in_order
    ]
    # Keys keep the order they were first seen in, files read sorted: a.json comes first.
    (orders,) = [p for p in in_order if p.name == "orders"]
    root = orders.schema["$defs"][orders.schema["title"]]
    assert list(root["properties"]) == ["x", "y", "z", "w"]
