"""Finding message kinds: what tells the objects seen at one position apart.

Real APIs say what a message is inside it: a tag field (`"type": "l2update"`, `"op": "mcm"`,
`"t": "h"`), two of them together (`table` + `action`), or no tag at all but keys no other kind
has (`{"rid", "res"}` vs `{"rid", "err"}`). This module looks at the objects seen at one position
and decides, from evidence alone, whether they split into kinds and by what:

- a *tag* is a key present in most objects (those without it are one more kind) whose values
  (strings or small ints) look like names, recur rather than differ per message, and explain the
  structure: grouping the objects by it makes keys that vary overall present in all or none of
  each group. IDs, timestamps, prices and free text fail one of those tests; a boolean-like field
  that predicts no keys explains nothing. A tag whose evidence is only inside a payload that names
  its own kind leaves the union to that payload.
- a channel name with parameters (`orderbook.50.BTCUSDT`, `book-10`) tells the kind by its
  *head*, the name before the parameters (`orderbook`, `book`; see `tag_head`): the key is a
  tag by its heads when they pass the same tests, and the decoder reads the head too.
- a kind splits again only by the other keys that qualified at its position (a composite tag).
- when no tag qualifies, *keys* can tell kinds apart: a set of optional keys of which every
  object holds exactly one.

Names never decide (they only break ties between equally good tags). Every threshold is in
`thresholds`, with its reason. The result carries a line of evidence for schema.json.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from codegen.infer import thresholds
from codegen.infer.ir import STRING, Discriminator, Scalar, TagPath, tag_path

Feature = tuple[str, ...]  # a key path inside an object: ("contents", "trades")


# The group of objects that lack the tag key or hold null there (a tag may be missing from a
# minority of objects).
MISSING = None
Group = str | int | None


@dataclass(frozen=True)
class Split:
    """How the objects at a position divide into kinds: each group lists object indices."""

    discriminator: Discriminator
    groups: tuple[tuple[Group, tuple[int, ...]], ...]  # sorted by tag_order
    # The other keys that qualified as the tag: the only ones that may split a kind further
    # (a composite tag is two tags of the whole position, like `type` and `channel`).
    runners_up: frozenset[TagPath] = frozenset()


@dataclass(frozen=True)
class Explained:
    """Of the features that vary at one depth, how many a grouping predicts exactly."""

    explained: int
    varying: int

    @property
    def share(self) -> float:
        return self.explained / self.varying if self.varying else 0.0


@dataclass(frozen=True)
class Candidate:
    key: str
    top: Explained  # the object's own keys
    inner: Explained  # keys one level down
    values: int  # distinct tag values
    missing: int  # objects without the key
    # At most TAG_MAX_UNIQUE_SHARE of the objects hold a value seen once.
    recurring: bool
    named_like_a_tag: bool
    position: int  # the key's place in first-seen key order
    # The kinds are the heads of the values (`orderbook.50.BTCUSDT` -> `orderbook`): one
    # example of a value that is more than its head, for the evidence; None: the whole values.
    head_example: str | None = None
    # The key is one of the object at this key (`arg.channel`): see find_split.
    within: str | None = None
    # The segments of the values that are parameters though words (kinds._masked).
    masked: tuple[int, ...] = ()

    @property
    def path(self) -> TagPath:
        return tag_path(self.key, self.within)

    @property
    def evidence_rank(self) -> tuple[float, bool, float]:
        """Best first: explains the most of the object's own keys; then one whose values recur
        (a finer grouping by near-unique values, like ids, explains more by chance: the odd
        optional key of one object); then explains the most of the keys inside them
        (`data.mids` vs `data.fills`)."""
        return (-self.top.share, not self.recurring, -self.inner.share)

    @property
    def rank(self) -> tuple[float, bool, float, int, bool, bool, int, bool, int]:
        """Best first: the best evidence_rank; then one every object holds; then whole values
        before heads (an API that writes a kind's name whole, `type: "update/ticker"`, means it
        as the kind more surely than a channel name with parameters beside it); then a key of
        the object itself before one inside a key of it; then the coarsest grouping; then a
        tag-like name.
        """
        return (
            *self.evidence_rank,
            self.missing,
            self.head_example is not None,
            self.within is not None,
            self.values + (self.missing > 0),
            not self.named_like_a_tag,
            self.position,
        )

    @property
    def evidence(self) -> str:
        name = ".".join(self.path)
        parts = [f"tag {name!r}: {self.values} values"]
        if self.head_example is not None:
            head = tag_head(self.head_example, self.masked)
            parts[0] = (
                f"tag {name!r} by the name before its parameters"
                f" ({self.head_example!r} -> {head!r}): {self.values} values"
            )
        if self.top.varying:
            parts.append(
                f"explains {self.top.explained} of {self.top.varying} keys that vary"
            )
        if self.inner.varying:
            parts.append(
                f"{self.inner.explained} of {self.inner.varying} keys one level down"
            )
        if not (self.top.varying or self.inner.varying):
            parts.append("kinds of one structure, told by a tag of the whole position")
        return ", ".join(parts)


def features(obj: dict[str, Any]) -> frozenset[Feature]:
    """The structure of one object: its keys and the keys one level inside them.

    Two levels are enough to tell kinds apart (`{"channel": ..., "data": {"mids": ...}}` vs
    `{"channel": ..., "data": {"fills": ...}}`) without reading whole payloads.
    """
    found: set[Feature] = set()
    for key, value in obj.items():
        found.add((key,))
        if isinstance(value, dict):
            found.update((key, inner) for inner in value)
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, dict):
                    found.update((key, "[]", inner) for inner in item)
    return frozenset(found)


def find_split(
    objects: Sequence[dict[str, Any]],
    weights: Sequence[int] | None = None,
    *,
    exclude: frozenset[TagPath] = frozenset(),
    only: frozenset[TagPath] | None = None,
    forced_tag: str | None = None,
    unnamed: bool = False,
) -> Split | None:
    """The split of `objects` into kinds, or None when they are one kind.

    The tag is a key of the objects, or a key of an object they hold (`{"arg": {"channel":
    "books", ...}, "data": [...]}`: the channel says what `data` is), which must then explain
    keys outside that object: keys it explains only inside it make a union there instead.
    `exclude`: tags that may not be the tag (tags already used above, or forbidden by config).
    `only`: when set, the tags that may be the tag (inside a kind: the runners-up of its split;
    a field that merely correlates with a few optional keys in a handful of objects is not a
    second tag). Kinds told apart by keys are always looked for.
    `unnamed`: the objects are the kind without the tag above (replies beside data messages
    told apart by `subject`): a runner-up names their kinds even when they share one structure
    (`type`: `welcome`, `ack`, `pong`).
    `forced_tag`: the config names the tag; every object must then hold it (scalar values).
    `weights`: how many samples each object stands for (a summary's skeletons); 1 each if None.
    """
    if forced_tag is not None:
        return _forced(objects, forced_tag)
    weights = [1] * len(objects) if weights is None else weights
    if sum(weights) < 2:
        return None
    shapes = [features(obj) for obj in objects]
    candidates = [
        candidate
        for position, (key, within) in enumerate(_tag_places(objects))
        if tag_path(key, within) not in exclude
        and (only is None or tag_path(key, within) in only)
        for candidate in _candidates(
            objects,
            weights,
            shapes,
            key,
            position,
            proven=only is not None,
            unnamed=unnamed,
            within=within,
        )
    ]
    if candidates:
        best = min(candidates, key=lambda c: c.rank)
        if not best.top.explained and _payload_has_a_tag(objects, weights):
            # The kinds differ only inside a payload that names its own kind
            # (`{"stream": "btcusdt@trade", "data": {"e": "trade"}}`): the union is there.
            return None
        total = sum(weights)
        split = _tag_split(
            objects,
            best.key,
            f"{best.evidence}; {total} objects",
            head=best.head_example is not None,
            within=best.within,
            masked=best.masked,
        )
        return replace(
            split,
            runners_up=frozenset(c.path for c in candidates if c is not best),
        )
    return _key_split(objects, weights, shapes)


def _payload_has_a_tag(
    objects: Sequence[dict[str, Any]], weights: Sequence[int]
) -> bool:
    """Some key holds an object in every object here, and those objects have a tag."""
    for key in _keys_in_order(objects):
        inner = [obj.get(key) for obj in objects]
        if all(isinstance(value, dict) for value in inner):
            payloads: list[dict[str, Any]] = inner  # type: ignore[assignment]
            shapes = [features(payload) for payload in payloads]
            if any(
                _candidates(payloads, weights, shapes, inner_key, position)
                for position, inner_key in enumerate(_keys_in_order(payloads))
            ):
                return True
    return False


def _keys_in_order(objects: Sequence[dict[str, Any]]) -> list[str]:
    return list(dict.fromkeys(key for obj in objects for key in obj))


def _tag_places(objects: Sequence[dict[str, Any]]) -> list[tuple[str, str | None]]:
    """Where a tag may be, as (key, within): the objects' keys in order, then the keys of the
    objects held at a key that holds only objects (`("channel", "arg")`)."""
    keys = _keys_in_order(objects)
    places: list[tuple[str, str | None]] = [(key, None) for key in keys]
    for within in keys:
        held = [obj[within] for obj in objects if within in obj]
        if all(isinstance(value, dict) for value in held):
            places += [(key, within) for key in _keys_in_order(held)]
    return places


def _tag_value(obj: dict[str, Any], key: str, within: str | None) -> Any:
    """The value at a tag's place in `obj` (None when it has none)."""
    if within is None:
        return obj.get(key)
    holder = obj.get(within)
    return holder.get(key) if isinstance(holder, dict) else None


def _candidates(
    objects: Sequence[dict[str, Any]],
    weights: Sequence[int],
    shapes: list[frozenset[Feature]],
    key: str,
    position: int,
    *,
    proven: bool = False,
    within: str | None = None,
    unnamed: bool = False,
) -> list[Candidate]:
    """`key` as a tag, when it passes every test: by its whole values, or by their heads when
    some value is more than its head (a channel name with parameters). When both pass, the
    heads win unless the whole values are better evidence: `publicTrade.BTCUSDT` and
    `publicTrade.ETHUSDT` are one kind."""
    whole = _candidate(
        objects, weights, shapes, key, position, None, proven, within, unnamed
    )
    masked = _masked(objects, key, within)
    example = next(
        (
            text
            for obj in objects
            if (text := _text(_tag_value(obj, key, within))) is not None
            and tag_head(text, masked) != text
        ),
        None,
    )
    by_head = (
        None
        if example is None
        else _candidate(
            objects,
            weights,
            shapes,
            key,
            position,
            example,
            proven,
            within,
            unnamed,
            masked,
        )
    )
    if whole is None or by_head is None:
        return [c for c in (whole, by_head) if c is not None]
    return [whole if whole.evidence_rank < by_head.evidence_rank else by_head]


def _candidate(
    objects: Sequence[dict[str, Any]],
    weights: Sequence[int],
    shapes: list[frozenset[Feature]],
    key: str,
    position: int,
    head_example: str | None,
    proven: bool,
    within: str | None = None,
    unnamed: bool = False,
    masked: tuple[int, ...] = (),
) -> Candidate | None:
    """`key` as a tag, with its evidence; None when it fails any test.

    `head_example`: set, the kinds are the heads of the values (it is a value with parameters).
    `proven`: the key qualified as a tag over all the objects of the position already (a
    runner-up splitting one kind further), so a kind with few objects is no reason to doubt it.
    `within`: the key is one of the object at this key. `unnamed`: see find_split.
    """
    head = head_example is not None
    values: list[Group] = []
    for obj in objects:
        value = _tag_value(obj, key, within)
        if value is None:  # absent, or null: a gateway's `"t": null` on its own events
            values.append(MISSING)
        elif (name := kind_name(value, head=head, masked=masked)) is not None:
            values.append(name)
        else:
            return None
    counts: Counter[Group] = Counter()
    for value, weight in zip(values, weights):
        if value is not MISSING:
            counts[value] += weight
    total = sum(counts.values())
    everything = sum(weights)
    if total < everything * thresholds.TAG_MIN_PRESENT_SHARE and not _minority_tag(
        values, shapes, total
    ):
        return None
    if len({type(value) for value in counts}) != 1:
        return None  # "1" and 1 at one key: a loose value, not a tag
    if not 2 <= len(counts) <= thresholds.TAG_MAX_VALUES:
        return None
    if isinstance(
        next(iter(counts)), int
    ) and total < thresholds.TAG_INT_MIN_OBJECTS_PER_VALUE * len(counts):
        return None  # numbers that barely repeat: request ids, counters, indexes
    groups: dict[Group, list[frozenset[Feature]]] = {}
    for value, shape in zip(values, shapes):
        groups.setdefault(value, []).append(shape)
    recurring = _recurs(counts, groups, 0 if proven else thresholds.TAG_MIN_OBJECTS)
    if recurring is None:
        return None
    # No evidence is under the tag itself, nor, for a tag inside an object, in that object.
    outside = key if within is None else within
    top = _explained(shapes, groups, outside, depth=1)
    inner = _explained(shapes, groups, outside, depth=2)
    if within is not None and not _values_explain(values, shapes, groups, outside):
        return None
    if proven and unnamed and not (top.varying or inner.varying):
        pass  # a tag of the whole position names the kinds of the objects without the tag
    elif _explains_too_little(
        max(top.share, inner.share), top.explained + inner.explained, len(groups)
    ):
        return None
    return Candidate(
        key,
        top,
        inner,
        len(counts),
        everything - total,
        recurring,
        key.lower() in thresholds.TAG_NAME_HINTS,
        position,
        head_example,
        within,
        masked,
    )


def _masked(
    objects: Sequence[dict[str, Any]], key: str, within: str | None
) -> tuple[int, ...]:
    """The segments of a key's channel names that are parameters though words: the market in
    `btcusdt@trade` (thresholds.TAG_SEGMENT). Such a segment varies, grouping by it alone
    explains nothing, and a later segment does. The evidence is the whole structure, every
    level down: a resource name (`customer` in `customer.created`) shapes the object deep
    inside its payload, a market's name shapes nothing."""
    split = [
        (thresholds.TAG_SEGMENT.split(text)[::2], obj)
        for obj in objects
        if (text := _head_text(_tag_value(obj, key, within))) is not None
    ]
    if all(len(parts) < 2 for parts, _ in split):
        return ()
    segmented = [(parts, _paths(obj)) for parts, obj in split]
    outside = key if within is None else within
    tells: list[bool | None] = []  # per segment; None: one value only
    for index in range(max((len(parts) for parts, _ in segmented), default=0)):
        groups: dict[Group, list[frozenset[Feature]]] = {}
        for parts, paths in segmented:
            if index < len(parts):
                groups.setdefault(parts[index], []).append(paths)
        if len(groups) < 2:
            tells.append(None)
            continue
        members = [paths for group in groups.values() for paths in group]
        tells.append(
            any(
                _explained(members, groups, outside, depth=depth).share
                >= thresholds.TAG_MIN_EXPLAINED_SHARE
                for depth in (1, 2)
            )
        )
    last = max((index for index, told in enumerate(tells) if told), default=0)
    return tuple(index for index in range(last) if tells[index] is False)


def _paths(obj: dict[str, Any]) -> frozenset[Feature]:
    """Every key path in an object, at any depth (`("data", "[]", "price")`)."""
    found: set[Feature] = set()
    pending: list[tuple[Feature, Any]] = [((), obj)]
    while pending:
        prefix, value = pending.pop()
        if isinstance(value, dict):
            for inner_key, inner in value.items():
                path = prefix + (inner_key,)
                found.add(path)
                pending.append((path, inner))
        elif isinstance(value, list):
            pending.extend((prefix + ("[]",), item) for item in value)
    return frozenset(found)


def _values_explain(
    values: list[Group],
    shapes: list[frozenset[Feature]],
    groups: dict[Group, list[frozenset[Feature]]],
    outside: str,
) -> bool:
    """A key inside a payload is the message's tag only when its values tell the messages that
    hold it apart: that the objects without it (replies, with no payload at all) look different
    is the holder's absence, no evidence for its values (the symbol inside a stream's `data` is
    no kind, though every reply lacks it)."""
    present = [shape for value, shape in zip(values, shapes) if value is not MISSING]
    valued: dict[Group, list[frozenset[Feature]]] = {
        value: members for value, members in groups.items() if value is not MISSING
    }
    return any(
        found.share >= thresholds.TAG_MIN_EXPLAINED_SHARE
        for found in (
            _explained(present, valued, outside, depth=1),
            _explained(present, valued, outside, depth=2),
        )
    )


def _recurs(
    counts: Counter[Any], groups: dict[Any, list[frozenset[Feature]]], minimum: int
) -> bool | None:
    """Whether a tag's values recur (at most TAG_MAX_UNIQUE_SHARE of the objects hold a value
    seen once); None when they mostly do not and are no evidence. Values that mostly do not
    recur are evidence only in a small set of at least `minimum` objects, only as words, and
    only when every value's objects (`groups`) have a structure of their own."""
    total = sum(counts.values())
    singles = sum(1 for count in counts.values() if count == 1)
    if singles / total <= thresholds.TAG_MAX_UNIQUE_SHARE:
        return True
    if (
        total > thresholds.TAG_SMALL_SET
        or total < minimum
        or not all(_is_word(value) for value in counts)
    ):
        return None
    cores = [frozenset.intersection(*members) for members in groups.values()]
    return None if len(set(cores)) < len(cores) else False


def _explains_too_little(share: float, explained: int, groups: int) -> bool:
    """A grouping explains too little when it explains under TAG_MIN_EXPLAINED_SHARE of the
    features that vary, or fewer than TAG_MIN_EXPLAINED_KEYS of them in too few groups.
    """
    return share < thresholds.TAG_MIN_EXPLAINED_SHARE or (
        explained < thresholds.TAG_MIN_EXPLAINED_KEYS
        and groups < thresholds.TAG_MIN_GROUPS_FOR_ONE_KEY
    )


def _minority_tag(
    values: list[Group], shapes: list[frozenset[Feature]], present: int
) -> bool:
    """A key that most objects lack may still name kinds: control messages (`event`:
    `subscribe`, `error`) among a feed's data pushes. Then the objects without it are a kind of
    their own, with a key no object holding the tag has (the pushes' `data`), not the same
    record less a few optional keys (an order whose rare `cancel_reason` comes with
    `canceled_at`); and the key was seen often enough to tell (TAG_MIN_OBJECTS)."""
    if present < thresholds.TAG_MIN_OBJECTS:
        return False
    without = [shape for value, shape in zip(values, shapes) if value is MISSING]
    tagged = set().union(
        *(shape for value, shape in zip(values, shapes) if value is not MISSING)
    )
    common = frozenset.intersection(*without)
    return any(len(feature) == 1 and feature not in tagged for feature in common)


def _explained(
    shapes: list[frozenset[Feature]],
    groups: dict[Group, list[frozenset[Feature]]],
    key: str,
    *,
    depth: int,
) -> Explained:
    """The features of one depth (the tag itself, and anything under it, is no evidence) that
    vary across the objects, and how many of them are in all or none of each group."""
    seen = {
        feature
        for shape in shapes
        for feature in shape
        if (len(feature) == 1) == (depth == 1) and feature[0] != key
    }
    varying = {feature for feature in seen if not all(feature in s for s in shapes)}
    explained = sum(
        1
        for feature in varying
        if all(_pure(feature, members) for members in groups.values())
    )
    return Explained(explained, len(varying))


def _pure(feature: Feature, members: list[frozenset[Feature]]) -> bool:
    """The feature is in every member of the group, or in none."""
    first = feature in members[0]
    return all((feature in member) == first for member in members[1:])


def _is_word(value: Group) -> bool:
    """A name made of letters (`v4_trades`, `allMids`), not a code (`x`, `1`, `a1`)."""
    if not isinstance(value, str):
        return False
    letters = sum(ch.isalpha() for ch in value)
    return letters >= thresholds.TAG_WORD_MIN_LETTERS and letters > sum(
        ch.isdigit() for ch in value
    )


def tag_head(text: str, masked: tuple[int, ...] = ()) -> str:
    """The name a channel name with parameters starts with (`orderbook.50.BTCUSDT` ->
    `orderbook`, `book-10` -> `book`); a value without parameters is its own head. `masked`:
    segments of the head that are parameters though words, written `*` (`btcusdt@trade` ->
    `*@trade`, thresholds.TAG_SEGMENT)."""
    found = thresholds.TAG_HEAD_MATCH.match(text)
    assert (
        found is not None
    )  # the pattern matches every string, if only the empty start
    return _mask_segments(found.group(), masked) if masked else found.group()


def _mask_segments(head: str, masked: tuple[int, ...]) -> str:
    """`head` with the segments at `masked` (those it has) written `*`."""
    parts = thresholds.TAG_SEGMENT.split(head)  # segment, separator, segment, ...
    for index in masked:
        if 2 * index < len(parts):
            parts[2 * index] = thresholds.TAG_MASK
    return "".join(parts)


def name_head(text: str) -> str | None:
    """The head of `text` when it is a name and not all of `text`: what a tag by heads
    reads of a value (the summary keeps values with different heads apart)."""
    head = tag_head(text)
    if (
        head == text
        or not looks_like_name(head)
        or thresholds.TAG_HEAD_NAME.search(head) is None
        or thresholds.TAG_HEAD_NOT_IN.search(text) is not None
    ):
        return None
    return head


def kind_name(value: Any, *, head: bool = False, masked: tuple[int, ...] = ()) -> Group:
    """The kind a tag's value names: itself when it is a name (`head`: its head when that is
    one, with the `masked` segments written `*`), None when it names none. A value the summary
    made a slot is no name, but its head, kept by the summary, may be one."""
    if not head:
        return value if looks_like_name(value) else None
    found = _head_text(value)
    if found is None or not masked:
        return found
    masked_head = _mask_segments(found, masked)
    words = thresholds.TAG_SEGMENT.split(masked_head)[::2]
    return None if all(word == thresholds.TAG_MASK for word in words) else masked_head


def _head_text(value: Any) -> str | None:
    """The head of a tag's value when it is a name (a value without parameters is its own)."""
    if isinstance(value, Scalar):
        return value.head
    if isinstance(value, str):
        return (
            value
            if looks_like_name(value) and tag_head(value) == value
            else name_head(value)
        )
    return None


def _text(value: Any) -> str | None:
    """A string value as a sample held it (a slot's example stands for its entry)."""
    if isinstance(value, Scalar) and value.head is not None:
        return str(value.example)
    return value if isinstance(value, str) else None


def looks_like_name(value: Any) -> bool:
    """A tag value or enum member: a word or short code (TAG_VALUE), never data (NOT_TAG_VALUE)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return abs(value) <= thresholds.TAG_MAX_INT
    return (
        isinstance(value, str)
        and thresholds.TAG_VALUE.fullmatch(value) is not None
        and thresholds.NOT_TAG_VALUE.search(value) is None
    )


def _tag_split(
    objects: Sequence[dict[str, Any]],
    key: str,
    evidence: str,
    *,
    head: bool,
    within: str | None = None,
    masked: tuple[int, ...] = (),
) -> Split:
    groups: dict[Group, list[int]] = {}
    for index, obj in enumerate(objects):
        value = _tag_value(obj, key, within)
        tag = kind_name(value, head=True, masked=masked) if head else value
        groups.setdefault(tag, []).append(index)
    return Split(
        Discriminator(key, evidence, head, within, masked),
        tuple(
            (tag, tuple(indices))
            for tag, indices in sorted(
                groups.items(), key=lambda item: tag_order(item[0])
            )
        ),
    )


def tag_order(tag: Group) -> tuple[int, str, int]:
    """Strings first (sorted), then ints (by value), the objects without the tag last."""
    if isinstance(tag, str):
        return (0, tag, 0)
    return (1, "", tag) if tag is not None else (2, "", 0)


def _forced(objects: Sequence[dict[str, Any]], name: str) -> Split | None:
    """The tag the config names; objects that lack it or hold a non-scalar there are an error.
    `arg.channel`, when no object has that key, is the key `channel` of the object at `arg`.
    Its kinds are the heads of its values when some value is no name but every head is one (a
    channel name with parameters)."""
    key, within = name, None
    if "." in name and not any(name in obj for obj in objects):
        within, key = name.split(".", 1)
    values = [_tag_value(obj, key, within) for obj in objects]
    for obj, value in zip(objects, values):
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise ForcedTagError(name, obj)
    head = not all(map(looks_like_name, values)) and all(
        kind_name(value, head=True) is not None for value in values
    )
    return _tag_split(
        objects,
        key,
        f"tag {name!r}{' by the name before its parameters' if head else ''}: set in the"
        " config",
        head=head,
        within=within,
    )


class ForcedTagError(ValueError):
    """An object where the config says a tag is has no string or int there."""

    def __init__(self, key: str, obj: dict[str, Any]) -> None:
        super().__init__(key)
        self.key = key
        self.obj = obj


def _key_split(
    objects: Sequence[dict[str, Any]],
    weights: Sequence[int],
    shapes: list[frozenset[Feature]],
) -> Split | None:
    """Kinds without a tag: optional keys of which every object holds exactly one.

    Objects with exactly one key are the externally tagged form (`{"position": {...}}`), which
    its own pass handles. The telling keys are picked greedily, twice: keys seen most often
    first, then keys holding objects or arrays first (a payload says more about a kind than a
    scalar); key order breaks ties. The first pick whose groups are kinds wins (a key nearly
    every object holds, like a timestamp, beside one that the rest hold is no such pick).
    """
    if all(len(obj) == 1 for obj in objects):
        return None
    shared = frozenset.intersection(*(frozenset(obj) for obj in objects))
    if (
        not shared
        and len({_json_kind(v) for obj in objects for v in obj.values()}) == 1
    ):
        return None  # values of one kind under keys that differ: a map (detect_maps), not kinds
    keys = _keys_in_order(objects)
    count: Counter[str] = Counter()
    for obj, weight in zip(objects, weights):
        for key in obj:
            count[key] += weight
    total = sum(weights)
    optional = [key for key in keys if count[key] < total]
    holds_payload = {
        key: all(isinstance(obj[key], (dict, list)) for obj in objects if key in obj)
        for key in optional
    }
    orders = (
        lambda key: (-count[key], not holds_payload[key], keys.index(key)),
        lambda key: (not holds_payload[key], -count[key], keys.index(key)),
    )
    found = next(
        (
            groups
            for order in orders
            if (chosen := _exclusive_cover(objects, sorted(optional, key=order)))
            and (
                groups := _kinds_apart(objects, weights, shapes, chosen, holds_payload)
            )
        ),
        None,
    )
    if found is None:
        return None
    return Split(
        Discriminator(
            None,
            f"keys {', '.join(repr(key) for key in found)}: every one of"
            f" {total} objects holds exactly one",
        ),
        tuple((key, found[key]) for key in sorted(found)),
    )


def _kinds_apart(
    objects: Sequence[dict[str, Any]],
    weights: Sequence[int],
    shapes: list[frozenset[Feature]],
    chosen: list[str],
    holds_payload: dict[str, bool],
) -> dict[str, tuple[int, ...]] | None:
    """The objects each of the `chosen` keys tells (in `chosen` order), when the groups are
    kinds: each has keys of its own, and they share at most KEYED_MAX_SHARED_SHARE of them
    (any share, when payloads tell them apart: KEYED_PAYLOAD_MIN_OBJECTS).
    """
    groups = {
        key: tuple(i for i, obj in enumerate(objects) if key in obj) for key in chosen
    }
    if not all(
        holds_payload[key] or _differs_enough(key, groups, shapes) for key in chosen
    ):
        return None  # one scalar key or the other: an optional field, not two kinds
    cores = [
        {
            feature
            for feature in frozenset.intersection(*(shapes[i] for i in members))
            if len(feature) == 1
        }
        for members in groups.values()
    ]
    envelopes = (
        all(holds_payload[key] for key in chosen)
        and sum(weights) >= thresholds.KEYED_PAYLOAD_MIN_OBJECTS
    )
    if not envelopes and any(
        len(one & other) > thresholds.KEYED_MAX_SHARED_SHARE * min(len(one), len(other))
        for index, one in enumerate(cores)
        for other in cores[index + 1 :]
    ):
        return None  # mostly the same keys: one record whose optional keys happen to alternate
    return groups


def _json_kind(value: Any) -> str:
    if isinstance(value, Scalar):
        return "str" if value.kind == STRING else "number"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    return type(value).__name__


def _exclusive_cover(
    objects: Sequence[dict[str, Any]], ordered: list[str]
) -> list[str] | None:
    """Keys taken greedily in `ordered` order, skipping any that shares an object with one
    taken; the keys when every object holds exactly one of them (and there are two or more).
    """
    chosen: list[str] = []
    for key in ordered:
        if not any(key in obj and other in obj for obj in objects for other in chosen):
            chosen.append(key)
    if len(chosen) < 2 or any(
        sum(key in obj for key in chosen) != 1 for obj in objects
    ):
        return None
    return chosen


def _differs_enough(
    key: str,
    groups: dict[str, tuple[int, ...]],
    shapes: list[frozenset[Feature]],
) -> bool:
    """The kind that `key` tells has other keys of its own too, not just the one; or it is that
    key alone, which no other kind has (a bare `{"ping": 1492420473027}` beside a feed's
    messages)."""
    mine = frozenset.intersection(*(shapes[i] for i in groups[key]))
    others = set().union(
        *(
            shapes[i]
            for other, members in groups.items()
            if other != key
            for i in members
        )
    )
    own = {feature for feature in mine - others if len(feature) == 1}
    return len(own) >= thresholds.KEYED_MIN_OWN_KEYS or all(
        {feature for feature in shapes[i] if len(feature) == 1} == {(key,)}
        for i in groups[key]
    )


@dataclass(frozen=True)
class TupleSplit:
    """How the arrays at a position divide into kinds: a name at `index` (from the end when
    negative; its head, when `head`) and the length; each group lists array indices."""

    index: int
    head: bool
    evidence: str
    groups: tuple[tuple[tuple[str | None, int], tuple[int, ...]], ...]


def find_tuple_split(
    arrays: Sequence[list[Any]], weights: Sequence[int] | None = None
) -> TupleSplit | None:
    """The split of `arrays` into kinds by a name at a fixed index, or None.

    Positional messages (`[chan_id, {...}, "ticker", "XBT/USD"]`, `[chan_id, "te", [...]]`) say
    their kind by a string at one place, counted from the start or from the end (a kind may have
    an item more in the middle). The tests are a tag's (present in most arrays, names that recur,
    explaining the structure: the length, the kind of value at each index and the keys of the
    objects there); arrays without a string there are one more kind. A kind is also one length:
    the same name with another length is another kind. Lists of one kind of value (strings,
    numbers) are lists, never kinds; so are arrays longer than thresholds.TUPLE_MAX_LENGTH.
    """
    weights = [1] * len(arrays) if weights is None else weights
    total = sum(weights)
    longest = max((len(array) for array in arrays), default=0)
    if (
        total < thresholds.TAG_MIN_OBJECTS
        or min(len(array) for array in arrays) < thresholds.TUPLE_MIN_LENGTH
        or longest > thresholds.TUPLE_MAX_LENGTH
        or len({_json_kind(item) for array in arrays for item in array}) < 2
    ):
        return None
    shapes = [_array_features(array) for array in arrays]
    found = [
        candidate
        for index in (*range(longest), *range(-1, -longest - 1, -1))
        for head in (False, True)
        if (candidate := _tuple_candidate(arrays, weights, shapes, index, head))
        is not None
    ]
    if not found:
        return None
    rank, index, head, evidence = min(found)
    groups: dict[tuple[str | None, int], list[int]] = {}
    for number, array in enumerate(arrays):
        groups.setdefault((_name_at(array, index, head), len(array)), []).append(number)
    return TupleSplit(
        index,
        head,
        f"{evidence}; {total} arrays",
        tuple(
            (kind, tuple(members))
            for kind, members in sorted(
                groups.items(), key=lambda item: (tag_order(item[0][0]), item[0][1])
            )
        ),
    )


def _array_features(array: list[Any]) -> frozenset[Feature]:
    """The structure of one array: its length, the kind of value at each index, the keys of
    the objects there."""
    found: set[Feature] = {(f"{len(array)} items",)}
    for index, item in enumerate(array):
        found.add((f"[{index}] {_json_kind(item)}",))
        if isinstance(item, dict):
            found.update((f"[{index}]", key) for key in item)
    return frozenset(found)


def _without_item(shape: frozenset[Feature], place: int) -> frozenset[Feature]:
    """An array's features less those of the item at `place`."""
    item = f"[{place}]"
    return frozenset(
        feature
        for feature in shape
        if feature[0] != item and not feature[0].startswith(item + " ")
    )


def _name_at(array: list[Any], index: int, head: bool) -> str | None:
    """The name at `index` (its head, when `head`); None when no string is there."""
    if not -len(array) <= index < len(array):
        return None
    value = array[index]
    if not isinstance(value, (str, Scalar)) or (
        isinstance(value, Scalar) and value.kind != STRING
    ):
        return None
    name = kind_name(value, head=head)
    return name if isinstance(name, str) else ""  # "": a string that names nothing


def _tuple_candidate(
    arrays: Sequence[list[Any]],
    weights: Sequence[int],
    shapes: list[frozenset[Feature]],
    index: int,
    head: bool,
) -> tuple[tuple[float, bool, int, bool, int, bool], int, bool, str] | None:
    """The names at `index` as the tag, ranked (best first: explains the most, recurs, every
    array holds one, counted from the start, nearest the end it is counted from, heads before
    whole names as for object tags); None when they fail a tag's tests (an object tag's,
    with the kinds at each index and the keys of the objects there as one level)."""
    names = [_name_at(array, index, head) for array in arrays]
    if "" in names:
        return None  # a string that names nothing: a symbol, an id, text
    counts: Counter[str] = Counter()
    for name, weight in zip(names, weights):
        if name is not None:
            counts[name] += weight
    present = sum(counts.values())
    if present < sum(weights) * thresholds.TAG_MIN_PRESENT_SHARE:
        return None
    if not 2 <= len(counts) <= thresholds.TAG_MAX_VALUES:
        return None
    # No name with parameters: the whole names are this candidate already.
    if head and all(
        name == _name_at(a, index, False) for a, name in zip(arrays, names)
    ):
        return None
    # A kind is a name and a length: the evidence is for those groups. The name's own place is
    # no evidence (that a string is there, where others hold null, is the name itself).
    shapes = [
        _without_item(shape, index if index >= 0 else len(array) + index)
        for shape, array in zip(shapes, arrays)
    ]
    groups: dict[Any, list[frozenset[Feature]]] = {}
    for name, shape, array in zip(names, shapes, arrays):
        groups.setdefault((name, len(array)), []).append(shape)
    recurring = _recurs(counts, groups, 0)
    if recurring is None:
        return None
    # An array's structure is one level: the kind at each index and the keys of the objects
    # there count alike (a payload's keys say more of a kind than which items are null).
    top = _explained(shapes, groups, "", depth=1)
    inner = _explained(shapes, groups, "", depth=2)
    both = Explained(top.explained + inner.explained, top.varying + inner.varying)
    if _explains_too_little(both.share, both.explained, len(groups)):
        return None
    missing = sum(weights) - present
    rank = (-both.share, not recurring, missing, index < 0, abs(index), not head)
    place = f"item {index}" + (" (from the end)" if index < 0 else "")
    said = "a name"
    if head:
        example = next(
            text
            for array in arrays
            if -len(array) <= index < len(array)
            and (text := _text(array[index])) is not None
            and tag_head(text) != text
        )
        said = f"the name before its parameters ({example!r} -> {tag_head(example)!r})"
    evidence = (
        f"{place}: {said}, {len(counts)} values, explains {both.explained} of"
        f" {both.varying} features that vary"
    )
    return rank, index, head, evidence
