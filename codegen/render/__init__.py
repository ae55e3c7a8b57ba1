"""Rendering: schema.json -> the files of one generated package, formatted by black."""

from __future__ import annotations

import json
import re
from typing import Any

from codegen.render.model import build_model
from codegen.render.python import render_module
from codegen.render.wire import render_wire

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")

# Modules rendered from this project's own templates, in templates/package/.
PACKAGE_MODULES = ("__init__.py", "_runtime.py", "models.py", "codec.py", "dispatch.py")


def schema_text(schema: dict[str, Any]) -> str:
    """schema.json as readable UTF-8; a lone surrogate (a key like "\\ud800") stays an escape."""
    text = json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
    return _LONE_SURROGATE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def render_package(schema: dict[str, Any], set_name: str) -> dict[str, str]:
    """File name -> content for `generated/<set_name>/`."""
    model = build_model(schema, set_name)
    files = {
        name: render_module(f"package/{name}.jinja", m=model, d=model.dispatcher)
        for name in PACKAGE_MODULES
    }
    files["wire.py"] = render_wire(schema, set_name)
    files["schema.json"] = schema_text(schema)
    files["py.typed"] = ""
    return dict(sorted(files.items()))
