"""Moderators add coverage from Discord: ``/add`` a URL or a file, ``/remove`` an article; feeds polled on a schedule."""

from __future__ import annotations

import asyncio
import logging
import time

import discord
from discord import app_commands
from discord.ext import commands, tasks

from index.errors import BadQuestion
from index.feeds import FeedReport, poll
from index.ingest import Added, IngestError, normalise_url

from ..checks import moderator_only
from ..client import NewsdeskBot
from ..render import COLOUR, NO_PINGS, clip, code, escape, feed_digest, title
from ..sources import watch

log = logging.getLogger("newsdesk.coverage")


def _added_embed(added: Added) -> discord.Embed:
    info = added.info
    outlet = info.meta.get("outlet")
    embed = discord.Embed(
        title=title(("Already indexed: " if added.existing else "Added: ") + info.label),
        url=_link(info.meta.get("url")),
        colour=COLOUR,
    )
    details = [f"{code(info.name)} \u00b7 {info.passages} passages"]
    if outlet:
        details.insert(0, escape(outlet))
    if info.byline:
        details.append(f"by {escape(info.byline)}")
    if info.date:
        details.append(escape(info.date))
    embed.description = clip(" \u00b7 ".join(details), 4096)
    return embed


def _link(url: str | None) -> str | None:
    """The article's address as an embed link, when it is a well-formed web address (Discord rejects others)."""
    try:
        return normalise_url(url) if url else None
    except IngestError:
        return None


class Coverage(commands.Cog):
    def __init__(self, bot: NewsdeskBot) -> None:
        self.bot = bot
        self._poll_lock = asyncio.Lock()
        minutes = bot.settings.feeds.interval_minutes
        if bot.settings.feeds.urls and minutes > 0:
            self.scheduled_poll.change_interval(minutes=minutes)
            self.scheduled_poll.start()

    async def cog_unload(self) -> None:
        self.scheduled_poll.cancel()

    @app_commands.command(name="add", description="Add an article from a web address or an attached file (moderators).")
    @app_commands.describe(url="The article's web address", file="A .txt, .md or .html file")
    @moderator_only()
    async def add(
        self, interaction: discord.Interaction, url: str | None = None, file: discord.Attachment | None = None
    ) -> None:
        if (url is None) == (file is None):
            raise BadQuestion("Give either a url or a file to add.")
        if file is not None and file.size > self.bot.settings.ingest.max_bytes:
            raise BadQuestion(f"That file is larger than {self.bot.settings.ingest.max_bytes // 1_000_000} MB; not added.")
        await interaction.response.defer(thinking=True)
        by = f"{interaction.user} ({interaction.user.id})"
        if url is not None:  # a refresh already running is waited for: the article is saved by then
            added = await self.bot.intake.add_url(url, by=by)
        else:
            assert file is not None
            added = await self.bot.intake.add_upload(file.filename, await file.read(), by=by)
        log.info("add by=%s file=%s existing=%s", interaction.user.id, added.info.name, added.existing)
        await interaction.followup.send(embed=_added_embed(added), allowed_mentions=NO_PINGS)

    @app_commands.command(name="remove", description="Take an article out of the index; its file is kept (moderators).")
    @app_commands.describe(article="The article (start typing its headline or file name)")
    @moderator_only()
    async def remove(self, interaction: discord.Interaction, article: str) -> None:
        await interaction.response.defer(thinking=True)
        info, moved, report = await self.bot.intake.remove(article, by=f"{interaction.user} ({interaction.user.id})")
        text = f"Removed **{escape(info.label)}** ({code(info.name)}). Its file is kept in {code(moved.parent.name + '/')}; {report.passages} passages remain indexed."
        await interaction.followup.send(clip(text, 2000), allowed_mentions=NO_PINGS)

    @remove.autocomplete("article")
    async def _article_choices(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return await self.bot.article_choices(self.bot.desk.coverage, current)

    # -- feeds -------------------------------------------------------------------------------

    async def poll_feeds(self) -> FeedReport | None:
        """Poll the configured feeds once (one poll at a time), remember what was seen, send the digest."""
        feeds = self.bot.settings.feeds.urls
        if not feeds:
            return None
        async with self._poll_lock:
            # Unreadable state: everything looks new, and articles already indexed are recognised by address.
            seen = await self.bot.remember(self.bot.store.seen_feed_items) or set()
            report = await poll(self.bot.intake, feeds, seen)
            await self.bot.remember(self.bot.store.mark_feed_items, report.seen)
        log.info("event=feeds added=%d failed=%d", len(report.added), len(report.failed))
        # A failing feed is reported once (by watch); what it added, and items that failed, every time.
        failed = dict(report.failed)
        fed = {feed for _, _, feed in report.added}
        notes = [
            note
            for feed in feeds
            if (note := await watch(self.bot, f"feed {feed}", changed=time.time() if feed in fed else None, failure=failed.get(feed)))
        ]
        items = FeedReport(added=report.added, failed=[(w, why) for w, why in report.failed if w not in feeds])
        if not items.empty:
            await self.bot.notify_moderators(embed=feed_digest(items))
        if notes:
            await self.bot.notify_moderators(content=clip("Sources need a look:\n" + "\n".join(notes), 2000))
        return report

    @tasks.loop(minutes=60)
    async def scheduled_poll(self) -> None:
        try:
            await self.poll_feeds()
        except Exception:  # noqa: BLE001 - a failed poll is logged and retried next time
            log.exception("scheduled feed poll failed")

    @scheduled_poll.before_loop
    async def _wait_until_ready(self) -> None:
        await self.bot.wait_until_ready()


async def setup(bot: NewsdeskBot) -> None:
    await bot.add_cog(Coverage(bot))
