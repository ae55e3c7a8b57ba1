"""Folding a set's samples into its summary (codegen.infer.summary): in this process, or split
across processes by `--jobs`.

A file is the unit of work: the set's files, in their sorted order, are cut into runs of about
equal size, each run folded by a worker, and the workers' summaries merged. Merging is exact, so
the package is the same byte for byte whichever way the set was read; the warnings of each run
are printed in file order, and an error is the one the first bad file (in file order) gives,
as when one process reads the set. codegen.distributed folds a set the same way on a Dask
cluster: the settings (settings_for), a part's fold (fold_samples, collecting) and the ordered
merge of parts (Folded.then) are shared.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from functools import partial, reduce
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
from codegen.ingest import (
    FlatSample,
    by_folder,
    iter_samples,
    no_samples,
    sample_files,
)

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
class Folded:
    """Part of a set, folded where its samples were read: its summary, its warnings (for the
    process that merges the parts to print in order) and its first error as message and
    location (they travel between processes; the error's class may not)."""

    summary: Summary
    notices: tuple[str, ...] = ()
    error: tuple[str, Location | None] | None = None

    def then(self, later: Folded) -> Folded:
        """This part followed by a later one: summaries merged, warnings in order, and the
        first error, with nothing after it (associative: parts merge in any grouping).
        """
        if self.error is not None:
            return self
        return Folded(
            self.summary.merge(later.summary),
            self.notices + later.notices,
            later.error,
        )

    def result(self) -> Summary:
        """The summary, after printing the warnings; the first error raised, as one process
        reading the parts in order would have raised it."""
        for notice in self.notices:
            notify(notice)
        if self.error is not None:
            raise CodegenError(*self.error)
        return self.summary


def settings_for(directory: Path, files: list[str], config: SetConfig) -> Summary:
    """The empty summary a set's samples are folded into: its settings, decided from the set's
    file list and config before any sample is read, so that every part of the set, folded
    wherever, is folded alike (and the parts merge)."""
    return Summary(
        by_folder(directory, files),
        exact_keys=frozenset(  # `arg.channel`: maybe the key `channel` inside `arg`
            key
            for entry in config.overrides.entries
            for name in entry.tag
            for key in {name, name.rsplit(".", 1)[-1]}
        ),
        exact=any(entry.enum for entry in config.overrides.entries),
    )


def summarize_set(
    directory: Path, display: str, config: SetConfig, jobs: int = 1
) -> Summary:
    """Every sample of the set folded into one summary, a file (and a line) at a time: no
    parsed sample is kept. `jobs`: worker processes (1: this one; 0: one per CPU)."""
    files = sample_files(directory, display)
    empty = settings_for(directory, files, config)
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


def fold_samples(empty: Summary, samples: Iterable[FlatSample]) -> Summary:
    """The samples folded into a new summary with the settings of `empty` (on a terminal, the
    progress line says how many were read)."""
    summary = replace(empty, entries={})
    add = summary.add
    for count, sample in enumerate(samples, start=1):
        add(*sample)
        if count % PROGRESS_EVERY == 0:
            status_detail(f"{count:,} samples")
    return summary


def collecting(empty: Summary, fold: Callable[[], Summary]) -> Folded:
    """A fold run where its part is read, its warnings kept and its error returned (see
    Folded); `empty` stands for the part's summary after an error."""
    with collecting_notices() as notices:
        try:
            summary = fold()
        except CodegenError as error:
            return Folded(empty, tuple(notices), (error.message, error.location))
    return Folded(summary, tuple(notices))


def _fold(run: _Run) -> Summary:
    return fold_samples(
        run.empty,
        iter_samples(run.directory, run.display, list(run.files), run.max_file_size),
    )


def _fold_in_workers(runs: list[_Run]) -> Summary:
    with ProcessPoolExecutor(max_workers=len(runs)) as pool:
        results = list(pool.map(_fold_collecting, runs))
    return reduce(Folded.then, results).result()


def _fold_collecting(run: _Run) -> Folded:
    return collecting(run.empty, partial(_fold, run))


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
