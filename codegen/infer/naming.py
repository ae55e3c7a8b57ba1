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
import json
import keyword
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

from codegen.errors import CodegenError
from codegen.infer import thresholds
from codegen.infer.ir import (
    MapShape,
    ObjectShape,
    ObjectUnion,
    Shape,
    TaggedUnion,
    TupleKind,
    TupleUnion,
)
from codegen.infer.overrides import ANY_KEY, ITEMS, Overrides, PathOverride, Segment
from codegen.jsonpath import child_path
from codegen.words import Words, pascal, words

# What becomes a class or alias (maps do not).
Record = ObjectShape | TaggedUnion | ObjectUnion | TupleUnion | TupleKind

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
    parts = _subject(words(tag))
    if is_event_tag(parts) and len(parts) > 1:
        parts = parts[:-1]
    return parts


EnumKey = tuple[tuple[str, ...] | tuple[int, ...], bool]


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
    # The class holding kinds of an object (or tuple) union that no sample showed.
    unknowns: dict[ObjectUnion | TupleUnion, str] = field(default_factory=dict)
    # Enums, by their values and closedness (one class for every position with the same).
    enums: dict[EnumKey, str] = field(default_factory=dict)
    # Attribute names the config gives keys of a record (`field = "order_side"`).
    fields: dict[ObjectShape, dict[str, str]] = field(default_factory=dict)
    # Attribute names the config gives positions of a tuple kind (`items`), by index.
    positions: dict[TupleKind, dict[int, str]] = field(default_factory=dict)
    # Where each record's name comes from (its best-ranked place, or the place a kept name was
    # found at): the key a later run looks its name up by, to keep it.
    places: dict[Record, str] = field(default_factory=dict)
    # Recursive records, by their anchor's id: what `Shape.recursion` refers to.
    anchors: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class _Place:
    """One position where a record was met: what names it there, and what holds it."""

    hint: Words  # the name the position suggests (the key, its singular, the tag)
    parent: Record | None  # the record whose field (or item) this is; None at the root
    where: tuple[
        Segment, ...
    ]  # the key path, with ("kind", tag) steps for kinds of unions, ("item", n) of tuples
    # The key says nothing alone (`data`, `k`): the name is qualified by the parent's first.
    vague: bool = False

    @property
    def rank(self) -> tuple[int, str]:
        """Shallow places first, then by path text: a name contested by two records goes to the
        same one whatever order the samples came in, and a record added deeper never takes it.
        """
        depth = sum(1 for step in self.where if step[0] != "kind")
        return depth, json.dumps(self.where)

    @property
    def text(self) -> str:
        """The place as a reader writes it: `$<check_run>.check_run.app` (a kind in <>, `<!op>`
        the kind without the tag `op`)."""
        text = "$"
        for step in self.where:
            if step[0] == "kind":
                text += f"<{step[1]}>"
            elif step[0] == "key":
                text = child_path(text, step[1])
            elif step[0] == "item":
                text += f"[{step[1]}]"
            else:
                text += step[0] if step == ITEMS else ".*"
        return text


@dataclass
class _Sites:
    """Candidate names gathered for one record, in walk order; a name the config gives wins."""

    places: list[_Place] = field(default_factory=list)
    given: str | None = None
    kind: bool = (
        False  # names a kind of message: it picks its name before other records
    )

    @property
    def candidates(self) -> list[Words]:
        """The names its places suggest, best-ranked place first (never walk order)."""
        return [place.hint for place in sorted(self.places, key=lambda p: p.rank)]

    @property
    def rank(self) -> tuple[int, str]:
        return min(place.rank for place in self.places)


def name_shapes(
    root: Shape,
    root_name: str,
    overrides: Overrides | None = None,
    kept: Mapping[str, str] | None = None,
) -> Names:
    """Assign names; `root_name` (a valid class name: config or set name) is the root's, exactly.

    Names the config gives by path (`name`, `variant_names`) are taken exactly, before any other;
    then the names in `kept` (the package as generated before: place -> class name) for records
    still at those places, so that new samples never move a name to another record; then kinds
    of object unions (a message kind is named after its tag before a field may take the name),
    then everything else, shallowest place first.
    """
    sites: dict[Record, _Sites] = {}
    walker = _Walker(sites, overrides or Overrides(), words(root_name)[-1:])
    taken: set[str] = {root_name}
    # A root that is a record (not a map) takes the root name; any other root is a type alias of
    # that name, and a record inside it is named as the root's object.
    root_record = root.record if root == Shape(record=root.record) else None
    if isinstance(root_record, MapShape):
        root_record = None
    walker.walk(
        root,
        _Place(words(root_name) + (() if root_record else ("object",)), None, ()),
        None,
        (),
    )
    if root.tuples is not None and root == Shape(tuples=root.tuples):
        # Arrays only: their union is the root (`[chan_id, "te", [...]]` messages).
        sites[root.tuples].given = root_name
    names = Names(fields=walker.fields, positions=walker.positions)
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
            sites[record].rank,
        ),
    )
    if root_record is not None:
        ordered.remove(root_record)
        ordered.insert(0, root_record)
    for record in ordered:
        places = sorted(sites[record].places, key=lambda p: p.rank)
        names.places[record] = places[0].text
        if not isinstance(record, ObjectShape) or record is root_record:
            continue
        for place in places if sites[record].given is None else ():
            name = (kept or {}).get(place.text)
            if name is not None and name not in taken and name not in RESERVED_NAMES:
                names.records[record] = name
                names.places[record] = place.text
                taken.add(name)
                break
    for record in ordered:
        if record in names.records:
            continue
        candidates = sites[record].candidates
        given = root_name if record is root_record else sites[record].given
        if isinstance(record, (ObjectUnion, TupleUnion)):
            name = given or _allocate([pascal(candidates[0])], taken)
            names.records[record] = name
            names.unknowns[record] = _allocate(["Unknown" + name], taken)
        elif isinstance(record, TaggedUnion):
            names.unions[record] = _name_union(record, candidates[0], taken, given)
            names.records[record] = names.unions[record].name
        elif given is not None:
            names.records[record] = given
        else:
            names.records[record] = _allocate(
                _preferred(sites[record], names.records), taken
            )
    names.anchors = {
        anchor: names.records[record] for anchor, record in walker.anchors.items()
    }
    for values, site in sorted(walker.enums.items(), key=lambda item: item[1].rank):
        names.enums[values] = site.given or _allocate(
            _preferred(site, names.records), taken
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


def _preferred(site: _Sites, named: dict[Record, str]) -> list[str]:
    """Names for a record, best first: the words its places share, each place's own, then each
    qualified by the class holding it (`permissions` in App -> AppPermissions), so a name taken
    elsewhere yields a name that says where the record sits rather than a number.

    A vague key (`data`) is qualified first: `Data` would say nothing a reader can use.
    """
    plain = [_shared_words(site.candidates)] + site.candidates
    holders = [
        (words(named[place.parent]), place.hint)
        for place in sorted(site.places, key=lambda place: place.rank)
        if place.parent is not None and place.parent in named
    ]
    # By the holder's subject first (`permissions` in AppEvent -> AppPermissions); then by its
    # whole name, for when the subject is the name itself (`ticker` in TickerEvent -> Ticker,
    # taken: TickerEventTicker, not a number).
    qualified = [
        _dedupe_adjacent(holder + hint)
        for whole, hint in holders
        for holder in (_subject(whole), whole)
    ]
    vague = all(place.vague for place in site.places)
    ordered = qualified + plain if vague and qualified else plain + qualified
    return [pascal(option) for option in ordered]


def _subject(parts: Words) -> Words:
    """A class name without its envelope word: OnboardingResponse -> Onboarding, to qualify."""
    while len(parts) > 1 and parts[-1] in thresholds.FAMILY_SUFFIX_WORDS:
        parts = parts[:-1]
    return parts


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
    # The last word of the root's name (`message`): a kind that holds a field named like its tag
    # (`{"deployment": {...}}` in the `deployment` event) is the DeploymentMessage; the field's
    # record is the Deployment.
    envelope: Words = ("message",)
    enums: dict[EnumKey, _Sites] = field(default_factory=dict)
    fields: dict[ObjectShape, dict[str, str]] = field(default_factory=dict)
    positions: dict[TupleKind, dict[int, str]] = field(default_factory=dict)
    anchors: dict[str, Record] = field(default_factory=dict)

    def walk(
        self,
        shape: Shape,
        place: _Place,
        family: Words | None,
        path: tuple[Segment, ...],
        kind: Words = (),
        *,
        is_kind: bool = False,
    ) -> None:
        """`place`: where `shape` sits and what names it there; `path`: its JSON path for the
        config. `kind`: the words of the message kind whose own fields these are, if any;
        `is_kind`: `shape` is a kind of an object union (named by `variant_names`, not `name`).
        """
        hint = place.hint
        for values in (shape.texts, shape.ints):
            if values is None or not values.enum:
                continue
            enum = self.enums.setdefault(values.enum_key, _Sites())
            enum.places.append(place)
            setting = self.overrides.at(path)
            if setting is not None and setting.name is not None:
                enum.given = setting.name
        if shape.array is not None and shape.array.items is not None:
            self.walk(
                shape.array.items,
                _inside(place, singular(hint), ITEMS),
                family,
                path + (ITEMS,),
            )
        for index, position in enumerate(shape.tuple.positions if shape.tuple else ()):
            self.walk(
                position,
                _inside(place, singular(hint), _item_step(index)),
                family,
                path + (ITEMS,),
            )
        if shape.tuples is not None:
            self._tuple_kinds(shape.tuples, place, family, path)
        record = shape.record
        if record is None:
            return
        if isinstance(record, MapShape):
            self.walk(
                record.values,
                _inside(place, singular(hint), ANY_KEY),
                family,
                path + (ANY_KEY,),
            )
            return
        site = self.sites.setdefault(record, _Sites())
        site.places.append(place)
        if isinstance(record, (ObjectShape, ObjectUnion)) and record.anchor:
            self.anchors[record.anchor.id] = record
        site.kind = site.kind or is_kind or isinstance(record, ObjectUnion)
        setting = self.overrides.at(path)
        if setting is not None and setting.name is not None and not is_kind:
            site.given = setting.name
        if isinstance(record, ObjectUnion):
            self._kinds(record, place, family, path)
        elif isinstance(record, TaggedUnion):
            opens_family = family is None and len(record.variants) > 1
            for variant in record.variants:
                tag = words(variant.tag)
                if record.out_of_band:  # each kind's message is a root of its own
                    self.walk(
                        variant.shape,
                        _Place(
                            self._kind_name(tag or hint, variant.shape),
                            None,
                            (("kind", variant.tag),),
                        ),
                        None,
                        path,
                        is_kind=True,
                    )
                    continue
                step = ("key", variant.tag)
                self.walk(
                    variant.shape,
                    _Place(
                        (tag[:-1] if is_event_tag(tag) else tag) or hint,
                        record,
                        place.where + (step,),
                    ),
                    family_noun(variant.tag) if opens_family else family,
                    path + (step,),
                )
        else:
            for member in record.fields:
                self._field_name(record, member.key, path + (("key", member.key),))
                key = words(member.key) or ("value",)
                vague = not _meaningful(key) or key in thresholds.VAGUE_KEYS
                qualifier = kind or family or ()
                if len(key) == 1 and qualifier and qualifier[-1:] != key:
                    # Not the key a kind is named after: `res` in ApiResponseRes is `Res`.
                    key, vague = _dedupe_adjacent(qualifier + key), False
                step = ("key", member.key)
                self.walk(
                    member.shape,
                    _Place(key, record, place.where + (step,), vague),
                    family,
                    path + (step,),
                )

    def _tuple_kinds(
        self,
        union: TupleUnion,
        place: _Place,
        family: Words | None,
        path: tuple[Segment, ...],
    ) -> None:
        """The union is named after its place (`...Array` where objects are `...Object`); each
        kind after its name (`ticker` -> Ticker), with its length when the name comes with
        several (`Book4Items`), `Untagged` for the arrays without one; a position's records
        after the kind and the index (`TickerItem1`)."""
        hint = (
            place.hint[:-1] + ("array",)
            if place.hint[-1:] == ("object",)
            else place.hint
        )
        site = self.sites.setdefault(union, _Sites())
        site.places.append(_Place(hint, place.parent, place.where, place.vague))
        site.kind = True
        setting = self.overrides.at(path)
        lengths = Counter(kind.tag for kind in union.kinds)
        for kind in union.kinds:
            tag = ("untagged",) if kind.tag is None else words(kind.tag)
            if not _meaningful(tag):
                tag = hint + tag
            step = kind.tag if kind.tag is not None else f"!{union.index}"
            given = None if setting is None else setting.variant_names.get(step)
            if lengths[kind.tag] > 1:
                tag += (str(len(kind.positions)), "items")
                step += f"/{len(kind.positions)}"
                given = given and f"{given}{len(kind.positions)}Items"
            where = place.where + (("kind", step),)
            kind_site = self.sites.setdefault(kind, _Sites())
            kind_site.places.append(_Place(tag, place.parent, where))
            kind_site.kind = True
            kind_site.given = kind_site.given or given
            if setting is not None and setting.items:
                self.positions[kind] = _position_names(kind, setting)
            for index, position in enumerate(kind.positions):
                self.walk(
                    position,
                    _Place(
                        tag + ("item", str(index)),
                        place.parent,
                        where + (_item_step(index),),
                    ),
                    family,
                    path + (ITEMS,),
                )

    def _kind_name(self, tag: Words, shape: Shape) -> Words:
        record = shape.record
        holds_its_name = isinstance(record, ObjectShape) and any(
            words(item.key) == tag for item in record.fields
        )
        return tag + self.envelope if holds_its_name else tag

    def _field_name(
        self, record: ObjectShape, key: str, path: tuple[Segment, ...]
    ) -> None:
        """The attribute the config gives `key` of `record`, if any; two keys given one name
        is an error."""
        setting = self.overrides.at(path)
        if setting is None or setting.field_name is None:
            return
        given = self.fields.setdefault(record, {})
        other = next((k for k, n in given.items() if n == setting.field_name), key)
        if other != key:
            raise CodegenError(
                f"field {setting.field_name!r} is given to both {other!r} and {key!r} of"
                f" the objects at {record.origin.path}",
                setting.where,
            )
        given[key] = setting.field_name

    def _kinds(
        self,
        union: ObjectUnion,
        place: _Place,
        family: Words | None,
        path: tuple[Segment, ...],
    ) -> None:
        """Each kind is named after its tag (`l2update` -> L2Update), an inner level of a composite
        tag after both (`subscribed` + `v4_trades` -> SubscribedV4Trades); a tag too short to
        name a class (`h`, `1`), and a key that tells a kind apart, are prefixed with the union's
        name. Inside a kind, one-word keys are qualified by it (`contents` ->
        SubscribedV4TradesContents) when its name is words.
        """
        hint = place.hint
        setting = self.overrides.at(path)
        renames = setting.variant_names if setting is not None else {}
        outer = hint if union.tags else ()
        for variant in union.variants:
            if variant.tag is None:  # the objects without the tag key
                named_by = untagged_name(union)
                tag = (
                    words(named_by[1])
                    if named_by is not None
                    else ("without",) + words(union.tag_key or "")
                )
            else:
                tag = words(str(variant.tag))
            # A kind told apart by a key is named with its union (`ApiResponseRes`): the
            # key alone names the payload it holds (`Res`).
            named_alone = _meaningful(tag) and union.tag_key is not None
            own = _dedupe_adjacent(outer + tag) if named_alone else hint + tag
            if named_alone and not outer:
                own = self._kind_name(own, variant.shape)
            inner = variant.shape.record
            assert isinstance(inner, (ObjectShape, ObjectUnion))  # kinds are objects
            if str(variant.tag) in renames:
                self.sites.setdefault(inner, _Sites()).given = renames[str(variant.tag)]
            self.walk(
                variant.shape,
                _Place(
                    own,
                    place.parent,
                    place.where + (("kind", _kind_step(variant.tag, union)),),
                ),
                family,
                path,
                own if _meaningful(tag) else (),
                is_kind=True,
            )


def _position_names(kind: TupleKind, setting: PathOverride) -> dict[int, str]:
    """The attributes `items` gives a kind's positions (an index from the end counts back from
    its length); a position given two names, or a name given twice, is an error."""
    length = len(kind.positions)
    names: dict[int, str] = {}
    for index, name in sorted(setting.items.items()):
        place = index if index >= 0 else length + index
        if not 0 <= place < length:
            continue  # a kind with fewer items
        if names.get(place, name) != name:
            raise CodegenError(
                f"items names item {place} of the {length}-item kind {kind.tag!r} both"
                f" {names[place]!r} and {name!r}",
                setting.where,
            )
        names[place] = name
    taken = [names.get(place, f"item_{place}") for place in range(length)]
    twice = next((name for name in taken if taken.count(name) > 1), None)
    if twice is not None:
        raise CodegenError(
            f"items gives {twice!r} to two items of the {length}-item kind {kind.tag!r}",
            setting.where,
        )
    return names


def _item_step(index: int) -> Segment:
    """A tuple position's step in a place (`$.pair[1]`): each position is a place of its own,
    so a name kept by place stays with its record (at `[*]`, two records took turns)."""
    return ("item", str(index))


def _inside(place: _Place, hint: Words, step: Segment) -> _Place:
    """The place of an array's items or a map's values: held by the same record as the array."""
    return _Place(hint, place.parent, place.where + (step,), place.vague)


def untagged_name(union: ObjectUnion) -> tuple[str, str] | None:
    """(key, value) naming the kind of `union` without its tag: a key every kind holds, whose
    value is one name in all that kind's objects and in no other kind's (`event: "heartbeat"`
    in the messages without `status`, beside `event: "systemStatus"` and `"subscriptionStatus"`).
    None when no key does: the kind is Without<Tag>."""
    missing = next((v for v in union.variants if v.tag is None), None)
    if missing is None or union.tag_key is None:
        return None
    record = missing.shape.record
    if not isinstance(record, ObjectShape):
        return None
    others = [v.shape.record for v in union.variants if v.tag is not None]
    for item in record.fields:
        values = _names_at(record, item.key)
        if values is None or len(values) != 1:
            continue
        (value,) = values
        if _meaningful(words(value)) and all(
            (theirs := _names_at(other, item.key)) is not None and value not in theirs
            for other in others
        ):
            return item.key, value
    return None


def _names_at(record: object, key: str) -> frozenset[str] | None:
    """The names every object of `record` (its kinds, for a union) holds at `key`; None when one
    lacks the key or holds anything but a counted string there."""
    if isinstance(record, ObjectUnion):
        found: frozenset[str] = frozenset()
        for variant in record.variants:
            names = _names_at(variant.shape.record, key)
            if names is None:
                return None
            found |= names
        return found
    if not isinstance(record, ObjectShape):
        return None
    item = next((f for f in record.fields if f.key == key), None)
    if item is None or record.is_optional(item):
        return None
    shape = item.shape
    texts = shape.texts
    if texts is None or not texts.counts or not shape.string or shape.null:
        return None
    if shape.integer or shape.number or shape.boolean or shape.array or shape.record:
        return None
    return frozenset(str(value) for value, _ in texts.counts)


def _kind_step(tag: str | int | None, union: ObjectUnion) -> str:
    """How a place names a kind of `union`: its tag, or `!op` for the objects without the tag
    `op` (no tag value holds a `!`)."""
    return f"!{union.tag_key}" if tag is None else str(tag)
