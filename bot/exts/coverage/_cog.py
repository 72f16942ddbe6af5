"""Moderators add coverage from Discord: ``/add`` a URL or a file, ``/remove`` an article; feeds polled on a schedule.

Each is one update (:class:`~index.update.Updater`): the file saved or moved, then the index
refreshed once; what the feeds brought is told to moderators by :mod:`bot.updates`.
"""

from __future__ import annotations

import logging

import discord
from discord import app_commands
from discord.ext import commands, tasks

from index.errors import BadQuestion

from ...checks import moderator_only
from ...client import NewsdeskBot
from ...render import clip, code, escape
from ...replies import publish, think
from ._embeds import added_embed

log = logging.getLogger("newsdesk.coverage")


class Coverage(commands.Cog):
    def __init__(self, bot: NewsdeskBot) -> None:
        self.bot = bot
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
        await think(interaction)  # privately: a failure is the moderator's alone; a new article is posted
        by = f"{interaction.user} ({interaction.user.id})"
        if url is not None:  # a refresh already running is waited for: the article is saved by then
            added = await self.bot.updater.add_url(url, by=by)
        else:
            assert file is not None
            added = await self.bot.updater.add_upload(file.filename, await file.read(), by=by)
        log.info("add by=%s file=%s existing=%s", interaction.user.id, added.info.name, added.existing)
        await publish(interaction, embed=added_embed(added))

    @app_commands.command(name="remove", description="Take an article out of the index; its file moves to removed/ (moderators).")
    @app_commands.describe(article="The article (start typing its headline or file name)")
    @moderator_only()
    async def remove(self, interaction: discord.Interaction, article: str) -> None:
        await think(interaction)  # the moderator's alone
        removed = await self.bot.updater.remove(article, by=f"{interaction.user} ({interaction.user.id})")
        info, passages = removed.info, self.bot.desk.coverage.passage_count
        kept = removed.kept.relative_to(info.folder).as_posix() if removed.kept.is_relative_to(info.folder) else str(removed.kept)
        text = (
            f"Removed **{escape(clip(info.label, 300))}** ({code(info.name)}) from the index. Its file was moved to "
            f"{code(kept)} in its corpus folder, which refreshes skip; move it back to restore it. "
            f"{passages} passages remain indexed."
        )
        await publish(interaction, private=True, content=clip(text, 2000))

    @remove.autocomplete("article")
    async def _article_choices(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return await self.bot.article_choices(self.bot.desk.coverage, current)

    # -- feeds -------------------------------------------------------------------------------

    @tasks.loop(minutes=60)
    async def scheduled_poll(self) -> None:
        try:
            if await self.bot.leads("feed_poll"):
                await self.bot.updater.refresh(by="feeds", feeds=True)
        except Exception:  # noqa: BLE001 - a failed poll is logged and retried next time
            log.exception("scheduled feed poll failed")

    @scheduled_poll.before_loop
    async def _wait_until_ready(self) -> None:
        await self.bot.wait_until_ready()


async def setup(bot: NewsdeskBot) -> None:
    await bot.add_cog(Coverage(bot))
