"""The contract between inference and rendering: a JSON Schema (2020-12) document.

Every named type is a `$defs` entry whose key is its class name. What JSON Schema cannot say and
the codec needs is in `x-codegen-*` keywords, which validators ignore:
- `x-codegen-union: "externally-tagged"` on a union of `{tag: payload}` variants (`anyOf`);
- `x-codegen-union: "internally-tagged"` on a union of objects told apart by the value of the key
  in `x-codegen-tag` (`oneOf`; each member's tag property is a `const`), or `"keyed"` on one told
  apart by which of the keys in `x-codegen-keys` is present (`oneOf`, members in that order);
  `x-codegen-evidence` says why inference found it (or that the config set it);
- `x-codegen-union: "out-of-band"` on a root whose kind is said outside the message (a folder of
  samples per kind, like a webhook's event header): `x-codegen-kinds` maps each kind to its def;
- `x-codegen-unknown-variant: true` on the member that holds variants not seen yet;
- a tuple is `prefixItems` with `minItems` = `maxItems` = its length;
- `x-codegen-union: "positional"` on a union of tuples told apart by their length and the name at
  the index in `x-codegen-tag-at` (from the end when negative; `oneOf`); each kind's def has
  `x-codegen-tuple-kind`: its name (null: no string there), length and the name's index;
- `x-codegen-enum: "open"` on an enum def (`enum`: the strings or ints seen); a position holding
  it is `anyOf` the enum and `string` (or `integer`), since a value never seen decodes as it is;
  `"closed"` when the config makes any other value an error: the position is the enum alone;
- a format is `format` where JSON Schema names it (`uuid`, `date-time`, `date`), else
  `x-codegen-format` (`decimal`, `iso-date-time`, `epoch-milliseconds`...), beside the type it
  describes, with `x-codegen-evidence`; it describes the wire text, which decodes unchanged;
- `x-codegen-fields` on an object def: the attribute names the config gives some keys (on a
  tuple kind: some positions, by index);
- `x-codegen-place` on an object def: the place its name comes from (`$<push>.repository.owner`,
  a kind in <>). The next run reads it back from the package and keeps the name for the record
  at that place (see `kept_names`); every named def has `x-codegen-example`: the first sample
  that showed it (file:line:column and JSON path).
- `x-codegen-recursive` on a def whose objects nest inside each other (a tree, a thread, an AST):
  each position below where they are that def again (a `$ref` to it), with the evidence;
A key outside `required` may be absent; a `null` type means the key may hold null.
"""

from __future__ import annotations

from typing import Any

from codegen.infer import Inference, thresholds
from codegen.infer.ir import (
    Format,
    MapShape,
    ObjectShape,
    ObjectUnion,
    Shape,
    TaggedUnion,
    TagPath,
    TupleUnion,
    Values,
    tag_path,
)
from codegen.infer.looks import SCHEMA_FORMATS
from codegen.infer.naming import untagged_name

DIALECT = "https://json-schema.org/draft/2020-12/schema"
UNION_KEYWORD = "x-codegen-union"
UNION_KIND = "externally-tagged"
INTERNAL_KIND = "internally-tagged"
OUT_OF_BAND_KIND = "out-of-band"
KINDS_KEYWORD = "x-codegen-kinds"
KEYED_KIND = "keyed"
POSITIONAL_KIND = "positional"
TAG_AT_KEYWORD = "x-codegen-tag-at"
TUPLE_KIND_KEYWORD = "x-codegen-tuple-kind"
TAG_KEYWORD = "x-codegen-tag"
# On a union whose tag is a key of the object at another key (`arg.channel`): that other key.
TAG_IN_KEYWORD = "x-codegen-tag-in"
# On a union's kind without the tag: the key and the value that name it instead (`{"event":
# "heartbeat"}`: naming.untagged_name).
NAMED_BY_KEYWORD = "x-codegen-named-by"
# On a union: its kinds are the heads of the tag's values, found by this pattern (its value,
# thresholds.TAG_HEAD); on a kind's tag property: that kind's head, which its pattern matches.
BY_HEAD_KEYWORD = "x-codegen-tag-by-head"
HEAD_KEYWORD = "x-codegen-tag-head"
# On a union told by heads: the segments of the tag's values (`masked`, counted from 0, split by
# the pattern `segment`) that are parameters though words, `*` in its kinds' heads
# (`btcusdt@trade` -> `*@trade`; kinds.tag_head).
MASKED_KEYWORD = "x-codegen-tag-masked"
KEYS_KEYWORD = "x-codegen-keys"
EVIDENCE_KEYWORD = "x-codegen-evidence"
UNKNOWN_KEYWORD = "x-codegen-unknown-variant"
ENUM_KEYWORD = "x-codegen-enum"
PLACE_KEYWORD = "x-codegen-place"
EXAMPLE_KEYWORD = "x-codegen-example"
FORMAT_KEYWORD = "x-codegen-format"
FIELDS_KEYWORD = "x-codegen-fields"
RECURSIVE_KEYWORD = "x-codegen-recursive"


def build_schema(inference: Inference) -> dict[str, Any]:
    builder = _Builder(inference)
    top = builder.fragment(inference.root)
    document: dict[str, Any] = {"$schema": DIALECT, "title": inference.root_name}
    document.update(top)
    if builder.defs:
        document["$defs"] = builder.defs
    return document


def kept_names(schema: dict[str, Any]) -> dict[str, str]:
    """Place -> class name, from a package's schema.json: the names a new run keeps."""
    return {
        definition[PLACE_KEYWORD]: name
        for name, definition in schema.get("$defs", {}).items()
        if isinstance(definition, dict)
        and isinstance(definition.get(PLACE_KEYWORD), str)
    }


def ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/$defs/{name}"}


def ref_name(fragment: dict[str, Any]) -> str | None:
    """The def a `{"$ref": "#/$defs/Name"}` fragment names, None for any other fragment."""
    target = fragment.get("$ref")
    return target.rsplit("/", 1)[1] if isinstance(target, str) else None


def tag_schema(
    union: dict[str, Any], member: dict[str, Any], defs: dict[str, Any]
) -> dict[str, Any]:
    """The schema of an internally tagged union's tag in one of its kinds' defs (its const or
    head), inside the object at TAG_IN_KEYWORD when the tag is there; {} when it has none.
    """
    properties = member.get("properties", {})
    within = union.get(TAG_IN_KEYWORD)
    if within is not None:
        holder = ref_name(properties.get(within, {}))
        # The objects holding the tag may be kinds of their own (`arg` told apart by its
        # `kind`): each holds the tag, the first says it.
        while holder is not None and UNION_KEYWORD in defs[holder]:
            holder = union_members(defs[holder])[0]
        properties = defs[holder].get("properties", {}) if holder else {}
    found: dict[str, Any] = properties.get(union.get(TAG_KEYWORD), {})
    return found


def union_members(definition: dict[str, Any]) -> list[str]:
    """The def names of a union's members, variants first, the unknown variant last."""
    members = definition.get("anyOf", definition.get("oneOf", []))
    return [name for name in map(ref_name, members) if name is not None]


# What selects a nested union's objects within the unions around it: ("tag", path, value) for
# an internal tag, ("head", path, value) for one told by the head of its value, ("key", (key,),
# None) for a key that told a kind apart, ("absent", path, None) for the objects without the
# tag (see ir.TagPath).
Selection = tuple[tuple[str, TagPath, str | int | None], ...]


class _Builder:
    def __init__(self, inference: Inference) -> None:
        self.names = inference.names
        self.defs: dict[str, Any] = {}

    def fragment(self, shape: Shape) -> dict[str, Any]:
        if shape.is_unknown:
            return {}
        members: list[dict[str, Any]] = []
        scalars = self._scalar_types(shape)
        if shape.array is not None:
            items = shape.array.items
            array: dict[str, Any] = {"type": "array"}
            if items is not None and not items.is_unknown:
                array["items"] = self.fragment(items)
            members.append(array)
        if shape.tuple is not None:
            positions = shape.tuple.positions
            members.append(
                {
                    "type": "array",
                    "prefixItems": [self.fragment(p) for p in positions],
                    "minItems": len(positions),
                    "maxItems": len(positions),
                }
            )
        if shape.tuples is not None:
            members.append(ref(self._tuple_union(shape.tuples)))
        record = shape.record
        if isinstance(record, ObjectShape) and not record.fields:
            members.append({"type": "object"})
        elif isinstance(record, MapShape):
            members.append(
                {"type": "object", "additionalProperties": self.fragment(record.values)}
            )
        elif record is not None:
            members.append(ref(self._define(record)))
        if shape.recursion is not None:
            members.append(ref(self.names.anchors[shape.recursion]))
        enum = next((v for v in (shape.texts, shape.ints) if v and v.enum), None)
        enum_type = "string" if enum is shape.texts else "integer"
        if enum is not None and enum.closed:  # the enum alone holds its type
            scalars.remove(enum_type)
        if not members and enum is None:
            return {"type": scalars[0] if len(scalars) == 1 else scalars} | _format(
                shape.format
            )
        if scalars:
            members.insert(0, {"type": scalars[0] if len(scalars) == 1 else scalars})
        if enum is not None:
            # Open: the enum's values first, or any other value (kept as it is).
            members.insert(0, ref(self._enum(enum, enum_type)))
        if len(members) == 1:
            return members[0]
        return {"anyOf": members}

    def _enum(self, values: Values[str] | Values[int], json_type: str) -> str:
        name = self.names.enums[values.enum_key]
        if name not in self.defs:
            evidence = ", ".join(f"{value} ({count})" for value, count in values.counts)
            why = "set in the config" if values.forced else f"seen {values.total} times"
            openness = "closed" if values.closed else "open"
            rest = (
                "Any other value is a decode error."
                if values.closed
                else f"Any other {'string' if json_type == 'string' else 'int'} decodes"
                " as it is."
            )
            self.defs[name] = {
                "title": name,
                "description": f"An {openness} enum, {why}: {evidence}. {rest}",
                "type": json_type,
                "enum": list(values.enum_key[0]),
                ENUM_KEYWORD: openness,
            }
        return name

    @staticmethod
    def _scalar_types(shape: Shape) -> list[str]:
        types = []
        if shape.boolean:
            types.append("boolean")
        if shape.number:
            types.append("number")
        elif shape.integer:
            types.append("integer")
        if shape.string:
            types.append("string")
        if shape.null:
            types.append("null")
        return types

    def _define(
        self, record: ObjectShape | TaggedUnion | ObjectUnion, selection: Selection = ()
    ) -> str:
        name = self.names.records[record]
        if name in self.defs:
            return name
        self.defs[name] = (
            {}
        )  # reserve the slot first: defs read in the order types are met
        # The place, not the first sample: a sample added in front must not rewrite the class.
        description = f"Found at {self.names.places[record]}."
        if isinstance(record, ObjectShape):
            self.defs[name] = self._object(name, description, record)
        elif isinstance(record, ObjectUnion):
            self.defs[name] = self._object_union(name, description, record, selection)
        elif record.out_of_band:
            self.defs[name] = self._out_of_band(name, description, record)
        else:
            self.defs[name] = self._union(name, description, record)
        self.defs[name][EXAMPLE_KEYWORD] = str(record.origin)
        if not isinstance(record, TaggedUnion) and record.anchor is not None:
            self.defs[name][RECURSIVE_KEYWORD] = dict(record.anchor.edges)
        return name

    def _tuple_union(self, union: TupleUnion) -> str:
        """A union of tuples: a def per kind (its name's position a `const`, or a head's
        `pattern`, or no string for the kind without a name), and the unknown kind: an array
        that is none of their length and name."""
        name = self.names.records[union]
        if name in self.defs:
            return name
        self.defs[name] = {}
        members, selections = [], []
        for kind in union.kinds:
            kind_name = self.names.records[kind]
            length = len(kind.positions)
            at = union.at(length)
            positions = [self.fragment(position) for position in kind.positions]
            told: dict[str, Any] = {}
            if kind.tag is None:
                told = {"not": {"type": "string"}}
                label = f"with no string at item {at}"
                if 0 <= at < length:
                    positions[at] = {**positions[at], **told}
            else:
                told = (
                    {**head_schema([kind.tag]), HEAD_KEYWORD: kind.tag}
                    if union.head
                    else {"type": "string", "const": kind.tag}
                )
                label = _kind_label(f"[{at}]", kind.tag, union.head)
                positions[at] = told
            seen = "once" if kind.count == 1 else f"{kind.count} times"
            place = self.names.places[kind]
            self.defs[kind_name] = {
                "title": kind_name,
                "description": f"The kind of {name} {label}, of {length} items, seen"
                f" {seen}. Found at {place}.",
                PLACE_KEYWORD: place,
                "type": "array",
                "prefixItems": positions,
                "minItems": length,
                "maxItems": length,
                TUPLE_KIND_KEYWORD: {"tag": kind.tag, "length": length, "at": at},
                EXAMPLE_KEYWORD: str(kind.origin),
            }
            given = self.names.positions.get(kind)
            if given:
                self.defs[kind_name][FIELDS_KEYWORD] = {
                    str(index): attribute for index, attribute in sorted(given.items())
                }
            selection: dict[str, Any] = {"minItems": length, "maxItems": length}
            if 0 <= at < length:
                selection["prefixItems"] = [{}] * at + [told]
            selections.append(selection)
            members.append(ref(kind_name))
        unknown = self.names.unknowns[union]
        self.defs[unknown] = {
            "title": unknown,
            "description": f"A kind of {name} not seen in the samples, kept as the raw"
            " array.",
            "type": "array",
            "not": {"anyOf": selections},
            UNKNOWN_KEYWORD: True,
        }
        members.append(ref(unknown))
        definition: dict[str, Any] = {
            "title": name,
            "description": f"Found at {self.names.places[union]}.",
            UNION_KEYWORD: POSITIONAL_KIND,
            TAG_AT_KEYWORD: union.index,
        }
        if union.head:
            definition[BY_HEAD_KEYWORD] = thresholds.TAG_HEAD
        definition[EVIDENCE_KEYWORD] = union.evidence
        definition["oneOf"] = members
        definition[EXAMPLE_KEYWORD] = str(union.origin)
        self.defs[name] = definition
        return name

    def _out_of_band(
        self, name: str, description: str, union: TaggedUnion
    ) -> dict[str, Any]:
        """The root of messages whose kind is given beside them: each kind's def, by kind."""
        kinds: dict[str, str] = {}
        for variant in union.variants:
            record = variant.shape.record
            assert isinstance(record, (ObjectShape, ObjectUnion, TaggedUnion))
            kinds[variant.tag] = self._define(record)
        unknown = self.names.unions[union].unknown
        self.defs[unknown] = {
            "title": unknown,
            "description": f"A message of a kind of {name} not seen in the samples:"
            " its kind and the raw JSON.",
            UNKNOWN_KEYWORD: True,
        }
        return {
            "title": name,
            "description": description,
            UNION_KEYWORD: OUT_OF_BAND_KIND,
            KINDS_KEYWORD: kinds,
            "anyOf": [ref(member) for member in dict.fromkeys(kinds.values())]
            + [ref(unknown)],
        }

    def _object_union(
        self, name: str, description: str, union: ObjectUnion, selection: Selection
    ) -> dict[str, Any]:
        """A union of kinds of objects: one member per kind, the unknown kind last."""
        key = union.tag_key
        within = union.discriminator.within
        path = tag_path(key, within) if key is not None else ()
        by_head = union.discriminator.head
        members: list[dict[str, Any]] = []
        for variant in union.variants:
            step: tuple[str, TagPath, str | int | None]
            if key is None:
                step = ("key", (str(variant.tag),), None)
            elif variant.tag is None:
                step = ("absent", path, None)
            else:
                step = ("head" if by_head else "tag", path, variant.tag)
            record = variant.shape.record
            assert isinstance(record, (ObjectShape, ObjectUnion))  # kinds are objects
            kind = self._define(record, selection + (step,))
            if isinstance(record, ObjectShape):
                # Exactly what decode() picks: the objects without the tag key (or null
                # there), or (told apart by keys) the first kind whose key is present.
                if step[0] == "absent":
                    self.defs[kind].update(_absent_or_null(step[1]))
                elif step[0] == "key" and members:
                    earlier = [v.tag for v in union.variants[: len(members)]]
                    self.defs[kind]["not"] = {
                        "anyOf": [{"required": [tag]} for tag in earlier]
                    }
            seen = "once" if variant.count == 1 else f"{variant.count} times"
            label = _kind_label(".".join(path) or None, variant.tag, by_head)
            if step[0] == "absent" and path[0] in self.defs[kind].get("properties", {}):
                label = f"whose `{'.'.join(path)}` is null or absent"
            named_by = untagged_name(union) if step[0] == "absent" else None
            if named_by is not None:
                self.defs[kind][NAMED_BY_KEYWORD] = dict([named_by])
                label += f" (its `{named_by[0]}` is `{named_by[1]}`)"
            self.defs[kind][
                "description"
            ] = f"The kind of {name} {label}, seen {seen}. {self.defs[kind]['description']}"
            members.append(ref(kind))
        unknown = self.names.unknowns[union]
        # Exactly what decode() takes for unknown: a tag value (or key set) no kind has.
        unknown_def: dict[str, Any] = {
            "title": unknown,
            "description": f"A kind of {name} not seen in the samples, kept as the raw object.",
            "type": "object",
            **_selected_by(_with_held_tags(selection, union)),
        }
        tags = [v.tag for v in union.variants if v.tag is not None]
        known = head_schema([str(tag) for tag in tags]) if by_head else {"enum": tags}
        if key is None:
            unknown_def["not"] = {"anyOf": [{"required": [tag]} for tag in tags]}
        elif within is not None:  # the tag inside the object at `within`
            unknown_def.setdefault("allOf", []).append(
                _at(path, {"not": {"anyOf": [known, {"type": "null"}]}})
                if len(tags) < len(union.variants)
                else {"not": _at(path, known)}
            )
        elif len(tags) < len(union.variants):  # objects without the tag are a kind
            unknown_def["required"] = unknown_def.get("required", []) + [key]
            unknown_def["not"] = {
                "properties": {key: {"anyOf": [known, {"type": "null"}]}}
            }
        else:
            unknown_def["not"] = {
                "required": [key],
                "properties": {key: known},
            }
        unknown_def[UNKNOWN_KEYWORD] = True
        self.defs[unknown] = unknown_def
        members.append(ref(unknown))
        definition: dict[str, Any] = {
            "title": name,
            "description": description,
            UNION_KEYWORD: INTERNAL_KIND if key is not None else KEYED_KIND,
        }
        if key is not None:
            definition[TAG_KEYWORD] = key
            if within is not None:
                definition[TAG_IN_KEYWORD] = within
            if by_head:
                definition[BY_HEAD_KEYWORD] = thresholds.TAG_HEAD
            if union.discriminator.masked:
                definition[MASKED_KEYWORD] = {
                    "segment": thresholds.TAG_SEGMENT.pattern,
                    "masked": list(union.discriminator.masked),
                }
        else:
            definition[KEYS_KEYWORD] = [str(v.tag) for v in union.variants]
        definition[EVIDENCE_KEYWORD] = union.discriminator.evidence
        definition["oneOf"] = members
        return definition

    def _object(
        self, name: str, description: str, record: ObjectShape
    ) -> dict[str, Any]:
        definition: dict[str, Any] = {
            "title": name,
            "description": description,
            PLACE_KEYWORD: self.names.places[record],
            "type": "object",
            "properties": {f.key: self.fragment(f.shape) for f in record.fields},
        }
        for key, value, head, within in record.tags:
            if within is not None:  # the record at `within` holds it
                continue
            definition["properties"][key] = (
                {**head_schema([str(value)]), HEAD_KEYWORD: value}
                if head
                else {
                    "type": "string" if isinstance(value, str) else "integer",
                    "const": value,
                }
            )
        required = [f.key for f in record.fields if not record.is_optional(f)]
        if required:
            definition["required"] = required
        if record.evidence:
            definition[EVIDENCE_KEYWORD] = record.evidence
        given = self.names.fields.get(record)
        if given:
            definition[FIELDS_KEYWORD] = dict(sorted(given.items()))
        return definition

    def _union(self, name: str, description: str, union: TaggedUnion) -> dict[str, Any]:
        names = self.names.unions[union]
        members = []
        for variant in union.variants:
            variant_name = names.variants[variant.tag]
            self.defs[variant_name] = {}
            self.defs[variant_name] = {
                "title": variant_name,
                "description": f"The `{variant.tag}` variant of {name}.",
                "type": "object",
                "properties": {variant.tag: self.fragment(variant.shape)},
                "required": [variant.tag],
                "additionalProperties": False,
            }
            members.append(ref(variant_name))
        # Exactly what decode() takes for unknown: any object but one holding a single known tag.
        known_tag = [{"required": [variant.tag]} for variant in union.variants]
        self.defs[names.unknown] = {
            "title": names.unknown,
            "description": f"A variant of {name} not seen in the samples, kept as the raw object.",
            "type": "object",
            "not": {"maxProperties": 1, "anyOf": known_tag},
            UNKNOWN_KEYWORD: True,
        }
        members.append(ref(names.unknown))
        return {
            "title": name,
            "description": description,
            UNION_KEYWORD: UNION_KIND,
            "anyOf": members,
        }


def _format(found: Format | None) -> dict[str, Any]:
    """The keywords recording a format beside the type it describes."""
    if found is None:
        return {}
    keyword = "format" if found.name in SCHEMA_FORMATS else FORMAT_KEYWORD
    return {keyword: found.name, EVIDENCE_KEYWORD: found.evidence}


def head_schema(heads: list[str]) -> dict[str, Any]:
    """The strings whose head (thresholds.TAG_HEAD) is one of `heads`, as schema keywords."""
    names = "|".join(map(_head_name_pattern, heads))
    return {"type": "string", "pattern": thresholds.TAG_HEAD_SCHEMA.format(names=names)}


def _head_name_pattern(head: str) -> str:
    """A head as a pattern: its text, a masked segment any segment that could be there."""
    parts = thresholds.TAG_SEGMENT.split(head)  # segment, separator, segment, ...
    return "".join(
        (
            (
                thresholds.TAG_HEAD_SCHEMA_WORD
                if index
                else thresholds.TAG_HEAD_SCHEMA_FIRST
            )
            if part == thresholds.TAG_MASK and index % 2 == 0
            else part.replace(".", "\\.")
        )
        for index, part in enumerate(parts)
    )


def _kind_label(key: str | None, tag: str | int | None, by_head: bool = False) -> str:
    """How a description names a kind: whose `type` is `l2update`, whose `topic` starts with the
    name `orderbook`, holding the key `res`, or without `op`."""
    if key is None:
        return f"holding the key `{tag}`"
    if tag is None:
        return f"without `{key}`"
    if by_head:
        return f"whose `{key}` starts with the name `{tag}`"
    return f"whose `{key}` is `{tag}`"


def _with_held_tags(selection: Selection, union: ObjectUnion) -> Selection:
    """The selection reaching a union, with the tags its objects hold for the message around
    them (`channel` of `arg`, when the message's kind is told by `arg.channel`): the union's
    unknown kind holds them too."""
    held = tuple(
        ("head" if tag.head else "tag", (tag.key,), tag.value)
        for tag in union.tags
        if tag.within is None
    )
    return tuple(dict.fromkeys(selection + held))


def _selected_by(selection: Selection) -> dict[str, Any]:
    """Schema keywords holding for every object that reaches a nested union."""
    if not selection:
        return {}
    own = [(kind, path[0], value) for kind, path, value in selection if len(path) == 1]
    consts = {
        key: _tag_value_schema(kind, value)
        for kind, key, value in own
        if kind in ("tag", "head")
    }
    keywords: dict[str, Any] = {}
    required = [key for kind, key, _ in own if kind != "absent"]
    if required:
        keywords["required"] = required
    if consts:
        keywords["properties"] = consts
    conditions = [
        _absent_or_null(path) for kind, path, _ in selection if kind == "absent"
    ]
    conditions += [  # tags inside the object at a key
        _at(path, _tag_value_schema(kind, value))
        for kind, path, value in selection
        if kind != "absent" and len(path) > 1
    ]
    if conditions:
        keywords["allOf"] = conditions
    return keywords


def _tag_value_schema(kind: str, value: str | int | None) -> dict[str, Any]:
    """The tag's value for a selection step: the value, or a string of that head."""
    if kind == "tag":
        return {"const": value}
    return head_schema([str(value)]) if kind == "head" else {}


def _at(path: TagPath, keywords: dict[str, Any]) -> dict[str, Any]:
    """Schema keywords saying the value at `path` is there and holds `keywords` (the objects on
    the way are objects)."""
    key, *rest = path
    inner = {"type": "object", **_at(tuple(rest), keywords)} if rest else keywords
    return {"required": [key], "properties": {key: inner}}


def _absent_or_null(path: TagPath) -> dict[str, Any]:
    """Schema keywords for an object without a value at `path` or with null there: the objects
    a union's kind without its tag takes."""
    return {"not": _at(path, {"not": {"type": "null"}})}
