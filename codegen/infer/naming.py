"""The naming pass: a meaningful, stable class name for every record, union, variant and unknown.

Names come from keys and tags, never from counters: a record is named after the key that holds
it (items of a list after the singular of the key), a variant payload after its tag, an event tag
(`created`, `account_added`) after the noun it happens to. Within one family of a message union
(`account_event`) a one-word key is qualified by the family's noun (`operation` ->
AccountOperation), so that another family's `operation` never renames it. A record seen at several
places takes the words all its candidate names share (asset_open_bid_ask, margin_bid_ask -> BidAsk).
"""

from __future__ import annotations

import builtins
import keyword
from dataclasses import dataclass, field

from codegen.infer import thresholds
from codegen.infer.ir import MapShape, ObjectShape, Shape, TaggedUnion
from codegen.words import Words, pascal, words

Record = ObjectShape | TaggedUnion  # the records that become classes (maps do not)

# Names the generated modules use themselves; a class may not take them.
GENERATED_MODULE_NAMES = frozenset(
    {
        "ABSENT",
        "Absent",
        "Any",
        "Callable",
        "ClassVar",
        "DecodeError",
        "Dispatcher",
        "Raw",
        "Unknown",
        "Final",
        "Literal",
        "TypeAlias",
        "TypedDict",
        "annotations",
        "dataclass",
        "decode",
        "decode_value",
        "encode",
        "field",
        "json",
    }
)
RESERVED_NAMES = (
    GENERATED_MODULE_NAMES
    | frozenset(dir(builtins))
    | frozenset(keyword.kwlist)
    | {"match", "case", "type", "_"}
)


def singular(parts: Words) -> Words:
    if not parts:
        return ("item",)
    last = parts[-1]
    if last.endswith("ies") and len(last) > 3:
        last = last[:-3] + "y"
    elif last.endswith(("sses", "xes", "ches", "shes")):
        last = last[:-2]
    elif last.endswith("s") and not last.endswith(("ss", "us", "is")) and len(last) > 1:
        last = last[:-1]
    return parts[:-1] + (last,)


def _dedupe_adjacent(parts: Words) -> Words:
    out: list[str] = []
    for part in parts:
        if not out or out[-1] != part:
            out.append(part)
    return tuple(out)


def is_event_tag(parts: Words) -> bool:
    return bool(parts) and parts[-1] in thresholds.EVENT_WORDS


def family_noun(tag: str) -> Words:
    parts = words(tag)
    while len(parts) > 1 and parts[-1] in thresholds.FAMILY_SUFFIX_WORDS:
        parts = parts[:-1]
    if is_event_tag(parts) and len(parts) > 1:
        parts = parts[:-1]
    return parts


@dataclass(frozen=True)
class UnionNames:
    name: str
    unknown: str
    variants: dict[str, str]  # tag -> variant class name


@dataclass
class Names:
    """The result of the pass: every class name the renderer needs, keyed by IR value."""

    records: dict[Record, str] = field(default_factory=dict)
    unions: dict[TaggedUnion, UnionNames] = field(default_factory=dict)


@dataclass
class _Sites:
    """Candidate names gathered for one record, in walk order."""

    candidates: list[Words] = field(default_factory=list)


def name_shapes(root: Shape, root_name: str) -> Names:
    """Assign names; `root_name` (a valid class name: config or set name) is the root's, exactly."""
    sites: dict[Record, _Sites] = {}
    taken: set[str] = {root_name}
    # A root that is a record (not a map) takes the root name; any other root is a type alias of
    # that name, and a record inside it is named as the root's object.
    root_record = root.record if root == Shape(record=root.record) else None
    if isinstance(root_record, MapShape):
        root_record = None
    _walk(root, words(root_name) + (() if root_record else ("object",)), None, sites)
    names = Names()
    ordered = sorted(sites, key=lambda record: record.origin)
    if root_record is not None:
        ordered.remove(root_record)
        ordered.insert(0, root_record)
    for record in ordered:
        candidates = sites[record].candidates
        given = root_name if record is root_record else None
        if isinstance(record, TaggedUnion):
            names.unions[record] = _name_union(record, candidates[0], taken, given)
            names.records[record] = names.unions[record].name
        elif given is not None:
            names.records[record] = given
        else:
            preferred = [pascal(_shared_words(candidates))] + [
                pascal(c) for c in candidates
            ]
            names.records[record] = _allocate(preferred, taken)
    return names


def _name_union(
    union: TaggedUnion, subject: Words, taken: set[str], given: str | None
) -> UnionNames:
    """`position` with event tags -> PositionEvent, variants PositionCreated..., UnknownPositionEvent.

    A root union takes the `given` root name as it is.
    """
    if given is not None:
        name = given
    else:
        name_words = subject
        if all(is_event_tag(words(v.tag)) for v in union.variants) and subject[-1:] != (
            "event",
        ):
            name_words = subject + ("event",)
        name = _allocate([pascal(name_words)], taken)
    return UnionNames(
        name=name,
        unknown=_allocate(["Unknown" + name], taken),
        variants={
            v.tag: _allocate([pascal(_dedupe_adjacent(subject + words(v.tag)))], taken)
            for v in union.variants
        },
    )


def _allocate(preferred: list[str], taken: set[str]) -> str:
    """The first free preferred name, else the first one numbered (`Any` is reserved: `AnyType`)."""
    for name in preferred:
        if name not in taken and name not in RESERVED_NAMES:
            taken.add(name)
            return name
    base = preferred[0] + ("Type" if preferred[0] in RESERVED_NAMES else "")
    name, number = base, 2
    while name in taken or name in RESERVED_NAMES:
        name, number = f"{base}{number}", number + 1
    taken.add(name)
    return name


def _shared_words(candidates: list[Words]) -> Words:
    """The longest run of words at the end (else the start) that all candidates share."""
    first = candidates[0]
    suffix = _common(candidates, reverse=True)
    if suffix:
        return suffix
    prefix = _common(candidates, reverse=False)
    return prefix or first


def _common(candidates: list[Words], *, reverse: bool) -> Words:
    shared: list[str] = []
    for column in zip(*(tuple(reversed(c)) if reverse else c for c in candidates)):
        if any(word != column[0] for word in column):
            break
        shared.append(column[0])
    return tuple(reversed(shared)) if reverse else tuple(shared)


def _walk(
    shape: Shape, hint: Words, family: Words | None, sites: dict[Record, _Sites]
) -> None:
    if shape.array is not None and shape.array.items is not None:
        _walk(shape.array.items, singular(hint), family, sites)
    record = shape.record
    if record is None:
        return
    if isinstance(record, MapShape):
        _walk(record.values, singular(hint), family, sites)
        return
    if isinstance(record, TaggedUnion):
        sites.setdefault(record, _Sites()).candidates.append(hint)
        opens_family = family is None and len(record.variants) > 1
        for variant in record.variants:
            tag = words(variant.tag)
            payload_hint = tag[:-1] if is_event_tag(tag) else tag
            _walk(
                variant.shape,
                payload_hint or hint,
                family_noun(variant.tag) if opens_family else family,
                sites,
            )
        return
    sites.setdefault(record, _Sites()).candidates.append(hint)
    for item in record.fields:
        key = words(item.key) or ("value",)
        if family is not None and len(key) == 1:
            key = _dedupe_adjacent(family + key)
        _walk(item.shape, key, family, sites)
