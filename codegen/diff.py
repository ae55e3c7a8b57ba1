"""What a regeneration changes in the bindings: the semantic diff of two schema.json documents.

`codegen diff` and `codegen check` compare the committed package's schema.json with the schema the
samples give now, and say what a reviewer needs to know: which classes, unions and variants came or
went, which fields came or went or changed type, and whom each change breaks. Code that READS
decoded messages (attribute access, `match`, dispatcher handlers) and code that BUILDS messages
(constructors, then `encode`) are broken by different changes:

| change                                  | readers  | builders |
|-----------------------------------------|----------|----------|
| class or union added                    | ok       | ok       |
| class or union removed                  | breaking | breaking |
| class renamed (same property keys)      | breaking | breaking |
| variant (union member, kind) added      | ok       | ok       |
| variant removed                         | breaking | breaking |
| field added, optional                   | ok       | ok       |
| field added, required                   | ok       | breaking |
| field removed                           | breaking | breaking |
| field became optional (left `required`) | breaking | ok       |
| field became required                   | ok       | breaking |
| field became nullable (gained null)     | breaking | ok       |
| field no longer nullable                | ok       | breaking |
| type widened (int -> number, new member)| breaking | ok       |
| type narrowed                           | ok       | breaking |
| type changed otherwise, union kind      | breaking | breaking |

An added variant breaks nobody: its messages used to decode to `Unknown…` and reach `on_unknown`,
which every reader must already handle. A removed variant breaks readers (its class and its
`on_<variant>` handler are gone and its messages now arrive as `Unknown…`) and builders (the class
is gone). Where the schema says where a type was first seen (`x-codegen-example`: "FILE:LINE:COL
at PATH"), the change names it: the new schema's place for what is added or changed, the old
one's for what is removed.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from codegen.errors import CodegenError, Location
from codegen.schema import (
    EXAMPLE_KEYWORD,
    KINDS_KEYWORD,
    OUT_OF_BAND_KIND,
    TAG_IN_KEYWORD,
    TAG_KEYWORD,
    HEAD_KEYWORD,
    UNION_KEYWORD,
    UNION_KIND,
    UNKNOWN_KEYWORD,
    ref,
    ref_name,
    tag_schema,
    union_members,
)
from codegen.write import made_by_codegen

BREAKING, OK = "breaking", "ok"

# change -> (readers, builders), the table of the module docstring.
IMPACT: dict[str, tuple[str, str]] = {
    "package added": (OK, OK),
    "package removed": (BREAKING, BREAKING),
    "class added": (OK, OK),
    "class removed": (BREAKING, BREAKING),
    "class renamed": (BREAKING, BREAKING),
    "union added": (OK, OK),
    "union removed": (BREAKING, BREAKING),
    "union changed": (BREAKING, BREAKING),
    "variant added": (OK, OK),
    "variant removed": (BREAKING, BREAKING),
    "optional field added": (OK, OK),
    "required field added": (OK, BREAKING),
    "field removed": (BREAKING, BREAKING),
    "field became optional": (BREAKING, OK),
    "field became required": (OK, BREAKING),
    "field became nullable": (BREAKING, OK),
    "field no longer nullable": (OK, BREAKING),
    "type widened": (BREAKING, OK),
    "type narrowed": (OK, BREAKING),
    "type changed": (BREAKING, BREAKING),
}


@dataclass(frozen=True)
class Change:
    package: str
    change: str  # a key of IMPACT
    subject: str  # `Position`, `Position.price`, `ServerMessage[auth_result]`
    detail: str = ""  # `integer -> number`, `AuthResult -> LoginResult`
    origin: str | None = (
        None  # where the samples first showed the type: `FILE:LINE:COL at PATH`
    )

    @property
    def readers(self) -> str:
        return IMPACT[self.change][0]

    @property
    def builders(self) -> str:
        return IMPACT[self.change][1]

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "readers": self.readers, "builders": self.builders}

    def __str__(self) -> str:
        detail = f" ({self.detail})" if self.detail else ""
        where = f"\n    from {self.origin}" if self.origin else ""
        return (
            f"  {self.change}: {self.package}.{self.subject}{detail}"
            f" [readers: {self.readers}, builders: {self.builders}]{where}"
        )


def committed_schemas(
    out_dir: Path, *, skip_unreadable: bool = False
) -> dict[str, dict[str, Any]]:
    """package name -> schema.json of every package codegen wrote in out_dir.

    `skip_unreadable`: leave out a schema.json that does not read (for keeping names, which a
    run that rewrites the package does not need), rather than stop with an error.
    """
    if not out_dir.is_dir():
        return {}
    schemas = {}
    for folder in sorted(out_dir.iterdir()):
        path = folder / "schema.json"
        if folder.name.startswith(".") or not made_by_codegen(folder):
            continue
        try:
            schemas[folder.name] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            if skip_unreadable:
                continue
            raise CodegenError(
                f"cannot read the committed schema: {error}", Location(str(path))
            ) from None
    return schemas


def package_changes(
    old: dict[str, dict[str, Any]], new: dict[str, dict[str, Any]]
) -> list[Change]:
    """Every change from the old packages' schemas to the new ones, package by package."""
    changes = []
    for name in sorted(old.keys() | new.keys()):
        if name not in new:
            changes.append(Change(name, "package removed", "*"))
        elif name not in old:
            changes.append(Change(name, "package added", "*"))
        else:
            changes += schema_changes(name, old[name], new[name])
    return changes


def schema_changes(
    package: str, old: dict[str, Any], new: dict[str, Any]
) -> list[Change]:
    """The changes from one schema.json document to another."""
    return _Comparison(package, old, new).changes()


class _Comparison:
    def __init__(self, package: str, old: dict[str, Any], new: dict[str, Any]) -> None:
        self.package = package
        self.old = _named_defs(old)
        self.new = _named_defs(new)
        self.old_root, self.new_root = _root(old), _root(new)
        self.found: list[Change] = []
        self.renamed: dict[str, str] = {}  # old class name -> new class name

    def note(
        self, change: str, subject: str, detail: str = "", definition: Any = None
    ) -> None:
        self.found.append(
            Change(self.package, change, subject, detail, self._origin(definition))
        )

    def _origin(self, definition: Any) -> str | None:
        """Where the samples first showed a def; for a `{tag: payload}` variant, its payload."""
        if not isinstance(definition, dict):
            return None
        example = definition.get(EXAMPLE_KEYWORD)
        if isinstance(example, str):
            return example
        fragments = list(definition.get("properties", {}).values())
        payload = ref_name(fragments[0]) if len(fragments) == 1 else None
        for defs in (self.new, self.old):
            if payload in defs and payload != definition.get("title"):
                return self._origin(defs[payload])
        return None

    def changes(self) -> list[Change]:
        old_variants, new_variants = _variants(self.old), _variants(self.new)
        # Defs that come or go as a variant of a union both schemas have are reported as such.
        as_variants: set[str] = set()
        for union in sorted(self.old.keys() & self.new.keys()):
            before, after = old_variants.get(union, {}), new_variants.get(union, {})
            for label in sorted(before.keys() - after.keys()):
                as_variants.add(before[label])
                self.note(
                    "variant removed",
                    f"{union}[{label}]",
                    definition=self.old.get(before[label]),
                )
            for label in sorted(after.keys() - before.keys()):
                as_variants.add(after[label])
                self.note(
                    "variant added",
                    f"{union}[{label}]",
                    definition=self.new.get(after[label]),
                )
        removed = sorted(self.old.keys() - self.new.keys() - as_variants)
        added = sorted(self.new.keys() - self.old.keys() - as_variants)
        self._renames(removed, added)
        for name in removed:
            if name not in self.renamed:
                kind = "union" if _is_union(self.old[name]) else "class"
                self.note(f"{kind} removed", name, definition=self.old[name])
        for name in added:
            if name not in self.renamed.values():
                kind = "union" if _is_union(self.new[name]) else "class"
                self.note(f"{kind} added", name, definition=self.new[name])
        for old_name in sorted(self.old):
            new_name = self.renamed.get(old_name, old_name)
            if new_name in self.new:
                self._definition(old_name, new_name)
        if self.old_root is not None and self.new_root is not None:
            self._type("(root)", self.old_root, self.new_root, None)
        return self.found

    def _renames(self, removed: list[str], added: list[str]) -> None:
        """A class that went and one that came with the same property keys: one class, renamed."""
        by_keys: dict[frozenset[str], list[str]] = {}
        for name in added:
            if not _is_union(self.new[name]):
                by_keys.setdefault(_keys(self.new[name]), []).append(name)
        for name in removed:
            if _is_union(self.old[name]):
                continue
            candidates = by_keys.get(_keys(self.old[name]), [])
            if candidates:
                self.renamed[name] = candidates.pop(0)
                self.note(
                    "class renamed",
                    name,
                    f"{name} -> {self.renamed[name]}",
                    self.new[self.renamed[name]],
                )

    def _definition(self, old_name: str, new_name: str) -> None:
        before, after = self.old[old_name], self.new[new_name]
        if _is_union(before) or _is_union(after):
            if before.get(UNION_KEYWORD) != after.get(UNION_KEYWORD):
                detail = f"{before.get(UNION_KEYWORD, 'class')} -> {after.get(UNION_KEYWORD, 'class')}"
                self.note("union changed", new_name, detail, after)
            return
        old_fields = before.get("properties", {})
        new_fields = after.get("properties", {})
        old_required = set(before.get("required", []))
        new_required = set(after.get("required", []))
        # In property order, so the report reads like the class.
        for key in [key for key in old_fields if key not in new_fields]:
            self.note("field removed", f"{new_name}.{key}", definition=after)
        for key in [key for key in new_fields if key not in old_fields]:
            kind = "required" if key in new_required else "optional"
            self.note(f"{kind} field added", f"{new_name}.{key}", definition=after)
        for key in [key for key in new_fields if key in old_fields]:
            subject = f"{new_name}.{key}"
            if key in old_required and key not in new_required:
                self.note("field became optional", subject, definition=after)
            elif key in new_required and key not in old_required:
                self.note("field became required", subject, definition=after)
            self._type(subject, old_fields[key], new_fields[key], after)

    def _type(
        self, subject: str, before: dict[str, Any], after: dict[str, Any], where: Any
    ) -> None:
        old_members, new_members = _members(self._in_new_names(before)), _members(after)
        old_null, new_null = "null" in old_members, "null" in new_members
        if new_null and not old_null:
            self.note("field became nullable", subject, definition=where)
        elif old_null and not new_null:
            self.note("field no longer nullable", subject, definition=where)
        old_members.discard("null")
        new_members.discard("null")
        relation = self._relation(old_members, new_members)
        if relation != "same":
            detail = f"{_spelled(old_members)} -> {_spelled(new_members)}"
            self.note(f"type {relation}", subject, detail, where)

    def _relation(self, before: set[Any], after: set[Any]) -> str:
        """same, widened, narrowed or changed: how the values `after` accepts relate to `before`'s."""
        wider = all(any(self._covers(a, b) for a in after) for b in before)
        narrower = all(any(self._covers(b, a) for b in before) for a in after)
        if wider and narrower:
            return "same"
        return "widened" if wider else "narrowed" if narrower else "changed"

    def _in_new_names(self, fragment: Any) -> Any:
        """An old fragment with the classes renamed since called by their new names (at any
        depth: `list[Result]` -> `list[OnboardingResult]`), so a rename is reported once.
        """
        if isinstance(fragment, list):
            return [self._in_new_names(item) for item in fragment]
        if not isinstance(fragment, dict):
            return fragment
        name = ref_name(fragment)
        if name is not None:
            return ref(self.renamed.get(name, name))
        return {key: self._in_new_names(value) for key, value in fragment.items()}

    def _covers(self, wide: Any, narrow: Any) -> bool:
        """Whether the member `wide` accepts every value the member `narrow` does."""
        if wide == narrow or wide == "any" or (wide, narrow) == ("number", "integer"):
            return True
        if isinstance(wide, tuple) and isinstance(narrow, tuple):
            if wide[0] == narrow[0] and wide[0] in ("array", "map"):
                return self._relation(_thawed(narrow[1]), _thawed(wide[1])) in (
                    "same",
                    "widened",
                )
        return False


def _named_defs(schema: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The defs that are names in the bindings: every def but the unknown-variant holders."""
    return {
        name: definition
        for name, definition in schema.get("$defs", {}).items()
        if not definition.get(UNKNOWN_KEYWORD)
    }


def _root(schema: dict[str, Any]) -> dict[str, Any] | None:
    """The root type's fragment (what the document says beside `$schema`, `title` and `$defs`)."""
    rest = {k: v for k, v in schema.items() if k not in ("$schema", "title", "$defs")}
    return rest or None


def _is_union(definition: dict[str, Any]) -> bool:
    return UNION_KEYWORD in definition


def _keys(definition: dict[str, Any]) -> frozenset[str]:
    return frozenset(definition.get("properties", {}))


def _variants(defs: dict[str, dict[str, Any]]) -> dict[str, dict[str, str]]:
    """union name -> variant label -> def: kinds by name for out-of-band roots, else members."""
    variants: dict[str, dict[str, str]] = {}
    for name, definition in defs.items():
        if definition.get(UNION_KEYWORD) == OUT_OF_BAND_KIND:
            variants[name] = dict(definition.get(KINDS_KEYWORD, {}))
        elif _is_union(definition):
            variants[name] = {
                _variant_label(definition, defs[m], defs): m
                for m in union_members(definition)
                if m in defs
            }
    return variants


def _variant_label(
    union: dict[str, Any], member: dict[str, Any], defs: dict[str, dict[str, Any]]
) -> str:
    """How a union tells the variant apart: its tag key (`created`), `type=l2update`, or
    `arg.channel=books` for a tag inside the object at a key."""
    properties = member.get("properties", {})
    if union.get(UNION_KEYWORD) == UNION_KIND and len(properties) == 1:
        return str(next(iter(properties)))
    tag = tag_schema(union, member, defs)
    name = ".".join(
        key for key in (union.get(TAG_IN_KEYWORD), union.get(TAG_KEYWORD)) if key
    )
    if "const" in tag:
        return f"{name}={tag['const']}"
    if HEAD_KEYWORD in tag:  # a channel name with parameters: its head names the kind
        return f"{name}={tag[HEAD_KEYWORD]}*"
    return str(member.get("title", "?"))


def _members(fragment: dict[str, Any]) -> set[Any]:
    """A type fragment as the set of what it accepts: scalar type names, ("ref", class),
    ("array", items), ("map", values), "object" (any object), "any"."""
    if "anyOf" in fragment:
        return set().union(*(_members(member) for member in fragment["anyOf"]))
    name = ref_name(fragment)
    if name is not None:
        return {("ref", name)}
    if "const" in fragment:
        return {("const", json.dumps(fragment["const"]))}
    kinds = fragment.get("type")
    if kinds is None:
        return {"any"}
    if kinds == "array":
        return {("array", _frozen(fragment.get("items", {})))}
    if kinds == "object":
        values = fragment.get("additionalProperties")
        return {"object"} if values is None else {("map", _frozen(values))}
    return set(kinds) if isinstance(kinds, list) else {kinds}


def _frozen(fragment: dict[str, Any]) -> str:
    """A nested fragment as a set member can hold it: its JSON text (`_thawed` reads it back)."""
    return json.dumps(fragment, sort_keys=True)


def _thawed(text: str) -> set[Any]:
    return _members(json.loads(text))


def _spelled(members: set[Any]) -> str:
    """`integer | string`, `list[number]`, `Position`: a member set as a reviewer reads it."""

    def one(member: Any) -> str:
        if isinstance(member, str):
            return member
        kind, inner = member
        if kind == "ref":
            return str(inner)
        if kind == "const":
            return f"const {inner}"
        inner_text = _spelled(_thawed(inner))
        return f"list[{inner_text}]" if kind == "array" else f"dict[str, {inner_text}]"

    return " | ".join(sorted(map(one, members))) or "nothing"


def render_text(changes: list[Change]) -> str:
    """The changes for a reviewer: one line each (and where the samples showed it), then a count."""
    if not changes:
        return "no change to the bindings\n"
    lines = [str(change) for change in changes]
    readers = sum(change.readers == BREAKING for change in changes)
    builders = sum(change.builders == BREAKING for change in changes)
    lines.append(
        f"{len(changes)} change(s) to the bindings: {readers} breaking code that reads"
        f" messages, {builders} breaking code that builds them"
    )
    return "\n".join(lines) + "\n"


def render_json(changes: list[Change]) -> str:
    return json.dumps([change.as_json() for change in changes], indent=2) + "\n"
