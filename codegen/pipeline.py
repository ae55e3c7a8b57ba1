"""The whole job for one sample set, stage after stage: ingest -> infer -> schema -> render."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from codegen.config import SetConfig, load_config
from codegen.errors import CodegenError, Location, shown, status
from codegen.infer import infer
from codegen.fold import summarize_set
from codegen.infer.summary import Summary
from codegen.render import render_package, wire_worker
from codegen.schema import build_schema, kept_names


@dataclass(frozen=True)
class SampleSet:
    directory: Path
    display: str  # how messages and docstrings name the folder: `samples/trading`

    @classmethod
    def of(cls, directory: Path) -> SampleSet:
        """The set in `directory`, named as discover_sets names it: `samples/trading`."""
        folder = directory if directory.name else directory.resolve()
        return cls(folder, f"{folder.parent.resolve().name}/{folder.name}")


@dataclass(frozen=True)
class Package:
    name: str
    schema: dict[str, Any]
    files: dict[str, str]  # file name -> content


def discover_sets(samples_dir: Path) -> list[SampleSet]:
    """Every sub-folder of the samples folder is a set; sorted so output never depends on listing order."""
    if not samples_dir.is_dir():
        raise CodegenError(
            "no such folder; expected a folder of sample sets",
            Location(str(samples_dir)),
        )
    sets = [
        SampleSet.of(path)
        for path in sorted(samples_dir.iterdir())
        if path.is_dir() and not path.name.startswith((".", "_"))
    ]
    if not sets:
        raise CodegenError(
            "no sample sets found; expected sub-folders like samples/<set>/ holding .json files",
            Location(str(samples_dir)),
        )
    return sets


def each_set(sets: list[SampleSet]) -> Iterator[SampleSet]:
    """The sets in turn, with a progress line on a terminal (`[12/166] trading`) while each one
    is worked on; the line is cleared after the last. (The CLI clears it when a set fails.)
    """
    for number, sample_set in enumerate(sets, start=1):
        status(f"[{number}/{len(sets)}] {shown(sample_set.directory.name)}")
        yield sample_set
    status("")


def infer_schema(
    sample_set: SampleSet,
    previous: Mapping[str, dict[str, Any]] | None = None,
    jobs: int = 1,
) -> tuple[str, dict[str, Any]]:
    """(package name, schema.json document) for one set.

    `previous`: package name -> schema.json of the packages as generated before; their class
    names are kept for the records still at the same places. `jobs`: processes reading the
    set's files (see codegen.fold).
    """
    config = load_config(sample_set.directory, sample_set.display)
    summary = summarize_set(sample_set.directory, sample_set.display, config, jobs)
    return config.package, schema_of(summary, config, sample_set.display, previous)


def schema_of(
    summary: Summary,
    config: SetConfig,
    display: str,
    previous: Mapping[str, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The schema.json document of a set's summary, however it was folded (in this process,
    by `--jobs` workers, or on a cluster: see codegen.distributed)."""
    # An API that says what a message is outside it (GitHub's `X-GitHub-Event` header) has its
    # captures sorted into a folder per kind: `samples/github/issues/*.json`. A set with samples
    # at its top level is one kind of message, its sub-folders only organise files.
    inference = infer(
        summary.members() if not summary.by_folder else (),
        config.root_name,
        config.overrides,
        kinds=(
            {folder: summary.members(folder) for folder in summary.folders()}
            if summary.by_folder
            else None
        ),
        kept=kept_names((previous or {}).get(config.package, {})),
    )
    if inference is None:
        raise CodegenError("no samples in this set", Location(display))
    return build_schema(inference)


# How build_packages gets a set's package: from `build()`, or from what a run before built.
Cache = Callable[[SampleSet, Callable[[], Package]], Package]


def build_packages(
    samples_dir: Path,
    previous: Mapping[str, dict[str, Any]] | None = None,
    jobs: int = 1,
    cache: Cache | None = None,
) -> list[Package]:
    """All packages, rendered in memory: nothing is written unless every set succeeds.

    `previous`, `jobs`: see `infer_schema`. `cache`: a codegen.cache.GenerateCache, which skips
    the sets whose inputs are unchanged (generate only).
    """
    packages: list[Package] = []
    seen: dict[str, str] = {}
    for sample_set in each_set(discover_sets(samples_dir)):
        build = functools.partial(build_package, sample_set, previous, jobs)
        package = build() if cache is None else cache(sample_set, build)
        if package.name in seen:
            raise CodegenError(
                f"sets {seen[package.name]} and {sample_set.display} would both generate"
                f" package {package.name!r}",
                Location(sample_set.display),
            )
        seen[package.name] = sample_set.display
        packages.append(package)
    return packages


def build_package(
    sample_set: SampleSet,
    previous: Mapping[str, dict[str, Any]] | None = None,
    jobs: int = 1,
) -> Package:
    """One set's package, rendered in memory (`previous`, `jobs`: see `infer_schema`)."""
    wire_worker.prepare()  # a CLI's datamodel-code-generator worker: needed now
    name, schema = infer_schema(sample_set, previous, jobs)
    return Package(name, schema, render_package(schema, name))
