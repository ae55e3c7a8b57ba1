"""The `codegen` command: generate, check, diff, validate, infer, ingest."""

from __future__ import annotations

import importlib
import os
import signal
import sys
import threading
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from codegen.cache_folder import nothing_remembered
from codegen.errors import CodegenError, Interrupted, Location, shown, status
from codegen.render import wire_worker

if TYPE_CHECKING:
    from codegen.cache import GenerateCache
    from codegen.config import load_project
    from codegen.diff import (
        committed_schemas,
        package_changes,
        render_json,
        render_text,
    )
    from codegen.ingest import ingest_document
    from codegen.pipeline import (
        SampleSet,
        build_packages,
        discover_sets,
        each_set,
        infer_schema,
    )
    from codegen.render import schema_text
    from codegen.validate import Report, load_package, validate as validate_messages
    from codegen.write import (
        check_output_location,
        diff_packages,
        package_files,
        write_packages,
    )

# The rest of codegen: imported when a command first needs it, after `generate` and `check` have
# started their datamodel-code-generator worker, so its import overlaps these
# (render/wire_worker.py). Bound as names of this module, patchable like any other.
_COMMAND_NAMES = {
    "codegen.cache": ("GenerateCache",),
    "codegen.config": ("load_project",),
    "codegen.diff": (
        "committed_schemas",
        "package_changes",
        "render_json",
        "render_text",
    ),
    "codegen.ingest": ("ingest_document",),
    "codegen.pipeline": (
        "SampleSet",
        "build_packages",
        "discover_sets",
        "each_set",
        "infer_schema",
    ),
    "codegen.render": ("schema_text",),
    "codegen.validate": ("Report", "load_package", "validate_messages"),
    "codegen.write": (
        "check_output_location",
        "diff_packages",
        "package_files",
        "write_packages",
    ),
}
_IMPORTED_AS = {"validate_messages": "validate"}


def _load_command_names() -> None:
    """Bind the names of _COMMAND_NAMES in this module, once (a name bound already is kept)."""
    names = globals()
    for module_name, module_names in _COMMAND_NAMES.items():
        if all(name in names for name in module_names):
            continue
        module = importlib.import_module(module_name)
        for name in module_names:
            names.setdefault(name, getattr(module, _IMPORTED_AS.get(name, name)))


def __getattr__(name: str) -> Any:
    """`codegen.cli.build_packages` and the like, imported on first access."""
    if any(name in names for names in _COMMAND_NAMES.values()):
        _load_command_names()
        return globals()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


F = TypeVar("F", bound=Callable[..., Any])

# Exit statuses: 0 fine, 1 `check` found differences, 2 bad input or a problem of the environment
# (a file that cannot be read or written, a full disk), 3 a bug in codegen itself, 130 interrupted
# (128 + SIGINT, what a shell reports for a program that Ctrl-C ended).
EXIT_DIFFERENT, EXIT_BAD_INPUT, EXIT_INTERNAL, EXIT_INTERRUPTED = 1, 2, 3, 130

# Deep samples need deep recursion in inference and rendering; the reader caps nesting well below.
RECURSION_LIMIT = 10_000


def reports_errors(command: F) -> F:
    """Bad input ends in one clear line and exit 2, never a traceback (CODEGEN_DEBUG=1 shows it)."""

    @wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        sys.setrecursionlimit(max(sys.getrecursionlimit(), RECURSION_LIMIT))
        try:
            if sys.stdout is None:
                raise CodegenError("standard output is closed; nothing was done")
            try:
                return command(*args, **kwargs)
            finally:
                status("")  # a progress line on the terminal goes before any message
        except CodegenError as error:
            click.echo(f"error: {error}", err=True)
            sys.exit(EXIT_BAD_INPUT)
        except Interrupted as error:
            click.echo(f"interrupted: {error}", err=True)
            sys.exit(EXIT_INTERRUPTED)
        except KeyboardInterrupt:
            click.echo("interrupted: no file is left half-written", err=True)
            sys.exit(EXIT_INTERRUPTED)
        except (
            OSError
        ) as error:  # a file the commands did not expect to fail on: still not a bug
            where = f"{Location(str(error.filename))}: " if error.filename else ""
            click.echo(f"error: {where}{error.strerror or error}", err=True)
            sys.exit(EXIT_BAD_INPUT)
        except Exception as error:
            if os.environ.get("CODEGEN_DEBUG"):
                raise
            click.echo(
                f"internal error: {type(error).__name__}: {error}\n"
                "This is a bug in codegen: please report it with the output of the same command"
                " run with CODEGEN_DEBUG=1, which shows where it happened.",
                err=True,
            )
            sys.exit(EXIT_INTERNAL)

    return run  # type: ignore[return-value]


def emit(text: str, *, nl: bool = True) -> None:
    """Print a result on stdout; a full or closed stdout is an error of the environment, not a bug."""
    try:
        click.echo(text, nl=nl)
        sys.stdout.flush()
    except OSError as error:
        _discard_stdout()
        raise CodegenError(
            f"cannot write to standard output: {error.strerror or error}"
        ) from None


def _discard_stdout() -> None:
    """Point stdout at /dev/null, so the flush at exit does not fail a second time."""
    try:
        descriptor = sys.stdout.fileno()
    except (AttributeError, ValueError, OSError):  # not a real file (tests capture it)
        return
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, descriptor)
    os.close(null)


def samples_and_output(command: F) -> F:
    """The SAMPLES_DIR argument and -o/--out option that generate, check and diff share."""
    command = out_option(command)
    return click.argument(
        "samples_dir", required=False, type=click.Path(path_type=Path)
    )(command)


out_option = click.option(
    "-o",
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    help="the folder of generated packages (default: `out` of [tool.codegen] in"
    " pyproject.toml, else generated)",
)


def project_folders(
    samples_dir: Path | None, out_dir: Path | None
) -> tuple[Path, Path]:
    """The folders the command line gives, else those of [tool.codegen], else the built-ins."""
    project = load_project()
    if samples_dir is None:
        samples_dir = (
            project.samples if project and project.samples else Path("samples")
        )
    if out_dir is None:
        out_dir = project.out if project and project.out else Path("generated")
    return samples_dir, out_dir


no_wait_option = click.option(
    "--no-wait",
    is_flag=True,
    help="fail at once when another codegen run is using OUT_DIR, instead of waiting for it",
)

jobs_option = click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=0),
    default=1,
    show_default=True,
    help="processes reading each set's files (0: one per CPU); the output is the same",
)


class CodegenGroup(click.Group):
    """click's group, except that Ctrl-C while click itself parses exits 130, not 1 with `Aborted!`."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        # Every statement is in the try: a Ctrl-C that lands on any line of this method is an
        # interrupt, never a traceback. (standalone_mode=False: the caller sees what is raised.)
        try:
            # click's overloads cannot type a pass-through of *args
            run: Any = super().main
            status = run(*args, **{**kwargs, "standalone_mode": False})
            if not kwargs.get("standalone_mode", True):
                return status
            sys.exit(status if isinstance(status, int) else 0)
        except (click.Abort, KeyboardInterrupt):  # click turns most into Abort, not all
            if not kwargs.get("standalone_mode", True):
                raise
            click.echo("interrupted: nothing was done", err=True)
            sys.exit(EXIT_INTERRUPTED)
        except click.ClickException as error:
            if not kwargs.get("standalone_mode", True):
                raise
            error.show()
            sys.exit(error.exit_code)


def examples(*lines: str) -> str:
    """A command's --help epilog: example command lines, each with what it does."""
    return "\b\nExamples:\n" + "\n".join(f"  {line}" for line in lines)


@click.group(
    cls=CodegenGroup,
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog="Run `codegen COMMAND -h` for the options and examples of a command.",
)
@click.version_option(package_name="codegen", prog_name="codegen")
def main() -> None:
    """Turn captured JSON samples into a typed, vendorable Python package.

    \b
    codegen generate                    samples/<set>/ -> generated/<set>/
    codegen check                       in CI: is generated/ what the samples give?
    codegen diff                        what regenerating would change in the types
    codegen validate trading cap.jsonl  do new captures fit the committed package?

    Exit statuses: 0 fine, 1 differences (check, diff) or messages that do not fit (validate),
    2 bad input, 3 a bug in codegen, 130 interrupted.
    """


@main.command(
    epilog=examples(
        "codegen generate                    # samples/<set>/ -> generated/<set>/",
        "codegen generate api/samples -o src/bindings",
        "codegen generate -j 0               # big captures: read files on every CPU",
    )
)
@samples_and_output
@click.option(
    "--force",
    is_flag=True,
    help="replace folders named like a set that codegen did not make",
)
@no_wait_option
@jobs_option
@reports_errors
def generate(
    samples_dir: Path | None,
    out_dir: Path | None,
    force: bool,
    no_wait: bool,
    jobs: int,
) -> None:
    """Generate one package per sample set of SAMPLES_DIR (default: samples) into OUT_DIR.

    Prints each package written (or unchanged: its folder held its files already), and each
    package removed because its sample set is gone. A set whose samples, settings and package are
    as the last run left them is not generated again (what is remembered is kept outside OUT_DIR,
    in $CODEGEN_CACHE_DIR or ~/.cache/codegen). On a terminal, stderr shows which set is being
    worked on.
    """
    # The worker starts at once when every set will be built (nothing is remembered), else with
    # the first set to build: a run that skips every set needs none.
    with wire_worker.running(at_once=nothing_remembered()):
        _load_command_names()
        samples_dir, out_dir = project_folders(samples_dir, out_dir)
        check_output_location(samples_dir, out_dir)
        previous = committed_schemas(out_dir, skip_unreadable=True)
        cache = GenerateCache(out_dir, previous)
        try:
            packages = build_packages(samples_dir, previous, jobs, cache)
        except KeyboardInterrupt:
            raise Interrupted(f"{shown(str(out_dir))} was left as it was") from None
        written, removed = write_packages(
            packages, out_dir, force=force, wait=not no_wait
        )
        _ignore_interrupts()  # the output is complete: Ctrl-C from here on cannot make it less so
    cache.remember(packages)
    for package in packages:
        verb = "wrote" if package.name in written else "unchanged"
        emit(
            f"{verb} {shown(str(out_dir / package.name))} ({len(package_files(package))} files)"
        )
    for name in removed:
        emit(
            f"removed {shown(str(out_dir / name))}: no sample set produces it any more"
        )


def _ignore_interrupts() -> None:
    """A run whose work is done exits 0, even when Ctrl-C lands while it reports or exits."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)


@main.command(
    epilog=examples(
        "codegen check --no-wait             # in CI: exit 1 when generated/ is stale",
    )
)
@samples_and_output
@no_wait_option
@jobs_option
@reports_errors
def check(
    samples_dir: Path | None, out_dir: Path | None, no_wait: bool, jobs: int
) -> None:
    """Exit 1 with a diff if OUT_DIR is not exactly what SAMPLES_DIR and the templates produce.

    The changes to the bindings (as `codegen diff` says them) come first, then the unified diff.
    """
    with wire_worker.running():
        _load_command_names()  # while the worker starts
        samples_dir, out_dir = project_folders(samples_dir, out_dir)
        check_output_location(samples_dir, out_dir)
        committed = committed_schemas(out_dir, skip_unreadable=True)
        packages = build_packages(samples_dir, committed, jobs)
    diffs = diff_packages(packages, out_dir, wait=not no_wait)
    if diffs:
        new = {package.name: package.schema for package in packages}
        emit(render_text(package_changes(committed_schemas(out_dir), new)))
        emit("".join(diffs), nl=False)
        click.echo(
            f"would regenerate {len(diffs)} file(s); run `codegen generate`", err=True
        )
        sys.exit(EXIT_DIFFERENT)
    emit(f"{shown(str(out_dir))} is up to date")


@main.command(
    epilog=examples(
        "codegen diff                        # readers/builders: breaking or ok",
        "codegen diff --format json > changes.json",
    )
)
@samples_and_output
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="json: a list of changes for tools",
)
@jobs_option
@reports_errors
def diff(
    samples_dir: Path | None, out_dir: Path | None, output_format: str, jobs: int
) -> None:
    """Say what regenerating OUT_DIR from SAMPLES_DIR would change in the bindings.

    Compares each package's committed schema.json with the schema the samples give now: classes,
    unions, variants and fields added, removed or renamed, fields that became optional or
    nullable, types widened or narrowed; each marked breaking or ok for code that reads decoded
    messages and for code that builds them, with the sample that caused it. Exit 1 when anything
    changed, 0 when nothing did.
    """
    _load_command_names()
    samples_dir, out_dir = project_folders(samples_dir, out_dir)
    check_output_location(samples_dir, out_dir)
    committed = committed_schemas(out_dir)
    new = dict(
        infer_schema(s, committed, jobs) for s in each_set(discover_sets(samples_dir))
    )
    changes = package_changes(committed, new)
    emit(
        render_json(changes) if output_format == "json" else render_text(changes),
        nl=False,
    )
    if changes:
        sys.exit(EXIT_DIFFERENT)


@main.command(
    epilog=examples(
        "codegen validate trading captures/today.jsonl",
        "tail -n 1000 feed.jsonl | codegen validate trading -",
    )
)
@click.argument("set_name", metavar="SET")
@click.argument("files", nargs=-1, required=True)
@out_option
@click.option(
    "--kind",
    help="the kind of every message, for packages whose messages say it outside them"
    " (default: the name of each file's folder)",
)
@reports_errors
def validate(
    set_name: str, files: tuple[str, ...], out_dir: Path | None, kind: str | None
) -> None:
    """Check captures against the committed package of SET, without regenerating it.

    FILES are read as the samples of a set are (.json, .jsonl, .log, .har, docs text); -
    reads JSON values from standard input.

    Prints each message that does not decode (file:line:column, JSON path, reason) and a summary,
    counting messages that decode but hold a variant or keys the samples never showed. Exit 1
    when any message does not fit.
    """
    _load_command_names()
    out_dir = project_folders(None, out_dir)[1]
    package = load_package(out_dir, set_name)
    for line in validate_messages(package, list(files), kind):
        if isinstance(line, Report):
            emit(line.summary())
            if line.misfits:
                sys.exit(EXIT_DIFFERENT)
        else:
            emit(line)


@main.command(epilog=examples("codegen infer samples/trading > trading.schema.json"))
@click.argument("samples_dir", type=click.Path(path_type=Path))
@jobs_option
@reports_errors
def infer(samples_dir: Path, jobs: int) -> None:
    """Print the JSON Schema of one sample set, or of each set of a folder of sets (one with sub-folders)."""
    _load_command_names()
    is_one_set = samples_dir.is_dir() and not any(
        p.is_dir() and not p.name.startswith((".", "_")) for p in samples_dir.iterdir()
    )
    if is_one_set:
        # Named as `generate` names it, so the output is byte for byte the package's schema.json.
        folder = samples_dir.resolve()
        sample_set = SampleSet(samples_dir, f"{folder.parent.name}/{folder.name}")
        emit(schema_text(infer_schema(sample_set, jobs=jobs)[1]), nl=False)
        return
    schemas = {
        s.directory.name: infer_schema(s, jobs=jobs)[1]
        for s in each_set(discover_sets(samples_dir))
    }
    emit(schema_text(schemas), nl=False)


@main.command(
    epilog=examples(
        "codegen ingest docs/websocket-api.md --into samples/trading",
        "codegen ingest session.har --into samples/myapi   # JSON responses, frames received",
        "codegen ingest feed.log --into samples/myapi      # `1617123456.789: {...}` lines",
    )
)
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
    """Extract every JSON value of DOCUMENT (docs text, .json, .jsonl, .log, .har) into sample
    files, one per distinct value."""
    _load_command_names()
    paths = ingest_document(document, into)
    for path in paths:
        emit(shown(str(path)))
    click.echo(f"{len(paths)} sample(s) in {shown(str(into))}", err=True)
