"""Message kinds set by the config: `[paths."$..."]` in the set's codegen.toml.

What the config says wins over inference: a forced tag (or composite tag), no union
(`tag = false`), keys that are never the tag (`not_tags`), and names for a union's kinds
(`variant_names`) or for the objects at a path (`name`). Every mistake is exit 2 with one line
naming codegen.toml and the line of the setting. Expectations are derived from the fixtures by
hand; each override is checked against the same samples without it.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from codegen.pipeline import SampleSet, build_packages, infer_schema
from codegen.write import write_packages
from conftest import cli_generate, contract_failures, import_generated, package_schema
from test_kinds import (
    FEED,
    FEED_KINDS,
    NESTED,
    WRAPPER,
    leaf_methods,
    members,
    recording_dispatcher,
    unions,
    unknown_members,
    write_set,
)

# Twelve orders of one shape: `side` is buy or sell, and tells nothing about the keys.
SIDES: list[dict[str, Any]] = [
    {"side": ("buy", "sell")[i % 2], "price": f"{100 + i}.5", "qty": f"0.{i + 1}"}
    for i in range(12)
]

# `type` tells the keys (`ok` vs `data`); `channel` tells nothing, so inference splits by type only.
CHANNELS: list[dict[str, Any]] = [
    {
        "type": ("subscribed", "update")[i % 2],
        "channel": ("trades", "book")[i // 2 % 2],
        "seq": i,
        **({"ok": True} if i % 2 == 0 else {"data": {"x": i}}),
    }
    for i in range(8)
]
CHANNEL_LEAVES = {
    ("subscribed", "trades"): ("SubscribedTrades", "on_subscribed_trades"),
    ("subscribed", "book"): ("SubscribedBook", "on_subscribed_book"),
    ("update", "trades"): ("UpdateTrades", "on_update_trades"),
    ("update", "book"): ("UpdateBook", "on_update_book"),
}


def _streams() -> list[dict[str, Any]]:
    """Combined streams: `stream` = `<symbol>@<channel>` beside the event in `data`."""
    names = {"trade": "trade", "depthUpdate": "depth", "kline": "kline"}
    return [
        {
            "stream": f"{s['data']['s'].lower()}@{names[s['data']['e']]}",
            "data": s["data"],
        }
        for s in NESTED
    ]


STREAMS = _streams()

CONFIGURED: dict[str, tuple[list[Any], str]] = {
    "cfg_sides": (SIDES, '[paths."$"]\ntag = "side"\n'),
    "cfg_channels": (CHANNELS, '[paths."$"]\ntag = ["type", "channel"]\n'),
    "cfg_no_union": (FEED, '[paths."$"]\ntag = false\n'),
    "cfg_renamed": (
        FEED,
        '[paths."$"]\nvariant_names = { l2update = "Level2Update", match = "Fill" }\n',
    ),
    "cfg_streams": (
        STREAMS,
        '[paths."$"]\nnot_tags = ["stream"]\n\n'
        '[paths."$.data"]\nname = "Event"\nvariant_names = { depthUpdate = "BookDelta" }\n',
    ),
    "cfg_wrapper": (WRAPPER, '[paths."$.data.user"]\nname = "Account"\n'),
}


@pytest.fixture(scope="module")
def configured(tmp_path_factory: pytest.TempPathFactory) -> dict[str, ModuleType]:
    """Every set of CONFIGURED generated in one run and imported."""
    root = tmp_path_factory.mktemp("kinds_config")
    for name, (samples, config) in CONFIGURED.items():
        write_set(root, name, samples, config)
    write_packages(build_packages(root / "samples"), root / "out")
    return {name: import_generated(root / "out", name) for name in CONFIGURED}


def inferred(tmp_path: Path, samples: list[Any]) -> dict[str, Any]:
    """schema.json of the samples without any config."""
    set_dir = write_set(tmp_path, "plain", samples)
    return infer_schema(SampleSet(set_dir, "samples/plain"))[1]


def root_def(schema: dict[str, Any]) -> dict[str, Any]:
    definition: dict[str, Any] = schema["$defs"][schema["title"]]
    return definition


# --- forcing a tag ---------------------------------------------------------------------------


def test_forced_tag_splits_what_inference_keeps_whole(
    configured: dict[str, ModuleType], tmp_path: Path
) -> None:
    assert unions(inferred(tmp_path, SIDES)) == {}  # without the config: one record
    package = configured["cfg_sides"]
    schema = package_schema(package)
    root = root_def(schema)
    assert root["x-codegen-union"] == "internally-tagged"
    assert root["x-codegen-tag"] == "side"
    assert "config" in root["x-codegen-evidence"]
    assert set(members(root)) - set(unknown_members(schema, root)) == {"Buy", "Sell"}
    assert leaf_methods(package) == {"on_buy", "on_sell"}
    unseen = {"side": "short", "price": "1", "qty": "1"}
    assert contract_failures(package, SIDES + [unseen]) == []
    assert type(package.decode(unseen)).__name__.startswith("Unknown")
    dispatcher, recorder = recording_dispatcher(package)
    for sample in SIDES:
        dispatcher.dispatch(sample)
    assert [name for name, _ in recorder.calls] == [f"on_{s['side']}" for s in SIDES]


def test_forced_composite_tag_nests_a_union_per_outer_kind(
    configured: dict[str, ModuleType], tmp_path: Path
) -> None:
    plain = inferred(tmp_path, CHANNELS)
    assert [d.get("x-codegen-tag") for d in unions(plain).values()] == ["type"]
    package = configured["cfg_channels"]
    schema = package_schema(package)
    assert root_def(schema)["x-codegen-tag"] == "type"
    inner = [d for d in unions(schema).values() if d.get("x-codegen-tag") == "channel"]
    assert len(inner) == 2
    assert all("config" in d["x-codegen-evidence"] for d in inner)
    for (tag, channel), (cls, _) in CHANNEL_LEAVES.items():
        properties = schema["$defs"][cls]["properties"]
        assert properties["type"] == {"type": "string", "const": tag}
        assert properties["channel"] == {"type": "string", "const": channel}
    assert leaf_methods(package) == {method for _, method in CHANNEL_LEAVES.values()}
    unseen = {"type": "update", "channel": "ticker", "seq": 9, "data": {"x": 1}}
    assert contract_failures(package, CHANNELS + [unseen]) == []
    dispatcher, recorder = recording_dispatcher(package)
    for sample in CHANNELS + [unseen]:
        dispatcher.dispatch(sample)
    expected = [CHANNEL_LEAVES[(s["type"], s["channel"])][1] for s in CHANNELS]
    assert [name for name, _ in recorder.calls] == expected + ["on_unknown"]
    for sample, (_, (message,)) in zip(CHANNELS, recorder.calls):
        assert (
            type(message).__name__
            == CHANNEL_LEAVES[(sample["type"], sample["channel"])][0]
        )


# --- forbidding a union ----------------------------------------------------------------------


def test_tag_false_keeps_one_record(configured: dict[str, ModuleType]) -> None:
    package = configured["cfg_no_union"]
    schema = package_schema(package)
    assert unions(schema) == {}
    root = root_def(schema)
    keys = list(dict.fromkeys(key for sample in FEED for key in sample))
    assert list(root["properties"]) == keys
    # One kind now: its `type` values (seen often, few) are an open enum instead.
    assert root["properties"]["type"]["anyOf"][1] == {"type": "string"}
    assert root["required"] == ["type"]  # the only key every message has
    assert leaf_methods(package) == {"on_message"}
    assert contract_failures(package, FEED) == []
    assert package.decode(FEED[0]).type == "l2update"


# --- not_tags, name, variant_names -----------------------------------------------------------


def test_not_tags_moves_the_union_down_and_names_apply(
    configured: dict[str, ModuleType], tmp_path: Path
) -> None:
    plain = inferred(tmp_path, STREAMS)
    # Inference alone already puts the union in the payload that names its kind.
    assert "x-codegen-union" not in root_def(plain)
    package = configured["cfg_streams"]
    schema = package_schema(package)
    root = root_def(schema)
    assert "x-codegen-union" not in root
    assert root["properties"]["data"] == {"$ref": "#/$defs/Event"}
    event = schema["$defs"]["Event"]
    assert event["x-codegen-tag"] == "e"
    assert set(members(event)) - set(unknown_members(schema, event)) == {
        "Trade",
        "BookDelta",
        "Kline",
    }
    assert schema["$defs"]["BookDelta"]["properties"]["e"]["const"] == "depthUpdate"
    assert package.Event is not None and package.BookDelta is not None
    # Handlers are named after tags, not classes.
    assert leaf_methods(package) == {"on_trade", "on_depth_update", "on_kline"}
    assert contract_failures(package, STREAMS) == []
    dispatcher, recorder = recording_dispatcher(package)
    for sample in STREAMS:
        dispatcher.dispatch(sample)
    for sample, (name, (message, payload)) in zip(STREAMS, recorder.calls):
        assert message.stream == sample["stream"]
        assert payload is message.data
        if sample["data"]["e"] == "depthUpdate":
            assert name == "on_depth_update" and type(payload) is package.BookDelta


def test_variant_names_rename_kinds_only(configured: dict[str, ModuleType]) -> None:
    package = configured["cfg_renamed"]
    schema = package_schema(package)
    root = root_def(schema)
    expected = {**FEED_KINDS, "l2update": "Level2Update", "match": "Fill"}
    assert set(members(root)) - set(unknown_members(schema, root)) == set(
        expected.values()
    )
    assert "L2Update" not in schema["$defs"] and "Match" not in schema["$defs"]
    for sample in FEED:
        assert type(package.decode(sample)).__name__ == expected[sample["type"]]
    assert leaf_methods(package) == {f"on_{tag}" for tag in FEED_KINDS}
    assert contract_failures(package, FEED) == []


def test_name_names_the_record_at_a_path(configured: dict[str, ModuleType]) -> None:
    package = configured["cfg_wrapper"]
    schema = package_schema(package)
    assert "Account" in schema["$defs"]
    assert list(schema["$defs"]["Account"]["properties"]) == ["id", "name", "email"]
    assert type(package.decode(WRAPPER[0]).data.user) is package.Account
    assert contract_failures(package, WRAPPER) == []


# --- config mistakes: exit 2, one line naming codegen.toml and the line ----------------------

_MISSING_TYPE = FEED + [{"product_id": "BTC-USD", "price": "1.5", "time": "t"}]
_DOCS_LIKE: list[dict[str, Any]] = [
    {"type": "connected", "id": 1},
    {"type": "subscribed", "channel": "trades", "id": 2},
    {"type": "subscribed", "channel": "book", "id": 3},
]

CONFIG_ERRORS = [
    pytest.param(
        FEED, 'root_name = "Feed"\ncolour = "red"\n', 2, "colour", id="unknown-setting"
    ),
    pytest.param(
        FEED,
        '# kinds\n[paths."$"]\ntag = "type"\ncolour = "red"\n',
        4,
        "colour",
        id="unknown-path-setting",
    ),
    pytest.param(
        FEED,
        'root_name = "Feed"\n\n[paths."$..data"]\ntag = "type"\n',
        3,
        "$..data",
        id="bad-path",
    ),
    pytest.param(
        FEED, '[paths."data"]\ntag = "type"\n', 1, "data", id="path-without-dollar"
    ),
    pytest.param(
        FEED,
        '[paths."$"]\ntag = "type"\n\n[paths."$.payload"]\nname = "Payload"\n',
        4,
        "$.payload",
        id="path-matching-nothing",
    ),
    pytest.param(
        FEED,
        "# single-quoted key\n\n[paths.'$.nothing[*]']\ntag = false\n",
        3,
        "$.nothing[*]",
        id="path-matching-nothing-single-quoted",
    ),
    pytest.param(
        _MISSING_TYPE,
        '# forced\n\n[paths."$"]\ntag = "type"\n',
        3,
        "'type'",
        id="forced-tag-missing",
    ),
    pytest.param(
        _DOCS_LIKE,
        '[paths."$"]\ntag = ["type", "channel"]\n',
        1,
        "'channel'",
        id="forced-composite-tag-missing",
    ),
    pytest.param(FEED, '[paths."$"]\n\ntag = 3\n', 3, "tag", id="tag-not-a-key"),
    pytest.param(
        FEED,
        '[paths."$"]\nvariant_names = { l2update = "level2" }\n',
        2,
        "level2",
        id="variant-name-not-a-class",
    ),
]


@pytest.mark.parametrize(("samples", "config", "line", "named"), CONFIG_ERRORS)
def test_config_mistake_is_exit_2_naming_the_line(
    tmp_path: Path, samples: list[Any], config: str, line: int, named: str
) -> None:
    write_set(tmp_path, "api", samples, config)
    result = cli_generate(tmp_path / "samples", tmp_path / "out")
    assert result.exit_code == 2, result.output
    (message,) = result.output.splitlines()
    assert message.startswith("error: ")
    assert f"codegen.toml:{line}" in message, message
    assert named in message, message
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_forced_tag_error_names_the_sample_too(tmp_path: Path) -> None:
    write_set(tmp_path, "api", _MISSING_TYPE, '[paths."$"]\ntag = "type"\n')
    result = cli_generate(tmp_path / "samples", tmp_path / "out")
    assert result.exit_code == 2
    assert f"{len(FEED):03d}.json" in result.output  # the object without `type`
    assert "codegen.toml:1" in result.output


def test_a_config_without_paths_changes_nothing(tmp_path: Path) -> None:
    set_dir = write_set(tmp_path, "api", FEED, 'root_name = "Feed"\n')
    _, schema = infer_schema(SampleSet(set_dir, "samples/api"))
    assert schema["title"] == "Feed"
    assert root_def(schema)["x-codegen-tag"] == "type"
    assert json.dumps(schema).count('"const"') == len(FEED_KINDS)
