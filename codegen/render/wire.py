"""The `wire` module: TypedDicts of the JSON itself, rendered by datamodel-code-generator.

datamodel-code-generator does what it is good at here: reading schema.json (refs, unions,
nullable and absent-able keys) and writing one TypedDict per definition, through the templates in
templates/dcg/. Those templates are this project's: the library's own would import
typing_extensions and use PEP 728 `closed=True`, which a stdlib-only Python 3.10 cannot run.
"""

from __future__ import annotations

import ast
import copy
import json
import keyword
import sys
from collections.abc import Callable
from typing import Any

from codegen.errors import CodegenError
from codegen.render.identifiers import (
    AMBIGUOUS_NAMES,
    ANNOTATION_NAMES,
    docstring,
    import_order,
    literal,
    statement_key,
)
from codegen.render import wire_worker
from codegen.render.python import render_module, templates_dir
from codegen.schema import ENUM_KEYWORD, UNKNOWN_KEYWORD

WIRE_SUFFIX = "Dict"


def wire_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """schema.json as the library should read it for the wire module.

    Names get a suffix (`Position` -> `PositionDict`) so both kinds of classes can be imported
    together; the root def becomes the top level (else the library adds a `Model` alias of it);
    variants lose `additionalProperties: false`, which would make the library write PEP 728
    TypedDicts; unknown variants become `dict[str, Any]`.
    """
    document = _suffix_refs(_tuples_as_lists(_without_enums(copy.deepcopy(schema))))
    defs = {
        name + WIRE_SUFFIX: definition
        for name, definition in document.pop("$defs", {}).items()
    }
    for definition in defs.values():
        definition["title"] += WIRE_SUFFIX
        definition.pop("additionalProperties", None)
        if definition.get(UNKNOWN_KEYWORD):
            definition["additionalProperties"] = {}
    if "$ref" in document:
        name = document["title"] + WIRE_SUFFIX
        root = defs.pop(name)
        # A recursive root refers to itself: the document is the root now.
        inlined: dict[str, Any] = _retarget_refs(
            {"$schema": document["$schema"], **root, "$defs": defs},
            f"#/$defs/{name}",
            "#",
        )
        return inlined
    document["title"] += WIRE_SUFFIX
    return {**document, "$defs": defs}


def template_data(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """What the templates in templates/dcg/ get per model, besides the library's own data.

    `doc`: the docstring literal, written by this project's one docstring writer.
    `keys`: the literal of each key the TypedDict declares: every key but "", which type
    checkers reject as a TypedDict key (the docstring says it is left out).
    `functional`: the keys must be written as strings (the functional TypedDict syntax). Class
    syntax writes keys as identifiers: a key that is not plain ASCII would be changed by Python's
    NFKC normalisation (`ﬁeld` becomes `field`), `__x` would be mangled, and a key named like a
    type (`Any`, another model) would shadow it for the rest of the class body, and `l`, `O`,
    `I` are names linters reject.
    """
    definitions = [
        d for d in [document, *document.get("$defs", {}).values()] if "title" in d
    ]
    shadowed = {d["title"] for d in definitions} | ANNOTATION_NAMES | {"TypedDict"}
    return {
        definition["title"]: {
            "doc": docstring(_wire_description(definition)),
            "keys": {
                key: literal(key) for key in definition.get("properties", {}) if key
            },
            "functional": any(
                not (key.isascii() and key.isidentifier())
                or keyword.iskeyword(key)
                or key.startswith("__")  # mangled inside a class body
                or key in shadowed
                or key in AMBIGUOUS_NAMES  # `l: int` is a name linters reject (E741)
                for key in definition.get("properties", {})
            ),
        }
        for definition in definitions
    }


def _wire_description(definition: dict[str, Any]) -> str:
    description: str = definition.get("description", definition["title"])
    if "" in definition.get("properties", {}):
        return f'{description} The key "" is left out: type checkers reject it.'
    return description


def start_wire(schema: dict[str, Any]) -> Callable[[], str]:
    """datamodel-code-generator's module for `schema`: asked of the CLI's worker now when there
    is one (codegen.render.wire_worker), so the library works while the caller renders the other
    modules; else made in this process when the returned function is called."""
    document = wire_schema(schema)
    data = template_data(document)
    template_dir = str(templates_dir() / "dcg")
    worker = wire_worker.current()
    if worker is not None:
        return worker.submit(document, data, template_dir)
    return lambda: wire_worker.library_module(document, data, template_dir)


def render_wire(
    schema: dict[str, Any], set_name: str, body: Callable[[], str] | None = None
) -> str:
    """The wire module of a set; `body`: start_wire(schema), if asked for already."""
    imports, definitions = _split_imports((body or start_wire(schema))())
    module = render_module(
        "package/wire.py.jinja",
        set_name=set_name,
        imports=imports,
        definitions=definitions,
    )
    foreign = sorted(_imported_modules(module) - sys.stdlib_module_names)
    if foreign:
        raise CodegenError(
            f"the wire types would import {', '.join(foreign)}; generated code must be stdlib-only"
        )
    return module


def _imported_modules(module: str) -> set[str]:
    """Top-level names of the modules `module` imports (a key named typing_extensions is no import)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(module)):
        if isinstance(node, ast.Import):
            found.update(alias.name.partition(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            found.add(node.module.partition(".")[0])
    return found


def _split_imports(module: str) -> tuple[list[str], str]:
    """The library's module as (its import statements, what follows them).

    Its comment header goes. Its imports stay (it aliases what keys shadow), laid out as
    linters expect: `from __future__` apart (the template writes it), an aliased name in a
    statement of its own, names and statements in isort's order.
    """
    lines = module.splitlines(keepends=True)
    statements: list[tuple[tuple[object, ...], str]] = []  # (its place, the statement)
    end = 0
    for node in ast.parse(module).body:
        if not isinstance(node, (ast.Import, ast.ImportFrom)):
            break
        end = node.end_lineno or node.lineno
        if isinstance(node, ast.Import):
            text = "".join(lines[node.lineno - 1 : end]).strip()
            first = node.names[0].name
            statements.append((statement_key(first, first, straight=True), text))
        elif node.module != "__future__":
            source = "." * node.level + (node.module or "")
            plain = import_order(a.name for a in node.names if a.asname is None)
            if plain:
                place = statement_key(source, plain[0], straight=False)
                statements.append((place, f"from {source} import {', '.join(plain)}"))
            statements += [
                (
                    statement_key(source, a.name, straight=False),
                    f"from {source} import {a.name} as {a.asname}",
                )
                for a in node.names
                if a.asname is not None
            ]
    statements.sort(key=lambda statement: statement[0])
    return [text for _, text in statements], "".join(lines[end:])


def _without_enums(document: dict[str, Any]) -> dict[str, Any]:
    """On the wire an enum is a string (or int), whatever its format says: an open enum's member
    of an `anyOf` goes (a string is beside it), a closed enum becomes its type, its def goes, and
    so does every `format` (the library would type a `date-time` as a datetime)."""
    defs = document.get("$defs", {})
    enums = {
        f"#/$defs/{name}": {"type": d["type"]}
        for name, d in defs.items()
        if ENUM_KEYWORD in d
    }
    for name in [name for name, d in defs.items() if ENUM_KEYWORD in d]:
        del defs[name]

    def strip(node: Any) -> Any:
        if isinstance(node, dict):
            target = node.get("$ref")
            if isinstance(target, str) and target in enums:
                return enums[target]
            node = {
                key: strip(value)
                for key, value in node.items()
                if not (key == "format" and isinstance(value, str))
            }
            if isinstance(node.get("anyOf"), list):
                members = list(
                    {json.dumps(m, sort_keys=True): m for m in node["anyOf"]}.values()
                )
                node = (
                    members[0]
                    if len(members) == 1 and len(node) == 1
                    else {**node, "anyOf": members}
                )
            return node
        if isinstance(node, list):
            return [strip(item) for item in node]
        return node

    stripped: dict[str, Any] = strip(document)
    return stripped


def _tuples_as_lists(node: Any) -> Any:
    """JSON gives a tuple as a list: its wire type is a list of what its positions hold."""
    if isinstance(node, list):
        return [_tuples_as_lists(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _tuples_as_lists(value) for key, value in node.items()}
    if isinstance(node.get("prefixItems"), list):
        positions = list(
            {json.dumps(p, sort_keys=True): p for p in node.pop("prefixItems")}.values()
        )
        node.pop("minItems", None)
        node.pop("maxItems", None)
        node["items"] = positions[0] if len(positions) == 1 else {"anyOf": positions}
    return node


def _retarget_refs(node: Any, old: str, new: str) -> Any:
    """Every `$ref` to `old` made one to `new`."""
    if isinstance(node, dict):
        return {
            key: (
                new
                if key == "$ref" and value == old
                else _retarget_refs(value, old, new)
            )
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_retarget_refs(item, old, new) for item in node]
    return node


def _suffix_refs(node: Any) -> Any:
    """Every `$ref` string gets the suffix; a property that happens to be named `$ref` keeps its name."""
    if isinstance(node, dict):
        return {
            key: (
                value + WIRE_SUFFIX
                if key == "$ref" and isinstance(value, str)
                else _suffix_refs(value)
            )
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_suffix_refs(item) for item in node]
    return node
