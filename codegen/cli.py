"""The `codegen` command: generate, check, infer, ingest."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from codegen.errors import CodegenError
from codegen.ingest import ingest_document
from codegen.render import schema_text
from codegen.pipeline import SampleSet, build_packages, discover_sets, infer_schema
from codegen.write import diff_packages, write_packages

F = TypeVar("F", bound=Callable[..., Any])

# Exit statuses: 0 fine, 1 `check` found differences, 2 bad input, 3 a bug in codegen itself.
EXIT_DIFFERENT, EXIT_BAD_INPUT, EXIT_INTERNAL = 1, 2, 3

# Deep samples need deep recursion in inference and rendering; the reader caps nesting well below.
RECURSION_LIMIT = 10_000


def reports_errors(command: F) -> F:
    """Bad input ends in one clear line and exit 2, never a traceback (CODEGEN_DEBUG=1 shows it)."""

    @wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        sys.setrecursionlimit(max(sys.getrecursionlimit(), RECURSION_LIMIT))
        try:
            return command(*args, **kwargs)
        except CodegenError as error:
            click.echo(f"error: {error}", err=True)
            sys.exit(EXIT_BAD_INPUT)
        except Exception as error:
            if os.environ.get("CODEGEN_DEBUG"):
                raise
            click.echo(
                f"internal error: {type(error).__name__}: {error} (CODEGEN_DEBUG=1 shows where)",
                err=True,
            )
            sys.exit(EXIT_INTERNAL)

    return run  # type: ignore[return-value]


def samples_and_output(command: F) -> F:
    """The SAMPLES_DIR argument and -o/--out option that generate and check share."""
    command = click.option(
        "-o",
        "--out",
        "out_dir",
        default="generated",
        type=click.Path(path_type=Path),
        show_default=True,
    )(command)
    return click.argument(
        "samples_dir", default="samples", type=click.Path(path_type=Path)
    )(command)


@click.group()
def main() -> None:
    """Turn captured JSON samples into a typed, vendorable Python package."""


@main.command()
@samples_and_output
@reports_errors
def generate(samples_dir: Path, out_dir: Path) -> None:
    """Generate one package per sample set of SAMPLES_DIR (default: samples) into OUT_DIR."""
    packages = build_packages(samples_dir)
    write_packages(packages, out_dir)
    for package in packages:
        click.echo(f"wrote {out_dir / package.name} ({len(package.files)} files)")


@main.command()
@samples_and_output
@reports_errors
def check(samples_dir: Path, out_dir: Path) -> None:
    """Exit 1 with a diff if OUT_DIR is not exactly what SAMPLES_DIR and the templates produce."""
    diffs = diff_packages(build_packages(samples_dir), out_dir)
    if diffs:
        click.echo("".join(diffs), nl=False)
        click.echo(
            f"would regenerate {len(diffs)} file(s); run `codegen generate`", err=True
        )
        sys.exit(EXIT_DIFFERENT)
    click.echo(f"{out_dir} is up to date")


@main.command()
@click.argument("samples_dir", type=click.Path(path_type=Path))
@reports_errors
def infer(samples_dir: Path) -> None:
    """Print the JSON Schema of one sample set, or of each set of a folder of sets (one with sub-folders)."""
    is_one_set = samples_dir.is_dir() and not any(
        p.is_dir() and not p.name.startswith((".", "_")) for p in samples_dir.iterdir()
    )
    if is_one_set:
        # Named as `generate` names it, so the output is byte for byte the package's schema.json.
        folder = samples_dir.resolve()
        sample_set = SampleSet(samples_dir, f"{folder.parent.name}/{folder.name}")
        click.echo(schema_text(infer_schema(sample_set)[1]), nl=False)
        return
    schemas = {s.directory.name: infer_schema(s)[1] for s in discover_sets(samples_dir)}
    click.echo(schema_text(schemas), nl=False)


@main.command()
@click.argument("document", type=click.Path(path_type=Path))
@click.option(
    "--into",
    "into",
    required=True,
    type=click.Path(path_type=Path),
    help="the sample set folder",
)
@reports_errors
def ingest(document: Path, into: Path) -> None:
    """Extract every JSON value of DOCUMENT (docs text, .json, .jsonl) into sample files."""
    paths = ingest_document(document, into)
    for path in paths:
        click.echo(str(path))
    click.echo(f"{len(paths)} sample(s) in {into}", err=True)
