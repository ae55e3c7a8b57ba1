"""codegen's own code is held to the standard it holds generated code to: the tool passes
mypy --strict, and every hand-written module is black-formatted. (bench/ also passes mypy
--strict, but only with the bench extra installed, which the test extra leaves out.)"""

from __future__ import annotations

from pathlib import Path

import black
import pytest

from conftest import REPO, run_mypy

HAND_WRITTEN = sorted(
    path
    for folder in ("codegen", "templates", "bench", "tests")
    for path in (REPO / folder).rglob("*.py")
)


def test_codegen_passes_mypy_strict(tmp_path: Path) -> None:
    result = run_mypy(str(REPO / "codegen"), cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Success: no issues found" in result.stdout


@pytest.mark.parametrize("path", HAND_WRITTEN, ids=lambda p: str(p.relative_to(REPO)))
def test_hand_written_modules_are_black_formatted(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert black.format_str(text, mode=black.Mode()) == text
