"""Per-set settings: an optional `codegen.toml` beside the samples of a set.

    root_name = "Feed"                  # the root type's class name

    [paths."$"]                         # what inference would guess at a JSON path ($, .key, [*], .*)
    tag = "type"                        # the key whose value names the kind; ["type", "channel"]
                                        # for a composite tag; false: one kind here, no union
    not_tags = ["id"]                   # keys that are never the tag here
    variant_names = { l2update = "Level2Update" }   # a kind's class, by tag value (or key)

    [paths."$.data"]
    name = "Payload"                    # the class (or union, or enum) of the values here
    map = false                         # the objects here are a record (true: a dict[str, V])

    [paths."$.data[*]"]
    tuple = true                        # the arrays here are a tuple (false: a list)
    items = { 0 = "channel_id", -1 = "pair" }   # positional kinds' attributes, by index
                                        # (from the end when negative; else item_0, item_1...)

    [paths."$.data.side"]
    enum = "closed"                     # an enum; "open" (or true): any other value decodes,
                                        # "closed": a value never seen is a DecodeError; false: none
    field = "order_side"                # the Python attribute of the key this path ends in
    format = "none"                     # uuid, date-time, iso-date-time, date, decimal,
                                        # epoch-seconds (-milliseconds, -microseconds,
                                        # -nanoseconds), or none: never a format here

    [paths."$.tree.children[*]"]
    recursive = "$.tree"                # the objects here are those of an enclosing path (a
                                        # tree); false: no recursion found here

Every mistake (an unknown setting, a path that matches nothing, a name that is not a class name)
is an error naming the line.

The same settings may sit in the project's pyproject.toml (the nearest one in the current folder
or its parents), so a repository keeps them in one place:

    [tool.codegen]
    samples = "api/samples"             # SAMPLES_DIR when the command line gives none
    out = "src/bindings"                # OUT_DIR when the command line gives none
    max_file_size = 1048576             # for every set

    [tool.codegen.sets.trading]         # one set: the keys of its codegen.toml
    root_name = "Feed"
    [tool.codegen.sets.trading.paths."$"]
    tag = "type"

Precedence, first wins: the command line, the set's codegen.toml, [tool.codegen.sets.<set>],
[tool.codegen], built-in defaults. `paths` entries add up: codegen.toml's come last, so where
both match a position, codegen.toml's wins. Folders in pyproject.toml are relative to it.
"""

from __future__ import annotations

import copy
import json
import keyword
import re
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from codegen.errors import CodegenError, Location
from codegen.infer.looks import FORMATS
from codegen.infer.naming import RESERVED_NAMES
from codegen.infer.overrides import Overrides, PathOverride, PathSyntaxError, parse_path
from codegen.ingest import MAX_FILE_SIZE
from codegen.render.identifiers import ANNOTATION_NAMES
from codegen.words import pascal, words

CONFIG_FILE = "codegen.toml"
_KNOWN_KEYS = {"root_name", "max_file_size", "paths"}
_PATH_KEYS = {
    "tag",
    "not_tags",
    "name",
    "variant_names",
    "enum",
    "tuple",
    "items",
    "map",
    "field",
    "format",
    "recursive",
}
# `enum = ...`: on (open), off, or closed (a value never seen is a DecodeError).
_ENUM_SETTINGS: dict[object, tuple[bool, bool]] = {
    True: (True, False),
    "open": (True, False),
    "closed": (True, True),
    False: (False, False),
}


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
    """A set's settings: its codegen.toml over the project's pyproject.toml over the defaults."""
    project = load_project()
    settings: dict[str, Any] = {
        "root_name": default_root_name(set_dir.name),
        "max_file_size": MAX_FILE_SIZE,
    }
    entries: list[PathOverride] = []
    sources = (
        [] if project is None else [project.defaults, project.sets.get(set_dir.name)]
    )
    path = set_dir / CONFIG_FILE
    if path.is_file():
        file = f"{display}/{CONFIG_FILE}"
        text, data = _read_toml(path, file)
        sources.append(_set_settings(data, _Lines(file, text)))
    for source in sources:
        if source is not None:
            entries += source.get("paths", ())
            settings.update((k, v) for k, v in source.items() if k != "paths")
    return SetConfig(
        package_name(set_dir.name),
        settings["root_name"],
        settings["max_file_size"],
        Overrides(tuple(entries)),
    )


def _read_toml(path: Path, file: str) -> tuple[str, dict[str, Any]]:
    try:
        text = path.read_text(encoding="utf-8")
        return text, tomllib.loads(text)
    except RecursionError:
        raise CodegenError(
            "cannot read it as TOML: nested too deeply", Location(file)
        ) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as error:
        raise CodegenError(f"cannot read it as TOML: {error}", Location(file)) from None


def _set_settings(data: dict[str, Any], lines: _Lines) -> dict[str, Any]:
    """The checked settings of one set's table: only those it gives, `paths` as overrides."""
    _refuse_unknown(data, _KNOWN_KEYS, lines)
    settings: dict[str, Any] = {}
    if "root_name" in data:
        _check_class_name(data["root_name"], "root_name", lines.of_key("root_name"))
        settings["root_name"] = data["root_name"]
    if "max_file_size" in data:
        settings["max_file_size"] = _file_size(data["max_file_size"], lines)
    paths = data.get("paths", {})
    if not isinstance(paths, dict):
        raise CodegenError(
            'paths must be tables like [paths."$.data"]', lines.of_key("paths")
        )
    settings["paths"] = [
        _path_override(pattern, table, lines) for pattern, table in paths.items()
    ]
    return settings


def _refuse_unknown(data: dict[str, Any], known: set[str], lines: _Lines) -> None:
    unknown = sorted(set(data) - known)
    if unknown:
        raise CodegenError(
            f"unknown setting {unknown[0]!r}; expected one of {sorted(known)}",
            lines.of_key(unknown[0]),
        )


def _file_size(value: Any, lines: _Lines) -> int:
    if type(value) is not int or value < 1:
        raise CodegenError(
            f"max_file_size must be a positive number of bytes, found {value!r}",
            lines.of_key("max_file_size"),
        )
    return value


PYPROJECT = "pyproject.toml"
_PROJECT_KEYS = {"samples", "out", "max_file_size", "sets"}


@dataclass(frozen=True)
class ProjectConfig:
    """[tool.codegen] of the project's pyproject.toml, checked."""

    samples: Path | None  # folders, relative to the current folder
    out: Path | None
    defaults: dict[str, Any]  # settings for every set
    sets: dict[str, dict[str, Any]]  # settings by set name


def load_project(start: Path | None = None) -> ProjectConfig | None:
    """[tool.codegen] of the nearest pyproject.toml in `start` (the current folder) or above."""
    folder = (start or Path.cwd()).resolve()
    found = next(
        (f / PYPROJECT for f in (folder, *folder.parents) if (f / PYPROJECT).is_file()),
        None,
    )
    if found is None:
        return None
    file = str(_relative(found))
    text, data = _read_toml(found, file)
    tool = data.get("tool", {})
    section = tool.get("codegen") if isinstance(tool, dict) else None
    if section is None:
        return None
    lines = _Lines(file, text, r"tool\s*\.\s*codegen\s*\.\s*")
    table = lines.find(r"^\s*\[\s*tool\s*\.\s*codegen\s*\]")
    if not isinstance(section, dict):
        raise CodegenError("tool.codegen must be a table", lines.of_key("codegen"))
    _refuse_unknown(section, _PROJECT_KEYS, lines.within(table))
    folders = {}
    for key in ("samples", "out"):
        value = section.get(key)
        if value is not None and not (isinstance(value, str) and value):
            raise CodegenError(f"{key} must be a folder name", lines.of_key(key, table))
        folders[key] = None if value is None else _relative(found.parent / value)
    defaults = {}
    if "max_file_size" in section:
        defaults["max_file_size"] = _file_size(
            section["max_file_size"], lines.within(table)
        )
    sets = section.get("sets", {})
    if not isinstance(sets, dict) or not all(
        isinstance(v, dict) for v in sets.values()
    ):
        raise CodegenError(
            "sets must be tables like [tool.codegen.sets.trading]",
            lines.of_key("sets", table),
        )
    return ProjectConfig(
        folders["samples"],
        folders["out"],
        defaults,
        {
            name: _set_settings(settings, lines.of_set(name))
            for name, settings in sets.items()
        },
    )


def _relative(path: Path) -> Path:
    """A path as messages name it: relative to the current folder when it is below it."""
    try:
        return path.relative_to(Path.cwd().resolve())
    except ValueError:
        return path


# The tables a dotted key names before its last part: `sets.trading.` in `sets.trading.x = 1`.
_DOTTED = r"""(?:(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')\s*\.\s*)*"""


class _Lines:
    """Finds the line a setting is on, for error messages (tomllib does not say).

    `prefix` is the pattern of the table names above a set's settings (`tool.codegen.sets.x.` in
    pyproject.toml, nothing in codegen.toml); searches begin at line index `start`.
    """

    def __init__(self, file: str, text: str, prefix: str = "", start: int = 0) -> None:
        self.file = file
        self.lines = text.splitlines()
        self.prefix = prefix
        self.start = start

    def within(self, table: int | None, prefix: str | None = None) -> _Lines:
        """The same file, searched from the table starting at line index `table`."""
        view = copy.copy(self)
        view.start = table or 0
        view.prefix = self.prefix if prefix is None else prefix
        return view

    def of_set(self, name: str) -> _Lines:
        """The settings of [tool.codegen.sets.<name>] (quoted or not)."""
        table = rf"{self.prefix}sets\s*\.\s*[\"']?{re.escape(name)}[\"']?\s*"
        return self.within(self.find(rf"^\s*\[\s*{table}[\].]"), table + r"\.\s*")

    def find(self, pattern: str, start: int | None = None) -> int | None:
        for number in range(self.start if start is None else start, len(self.lines)):
            if re.search(pattern, self.lines[number]):
                return number
        return None

    def of_key(self, key: str, table: int | None = None) -> Location:
        """Where `key = ...` is set (inside the table starting at line index `table`)."""
        start = self.start if table is None else table
        name = re.escape(key)
        number = self.find(
            rf"^\s*{_DOTTED}[\"']?{name}[\"']?\s*=|^\s*\[\s*{self.prefix}{name}\b",
            start,
        )
        if number is None:
            number = start
        return Location(self.file, number + 1)

    def of_table(self, pattern: str) -> int:
        quoted = re.escape(json.dumps(pattern))
        single = re.escape(f"'{pattern}'")
        number = self.find(
            rf"^\s*\[\s*{self.prefix}paths\s*\.\s*({quoted}|{single})|^\s*paths\s*\.\s*({quoted}|{single})|{quoted}\s*="
        )
        return self.start if number is None else number


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
    as_tuple, as_map = settings.get("tuple"), settings.get("map")
    for key, value in (("tuple", as_tuple), ("map", as_map)):
        if value is not None and not isinstance(value, bool):
            raise CodegenError(f"{key} must be true or false", lines.of_key(key, table))
    enum, closed = _enum_setting(settings, lines.of_key("enum", table))
    format_name = _format_setting(settings, lines.of_key("format", table))
    if enum and format_name not in (None, "none"):
        raise CodegenError(
            f"an enum has no format; set enum or format = {format_name!r}, not both",
            lines.of_key("format", table),
        )
    field_name = settings.get("field")
    if field_name is not None:
        _check_field_name(field_name, pattern, lines.of_key("field", table))
    items = _items_setting(settings.get("items", {}), lines.of_key("items", table))
    recursive = settings.get("recursive")
    if recursive is not None:
        _check_recursive(recursive, pattern, lines.of_key("recursive", table))
    return PathOverride(
        pattern,
        where,
        recursive=recursive,
        enum=enum,
        closed=closed,
        as_tuple=as_tuple,
        as_map=as_map,
        field_name=field_name,
        format=format_name,
        tag=tuple(tag) if tag and not no_union else (),
        no_union=no_union,
        not_tags=frozenset(not_tags),
        name=name,
        variant_names=dict(variant_names),
        items=items,
    )


def _items_setting(value: Any, where: Location) -> dict[int, str]:
    """`items = { 0 = "channel_id", -1 = "pair" }`: attribute names by index."""
    if not isinstance(value, dict):
        raise CodegenError("items must be a table of index = attribute name", where)
    items: dict[int, str] = {}
    for index, name in value.items():
        if not re.fullmatch(r"-?[0-9]+", index):
            raise CodegenError(
                f"items are named by index (0, 1, ... or -1 for the last), found {index!r}",
                where,
            )
        _check_attribute_name(name, "an item's name", where)
        items[int(index)] = name
    return items


def _enum_setting(
    settings: dict[str, Any], where: Location
) -> tuple[bool | None, bool]:
    """(enum on or off, closed) from `enum = true | false | "open" | "closed"`."""
    if "enum" not in settings:
        return None, False
    value = settings["enum"]
    if type(value) not in (bool, str) or value not in _ENUM_SETTINGS:
        raise CodegenError(
            f'enum must be true, false, "open" or "closed", found {value!r}', where
        )
    return _ENUM_SETTINGS[value]


def _format_setting(settings: dict[str, Any], where: Location) -> str | None:
    value = settings.get("format")
    if value is not None and value not in (*FORMATS, "none"):
        raise CodegenError(
            f"format must be one of {', '.join(FORMATS)} or none, found {value!r}",
            where,
        )
    return value


def _check_field_name(name: Any, pattern: str, where: Location) -> None:
    """An attribute name for the key a path ends in (see _check_attribute_name)."""
    _check_attribute_name(name, "field", where)
    last = parse_path(pattern)[-1:]
    if not last or last[0][0] != "key":
        raise CodegenError(
            f"field names the attribute of a key: the path must end in .key or"
            f' ["key"], found {pattern!r}',
            where,
        )


def _check_attribute_name(name: Any, what: str, where: Location) -> None:
    """An attribute name: lower case first, not a keyword, not a name the class body needs
    (`str`, `field`), not one codegen keeps for itself (`_extra`)."""
    if not isinstance(name, str) or not re.fullmatch(r"[a-z][A-Za-z0-9_]*", name):
        raise CodegenError(
            f"{what} must be an attribute name like 'order_side', found {name!r}", where
        )
    if keyword.iskeyword(name) or name in ANNOTATION_NAMES:
        raise CodegenError(
            f"{what} {name!r} is a name Python or the generated class body uses; choose"
            " another",
            where,
        )


def _check_recursive(value: Any, pattern: str, where: Location) -> None:
    """`recursive` is false, or the path of a position enclosing this one."""
    if value is False:
        return
    expected = (
        f"recursive must be false or the path of a position enclosing {pattern!r}"
        ' (like "$" for "$.children[*]")'
    )
    if not isinstance(value, str):
        raise CodegenError(f"{expected}, found {value!r}", where)
    try:
        target = parse_path(value)
    except PathSyntaxError as error:
        raise CodegenError(f"{expected}: {error}", where) from None
    segments = parse_path(pattern)
    if len(target) >= len(segments) or segments[: len(target)] != target:
        raise CodegenError(f"{expected}, found {value!r}", where)


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
