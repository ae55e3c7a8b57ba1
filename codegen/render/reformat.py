"""black's output for a generated module, with black run only on the statements it would change.

black costs about half a millisecond a line, parsing included, even for lines it leaves as they
are, and a generated codec has tens of thousands. The templates already write what black writes
(its quotes, its blank lines, one statement a line); what they cannot know is how black splits a
long statement. So every statement, and every line that opens a block, is taken as it is when it
is one short line of characters black never changes there; black formats the others, all in one
call, each at its own depth. black formats a statement the same wherever it stands at one depth:
it splits a line knowing only that line, its depth and its mode. A statement already split as
black splits it (see _Split; the templates' split_long filter writes such splits) is taken as
it is too. Blank lines follow black's rules (see _blank_lines). Whatever this module does not
recognise (a comment out of place, `# fmt: off`, a construct it does not take apart) gets the
whole module formatted by black. tests/test_reformat.py holds the result to black's, byte for byte.
"""

from __future__ import annotations

import ast
import dataclasses
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Literal

import black
from black.mode import TargetVersion

from codegen.render.identifiers import LINE_LENGTH

BLACK_MODE = black.Mode(target_versions={TargetVersion.PY310})

# What may make black change a short line: a quote it may flip, a comment it may move or space,
# a backslash, a tab or a `;`, a magic trailing comma, runs of spaces, spaces inside brackets.
_MAY_CHANGE = re.compile(r"['#\\\t;]|,\s*[)\]}]|\S {2}|[(\[{] | [)\]}]")

# Statements that open a block whose first line black may be asked to format.
_BLOCKS = (
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.ClassDef,
    ast.If,
    ast.For,
    ast.AsyncFor,
    ast.While,
    ast.With,
    ast.AsyncWith,
    ast.Try,
)

# The lines that continue a statement without opening one of their own (`else:`): kept as they are.
_CLAUSES = frozenset({"else:", "finally:"})

# What black's blank lines depend on: the kind of each line (`clause`: `else:`, `except ...:`).
Kind = Literal[
    "decorator",
    "def",
    "class",
    "block",
    "clause",
    "import",
    "docstring",
    "comment",
    "other",
]
_OPENERS = frozenset({"def", "class", "block", "clause"})

# The line black is asked to put between two statements it formats, to tell them apart.
_CUT = "__codegen_cut__"


class _Unsure(Exception):
    """The module holds something the fast path does not take apart: black formats all of it."""


@dataclass(frozen=True)
class _Statement:
    """One logical line as black sees it: a simple statement, a decorator, or a block's opening."""

    first: int  # index of its first source line
    last: int  # index of its last source line
    depth: int
    kind: Kind
    lead: str = ""  # what must stand before it at its depth (`try:` before `except`)

    @property
    def opens_block(self) -> bool:
        """black needs a body after it."""
        return self.kind in _OPENERS


def format_module(
    source: str,
    tree: ast.Module,
    replaced: Mapping[int, str | None] | None = None,
    memo: dict[str, list[str]] | None = None,
    offset: int = 0,
) -> str:
    """`black.format_str` of `source`, with the top-level statements of `replaced` (first line
    index -> the statement's new one-line text, or None: gone) written as that.

    `tree`: `source` parsed, less its first `offset` lines (comments put before a module already
    parsed); `replaced` counts from there too. `memo`: each statement as black writes it, by
    what black would be given (see _piece), kept for the next call (a module rendered again
    differs in a few lines).
    """
    lines = source.splitlines(keepends=True)
    try:
        return _fast(lines, tree, replaced or {}, {} if memo is None else memo, offset)
    except _Unsure:
        edited = edited_source(source, tree, replaced, offset)
        return black.format_str(edited, mode=BLACK_MODE)


def edited_source(
    source: str,
    tree: ast.Module,
    replaced: Mapping[int, str | None] | None = None,
    offset: int = 0,
) -> str:
    """`source` with `replaced` written in: the module format_module formats."""
    edited = source.splitlines(keepends=True)
    replaced = replaced or {}
    for node in reversed(tree.body):
        first = node.lineno - 1
        if first in replaced:
            new = replaced[first]
            edited[offset + first : offset + (node.end_lineno or 0)] = (
                [] if new is None else [new + "\n"]
            )
    return "".join(edited)


def _fast(
    lines: list[str],
    tree: ast.Module,
    replaced: Mapping[int, str | None],
    memo: dict[str, list[str]],
    offset: int,
) -> str:
    if not lines or not lines[0].strip() or any(_CUT in line for line in lines):
        raise _Unsure
    statements = {
        statement.first
        + offset: dataclasses.replace(
            statement, first=statement.first + offset, last=statement.last + offset
        )
        for statement in _statements(tree.body, 0, lines[offset:])
    }
    texts = {
        first + offset: [] if new is None else [new + "\n"]
        for first, new in replaced.items()
    }
    pieces = {
        statement.first: _piece(statement, lines, texts)
        for statement in statements.values()
        if texts.get(statement.first) != []
    }
    unformatted = []
    for first, piece in pieces.items():
        if piece in memo:
            continue
        statement = statements[first]
        if _as_black_writes(statement, lines, texts.get(first)):
            memo[piece] = texts.get(first, lines[first : statement.last + 1])
        else:
            unformatted.append(statement)
    _black_each(unformatted, [pieces[s.first] for s in unformatted], memo)
    texts.update((first, memo[piece]) for first, piece in pieces.items())
    return "".join(_assembled(lines, statements, texts))


def _piece(
    statement: _Statement, lines: list[str], texts: Mapping[int, list[str]]
) -> str:
    """The statement as black is given it: in `if _:` blocks to its depth, after its lead, with
    a body if it needs one."""
    source = texts.get(statement.first, lines[statement.first : statement.last + 1])
    return (
        "".join(_wrappers(statement))
        + statement.lead
        + "".join(source)
        + _body(statement)
    )


def _statements(
    body: list[ast.stmt], depth: int, lines: list[str]
) -> Iterator[_Statement]:
    for index, node in enumerate(body):
        for decorator in getattr(node, "decorator_list", ()):
            yield _Statement(decorator.lineno - 1, _last(decorator), depth, "decorator")
        if isinstance(node, _BLOCKS):
            yield from _blocks(node, depth, lines)
        elif _is_compound(node):
            raise _Unsure
        elif _is_string(node) and not index:
            yield _Statement(node.lineno - 1, _last(node), depth, "docstring")
        elif _is_string(node):  # not first in its block: in black's eyes no docstring
            lead = "    " * depth + "pass\n"
            yield _Statement(node.lineno - 1, _last(node), depth, "other", lead)
        else:
            kind: Kind = (
                "import" if isinstance(node, (ast.Import, ast.ImportFrom)) else "other"
            )
            yield _Statement(node.lineno - 1, _last(node), depth, kind)


def _blocks(
    node: ast.stmt, depth: int, lines: list[str], lead: str = ""
) -> Iterator[_Statement]:
    """The statement's opening line, its body, and its clauses (`elif`, `except`) in turn."""
    body: list[ast.stmt] = getattr(node, "body")
    first = node.lineno - 1
    kind: Kind = (
        "clause"
        if lead
        else (
            "def"
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            else "class" if isinstance(node, ast.ClassDef) else "block"
        )
    )
    yield _Statement(first, _opening_end(first, body, lines), depth, kind, lead)
    yield from _statements(body, depth + 1, lines)
    indent = "    " * depth
    if isinstance(node, ast.Try):
        for handler in node.handlers:
            first = handler.lineno - 1
            end = _opening_end(first, handler.body, lines)
            try_lead = f"{indent}try:\n{indent}    pass\n"
            yield _Statement(first, end, depth, "clause", try_lead)
            yield from _statements(handler.body, depth + 1, lines)
        yield from _statements(node.finalbody, depth + 1, lines)
    orelse: list[ast.stmt] = getattr(node, "orelse", [])
    if isinstance(node, ast.If) and len(orelse) == 1 and _is_elif(orelse[0], lines):
        if_lead = f"{indent}if _:\n{indent}    pass\n"
        yield from _blocks(orelse[0], depth, lines, if_lead)
    else:
        yield from _statements(orelse, depth + 1, lines)


def _is_elif(node: ast.stmt, lines: list[str]) -> bool:
    return lines[node.lineno - 1][node.col_offset :].startswith("elif")


def _opening_end(first: int, body: list[ast.stmt], lines: list[str]) -> int:
    """The last line of a block's opening: the last code line before its body."""
    end = _start(body[0]) - 1
    while end > first and lines[end].lstrip()[:1] in ("#", ""):
        end -= 1
    if end < first:
        raise _Unsure  # the body on the opening's line
    return end


def _start(node: ast.stmt) -> int:
    decorators = getattr(node, "decorator_list", None)
    return (decorators[0].lineno if decorators else node.lineno) - 1


def _last(node: ast.AST) -> int:
    end = getattr(node, "end_lineno", None)
    if end is None:
        raise _Unsure
    return int(end) - 1


def _is_string(node: ast.stmt) -> bool:
    return (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    )


def _is_compound(node: ast.stmt) -> bool:
    return hasattr(node, "body")


def _as_black_writes(
    statement: _Statement, lines: list[str], text: list[str] | None
) -> bool:
    """Whether black leaves the statement as it is: short lines of plain characters, on one line
    or split as black splits (see _Split)."""
    source = text if text is not None else lines[statement.first : statement.last + 1]
    indent = "    " * statement.depth
    if statement.kind == "docstring" and len(source) == 1:
        return _plain_docstring(source[0], indent)
    if not all(_plain(line) for line in source) or not source[0].startswith(indent):
        return False
    if len(source) == 1:
        return source[0][len(indent)] != " "
    split = _Split.of(source, len(indent))
    return split is not None and split.forced


def _plain(line: str) -> bool:
    """A line that black leaves as it is, as far as its characters tell."""
    code = line.lstrip(" ")
    return (
        len(line) <= LINE_LENGTH + 1  # its newline
        and line.isascii()
        and line.endswith("\n")
        and not line[:-1].endswith(" ")
        and code.count('"') % 2 == 0  # no string goes on to the next line
        and not _MAY_CHANGE.search(code)
    )


def _plain_docstring(line: str, indent: str) -> bool:
    """A docstring on one line that black leaves as it is: its quotes may be any but its own."""
    text = line[len(indent) : -1]
    inner = text[3:-3]
    return (
        line.startswith(indent + '"""')
        and line.endswith('"""\n')
        and len(line) <= LINE_LENGTH + 1
        and line.isascii()
        and len(text) >= 6
        and inner == inner.strip()
        and '"' not in inner
        and "\\" not in inner
        and "\t" not in inner
    )


# A line that opens brackets black split: `data: dict[str, Any] = {`, `    (`, `if not (`.
_OPENS = re.compile(r"[(\[{]\n$")
# The opening lines taken as black's: a value that is one name's brackets (no delimiter black
# could wrap the value in parentheses of its own for), after what may stand before it.
_HEAD = re.compile(
    r"^(?:(?:and|or|return|if|elif|while) )?(?:[^=]* = )?(?:not )?\w*[(\[{]$"
    r"|^(?:def|class) \w+\($|^@\w+\($|^from [\w.]+ import \($|^\"[^\"]*\": \($"
)
# Parentheses black may leave out: around an assignment's value, a condition, a dict's value.
_OPTIONAL_PARENTHESES = re.compile(r'^(?:[\w, ]+ =|if|elif|while|"[^"]*":)( \()\n$')
_CLOSING = {"(": ")", "[": "]", "{": "}"}
# A bracket that opens a call's arguments or a subscript, not a display: `f(`, `x[`.
_CALL = re.compile(r"[\w)\]][(\[]$")
# What follows a def's parameters split one a line: black splits a def at its first bracket.
_RETURNS = re.compile(r"^ -> [^()]*:$")


@dataclass
class _Split:
    """A statement split at one pair of brackets, as black splits a line too long or with a
    magic trailing comma: the opening line, the items one a line (each maybe split in turn)
    one indent deeper, the closing bracket at the opening line's indent. black splits there
    and so when the brackets' content cannot be joined: it has a magic trailing comma (two
    items or more, each ending with a comma), or joined it would not fit. An `and`/`or` chain
    is split before each operator, as black splits one too long for a line; a value in
    parentheses of its own stays so only if it is a conditional expression.
    """

    items: list[str]  # each item joined on one line
    magic: bool  # a magic trailing comma here or in an item: no joining it
    joined: str  # the whole, joined on one line

    @property
    def forced(self) -> bool:
        return self.magic or len(self.joined) > LINE_LENGTH

    @classmethod
    def of(cls, source: list[str], indent: int) -> _Split | None:
        split, end = cls._parse(source, 0, indent)
        return split if end == len(source) else None

    @classmethod
    def _parse(
        cls, source: list[str], start: int, indent: int
    ) -> tuple[_Split | None, int]:
        """The split that opens at source[start] (at `indent`), and the index after it."""
        opening = source[start]
        if not _HEAD.match(opening.strip()) or _top_level(opening.strip()[:-1]) is None:
            return None, start
        closing = " " * indent + _CLOSING[opening[-2]]
        items: list[str] = []
        magic = False
        index = start + 1
        inner = " " * (indent + 4)
        while index < len(source) and not source[index].startswith(closing):
            line = source[index]
            if not line.startswith(inner) or line[len(inner)] == " ":
                return None, start
            if _OPENS.search(line):
                nested, index = cls._parse(source, index, indent + 4)
                if nested is None or not nested.forced:
                    return None, start
                magic = magic or nested.magic
                items.append(nested.joined.strip())
            elif _top_level(line.strip()) is None:
                return None, start  # not a whole item
            else:
                items.append(line.strip())
                index += 1
        if index == len(source):
            return None, start
        tail = source[index][len(closing) :].rstrip("\n")
        if _top_level(tail) is None:
            return None, start
        if tail not in ("", ",", ":") and not (
            opening.lstrip().startswith("def ") and _RETURNS.match(tail)
        ):
            return None, start
        head = opening.rstrip("\n")
        body = " ".join(items)
        joined = head + body.rstrip(",") + closing.strip() + tail
        optional = _OPTIONAL_PARENTHESES.match(opening[indent:])
        if optional:
            joined = head[:-1] + body + tail  # joined, the parentheses go
        delimiters = [_delimiters(item) for item in items]
        if len(items) >= 2 and all(item.endswith(",") for item in items):
            magic = True
        elif len(items) >= 2 and all(
            item.startswith(("and ", "or ")) for item in items[1:]
        ):
            # black joins a chain that fits, and splits it only at and/or
            if len(inner) + len(body) <= LINE_LENGTH or any(
                d[1 if n else 0 :] for n, d in enumerate(delimiters)
            ):
                return None, start
        elif len(items) == 1 and not items[0].endswith(","):
            # parentheses of their own stay around two delimiters of the top priority
            if optional and _top_priority_count(delimiters[0]) < 2:
                return None, start
            # black splits a display's items (not a call's arguments) one a line
            if "," in delimiters[0] and "for" not in delimiters[0]:
                if not _CALL.search(head):
                    return None, start
        elif (
            len(items) == 1
            and opening.lstrip().startswith("def ")
            and not _delimiters(items[0][:-1])
        ):
            magic = True  # black gives a def's one parameter a comma when it splits
        else:
            return None, start
        return cls(items, magic, joined), index + 1


def _black_each(
    statements: list[_Statement], pieces: list[str], memo: dict[str, list[str]]
) -> None:
    """Each statement as black writes it at its depth, into `memo` by its piece (see _piece),
    from one black call: the pieces are cut apart by a line of _CUT, and so is black's output.
    """
    new = dict(zip(pieces, statements))
    if not new:
        return
    formatted = black.format_str(f"{_CUT}\n".join(new), mode=BLACK_MODE)
    parts: list[list[str]] = [[]]
    for line in formatted.splitlines(keepends=True):
        if line == f"{_CUT}\n":
            parts.append([])
        else:
            parts[-1].append(line)
    if len(parts) != len(new):
        raise _Unsure
    for (piece, statement), part in zip(new.items(), parts):
        memo[piece] = _unwrapped(statement, part)


def _wrappers(statement: _Statement) -> Iterator[str]:
    for level in range(statement.depth):
        yield "    " * level + "if _:\n"


def _body(statement: _Statement) -> str:
    """What must follow the statement for black to read it: a block's body, a decorator's def."""
    indent = "    " * statement.depth
    if statement.kind == "decorator":
        return f"{indent}def _():\n{indent}    pass\n"
    return f"{indent}    pass\n" if statement.opens_block else ""


def _unwrapped(statement: _Statement, part: list[str]) -> list[str]:
    """The statement's own lines of black's lines for its piece."""
    expected_before = [*_wrappers(statement), *statement.lead.splitlines(keepends=True)]
    start = 0
    for line in expected_before:
        while start < len(part) and part[start] == "\n":
            start += 1
        if part[start : start + 1] != [line]:
            raise _Unsure
        start += 1
    end = len(part)
    body = _body(statement).splitlines(keepends=True)
    while end > start and part[end - 1] == "\n":
        end -= 1
    if body:
        if part[end - len(body) : end] != body:
            raise _Unsure
        end -= len(body)
    while start < end and part[start] == "\n":
        start += 1
    while end > start and part[end - 1] == "\n":
        end -= 1
    return part[start:end]


@dataclass
class _Line:
    """A line as black's blank-line rules see it: a statement, a comment or a clause, with its
    lines as black writes them and the blank lines before and after it."""

    kind: Kind
    depth: int
    text: list[str]
    before: int  # blank lines: those of the source, then those black puts
    after: int = 0
    previous: _Line | None = None

    @property
    def first_word(self) -> str:
        return self.text[0].split(None, 1)[0] if self.text else ""


def _assembled(
    lines: list[str],
    statements: Mapping[int, _Statement],
    texts: Mapping[int, list[str]],
) -> list[str]:
    """The module's lines, with blank lines where black puts them."""
    out: list[str] = []
    for line in _blank_lines(_lines(lines, statements, texts)):
        out += ["\n"] * line.before + line.text + ["\n"] * line.after
    return out


def _lines(
    lines: list[str],
    statements: Mapping[int, _Statement],
    texts: Mapping[int, list[str]],
) -> list[_Line]:
    """Statements as black writes them; comments and clauses as they are, once checked to be as
    black writes them (a comment has the indent of the line it comes before)."""
    found: list[_Line] = []
    comments: list[_Line] = []
    blank = 0
    index = 0
    while index < len(lines):
        line = lines[index]
        stripped = line.strip()
        statement = statements.get(index)
        if statement is not None:
            text = texts.get(index, lines[index : statement.last + 1])
            index = statement.last + 1
            if not text:  # a statement taken out: the blank lines around it stay
                continue
            found += _checked(comments, statement.depth)
            found.append(_Line(statement.kind, statement.depth, text, blank))
        elif not stripped:
            blank += 1
            index += 1
            continue
        elif stripped.startswith("#"):
            comments.append(_Line("comment", -1, [line], blank))
            index += 1
        elif stripped in _CLAUSES and line.endswith(stripped + "\n"):
            depth, odd = divmod(len(line) - len(stripped) - 1, 4)
            if odd:
                raise _Unsure
            found += _checked(comments, depth)
            found.append(_Line("clause", depth, [line], blank))
            index += 1
        else:
            raise _Unsure
        blank = 0
    if comments:
        raise _Unsure
    return found


def _blank_lines(lines: list[_Line]) -> list[_Line]:
    """The lines with black's blank lines before and after them (black's EmptyLineTracker, for
    the kinds of line _lines finds, in black's default mode)."""
    previous: _Line | None = None
    defs: list[_Line] = []  # the defs and classes still open
    leading_comment: _Line | None = None  # the first of the comments right before a def
    for line in lines:
        line.previous = previous
        before = min(line.before, 2 if line.depth == 0 else 1)
        user_had_newline = bool(before)
        previous_def = None
        while defs and defs[-1].depth >= line.depth:
            previous_def = defs.pop()
        if line.kind in ("def", "class"):
            defs.append(line)
        if previous is None:
            before, after = 0, 0
        elif line.kind == "docstring" and previous.kind == "class":
            before, after = 0, 1
        elif line.kind == "docstring" and previous.kind == "def":
            before, after = 0, 0
        else:
            after = 0
            if previous_def is not None:
                if line.depth:
                    before = 1
                elif (
                    previous_def.depth
                    and line.kind in _OPENERS
                    and line.first_word
                    not in ("with", "try", "for", "while", "if", "match")
                ):
                    before = 1
                else:
                    before = 2
            if line.kind in ("decorator", "def", "class"):
                before = _before_def(
                    line, previous, before, user_had_newline, leading_comment
                )
            elif previous.kind == "import" and line.kind != "import":
                if previous.depth == 0 and line.depth == 0:
                    before = 1
                elif previous.depth == line.depth:
                    before = before or 1
        before = max(0, before - (previous.after if previous else 0))
        if _follows_module_docstring(line):
            before = 1
        line.before, line.after = before, after
        if line.kind == "comment":
            if previous is None or (
                previous.kind != "decorator"
                and (previous.kind != "comment" or before)
                and (leading_comment is None or before)
            ):
                leading_comment = line
        elif line.kind != "decorator" or before:
            leading_comment = None
        previous = line
    if lines:
        lines[-1].after = 0
    return lines


def _before_def(
    line: _Line,
    previous: _Line,
    before: int,
    user_had_newline: bool,
    leading_comment: _Line | None,
) -> int:
    """Blank lines before a decorator, def or class; the comments right before it may get
    them instead."""
    if previous.kind == "decorator":
        return 0
    if previous.depth < line.depth and previous.kind in ("def", "class"):
        return 1 if user_had_newline else 0
    newlines = 1 if line.depth else 2
    if previous.kind == "comment" and previous.depth == line.depth and before == 0:
        comment = leading_comment
        if (
            comment is None
            or comment.previous is None
            or comment.previous.kind in _OPENERS
            or comment.before > 1
        ):
            return 0
        comment.before = max(comment.before, newlines) - comment.previous.after
        return 0
    return newlines


def _follows_module_docstring(line: _Line) -> bool:
    previous = line.previous
    if (
        previous is None
        or previous.kind != "docstring"
        or previous.depth != 0
        or line.kind in ("def", "class")
    ):
        return False
    return all(earlier.kind == "comment" for earlier in _earlier(previous))


def _earlier(line: _Line) -> Iterator[_Line]:
    while line.previous is not None:
        line = line.previous
        yield line


def _checked(comments: list[_Line], depth: int) -> list[_Line]:
    """The comments, emptied from `comments`, given `depth` once checked to be as black writes
    them there."""
    taken = comments[:]
    comments.clear()
    indent = "    " * depth
    for comment in taken:
        (text,) = comment.text
        body = text[len(indent) :].rstrip("\n")
        if (
            not text.startswith(indent + "#")
            or not (body == "#" or body.startswith("# "))
            or body != body.rstrip()
            or "fmt:" in body
        ):
            raise _Unsure
        comment.depth = depth
    return taken


_CONDITIONAL_VALUE = re.compile(r"^( *)([\w, ]+) = (.+)$")
_DICT_ITEM = re.compile(r'^( *)("[^"]*": )(.+),$')
_DEF = re.compile(r"^( *)(def \w+)\(([^()]*)\)( -> [^()]*:)$")
_CONDITION = re.compile(r"^( *)(if|elif|while) (.+):$")
_LOGIC = re.compile(r" (and|or) ")
_STRING = re.compile(r'"[^"\\]*"')
_INNERMOST = re.compile(r"\([^()\[\]{}]*\)|\[[^()\[\]{}]*\]|\{[^()\[\]{}]*\}")


def split_long(text: str) -> str:
    """A statement on one line (its indent included) laid out as black lays it out when it is
    too long for a line, where that is a layout black keeps (see _Split): a conditional
    expression assigned or a dict's value, or a condition, in parentheses of its own, a chain
    of `and`/`or` one operand a line, a def's one parameter on a line of its own with a comma,
    else split at the last pair of brackets. Otherwise as it is.

    Templates filter the statements that may be long through this, so that black need not see
    them; whatever this leaves for black to split, black splits (see format_module).
    """
    line = text.rstrip("\n")
    if len(line) <= LINE_LENGTH or not line.isascii():
        return text
    indent = line[: len(line) - len(line.lstrip(" "))]
    condition = _CONDITION.match(line)
    value = _CONDITIONAL_VALUE.match(line)
    item = _DICT_ITEM.match(line)
    if condition:
        keyword, expression = condition[2], condition[3]
        negated = expression.startswith("not (") and _is_atom(expression[4:])
        head = f"{keyword} not (" if negated else f"{keyword} ("
        inner = expression[5:-1] if negated else expression
        lines = _chain(inner, indent + "    ")
        if lines is not None:
            return "\n".join([indent + head, *lines, indent + "):"]) + "\n"
    elif value and _delimiters(value[3]) in (["if", "else"], ["else", "if"]):
        return f"{indent}{value[2]} = (\n{indent}    {value[3]}\n{indent})\n"
    elif item and _delimiters(item[3]) in (["if", "else"], ["else", "if"]):
        return f"{indent}{item[2]}(\n{indent}    {item[3]}\n{indent}),\n"
    definition = _DEF.match(line)
    if definition and not _delimiters(definition[3]):
        parameter = f"{indent}    {definition[3]},\n"
        return f"{indent}{definition[2]}(\n{parameter}{indent}){definition[4]}\n"
    opening = _last_bracket_pair(line)
    if opening is None:
        return text
    head, body = line[: opening + 1], line[opening + 1 : -1]
    return f"{head}\n{indent}    {body}\n{indent}{line[-1]}\n"


def _chain(expression: str, indent: str) -> list[str] | None:
    """An `and`/`or` chain's lines at `indent` as black splits it: on one line if it fits, else
    one operand a line, each after its operator, an operand too long split the same way inside
    its parentheses. None: black would split it otherwise."""
    if len(indent) + len(expression) <= LINE_LENGTH:
        return [indent + expression]
    operands = _operands(expression)
    if operands is None or len(operands) == 1 and not _is_atom(expression):
        return None
    lines = []
    for operator, operand in operands:
        lead = f"{operator} " if operator else ""
        if len(indent) + len(lead) + len(operand) <= LINE_LENGTH:
            lines.append(indent + lead + operand)
            continue
        inner = _chain(operand[1:-1], indent + "    ") if _is_atom(operand) else None
        if inner is None:
            return None
        lines += [indent + lead + "(", *inner, indent + ")"]
    return lines


def _operands(expression: str) -> list[tuple[str, str]] | None:
    """(operator, operand) of each operand of a chain at the top level of `expression`; the
    first operator is "". None: other delimiters there, which black would split at first.
    """
    top = _top_level(expression)
    if top is None or set(_delimiters(expression)) - {"and", "or"}:
        return None
    operands = []
    start, operator = 0, ""
    for match in _LOGIC.finditer(top):
        operands.append((operator, expression[start : match.start()]))
        start, operator = match.end(), match[1]
    operands.append((operator, expression[start:]))
    return operands


def _delimiters(expression: str) -> list[str]:
    """The delimiters black may split at that stand at the top level of `expression`, among
    `and`, `or`, `if`, `else`, `for`, `lambda`, `,` (["?"]: the text is not plain)."""
    top = _top_level(expression)
    if top is None:
        return ["?"]
    return re.findall(r"(?<![\w.])(?:and|or|if|else|for|lambda)(?![\w.])|,", top)


# black's delimiter priorities, highest first (`lambda` and unread text: not counted on).
_PRIORITIES = (("for",), (",",), ("if", "else"), ("and", "or"))


def _top_priority_count(delimiters: list[str]) -> int:
    """How many of the delimiters have the highest priority among them (0: none, or one that
    this does not rank)."""
    if "?" in delimiters or "lambda" in delimiters:
        return 0
    for priority in _PRIORITIES:
        count = sum(delimiter in priority for delimiter in delimiters)
        if count:
            return count
    return 0


def _top_level(expression: str) -> str | None:
    """`expression` with its strings and its brackets with what they hold blanked out, so what
    stays is its top level; None for text with escapes or single quotes, which this does not
    read, or with brackets that do not pair."""
    top = _strings_blanked(expression)
    if top is None:
        return None
    while True:
        blanked = _INNERMOST.sub(lambda match: "_" * len(match[0]), top)
        if blanked == top:
            return None if any(bracket in top for bracket in "()[]{}") else top
        top = blanked


def _is_atom(expression: str) -> bool:
    """`(...)`, one pair of parentheses around the whole."""
    return expression.startswith("(") and _last_bracket_pair(expression) == 0


def _last_bracket_pair(line: str) -> int | None:
    """Where the bracket opens that the line's last character closes (None: no bracket there,
    or text this does not read)."""
    top = _strings_blanked(line)
    if line[-1:] not in (")", "]", "}") or top is None:
        return None
    depth = 0
    for index in range(len(line) - 1, -1, -1):
        char = top[index]
        if char in ")]}":
            depth += 1
        elif char in "([{":
            depth -= 1
            if not depth:
                return index
    return None


def _strings_blanked(line: str) -> str | None:
    """`line` with its strings blanked out (None: text with escapes or single quotes)."""
    if "\\" in line or "'" in line:
        return None
    return _STRING.sub(lambda match: '"' + "_" * (len(match[0]) - 2) + '"', line)
