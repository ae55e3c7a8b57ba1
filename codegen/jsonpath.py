"""JSON paths as people read them: `$.a.b[0]["odd key"]`, for provenance in docstrings.

The generated `_runtime.py` formats the same way for DecodeError; it has its own copy because a
generated package imports nothing from codegen.
"""

from __future__ import annotations

import json
import re

_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def child_path(path: str, key: str) -> str:
    if _PLAIN_KEY.fullmatch(key):
        return f"{path}.{key}"
    return f"{path}[{json.dumps(key)}]"
