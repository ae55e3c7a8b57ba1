"""Recursive types: objects nested inside objects of their own type (trees, threads, ASTs).

Observation asks, at each position holding objects, whether positions below it hold the same
type again: `{"id", "children": [{...same keys...}]}`, a comment's `replies`, an AST node's `left`
and `right`, `{"a": {"a": ...}}`. Such a position below is an *edge*: its objects join the
position's own, and the type there is the position's type, whatever the depth.

Evidence, thresholds in `thresholds` (RECURSION_*): walking down from the objects, the first
object on each branch whose keys are mostly those of one of them, with values of the same JSON
kinds, is a candidate (`_Profile.match`). Its relative path is an edge when one object there shares
enough keys with one above, or when most objects there match and nest in each other levels deep
(few keys in common is no evidence alone: `{"data": {"data": [...]}}`).
Objects at an edge join the type, so the search runs again from them until no new edge turns up:
an AST whose top is always `BinOp` finds `Num` nodes at `left` once a `BinOp` there has made
`left` an edge. The config forces an edge (`recursive = "$"` at `$.children[*]`) or forbids one
(`recursive = false`).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from codegen.infer import thresholds
from codegen.infer.ir import STRING, Scalar
from codegen.infer.overrides import ITEMS, Segment, path_text

Path = tuple[Segment, ...]
Step = str | int  # a key or an index, down from an object


@dataclass(frozen=True)
class Member:
    """An object of the type: reached from the position's object number `source` by `steps`."""

    source: int
    steps: tuple[Step, ...]
    value: dict[str, Any]


@dataclass(frozen=True)
class Found:
    members: list[
        Member
    ]  # the position's own objects first, then those below, level by level
    edges: dict[Path, str]  # path relative to the position -> the evidence, one line


def find_recursion(
    objects: list[dict[str, Any]],
    weights: list[int],
    base: Path,
    forced: Callable[[Path], bool | None],
    stop: Callable[[Path], bool],
) -> Found | None:
    """The edges below the objects at position `base`, and every object of the type; None if none.

    `forced(path)`: the config says the objects at that (absolute) path are of this type (True)
    or never part of an enclosing recursive type, nor the objects below them (False). `stop(path)`: the objects there belong to an enclosing recursive type.
    `weights`: how many samples each object stands for (a summary's skeletons).
    """
    edges: dict[Path, str] = {}
    members = _closure(objects, edges)
    while True:
        profile = _Profile(members)
        found: dict[Path, str] = {}
        candidates = _candidates(members, base, profile, forced, stop, edges)
        for relative in sorted(candidates, key=lambda p: (len(p), path_text(p))):
            if any(relative[: len(edge)] == edge for edge in found):
                continue  # reached through that edge, once its objects are members
            if forced(base + relative):
                found[relative] = "set in the config"
                continue
            evidence = _evidence(members, weights, relative, profile)
            if evidence is not None:
                found[relative] = evidence
        if not found:
            return Found(members, edges) if edges else None
        edges.update(found)
        members = _closure(objects, edges)


def _candidates(
    members: list[Member],
    base: Path,
    profile: _Profile,
    forced: Callable[[Path], bool | None],
    stop: Callable[[Path], bool],
    edges: dict[Path, str],
) -> set[Path]:
    """Relative paths of the first object on each branch below a member that matches one; the
    walk skips the objects at edges (they are members, walked from themselves)."""
    found: set[Path] = set()
    for member in members:
        pending: list[tuple[Any, Path]] = [(member.value, ())]
        while pending:
            value, relative = pending.pop()
            if isinstance(value, list):
                pending.extend((item, relative + (ITEMS,)) for item in value)
                continue
            if not isinstance(value, dict):
                continue
            if relative:
                if relative in found or relative in edges or stop(base + relative):
                    continue
                setting = forced(base + relative)
                if setting is False:
                    continue  # the config keeps these objects, and those below, apart
                if (
                    setting
                    or profile.match(value, relative[0], member.value) is not None
                ):
                    found.add(relative)
                    continue
            pending.extend(
                (item, relative + (("key", key),)) for key, item in value.items()
            )
    return found


def _evidence(
    members: list[Member], weights: list[int], relative: Path, profile: _Profile
) -> str | None:
    """Why the objects at `relative` below the members are of their type, or None."""
    first = relative[0]
    below = [
        (member.value, obj, weights[member.source])
        for member in members
        for _, obj in _objects_at(member.value, relative)
    ]
    verdicts = [
        (verdict, weight)
        for verdict, weight in (
            (profile.match(obj, first, above), weight) for above, obj, weight in below
        )
        if verdict is not None
    ]
    matched = [verdict for verdict, _ in verdicts]
    matched_count = sum(weight for _, weight in verdicts)
    below_count = sum(weight for _, _, weight in below)
    levels = 1
    level = [member.value for member in members]
    while level:
        level = [
            obj
            for value in level
            for _, obj in _objects_at(value, relative)
            if profile.match(obj, first, value) is not None
        ]
        levels += 1 if level else 0
    alone, shared = max(matched, default=(False, 0))
    if not alone and (
        levels < thresholds.RECURSION_MIN_LEVELS
        or matched_count < thresholds.RECURSION_MIN_MATCH_SHARE * below_count
    ):
        return None
    return (
        f"{matched_count} of {below_count} objects at {path_text(relative)[1:]} below"
        f" match objects above ({shared} {'key' if shared == 1 else 'keys'} in common),"
        f" nesting {levels} levels deep"
    )


def _closure(objects: list[dict[str, Any]], edges: dict[Path, str]) -> list[Member]:
    """The objects, then every object at an edge below one already found, breadth first."""
    members = [Member(index, (), obj) for index, obj in enumerate(objects)]
    pending = deque(members)
    while pending:
        member = pending.popleft()
        for relative in edges:
            for steps, obj in _objects_at(member.value, relative):
                found = Member(member.source, member.steps + steps, obj)
                members.append(found)
                pending.append(found)
    return members


def _objects_at(value: Any, relative: Path) -> list[tuple[tuple[Step, ...], Any]]:
    """The objects at a relative path below `value`, with the keys and indexes down to each."""
    current: list[tuple[tuple[Step, ...], Any]] = [((), value)]
    for segment in relative:
        below: list[tuple[tuple[Step, ...], Any]] = []
        for steps, item in current:
            if segment == ITEMS and isinstance(item, list):
                below.extend((steps + (index,), x) for index, x in enumerate(item))
            elif segment != ITEMS and isinstance(item, dict) and segment[1] in item:
                below.append((steps + (segment[1],), item[segment[1]]))
        current = below
    return [(steps, item) for steps, item in current if isinstance(item, dict)]


def _kind(value: Any) -> str | None:
    """A value's JSON kind (ints and floats are both numbers); None for null, which fits any."""
    if value is None:
        return None
    if isinstance(value, Scalar):
        return "string" if value.kind == STRING else "number"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _fits(value: Any, kinds: set[str] | None) -> bool:
    """A value is of the kinds seen (null, or a key only ever null, fits any)."""
    kind = _kind(value)
    return kind is None or kinds is None or kind in kinds


def _kinds(obj: dict[str, Any]) -> dict[str, set[str]]:
    """The JSON kind of each key's value that is not null."""
    return {
        key: {kind} for key, kind in ((k, _kind(v)) for k, v in obj.items()) if kind
    }


class _Profile:
    """The key sets of the members, with the JSON kinds each key held, to match objects below.

    An object below is compared with the key set of the object it is below, and with those of
    the members reached through an edge (known nodes of the type, like an AST's `Num` leaves);
    never with any other object at the position: a position holding several kinds of messages
    is not a tree because one kind also appears inside another.
    """

    def __init__(self, members: list[Member]) -> None:
        self.kinds: dict[frozenset[str], dict[str, set[str]]] = {}
        self.reached: set[frozenset[str]] = set()
        for member in members:
            keys = frozenset(member.value)
            if member.steps:
                self.reached.add(keys)
            kinds = self.kinds.setdefault(keys, {})
            for key, found in _kinds(member.value).items():
                kinds.setdefault(key, set()).update(found)

    def match(
        self, obj: dict[str, Any], first: Segment, above: dict[str, Any]
    ) -> tuple[bool, int] | None:
        """Whether `obj` (below the object `above`, by the step `first`) matches a
        member's keys and kinds; if so, whether that is evidence alone (else only nesting levels
        deep makes it evidence), and how many keys they share.

        A match is evidence alone when it shares RECURSION_MIN_SHARED_KEYS keys or more and
        holds the key that led down to it (it can nest again: `children: []`, `parent: null`) or
        is like a member reached through an edge. A leaf, without the key that led down, is
        evidence only with depth: a parent and a child sharing their other keys are two levels
        of records until a third level shows the shape recurring.
        """
        down = first[1] if first != ITEMS else None
        keys = frozenset(obj)
        best: tuple[bool, int] | None = None
        for member_keys in [frozenset(above), *self.reached]:
            kinds = self.kinds.get(member_keys) or _kinds(above)
            leaf = down in member_keys and down not in keys
            theirs = member_keys - {down} if leaf else member_keys
            common = keys & theirs
            if not common or len(common) < thresholds.RECURSION_MIN_KEY_OVERLAP * len(
                keys | theirs
            ):
                continue
            if not all(
                _fits(obj[key], kinds.get(key)) for key in common if key != down
            ):
                continue
            score = (
                not leaf and len(common) >= thresholds.RECURSION_MIN_SHARED_KEYS,
                len(common),
            )
            if best is None or score > best:
                best = score
        return best
