"""Many processes on one index: readers never need the writer lock, writers wait for each other.

Every process here is a real one (``python -m bot.cli`` or a small script holding the lock the
way an update does), with a timeout, so a regression fails instead of hanging the suite.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from index import locks
from index.errors import IndexBusy
from index.refresh import index_dir, open_coverage
from tests.conftest import ROOT

NEW = "Fresh Coverage Arrives\n\nOfficials said the bridge reopened on Monday morning after repairs.\n"
#: Holds the index's writer lock the way an update in another process does, until killed or done.
HOLDER = """
import sys, time
from pathlib import Path
from index.tantivy_engine import TantivyEngine
from index.locks import writing
with writing(Path(sys.argv[1]), 0):
    writer = TantivyEngine(Path(sys.argv[1]))
    writer.lock()
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
    writer.rollback()
"""


def _env(state: Path) -> dict[str, str]:
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "NEWSDESK_INDEX__STATE_DIR": str(state)}


def start(*args: str, state: Path, corpus: Path) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "bot.cli", "--config", str(ROOT / "config" / "newsdesk.toml"), *args, "--corpus", str(corpus)]
    return subprocess.Popen(command, cwd=ROOT, env=_env(state), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(process: subprocess.Popen[str], timeout: float = 90) -> tuple[int, str, str]:
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        pytest.fail(f"{process.args} did not finish within {timeout} s")
    return process.returncode, out, err


@contextmanager
def lock_held_elsewhere(directory: Path, seconds: float) -> Iterator[subprocess.Popen[str]]:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(directory), str(seconds)], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        yield holder
    finally:
        holder.kill()
        holder.wait(10)


def parallel_asks(count: int, state: Path, corpus: Path) -> list[dict]:
    asks = [start("ask", "--json", "What did Rutte say?", state=state, corpus=corpus) for _ in range(count)]
    replies = []
    for process in asks:
        code, out, err = finish(process)
        assert code == 0 and "Traceback" not in err, err
        replies.append(json.loads(out))
    return replies


def test_eight_parallel_asks_on_one_index_all_answer(corpus: Path, tmp_path: Path) -> None:
    state = tmp_path / "state"
    open_coverage([corpus], state)
    replies = parallel_asks(8, state, corpus)  # 5 of 8 failed when every ask took the writer lock
    assert all(r["answers"][0]["source"] == "003_2c1112b90513d27d.txt" for r in replies)
    # A change to apply: one process updates, the others answer meanwhile.
    (corpus / "new.md").write_text(NEW, encoding="utf-8")
    replies = parallel_asks(4, state, corpus)
    assert all(r["answers"][0]["source"] == "003_2c1112b90513d27d.txt" for r in replies)
    coverage, _ = open_coverage([corpus], state, update=False)
    assert "new.md" in coverage.articles


def test_parallel_asks_on_a_fresh_state_wait_for_the_one_building(corpus: Path, tmp_path: Path) -> None:
    replies = parallel_asks(4, tmp_path / "state", corpus)
    assert all(r["answers"][0]["source"] == "003_2c1112b90513d27d.txt" for r in replies)


def test_readers_answer_from_the_index_as_it_is_while_another_process_writes(corpus: Path, tmp_path: Path) -> None:
    state = tmp_path / "state"
    open_coverage([corpus], state)
    (corpus / "new.md").write_text(NEW, encoding="utf-8")
    with lock_held_elsewhere(index_dir(state.resolve(), [corpus.resolve()]), 120):
        started = time.monotonic()
        replies = parallel_asks(4, state, corpus)
        asks = time.monotonic() - started
        code, out, err = finish(start("sources", state=state, corpus=corpus))
    assert asks < locks.UPDATE_WAIT  # no reader waited for the writer
    assert all(r["answers"][0]["source"] == "003_2c1112b90513d27d.txt" for r in replies)
    assert code == 0 and "5 articles" in out and "new.md" not in out, err


def test_a_second_newsdesk_index_waits_for_the_first(corpus: Path, tmp_path: Path) -> None:
    state = tmp_path / "state"
    open_coverage([corpus], state)
    (corpus / "new.md").write_text(NEW, encoding="utf-8")
    with lock_held_elsewhere(index_dir(state.resolve(), [corpus.resolve()]), 2) as holder:
        started = time.monotonic()
        code, out, err = finish(start("index", state=state, corpus=corpus))
        waited = time.monotonic() - started
        assert holder.wait(10) == 0  # the first one finished on its own
    assert code == 0 and "added    new.md" in out, err
    assert waited > 1


def test_a_writer_gives_up_after_its_wait_and_a_reader_serves_instead(corpus: Path, tmp_path: Path) -> None:
    state = tmp_path / "state"
    stale, _ = open_coverage([corpus], state)
    (corpus / "new.md").write_text(NEW, encoding="utf-8")
    with lock_held_elsewhere(stale.directory, 120):
        with pytest.raises(IndexBusy, match="Another newsdesk process is updating this index"):
            open_coverage([corpus], state, wait=0.5)
        coverage, report = open_coverage([corpus], state, wait=0, serve_busy=True)
    assert report.busy and "new.md" not in coverage.articles
    _, report = open_coverage([corpus], state, wait=0)
    assert report.added == ["new.md"] and not report.busy


def test_an_unchanged_corpus_opens_without_the_writer_lock(corpus: Path, tmp_path: Path) -> None:
    state = tmp_path / "state"
    open_coverage([corpus], state)
    with lock_held_elsewhere(index_dir(state.resolve(), [corpus.resolve()]), 120):
        coverage, report = open_coverage([corpus], state, wait=0)
    assert report.unchanged and not report.busy and len(coverage.articles) == 5


def test_build_folders_left_by_killed_processes_are_cleared(corpus: Path, tmp_path: Path) -> None:
    state = tmp_path / "state"
    open_coverage([corpus], state)
    directory = index_dir(state.resolve(), [corpus.resolve()])
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True)
    dead = int(gone.stdout)
    leftovers = [directory.with_name(f"{directory.name}.{kind}-{dead}") for kind in ("building", "old")]
    running = directory.with_name(f"{directory.name}.building-{os.getppid()}")  # a live process: kept
    for folder in (*leftovers, running):
        folder.mkdir()
        (folder / "meta.json").write_text("{}")
    open_coverage([corpus], state, update=False)
    assert not any(folder.exists() for folder in leftovers)
    assert running.exists()
