"""bench/kinds.py counts what the samples imply: checked on tiny API folders with hand-counted answers."""

from __future__ import annotations

import importlib.util
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def kinds() -> Iterator[ModuleType]:
    """bench/kinds.py as a module (bench/ is scripts, not a package)."""
    spec = importlib.util.spec_from_file_location(
        "bench_kinds", REPO / "bench" / "kinds.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while decorating
    spec.loader.exec_module(module)
    yield module
    del sys.modules[spec.name]


def write_api(folder: Path) -> Path:
    """Three messages of one shape; `maker` is an object with an optional `desk`.

    Hand count, fields per message (root id, price, maker + maker's name, desk):
      a: all root keys, maker without desk -> 3 + 2 fields, 1 absent
      b: no maker                          -> 3 fields, 1 absent (maker itself, not walked into)
      c: no price, full maker              -> 3 + 2 fields, 1 absent
    Total 13 fields, 3 absent; classes met: the root class and the maker class.
    """
    folder.mkdir(parents=True)
    (folder / "a.json").write_text(
        json.dumps({"id": 1, "price": 2.5, "maker": {"name": "a"}})
    )
    (folder / "b.json").write_text(json.dumps({"id": 2, "price": 3.0}))
    (folder / "later").mkdir()  # a sub-folder is copied as it is
    (folder / "later" / "c.jsonl").write_text(
        json.dumps({"id": 3, "maker": {"name": "b", "desk": "x"}}) + "\n"
    )
    # Not a sample file for the bench (only .json and .jsonl are copied), though codegen would read it.
    (folder / "notes.txt").write_text('An example: {"id": 4, "other": true}\n')
    return folder


def test_counts_match_the_fixture(kinds: ModuleType, tmp_path: Path) -> None:
    report = kinds.measure_api(write_api(tmp_path / "corpora" / "tiny_api"))

    assert report.failure is None
    assert (report.messages, report.round_trips) == (3, 3)
    assert (report.fields, report.absent) == (13, 3)
    assert report.absent_share == pytest.approx(3 / 13)
    assert report.absent_per_message == pytest.approx(1.0)
    assert (report.model_dataclasses, report.model_enums) == (2, 0)
    # No tags anywhere: one handler takes every message.
    assert (report.handlers, report.kinds_hit) == (1, 1)
    ((kind, tally),) = report.kinds.items()
    assert not kind.startswith("(")
    assert (tally.messages, len(tally.classes), tally.absent) == (3, 2, 3)
    assert report.ok


def test_one_broken_api_fails_the_run_but_not_the_others(
    kinds: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpora = tmp_path / "corpora"
    write_api(corpora / "tiny_api")
    (corpora / "broken_api").mkdir()
    (corpora / "broken_api" / "x.json").write_text('{"id": ')

    status = kinds.main(["--corpora", str(corpora), "--json"])

    reports = {report["api"]: report for report in json.loads(capsys.readouterr().out)}
    assert status == 1
    assert reports["broken_api"]["failure"].startswith("generation failed")
    assert reports["tiny_api"]["failure"] is None
    assert reports["tiny_api"]["messages"] == 3


def test_missing_corpora_is_not_an_error(kinds: ModuleType, tmp_path: Path) -> None:
    assert kinds.main(["--corpora", str(tmp_path / "nowhere")]) == 0


def test_value_types_are_counted_in_the_schema(kinds: ModuleType) -> None:
    schema = {
        "$defs": {
            "Side": {"enum": ["buy", "sell"], "x-codegen-enum": "open"},
            "Node": {"type": "object", "x-codegen-recursive": {"$.children[*]": "..."}},
            "Issue": {
                "type": "object",
                "x-codegen-evidence": "one object seen with different keys at $.a, $.b",
                "properties": {
                    "level": {"type": "array", "prefixItems": [{}, {}]},
                    "prices": {
                        "type": "object",
                        "additionalProperties": {"type": "number"},
                    },
                    "id": {"type": "string", "format": "uuid"},
                    "at": {"type": "integer", "x-codegen-format": "epoch-milliseconds"},
                    "closed": {"type": "object", "additionalProperties": False},
                },
            },
        }
    }
    assert kinds.value_types(schema) == {
        "enums": 1,
        "tuples": 1,
        "maps": 1,
        "formats": 2,
        "recursive": 1,
        "merged": 1,
    }
