"""Keys, tags and values that must not break the generated package or be injected into it.

Each group of hostile strings is used at once as keys (required and optional fields, records and
list items named after them), as tags of a tagged union below the root, and as values. For every
group: generation succeeds, the package imports, every sample round-trips exactly, schema.json
validates every sample, the wire TypedDicts declare exactly the keys, and the generated source
shows no sample text outside string literals, imports nothing unexpected, calls nothing dangerous.
"""

from __future__ import annotations

import dataclasses
import json
import re
import unicodedata
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from codegen.pipeline import build_packages
from codegen.write import write_packages

from conftest import (
    NAUGHTY_STRINGS,
    GeneratePackage,
    contract_failures,
    run_pyright,
    run_ruff,
    source_problems,
    wire_key_problems,
)

KEY_GROUPS: dict[str, list[str]] = {
    "keywords": ["class", "from", "import", "def", "lambda", "None", "True", "async"]
    + ["return", "match", "case", "type", "_"],
    "builtins": ["id", "list", "type", "str", "dict", "print", "int", "float", "bool"]
    + ["object", "len", "isinstance", "super", "open", "eval"],
    "dunders": ["__init__", "__class__", "__dict__", "__slots__", "__annotations__"]
    + ["__module__", "__doc__", "__all__", "__import__", "__builtins__", "__"],
    "private-names": ["__x", "__private", "__init", "__future___s"],
    "digits-and-blanks": ["1abc", "123", "0", "2nd_place", "1.5", "-1", "1e5", ""]
    + [" ", "\t", "\n", " leading", "trailing "],
    "punctuation": ["a b", "a-b", "a.b", "a/b", "a:b", "a,b", "a+b", "@type", "#tag"]
    + ["a[0]", "-", ".", "!", "?", "*", "a=b"],
    "json-schema-words": ["$ref", "$defs", "$schema", "$id", "title", "properties"]
    + ["required", "anyOf", "additionalProperties", "description", "items"]
    + ["x-codegen-union", "x-codegen-unknown-variant", "#/$defs/X"],
    "unicode": ["\u00e9", "na\u00efve", "\u65e5\u672c\u8a9e", "\U0001f600", "\u03a3"]
    + ["\u202eevil", "a\u200bb", "\ufb01", "fi", "\uff26\uff55\uff4c\uff4c", "\u0130"]
    + ["\u00df", "\u0645\u0631\u062d\u0628\u0627", "e\u0301", "\u00e9\u00e9"],
    "sanitising-collisions": ["my-key", "my_key", "my key", "my.key", "MyKey", "myKey"]
    + ["my_key_2", "MY_KEY", "my__key", "my_key_", "_my_key", "my\u2011key"],
    "generated-names": ["to_dict", "decode", "encode", "_extra", "_key_order", "obj"]
    + ["data", "key", "result", "value", "error", "tag", "self", "raw", "item"]
    + ["cls", "handler", "message", "payload", "extra", "key_order", "_extra_"]
    + ["field", "dataclass", "json", "local", "as_str", "T"],
    "stdlib-names": ["Any", "dataclass", "field", "TypedDict", "Callable", "TypeAlias"]
    + ["Final", "ClassVar", "Literal", "Protocol", "TypeVar", "Mapping", "Optional"],
    "package-api-names": ["Dispatcher", "DecodeError", "Absent", "ABSENT", "decode"]
    + ["encode", "wire", "models", "codec", "dispatch", "_runtime", "Raw", "Unknown"]
    + ["Record", "describe", "load_json", "on_error", "on_unknown"],
    "class-names": ["my_obj", "myObj", "MyObj", "my-obj", "MY_OBJ", "my obj"]
    + ["event", "unknown_event", "UnknownEvent", "events", "item", "items", "Type2"],
    "naughty": list(NAUGHTY_STRINGS),
}
LONE_SURROGATES = ["\ud800", "\udfff", "a\ud83db", "\udc00x", "\ud83d\ud83d"]

# Groups where the point is the class names the keys make: every key names a record.
CLASS_NAME_GROUPS = ("stdlib-names", "package-api-names", "class-names")


def unique(strings: list[str]) -> list[str]:
    return list(dict.fromkeys(strings))


def as_names(strings: list[str], records: int = 5) -> list[Any]:
    """One sample per string, which is a tag of `event` there and a key of every sample.

    Keys: each is a required field of `fields` (which has a plain key too, so that it stays a
    record and never becomes a map), an optional field of `optional` (each sample holds every
    other one), and the first `records` name a record each (the first two a list of records
    too) in the first sample. Every record has its own key set, so none merges with another and
    each needs its own class (black's time grows with the classes). Tags: the union holds an
    object in odd samples and an int in even ones. Values: the strings again.
    """
    strings = unique(strings)
    samples: list[dict[str, Any]] = [
        {
            "id": number,
            "event": {tag: {"n": number} if number % 2 else number},
            "fields": {"plain": number} | {key: number for key in strings},
            "optional": {"always": tag}
            | {key: key for key in strings[number % 2 :: 2]},
        }
        for number, tag in enumerate(strings)
    ]
    named = strings[:records]
    samples[0]["records"] = {key: {f"f{n}": key} for n, key in enumerate(named)}
    samples[0]["lists"] = {key: [{f"g{n}": n}] for n, key in enumerate(named[:2])}
    return samples


def as_values(values: list[str]) -> list[Any]:
    return [{"text": value, "list": [value], "map": {"x": value}} for value in values]


def assert_exact_and_safe(
    package: ModuleType, samples: list[Any], strings: list[str]
) -> None:
    assert contract_failures(package, samples) == []
    assert source_problems(Path(package.__file__).parent, strings) == []
    assert wire_key_problems(package) == []


@pytest.mark.parametrize("group", KEY_GROUPS)
def test_hostile_keys_and_tags(generate_package: GeneratePackage, group: str) -> None:
    strings = KEY_GROUPS[group]
    samples = as_names(strings, records=99 if group in CLASS_NAME_GROUPS else 5)
    package = generate_package(samples)
    assert_exact_and_safe(package, samples, strings)


def test_hostile_values(generate_package: GeneratePackage) -> None:
    values = unique([s for group in KEY_GROUPS.values() for s in group])
    samples = as_values(values + LONE_SURROGATES)
    package = generate_package(samples)
    assert_exact_and_safe(package, samples, values)
    assert package.decode(json.dumps(samples[-1])).text == LONE_SURROGATES[-1]


def test_hostile_keys_of_maps(generate_package: GeneratePackage) -> None:
    """Objects keyed by data (a digit with hostile punctuation, numbers, symbols): maps.

    Punctuation alone does not make a key data (`first-name` is a field name); a digit with it
    does, so every hostile string gets one in front.
    """
    strings = list(NAUGHTY_STRINGS) + LONE_SURROGATES
    keys = [f"7{k}" for k in strings if re.search(r"[^A-Za-z0-9_]", k)]
    keys += ["1", "2.5", "BTC-USD"]
    samples = [
        {"prices": {key: n for key in keys}, "books": {key: {"bid": n} for key in keys}}
        for n in range(2)
    ]
    package = generate_package(samples)
    assert_exact_and_safe(package, samples, keys)
    for key in ("7'", "7\ud800", "7a\x00b"):
        bad = {"prices": {}, "books": {"x-y": {"bid": 1}, key: {"bid": "1"}}}
        with pytest.raises(package.DecodeError) as caught:
            package.decode(json.dumps(bad))
        assert caught.value.json_path == f"$.books[{json.dumps(key)}].bid"


def test_lone_surrogates_as_keys_and_tags(generate_package: GeneratePackage) -> None:
    samples = as_names(LONE_SURROGATES)
    package = generate_package(samples)
    assert_exact_and_safe(package, samples, LONE_SURROGATES)


def test_hostile_packages_are_lint_clean(tmp_path: Path) -> None:
    """Every key group, the values and lone surrogates: ruff and pyright strict find nothing.

    Generated again, as sets of one run: one pyright run for all is far faster than one each.
    """
    sets = {
        f"keys_{number}": as_names(
            strings, records=99 if group in CLASS_NAME_GROUPS else 5
        )
        for number, (group, strings) in enumerate(KEY_GROUPS.items())
    }
    values = unique([s for group in KEY_GROUPS.values() for s in group])
    sets["values"] = as_values(values + LONE_SURROGATES)
    sets["surrogates"] = as_names(LONE_SURROGATES)
    for name, samples in sets.items():
        set_dir = tmp_path / "samples" / name
        set_dir.mkdir(parents=True)
        for number, sample in enumerate(samples):
            (set_dir / f"{number:03d}.json").write_text(json.dumps(sample), "utf-8")
    write_packages(build_packages(tmp_path / "samples"), tmp_path / "out")
    packages = sorted(path for path in (tmp_path / "out").iterdir() if path.is_dir())
    assert [path.name for path in packages] == sorted(sets)
    assert run_ruff(*packages) == []
    assert run_pyright(*packages, cwd=tmp_path) == []


def test_lone_surrogate_read_from_a_json_escape(
    generate_package: GeneratePackage,
) -> None:
    """The sample file holds the escape `\\ud800`, as captures do; the value round-trips."""
    text = '{"s": "\\ud800", "t": ["x\\udfffy"]}'
    package = generate_package(files={"escaped.json": text})
    assert json.dumps(package.encode(package.decode(text))) == text
    assert package.decode(text).s == "\ud800"


def test_root_union_with_hostile_tags_dispatches_every_variant(
    generate_package: GeneratePackage,
) -> None:
    """Single-key root objects whose key varies: a root union, each tag with its own handler."""
    tags = ["class", "__init__", "", "a-b", "\u00e9", "it's", "Dispatcher", "on_error"]
    samples = [{tag: {"v": index}} for index, tag in enumerate(tags)]
    package = generate_package(samples)
    assert_exact_and_safe(package, samples, tags)
    seen: list[Any] = []
    dispatcher = package.Dispatcher()
    handlers = {m for m in dir(dispatcher) if m.startswith("on_")}
    for method in handlers - {"on_error", "on_unknown", "on_unhandled"}:
        getattr(dispatcher, method)(lambda message, payload: seen.append(payload.v))
    for sample in samples:
        dispatcher.dispatch(json.dumps(sample))
    assert seen == list(range(len(tags)))


def test_tags_named_like_the_dispatcher_api_get_their_own_handlers(
    generate_package: GeneratePackage,
) -> None:
    """`{"error": {...}}` is a common message: its handler is not the decode-error handler."""
    tags = [
        "error",
        "unknown",
        "unhandled",
        "on_error",
        "message",
        "dispatch",
        "result",
    ]
    samples = [{tag: {"code": index}} for index, tag in enumerate(tags)]
    package = generate_package(samples)
    assert_exact_and_safe(package, samples, tags)
    calls: list[tuple[str, tuple[Any, ...]]] = []
    dispatcher = package.Dispatcher()
    for method in [m for m in dir(dispatcher) if m.startswith("on_")]:
        getattr(dispatcher, method)(
            lambda *args, method=method: calls.append((method, args))
        )
    for sample in samples:
        dispatcher.dispatch(json.dumps(sample))
    handlers = [method for method, _ in calls]
    assert len(handlers) == len(tags) and len(set(handlers)) == len(tags), handlers
    assert not {"on_error", "on_unknown", "on_unhandled"} & set(handlers), handlers
    assert [args[1].code for _, args in calls] == list(range(len(tags)))
    calls.clear()
    dispatcher.dispatch("not json")
    ((method, (raw, error)),) = calls
    assert (method, raw) == ("on_error", "not json")
    assert isinstance(error, package.DecodeError)


def test_keys_colliding_after_sanitising_keep_their_own_values(
    generate_package: GeneratePackage,
) -> None:
    keys = ["my-key", "my_key", "my key", "my.key", "MyKey", "my_key_2"]
    sample = {key: index for index, key in enumerate(keys)}
    package = generate_package([sample])
    decoded = package.decode(json.dumps(sample))
    assert decoded.my_key == 1 and decoded.MyKey == 4  # identifiers keep their names
    fields = [f.name for f in dataclasses.fields(decoded) if not f.name.startswith("_")]
    assert sorted(getattr(decoded, name) for name in fields) == list(range(len(keys)))
    decoded.my_key = 100
    assert package.encode(decoded) == sample | {"my_key": 100}


def test_class_names_never_collide(generate_package: GeneratePackage) -> None:
    """Records whose keys all become `MyObj` get distinct classes, each with its own fields."""
    keys = ["my_obj", "myObj", "MyObj", "my-obj", "MY_OBJ", "my obj"]
    sample = {key: {f"only_{index}": index} for index, key in enumerate(keys)}
    package = generate_package([sample])
    decoded = package.decode(json.dumps(sample))
    records = [getattr(decoded, f.name) for f in dataclasses.fields(decoded)]
    records = [record for record in records if dataclasses.is_dataclass(record)]
    assert len({type(record).__name__ for record in records}) == len(keys)
    for index, record in enumerate(records):
        assert getattr(record, f"only_{index}") == index


# --- injection: payloads that would run if sample text reached the code ------------------------

PAYLOADS = [
    "__import__('os').system('touch {marker}')",
    '"""\nimport os\nos.system("touch {marker}")\nclass C:\n    def f(self, handler):\n'
    '        """',
    "'''\nimport os\nos.system('touch {marker}')\nclass C:\n    def f(self, handler):\n"
    "        '''",
    '"); __import__("os").system("touch {marker}"); ("',
    "'); __import__('os').system('touch {marker}'); ('",
    "x\n__import__('os').system('touch {marker}')\n",
    "\\\n__import__('os').system('touch {marker}')  # ",
    "{{{{ lipsum.__globals__.os.system('touch {marker}') }}}}",
    "{{% set x = cycler.__init__.__globals__.os.system('touch {marker}') %}}",
]


def exercise(package: ModuleType, samples: list[Any]) -> None:
    """Decode, encode and dispatch every sample through every handler the dispatcher has."""
    dispatcher = package.Dispatcher()
    for method in [m for m in dir(dispatcher) if m.startswith("on_")]:
        getattr(dispatcher, method)(lambda *args: None)
    for sample in samples:
        package.encode(package.decode(json.dumps(sample)))
        dispatcher.dispatch(json.dumps(sample))


def test_injected_names_and_values_never_run(
    generate_package: GeneratePackage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every payload as a key, a tag and a value. (One that only broke the syntax would hide
    the others from running, but would fail the test all the same.)"""
    monkeypatch.chdir(tmp_path)  # `touch PWNED` without a folder would land here
    marker = tmp_path / "PWNED"
    texts = [payload.format(marker=marker) for payload in PAYLOADS]
    samples = as_names(texts) + as_values(texts)
    try:
        package = generate_package(samples)
        exercise(package, samples)
        assert_exact_and_safe(package, samples, texts)
    finally:
        assert not marker.exists(), "sample text ran as code"


# --- Trojan Source: generated code never hides text --------------------------------------------

INVISIBLE = ["\u202eevil\u202c", "a\u200bb", "\u2066x\u2069", "soft\u00adhyphen"]
INVISIBLE += ["line\u2028sep", "\ufeffbom", "bell\x07", "\u061cx"]


def test_generated_source_shows_no_invisible_or_bidi_characters(
    generate_package: GeneratePackage,
) -> None:
    """Bidi controls, zero-width and other format characters are escaped in every .py file.

    Raw, they make source read differently from what it does (CVE-2021-42574); the project's
    literal writer escapes them, and so must every generated module.
    """
    samples = as_names(INVISIBLE)
    package = generate_package(samples)
    assert contract_failures(package, samples) == []
    found = {}
    for path in sorted(Path(package.__file__).parent.glob("*.py")):
        hidden = {
            f"U+{ord(c):04X}"
            for c in path.read_text(encoding="utf-8")
            if c != "\n" and unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp")
        }
        if hidden:
            found[path.name] = sorted(hidden)
    assert found == {}


def test_classes_whose_names_differ_only_in_case_keep_their_own_keys(
    generate_package: GeneratePackage,
) -> None:
    # `ab` and `a_b` give classes Ab and AB; their key constants once collided (found in review).
    samples = [
        {"ab": {"x": 1, "z": 2}, "a_b": {"y": 2}},
        {"ab": {"z": 2, "x": 1}, "a_b": {"y": 3}},
    ]
    package = generate_package(samples)
    assert_exact_and_safe(package, samples, [])
    message = package.decode(json.dumps(samples[0]))
    message.ab.x = 99
    assert package.encode(message)["ab"] == {"x": 99, "z": 2}
