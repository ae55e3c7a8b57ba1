"""Property-based: random sample sets always give a package that decodes and encodes them exactly.

A sample set is drawn in two steps: first a random type (objects with required and optional
keys, arrays, scalars, unions of kinds, externally tagged unions whose single key varies, maps
keyed by data, one shape shared by two keys), then one to five samples of it, so the samples
share their shapes the way captures do. Keys and strings mix plain words, hostile names and
arbitrary Unicode. For every set: the package generates and imports; `json.dumps(encode(
decode(s))) == json.dumps(s)` for every sample; schema.json validates it; the wire TypedDicts
declare exactly the keys; no sample text is code; the Dispatcher hands each sample to exactly
one handler, never to on_error. A bounded run is part of the normal suite; `pytest -m fuzz`
runs long.

Output is deterministic: the same for two hash seeds and for any order of the sample files.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from codegen.pipeline import build_packages

from conftest import (
    NAUGHTY_STRINGS,
    build_and_import,
    contract_failures,
    package_schema,
    run_pyright,
    run_ruff,
    source_problems,
    tree_of,
    wire_key_problems,
)

HOSTILE_NAMES = list(NAUGHTY_STRINGS) + [
    "class",
    "match",
    "_",
    "id",
    "type",
    "__init__",
    "__x",
    "1st",
    "my-key",
    "my_key",
    "to_dict",
    "_extra",
    "_key_order",
    "obj",
    "data",
    "key",
    "value",
    "Any",
    "field",
    "Dispatcher",
    "DecodeError",
    "Raw",
    "Unknown",
    "error",
    "unknown",
    "unhandled",
    "decode",
    "wire",
    "$ref",
    "\ud800",
    "x\udfff",
]

KEYS = st.one_of(
    st.from_regex(r"[a-z][a-z_]{0,7}", fullmatch=True),
    st.sampled_from(HOSTILE_NAMES),
    st.text(max_size=5),
)
# Keys that are data, as in `{"BTC-USD": {...}}`: a map, however many there are.
DATA_KEYS = st.one_of(
    st.from_regex(r"[A-Z]{3}-[A-Z]{3}", fullmatch=True),
    st.integers(0, 10**6).map(str),
    st.sampled_from([k for k in HOSTILE_NAMES if k and not k.isidentifier()]),
)
STRINGS = st.one_of(st.text(max_size=12), st.sampled_from(HOSTILE_NAMES))
INTS = st.one_of(st.integers(-1000, 1000), st.integers(-(2**80), 2**80))
FLOATS = st.floats(allow_nan=False, allow_infinity=False)
LEAVES: dict[str, st.SearchStrategy[Any]] = {
    "string": STRINGS,
    "integer": INTS,
    "float": FLOATS,
    "boolean": st.booleans(),
    "null": st.none(),
    "int-or-float": st.one_of(INTS, FLOATS),
    "string-or-null": st.one_of(STRINGS, st.none()),
    "integer-or-null": st.one_of(INTS, st.none()),
    "string-or-integer": st.one_of(STRINGS, INTS),
}

Template = tuple[Any, ...]

# Values a tag key may hold: names of kinds, codes, and hostile text (never a tag by inference,
# still data that must round-trip beside the kinds).
TAG_VALUES = st.one_of(
    st.sampled_from(
        ["trade", "book", "l2update", "subscribed/ticker", "SUB_IMAGE", "h", "1"]
    ),
    st.integers(0, 3),
    st.sampled_from(HOSTILE_NAMES),
)


def objects(children: st.SearchStrategy[Template], min_size: int = 0) -> Any:
    field = st.tuples(KEYS, children, st.booleans())  # key, type, optional
    return st.lists(field, min_size=min_size, max_size=6, unique_by=lambda f: f[0]).map(
        lambda fields: ("object", tuple(fields))
    )


def extend(children: st.SearchStrategy[Template]) -> st.SearchStrategy[Template]:
    variant = st.tuples(KEYS, children)
    return st.one_of(
        objects(children),
        children.map(lambda item: ("array", item)),
        st.lists(variant, min_size=2, max_size=4, unique_by=lambda v: v[0]).map(
            lambda variants: ("tagged", tuple(variants))
        ),
        # Two keys of one type. Distinct by `unique`, not by a filter: a filter's retry is
        # logged with the strategy's repr, and the recursive `children` spell out to 100+ kB
        # (HypothesisWarning: overly large repr).
        st.tuples(st.lists(KEYS, min_size=2, max_size=2, unique=True), children).map(
            lambda s: ("object", ((s[0][0], s[1], False), (s[0][1], s[1], False)))
        ),
        st.tuples(children, children).map(lambda either: ("either", either)),
        children.map(lambda item: ("map", item)),
        st.tuples(
            KEYS,
            st.lists(
                st.tuples(TAG_VALUES, objects(children)),
                min_size=2,
                max_size=4,
                unique_by=lambda v: json.dumps(v[0]),
            ),
        ).map(lambda internal: ("internal", internal)),
    )


TYPES = st.recursive(
    st.sampled_from(sorted(LEAVES)).map(lambda kind: ("leaf", kind)),
    extend,
    max_leaves=8,
)
# Mostly an object at the root, as messages are; sometimes anything (scalars, arrays, unions).
ROOTS = st.one_of(objects(TYPES, min_size=1), objects(TYPES, min_size=2), TYPES)


def values(template: Template) -> st.SearchStrategy[Any]:
    """The JSON values of a template; objects come in their declared or in a shuffled key order."""
    kind, body = template
    if kind == "leaf":
        return LEAVES[body]
    if kind == "array":
        return st.lists(values(body), max_size=3)
    if kind == "tagged":
        return st.one_of(
            [values(inner).map(lambda v, tag=tag: {tag: v}) for tag, inner in body]
        )
    if kind == "either":
        return st.one_of(values(body[0]), values(body[1]))
    if kind == "internal":  # objects of several kinds, the tag first
        key, variants = body
        return st.one_of(
            [
                values(shape).map(
                    lambda v, tag=tag: {
                        key: tag,
                        **{k: x for k, x in v.items() if k != key},
                    }
                )
                for tag, shape in variants
            ]
        )
    if kind == "map":
        return st.dictionaries(DATA_KEYS, values(body), max_size=5)
    required = {key: values(inner) for key, inner, optional in body if not optional}
    optional = {key: values(inner) for key, inner, optional in body if optional}
    objects = st.fixed_dictionaries(required, optional=optional)
    shuffled = objects.flatmap(lambda d: st.permutations(list(d.items())).map(dict))
    return st.one_of(objects, shuffled)


@st.composite
def sample_sets(draw: st.DrawFn) -> list[Any]:
    template = draw(ROOTS)
    return draw(st.lists(values(template), min_size=1, max_size=5))


def strings_in(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from strings_in(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from strings_in(item)


_numbers = itertools.count()


def check_sample_set(samples: list[Any], keep: Path | None = None) -> None:
    """Generate a package for the samples in a fresh folder and check every property on it.

    With `keep`, the package is copied there, for linters to run over many at once.
    """
    with tempfile.TemporaryDirectory() as tmp:
        name = f"fuzz_{next(_numbers)}"
        package = build_and_import(Path(tmp), name, samples)
        assert contract_failures(package, samples) == []
        assert wire_key_problems(package) == []
        batch = _is_batch(package_schema(package))
        strings = sorted({s for sample in samples for s in strings_in(sample)})
        assert source_problems(Path(tmp) / "out" / name, strings) == []
        if keep is not None:
            shutil.copytree(Path(tmp) / "out" / name, keep / name)
    check_non_json_decodes(package, samples)
    calls: list[str] = []
    dispatcher = package.Dispatcher()
    for method in [m for m in dir(dispatcher) if m.startswith("on_")]:
        getattr(dispatcher, method)(lambda *args, method=method: calls.append(method))
    for sample in samples:  # every sample is valid: one handler each, never on_error
        dispatcher.dispatch(json.dumps(sample))
        # A batch (an array of a union's kinds) calls the handler of each item in turn.
        assert len(calls) == (len(sample) if batch else 1), calls
        assert "on_error" not in calls
        calls.clear()


def _is_batch(schema: dict[str, Any]) -> bool:
    """The messages are arrays of a union: the dispatcher routes each item."""
    items = schema.get("items", {})
    target = items.get("$ref", "").rsplit("/", 1)[-1] if isinstance(items, dict) else ""
    return "x-codegen-union" in schema.get("$defs", {}).get(target, {})


def places(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """The path of every value inside `value`, itself included."""
    yield path
    if isinstance(value, dict):
        items: Any = value.items()
    else:
        items = enumerate(value) if isinstance(value, list) else ()
    for key, inner in items:
        yield from places(inner, (*path, key))


def replaced(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    copy = dict(value) if isinstance(value, dict) else list(value)
    copy[path[0]] = replaced(value[path[0]], path[1:], new)
    return copy


OUT_OF_RANGE = float("inf")  # what json.loads makes of 1e400


def check_non_json_decodes(package: Any, samples: list[Any]) -> None:
    """Values JSON cannot hold, put anywhere in a sample, never come back out of encode.

    The text 1e400 (a number beyond float range), the inf json.loads makes of it already in
    parsed input, and an object with a non-string key (possible in parsed input only): decode
    raises a DecodeError whose message formats, or the result encodes to strict JSON.
    """
    for sample in samples:
        for path in places(sample):
            huge = json.dumps(replaced(sample, path, OUT_OF_RANGE))
            text = huge.replace("-Infinity", "-1e400").replace("Infinity", "1e400")
            attempts = [
                lambda: package.decode(text),
                lambda: package.decode_value(replaced(sample, path, OUT_OF_RANGE)),
                lambda: package.decode_value(
                    replaced(sample, path, {1: "x", "k": None})
                ),
            ]
            for attempt in attempts:
                try:
                    decoded = attempt()
                except package.DecodeError as error:
                    assert str(error).startswith("$")
                    continue
                json.dumps(package.encode(decoded), allow_nan=False)


SLOW_BUT_FINE = [HealthCheck.too_slow, HealthCheck.data_too_large]


def test_random_sample_sets_round_trip(tmp_path: Path) -> None:
    """Every property on each set; then ruff and pyright strict find nothing in any package.

    The packages are kept for one pyright run over all of them: pyright is slow to start.
    """
    kept = tmp_path / "packages"

    @settings(
        max_examples=25,
        deadline=None,
        derandomize=True,  # the same examples on every run of the normal suite
        phases=[
            Phase.explicit,
            Phase.generate,
        ],  # no shrinking: each step is a generation
        suppress_health_check=SLOW_BUT_FINE,
    )
    @given(sample_sets())
    # Sets the long run found, kept as regressions.
    @example([{"a": {"X-Y": [], "1": [{}], "Z-W": [{"A-B": 0, "C-D": 0, "E-F": 0}]}}])
    @example([{"h": [], "": [{"Raw": {"<s>": False, "": False}}]}, {"h": [], "": []}])
    @example([{"error": {"code": 1}}, {"unknown": {"v": 2}}, {"unhandled": 3}])
    @example(  # kinds by an internal tag, one kind without it, hostile keys inside
        [
            {"type": "trade", "p": 1, "class": "x"},
            {"type": "book", "bids": [[1.5, 2]], "__x": None},
            {"type": "trade", "p": 2.5, "class": "y"},
            {"type": "book", "bids": [], "__x": 1},
            {"bids": [[3, 4]], "asks": []},
        ]
    )
    @example(
        [{"a": None, "b": {}, "c": [], "d": {"x": 1}}]
    )  # Any and empty-container positions
    def check(samples: list[Any]) -> None:
        check_sample_set(samples, keep=kept)

    check()
    packages = sorted(kept.iterdir())
    assert len(packages) >= 5  # the explicit examples at least
    assert run_ruff(*packages) == []
    assert run_pyright(*packages, cwd=tmp_path) == []


@pytest.mark.fuzz
@pytest.mark.filterwarnings("ignore:Generating overly large repr")
@settings(max_examples=1000, deadline=None, suppress_health_check=SLOW_BUT_FINE)
@given(sample_sets())
def test_random_sample_sets_round_trip_long(samples: list[Any]) -> None:
    check_sample_set(samples)


# --- determinism ---------------------------------------------------------------------------------


def write_set(root: Path, samples: list[Any], order: list[int]) -> Path:
    """root/samples/fuzz/NNN.json, one file per sample, created in the given order."""
    set_dir = root / "samples" / "fuzz"
    set_dir.mkdir(parents=True)
    for number in order:
        path = set_dir / f"{number:03d}.json"
        path.write_text(json.dumps(samples[number]), encoding="utf-8")
    return root / "samples"


class ReversedScandir:
    """os.scandir with its entries in reverse name order (os.walk lists through it)."""

    def __init__(self, real: Any, path: Any = ".") -> None:
        with real(path) as entries:
            self.entries = iter(sorted(entries, key=lambda e: e.name, reverse=True))

    def __enter__(self) -> ReversedScandir:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def __iter__(self) -> ReversedScandir:
        return self

    def __next__(self) -> Any:
        return next(self.entries)

    def close(self) -> None:
        return None


@settings(
    max_examples=4,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=SLOW_BUT_FINE,
)
@given(sample_sets().filter(lambda samples: len(samples) > 1))
def test_output_does_not_depend_on_file_creation_or_listing_order(
    samples: list[Any],
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        forward = list(range(len(samples)))
        first = build_packages(write_set(Path(tmp) / "a", samples, forward))
        second_samples = write_set(Path(tmp) / "b", samples, forward[::-1])
        listed = {"scandir": 0, "listdir": 0}
        real_scandir, real_listdir = os.scandir, os.listdir

        def scandir(path: Any = ".") -> ReversedScandir:
            listed["scandir"] += 1
            return ReversedScandir(real_scandir, path)

        def listdir(path: Any = ".") -> list[str]:
            listed["listdir"] += 1
            return sorted(real_listdir(path), reverse=True)

        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(os, "scandir", scandir)
            patch.setattr(os, "listdir", listdir)
            second = build_packages(second_samples)
        assert listed["scandir"] and listed["listdir"]  # the patch was in effect
        assert [(p.name, p.files) for p in first] == [(p.name, p.files) for p in second]


# Hostile names that stress every order-sensitive step: many tags, records that dedupe, class
# names that collide and are numbered, keys that sanitise alike.
ORDER_STRESS = [
    {
        "id": n,
        "event": {tag: {"n": n, "tag": tag}},
        "my-key": n,
        "my_key": n,
        "my key": [{"x": n}],
        "Ω": {"a": {"x": n}},
        "b": {"x": n},
        "class": {"my_obj": {"a": n}, "myObj": {"b": n}, "MyObj": {"c": n}},
    }
    for n, tag in enumerate(
        ["created", "deleted", "\u00e9v\u00e9nement", "a-b", "", "class", "Any", "z"]
    )
]


def test_output_does_not_depend_on_the_hash_seed(tmp_path: Path) -> None:
    samples = write_set(tmp_path, ORDER_STRESS, list(range(len(ORDER_STRESS))))
    command = Path(sys.executable).with_name("codegen")
    runs = {
        seed: subprocess.Popen(
            [str(command), "generate", str(samples), "-o", str(tmp_path / seed)],
            env=dict(os.environ, PYTHONHASHSEED=seed),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for seed in ("0", "2718281828")
    }
    for seed, run in runs.items():
        output, _ = run.communicate(timeout=300)
        assert run.returncode == 0, (seed, output)
    trees = [tree_of(tmp_path / seed) for seed in runs]
    assert trees[0] == trees[1]
    assert "fuzz/codec.py" in trees[0]
