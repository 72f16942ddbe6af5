"""Shared fixtures: the bundled seeds, a private state folder, an opened coverage and answerer."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from index.answer import Answerer
from index.coverage import Coverage
from index.refresh import open_coverage

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SHARED = ROOT.parent / "shared"


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
