"""Folding a set's samples into its summary (codegen.infer.summary): in this process, or split
across processes by `--jobs`.

A file is the unit of work: the set's files, in their sorted order, are cut into runs of about
equal size, each run folded by a worker, and the workers' summaries merged. Merging is exact, so
the package is the same byte for byte whichever way the set was read; the warnings of each run
are printed in file order, and an error is the one the first bad file (in file order) gives,
as when one process reads the set.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

from codegen.config import SetConfig
from codegen.errors import (
    CodegenError,
    Location,
    collecting_notices,
    notify,
    status_detail,
)
from codegen.infer.summary import Summary
from codegen.ingest import by_folder, iter_samples, no_samples, sample_files

# Below this many bytes of sample files a set is read in this process: starting workers and
# sending summaries back costs more than folding a few megabytes (about 0.1 s a worker).
PARALLEL_MIN_BYTES = 8 * 1024 * 1024


# How often (in samples read) the progress line on a terminal says how far a big set is.
PROGRESS_EVERY = 10_000


@dataclass(frozen=True)
class _Run:
    """Files of one set for one worker, and what every worker builds its summary with."""

    directory: Path
    display: str
    files: tuple[str, ...]
    max_file_size: int
    empty: Summary  # the settings, with no sample yet


@dataclass(frozen=True)
class _Folded:
    summary: Summary
    notices: tuple[str, ...]
    error: (
        tuple[str, Location | None] | None
    )  # the first error, as message and location


def summarize_set(
    directory: Path, display: str, config: SetConfig, jobs: int = 1
) -> Summary:
    """Every sample of the set folded into one summary, a file (and a line) at a time: no
    parsed sample is kept. `jobs`: worker processes (1: this one; 0: one per CPU)."""
    files = sample_files(directory, display)
    empty = Summary(
        by_folder(directory, files),
        exact_keys=frozenset(
            key for entry in config.overrides.entries for key in entry.tag
        ),
        exact=any(entry.enum for entry in config.overrides.entries),
    )
    runs = _runs(directory, files, jobs or os.cpu_count() or 1)
    if len(runs) <= 1:
        summary = _fold(
            _Run(directory, display, tuple(files), config.max_file_size, empty)
        )
    else:
        summary = _fold_in_workers(
            [_Run(directory, display, run, config.max_file_size, empty) for run in runs]
        )
    if not summary:
        raise no_samples(display)
    return summary


def _fold(run: _Run) -> Summary:
    summary = replace(run.empty, entries={})
    samples = iter_samples(
        run.directory, run.display, list(run.files), run.max_file_size
    )
    for count, sample in enumerate(samples, start=1):
        summary.add(sample.value, sample.origin, sample.folder)
        if count % PROGRESS_EVERY == 0:
            status_detail(f"{count:,} samples")
    return summary


def _fold_in_workers(runs: list[_Run]) -> Summary:
    with ProcessPoolExecutor(max_workers=len(runs)) as pool:
        results = list(pool.map(_fold_collecting, runs))
    summary = runs[0].empty
    for folded in results:
        for notice in folded.notices:
            notify(notice)
        if folded.error is not None:
            raise CodegenError(*folded.error)
        summary = summary.merge(folded.summary)
    return summary


def _fold_collecting(run: _Run) -> _Folded:
    """A worker's fold, with its warnings kept for the parent to print in file order, and an
    error returned as its message and location (they travel between processes; the error's
    class may not)."""
    with collecting_notices() as notices:
        try:
            summary = _fold(run)
        except CodegenError as error:
            return _Folded(run.empty, tuple(notices), (error.message, error.location))
    return _Folded(summary, tuple(notices), None)


def _runs(directory: Path, files: Sequence[str], jobs: int) -> list[tuple[str, ...]]:
    """The files cut into at most `jobs` runs of consecutive files of about equal size; one run
    when the set is small or there is one job."""
    sizes = [_size(directory / name) for name in files]
    total = sum(sizes)
    if jobs <= 1 or len(files) <= 1 or total < PARALLEL_MIN_BYTES:
        return [tuple(files)]
    runs: list[tuple[str, ...]] = []
    current: list[str] = []
    filled = 0
    for name, size in zip(files, sizes):
        current.append(name)
        filled += size
        if filled >= total * (len(runs) + 1) / jobs and len(runs) < jobs - 1:
            runs.append(tuple(current))
            current = []
    if current:
        runs.append(tuple(current))
    return runs


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0  # reading it reports the problem
