"""What `codegen generate` remembers between runs, so that a set whose inputs and package are
unchanged is neither read, inferred nor rendered again.

Decisions:
- A set's key (input_digest) is a digest of everything its package is made from: every file
  below the set's folder (names and bytes), its settings as loaded (codegen.toml over
  pyproject.toml), how messages and docstrings name the folder, the naming memory (the package's
  schema.json as it is in the output folder: pipeline.infer_schema keeps the class names it
  gives), and the generator itself (generator_fingerprint). Equal keys, equal packages.
- An entry per package folder (named by a digest of its absolute path) holds the key the package
  was built from, the digest of every file written and the warnings the build printed. A set is
  skipped when its key is the entry's and the folder holds exactly those files (its warnings are
  printed again): a hand edit, an added or a removed file builds it again, and generate undoes
  the change as it would without a cache.
- Only what a build showed is remembered: an entry's key holds the naming memory that build read.
  A run that changes a package changes the memory of the next run, which builds the set again
  (and finds the same files, names being kept); the run after that skips it.
- The cache is outside the output folder (CODEGEN_CACHE_DIR, else $XDG_CACHE_HOME/codegen, else
  ~/.cache/codegen): a clean output folder holds the packages alone, and the mark file is
  committed. `check` and `diff` never use it. A cache that cannot be read or written is no cache.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
import re
import secrets
import stat
import sys
from collections.abc import Callable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from codegen.cache_folder import CACHE_ENV as CACHE_ENV, cache_folder
from codegen.config import SetConfig, load_config
from codegen.errors import noting, notify
from codegen.pipeline import Package, SampleSet
from codegen.write import MARK_FILE, files_on_disk, package_files

# What renders the files besides codegen itself (versions pinned in pyproject.toml, but a user may
# install others); what they require counts too (generator_fingerprint).
_RENDERERS = ("black", "datamodel-code-generator", "jinja2")


class GenerateCache:
    """For pipeline.build_packages: each set's package as a run before built it, when nothing it
    is made from changed, else built; `remember` notes the packages once they are written.
    """

    def __init__(self, out_dir: Path, previous: Mapping[str, dict[str, Any]]) -> None:
        self.out_dir = out_dir
        self.previous = previous  # the naming memory build_packages is given
        self._built: dict[str, tuple[str, list[str]]] = {}  # name -> key, warnings

    def __call__(self, sample_set: SampleSet, build: Callable[[], Package]) -> Package:
        config = load_config(sample_set.directory, sample_set.display)
        try:
            key = input_digest(sample_set, config, self.previous.get(config.package))
        except OSError:  # a file that cannot be read: reading the set says which
            return build()
        reused = self._reusable(config.package, key)
        if reused is not None:
            package, warnings = reused
            for line in warnings:
                notify(line)
            return package
        with noting() as warnings:
            package = build()
        self._built[package.name] = (key, warnings)
        return package

    def remember(self, packages: list[Package]) -> None:
        """Note that the output folder holds `packages` (those built by this run), as written."""
        for package in packages:
            if package.name not in self._built:
                continue  # reused: its entry is already this
            key, warnings = self._built[package.name]
            files = {
                name: _digest(content.encode("utf-8"))
                for name, content in package_files(package).items()
            }
            entry = {"key": key, "files": files, "warnings": warnings}
            _store(self._entry_path(package.name), json.dumps(entry, sort_keys=True))

    def _reusable(self, name: str, key: str) -> tuple[Package, list[str]] | None:
        """The package `out_dir/name` as on disk and the warnings of its build, when it was
        built from inputs of `key` and holds exactly the files written then."""
        try:
            entry = json.loads(self._entry_path(name).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(entry, dict) or entry.get("key") != key:
            return None
        files = files_on_disk(self.out_dir / name)
        if (
            files is None
            or MARK_FILE not in files
            or entry.get("files")
            != {
                file: _digest(content.encode("utf-8"))
                for file, content in files.items()
            }
        ):
            return None
        del files[MARK_FILE]
        warnings = entry.get("warnings")
        if not isinstance(warnings, list) or not all(
            isinstance(line, str) for line in warnings
        ):
            return None
        return Package(name, json.loads(files["schema.json"]), files), warnings

    def _entry_path(self, name: str) -> Path:
        target = os.fsencode((self.out_dir / name).resolve())
        return Path(cache_folder(), f"{_digest(target)}.json")


def input_digest(
    sample_set: SampleSet, config: SetConfig, memory: dict[str, Any] | None
) -> str:
    """A digest of everything a set's package is made from (see the module's decisions);
    `memory`: the package's schema.json as committed, None when there is none."""
    digest = hashlib.sha256(generator_fingerprint())
    for part in (sample_set.display, _canonical_json(config), json.dumps(memory)):
        digest.update(part.encode("utf-8", "surrogatepass") + b"\0")
    # The files as reading the set walks them (links to folders not followed); every file, not
    # only those read as samples: a file that starts to count changes the key all the same.
    for relative, path in _files_below(sample_set.directory):
        digest.update(relative.encode("utf-8", "surrogateescape") + b"\0")
        try:
            info = os.stat(path)
        except OSError:  # a dangling link: reading the set reports it
            digest.update(b"missing\0")
            continue
        # Only regular files are read (a FIFO would wait forever), and none larger than the
        # limit: reading the set refuses those, so no package of this key is ever remembered.
        if not stat.S_ISREG(info.st_mode) or info.st_size > config.max_file_size:
            digest.update(f"{info.st_mode:o} {info.st_size}\0".encode())
            continue
        with open(path, "rb") as stream:
            digest.update(hashlib.file_digest(stream, "sha256").digest())
    return digest.hexdigest()


@functools.cache
def generator_fingerprint() -> bytes:
    """A digest of the generator: this Python, the renderers and what they require (names and
    versions), and every file of the codegen package and its templates (so an edit to either,
    even unreleased, makes another generator)."""
    digest = hashlib.sha256(f"{sys.version}\0".encode())
    for name, version in _requirements(_RENDERERS):
        digest.update(f"{name}=={version}\0".encode())
    for package in ("codegen", "codegen.templates"):
        for relative, path in _files_below(Path(str(resources.files(package)))):
            if "__pycache__" not in relative.split("/"):
                digest.update(f"{package}/{relative}\0".encode() + path.read_bytes())
    return digest.digest()


def _requirements(names: tuple[str, ...]) -> list[tuple[str, str | None]]:
    """The distributions `names` and all they require, installed or not (version None), sorted.

    Read from the METADATA headers directly: importlib.metadata's parsing of them would cost
    more than the rest of an unchanged run.
    """
    from importlib import metadata  # slow to import; only a key needs it

    found: dict[str, str | None] = {}
    todo = list(names)
    while todo:
        name = re.sub(r"[-_.]+", "-", todo.pop()).lower()
        if name in found:
            continue
        try:
            text = metadata.distribution(name).read_text("METADATA") or ""
        except metadata.PackageNotFoundError:
            found[name] = None
            continue
        headers = text.split("\n\n", 1)[0].splitlines()
        found[name] = next(
            (line[8:].strip() for line in headers if line.startswith("Version:")), ""
        )
        for line in headers:
            # Extras are never installed for rendering; a marker for another Python is kept
            # (a requirement too many only changes the key when it is installed).
            if line.startswith("Requires-Dist:") and "extra ==" not in line:
                match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", line[14:].strip())
                if match:
                    todo.append(match.group())
    return sorted(found.items())


def _canonical_json(value: Any) -> str:
    """Settings as text that is the same in every run (a frozenset's repr is not: hash seeds)."""

    def plain(value: Any) -> Any:
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return [type(value).__name__] + [
                [item.name, plain(getattr(value, item.name))]
                for item in dataclasses.fields(value)
            ]
        if isinstance(value, (set, frozenset)):
            return ["set", *sorted(json.dumps(plain(item)) for item in value)]
        if isinstance(value, dict):
            return ["dict", *([plain(k), plain(v)] for k, v in value.items())]
        if isinstance(value, (list, tuple)):
            return [plain(item) for item in value]
        if value is None or isinstance(value, (str, int, float)):
            return value
        return repr(
            value
        )  # a kind of setting not known here; at worst a key that never hits

    return json.dumps(plain(value))


def _files_below(folder: Path) -> list[tuple[str, Path]]:
    """(relative POSIX path, path) of every file below `folder`, sorted by relative path."""
    found = []
    for root, _, files in os.walk(folder, onerror=_raise):
        for name in files:
            path = Path(root, name)
            found.append((path.relative_to(folder).as_posix(), path))
    return sorted(found)


def _raise(error: OSError) -> None:
    raise error


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _store(path: Path, text: str) -> None:
    """Write `path` whole (a temporary file renamed over it), or not at all."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, path)
    except OSError:  # no cache then: the next run builds everything, as without one
        try:
            temporary.unlink(missing_ok=True)
        except OSError:  # not even a folder to remove it from
            pass
