"""Per-set settings: an optional `codegen.toml` beside the samples of a set."""

from __future__ import annotations

import keyword
import re
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

from codegen.errors import CodegenError, Location
from codegen.infer.naming import RESERVED_NAMES
from codegen.ingest import MAX_FILE_SIZE
from codegen.words import pascal, words

CONFIG_FILE = "codegen.toml"
_KNOWN_KEYS = {"root_name", "max_file_size"}


@dataclass(frozen=True)
class SetConfig:
    package: str  # the generated package's name (a Python identifier)
    root_name: str  # the root type's class name
    max_file_size: int = MAX_FILE_SIZE  # bytes; a larger sample file is an error


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
    where = Location(f"{display}/{CONFIG_FILE}")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except RecursionError:
        raise CodegenError("cannot read it as TOML: nested too deeply", where) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as error:
        raise CodegenError(f"cannot read it as TOML: {error}", where) from None
    unknown = sorted(set(data) - _KNOWN_KEYS)
    if unknown:
        raise CodegenError(
            f"unknown setting {unknown[0]!r}; expected one of {sorted(_KNOWN_KEYS)}",
            where,
        )
    root_name = data.get("root_name", default_root_name(set_dir.name))
    if not isinstance(root_name, str) or not re.fullmatch(
        r"[A-Z][A-Za-z0-9]*", root_name
    ):
        raise CodegenError(
            f"root_name must be a class name like 'OrderBook', found {root_name!r}",
            where,
        )
    if root_name in RESERVED_NAMES:
        raise CodegenError(
            f"root_name {root_name!r} is a name the generated code uses itself; choose another",
            where,
        )
    max_file_size = data.get("max_file_size", MAX_FILE_SIZE)
    if type(max_file_size) is not int or max_file_size < 1:
        raise CodegenError(
            f"max_file_size must be a positive number of bytes, found {max_file_size!r}",
            where,
        )
    return SetConfig(package, root_name, max_file_size)


def default_root_name(set_name: str) -> str:
    """`trading` -> TradingMessage."""
    return pascal(words(set_name)) + "Message"
