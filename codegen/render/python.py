"""Jinja environment, import pruning, black formatting and lint exemptions for generated modules."""

from __future__ import annotations

import ast
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


def render_module(template: str, **context: Any) -> str:
    """The module as black formats it; rendered again with a lint exemption where needed."""
    layout = environment().get_template(template)
    memo: dict[str, list[str]] = {}  # the second rendering differs only in its header
    module = format_python(layout.render(exemptions=[], **context), memo)
    if not module.exemptions:
        return module.text
    again = format_python(layout.render(exemptions=module.exemptions, **context), memo)
    return again.text


@dataclass(frozen=True)
class FormattedModule:
    text: str  # as black formats it
    exemptions: list[
        Exemption
    ]  # the lint rules it cannot satisfy (see lint_exemptions)


def format_python(
    source: str, memo: dict[str, list[str]] | None = None
) -> FormattedModule:
    """`source` without the imports it does not use, formatted as black formats it.

    One parse serves the pruning, the formatting and the lint exemptions. `memo`: see
    codegen.render.reformat.format_module.
    """
    tree = ast.parse(source)
    text = format_module(source, tree, pruned_imports(tree), memo)
    return FormattedModule(text, lint_exemptions(text, tree))


@dataclass(frozen=True)
class Exemption:
    """A ruff rule a module is exempt from, and why: the module could not be written so."""

    code: str
    reason: str


def lint_exemptions(text: str, tree: ast.Module) -> list[Exemption]:
    """The rules a formatted module cannot satisfy, for its header to say (`tree`: the module
    parsed, before or after formatting: black changes no value).

    E501, where black left a line longer than LINE_LENGTH: only a wire key, or a name made
    of one, longer than a line does that. F601, where a dict display has two keys that
    differ only in their lone surrogates: ruff reads each of those as the same character.
    """
    exemptions = []
    if any(len(line) > LINE_LENGTH for line in text.splitlines()):
        reason = "a wire key, or a name made of one, longer than a line cannot be split"
        exemptions.append(Exemption("E501", reason))
    if _surrogate_twins(tree):
        reason = "ruff may read different lone surrogates in dict keys as one key"
        exemptions.append(Exemption("F601", reason))
    return exemptions


def _surrogate_twins(tree: ast.Module) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            keys = {
                key.value
                for key in node.keys
                if isinstance(key, ast.Constant) and isinstance(key.value, str)
            }
            lossy = {key.encode("utf-8", "replace") for key in keys}
            if len(lossy) < len(keys):
                return True
    return False


def pruned_imports(tree: ast.Module) -> dict[int, str | None]:
    """The imports of names the module never uses, dropped (templates import the full set they
    may need): first line index of each `from` import -> the statement that stays, or None.

    A module with `__all__` re-exports what it imports, so its imports are all kept.
    """
    if any(
        isinstance(node, ast.Assign)
        and _assigns(node, "__all__")
        and _is_reexport(tree)
        for node in tree.body
    ):
        return {}
    used = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
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
