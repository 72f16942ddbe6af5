"""The on-disk index: reused while the corpus is unchanged, updated incrementally, rebuilt when untrustworthy."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from index import locks
from index import scan as scan_module
from index.answer import Answerer
from index.tantivy_engine import TantivyEngine
from index.errors import CorpusError, IndexBusy
from index.refresh import index_dir, open_coverage, refresh


def test_first_open_builds_then_reuses_without_reading_articles(corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    state = tmp_path / "state"
    first, report = open_coverage([corpus], state)
    assert report.rebuilt and len(report.added) == 5 and report.passages == first.passage_count > 0

    def no_reading(*args: object) -> None:
        raise AssertionError("an unchanged corpus must not be re-read")

    monkeypatch.setattr(scan_module, "parse_article", no_reading)
    second, report = open_coverage([corpus], state)
    assert not report.rebuilt and report.unchanged
    assert second.passage_count == first.passage_count


def test_changes_are_applied_incrementally(corpus: Path, tmp_path: Path) -> None:
    state = tmp_path / "state"
    before, _ = open_coverage([corpus], state)
    (corpus / "003_2c1112b90513d27d.txt").unlink()
    with open(corpus / "004_7654bc732c946649.txt", "a", encoding="utf-8") as handle:
        handle.write("\nA new closing paragraph, added after the first indexing of this article.\n")
    (corpus / "new.md").write_text("Fresh Coverage Arrives\n\nOfficials said the bridge reopened on Monday morning.\n")

    after, report = open_coverage([corpus], state)
    assert not report.rebuilt
    assert report.added == ["new.md"]
    assert report.changed == ["004_7654bc732c946649.txt"]
    assert report.removed == ["003_2c1112b90513d27d.txt"]
    assert "003_2c1112b90513d27d.txt" not in after.articles
    assert after.passage_count == sum(a.passages for a in after.articles.values())
    answer = Answerer(after).ask("When did the bridge reopen?")
    assert answer.found and answer.answers[0].source == "new.md"
    # The old snapshot still answers from what it had: refreshes swap whole snapshots.
    assert Answerer(before).ask("What did Rutte say?").answers[0].source == "003_2c1112b90513d27d.txt"


def test_touched_but_identical_files_are_not_reindexed(corpus: Path, tmp_path: Path) -> None:
    state = tmp_path / "state"
    open_coverage([corpus], state)
    path = corpus / "000_2dc657ec8ac27053.txt"
    path.write_bytes(path.read_bytes())
    _, report = open_coverage([corpus], state)
    assert report.unchanged


@pytest.mark.parametrize("damage", ["manifest", "segments", "interrupted", "half-applied"])
def test_a_damaged_index_is_rebuilt_not_fatal(corpus: Path, tmp_path: Path, damage: str) -> None:
    state = tmp_path / "state"
    first, _ = open_coverage([corpus], state)
    directory = index_dir(state.resolve(), [corpus.resolve()])
    if damage == "manifest":
        (directory / "manifest.json").write_text("{not json")
    elif damage == "segments":
        for path in directory.iterdir():
            if path.name != "manifest.json":
                path.unlink() if path.is_file() else shutil.rmtree(path)
    elif damage == "half-applied":
        # A crash between tantivy's commit and the manifest's rewrite: the index moved on alone.
        writer = TantivyEngine(directory)
        writer.delete_files(["000_2dc657ec8ac27053.txt"])
        writer.commit()
        writer.release()
    else:
        manifest = json.loads((directory / "manifest.json").read_text())
        manifest["state"] = "updating"
        (directory / "manifest.json").write_text(json.dumps(manifest))
    second, report = open_coverage([corpus], state)
    assert report.rebuilt and report.reason
    assert second.passage_count == first.passage_count
    # What the old manifest knew is kept when it can still be read: nothing was added or changed.
    expected_added = sorted(first.articles) if damage == "manifest" else []
    assert report.added == expected_added and not report.changed and not report.removed


def test_a_rebuild_after_an_upgrade_reports_only_real_changes(corpus: Path, tmp_path: Path) -> None:
    state = tmp_path / "state"
    open_coverage([corpus], state)
    (corpus / "new.md").write_text("Fresh Coverage Arrives\n\nOfficials said the bridge reopened on Monday morning.\n")
    updated, _ = open_coverage([corpus], state)
    assert updated.recent == ("new.md",)
    directory = index_dir(state.resolve(), [corpus.resolve()])
    manifest = json.loads((directory / "manifest.json").read_text())

    manifest["stamp"] = {"manifest": 0}  # as if written by an older newsdesk
    (directory / "manifest.json").write_text(json.dumps(manifest))
    rebuilt, report = open_coverage([corpus], state)
    assert report.rebuilt and "version" in (report.reason or "")
    assert report.unchanged and rebuilt.recent == ("new.md",)
    assert rebuilt.generation > updated.generation

    (directory / "manifest.json").write_text(json.dumps(manifest))
    (corpus / "003_2c1112b90513d27d.txt").unlink()
    with open(corpus / "004_7654bc732c946649.txt", "a", encoding="utf-8") as handle:
        handle.write("\nA new closing paragraph, added while the old version was installed.\n")
    rebuilt, report = open_coverage([corpus], state)
    assert report.rebuilt and not report.added
    assert report.changed == ["004_7654bc732c946649.txt"] and report.removed == ["003_2c1112b90513d27d.txt"]
    assert rebuilt.recent == ("004_7654bc732c946649.txt",)


def test_bad_files_are_skipped_and_named(corpus: Path, tmp_path: Path) -> None:
    (corpus / "picture.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00IHDR")
    (corpus / "empty.md").write_text("")
    (corpus / "latin.txt").write_bytes(b"Caf\xe9 society \x81\x8d")  # neither UTF-8 nor Windows-1252
    (corpus / "notes.csv").write_text("a,b\n")  # not an article type: ignored, not reported
    coverage, report = open_coverage([corpus], tmp_path / "state")
    skipped = {s.name: s.reason for s in report.skipped}
    assert set(skipped) == {"picture.txt", "empty.md", "latin.txt"}
    assert "binary" in skipped["picture.txt"] and "empty" in skipped["empty.md"] and "not UTF-8 or Windows-1252" in skipped["latin.txt"]
    assert len(coverage.articles) == 5


def test_refresh_reports_a_file_that_turned_bad(corpus: Path, tmp_path: Path) -> None:
    coverage, _ = open_coverage([corpus], tmp_path / "state")
    (corpus / "001_8d634213a0d69c48.txt").write_bytes(b"\x00\x01\x02binary now")
    refreshed, report = refresh(coverage, by="tester")
    assert report.removed == ["001_8d634213a0d69c48.txt"]
    assert [s.name for s in report.skipped] == ["001_8d634213a0d69c48.txt"]
    assert refreshed.refreshed.by == "tester"


def test_a_missing_corpus_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="does not exist"):
        open_coverage([tmp_path / "nowhere"], tmp_path / "state")


def test_a_stale_snapshot_refreshes_from_what_is_on_disk(corpus: Path, tmp_path: Path) -> None:
    state = tmp_path / "state"
    stale, _ = open_coverage([corpus], state)
    (corpus / "new.md").write_text("Fresh Coverage Arrives\n\nOfficials said the bridge reopened on Monday morning.\n")
    _, report = refresh(stale, by="one process")
    assert report.added == ["new.md"]
    # Another process (or an older snapshot) refreshing afterwards must not add the article twice.
    current, report = refresh(stale, by="another process")
    assert report.unchanged and not report.added
    assert current.passage_count == sum(a.passages for a in current.articles.values())
    assert current.passage_count == current.engine.size


def test_a_second_refresh_in_the_same_process_is_refused_not_interleaved(corpus: Path, tmp_path: Path) -> None:
    coverage, _ = open_coverage([corpus], tmp_path / "state")
    (corpus / "new.md").write_text("Fresh Coverage Arrives\n\nOfficials said the bridge reopened on Monday morning.\n")
    with locks.exclusive(coverage.directory, 0):
        assert locks.updating(coverage.directory)
        with pytest.raises(IndexBusy, match="already running"):
            refresh(coverage)
    assert not locks.updating(coverage.directory)
    refresh(coverage)


def test_the_scan_reads_subfolders_but_not_hidden_removed_or_linked_ones(corpus: Path, tmp_path: Path) -> None:
    article = (corpus / "001_8d634213a0d69c48.txt").read_text(encoding="utf-8")
    for folder in ("2025/may", ".git", "removed", "2025/.cache"):
        (corpus / folder).mkdir(parents=True)
        (corpus / folder / "story.txt").write_text(article, encoding="utf-8")
    (corpus / ".hidden.txt").write_text(article, encoding="utf-8")
    (corpus / "linked").symlink_to(corpus / "2025")
    coverage, report = open_coverage([corpus], tmp_path / "state")
    assert {name for name in coverage.articles if "/" in name} == {"2025/may/story.txt"}
    assert ".hidden.txt" not in coverage.articles and not report.skipped


def test_identical_rebuilds_give_the_same_answer_when_sources_tie(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    story = "Harbour Vote Delayed\n\nCouncillor Maria Lopez said the harbour vote would be delayed until the spring because the budget was not ready.\n"
    for number in range(40):
        (corpus / f"copy-{number:02d}.txt").write_text(story, encoding="utf-8")
    for number in range(6):
        filler = f"The weather stayed mild on day {number} and markets were calm, officials said. " * 30
        (corpus / f"filler-{number}.txt").write_text(f"Other News {number}\n\n{filler}\n", encoding="utf-8")
    tops = set()
    for build in range(6):  # tantivy spreads passages over segments differently from one build to the next
        coverage, _ = open_coverage([corpus], tmp_path / f"state-{build}")
        tops.add(tuple(a.source for a in Answerer(coverage).ask("What did Lopez say about the harbour vote?").answers))
    assert tops == {("copy-00.txt",)}
