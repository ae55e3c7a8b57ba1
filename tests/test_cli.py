"""The `codegen` command through click's CliRunner: generate, check, infer, ingest, bad input."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from codegen.cli import main

from conftest import (
    BUNDLED_SETS,
    GENERATED,
    PACKAGE_FILES,
    REPO,
    SAMPLES,
    files_under,
)

SEEDS = REPO / "tests" / "fixtures" / "seeds"


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def assert_clean_failure(result: Result, status: int) -> None:
    """Exit status as given, a message, and no traceback anywhere."""
    assert result.exit_code == status, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    assert "Traceback" not in result.stderr


@pytest.fixture(scope="module")
def generated_once(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Result]:
    """`codegen generate samples -o <tmp>/out`, run once for the module."""
    target = tmp_path_factory.mktemp("cli") / "out"
    return target, run("generate", SAMPLES, "-o", target)


@pytest.fixture
def out(generated_once: tuple[Path, Result], tmp_path: Path) -> Path:
    """A fresh copy of what `codegen generate` wrote, for a test to change."""
    target, result = generated_once
    assert result.exit_code == 0, result.output
    shutil.copytree(target, tmp_path / "out")
    return tmp_path / "out"


def onboarding_only(tmp_path: Path) -> Path:
    """A samples folder with the smaller bundled set alone (a quicker build)."""
    samples = tmp_path / "samples"
    shutil.copytree(SAMPLES / "onboarding", samples / "onboarding")
    return samples


def sample_copy(tmp_path: Path) -> Path:
    samples = tmp_path / "samples"
    shutil.copytree(SAMPLES, samples)
    return samples


# --- generate -------------------------------------------------------------------------------


def test_generate_writes_every_package(out: Path) -> None:
    for name in BUNDLED_SETS:
        assert {p.name for p in (out / name).iterdir()} == PACKAGE_FILES
    assert files_under(out) == files_under(GENERATED)
    # Nothing else is left in the output folder (no staging or retired folders).
    assert sorted(p.name for p in out.iterdir()) == sorted(BUNDLED_SETS)


def test_generate_reports_what_it_wrote(generated_once: tuple[Path, Result]) -> None:
    target, result = generated_once
    assert result.exit_code == 0
    for name in BUNDLED_SETS:
        assert f"wrote {target / name} ({len(PACKAGE_FILES)} files)" in result.stdout


def test_generate_replaces_packages_and_removes_those_of_gone_sets(
    out: Path, tmp_path: Path
) -> None:
    (out / "onboarding" / "stale.py").write_text("x = 1\n", encoding="utf-8")
    (out / "onboarding" / "models.py").write_text("broken\n", encoding="utf-8")
    (out / "trading" / "models.py").write_text("not regenerated\n", encoding="utf-8")
    (out / "hand_written").mkdir()
    (out / "hand_written" / "keep.py").write_text("x = 1\n", encoding="utf-8")
    result = run("generate", onboarding_only(tmp_path), "-o", out)
    assert result.exit_code == 0, result.output
    assert files_under(out / "onboarding") == files_under(GENERATED / "onboarding")
    # The package of a set that is gone is removed (check would report it); other folders stay.
    assert not (out / "trading").exists()
    assert (out / "hand_written" / "keep.py").read_text(encoding="utf-8") == "x = 1\n"


# --- check ----------------------------------------------------------------------------------


def test_check_clean_exits_0(out: Path) -> None:
    result = run("check", SAMPLES, "-o", out)
    assert result.exit_code == 0, result.output
    assert "---" not in result.stdout


def test_check_after_an_edit_exits_1_with_a_unified_diff(out: Path) -> None:
    codec = out / "trading" / "codec.py"
    lines = codec.read_text(encoding="utf-8").splitlines(keepends=True)
    lines.insert(3, "# hand edit\n")
    codec.write_text("".join(lines), encoding="utf-8")
    before = files_under(out)
    result = run("check", SAMPLES, "-o", out)
    assert_clean_failure(result, 1)
    assert "--- out/trading/codec.py" in result.stdout
    assert "+++ out/trading/codec.py" in result.stdout
    assert re.search(r"^@@ -\d+(,\d+)? \+\d+(,\d+)? @@", result.stdout, re.M)
    assert "\n-# hand edit\n" in result.stdout
    assert "models.py" not in result.stdout
    # check never writes.
    assert files_under(out) == before


def test_check_with_a_missing_file_exits_1(out: Path, tmp_path: Path) -> None:
    shutil.rmtree(out / "trading")
    (out / "onboarding" / "wire.py").unlink()
    result = run("check", onboarding_only(tmp_path), "-o", out)
    assert_clean_failure(result, 1)
    assert "out/onboarding/wire.py" in result.stdout


def test_check_with_nothing_generated_exits_1(tmp_path: Path) -> None:
    result = run("check", onboarding_only(tmp_path), "-o", tmp_path / "empty")
    assert_clean_failure(result, 1)
    for name in PACKAGE_FILES:
        assert f"empty/onboarding/{name}" in result.stdout


def test_check_reports_a_package_whose_set_is_gone(out: Path, tmp_path: Path) -> None:
    # generated/<set> of a sample set that was deleted: not what the samples produce now.
    shutil.rmtree(out / "trading")
    shutil.copytree(out / "onboarding", out / "retired_set")
    result = run("check", onboarding_only(tmp_path), "-o", out)
    assert_clean_failure(result, 1)
    assert "retired_set" in result.output


# --- infer ----------------------------------------------------------------------------------


def test_infer_prints_the_json_schema_of_a_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    result = run("infer", "samples/trading")
    assert result.exit_code == 0, result.output
    schema = json.loads(result.stdout)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["title"] == "TradingMessage"
    assert "$defs" in schema
    assert {"Position", "BidAsk", "Account", "AuthResult"} <= set(schema["$defs"])
    committed = json.loads((GENERATED / "trading" / "schema.json").read_text("utf-8"))
    assert schema == committed


def test_infer_prints_the_package_schema_byte_for_byte_from_any_path() -> None:
    result = run(
        "infer", SAMPLES / "trading"
    )  # absolute: provenance still says samples/trading
    assert result.exit_code == 0, result.output
    assert result.stdout == (GENERATED / "trading" / "schema.json").read_text("utf-8")


def test_infer_of_a_folder_of_sets_prints_each_schema() -> None:
    result = run("infer", SAMPLES)
    assert result.exit_code == 0, result.output
    schemas = json.loads(result.stdout)
    assert sorted(schemas) == sorted(BUNDLED_SETS)
    assert schemas["onboarding"]["title"] == "OnboardingResponse"


def test_infer_of_a_missing_folder_exits_2(tmp_path: Path) -> None:
    result = run("infer", tmp_path / "nowhere")
    assert_clean_failure(result, 2)
    assert "nowhere" in result.output


# --- ingest ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("seed", "set_name"),
    [
        ("000_06e79cef9e5c5c77.txt", "trading"),
        ("003_2066f76084269dfd.txt", "onboarding"),
    ],
)
def test_ingest_reproduces_the_bundled_samples(
    tmp_path: Path, seed: str, set_name: str
) -> None:
    into = tmp_path / set_name
    result = run("ingest", SEEDS / seed, "--into", into)
    assert result.exit_code == 0, result.output
    written = files_under(into)
    bundled = {
        name: content
        for name, content in files_under(SAMPLES / set_name).items()
        if name.endswith(".json")
    }
    assert written == bundled
    for name in written:
        assert str(into / name) in result.stdout
    # Running it again changes nothing.
    again = run("ingest", SEEDS / seed, "--into", into)
    assert again.exit_code == 0, again.output
    assert files_under(into) == written


def test_ingest_writes_one_file_per_value(tmp_path: Path) -> None:
    doc = tmp_path / "page.txt"
    doc.write_text(
        'Response:\n\n{"a": 1, "b": [1.50, 2]}\nCopy\n{"a": 1, "b": [1.50, 2]}\n\n'
        'Another: [{"c": null}] done.\n',
        encoding="utf-8",
    )
    into = tmp_path / "set"
    result = run("ingest", doc, "--into", into)
    assert result.exit_code == 0, result.output
    contents = sorted(files_under(into).values())
    assert contents == sorted([b'{"a": 1, "b": [1.50, 2]}\n', b'[{"c": null}]\n'])
    assert all(name.startswith("page-") for name in files_under(into))


def test_ingest_of_a_document_without_json_exits_2(tmp_path: Path) -> None:
    doc = tmp_path / "prose.txt"
    doc.write_text("No JSON in here, {only} braces.\n", encoding="utf-8")
    result = run("ingest", doc, "--into", tmp_path / "set")
    assert_clean_failure(result, 2)
    assert "prose.txt" in result.output


# --- bad input ------------------------------------------------------------------------------


def test_malformed_sample_exits_2_with_file_and_line(tmp_path: Path) -> None:
    samples = tmp_path / "samples"
    (samples / "broken").mkdir(parents=True)
    (samples / "broken" / "ok.json").write_text('{"a": 1}', encoding="utf-8")
    (samples / "broken" / "bad.json").write_text('{\n  "a": [1, 2\n', encoding="utf-8")
    result = run("generate", samples, "-o", tmp_path / "out")
    assert_clean_failure(result, 2)
    assert re.search(r"broken/bad\.json:\d+(:\d+)?", result.stderr), result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists() or files_under(tmp_path / "out") == {}


@pytest.mark.parametrize("command", ["generate", "check", "infer"])
def test_every_command_reports_bad_samples_the_same_way(
    tmp_path: Path, command: str
) -> None:
    samples = tmp_path / "samples"
    (samples / "broken").mkdir(parents=True)
    (samples / "broken" / "bad.json").write_text('{"a": 1,\n "a": 2}', encoding="utf-8")
    args = (
        [samples / "broken"] if command == "infer" else [samples, "-o", tmp_path / "o"]
    )
    result = run(command, *args)
    assert_clean_failure(result, 2)
    assert re.search(r"bad\.json:2(:\d+)?", result.stderr), result.stderr


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["generate", "{tmp}/nowhere", "-o", "{tmp}/o"], id="generate"),
        pytest.param(["check", "{tmp}/nowhere", "-o", "{tmp}/o"], id="check"),
        pytest.param(["ingest", "{tmp}/nowhere.txt", "--into", "{tmp}/s"], id="ingest"),
    ],
)
def test_missing_input_exits_2(tmp_path: Path, args: list[str]) -> None:
    result = run(*[arg.format(tmp=tmp_path) for arg in args])
    assert_clean_failure(result, 2)
    assert "nowhere" in result.stderr
    assert not (tmp_path / "o").exists() and not (tmp_path / "s").exists()


def test_failed_generate_leaves_previous_output_intact(
    out: Path, tmp_path: Path
) -> None:
    before = files_under(out)
    samples = sample_copy(tmp_path)
    # The new sample would change trading; a later set is broken: nothing may be written.
    (samples / "trading" / "zz-new.json").write_text(
        '{"message_id": "n", "message_type": {"server_message": {"ping": {"at": 1}}}}',
        encoding="utf-8",
    )
    (samples / "zzz_broken").mkdir()
    (samples / "zzz_broken" / "bad.json").write_text('{"a": }', encoding="utf-8")
    (samples / "aaa_new").mkdir()
    (samples / "aaa_new" / "ok.json").write_text('{"b": 2}', encoding="utf-8")
    result = run("generate", samples, "-o", out)
    assert_clean_failure(result, 2)
    assert "zzz_broken/bad.json:1" in result.stderr
    assert files_under(out) == before
    assert sorted(p.name for p in out.iterdir()) == sorted(BUNDLED_SETS)


def test_infer_of_a_folder_of_sets_ignores_files_beside_the_sets(
    tmp_path: Path,
) -> None:
    samples = tmp_path / "samples"
    shutil.copytree(SAMPLES, samples)
    (samples / "README.md").write_text("Our captures. See [1].\n", encoding="utf-8")
    result = run("infer", samples)
    assert result.exit_code == 0, result.output
    assert sorted(json.loads(result.stdout)) == sorted(BUNDLED_SETS)
