"""After every index update in the bot: the journal kept, the outcome counted, moderators told what the feeds brought."""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

from index.feeds import FeedReport
from index.update import UpdateReport

from .journal import StoreJournal
from .render import clip, feed_digest
from .sources import watch

if TYPE_CHECKING:
    from .client import NewsdeskBot

log = logging.getLogger("newsdesk.coverage")


class BotJournal(StoreJournal):
    """The bot's journal: the state database's, plus the refresh metric and the moderators' feed digest."""

    def __init__(self, bot: NewsdeskBot) -> None:
        super().__init__(bot.store)
        self.bot = bot

    async def updated(self, report: UpdateReport) -> None:
        await super().updated(report)
        if not report.busy:
            self.bot.metrics.refreshed(ok=report.index is not None)
        if report.feeds is not None:
            await self._tell_about_feeds(report.feeds)

    async def _tell_about_feeds(self, report: FeedReport) -> None:
        """What the feeds added and which items failed, every time; a feed failing or gone quiet, once (by watch)."""
        log.info("event=feeds added=%d failed=%d", len(report.added), len(report.failed))
        feeds = self.bot.settings.feeds.urls
        failed = dict(report.failed)
        fed = {feed for _, _, feed in report.added}
        notes = [
            note
            for feed in feeds
            if (note := await watch(self.bot, f"feed {feed}", changed=time.time() if feed in fed else None, failure=failed.get(feed)))
        ]
        items = FeedReport(added=report.added, failed=[(where, why) for where, why in report.failed if where not in feeds])
        if not items.empty:
            await self.bot.notify_moderators(embed=feed_digest(items))
        if notes:
            await self.bot.notify_moderators(content=clip("Sources need a look:\n" + "\n".join(notes), 2000))
