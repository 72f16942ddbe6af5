"""``/summary``: the gist of the coverage — overview, a topic, an article, a person, or what the last refresh added."""

from __future__ import annotations

import asyncio

import discord
from discord import app_commands
from discord.ext import commands

from index.abstractive import rewrite
from index.errors import BadQuestion
from index.summary import Summarizer, Summary

from ..client import NewsdeskBot
from ..render import summary_pages
from ..views import send_pages


class Summaries(commands.Cog):
    def __init__(self, bot: NewsdeskBot) -> None:
        self.bot = bot

    def _summarize(self, topic: str | None, article: str | None, person: str | None, since_refresh: bool) -> Summary:
        # One snapshot for the summary and all its quotes; a damaged index is rebuilt and read again.
        return self.bot.desk.read(
            lambda snapshot: Summarizer(snapshot.coverage, snapshot.answerer.reader).summarize(
                topic=topic, article=article, person=person, since_refresh=since_refresh
            )
        )

    @app_commands.command(name="summary", description="The gist of the coverage; every point is quoted and cited.")
    @app_commands.describe(
        topic="What the coverage says about a topic",
        article="One article (start typing its headline or file name)",
        person="Everything the coverage quotes a person saying",
        since_refresh="Only what the latest refresh added or changed",
    )
    async def summary(
        self,
        interaction: discord.Interaction,
        topic: app_commands.Range[str, 1, 100] | None = None,
        article: app_commands.Range[str, 1, 200] | None = None,
        person: app_commands.Range[str, 1, 100] | None = None,
        since_refresh: bool = False,
    ) -> None:
        if sum(bool(x) for x in (topic, article, person, since_refresh)) > 1:
            raise BadQuestion("Choose one of topic, article, person or since_refresh \u2014 or none for an overview.")
        await interaction.response.defer(thinking=True)
        # In the answer pool, like a question: one per person, within the time budget.
        summary = await self.bot.answers.run(interaction.user.id, self._summarize, topic, article, person, since_refresh)
        endpoint = self.bot.settings.summary_endpoint()
        if endpoint is not None:
            summary = await rewrite(summary, endpoint)
        pages = await asyncio.to_thread(summary_pages, summary)
        await send_pages(interaction, pages, ephemeral=False)

    @summary.autocomplete("article")
    async def _article_choices(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return await self.bot.article_choices(self.bot.desk.coverage, current)


async def setup(bot: NewsdeskBot) -> None:
    await bot.add_cog(Summaries(bot))
