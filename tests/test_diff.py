"""`codegen diff` and the semantic summary of `codegen check`: changes in terms of the bindings.

The schema tests compare small hand-written schema.json documents; the CLI tests generate a tiny
set, change its samples and read what the command says.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from codegen.cli import main
from codegen.diff import schema_changes

EXAMPLE = "samples/api/{}.json:1:1 at $"


def document(**defs: dict[str, Any]) -> dict[str, Any]:
    root = next(iter(defs))
    return {"title": root, "$ref": f"#/$defs/{root}", "$defs": defs}


def obj(
    required: list[str] | None = None, seen: str = "a", **properties: Any
) -> dict[str, Any]:
    definition = {
        "x-codegen-example": EXAMPLE.format(seen),
        "type": "object",
        "properties": properties,
    }
    if required:
        definition["required"] = required
    return definition


def found(old: dict[str, Any], new: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(c.change, c.subject, c.detail) for c in schema_changes("api", old, new)]


INT, NUM, STR = {"type": "integer"}, {"type": "number"}, {"type": "string"}


def test_the_same_schema_has_no_change() -> None:
    schema = document(Api=obj(["id"], id=INT))
    assert schema_changes("api", schema, schema) == []


def test_fields_added_removed_optional_nullable() -> None:
    old = document(Api=obj(["id", "name", "gone"], id=INT, name=STR, gone=STR))
    new = document(
        Api=obj(
            ["id", "must"],
            id={"type": ["integer", "null"]},
            name=STR,
            must=STR,
            may=STR,
        )
    )
    assert found(old, new) == [
        ("field removed", "Api.gone", ""),
        ("required field added", "Api.must", ""),
        ("optional field added", "Api.may", ""),
        ("field became nullable", "Api.id", ""),
        ("field became optional", "Api.name", ""),
    ]


def test_impact_for_readers_and_builders_follows_the_table() -> None:
    old = document(Api=obj(["a"], a=INT, b=INT))
    new = document(Api=obj(["b", "c"], a=INT, b=INT, c=INT, d=INT))
    impact = {
        c.subject: (c.readers, c.builders) for c in schema_changes("api", old, new)
    }
    assert impact == {
        "Api.a": ("breaking", "ok"),  # became optional: readers must handle ABSENT
        "Api.b": ("ok", "breaking"),  # became required: builders must pass it
        "Api.c": ("ok", "breaking"),  # new required field
        "Api.d": ("ok", "ok"),  # new optional field
    }


def test_types_widened_narrowed_and_changed() -> None:
    old = document(
        Api=obj(
            w=INT,
            m={"type": "array", "items": INT},
            n={"anyOf": [INT, STR]},
            c=STR,
        )
    )
    new = document(
        Api=obj(
            w=NUM,
            m={"type": "array", "items": {"anyOf": [INT, STR]}},
            n=INT,
            c={"type": "boolean"},
        )
    )
    assert found(old, new) == [
        ("type widened", "Api.w", "integer -> number"),
        ("type widened", "Api.m", "list[integer] -> list[integer | string]"),
        ("type narrowed", "Api.n", "integer | string -> integer"),
        ("type changed", "Api.c", "string -> boolean"),
    ]


def test_a_rename_is_reported_once_not_again_where_a_list_holds_the_class() -> None:
    """`list[Price]` -> `list[Quote]` is the rename itself, not a type change of the field."""
    items = {"type": "array", "items": {"$ref": "#/$defs/Price"}}
    old = document(Api=obj(p=items), Price=obj(bid=NUM, seen="b"))
    items = {"type": "array", "items": {"$ref": "#/$defs/Quote"}}
    new = document(Api=obj(p=items), Quote=obj(bid=NUM, seen="c"))
    changes = schema_changes("api", old, new)
    assert [(c.change, c.subject, c.detail) for c in changes] == [
        ("class renamed", "Price", "Price -> Quote")
    ]


def test_a_class_with_the_same_keys_under_a_new_name_is_a_rename() -> None:
    old = document(Api=obj(p={"$ref": "#/$defs/Price"}), Price=obj(bid=NUM, seen="b"))
    new = document(Api=obj(p={"$ref": "#/$defs/Quote"}), Quote=obj(bid=NUM, seen="c"))
    changes = schema_changes("api", old, new)
    assert [(c.change, c.detail, c.origin) for c in changes] == [
        ("class renamed", "Price -> Quote", "samples/api/c.json:1:1 at $")
    ]


def external_union(*tags: str) -> dict[str, Any]:
    defs: dict[str, Any] = {
        "Api": {
            "x-codegen-example": EXAMPLE.format("a"),
            "x-codegen-union": "externally-tagged",
            "anyOf": [{"$ref": f"#/$defs/Api{tag.title()}"} for tag in tags]
            + [{"$ref": "#/$defs/UnknownApi"}],
        },
        "UnknownApi": {"type": "object", "x-codegen-unknown-variant": True},
    }
    for tag in tags:
        defs[f"Api{tag.title()}"] = {
            "description": f"The `{tag}` variant of Api.",
            "type": "object",
            "properties": {tag: {"$ref": f"#/$defs/{tag.title()}"}},
            "required": [tag],
        }
        defs[tag.title()] = obj(seen=tag, **{f"{tag}_id": INT})
    return document(**defs)


def test_variants_added_and_removed_name_their_tag_and_sample() -> None:
    changes = schema_changes(
        "api", external_union("open", "close"), external_union("open", "fill")
    )
    assert [
        (c.change, c.subject, c.readers, c.builders, c.origin) for c in changes
    ] == [
        (
            "variant removed",
            "Api[close]",
            "breaking",
            "breaking",
            "samples/api/close.json:1:1 at $",
        ),
        ("variant added", "Api[fill]", "ok", "ok", "samples/api/fill.json:1:1 at $"),
        (
            "class removed",
            "Close",
            "breaking",
            "breaking",
            "samples/api/close.json:1:1 at $",
        ),
        ("class added", "Fill", "ok", "ok", "samples/api/fill.json:1:1 at $"),
    ]


def test_kinds_given_out_of_band_are_variants_by_kind_name() -> None:
    def kinds(**by_kind: str) -> dict[str, Any]:
        return document(
            Hook={
                "x-codegen-union": "out-of-band",
                "x-codegen-kinds": by_kind,
                "anyOf": [{"$ref": f"#/$defs/{d}"} for d in by_kind.values()],
            },
            Issue=obj(id=INT, seen="issues/a"),
            Push=obj(ref=STR, seen="push/a"),
        )

    old, new = kinds(issues="Issue", push="Push"), kinds(issues="Issue")
    del new["$defs"]["Push"]
    assert found(old, new) == [("variant removed", "Hook[push]", "")]


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], env={"CODEGEN_DEBUG": None})


def generated_set(tmp_path: Path, *samples: Any) -> Path:
    """samples/api/ with one file per sample, generated into out/; returns tmp_path."""
    folder = tmp_path / "samples" / "api"
    folder.mkdir(parents=True)
    for number, sample in enumerate(samples):
        (folder / f"{number}.json").write_text(json.dumps(sample), encoding="utf-8")
    assert run("generate", tmp_path / "samples", "-o", tmp_path / "out").exit_code == 0
    return tmp_path


def test_diff_cli_reports_changes_with_the_sample_and_exits_1(tmp_path: Path) -> None:
    root = generated_set(tmp_path, {"id": 1, "name": "a"})
    assert run("diff", root / "samples", "-o", root / "out").exit_code == 0
    (root / "samples/api/0.json").write_text('{"id": 1.5, "name": "a"}')
    (root / "samples/api/1.json").write_text('{"id": 2}')
    result = run("diff", root / "samples", "-o", root / "out", "--format", "json")
    assert result.exit_code == 1
    # In property order: id, then name.
    assert json.loads(result.stdout) == [
        {
            "package": "api",
            "change": "type widened",
            "subject": "ApiMessage.id",
            "detail": "integer -> number",
            "origin": "samples/api/0.json:1:1 at $",
            "readers": "breaking",
            "builders": "ok",
        },
        {
            "package": "api",
            "change": "field became optional",
            "subject": "ApiMessage.name",
            "detail": "",
            "origin": "samples/api/0.json:1:1 at $",
            "readers": "breaking",
            "builders": "ok",
        },
    ]
    text = run("diff", root / "samples", "-o", root / "out")
    assert text.stdout.splitlines()[2] == (
        "  field became optional: api.ApiMessage.name [readers: breaking, builders: ok]"
    )
    assert text.stdout.splitlines()[-1] == (
        "2 change(s) to the bindings: 2 breaking code that reads messages,"
        " 0 breaking code that builds them"
    )


def test_check_prints_the_semantic_summary_before_the_unified_diff(
    tmp_path: Path,
) -> None:
    root = generated_set(tmp_path, {"id": 1})
    (root / "samples/api/0.json").write_text('{"id": 1, "note": "x"}')
    result = run("check", root / "samples", "-o", root / "out")
    assert result.exit_code == 1
    summary, _, unified = result.stdout.partition("\n--- ")
    assert "required field added: api.ApiMessage.note" in summary
    assert unified.startswith("out/api/")


def test_diff_of_a_package_never_generated_is_a_package_added(tmp_path: Path) -> None:
    (tmp_path / "samples/api").mkdir(parents=True)
    (tmp_path / "samples/api/0.json").write_text("[1]")
    result = run("diff", tmp_path / "samples", "-o", tmp_path / "out")
    assert result.exit_code == 1
    assert result.stdout.startswith("  package added: api.*")


def test_diff_of_a_broken_committed_schema_is_one_line_and_exit_2(
    tmp_path: Path,
) -> None:
    root = generated_set(tmp_path, {"id": 1})
    (root / "out/api/schema.json").write_text("{")
    result = run("diff", root / "samples", "-o", root / "out")
    assert result.exit_code == 2
    assert result.stderr.startswith(
        f"error: {root / 'out/api/schema.json'}: cannot read"
    )
    assert len(result.stderr.splitlines()) == 1
