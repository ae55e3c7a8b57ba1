"""The render model: everything the templates print, computed from schema.json.

Templates only loop and print; every decision (names, expressions, statement lines, dispatch
patterns) is made here, from the schema and its `x-codegen-*` annotations alone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from codegen.render.identifiers import docstring, field_names, literal
from codegen.render.types import Helpers, TypeRef, from_schema, is_nullable_pair
from codegen.schema import UNION_KEYWORD, UNKNOWN_KEYWORD, ref_name, union_members
from codegen.words import words


@dataclass
class FieldModel:
    key: str
    name: str
    annotation: str
    optional: bool
    decode_lines: list[str]  # statements that leave the decoded value in `local`
    local: str
    encode_expr: str  # of `obj.<name>`

    @property
    def key_literal(self) -> str:
        return literal(self.key)


@dataclass
class RecordModel:
    name: str
    doc: str
    fields: list[FieldModel]
    is_union: bool = False

    @property
    def all_required(self) -> bool:
        return not any(f.optional for f in self.fields)

    @property
    def keys_tuple(self) -> str:
        return "(" + "".join(f"{f.key_literal}, " for f in self.fields) + ")"

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
    is_union: bool = True

    @property
    def members(self) -> list[str]:
        return [v.class_name for v in self.variants] + [self.unknown]


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

    @property
    def doc(self) -> str:
        return docstring(
            f"Handle `{self.tag_path}`: called with the message and its payload."
        )


# The Dispatcher's own methods: a variant tagged `error` gets `on_error_variant`, not these.
DISPATCHER_METHODS = ("dispatch", "on_error", "on_unhandled", "on_unknown")


@dataclass
class DispatcherModel:
    subject: str  # expression of the decoded message that the cases match on
    routes: list[RouteModel]
    unknowns: list[str]  # unknown-variant classes the unknown handler may receive

    @property
    def leaves(self) -> list[RouteModel]:
        return [r for r in self.routes if r.handler is not None]

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
    definitions: list[RecordModel | UnionModel]
    decode_root: str  # expression decoding the parsed JSON in `data`
    encode_root: str  # expression encoding `obj`
    encode_annotation: str
    decode_helpers: list[HelperModel]
    encode_helpers: list[HelperModel]
    dispatcher: DispatcherModel
    class_names: list[str] = field(default_factory=list)

    @property
    def public_names(self) -> list[str]:
        names = set(self.class_names) | {
            self.root,
            "ABSENT",
            "Absent",
            "DecodeError",
            "Dispatcher",
        }
        return sorted(names) + ["decode", "decode_value", "encode", "wire"]

    @property
    def records(self) -> list[RecordModel]:
        return [d for d in self.definitions if isinstance(d, RecordModel)]

    @property
    def unions(self) -> list[UnionModel]:
        return [d for d in self.definitions if isinstance(d, UnionModel)]


def build_model(schema: dict[str, Any], set_name: str) -> PackageModel:
    defs: dict[str, Any] = schema.get("$defs", {})
    classes = _isinstance_types(defs)
    helpers = Helpers()
    definitions: list[RecordModel | UnionModel] = []
    variant_defs = {
        member
        for definition in defs.values()
        if UNION_KEYWORD in definition
        for member in union_members(definition)
    }
    class_names = frozenset(defs) | {schema["title"]}
    for name, definition in defs.items():
        if UNION_KEYWORD in definition:
            definitions.append(_union(name, definition, defs, classes, helpers))
        elif name not in variant_defs:
            definitions.append(_record(name, definition, classes, helpers, class_names))
    root_ref = from_schema(
        {k: v for k, v in schema.items() if k not in ("$defs", "$schema", "title")},
        classes,
    )
    root_is_class = "$ref" in schema
    root_name = schema["title"]
    root_annotation = root_name if root_is_class else root_ref.annotation
    decode_root = helpers.decode_expr(root_ref, "data")
    encode_root = helpers.encode_expr(root_ref, "obj")
    raw = (
        f"str | bytes | bytearray | wire.{root_name}Dict | dict[str, Any]"
        if root_is_class
        else "object"
    )
    return PackageModel(
        set_name=set_name,
        root=root_name,
        root_annotation=root_annotation,
        root_is_class=root_is_class,
        raw_annotation=raw,
        definitions=definitions,
        decode_root=decode_root,
        encode_root=encode_root,
        encode_annotation="dict[str, Any]" if root_is_class else "Any",
        decode_helpers=_decode_helpers(helpers),
        encode_helpers=_encode_helpers(helpers),
        dispatcher=_dispatcher(defs, classes, root_name, root_is_class),
        class_names=sorted(_all_class_names(definitions)),
    )


def _all_class_names(definitions: list[RecordModel | UnionModel]) -> list[str]:
    names: list[str] = []
    for definition in definitions:
        names.append(definition.name)
        if isinstance(definition, UnionModel):
            names.extend(definition.members)
    return names


def _isinstance_types(defs: dict[str, Any]) -> dict[str, tuple[str, ...]]:
    """For each def, the classes a Python value of it is an instance of (a union: its members)."""
    types: dict[str, tuple[str, ...]] = {}
    for name, definition in defs.items():
        if UNION_KEYWORD in definition:
            types[name] = tuple(union_members(definition))
        else:
            types[name] = (name,)
    return types


def _record(
    name: str,
    definition: dict[str, Any],
    classes: dict[str, tuple[str, ...]],
    helpers: Helpers,
    class_names: frozenset[str],
) -> RecordModel:
    properties: dict[str, Any] = definition.get("properties", {})
    required = set(definition.get("required", ()))
    names = field_names(list(properties), class_names)
    fields = []
    for key, fragment in properties.items():
        ref = from_schema(fragment, classes)
        python_name = names[key]
        local = python_name + "_"
        optional = key not in required
        fields.append(
            FieldModel(
                key=key,
                name=python_name,
                annotation=ref.annotation + (" | Absent" if optional else ""),
                optional=optional,
                decode_lines=_decode_lines(helpers, ref, key, local, optional),
                local=local,
                encode_expr=helpers.encode_expr(ref, f"obj.{python_name}"),
            )
        )
    return RecordModel(name, docstring(definition.get("description", name)), fields)


def _decode_lines(
    helpers: Helpers, ref: TypeRef, key: str, local: str, optional: bool
) -> list[str]:
    """Statements leaving the decoded value of `key` (from `obj`) in `local`."""
    key_literal = literal(key)
    if optional:
        lines = [f"{local} = obj.get({key_literal}, ABSENT)"]
        if not ref.is_identity:
            lines += [
                f"if {local} is not ABSENT:",
                f"    {local} = {helpers.decode_expr(ref, local)}",
            ]
        return lines
    if ref.is_identity:
        return [f"{local} = obj[{key_literal}]"]
    if not is_nullable_pair(ref):  # every other decode expression reads its input once
        return [f"{local} = {helpers.decode_expr(ref, f'obj[{key_literal}]')}"]
    return [
        f"{local} = obj[{key_literal}]",
        f"{local} = {helpers.decode_expr(ref, local)}",
    ]


def _union(
    name: str,
    definition: dict[str, Any],
    defs: dict[str, Any],
    classes: dict[str, tuple[str, ...]],
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
    return UnionModel(
        name, docstring(definition["description"]), variants, unknown, unknown_doc
    )


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
        for annotation, (name, ref) in list(table.items()):
            if annotation not in built:
                built[annotation] = build(name, ref)
    return sorted(built.values(), key=lambda helper: helper.name)


def _decode_helpers(helpers: Helpers) -> list[HelperModel]:
    def build(name: str, ref: TypeRef) -> HelperModel:
        if ref.members:
            return HelperModel(
                name,
                ref.annotation,
                helpers.decode_union_body(ref),
                None,
                ref.description,
            )
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
    classes: dict[str, tuple[str, ...]],
    root: str,
    root_is_class: bool,
) -> DispatcherModel:
    found = _find_dispatch_union(defs, root) if root_is_class else None
    if found is None:
        return DispatcherModel(
            "message", [RouteModel("_", "_on_message", "on_message", None)], []
        )
    subject, union = found
    routes: list[RouteModel] = []
    unknowns: list[str] = []
    _routes(defs, classes, union, "{}", [], routes, unknowns, naming=True)
    taken = set(DISPATCHER_METHODS)
    for route in routes:
        if route.method is not None:
            method = (
                route.method if route.method not in taken else route.method + "_variant"
            )
            number = 2
            while method in taken:
                method, number = f"{route.method}_variant_{number}", number + 1
            taken.add(method)
            route.method, route.handler = method, "_" + method
    return DispatcherModel(subject, routes, unknowns)


def _find_dispatch_union(defs: dict[str, Any], root: str) -> tuple[str, str] | None:
    """The first union reached from the root through required, non-null record fields (breadth first)."""
    queue = [(root, "message")]
    seen = {root}
    while queue:
        name, expr = queue.pop(0)
        definition = defs[name]
        if UNION_KEYWORD in definition:
            return expr, name
        names = field_names(
            list(definition.get("properties", {})), frozenset(defs) | {root}
        )
        for key in definition.get("required", ()):
            target_name = ref_name(definition["properties"][key])
            if target_name is not None:
                if target_name not in seen:
                    seen.add(target_name)
                    queue.append((target_name, f"{expr}.{names[key]}"))
    return None


def _routes(
    defs: dict[str, Any],
    classes: dict[str, tuple[str, ...]],
    union: str,
    outer: str,
    tags: list[str],
    routes: list[RouteModel],
    unknowns: list[str],
    *,
    naming: bool,
) -> None:
    """Cases for every leaf and unknown below `union`; `outer` wraps a pattern in the enclosing ones.

    `naming` stays true while the levels above had one variant only: their tags are left out of
    handler names (`server_message` in `on_position_created`).
    """
    definition = defs[union]
    members = union_members(definition)
    variants = [m for m in members if not defs[m].get(UNKNOWN_KEYWORD)]
    single = len(variants) == 1 and naming
    for member in members:
        member_def = defs[member]
        if member_def.get(UNKNOWN_KEYWORD):
            routes.append(RouteModel(outer.format(f"{member}() as unknown"), None))
            if member not in unknowns:  # one union can sit under several tags
                unknowns.append(member)
            continue
        ((tag, payload),) = member_def["properties"].items()
        path = tags if single else tags + [tag]
        target = ref_name(payload)
        if target and UNION_KEYWORD in defs.get(target, {}):
            _routes(
                defs,
                classes,
                target,
                outer.format(f"{member}({{}})"),
                path,
                routes,
                unknowns,
                naming=single,
            )
            continue
        method = "on_" + "_".join(_method_words(t) for t in path or [tag])
        payload_ref = from_schema(payload, classes)
        routes.append(
            RouteModel(
                outer.format(f"{member}(payload)"),
                "_" + method,
                method,
                payload_ref.annotation,
                ".".join(tags + [tag]),
            )
        )


def _method_words(tag: str) -> str:
    return "_".join(words(tag)) or "variant"
