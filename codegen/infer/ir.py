"""The shape IR: what the samples showed at each position, as immutable values.

A `Shape` is the evidence at one position: which JSON kinds appeared there, with at most one
array shape and one object shape (all objects seen at a position merge; all arrays too). Passes in
`codegen.infer.passes` turn it into its final form; equal shapes are the same type.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Generic, NamedTuple, TypeVar

from codegen.errors import Location


@dataclass(frozen=True, order=True)
class Origin:
    """Where a shape was first seen: the sample's location and the JSON path inside it."""

    location: Location
    path: str

    def __str__(self) -> str:
        return f"{self.location} at {self.path}"


@dataclass(frozen=True)
class Field:
    key: str
    shape: Shape
    present: int  # how many of the parent's instances had this key


@dataclass(frozen=True)
class Anchor:
    """Marks the record at a position whose objects contain objects of their own type.

    `id` is the position's JSON path (`$`, `$.tree`; a kind's folder name first for kinds given
    out of band): every `Shape.recursion` naming it is this record. `edges`: each position below where
    the objects are this record again (`$.children[*]`), with the evidence or the config line.
    """

    id: str
    edges: tuple[tuple[str, str], ...] = field(compare=False, default=())


class Tag(NamedTuple):
    """A tag that selected a kind's objects: every one holds `value` at `key` (or, `head`, a
    string whose head is `value`: a channel name with parameters, see thresholds.TAG_HEAD).
    `within`: the tag is a key of the object at this key (`{"arg": {"channel": "books"}}`).
    """

    key: str
    value: str | int
    head: bool = False
    within: str | None = None

    @property
    def path(self) -> TagPath:
        return tag_path(self.key, self.within)


# Where a tag is in an object: ("type",), or ("arg", "channel") for a tag inside the object at a
# key, which tells the kind of the whole object (the payload beside it is that kind's).
TagPath = tuple[str, ...]


def tag_path(key: str, within: str | None) -> TagPath:
    return (key,) if within is None else (within, key)


@dataclass(frozen=True)
class ObjectShape:
    fields: tuple[Field, ...]  # in the order keys were first seen
    count: int  # instances merged into this shape
    single_key: int  # instances that had exactly one key (evidence of a tagged union)
    origin: Origin = field(compare=False)
    # The tag keys and values every instance holds, when this is one kind of an object union
    # (two for a composite tag). Kinds with equal keys stay apart: the tag is their identity.
    tags: tuple[Tag, ...] = ()
    # One kind of an object union (tagged, told by a key, or the kind without the tag): always a
    # record, never turned into a map or an externally tagged union by a later pass.
    is_kind: bool = False
    # Why records seen apart were merged into this one (passes/similar.py), for the schema.
    evidence: str = field(default="", compare=False)
    as_map: bool | None = None  # the config says a map (True) or a record (False)
    anchor: Anchor | None = None  # objects of this shape nest inside each other

    @property
    def keys(self) -> frozenset[str]:
        return frozenset(f.key for f in self.fields)

    def is_optional(self, item: Field) -> bool:
        return item.present < self.count


@dataclass(frozen=True)
class Variant:
    tag: str
    shape: Shape


@dataclass(frozen=True)
class TaggedUnion:
    """An externally tagged union: `{tag: payload}` objects, open to tags not seen yet."""

    variants: tuple[Variant, ...]  # sorted by tag
    origin: Origin = field(compare=False)
    # The tag is not in the message but beside it (a webhook's event header), one sub-folder of
    # samples per tag: each variant's shape is the whole message of that kind.
    out_of_band: bool = False


@dataclass(frozen=True)
class Discriminator:
    """What tells the kinds of objects at one position apart, and the evidence that decided it.

    `tag_key` set: an internal tag, the value of that (always present) key names the kind.
    `tag_key` None: the kinds are told apart by which key is present (`{"res"}` vs `{"err"}`).
    """

    tag_key: str | None
    # One line a reviewer reads: counts, ratios, or the override that forced it.
    evidence: str = field(compare=False)
    # The kind is the head of the tag's string, not all of it (a channel name with parameters,
    # `orderbook.50.BTCUSDT` -> `orderbook`; see thresholds.TAG_HEAD).
    head: bool = False
    # Set: `tag_key` is a key of the object at this key (`arg.channel`, see kinds.find_split).
    within: str | None = None
    # With `head`: segments of the values that are parameters though words, `*` in the kinds'
    # names (`btcusdt@trade` -> `*@trade`, see kinds.tag_head).
    masked: tuple[int, ...] = ()


@dataclass(frozen=True)
class ObjectVariant:
    """One kind of an object union: the tag value (or the key) that selects it, and its shape."""

    tag: str | int | None  # None: the objects that lack the tag key
    shape: Shape  # a record only: an ObjectShape, or an ObjectUnion for a composite tag
    count: int  # instances of this kind


@dataclass(frozen=True)
class ObjectUnion:
    """Objects of several kinds at one position, told apart by a tag field or by their keys.

    Decoding reads the tag (or looks for the keys) and goes straight to the variant; a tag value
    (or key set) not seen in the samples decodes as the union's unknown variant, kept raw.
    """

    discriminator: Discriminator
    variants: tuple[ObjectVariant, ...]  # tags sorted: strings, then ints
    origin: Origin = field(compare=False)
    tags: tuple[Tag, ...] = ()  # outer tags, for a composite tag's inner level
    anchor: Anchor | None = None  # objects of these kinds nest inside each other

    @property
    def tag_key(self) -> str | None:
        return self.discriminator.tag_key


@dataclass(frozen=True)
class MapShape:
    """An object whose keys are data (ids, symbols, dates), not field names: `dict[str, V]`."""

    values: Shape
    origin: Origin = field(compare=False)


Record = ObjectShape | TaggedUnion | MapShape | ObjectUnion


@dataclass(frozen=True)
class ArrayShape:
    items: Shape | None  # None: only empty arrays were seen
    # Evidence for a tuple, until detect_tuples decides (then it is always None): the shape at
    # each index when every array here had the same small length, and how many arrays that was.
    positions: tuple[Shape, ...] | None = None
    count: int = 0
    forced: bool | None = None  # the config says tuple (True) or list (False)


@dataclass(frozen=True)
class TupleShape:
    """Arrays of one fixed length whose positions mean different things: `[price, size]`."""

    positions: tuple[Shape, ...]


@dataclass(frozen=True)
class TupleKind:
    """One kind of a TupleUnion: arrays of one length holding one name at the union's index."""

    # None: the arrays holding no string there (the kind without the tag).
    tag: str | None
    positions: tuple[Shape, ...]
    count: int  # arrays of this kind
    origin: Origin = field(compare=False)


@dataclass(frozen=True)
class TupleUnion:
    """Arrays of several kinds at one position, told apart by a name at a fixed index and by
    their length: `[chan_id, {...}, "ticker", "XBT/USD"]` beside `[chan_id, [...], "spread",
    "XBT/USD"]`. Decoding reads the length and the name (its head, when `head`) and goes
    straight to the kind; a pair not seen is the union's unknown kind, kept raw.
    """

    index: int  # from the start, or from the end when negative
    # Sorted by name (strings, then the kind without), then length.
    kinds: tuple[TupleKind, ...]
    evidence: str = field(compare=False)
    origin: Origin = field(compare=False)
    head: bool = False  # the kind is the head of the name (thresholds.TAG_HEAD)

    def at(self, length: int) -> int:
        """The index of the name in an array of `length` items, from the start."""
        return self.index if self.index >= 0 else length + self.index


V = TypeVar("V", str, int)


@dataclass(frozen=True)
class Values(Generic[V]):
    """The strings (or ints) seen at one position, counted while few enough to name something.

    `counts` is empty once more than thresholds.ENUM_MAX_VALUES distinct values were seen, or
    when a docs example was among them (its values are placeholders, not evidence).
    `enum`: the detect_enums pass (or the config) decided they are an enum; `closed`: the config
    says a value never seen is an error (else the enum is open: any value decodes).
    """

    counts: tuple[tuple[V, int], ...]  # sorted by value
    total: int  # values seen, with repeats
    forced: bool | None = None  # the config says enum (True) or not (False)
    enum: bool = False
    closed: bool = False

    @property
    def enum_key(self) -> tuple[tuple[V, ...], bool]:
        """What makes one enum class: the values, and whether it is closed."""
        return tuple(value for value, _ in self.counts), self.closed


Texts = Values[str]


@dataclass(frozen=True)
class Looks:
    """What the non-null strings and numbers at one position look like, for the formats pass.

    `fits`: the formats every one of them fits (codegen.infer.looks; empty when a docs example
    was among them); `fractions`: numbers in strings with a fraction or exponent; `low`/`high`:
    the smallest and largest number (JSON numbers and numbers in strings).
    """

    fits: frozenset[str]
    count: int
    fractions: int
    low: Decimal | None
    high: Decimal | None
    forced: str | None = None  # the config's format; "none": never one


# The JSON kinds of the values a Scalar stands for, as Shape's flags name them.
STRING, INTEGER, NUMBER = "string", "integer", "number"


@dataclass(eq=False)
class Scalar:
    """A string or number in a sample's skeleton (codegen.infer.summary), standing for the value
    every sample of its entry holds there: a value that names nothing (no tag, no enum member),
    of which inference reads only its JSON kind and `looks`, its evidence for the formats pass.
    """

    kind: str  # STRING, INTEGER or NUMBER
    looks: Looks
    example: str | int | float  # the value in the entry's first sample
    # A channel name with parameters (`orderbook.50.BTCUSDT`) is no name, but its head
    # (`orderbook`, kinds.name_head) may name a kind: every sample of the entry has this one.
    head: str | None = None

    @property
    def fits(self) -> frozenset[str]:
        return self.looks.fits


@dataclass(frozen=True)
class Format:
    """The format the values at a position have (codegen.infer.looks.FORMATS), and why."""

    name: str
    evidence: str


@dataclass(frozen=True)
class Shape:
    null: bool = False
    boolean: bool = False
    integer: bool = False
    number: bool = (
        False  # a float, or a docs-example number: typed float, ints accepted
    )
    string: bool = False
    array: ArrayShape | None = None
    record: Record | None = None
    texts: Texts | None = None  # with `string`: the strings seen, for enums
    ints: Values[int] | None = None  # with `integer`: the ints seen, for enums
    looks: Looks | None = None  # with strings or numbers: evidence for formats
    format: Format | None = None  # decided by detect_formats
    tuple: TupleShape | None = (
        None  # arrays of a fixed length, typed per position (no `array`)
    )
    # The objects here are those of an enclosing recursive record: its Anchor's id (no `record`).
    recursion: str | None = None
    # Arrays of several kinds, told apart by a name at a fixed index (no `array`).
    tuples: TupleUnion | None = None

    @property
    def is_unknown(self) -> bool:
        """Nothing but null (or nothing at all) was seen: any value is accepted."""
        return not (
            self.boolean
            or self.integer
            or self.number
            or self.string
            or self.array
            or self.tuple
            or self.tuples
            or self.record
            or self.recursion
        )
