"""Refreshing the index: ``/refresh`` for moderators, and the scheduled refresh with its reports to moderators.

Both take the same path: poll the feeds, rescan the corpus folders off the event loop, swap the
new index in whole (questions keep being answered from the old one meanwhile), record the
outcome. The scheduled run also watches the corpus folders (see :mod:`bot.sources`).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

import discord
from discord import app_commands
from discord.ext import commands, tasks

from index.coverage import RefreshReport
from index.errors import IndexBusy, NewsdeskError
from index.feeds import FeedReport

from ..checks import moderator_only
from ..client import NewsdeskBot
from ..render import NO_PINGS, clip, escape, refresh_embed
from ..sources import watch

log = logging.getLogger("newsdesk.admin")


@dataclass(slots=True)
class Outcome:
    report: RefreshReport | None
    feeds: FeedReport | None
    error: str | None = None


class Admin(commands.Cog):
    def __init__(self, bot: NewsdeskBot) -> None:
        self.bot = bot
        minutes = bot.settings.schedule.refresh_minutes
        if minutes > 0:
            self.scheduled_refresh.change_interval(minutes=minutes)
            self.scheduled_refresh.start()

    async def cog_unload(self) -> None:
        self.scheduled_refresh.cancel()

    async def _poll_feeds(self) -> FeedReport | None:
        """Poll the feeds first so a refresh picks their items up; a failing poll never stops the refresh."""
        coverage_cog = self.bot.get_cog("Coverage")
        if coverage_cog is None:
            return None
        try:
            return await coverage_cog.poll_feeds()  # type: ignore[attr-defined]
        except Exception:  # noqa: BLE001 - logged; the refresh goes ahead without it
            log.exception("feed poll before the refresh failed")
            return None

    async def refresh_now(self, by: str) -> Outcome:
        """Poll feeds, refresh the index, record the outcome. Raises IndexBusy if a refresh is running."""
        feeds = await self._poll_feeds()
        try:
            report = await asyncio.to_thread(self.bot.desk.refresh, by=by)
        except IndexBusy:
            raise
        except NewsdeskError as exc:
            await self.bot.remember(self.bot.store.record_refresh, by=by, ok=False, error=exc.message)
            self.bot.metrics.refreshed(ok=False)
            log.warning("event=refresh by=%r outcome=failed error=%r", by, exc.message)
            return Outcome(None, feeds, exc.message)
        await self.bot.remember(
            self.bot.store.record_refresh,
            by=by,
            ok=True,
            added=len(report.added),
            removed=len(report.removed),
            changed=len(report.changed),
            skipped=len(report.skipped),
            passages=report.passages,
        )
        self.bot.metrics.refreshed(ok=True)
        log.info(
            "event=refresh by=%r outcome=ok added=%d changed=%d removed=%d skipped=%d passages=%d seconds=%.2f",
            by, len(report.added), len(report.changed), len(report.removed), len(report.skipped),
            report.passages, report.seconds,
        )
        return Outcome(report, feeds)

    @app_commands.command(name="refresh", description="Re-read the coverage folders and update the index (moderators).")
    @moderator_only()
    async def refresh(self, interaction: discord.Interaction) -> None:
        if self.bot.desk.refreshing:
            raise IndexBusy("A refresh is already running; the current index keeps answering meanwhile.")
        await interaction.response.defer(thinking=True)
        outcome = await self.refresh_now(f"{interaction.user} ({interaction.user.id})")
        if outcome.error is not None:
            await interaction.followup.send(clip(f"The refresh failed: {escape(outcome.error)}", 2000), allowed_mentions=NO_PINGS)
            return
        assert outcome.report is not None
        await interaction.followup.send(embed=refresh_embed(outcome.report, outcome.feeds), allowed_mentions=NO_PINGS)

    # -- the schedule ----------------------------------------------------------------------------

    @tasks.loop(minutes=60)
    async def scheduled_refresh(self) -> None:
        try:
            await self.run_schedule()
        except Exception:  # noqa: BLE001 - logged; the next run tries again
            log.exception("event=refresh by=schedule outcome=error")

    @scheduled_refresh.before_loop
    async def _wait_until_ready(self) -> None:
        await self.bot.wait_until_ready()

    async def run_schedule(self) -> Outcome | None:
        """One scheduled refresh: refresh, tell moderators what changed, report sources gone stale or failing."""
        try:
            outcome = await self.refresh_now("schedule")
        except IndexBusy:
            log.info("event=refresh by=schedule outcome=skipped reason=busy")
            return None
        if outcome.report is not None and (not outcome.report.unchanged or outcome.report.skipped):
            await self.bot.notify_moderators(embed=refresh_embed(outcome.report, outcome.feeds))
        await self.check_sources(outcome)
        return outcome

    async def check_sources(self, outcome: Outcome) -> None:
        """Corpus folders that fail or stop changing are reported once (feeds are watched where they are polled)."""
        notes: list[str] = []
        for folder in self.bot.desk.folders:
            failure = outcome.error if outcome.error and str(folder) in outcome.error else None
            mtimes = [a.mtime_ns / 1e9 for a in self.bot.desk.coverage.articles.values() if a.folder == str(folder)]
            note = await watch(self.bot, f"folder {folder}", changed=max(mtimes, default=None), failure=failure)
            if note:
                notes.append(note)
        if notes:
            await self.bot.notify_moderators(content=clip("Sources need a look:\n" + "\n".join(notes), 2000))


async def setup(bot: NewsdeskBot) -> None:
    await bot.add_cog(Admin(bot))
