"""``/report``: the questions the bot could not answer and the answers marked 👎 — the coverage gaps to fill."""

from __future__ import annotations

import asyncio

import discord
from discord import app_commands
from discord.ext import commands

from ..checks import moderator_only
from ..client import NewsdeskBot
from ..render import NO_PINGS, report_embed


class Report(commands.Cog):
    def __init__(self, bot: NewsdeskBot) -> None:
        self.bot = bot

    @app_commands.command(name="report", description="Unanswered questions and 👎 answers, most frequent first (moderators).")
    @app_commands.describe(days="How far back to look (days)")
    @moderator_only()
    async def report(self, interaction: discord.Interaction, days: app_commands.Range[int, 1, 365] = 7) -> None:
        unanswered, disliked = await asyncio.to_thread(self.bot.store.report, days, guild_id=interaction.guild_id)
        await interaction.response.send_message(
            embed=report_embed(days, unanswered, disliked), ephemeral=True, allowed_mentions=NO_PINGS
        )


async def setup(bot: NewsdeskBot) -> None:
    await bot.add_cog(Report(bot))
