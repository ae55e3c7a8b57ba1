"""Benchmark: what codegen makes of each captured API corpus, message kind by message kind.

For every API folder of `../shared/corpora/` (beside the repository), generates the package in a
temporary folder, reads every sample back through it and prints:

- per API, a table: kind (the Dispatcher handler a message reaches; `(unknown)` and `(unhandled)`
  for those two handlers, `(decode error)` for a message that does not decode) | messages |
  classes met (distinct model classes in that kind's messages, taken together) | absent/msg
  (fields holding ABSENT, on average);
- per API, a summary: messages, round trips, handlers, dataclasses and enums in `models`, and the
  absent share (absent fields / all fields met);
- an overall table, one row per API; its `classes` are the dataclasses in `models`, and `kinds
  hit` the handlers (pseudo-kinds aside) that received a message; then what value-level inference
  found, counted in schema.json: enums, tuples, maps, formats, recursive types, and classes merged
  from similar records seen at several places.

Messages are the distinct samples as codegen reads them (an exact duplicate counts once).

Fields and classes are counted on the object classes: variant wrappers (the `value`/`raw` holders
of a tagged union) are walked through but not counted, and neither are the codec's bookkeeping
fields (`_extra`, `_key_order`). These numbers show how well inference separates message kinds:
one class per kind means few classes and few absent fields per message.

Run: `python bench/kinds.py [API ...] [--corpora PATH] [--markdown | --json]`. `--markdown`
prints only the overall table, as Markdown; `--json` prints everything as JSON. Exit status 1 if
an API fails to generate or import, or a sample does not round-trip; 0 otherwise (also when there
are no corpora).
"""

from __future__ import annotations

import argparse
import enum
import importlib.util
import inspect
import itertools
import json
import shutil
import sys
import tempfile
from dataclasses import dataclass, field, fields, is_dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from codegen.cli import RECURSION_LIMIT  # noqa: E402
from codegen.ingest import read_sample_set  # noqa: E402
from codegen.pipeline import build_packages  # noqa: E402
from codegen.write import write_packages  # noqa: E402

DEFAULT_CORPORA = REPO.parent / "shared" / "corpora"
SAMPLE_SUFFIXES = (".json", ".jsonl")
# Handlers that catch what no kind handler took: reported as pseudo-kinds, not counted as handlers.
PSEUDO_KINDS = {"on_unknown": "(unknown)", "on_unhandled": "(unhandled)"}
# Left unregistered: it receives raw messages that do not decode, which dispatch then raises.
NOT_A_KIND = "on_error"
DECODE_ERROR = "(decode error)"
# Round-trip failures printed per API: enough to start debugging, few enough to keep tables readable.
SHOWN_FAILURES = 5

_import_numbers = itertools.count()


@dataclass
class KindTally:
    """The messages one handler received."""

    messages: int = 0
    classes: set[str] = field(default_factory=set)
    absent: int = 0


@dataclass
class ApiReport:
    """Everything measured for one API; `failure` says why it could not be measured at all."""

    api: str
    failure: str | None = None
    messages: int = 0
    round_trips: int = 0
    handlers: int = 0
    model_dataclasses: int = 0
    model_enums: int = 0
    fields: int = 0
    absent: int = 0
    kinds: dict[str, KindTally] = field(default_factory=dict)
    round_trip_failures: list[str] = field(default_factory=list)
    value_types: dict[str, int] = field(default_factory=dict)  # see value_types()

    @property
    def kinds_hit(self) -> int:
        """Real handlers (not pseudo-kinds) that received at least one message."""
        return sum(1 for kind in self.kinds if not kind.startswith("("))

    @property
    def absent_per_message(self) -> float:
        return self.absent / self.messages if self.messages else 0.0

    @property
    def absent_share(self) -> float:
        return self.absent / self.fields if self.fields else 0.0

    @property
    def ok(self) -> bool:
        return self.failure is None and self.round_trips == self.messages


@dataclass
class TreeCount:
    """What one decoded message holds: object classes met, fields met, fields that were absent."""

    classes: set[str] = field(default_factory=set)
    fields: int = 0
    absent: int = 0


def measure_api(api_dir: Path) -> ApiReport:
    """Generate the API's package from a copy of its samples and measure every sample through it."""
    report = ApiReport(api_dir.name)
    with tempfile.TemporaryDirectory(prefix="kinds-") as scratch:
        # Named like the original, so codegen's messages say `corpora/<api>/<file>`.
        set_dir = Path(scratch) / "in" / api_dir.parent.name / api_dir.name
        shutil.copytree(api_dir, set_dir, ignore=_not_samples)
        # One API's failure is reported with it and must not stop the others: hence the broad catches.
        try:
            (package,) = build_packages(set_dir.parent)
            write_packages([package], Path(scratch) / "out")
        except Exception as error:
            report.failure = f"generation failed: {type(error).__name__}: {error}"
            return report
        report.value_types = value_types(package.schema)
        try:
            generated = import_fresh(Path(scratch) / "out" / package.name)
        except Exception as error:
            report.failure = f"import failed: {type(error).__name__}: {error}"
            return report
        try:
            measure_samples(report, generated, set_dir, display=str(api_dir))
        except Exception as error:
            report.failure = f"measuring failed: {type(error).__name__}: {error}"
        finally:
            forget(generated.__name__)
    return report


VALUE_TYPES = ("enums", "tuples", "maps", "formats", "recursive", "merged")


def value_types(schema: dict[str, Any]) -> dict[str, int]:
    """What value-level inference found, counted in schema.json: enum defs, tuple and map
    positions, positions with a format, recursive defs, and object defs merged from similar
    records (their evidence says so)."""
    counts = dict.fromkeys(VALUE_TYPES, 0)
    for definition in schema.get("$defs", {}).values():
        counts["enums"] += "x-codegen-enum" in definition
        counts["recursive"] += "x-codegen-recursive" in definition
        evidence = definition.get("x-codegen-evidence", "")
        counts["merged"] += definition.get("type") == "object" and str(
            evidence
        ).startswith("one object seen")
    pending: list[Any] = [schema]
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            counts["tuples"] += "prefixItems" in node
            counts["maps"] += isinstance(node.get("additionalProperties"), dict)
            counts["formats"] += "format" in node or "x-codegen-format" in node
            pending.extend(node.values())
        elif isinstance(node, list):
            pending.extend(node)
    return counts


def _not_samples(folder: str, names: list[str]) -> list[str]:
    """copytree filter: keep sub-folders and sample files, nothing else."""
    return [
        name
        for name in names
        if not (Path(folder) / name).is_dir()
        and not name.lower().endswith(SAMPLE_SUFFIXES)
    ]


def import_fresh(package_dir: Path) -> ModuleType:
    """Import a generated package under a module name no other run uses.

    Not under its own name: two runs of one API, or an API named like an installed module, would
    otherwise get the module already in sys.modules. Its relative imports resolve under the new name.
    """
    name = f"_kinds_{next(_import_numbers)}_{package_dir.name}"
    spec = importlib.util.spec_from_file_location(
        name, package_dir / "__init__.py", submodule_search_locations=[str(package_dir)]
    )
    if spec is None or spec.loader is None:
        raise ImportError(f"no package at {package_dir}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        forget(name)
        raise
    return module


def forget(name: str) -> None:
    """Drop a package and its submodules from sys.modules, so the next API starts clean."""
    for module in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
        del sys.modules[module]


def measure_samples(
    report: ApiReport, generated: ModuleType, set_dir: Path, display: str
) -> None:
    """Round-trip, route and count every sample of the set into report."""
    models = importlib.import_module(f"{generated.__name__}.models")
    own_classes = [
        value
        for value in vars(models).values()
        if isinstance(value, type) and value.__module__ == models.__name__
    ]
    report.model_dataclasses = sum(1 for cls in own_classes if is_dataclass(cls))
    report.model_enums = sum(
        1
        for cls in own_classes
        if issubclass(cls, enum.Enum) and cls is not generated.Absent
    )
    dispatcher, received, report.handlers = recording_dispatcher(generated.Dispatcher)
    takes_kind = "kind" in inspect.signature(dispatcher.dispatch).parameters
    for sample in read_sample_set(set_dir, display):
        report.messages += 1
        count = TreeCount()
        try:
            decoded = generated.decode_value(sample.value)
            encoded = json.dumps(generated.encode(decoded))
        # A DecodeError or a bug in the generated codec: either way, no round trip.
        except Exception as error:
            report.round_trip_failures.append(
                f"{sample.origin}: {type(error).__name__}: {error}"
            )
        else:
            if encoded == json.dumps(sample.value):
                report.round_trips += 1
            else:
                report.round_trip_failures.append(
                    f"{sample.origin}: encodes differently"
                )
            count_tree(decoded, generated.ABSENT, count)
        sub_folder = sample_sub_folder(sample.origin.file, display)
        dispatch_kind = {"kind": sub_folder} if takes_kind and sub_folder else {}
        kind = route(
            dispatcher,
            received,
            json.dumps(sample.value),
            dispatch_kind,
            generated.DecodeError,
        )
        tally = report.kinds.setdefault(kind, KindTally())
        tally.messages += 1
        tally.classes |= count.classes
        tally.absent += count.absent
        report.fields += count.fields
        report.absent += count.absent


def recording_dispatcher(dispatcher_class: type) -> tuple[Any, list[str], int]:
    """A Dispatcher whose every handler appends its kind to a list; and how many real handlers it has.

    Handlers are found with dir(), so a package with only on_message and one with a handler per
    variant are measured alike.
    """
    dispatcher = dispatcher_class()
    received: list[str] = []
    names = [
        name
        for name in dir(dispatcher)
        if name.startswith("on_")
        and name != NOT_A_KIND
        and callable(getattr(dispatcher, name))
    ]
    for name in names:
        getattr(dispatcher, name)(recorder(received, PSEUDO_KINDS.get(name, name)))
    return dispatcher, received, sum(1 for name in names if name not in PSEUDO_KINDS)


def recorder(received: list[str], kind: str) -> Any:
    """A handler that notes its kind, whatever arguments (message, payload) it is called with."""

    def record(*args: Any, **kwargs: Any) -> None:
        received.append(kind)

    return record


def sample_sub_folder(file: str, display: str) -> str | None:
    """The sub-folder of the set a sample's file sits in (`display/trades/x.json` -> trades)."""
    parts = file[len(display) + 1 :].split("/")
    return parts[0] if len(parts) > 1 else None


def route(
    dispatcher: Any,
    received: list[str],
    text: str,
    dispatch_kind: dict[str, str],
    decode_error: type[Exception],
) -> str:
    """The kind the dispatcher sends one message to.

    The message goes in as JSON text: dispatch reads a str as text, so a root that is a JSON string
    would be misread if passed parsed.
    """
    received.clear()
    try:
        dispatcher.dispatch(text, **dispatch_kind)
    except decode_error:
        return DECODE_ERROR
    return " + ".join(received) or "(no handler)"


def count_tree(node: Any, absent: object, count: TreeCount) -> None:
    """Count the object classes, fields and absent fields of a decoded value, recursively."""
    if is_dataclass(node) and not isinstance(node, type):
        data_fields = [f.name for f in fields(node) if f.init]
        if is_variant_wrapper(node, data_fields):
            count_tree(getattr(node, data_fields[0]), absent, count)
            return
        count.classes.add(type(node).__name__)
        count.fields += len(data_fields)
        for name in data_fields:
            value = getattr(node, name)
            if value is absent:
                count.absent += 1
            else:
                count_tree(value, absent, count)
    elif isinstance(node, (list, tuple)):
        for item in node:
            count_tree(item, absent, count)
    elif isinstance(node, dict):
        for item in node.values():
            count_tree(item, absent, count)
    elif not isinstance(node, (str, int, float, enum.Enum, type(None))):
        for held in ("value", "raw"):
            if hasattr(node, held):
                count_tree(getattr(node, held), absent, count)


def is_variant_wrapper(node: Any, data_fields: list[str]) -> bool:
    """A tagged-union variant (`PositionCreated(value)`, `Unknown…(raw)`), not a JSON object class.

    Object classes always carry `_extra` (unknown keys, kept for the exact round trip).
    """
    return data_fields in (["value"], ["raw"]) and not hasattr(node, "_extra")


# --- output ------------------------------------------------------------------------------------

OVERALL_HEADERS = [
    "API",
    "msgs",
    "round-trip",
    "handlers",
    "kinds hit",
    "classes",
    "avg absent/msg",
    "absent share",
    *VALUE_TYPES,
]


def text_table(headers: list[str], rows: list[list[str]]) -> str:
    """Columns padded to their widest cell; the first left-aligned, the rest right-aligned."""
    widths = [max(len(row[i]) for row in [headers, *rows]) for i in range(len(headers))]

    def line(cells: list[str]) -> str:
        first, *rest = cells
        return "  ".join(
            [first.ljust(widths[0]), *(c.rjust(w) for c, w in zip(rest, widths[1:]))]
        ).rstrip()

    return "\n".join(line(row) for row in [headers, *rows])


def markdown_table(headers: list[str], rows: list[list[str]]) -> str:
    divider = ["---", *("---:" for _ in headers[1:])]
    return "\n".join(
        "| " + " | ".join(cells) + " |" for cells in [headers, divider, *rows]
    )


def kind_rows(report: ApiReport) -> list[list[str]]:
    """Busiest kinds first; ties by name."""
    ordered = sorted(
        report.kinds.items(), key=lambda item: (-item[1].messages, item[0])
    )
    return [
        [
            kind,
            str(tally.messages),
            str(len(tally.classes)),
            f"{tally.absent / tally.messages:.2f}",
        ]
        for kind, tally in ordered
    ]


def summary_line(report: ApiReport) -> str:
    return (
        f"messages {report.messages}, round-trip {report.round_trips}/{report.messages},"
        f" handlers {report.handlers}, dataclasses {report.model_dataclasses},"
        f" enums {report.model_enums}, absent share {report.absent_share:.1%}"
        f" ({report.absent} of {report.fields} fields)"
    )


def api_section(report: ApiReport) -> str:
    lines = [f"== {report.api}"]
    if report.failure is not None:
        return "\n".join([*lines, f"error: {report.failure}"])
    lines.append(
        text_table(["kind", "messages", "classes met", "absent/msg"], kind_rows(report))
    )
    lines.append(summary_line(report))
    failures = report.round_trip_failures
    lines += [f"round trip failed: {failure}" for failure in failures[:SHOWN_FAILURES]]
    if len(failures) > SHOWN_FAILURES:
        lines.append(
            f"... and {len(failures) - SHOWN_FAILURES} more round-trip failures"
        )
    return "\n".join(lines)


def overall_row(report: ApiReport) -> list[str]:
    if report.failure is not None:
        return [report.api, "failed", *("-" for _ in OVERALL_HEADERS[2:])]
    return [
        report.api,
        str(report.messages),
        f"{report.round_trips}/{report.messages}",
        str(report.handlers),
        str(report.kinds_hit),
        str(report.model_dataclasses),
        f"{report.absent_per_message:.2f}",
        f"{report.absent_share:.1%}",
        *(str(report.value_types.get(name, 0)) for name in VALUE_TYPES),
    ]


def as_json(report: ApiReport) -> dict[str, Any]:
    return {
        "api": report.api,
        "failure": report.failure,
        "messages": report.messages,
        "round_trips": report.round_trips,
        "round_trip_failures": report.round_trip_failures,
        "handlers": report.handlers,
        "kinds_hit": report.kinds_hit,
        "model_dataclasses": report.model_dataclasses,
        "model_enums": report.model_enums,
        "fields": report.fields,
        "absent": report.absent,
        "absent_per_message": report.absent_per_message,
        "absent_share": report.absent_share,
        "value_types": report.value_types,
        "kinds": {
            kind: {
                "messages": tally.messages,
                "classes": sorted(tally.classes),
                "absent_per_message": tally.absent / tally.messages,
            }
            for kind, tally in report.kinds.items()
        },
    }


def api_folders(corpora: Path) -> list[Path]:
    """Every sub-folder of the corpora folder is an API; SOURCE.json and hidden entries are not."""
    return sorted(
        path
        for path in corpora.iterdir()
        if path.is_dir() and not path.name.startswith((".", "_"))
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="What codegen makes of each API corpus: kinds, classes, absent fields."
    )
    parser.add_argument("apis", nargs="*", metavar="API", help="only these API folders")
    parser.add_argument("--corpora", type=Path, default=DEFAULT_CORPORA)
    output = parser.add_mutually_exclusive_group()
    output.add_argument(
        "--markdown", action="store_true", help="only the overall table, as Markdown"
    )
    output.add_argument("--json", action="store_true", help="everything, as JSON")
    args = parser.parse_args(argv)

    folders = api_folders(args.corpora) if args.corpora.is_dir() else []
    if not folders:
        print(f"no API corpora in {args.corpora}: nothing to measure", file=sys.stderr)
        return 0
    if args.apis:
        missing = sorted(set(args.apis) - {folder.name for folder in folders})
        if missing:
            parser.error(f"no API folder {', '.join(missing)} in {args.corpora}")
        folders = [folder for folder in folders if folder.name in args.apis]

    # As `codegen generate` does: deep samples need deep recursion in inference and rendering.
    sys.setrecursionlimit(max(sys.getrecursionlimit(), RECURSION_LIMIT))
    reports = []
    for folder in folders:
        report = measure_api(folder)
        reports.append(report)
        if not (args.markdown or args.json):
            print(api_section(report) + "\n", flush=True)
        elif report.failure is not None:
            print(f"{report.api}: {report.failure}", file=sys.stderr)

    rows = [overall_row(report) for report in reports]
    if args.json:
        print(json.dumps([as_json(report) for report in reports], indent=2))
    elif args.markdown:
        print(markdown_table(OVERALL_HEADERS, rows))
    else:
        print("== overall")
        print(text_table(OVERALL_HEADERS, rows))
    return 0 if all(report.ok for report in reports) else 1


if __name__ == "__main__":
    sys.exit(main())
