"""Recursive types (issue 8 item 4): a shape that contains itself is one type that refers to itself.

Detection and its hard negatives on the IR; decode and encode at depths the samples never showed;
a 300-deep sample through the CLI; schema.json validates the samples ($ref cycles); the config
forces or forbids recursion; the generated package passes mypy --strict.
"""

from __future__ import annotations

import inspect
import json
import re
from pathlib import Path
from typing import Any

import pytest

from codegen.errors import CodegenError, Location
from codegen.infer import infer
from codegen.infer.ir import ObjectShape, ObjectUnion, Shape
from codegen.infer.observe import observe
from codegen.infer.overrides import Overrides, PathOverride
from codegen.infer.passes.tree import children, value_children
from codegen.jsonreader import MAX_DEPTH
from codegen.pipeline import build_packages
from codegen.schema import RECURSIVE_KEYWORD
from conftest import (
    GeneratePackage,
    cli_generate,
    contract_failures,
    import_generated,
    package_schema,
    round_trips,
    run_mypy,
)


def observed(*samples: Any, overrides: Overrides | None = None) -> Shape:
    root = observe(
        [(sample, Location("s.json", n)) for n, sample in enumerate(samples, 1)],
        overrides,
    )
    assert root is not None
    return root


def field(shape: Shape, *keys: str) -> Shape:
    """The shape at keys below `shape` (`[*]` for a list's items)."""
    for key in keys:
        if key == "[*]":
            assert shape.array is not None and shape.array.items is not None
            shape = shape.array.items
            continue
        record = shape.record
        assert isinstance(record, ObjectShape), f"no record above {key!r}"
        shape = next(f.shape for f in record.fields if f.key == key)
    return shape


def anchor_of(shape: Shape) -> str | None:
    record = shape.record
    assert isinstance(record, (ObjectShape, ObjectUnion))
    return record.anchor.id if record.anchor is not None else None


def nested(depth: int, leaf: Any = 1) -> Any:
    """`{"a": {"a": ... leaf}}` with `depth` objects."""
    value = leaf
    for _ in range(depth):
        value = {"a": value}
    return value


def thread(depth: int) -> dict[str, Any]:
    """A comment with `depth` levels of replies, a second short reply at each level."""
    comment: dict[str, Any] = {"id": 0, "body": "leaf", "replies": []}
    for level in range(1, depth):
        sibling = {"id": -level, "body": "aside", "replies": []}
        comment = {"id": level, "body": f"level {level}", "replies": [comment, sibling]}
    return comment


THREADS = [
    {
        "id": 1,
        "body": "first",
        "replies": [
            {
                "id": 2,
                "body": "re",
                "replies": [{"id": 3, "body": "re re", "replies": []}],
            },
            {"id": 4, "body": "aside", "replies": []},
        ],
    },
    {"id": 5, "body": "alone", "replies": []},
]


def num(value: int) -> dict[str, Any]:
    return {"type": "Num", "value": value}


def binop(op: str, left: Any, right: Any) -> dict[str, Any]:
    return {"type": "BinOp", "op": op, "left": left, "right": right}


AST = [
    binop("+", num(1), num(2)),
    binop("*", binop("+", num(1), num(2)), num(3)),
    binop("-", num(4), {"type": "Neg", "operand": num(5)}),
]


# --- detection -------------------------------------------------------------------------------


def test_a_tree_is_one_record_whose_children_are_itself() -> None:
    root = observed({"id": 1, "children": [{"id": 2, "children": []}]})
    assert anchor_of(root) == "$"
    assert field(root, "children", "[*]") == Shape(recursion="$")


def test_comment_replies_are_the_comment_type() -> None:
    root = observed(*THREADS)
    assert anchor_of(root) == "$"
    assert field(root, "replies", "[*]").recursion == "$"
    record = root.record
    assert isinstance(record, ObjectShape)
    assert [f.key for f in record.fields] == ["id", "body", "replies"]
    assert record.count == 5  # every comment at every depth is evidence for one record


def test_single_key_nesting_is_recursive_three_levels_deep() -> None:
    root = observed(nested(3))
    assert anchor_of(root) == "$"
    a = field(root, "a")
    assert a.recursion == "$" and a.integer and a.record is None


def test_recursion_below_the_root_is_anchored_where_it_starts() -> None:
    root = observed(
        {"meta": {"n": 1}, "tree": {"id": 1, "children": [{"id": 2, "children": []}]}}
    )
    assert anchor_of(root) is None
    assert anchor_of(field(root, "tree")) == "$.tree"
    assert field(root, "tree", "children", "[*]").recursion == "$.tree"


def test_an_ast_is_one_union_of_kinds_that_refers_to_itself() -> None:
    """The top is always BinOp; `left` holds a BinOp once, which makes it an edge, and brings the
    Num leaves in: every operand position then holds the one union of node kinds."""
    root = observed(*AST)
    union = root.record
    assert isinstance(union, ObjectUnion) and union.anchor is not None
    assert union.tag_key == "type"
    assert [v.tag for v in union.variants] == ["BinOp", "Neg", "Num"]
    assert {path for path, _ in union.anchor.edges} == {
        "$.left",
        "$.right",
        "$.operand",
    }
    kinds = {v.tag: v.shape for v in union.variants}
    assert field(kinds["BinOp"], "left").recursion == "$"
    assert field(kinds["Neg"], "operand").recursion == "$"


@pytest.mark.parametrize(
    "samples",
    [
        # a parent and a child sharing `id` and `name` only: two records that name things
        [{"id": 1, "name": "a", "user": {"id": 2, "name": "b"}}],
        [{"id": 1, "name": "a", "owner": {"id": 2, "name": "b", "email": "e"}}],
        # two levels of different records
        [{"order": {"id": 1, "items": [{"sku": "x", "qty": 2}], "total": 3.5}}],
        # a wrapper once inside a wrapper of the same key: no shape repeating
        [{"data": {"data": [1, 2]}}],
        [nested(2)],
        # stats with breakdowns of the same fields, never nesting further
        [
            {
                "pnl": 1.5,
                "volume": 2,
                "trades": 3,
                "cross": {"pnl": 1.0, "volume": 1, "trades": 1},
            }
        ],
        # a kind of message at the top that also appears inside another kind
        [
            {"op": "status", "id": 1, "market": "m", "price": 2.5},
            {
                "op": "update",
                "item": {"op": "status", "id": 2, "market": "n", "price": 1.5},
            },
        ],
        # the same keys below, holding values of other kinds
        [{"id": 1, "name": "a", "next": {"id": "x", "name": ["b"], "next": 0}}],
    ],
    ids=[
        "shares-id-name",
        "shares-two-of-three",
        "two-records",
        "wrapper-in-wrapper",
        "two-single-key-levels",
        "breakdowns",
        "kind-inside-kind",
        "other-kinds-of-values",
    ],
)
def test_hard_negatives_are_not_recursive(samples: list[Any]) -> None:
    inference = infer(
        [(s, Location("s.json", n)) for n, s in enumerate(samples, 1)], "Root"
    )
    assert inference is not None
    assert not _anchors(inference.root)


def _anchors(shape: Shape) -> list[str]:
    """The anchor of every recursive record in the tree."""
    found: list[str] = []
    pending = [shape]
    while pending:
        item = pending.pop()
        pending.extend(value_children(item))
        record = item.record
        if record is not None:
            pending.extend(children(record))
            if isinstance(record, (ObjectShape, ObjectUnion)) and record.anchor:
                found.append(record.anchor.id)
    return found


def test_bundled_sets_have_no_recursive_types() -> None:
    for name in ("trading", "onboarding"):
        schema = json.loads(
            (
                Path(__file__).parent.parent / "generated" / name / "schema.json"
            ).read_text()
        )
        assert not [d for d in schema["$defs"].values() if RECURSIVE_KEYWORD in d]


# --- generated code ----------------------------------------------------------------------------


def test_thread_decodes_and_round_trips_far_deeper_than_its_samples(
    generate_package: GeneratePackage,
) -> None:
    package = generate_package(THREADS)
    assert contract_failures(package, THREADS) == []
    deep = thread(200)  # the samples nest 3 levels
    assert round_trips(package, deep)
    message = package.decode(json.dumps(deep))
    depth = 0
    while message.replies:
        message, depth = message.replies[0], depth + 1
    assert depth == 199 and message.body == "leaf"


def test_ast_decodes_and_round_trips_deeper_than_its_samples(
    generate_package: GeneratePackage,
) -> None:
    package = generate_package(AST)
    assert contract_failures(package, AST) == []
    expression: Any = num(0)
    for n in range(150):
        expression = binop("+", expression, {"type": "Neg", "operand": num(n)})
    assert round_trips(package, expression)
    decoded = package.decode_value(expression)
    assert type(decoded).__name__ == "BinOp"
    assert type(decoded.right).__name__ == "Neg"
    assert type(decoded.right.operand).__name__ == "Num"
    unseen = binop("+", num(1), {"type": "Call", "name": "f"})
    assert round_trips(package, unseen)
    assert type(package.decode_value(unseen).right).__name__.startswith("Unknown")


def test_encode_dispatches_a_root_union_itself_unless_a_type_holds_the_root(
    generate_package: GeneratePackage,
) -> None:
    """encode() holds the root union's isinstance chain (one call fewer per message); the
    union's own encoder is written only when a type refers to the root, as in the AST.
    """
    flat = generate_package(
        [
            {"type": kind, "id": n, key: f"{n}.5"}
            for n in range(3)
            for kind, key in (("trade", "price"), ("quote", "bid"), ("halt", "reason"))
        ]
    )
    ast = generate_package(AST)
    for package, root_encoder in ((flat, False), (ast, True)):
        root = package_schema(package)["title"]
        assert hasattr(package.codec, f"_encode_{root}") is root_encoder
        assert ("isinstance(obj" in inspect.getsource(package.codec.encode)) is not (
            root_encoder
        )
    assert round_trips(flat, {"type": "quote", "id": 9, "bid": "1.25"})
    assert round_trips(ast, binop("+", num(1), {"type": "Neg", "operand": num(2)}))


def test_a_value_too_deep_for_the_python_stack_is_a_decode_error(
    generate_package: GeneratePackage,
) -> None:
    package = generate_package([nested(5)])
    with pytest.raises(package.DecodeError, match="recursion limit"):
        package.decode_value(nested(20_000))
    deep = package.decode_value(nested(5))
    for _ in range(20_000):
        deep = type(deep)(a=deep)
    with pytest.raises(ValueError, match="recursion limit"):
        package.encode(deep)


def test_300_deep_sample_generates_and_round_trips_through_the_cli(
    tmp_path: Path,
) -> None:
    assert MAX_DEPTH >= 300
    sample = nested(300)
    text = json.dumps(sample)
    folder = tmp_path / "samples" / "deep"
    folder.mkdir(parents=True)
    (folder / "tree.json").write_text(text, encoding="utf-8")
    result = cli_generate(tmp_path / "samples", tmp_path / "out")
    assert result.exit_code == 0, result.output
    package = import_generated(tmp_path / "out", "deep")
    assert json.dumps(package.encode(package.decode(text))) == text
    assert round_trips(package, sample)
    assert contract_failures(package, [sample]) == []
    definition = package_schema(package)["$defs"]["DeepMessage"]
    assert definition["properties"]["a"] == {
        "anyOf": [{"type": "integer"}, {"$ref": "#/$defs/DeepMessage"}]
    }
    assert "300 levels deep" in definition[RECURSIVE_KEYWORD]["$.a"]


def test_types_nesting_too_deep_without_recursion_are_a_clear_error(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "samples" / "arrays"
    folder.mkdir(parents=True)
    (folder / "x.json").write_text("[" * 100 + "1" + "]" * 100, encoding="utf-8")
    result = cli_generate(tmp_path / "samples", tmp_path / "out")
    assert result.exit_code == 2
    (line,) = result.output.splitlines()
    assert line.startswith("error: samples/arrays/x.json:1")
    assert "deeper than 64 levels" in line


def test_recursive_packages_pass_mypy_strict(tmp_path: Path) -> None:
    samples = tmp_path / "samples"
    sets = {"thread": THREADS, "ast": AST, "deep": [nested(4)]}
    for name, values in sets.items():
        (samples / name).mkdir(parents=True)
        for n, value in enumerate(values):
            (samples / name / f"{n}.json").write_text(
                json.dumps(value), encoding="utf-8"
            )
    result = cli_generate(samples, tmp_path / "out")
    assert result.exit_code == 0, result.output
    checked = run_mypy("thread", "ast_api", "deep", cwd=tmp_path / "out")
    assert checked.returncode == 0, checked.stdout


def test_recursive_output_is_deterministic(tmp_path: Path) -> None:
    folder = tmp_path / "samples" / "mixed"
    folder.mkdir(parents=True)
    for n, value in enumerate(AST + THREADS):
        (folder / f"{n}.json").write_text(json.dumps(value), encoding="utf-8")
    first, second = build_packages(folder.parent), build_packages(folder.parent)
    assert [p.files for p in first] == [p.files for p in second]
    (package,) = first
    assert RECURSIVE_KEYWORD in package.files["schema.json"]


# --- config --------------------------------------------------------------------------------


def test_recursive_false_at_the_top_leaves_recursion_to_the_levels_below(
    generate_package: GeneratePackage,
) -> None:
    package = generate_package(THREADS, config='[paths."$"]\nrecursive = false\n')
    schema = package_schema(package)
    top = schema["$defs"][schema["title"]]
    assert RECURSIVE_KEYWORD not in top
    assert top["properties"]["replies"]["items"] == {"$ref": "#/$defs/Reply"}
    assert schema["$defs"]["Reply"][RECURSIVE_KEYWORD].keys() == {
        "$.replies[*].replies[*]"
    }
    assert contract_failures(package, THREADS) == []


def test_recursive_false_at_the_position_below_keeps_it_and_below_apart() -> None:
    setting = PathOverride("$.replies[*]", Location("c.toml", 2), recursive=False)
    root = observed(*THREADS, overrides=Overrides((setting,)))
    assert not _anchors(root)
    assert field(root, "replies", "[*]", "replies", "[*]").recursion is None


def test_a_path_set_to_an_ancestor_is_recursive_without_evidence(
    generate_package: GeneratePackage,
) -> None:
    sample = {"id": 1, "name": "a", "user": {"id": 2, "name": "b"}}
    package = generate_package([sample], config='[paths."$.user"]\nrecursive = "$"\n')
    schema = package_schema(package)
    definition = schema["$defs"][schema["title"]]
    assert definition[RECURSIVE_KEYWORD] == {"$.user": "set in the config"}
    assert round_trips(
        package, {"id": 1, "name": "a", "user": {"id": 2, "name": "b", "user": sample}}
    )


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        (
            "recursive = true",
            "recursive must be false or the path of a position enclosing",
        ),
        ('recursive = "$.other"', "found '$.other'"),
        ('recursive = "$.user"', "found '$.user'"),
        ('recursive = "user"', "a path starts with '$'"),
    ],
)
def test_bad_recursive_settings_name_the_line(
    generate_package: GeneratePackage, setting: str, message: str
) -> None:
    with pytest.raises(CodegenError, match=re.escape(message)) as raised:
        generate_package(
            [{"user": {"id": 1}}], config=f'\n[paths."$.user"]\n{setting}\n'
        )
    assert "codegen.toml:3: " in str(raised.value)
