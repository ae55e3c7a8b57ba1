"""Splitting keys and tags into words, and joining words into class names."""

from __future__ import annotations

import re

Words = tuple[str, ...]

_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")


def words(text: str) -> Words:
    """`asset_open_bid_ask`, `randomSecret`, `HTTPStatus` -> lower-case words; other characters drop."""
    return tuple(w.lower() for w in _WORD.findall(text))


def pascal(parts: Words) -> str:
    name = "".join(w[:1].upper() + w[1:] for w in parts)
    if not name:
        return "Value"
    if name[0].isdigit():
        return "Type" + name
    return name
