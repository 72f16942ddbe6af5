"""``/summary``: the gist of the coverage — ``overview``, a ``topic``, a ``person``, an ``article``, or the ``latest`` refresh."""

from __future__ import annotations

import asyncio
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from index.abstractive import rewrite
from index.coverage import Coverage
from index.summary import Summarizer, Summary

from ...client import NewsdeskBot
from ...render import clip
from ...replies import think
from ...views import send_pages
from ._embeds import summary_pages


class PeopleChoices:
    """Autocomplete for a person: the people the coverage quotes, most quoted first (25 at most).

    The list is read once per index snapshot, off the event loop."""

    def __init__(self) -> None:
        self._people: tuple[Coverage, list[str]] | None = None

    async def __call__(self, bot: NewsdeskBot, typed: str) -> list[app_commands.Choice[str]]:
        return await asyncio.to_thread(self._choices, bot, typed.casefold().strip())

    def _choices(self, bot: NewsdeskBot, wanted: str) -> list[app_commands.Choice[str]]:
        people = self._people
        if people is None or people[0] is not bot.desk.coverage:
            people = self._people = bot.desk.read(
                lambda snapshot: (snapshot.coverage, Summarizer(snapshot.coverage, snapshot.answerer.reader).quoted_people())
            )
        names = [name for name in people[1] if wanted in name.casefold()][:25]
        return [app_commands.Choice(name=clip(name, 100), value=name[:100]) for name in names]


class Summaries(commands.GroupCog, group_name="summary", group_description="The gist of the coverage; every point is quoted and cited."):
    def __init__(self, bot: NewsdeskBot) -> None:
        self.bot = bot
        self.people = PeopleChoices()
        super().__init__()

    async def _reply(self, interaction: discord.Interaction, **what: Any) -> None:
        await think(interaction)  # privately: a refusal or an error stays the asker's; the summary is posted
        # In the answer pool, like a question: one per person, within the time budget.
        summary = await self.bot.answers.run(interaction.user.id, self._summarize, what)
        endpoint = self.bot.settings.summary_endpoint()
        if endpoint is not None:
            summary = await rewrite(summary, endpoint)
        pages = await asyncio.to_thread(summary_pages, summary)
        await send_pages(interaction, pages, ephemeral=False)

    def _summarize(self, what: dict[str, Any]) -> Summary:
        # One snapshot for the summary and all its quotes; a damaged index is rebuilt and read again.
        return self.bot.desk.read(lambda snapshot: Summarizer(snapshot.coverage, snapshot.answerer.reader).summarize(**what))

    @app_commands.command(name="overview", description="What the coverage is about, then who said what.")
    async def overview(self, interaction: discord.Interaction) -> None:
        await self._reply(interaction)

    @app_commands.command(name="topic", description="What the coverage says about a topic.")
    @app_commands.describe(topic="The topic, in a few words")
    async def topic(self, interaction: discord.Interaction, topic: app_commands.Range[str, 1, 100]) -> None:
        await self._reply(interaction, topic=topic)

    @app_commands.command(name="person", description="What a person said: only their own words, direct or reported.")
    @app_commands.describe(person="Someone the coverage quotes (start typing their name)")
    async def person(self, interaction: discord.Interaction, person: app_commands.Range[str, 1, 100]) -> None:
        await self._reply(interaction, person=person)

    @app_commands.command(name="article", description="One article's key points.")
    @app_commands.describe(article="The article (start typing its headline or file name)")
    async def article(self, interaction: discord.Interaction, article: app_commands.Range[str, 1, 200]) -> None:
        await self._reply(interaction, article=article)

    @app_commands.command(name="latest", description="What the latest refresh added or changed.")
    async def latest(self, interaction: discord.Interaction) -> None:
        await self._reply(interaction, since_refresh=True)

    @person.autocomplete("person")
    async def _person_choices(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return await self.people(self.bot, current)

    @article.autocomplete("article")
    async def _article_choices(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return await self.bot.article_choices(self.bot.desk.coverage, current)


async def setup(bot: NewsdeskBot) -> None:
    await bot.add_cog(Summaries(bot))
