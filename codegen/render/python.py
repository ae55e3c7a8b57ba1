"""Jinja environment, import pruning and black formatting for generated Python modules."""

from __future__ import annotations

import ast
import functools
from importlib import resources
from pathlib import Path
from typing import Any

import black
from black.mode import TargetVersion
import jinja2

from codegen.render.identifiers import literal

BLACK_MODE = black.Mode(target_versions={TargetVersion.PY310})


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
    return env


def render_module(template: str, **context: Any) -> str:
    text = environment().get_template(template).render(**context)
    return format_python(prune_imports(text))


def format_python(text: str) -> str:
    return black.format_str(text, mode=BLACK_MODE)


def prune_imports(source: str) -> str:
    """Drop imported names the module never uses (templates import the full set they may need).

    A module with `__all__` re-exports what it imports, so its imports are all kept.
    """
    tree = ast.parse(source)
    if any(
        isinstance(node, ast.Assign)
        and _assigns(node, "__all__")
        and _is_reexport(tree)
        for node in tree.body
    ):
        return source
    used = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    lines = source.splitlines(keepends=True)
    for node in reversed(tree.body):
        if not isinstance(node, ast.ImportFrom) or node.module == "__future__":
            continue
        kept = [
            alias.name if alias.asname is None else f"{alias.name} as {alias.asname}"
            for alias in node.names
            if (alias.asname or alias.name) in used
        ]
        module = "." * node.level + (node.module or "")
        replacement = [f"from {module} import {', '.join(kept)}\n"] if kept else []
        lines[node.lineno - 1 : node.end_lineno] = replacement
    return "".join(lines)


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
