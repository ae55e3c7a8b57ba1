"""`codegen generate` skips sets whose inputs and package are unchanged (see codegen/cache.py).

What must hold: a run that skips writes exactly the bytes a run without a cache writes; a hand
edit, an added or a deleted file in a package is still reported by `check` and undone by
`generate`; a change to a sample, to the settings, to the naming memory (the package's
schema.json) or to the generator itself builds again; `check` never uses the cache; a skipped
set prints the warnings its build printed.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

import codegen.cache
import codegen.pipeline
from codegen.cache import generator_fingerprint
from codegen.cli import main

SAMPLES = {
    "shop/order.json": '{"id": 1, "items": [{"sku": "a", "qty": 2}], "note": null}\n',
    "shop/refund.json": '{"id": 2, "items": [], "note": "late"}\n',
}


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], env={"CODEGEN_DEBUG": None})


def files_under(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A samples folder with one set, and a cache folder of this test's own."""
    monkeypatch.setenv("CODEGEN_CACHE_DIR", str(tmp_path / "cache"))
    for name, text in SAMPLES.items():
        (tmp_path / "samples" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "samples" / name).write_text(text, encoding="utf-8")
    return tmp_path


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The sets inferred from now on (a skipped set is not), by folder name."""
    inferred: list[str] = []
    infer_schema = codegen.pipeline.infer_schema

    def counted(sample_set: codegen.pipeline.SampleSet, *args: Any) -> Any:
        inferred.append(sample_set.directory.name)
        return infer_schema(sample_set, *args)

    monkeypatch.setattr(codegen.pipeline, "infer_schema", counted)
    return inferred


def generate(project: Path, out: str = "out") -> Result:
    result = run("generate", project / "samples", "-o", project / out)
    assert result.exit_code == 0, result.output
    return result


def check(project: Path) -> Result:
    return run("check", project / "samples", "-o", project / "out")


def fresh_output(
    project: Path, monkeypatch: pytest.MonkeyPatch, memory: Path | None = None
) -> dict[str, bytes]:
    """What a run with an empty cache writes into a folder of its own (holding a copy of the
    package `memory` first, as its naming memory)."""
    monkeypatch.setenv("CODEGEN_CACHE_DIR", str(project / "empty-cache"))
    shutil.rmtree(project / "empty-cache", ignore_errors=True)
    shutil.rmtree(project / "fresh", ignore_errors=True)
    if memory is not None:
        shutil.copytree(memory, project / "fresh" / memory.name)
    generate(project, "fresh")
    monkeypatch.setenv("CODEGEN_CACHE_DIR", str(project / "cache"))
    return files_under(project / "fresh")


def test_an_unchanged_set_is_skipped_and_leaves_the_same_bytes(
    project: Path, monkeypatch: pytest.MonkeyPatch, builds: list[str]
) -> None:
    """The first run into an empty folder builds without naming memory; the second has the
    package as its memory, so it builds again (and writes nothing); the third skips the set.
    """
    package = project / "out" / "shop"
    assert generate(project).stdout.startswith(f"wrote {package} ")
    written = files_under(project / "out")
    assert generate(project).stdout.startswith(f"unchanged {package} ")
    assert builds == ["shop", "shop"]
    assert generate(project).stdout.startswith(f"unchanged {package} ")
    assert builds == ["shop", "shop"]  # skipped: not inferred
    assert files_under(project / "out") == written
    assert fresh_output(project, monkeypatch) == written
    assert check(project).exit_code == 0


def test_check_never_uses_the_cache(project: Path, builds: list[str]) -> None:
    for _ in range(3):
        generate(project)
    builds.clear()
    assert check(project).exit_code == 0
    assert builds == ["shop"]


def settled(project: Path) -> None:
    """Generate until the set is skipped (its entry holds the package as naming memory)."""
    for _ in range(2):
        generate(project)


@pytest.mark.parametrize("change", ["edit", "add", "delete", "edit mark"])
def test_a_hand_change_to_a_package_is_reported_and_undone(
    project: Path, change: str
) -> None:
    settled(project)
    written = files_under(project / "out")
    package = project / "out" / "shop"
    if change == "edit":
        models = package / "models.py"
        models.write_text(models.read_text() + "# mine\n")
    elif change == "add":
        (package / "extra.py").write_text("x = 1\n")
    elif change == "delete":
        (package / "codec.py").unlink()
    else:
        (package / ".codegen").write_text("made by hand\n")
    assert check(project).exit_code == 1
    assert generate(project).stdout.startswith(f"wrote {package} ")
    assert files_under(project / "out") == written
    assert check(project).exit_code == 0


def test_a_changed_naming_memory_builds_again(
    project: Path, monkeypatch: pytest.MonkeyPatch, builds: list[str]
) -> None:
    """The committed package is the naming memory: put back one whose class has another name
    (as a checkout of an older package would) and the name it holds is kept, as without a cache,
    although samples, settings and generator are unchanged."""
    settled(project)
    schema = project / "out" / "shop" / "schema.json"
    text = schema.read_text(encoding="utf-8")
    assert '"Item"' in text
    schema.write_text(text.replace('"Item"', '"LineItem"'), encoding="utf-8")
    expected = fresh_output(project, monkeypatch, memory=project / "out" / "shop")
    builds.clear()
    assert generate(project).stdout.startswith("wrote ")
    assert builds == ["shop"]
    assert files_under(project / "out") == expected
    assert "class LineItem" in (project / "out" / "shop" / "models.py").read_text()
    assert check(project).exit_code == 0


def test_a_changed_sample_builds_again(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settled(project)
    before = files_under(project / "out")
    (project / "samples" / "shop" / "order.json").write_text(
        '{"id": 1, "items": [{"sku": "a", "qty": 2}], "note": null, "paid": true}\n'
    )
    assert generate(project).stdout.startswith("wrote ")
    after = files_under(project / "out")
    assert after != before and b'"paid"' in after["shop/schema.json"]
    assert fresh_output(project, monkeypatch, memory=project / "out" / "shop") == after


def test_a_sample_made_bad_fails_as_without_a_cache(project: Path) -> None:
    settled(project)
    before = files_under(project / "out")
    (project / "samples" / "shop" / "order.json").write_text('{"id": 1,\n')
    result = run("generate", project / "samples", "-o", project / "out")
    assert result.exit_code == 2 and "order.json:" in result.stderr
    assert "Traceback" not in result.output
    assert files_under(project / "out") == before


def test_changed_settings_build_again(project: Path) -> None:
    settled(project)
    (project / "samples" / "shop" / "codegen.toml").write_text('root_name = "Sale"\n')
    assert generate(project).stdout.startswith("wrote ")
    assert "class Sale" in (project / "out" / "shop" / "models.py").read_text()


def test_a_changed_generator_builds_again(
    project: Path, monkeypatch: pytest.MonkeyPatch, builds: list[str]
) -> None:
    settled(project)
    written = files_under(project / "out")
    builds.clear()
    monkeypatch.setattr(codegen.cache, "generator_fingerprint", lambda: b"another")
    # Built again; the same generator really, so the same files, which are not rewritten.
    assert generate(project).stdout.startswith("unchanged ")
    assert builds == ["shop"] and files_under(project / "out") == written


def test_the_generator_fingerprint_covers_the_templates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An edit to a template (not only to codegen's Python files) makes another generator."""
    copy = tmp_path / "templates"
    shutil.copytree(Path(str(resources.files("codegen.templates"))), copy)
    real_files: Callable[..., Any] = resources.files
    monkeypatch.setattr(
        codegen.cache.resources,
        "files",
        lambda package: copy if package == "codegen.templates" else real_files(package),
    )
    generator_fingerprint.cache_clear()
    try:
        before = generator_fingerprint()
        template = copy / "package" / "models.py.jinja"
        template.write_text(template.read_text() + "\n")
        generator_fingerprint.cache_clear()
        assert generator_fingerprint() != before
    finally:
        generator_fingerprint.cache_clear()


def test_a_skipped_set_prints_its_warnings_again(
    project: Path, builds: list[str]
) -> None:
    (project / "samples" / "shop" / "feed.log").write_text(
        'start\n12:00 <- {"id": 3, "items": [], "note": null}\n', encoding="utf-8"
    )
    results = [generate(project) for _ in range(3)]
    assert builds == ["shop", "shop"]
    warning = results[0].stderr
    assert "feed.log:1: skipped 1 line(s)" in warning
    assert [result.stderr for result in results] == [warning] * 3


def test_a_cache_that_cannot_be_written_is_no_cache(
    project: Path, monkeypatch: pytest.MonkeyPatch, builds: list[str]
) -> None:
    (project / "not-a-folder").write_text("")
    monkeypatch.setenv("CODEGEN_CACHE_DIR", str(project / "not-a-folder"))
    for _ in range(3):
        generate(project)
    assert builds == ["shop"] * 3


def test_the_cache_entry_names_no_sample_text(project: Path) -> None:
    """Entries hold digests and warnings only, one per package folder."""
    settled(project)
    (entry,) = (project / "cache").iterdir()
    data = json.loads(entry.read_text(encoding="utf-8"))
    assert sorted(data) == ["files", "key", "warnings"]
    assert '"sku"' not in entry.read_text(encoding="utf-8")


def test_a_skipping_run_loads_no_renderer(project: Path) -> None:
    """What keeps an unchanged run fast, checked without timing it: neither black, jinja2 nor
    datamodel-code-generator is imported when every set is skipped."""
    settled(project)
    script = (
        "import sys\n"
        "from codegen.cli import main\n"
        "try:\n"
        "    main(sys.argv[1:])\n"
        "finally:\n"
        "    loaded = ('black', 'jinja2', 'datamodel_code_generator', 'codegen.render.model')\n"
        "    print(sorted(name for name in loaded if name in sys.modules), file=sys.stderr)\n"
    )
    args = ["generate", str(project / "samples"), "-o", str(project / "out")]
    done = subprocess.run(
        [sys.executable, "-c", script, *args], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("unchanged ") and done.stderr == "[]\n"
