"""Corpus files that must not take the index down: each is skipped and named, the rest is indexed.

Links that loop, folders that cannot be listed, named pipes, devices, files that grow while they
are read, NUL bytes late in a file, control characters in names, links out of the corpus.
Whatever could hang or exhaust the test process runs in a thread or a subprocess with a limit.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from index import refresh as refresh_module
from index import scan as scan_module
from index.answer import Answerer
from index.coverage import Coverage
from index.errors import UnreadableFile
from index.refresh import RefreshReport, open_coverage, refresh
from tests.conftest import ROOT

ARTICLE = "Harbour Board Meets\n\nHarbour master Ines Okafor said the lighthouse tender would sail again in June.\n"


def skips(report: RefreshReport | Coverage) -> dict[str, str]:
    return {s.name: s.reason for s in report.skipped}


def in_thread(work: Callable[[], Any], timeout: float, unblock: Callable[[], None]) -> Any:
    """Run ``work`` with a deadline; if it is still running then, ``unblock`` it and fail."""
    result: list[Any] = []
    thread = threading.Thread(target=lambda: result.append(work()), daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        unblock()
        thread.join(10)
        pytest.fail(f"still blocked after {timeout} s")
    assert result, "the work raised (see the thread's traceback above)"
    return result[0]


def _cap_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))


def isolated(*command: str, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Python in its own process, its memory capped: an unbounded read fails there, fast, and
    never takes the test run down with it."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **(env or {})}
    return subprocess.run(
        [sys.executable, *command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, preexec_fn=_cap_memory
    )


def newsdesk(*args: str, state: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """The real command line, isolated."""
    config = str(ROOT / "config" / "newsdesk.toml")
    return isolated("-m", "bot.cli", "--config", config, *args, env={"NEWSDESK_INDEX__STATE_DIR": str(state)}, timeout=timeout)


def test_symlink_loops_are_skipped_and_named(corpus: Path, tmp_path: Path) -> None:
    (corpus / "loop.txt").symlink_to(corpus / "loop.txt")
    (corpus / "there").symlink_to(corpus / "back")  # two links pointing at each other
    (corpus / "back").symlink_to(corpus / "there")
    coverage, report = open_coverage([corpus], tmp_path / "state")
    assert "Too many levels of symbolic links" in skips(report)["loop.txt"]
    assert len(coverage.articles) == 5 and set(skips(report)) == {"loop.txt"}


def test_an_unlistable_folder_is_skipped_and_what_it_held_is_kept(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (corpus / "harbour").mkdir()
    (corpus / "harbour" / "board.txt").write_text(ARTICLE, encoding="utf-8")
    before, _ = open_coverage([corpus], tmp_path / "state")
    assert "harbour/board.txt" in before.articles

    real_scandir = os.scandir
    unlistable = str(corpus / "harbour")

    def scandir(path: Any) -> Any:
        # As for a folder whose permissions were taken away (root ignores chmod 000).
        if str(path) == unlistable:
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    (corpus / "new.md").write_text("Fresh Coverage Arrives\n\nOfficials said the bridge reopened on Monday morning.\n")
    after, report = refresh(before)
    assert skips(report) == {"harbour/": "folder cannot be read (Permission denied); what was indexed from it is kept"}
    assert report.added == ["new.md"] and not report.removed
    assert Answerer(after).ask("When will the lighthouse tender sail?").answers[0].source == "harbour/board.txt"
    # Built from scratch with the folder unreadable: named, and everything else indexed.
    fresh, report = open_coverage([corpus], tmp_path / "other-state")
    assert "harbour/" in skips(report) and len(fresh.articles) == 6


@pytest.mark.skipif(os.geteuid() == 0, reason="root can list a folder without permissions")
def test_a_folder_without_permissions_is_skipped(corpus: Path, tmp_path: Path) -> None:
    (corpus / "locked").mkdir()
    (corpus / "locked" / "board.txt").write_text(ARTICLE, encoding="utf-8")
    (corpus / "locked").chmod(0)
    try:
        coverage, report = open_coverage([corpus], tmp_path / "state")
    finally:
        (corpus / "locked").chmod(0o755)
    assert "Permission denied" in skips(report)["locked/"] and len(coverage.articles) == 5


def test_a_named_pipe_is_skipped_without_waiting_for_a_writer(corpus: Path, tmp_path: Path) -> None:
    pipe = corpus / "pipe.txt"
    os.mkfifo(pipe)

    def release() -> None:  # a writer lets a blocked open() return
        os.close(os.open(pipe, os.O_WRONLY | os.O_NONBLOCK))

    coverage, report = in_thread(lambda: open_coverage([corpus], tmp_path / "state"), 30, release)
    assert skips(report) == {"pipe.txt": "not a regular file (a named pipe)"} and len(coverage.articles) == 5


def test_a_pipe_that_replaced_a_file_after_the_scan_does_not_block_either(corpus: Path) -> None:
    files, _ = scan_module.scan([corpus])
    victim = files["000_2dc657ec8ac27053.txt"]
    os.unlink(victim.path)
    os.mkfifo(victim.path)

    def release() -> None:
        os.close(os.open(victim.path, os.O_WRONLY | os.O_NONBLOCK))

    read = in_thread(lambda: dict(scan_module.read_all(files.values())), 30, release)
    assert isinstance(read[victim], UnreadableFile)
    assert sum(not isinstance(r, UnreadableFile) for r in read.values()) == 4


def test_reads_are_capped_whatever_the_file_turned_into() -> None:
    script = (
        "import os; from index.articles import OPEN_FLAGS, read_capped; from index.errors import UnreadableFile\n"
        "descriptor = os.open('/dev/zero', OPEN_FLAGS)\n"
        "try:\n"
        "    read_capped(descriptor, 10, limit=100_000)  # stat said 10 bytes; it never ends\n"
        "except UnreadableFile as exc:\n"
        "    print(exc)\n"
    )
    done = isolated("-c", script, timeout=60)
    assert done.stdout == "too large for an article (over 100,000 bytes)\n", done.stderr


def test_a_file_growing_past_the_cap_during_the_build_is_skipped(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(scan_module, "MAX_ARTICLE_BYTES", 20_000)
    growing = corpus / "growing.txt"
    growing.write_text("Growing Story\n\n" + "The tide rose again this morning. " * 300 + "\n", encoding="utf-8")
    assert growing.stat().st_size < 20_000
    scan = scan_module.scan

    def scan_then_grow(folders: Any) -> Any:
        found = scan(folders)
        with open(growing, "a", encoding="utf-8") as handle:  # after stat, before the read
            handle.write("The tide rose again this morning. " * 1_000)
        return found

    monkeypatch.setattr(refresh_module, "scan", scan_then_grow)
    coverage, report = open_coverage([corpus], tmp_path / "state")
    assert skips(report) == {"growing.txt": "too large for an article (over 20,000 bytes)"}
    assert "growing.txt" not in coverage.articles and len(coverage.articles) == 5


def test_a_nul_byte_anywhere_makes_a_file_binary(corpus: Path, tmp_path: Path) -> None:
    text = "Late Binary\n\n" + "A perfectly ordinary sentence about the harbour. " * 200
    (corpus / "late.txt").write_bytes(text.encode() + b"\x00\x00secret\x00" + b" more words." * 10)
    assert len(text) > 8192
    coverage, report = open_coverage([corpus], tmp_path / "state")
    assert skips(report) == {"late.txt": "binary file (not text)"} and "late.txt" not in coverage.articles


def test_a_name_with_control_characters_is_skipped_and_shown_escaped(corpus: Path, tmp_path: Path) -> None:
    (corpus / "two\nlines.txt").write_text(ARTICLE, encoding="utf-8")
    (corpus / "bell\x07\u202e.md").write_text(ARTICLE, encoding="utf-8")
    coverage, report = open_coverage([corpus], tmp_path / "state")
    assert skips(report) == {
        "two\\nlines.txt": "its name has control characters (rename the file)",
        "bell\\x07\\u202e.md": "its name has control characters (rename the file)",
    }
    assert len(coverage.articles) == 5
    assert all(name.isprintable() for name in coverage.articles)


def test_links_out_of_the_corpus_are_skipped_links_within_it_are_read(corpus: Path, tmp_path: Path) -> None:
    private = tmp_path / "private"
    private.mkdir()
    (private / "notes.txt").write_text("Private Notes\n\nThe vault combination is seven two nine, said the keeper.\n")
    (corpus / "leak.txt").symlink_to(private / "notes.txt")
    (corpus / "alias.txt").symlink_to(corpus / "000_2dc657ec8ac27053.txt")
    coverage, report = open_coverage([corpus], tmp_path / "state")
    assert skips(report) == {"leak.txt": "a link to a file outside the corpus folders"}
    assert "alias.txt" in coverage.articles and "leak.txt" not in coverage.articles
    answer = Answerer(coverage).ask("What did the keeper say about the vault combination?")
    assert all("seven two nine" not in a.passage and a.source != "leak.txt" for a in answer.answers)


def test_the_command_line_survives_all_of_them_at_once(corpus: Path, tmp_path: Path) -> None:
    """In its own process with capped memory: a regression hangs (timeout) or dies, never the suite."""
    (corpus / "loop.txt").symlink_to(corpus / "loop.txt")
    os.mkfifo(corpus / "pipe.txt")
    (corpus / "zero.txt").symlink_to("/dev/zero")
    (corpus / "two\nlines.txt").write_text(ARTICLE, encoding="utf-8")
    (corpus / "sub").mkdir()
    (corpus / "sub" / "board.txt").write_text(ARTICLE, encoding="utf-8")
    state = tmp_path / "state"
    done = newsdesk("index", "--corpus", str(corpus), state=state)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    lines = done.stdout.splitlines()
    assert "skipped  zero.txt: not a regular file (a device)" in lines  # /dev/zero: never read
    for name in ("loop.txt", "pipe.txt", "two\\nlines.txt"):
        assert any(line.startswith(f"skipped  {name}: ") for line in lines), done.stdout
    assert "6 articles" in lines[-1]
    for command in (["index"], ["ask", "When will the lighthouse tender sail?"], ["sources"]):
        again = newsdesk(*command, "--corpus", str(corpus), state=state)
        assert again.returncode == 0 and "Traceback" not in again.stderr, again.stderr
    assert "sub/board.txt" in again.stdout
