"""One codegen run at a time per output folder: a lock file inside it.

Decisions:
- flock(2) on `OUT_DIR/.codegen.lock`: the kernel releases it when the holder ends, however it ends,
  so the file a killed run leaves is simply taken over by the next run; nothing has to guess
  whether a recorded process id is still alive.
- The holder writes its process id into the file, so a waiting run can say whom it waits for.
- The file is removed on release, so a clean run leaves no trace in the output folder. A run that
  opened the file just before the removal holds a lock on a file no longer at the path: it sees
  that and tries again.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from codegen.errors import CodegenError, Location, notify

LOCK_FILE = ".codegen.lock"


@contextmanager
def output_lock(out_dir: Path, *, wait: bool) -> Iterator[None]:
    """Hold the lock of `out_dir` (an existing folder); another run waits, or fails if not `wait`."""
    path = out_dir / LOCK_FILE
    descriptor = _acquire(path, out_dir, wait)
    try:
        yield
    finally:
        os.unlink(path)
        os.close(descriptor)


def _acquire(path: Path, out_dir: Path, wait: bool) -> int:
    announced = False
    while True:
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
        try:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = _holder(descriptor)
                if not wait:
                    raise CodegenError(
                        f"another codegen run{holder} is using this output folder;"
                        " try again when it ends, or leave out --no-wait to wait for it",
                        Location(str(out_dir)),
                    ) from None
                if not announced:
                    notify(
                        f"waiting for another codegen run{holder} to finish with {out_dir} ..."
                    )
                    announced = True
                fcntl.flock(descriptor, fcntl.LOCK_EX)
            if _is_at(descriptor, path):
                left = _holder(descriptor)
                if left:
                    notify(
                        f"taking over the lock of {out_dir} left by a run that ended without releasing it{left}"
                    )
                os.ftruncate(descriptor, 0)
                os.write(descriptor, f"{os.getpid()}\n".encode())
                return descriptor
        except BaseException:
            os.close(descriptor)
            raise
        os.close(descriptor)


def _holder(descriptor: int) -> str:
    """` (process 1234)` from the lock file's content, or "" when it holds no process id."""
    content = os.pread(descriptor, 32, 0).decode("ascii", "replace").strip()
    return f" (process {content})" if content.isdigit() else ""


def _is_at(descriptor: int, path: Path) -> bool:
    """Whether the locked file is still the one at `path` (a releasing run removes it)."""
    try:
        return os.path.samestat(os.fstat(descriptor), os.stat(path))
    except FileNotFoundError:
        return False
