"""The whole job for one sample set, stage after stage: ingest -> infer -> schema -> render."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from codegen.config import load_config
from codegen.errors import CodegenError, Location, shown, status
from codegen.infer import infer
from codegen.ingest import Sample, read_sample_set
from codegen.render import render_package
from codegen.schema import build_schema, kept_names


@dataclass(frozen=True)
class SampleSet:
    directory: Path
    display: str  # how messages and docstrings name the folder: `samples/trading`


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
        SampleSet(path, f"{samples_dir.resolve().name}/{path.name}")
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
    sample_set: SampleSet, previous: Mapping[str, dict[str, Any]] | None = None
) -> tuple[str, dict[str, Any]]:
    """(package name, schema.json document) for one set.

    `previous`: package name -> schema.json of the packages as generated before; their class
    names are kept for the records still at the same places.
    """
    config = load_config(sample_set.directory, sample_set.display)
    samples = read_sample_set(
        sample_set.directory, sample_set.display, max_file_size=config.max_file_size
    )
    inference = infer(
        ((s.value, s.origin) for s in samples),
        config.root_name,
        config.overrides,
        kinds=kinds_by_folder(samples),
        kept=kept_names((previous or {}).get(config.package, {})),
    )
    if inference is None:
        raise CodegenError("no samples in this set", Location(sample_set.display))
    return config.package, build_schema(inference)


def kinds_by_folder(
    samples: list[Sample],
) -> dict[str, list[tuple[Any, Location]]] | None:
    """Samples by the sub-folder naming their kind, when every sample sits in a sub-folder.

    An API that says what a message is outside it (GitHub's `X-GitHub-Event` header) has its
    captures sorted into a folder per kind: `samples/github/issues/*.json`. A set with samples at
    its top level is one kind of message, its sub-folders only organise files.
    """
    if not samples or any(sample.folder is None for sample in samples):
        return None
    kinds: dict[str, list[tuple[Any, Location]]] = {}
    for sample in samples:
        assert sample.folder is not None
        kinds.setdefault(sample.folder, []).append((sample.value, sample.origin))
    return kinds


# How build_packages gets a set's package: from `build()`, or from what a run before built.
Cache = Callable[[SampleSet, Callable[[], Package]], Package]


def build_packages(
    samples_dir: Path,
    previous: Mapping[str, dict[str, Any]] | None = None,
    cache: Cache | None = None,
) -> list[Package]:
    """All packages, rendered in memory: nothing is written unless every set succeeds.

    `previous`: the schemas of the packages generated before (see `infer_schema`). `cache`: a
    codegen.cache.GenerateCache, which skips the sets whose inputs are unchanged (generate only).
    """
    packages: list[Package] = []
    seen: dict[str, str] = {}
    for sample_set in each_set(discover_sets(samples_dir)):
        build = functools.partial(build_package, sample_set, previous)
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
    sample_set: SampleSet, previous: Mapping[str, dict[str, Any]] | None = None
) -> Package:
    """One set's package, rendered in memory."""
    name, schema = infer_schema(sample_set, previous)
    return Package(name, schema, render_package(schema, name))
