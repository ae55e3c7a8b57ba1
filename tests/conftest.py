"""Shared fixtures: the repository's folders, and packages generated from fixture sample sets."""

from __future__ import annotations

import importlib
import itertools
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from codegen.pipeline import build_packages
from codegen.write import write_packages

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "samples"
GENERATED = REPO / "generated"
BUNDLED_SETS = ("onboarding", "trading")

_package_numbers = itertools.count()


@pytest.fixture(scope="session")
def generated_on_path() -> Iterator[Path]:
    """The committed generated/ folder importable as top-level packages (`import trading`)."""
    sys.path.insert(0, str(GENERATED))
    yield GENERATED
    sys.path.remove(str(GENERATED))


def bundled_samples(set_name: str) -> list[tuple[str, Any]]:
    """(file, value) for every sample of a bundled set, read by codegen's own reader."""
    from codegen.ingest import read_sample_set

    return [
        (str(s.origin), s.value)
        for s in read_sample_set(SAMPLES / set_name, f"samples/{set_name}")
    ]


GeneratePackage = Callable[..., ModuleType]


@pytest.fixture
def generate_package(tmp_path: Path) -> Iterator[GeneratePackage]:
    """Generate a package from samples given inline, import it and return the module.

    `generate_package([sample, ...])` writes each sample as its own .json file (or pass
    `files={"name.json": "text"}` for exact text), runs the whole pipeline and imports the result
    under a unique name, so tests never see each other's packages.
    """
    imported: list[str] = []
    sys.path.insert(0, str(tmp_path / "out"))

    def generate(
        samples: list[Any] | None = None,
        *,
        files: dict[str, str] | None = None,
        config: str | None = None,
    ) -> ModuleType:
        set_name = f"fixture_{next(_package_numbers)}"
        set_dir = tmp_path / "samples" / set_name
        set_dir.mkdir(parents=True)
        for index, sample in enumerate(samples or []):
            (set_dir / f"sample_{index:03d}.json").write_text(
                json.dumps(sample), encoding="utf-8"
            )
        for name, text in (files or {}).items():
            (set_dir / name).write_text(text, encoding="utf-8")
        if config is not None:
            (set_dir / "codegen.toml").write_text(config, encoding="utf-8")
        packages = [
            p for p in build_packages(tmp_path / "samples") if p.name == set_name
        ]
        write_packages(packages, tmp_path / "out")
        importlib.invalidate_caches()
        imported.append(set_name)
        return importlib.import_module(set_name)

    yield generate
    sys.path.remove(str(tmp_path / "out"))
    for name in imported:
        for module in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
            del sys.modules[module]


def round_trips(package: ModuleType, sample: Any) -> bool:
    """The codec contract: json.dumps(encode(decode(s))) == json.dumps(s), from text and from data."""
    text = json.dumps(sample)
    from_text = json.dumps(package.encode(package.decode(text)))
    from_data = json.dumps(package.encode(package.decode(json.loads(text))))
    return from_text == text and from_data == text


# --- helpers shared by the pipeline tests (golden, CLI, dispatcher, quality, schema) ---------


def files_under(root: Path) -> dict[str, bytes]:
    """Every file below root (relative POSIX path -> bytes), bytecode caches left out."""
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


def package_schema(package: ModuleType) -> dict[str, Any]:
    """The schema.json written beside an imported generated package."""
    return json.loads(
        (Path(package.__file__).parent / "schema.json").read_text(encoding="utf-8")
    )


def run_mypy(
    *args: str, cwd: Path, mypypath: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """`mypy --strict ARGS` in a subprocess, its cache under cwd (never the repository's)."""
    env = {k: v for k, v in os.environ.items() if k != "MYPYPATH"}
    if mypypath is not None:
        env["MYPYPATH"] = str(mypypath)
    mypy = Path(sys.executable).with_name("mypy")
    command = [str(mypy)] if mypy.exists() else [sys.executable, "-m", "mypy"]
    return subprocess.run(
        [*command, "--strict", "--cache-dir", str(cwd / ".mypy_cache"), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
