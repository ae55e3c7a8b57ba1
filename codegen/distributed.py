"""A set folded on a Dask cluster, for capture archives larger than one machine reads in time:
`pip install 'codegen[dask]'`.

Decisions:
- The work is the one `codegen generate` does, split: each partition of a bag is folded into a
  summary where it is read (codegen.fold's fold, with codegen.ingest's reading rules), the
  partition summaries are merged with `Summary.merge` in a Dask reduction, and the merged
  summary goes through the usual schema_of and render_package. Merging is exact, so the package
  is the one `codegen generate` writes for the set, byte for byte, however the bag is cut.
- The set's folder must be readable where these functions are called: its codegen.toml and its
  list of sample files decide the settings (fold.settings_for) before anything is read, as in
  `codegen generate`. A bag naming a file that is not one of the set's sample files, or missing
  one of them, is an error: the package would not be the set's.
- A bag of files holds the set's files as paths relative to its folder, which the workers read
  (a shared file system); a bag of lines holds `(file, line number, text)` items, the text with
  or without its "\\n", for JSON Lines and logs that come from elsewhere. A file's lines may be
  in any partitions.
- Warnings are printed here, and an error raised here, as one process reading the bag in its
  order would: the first error (a bad line: file:line:column and the same message) stops the
  run. A log's text lines are counted in one warning per run of its lines in a partition.
- Dask is imported here only, when a function is called: neither the CLI nor a generated package
  imports it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import partial, reduce
from itertools import groupby
from pathlib import Path
from typing import TYPE_CHECKING, Any

from codegen.config import SetConfig, load_config
from codegen.diff import committed_schemas
from codegen.errors import CodegenError, Location
from codegen.fold import Folded, collecting, fold_samples, settings_for
from codegen.infer.summary import Summary
from codegen.ingest import (
    FlatSample,
    iter_samples,
    line_samples,
    lines_kind,
    no_message,
    no_samples,
    sample_files,
)
from codegen.pipeline import Package, SampleSet, schema_of
from codegen.render import render_package
from codegen.write import check_output_location, write_packages

if TYPE_CHECKING:
    from dask.bag import Bag

Previous = Mapping[str, dict[str, Any]] | None


def package_from_files(
    directory: Path,
    files: Bag | None = None,
    *,
    display: str | None = None,
    previous: Previous = None,
) -> Package:
    """The package of the set in `directory`, its files read and folded by Dask workers.

    `files`: see summarize_files. `display`: how messages and the package name the set
    (default `samples/<set>`). `previous`: package name -> schema.json of the packages as
    generated before (their class names are kept).
    """
    sample_set = _sample_set(directory, display)
    return _package(
        sample_set, summarize_files(directory, files, display=display), previous
    )


def package_from_lines(
    directory: Path,
    lines: Bag,
    *,
    display: str | None = None,
    previous: Previous = None,
) -> Package:
    """The package of the set in `directory` from a bag of its lines (see summarize_lines and
    package_from_files)."""
    sample_set = _sample_set(directory, display)
    return _package(
        sample_set, summarize_lines(directory, lines, display=display), previous
    )


def summarize_files(
    directory: Path, files: Bag | None = None, *, display: str | None = None
) -> Summary:
    """The summary of the set in `directory`, its files read and folded by Dask workers.

    `files`: the set's sample files as paths relative to `directory`, in their sorted order for
    the warnings and first error of `codegen generate`; default: all of them, partitioned by
    Dask.
    """
    sample_set = _sample_set(directory, display)
    config, names, empty = _settings(sample_set)
    bag = files if files is not None else _dask_bag().from_sequence(names)
    fold = partial(
        _fold_files,
        sample_set.directory,
        sample_set.display,
        config.max_file_size,
        empty,
    )
    return _fold_bag(bag, fold, empty, names, sample_set.display, lines=False)


def summarize_lines(
    directory: Path, lines: Bag, *, display: str | None = None
) -> Summary:
    """The summary of the set in `directory` from a bag of its lines: `(file, line number,
    text)` with `file` relative to `directory`, every line of each of the set's sample files
    (JSON Lines and logs only), in any order and any partitions."""
    sample_set = _sample_set(directory, display)
    _, names, empty = _settings(sample_set)
    fold = partial(_fold_lines, sample_set.display, empty)
    return _fold_bag(lines, fold, empty, names, sample_set.display, lines=True)


def write_set(
    directory: Path,
    out_dir: Path,
    *,
    files: Bag | None = None,
    lines: Bag | None = None,
    force: bool = False,
) -> Package:
    """Generate the set's package on Dask (from `lines` if given, else from `files`) and write
    it into `out_dir` as `codegen generate` does, keeping the class names of the package there;
    the other packages in `out_dir` are left as they are."""
    check_output_location(directory, out_dir)
    previous = committed_schemas(out_dir, skip_unreadable=True)
    package = (
        package_from_lines(directory, lines, previous=previous)
        if lines is not None
        else package_from_files(directory, files, previous=previous)
    )
    write_packages([package], out_dir, force=force, remove_stale=False)
    return package


@dataclass(frozen=True)
class _Part:
    """A partition folded, and what it read of each file: (samples, the line the file ends
    with as (number, length)); files read whole end at (0, 0)."""

    folded: Folded
    read: dict[str, tuple[int, tuple[int, int]]] = field(default_factory=dict)

    def then(self, later: _Part) -> _Part:
        if self.folded.error is not None:
            return self
        read = dict(self.read)
        for name, (count, last) in later.read.items():
            before = read.get(name, (0, (0, 0)))
            read[name] = (before[0] + count, max(before[1], last))
        return _Part(self.folded.then(later.folded), read)


def _fold_bag(
    bag: Bag,
    fold: Callable[[Iterable[Any]], _Part],
    empty: Summary,
    names: list[str],
    display: str,
    *,
    lines: bool,
) -> Summary:
    """The bag folded a partition at a time, the parts merged in order (see _Part.then)."""
    untyped: Any = bag  # dask's Bag methods carry no annotations
    combined: _Part = untyped.reduction(
        fold, partial(_combine, _Part(Folded(empty)))
    ).compute()
    summary = combined.folded.result()
    _check_read(combined.read, names, display, lines=lines)
    if not summary:
        raise no_samples(display)
    return summary


def _combine(empty: _Part, parts: Iterable[_Part]) -> _Part:
    return reduce(_Part.then, parts, empty)


def _fold_files(
    directory: Path,
    display: str,
    max_file_size: int,
    empty: Summary,
    files: Iterable[str],
) -> _Part:
    read: dict[str, tuple[int, tuple[int, int]]] = {}

    def samples() -> Iterator[FlatSample]:
        for name in files:
            read[name] = (1, (0, 0))
            yield from iter_samples(directory, display, [name], max_file_size)

    return _Part(collecting(empty, lambda: fold_samples(empty, samples())), read)


def _fold_lines(display: str, empty: Summary, lines: Iterable[Any]) -> _Part:
    found: dict[str, int] = {}
    ends: dict[str, tuple[int, int]] = {}

    def numbered(name: str, items: Iterable[Any]) -> Iterator[tuple[int, str]]:
        for _, number, text in items:
            if text.endswith("\n"):
                text = text[:-1]
                end = (number + 1, 0)  # a "\n" at the end starts an empty line
            else:
                end = (number, len(text))
            ends[name] = max(ends.get(name, end), end)
            yield number, text

    def samples() -> Iterator[FlatSample]:
        for name, items in groupby(_checked(lines), key=lambda item: item[0]):
            found.setdefault(name, 0)
            for sample in line_samples(display, name, numbered(name, items)):
                found[name] += 1
                yield sample

    folded = collecting(empty, lambda: fold_samples(empty, samples()))
    return _Part(
        folded, {name: (found[name], ends.get(name, (0, 0))) for name in found}
    )


def _checked(lines: Iterable[Any]) -> Iterator[tuple[str, int, str]]:
    for item in lines:
        if (
            not isinstance(item, (tuple, list))
            or len(item) != 3
            or not isinstance(item[0], str)
            or not isinstance(item[1], int)
            or not isinstance(item[2], str)
        ):
            raise CodegenError(
                "a bag of lines holds (file, line number, text) items;"
                f" found {str(item)[:80]!r}"
            )
        yield item[0], item[1], item[2]


def _check_read(
    read: dict[str, tuple[int, tuple[int, int]]],
    names: list[str],
    display: str,
    *,
    lines: bool,
) -> None:
    """The bag held the set's sample files, all of them, and each line file a message."""
    bag = "bag of lines" if lines else "bag of files"
    known = set(names)
    unknown = sorted(set(read) - known)
    if unknown:
        raise CodegenError(
            f"in the {bag} but not a sample file of the set",
            Location(f"{display}/{unknown[0]}"),
        )
    for name in names:
        where = Location(f"{display}/{name}")
        if name not in read:
            hint = (
                " (a bag of lines holds every line of a set's .jsonl, .ndjson and .log files;"
                " read a set with other files from a bag of files)"
                if lines
                else ""
            )
            raise CodegenError(
                f"a sample file of the set missing from the {bag}{hint}", where
            )
        count, last = read[name]
        if lines and count == 0:
            raise no_message(where.file, log=lines_kind(name) is True, last=last)


def _settings(sample_set: SampleSet) -> tuple[SetConfig, list[str], Summary]:
    """The set's config, sample files and settings, read here as `codegen generate` reads them."""
    config = load_config(sample_set.directory, sample_set.display)
    names = sample_files(sample_set.directory, sample_set.display)
    if not names:
        raise no_samples(sample_set.display)
    return config, names, settings_for(sample_set.directory, names, config)


def _package(sample_set: SampleSet, summary: Summary, previous: Previous) -> Package:
    config = load_config(sample_set.directory, sample_set.display)
    schema = schema_of(summary, config, sample_set.display, previous)
    return Package(config.package, schema, render_package(schema, config.package))


def _sample_set(directory: Path, display: str | None) -> SampleSet:
    found = SampleSet.of(directory)
    return found if display is None else SampleSet(found.directory, display)


def _dask_bag() -> Any:
    try:
        import dask.bag
    except ImportError:
        raise CodegenError(
            "Dask is not installed: pip install 'codegen[dask]'"
        ) from None
    return dask.bag
