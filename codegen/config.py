"""Per-set settings: an optional `codegen.toml` beside the samples of a set."""

from __future__ import annotations

import keyword
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from codegen.errors import CodegenError, Location
from codegen.words import pascal, words

CONFIG_FILE = "codegen.toml"
_KNOWN_KEYS = {"root_name"}


@dataclass(frozen=True)
class SetConfig:
    package: str  # the generated package's name (a Python identifier)
    root_name: str  # the root type's class name


def package_name(set_name: str) -> str:
    """`my-api` -> my_api: a set's folder name as an importable package name."""
    name = re.sub(r"[^0-9a-z_]+", "_", set_name.lower()).strip("_") or "samples"
    if name[0].isdigit():
        name = "api_" + name
    if keyword.iskeyword(name):
        name += "_"
    return name


def load_config(set_dir: Path, display: str) -> SetConfig:
    package = package_name(set_dir.name)
    root_name = pascal(words(set_dir.name)) + "Message"
    path = set_dir / CONFIG_FILE
    if not path.is_file():
        return SetConfig(package, root_name)
    where = Location(f"{display}/{CONFIG_FILE}")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise CodegenError(f"not valid TOML: {error}", where) from None
    unknown = sorted(set(data) - _KNOWN_KEYS)
    if unknown:
        raise CodegenError(
            f"unknown setting {unknown[0]!r}; expected one of {sorted(_KNOWN_KEYS)}",
            where,
        )
    if "root_name" in data:
        root_name = data["root_name"]
        if not isinstance(root_name, str) or not re.fullmatch(
            r"[A-Z][A-Za-z0-9]*", root_name
        ):
            raise CodegenError(
                f"root_name must be a class name like 'OrderBook', found {root_name!r}",
                where,
            )
    return SetConfig(package, root_name)
