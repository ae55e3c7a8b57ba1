"""One class per real object (issue 8 item 6): a record seen at several places with a few keys
more or less is one class; records that merely share a few keys, or sit under keys that name
different things, stay apart."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from codegen.errors import Location
from codegen.infer.ir import ObjectShape, Shape, Tag
from codegen.infer.observe import observe
from codegen.infer.passes import dedupe, merge_similar
from conftest import build_and_import, contract_failures, package_schema


def issue(number: int, **more: Any) -> dict[str, Any]:
    return {
        "id": number,
        "title": f"Bug {number}",
        "state": "open",
        "comments": number * 2,
        "locked": False,
        **more,
    }


# Events holding an issue; in the `pulled` event it is a pull request's issue, with one key more.
SAMPLES = [
    {"opened": {"issue": issue(1), "at": "2024-01-01"}},
    {"opened": {"issue": issue(2), "at": "2024-01-02"}},
    {"closed": {"issue": issue(3, pull_request={"url": "u"}), "by": "octocat"}},
    {"closed": {"issue": issue(4, pull_request={"url": "v"}), "by": "hubot"}},
]


def records(root: Shape) -> list[ObjectShape]:
    """Every distinct ObjectShape in the tree."""
    found: list[ObjectShape] = []

    def visit(shape: Shape) -> None:
        record = shape.record
        if isinstance(record, ObjectShape):
            if record not in found:
                found.append(record)
            for item in record.fields:
                visit(item.shape)
        elif record is not None and hasattr(record, "variants"):
            for variant in record.variants:
                visit(variant.shape)
        if shape.array is not None and shape.array.items is not None:
            visit(shape.array.items)

    visit(root)
    return found


def passes(*samples: Any) -> Shape:
    root = observe((s, Location("s.json", n)) for n, s in enumerate(samples, 1))
    assert root is not None
    return merge_similar(dedupe(root))


def with_keys(root: Shape, *keys: str) -> list[ObjectShape]:
    return [r for r in records(root) if set(keys) <= r.keys]


def test_an_object_with_a_key_more_is_one_class(tmp_path: Path) -> None:
    package = build_and_import(tmp_path, "tracker", SAMPLES)
    assert contract_failures(package, SAMPLES) == []
    schema = package_schema(package)
    issues = [
        (name, d)
        for name, d in schema["$defs"].items()
        if "title" in d.get("properties", {})
    ]
    assert [name for name, _ in issues] == ["Issue"]
    definition = issues[0][1]
    assert "pull_request" in definition["properties"]
    assert "pull_request" not in definition["required"]
    assert "5 of 6 keys shared" in definition["x-codegen-evidence"]
    # The payloads of both events hold the one class; the pull request's issue keeps its key.
    closed = package.decode(SAMPLES[2])
    opened = package.decode(SAMPLES[0])
    assert type(closed.value.issue) is type(opened.value.issue) is package.Issue
    assert closed.value.issue.pull_request.url == "u"
    assert opened.value.issue.pull_request is package.ABSENT


def test_records_sharing_only_a_few_keys_stay_apart() -> None:
    """`id`, `name` and `created` in common, and as many keys of their own: two things."""
    root = passes(
        {
            "owner": {"id": 1, "name": "a", "created": "x", "email": "e", "plan": "p"},
            "other": {
                "owner": {"id": 2, "name": "b", "created": "y", "stars": 3, "forks": 4}
            },
        }
    )
    assert len(with_keys(root, "id", "name", "created")) == 2


def test_records_under_keys_naming_different_things_stay_apart() -> None:
    """An order and a trade with near-equal keys are still an order and a trade."""
    common = {"id": 1, "price": "1.5", "size": "2", "side": "buy", "time": 5}
    root = passes({"order": {**common, "status": "open"}, "trade": common})
    assert len(with_keys(root, "id", "price", "size", "side", "time")) == 2


def test_a_record_never_merges_with_one_it_holds() -> None:
    """A comment holding a reply with a key fewer: a tree, not one record seen twice."""
    reply = {"id": 2, "body": "b", "author": "x", "votes": 1}
    root = passes(
        {"comment": {"id": 1, "body": "a", "author": "y", "votes": 3, "comment": reply}}
    )
    assert len(with_keys(root, "id", "body", "author", "votes")) == 2


def test_kinds_of_a_message_union_never_merge() -> None:
    """Two message kinds told apart by their `type` keep their classes however alike they are:
    8 of 10 keys shared and tags naming the same noun (ticker) would merge two records that are
    not kinds."""
    common = {"symbol": "BTC", "price": 1.0, "volume": 2.0, "at": 1, "open": 1.0}
    common |= {"high": 2.0, "low": 0.5}
    messages = [{"type": "ticker", **common, "at": n} for n in range(3)]
    messages += [
        {"type": "spot_ticker", **common, "at": n, "bid": 1.0, "ask": 2.0}
        for n in range(3)
    ]
    root = passes(*messages)
    kinds = with_keys(root, *common)
    assert sorted(r.tags for r in kinds) == [
        (Tag("type", "spot_ticker"),),
        (Tag("type", "ticker"),),
    ]
