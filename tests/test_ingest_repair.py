"""Docs blocks that are almost JSON are repaired or reported, never lost silently; notes beside
the samples of a set are not samples."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from codegen.ingest import extract_from_document, ingest_document, read_sample_set

DOC = """\
The order:
{
  "id": 7, // the order id
  "tags": ["a", "b",],
  /* legacy */ "side": "buy",
}
Escaped by the site: {&quot;name&quot;: &quot;a &amp; b&quot;}
Elided: {"items": [{"n": 1}, ...]}
Prose like GET /orders/{id} stays prose; {"ok": true}
"""


def test_repaired_blocks_are_read_with_a_warning_and_elided_ones_reported(
    capsys: pytest.CaptureFixture[str],
) -> None:
    samples = extract_from_document(DOC, "doc.md")
    # Line 9: 41 characters of prose before the `{`; the {"n": 1} inside the elided block of
    # line 8 is not taken.
    assert [(s.value, str(s.origin)) for s in samples] == [
        ({"id": 7, "tags": ["a", "b"], "side": "buy"}, "doc.md:2:1"),
        ({"name": "a & b"}, "doc.md:7:22"),
        ({"ok": True}, "doc.md:9:42"),
    ]
    warnings = capsys.readouterr().err.splitlines()
    assert warnings[0].startswith(
        "warning: doc.md:2:1: read a block after removing its"
    )
    assert warnings[1] == (
        "warning: doc.md:7:22: read a block after removing its HTML escapes"
    )
    assert warnings[2].startswith(
        "warning: doc.md:8:9: skipped a block that is not JSON:"
    )
    assert "`...`" in warnings[2] and len(warnings) == 3


def test_comment_markers_inside_strings_are_kept() -> None:
    text = '{"url": "http://x.test/a,]", "n": 1,}'
    (sample,) = extract_from_document(text, "doc.md")
    assert sample.value == {"url": "http://x.test/a,]", "n": 1}


def test_ingest_writes_the_repaired_text(tmp_path: Path) -> None:
    doc = tmp_path / "page.md"
    doc.write_text('Example: {"a": 1, // one\n "b": [2,],}\n')
    (path,) = ingest_document(doc, tmp_path / "set")
    written = path.read_text()
    assert json.loads(written) == {"a": 1, "b": [2]}


def test_notes_in_a_set_are_not_samples(tmp_path: Path) -> None:
    folder = tmp_path / "set"
    folder.mkdir()
    (folder / "README.md").write_text('About these captures: {"not": "a sample"}')
    (folder / "notes.txt").write_text('{"not": "a sample"}')
    (folder / "CHANGELOG").write_text("x")  # no sample suffix either
    (folder / "messages.md").write_text('A docs page: {"is": "a sample"}')
    samples = read_sample_set(folder, "set")
    assert [s.value for s in samples] == [{"is": "a sample"}]
