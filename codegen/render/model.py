"""The render model: everything the templates print, computed from schema.json.

Templates only loop and print; every decision (names, expressions, statement lines, dispatch
patterns) is made here, from the schema and its `x-codegen-*` annotations alone.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from codegen.render.formats import PropertyModel, field_doc, reader
from codegen.render.identifiers import (
    docstring,
    enum_members,
    export_order,
    field_names,
    import_order,
    literal,
)
from codegen.render.types import (
    Classes,
    EnumInfo,
    classinfo,
    Helpers,
    TypeRef,
    from_schema,
    is_nullable_pair,
    not_none,
)
from codegen.schema import (
    ENUM_KEYWORD,
    EVIDENCE_KEYWORD,
    FIELDS_KEYWORD,
    KEYS_KEYWORD,
    KINDS_KEYWORD,
    NAMED_BY_KEYWORD,
    OUT_OF_BAND_KIND,
    POSITIONAL_KIND,
    TAG_AT_KEYWORD,
    TUPLE_KIND_KEYWORD,
    ref,
    TAG_IN_KEYWORD,
    TAG_KEYWORD,
    BY_HEAD_KEYWORD,
    MASKED_KEYWORD,
    HEAD_KEYWORD,
    UNION_KEYWORD,
    UNION_KIND,
    UNKNOWN_KEYWORD,
    ref_name,
    tag_schema,
    union_members,
)

# An encoder fills in a copy of a dict that holds its record's keys in wire order, rather than
# building the dict from a literal, from this many fields on: copying the key table and replacing
# values then costs less than inserting each key. Measured on CPython 3.11, a copy against a
# literal, min of 5 interleaved runs: 13 fields 15% more, 16 fields 8-12% more, 20 fields 9-11%
# less, 37 fields about 30% less.
ENCODE_BY_COPY_FIELDS = 18


@dataclass
class FieldModel:
    key: str
    name: str
    annotation: str
    optional: bool
    local: str  # the local holding the wire value, then the decoded one
    encode_expr: str  # of `obj.<name>`
    check: str | None = (
        None  # an inline test of the wire value, when it decodes as itself
    )
    convert_lines: list[str] = field(
        default_factory=list
    )  # statements decoding it otherwise
    explain_entry: str = ""  # its `Field(...)` in the record's table for errors
    tag: str | None = (
        None  # the literal of a kind's tag value: a constant, never decoded
    )
    format_doc: str | None = None  # what format the wire text has, as a sentence

    @property
    def key_literal(self) -> str:
        return literal(self.key)

    @property
    def doc(self) -> str | None:
        """The attribute docstring: the wire key, when the attribute could not be named so, and
        the format of the wire text."""
        sentences = [] if self.name == self.key else [f"The wire key `{self.key}`."]
        sentences += [self.format_doc] if self.format_doc else []
        return docstring(" ".join(sentences)) if sentences else None

    @property
    def default(self) -> str | None:
        """The dataclass default: the tag value of a kind, ABSENT for a key that may be absent."""
        if self.tag is not None:
            return self.tag
        return "ABSENT" if self.optional else None

    @property
    def value(self) -> str:
        """What the decoder stores in the field: the decoded local, or the kind's tag value."""
        return self.local if self.tag is None else self.tag


# Fields a record decodes in straight-line code at most. A wider one (a webhook's repository, a
# 300-column row) decodes through its `_FIELDS` table (decode_fields), one loop: pyright stops
# analysing a function whose code flow is too complex, which dozens of nullable, absent-able
# fields reach, and parses a long `and` chain as nested expressions past its depth limit.
STRAIGHT_LINE_FIELDS = 40


def _one_term(expression: str) -> bool:
    """Whether `not` binds to all of the expression: a call or a name (`is_json(v)`), or one
    wrapped in parentheses from end to end (`(v is ABSENT or ...)`)."""
    node = ast.parse(expression, mode="eval").body
    if isinstance(node, (ast.Call, ast.Name)):
        return True
    if "'" in expression or '"' in expression:  # a literal may hold a parenthesis
        return False
    depth = 0
    for index, char in enumerate(expression):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0:
            return char == ")" and index == len(expression) - 1
    return False


# `type(v) is str`, `v is None`: a test whose negation is `is not`.
_IDENTITY_TEST = re.compile(r"(type\(\w+\)|\w+) is (\w+)")


@dataclass
class RecordModel:
    name: str
    doc: str
    fields: list[FieldModel]
    form: ClassVar[str] = "record"  # what models.py writes for it
    properties: list[PropertyModel] = field(default_factory=list)

    @property
    def all_required(self) -> bool:
        return not any(f.optional for f in self.fields)

    @property
    def encode_by_copy(self) -> bool:
        """Whether the encoder fills in a copy of the record's `_WIRE` dict (see ENCODE_BY_COPY_FIELDS)."""
        return self.all_required and len(self.fields) >= ENCODE_BY_COPY_FIELDS

    @property
    def decoded_fields(self) -> list[FieldModel]:
        """The fields read from the wire object (a kind's tag is known before decoding starts)."""
        return [f for f in self.fields if f.tag is None]

    @property
    def targets(self) -> str:
        """The locals the wire values of all keys unpack to, in key order (`_` for a tag)."""
        names = [f.local if f.tag is None else "_" for f in self.fields]
        return f"({names[0]},)" if len(names) == 1 else ", ".join(names)

    @property
    def decoded_targets(self) -> str:
        """The locals of the decoded fields alone, in field order (what decode_fields gives)."""
        names = [f.local for f in self.decoded_fields]
        return f"({names[0]},)" if len(names) == 1 else ", ".join(names)

    @property
    def wide(self) -> bool:
        """Decoded through its table rather than in straight-line code (STRAIGHT_LINE_FIELDS)."""
        return len(self.decoded_fields) > STRAIGHT_LINE_FIELDS

    @property
    def checks(self) -> list[str]:
        return [f.check for f in self.fields if f.check is not None]

    @property
    def check_fails(self) -> str:
        """The fast path's condition negated: `type(x) is not str` for one identity test (a
        linter reads `not (a is b)` as a mistake), `not (...)` around several."""
        if len(self.checks) == 1:
            (check,) = self.checks
            identity = _IDENTITY_TEST.fullmatch(check)
            if identity is not None:
                return f"{identity[1]} is not {identity[2]}"
            if _one_term(
                check
            ):  # `not (f(x))` has parentheses a linter calls extraneous
                return f"not {check}"
        return "not (" + " and ".join(self.checks) + ")"

    @property
    def convert_lines(self) -> list[str]:
        return [line for f in self.fields for line in f.convert_lines]

    @property
    def constant(self) -> str:
        """`_BidAsk`: the class name as it is, so two classes never share constants."""
        return "_" + self.name


@dataclass
class VariantModel:
    tag: str
    class_name: str
    doc: str
    annotation: str
    decode_expr: str  # of the payload held in `value`
    encode_expr: str  # of `obj.value`

    @property
    def tag_literal(self) -> str:
        return literal(self.tag)


@dataclass
class UnionModel:
    name: str
    doc: str
    variants: list[VariantModel]
    unknown: str
    unknown_doc: str
    form: ClassVar[str] = "union"  # what models.py writes for it

    @property
    def members(self) -> list[str]:
        return [v.class_name for v in self.variants] + [self.unknown]

    @property
    def encode_branches(self) -> list[tuple[str, str]]:
        """(what `isinstance(obj, ...)` takes, what the encoder then returns), per variant."""
        return [
            (v.class_name, f"{{{v.tag_literal}: {v.encode_expr}}}")
            for v in self.variants
        ]


@dataclass
class EnumModel:
    """An enum: a str Enum (or IntEnum) whose members are the values seen (`Side.BUY = "buy"`)."""

    name: str
    doc: str
    members: list[tuple[str, str]]  # (member name, value literal)
    is_int: bool = False

    @property
    def bases(self) -> str:
        return "IntEnum" if self.is_int else "str, Enum"

    @property
    def value_type(self) -> str:
        return "int" if self.is_int else "str"


@dataclass
class KindModel:
    """One member of an object union: the tag literal (or telling key) and its codec."""

    selector: str  # the tag value's literal, or the telling key's literal
    decoder: str
    encoder: str
    isinstance_test: str  # what `isinstance(obj, ...)` takes for the member's classes
    payload: str = ""  # the member's type, for handlers of kinds given out of band


@dataclass
class ObjectUnionModel:
    """A union of kinds of objects, told apart by a tag key's value or by which key is present."""

    name: str
    doc: str
    tag_key: str | None  # literal of the tag key; None: told apart by keys
    # Literal of the key holding the object whose key is the tag (`arg` of `arg.channel`).
    tag_within: str | None
    # Literal of the tag's name in decode errors: `type`, `arg.channel`.
    tag_name: str | None
    tag_type: str  # `str` or `int`: the only type of tag value that can select a kind
    # Set: the kind is the head of the tag's string, found by this pattern (_runtime.tag_head).
    head_pattern: str | None
    # With a head: the segments that are parameters though words (`*` in the kinds' heads),
    # split by this pattern.
    masked: tuple[int, ...]
    segment_pattern: str | None
    kinds: list[KindModel]
    missing: (
        KindModel | None
    )  # the kind of the objects without the tag key, if the samples had one
    members: list[
        str
    ]  # the alias members: kind classes, inner unions, the unknown class
    unknown: str
    unknown_doc: str
    form: ClassVar[str] = "object_union"  # what models.py writes for it
    out_of_band: bool = (
        False  # the kind is given beside the message (decode(raw, kind))
    )

    @property
    def head_call(self) -> str:
        """The call finding the kind's head in the tag value `tag`."""
        if not self.masked:
            return "tag_head(tag)"
        return f"tag_head(tag, {self.masked!r})"

    @property
    def tag_read(self) -> str:
        """The decoder's expression for the tag (a local `tag` when it is inside an object)."""
        return "tag" if self.tag_within else f"data.get({self.tag_key})"

    @property
    def encoded_kinds(self) -> list[KindModel]:
        """One encoder call per class (two kinds given out of band may share one)."""
        kinds = self.kinds + ([self.missing] if self.missing is not None else [])
        return list({kind.encoder: kind for kind in kinds}.values())

    @property
    def encode_branches(self) -> list[tuple[str, str]]:
        """(what `isinstance(obj, ...)` takes, what the encoder then returns), per class."""
        return [(k.isinstance_test, f"{k.encoder}(obj)") for k in self.encoded_kinds]

    @property
    def encode_annotation(self) -> str:
        """A message given out of band may be any JSON; an object union's is an object."""
        return "Any" if self.out_of_band else "dict[str, Any]"

    @property
    def table_annotation(self) -> str:
        if self.out_of_band:
            return f"dict[str, Callable[[Any], {self.name}]]"
        if self.tag_key is None:
            return f"tuple[tuple[str, Callable[[dict[str, Any]], {self.name}]], ...]"
        return f"dict[{self.tag_type}, Callable[[dict[str, Any]], {self.name}]]"


@dataclass
class PositionModel:
    """One position of a tuple kind: its field, and how the codec reads and writes it."""

    name: str  # `item_0`
    annotation: str
    decode_expr: str  # over the wire array `data`
    encode_expr: str  # over the kind `obj`


@dataclass
class TupleKindModel:
    """One kind of a tuple union: a NamedTuple whose fields are its positions."""

    name: str
    doc: str
    positions: list[PositionModel]
    form: ClassVar[str] = "tuple_kind"  # what models.py writes for it

    @property
    def decoded(self) -> str:
        return ", ".join(p.decode_expr for p in self.positions)

    @property
    def encoded(self) -> str:
        return ", ".join(p.encode_expr for p in self.positions)


@dataclass
class TupleUnionModel:
    """Arrays of several kinds, told apart by their length and the name at one index."""

    name: str
    doc: str
    index: int  # from the end when negative
    # Set: the kind is the name's head, found by this pattern (_runtime.tag_head).
    head_pattern: str | None
    # (length, name or None), as Python literals, and the kind's class, in the schema's order.
    kinds: list[tuple[str, str]]
    members: list[str]  # the alias members: the kind classes, the unknown class
    unknown: str
    unknown_doc: str
    form: ClassVar[str] = "tuple_union"  # what models.py writes for it

    @property
    def tag_read(self) -> str:
        """The decoder's expression for the value at the index (None when it has none)."""
        if self.index >= 0:
            return f"data[{self.index}] if len(data) > {self.index} else None"
        return f"data[{self.index}] if len(data) >= {-self.index} else None"

    @property
    def kind_key(self) -> str:
        """The decoder's expression for a kind's key in its table: the length and the name."""
        name = "tag_head(tag)" if self.head_pattern else "tag"
        return f"(len(data), {name} if type(tag) is str else None)"

    @property
    def tag_name(self) -> str:
        """How a decode error names the tag: its index."""
        return literal(f"[{self.index}]")


@dataclass
class RouteModel:
    """One `case` of the dispatcher: a leaf variant, or an unknown variant at some level."""

    pattern: str
    handler: (
        str | None
    )  # attribute holding the leaf's handler; None for an unknown variant
    method: str | None = None
    payload: str | None = None  # the payload's annotation
    tag_path: str = ""
    whole: bool = False  # the payload is the message itself: the handler takes it alone
    nested: bool = False  # a class pattern inside another
    handler_type: str = ""  # the handler's annotation
    # The kind of message the pattern narrows the message to, when the payload is a kind of a
    # union that kind holds (`EventCallback(event=Message() as payload)`): what the handler
    # takes as the message, beside the payload.
    holder: str | None = None

    @property
    def doc(self) -> str:
        if self.whole:
            return docstring(f"Handle {self.tag_path} messages.", indent=8)
        return docstring(
            f"Handle `{self.tag_path}`: called with the message and its payload.",
            indent=8,
        )

    @property
    def call_args(self) -> str:
        return "payload" if self.whole else "message, payload"


# The Dispatcher's own methods: a variant tagged `error` gets `on_error_variant` (or a name after
# its class, `on_rpc_message_error`, when that is another), not these.
DISPATCHER_METHODS = ("dispatch", "on_error", "on_unhandled", "on_unknown")


@dataclass
class DispatcherModel:
    subject: str  # expression of the decoded message that the cases match on
    routes: list[RouteModel]
    unknowns: list[str]  # unknown-variant classes the unknown handler may receive
    by_kind: bool = (
        False  # routes test the kind given with the message (`pattern` is a test)
    )
    # Messages that come as a batch, a JSON array of kinds (`[{"T": "t", ...}, {"T": "q", ...}]`):
    # the type of an item, which each handler then receives as its message, item by item.
    item: str | None = None

    @property
    def nested(self) -> bool:
        """Whether a case nests patterns: a type checker cannot then tell the cases cover
        every variant, and a last `case _` says so (where it can tell, that case would be
        one it reports as never matched)."""
        return any(route.nested for route in self.routes)

    @property
    def leaves(self) -> list[RouteModel]:
        return [r for r in self.routes if r.handler is not None]

    @property
    def dispatch_doc(self) -> str:
        if self.item is not None:
            return "Decode `raw`, a batch, and call the handler of each item's variant in turn."
        return "Decode `raw` and call the handler of its variant."

    @property
    def whole_message(self) -> RouteModel | None:
        """The one route when no union routes the messages: its handler takes the message alone."""
        if len(self.routes) == 1 and self.routes[0].payload is None:
            return self.routes[0]
        return None


@dataclass
class PackageModel:
    set_name: str
    root: str  # the root type's name
    root_annotation: str
    root_is_class: bool
    raw_annotation: str  # what decode() takes besides JSON text
    definitions: list[
        RecordModel | UnionModel | ObjectUnionModel | TupleKindModel | TupleUnionModel
    ]
    decode_root: str  # expression decoding the parsed JSON in `data`
    # What decode() hands the runtime to decode the parsed JSON: the root def's decoder itself
    # (one call fewer per message), else `_decode`, a function around decode_root.
    root_decoder: str
    encode_root: str  # expression encoding `obj`
    # The root union whose dispatch encode() holds itself, as nothing else refers to it: one
    # call fewer per message, about 2% of json.dumps(encode(obj)) for 100-byte messages
    # (bench/codec.py). Its own `_encode_` function is then not written.
    encoded_in_place: UnionModel | ObjectUnionModel | None
    encode_annotation: str
    decode_helpers: list[HelperModel]
    encode_helpers: list[HelperModel]
    dispatcher: DispatcherModel
    class_names: list[str] = field(default_factory=list)
    out_of_band: bool = False  # decode() and dispatch() take the message's kind
    enums: list[EnumModel] = field(default_factory=list)

    @property
    def dispatched(self) -> str:
        """What the dispatcher's handlers take as the message: the root, or a batch's item."""
        return self.dispatcher.item or self.root

    @property
    def kind_param(self) -> str:
        return ", kind: str" if self.out_of_band else ""

    @property
    def kind_arg(self) -> str:
        return ", kind" if self.out_of_band else ""

    @property
    def model_names(self) -> list[str]:
        """What the models module defines: its classes, and the root alias if it has one."""
        return self.class_names + ([] if self.root_is_class else [self.root])

    @property
    def model_imports(self) -> list[str]:
        """model_names as an import lists them."""
        return import_order(self.model_names)

    @property
    def model_exports(self) -> list[str]:
        """model_names as `__all__` lists them."""
        return export_order(self.model_names)

    @property
    def public_names(self) -> list[str]:
        api = [
            "ABSENT",
            "Absent",
            "DecodeError",
            "Dispatcher",
            "decode",
            "decode_value",
        ]
        return export_order({*self.model_names, *api, "encode", "encode_json", "wire"})

    @property
    def records(self) -> list[RecordModel]:
        return [d for d in self.definitions if isinstance(d, RecordModel)]

    @property
    def unions(self) -> list[UnionModel]:
        return [d for d in self.definitions if isinstance(d, UnionModel)]

    @property
    def object_unions(self) -> list[ObjectUnionModel]:
        return [d for d in self.definitions if isinstance(d, ObjectUnionModel)]

    @property
    def tuple_kinds(self) -> list[TupleKindModel]:
        return [d for d in self.definitions if isinstance(d, TupleKindModel)]

    @property
    def tuple_unions(self) -> list[TupleUnionModel]:
        return [d for d in self.definitions if isinstance(d, TupleUnionModel)]

    @property
    def head_pattern(self) -> str | None:
        """The literal of the pattern that finds a tag's head, when a union's kinds are told by
        heads (schema.json gives it): only then does the runtime hold `tag_head`."""
        unions: list[ObjectUnionModel | TupleUnionModel] = [
            *self.object_unions,
            *self.tuple_unions,
        ]
        patterns = {u.head_pattern for u in unions if u.head_pattern}
        return literal(min(patterns)) if patterns else None

    @property
    def masks_segments(self) -> bool:
        """Whether a union's heads mask segments: only then does `tag_head` take them."""
        return self.segment_pattern is not None

    @property
    def segment_pattern(self) -> str | None:
        """The literal of the pattern splitting a tag's value into segments, when a union's
        heads mask some (schema.json gives it)."""
        patterns = {u.segment_pattern for u in self.object_unions if u.segment_pattern}
        return literal(min(patterns)) if patterns else None


def build_model(schema: dict[str, Any], set_name: str) -> PackageModel:
    defs: dict[str, Any] = schema.get("$defs", {})
    classes = _isinstance_types(defs)
    helpers = Helpers()
    definitions: list[
        RecordModel | UnionModel | ObjectUnionModel | TupleKindModel | TupleUnionModel
    ] = []
    wrappers = (
        {  # an externally tagged union's variant classes, rendered with the union
            member
            for definition in defs.values()
            if definition.get(UNION_KEYWORD) == UNION_KIND
            for member in union_members(definition)
        }
    )
    class_names = frozenset(defs) | {schema["title"]}
    object_unions: list[ObjectUnionModel] = []
    enums: list[EnumModel] = []
    tuple_unions: list[TupleUnionModel] = []
    for name, definition in defs.items():
        if definition.get(UNION_KEYWORD) == POSITIONAL_KIND:
            tuple_unions.append(_tuple_union(name, definition, defs))
        elif TUPLE_KIND_KEYWORD in definition:
            definitions.append(_tuple_kind(name, definition, classes, helpers))
        elif definition.get(UNION_KEYWORD) == UNION_KIND:
            definitions.append(_union(name, definition, defs, classes, helpers))
        elif definition.get(UNION_KEYWORD) == OUT_OF_BAND_KIND:
            object_unions.append(_out_of_band(name, definition, defs, classes))
        elif UNION_KEYWORD in definition:
            object_unions.append(_object_union(name, definition, defs, classes))
        elif ENUM_KEYWORD in definition:
            enums.append(
                EnumModel(
                    name,
                    docstring(definition["description"]),
                    enum_members(definition["enum"]),
                    is_int=definition["type"] == "integer",
                )
            )
        elif name not in wrappers and not definition.get(UNKNOWN_KEYWORD):
            definitions.append(_record(name, definition, classes, helpers, class_names))
    # A type alias is evaluated at import: it follows its members, inner unions first.
    definitions.extend(tuple_unions)
    definitions.extend(reversed(object_unions))
    top = {k: v for k, v in schema.items() if k not in ("$defs", "$schema", "title")}
    root_ref = from_schema(top, classes)
    root_is_class = "$ref" in schema
    root_name = schema["title"]
    root_annotation = root_name if root_is_class else root_ref.annotation
    out_of_band = defs.get(root_name, {}).get(UNION_KEYWORD) == OUT_OF_BAND_KIND
    decode_root = (
        f"_decode_{root_name}(data, kind)"
        if out_of_band
        else helpers.decode_expr(root_ref, "data")
    )
    if out_of_band:
        root_decoder = f"lambda data: {decode_root}"
    elif decode_root == f"_decode_{root_name}(data)":
        root_decoder = f"_decode_{root_name}"
    else:
        root_decoder = "_decode"
    encode_root = helpers.encode_expr(root_ref, "obj")
    encoded_in_place = next(
        (
            union
            for union in definitions  # the object unions are in it by now
            if union.name == root_name
            and isinstance(union, UnionModel | ObjectUnionModel)
            and not _referred_to(defs, root_name)
        ),
        None,
    )
    arrays = defs.get(root_name, {}).get(UNION_KEYWORD) == POSITIONAL_KIND
    if out_of_band:  # each kind has its own wire type
        raw = "str | bytes | bytearray | dict[str, Any]"
    elif arrays:  # arrays of kinds, told by a name at an index
        raw = "str | bytes | bytearray | list[Any]"
    elif root_is_class:
        raw = f"str | bytes | bytearray | wire.{root_name}Dict | dict[str, Any]"
    else:
        raw = "object"
    return PackageModel(
        set_name=set_name,
        root=root_name,
        root_annotation=root_annotation,
        root_is_class=root_is_class,
        raw_annotation=raw,
        definitions=definitions,
        decode_root=decode_root,
        root_decoder=root_decoder,
        encode_root=encode_root,
        encoded_in_place=encoded_in_place,
        encode_annotation=(
            "list[Any]"
            if arrays
            else "dict[str, Any]" if root_is_class and not out_of_band else "Any"
        ),
        decode_helpers=_decode_helpers(helpers),
        encode_helpers=_encode_helpers(helpers),
        dispatcher=(
            _kind_dispatcher(object_unions[0], root_name)
            if out_of_band
            else _dispatcher(defs, classes, root_name, top)
        ),
        class_names=_all_class_names(definitions) + [e.name for e in enums],
        out_of_band=out_of_band,
        enums=enums,
    )


def _referred_to(defs: dict[str, Any], name: str) -> bool:
    """Whether some def holds a `$ref` to def `name` (the root: a type that contains itself)."""
    stack: list[Any] = list(defs.values())
    while stack:
        fragment = stack.pop()
        if isinstance(fragment, dict):
            if ref_name(fragment) == name:
                return True
            stack.extend(fragment.values())
        elif isinstance(fragment, list):
            stack.extend(fragment)
    return False


def _all_class_names(
    definitions: list[
        RecordModel | UnionModel | ObjectUnionModel | TupleKindModel | TupleUnionModel
    ],
) -> list[str]:
    names: list[str] = []
    for definition in definitions:
        names.append(definition.name)
        if isinstance(definition, UnionModel):
            names.extend(definition.members)
        elif isinstance(definition, (ObjectUnionModel, TupleUnionModel)):
            names.append(definition.unknown)
    return names


def _isinstance_types(defs: dict[str, Any]) -> Classes:
    """For each def, the classes a Python value of it is an instance of (a union: its members,
    an inner union's members in their place)."""
    types: dict[str, tuple[str, ...]] = {}

    def classes_of(name: str) -> tuple[str, ...]:
        if name not in types:
            definition = defs[name]
            if definition.get(UNION_KEYWORD) == UNION_KIND:
                types[name] = tuple(union_members(definition))
            elif UNION_KEYWORD in definition:
                types[name] = tuple(
                    cls
                    for member in union_members(definition)
                    for cls in classes_of(member)
                )
            else:
                types[name] = (name,)
        return types[name]

    for name in defs:
        classes_of(name)
    return Classes(
        types,
        {
            name: EnumInfo(d["type"], d[ENUM_KEYWORD] == "closed")
            for name, d in defs.items()
            if ENUM_KEYWORD in d
        },
        frozenset(
            name
            for name, d in defs.items()
            if d.get(UNION_KEYWORD) == POSITIONAL_KIND or TUPLE_KIND_KEYWORD in d
        ),
    )


def _record(
    name: str,
    definition: dict[str, Any],
    classes: Classes,
    helpers: Helpers,
    class_names: frozenset[str],
) -> RecordModel:
    properties: dict[str, Any] = definition.get("properties", {})
    required = set(definition.get("required", ()))
    names = _field_names(definition, class_names)
    fields = []
    readers: list[PropertyModel] = []
    taken = set(names.values())
    for key, fragment in properties.items():
        python_name = names[key]
        if (
            "const" in fragment
        ):  # a kind's tag: known from the union that chose the kind
            value = _python_literal(fragment["const"])
            fields.append(
                FieldModel(
                    key=key,
                    name=python_name,
                    annotation=f"Literal[{value}]",
                    optional=False,
                    local="",
                    encode_expr=value,
                    tag=value,
                )
            )
            continue
        ref = from_schema(fragment, classes)
        # Pyright takes a name of capitals for a constant and rejects assigning it twice.
        local = python_name + ("_value" if python_name.isupper() else "_")
        optional = key not in required
        check, convert_lines = _decode_steps(helpers, ref, local, optional)
        found = reader(fragment, python_name, not optional, taken)
        if found is not None:
            readers.append(found)
        fields.append(
            FieldModel(
                key=key,
                name=python_name,
                annotation=_with_absent(ref) if optional else ref.annotation,
                optional=optional,
                local=local,
                encode_expr=helpers.encode_expr(ref, f"obj.{python_name}"),
                format_doc=field_doc(fragment, None if found is None else found.name),
                check=check,
                convert_lines=convert_lines,
                explain_entry=_explain_entry(helpers, ref, key, optional),
            )
        )
    return RecordModel(
        name, docstring(definition.get("description", name)), fields, properties=readers
    )


def _with_absent(ref: TypeRef) -> str:
    """`int | Absent`: the type of a field whose key may be absent; None stays last."""
    if ref.members and ref.members[-1].annotation == "None":
        others = [member.annotation for member in ref.members[:-1]]
        return " | ".join([*others, "Absent", "None"])
    return f"{ref.annotation} | Absent"


def _field_names(
    definition: dict[str, Any], class_names: frozenset[str]
) -> dict[str, str]:
    """Wire key -> attribute of an object def: the config's names, the others sanitised."""
    return field_names(
        list(definition.get("properties", {})),
        class_names,
        definition.get(FIELDS_KEYWORD, {}),
    )


def _decode_steps(
    helpers: Helpers, ref: TypeRef, local: str, optional: bool
) -> tuple[str | None, list[str]]:
    """How a record decoder takes the wire value in `local` (ABSENT when the key is absent).

    An inline test where the value is checked as it is (a string, a number, Any...); a statement
    decoding it in place where it becomes something else (a record, a list, a union), or both (an
    open enum: a string, then its member if it is one). A required key that is absent fails
    either way: ABSENT is no JSON value. The record's explain table then says what failed.
    """
    check = helpers.check_expr(ref, local)
    decoded = (
        helpers.decode_expr(ref, local)
        if check is None
        else helpers.checked_decode_expr(ref, local)
    )
    lines = [] if decoded is None else [f"{local} = {decoded}"]
    if optional:
        check = None if check is None else f"({local} is ABSENT or {check})"
        if lines:
            lines = [f"if {local} is not ABSENT:", f"    {lines[0]}"]
    return check, lines


def _explain_entry(helpers: Helpers, ref: TypeRef, key: str, optional: bool) -> str:
    """`Field("key", as_str, nullable=True)`: the field's decoder as a callable, and its flags."""
    nullable = is_nullable_pair(ref)
    decoder = helpers.decoder(not_none(ref) if nullable else ref)
    flags = (", optional=True" if optional else "") + (
        ", nullable=True" if nullable else ""
    )
    return f"Field({literal(key)}, {decoder}{flags})"


def _union(
    name: str,
    definition: dict[str, Any],
    defs: dict[str, Any],
    classes: Classes,
    helpers: Helpers,
) -> UnionModel:
    variants = []
    unknown = ""
    unknown_doc = ""
    for member_name in union_members(definition):
        member_def = defs[member_name]
        if member_def.get(UNKNOWN_KEYWORD):
            unknown, unknown_doc = member_name, docstring(member_def["description"])
            continue
        ((tag, payload),) = member_def["properties"].items()
        ref = from_schema(payload, classes)
        variants.append(
            VariantModel(
                tag=tag,
                class_name=member_name,
                doc=docstring(member_def["description"]),
                annotation=ref.annotation,
                decode_expr=helpers.decode_expr(ref, "value"),
                encode_expr=helpers.encode_expr(ref, "obj.value"),
            )
        )
    # The union's docstring follows its alias at module level.
    doc = docstring(definition["description"], indent=0)
    return UnionModel(name, doc, variants, unknown, unknown_doc)


def _object_union(
    name: str,
    definition: dict[str, Any],
    defs: dict[str, Any],
    classes: Classes,
) -> ObjectUnionModel:
    tag_key = definition.get(TAG_KEYWORD)
    tag_within = definition.get(TAG_IN_KEYWORD)
    kinds: list[KindModel] = []
    missing: KindModel | None = None
    unknown, unknown_doc = "", ""
    tag_types: set[type] = set()
    for index, member in enumerate(union_members(definition)):
        member_def = defs[member]
        if member_def.get(UNKNOWN_KEYWORD):
            unknown, unknown_doc = member, docstring(member_def["description"])
            continue
        selector = (
            definition[KEYS_KEYWORD][index]
            if tag_key is None
            else _tag_value(member, defs, definition)
        )
        types = classes[member]
        kind = KindModel(
            selector=_python_literal(selector),
            decoder=f"_decode_{member}",
            encoder=f"_encode_{member}",
            isinstance_test=classinfo(types),
        )
        if selector is None:
            missing = kind
        else:
            kinds.append(kind)
            tag_types.add(type(selector))
    return ObjectUnionModel(
        name=name,
        doc=docstring(
            f"{definition['description']} Told apart by {definition[EVIDENCE_KEYWORD]}.",
            indent=0,
        ),
        tag_key=None if tag_key is None else literal(tag_key),
        tag_within=None if tag_within is None else literal(tag_within),
        tag_name=(
            None
            if tag_key is None
            else literal(tag_key if tag_within is None else f"{tag_within}.{tag_key}")
        ),
        tag_type="int" if tag_types == {int} else "str",
        head_pattern=definition.get(BY_HEAD_KEYWORD),
        masked=tuple(definition.get(MASKED_KEYWORD, {}).get("masked", ())),
        segment_pattern=definition.get(MASKED_KEYWORD, {}).get("segment"),
        kinds=kinds,
        missing=missing,
        members=union_members(definition),
        unknown=unknown,
        unknown_doc=unknown_doc,
    )


def _tuple_kind(
    name: str, definition: dict[str, Any], classes: Classes, helpers: Helpers
) -> TupleKindModel:
    """A NamedTuple of the positions (`item_0`, ...); its name's position a Literal."""
    kind = definition[TUPLE_KIND_KEYWORD]
    given = definition.get(FIELDS_KEYWORD, {})
    positions = []
    for index, fragment in enumerate(definition["prefixItems"]):
        field_name = given.get(str(index), f"item_{index}")
        if "const" in fragment:  # the name: the union's decoder has read it already
            value = literal(fragment["const"])
            positions.append(
                PositionModel(
                    field_name, f"Literal[{value}]", value, f"obj.{field_name}"
                )
            )
            continue
        ref = from_schema(fragment, classes)
        positions.append(
            PositionModel(
                field_name,
                ref.annotation,
                f"as_at(data, {index}, {helpers.decoder(ref)})",
                helpers.encode_expr(ref, f"obj.{field_name}"),
            )
        )
    assert len(positions) == kind["length"]
    return TupleKindModel(name, docstring(definition["description"]), positions)


def _tuple_union(
    name: str, definition: dict[str, Any], defs: dict[str, Any]
) -> TupleUnionModel:
    kinds: list[tuple[str, str]] = []
    unknown, unknown_doc = "", ""
    for member in union_members(definition):
        member_def = defs[member]
        if member_def.get(UNKNOWN_KEYWORD):
            unknown, unknown_doc = member, docstring(member_def["description"])
            continue
        kind = member_def[TUPLE_KIND_KEYWORD]
        kinds.append((f"({kind['length']}, {_python_literal(kind['tag'])})", member))
    return TupleUnionModel(
        name=name,
        doc=docstring(
            f"{definition['description']} Told apart by {definition[EVIDENCE_KEYWORD]}.",
            indent=0,
        ),
        index=definition[TAG_AT_KEYWORD],
        head_pattern=definition.get(BY_HEAD_KEYWORD),
        kinds=kinds,
        members=union_members(definition),
        unknown=unknown,
        unknown_doc=unknown_doc,
    )


def _out_of_band(
    name: str,
    definition: dict[str, Any],
    defs: dict[str, Any],
    classes: Classes,
) -> ObjectUnionModel:
    """The root of messages whose kind is given beside them: a decoder per kind name."""
    kinds = []
    for kind, member in definition[KINDS_KEYWORD].items():
        types = classes[member]
        kinds.append(
            KindModel(
                selector=literal(kind),
                decoder=f"_decode_{member}",
                encoder=f"_encode_{member}",
                isinstance_test=classinfo(types),
                payload=member,
            )
        )
    members = union_members(definition)
    unknown = members[-1]
    return ObjectUnionModel(
        name=name,
        doc=docstring(definition["description"], indent=0),
        tag_key=None,
        tag_within=None,
        tag_name=None,
        tag_type="str",
        head_pattern=None,
        masked=(),
        segment_pattern=None,
        kinds=kinds,
        missing=None,
        members=members,
        unknown=unknown,
        unknown_doc=docstring(defs[unknown]["description"]),
        out_of_band=True,
    )


def _kind_dispatcher(root: ObjectUnionModel, root_name: str) -> DispatcherModel:
    """Routes by the kind given with each message: one handler per kind."""
    routes = []
    taken = set(DISPATCHER_METHODS)
    for kind in root.kinds:
        value = ast.literal_eval(kind.selector)
        method = "on_" + _method_words(value)
        while method in taken:
            method += "_kind"
        taken.add(method)
        routes.append(
            RouteModel(
                f"kind == {kind.selector} and isinstance(message, {kind.isinstance_test})",
                "_" + method,
                method,
                kind.payload,
                f"kind {ascii(value)}",  # as the docstring names it, quotes and all
                whole=True,
                handler_type=f"Callable[[{kind.payload}], None]",
            )
        )
    routes.append(RouteModel(f"isinstance(message, {root.unknown})", None))
    return DispatcherModel("message", routes, [root.unknown], by_kind=True)


def _python_literal(value: str | int | None) -> str:
    return literal(value) if isinstance(value, str) else repr(value)


def _tag_value(
    member: str, defs: dict[str, Any], union: dict[str, Any]
) -> str | int | None:
    """The tag value selecting a member of `union`: its const (or head, see
    thresholds.TAG_HEAD), or an inner union's (all its kinds share it); None for the kind
    without the tag."""
    definition = defs[member]
    if UNION_KEYWORD in definition:
        return _tag_value(union_members(definition)[0], defs, union)
    tag = tag_schema(union, definition, defs)
    const: str | int | None = tag.get("const", tag.get(HEAD_KEYWORD))
    return const


@dataclass(frozen=True)
class HelperModel:
    """A small codec function for a composite type (a union of kinds, a list of them).

    Each branch returns `expression` when `test` holds; `otherwise` is returned when none does,
    or, when it is None, a DecodeError saying `expected`.
    """

    name: str
    annotation: str
    branches: list[tuple[str, str]]
    otherwise: str | None
    expected: str


def _drain(
    table: dict[str, tuple[str, TypeRef]], build: Callable[[str, TypeRef], HelperModel]
) -> list[HelperModel]:
    """Build a helper per table entry; building one can register more (a union in a list)."""
    built: dict[str, HelperModel] = {}
    while len(built) < len(table):
        for annotation, (name, type_ref) in list(table.items()):
            if annotation not in built:
                built[annotation] = build(name, type_ref)
    return sorted(built.values(), key=lambda helper: helper.name)


def _decode_helpers(helpers: Helpers) -> list[HelperModel]:
    def build(name: str, ref: TypeRef) -> HelperModel:
        if ref.closed:
            body = helpers.decode_closed_enum_body(ref)
            return HelperModel(name, ref.annotation, body, None, ref.description)
        if ref.members or ref.positions:
            body = (
                helpers.decode_union_body(ref)
                if ref.members
                else helpers.decode_tuple_body(ref)
            )
            return HelperModel(name, ref.annotation, body, None, ref.description)
        return HelperModel(
            name, ref.annotation, [], helpers.decode_expr(ref, "value"), ref.description
        )

    return _drain(helpers.decoders, build)


def _encode_helpers(helpers: Helpers) -> list[HelperModel]:
    def build(name: str, ref: TypeRef) -> HelperModel:
        return HelperModel(
            name,
            ref.annotation,
            helpers.encode_union_body(ref),
            "value",
            ref.description,
        )

    return _drain(helpers.encoders, build)


def _dispatcher(
    defs: dict[str, Any],
    classes: Classes,
    root: str,
    top: dict[str, Any],
) -> DispatcherModel:
    """Routes to a handler per kind: of the first union the messages hold, of the items of a
    batch (messages that are arrays of a union), or, for messages of several JSON kinds
    (objects beside arrays), per JSON kind and the objects' kinds."""
    routes: list[RouteModel] = []
    unknowns: list[str] = []
    subject, union = "message", None
    items = top.get("items")
    batch = ref_name(items) if isinstance(items, dict) else None
    if batch is not None and UNION_KEYWORD not in defs[batch]:
        batch = None  # an array of one record: the message is the array
    message = batch or root  # what the handlers take as the message
    if batch is not None:
        union = batch
        _routes(defs, classes, union, "{}", [], routes, unknowns, naming=True)
    elif "$ref" in top:
        found = _find_dispatch_union(defs, root)
        if found is not None:
            subject, union = found
            _routes(
                defs,
                classes,
                union,
                "{}",
                [],
                routes,
                unknowns,
                naming=True,
                into_kinds=subject == "message",
            )
    else:
        for member in top.get("anyOf", []):
            name = ref_name(member)
            if name is not None and UNION_KEYWORD in defs[name]:
                start = len(routes)
                _routes(defs, classes, name, "{}", [], routes, unknowns, naming=True)
                for route in routes[start:]:  # the kinds are messages themselves
                    route.whole = UNION_KIND != defs[name].get(UNION_KEYWORD)
            elif name is not None:
                routes.append(_json_kind_route(f"{name}() as payload", name, name))
            elif member.get("type") == "array":
                annotation = from_schema(member, classes).annotation
                pattern = "tuple()" if "prefixItems" in member else "list()"
                routes.append(
                    _json_kind_route(f"{pattern} as payload", "array", annotation)
                )
    if not any(route.handler for route in routes):
        return DispatcherModel(
            "message", [RouteModel("_", "_on_message", "on_message", None)], []
        )
    taken = set(DISPATCHER_METHODS)
    for route in routes:
        if route.method is not None:
            if route.method in DISPATCHER_METHODS and str(route.payload).isidentifier():
                # A kind named like the dispatcher's own methods (JSON-RPC's `error`): its
                # class names it when that differs (`on_rpc_message_error`), else a suffix.
                route.method = "on_" + _method_words(str(route.payload))
            method = (
                route.method if route.method not in taken else route.method + "_variant"
            )
            number = 2
            while method in taken:
                method, number = f"{route.method}_variant_{number}", number + 1
            taken.add(method)
            route.method, route.handler = method, "_" + method
            # A kind of a union that is the message itself is all a handler needs.
            route.whole = route.holder is None and (
                route.whole
                or (
                    subject == "message"
                    and union is not None
                    and UNION_KIND != defs[union].get(UNION_KEYWORD)
                )
            )
            holder = route.holder or message
            arguments = route.payload if route.whole else f"{holder}, {route.payload}"
            route.handler_type = f"Callable[[{arguments}], None]"
    return DispatcherModel(subject, routes, unknowns, item=batch)


def _json_kind_route(pattern: str, name: str, annotation: str) -> RouteModel:
    """A handler for the messages of one JSON kind, when messages come as several."""
    method = "on_" + _method_words(name)
    return RouteModel(
        pattern, "_" + method, method, annotation, f"{name} messages", whole=True
    )


def _find_dispatch_union(defs: dict[str, Any], root: str) -> tuple[str, str] | None:
    """The first union reached from the root through required, non-null record fields (breadth first)."""
    queue = [(root, "message")]
    seen = {root}
    while queue:
        name, expr = queue.pop(0)
        definition = defs[name]
        if UNION_KEYWORD in definition:
            return expr, name
        names = _field_names(definition, frozenset(defs) | {root})
        for key in definition.get("required", ()):
            target_name = ref_name(definition["properties"][key])
            if target_name is not None:
                if target_name not in seen:
                    seen.add(target_name)
                    queue.append((target_name, f"{expr}.{names[key]}"))
    return None


def _routes(
    defs: dict[str, Any],
    classes: Classes,
    union: str,
    outer: str,
    tags: list[str],
    routes: list[RouteModel],
    unknowns: list[str],
    *,
    naming: bool,
    into_kinds: bool = False,
    holder: str | None = None,
    seen: frozenset[str] = frozenset(),
) -> None:
    """Cases for every leaf and unknown below `union`; `outer` wraps a pattern in the enclosing ones.

    `naming` stays true while the levels above had one variant only: their tags are left out of
    handler names (`server_message` in `on_position_created`). Kinds of an object union are
    classes themselves: their pattern is the class, an inner union's kinds sit in its place.
    `into_kinds` (the message is the union): a kind that holds a union of its own (a webhook's
    `event_callback` holding the event, told by its `type`) is routed by that union's kinds too,
    `on_event_callback_message(message: EventCallback, payload: Message)`; `holder` is that kind.
    The kind without the tag adds no words to the names of the kinds below it (_lacks_tag).
    """
    seen = seen | {union}
    definition = defs[union]
    members = union_members(definition)
    variants = [m for m in members if not defs[m].get(UNKNOWN_KEYWORD)]
    single = len(variants) == 1 and naming
    externally_tagged = definition.get(UNION_KEYWORD) == UNION_KIND
    for member in members:
        member_def = defs[member]
        if member_def.get(UNKNOWN_KEYWORD):
            unknown_pattern = outer.format(f"{member}() as unknown")
            routes.append(RouteModel(unknown_pattern, None, nested=outer != "{}"))
            if member not in unknowns:  # one union can sit under several tags
                unknowns.append(member)
            continue
        if externally_tagged:
            ((tag, payload),) = member_def["properties"].items()
            inner, inner_outer = ref_name(payload), outer.format(f"{member}({{}})")
            pattern = f"{member}(payload)"
        else:
            tag, payload = _kind_tag(definition, member, defs), ref(member)
            inner, inner_outer = member, outer
            pattern = f"{member}() as payload"
        path = tags if single else tags + [tag]
        # The kind without the tag adds no words to the names of the kinds it holds.
        inner_path = tags if _lacks_tag(definition, member, defs) else path
        if inner is not None and UNION_KEYWORD in defs[inner]:
            _routes(
                defs,
                classes,
                inner,
                inner_outer,
                inner_path,
                routes,
                unknowns,
                naming=single,
                into_kinds=into_kinds,
                holder=holder,
                seen=seen,
            )
            continue
        held = (
            _held_union(defs, member)
            if into_kinds and not externally_tagged and holder is None
            else None
        )
        if held is not None and held[1] not in seen:
            steps, held_union = held
            _routes(
                defs,
                classes,
                held_union,
                outer.format(steps),
                inner_path,
                routes,
                unknowns,
                naming=False,
                into_kinds=into_kinds,
                holder=member,
                seen=seen,
            )
            continue
        method = "on_" + "_".join(_method_words(t) for t in path or [tag])
        payload_ref = from_schema(payload, classes)
        routes.append(
            RouteModel(
                outer.format(pattern),
                "_" + method,
                method,
                payload_ref.annotation,
                ".".join(tags + [tag]),
                nested=outer != "{}",
                holder=holder,
            )
        )


def _held_union(defs: dict[str, Any], kind: str) -> tuple[str, str] | None:
    """The union a kind's record holds in a required, non-null field, directly or through
    records (breadth first), as (the class pattern reaching it, with `{}` in its place, the
    union's def name); None when it holds none."""
    queue: list[tuple[str, str]] = [(kind, "{}")]
    visited = {kind}
    while queue:
        name, pattern = queue.pop(0)
        definition = defs[name]
        names = _field_names(definition, frozenset(defs))
        for key in definition.get("required", ()):
            target = ref_name(definition["properties"][key])
            if target is None or target in visited:
                continue
            visited.add(target)
            step = pattern.format(f"{name}({names[key]}={{}})")
            if UNION_KEYWORD in defs[target]:
                return step, target
            queue.append((target, step))
    return None


def _lacks_tag(definition: dict[str, Any], member: str, defs: dict[str, Any]) -> bool:
    """The member is its union's kind without the tag: the kinds of a union it holds are named by
    their own tags alone (`on_books`, not `on_without_event_books`: data pushes beside tagged
    control messages)."""
    tag_key = definition.get(TAG_KEYWORD)
    return tag_key is not None and _tag_value(member, defs, definition) is None


def _kind_tag(definition: dict[str, Any], member: str, defs: dict[str, Any]) -> str:
    """The words a kind adds to handler names: its tag value, or the key that tells it."""
    tag_key = definition.get(TAG_KEYWORD)
    if definition.get(UNION_KEYWORD) == POSITIONAL_KIND:
        return _tuple_kind_words(definition, member, defs)
    if tag_key is None:
        return str(definition[KEYS_KEYWORD][union_members(definition).index(member)])
    tag = _tag_value(member, defs, definition)
    if tag is not None:
        return str(tag)
    named_by = defs[member].get(NAMED_BY_KEYWORD)
    return str(*named_by.values()) if named_by else f"without_{tag_key}"


def _tuple_kind_words(
    definition: dict[str, Any], member: str, defs: dict[str, Any]
) -> str:
    """A tuple kind's name (`untagged` for the kind without one), with its length when the
    name comes with several (`book_4_items`), as naming.py names the class."""
    kind = defs[member][TUPLE_KIND_KEYWORD]
    if kind["tag"] is None:
        words = "untagged"
    else:
        words = str(kind["tag"])
    same = [
        defs[other][TUPLE_KIND_KEYWORD]
        for other in union_members(definition)
        if TUPLE_KIND_KEYWORD in defs[other]
        and defs[other][TUPLE_KIND_KEYWORD]["tag"] == kind["tag"]
    ]
    return f"{words}_{kind['length']}_items" if len(same) > 1 else words


def _method_words(tag: str) -> str:
    """`l2update` -> l2update, `allMids` -> all_mids, `subscribed/order_book` ->
    subscribed_order_book, `candle1D` -> candle1d (an interval, not two words), `book5Levels` ->
    book5_levels."""
    snake = re.sub(r"(?<=[a-z])(?=[A-Z])|(?<=[0-9])(?=[A-Z][a-z])", "_", tag)
    return re.sub(r"[^0-9a-z]+", "_", snake.lower()).strip("_") or "variant"
