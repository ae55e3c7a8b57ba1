"""Generated code quality: mypy --strict, pyright strict, ruff, black, stdlib imports, py.typed."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import black
import pytest

from codegen.render.reformat import BLACK_MODE

from conftest import (
    BUNDLED_SETS,
    GENERATED,
    GeneratePackage,
    round_trips,
    run_mypy,
    run_pyright,
    run_ruff,
)

COMMITTED_MODULES = sorted(GENERATED.glob("*/*.py"))

# One package exercising every kind of type the renderer writes: nested unions, absent and null,
# keys named like builtins, lists of records and unions, conflicting evidence, Any.
RICH_SAMPLES = [
    {
        "seq": 1,
        "event": {"order": {"created": {"id": "o1", "qty": 1, "tags": []}}},
        "items": [{"sku": "a", "price": 1.5}],
        "float": 1,
        "list": "x",
        "type": None,
        "mixed": "text",
        "points": [[1, 2.5]],
        "my-key": {},
    },
    {
        "seq": 2,
        "event": {"order": {"filled": {"id": "o1", "price": 2.5}}},
        "items": [],
        "float": 2.5,
        "list": "y",
        "type": "t",
        "mixed": {"nested": True},
        "points": [],
        "maybe": None,
    },
    {
        "seq": 3,
        "event": {"trade": {"executed": {"px": 2, "side": "buy"}}},
        "items": [{"sku": "b", "price": 2, "note": None}],
        "float": None,
        "list": "z",
        "mixed": [1, "a"],
        "points": [[0]],
        "maybe": 4,
    },
]
ARRAY_ROOT_SAMPLES = [[{"a": 1}, {"a": 2, "b": "x"}], []]
# A webhook-sized record: 300 fields, a third of them absent from some samples and nullable.
# Its decoder and encoder are long straight-line code, which pyright once gave up on as "too
# complex to analyze", and its tables are long literals whose type pyright must still know.
# Keys `l`, `O`, `I` are names linters reject as ambiguous, in models and wire TypedDicts alike.
WIDE_SAMPLES = [
    {
        f"field_{i}": (None if i % 3 == 0 and n else [i, f"s{i}", 2.5][i % 3])
        for i in range(300)
        if not (i % 3 == 0 and n == 2)
    }
    | {"l": n, "O": "o", "I": 1.5}
    for n in range(3)
]


def committed_packages() -> list[Path]:
    return [GENERATED / name for name in BUNDLED_SETS]


@pytest.fixture
def fixture_packages(generate_package: GeneratePackage, tmp_path: Path) -> Path:
    """Packages generated from RICH_SAMPLES and ARRAY_ROOT_SAMPLES; returns their out folder."""
    rich = generate_package(RICH_SAMPLES)
    for sample in RICH_SAMPLES:
        assert round_trips(rich, sample)
    array_root = generate_package(ARRAY_ROOT_SAMPLES)
    for sample in ARRAY_ROOT_SAMPLES:
        assert round_trips(array_root, sample)
    wide = generate_package(WIDE_SAMPLES)
    for sample in WIDE_SAMPLES:
        assert round_trips(wide, sample)
    return tmp_path / "out"


def python_files(root: Path) -> list[Path]:
    return sorted(p for p in root.glob("*/*.py") if "__pycache__" not in p.parts)


# --- mypy -----------------------------------------------------------------------------------


@pytest.mark.parametrize("python_version", [None, "3.10"])
def test_committed_packages_pass_mypy_strict(
    tmp_path: Path, python_version: str | None
) -> None:
    version = [] if python_version is None else ["--python-version", python_version]
    result = run_mypy(*version, str(GENERATED), cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Success: no issues found in 12 source files" in result.stdout


def test_fixture_packages_pass_mypy_strict(fixture_packages: Path) -> None:
    names = sorted(p.name for p in fixture_packages.iterdir() if p.is_dir())
    assert len(names) == 3
    packages = [arg for name in names for arg in ("-p", name)]
    result = run_mypy(
        "--python-version",
        "3.10",
        *packages,
        cwd=fixture_packages,
        mypypath=fixture_packages,
    )
    assert result.returncode == 0, result.stdout + result.stderr


# --- ruff and pyright -----------------------------------------------------------------------


def test_committed_packages_pass_ruff() -> None:
    assert run_ruff(*committed_packages()) == []


def test_committed_packages_pass_pyright_strict(tmp_path: Path) -> None:
    assert run_pyright(*committed_packages(), cwd=tmp_path) == []


def test_fixture_packages_pass_ruff_and_pyright_strict(fixture_packages: Path) -> None:
    packages = sorted(p for p in fixture_packages.iterdir() if p.is_dir())
    assert len(packages) == 3
    assert run_ruff(*packages) == []
    assert run_pyright(*packages, cwd=fixture_packages) == []


def test_the_lint_checks_can_fail(tmp_path: Path) -> None:
    package = tmp_path / "bad"
    package.mkdir()
    (package / "__init__.py").write_text(
        "import sys, json\nfrom typing import Any\n\n\n"
        "def f(x):\n    return x + " + "1 + " * 30 + "1\n\n\n"
        "def g(y: Any) -> int | None | str:\n    return y\n",
        encoding="utf-8",
    )
    codes = {finding.split()[1] for finding in run_ruff(package)}
    assert {"E401", "F401", "E501", "I001", "RUF036"} <= codes
    errors = run_pyright(package, cwd=tmp_path)
    assert any("reportMissingParameterType" in error for error in errors), errors


# --- black ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", COMMITTED_MODULES, ids=lambda p: f"{p.parent.name}/{p.name}"
)
def test_committed_modules_are_black_formatted(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert black.format_str(text, mode=BLACK_MODE) == text


def test_black_mode_targets_the_oldest_supported_python() -> None:
    assert BLACK_MODE.target_versions == {black.TargetVersion.PY310}


# --- imports and syntax ---------------------------------------------------------------------


def foreign_imports(path: Path) -> list[str]:
    """Imports of a module that are neither relative nor from the standard library, nor optional
    (in a `try` whose handler takes ImportError: the runtime's orjson)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    optional = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.Try)
        and any(
            isinstance(handler.type, ast.Name) and handler.type.id == "ImportError"
            for handler in node.handlers
        )
        for inner in node.body
    }
    found = []
    for node in ast.walk(tree):
        if id(node) in optional:
            continue
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level > 0:
                continue
            modules = [node.module or ""]
        else:
            continue
        found += [m for m in modules if m.split(".")[0] not in sys.stdlib_module_names]
    return found


def test_committed_modules_import_only_the_standard_library() -> None:
    assert len(COMMITTED_MODULES) == 6 * len(BUNDLED_SETS)
    for path in COMMITTED_MODULES:
        assert foreign_imports(path) == [], path


def test_the_import_check_can_fail(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        "import json\nfrom . import wire\nimport black\nfrom typing_extensions import TypedDict\n"
        "try:\n    import orjson\nexcept ImportError:\n    pass\n"
        "try:\n    import ujson\nexcept ValueError:\n    pass\n",
        encoding="utf-8",
    )
    assert foreign_imports(module) == ["black", "typing_extensions", "ujson"]


def test_generated_modules_parse_as_python_3_10() -> None:
    for path in COMMITTED_MODULES:
        ast.parse(path.read_text(encoding="utf-8"), feature_version=(3, 10))


def test_committed_packages_import_with_no_site_packages() -> None:
    # -S: no site-packages at all, -I: no user site or PYTHON* variables, -B: no .pyc written.
    code = (
        "import json, sys; sys.path.insert(0, sys.argv[1]); "
        + "".join(
            f"import {name}, {name}.wire, {name}.dispatch; " for name in BUNDLED_SETS
        )
        + "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    result = subprocess.run(
        [sys.executable, "-I", "-S", "-B", "-c", code, str(GENERATED)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    loaded = set(json.loads(result.stdout))
    assert set(BUNDLED_SETS) <= loaded
    allowed = set(sys.stdlib_module_names) | set(BUNDLED_SETS) | {"__main__"}
    assert loaded - allowed == set()


# --- py.typed -------------------------------------------------------------------------------


def test_committed_packages_have_py_typed() -> None:
    for package in committed_packages():
        assert (package / "py.typed").is_file(), package
        assert (package / "__init__.py").is_file(), package


def test_fixture_packages_are_black_formatted_stdlib_only_and_typed(
    fixture_packages: Path,
) -> None:
    files = python_files(fixture_packages)
    assert len(files) == 18
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert black.format_str(text, mode=BLACK_MODE) == text, path
        assert foreign_imports(path) == [], path
        ast.parse(text, feature_version=(3, 10))
    for package in (p for p in fixture_packages.iterdir() if p.is_dir()):
        assert (package / "py.typed").is_file(), package
