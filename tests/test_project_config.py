"""[tool.codegen] in pyproject.toml: default folders and per-set settings, under codegen.toml."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from codegen.cli import main
from codegen.config import load_config

PROJECT = """\
[project]
name = "bindings"

[tool.codegen]
samples = "api/samples"
out = "api/generated"
max_file_size = 100

[tool.codegen.sets.feed]
max_file_size = 200
root_name = "Project"

[tool.codegen.sets.feed.paths."$.a"]
name = "FromProject"
"""


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], env={"CODEGEN_DEBUG": None})


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project with a pyproject.toml, sets `feed` and `other`; the current folder inside it."""
    (tmp_path / "pyproject.toml").write_text(PROJECT)
    for name in ("feed", "other"):
        (tmp_path / "api/samples" / name).mkdir(parents=True)
        (tmp_path / "api/samples" / name / "0.json").write_text('{"a": {"b": 1}}')
    (tmp_path / "docs").mkdir()
    monkeypatch.chdir(tmp_path / "docs")  # found in a parent folder too
    return tmp_path


def test_per_set_settings_come_from_pyproject_under_codegen_toml(project: Path) -> None:
    feed = project / "api/samples/feed"
    config = load_config(feed, "samples/feed")
    assert (config.root_name, config.max_file_size) == ("Project", 200)
    (feed / "codegen.toml").write_text(
        'root_name = "Local"\n[paths."$.a"]\nname = "FromSet"\n'
    )
    config = load_config(feed, "samples/feed")
    # codegen.toml's root_name wins; max_file_size still from [tool.codegen.sets.feed].
    assert (config.root_name, config.max_file_size) == ("Local", 200)
    # Both path tables apply, codegen.toml's last (the last match wins).
    assert [e.name for e in config.overrides.entries] == ["FromProject", "FromSet"]
    other = load_config(project / "api/samples/other", "samples/other")
    assert (other.root_name, other.max_file_size) == ("OtherMessage", 100)


def test_folders_come_from_pyproject_unless_given(project: Path) -> None:
    assert run("generate").exit_code == 0
    models = (project / "api/generated/feed/models.py").read_text()
    assert "class FromProject:" in models
    assert run("check").exit_code == 0
    assert run("diff").exit_code == 0
    result = run("generate", "-o", project / "elsewhere")
    assert result.exit_code == 0
    assert (project / "elsewhere/other/schema.json").is_file()
    assert run("validate", "feed", project / "api/samples/feed/0.json").exit_code == 0


@pytest.mark.parametrize(
    ("edit", "line", "message"),
    [
        (("out =", "output ="), 6, "unknown setting 'output'"),
        (("root_name =", "root ="), 11, "unknown setting 'root'"),
        (('name = "FromProject"', 'nmae = "X"'), 14, "unknown setting 'nmae' for path"),
        (("max_file_size = 200", "max_file_size = -1"), 10, "max_file_size must be"),
    ],
)
def test_mistakes_name_the_pyproject_line(
    project: Path, edit: tuple[str, str], line: int, message: str
) -> None:
    path = project / "pyproject.toml"
    path.write_text(PROJECT.replace(*edit))
    result = run("generate")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {path}:{line}: {message}")
    assert len(result.stderr.splitlines()) == 1


def test_a_pyproject_without_the_table_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    (tmp_path / "samples/feed").mkdir(parents=True)
    (tmp_path / "samples/feed/0.json").write_text("[1]")
    monkeypatch.chdir(tmp_path)
    assert run("generate").exit_code == 0
    assert (tmp_path / "generated/feed/schema.json").is_file()
