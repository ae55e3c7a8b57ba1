"""Benchmark: the generated codec against plain json, orjson, pydantic and msgspec, as ratios.

Two message sets: `trading` (the bundled samples, ~800 B messages) and `feed`, a small-message
feed (~100 B: tickers, trades, heartbeats) that this script makes from a seeded generator. For
each, the package is generated afresh from its samples into a temporary folder and imported twice:
once with `import orjson` failing (the stdlib path), once with orjson if it is installed.

Every figure is a ratio of thread CPU time in this one process: decoding against `json.loads` of
the same texts, encoding against `json.dumps` of the same parsed values. Chunks of the candidate
and of its baseline are interleaved (baseline, candidate, baseline, ...) so that a noisy
neighbour slows both alike; the median ratio over the chunks is printed. pydantic v2 and msgspec
(the `bench` extra) decode the same texts into models made from the same schema.json:
records become models/Structs, an externally tagged union a model with one optional field per
tag, a union told apart by a tag key a discriminated union. Missing libraries print `-`.
`json.dumps(rebuilt), straight-line` is the encode side's yardstick: the same dicts built by
straight-line literals with no calls and no checks (see straight_line_rebuild).

Run: `python bench/codec.py [CHUNKS]` (default 41).
"""

from __future__ import annotations

import importlib
import json
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any, Literal, Optional, Union

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from codegen.ingest import read_sample_set  # noqa: E402
from codegen.pipeline import build_packages  # noqa: E402
from codegen.schema import (  # noqa: E402
    TAG_KEYWORD,
    UNION_KEYWORD,
    UNION_KIND,
    UNKNOWN_KEYWORD,
    ref_name,
    union_members,
)
from codegen.write import write_packages  # noqa: E402

CALLS_PER_CHUNK = 20  # passes over a set's messages per measured chunk
FEED_MESSAGES = 60


def feed_messages(count: int = FEED_MESSAGES, seed: int = 7) -> list[dict[str, Any]]:
    """Small market-data messages of three kinds, told apart by `type`."""
    rng = random.Random(seed)
    messages: list[dict[str, Any]] = []
    for number in range(count):
        symbol = rng.choice(["BTC-USD", "ETH-USD", "SOL-USD"])
        ts = 1731675320544000 + number * 1375
        seq = 1000 + number
        if number % 3 == 0:
            bid = round(rng.uniform(100, 90000), 2)
            ask = round(bid + 0.01, 2)
            messages.append(
                {
                    "type": "ticker",
                    "symbol": symbol,
                    "seq": seq,
                    "bid": bid,
                    "ask": ask,
                    "ts": ts,
                }
            )
        elif number % 3 == 1:
            messages.append(
                {
                    "type": "trade",
                    "symbol": symbol,
                    "seq": seq,
                    "price": round(rng.uniform(100, 90000), 2),
                    "size": rng.choice([1, 2, 0.5, 0.25]),
                    "side": rng.choice(["buy", "sell"]),
                    "ts": ts,
                }
            )
        else:
            last = None if number % 2 else rng.randrange(10**9)
            messages.append(
                {"type": "heartbeat", "seq": seq, "ts": ts, "last_trade_id": last}
            )
    return messages


def cpu_time(work: Callable[[], object]) -> float:
    start = time.thread_time()
    for _ in range(CALLS_PER_CHUNK):
        work()
    return time.thread_time() - start


def median_ratio(
    baseline: Callable[[], object], candidate: Callable[[], object], chunks: int
) -> float:
    """Median over interleaved chunks of candidate CPU time / baseline CPU time."""
    ratios = []
    for _ in range(chunks):
        base = cpu_time(baseline)
        ratios.append(cpu_time(candidate) / base if base else float("nan"))
    return statistics.median(ratios)


def import_package(out: Path, name: str, *, orjson: bool) -> ModuleType:
    """Import generated package `name` from `out`, its runtime finding orjson or not (a None in
    sys.modules makes `import orjson` fail); then forget it, so the next import is a new module.
    """
    blocked = sys.modules.get("orjson", None)
    if not orjson:
        sys.modules["orjson"] = None  # type: ignore[assignment]
    sys.path.insert(0, str(out))
    try:
        importlib.invalidate_caches()
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(out))
        if not orjson:
            del sys.modules["orjson"]
            if blocked is not None:
                sys.modules["orjson"] = blocked
        for loaded in [m for m in sys.modules if m.partition(".")[0] == name]:
            del sys.modules[loaded]


# --- pydantic and msgspec models made from schema.json --------------------------------------


class ModelMaker:
    """Classes for a schema's defs, in one library's terms (subclasses say how)."""

    def __init__(self, schema: dict[str, Any]) -> None:
        self.defs: dict[str, Any] = schema["$defs"]
        self.made: dict[str, Any] = {}

    def root(self, schema: dict[str, Any]) -> Any:
        return self.type_of({k: v for k, v in schema.items() if k != "$defs"})

    def type_of(self, fragment: dict[str, Any]) -> Any:
        name = ref_name(fragment)
        if name is not None:
            if name not in self.made:
                self.made[name] = self.make(name, self.defs[name])
            return self.made[name]
        if "anyOf" in fragment:
            return union([self.type_of(member) for member in fragment["anyOf"]])
        kind = fragment.get("type")
        if isinstance(kind, list):
            return union([self.type_of({**fragment, "type": k}) for k in kind])
        if kind == "array":
            if "prefixItems" in fragment:
                return tuple.__class_getitem__(
                    tuple(self.type_of(p) for p in fragment["prefixItems"])
                )
            items = fragment.get("items")
            return list[Any] if items is None else list[self.type_of(items)]  # type: ignore[misc]
        if kind == "object":
            values = fragment.get("additionalProperties")
            if isinstance(values, dict) and values:
                return dict[str, self.type_of(values)]  # type: ignore[misc]
            return dict[str, Any]
        scalars = {"string": str, "integer": int, "number": float, "boolean": bool}
        return {**scalars, "null": type(None)}.get(kind, Any) if kind else Any

    def make(self, name: str, definition: dict[str, Any]) -> Any:
        if "enum" in definition:  # an open enum: any string
            return str
        if definition.get(UNION_KEYWORD) == UNION_KIND:
            variants = [
                self.defs[m]
                for m in union_members(definition)
                if not self.defs[m].get(UNKNOWN_KEYWORD)
            ]
            fields = [
                (key, self.type_of(payload), False)
                for variant in variants
                for key, payload in variant["properties"].items()
            ]
            return self.record(name, fields, None)
        if UNION_KEYWORD in definition:
            tag = definition.get(TAG_KEYWORD)
            if tag is None:
                raise SystemExit(
                    f"{name}: only unions told apart by a tag key are modelled"
                )
            members = [
                m
                for m in union_members(definition)
                if not self.defs[m].get(UNKNOWN_KEYWORD)
            ]
            return self.tagged_union(
                tag, [self.type_of({"$ref": f"#/$defs/{m}"}) for m in members]
            )
        properties: dict[str, Any] = definition.get("properties", {})
        required = set(definition.get("required", ()))
        fields = []
        tag = None
        for key, fragment in properties.items():
            if "const" in fragment:
                tag = (key, fragment["const"])
            else:
                fields.append((key, self.type_of(fragment), key in required))
        return self.record(name, fields, tag)

    def record(
        self,
        name: str,
        fields: list[tuple[str, Any, bool]],
        tag: tuple[str, Any] | None,
    ) -> Any:
        raise NotImplementedError

    def tagged_union(self, tag: str, members: list[Any]) -> Any:
        raise NotImplementedError


def union(types: list[Any]) -> Any:
    return types[0] if len(types) == 1 else Union[tuple(types)]  # noqa: UP007


class PydanticMaker(ModelMaker):
    def record(
        self,
        name: str,
        fields: list[tuple[str, Any, bool]],
        tag: tuple[str, Any] | None,
    ) -> Any:
        import pydantic

        spec: dict[str, Any] = {}
        for number, (key, annotation, required) in enumerate(fields):
            if required:
                spec[f"f{number}"] = (annotation, pydantic.Field(alias=key))
            else:
                spec[f"f{number}"] = (
                    Optional[annotation],  # noqa: UP045
                    pydantic.Field(None, alias=key),
                )
        if tag is not None:
            spec["tag_"] = (Literal[tag[1]], pydantic.Field(alias=tag[0]))
        return pydantic.create_model(name, **spec)

    def tagged_union(self, tag: str, members: list[Any]) -> Any:
        import pydantic
        from typing import Annotated

        return Annotated[union(members), pydantic.Field(discriminator="tag_")]


class MsgspecMaker(ModelMaker):
    def record(
        self,
        name: str,
        fields: list[tuple[str, Any, bool]],
        tag: tuple[str, Any] | None,
    ) -> Any:
        import msgspec

        spec: list[Any] = []
        rename: dict[str, str] = {}
        for number, (key, annotation, required) in enumerate(fields):
            rename[f"f{number}"] = key
            if required:
                spec.append((f"f{number}", annotation))
            else:
                spec.append((f"f{number}", Optional[annotation], None))  # noqa: UP045
        if tag is None:
            return msgspec.defstruct(name, spec, rename=rename, kw_only=True)
        return msgspec.defstruct(
            name, spec, rename=rename, kw_only=True, tag_field=tag[0], tag=tag[1]
        )

    def tagged_union(self, tag: str, members: list[Any]) -> Any:
        return union(members)


def pydantic_codec(
    schema: dict[str, Any],
) -> tuple[Callable[[str], Any], Callable[[Any], Any]] | None:
    try:
        import pydantic
    except ImportError:
        return None
    adapter = pydantic.TypeAdapter(PydanticMaker(schema).root(schema))
    return adapter.validate_json, lambda value: adapter.dump_json(value, by_alias=True)


def msgspec_codec(
    schema: dict[str, Any],
) -> tuple[Callable[[str], Any], Callable[[Any], Any]] | None:
    try:
        import msgspec
    except ImportError:
        return None
    decoder = msgspec.json.Decoder(MsgspecMaker(schema).root(schema))
    return decoder.decode, msgspec.json.encode


# --- the measurements -------------------------------------------------------------------------


def figures(
    name: str, out: Path, texts: list[str], chunks: int
) -> dict[str, float | None]:
    values = [json.loads(text) for text in texts]
    plain = import_package(out, name, orjson=False)
    fast = import_package(out, name, orjson=True) if has_orjson() else None
    if fast is not None and getattr(fast._runtime, "orjson", None) is None:
        fast = None  # a runtime that does not use orjson (an older codegen)
    objects = [plain.decode(text) for text in texts]
    schema = json.loads((out / name / "schema.json").read_text(encoding="utf-8"))

    def loads() -> object:
        return [json.loads(t) for t in texts]

    def dumps() -> object:
        return [json.dumps(v) for v in values]

    def decoding(decode: Callable[[Any], object], inputs: list[Any]) -> float:
        return median_ratio(loads, lambda: [decode(i) for i in inputs], chunks)

    def encoding(encode: Callable[[Any], object], inputs: list[Any]) -> float:
        return median_ratio(dumps, lambda: [encode(i) for i in inputs], chunks)

    result: dict[str, float | None] = {
        "decode(text), json": decoding(plain.decode, texts),
        "decode(text), orjson": None if fast is None else decoding(fast.decode, texts),
        "decode_value(parsed)": decoding(plain.decode_value, values),
        "orjson.loads alone": (
            None
            if fast is None
            else decoding(importlib.import_module("orjson").loads, texts)
        ),
    }
    for label, make in (
        ("pydantic model_validate_json", pydantic_codec),
        ("msgspec Structs", msgspec_codec),
    ):
        codec = make(schema)
        result[label] = None if codec is None else decoding(codec[0], texts)
    encode = plain.encode

    def dumps_of_encoded() -> object:
        # Written as `dumps` is, so that both sides pay the same calls per message and the
        # ratio is encode's cost alone: a lambda around the two calls would add a frame per
        # message to this side only (about 3% of json.dumps of a 100-byte message).
        return [json.dumps(encode(o)) for o in objects]

    result["json.dumps(encode(obj))"] = median_ratio(dumps, dumps_of_encoded, chunks)
    rebuilds = [(straight_line_rebuild(v), v) for v in values]

    def dumps_of_rebuilt() -> object:
        return [json.dumps(rebuild(v)) for rebuild, v in rebuilds]

    result["json.dumps(rebuilt), straight-line"] = median_ratio(
        dumps, dumps_of_rebuilt, chunks
    )
    result["encode_json(obj), json"] = (
        encoding(plain.encode_json, objects) if hasattr(plain, "encode_json") else None
    )
    result["encode_json(obj), orjson"] = (
        None
        if fast is None
        else encoding(fast.encode_json, [fast.decode(text) for text in texts])
    )
    for label, make in (
        ("pydantic dump_json", pydantic_codec),
        ("msgspec encode", msgspec_codec),
    ):
        codec = make(schema)
        if codec is None:
            result[label] = None
        else:
            decode, encode = codec
            models = [decode(text) for text in texts]
            result[label] = encoding(encode, models)
    return result


def straight_line_rebuild(value: Any) -> Callable[[Any], Any]:
    """A function that builds `value`'s dicts and lists anew from a value of the same shape, by
    literals in straight-line code: one call per message, no other calls, no checks, every
    nested container read once into a local. What building the same JSON value costs in plain
    Python, to read `json.dumps(encode(obj))` against (encode has the records' attributes to
    read where this has dict items)."""
    lines: list[str] = []

    def build(part: Any, source: str) -> str:
        if isinstance(part, (dict, list)):
            local = source if source.isidentifier() else f"v{len(lines)}"
            if local != source:
                lines.append(f"    {local} = {source}")
            if isinstance(part, dict):
                items = (
                    f"{k!r}: {build(v, f'{local}[{k!r}]')}" for k, v in part.items()
                )
                return "{" + ", ".join(items) + "}"
            return (
                "["
                + ", ".join(build(v, f"{local}[{i}]") for i, v in enumerate(part))
                + "]"
            )
        return source

    result = build(value, "value")
    namespace: dict[str, Any] = {}
    exec("\n".join(["def rebuild(value):", *lines, f"    return {result}"]), namespace)
    rebuild: Callable[[Any], Any] = namespace["rebuild"]
    return rebuild


def has_orjson() -> bool:
    try:
        importlib.import_module("orjson")
    except ImportError:
        return False
    return True


def main() -> None:
    chunks = int(sys.argv[1]) if len(sys.argv) > 1 else 41
    with tempfile.TemporaryDirectory() as tmp:
        samples = Path(tmp) / "samples"
        shutil.copytree(REPO / "samples" / "trading", samples / "trading")
        (samples / "feed").mkdir()
        for number, message in enumerate(feed_messages()):
            (samples / "feed" / f"{number:03d}.json").write_text(
                json.dumps(message), encoding="utf-8"
            )
        write_packages(build_packages(samples), Path(tmp) / "out")
        columns = {}
        for name in ("trading", "feed"):
            texts = [
                json.dumps(s.value)
                for s in read_sample_set(samples / name, f"samples/{name}")
            ]
            size = sum(len(t.encode()) for t in texts) // len(texts)
            columns[f"{name} ({size} B)"] = figures(
                name, Path(tmp) / "out", texts, chunks
            )
    rows = list(next(iter(columns.values())))
    print(
        f"{'cost x json.loads / json.dumps (lower is faster)':<48}"
        + "".join(f"{c:>18}" for c in columns)
    )
    for row in rows:
        if row == "json.dumps(encode(obj))":
            print("encoding, against json.dumps of the plain dict:")
        cells = [columns[c][row] for c in columns]
        print(
            f"  {row:<46}"
            + "".join(f"{'-' if v is None else f'{v:.2f}x':>18}" for v in cells)
        )
    print(
        "median ratios of thread CPU time over interleaved chunks, one process; decoding against"
        " json.loads of the same texts"
    )


if __name__ == "__main__":
    main()
