"""Writing packages atomically, and comparing them with what is on disk (`codegen check`)."""

from __future__ import annotations

import difflib
import os
import shutil
import tempfile
from pathlib import Path

from codegen.errors import CodegenError, Location
from codegen.pipeline import Package

# Files every generated package has: a folder holding them all is codegen's to replace or remove.
PACKAGE_MARKERS = ("_runtime.py", "py.typed", "schema.json")


def write_packages(packages: list[Package], out_dir: Path) -> None:
    """Write every package, and remove packages of sets that no longer exist.

    A file-system failure (a file where the folder should be, no permission, a full disk) is a
    CodegenError naming the path; each package already written is whole, the others untouched.
    """
    if out_dir.exists() and not out_dir.is_dir():
        raise CodegenError(
            "is a file; expected the output folder", Location(str(out_dir))
        )
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        for package in packages:
            write_package(package, out_dir)
        for stale in stale_packages(packages, out_dir):
            retired = Path(tempfile.mkdtemp(prefix=f".{stale.name}.old-", dir=out_dir))
            os.rename(stale, retired / stale.name)
            shutil.rmtree(retired)
    except OSError as error:
        where = Location(str(error.filename or out_dir))
        raise CodegenError(
            f"cannot write the output: {error.strerror or error}", where
        ) from error


def stale_packages(packages: list[Package], out_dir: Path) -> list[Path]:
    """Generated packages in `out_dir` that no sample set produces any more."""
    if not out_dir.is_dir():
        return []
    produced = {package.name for package in packages}
    return [
        path
        for path in sorted(out_dir.iterdir())
        if path.is_dir()
        and not path.name.startswith(".")
        and path.name not in produced
        and all((path / marker).is_file() for marker in PACKAGE_MARKERS)
    ]


def write_package(package: Package, out_dir: Path) -> None:
    """Write into a temporary folder beside the target, then swap it in.

    The old package is renamed away, the new one renamed in, the old one removed: a failure or a
    kill before the swap leaves the previous package untouched, and the swap itself is two renames.
    """
    target = out_dir / package.name
    recover_interrupted(out_dir, package.name)
    staging = Path(tempfile.mkdtemp(prefix=f".{package.name}.new-", dir=out_dir))
    os.chmod(
        staging, 0o777 & ~_umask()
    )  # mkdtemp makes it private; it becomes the package
    try:
        for name, content in package.files.items():
            path = staging / name
            with open(path, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(content)
                handle.flush()
                os.fsync(handle.fileno())
        if target.exists():
            retired = Path(
                tempfile.mkdtemp(prefix=f".{package.name}.old-", dir=out_dir)
            )
            _swap(staging, target, retired / package.name)
        else:
            os.rename(staging, target)
    finally:
        if staging.exists():
            shutil.rmtree(staging)


def _swap(staging: Path, target: Path, retired: Path) -> None:
    """Move `target` to `retired` and `staging` to `target`; on failure, the old package goes back.

    `retired` is only removed once the new package is in place: if even putting it back fails,
    the next run's `recover_interrupted` restores it.
    """
    try:
        os.rename(target, retired)
        try:
            os.rename(staging, target)
        except BaseException:
            os.rename(retired, target)
            raise
    finally:
        if target.exists():
            shutil.rmtree(retired.parent)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def recover_interrupted(out_dir: Path, name: str) -> None:
    """Clean up after a run that was killed: drop half-written folders, restore a retired package.

    A kill between the two renames of a swap leaves the previous package in `.<name>.old-*/`
    and no `<name>/`: it is put back before anything else happens.
    """
    target = out_dir / name
    for leftover in sorted(out_dir.glob(f".{name}.old-*")):
        retired = leftover / name
        if retired.is_dir() and not target.exists():
            os.rename(retired, target)
        shutil.rmtree(leftover)
    for leftover in out_dir.glob(f".{name}.new-*"):
        shutil.rmtree(leftover)


def diff_packages(packages: list[Package], out_dir: Path) -> list[str]:
    """Unified diffs between the packages and `out_dir`; empty when they are the same."""
    diffs = [
        f"{out_dir.name}/{stale.name}/: no sample set produces this package (generate removes it)\n"
        for stale in stale_packages(packages, out_dir)
    ]
    for package in packages:
        target = out_dir / package.name
        on_disk = (
            sorted(p.name for p in target.iterdir() if p.is_file())
            if target.is_dir()
            else []
        )
        for name in sorted(set(on_disk) | set(package.files)):
            path = target / name
            old = path.read_text(encoding="utf-8") if name in on_disk else ""
            new = package.files.get(name, "")
            if old != new or name not in package.files or name not in on_disk:
                label = f"{out_dir.name}/{package.name}/{name}"
                diffs.append(
                    "".join(
                        difflib.unified_diff(
                            old.splitlines(keepends=True),
                            new.splitlines(keepends=True),
                            fromfile=label if name in on_disk else "/dev/null",
                            tofile=label if name in package.files else "/dev/null",
                        )
                    )
                    or f"--- {label}\n+++ {label}\n(empty file {'missing' if name in package.files else 'not generated'})\n"
                )
    return diffs
