"""Type references read from schema fragments, and the Python each one needs in the codec.

A `TypeRef` knows its annotation, how to decode a JSON value held in a local name, how to encode a
Python value, and how to test a JSON value's kind when it is one member of a union. Composite
decoders that a list or union needs as a callable become small named helper functions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from codegen.schema import ref_name

_SCALARS = {
    # JSON Schema type -> (annotation, runtime checker, kind test on `{v}`, what errors call it);
    # null only ever appears as a union member, after its kind test: its value is simply None.
    "string": ("str", "as_str", "type({v}) is str", "string"),
    "integer": ("int", "as_int", "type({v}) is int", "integer"),
    "number": ("float", "as_float", "type({v}) is float or type({v}) is int", "number"),
    "boolean": ("bool", "as_bool", "type({v}) is bool", "boolean"),
    "null": ("None", None, "{v} is None", "null"),
}
# Inline tests of a record decoder's fast path: the kind test; for numbers also a range, which
# NaN and the infinities fail, and so do floats beyond +-2**63, which the checker takes only once
# it knows they were no integers (the runtime's BigFloat). What fails goes to the checker.
_INLINE_CHECKS = {
    "as_str": "type({v}) is str",
    "as_int": "type({v}) is int",
    "as_float": "(type({v}) is int or (type({v}) is float and -(2.0**63) < {v} < 2.0**63))",
    "as_bool": "type({v}) is bool",
    "as_any": "({v} is None or type({v}) is str or is_json({v}))",
    "as_json_object": "is_json_object({v})",
}


@dataclass(frozen=True)
class TypeRef:
    annotation: str
    kind_test: (
        str  # a format string over `{v}`: is this JSON value of this member's kind?
    )
    description: str  # for error messages: "string", "object", ...
    checker: str | None = None  # a callable that decodes: as_str, _decode_BidAsk ...
    encoder: str | None = (
        None  # a callable that encodes; None: the value is its own JSON
    )
    members: tuple[TypeRef, ...] = ()  # for unions
    item: TypeRef | None = None  # for lists
    value: TypeRef | None = None  # for maps
    python_types: tuple[
        str, ...
    ] = ()  # classes an isinstance() test on the Python value uses
    lookup: str | None = (
        None  # a table from wire value to Python value (an enum's members)
    )
    positions: tuple[TypeRef, ...] = ()  # for tuples
    closed: bool = False  # an enum whose other values are a DecodeError


# Any and dict[str, Any] positions still check their values are JSON (no inf, no non-string key):
# parsed input handed to decode_value may hold them, and encode must never write what is not JSON.
ANY = TypeRef("Any", "True", "any value", checker="as_any")
ANY_OBJECT = TypeRef(
    "dict[str, Any]", "isinstance({v}, dict)", "object", checker="as_json_object"
)


def scalar(json_type: str) -> TypeRef:
    annotation, checker, test, description = _SCALARS[json_type]
    return TypeRef(annotation, test, description, checker=checker)


def class_ref(name: str, python_types: tuple[str, ...]) -> TypeRef:
    return TypeRef(
        name,
        "isinstance({v}, dict)",
        "object",
        checker=f"_decode_{name}",
        encoder=f"_encode_{name}",
        python_types=python_types,
    )


def enum_ref(name: str, enum: EnumInfo) -> TypeRef:
    """An enum: a string (or int) its table knows (`_Side_VALUES`), decoded by lookup. Open, it
    is a union's member beside plain strings; closed, any other value is a DecodeError.
    """
    python_type = "str" if enum.json_type == "string" else "int"
    return TypeRef(
        name,
        f"type({{v}}) is {python_type} and {{v}} in _{name}_VALUES",
        f"one of the {name} values" if enum.closed else enum.json_type,
        lookup=f"_{name}_VALUES",
        python_types=(name,),
        closed=enum.closed,
    )


def list_ref(item: TypeRef) -> TypeRef:
    return TypeRef(
        f"list[{item.annotation}]",
        "isinstance({v}, list)",
        "array",
        item=item,
        python_types=("list",),
    )


def tuple_ref(positions: list[TypeRef]) -> TypeRef:
    length = len(positions)
    return TypeRef(
        f"tuple[{', '.join(p.annotation for p in positions)}]",
        f"isinstance({{v}}, list) and len({{v}}) == {length}",
        f"array of {length} items",
        positions=tuple(positions),
        python_types=("tuple",),
    )


def map_ref(value: TypeRef) -> TypeRef:
    return TypeRef(
        f"dict[str, {value.annotation}]",
        "isinstance({v}, dict)",
        "object",
        value=value,
        python_types=("dict",),
    )


def union_ref(members: list[TypeRef]) -> TypeRef:
    if len(members) == 1:
        return members[0]
    description = " or ".join(dict.fromkeys(m.description for m in members))
    return TypeRef(
        " | ".join(m.annotation for m in members),
        " or ".join(f"({m.kind_test})" for m in members),
        description,
        members=tuple(members),
    )


@dataclass
class Helpers:
    """Named helper functions for composite types, one per distinct annotation."""

    decoders: dict[str, tuple[str, TypeRef]] = field(
        default_factory=dict
    )  # annotation -> (name, type)
    encoders: dict[str, tuple[str, TypeRef]] = field(default_factory=dict)

    def decoder(self, ref: TypeRef) -> str:
        """A callable name decoding `ref`; registers a helper for composites."""
        if ref.checker is not None:
            return ref.checker
        return self._register(self.decoders, "_decode_", ref)

    def encoder(self, ref: TypeRef) -> str:
        return self._register(self.encoders, "_encode_", ref)

    @staticmethod
    def _register(
        table: dict[str, tuple[str, TypeRef]], prefix: str, ref: TypeRef
    ) -> str:
        known = table.get(ref.annotation)
        if known is not None:
            return known[0]
        base = prefix + _mangle(ref.annotation)
        name, number = base, 2
        while any(name == other for other, _ in table.values()):
            name, number = f"{base}_{number}", number + 1
        table[ref.annotation] = (name, ref)
        return name

    # Decoding -----------------------------------------------------------------------------

    def decode_expr(self, ref: TypeRef, name: str) -> str:
        """An expression decoding the JSON value held in local `name` (evaluated maybe twice)."""
        if ref.annotation == "None":
            return "None"
        if ref.closed:
            return f"{self.decoder(ref)}({name})"
        if ref.lookup is not None:
            return f"{ref.lookup}[{name}]"
        if ref.positions:
            return f"{self.decoder(ref)}({name})"
        if ref.item is not None:
            return f"as_list({name}, {self.decoder(ref.item)})"
        if ref.value is not None:
            return f"as_map({name}, {self.decoder(ref.value)})"
        if ref.members:
            if is_nullable_pair(ref):
                inner = not_none(ref)
                return f"None if {name} is None else {self.decode_expr(inner, name)}"
            return f"{self.decoder(ref)}({name})"
        return f"{ref.checker}({name})"

    def check_expr(self, ref: TypeRef, name: str) -> str | None:
        """A test that the JSON value in local `name` is a valid `ref` and decodes to itself.

        None when decoding makes something new of it (a record, a list, an enum member...).
        The test accepts nothing the checker (`as_float`, ...) refuses.
        """
        if is_nullable_pair(ref):
            inner = self.check_expr(not_none(ref), name)
            return None if inner is None else f"({name} is None or {inner})"
        if open_enum(ref) is not None:
            return _INLINE_CHECKS["as_str"].format(v=name)
        if ref.checker is None or ref.checker not in _INLINE_CHECKS:
            return None
        return _INLINE_CHECKS[ref.checker].format(v=name)

    def checked_decode_expr(self, ref: TypeRef, name: str) -> str | None:
        """What a value that passed check_expr decodes to, when not to itself: an open enum's
        string to its member if it is one (`_Side_VALUES.get(side_, side_)`)."""
        enum = open_enum(ref)
        return None if enum is None else f"{enum.lookup}.get({name}, {name})"

    def decode_tuple_body(self, ref: TypeRef) -> list[tuple[str, str]]:
        """The one (length test, tuple expression) pair of a tuple helper over `value`."""
        items = ", ".join(
            f"as_at(value, {index}, {self.decoder(p)})"
            for index, p in enumerate(ref.positions)
        )
        return [(ref.kind_test.format(v="value"), f"({items},)")]

    def decode_closed_enum_body(self, ref: TypeRef) -> list[tuple[str, str]]:
        """The one (membership test, member) pair of a closed enum's helper over `value`."""
        return [(ref.kind_test.format(v="value"), f"{ref.lookup}[value]")]

    def decode_union_body(self, ref: TypeRef) -> list[tuple[str, str]]:
        """(kind test, return expression) pairs for a union helper over `value`."""
        return [
            (m.kind_test.format(v="value"), self.decode_expr(m, "value"))
            for m in ref.members
        ]

    # Encoding -----------------------------------------------------------------------------

    def needs_encoding(self, ref: TypeRef) -> bool:
        if (
            ref.encoder is not None
            or ref.item is not None
            or ref.value is not None
            or ref.positions  # a tuple goes back to the wire as a list
        ):
            return True
        return any(self.needs_encoding(m) for m in ref.members)

    def encode_expr(self, ref: TypeRef, expr: str) -> str:
        """An expression turning the Python value `expr` (a name or attribute) into JSON."""
        if not self.needs_encoding(ref):
            return expr
        if ref.encoder is not None:
            return f"{ref.encoder}({expr})"
        if ref.positions:
            if not any(self.needs_encoding(p) for p in ref.positions):
                return f"list({expr})"
            items = ", ".join(
                self.encode_expr(p, f"{expr}[{index}]")
                for index, p in enumerate(ref.positions)
            )
            return f"[{items}]"
        if ref.item is not None:
            if not self.needs_encoding(ref.item):
                return f"list({expr})"
            return f"[{self.encode_expr(ref.item, 'item')} for item in {expr}]"
        if ref.value is not None:
            if not self.needs_encoding(ref.value):
                return f"dict({expr})"
            return f"{{key: {self.encode_expr(ref.value, 'item')} for key, item in {expr}.items()}}"
        if is_nullable_pair(ref):
            inner = not_none(ref)
            return f"None if {expr} is None else {self.encode_expr(inner, expr)}"
        return f"{self.encoder(ref)}({expr})"

    def encode_union_body(self, ref: TypeRef) -> list[tuple[str, str]]:
        """(isinstance test, return expression) pairs for the members that need encoding."""
        body = []
        for member in ref.members:
            if self.needs_encoding(member):
                types = member.python_types
                body.append(
                    (
                        f"isinstance(value, {classinfo(types)})",
                        self.encode_expr(member, "value"),
                    )
                )
        return body


def classinfo(types: tuple[str, ...]) -> str:
    """What isinstance() takes for these classes: the class, or a tuple of them."""
    return types[0] if len(types) == 1 else "(" + ", ".join(types) + ")"


def is_nullable_pair(ref: TypeRef) -> bool:
    """`X | None`: the one union decoded inline, reading its input twice."""
    return len(ref.members) == 2 and any(m.annotation == "None" for m in ref.members)


def open_enum(ref: TypeRef) -> TypeRef | None:
    """The enum of `Side | str` (an open enum: a member if the string is one, else the string)."""
    if len(ref.members) != 2 or not any(m.annotation == "str" for m in ref.members):
        return None
    return next((m for m in ref.members if m.lookup is not None), None)


def not_none(ref: TypeRef) -> TypeRef:
    """The member of a nullable pair that is not None."""
    return next(m for m in ref.members if m.annotation != "None")


def _mangle(annotation: str) -> str:
    text = annotation.replace(" | ", "_or_").replace("[", "_of_").replace(", ", "_")
    return re.sub(r"[^0-9A-Za-z_]", "", text)


@dataclass(frozen=True)
class EnumInfo:
    json_type: str  # "string" or "integer"
    closed: bool


class Classes(dict[str, tuple[str, ...]]):
    """Def name -> the classes an isinstance() test on its values uses; `enums`: the enums;
    `arrays`: the defs whose wire values are arrays (tuple kinds and their unions)."""

    def __init__(
        self,
        types: dict[str, tuple[str, ...]],
        enums: dict[str, EnumInfo],
        arrays: frozenset[str] = frozenset(),
    ) -> None:
        super().__init__(types)
        self.enums = enums
        self.arrays = arrays


def from_schema(fragment: dict[str, Any], classes: Classes) -> TypeRef:
    """The type a schema fragment describes."""
    name = ref_name(fragment)
    if name is not None and name in classes.enums:
        return enum_ref(name, classes.enums[name])
    if name is not None and name in classes.arrays:
        return TypeRef(
            name,
            "isinstance({v}, list)",
            "array",
            checker=f"_decode_{name}",
            encoder=f"_encode_{name}",
            python_types=classes[name],
        )
    if name is not None:
        return class_ref(name, classes[name])
    if "anyOf" in fragment:
        members: list[TypeRef] = []
        for member in fragment["anyOf"]:
            ref = from_schema(member, classes)
            members.extend(ref.members or (ref,))
        return union_ref(_nulls_last(members))
    json_type = fragment.get("type")
    if json_type is None:
        return ANY
    if isinstance(json_type, list):
        return union_ref(
            _nulls_last(
                [from_schema({**fragment, "type": t}, classes) for t in json_type]
            )
        )
    if json_type == "array" and "prefixItems" in fragment:
        return tuple_ref([from_schema(p, classes) for p in fragment["prefixItems"]])
    if json_type == "array":
        items = fragment.get("items")
        return list_ref(ANY if items is None else from_schema(items, classes))
    if json_type == "object":
        values = fragment.get("additionalProperties")
        if isinstance(values, dict) and values:
            return map_ref(from_schema(values, classes))
        return ANY_OBJECT
    return scalar(json_type)


def _nulls_last(members: list[TypeRef]) -> list[TypeRef]:
    return [m for m in members if m.annotation != "None"] + [
        m for m in members if m.annotation == "None"
    ]
