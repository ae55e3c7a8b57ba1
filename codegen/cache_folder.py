"""Where `codegen generate` keeps what it remembers (codegen.cache), in a module of its own: the
CLI looks there before it imports the rest of codegen (see nothing_remembered)."""

from __future__ import annotations

import os

CACHE_ENV = "CODEGEN_CACHE_DIR"


def cache_folder() -> str:
    """$CODEGEN_CACHE_DIR, else $XDG_CACHE_HOME/codegen, else ~/.cache/codegen."""
    return os.environ.get(CACHE_ENV) or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"),
        "codegen",
    )


def nothing_remembered() -> bool:
    """No entry at all (a fresh clone's or CI's first run): `generate` will build every set."""
    try:
        with os.scandir(cache_folder()) as entries:
            return not any(entries)
    except OSError:
        return True
