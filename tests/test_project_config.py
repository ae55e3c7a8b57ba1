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


# --- precedence, first wins: command line, codegen.toml, [tool.codegen.sets.<set>],
# [tool.codegen], built-in defaults ------------------------------------------------------------


@pytest.mark.parametrize(
    ("levels", "expected"),
    [
        ((), 64 * 1024 * 1024),  # built-in
        (("project",), 300),
        (("project", "set"), 200),
        (("project", "set", "file"), 100),
        (("project", "file"), 100),
        (("set", "file"), 100),
        (("set",), 200),
    ],
)
def test_max_file_size_comes_from_the_first_level_that_sets_it(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    levels: tuple[str, ...],
    expected: int,
) -> None:
    lines = ["[tool.codegen]"]
    if "project" in levels:
        lines.append("max_file_size = 300")
    if "set" in levels:
        lines += ["[tool.codegen.sets.feed]", "max_file_size = 200"]
    (tmp_path / "pyproject.toml").write_text("\n".join(lines) + "\n")
    feed = tmp_path / "samples/feed"
    feed.mkdir(parents=True)
    if "file" in levels:
        (feed / "codegen.toml").write_text("max_file_size = 100\n")
    monkeypatch.chdir(tmp_path)
    assert load_config(feed, "samples/feed").max_file_size == expected


def test_the_project_limit_is_applied(project: Path) -> None:
    big = project / "api/samples/other/big.json"
    text = '{"a": {"b": "' + "x" * 100 + '"}}'
    big.write_text(text)
    result = run("generate")
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: samples/other/big.json: file of {len(text)} bytes is larger than the limit of 100"
        " bytes (raise max_file_size in the set's codegen.toml if it is meant to be read)\n"
    )


def test_the_command_line_folders_win_over_the_project(project: Path) -> None:
    (project / "mine/feed").mkdir(parents=True)
    (project / "mine/feed/0.json").write_text('{"a": {"b": 1}, "z": 1}')
    result = run("generate", project / "mine")
    assert result.exit_code == 0, result.output
    # Samples from the command line, the output folder still from [tool.codegen].
    schema = (project / "api/generated/feed/schema.json").read_text()
    assert '"z"' in schema and not (project / "api/generated/other").exists()


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ('[tool]\ncodegen.outt = "gen"\n', 2, "unknown setting 'outt'"),
        ('[tool.codegen]\nsets.feed.colour = "x"\n', 2, "unknown setting 'colour'"),
        (
            '[tool.codegen]\nout = "g"\n\n[tool.codegen.sets."feed"]\nroot_nam = "X"\n',
            5,
            "unknown setting 'root_nam'",
        ),
        (
            '[tool.codegen.sets.feed.paths."$.a"]\nname = "A"\nenumm = true\n',
            3,
            "unknown setting 'enumm' for path '$.a'",
        ),
    ],
    ids=["dotted-tool", "dotted-set", "quoted-set", "path"],
)
def test_unknown_keys_name_the_line_however_the_table_is_written(
    project: Path, text: str, line: int, message: str
) -> None:
    (project / "pyproject.toml").write_text(text)
    result = run("generate", project / "api/samples")
    assert result.exit_code == 2
    assert result.stderr.startswith(
        f"error: {project / 'pyproject.toml'}:{line}: {message}"
    )


def test_an_unknown_key_in_codegen_toml_names_its_line(project: Path) -> None:
    (project / "api/samples/feed/codegen.toml").write_text(
        'root_name = "Feed"\n\ncolour = "red"\n'
    )
    result = run("generate")
    assert result.exit_code == 2
    assert result.stderr.startswith(
        "error: samples/feed/codegen.toml:3: unknown setting 'colour'"
    )
