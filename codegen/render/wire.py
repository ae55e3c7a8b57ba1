"""The `wire` module: TypedDicts of the JSON itself, rendered by datamodel-code-generator.

datamodel-code-generator does what it is good at here: reading schema.json (refs, unions,
nullable and absent-able keys) and writing one TypedDict per definition, through the templates in
templates/dcg/. This project keeps the module header (imports, docstring) because its own
choices (typing_extensions, PEP 728 `closed=True`) do not run on a stdlib-only Python 3.10.
"""

from __future__ import annotations

import ast
import copy
import warnings
from typing import Any

from datamodel_code_generator import InputFileType, PythonVersion, generate
from datamodel_code_generator.enums import DataModelType

from codegen.errors import CodegenError
from codegen.render.python import render_module, templates_dir
from codegen.schema import UNKNOWN_KEYWORD

WIRE_SUFFIX = "Dict"


def wire_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """schema.json as the library should read it for the wire module.

    Names get a suffix (`Position` -> `PositionDict`) so both kinds of classes can be imported
    together; the root def becomes the top level (else the library adds a `Model` alias of it);
    variants lose `additionalProperties: false`, which would make the library write PEP 728
    TypedDicts; unknown variants become `dict[str, Any]`.
    """
    document = _suffix_refs(copy.deepcopy(schema))
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
        root = defs.pop(document["title"] + WIRE_SUFFIX)
        return {"$schema": document["$schema"], **root, "$defs": defs}
    document["title"] += WIRE_SUFFIX
    return {**document, "$defs": defs}


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


def render_wire(schema: dict[str, Any], set_name: str) -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            body = generate(
                wire_schema(schema),
                input_file_type=InputFileType.JsonSchema,
                output_model_type=DataModelType.TypingTypedDict,
                target_python_version=PythonVersion.PY_310,
                custom_template_dir=templates_dir() / "dcg",
                use_title_as_name=True,
                use_union_operator=True,
                use_standard_collections=True,
                use_schema_description=True,
                disable_timestamp=True,
                formatters=[],
            )
        except (
            Exception
        ) as error:  # the library raises many types; all mean the same here
            raise CodegenError(
                f"datamodel-code-generator could not render the wire types: {error}"
            ) from error
    if not isinstance(body, str):
        raise CodegenError(
            "datamodel-code-generator returned several modules; expected one"
        )
    return render_module(
        "package/wire.py.jinja", set_name=set_name, body=_definitions(body)
    )


def _definitions(module: str) -> str:
    """The generated definitions without datamodel-code-generator's header and imports."""
    tree = ast.parse(module)
    first = next(
        (
            node
            for node in tree.body
            if not isinstance(node, (ast.Import, ast.ImportFrom))
        ),
        None,
    )
    if first is None:
        return ""
    return "".join(module.splitlines(keepends=True)[first.lineno - 1 :])
