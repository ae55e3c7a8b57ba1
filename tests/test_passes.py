"""Each inference pass alone, on IR built from literal samples: what the pass must and must not do."""

from __future__ import annotations

from typing import Any

from codegen.errors import Location
from codegen.infer import infer
from codegen.infer.ir import MapShape, ObjectShape, Shape, TaggedUnion
from codegen.infer.naming import name_shapes
from codegen.infer.observe import observe
from codegen.infer.overrides import Overrides, PathOverride
from codegen.infer.passes import dedupe, detect_maps, detect_tagged_unions
from codegen.infer.passes.tree import compatible


def shape(*samples: Any) -> Shape:
    root = observe(
        (sample, Location("s.json", number)) for number, sample in enumerate(samples, 1)
    )
    assert root is not None
    return root


def field_shape(root: Shape, *keys: str) -> Shape:
    for key in keys:
        assert isinstance(root.record, ObjectShape)
        root = next(f.shape for f in root.record.fields if f.key == key)
    return root


def scalar_kinds(shape: Shape) -> Shape:
    """Only which kinds of scalars a shape holds (not the values counted for enums and formats)."""
    return Shape(
        null=shape.null,
        boolean=shape.boolean,
        integer=shape.integer,
        number=shape.number,
        string=shape.string,
    )


def test_observe_keeps_absent_and_null_apart() -> None:
    root = shape({"a": 1, "b": None}, {"b": 2})
    record = root.record
    assert isinstance(record, ObjectShape)
    a, b = record.fields
    assert record.is_optional(a) and not a.shape.null
    assert not record.is_optional(b) and b.shape.null and b.shape.integer


def test_observe_types_docs_numbers_as_float() -> None:
    docs = field_shape(shape({"n": 123, "s": "<string>"}), "n")
    assert scalar_kinds(docs) == Shape(number=True)
    capture = field_shape(shape({"n": 123, "s": "text"}), "n")
    assert scalar_kinds(capture) == Shape(integer=True)


def test_tagged_union_needs_every_object_to_have_one_key() -> None:
    tagged = detect_tagged_unions(
        shape({"id": 1, "e": {"a": {"x": 1}}}, {"id": 2, "e": {"b": {"y": 2}}})
    )
    union = field_shape(tagged, "e").record
    assert isinstance(union, TaggedUnion)
    assert [v.tag for v in union.variants] == ["a", "b"]
    mixed = detect_tagged_unions(
        shape({"id": 1, "e": {"a": 1}}, {"id": 2, "e": {"b": 2, "c": 3}})
    )
    assert isinstance(field_shape(mixed, "e").record, ObjectShape)


def test_single_tag_is_a_union_only_with_evidence() -> None:
    wrapper = detect_tagged_unions(shape({"id": 1, "w": {"data": 1}}))
    assert isinstance(field_shape(wrapper, "w").record, ObjectShape)
    # A one-key wrapper that never varies is a record, whatever it holds.
    record = detect_tagged_unions(shape({"id": 1, "w": {"data": {"user": {"x": 1}}}}))
    assert isinstance(field_shape(record, "w").record, ObjectShape)
    # One tag holding a union of several tags is a level of that union family.
    level = detect_tagged_unions(
        shape(
            {"id": 1, "w": {"server_message": {"position": {"x": 1}}}},
            {"id": 2, "w": {"server_message": {"account": {"y": 1}}}},
        )
    )
    assert isinstance(field_shape(level, "w").record, TaggedUnion)
    # One tag beside sibling kinds that are unions is a union too (`pending_position.created`).
    family = detect_tagged_unions(
        shape(
            {"id": 1, "m": {"position": {"created": {"x": 1}}}},
            {"id": 2, "m": {"position": {"closed": {"x": 2}}}},
            {"id": 3, "m": {"pending": {"created": {"x": 3}}}},
        )
    )
    union = field_shape(family, "m").record
    assert isinstance(union, TaggedUnion)
    pending = next(v.shape for v in union.variants if v.tag == "pending")
    assert isinstance(pending.record, TaggedUnion)


def test_maps_need_data_keys_and_one_value_type() -> None:
    book = detect_maps(shape({"levels": {"100.5": 1, "101": 2.5, "99": 3}}))
    levels = field_shape(book, "levels").record
    assert isinstance(levels, MapShape)
    assert scalar_kinds(levels.values) == Shape(integer=True, number=True)
    names = detect_maps(shape({"o": {"price": 1, "size": 2, "total": 3}}))
    assert isinstance(field_shape(names, "o").record, ObjectShape)
    mixed = detect_maps(shape({"o": {"a-1": 1, "a-2": "x", "a-3": 2}}))
    assert isinstance(field_shape(mixed, "o").record, ObjectShape)


def test_dedupe_merges_same_keys_with_compatible_types_only() -> None:
    root = dedupe(
        shape(
            {"p": {"x": None, "y": 1}, "q": {"x": 2.5, "y": 3}, "r": {"x": "s", "y": 4}}
        )
    )
    p, q, r = (field_shape(root, key).record for key in "pqr")
    assert p == q  # null next to a float, ints next to ints: one type
    assert p != r  # a string where the others hold numbers: another type


def test_naming_uses_keys_tags_and_shared_words() -> None:
    inference = infer(
        [
            (
                {
                    "open_bid_ask": {"bid": 1},
                    "close_bid_ask": {"bid": 2},
                    "change": {"item_deleted": {"id": "y", "k": 2}},
                },
                Location("s.json", 1),
            ),
            (
                {
                    "open_bid_ask": {"bid": 3},
                    "close_bid_ask": {"bid": 4},
                    "orders": [{"id": 1}],
                    "change": {"item_created": {"id": "x", "k": 1}},
                },
                Location("s.json", 2),
            ),
        ],
        "Feed",
    )
    assert inference is not None
    names = sorted(inference.names.records.values())
    # bid/ask objects share their last words; the union of event tags is a ChangeEvent and its
    # `item_created` payload is named after the noun the event happens to.
    assert names == ["BidAsk", "ChangeEvent", "Feed", "Item", "Order"]


def test_naming_is_the_same_for_the_same_ir() -> None:
    root = detect_tagged_unions(shape({"m": {"a": {"x": 1}}}, {"m": {"b": {"x": 2}}}))
    first, second = name_shapes(root, "Root"), name_shapes(root, "Root")
    assert first.records == second.records and first.unions == second.unions


def test_map_values_must_fit_together_not_only_the_first() -> None:
    # `[]` fits both other values, which do not fit each other: not a map (found by the fuzzer).
    root = detect_maps(
        shape({"a": {"X-Y": [], "1": [{}], "Z-W": [{"A-B": 0, "C-D": 0, "E-F": 0}]}})
    )
    assert isinstance(field_shape(root, "a").record, ObjectShape)


def test_dedupe_never_merges_a_record_with_one_nested_inside_it() -> None:
    # A tree: the inner node has the outer's keys, and `[]`/null fit anything. Merging the two
    # levels used to recurse one level deeper each round and never finish (found in review).
    # Observation folds such a tree into one recursive type unless the config says no.
    no_recursion = Overrides(
        (PathOverride("$", Location("c.toml", 1), recursive=False),)
    )
    sample = {"id": 1, "children": [{"id": 2, "children": []}]}
    observed = observe([(sample, Location("s.json", 1))], no_recursion)
    assert observed is not None
    root = dedupe(observed)
    inner = field_shape(root, "children").array
    assert inner is not None and inner.items is not None
    assert isinstance(inner.items.record, ObjectShape)
    assert inner.items.record != root.record


def test_hyphenated_field_names_are_a_record_not_a_map() -> None:
    root = detect_maps(
        shape({"user": {"first-name": "Ann", "last-name": "Lee", "e-mail": "a@b"}})
    )
    assert isinstance(field_shape(root, "user").record, ObjectShape)


def test_word_keys_are_a_map_when_they_behave_like_data() -> None:
    # Each object names one or two of many users: sparse keys over 4 objects, one value shape.
    names = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi"]
    sparse = detect_maps(
        shape(
            *[
                {"id": n, "scores": {names[2 * n]: n, names[2 * n + 1]: n + 1}}
                for n in range(4)
            ]
        )
    )
    assert isinstance(field_shape(sparse, "scores").record, MapShape)
    # One object with 250 keys of one type: no one writes that as fields.
    emoji = {
        f"smile_{chr(97 + n % 26)}{n // 26}": f"https://e/{n}.png" for n in range(250)
    }
    wide = detect_maps(shape({"emoji": emoji}))
    assert isinstance(field_shape(wide, "emoji").record, MapShape)


def test_a_wide_record_stays_a_record() -> None:
    # 250 fields, but of different types: a record, however wide.
    fields = {f"field_{n}": (n if n % 2 else str(n)) for n in range(250)}
    wide = detect_maps(shape({"r": fields}))
    assert isinstance(field_shape(wide, "r").record, ObjectShape)
    # Optional keys that recur in most objects are fields, not data.
    keys = [f"opt_{n}" for n in range(10)]
    recurring = detect_maps(
        shape(*[{"r": {k: 1 for k in keys if k != keys[n]}} for n in range(4)])
    )
    assert isinstance(field_shape(recurring, "r").record, ObjectShape)


def _frames(payload: Any) -> list[list[Any]]:
    """Positional arrays of two kinds; `payload` at index 1 of the `a` kind."""
    return [[1, payload, "a"], [2, payload, "a"], [3, [], "b"], [4, [], "b"]]


def _items(shape: Shape) -> Shape:
    assert shape.array is not None and shape.array.items is not None
    return shape.array.items


def test_positional_kinds_are_compatible_only_position_by_position() -> None:
    """Records holding positional kinds merge (dedupe) when each kind's items agree."""
    root = dedupe(
        shape({"p": _frames({"x": 1}), "q": _frames({"x": 2}), "r": _frames("text")})
    )
    p, q, r = (_items(field_shape(root, key)) for key in "pqr")
    assert p.tuples is not None and [k.tag for k in p.tuples.kinds] == ["a", "b"]
    assert compatible(p, q)
    assert not compatible(p, r)  # a string where the others hold an object
