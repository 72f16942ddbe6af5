"""Shared fixtures: the bundled seeds, a private state folder, an opened coverage and answerer, the state database (SQLite or PostgreSQL)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from index.answer import Answerer
from index.coverage import Coverage
from index.refresh import open_coverage
from tests.postgres import Cluster, binaries, start_cluster

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SHARED = ROOT.parent / "shared"
#: The databases a store test runs against: ``@pytest.mark.parametrize("store_location", STORES, indirect=True)``.
STORES = ["sqlite", "postgresql"]


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    return SEEDS


@pytest.fixture(scope="session")
def seed_coverage(tmp_path_factory: pytest.TempPathFactory) -> Coverage:
    """The seeds, indexed once for the whole session (read-only use)."""
    coverage, _ = open_coverage([SEEDS], tmp_path_factory.mktemp("state"))
    return coverage


@pytest.fixture(scope="session")
def answerer(seed_coverage: Coverage) -> Answerer:
    return Answerer(seed_coverage)


@pytest.fixture
def corpus(tmp_path: Path) -> Iterator[Path]:
    """A writable copy of the seeds."""
    folder = tmp_path / "corpus"
    shutil.copytree(SEEDS, folder)
    yield folder


def source_text(path: Path) -> str:
    """A source file's text with all whitespace folded to single spaces (how quotes are compared)."""
    return " ".join(path.read_text(encoding="utf-8-sig").split())


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[Cluster]:
    """One throwaway PostgreSQL server for the session (see tests/postgres.py)."""
    found = binaries()
    if found is None:
        pytest.skip("PostgreSQL is not installed (no initdb on PATH or in /usr/lib/postgresql/*/bin); .ci/run installs it")
    cluster = start_cluster(found)
    yield cluster
    cluster.stop()


@pytest.fixture
def postgres_url(postgres_cluster: Cluster) -> str:
    """A fresh database of the session's server, for this test alone."""
    return postgres_cluster.new_database()


@pytest.fixture
def store_location(request: pytest.FixtureRequest, tmp_path: Path) -> Path | str:
    """Where a test's state is: ``state/newsdesk.db`` in its folder, or, parametrised with
    "postgresql", a fresh database on the session's PostgreSQL server."""
    if getattr(request, "param", "sqlite") == "postgresql":
        return str(request.getfixturevalue("postgres_url"))
    return tmp_path / "state" / "newsdesk.db"
