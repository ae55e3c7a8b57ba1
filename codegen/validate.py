"""`codegen validate`: do new captures fit the committed package, without regenerating it?

The package in the output folder is imported as it is (under a private module name, so a set
named like an installed module cannot clash with it) and each message is decoded with its own
`decode_value`: what the package's users would get. A message fits when it decodes; it may still
hold a variant (`Unknown…` class) or keys (`_extra`) the samples never showed, which the summary
counts: they decode, but a regeneration would type them.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import inspect
import itertools
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from codegen.config import package_name
from codegen.errors import CodegenError, Location
from codegen.ingest import MAX_FILE_SIZE, _read_file
from codegen.jsonreader import ParsedValue, decode_text, parse_values
from codegen.write import made_by_codegen

STDIN = "-"
_module_numbers = itertools.count()


@dataclass
class Report:
    messages: int = 0
    misfits: int = 0
    unknown_variants: int = 0
    unseen_keys: int = 0

    def summary(self) -> str:
        return (
            f"{self.messages} message(s): {self.messages - self.misfits} fit,"
            f" {self.misfits} do not; {self.unknown_variants} with a variant the samples never"
            f" showed, {self.unseen_keys} with keys the samples never showed"
        )


def load_package(out_dir: Path, set_name: str) -> ModuleType:
    """The generated package of a set, imported from out_dir as it is on disk."""
    name = package_name(set_name)
    folder = out_dir / name
    if not made_by_codegen(folder):
        raise CodegenError(
            f"no package {name!r} generated here; run `codegen generate` first",
            Location(str(out_dir)),
        )
    module_name = f"_codegen_validated_{next(_module_numbers)}_{name}"
    spec = importlib.util.spec_from_file_location(
        module_name, folder / "__init__.py", submodule_search_locations=[str(folder)]
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module  # the package's relative imports look it up
    try:
        spec.loader.exec_module(module)
    except Exception as error:
        raise CodegenError(
            f"cannot import the package: {type(error).__name__}: {error}",
            Location(str(folder)),
        ) from None
    return module


def takes_kind(package: ModuleType) -> bool:
    """Whether the package's messages say their kind outside them (decode_value(data, kind))."""
    return "kind" in inspect.signature(package.decode_value).parameters


def messages(file: str) -> list[ParsedValue]:
    """The messages of one capture, read as `generate` reads samples; `-` is standard input."""
    if file != STDIN:
        return [found.parsed for found in _read_file(Path(file), file, MAX_FILE_SIZE)]
    # Concatenated JSON: one value per line (JSON Lines) is a case of it.
    return parse_values(decode_text(sys.stdin.buffer.read(), "<stdin>"), "<stdin>")


def validate(
    package: ModuleType, files: list[str], kind: str | None
) -> Iterator[str | Report]:
    """One line per message that does not fit, then the Report."""
    report = Report()
    needs_kind = takes_kind(package)
    decode, error_type = package.decode_value, package.DecodeError
    for file in files:
        message_kind = kind
        if needs_kind and kind is None:
            if file == STDIN:
                raise CodegenError(
                    "messages of this package say their kind outside them: pass --kind NAME",
                    Location("<stdin>"),
                )
            message_kind = Path(file).resolve().parent.name
        for parsed in messages(file):
            report.messages += 1
            try:
                decoded = (
                    decode(parsed.value, message_kind)
                    if needs_kind
                    else decode(parsed.value)
                )
            except error_type as error:
                report.misfits += 1
                yield f"{parsed.location}: {error}"
                continue
            unknown, extra = _surprises(decoded)
            report.unknown_variants += unknown
            report.unseen_keys += extra
    yield report


def _surprises(decoded: Any) -> tuple[bool, bool]:
    """(holds an Unknown… variant, holds keys the samples never showed), anywhere in the tree."""
    unknown = extra = False
    stack = [decoded]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            stack.extend(node.values())
        elif dataclasses.is_dataclass(node):
            if type(node).__name__.startswith("Unknown"):
                unknown = (
                    True  # the raw object inside is not decoded: nothing to look at
                )
                continue
            extra = extra or getattr(node, "_extra", None) is not None
            stack.extend(getattr(node, f.name) for f in dataclasses.fields(node))
    return unknown, extra
