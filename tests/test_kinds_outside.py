"""Kinds that the message does not name by a key of its own: by a sub-folder of samples (the kind
is given beside the message, like a webhook's event header) and by JSON kind (arrays beside tagged
objects in one stream)."""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from codegen.pipeline import build_packages
from codegen.write import write_packages
from conftest import (
    cli_generate,
    contract_failures,
    import_generated,
    package_schema,
    run_mypy,
    run_pyright,
    run_ruff,
)

OCTOCAT = {"login": "octocat", "id": 1}
HUBOT = {"login": "hubot", "id": 2}

# Kind (sub-folder) -> its samples. Every kind carries a `sender` of one shape: one class for
# every sender and issue user, named after its shallowest place (`sender`).
HOOKS: dict[str, list[dict[str, Any]]] = {
    "issues": [
        {
            "action": "opened",
            "issue": {"id": 1, "title": "Crash", "user": OCTOCAT},
            "sender": OCTOCAT,
        },
        {
            "action": "closed",
            "issue": {"id": 2, "title": "Typo", "user": HUBOT},
            "sender": HUBOT,
        },
    ],
    "push": [
        {
            "ref": "refs/heads/main",
            "commits": [{"id": "9f1c", "message": "fix"}],
            "sender": OCTOCAT,
        }
    ],
    "ping": [{"zen": "Keep it logically awesome.", "hook_id": 12, "sender": HUBOT}],
}


def write_set(root: Path, name: str, files: dict[str, Any]) -> Path:
    """root/samples/<name>/<relative path> for each file (a JSON value, or text as it is)."""
    set_dir = root / "samples" / name
    for relative, content in files.items():
        path = set_dir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        text = content if isinstance(content, str) else json.dumps(content)
        path.write_text(text, encoding="utf-8")
    return set_dir


@pytest.fixture(scope="module")
def hooks(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    root = tmp_path_factory.mktemp("hooks")
    write_set(
        root,
        "hooks",
        {
            f"{kind}/{number}.json": sample
            for kind, samples in HOOKS.items()
            for number, sample in enumerate(samples)
        },
    )
    write_packages(build_packages(root / "samples"), root / "out")
    return import_generated(root / "out", "hooks")


def test_a_kind_per_sub_folder(hooks: ModuleType) -> None:
    schema = package_schema(hooks)
    root = schema["$defs"]["HooksMessage"]
    assert root["x-codegen-union"] == "out-of-band"
    assert root["x-codegen-kinds"] == {
        "issues": "Issues",
        "ping": "Ping",
        "push": "Push",
    }
    # Shared across kinds: one class for every sender and issue user.
    users = [
        name
        for name, d in schema["$defs"].items()
        if "login" in d.get("properties", {})
    ]
    assert users == ["Sender"]
    for kind, samples in HOOKS.items():
        validator = Draft202012Validator(
            {**schema, "$ref": f"#/$defs/{root['x-codegen-kinds'][kind]}"}
        )
        for sample in samples:
            assert list(validator.iter_errors(sample)) == []


def test_decode_takes_the_kind_and_round_trips(hooks: ModuleType) -> None:
    for kind, samples in HOOKS.items():
        for sample in samples:
            message = hooks.decode(json.dumps(sample), kind=kind)
            assert type(message).__name__ == kind.capitalize()
            assert json.dumps(hooks.encode(message)) == json.dumps(sample)
    issue = hooks.decode(HOOKS["issues"][0], kind="issues")
    assert type(issue.sender) is hooks.Sender is type(issue.issue.user)


def test_a_kind_no_folder_showed_is_kept_raw(hooks: ModuleType) -> None:
    star = {"action": "created", "starred_at": "2026-01-01T00:00:00Z", "sender": HUBOT}
    message = hooks.decode(json.dumps(star), kind="star")
    assert type(message) is hooks.UnknownHooksMessage
    assert (message.kind, message.raw) == ("star", star)
    assert json.dumps(hooks.encode(message)) == json.dumps(star)


def test_a_payload_contradicting_its_kind_names_path_and_kind(
    hooks: ModuleType,
) -> None:
    broken = json.loads(json.dumps(HOOKS["push"][0]))
    broken["commits"][0]["id"] = 7
    with pytest.raises(hooks.DecodeError) as caught:
        hooks.decode(broken, kind="push")
    assert str(caught.value) == (
        '$.commits[0].id: expected string, found integer 7 (decoding the "kind": "push" kind)'
    )


def test_dispatch_routes_by_the_kind_given(hooks: ModuleType) -> None:
    calls: list[tuple[str, str]] = []
    dispatcher = hooks.Dispatcher()
    dispatcher.on_issues(lambda m: calls.append(("issues", type(m).__name__)))
    dispatcher.on_push(lambda m: calls.append(("push", type(m).__name__)))
    dispatcher.on_unknown(lambda m, u: calls.append(("unknown", u.kind)))
    dispatcher.on_unhandled(lambda m: calls.append(("unhandled", type(m).__name__)))
    dispatcher.dispatch(json.dumps(HOOKS["issues"][1]), kind="issues")
    dispatcher.dispatch(HOOKS["push"][0], kind="push")
    dispatcher.dispatch(HOOKS["ping"][0], kind="ping")
    dispatcher.dispatch({"zen": "new"}, kind="meta")
    assert calls == [
        ("issues", "Issues"),
        ("push", "Push"),
        ("unhandled", "Ping"),
        ("unknown", "meta"),
    ]


def test_mypy_rejects_a_handler_for_another_kind(
    hooks: ModuleType, tmp_path: Path
) -> None:
    package_dir = Path(hooks.__file__).parent
    (tmp_path / "use.py").write_text(
        "from hooks import Dispatcher, Issues, Push\n"
        "d = Dispatcher()\n"
        "def on_push(message: Push) -> None: ...\n"
        "def on_issue(message: Issues) -> None: ...\n"
        "d.on_push(on_push)\n"
        "d.on_issues(on_push)\n",
        encoding="utf-8",
    )
    result = run_mypy("use.py", cwd=tmp_path, mypypath=package_dir.parent)
    assert result.returncode == 1, result.stdout
    assert "use.py:6: error" in result.stdout and "arg-type" in result.stdout
    assert "use.py:5" not in result.stdout
    # The package itself is lint-clean, its decoders by kind included.
    assert run_ruff(package_dir) == []
    assert run_pyright(package_dir, cwd=tmp_path) == []


def test_samples_at_the_top_level_keep_one_root(tmp_path: Path) -> None:
    """Folders only organise files when some samples sit beside them."""
    write_set(
        tmp_path,
        "mixed",
        {"a.json": {"x": 1}, "older/b.json": {"x": 2, "y": "b"}},
    )
    (package,) = build_packages(tmp_path / "samples")
    root = package.schema["$defs"][package.schema["title"]]
    assert "x-codegen-union" not in root
    assert list(root["properties"]) == ["x", "y"]


def test_a_kind_folder_holding_a_non_object_is_a_clear_error(tmp_path: Path) -> None:
    write_set(tmp_path, "hooks", {"push/a.json": {"ref": "x"}, "ping/b.json": [1, 2]})
    result = cli_generate(tmp_path / "samples", tmp_path / "out")
    assert result.exit_code == 2
    assert "ping/b.json:1:1" in result.output
    assert "the samples of kind 'ping' (its sub-folder) must be JSON objects" in (
        result.output
    )
    assert not (tmp_path / "out").exists()


# --- several JSON kinds in one stream -------------------------------------------------------

STREAM: list[Any] = [
    {"event": "heartbeat"},
    {"event": "systemStatus", "connectionID": 8628615390848, "status": "online"},
    {
        "event": "subscriptionStatus",
        "channelID": 10001,
        "pair": "XBT/USD",
        "status": "subscribed",
        "subscription": {"name": "book", "depth": 10},
    },
    [10001, {"a": [["5541.3", "2.5", "1534614248.45"]]}, "book-10", "XBT/USD"],
    [0, [["5541.2", "0.15", "1534614057.32", "s", "l", ""]], "trade", "XBT/USD"],
]


@pytest.fixture(scope="module")
def stream(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    root = tmp_path_factory.mktemp("stream")
    write_set(root, "stream", {f"{n:02d}.json": s for n, s in enumerate(STREAM)})
    write_packages(build_packages(root / "samples"), root / "out")
    return import_generated(root / "out", "stream")


def test_arrays_and_tagged_objects_each_get_handlers(stream: ModuleType) -> None:
    assert contract_failures(stream, STREAM) == []
    calls: list[tuple[str, Any]] = []
    dispatcher = stream.Dispatcher()
    dispatcher.on_array(lambda payload: calls.append(("array", payload[2])))
    dispatcher.on_heartbeat(lambda m: calls.append(("heartbeat", m.event)))
    dispatcher.on_system_status(lambda m: calls.append(("status", m.status)))
    dispatcher.on_subscription_status(lambda m: calls.append(("sub", m.pair)))
    for message in STREAM:
        dispatcher.dispatch(json.dumps(message))
    assert calls == [
        ("heartbeat", "heartbeat"),
        ("status", "online"),
        ("sub", "XBT/USD"),
        ("array", "book-10"),
        ("array", "trade"),
    ]


def test_an_unseen_event_beside_arrays_is_an_unknown_kind(stream: ModuleType) -> None:
    pong = {"event": "pong", "reqid": 42}
    message = stream.decode(json.dumps(pong))
    assert type(message).__name__.startswith("Unknown")
    assert json.dumps(stream.encode(message)) == json.dumps(pong)
