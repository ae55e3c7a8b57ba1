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
from codegen.infer.ir import MapShape, ObjectShape, ObjectUnion, Shape, TaggedUnion
from codegen.infer.overrides import ITEMS, Overrides, Segment
from codegen.words import Words, pascal, words

Record = (
    ObjectShape | TaggedUnion | ObjectUnion
)  # what becomes a class or alias (maps do not)

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
        "Field",
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
        "encode_json",
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
    # The class holding kinds of an object union that no sample showed.
    unknowns: dict[ObjectUnion, str] = field(default_factory=dict)
    # Open enums, by their values (one class for every position with the same values).
    enums: dict[tuple[str, ...], str] = field(default_factory=dict)


@dataclass
class _Sites:
    """Candidate names gathered for one record, in walk order; a name the config gives wins."""

    candidates: list[Words] = field(default_factory=list)
    given: str | None = None
    # For an enum: its candidates qualified by the record holding it (`status` in a runner ->
    # RunnerStatus), taken when the plain name is taken.
    qualified: list[Words] = field(default_factory=list)
    kind: bool = (
        False  # names a kind of message: it picks its name before other records
    )


def name_shapes(
    root: Shape, root_name: str, overrides: Overrides | None = None
) -> Names:
    """Assign names; `root_name` (a valid class name: config or set name) is the root's, exactly.

    Names the config gives by path (`name`, `variant_names`) are taken exactly, before any other;
    then kinds of object unions (a message kind is named after its tag before a field may take
    the name), then everything else in the order it was first seen.
    """
    sites: dict[Record, _Sites] = {}
    walker = _Walker(sites, overrides or Overrides())
    taken: set[str] = {root_name}
    # A root that is a record (not a map) takes the root name; any other root is a type alias of
    # that name, and a record inside it is named as the root's object.
    root_record = root.record if root == Shape(record=root.record) else None
    if isinstance(root_record, MapShape):
        root_record = None
    walker.walk(root, words(root_name) + (() if root_record else ("object",)), None, ())
    names = Names()
    taken |= {
        site.given
        for site in [*sites.values(), *walker.enums.values()]
        if site.given is not None
    }
    ordered = sorted(
        sites,
        key=lambda record: (
            sites[record].given is None,
            not sites[record].kind,
            record.origin,
        ),
    )
    if root_record is not None:
        ordered.remove(root_record)
        ordered.insert(0, root_record)
    for record in ordered:
        candidates = sites[record].candidates
        given = root_name if record is root_record else sites[record].given
        if isinstance(record, ObjectUnion):
            name = given or _allocate([pascal(candidates[0])], taken)
            names.records[record] = name
            names.unknowns[record] = _allocate(["Unknown" + name], taken)
        elif isinstance(record, TaggedUnion):
            names.unions[record] = _name_union(record, candidates[0], taken, given)
            names.records[record] = names.unions[record].name
        elif given is not None:
            names.records[record] = given
        else:
            preferred = [pascal(_shared_words(candidates))] + [
                pascal(c) for c in candidates
            ]
            names.records[record] = _allocate(preferred, taken)
    for values, site in walker.enums.items():
        names.enums[values] = site.given or _allocate(
            [pascal(_shared_words(site.candidates))]
            + [pascal(c) for c in site.qualified + site.candidates],
            taken,
        )
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
        variants=(
            {}  # out of band: a kind's message is its own class, there is no wrapper
            if union.out_of_band
            else {
                v.tag: _allocate(
                    [pascal(_dedupe_adjacent(subject + words(v.tag)))], taken
                )
                for v in union.variants
            }
        ),
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


def _meaningful(parts: Words) -> bool:
    """Words that can name a class alone: `l2update`, `subscribed`; not `h`, `1`."""
    return any(len(part) >= 2 and not part.isdigit() for part in parts)


@dataclass
class _Walker:
    """Gathers candidate names for every record, with the JSON path (for config names)."""

    sites: dict[Record, _Sites]
    overrides: Overrides
    enums: dict[tuple[str, ...], _Sites] = field(default_factory=dict)

    def walk(
        self,
        shape: Shape,
        hint: Words,
        family: Words | None,
        path: tuple[Segment, ...],
        kind: Words = (),
        *,
        is_kind: bool = False,
        owner: Words = (),
    ) -> None:
        """`kind`: the words of the message kind whose own fields these are, if any; `is_kind`:
        `shape` is a kind of an object union (named by `variant_names`, not by `name`).
        """
        if shape.texts is not None and shape.texts.enum:
            values = tuple(value for value, _ in shape.texts.counts)
            enum = self.enums.setdefault(values, _Sites())
            enum.candidates.append(hint)
            if owner:
                enum.qualified.append(_dedupe_adjacent(owner + hint))
            setting = self.overrides.at(path)
            if setting is not None and setting.name is not None:
                enum.given = setting.name
        if shape.array is not None and shape.array.items is not None:
            self.walk(shape.array.items, singular(hint), family, path + (ITEMS,))
        for position in shape.tuple.positions if shape.tuple is not None else ():
            self.walk(position, singular(hint), family, path + (ITEMS,))
        record = shape.record
        if record is None:
            return
        if isinstance(record, MapShape):
            self.walk(record.values, singular(hint), family, path + (("*",),))
            return
        site = self.sites.setdefault(record, _Sites())
        site.candidates.append(hint)
        site.kind = site.kind or is_kind or isinstance(record, ObjectUnion)
        setting = self.overrides.at(path)
        if setting is not None and setting.name is not None and not is_kind:
            site.given = setting.name
        if isinstance(record, ObjectUnion):
            self._kinds(record, hint, family, path)
            return
        elif isinstance(record, TaggedUnion):
            opens_family = family is None and len(record.variants) > 1
            for variant in record.variants:
                tag = words(variant.tag)
                payload_hint = tag[:-1] if is_event_tag(tag) else tag
                if record.out_of_band:  # each kind's message is a root of its own
                    self.walk(variant.shape, tag or hint, None, path, is_kind=True)
                    continue
                self.walk(
                    variant.shape,
                    payload_hint or hint,
                    family_noun(variant.tag) if opens_family else family,
                    path + (("key", variant.tag),),
                )
        else:
            for item in record.fields:
                key = words(item.key) or ("value",)
                if len(key) == 1 and (kind or family):
                    key = _dedupe_adjacent((kind or family or ()) + key)
                self.walk(
                    item.shape, key, family, path + (("key", item.key),), owner=hint
                )

    def _kinds(
        self,
        union: ObjectUnion,
        hint: Words,
        family: Words | None,
        path: tuple[Segment, ...],
    ) -> None:
        """Each kind is named after its tag (`l2update` -> L2Update), an inner level of a composite
        tag after both (`subscribed` + `v4_trades` -> SubscribedV4Trades); a tag too short to
        name a class (`h`, `1`), and a key that tells a kind apart, are prefixed with the union's
        name. Inside a kind, one-word keys are qualified by it (`contents` ->
        SubscribedV4TradesContents) when its name is words.
        """
        setting = self.overrides.at(path)
        renames = setting.variant_names if setting is not None else {}
        outer = hint if union.tags else ()
        for variant in union.variants:
            if variant.tag is None:  # the objects without the tag key
                tag = ("without",) + words(union.tag_key or "")
            else:
                tag = words(str(variant.tag))
            # A kind told apart by a key is named with its union (`ApiResponseRes`): the
            # key alone names the payload it holds (`Res`).
            named_alone = _meaningful(tag) and union.tag_key is not None
            own = _dedupe_adjacent(outer + tag) if named_alone else hint + tag
            inner = variant.shape.record
            assert isinstance(inner, (ObjectShape, ObjectUnion))  # kinds are objects
            if str(variant.tag) in renames:
                self.sites.setdefault(inner, _Sites()).given = renames[str(variant.tag)]
            self.walk(
                variant.shape,
                own,
                family,
                path,
                own if _meaningful(tag) else (),
                is_kind=True,
            )
