"""Per-set settings: an optional `codegen.toml` beside the samples of a set.

    root_name = "Feed"                  # the root type's class name

    [paths."$"]                         # what inference would guess at a JSON path ($, .key, [*], .*)
    tag = "type"                        # the key whose value names the kind; ["type", "channel"]
                                        # for a composite tag; false: one kind here, no union
    not_tags = ["id"]                   # keys that are never the tag here
    variant_names = { l2update = "Level2Update" }   # a kind's class, by tag value (or key)

    [paths."$.data"]
    name = "Payload"                    # the class (or union) of the objects here

Every mistake (an unknown setting, a path that matches nothing, a name that is not a class name)
is an error naming the line.
"""

from __future__ import annotations

import json
import keyword
import re
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from codegen.errors import CodegenError, Location
from codegen.infer.naming import RESERVED_NAMES
from codegen.infer.overrides import Overrides, PathOverride, PathSyntaxError, parse_path
from codegen.ingest import MAX_FILE_SIZE
from codegen.words import pascal, words

CONFIG_FILE = "codegen.toml"
_KNOWN_KEYS = {"root_name", "max_file_size", "paths"}
_PATH_KEYS = {"tag", "not_tags", "name", "variant_names", "enum"}


@dataclass(frozen=True)
class SetConfig:
    package: str  # the generated package's name (a Python identifier)
    root_name: str  # the root type's class name
    max_file_size: int = MAX_FILE_SIZE  # bytes; a larger sample file is an error
    overrides: Overrides = field(default_factory=Overrides)


# Standard-library modules a generated package must not shadow: this Python's list plus the
# modules later versions add, so the package name is the same whatever Python runs codegen.
STDLIB_MODULES = frozenset(sys.stdlib_module_names) | {"annotationlib", "compression"}


def package_name(set_name: str) -> str:
    """`my-api` -> my_api: a set's folder name as an importable package name.

    A name that is a keyword or a standard-library module (`json`, `email`) gets `_api` appended:
    a package named `json` on sys.path would replace the real one.
    """
    name = re.sub(r"[^0-9a-z_]+", "_", set_name.lower()).strip("_") or "samples"
    if name[0].isdigit():
        name = "api_" + name
    if keyword.iskeyword(name) or keyword.issoftkeyword(name) or name in STDLIB_MODULES:
        name += "_api"
    return name


def load_config(set_dir: Path, display: str) -> SetConfig:
    package = package_name(set_dir.name)
    path = set_dir / CONFIG_FILE
    if not path.is_file():
        return SetConfig(package, default_root_name(set_dir.name))
    file = f"{display}/{CONFIG_FILE}"
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except RecursionError:
        raise CodegenError(
            "cannot read it as TOML: nested too deeply", Location(file)
        ) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as error:
        raise CodegenError(f"cannot read it as TOML: {error}", Location(file)) from None
    lines = _Lines(file, text)
    unknown = sorted(set(data) - _KNOWN_KEYS)
    if unknown:
        raise CodegenError(
            f"unknown setting {unknown[0]!r}; expected one of {sorted(_KNOWN_KEYS)}",
            lines.of_key(unknown[0]),
        )
    root_name = data.get("root_name", default_root_name(set_dir.name))
    _check_class_name(root_name, "root_name", lines.of_key("root_name"))
    paths = data.get("paths", {})
    if not isinstance(paths, dict):
        raise CodegenError(
            'paths must be tables like [paths."$.data"]', lines.of_key("paths")
        )
    entries = tuple(
        _path_override(pattern, settings, lines) for pattern, settings in paths.items()
    )
    max_file_size = data.get("max_file_size", MAX_FILE_SIZE)
    if type(max_file_size) is not int or max_file_size < 1:
        raise CodegenError(
            f"max_file_size must be a positive number of bytes, found {max_file_size!r}",
            lines.of_key("max_file_size"),
        )
    return SetConfig(package, root_name, max_file_size, Overrides(entries))


class _Lines:
    """Finds the line a setting is on, for error messages (tomllib does not say)."""

    def __init__(self, file: str, text: str) -> None:
        self.file = file
        self.lines = text.splitlines()

    def find(self, pattern: str, start: int = 0) -> int | None:
        for number in range(start, len(self.lines)):
            if re.search(pattern, self.lines[number]):
                return number
        return None

    def of_key(self, key: str, table: int | None = None) -> Location:
        """Where `key = ...` is set (inside the table starting at line index `table`)."""
        start = 0 if table is None else table
        number = self.find(
            rf"^\s*{re.escape(key)}\s*=|^\s*\[\s*{re.escape(key)}\b", start
        )
        if number is None:
            number = start
        return Location(self.file, number + 1)

    def of_table(self, pattern: str) -> int:
        quoted = re.escape(json.dumps(pattern))
        single = re.escape(f"'{pattern}'")
        number = self.find(
            rf"^\s*\[\s*paths\s*\.\s*({quoted}|{single})|^\s*paths\s*\.\s*({quoted}|{single})|{quoted}\s*="
        )
        return 0 if number is None else number


def _path_override(pattern: str, settings: Any, lines: _Lines) -> PathOverride:
    table = lines.of_table(pattern)
    where = Location(lines.file, table + 1)
    try:
        parse_path(pattern)
    except PathSyntaxError as error:
        raise CodegenError(str(error), where) from None
    if not isinstance(settings, dict):
        raise CodegenError(f"paths.{pattern!r} must be a table of settings", where)
    unknown = sorted(set(settings) - _PATH_KEYS)
    if unknown:
        raise CodegenError(
            f"unknown setting {unknown[0]!r} for path {pattern!r}; expected one of"
            f" {sorted(_PATH_KEYS)}",
            lines.of_key(unknown[0], table),
        )
    tag = settings.get("tag")
    no_union = tag is False
    if isinstance(tag, str):
        tag = [tag]
    if (
        tag is not None
        and not no_union
        and not (isinstance(tag, list) and tag and all(isinstance(k, str) for k in tag))
    ):
        raise CodegenError(
            'tag must be a key ("type"), a list of keys (["table", "action"]) or false',
            lines.of_key("tag", table),
        )
    not_tags = settings.get("not_tags", [])
    if not isinstance(not_tags, list) or not all(isinstance(k, str) for k in not_tags):
        raise CodegenError(
            "not_tags must be a list of keys", lines.of_key("not_tags", table)
        )
    name = settings.get("name")
    if name is not None:
        _check_class_name(name, "name", lines.of_key("name", table))
        if pattern == "$":
            raise CodegenError(
                "the root's class name is set by root_name, not by a name at '$'",
                lines.of_key("name", table),
            )
    variant_names = settings.get("variant_names", {})
    if not isinstance(variant_names, dict):
        raise CodegenError(
            "variant_names must be a table of tag value = class name",
            lines.of_key("variant_names", table),
        )
    for class_name in variant_names.values():
        _check_class_name(
            class_name, "a variant name", lines.of_key("variant_names", table)
        )
    enum = settings.get("enum")
    if enum is not None and not isinstance(enum, bool):
        raise CodegenError("enum must be true or false", lines.of_key("enum", table))
    return PathOverride(
        pattern,
        where,
        enum=enum,
        tag=tuple(tag) if tag and not no_union else (),
        no_union=no_union,
        not_tags=frozenset(not_tags),
        name=name,
        variant_names=dict(variant_names),
    )


def _check_class_name(name: Any, what: str, where: Location) -> None:
    if not isinstance(name, str) or not re.fullmatch(r"[A-Z][A-Za-z0-9]*", name):
        raise CodegenError(
            f"{what} must be a class name like 'OrderBook', found {name!r}", where
        )
    if name in RESERVED_NAMES:
        raise CodegenError(
            f"{what} {name!r} is a name the generated code uses itself; choose another",
            where,
        )


def default_root_name(set_name: str) -> str:
    """`trading` -> TradingMessage."""
    return pascal(words(set_name)) + "Message"
