"""The contract between inference and rendering: a JSON Schema (2020-12) document.

Every named type is a `$defs` entry whose key is its class name. What JSON Schema cannot say and
the codec needs is in `x-codegen-*` keywords, which validators ignore:
- `x-codegen-union: "externally-tagged"` on a union of `{tag: payload}` variants (`anyOf`);
- `x-codegen-unknown-variant: true` on the member that holds variants not seen yet.
A key outside `required` may be absent; a `null` type means the key may hold null.
"""

from __future__ import annotations

from typing import Any

from codegen.infer import Inference
from codegen.infer.ir import MapShape, ObjectShape, Shape, TaggedUnion

DIALECT = "https://json-schema.org/draft/2020-12/schema"
UNION_KEYWORD = "x-codegen-union"
UNION_KIND = "externally-tagged"
UNKNOWN_KEYWORD = "x-codegen-unknown-variant"


def build_schema(inference: Inference) -> dict[str, Any]:
    builder = _Builder(inference)
    top = builder.fragment(inference.root)
    document: dict[str, Any] = {"$schema": DIALECT, "title": inference.root_name}
    document.update(top)
    if builder.defs:
        document["$defs"] = builder.defs
    return document


def ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/$defs/{name}"}


def ref_name(fragment: dict[str, Any]) -> str | None:
    """The def a `{"$ref": "#/$defs/Name"}` fragment names, None for any other fragment."""
    target = fragment.get("$ref")
    return target.rsplit("/", 1)[1] if isinstance(target, str) else None


def union_members(definition: dict[str, Any]) -> list[str]:
    """The def names of a tagged union's members, variants first, the unknown variant last."""
    return [name for name in map(ref_name, definition["anyOf"]) if name is not None]


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
        record = shape.record
        if isinstance(record, ObjectShape) and not record.fields:
            members.append({"type": "object"})
        elif isinstance(record, MapShape):
            members.append(
                {"type": "object", "additionalProperties": self.fragment(record.values)}
            )
        elif record is not None:
            members.append(ref(self._define(record)))
        if not members:
            return {"type": scalars[0] if len(scalars) == 1 else scalars}
        if scalars:
            members.insert(0, {"type": scalars[0] if len(scalars) == 1 else scalars})
        if len(members) == 1:
            return members[0]
        return {"anyOf": members}

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

    def _define(self, record: ObjectShape | TaggedUnion) -> str:
        name = self.names.records[record]
        if name in self.defs:
            return name
        self.defs[name] = (
            {}
        )  # reserve the slot first: defs read in the order types are met
        description = f"First seen in {record.origin}."
        if isinstance(record, ObjectShape):
            self.defs[name] = self._object(name, description, record)
        else:
            self.defs[name] = self._union(name, description, record)
        return name

    def _object(
        self, name: str, description: str, record: ObjectShape
    ) -> dict[str, Any]:
        definition: dict[str, Any] = {
            "title": name,
            "description": description,
            "type": "object",
            "properties": {f.key: self.fragment(f.shape) for f in record.fields},
        }
        required = [f.key for f in record.fields if not record.is_optional(f)]
        if required:
            definition["required"] = required
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
