"""The journal of index updates in the state database: the feed items already handled, and each refresh's outcome.

An :class:`~index.update.Updater` asks it which feed items earlier polls handled and tells it
how every update went. The state database failing must not stop an update: what cannot be read
counts as nothing seen (articles already indexed are still recognised by their address), what
cannot be written is not remembered (the store has logged why).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from index.update import UpdateReport

from .store import StateUnavailable, Store

log = logging.getLogger("newsdesk.admin")
T = TypeVar("T")


class StoreJournal:
    """Feed items seen and refresh outcomes, kept in the :class:`~bot.store.Store`; each outcome logged in one line."""

    def __init__(self, store: Store) -> None:
        self.store = store

    async def seen_items(self) -> set[str]:
        return await self._remember(self.store.seen_feed_items) or set()

    async def updated(self, report: UpdateReport) -> None:
        if report.feeds is not None:
            await self._remember(self.store.mark_feed_items, report.feeds.seen)
        index = report.index
        if report.busy:  # nothing ran: not an outcome to keep
            log.info("event=refresh by=%r outcome=skipped reason=busy", report.by)
        elif index is None:
            await self._remember(self.store.record_refresh, by=report.by, ok=False, error=report.error)
            log.warning("event=refresh by=%r outcome=failed error=%r", report.by, report.error)
        else:
            await self._remember(
                self.store.record_refresh,
                by=report.by,
                ok=True,
                added=len(index.added),
                removed=len(index.removed),
                changed=len(index.changed),
                skipped=len(index.skipped),
                passages=index.passages,
            )
            log.info(
                "event=refresh by=%r outcome=ok added=%d changed=%d removed=%d skipped=%d passages=%d seconds=%.2f",
                report.by, len(index.added), len(index.changed), len(index.removed), len(index.skipped),
                index.passages, index.seconds,
            )

    async def _remember(self, work: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
        try:
            return await asyncio.to_thread(work, *args, **kwargs)
        except StateUnavailable:
            return None
