"""Jinja environment, import pruning, black formatting and lint exemptions for generated modules."""

from __future__ import annotations

import ast
import dataclasses
import functools
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2

from codegen.render.identifiers import LINE_LENGTH, literal
from codegen.render.reformat import format_module, split_long


def templates_dir() -> Path:
    """templates/ as installed: the top-level folder in a checkout, codegen/templates in a wheel."""
    return Path(str(resources.files("codegen.templates")))


@functools.cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir()),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters["py"] = literal
    env.filters["split_long"] = split_long
    return env


# black's work (see reformat.format_module's memo), kept across modules: the packages of a run
# share many statements (_runtime.py is the same module for every set), each formatted once.
# Bounded: emptied before a module once it holds more than _BLACK_MEMO_CAP statements.
_BLACK_MEMO: dict[str, list[str]] = {}
_BLACK_MEMO_CAP = 10_000


def render_module(template: str, **context: Any) -> str:
    """The module as black formats it; with a lint exemption in its header where needed."""
    layout = environment().get_template(template)
    module = ParsedModule.of(layout.render(exemptions=[], **context))
    memo = _BLACK_MEMO
    if len(memo) > _BLACK_MEMO_CAP:
        memo.clear()
    text = module.formatted(memo)
    exemptions = lint_exemptions(text, module.surrogate_twins)
    if not exemptions:
        return text
    return module.headed(layout.render(exemptions=exemptions, **context)).formatted(
        memo
    )


@dataclass(frozen=True)
class ParsedModule:
    """A rendered module, parsed once for its pruning, its formatting and its lint exemptions."""

    source: str
    tree: ast.Module
    pruned: dict[int, str | None]  # see pruned_imports
    surrogate_twins: bool  # see lint_exemptions
    offset: int = 0  # lines of comments before what `tree` holds (see headed)

    @classmethod
    def of(cls, source: str) -> ParsedModule:
        tree = ast.parse(source)
        names, dicts = _names_and_dicts(tree)
        return cls(source, tree, pruned_imports(tree, names), _surrogate_twins(dicts))

    def headed(self, source: str) -> ParsedModule:
        """The module rendered again with comments before it: parsed again only if it is more."""
        header = source[: len(source) - len(self.source)]
        if not source.endswith(self.source) or not _comment_lines(header):
            return ParsedModule.of(source)
        offset = header.count("\n")
        return dataclasses.replace(self, source=source, offset=self.offset + offset)

    def formatted(self, memo: dict[str, list[str]] | None = None) -> str:
        """As black formats it, without the imports it does not use."""
        return format_module(self.source, self.tree, self.pruned, memo, self.offset)


def _comment_lines(text: str) -> bool:
    return all(line.startswith("# ") for line in text.splitlines(keepends=True))


@dataclass(frozen=True)
class Exemption:
    """A ruff rule a module is exempt from, and why: the module could not be written so."""

    code: str
    reason: str


def lint_exemptions(text: str, surrogate_twins: bool) -> list[Exemption]:
    """The rules a formatted module cannot satisfy, for its header to say (`surrogate_twins`:
    see _surrogate_twins, of the module before or after formatting: black changes no value).

    E501, where black left a line longer than LINE_LENGTH: only a wire key, or a name made
    of one, longer than a line does that. F601, where a dict display has two keys that
    differ only in their lone surrogates: ruff reads each of those as the same character.
    """
    exemptions = []
    if any(len(line) > LINE_LENGTH for line in text.splitlines()):
        reason = "a wire key, or a name made of one, longer than a line cannot be split"
        exemptions.append(Exemption("E501", reason))
    if surrogate_twins:
        reason = "ruff may read different lone surrogates in dict keys as one key"
        exemptions.append(Exemption("F601", reason))
    return exemptions


def _names_and_dicts(tree: ast.Module) -> tuple[set[str], list[ast.Dict]]:
    """The names the module uses and its dict displays, found in one walk of its tree (a walk
    of its own: ast.walk's generators cost more than the rest of a large module's parse).
    """
    names: set[str] = set()
    dicts: list[ast.Dict] = []
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, ast.Dict):
            dicts.append(node)
        for field in node._fields:
            value = getattr(node, field, None)
            if isinstance(value, list):
                stack += [item for item in value if isinstance(item, ast.AST)]
            elif isinstance(value, ast.AST):
                stack.append(value)
    return names, dicts


def _surrogate_twins(dicts: list[ast.Dict]) -> bool:
    """Whether a dict display has two keys that differ only in their lone surrogates."""
    for node in dicts:
        keys = {
            key.value
            for key in node.keys
            if isinstance(key, ast.Constant) and isinstance(key.value, str)
        }
        lossy = {key.encode("utf-8", "replace") for key in keys}
        if len(lossy) < len(keys):
            return True
    return False


def pruned_imports(tree: ast.Module, used: set[str]) -> dict[int, str | None]:
    """The imports of names the module never uses, dropped (templates import the full set they
    may need): first line index of each `from` import -> the statement that stays, or None.

    `used`: the names the module uses. A module with `__all__` re-exports what it imports, so
    its imports are all kept.
    """
    if any(
        isinstance(node, ast.Assign)
        and _assigns(node, "__all__")
        and _is_reexport(tree)
        for node in tree.body
    ):
        return {}
    pruned: dict[int, str | None] = {}
    for node in tree.body:
        if not isinstance(node, ast.ImportFrom) or node.module == "__future__":
            continue
        kept = [
            alias.name if alias.asname is None else f"{alias.name} as {alias.asname}"
            for alias in node.names
            if (alias.asname or alias.name) in used
        ]
        module = "." * node.level + (node.module or "")
        pruned[node.lineno - 1] = (
            f"from {module} import {', '.join(kept)}" if kept else None
        )
    return pruned


def _assigns(node: ast.Assign, name: str) -> bool:
    return any(
        isinstance(target, ast.Name) and target.id == name for target in node.targets
    )


def _is_reexport(tree: ast.Module) -> bool:
    """A package `__init__`: it defines nothing of its own, it only imports and lists names."""
    return all(
        isinstance(node, (ast.ImportFrom, ast.Import, ast.Assign, ast.Expr))
        for node in tree.body
    )
