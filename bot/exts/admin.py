"""Moderator commands: ``/refresh`` re-reads the corpus folders and swaps the new index in whole."""

from __future__ import annotations

import asyncio
import logging

import discord
from discord import app_commands
from discord.ext import commands

from index.errors import IndexBusy, NewsdeskError

from ..client import NewsdeskBot
from ..errors import NotModerator
from ..render import clip, refresh_embed

log = logging.getLogger("newsdesk.admin")
NONE = discord.AllowedMentions.none()


class Admin(commands.Cog):
    def __init__(self, bot: NewsdeskBot) -> None:
        self.bot = bot

    def _require_moderator(self, interaction: discord.Interaction) -> None:
        if not self.bot.is_moderator(interaction.user):
            raise NotModerator(list(self.bot.settings.discord.moderator_roles))

    @app_commands.command(name="refresh", description="Re-read the coverage folders and update the index (moderators).")
    @app_commands.guild_only()
    @app_commands.default_permissions(manage_guild=True)
    async def refresh(self, interaction: discord.Interaction) -> None:
        # default_permissions only hides the command; the bot checks for itself.
        self._require_moderator(interaction)
        if self.bot.desk.refreshing:
            raise IndexBusy("A refresh is already running; the current index keeps answering meanwhile.")
        await interaction.response.defer(thinking=True)
        by = f"{interaction.user} ({interaction.user.id})"
        coverage_cog = self.bot.get_cog("Coverage")
        feeds = await coverage_cog.poll_feeds() if coverage_cog is not None else None  # type: ignore[attr-defined]
        try:
            report = await asyncio.to_thread(self.bot.desk.refresh, by=by)
        except IndexBusy:
            raise
        except NewsdeskError as exc:
            await asyncio.to_thread(self.bot.store.record_refresh, by=by, ok=False, error=exc.message)
            log.warning("refresh by %s failed: %s", interaction.user.id, exc.message)
            await interaction.followup.send(clip(f"The refresh failed: {exc.message}", 2000), allowed_mentions=NONE)
            return
        await asyncio.to_thread(
            self.bot.store.record_refresh,
            by=by,
            ok=True,
            added=len(report.added),
            removed=len(report.removed),
            changed=len(report.changed),
            skipped=len(report.skipped),
            passages=report.passages,
        )
        log.info(
            "refresh by=%s added=%d changed=%d removed=%d skipped=%d passages=%d seconds=%.2f",
            interaction.user.id, len(report.added), len(report.changed), len(report.removed),
            len(report.skipped), report.passages, report.seconds,
        )
        await interaction.followup.send(embed=refresh_embed(report, feeds), allowed_mentions=NONE)


async def setup(bot: NewsdeskBot) -> None:
    await bot.add_cog(Admin(bot))
