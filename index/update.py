"""One update path: files saved or moved, feeds polled, then the index refreshed once, all in one report.

Everything that changes the coverage goes through an :class:`Updater`: ``/refresh`` and the
scheduled refresh, the feed schedule, ``/add`` and ``/remove``, and the ``newsdesk`` commands
that do the same. The intake (:mod:`index.ingest`) and the feed poll (:mod:`index.feeds`) only
write files into a corpus folder or move them out of it; the updater then refreshes the index
exactly once (:meth:`~index.desk.Desk.refresh`: the new snapshot is swapped in whole while the
old one keeps answering) and returns one :class:`UpdateReport` — the files saved and moved, what
the feeds brought, what the index refresh changed, or why it failed.

Refreshing once is the point: when a feed poll refreshed on its own, the refresh that followed
found nothing left to do, and its reply said "nothing changed" right after indexing the feeds'
articles.

What outlives one update (the feed items already handled, each update's outcome) is kept by a
:class:`Journal` the front end passes in: the bot's records it in its state database, counts it
and tells moderators; without one, feed items are remembered for the updater's lifetime only.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from .desk import Desk
from .errors import IndexBusy, NewsdeskError
from .feeds import FeedReport, poll
from .ingest import IngestError, Intake
from .refresh import RefreshReport
from .table import ArticleInfo

#: Seconds an update that saved or moved files waits for a refresh already running: the files
#: are written by then, so they must be indexed rather than left for the next refresh.
REFRESH_WAIT = 120.0


@dataclass(slots=True)
class UpdateReport:
    """What one update did: files saved or moved, what the feeds brought, and what the refresh changed."""

    by: str | None
    #: Files written into a corpus folder (by /add or a feed poll).
    saved: list[Path] = field(default_factory=list)
    #: Files moved out of the coverage, into ``removed/`` (from, to).
    moved: list[tuple[Path, Path]] = field(default_factory=list)
    #: What the feeds brought, when they were polled.
    feeds: FeedReport | None = None
    #: The index diff; None when the refresh failed (``failure`` says why; the files stay where
    #: they were written, and the next refresh indexes them).
    index: RefreshReport | None = None
    failure: NewsdeskError | None = None

    @property
    def busy(self) -> bool:
        """Whether the refresh did not run because another one was running and did not end in time."""
        return isinstance(self.failure, IndexBusy)

    @property
    def error(self) -> str | None:
        return self.failure.message if self.failure is not None else None


@dataclass(frozen=True, slots=True)
class Added:
    """The outcome of adding one article: what it is in the index now, and whether it was there before."""

    info: ArticleInfo
    existing: bool
    update: UpdateReport | None = None  # None when nothing was saved (the article was indexed already)


@dataclass(frozen=True, slots=True)
class Removed:
    """The outcome of removing one article: what it was, where its file is kept now, and the update."""

    info: ArticleInfo
    kept: Path
    update: UpdateReport


class Journal(Protocol):
    """Where an updater keeps what outlives one update."""

    async def seen_items(self) -> set[str]:
        """The feed item addresses handled by earlier polls (saved, known or failed)."""
        ...

    async def updated(self, report: UpdateReport) -> None:
        """Called once after every update, whatever came of its refresh."""
        ...


class MemoryJournal:
    """A journal kept in memory: feed items are remembered while the updater lives; outcomes are not kept."""

    def __init__(self) -> None:
        self.seen: set[str] = set()

    async def seen_items(self) -> set[str]:
        return set(self.seen)

    async def updated(self, report: UpdateReport) -> None:
        if report.feeds is not None:
            self.seen.update(report.feeds.seen)


class Updater:
    """Changes the coverage: saves, moves or polls through the intake, then refreshes the desk's index once."""

    def __init__(self, desk: Desk, intake: Intake, feeds: Sequence[str] = (), journal: Journal | None = None) -> None:
        self.desk = desk
        self.intake = intake
        self.feeds = list(feeds)
        self.journal: Journal = journal if journal is not None else MemoryJournal()
        # One poll at a time, held until its items are indexed and recorded as seen: a second
        # poll meanwhile would find the same items new and save them twice.
        self._polling = asyncio.Lock()

    @property
    def busy(self) -> bool:
        """Whether an update is polling the feeds or refreshing the index in this process now."""
        return self._polling.locked() or self.desk.refreshing

    async def open(self, *, by: str | None, verify: bool = False, wait: float = 0.0) -> UpdateReport:
        """Open the desk's index, building it or bringing it up to date (``newsdesk index``).

        ``verify`` checks every index file against its checksum; ``wait`` is how long to wait for
        another process writing the index (then IndexBusy, in ``failure``).
        """
        report = UpdateReport(by)
        try:
            report.index = await asyncio.to_thread(self.desk.open, by=by, verify=verify, wait=wait, warm=False)
        except NewsdeskError as exc:
            report.failure = exc
        await self.journal.updated(report)
        return report

    async def refresh(self, *, by: str | None, feeds: bool = False, wait: float = 0.0) -> UpdateReport:
        """Rescan the corpus folders and refresh the index; with ``feeds``, poll the feeds first.

        Never raises for what the refresh or a feed ran into: it is in the report (``failure``,
        ``feeds.failed``). Waits up to ``wait`` seconds for a refresh already running (longer when
        the feeds brought files: see ``REFRESH_WAIT``).
        """
        report = UpdateReport(by)
        if not (feeds and self.feeds):
            await self._refresh(report, wait)
            return report
        async with self._polling:
            report.feeds = await poll(self.intake, self.feeds, await self.journal.seen_items())
            report.saved = [path for path, _ in report.feeds.saved]
            await self._refresh(report, wait)
        return report

    async def add_url(self, url: str, *, by: str | None) -> Added:
        """Fetch a page, save its article and index it (or find it indexed already).

        Raises IngestError when the page cannot be added, and the refresh's error when the
        article was saved but could not be indexed now.
        """
        saved = await self.intake.save_url(url)
        if isinstance(saved, ArticleInfo):
            return Added(saved, existing=True)
        return await self._index(saved, by)

    async def add_upload(self, filename: str, data: bytes, *, by: str | None) -> Added:
        """Save an uploaded file as an article and index it; raises like :meth:`add_url`."""
        return await self._index(await self.intake.save_upload(filename, data, by=by), by)

    async def remove(self, name: str, *, by: str | None) -> Removed:
        """Move an article's file to the ``removed/`` folder (never deleting it) and take it out of the index."""
        info, kept = self.intake.move_out(name)
        report = UpdateReport(by, moved=[(info.path, kept)])
        await self._refresh(report, wait=0.0)
        if report.failure is not None:
            raise report.failure
        return Removed(info, kept, report)

    async def _index(self, path: Path, by: str | None) -> Added:
        report = UpdateReport(by, saved=[path])
        await self._refresh(report, wait=0.0)
        if report.failure is not None:
            raise report.failure
        assert report.index is not None
        info = self.intake.indexed(path)
        if info is None:
            name = self.intake.name_of(path)
            skipped = next((s.reason for s in report.index.skipped if s.name == name), "it could not be indexed")
            raise IngestError(f"Saved {path.name}, but {skipped}.")
        return Added(info, existing=False, update=report)

    async def _refresh(self, report: UpdateReport, wait: float) -> None:
        """The one refresh of an update: off the event loop, the new snapshot swapped in whole;
        then the feeds' items are looked up in it and the journal is told."""
        if report.saved or report.moved:
            wait = max(wait, REFRESH_WAIT)
        try:
            report.index = await asyncio.to_thread(self.desk.refresh, by=report.by, wait=wait)
        except NewsdeskError as exc:  # the old index keeps serving; the files stay for the next refresh
            report.failure = exc
        if report.feeds is not None:
            report.feeds.settle(self.intake, report.error)
        await self.journal.updated(report)
