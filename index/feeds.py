"""Following outlets: RSS/Atom feeds polled for new items, each fetched and added like ``/add url``."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

from .refresh import RefreshReport
from .errors import NewsdeskError
from .ingest import REFRESH_WAIT, IngestError, Intake, fetch, normalise_url, session_for

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
    added: list[tuple[str, str, str]] = field(default_factory=list)  # (file, title, feed)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (feed or item URL, why)
    seen: list[str] = field(default_factory=list)  # item URLs handled this time (added, known or failed)
    refresh: RefreshReport | None = None

    @property
    def empty(self) -> bool:
        return not self.added and not self.failed


async def poll(intake: Intake, feeds: list[str], seen: set[str]) -> FeedReport:
    """Fetch every feed, save the items not ``seen`` before, then index them in one refresh.

    Never raises for one bad feed or item: each failure is listed in the report.
    """
    import feedparser  # only polling needs it

    report = FeedReport()
    saved: list[tuple[Path, str]] = []
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
                    saved.append((path, feed_url))
    if saved:
        try:
            report.refresh = await asyncio.to_thread(intake.desk.refresh, by="feeds", wait=REFRESH_WAIT)
        except NewsdeskError as exc:  # the files are saved; the next refresh indexes them
            report.failed.extend((path.name, f"saved, but not indexed yet: {exc.message}") for path, _ in saved)
            return report
        for path, feed_url in saved:
            info = intake.indexed(path)
            if info is None:
                report.failed.append((path.name, "saved, but it could not be indexed"))
            else:
                report.added.append((info.name, info.label, feed_url))
    return report


async def _save(intake: Intake, session: aiohttp.ClientSession, url: str, report: FeedReport) -> Path | None:
    try:
        saved = await intake.save_url(url, session=session)
    except IngestError as exc:
        report.failed.append((url, exc.message))
        log.warning("feed item %s not added: %s", url, exc.message)
        return None
    return saved if isinstance(saved, Path) else None
