"""Stable names: a class keeps its name (and its bytes) when unrelated samples are added, removed
or reordered; a name two records want goes to the one that had it in the package generated
before, else to the shallower one, and the other is qualified by the class holding it, never
numbered."""

from __future__ import annotations

import ast
import json
import shutil
from pathlib import Path
from typing import Any

from codegen.diff import committed_schemas
from codegen.pipeline import build_packages
from codegen.write import write_packages


def user(number: int) -> dict[str, Any]:
    return {"login": f"user{number}", "id": number, "site_admin": False}


def repository(number: int) -> dict[str, Any]:
    return {"id": 100 + number, "full_name": f"org/repo{number}", "owner": user(number)}


# A webhook-like set: a sub-folder per event, each with its own objects and shared ones.
EVENTS: dict[str, list[dict[str, Any]]] = {
    "release": [
        {
            "action": "published",
            "release": {"id": n, "tag_name": f"v{n}", "author": user(n)},
            "repository": repository(n),
            "sender": user(n),
        }
        for n in range(3)
    ],
    "star": [
        {"action": "created", "starred_at": "2024", "repository": repository(n)}
        for n in range(3)
    ],
}

# An event added later. Its folder sorts first, and it brings records of its own, one of them
# under a key (`permissions`) that an existing record is named after.
ADDED = {
    "check_run": [
        {
            "action": "completed",
            "check_run": {
                "id": n,
                "status": "completed",
                "app": {
                    "slug": "ci",
                    "permissions": {"checks": "write", "contents": "read"},
                },
            },
            "repository": repository(n),
        }
        for n in range(3)
    ]
}
DEPLOY = {
    "deployment": [
        {
            "action": "created",
            "deployment": {
                "id": n,
                "sha": "abc",
                "installation": {
                    "id": 9,
                    "permissions": {"deployments": "write", "metadata": "read"},
                },
            },
            "repository": repository(n),
        }
        for n in range(3)
    ]
}


def generate(
    root: Path,
    events: dict[str, list[dict[str, Any]]],
    out: Path | None = None,
    **names: str,
) -> str:
    """models.py of the set written from `events` into `out` (default root/out), as `codegen
    generate` does: the package already there is the one generated before. `names` renames
    sample files (kind -> stem format, e.g. "z-{n}") so that only their order changes.
    """
    samples = root / "samples" / "hooks"
    shutil.rmtree(samples, ignore_errors=True)
    for kind, messages in events.items():
        (samples / kind).mkdir(parents=True, exist_ok=True)
        for number, message in enumerate(messages):
            stem = names.get(kind, "{n}").format(n=number)
            (samples / kind / f"{stem}.json").write_text(json.dumps(message, indent=1))
    out = out or root / "out"
    write_packages(build_packages(root / "samples", committed_schemas(out)), out)
    return (out / "hooks" / "models.py").read_text()


def classes(models: str) -> dict[str, str]:
    """Each top-level class or alias of models.py -> its source text."""
    tree = ast.parse(models)
    found = {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            found[node.name] = ast.get_source_segment(models, node) or ""
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            found[node.target.id] = ast.get_source_segment(models, node) or ""
    return found


def test_adding_an_event_keeps_every_class_of_the_others(tmp_path: Path) -> None:
    before = classes(generate(tmp_path, EVENTS | DEPLOY))
    after = classes(generate(tmp_path, EVENTS | DEPLOY | ADDED))
    kept = {name: text for name, text in before.items() if name in after}
    # The root alias lists the new kind; everything else is the same class, byte for byte.
    assert set(before) - set(kept) == set()
    changed = [name for name in kept if before[name] != after[name]]
    assert changed == ["HooksMessage"]
    assert "Permissions" in before and before["Permissions"] == after["Permissions"]
    # The newcomer's `permissions` is qualified by the class holding it: no number.
    assert "AppPermissions" in set(after) - set(before)


def test_without_the_package_before_the_shallower_record_takes_the_name(
    tmp_path: Path,
) -> None:
    """From scratch, the two `permissions` records are equally deep: the name goes by path text
    (`<check_run>` before `<deployment>`), whatever order the samples came in; a package
    generated before is what keeps the deployment's name in the test above."""
    fresh = classes(generate(tmp_path, EVENTS | DEPLOY | ADDED))
    assert "checks: str" in fresh["Permissions"]
    assert "deployments: str" in fresh["InstallationPermissions"]


def test_the_package_before_never_keeps_a_name_for_another_place(
    tmp_path: Path,
) -> None:
    """Names are kept by place: a record gone from its place frees its name for the next."""
    before = classes(generate(tmp_path, EVENTS | DEPLOY))
    assert "deployments: str" in before["Permissions"]
    after = classes(generate(tmp_path, EVENTS | ADDED))
    assert "checks: str" in after["Permissions"]
    assert "AppPermissions" not in after


def test_removing_an_event_keeps_every_class_of_the_others(tmp_path: Path) -> None:
    full = classes(generate(tmp_path / "full", EVENTS | DEPLOY | ADDED))
    fewer = classes(generate(tmp_path / "fewer", EVENTS | ADDED))
    assert set(fewer) <= set(full)
    changed = [name for name in fewer if fewer[name] != full[name]]
    assert changed == ["HooksMessage"]


def test_sample_order_does_not_change_names(tmp_path: Path) -> None:
    """Files renamed so that they sort the other way round: same names, same bytes, but for the
    'first seen in' lines that name the files."""
    events = EVENTS | DEPLOY | ADDED
    forward = generate(tmp_path / "forward", events)
    reverse = generate(
        tmp_path / "reverse",
        events,
        **{kind: "{n}" if kind == "star" else "z-{n}" for kind in events},
    )
    assert sorted(classes(forward)) == sorted(classes(reverse))


def test_a_contested_name_is_qualified_never_numbered(tmp_path: Path) -> None:
    names = classes(generate(tmp_path, EVENTS | DEPLOY | ADDED))
    assert "Permissions" in names and "InstallationPermissions" in names
    assert [name for name in names if name[-1].isdigit()] == []


def test_a_kind_holding_its_namesake_is_the_message(tmp_path: Path) -> None:
    """The `release` event holds a `release` object: DeploymentMessage holds the Release."""
    names = classes(generate(tmp_path, EVENTS))
    assert "release: Release" in names["ReleaseMessage"]
    assert "tag_name: str" in names["Release"]
    # A kind without a namesake field keeps its tag's name.
    assert "Star" in names


def test_a_vague_key_is_named_with_its_holder(tmp_path: Path) -> None:
    """`data` says nothing alone: the record under it is named with the class holding it."""
    samples = tmp_path / "samples" / "feed"
    samples.mkdir(parents=True)
    (samples / "a.json").write_text(
        json.dumps(
            {
                "ticker": {"symbol": "BTC", "data": {"bid": 1.5, "ask": 2.5}},
                "account": {"owner": "x", "data": {"balance": 3.0, "currency": "USD"}},
            }
        )
    )
    write_packages(build_packages(tmp_path / "samples"), tmp_path / "out")
    names = classes((tmp_path / "out" / "feed" / "models.py").read_text())
    assert "data: TickerData" in names["Ticker"]
    assert "data: AccountData" in names["Account"]
    assert "Data" not in names


def test_a_signed_number_key_reads_its_sign_and_names_the_wire_key(
    tmp_path: Path,
) -> None:
    """`-1` and `1` side by side: minus_1 and n_1 (never `n_1` and `n_1_2`), each attribute
    saying the wire key it stands for; a key that is an identifier says nothing more."""
    samples = tmp_path / "samples" / "book"
    samples.mkdir(parents=True)
    (samples / "a.json").write_text(
        json.dumps(
            {"levels": {"-1": 1.5, "1": 2.5, "+2": 0.5, "mid": 2.0}, "symbol": "BTC"}
        )
    )
    write_packages(build_packages(tmp_path / "samples"), tmp_path / "out")
    levels = classes((tmp_path / "out" / "book" / "models.py").read_text())["Levels"]
    assert 'minus_1: float\n    """The wire key `-1`."""' in levels
    assert 'n_1: float\n    """The wire key `1`."""' in levels
    assert 'plus_2: float\n    """The wire key `+2`."""' in levels
    models = (tmp_path / "out" / "book" / "models.py").read_text()
    assert "symbol: str\n" in models and "The wire key `symbol`" not in models


def test_a_name_its_holder_qualifies_to_itself_takes_the_holder_s_whole_name(
    tmp_path: Path,
) -> None:
    """Kinds by `channel`, each holding `events` of records named like the kind: the ticker
    records in TickerEvent would be qualified to Ticker again (the subject of TickerEvent), a
    name the kind has; they are TickerEventTicker, not Ticker2."""
    samples = tmp_path / "samples" / "feed"
    samples.mkdir(parents=True)
    entries = {
        "ticker": {"product": "BTC-USD", "price": "1.5"},
        "status": {"state": "online"},
    }
    for n, channel in enumerate(["ticker", "ticker", "status", "status"]):
        event = {"kind": "update", channel: [entries[channel]]}
        message = {"channel": channel, "seq": n, "events": [event]}
        (samples / f"{n}.json").write_text(json.dumps(message), encoding="utf-8")
    write_packages(build_packages(tmp_path / "samples"), tmp_path / "out")
    names = classes((tmp_path / "out" / "feed" / "models.py").read_text())
    assert {"Ticker", "TickerEvent", "TickerEventTicker"} <= set(names), sorted(names)
    assert [name for name in names if name[-1].isdigit()] == []
