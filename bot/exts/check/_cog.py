"""``/check``: did they really say that? A pasted quote checked against the coverage."""

from __future__ import annotations

import asyncio

import discord
from discord import app_commands
from discord.ext import commands

from index.check import MAX_PASTE_CHARS, Checker, CheckResult

from ...client import NewsdeskBot
from ...render import NO_PINGS
from ...replies import publish, think
from ._embeds import check_embed


class Check(commands.Cog):
    def __init__(self, bot: NewsdeskBot) -> None:
        self.bot = bot

    @app_commands.command(name="check", description="Check a quote against the coverage: verbatim, altered, or not there.")
    @app_commands.describe(
        quote="The words you saw (paste them as they are)",
        person="Who they are said to be from",
        private="Show the verdict only to you",
    )
    async def check(
        self,
        interaction: discord.Interaction,
        quote: app_commands.Range[str, 1, MAX_PASTE_CHARS],
        person: app_commands.Range[str, 1, 100] | None = None,
        private: bool = False,
    ) -> None:
        await think(interaction)  # privately: a refusal or an error stays the asker's; the verdict is posted unless private
        desk = self.bot.desk

        def check() -> CheckResult:
            return desk.read(lambda snapshot: Checker(snapshot.coverage, snapshot.answerer.reader).check(quote, person))

        # In the answer pool, like a question: one per person, within the time budget.
        result = await self.bot.answers.run(interaction.user.id, check)
        embed = await asyncio.to_thread(check_embed, result)
        await publish(interaction, private=private, embed=embed, allowed_mentions=NO_PINGS)


async def setup(bot: NewsdeskBot) -> None:
    await bot.add_cog(Check(bot))
