"""The codec contract on the committed packages: exact round trips, and DecodeError on bad data."""

from __future__ import annotations

import copy
import importlib
import json
import re
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from conftest import (
    BUNDLED_SETS,
    SAMPLES,
    bundled_samples,
    round_trips,
    trading_sample,
)

EXPECTED_COUNTS = {"trading": 9, "onboarding": 1}

ALL_SAMPLES = [
    pytest.param(set_name, sample, id=f"{set_name}-{Path(origin).name}")
    for set_name in BUNDLED_SETS
    for origin, sample in bundled_samples(set_name)
]

BID = ("message_type", "server_message", "position", "created", "asset_open_bid_ask")


def package(name: str) -> ModuleType:
    return importlib.import_module(name)


def at(data: Any, path: tuple[str | int, ...]) -> Any:
    for segment in path:
        data = data[segment]
    return data


# --- round trips ----------------------------------------------------------------------------


def test_sample_counts() -> None:
    assert {
        name: len(bundled_samples(name)) for name in BUNDLED_SETS
    } == EXPECTED_COUNTS
    assert len(ALL_SAMPLES) == sum(EXPECTED_COUNTS.values())


def test_sample_files_are_the_samples() -> None:
    # One value per file in the bundled sets: the count is the number of files.
    for name, count in EXPECTED_COUNTS.items():
        assert len(list((SAMPLES / name).glob("*.json"))) == count


@pytest.mark.parametrize(("set_name", "sample"), ALL_SAMPLES)
def test_every_bundled_sample_round_trips(
    generated_on_path: Path, set_name: str, sample: Any
) -> None:
    assert round_trips(package(set_name), sample)


@pytest.mark.parametrize(("set_name", "sample"), ALL_SAMPLES)
def test_round_trip_from_bytes_and_file_text(
    generated_on_path: Path, set_name: str, sample: Any
) -> None:
    codec = package(set_name)
    text = json.dumps(sample)
    assert json.dumps(codec.encode(codec.decode(text.encode("utf-8")))) == text
    assert json.dumps(codec.encode(codec.decode(bytearray(text, "utf-8")))) == text
    indented = json.dumps(sample, indent=2, ensure_ascii=False)
    assert json.dumps(codec.encode(codec.decode(indented))) == text


@pytest.mark.parametrize(("set_name", "sample"), ALL_SAMPLES)
def test_decode_does_not_mutate_its_input(
    generated_on_path: Path, set_name: str, sample: Any
) -> None:
    codec = package(set_name)
    data = copy.deepcopy(sample)
    encoded = codec.encode(codec.decode(data))
    assert data == sample
    encoded_again = codec.encode(codec.decode(data))
    assert json.dumps(encoded) == json.dumps(encoded_again) == json.dumps(sample)


def test_every_sample_file_round_trips_from_its_own_text(
    generated_on_path: Path,
) -> None:
    checked = 0
    for name in BUNDLED_SETS:
        codec = package(name)
        for path in sorted((SAMPLES / name).glob("*.json")):
            text = path.read_text(encoding="utf-8")
            expected = json.dumps(json.loads(text))
            assert json.dumps(codec.encode(codec.decode(text))) == expected, path
            checked += 1
    assert checked == sum(EXPECTED_COUNTS.values())


def test_wire_form_of_numbers_survives(trading: ModuleType) -> None:
    by_event = {}
    for _, sample in bundled_samples("trading"):
        position = sample["message_type"]["server_message"].get("position")
        if position:
            ((event, payload),) = position.items()
            by_event[event] = trading.decode(sample).message_type.value.value.value
            assert (
                payload["tp_in_instrument_price"]
                == by_event[event].tp_in_instrument_price
            )
    # null, 25.0 and 100000 at one float-typed position: each keeps its own form.
    assert by_event["created"].tp_in_instrument_price is None
    assert type(by_event["updated"].tp_in_instrument_price) is float
    assert type(by_event["closed"].tp_in_instrument_price) is int
    assert type(by_event["created"].asset_open_bid_ask.bid) is int


def test_edits_to_decoded_objects_are_encoded(trading: ModuleType) -> None:
    sample = trading_sample("server_message", "position", "created")
    message = trading.decode(sample)
    position = message.message_type.value.value.value
    position.profit = 1.5
    position.asset_open_bid_ask.bid = 90000
    encoded = trading.encode(message)
    payload = at(encoded, BID[:-1])
    assert payload["profit"] == 1.5
    assert payload["asset_open_bid_ask"]["bid"] == 90000
    assert list(payload) == list(at(sample, BID[:-1]))


# --- DecodeError ----------------------------------------------------------------------------


def decode_error(codec: ModuleType, raw: Any) -> Exception:
    """The exception decode raises; any exception other than DecodeError fails the test."""
    with pytest.raises(codec.DecodeError) as caught:
        codec.decode(raw)
    return caught.value


def test_decode_error_is_a_value_error(trading: ModuleType) -> None:
    assert issubclass(trading.DecodeError, ValueError)


def test_wrong_type_names_the_json_path_and_the_expected_type(
    trading: ModuleType,
) -> None:
    # Every sample's bid is an int, so the field is int-typed: the error says "integer".
    sample = trading_sample("server_message", "position", "created")
    at(sample, BID)["bid"] = "x"
    error = decode_error(trading, sample)
    path = "$.message_type.server_message.position.created.asset_open_bid_ask.bid"
    assert str(error).startswith(path)
    assert "expected integer" in str(error)
    assert '"x"' in str(error) or "string" in str(error)


def test_wrong_type_at_a_float_field(trading: ModuleType) -> None:
    sample = trading_sample("server_message", "position", "created")
    at(sample, BID)["ask"] = "x"
    error = decode_error(trading, json.dumps(sample))
    path = "$.message_type.server_message.position.created.asset_open_bid_ask.ask"
    assert str(error).startswith(path)
    assert "number" in str(error)


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("message_id", 5, "string"),
        ("message_id", None, "string"),
        ("message_type", [], "object"),
    ],
)
def test_wrong_type_at_the_top(
    trading: ModuleType, key: str, value: Any, expected: str
) -> None:
    sample = trading_sample("server_message", "position", "created")
    sample[key] = value
    error = decode_error(trading, sample)
    assert str(error).startswith(f"$.{key}")
    assert expected in str(error)


def test_float_where_an_int_is_expected(trading: ModuleType) -> None:
    sample = trading_sample("server_message", "position", "created")
    at(sample, BID[:-1])["leverage"] = 1.5
    error = decode_error(trading, sample)
    assert str(error).startswith(
        "$.message_type.server_message.position.created.leverage"
    )


def test_bool_is_not_a_number(trading: ModuleType) -> None:
    sample = trading_sample("server_message", "position", "created")
    at(sample, BID)["ask"] = True
    error = decode_error(trading, sample)
    assert str(error).startswith(
        "$.message_type.server_message.position.created.asset_open_bid_ask.ask"
    )


def test_missing_required_key_is_named(trading: ModuleType) -> None:
    sample = trading_sample("server_message", "position", "created")
    del at(sample, BID)["ask"]
    error = decode_error(trading, sample)
    assert str(error).startswith(
        "$.message_type.server_message.position.created.asset_open_bid_ask"
    )
    assert '"ask"' in str(error)


def test_missing_key_at_the_top_is_named(trading: ModuleType) -> None:
    sample = trading_sample("server_message", "position", "created")
    del sample["message_id"]
    error = decode_error(trading, sample)
    assert "message_id" in str(error)


def test_null_where_a_required_object_is_expected(trading: ModuleType) -> None:
    sample = trading_sample("server_message", "position", "created")
    at(sample, BID[:-1])["margin_bid_ask"] = None
    error = decode_error(trading, sample)
    assert str(error).startswith(
        "$.message_type.server_message.position.created.margin_bid_ask"
    )


def test_error_inside_a_list_names_the_index(onboarding: ModuleType) -> None:
    ((_, sample),) = bundled_samples("onboarding")
    sample = copy.deepcopy(sample)
    sample["result"][0]["profile"]["orders"][0]["side"] = 7
    error = decode_error(onboarding, sample)
    assert str(error).startswith("$.result[0].profile.orders[0].side")


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("", id="empty"),
        pytest.param("{", id="truncated"),
        pytest.param("{'message_id': 'x'}", id="single-quotes"),
        pytest.param('{"message_id": "x"} trailing', id="trailing"),
        pytest.param(b'{"message_id": "\xff"}', id="invalid-utf8"),
        pytest.param(b"\xc3\x28", id="invalid-utf8-start"),
        pytest.param(bytearray(b"\x80"), id="invalid-utf8-bytearray"),
    ],
)
def test_text_that_is_not_json_raises_decode_error(
    trading: ModuleType, raw: Any
) -> None:
    decode_error(trading, raw)


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("[]", id="array"),
        pytest.param("1", id="number"),
        pytest.param("null", id="null"),
        pytest.param('"text"', id="string"),
        pytest.param([], id="parsed-list"),
        pytest.param(None, id="parsed-none"),
        pytest.param(3.5, id="parsed-float"),
    ],
)
def test_json_of_the_wrong_kind_raises_decode_error(
    trading: ModuleType, raw: Any
) -> None:
    error = decode_error(trading, raw)
    assert str(error).startswith("$")
    assert "object" in str(error)


STRUCTURAL = [
    pytest.param(BID[:2], "position", "x", id="union-is-string"),
    pytest.param(BID[:3], "created", "x", id="variant-payload-is-string"),
    pytest.param(BID[:3], "created", None, id="variant-payload-is-null"),
    pytest.param(BID[:4], "swaps", {}, id="list-is-object"),
    pytest.param(BID[:4], "metadata", [], id="object-is-list"),
    pytest.param(BID[:4], "asset_open_bid_ask", 1, id="record-is-int"),
    pytest.param(BID, "date", [1], id="int-is-list"),
    pytest.param((), "message_type", None, id="union-is-null"),
]


@pytest.mark.parametrize(("path", "key", "value"), STRUCTURAL)
def test_structural_mismatch_is_a_decode_error_at_its_path(
    trading: ModuleType, path: tuple[str, ...], key: str, value: Any
) -> None:
    sample = trading_sample("server_message", "position", "created")
    at(sample, path)[key] = value
    error = decode_error(trading, sample)
    assert str(error).startswith("$." + ".".join((*path, key)) + ":")


def test_list_item_of_the_wrong_kind(onboarding: ModuleType) -> None:
    ((_, sample),) = bundled_samples("onboarding")
    for item in (1, None, "x", []):
        error = decode_error(onboarding, {**sample, "result": [item]})
        assert str(error).startswith("$.result[0]:")


WRONG_VALUES = (None, "s", 7, 1.5, True, [], {}, [1], {"k": 1})


def positions(value: Any, path: tuple[str | int, ...] = ()) -> list[tuple[Any, ...]]:
    """The path of every value inside a JSON value, the value itself first."""
    found: list[tuple[Any, ...]] = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            found += positions(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += positions(item, (*path, index))
    return found


def json_path(path: tuple[Any, ...]) -> str:
    return "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path)


@pytest.mark.parametrize("set_name", BUNDLED_SETS)
def test_any_wrong_value_anywhere_is_a_decode_error_at_its_path_or_round_trips(
    generated_on_path: Path, set_name: str
) -> None:
    codec = package(set_name)
    checked = 0
    for _, sample in bundled_samples(set_name):
        for path in positions(sample)[1:]:
            for wrong in WRONG_VALUES:
                data = copy.deepcopy(sample)
                at(data, path[:-1])[path[-1]] = copy.deepcopy(wrong)
                try:
                    decoded = codec.decode(data)
                except codec.DecodeError as error:
                    # At the replaced value, or inside it ([1] where a list of records is).
                    assert re.match(
                        re.escape(json_path(path)) + r"[:.\[]", str(error)
                    ), (
                        path,
                        wrong,
                    )
                else:
                    assert json.dumps(codec.encode(decoded)) == json.dumps(data)
                checked += 1
    assert checked > 500


@pytest.mark.parametrize("set_name", BUNDLED_SETS)
def test_any_key_left_out_is_named_or_round_trips(
    generated_on_path: Path, set_name: str
) -> None:
    codec = package(set_name)
    for _, sample in bundled_samples(set_name):
        for path in positions(sample)[1:]:
            if isinstance(path[-1], int):
                continue
            data = copy.deepcopy(sample)
            del at(data, path[:-1])[path[-1]]
            try:
                decoded = codec.decode(data)
            except codec.DecodeError as error:
                assert str(error).startswith(json_path(path[:-1]) + ":"), path
                assert json.dumps(path[-1]) in str(error), path
            else:
                assert json.dumps(codec.encode(decoded)) == json.dumps(data)
