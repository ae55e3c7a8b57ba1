"""Atomic output: a run that fails anywhere leaves the previous generated packages untouched.

Generation renders every package in memory, then writes each into a temporary folder beside it
and swaps it in. Failures are injected while rendering (the whole render, black, the wire
library) and while writing (a file write, fsync, the swap itself, an interrupt): the previous
packages stay byte for byte what they were, and no temporary folder is left behind.
"""

from __future__ import annotations

import builtins
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import datamodel_code_generator
import pytest

import codegen.pipeline
import codegen.render.python
import codegen.write
from codegen.pipeline import build_packages
from codegen.write import package_files, write_packages

from conftest import cli_generate, tree_of

BEFORE = {
    "alpha": '{"id": 1, "name": "first"}\n',
    "beta": '{"event": {"created": {"n": 1}}}\n{"event": {"deleted": {"n": 2}}}\n',
}
AFTER = {
    "alpha": '{"id": 1, "name": "first", "tags": ["new"]}\n',
    "beta": '{"event": {"created": {"n": 1.5}}}\n{"event": {"closed": {"at": "x"}}}\n',
}


class Injected(Exception):
    """The failure the tests inject; never raised by codegen itself."""


def write_samples(root: Path, texts: dict[str, str]) -> Path:
    samples = root / "samples"
    for set_name, text in texts.items():
        (samples / set_name).mkdir(parents=True, exist_ok=True)
        (samples / set_name / "s.json").write_text(text, encoding="utf-8")
    return samples


@pytest.fixture(scope="module")
def previous_packages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The output folder of a good run over BEFORE (each test works on its own copy)."""
    root = tmp_path_factory.mktemp("previous")
    write_packages(build_packages(write_samples(root, BEFORE)), root / "generated")
    return root / "generated"


@pytest.fixture
def out(previous_packages: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(previous_packages, tmp_path / "out"))


@pytest.fixture
def new_samples(tmp_path: Path) -> Path:
    return write_samples(tmp_path / "new", AFTER)


def fail_on_call(
    number: int, real: Callable[..., Any], error: type[BaseException] = Injected
) -> Callable[..., Any]:
    """`real`, except that call `number` (1-based) raises `error` instead."""
    calls = {"count": 0}

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        calls["count"] += 1
        if calls["count"] == number:
            raise error(f"injected failure in call {number}")
        return real(*args, **kwargs)

    return wrapper


def test_the_new_samples_do_change_every_package(out: Path, new_samples: Path) -> None:
    """The control case: without a failure the run rewrites both packages."""
    before = tree_of(out)
    result = cli_generate(new_samples, out)
    assert result.exit_code == 0, result.output
    after = tree_of(out)
    assert sorted(after) == sorted(before)
    for name in ("alpha", "beta"):
        assert after[f"{name}/codec.py"] != before[f"{name}/codec.py"]


# --- failures while rendering: nothing is written at all ---------------------------------------


def fail_render_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        codegen.pipeline,
        "render_package",
        fail_on_call(2, codegen.pipeline.render_package),
    )


def fail_black_for_beta(monkeypatch: pytest.MonkeyPatch) -> None:
    real = codegen.render.python.format_module

    def format_module(source: str, *args: Any) -> str:
        if "`beta`" in source:
            raise Injected("black failed")
        return real(source, *args)

    monkeypatch.setattr(codegen.render.python, "format_module", format_module)


def fail_template_for_beta(monkeypatch: pytest.MonkeyPatch) -> None:
    real = codegen.render.render_module

    def render_module(template: str, **context: Any) -> str:
        if template.endswith("dispatch.py.jinja") and context["m"].set_name == "beta":
            raise Injected("template failed")
        return real(template, **context)

    monkeypatch.setattr(codegen.render, "render_module", render_module)


def fail_wire_library(monkeypatch: pytest.MonkeyPatch) -> None:
    # In this process: the library is loaded already (the fixtures rendered), so no worker.
    monkeypatch.setattr(
        datamodel_code_generator,
        "generate",
        fail_on_call(2, datamodel_code_generator.generate),
    )


@pytest.mark.parametrize(
    "inject",
    [
        pytest.param(fail_render_package, id="render-package"),
        pytest.param(fail_black_for_beta, id="black"),
        pytest.param(fail_template_for_beta, id="template"),
        pytest.param(fail_wire_library, id="datamodel-code-generator"),
    ],
)
def test_failure_while_rendering_the_second_set_writes_nothing(
    out: Path,
    new_samples: Path,
    monkeypatch: pytest.MonkeyPatch,
    inject: Callable[[pytest.MonkeyPatch], None],
) -> None:
    before = tree_of(out)
    inject(monkeypatch)
    result = cli_generate(new_samples, out)
    assert result.exit_code in (2, 3), result.output
    assert "Traceback" not in result.output
    assert "injected" in result.output.lower()
    assert tree_of(out) == before


# --- failures while writing: the package being written stays as it was --------------------------


def open_failing_after(files: int) -> Callable[..., Any]:
    """builtins.open for codegen.write, failing once `files` files of beta were opened."""
    opened = {"beta": 0}

    def failing_open(file: Any, *args: Any, **kwargs: Any) -> Any:
        if ".beta.new-" in str(file):
            if opened["beta"] >= files:
                raise Injected(f"disk full after {files} files")
            opened["beta"] += 1
        return builtins.open(file, *args, **kwargs)

    return failing_open


def part(tree: dict[str, bytes | None], name: str) -> dict[str, bytes | None]:
    return {k: v for k, v in tree.items() if k.partition("/")[0] == name}


@pytest.mark.parametrize("files", [0, 1, 4, 7])
def test_failed_file_write_leaves_the_previous_package(
    out: Path, new_samples: Path, monkeypatch: pytest.MonkeyPatch, files: int
) -> None:
    """alpha is written first and may be swapped in, but whole; beta stays the previous one."""
    before = tree_of(out)
    packages = build_packages(new_samples)
    monkeypatch.setattr(codegen.write, "open", open_failing_after(files), raising=False)
    with pytest.raises(Injected):
        write_packages(packages, out)
    after = tree_of(out)
    assert part(after, "beta") == part(before, "beta")
    (alpha,) = [p for p in packages if p.name == "alpha"]
    written = {f"alpha/{k}": v.encode() for k, v in package_files(alpha).items()}
    assert part(after, "alpha") in (part(before, "alpha"), {"alpha": None} | written)
    assert sorted(after) == sorted(before)  # no temporary folder left behind


def test_failed_fsync_leaves_the_previous_package(
    out: Path, new_samples: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = tree_of(out)
    packages = build_packages(new_samples)
    monkeypatch.setattr(codegen.write.os, "fsync", fail_on_call(3, os.fsync))
    with pytest.raises(Injected):
        write_packages(packages, out)
    assert tree_of(out) == before


def test_failed_file_write_through_the_cli_is_reported_without_traceback(
    out: Path, new_samples: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = tree_of(out)
    monkeypatch.setattr(codegen.write, "open", open_failing_after(2), raising=False)
    result = cli_generate(new_samples, out)
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    assert "disk full" in result.output
    after = tree_of(out)
    assert part(after, "beta") == part(before, "beta")
    assert sorted(after) == sorted(before)


def test_interrupt_while_writing_leaves_the_previous_package(
    out: Path, new_samples: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = tree_of(out)
    packages = [p for p in build_packages(new_samples) if p.name == "beta"]

    monkeypatch.setattr(
        codegen.write.os, "fsync", fail_on_call(2, os.fsync, KeyboardInterrupt)
    )
    with pytest.raises(KeyboardInterrupt):
        write_packages(packages, out)
    assert tree_of(out) == before


@pytest.mark.parametrize("failing_rename", [1, 2])
def test_failed_fallback_swap_leaves_the_previous_package(
    out: Path,
    new_samples: Path,
    monkeypatch: pytest.MonkeyPatch,
    failing_rename: int,
) -> None:
    """Without an atomic exchange the swap is two renames: if either fails, the old one is in place."""
    before = tree_of(out)
    packages = [p for p in build_packages(new_samples) if p.name == "beta"]
    monkeypatch.setattr(codegen.write, "exchange", lambda first, second: False)
    monkeypatch.setattr(
        codegen.write.os, "rename", fail_on_call(failing_rename, os.rename)
    )
    with pytest.raises(Injected):
        write_packages(packages, out)
    assert tree_of(out) == before


def test_failed_exchange_leaves_the_previous_package(
    out: Path, new_samples: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = tree_of(out)
    packages = [p for p in build_packages(new_samples) if p.name == "beta"]
    monkeypatch.setattr(
        codegen.write, "exchange", fail_on_call(1, codegen.write.exchange)
    )
    with pytest.raises(Injected):
        write_packages(packages, out)
    assert tree_of(out) == before


def test_leftovers_of_a_killed_run_are_cleaned_up_by_the_next(
    out: Path, new_samples: Path
) -> None:
    """A kill between the fallback swap's renames leaves the old package in .beta.old-*/ and no beta/."""
    (out / ".beta.new-0badc0de").mkdir()
    (out / ".beta.new-0badc0de" / "codec.py").write_text("# half written\n")
    (out / ".beta.old-0badc0de").mkdir()
    os.rename(out / "beta", out / ".beta.old-0badc0de" / "beta")
    result = cli_generate(new_samples, out)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["alpha", "beta"]
    assert b"closed" in (out / "beta" / "codec.py").read_bytes()


def test_files_are_written_beside_the_target_then_swapped_in(
    out: Path, new_samples: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    written: list[Path] = []

    def recording_open(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if "w" in mode or "x" in mode or "a" in mode:
            written.append(Path(file))
        return builtins.open(file, mode, *args, **kwargs)

    monkeypatch.setattr(codegen.write, "open", recording_open, raising=False)
    packages = build_packages(new_samples)
    write_packages(packages, out)
    assert len(written) == sum(len(package_files(p)) for p in packages)
    staging = tuple(f".{package.name}.new-" for package in packages)
    for path in written:  # never into the package itself, always into a staging folder
        assert path.parent.parent == out and path.parent.name.startswith(staging)
    for package in packages:
        on_disk = part(tree_of(out), package.name)
        assert on_disk == {package.name: None} | {
            f"{package.name}/{k}": v.encode() for k, v in package_files(package).items()
        }


def test_generation_never_touches_what_it_did_not_cli_generate(
    out: Path, new_samples: Path
) -> None:
    """A folder of the user's and loose files in OUT survive a run, failed or not."""
    (out / "mine").mkdir()
    (out / "mine" / "__init__.py").write_text("# my own code\n")
    (out / "mine" / "models.py").write_text("# also mine\n")
    (out / "README.md").write_text("notes\n")
    (out / ".hidden").write_text("x\n")
    theirs = {
        k: v
        for k, v in tree_of(out).items()
        if k.partition("/")[0] in ("mine", "README.md", ".hidden")
    }
    bad = write_samples(out.parent / "bad", {"alpha": '{"a": 1', "beta": AFTER["beta"]})
    assert cli_generate(bad, out).exit_code == 2
    assert cli_generate(new_samples, out).exit_code == 0
    after = tree_of(out)
    assert {k: after.get(k) for k in theirs} == theirs
