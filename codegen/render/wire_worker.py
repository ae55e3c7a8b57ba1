"""datamodel-code-generator in a second process, for the `generate` and `check` commands.

Importing the library (and its pydantic) costs about half a second, as long as everything else
a cold `generate` of the bundled samples does. The CLI starts this process before it imports the
rest of codegen, so the import runs on another CPU while this process reads, infers and renders;
each set's wire schema is sent as soon as it is known and its module collected when rendering
needs it. The worker runs the same call (library_module) on the same document as the
in-process path, so the bytes are the same. Library calls (codegen.pipeline) stay in-process.

A worker that cannot start, dies or answers nonsense is dropped: its requests are rendered in
this process. Decisions: no worker on one CPU (nothing to overlap), nor when the library is
imported already (nothing to gain); SIGINT is blocked while it starts and stays blocked in it
(Ctrl-C reaches the whole process group: the CLI acts on it, then ends the worker).
"""

from __future__ import annotations

import contextlib
import os
import pickle
import queue
import signal
import struct
import subprocess
import sys
import threading
import warnings
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from codegen.errors import CodegenError

_LENGTH = struct.Struct("!Q")  # each message: its length, then its pickle
# A longer message is a broken pipe's garbage, not a schema or a module.
_LONGEST = 1 << 30


def library_module(
    document: dict[str, Any], data: dict[str, dict[str, Any]], template_dir: str
) -> str:
    """datamodel-code-generator's module for a wire schema (codegen.render.wire), in whichever
    process runs it; `data`: wire.template_data of `document`."""
    import datamodel_code_generator as library
    from datamodel_code_generator import InputFileType, PythonVersion
    from datamodel_code_generator.enums import DataModelType

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            body = library.generate(
                document,
                input_file_type=InputFileType.JsonSchema,
                output_model_type=DataModelType.TypingTypedDict,
                target_python_version=PythonVersion.PY_310,
                custom_template_dir=Path(template_dir),
                extra_template_data=defaultdict(dict, data),
                use_title_as_name=True,
                use_union_operator=True,
                use_standard_collections=True,
                use_schema_description=True,
                disable_timestamp=True,
                formatters=[],
            )
        # The library raises many types; all mean the same here.
        except Exception as error:
            raise CodegenError(
                f"datamodel-code-generator could not render the wire types: {error}"
            ) from error
    if not isinstance(body, str):
        raise CodegenError(
            "datamodel-code-generator returned several modules; expected one"
        )
    return body


class _Broken(Exception):
    """The worker is gone or answered nonsense: its requests are rendered in this process."""


class WireWorker:
    """The worker process, its requests in the order sent and its answers in that order."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        self.process: subprocess.Popen[bytes] | None = process
        self._sent = 0
        self._answers: list[tuple[str, str]] = []

    @classmethod
    def start(cls, held: list[WireWorker]) -> None:
        """Start a worker into `held`, whose holder ends it on every way out (nothing is added
        where none can start). A Ctrl-C while it starts is acted on once the worker is in
        `held`, so it cannot be left running unseen: SIGINT is blocked in this thread (the
        worker inherits that) and only noted if another thread receives it."""
        # The worker imports from this process's path, not from its working folder (-P): the
        # same codegen and library as here, whether run as `codegen` or `python -m codegen`.
        command = [sys.executable, "-P", "-c", _WORKER_MAIN, *sys.path]
        masking = (
            hasattr(signal, "pthread_sigmask")
            and threading.current_thread() is threading.main_thread()
            and signal.getsignal(signal.SIGINT) is not None
        )
        noted: list[int] = []
        if masking:
            handler = signal.signal(signal.SIGINT, lambda *_: noted.append(1))
            blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            process = subprocess.Popen(
                command,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=None if os.environ.get("CODEGEN_DEBUG") else subprocess.DEVNULL,
            )
            held.append(cls(process))
        except OSError:
            pass
        finally:
            if masking:  # a Ctrl-C that came meanwhile is acted on now
                signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
                signal.signal(signal.SIGINT, handler)
                if noted and callable(handler):
                    handler(signal.SIGINT, None)
                elif noted and handler == signal.SIG_DFL:
                    signal.raise_signal(signal.SIGINT)

    def submit(
        self,
        document: dict[str, Any],
        data: dict[str, dict[str, Any]],
        template_dir: str,
    ) -> Callable[[], str]:
        """Send a request now; the returned function gives its module (library_module's)."""
        request = (document, data, template_dir)
        number = self._sent
        try:
            if self.process is None or self.process.stdin is None:
                raise _Broken
            _write(self.process.stdin, request)
            self._sent += 1
        except (_Broken, OSError, pickle.PicklingError):
            self.close()
            return lambda: library_module(*request)

        def collect() -> str:
            try:
                status, text = self._answer(number)
            except _Broken:
                self.close()
                status, text = "retry", ""
            if status == "retry":
                return library_module(*request)
            if status == "error":
                raise CodegenError(text)
            return text

        return collect

    def _answer(self, number: int) -> tuple[str, str]:
        while len(self._answers) <= number:
            if self.process is None or self.process.stdout is None:
                raise _Broken
            try:
                answer = _read(self.process.stdout)
            except Exception as error:  # unpickling garbage raises about anything
                raise _Broken from error
            if not (
                isinstance(answer, tuple)
                and len(answer) == 2
                and answer[0] in ("ok", "error", "retry")
                and isinstance(answer[1], str)
            ):
                raise _Broken
            self._answers.append(answer)
        return self._answers[number]

    def close(self) -> None:
        """End the worker and wait for it; nothing it holds needs saving."""
        process, self.process = self.process, None
        if process is None:
            return
        with contextlib.suppress(OSError):
            process.kill()
        for stream in (process.stdin, process.stdout):
            with contextlib.suppress(OSError):
                if stream is not None:
                    stream.close()
        process.wait()


_WORKER_MAIN = (
    "import sys; sys.path[:] = sys.argv[1:]; "
    "from codegen.render.wire_worker import _serve; _serve()"
)

# The worker of the running CLI command: held once started; an empty list while the command may
# start one (see prepare); None outside a command that may have one.
_held: list[WireWorker] | None = None


def current() -> WireWorker | None:
    """The worker of the running CLI command, if it has started one."""
    return _held[0] if _held else None


def prepare() -> None:
    """Start the running CLI command's worker now, if it may have one and has none yet: a
    `generate` starts it when a set is to be built, not for a run that renders nothing.
    """
    if _held is not None and not _held:
        WireWorker.start(_held)


def available_cpus() -> int:
    """The CPUs this process may run on (its affinity where the system says it)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def worthwhile() -> bool:
    """A second process pays only with a second CPU, and while the library is not loaded."""
    return available_cpus() > 1 and "datamodel_code_generator.config" not in sys.modules


@contextlib.contextmanager
def running(*, at_once: bool = True) -> Iterator[WireWorker | None]:
    """A worker for the commands in the block (when worthwhile), started now (`at_once`) or by
    prepare(); ended on every way out. Yields it if started now."""
    global _held
    if _held is not None or not worthwhile():
        yield None
        return
    held: list[WireWorker] = []
    _held = held
    try:
        if at_once:
            WireWorker.start(held)
        yield current()
    finally:
        _held = None
        for worker in held:
            worker.close()


def _write(stream: IO[bytes], message: object) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_LENGTH.pack(len(data)) + data)
    stream.flush()


def _read(stream: IO[bytes]) -> Any:
    head = stream.read(_LENGTH.size)
    if len(head) < _LENGTH.size:
        raise EOFError("the worker closed its output")
    (length,) = _LENGTH.unpack(head)
    if length > _LONGEST:
        raise ValueError(f"a message of {length} bytes")
    data = stream.read(length)
    if len(data) < length:
        raise EOFError("the worker closed its output")
    return pickle.loads(data)


def _serve() -> None:
    """The worker: requests on stdin, answers on stdout in the same order, until stdin ends.

    A thread reads the requests from the start, so the CLI never waits on a full pipe while this
    process imports the library; whatever the library prints goes to stderr, not the answers.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    requests: queue.SimpleQueue[Any] = queue.SimpleQueue()

    def receive() -> None:
        try:
            while True:
                requests.put(_read(sys.stdin.buffer))
        # The pipe closed, or garbage came: no more requests.
        except Exception:  # noqa: BLE001
            requests.put(None)

    threading.Thread(target=receive, daemon=True).start()
    # What the library's first call imports, imported before the first request comes.
    import datamodel_code_generator.config
    import datamodel_code_generator.model.typed_dict
    import datamodel_code_generator.parser.jsonschema  # noqa: F401

    while (request := requests.get()) is not None:
        try:
            answer = ("ok", library_module(*request))
        except CodegenError as error:
            answer = ("error", str(error))
        # A bug: the CLI's process runs it again, and reports what it raises there as a bug.
        except Exception as error:  # noqa: BLE001
            answer = ("retry", f"{type(error).__name__}: {error}")
        _write(answers, answer)
