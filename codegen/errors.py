"""The error types the CLI reports, and how a file name is shown in a message."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


def shown(name: str) -> str:
    """A file name as messages print it: repr-escaped when it holds control or invisible characters.

    A raw newline would split the one-line error, an escape sequence would repaint the terminal.
    """
    return name if name.isprintable() else repr(name)


@dataclass(frozen=True, order=True)
class Location:
    """A place in an input file; line and column are 1-based, as editors show them."""

    file: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        text = shown(self.file)
        if self.line is not None:
            text += f":{self.line}"
            if self.column is not None:
                text += f":{self.column}"
        return text


class CodegenError(Exception):
    """Bad input or a failed generation step; the CLI prints it without a traceback and exits 2."""

    def __init__(self, message: str, location: Location | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.location = location

    def __str__(self) -> str:
        if self.location is None:
            return self.message
        return f"{self.location}: {self.message}"


class Interrupted(Exception):
    """Ctrl-C, acted on at a point where every package is whole; the message says what was left."""


_ERASE_LINE = "\r\x1b[K"  # back to the start of the line, and clear it
_status = ""  # the progress line shown on a terminal's stderr, if any
_step = ""  # the step the progress line names, without its detail
# notify() lines kept instead of printed, if collecting: per thread, as a Dask worker may fold
# several parts of a set at once in its threads.
_collected: ContextVar[list[str] | None] = ContextVar("collected", default=None)


@contextmanager
def collecting_notices() -> Iterator[list[str]]:
    """notify() lines go into the list yielded instead of stderr (a worker keeps them for the
    parent to print in order), in this thread only."""
    notices: list[str] = []
    token = _collected.set(notices)
    try:
        yield notices
    finally:
        _collected.reset(token)


_noting: list[list[str]] = []  # the lists of noting() blocks running, innermost last


def notify(message: str) -> None:
    """A line on stderr that does not stop the run: a skipped file, a wait for the lock."""
    collected = _collected.get()
    if collected is not None:
        collected.append(message)
        return
    for lines in _noting:
        lines.append(message)
    if _status:
        sys.stderr.write(_ERASE_LINE)
    print(message, file=sys.stderr, flush=True)
    if _status:
        sys.stderr.write(_status)
        sys.stderr.flush()


@contextmanager
def noting() -> Iterator[list[str]]:
    """The notify() lines of the block, collected as they are printed (to print them again when
    the work that gave them is skipped next time)."""
    lines: list[str] = []
    _noting.append(lines)
    try:
        yield lines
    finally:
        _noting.remove(lines)


def status(text: str) -> None:
    """Show a progress line (`[12/166] trading`) in place of the last one; "" clears it.

    Only when stderr is a terminal: in CI logs and pipes a run stays quiet. notify() lines
    print above it. While notices are collected (a worker process), nothing is shown.
    """
    global _step
    _step = text
    _show(text)


def status_detail(detail: str) -> None:
    """Say how far the current step is, after its progress line: `[1/3] feed: 120,000 samples`."""
    if _step:
        _show(f"{_step}: {detail}")


def _show(text: str) -> None:
    global _status
    if (
        _collected.get() is not None
        or sys.stderr is None
        or not sys.stderr.isatty()
        or not (text or _status)
    ):
        return
    _status = text  # first: a Ctrl-C during the write must still leave a line to clear
    sys.stderr.write(_ERASE_LINE + text)
    sys.stderr.flush()
