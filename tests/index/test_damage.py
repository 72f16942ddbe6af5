"""Damaged index files: noticed, said so, rebuilt from the corpus, and the answers are right again.

The manifest records what tantivy's committed index is made of (``meta.json``'s hash, every
segment file's size); every open checks that, ``newsdesk index`` and a failed read also check
each file against the CRC32 tantivy keeps in its footer.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from index import tantivy_engine as engine_module
from index.refresh import index_dir, open_coverage
from index.desk import Desk
from tests.conftest import ROOT

#: (state folder, index folder, the right answers)
Built = tuple[Path, Path, list[tuple[str, str]]]
QUESTIONS = ("What did Peskov say?", "What did Rutte say?", "How many civilians were killed in the Sumy strike?")


def flip(path: Path, where: float = 0.5, count: int = 64) -> None:
    """Invert ``count`` bytes of a file in place, as a failing disk would: its size stays, and it
    is never truncated under a process that has it mapped (that would be a SIGBUS, not damage)."""
    size = path.stat().st_size
    start = min(int(size * where), size - count)
    with open(path, "r+b") as handle:
        handle.seek(start)
        data = handle.read(count)
        handle.seek(start)
        handle.write(bytes(b ^ 0xFF for b in data))


def largest(directory: Path, suffix: str) -> Path:
    return max(directory.glob(f"*{suffix}"), key=lambda p: p.stat().st_size)


def answers(desk: Desk) -> list[tuple[str, str]]:
    return [(a.answers[0].source, a.answers[0].quote) for a in map(desk.ask, QUESTIONS)]


@pytest.fixture
def built(corpus: Path, tmp_path: Path) -> Built:
    """(state folder, index folder, the right answers) for a freshly built copy of the seeds."""
    state = tmp_path / "state"
    desk = Desk([corpus], state)
    desk.open()
    return state, index_dir(state.resolve(), [corpus.resolve()]), answers(desk)


def newsdesk(*args: str, state: Path, corpus: Path) -> subprocess.CompletedProcess[str]:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "NEWSDESK_INDEX__STATE_DIR": str(state)}
    command = [sys.executable, "-m", "bot.cli", "--config", str(ROOT / "config" / "newsdesk.toml"), *args, "--corpus", str(corpus)]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_newsdesk_index_finds_flipped_bytes_says_so_and_rebuilds(corpus: Path, built: Built) -> None:
    state, directory, right = built
    store = largest(directory, ".store")
    flip(store)
    done = newsdesk("index", state=state, corpus=corpus)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    assert f"Built the index from scratch (the index was damaged: {store.name} fails tantivy's checksum)." in done.stdout
    assert "No article changed." in done.stdout and "up to date" not in done.stdout
    desk = Desk([corpus], state)
    assert not desk.open().rebuilt and answers(desk) == right
    again = newsdesk("index", state=state, corpus=corpus)
    assert "The index is up to date." in again.stdout


def test_a_question_that_hits_damage_has_the_index_rebuilt_and_is_answered(
    corpus: Path, built: Built, caplog: pytest.LogCaptureFixture
) -> None:
    state, directory, right = built
    desk = Desk([corpus], state)
    desk.open()
    before = desk.snapshot
    flip(largest(directory, ".store"), 0.1)
    flip(largest(directory, ".store"), 0.9)
    with caplog.at_level(logging.WARNING):
        assert answers(desk) == right
    assert desk.snapshot is not before
    assert "event=index_damaged" in caplog.text and "the index was damaged" in caplog.text


def test_the_command_line_recovers_too(corpus: Path, built: Built) -> None:
    state, directory, right = built
    for where in (0.1, 0.5, 0.9):
        flip(largest(directory, ".store"), where)
    done = newsdesk("summary", "--json", state=state, corpus=corpus)
    assert done.returncode == 0 and "Traceback" not in done.stderr and '"points"' in done.stdout, done.stderr
    assert "the index was damaged" in done.stderr  # the warning logged while it rebuilt
    flip(largest(directory, ".store"), 0.1)
    flip(largest(directory, ".store"), 0.9)
    for question, (source, _) in zip(QUESTIONS, right):
        done = newsdesk("ask", "--json", question, state=state, corpus=corpus)
        assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
        assert f'"source": "{source}"' in done.stdout


@pytest.mark.parametrize("damage", ["fast field", "truncated", "missing", "manifest row"])
def test_a_plain_open_notices_damage_it_can_see_cheaply(corpus: Path, built: Built, damage: str) -> None:
    state, directory, right = built
    if damage == "fast field":
        flip(largest(directory, ".fast"), 0.1, 8)  # makes tantivy panic while opening
    elif damage == "truncated":
        os.truncate(largest(directory, ".idx"), largest(directory, ".idx").stat().st_size - 100)
    elif damage == "missing":
        largest(directory, ".term").unlink()
    else:
        manifest = directory / "manifest.json"
        raw = manifest.read_bytes()
        at = raw.index(b"Rebecca Sullivan")  # a byline, inside one article's row
        manifest.write_bytes(raw[:at] + b"Rebecca Sullivam" + raw[at + 16 :])
    desk = Desk([corpus], state)
    report = desk.open()
    assert report.rebuilt and "the index was damaged" in (report.reason or "")
    assert answers(desk) == right


def test_a_plain_open_does_not_read_the_segment_files(corpus: Path, built: Built, monkeypatch: pytest.MonkeyPatch) -> None:
    """Opening a big index must stay fast: checksums are read by `newsdesk index` and after a failure only."""
    state, _, _ = built

    def no_reading(path: Path) -> bool:
        raise AssertionError(f"{path} was read to check its checksum")

    monkeypatch.setattr(engine_module, "_checksum_holds", no_reading)
    coverage, report = open_coverage([corpus], state)
    assert not report.rebuilt and report.unchanged and coverage.passage_count > 0
    with pytest.raises(AssertionError, match="checksum"):
        open_coverage([corpus], state, verify=True)
