"""Refreshing the index: ``/refresh`` for moderators, and the scheduled refresh with its reports to moderators.

Both run one update (:class:`~index.update.Updater`): poll the feeds, rescan the corpus folders
off the event loop, swap the new index in whole (questions keep being answered from the old one
meanwhile), record the outcome (:mod:`bot.updates`). The scheduled run also watches the corpus
folders (see :mod:`bot.sources`).
"""

from __future__ import annotations

import logging
import os

import discord
from discord import app_commands
from discord.ext import commands, tasks

from index.errors import IndexBusy
from index.update import UpdateReport

from ...checks import moderator_only
from ...client import NewsdeskBot
from ...render import clip, escape
from ...replies import publish, think
from ...sources import watch
from ._embeds import refresh_embed

log = logging.getLogger("newsdesk.admin")


class Admin(commands.Cog):
    def __init__(self, bot: NewsdeskBot) -> None:
        self.bot = bot
        minutes = bot.settings.schedule.refresh_minutes
        if minutes > 0:
            self.scheduled_refresh.change_interval(minutes=minutes)
            self.scheduled_refresh.start()

    async def cog_unload(self) -> None:
        self.scheduled_refresh.cancel()

    @app_commands.command(name="refresh", description="Re-read the coverage folders and update the index (moderators).")
    @moderator_only()
    async def refresh(self, interaction: discord.Interaction) -> None:
        if self.bot.updater.busy:
            raise IndexBusy("A refresh is already running; the current index keeps answering meanwhile.")
        await think(interaction)  # the report is the moderator's alone
        report = await self.bot.updater.refresh(by=f"{interaction.user} ({interaction.user.id})", feeds=True)
        if isinstance(report.failure, IndexBusy):
            raise report.failure
        if report.index is None:
            await publish(interaction, private=True, content=clip(f"The refresh failed: {escape(report.error or '')}", 2000))
            return
        await publish(interaction, private=True, embed=refresh_embed(report.index, report.feeds, self._headline))

    def _headline(self, name: str) -> str | None:
        info = self.bot.desk.coverage.articles.get(name)
        return info.label if info is not None else None

    # -- the schedule ----------------------------------------------------------------------------

    @tasks.loop(minutes=60)
    async def scheduled_refresh(self) -> None:
        try:
            if await self.bot.leads("scheduled_refresh"):
                log.info("event=scheduled_refresh pid=%d", os.getpid())
                await self.run_schedule()
        except Exception:  # noqa: BLE001 - logged; the next run tries again
            log.exception("event=refresh by=schedule outcome=error")

    @scheduled_refresh.before_loop
    async def _wait_until_ready(self) -> None:
        await self.bot.wait_until_ready()

    async def run_schedule(self) -> UpdateReport | None:
        """One scheduled refresh: refresh, tell moderators what changed, report sources gone stale or failing."""
        report = await self.bot.updater.refresh(by="schedule", feeds=True)
        if report.busy:
            return None
        if report.index is not None and (not report.index.unchanged or report.index.skipped):
            await self.bot.notify_moderators(embed=refresh_embed(report.index, report.feeds, self._headline))
        await self.check_sources(report)
        return report

    async def check_sources(self, report: UpdateReport) -> None:
        """Corpus folders that fail or stop changing are reported once (feeds are watched by :mod:`bot.updates`)."""
        notes: list[str] = []
        for folder in self.bot.desk.folders:
            failure = report.error if report.error and str(folder) in report.error else None
            mtimes = [a.mtime_ns / 1e9 for a in self.bot.desk.coverage.articles.values() if a.folder == str(folder)]
            note = await watch(self.bot, f"folder {folder}", changed=max(mtimes, default=None), failure=failure)
            if note:
                notes.append(note)
        if notes:
            await self.bot.notify_moderators(content=clip("Sources need a look:\n" + "\n".join(notes), 2000))


async def setup(bot: NewsdeskBot) -> None:
    await bot.add_cog(Admin(bot))
