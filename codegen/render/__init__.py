"""Rendering: schema.json -> the files of one generated package, formatted by black.

The modules that render (black, jinja2, datamodel-code-generator) are imported when first
needed, not with this package: importing `codegen.render.identifiers` (as the settings do) or
`schema_text` costs none of them, so a `generate` with nothing to render starts fast.
"""

from __future__ import annotations

import contextlib
import gc
import json
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from codegen.render.model import build_model
    from codegen.render.python import render_module
    from codegen.render.wire import render_wire, start_wire

# This package's names for the renderers, bound on first use (and patchable like any other).
_RENDERERS = ("build_model", "render_module", "render_wire", "start_wire")

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")

# Modules rendered from this project's own templates, in templates/package/.
PACKAGE_MODULES = ("__init__.py", "_runtime.py", "models.py", "codec.py", "dispatch.py")


def schema_text(schema: dict[str, Any]) -> str:
    """schema.json as readable UTF-8; a lone surrogate (a key like "\\ud800") stays an escape."""
    text = json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
    return _LONE_SURROGATE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def render_package(schema: dict[str, Any], set_name: str) -> dict[str, str]:
    """File name -> content for `generated/<set_name>/`."""
    _load_renderers()
    with _no_cycle_collection():
        wire = start_wire(schema)  # first: a CLI's worker makes it while these render
        model = build_model(schema, set_name)
        files = {
            name: render_module(f"package/{name}.jinja", m=model, d=model.dispatcher)
            for name in PACKAGE_MODULES
        }
        files["wire.py"] = render_wire(schema, set_name, wire)
    files["schema.json"] = schema_text(schema)
    files["py.typed"] = ""
    return dict(sorted(files.items()))


@contextlib.contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Python's cycle collector off while a package renders: it would walk the syntax trees of
    large modules (a million nodes for a big codec) again and again, a fifth of the rendering
    time, for garbage that is freed as soon as it is dropped. What cycles rendering leaves are
    collected after it."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _load_renderers() -> None:
    """Bind the renderers' names in this package, once (a name bound already is kept)."""
    global build_model, render_module, render_wire, start_wire
    if all(name in globals() for name in _RENDERERS):
        return
    from codegen.render.model import build_model
    from codegen.render.python import render_module
    from codegen.render.wire import render_wire, start_wire


def __getattr__(name: str) -> Any:
    """`codegen.render.render_module` and the like, imported on first access."""
    if name in _RENDERERS:
        _load_renderers()
        return globals()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
