"""Shared fixtures: the repository's folders, and packages generated from fixture sample sets."""

from __future__ import annotations

import ast
import builtins
import importlib
import io
import itertools
import json
import os
import re
import signal
import subprocess
import sys
import tokenize
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from click.testing import CliRunner, Result
from jsonschema import Draft202012Validator

from codegen.cache import CACHE_ENV
from codegen.cli import main
from codegen.pipeline import build_packages
from codegen.write import write_package, write_packages

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "samples"
GENERATED = REPO / "generated"
BUNDLED_SETS = ("onboarding", "trading")

_package_numbers = itertools.count()


@pytest.fixture(autouse=True, scope="session")
def private_generate_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """What `codegen generate` remembers goes to the tests' own cache folder, not the user's
    (set in the environment, so `codegen` run as a subprocess uses it too)."""
    before = os.environ.get(CACHE_ENV)
    os.environ[CACHE_ENV] = str(tmp_path_factory.mktemp("generate-cache"))
    yield
    if before is None:
        del os.environ[CACHE_ENV]
    else:
        os.environ[CACHE_ENV] = before


# Python's own SIGINT handler, also when pytest started with SIGINT ignored (a shell starts
# background jobs so, `cmd &`): the children the interrupt tests start would inherit the ignore.
signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture(autouse=True)
def sigint_as_the_session_began() -> Iterator[None]:
    """SIGINT's handler put back after each test. An in-process `codegen generate` ignores
    SIGINT once its work is done (cli._ignore_interrupts, right for a process about to exit),
    and a Dask cluster ignores it too; a child started later would inherit the ignore, and
    the interrupt tests would send their SIGINT to a command that cannot hear it."""
    yield
    signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture(scope="session")
def generated_on_path() -> Iterator[Path]:
    """The committed generated/ folder importable as top-level packages (`import trading`)."""
    sys.path.insert(0, str(GENERATED))
    yield GENERATED
    sys.path.remove(str(GENERATED))


def bundled_samples(set_name: str) -> list[tuple[str, Any]]:
    """(file, value) for every sample of a bundled set, read by codegen's own reader."""
    from codegen.ingest import read_sample_set

    return [
        (str(s.origin), s.value)
        for s in read_sample_set(SAMPLES / set_name, f"samples/{set_name}")
    ]


GeneratePackage = Callable[..., ModuleType]


@pytest.fixture
def generate_package(tmp_path: Path) -> Iterator[GeneratePackage]:
    """Generate a package from samples given inline, import it and return the module.

    `generate_package([sample, ...])` writes each sample as its own .json file (or pass
    `files={"name.json": "text"}` for exact text), runs the whole pipeline and imports the result
    under a unique name, so tests never see each other's packages.
    """
    imported: list[str] = []
    sys.path.insert(0, str(tmp_path / "out"))

    def generate(
        samples: list[Any] | None = None,
        *,
        files: dict[str, str] | None = None,
        config: str | None = None,
    ) -> ModuleType:
        set_name = f"fixture_{next(_package_numbers)}"
        set_dir = tmp_path / set_name / "samples" / set_name
        set_dir.mkdir(parents=True)
        for index, sample in enumerate(samples or []):
            (set_dir / f"sample_{index:03d}.json").write_text(
                json.dumps(sample), encoding="utf-8"
            )
        for name, text in (files or {}).items():
            (set_dir / name).write_text(text, encoding="utf-8")
        if config is not None:
            (set_dir / "codegen.toml").write_text(config, encoding="utf-8")
        (tmp_path / "out").mkdir(exist_ok=True)
        for package in build_packages(set_dir.parent):
            write_package(package, tmp_path / "out")
        importlib.invalidate_caches()
        imported.append(set_name)
        return importlib.import_module(set_name)

    yield generate
    sys.path.remove(str(tmp_path / "out"))
    for name in imported:
        for module in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
            del sys.modules[module]


class Recorder:
    """Handlers that record (handler name, arguments)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[Any, ...]]] = []

    def handler(self, name: str) -> Any:
        def handle(*args: Any) -> None:
            self.calls.append((name, args))

        return handle


def round_trips(package: ModuleType, sample: Any) -> bool:
    """The codec contract: json.dumps(encode(decode(s))) == json.dumps(s), from text and from parsed data."""
    text = json.dumps(sample)
    from_text = json.dumps(package.encode(package.decode(text)))
    from_data = json.dumps(package.encode(package.decode_value(json.loads(text))))
    return from_text == text and from_data == text


# --- helpers shared by the pipeline tests (golden, CLI, dispatcher, quality, schema) ---------


def files_under(root: Path) -> dict[str, bytes]:
    """Every file below root (relative POSIX path -> bytes), bytecode caches left out."""
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


def package_schema(package: ModuleType) -> dict[str, Any]:
    """The schema.json written beside an imported generated package."""
    return json.loads(
        (Path(package.__file__).parent / "schema.json").read_text(encoding="utf-8")
    )


def mypy_on_use(
    package: ModuleType, source: str, folder: Path
) -> subprocess.CompletedProcess[str]:
    """`mypy --strict` on a use.py in `folder` holding `source`, which imports the generated
    `package`: what a user's code type-checks as."""
    (folder / "use.py").write_text(source, encoding="utf-8")
    return run_mypy("use.py", cwd=folder, mypypath=Path(package.__file__).parents[1])


def tagged_union(package: ModuleType) -> dict[str, Any]:
    """The one union told by a tag in a generated package's schema.json."""
    (union,) = [
        d
        for d in package_schema(package)["$defs"].values()
        if d.get("x-codegen-tag") is not None
    ]
    return union


def handlers(package: ModuleType) -> set[str]:
    """The `on_*` methods of a generated package's Dispatcher."""
    return {n for n in dir(package.Dispatcher) if n.startswith("on_")}


def error_places(result: subprocess.CompletedProcess[str]) -> list[str]:
    """`file:line` of each error mypy reported (its last line is the summary)."""
    return [line.split(": error")[0] for line in result.stdout.splitlines()[:-1]]


def run_mypy(
    *args: str, cwd: Path, mypypath: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """`mypy --strict ARGS` in a subprocess, its cache under cwd (never the repository's)."""
    env = {k: v for k, v in os.environ.items() if k != "MYPYPATH"}
    if mypypath is not None:
        env["MYPYPATH"] = str(mypypath)
    mypy = Path(sys.executable).with_name("mypy")
    command = [str(mypy)] if mypy.exists() else [sys.executable, "-m", "mypy"]
    return subprocess.run(
        [*command, "--strict", "--cache-dir", str(cwd / ".mypy_cache"), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _linter(name: str) -> str:
    """A linter of the test extra, beside this Python; missing, it fails the test (no skip)."""
    path = Path(sys.executable).with_name(name)
    if not path.exists():
        pytest.fail(
            f"{name} is missing: install the test extra (pip install -e '.[test]')"
        )
    return str(path)


# Ruff's default rules, then pycodestyle errors, pyflakes, isort and ruff's own rules.
RUFF_RULE_SETS = ((), ("--select", "E,F,I,RUF"))


def run_ruff(*paths: Path) -> list[str]:
    """What ruff finds in these files or folders, with each rule set of RUFF_RULE_SETS.

    `--isolated`: no configuration file of the repository or the machine applies.
    """
    findings = []
    for rules in RUFF_RULE_SETS:
        result = subprocess.run(
            [_linter("ruff"), "check", "--isolated", "--no-cache", *rules]
            + ["--output-format", "concise", *map(str, paths)],
            capture_output=True,
            text=True,
            timeout=300,
        )
        found = [line for line in result.stdout.splitlines() if _FINDING.match(line)]
        assert result.returncode == (1 if found else 0), result.stdout + result.stderr
        findings += found
    return findings


_FINDING = re.compile(r".+:\d+:\d+: [A-Z]+[0-9]+ ")


def run_pyright(*paths: Path, cwd: Path) -> list[str]:
    """The errors pyright (basedpyright) reports in strict mode for Python 3.10.

    One run takes all the paths: pyright is slow to start. Its configuration is written in
    cwd, so no configuration of the repository applies.
    """
    config = cwd / "pyrightconfig.json"
    config.write_text(
        json.dumps({"typeCheckingMode": "strict", "pythonVersion": "3.10"}),
        encoding="utf-8",
    )
    result = subprocess.run(
        [_linter("basedpyright"), "--outputjson", "-p", str(config), *map(str, paths)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
    )
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        raise AssertionError(result.stdout + result.stderr) from None
    errors = [
        f"{d['file']}:{d['range']['start']['line'] + 1}: {d['message']} ({d.get('rule')})"
        for d in report["generalDiagnostics"]
        if d["severity"] == "error"
    ]
    assert report["summary"]["filesAnalyzed"] > 0, result.stdout
    return errors


# The files of every generated package (.codegen: the mark that makes it codegen's to replace).
PACKAGE_FILES = frozenset(
    {
        ".codegen",
        "__init__.py",
        "_runtime.py",
        "codec.py",
        "dispatch.py",
        "models.py",
        "py.typed",
        "schema.json",
        "wire.py",
    }
)


@pytest.fixture
def trading(generated_on_path: Path) -> ModuleType:
    """The committed generated/trading package."""
    return importlib.import_module("trading")


@pytest.fixture
def onboarding(generated_on_path: Path) -> ModuleType:
    """The committed generated/onboarding package."""
    return importlib.import_module("onboarding")


def trading_sample(*tags: str) -> dict[str, Any]:
    """A fresh copy of the first bundled trading sample whose tags under message_type start so."""
    for _, sample in bundled_samples("trading"):
        node, found = sample["message_type"], []
        while isinstance(node, dict) and len(node) == 1 and len(found) < len(tags):
            ((tag, node),) = node.items()
            found.append(tag)
        if tuple(found) == tags:
            copy: dict[str, Any] = json.loads(json.dumps(sample))
            return copy
    raise AssertionError(f"no bundled trading sample has the tags {tags}")


# --- helpers shared by the hostile-input and property tests ----------------------------------


def import_generated(out_dir: Path, name: str) -> ModuleType:
    """Import the generated package `name` from out_dir, then forget it again.

    The module object keeps working (its own imports are already bound), while sys.path and
    sys.modules are left as they were: a later package of the same name is imported afresh. For
    CLI runs, module-scoped fixtures and property tests, where generate_package cannot go.
    """
    sys.path.insert(0, str(out_dir))
    try:
        importlib.invalidate_caches()
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(out_dir))
        for loaded in [m for m in sys.modules if m.partition(".")[0] == name]:
            del sys.modules[loaded]


def build_and_import(
    root: Path, name: str, samples: list[Any], config: str | None = None
) -> ModuleType:
    """Generate the one set root/samples/<name>/ (a file per sample, and `config` as its
    codegen.toml) into root/out/ and import it."""
    set_dir = root / "samples" / name
    set_dir.mkdir(parents=True)
    for number, sample in enumerate(samples):
        path = set_dir / f"{number:03d}.json"
        path.write_text(json.dumps(sample), encoding="utf-8")
    if config is not None:
        (set_dir / "codegen.toml").write_text(config, encoding="utf-8")
    write_packages(build_packages(root / "samples"), root / "out")
    return import_generated(root / "out", name)


def cli_generate(samples: Path, out: Path) -> Result:
    """`codegen generate SAMPLES -o OUT` as a user runs it: click's runner, no CODEGEN_DEBUG."""
    arguments = ["generate", str(samples), "-o", str(out)]
    return CliRunner().invoke(main, arguments, env={"CODEGEN_DEBUG": None})


def tree_of(root: Path) -> dict[str, bytes | None]:
    """A snapshot of root: every file (-> its bytes) and folder (-> None), hidden ones included."""
    return {
        path.relative_to(root).as_posix(): path.read_bytes() if path.is_file() else None
        for path in sorted(root.rglob("*"))
    }


def contract_failures(package: ModuleType, samples: list[Any]) -> list[str]:
    """What breaks the contract for these samples: no exact round trip, or schema.json rejects one."""
    schema = package_schema(package)
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema)
    failures = []
    for sample in samples:
        shown = json.dumps(sample)[:120]
        try:
            if not round_trips(package, sample):
                failures.append(f"does not round-trip: {shown}")
        except Exception as error:  # any exception is a finding
            failures.append(f"{type(error).__name__}: {error} on {shown}")
        for problem in validator.iter_errors(sample):
            failures.append(f"schema.json rejects {shown}: {problem.message[:200]}")
    return failures


# Strings in the spirit of the Big List of Naughty Strings: quoting, escapes, template syntax,
# code, control and invisible characters, scripts in both directions. No lone surrogates (they
# are their own case) and no string that is only a plain identifier.
NAUGHTY_STRINGS = (
    "",
    " ",
    "undefined",
    "null",
    "NaN",
    "-0",
    "0xFF",
    "1E+02",
    "\\",
    "\\\\",
    "\\n",
    "\\N{BULLET}",
    "\\x41\\u0041",
    "'",
    '"',
    "'''",
    '"""',
    "it's",
    'say "hi"',
    "back\\slash",
    "new\nline",
    "a\\",
    "'''; __import__('os').system('touch PWNED'); '''",
    "__import__('os').system('touch PWNED')",
    "{{ 7*7 }}",
    "{% for x in range(3) %}x{% endfor %}",
    "{# not a comment",
    "${7*7}",
    "%s%s%n%(x)s",
    "{0}{1}{}",
    "<script>alert(1)</script>",
    "'; DROP TABLE users; --",
    "\t\r\n\x0b\x0c",
    "\x00",
    "a\x00b",
    "\x1b[31mred",
    "\x7f\x80\x9f",
    "\u00a0\u2000\u3000",
    "\u2028\u2029",
    "\ufeff",
    "\ufffe\uffff",
    "\u202eevil\u202c",
    "a\u200bb\u200c\u200d",
    "\ufb01",  # the "fi" ligature: NFKC turns it into "fi"
    "\uff34\uff48\uff45",  # full-width letters
    "\u03a9\u2248\u00e7\u221a\u222b",
    "\u7530\u4e2d\u3055\u3093",
    "\u0645\u0631\u062d\u0628\u0627",
    "\U0001f600\U0001f44d\U0001f3fd\U0001f468\u200d\U0001f469\u200d\U0001f467",
    "Z\u0351\u036b\u0343\u036a\u0302\u036b\u033d\u034f\u0334\u0319\u0324\u031e\u0349\u035a",
    "\U0001d54b\U0001d559\U0001d556",
    "a" * 300,
    "#!/bin/sh\n# comment",
    "lambda: 0",
    "x = 1; y = 2",
)

# Names generated modules must never expose to sample text (see source_problems).
_DANGEROUS_NAMES = frozenset(
    {"__import__", "__builtins__", "breakpoint", "compile", "delattr", "eval", "exec"}
    | {"exit", "getattr", "globals", "input", "locals", "open", "quit", "setattr"}
    | {"vars"}
)
_DANGEROUS_METHODS = frozenset(
    {"system", "popen", "spawnl", "run", "call", "check_output", "remove", "unlink"}
    | {"rmtree", "write", "write_text", "write_bytes", "import_module", "load_module"}
)
_SAFE_MODULES = frozenset(
    {
        "__future__",
        "collections.abc",
        "contextvars",
        "dataclasses",
        "enum",
        "json",
        "re",
    }
    | {
        "typing",
        "orjson",
    }  # orjson: optional, imported only if installed (see _runtime)
    | {"datetime", "decimal", "uuid"}  # what the readers of formatted fields give
)
_TOP_LEVEL = (ast.Import, ast.ImportFrom, ast.ClassDef, ast.FunctionDef, ast.Assign)
_IN_CLASS = (ast.AnnAssign, ast.Assign, ast.FunctionDef, ast.Pass)


def source_problems(package_dir: Path, strings: Iterable[str]) -> list[str]:
    """Ways the generated Python of package_dir could run or show sample text as code.

    Every module parses; imports come from the standard library modules the templates use or
    from the package itself; module and class bodies hold only definitions and docstrings;
    every name read is defined in the package or a builtin, none is a dangerous builtin, no
    dangerous method is called; and no string of `strings` that could only be code by injection
    (quotes, backslashes, `#`, template syntax, non-ASCII or invisible characters) appears outside
    string literals and comments.
    """
    problems: list[str] = []
    trees: dict[str, ast.Module] = {}
    for path in sorted(package_dir.glob("*.py")):
        source = path.read_text(encoding="utf-8")
        try:
            trees[path.name] = ast.parse(source)
            code = _code_only(source)
        except (SyntaxError, tokenize.TokenError) as error:
            problems.append(f"{path.name} does not parse: {error}")
            continue
        for text in strings:
            if _only_code_by_injection(text) and text in code:
                problems.append(f"{path.name}: {text!r} outside string literals")
    defined = set(dir(builtins))
    for tree in trees.values():
        defined |= _names_defined(tree)
    for module, tree in trees.items():
        problems += [f"{module}: {p}" for p in _tree_problems(tree, defined)]
    return problems


def _only_code_by_injection(text: str) -> bool:
    if "{{" in text or "{%" in text:
        return True
    return any(
        c in "'\"\\#$;?`" or not (c.isascii() and (c.isprintable() or c in " \t\n"))
        for c in text
    )


def _code_only(source: str) -> str:
    """The source with every string literal and comment blanked out (newlines kept)."""
    rows = [list(line + "\n") for line in source.split("\n")]
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type not in (tokenize.STRING, tokenize.COMMENT):
            continue
        (first, start), (last, end) = token.start, token.end
        for row in range(first, last + 1):
            line = rows[row - 1]
            for column in range(
                start if row == first else 0, end if row == last else len(line)
            ):
                if line[column] != "\n":
                    line[column] = " "
    return "".join("".join(line) for line in rows)


def _names_defined(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, ast.alias):
            names.add(node.asname or node.name)
        elif isinstance(node, (ast.MatchAs, ast.ExceptHandler)) and node.name:
            names.add(node.name)
    return names


def _tree_problems(tree: ast.Module, defined: set[str]) -> list[str]:
    bound = [name for node in tree.body for name in _bound_names(node)]
    problems = [f"binds {n!r} twice" for n in sorted(set(bound)) if bound.count(n) > 1]
    for node in tree.body:
        if not (isinstance(node, _TOP_LEVEL + (ast.AnnAssign,)) or _is_docstring(node)):
            problems.append(
                f"unexpected top-level statement: {ast.unparse(node)[:120]}"
            )
        if isinstance(node, ast.ClassDef):
            problems += [
                f"unexpected statement in class {node.name}: {ast.unparse(inner)[:120]}"
                for inner in node.body
                if not (isinstance(inner, _IN_CLASS) or _is_docstring(inner))
            ]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            modules = [] if node.level else [node.module or ""]
        else:
            modules = []
        problems += [f"imports {m}" for m in modules if m not in _SAFE_MODULES]
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            if node.id in _DANGEROUS_NAMES or node.id not in defined:
                problems.append(f"reads the name {node.id!r}")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in _DANGEROUS_METHODS:
                problems.append(f"calls {ast.unparse(node.func)}")
    return problems


def _bound_names(node: ast.stmt) -> list[str]:
    """The module-level names a statement binds (a second binding shadows the first)."""
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        if isinstance(node, ast.ImportFrom) and node.module == "__future__":
            return []
        return [(a.asname or a.name).partition(".")[0] for a in node.names]
    if isinstance(node, (ast.ClassDef, ast.FunctionDef)):
        return [node.name]
    targets = node.targets if isinstance(node, ast.Assign) else []
    if isinstance(node, ast.AnnAssign):
        targets = [node.target]
    return [target.id for target in targets if isinstance(target, ast.Name)]


def _is_docstring(node: ast.stmt) -> bool:
    return (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    )


def wire_key_problems(package: ModuleType) -> list[str]:
    """TypedDicts of `wire` whose keys are not exactly the properties schema.json gives them."""
    problems = []
    for name, definition in package_schema(package).get("$defs", {}).items():
        if "properties" not in definition:
            continue
        typed = getattr(package.wire, f"{name}Dict", None)
        if typed is None:
            problems.append(f"wire has no {name}Dict")
            continue
        # "" is left out: type checkers reject it as a TypedDict key.
        keys = set(definition["properties"]) - {""}
        required = set(definition.get("required", ())) - {""}
        if typed.__required_keys__ | typed.__optional_keys__ != keys:
            found = sorted(typed.__required_keys__ | typed.__optional_keys__)
            problems.append(f"{name}Dict declares {found}, expected {sorted(keys)}")
        elif typed.__required_keys__ != required:
            problems.append(f"{name}Dict requires {sorted(typed.__required_keys__)}")
    return problems
