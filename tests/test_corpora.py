"""The contract on real captures: every API in ../shared/corpora (read-only material beside the
repository, never copied into it) generates, round-trips byte for byte, validates against its
schema.json, and routes every message to a handler of its own kind when kinds were found.
Skipped when the folder is absent (a clone without the team's shared material)."""

from __future__ import annotations

import shutil
from types import ModuleType

import pytest

from codegen.ingest import read_sample_set
from codegen.pipeline import build_packages
from codegen.write import write_packages
from conftest import REPO, contract_failures, import_generated

CORPORA = REPO.parent / "shared" / "corpora"
APIS = (
    sorted(p.name for p in CORPORA.iterdir() if p.is_dir()) if CORPORA.is_dir() else []
)

pytestmark = pytest.mark.skipif(not APIS, reason=f"no corpora at {CORPORA}")


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, ModuleType]:
    root = tmp_path_factory.mktemp("corpora")
    for api in APIS:
        shutil.copytree(CORPORA / api, root / "samples" / api)
    write_packages(build_packages(root / "samples"), root / "out")
    return {api: import_generated(root / "out", api) for api in APIS}


@pytest.mark.parametrize("api", APIS)
def test_every_capture_round_trips_and_validates(
    packages: dict[str, ModuleType], api: str
) -> None:
    samples = read_sample_set(CORPORA / api, api)
    assert contract_failures(packages[api], [s.value for s in samples]) == []


@pytest.mark.parametrize("api", APIS)
def test_every_capture_reaches_a_handler_of_its_kind(
    packages: dict[str, ModuleType], api: str
) -> None:
    """A kind found in the samples has a handler; no sample is unknown or unhandled."""
    package = packages[api]
    dispatcher = package.Dispatcher()
    reached: list[str] = []
    handlers = [
        name
        for name in dir(dispatcher)
        if name.startswith("on_") and name not in ("on_error", "on_unhandled")
    ]
    for name in handlers:
        getattr(dispatcher, name)(lambda *args, name=name: reached.append(name))
    for sample in read_sample_set(CORPORA / api, api):
        before = len(reached)
        dispatcher.dispatch(sample.value)
        assert len(reached) == before + 1, f"{sample.origin} reached no handler"
        assert reached[-1] != "on_unknown", f"{sample.origin} decoded as unknown"
