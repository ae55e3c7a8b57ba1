"""`codegen validate`: captures checked against the committed package, without regenerating it;
and the CLI basics every command shares (--version, -h, python -m codegen)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from codegen.cli import main

# Two variants of an externally tagged union, each with its payload class.
SAMPLES = [
    {"id": "a", "event": {"opened": {"price": 1.5, "size": 2}}},
    {"id": "b", "event": {"closed": {"reason": "done"}}},
]


def run(*args: str | Path, stdin: str | None = None) -> Result:
    return CliRunner().invoke(
        main, [str(a) for a in args], input=stdin, env={"CODEGEN_DEBUG": None}
    )


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """generated package `feed` of SAMPLES, and a package `hooks` whose kinds sit in folders."""
    root = tmp_path_factory.mktemp("validate")
    feed, hooks = root / "samples/feed", root / "samples/hooks"
    feed.mkdir(parents=True)
    for number, sample in enumerate(SAMPLES):
        (feed / f"{number}.json").write_text(json.dumps(sample), encoding="utf-8")
    for kind, sample in (("push", {"ref": "main"}), ("issue", {"number": 1})):
        (hooks / kind).mkdir(parents=True)
        (hooks / kind / "0.json").write_text(json.dumps(sample), encoding="utf-8")
    assert run("generate", root / "samples", "-o", root / "out").exit_code == 0
    return root / "out"


def lines(*messages: Any) -> str:
    return "".join(json.dumps(message) + "\n" for message in messages)


def test_messages_that_fit_exit_0_with_a_summary(out: Path, tmp_path: Path) -> None:
    capture = tmp_path / "capture.jsonl"
    capture.write_text(lines(*SAMPLES))
    result = run("validate", "feed", capture, "-o", out)
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "2 message(s): 2 fit, 0 do not; 0 with a variant the samples never showed,"
        " 0 with keys the samples never showed\n"
    )


def test_a_misfit_names_file_line_path_and_reason_and_exits_1(
    out: Path, tmp_path: Path
) -> None:
    capture = tmp_path / "capture.ndjson"
    capture.write_text(
        lines(
            SAMPLES[0],
            {"id": "c", "event": {"opened": {"price": "high", "size": 2}}},
            {"id": "d", "event": {"filled": {}}},  # an unseen variant: fits, counted
            {"id": "e", "more": 1, "event": {"closed": {"reason": "x"}}},  # unseen key
        )
    )
    result = run("validate", "feed", capture, "-o", out)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f'{capture}:2:1: $.event.opened.price: expected number, found string "high"',
        "4 message(s): 3 fit, 1 do not; 1 with a variant the samples never showed,"
        " 1 with keys the samples never showed",
    ]


def test_a_json_file_of_concatenated_values_and_stdin(
    out: Path, tmp_path: Path
) -> None:
    capture = tmp_path / "capture.json"
    capture.write_text(
        json.dumps(SAMPLES[1], indent=1) + "\n" + json.dumps({"id": "c"})
    )
    result = run("validate", "feed", capture, "-", "-o", out, stdin=lines(SAMPLES[0]))
    assert result.exit_code == 1
    # The first value, indented, is 8 lines (`{`, id, event, closed, reason, three `}`): the
    # second, which lacks the required "event", starts on line 9. Stdin's message fits.
    first, summary = result.stdout.splitlines()
    assert first.startswith(f"{capture}:9:1: $: ") and '"event"' in first
    assert summary == (
        "3 message(s): 2 fit, 1 do not; 0 with a variant the samples never showed,"
        " 0 with keys the samples never showed"
    )


def test_kinds_given_by_folder_or_by_option(out: Path, tmp_path: Path) -> None:
    (tmp_path / "push").mkdir()
    (tmp_path / "push" / "a.json").write_text(json.dumps({"ref": "dev"}))
    (tmp_path / "other.json").write_text(json.dumps({"ref": 5}))
    by_folder = run("validate", "hooks", tmp_path / "push" / "a.json", "-o", out)
    assert by_folder.exit_code == 0, by_folder.output
    by_option = run(
        "validate", "hooks", tmp_path / "other.json", "--kind", "push", "-o", out
    )
    assert by_option.exit_code == 1
    assert by_option.stdout.startswith(
        f"{tmp_path / 'other.json'}:1:1: $.ref: expected string"
    )


def test_kinds_from_stdin_need_the_option(out: Path) -> None:
    result = run("validate", "hooks", "-", "-o", out, stdin="{}")
    assert result.exit_code == 2
    assert result.stderr == (
        "error: <stdin>: messages of this package say their kind outside them:"
        " pass --kind NAME\n"
    )


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["nope", "x.json"], "no package 'nope' generated here"),
        (["feed", "missing.json"], "missing.json: cannot read file"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    out: Path, args: list[str], error: str
) -> None:
    result = run("validate", *args, "-o", out)
    assert result.exit_code == 2
    assert error in result.stderr and len(result.stderr.splitlines()) == 1


def test_invalid_json_in_a_capture_names_its_line(out: Path, tmp_path: Path) -> None:
    capture = tmp_path / "c.jsonl"
    capture.write_text(lines(SAMPLES[0]) + '{"id": \n')
    result = run("validate", "feed", capture, "-o", out)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {capture}:2:8: ")


def test_version_and_short_help_on_every_command() -> None:
    version = run("--version")
    assert version.exit_code == 0 and version.stdout == "codegen, version 0.1.0\n"
    for command in main.commands:
        result = run(command, "-h")
        assert result.exit_code == 0, command
        assert "Example" in result.stdout, command


def test_python_dash_m_codegen_runs_the_command() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "codegen", "-h"], capture_output=True, text=True
    )
    assert result.returncode == 0
    assert result.stdout.startswith("Usage: codegen [OPTIONS] COMMAND")
