"""Following outlets: RSS/Atom feeds polled for new items, each fetched and saved like ``/add url`` (indexed by the updater)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

from .ingest import IngestError, Intake, fetch, normalise_url, session_for

log = logging.getLogger("newsdesk.feeds")

FEED_TYPES = (
    "application/rss+xml",
    "application/atom+xml",
    "application/xml",
    "text/xml",
    "application/rdf+xml",
    "application/feed+json",
    "text/plain",
)
#: New items taken from one feed per poll, so a feed's first poll does not fetch its whole archive at once.
MAX_NEW_PER_FEED = 20


@dataclass(slots=True)
class FeedReport:
    """What one poll of the feeds brought: items saved (then, once refreshed, added), and what failed."""

    added: list[tuple[str, str, str]] = field(default_factory=list)  # (file, title, feed), once indexed
    failed: list[tuple[str, str]] = field(default_factory=list)  # (feed or item URL, why)
    seen: list[str] = field(default_factory=list)  # item URLs handled this time (added, known or failed)
    saved: list[tuple[Path, str]] = field(default_factory=list)  # (file, feed) written by this poll

    @property
    def empty(self) -> bool:
        return not self.added and not self.failed

    def settle(self, intake: Intake, failure: str | None) -> None:
        """After the refresh that followed the poll: each saved item is added under its indexed
        name and title, or failed saying why it is not indexed (``failure``: the refresh failed)."""
        for path, feed_url in self.saved:
            if failure is not None:  # the file is saved; the next refresh indexes it
                self.failed.append((path.name, f"saved, but not indexed yet: {failure}"))
                continue
            info = intake.indexed(path)
            if info is None:
                self.failed.append((path.name, "saved, but it could not be indexed"))
            else:
                self.added.append((info.name, info.label, feed_url))


async def poll(intake: Intake, feeds: list[str], seen: set[str]) -> FeedReport:
    """Fetch every feed and save the items not ``seen`` before; the updater then refreshes the index
    once and :meth:`FeedReport.settle` turns what was saved into what was added.

    Never raises for one bad feed or item: each failure is listed in the report.
    """
    import feedparser  # only polling needs it

    report = FeedReport()
    async with session_for(intake.policy) as session:
        for feed_url in feeds:
            try:
                page = await fetch(feed_url, intake.policy, session, accept=FEED_TYPES)
            except IngestError as exc:
                report.failed.append((feed_url, exc.message))
                continue
            parsed = feedparser.parse(page.body)
            if parsed.bozo and not parsed.entries:
                report.failed.append((feed_url, "not a readable RSS or Atom feed"))
                continue
            new = 0
            for entry in parsed.entries:
                link = entry.get("link")
                if not link:
                    continue
                try:
                    url = normalise_url(link)
                except IngestError:
                    continue
                if url in seen or intake.known(url) is not None:
                    continue
                if new >= MAX_NEW_PER_FEED:
                    break
                new += 1
                report.seen.append(url)
                seen.add(url)
                path = await _save(intake, session, url, report)
                if path is not None:
                    report.saved.append((path, feed_url))
    return report


async def _save(intake: Intake, session: aiohttp.ClientSession, url: str, report: FeedReport) -> Path | None:
    try:
        saved = await intake.save_url(url, session=session)
    except IngestError as exc:
        report.failed.append((url, exc.message))
        log.warning("feed item %s not added: %s", url, exc.message)
        return None
    return saved if isinstance(saved, Path) else None
