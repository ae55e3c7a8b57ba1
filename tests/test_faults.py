"""Faults and misuse: concurrent runs, folders codegen did not make, special files, exit codes.

Every case ends in a defined exit status (0, 1, 2, 130; 3 only for a bug) with one line naming
what went wrong, and never deletes or mixes what it should not.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import codegen.cli
import codegen.write
from codegen.cli import main
from codegen.lock import LOCK_FILE
from codegen.write import LEGACY_MARKERS, MARK_FILE

from conftest import tree_of

COMMAND = str(Path(sys.executable).with_name("codegen"))


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), env={"CODEGEN_DEBUG": None})


def make_samples(
    root: Path, version: int = 0, sets: tuple[str, ...] = ("alpha", "beta")
) -> Path:
    for name in sets:
        (root / name).mkdir(parents=True, exist_ok=True)
        (root / name / "s.json").write_text(f'{{"id": 1, "v{version}": "{name}"}}\n')
    return root


def one_error_line(result: Result) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output, result.output
    return lines[0]


# --- one run at a time ---------------------------------------------------------------------------


def hold_lock(out: Path) -> int:
    out.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(out / LOCK_FILE, os.O_RDWR | os.O_CREAT)
    fcntl.flock(descriptor, fcntl.LOCK_EX)
    os.write(descriptor, b"4242\n")
    return descriptor


def test_no_wait_fails_at_once_while_another_run_holds_the_output(
    tmp_path: Path,
) -> None:
    samples, out = make_samples(tmp_path / "samples"), tmp_path / "out"
    descriptor = hold_lock(out)
    try:
        result = run("generate", str(samples), "-o", str(out), "--no-wait")
    finally:
        os.close(descriptor)
    assert result.exit_code == 2
    assert "another codegen run (process 4242)" in one_error_line(result)
    assert not (out / "alpha").exists()


def test_a_second_run_waits_with_a_message_and_then_writes(tmp_path: Path) -> None:
    samples, out = make_samples(tmp_path / "samples"), tmp_path / "out"
    descriptor = hold_lock(out)
    waiting = subprocess.Popen(
        [COMMAND, "generate", str(samples), "-o", str(out)],
        stderr=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert waiting.stderr is not None
    first_line = waiting.stderr.readline()  # blocks until the run reaches the lock
    assert "waiting for another codegen run (process 4242)" in first_line
    assert waiting.poll() is None and not (out / "alpha").exists()
    os.unlink(out / LOCK_FILE)  # released as a finishing run does
    os.close(descriptor)
    assert waiting.wait(timeout=60) == 0, waiting.stderr.read()
    assert (out / "alpha" / MARK_FILE).is_file()
    assert sorted(p.name for p in out.iterdir()) == [
        "alpha",
        "beta",
    ]  # lock file gone too


def test_a_lock_left_by_a_killed_run_is_taken_over(tmp_path: Path) -> None:
    samples, out = make_samples(tmp_path / "samples"), tmp_path / "out"
    out.mkdir()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl,os,sys,time; d=os.open(sys.argv[1], os.O_RDWR|os.O_CREAT);"
            " fcntl.flock(d, fcntl.LOCK_EX); os.write(d, b'%d' % os.getpid()); print(flush=True); time.sleep(60)",
            str(out / LOCK_FILE),
        ],
        stdout=subprocess.PIPE,
    )
    assert holder.stdout is not None and holder.stdout.readline()
    holder.kill()
    holder.wait()
    result = run("generate", str(samples), "-o", str(out), "--no-wait")
    assert result.exit_code == 0, result.output
    assert (
        f"left by a run that ended without releasing it (process {holder.pid})"
        in result.stderr
    )
    assert not (out / LOCK_FILE).exists()


def test_the_lock_is_released_when_a_run_fails(tmp_path: Path) -> None:
    samples, out = make_samples(tmp_path / "samples"), tmp_path / "out"
    (out / "alpha").mkdir(
        parents=True
    )  # not codegen's: the run refuses it, after locking
    assert run("generate", str(samples), "-o", str(out)).exit_code == 2
    assert not (out / LOCK_FILE).exists()
    shutil.rmtree(out / "alpha")
    assert run("generate", str(samples), "-o", str(out), "--no-wait").exit_code == 0


def test_concurrent_runs_all_succeed_and_leave_one_whole_output(tmp_path: Path) -> None:
    versions = [make_samples(tmp_path / f"samples{n}", n) for n in range(2)]
    expected = []
    for number, samples in enumerate(versions):
        alone = tmp_path / f"alone{number}"
        assert run("generate", str(samples), "-o", str(alone)).exit_code == 0
        expected.append(tree_of(alone))
    out = tmp_path / "out"
    runs = [
        subprocess.Popen(
            [COMMAND, "generate", str(versions[n % 2]), "-o", str(out)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for n in range(4)
    ]
    for process in runs:
        output, _ = process.communicate(timeout=120)
        assert process.returncode == 0, output
    assert tree_of(out) in expected


# --- never delete what codegen did not make -----------------------------------------------------


@pytest.mark.parametrize("where", ["samples", "samples/alpha/out", "samples/../x/.."])
def test_output_overlapping_the_samples_is_refused(tmp_path: Path, where: str) -> None:
    samples = make_samples(tmp_path / "samples")
    before = tree_of(tmp_path)
    result = run("generate", str(samples), "-o", str(tmp_path / where))
    assert result.exit_code == 2
    assert "samples folder" in one_error_line(result)
    assert tree_of(tmp_path) == before


def test_a_folder_named_like_a_set_without_the_mark_is_refused_unless_forced(
    tmp_path: Path,
) -> None:
    samples, out = make_samples(tmp_path / "samples"), tmp_path / "out"
    (out / "beta").mkdir(parents=True)
    (out / "beta" / "notes.txt").write_text("mine\n")
    result = run("generate", str(samples), "-o", str(out))
    assert result.exit_code == 2
    assert "--force" in one_error_line(result) and "beta" in result.stderr
    assert tree_of(out) == {
        "beta": None,
        "beta/notes.txt": b"mine\n",
    }  # alpha not written either
    result = run("generate", str(samples), "-o", str(out), "--force")
    assert result.exit_code == 0, result.output
    assert (out / "beta" / MARK_FILE).is_file() and not (
        out / "beta" / "notes.txt"
    ).exists()


def test_a_package_of_the_version_before_the_mark_is_accepted_as_codegen_s(
    tmp_path: Path,
) -> None:
    samples, out = make_samples(tmp_path / "samples"), tmp_path / "out"
    (out / "beta").mkdir(parents=True)
    for name in LEGACY_MARKERS + ("codec.py",):
        (out / "beta" / name).write_text("# old\n")
    result = run("generate", str(samples), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert (out / "beta" / MARK_FILE).is_file()


def test_leftovers_of_a_gone_set_are_reported_by_check_and_removed_by_generate(
    tmp_path: Path,
) -> None:
    samples, out = make_samples(tmp_path / "samples"), tmp_path / "out"
    assert run("generate", str(samples), "-o", str(out)).exit_code == 0
    (out / ".gone.del-0badc0de" / "half").mkdir(
        parents=True
    )  # a removal that was killed
    check = run("check", str(samples), "-o", str(out))
    assert check.exit_code == 1 and ".gone.del-0badc0de" in check.stdout
    assert run("generate", str(samples), "-o", str(out)).exit_code == 0
    assert sorted(p.name for p in out.iterdir()) == ["alpha", "beta"]
    assert run("check", str(samples), "-o", str(out)).exit_code == 0


def test_interrupt_after_the_work_is_done_still_exits_0(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    samples, out = make_samples(tmp_path / "samples"), tmp_path / "out"
    assert run("generate", str(samples), "-o", str(out)).exit_code == 0
    make_samples(samples, 1)
    real_remove = codegen.write._remove

    def interrupted_remove(
        path: Path,
    ) -> None:  # Ctrl-C while the old copies are removed
        os.kill(os.getpid(), signal.SIGINT)
        real_remove(path)

    monkeypatch.setattr(codegen.write, "_remove", interrupted_remove)
    result = run("generate", str(samples), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "the output is complete" in result.stderr
    assert b"v1" in (out / "alpha" / "schema.json").read_bytes()
    assert sorted(p.name for p in out.iterdir()) == ["alpha", "beta"]


# --- special files and sizes ---------------------------------------------------------------------


def test_fifo_socket_and_device_links_in_a_set_are_skipped_with_a_warning(
    tmp_path: Path,
) -> None:
    samples, out = make_samples(tmp_path / "samples"), tmp_path / "out"
    os.mkfifo(samples / "alpha" / "fifo.json")
    os.symlink("/dev/zero", samples / "alpha" / "zero.json")
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(samples / "alpha" / "sock.json"))
    try:
        process = subprocess.run(
            [COMMAND, "generate", str(samples), "-o", str(out)],
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        server.close()
    assert process.returncode == 0, process.stderr
    for name, kind in [
        ("fifo", "FIFO"),
        ("zero", "character device"),
        ("sock", "socket"),
    ]:
        assert f"warning: {samples.name}/alpha/{name}.json: a" in process.stderr
        assert kind in process.stderr
    assert (out / "alpha" / MARK_FILE).is_file()


def test_a_fifo_given_to_ingest_is_an_error_not_a_hang(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "doc.md")
    process = subprocess.run(
        [COMMAND, "ingest", str(tmp_path / "doc.md"), "--into", str(tmp_path / "set")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert process.returncode == 2 and "not a regular file" in process.stderr


def test_a_file_over_max_file_size_is_a_clear_error(tmp_path: Path) -> None:
    samples = make_samples(tmp_path / "samples")
    (samples / "alpha" / "codegen.toml").write_text("max_file_size = 10\n")
    size = (samples / "alpha" / "s.json").stat().st_size
    result = run("generate", str(samples), "-o", str(tmp_path / "out"))
    assert result.exit_code == 2
    expected = (
        f"alpha/s.json: file of {size} bytes is larger than the limit of 10 bytes"
    )
    assert expected in one_error_line(result)


# --- exit statuses and messages ------------------------------------------------------------------


def denied_for(monkeypatch: pytest.MonkeyPatch, target: Path, function: str) -> None:
    """os.<function> fails with EACCES for `target`, as for another user's folder (tests run as root)."""
    real = getattr(os, function)

    def denying(path: object, *args: object, **kwargs: object) -> object:
        if Path(os.fsdecode(path)) == target:  # type: ignore[arg-type]
            raise PermissionError(13, "Permission denied", str(target))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(os, function, denying)


def test_unreadable_set_folder_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    samples = make_samples(tmp_path / "samples")
    denied_for(monkeypatch, samples / "alpha", "scandir")
    for command in ("generate", "infer"):
        args = [command, str(samples)] + (
            ["-o", str(tmp_path / "out")] if command == "generate" else []
        )
        result = run(*args)
        assert result.exit_code == 2, result.output
        assert (
            "alpha" in one_error_line(result) and "Permission denied" in result.stderr
        )


def test_output_parent_that_cannot_be_searched_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    samples = make_samples(tmp_path / "samples")
    denied_for(monkeypatch, tmp_path / "locked" / "out", "stat")
    result = run("generate", str(samples), "-o", str(tmp_path / "locked" / "out"))
    assert result.exit_code == 2
    assert "Permission denied" in one_error_line(result)


def test_deeply_nested_codegen_toml_exits_2(tmp_path: Path) -> None:
    samples = make_samples(tmp_path / "samples")
    (samples / "alpha" / "codegen.toml").write_text(
        "x = " + "[" * 5000 + "]" * 5000 + "\n"
    )
    result = run("infer", str(samples / "alpha"))
    assert result.exit_code == 2
    assert "codegen.toml: cannot read it as TOML" in one_error_line(result)


@pytest.mark.parametrize("redirect", ["full", "closed"])
def test_full_or_closed_stdout_exits_2(tmp_path: Path, redirect: str) -> None:
    samples = make_samples(tmp_path / "samples")
    shell = f'"{COMMAND}" infer "{samples}/alpha" ' + (
        ">/dev/full" if redirect == "full" else ">&-"
    )
    process = subprocess.run(
        ["sh", "-c", shell], capture_output=True, text=True, timeout=60
    )
    assert process.returncode == 2, process.stderr
    lines = process.stderr.strip().splitlines()
    assert len(lines) == 1 and "standard output" in lines[0], process.stderr


def test_a_bug_exits_3_and_asks_for_a_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object) -> None:
        raise TypeError("a bug")

    monkeypatch.setattr(codegen.cli, "build_packages", broken)
    result = run(
        "generate", str(make_samples(tmp_path / "samples")), "-o", str(tmp_path / "o")
    )
    assert result.exit_code == 3
    assert "a bug" in result.stderr and "please report it" in result.stderr


def test_interrupt_while_reading_exits_130_and_says_nothing_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(codegen.cli, "build_packages", interrupted)
    result = run(
        "generate", str(make_samples(tmp_path / "samples")), "-o", str(tmp_path / "o")
    )
    assert result.exit_code == 130
    assert one_error_line(result) == f"interrupted: {tmp_path / 'o'} was left as it was"


@pytest.mark.parametrize(
    "name", ["a\nb.json", "\x1b[2J\x1b[31mred.json", "zero\u200bwidth.json"]
)
def test_file_names_with_control_characters_are_escaped_in_errors(
    tmp_path: Path, name: str
) -> None:
    samples = make_samples(tmp_path / "samples")
    (samples / "alpha" / name).write_text('{"id": ')
    result = run("generate", str(samples), "-o", str(tmp_path / "out"))
    assert result.exit_code == 2
    line = one_error_line(result)
    assert repr(f"samples/alpha/{name}") in line
    assert not any(c in line for c in "\x1b\u200b")


# --- durability -----------------------------------------------------------------------------------


def test_the_output_folder_is_fsynced_after_the_swap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    samples, out = make_samples(tmp_path / "samples"), tmp_path / "out"
    assert run("generate", str(samples), "-o", str(out)).exit_code == 0
    events: list[str] = []
    real_fsync, real_exchange = os.fsync, codegen.write.exchange

    def fsync(descriptor: int) -> None:
        if os.path.samestat(os.fstat(descriptor), os.stat(out)):
            events.append("fsync out")
        real_fsync(descriptor)

    def exchange(first: Path, second: Path) -> bool:
        events.append("swap")
        return real_exchange(first, second)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(codegen.write, "exchange", exchange)
    make_samples(samples, 1)
    assert run("generate", str(samples), "-o", str(out)).exit_code == 0
    assert events == ["swap", "fsync out", "swap", "fsync out"]
