"""The fast formatter is black: for every module that generate renders (the bundled sets, random
sets drawn as tests/test_fuzz.py draws them, hostile keys and values), the output of
codegen.render.reformat is byte for byte black.format_str's of the same source, and black is
given only a small part of it.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import ast
import black
import pytest
from hypothesis import Phase, example, given, settings
from hypothesis import strategies as st

import codegen.render.python
from codegen.pipeline import build_packages
from codegen.render.identifiers import LINE_LENGTH
from codegen.render.reformat import BLACK_MODE, edited_source, format_module, split_long

from conftest import NAUGHTY_STRINGS, SAMPLES
from test_fuzz import SLOW_BUT_FINE, sample_sets
from test_hostile_names import KEY_GROUPS, LONE_SURROGATES, as_names, as_values

# Of the lines of the bundled sets' modules, at most this share is given to black.
MOST_GIVEN_TO_BLACK = 0.2


class Formatted:
    """Per module rendered: how many lines black was given, and how many the module has."""

    def __init__(self) -> None:
        self.modules: list[tuple[int, int]] = []

    def share_given_to_black(self) -> float:
        given = sum(lines for lines, _ in self.modules)
        return given / sum(total for _, total in self.modules)


@pytest.fixture
def compared(monkeypatch: pytest.MonkeyPatch) -> Iterator[Formatted]:
    """While in use, every module the renderer formats is formatted by black too: the two must
    be the same."""
    formatted = Formatted()
    real_format_str = black.format_str
    given = [0]

    def counted_format_str(text: str, *, mode: black.Mode) -> str:
        given[0] += text.count("\n")
        return real_format_str(text, mode=mode)

    def checked(
        source: str,
        tree: ast.Module,
        replaced: dict[int, str | None] | None = None,
        memo: dict[str, list[str]] | None = None,
        offset: int = 0,
    ) -> str:
        given[0] = 0
        with monkeypatch.context() as patch:
            patch.setattr(black, "format_str", counted_format_str)
            fast = format_module(source, tree, replaced, memo, offset)
        edited = edited_source(source, tree, replaced, offset)
        expected = real_format_str(edited, mode=BLACK_MODE)
        assert fast == expected
        formatted.modules.append((given[0], fast.count("\n")))
        return fast

    monkeypatch.setattr(codegen.render.python, "format_module", checked)
    yield formatted
    assert formatted.modules  # the renderer went through the check


def render(root: Path, sets: dict[str, list[Any]]) -> None:
    for name, samples in sets.items():
        folder = root / "samples" / name
        folder.mkdir(parents=True)
        for number, sample in enumerate(samples):
            (folder / f"{number:03d}.json").write_text(json.dumps(sample), "utf-8")
    build_packages(root / "samples")


def test_bundled_sets_format_as_black_formats_them(compared: Formatted) -> None:
    build_packages(SAMPLES)
    assert compared.share_given_to_black() < MOST_GIVEN_TO_BLACK


def test_random_sets_format_as_black_formats_them(compared: Formatted) -> None:
    @settings(
        max_examples=25,
        deadline=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=SLOW_BUT_FINE,
    )
    @given(sample_sets())
    @example([{"a": {"X-Y": [], "1": [{}], "Z-W": [{"A-B": 0, "C-D": 0, "E-F": 0}]}}])
    @example([{"error": {"code": 1}}, {"unknown": {"v": 2}}, {"unhandled": 3}])
    def check(samples: list[Any]) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            render(Path(tmp), {"fuzz": samples})

    check()


@pytest.mark.parametrize("group", KEY_GROUPS)
def test_hostile_keys_format_as_black_formats_them(
    compared: Formatted, tmp_path: Path, group: str
) -> None:
    render(tmp_path, {"hostile": as_names(KEY_GROUPS[group], records=99)})


def test_hostile_values_and_long_keys_format_as_black_formats_them(
    compared: Formatted, tmp_path: Path
) -> None:
    long_keys = ["k" * 120, "a_" * 50, "x" * 85, "Level" * 20 + "é"]
    render(
        tmp_path,
        {
            "values": as_values(list(NAUGHTY_STRINGS) + LONE_SURROGATES),
            "surrogates": as_names(LONE_SURROGATES),
            "long": as_names(long_keys, records=4),
        },
    )


# --- shapes the templates do not write: the fast path must still give black's output -----------

NAMES = st.text("abcdefghij_", min_size=1, max_size=34).map(lambda text: "n" + text)

# One line each, to be laid out in turn as it is, by split_long, or split where it is short.
STATEMENTS = [
    "{a} = {b}({c}, {d})",
    "{a} = ({b}, {c}, {d})",
    "{a}, {b} = {c} if {d} else {e}({a}, {b})",
    "{a} = {b} if {c} else {d}",
    "{a} = {b} and {c}({d})",
    '{a} = {{"k": {b}, "l": {c}({d}), "m": {e}}}',
    '{a} = {{"k": {b} if {c} else {d}({e}), "l": {c} if {d} else {e}, "m": {e}}}',
    "{a} = {{key: index for index, key in enumerate({b})}}",
    "{a} = [{b}, {c}, {d}]",
    "return {a}({b}, {c}, {d}, {e})",
    "if {a} and ({b} or {c}) and {d}:",
    "if not ({a} and {b}({c}, {d}) and ({e} is None or {c})):",
    "if {a} and {b}({c}):",
    "while {a} or {b}.{c}({d}):",
    "elif {a} and {b} and {c}:",
    "def {a}(self, {b}: int, {c}: str = {d}) -> {e}:",
    "def {a}({b}: {c}) -> dict[str, {d}]:",
    "class {a}({b}, {c}):",
    "@{a}({b}, {c})",
    "import {a}",
    "from .{a} import {b}, {c}, {d}",
    '"""{a} {b} {c}."""',
    "# {a} {b}",
]


def forced_split(line: str, indent: str) -> str:
    """The line as split_long splits it when too long, whatever its length."""
    room = " " * (LINE_LENGTH + 1)
    split = split_long(room + line.lstrip(" ") + "\n")
    return "".join(indent + part[len(room) :] + "\n" for part in split.splitlines())


def exploded(line: str, indent: str) -> str:
    """Split at its last brackets, an item a line, each with a comma (a magic trailing comma),
    each item then through split_long."""
    opening = max(line.rfind("("), line.rfind("["), line.rfind("{"))
    if opening < 0 or line[-1] not in ")]}:" or ":" in line[opening:-1]:
        return indent + line + "\n"
    close = len(line) - (2 if line.endswith(":") else 1)
    items = [
        item.strip() for item in line[opening + 1 : close].split(",") if item.strip()
    ]
    inner = "".join(split_long(f"{indent}    {item},\n") for item in items)
    return f"{indent}{line[: opening + 1]}\n{inner}{indent}{line[close:]}\n"


@st.composite
def modules(draw: st.DrawFn) -> str:
    """A module of such statements at random depths, with random blank lines between."""
    out: list[str] = []
    depth = 0
    opened = False  # the last statement opens a block: the next is deeper
    for _ in range(draw(st.integers(1, 12))):
        pattern = draw(st.sampled_from(STATEMENTS))
        names = {key: draw(NAMES) for key in "abcde"}
        line = pattern.format(**names)
        if line.startswith("elif") and not out:
            line = "if" + line[4:]
        if not opened:
            depth = draw(st.integers(0, depth))
        indent = "    " * depth
        if not opened:
            out.append("\n" * draw(st.integers(0, 3)))
        layout = draw(st.sampled_from([str.__add__, forced_split, exploded]))
        text = (
            layout(indent, line + "\n")
            if layout is str.__add__
            else (
                split_long(indent + line + "\n")
                if draw(st.booleans())
                else layout(line, indent)
            )
        )
        out.append(text)
        opened = line.endswith(":")
        if line.startswith("@"):
            out.append(f"{indent}def {names['a']}():\n")
            opened = True
        if opened:
            depth += 1
    if opened:
        out.append("    " * depth + "pass\n")
    return "".join(out)


@settings(max_examples=500, deadline=None, suppress_health_check=SLOW_BUT_FINE)
@given(modules())
def test_statements_format_as_black_formats_them(source: str) -> None:
    try:
        tree = ast.parse(source)
    except SyntaxError:  # `elif` after no `if`, `return` at the top level and the like
        return
    assert format_module(source, tree) == black.format_str(source, mode=BLACK_MODE)
