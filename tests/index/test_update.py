"""The one update path: files saved or moved, feeds polled, then exactly one refresh, reported together."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import pytest
import pytest_asyncio

from index.desk import Desk
from index.errors import CorpusError, IndexBusy
from index.ingest import FetchPolicy, Intake
from index.refresh import RefreshReport
from index.update import MemoryJournal, UpdateReport, Updater
from tests.pages import serve_pages


@pytest_asyncio.fixture
async def site() -> AsyncIterator[str]:
    async with serve_pages() as base:
        yield base


class Recording(MemoryJournal):
    """Remembers every report it is told about."""

    def __init__(self) -> None:
        super().__init__()
        self.reports: list[UpdateReport] = []

    async def updated(self, report: UpdateReport) -> None:
        await super().updated(report)
        self.reports.append(report)


def updater_for(corpus: Path, state: Path, feeds: Sequence[str] = ()) -> tuple[Updater, Recording, list[RefreshReport]]:
    """An updater over a fresh desk; the refreshes it runs are counted."""
    desk = Desk([corpus], state)
    desk.open()
    refreshes: list[RefreshReport] = []
    real = desk.refresh

    def counted(**kwargs: object) -> RefreshReport:
        report = real(**kwargs)  # type: ignore[arg-type]
        refreshes.append(report)
        return report

    desk.refresh = counted  # type: ignore[method-assign]
    journal = Recording()
    intake = Intake(desk, FetchPolicy(allow_private=True, timeout=1.0), corpus / "added")
    return Updater(desk, intake, feeds, journal), journal, refreshes


async def test_a_refresh_after_a_feed_poll_lists_the_feed_articles_it_indexed(corpus: Path, tmp_path: Path, site: str) -> None:
    feeds = [f"{site}/feed.rss", f"{site}/feed.atom", f"{site}/broken.xml", f"{site}/missing.rss"]
    updater, journal, refreshes = updater_for(corpus, tmp_path / "state", feeds)
    report = await updater.refresh(by="moderator", feeds=True)
    assert report.feeds is not None and report.index is not None and len(refreshes) == 1
    fed = sorted(name for name, _, _ in report.feeds.added)
    assert len(fed) == 3 and report.index.added == fed  # the one refresh indexed them: not "nothing changed"
    assert sorted(updater.intake.name_of(path) for path in report.saved) == fed
    titles = sorted(title for _, title, _ in report.feeds.added)
    assert titles == ["Ferry timetable changes for summer", "Harbour wall rebuilt before storms", "New quay opens to fishing boats"]
    failed = dict(report.feeds.failed)
    assert "answered 404" in failed[f"{site}/missing"] and "answered 404" in failed[f"{site}/missing.rss"]
    assert "not a readable RSS or Atom feed" in failed[f"{site}/broken.xml"]
    assert journal.reports == [report]

    again = await updater.refresh(by="moderator", feeds=True)  # the journal remembers what was seen
    assert again.feeds is not None and again.feeds.added == [] and again.saved == []
    assert again.index is not None and again.index.unchanged and len(refreshes) == 2


async def test_adding_saves_then_refreshes_once(corpus: Path, tmp_path: Path, site: str) -> None:
    updater, journal, refreshes = updater_for(corpus, tmp_path / "state")
    added = await updater.add_url(f"{site}/article/wall", by="moderator")
    assert added.update is not None and added.update.index is not None and len(refreshes) == 1
    assert added.update.index.added == [added.info.name] and added.update.saved == [added.info.path]
    assert journal.reports == [added.update] and added.update.by == "moderator"
    again = await updater.add_url(f"{site}/article/wall", by="moderator")
    assert again.existing and len(refreshes) == 1 and len(journal.reports) == 1  # nothing saved, nothing refreshed


async def test_removing_moves_then_refreshes_once(corpus: Path, tmp_path: Path) -> None:
    updater, journal, refreshes = updater_for(corpus, tmp_path / "state")
    removed = await updater.remove("003_2c1112b90513d27d.txt", by="moderator")
    assert len(refreshes) == 1 and journal.reports == [removed.update]
    assert removed.update.moved == [(corpus / "003_2c1112b90513d27d.txt", corpus / "removed" / "003_2c1112b90513d27d.txt")]
    assert removed.update.index is not None and removed.update.index.removed == ["003_2c1112b90513d27d.txt"]


async def test_a_failed_refresh_is_reported_and_told_to_the_journal(corpus: Path, tmp_path: Path) -> None:
    updater, journal, _ = updater_for(corpus, tmp_path / "state")
    before = updater.desk.coverage
    corpus.rename(tmp_path / "gone")
    report = await updater.refresh(by="schedule", feeds=True)
    assert report.index is None and isinstance(report.failure, CorpusError) and not report.busy
    assert report.error is not None and "does not exist" in report.error
    assert journal.reports == [report] and updater.desk.coverage is before  # the old index keeps serving


async def test_feed_items_saved_while_the_index_is_busy_are_kept_for_the_next_refresh(
    corpus: Path, tmp_path: Path, site: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    updater, journal, _ = updater_for(corpus, tmp_path / "state", [f"{site}/feed.atom"])

    def busy(**kwargs: object) -> None:
        raise IndexBusy("A refresh is already running.")

    monkeypatch.setattr(updater.desk, "refresh", busy)
    report = await updater.refresh(by="feeds", feeds=True)
    assert report.busy and report.feeds is not None and not report.feeds.added and report.feeds.seen
    assert report.saved and all("saved, but not indexed yet" in why for _, why in report.feeds.failed)
    assert journal.seen == set(report.feeds.seen)  # handled: the next poll does not fetch them again
    monkeypatch.undo()
    later = await updater.refresh(by="schedule")
    assert later.index is not None and sorted(later.index.added) == sorted(updater.intake.name_of(p) for p in report.saved)
    assert all(updater.intake.known(url) is not None for url in report.feeds.seen)
