"""The CLI basics: --version, -h, python -m codegen, examples that parse, progress only on a
terminal, and generate naming the stale packages it removes."""

from __future__ import annotations

import ast
import importlib.metadata
import inspect
import os
import pty
import shlex
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from types import CodeType, FrameType
from typing import Any

import click
import pytest
from click.testing import CliRunner, Result

from codegen.cli import main


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], prog_name="codegen")


def tiny_samples(root: Path, names: tuple[str, ...] = ("alpha", "beta")) -> Path:
    for name in names:
        (root / "samples" / name).mkdir(parents=True)
        (root / "samples" / name / "0.json").write_text(f'{{"{name}": 1}}')
    return root / "samples"


def test_version() -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert (
        result.stdout == f"codegen, version {importlib.metadata.version('codegen')}\n"
    )


def lines_run(code: CodeType, action: Callable[[], object]) -> list[int]:
    """The lines of `code` that action() runs, in order (each once)."""
    seen: list[int] = []

    def trace(frame: FrameType, event: str, arg: object) -> Any:
        if frame.f_code is not code:
            return None
        if event == "line" and frame.f_lineno not in seen:
            seen.append(frame.f_lineno)
        return trace

    sys.settrace(trace)
    try:
        action()
    finally:
        sys.settrace(None)
    return seen


def test_ctrl_c_on_any_line_of_the_entry_point_is_an_interrupt_not_a_traceback(
    tmp_path: Path,
) -> None:
    """The group's main is one try statement, and each line of its body gets a
    KeyboardInterrupt in turn (raised from a trace function, as a signal lands between
    statements): every one exits 130 with one line. (A signal never lands on the `try` line
    itself, nor while an `except` clause is matched: no call or jump runs there.)
    """
    method = type(main).main
    source, first = inspect.getsourcelines(method)
    (function,) = ast.parse(textwrap.dedent("".join(source))).body
    assert isinstance(function, ast.FunctionDef)
    (guarded,) = function.body  # no statement outside the try
    assert isinstance(guarded, ast.Try) and not guarded.orelse + guarded.finalbody
    guarded_lines = {
        first - 1 + node.lineno
        for statement in guarded.body
        for node in ast.walk(statement)
        if isinstance(node, ast.stmt)
    }
    code = method.__code__
    command = ["infer", str(tiny_samples(tmp_path))]
    assert run(*command).exit_code == 0
    ran = lines_run(code, lambda: run(*command))
    lines = [line for line in ran if line in guarded_lines]
    assert (
        len(lines) >= 3
    )  # the call into click, the standalone test and the exit at least
    for line in lines:

        def interrupt(frame: FrameType, event: str, arg: object) -> Any:
            if frame.f_code is not code:
                return None
            if event == "line" and frame.f_lineno == line:
                sys.settrace(None)
                raise KeyboardInterrupt
            return interrupt

        sys.settrace(interrupt)
        try:
            result = run(*command)
        except (
            KeyboardInterrupt
        ):  # out of CliRunner: what a user would see as a traceback
            pytest.fail(f"a Ctrl-C on line {line} escaped the entry point")
        finally:
            sys.settrace(None)
        assert result.exit_code == 130, (line, result.output, result.exception)
        assert result.stderr == "interrupted: nothing was done\n", line


@pytest.mark.parametrize("command", [None, *sorted(main.commands)])
@pytest.mark.parametrize("flag", ["-h", "--help"])
def test_help_on_every_command(command: str | None, flag: str) -> None:
    result = run(*([command] if command else []), flag)
    assert result.exit_code == 0
    assert result.stdout.startswith(f"Usage: codegen {command or ''}".rstrip())


def example_lines(command: click.Command) -> list[str]:
    """The command lines of a command's `Examples:` epilog, without comments."""
    epilog = command.epilog or ""
    assert "Examples:" in epilog, command.name
    lines = epilog.split("Examples:", 1)[1].strip().splitlines()
    return [line.split(" #", 1)[0].strip() for line in lines if line.strip()]


@pytest.mark.parametrize("name", sorted(main.commands))
def test_every_command_has_examples_that_its_parser_accepts(name: str) -> None:
    command = main.commands[name]
    assert "Examples:" in run(name, "-h").stdout
    for line in example_lines(command):
        words = shlex.split(line.split("|")[-1])
        words = words[: words.index(">")] if ">" in words else words
        assert words[:2] == ["codegen", name], line
        # Parsing only: a wrong option or a missing argument raises click.UsageError.
        command.make_context(name, words[2:])


def test_python_dash_m_runs_the_same_command() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "codegen", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (result.returncode, result.stdout) == (0, run("--version").stdout)
    usage = subprocess.run(
        [sys.executable, "-m", "codegen", "-h"], capture_output=True, text=True
    )
    assert usage.stdout.startswith("Usage: codegen [OPTIONS] COMMAND")


# --- progress ---------------------------------------------------------------------------------


def generate_in_subprocess(
    samples: Path, out: Path, *, tty: bool
) -> tuple[int, str, str]:
    """`python -m codegen generate` with stderr on a pseudo-terminal or a pipe: (status, stdout,
    stderr)."""
    command = [
        sys.executable,
        "-m",
        "codegen",
        "generate",
        str(samples),
        "-o",
        str(out),
    ]
    if not tty:
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        return done.returncode, done.stdout, done.stderr
    leader, follower = pty.openpty()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=follower)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # EIO: the terminal's other end is closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert process.stdout is not None
    stdout = process.stdout.read().decode()
    return process.wait(), stdout, b"".join(chunks).decode()


ERASE = "\r\x1b[K"


def test_progress_shows_on_a_terminal_and_warnings_print_above_it(
    tmp_path: Path,
) -> None:
    samples = tiny_samples(tmp_path)
    (samples / "beta" / "feed.log").write_text('connected\nrecv {"beta": 2}\n')
    status, stdout, stderr = generate_in_subprocess(samples, tmp_path / "out", tty=True)
    assert status == 0, stderr
    warning = (
        "warning: samples/beta/feed.log:1: skipped 1 line(s) holding no JSON object"
    )
    # Each progress line replaces the last; a warning clears it, prints, and puts it back;
    # the last one is cleared before the result is printed.
    assert stderr.startswith(f"{ERASE}[1/2] alpha{ERASE}[2/2] beta{ERASE}{warning}")
    assert stderr.endswith(f"the first here\r\n[2/2] beta{ERASE}")
    assert stdout.startswith(f"wrote {tmp_path / 'out' / 'alpha'} (")


def test_a_big_set_says_how_many_samples_were_read(tmp_path: Path) -> None:
    samples = tiny_samples(tmp_path, ("feed",))
    (samples / "feed" / "capture.jsonl").write_text(
        "".join(f'{{"seq": {index}}}\n' for index in range(20_500))
    )
    status, _, stderr = generate_in_subprocess(samples, tmp_path / "out", tty=True)
    assert status == 0, stderr
    # Every 10,000 samples (codegen.fold.PROGRESS_EVERY), after the set's own line.
    assert stderr == (
        f"{ERASE}[1/1] feed{ERASE}[1/1] feed: 10,000 samples"
        f"{ERASE}[1/1] feed: 20,000 samples{ERASE}"
    )


def test_no_progress_without_a_terminal(tmp_path: Path) -> None:
    samples = tiny_samples(tmp_path)
    status, stdout, stderr = generate_in_subprocess(
        samples, tmp_path / "out", tty=False
    )
    assert (status, stderr) == (0, "")
    assert len(stdout.splitlines()) == 2


def test_an_error_clears_the_progress_line_first(tmp_path: Path) -> None:
    samples = tiny_samples(tmp_path)
    (samples / "beta" / "0.json").write_text('{"beta": }')
    status, _, stderr = generate_in_subprocess(samples, tmp_path / "out", tty=True)
    assert status == 2
    assert stderr == (
        f"{ERASE}[1/2] alpha{ERASE}[2/2] beta{ERASE}"
        "error: samples/beta/0.json:1:10: expected a JSON value after ':', found '}'\r\n"
    )


# --- stale packages -----------------------------------------------------------------------------


def test_generate_names_the_packages_it_removed(tmp_path: Path) -> None:
    samples = tiny_samples(tmp_path, ("alpha", "beta", "gamma"))
    out = tmp_path / "out"
    assert run("generate", samples, "-o", out).exit_code == 0
    for name in ("beta", "gamma"):
        (samples / name / "0.json").unlink()
        (samples / name).rmdir()
    result = run("generate", samples, "-o", out)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1:] == [
        f"removed {out / 'beta'}: no sample set produces it any more",
        f"removed {out / 'gamma'}: no sample set produces it any more",
    ]
    assert [p.name for p in out.iterdir() if not p.name.startswith(".")] == ["alpha"]
    # Nothing removed, nothing said.
    again = run("generate", samples, "-o", out)
    assert "removed" not in again.stdout


def test_validate_reads_a_log_capture_as_a_set_reads_it(tmp_path: Path) -> None:
    samples = tiny_samples(tmp_path, ("alpha",))
    out = tmp_path / "out"
    assert run("generate", samples, "-o", out).exit_code == 0
    capture = tmp_path / "today.log"
    capture.write_text('12:00:01 <- {"alpha": 2}\nhello\n12:00:02 <- {"alpha": "x"}\n')
    result = run("validate", "alpha", capture, "-o", out)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"{capture}:3:13: $.alpha: expected")
    assert lines[1].startswith("2 message(s): 1 fit, 1 do not;")
