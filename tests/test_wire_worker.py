"""The CLI's datamodel-code-generator worker (codegen.render.wire_worker): the same bytes as the
in-process path, whatever happens to the worker, and no worker left behind on any way out.

The tests run the worker for real; none of them times anything.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from codegen.cache_folder import nothing_remembered
from codegen.errors import CodegenError
from codegen.pipeline import build_packages
from codegen.render import wire_worker
from codegen.render.python import templates_dir
from codegen.render.wire import template_data, wire_schema

from conftest import BUNDLED_SETS, GENERATED, REPO, SAMPLES, tree_of

TEMPLATES = str(templates_dir() / "dcg")


def not_in_this_process(*args: Any) -> str:
    raise AssertionError("rendered in the test's process, not by the worker")


@pytest.fixture
def worker(monkeypatch: pytest.MonkeyPatch) -> Iterator[wire_worker.WireWorker]:
    """A worker as the CLI runs one (this process has the library loaded, so it is forced)."""
    monkeypatch.setattr(wire_worker, "worthwhile", lambda: True)
    with wire_worker.running() as started:
        assert started is not None and wire_worker.current() is started
        yield started
    assert wire_worker.current() is None


def request(schema: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any], str]:
    document = wire_schema(schema)
    return document, template_data(document), TEMPLATES


@pytest.fixture(scope="module")
def in_process() -> dict[str, dict[str, str]]:
    """The bundled packages rendered without a worker: the reference bytes."""
    assert wire_worker.current() is None
    return {package.name: package.files for package in build_packages(SAMPLES)}


def test_the_worker_renders_the_bundled_sets_byte_for_byte(
    worker: wire_worker.WireWorker,
    in_process: dict[str, dict[str, str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every wire module comes from the worker (the in-process call would fail), and every file
    is what the in-process path and the committed packages hold."""
    monkeypatch.setattr(wire_worker, "library_module", not_in_this_process)
    packages = {p.name: p.files for p in build_packages(SAMPLES)}
    assert packages == in_process
    for name in BUNDLED_SETS:
        assert packages[name]["wire.py"] == (GENERATED / name / "wire.py").read_text(
            encoding="utf-8"
        )


def test_a_worker_killed_with_requests_pending_falls_back_to_this_process(
    worker: wire_worker.WireWorker,
) -> None:
    pending = worker.submit(*request(json_schema("trading")))
    assert worker.process is not None
    worker.process.kill()
    worker.process.wait()
    assert pending() == here("trading")
    assert worker.process is None  # dropped: later requests render here at once
    later = worker.submit(*request(json_schema("onboarding")))
    assert later() == here("onboarding")


def test_a_worker_that_answers_nonsense_is_dropped(
    worker: wire_worker.WireWorker,
) -> None:
    """An answer that is no answer (here: the worker's pipe read by someone else) is not used."""
    assert worker.process is not None and worker.process.stdout is not None
    pending = worker.submit(*request(json_schema("trading")))
    worker.process.stdout.read(3)  # the answer's framing is broken from here on
    assert pending() == here("trading")
    assert worker.process is None


def test_the_library_failing_in_the_worker_is_the_same_error_as_here(
    worker: wire_worker.WireWorker,
) -> None:
    document = {
        "title": "Bad",
        "type": "object",
        "properties": {"a": {"$ref": "missing.json#/x"}},
    }
    with pytest.raises(CodegenError) as here:
        wire_worker.library_module(document, {}, TEMPLATES)
    pending = worker.submit(document, {}, TEMPLATES)
    with pytest.raises(CodegenError) as there:
        pending()
    assert str(there.value) == str(here.value)
    assert "could not render the wire types" in str(there.value)
    assert worker.process is not None  # a bad document is no reason to drop the worker


def test_one_cpu_starts_no_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(sys.modules, "datamodel_code_generator.config")
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0}, raising=False)
    assert not wire_worker.worthwhile()
    with wire_worker.running() as started:
        assert started is None and wire_worker.current() is None


def test_two_cpus_and_no_library_loaded_start_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The control case of the one above."""
    monkeypatch.delitem(sys.modules, "datamodel_code_generator.config")
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    assert wire_worker.worthwhile()
    with wire_worker.running() as started:
        assert started is not None and started.process is not None
        process = started.process
    assert process.returncode is not None  # ended and waited for


def interrupt_this_process() -> Callable[[], None]:
    return lambda: os.kill(os.getpid(), signal.SIGINT)


def interrupt_another_thread() -> Callable[[], None]:
    """SIGINT received by a thread that does not block it (a terminal's Ctrl-C goes to any
    thread of the process; Python raises it in the main thread). The thread is started now,
    as a thread started while SIGINT is blocked would block it too."""
    asked, sent = threading.Event(), threading.Event()

    def thread() -> None:
        asked.wait()
        signal.pthread_kill(threading.get_ident(), signal.SIGINT)
        sent.set()

    threading.Thread(target=thread, daemon=True).start()

    def interrupt() -> None:
        asked.set()
        sent.wait()

    return interrupt


@pytest.mark.parametrize(
    "interrupt", [interrupt_this_process, interrupt_another_thread]
)
def test_ctrl_c_while_the_worker_starts_ends_it(
    monkeypatch: pytest.MonkeyPatch, interrupt: Callable[[], Callable[[], None]]
) -> None:
    """A Ctrl-C that lands while the worker is being started is raised once it is held, and
    the worker is ended with the block, not left running."""
    monkeypatch.setattr(wire_worker, "worthwhile", lambda: True)
    started: list[subprocess.Popen[bytes]] = []
    real, ctrl_c = subprocess.Popen, interrupt()

    def popen_then_interrupt(*args: Any, **options: Any) -> subprocess.Popen[bytes]:
        started.append(real(*args, **options))
        ctrl_c()
        return started[-1]

    monkeypatch.setattr(subprocess, "Popen", popen_then_interrupt)
    with pytest.raises(KeyboardInterrupt), wire_worker.running():
        pytest.fail("the interrupt did not come before the block")
    (process,) = started
    assert process.returncode is not None  # killed and waited for
    assert wire_worker.current() is None


# --- the CLI, as a user runs it ------------------------------------------------------------------

# `codegen` with Popen wrapped, so the script says whether a worker was started.
CLI = (
    "import os, subprocess, sys\n"
    "cpus = int(sys.argv[1])\n"
    "os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[:cpus])\n"
    "started = []\n"
    "real = subprocess.Popen.__init__\n"
    "def popen(self, args, *rest, **options):\n"
    "    started.append(list(args))\n"
    "    real(self, args, *rest, **options)\n"
    "subprocess.Popen.__init__ = popen\n"
    "from codegen.cli import main\n"
    "try:\n"
    "    main(sys.argv[2:])\n"
    "finally:\n"
    "    workers = [a for a in started if any('wire_worker' in p for p in a)]\n"
    "    print('workers', len(workers), file=sys.stderr)\n"
)


def run_cli(cpus: int, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", CLI, str(cpus), *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
    )


@pytest.mark.skipif(
    len(os.sched_getaffinity(0)) < 2, reason="the worker needs a second CPU"
)
@pytest.mark.parametrize("cpus, workers", [(1, 0), (2, 1)])
def test_cli_check_with_and_without_a_worker(cpus: int, workers: int) -> None:
    """`codegen check` passes on the bundled samples either way; one worker with 2 CPUs."""
    done = run_cli(cpus, "check", str(SAMPLES), "-o", str(GENERATED))
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines()[-1] == f"workers {workers}"


@pytest.mark.skipif(
    len(os.sched_getaffinity(0)) < 2, reason="the worker needs a second CPU"
)
def test_cli_generate_cold_with_a_worker_writes_the_committed_packages(
    tmp_path: Path,
) -> None:
    out = Path(shutil.copytree(GENERATED, tmp_path / "out"))
    shutil.rmtree(out / "trading")
    done = run_cli(2, "generate", str(SAMPLES), "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines()[-1] == "workers 1"
    assert tree_of(out) == tree_of(GENERATED)


def test_cli_generate_starts_no_worker_when_every_set_is_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unchanged run renders nothing: it starts no worker; the cold run before it, one."""
    monkeypatch.setenv("CODEGEN_CACHE_DIR", str(tmp_path / "cache"))
    out = Path(shutil.copytree(GENERATED, tmp_path / "out"))
    runs = [run_cli(2, "generate", str(SAMPLES), "-o", str(out)) for _ in range(2)]
    assert [run.returncode for run in runs] == [0, 0], runs[-1].stderr
    assert runs[1].stdout.startswith("unchanged ")
    assert [run.stderr.splitlines()[-1] for run in runs] == ["workers 1", "workers 0"]


def test_nothing_remembered_is_an_empty_or_missing_cache_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What makes `generate` start its worker at once: no set can be skipped."""
    monkeypatch.setenv("CODEGEN_CACHE_DIR", str(tmp_path / "cache"))
    assert nothing_remembered()
    (tmp_path / "cache").mkdir()
    assert nothing_remembered()
    (tmp_path / "cache" / "entry.json").write_text("{}", encoding="utf-8")
    assert not nothing_remembered()


def test_a_worker_started_by_prepare_is_ended_with_the_block(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(wire_worker, "worthwhile", lambda: True)
    wire_worker.prepare()  # outside a command that may have one: nothing
    assert wire_worker.current() is None
    with wire_worker.running(at_once=False) as started:
        assert started is None and wire_worker.current() is None
        wire_worker.prepare()
        worker = wire_worker.current()
        assert worker is not None and worker.process is not None
        process = worker.process
        wire_worker.prepare()  # once
        assert wire_worker.current() is worker
    assert process.returncode is not None and wire_worker.current() is None


def children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found |= {int(c) for c in (task / "children").read_text().split()}
        except OSError:
            pass
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(
    not Path("/proc/self/task").is_dir() or len(os.sched_getaffinity(0)) < 2,
    reason="needs /proc and a second CPU",
)
def test_ctrl_c_while_the_worker_runs_exits_130_and_leaves_no_worker(
    tmp_path: Path,
) -> None:
    """Ctrl-C at a terminal reaches the whole process group, the worker too: the CLI says it
    was interrupted (no traceback from either process), the output is as it was, and the
    worker is gone."""
    out = Path(shutil.copytree(GENERATED, tmp_path / "out"))
    shutil.rmtree(out / "trading")
    before = tree_of(out)
    env = {**os.environ, "CODEGEN_CACHE_DIR": str(tmp_path / "cache")}
    process = subprocess.Popen(
        [sys.executable, "-m", "codegen", "generate", str(SAMPLES), "-o", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    workers: set[int] = set()
    while not workers and process.poll() is None and time.monotonic() < deadline:
        workers = children(process.pid)
        time.sleep(0.002)
    assert workers, "no worker was started"
    os.killpg(process.pid, signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert stderr.startswith("interrupted:") and "Traceback" not in stderr
    assert tree_of(out) == before
    assert not any(alive(pid) for pid in workers)


def test_a_worker_whose_requests_end_exits() -> None:
    """The worker ends when its requests' pipe closes (its CLI died), even if not killed."""
    held: list[wire_worker.WireWorker] = []
    wire_worker.WireWorker.start(held)
    (worker,) = held
    assert worker.process is not None
    assert worker.process.stdin is not None
    worker.process.stdin.close()
    assert worker.process.wait(timeout=60) == 0
    worker.close()


def json_schema(name: str) -> dict[str, Any]:
    """A bundled set's schema.json, as committed."""
    schema: dict[str, Any] = json.loads(
        (GENERATED / name / "schema.json").read_text(encoding="utf-8")
    )
    return schema


def here(name: str) -> str:
    """The library's module for a bundled set, made in this process."""
    return wire_worker.library_module(*request(json_schema(name)))
