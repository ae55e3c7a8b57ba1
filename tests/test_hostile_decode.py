"""Generated decoders on data that contradicts their types: a DecodeError with the JSON path.

One package, generated from samples that put every kind of type at some position (string, int,
float, bool, nullable, lists, nested and deep records, optional key, tagged union with object
payloads, string-or-record, free object, list of lists). Every wrong value, missing key, wrong
root, undecodable text or bytes raises the package's DecodeError, a ValueError naming where it
went wrong; nothing else escapes (no KeyError, TypeError, AttributeError, RecursionError). The
Dispatcher hands each such message to its on_error handler with the raw message as it came.
"""

from __future__ import annotations

import copy
import decimal
import json
import math
from types import ModuleType
from typing import Any

import pytest

from conftest import build_and_import

GOOD: dict[str, Any] = {
    "id": "a-1",
    "seq": 1,
    "price": 1.5,
    "ok": True,
    "note": None,
    "tags": ["x", "y"],
    "fills": [{"qty": 1, "px": 2.5}],
    "meta": {"src": "s", "deep": {"k": [1, 2]}},
    "opt": 1,
    "event": {"created": {"n": 1}},
    "mix": "text",
    "blob": {},
    "grid": [[1, 2]],
    "odd key": 1,
}
OTHER: dict[str, Any] = {
    "id": "b-2",
    "seq": 2,
    "price": 2,
    "ok": False,
    "note": "n",
    "tags": [],
    "fills": [],
    "meta": {"src": "t", "deep": {"k": []}},
    "event": {"deleted": {"n": 2, "why": "x"}},
    "mix": {"a": 1},
    "blob": {"any": [1, "x"]},
    "grid": [],
    "odd key": 2,
}


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    root = tmp_path_factory.mktemp("decode")
    generated = build_and_import(root, "hostile_decode", [GOOD, OTHER])
    for sample in (GOOD, OTHER):  # the control: the good messages decode and round-trip
        assert generated.encode(generated.decode(json.dumps(sample))) == sample
    return generated


def parent_of(data: dict[str, Any], path: tuple[str | int, ...]) -> Any:
    node: Any = data
    for step in path[:-1]:
        node = node[step]
    return node


def changed(path: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    data = copy.deepcopy(GOOD)
    parent_of(data, path)[path[-1]] = value
    return data


def without(path: tuple[str | int, ...]) -> dict[str, Any]:
    data = copy.deepcopy(GOOD)
    del parent_of(data, path)[path[-1]]
    return data


def decode_error(package: ModuleType, raw: Any) -> Any:
    """The DecodeError decoding raw raises; any other exception (or none) fails the test."""
    with pytest.raises(package.DecodeError) as caught:
        package.decode(raw)
    error: Any = caught.value
    assert isinstance(error, ValueError)
    assert str(error).startswith(error.json_path + ": ")
    return error


# (JSON path to change, wrong value, the error's JSON path, what it expected)
WRONG_VALUES = [
    pytest.param(("id",), 1, "$.id", "string", id="string-gets-int"),
    pytest.param(("id",), None, "$.id", "string", id="string-gets-null"),
    pytest.param(("id",), ["a"], "$.id", "string", id="string-gets-array"),
    pytest.param(("seq",), "1", "$.seq", "integer", id="int-gets-string"),
    pytest.param(("seq",), True, "$.seq", "integer", id="int-gets-bool"),
    pytest.param(("seq",), 1.0, "$.seq", "integer", id="int-gets-float"),
    pytest.param(("seq",), {}, "$.seq", "integer", id="int-gets-object"),
    pytest.param(("price",), False, "$.price", "number", id="float-gets-bool"),
    pytest.param(("price",), "1.5", "$.price", "number", id="float-gets-string"),
    pytest.param(("ok",), 1, "$.ok", "boolean", id="bool-gets-int"),
    pytest.param(("ok",), "true", "$.ok", "boolean", id="bool-gets-string"),
    pytest.param(("ok",), None, "$.ok", "boolean", id="bool-gets-null"),
    pytest.param(("note",), 5, "$.note", "string", id="nullable-gets-int"),
    pytest.param(("tags",), {"0": "x"}, "$.tags", "array", id="list-gets-object"),
    pytest.param(("tags",), "xy", "$.tags", "array", id="list-gets-string"),
    pytest.param(("tags", 1), 7, "$.tags[1]", "string", id="list-item-wrong"),
    pytest.param(("fills", 0), [1], "$.fills[0]", "object", id="array-where-object"),
    pytest.param(("fills", 0, "qty"), "1", "$.fills[0].qty", "integer", id="in-list"),
    pytest.param(("meta",), [], "$.meta", "object", id="record-gets-array"),
    pytest.param(("meta",), "m", "$.meta", "object", id="record-gets-string"),
    pytest.param(("meta", "deep"), 0, "$.meta.deep", "object", id="deep-record-int"),
    pytest.param(
        ("meta", "deep", "k", 1), True, "$.meta.deep.k[1]", "integer", id="deep"
    ),
    pytest.param(("opt",), "1", "$.opt", "integer", id="optional-present-but-wrong"),
    pytest.param(("opt",), None, "$.opt", "integer", id="optional-gets-null"),
    pytest.param(("event",), [], "$.event", "object", id="union-gets-array"),
    pytest.param(("event",), None, "$.event", "object", id="union-gets-null"),
    pytest.param(
        ("event", "created"), 5, "$.event.created", "object", id="payload-int"
    ),
    pytest.param(
        ("event", "created", "n"), "1", "$.event.created.n", "integer", id="in-payload"
    ),
    pytest.param(("mix",), 5, "$.mix", "string or object", id="string-or-record-int"),
    pytest.param(("mix",), {"a": "x"}, "$.mix.a", "integer", id="string-or-record-bad"),
    pytest.param(("blob",), [], "$.blob", "object", id="free-object-gets-array"),
    pytest.param(("grid", 0), 1, "$.grid[0]", "array", id="list-of-lists-gets-int"),
    pytest.param(("grid", 0, 1), True, "$.grid[0][1]", "integer", id="bool-in-lists"),
    pytest.param(("odd key",), "1", '$["odd key"]', "integer", id="quoted-path"),
]


@pytest.mark.parametrize(("where", "value", "path", "expected"), WRONG_VALUES)
@pytest.mark.parametrize("form", ["data", "text", "bytes"])
def test_wrong_value_raises_decode_error_with_its_path(
    package: ModuleType,
    form: str,
    where: tuple[str | int, ...],
    value: Any,
    path: str,
    expected: str,
) -> None:
    data = changed(where, value)
    raw = {"data": data, "text": json.dumps(data), "bytes": json.dumps(data).encode()}
    error = decode_error(package, raw[form])
    assert error.json_path == path
    assert error.expected == expected


@pytest.mark.parametrize(
    ("where", "path", "key"),
    [
        pytest.param(("seq",), "$", "seq", id="at-the-root"),
        pytest.param(("meta", "deep", "k"), "$.meta.deep", "k", id="deep"),
        pytest.param(("fills", 0, "px"), "$.fills[0]", "px", id="in-a-list-item"),
        pytest.param(
            ("event", "created", "n"), "$.event.created", "n", id="in-payload"
        ),
        pytest.param(("odd key",), "$", "odd key", id="odd-key"),
    ],
)
def test_missing_required_key_raises_decode_error_naming_it(
    package: ModuleType, where: tuple[str | int, ...], path: str, key: str
) -> None:
    error = decode_error(package, without(where))
    assert error.json_path == path
    assert json.dumps(key) in str(error)


HUGE = (
    10**5000
)  # more digits than int() may turn into text (sys.get_int_max_str_digits)


@pytest.mark.parametrize(
    ("where", "value", "path"),
    [
        pytest.param(("id",), HUGE, "$.id", id="at-a-string"),
        pytest.param(("ok",), -HUGE, "$.ok", id="negative-at-a-bool"),
        pytest.param(("note",), HUGE, "$.note", id="at-a-nullable-string"),
        pytest.param(("tags", 0), HUGE, "$.tags[0]", id="in-a-list"),
        pytest.param(("mix",), HUGE, "$.mix", id="at-a-union"),
    ],
)
def test_huge_int_where_it_does_not_belong_is_a_decode_error(
    package: ModuleType, where: tuple[str | int, ...], value: int, path: str
) -> None:
    error = decode_error(package, changed(where, value))
    assert error.json_path == path
    assert len(str(error)) < 200  # described, not written out in full


def test_huge_int_text_is_a_decode_error(package: ModuleType) -> None:
    text = json.dumps(GOOD).replace('"seq": 1', '"seq": ' + "9" * 5000)
    error = decode_error(package, text)
    assert error.json_path == "$"


def test_big_int_where_an_int_belongs_is_kept(package: ModuleType) -> None:
    data = changed(("seq",), 2**200)
    assert package.encode(package.decode(json.dumps(data))) == data


NOT_AN_OBJECT = [
    pytest.param([GOOD], id="array-of-the-message"),
    pytest.param("[1, 2]", id="array-text"),
    pytest.param('"text"', id="string-text"),
    pytest.param("42", id="number-text"),
    pytest.param("null", id="null-text"),
    pytest.param(None, id="null"),
    pytest.param(True, id="bool"),
    pytest.param(3.5, id="float"),
    pytest.param(b"[]", id="array-bytes"),
]


@pytest.mark.parametrize("raw", NOT_AN_OBJECT)
def test_non_object_root_is_a_decode_error_at_the_root(
    package: ModuleType, raw: Any
) -> None:
    error = decode_error(package, raw)
    assert error.json_path == "$"
    assert error.expected == "object"


NOT_JSON = [
    pytest.param("", id="empty"),
    pytest.param("   \n", id="blank"),
    pytest.param("{", id="unterminated"),
    pytest.param('{"id": "a"', id="truncated"),
    pytest.param(json.dumps(GOOD) + " x", id="trailing-garbage"),
    pytest.param(json.dumps(GOOD) + json.dumps(GOOD), id="two-values"),
    pytest.param("{'id': 'a'}", id="single-quotes"),
    pytest.param('{"id": "a" // c\n}', id="comment"),
    pytest.param("not json", id="prose"),
    pytest.param("\x00", id="nul"),
    pytest.param("[" * 100_000, id="deep-unterminated"),
    pytest.param("[" * 100_000 + "]" * 100_000, id="deep-arrays"),
    pytest.param('{"a":' * 100_000 + "1" + "}" * 100_000, id="deep-objects"),
    pytest.param(b'{"id": "\xff"}', id="invalid-utf8-bytes"),
    pytest.param(b"\xff\xfe\x00", id="truncated-utf16-bytes"),
    pytest.param(b'{"id": "\xed\xa0\x80"}', id="encoded-surrogate-bytes"),
    pytest.param(bytearray(b'{"id"'), id="truncated-bytearray"),
    pytest.param(json.dumps(GOOD).replace("1.5", "NaN"), id="nan"),
    pytest.param(json.dumps(GOOD).replace("1.5", "Infinity"), id="infinity"),
    pytest.param(json.dumps(GOOD).replace("1.5", "-Infinity"), id="minus-infinity"),
]


@pytest.mark.parametrize("raw", NOT_JSON)
def test_text_that_is_not_json_is_a_decode_error(package: ModuleType, raw: Any) -> None:
    """NaN and Infinity included: they are not JSON (RFC 8259), and encode would write them."""
    error = decode_error(package, raw)
    assert error.json_path == "$"


@pytest.mark.parametrize(
    ("where", "value", "path"),
    [
        pytest.param(("tags",), ("x", "y"), "$.tags", id="tuple"),
        pytest.param(("tags",), {"x"}, "$.tags", id="set"),
        pytest.param(("id",), b"a-1", "$.id", id="bytes"),
        pytest.param(("id",), object(), "$.id", id="object"),
        pytest.param(("price",), decimal.Decimal("1.5"), "$.price", id="decimal"),
        pytest.param(("price",), math.nan, "$.price", id="nan"),
        pytest.param(("price",), math.inf, "$.price", id="infinity"),
        pytest.param(
            ("fills", 0, "px"), -math.inf, "$.fills[0].px", id="minus-infinity"
        ),
    ],
)
def test_parsed_data_that_is_not_json_is_a_decode_error(
    package: ModuleType, where: tuple[str | int, ...], value: Any, path: str
) -> None:
    """Already parsed data is held to what JSON text can say: NaN is refused as in text."""
    error = decode_error(package, changed(where, value))
    assert error.json_path == path


def test_deeply_nested_data_in_a_typed_position_is_a_decode_error(
    package: ModuleType,
) -> None:
    deep: Any = "leaf"
    for _ in range(100_000):
        deep = [deep]
    for where, path in ((("grid",), "$.grid[0][0]"), (("tags",), "$.tags[0]")):
        error = decode_error(package, changed(where, deep))
        assert error.json_path == path


# --- the Dispatcher ----------------------------------------------------------------------------


class Recorder:
    """Handlers for every dispatcher method that record what they were called with."""

    def __init__(self, package: ModuleType) -> None:
        self.dispatcher = package.Dispatcher()
        self.calls: list[tuple[str, tuple[Any, ...]]] = []
        for method in [m for m in dir(self.dispatcher) if m.startswith("on_")]:
            getattr(self.dispatcher, method)(self.handler(method))

    def handler(self, method: str) -> Any:
        return lambda *args: self.calls.append((method, args))


BAD_MESSAGES = [
    pytest.param(json.dumps(changed(("seq",), "1")), "$.seq", id="wrong-type-text"),
    pytest.param(
        changed(("event", "created", "n"), None), "$.event.created.n", id="data"
    ),
    pytest.param(without(("meta",)), "$", id="missing-key"),
    pytest.param(b'{"id": "\xff"}', "$", id="invalid-utf8"),
    pytest.param("{", "$", id="not-json"),
    pytest.param("[" * 100_000, "$", id="deep-garbage"),
    pytest.param([1, 2], "$", id="array"),
]


@pytest.mark.parametrize(("raw", "path"), BAD_MESSAGES)
def test_dispatch_hands_bad_data_to_on_error_with_the_raw_message(
    package: ModuleType, raw: Any, path: str
) -> None:
    recorder = Recorder(package)
    recorder.dispatcher.dispatch(raw)
    ((method, (given, error)),) = recorder.calls
    assert method == "on_error"
    assert given is raw
    assert isinstance(error, package.DecodeError) and error.json_path == path


@pytest.mark.parametrize(("raw", "path"), BAD_MESSAGES[:3])
def test_dispatch_without_on_error_raises_the_decode_error(
    package: ModuleType, raw: Any, path: str
) -> None:
    dispatcher = package.Dispatcher()
    with pytest.raises(package.DecodeError) as caught:
        dispatcher.dispatch(raw)
    assert caught.value.json_path == path


def test_dispatch_of_a_good_message_never_calls_on_error(package: ModuleType) -> None:
    recorder = Recorder(package)
    recorder.dispatcher.dispatch(json.dumps(GOOD))
    ((method, (message, payload)),) = recorder.calls
    assert method != "on_error"
    assert message.id == GOOD["id"] and payload.n == 1
