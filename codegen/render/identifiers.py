"""The one sanitiser every identifier in generated code goes through, and the one literal writer."""

from __future__ import annotations

import keyword
import re
import unicodedata

# Names a record's dataclass uses for its own bookkeeping (unknown keys, wire key order).
BOOKKEEPING_FIELDS = ("_extra", "_key_order")

# Names the annotations of a generated class body use: a field of that name would shadow them for
# the rest of the body (`float: float` then `price: float`), so such a field gets a trailing `_`.
ANNOTATION_NAMES = frozenset(
    {
        "ABSENT",
        "Absent",
        "Any",
        "Literal",
        "None",
        "TypeAlias",
        "bool",
        "dataclass",
        "dict",
        "field",
        "float",
        "int",
        "list",
        "str",
        "tuple",
        # What the readers of formatted fields return (models.py imports them so).
        "_Decimal",
        "_UUID",
        "_date",
        "_datetime",
    }
)

_NOT_IDENTIFIER = re.compile(r"[^0-9A-Za-z_]+")


def _is_plain_ascii_identifier(text: str) -> bool:
    return text.isascii() and text.isidentifier()


def field_names(
    keys: list[str],
    class_names: frozenset[str] = frozenset(),
    given: dict[str, str] | None = None,
) -> dict[str, str]:
    """Python attribute names for wire keys: the key itself where it is a plain identifier.

    Others are sanitised: accents dropped, other non-ASCII and punctuation -> `_`, a key with
    nothing left -> `key` (`empty` for ""), a keyword gets a trailing `_`, a sign before a number
    is a word (`-1` -> `minus_1`), a leading digit gets `n_`. Keys that are plain identifiers claim their names first, so `my_key` keeps its name and
    `my-key` becomes `my_key_2`. Names starting `__` (mangled in a class body), the bookkeeping
    fields and names that annotations use (builtins, `class_names`) are never given out. The
    codec maps every name back. Names the config `given` (wire key -> attribute) come first.
    """
    names: dict[str, str] = {k: v for k, v in (given or {}).items() if k in keys}
    taken: set[str] = (
        set(BOOKKEEPING_FIELDS) | ANNOTATION_NAMES | class_names | set(names.values())
    )
    plain = [
        k
        for k in keys
        if _is_plain_ascii_identifier(k)
        and not keyword.iskeyword(k)
        and not k.startswith("__")  # Python would mangle `__x` inside the class body
    ]
    for key in plain:
        if key not in names and key not in taken:
            names[key] = key
            taken.add(key)
    for key in keys:
        if key in names:
            continue
        base = _sanitise(key)
        if base in ANNOTATION_NAMES or base in class_names:
            base += "_"
        name, number = base, 2
        while name in taken:
            name = f"{base.rstrip('_')}_{number}"
            number += 1
        names[key] = name
        taken.add(name)
    return {key: names[key] for key in keys}


# A sign in front of a number is read out (`-1` -> minus_1), not dropped: `1` and `-1` are
# different keys of one object often enough (order book levels, offsets).
_SIGN = re.compile(r"^([-+])(?=[0-9])")
_SIGN_WORDS = {"-": "minus_", "+": "plus_"}


def _sanitise(key: str) -> str:
    ascii_key = _SIGN.sub(
        lambda sign: _SIGN_WORDS[sign.group(1)],
        unicodedata.normalize("NFKD", key).encode("ascii", "ignore").decode("ascii"),
    )
    name = _NOT_IDENTIFIER.sub("_", ascii_key).strip("_")
    if not name:
        return "empty" if key == "" else "key"
    if name[0].isdigit():
        name = "n_" + name
    if keyword.iskeyword(name):
        name += "_"
    return name


def literal(value: str) -> str:
    """A Python string literal for any text.

    repr() escapes quotes, backslashes, newlines and every non-printable character, which
    includes bidirectional controls and zero-width characters (Unicode category Cf): generated
    source never hides text that reads differently from what it does.
    """
    return repr(value)


def docstring(text: str) -> str:
    """A docstring literal: triple-quoted when the text is plain, else a safe repr().

    Non-printable characters show as `\\uXXXX` text: a docstring holding a lone surrogate would
    stop Python from creating the class at all (type() encodes `__doc__` as UTF-8).
    """
    visible = "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)
    plain = "\\" not in visible and '"' not in visible
    return f'"""{visible}"""' if plain else repr(visible)


def enum_members(values: list[str] | list[int]) -> list[tuple[str, str]]:
    """(member name, value literal) per enum value: `buy` -> BUY, `subscribed/order_book` ->
    SUBSCRIBED_ORDER_BOOK, `1m` -> N_1M, 2 -> N_2, -1 -> MINUS_1; names that would clash
    (`buy`, `BUY`) get `_2`.
    """
    taken: set[str] = set()
    members = []
    for value in values:
        if isinstance(value, int):
            base = f"N_{value}" if value >= 0 else f"MINUS_{-value}"
        else:
            snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", _sanitise(value))
            base = snake.upper()
        name, number = base, 2
        while name in taken:
            name, number = f"{base}_{number}", number + 1
        taken.add(name)
        members.append(
            (name, repr(value) if isinstance(value, int) else literal(value))
        )
    return members
