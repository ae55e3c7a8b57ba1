"""The one sanitiser every identifier in generated code goes through, and the one literal writer."""

from __future__ import annotations

import keyword
import re
import textwrap
import unicodedata
from collections.abc import Iterable

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

# Names that read like digits in many fonts (pycodestyle's E741): a field or member so named
# gets a trailing `_`, as a name that annotations use does.
AMBIGUOUS_NAMES = frozenset({"l", "O", "I"})


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
    is a word (`-1` -> `minus_1`), a leading digit gets `n_`. Keys that are plain identifiers
    claim their names first, so `my_key` keeps its name and `my-key` becomes `my_key_2`. A key starting `_` is sanitised too (`_id` -> `id`): type
    checkers take `_x` for private to the class. Names starting `__`, the bookkeeping
    fields and names that annotations use (builtins, `class_names`) are never given out, nor
    `l`, `O` and `I` (they get a trailing `_`). The codec maps every name back. Names the
    config `given` (wire key -> attribute) come first.
    """
    names: dict[str, str] = {k: v for k, v in (given or {}).items() if k in keys}
    taken: set[str] = (
        set(BOOKKEEPING_FIELDS)
        | ANNOTATION_NAMES
        | AMBIGUOUS_NAMES
        | class_names
        | set(names.values())
    )
    plain = [
        k
        for k in keys
        if _is_plain_ascii_identifier(k) and not keyword.iskeyword(k)
        # Python would mangle `__x` inside the class body; `_x` is private to type checkers,
        # which then reject reading it outside the class (the codec reads every field).
        and not k.startswith("_")
    ]
    for key in plain:
        if key not in names and key not in taken:
            names[key] = key
            taken.add(key)
    for key in keys:
        if key in names:
            continue
        base = _sanitise(key)
        if base in ANNOTATION_NAMES or base in AMBIGUOUS_NAMES or base in class_names:
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


# Black's line length, which ruff's E501 checks too: generated lines, docstrings included, fit.
LINE_LENGTH = 88


def literal(value: str) -> str:
    """A Python string literal for any text, in ASCII.

    ascii() escapes quotes, backslashes, newlines, every non-printable character (bidirectional
    controls and zero-width characters among them) and every non-ASCII one: generated source
    never hides text that reads differently from what it does (`\u00e9` and `e\u0301` look
    alike, a full-width `\uff34` looks like `T`), and linters see no ambiguous character.
    Its quotes are those black would give it, so black has nothing to change.
    """
    from black.strings import normalize_string_quotes  # black loads with rendering only

    return normalize_string_quotes(ascii(value))


def docstring(text: str, indent: int = 4) -> str:
    """A triple-quoted docstring literal, wrapped to fit LINE_LENGTH at `indent` columns.

    The source is ASCII: a non-ASCII character is written as its escape (`__doc__` holds the
    character), a non-printable one as `\\uXXXX` text (a docstring holding a lone surrogate
    would stop Python from creating the class at all: type() encodes `__doc__` as UTF-8).
    A word longer than a line stays whole, on a line of its own.
    """
    body = "".join(_docstring_char(ch) for ch in text)
    first_width = LINE_LENGTH - indent - len('""""""')
    if len(body) <= first_width:
        return f'"""{body}"""'
    lines = (
        textwrap.wrap(  # black joins the closing quotes to a lone line: room for them
            body,
            width=LINE_LENGTH - indent - len('"""'),
            initial_indent='"""',
            break_long_words=False,
            break_on_hyphens=False,
        )
    )
    margin = "\n" + " " * indent
    return margin.join([*lines, '"""'])


def _docstring_char(ch: str) -> str:
    if ch == "\\" or ch == '"':
        return "\\" + ch
    if not ch.isprintable():  # lone surrogates included
        return "\\" + ascii(ch)[1:-1]  # the escape as text
    if not ch.isascii():
        return ascii(ch)[1:-1]
    return ch


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
            base = snake.upper() + ("_" if snake.upper() in AMBIGUOUS_NAMES else "")
        name, number = base, 2
        while name in taken:
            name, number = f"{base}_{number}", number + 1
        taken.add(name)
        members.append(
            (name, repr(value) if isinstance(value, int) else literal(value))
        )
    return members


# --- the orders linters expect of generated name lists --------------------------------------
# Ruff (as isort) orders imported names and `__all__` by kind first: CONSTANTS, then Classes,
# then everything else; within a kind in natural order (`Level2` before `Level10`), imported
# names case-insensitively first. Plain sorted() agrees only while no name holds a digit.


def export_order(names: Iterable[str]) -> list[str]:
    """`__all__`'s order (ruff's RUF022: kind, then natural order)."""
    return sorted(names, key=lambda name: (_name_kind(name), _Natural(name)))


def import_order(names: Iterable[str]) -> list[str]:
    """The order of names imported from one module (isort's, as ruff's I001 checks it)."""
    return sorted(names, key=import_key)


def import_key(name: str) -> tuple[int, _Natural, _Natural]:
    return (_name_kind(name), _Natural(name.lower()), _Natural(name))


def statement_key(module: str, first_name: str, straight: bool) -> tuple[object, ...]:
    """The place of an import statement in its block: `import m` ones first, then by module,
    then by the first name it imports."""
    module_key = (_Natural(module.lower()), _Natural(module))
    return (not straight, module_key, import_key(first_name))


def _name_kind(name: str) -> int:
    if len(name) > 1 and name.isupper():
        return 0  # a CONSTANT
    if name[:1].isupper():
        return 1  # a Class
    return 2


class _Natural:
    """A string compared in natural order, as the natord crate (which ruff uses) compares.

    Runs of digits compare as numbers; a run starting with 0 compares digit by digit (as a
    fraction would); whitespace is skipped.
    """

    def __init__(self, text: str) -> None:
        self.text = text

    def __lt__(self, other: _Natural) -> bool:
        return _natural_compare(self.text, other.text) < 0

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Natural) and self.text == other.text

    def __hash__(self) -> int:
        return hash(self.text)


def _natural_compare(left: str, right: str) -> int:
    i = j = 0
    while True:
        while i < len(left) and left[i].isspace():
            i += 1
        while j < len(right) and right[j].isspace():
            j += 1
        if i == len(left) or j == len(right):
            return (i < len(left)) - (j < len(right))
        a, b = left[i], right[j]
        if _is_digit(a) and _is_digit(b):
            i_end, j_end = _digits_end(left, i), _digits_end(right, j)
            if a == "0" or b == "0":
                order = _compare_fractions(left[i:i_end], right[j:j_end])
            else:
                order = _compare_integers(left[i:i_end], right[j:j_end])
            if order:
                return order
            i, j = i_end, j_end
        elif a != b:
            return -1 if a < b else 1
        else:
            i, j = i + 1, j + 1


def _is_digit(ch: str) -> bool:
    return "0" <= ch <= "9"


def _digits_end(text: str, start: int) -> int:
    end = start
    while end < len(text) and _is_digit(text[end]):
        end += 1
    return end


def _compare_integers(left: str, right: str) -> int:
    """The longer run is the larger number; else the first differing digit decides."""
    if len(left) != len(right):
        return -1 if len(left) < len(right) else 1
    return (left > right) - (left < right)


def _compare_fractions(left: str, right: str) -> int:
    """Digit by digit; a run that is a prefix of the other is the smaller."""
    return (left > right) - (left < right)
