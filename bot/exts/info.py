"""What is indexed and how the bot is doing: ``/sources`` and ``/about``."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from importlib import metadata

import discord
from discord import app_commands
from discord.ext import commands

from ..client import NewsdeskBot
from ..render import COLOUR, NO_PINGS, article_pages, clip, literal, person
from ..views import Book, send_book


def _version() -> str:
    try:
        return metadata.version("newsdesk")
    except metadata.PackageNotFoundError:
        return "unknown"


def _duration(seconds: float) -> str:
    minutes, _ = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h {minutes} min" if days else f"{hours} h {minutes} min"


async def sources_book(bot: NewsdeskBot, key: int) -> Book:
    """The indexed articles, ten to a page; rebuilt from the current index when a page is turned."""
    articles = list(bot.desk.coverage.articles.values())
    # Tens of thousands of articles make hundreds of pages: built off the event loop.
    return Book(await asyncio.to_thread(article_pages, articles), entries=len(articles))


ABOUT = (
    "I answer questions about the news coverage this server follows, quoting the articles word for word "
    "and citing each one. Mention me with a question, ask in an ask channel (end it with ?), or use /ask."
)


def _commands(bot: NewsdeskBot) -> str:
    """Every slash command (a group once) with its own description, moderators' last."""
    top = [c for c in bot.tree.get_commands() if isinstance(c, app_commands.Command | app_commands.Group)]
    top.sort(key=lambda c: ("moderators" in c.description or "Manage Server" in c.description, c.name))
    return clip("\n".join(f"`/{c.name}` {c.description}" for c in top), 1024)


class Info(commands.Cog):
    def __init__(self, bot: NewsdeskBot) -> None:
        self.bot = bot

    @app_commands.command(name="sources", description="List the articles the bot answers from.")
    async def sources(self, interaction: discord.Interaction) -> None:
        await send_book(interaction, "src", 0, await sources_book(self.bot, 0))

    @app_commands.command(name="about", description="What the bot does, example questions, the commands; index and version.")
    async def about(self, interaction: discord.Interaction) -> None:
        coverage = self.bot.desk.coverage
        last = await self.bot.remember(self.bot.store.last_refresh)
        if last is not None:
            when, by = datetime.fromtimestamp(last.at, UTC), last.by
            outcome = "" if last.ok else f" (failed: {literal(last.error or '', 500)})"
        else:
            when, by, outcome = datetime.fromisoformat(coverage.refreshed.at), coverage.refreshed.by, ""
        embed = discord.Embed(title="newsdesk", description=ABOUT, colour=COLOUR)
        examples = self.bot.settings.discord.examples
        if examples:
            embed.add_field(name="Try asking", value=clip("\n".join(f"\u2022 {literal(e, 200)}" for e in examples), 1024), inline=False)
        embed.add_field(name="Commands", value=_commands(self.bot), inline=False)
        embed.add_field(name="Version", value=_version(), inline=True)
        embed.add_field(name="Index", value=f"{len(coverage.articles)} articles, {coverage.passage_count} passages", inline=True)
        embed.add_field(
            name="Last refresh",
            value=clip(f"{discord.utils.format_dt(when, 'R')} by {person(by) if by else 'unknown'}{outcome}", 1024),
            inline=False,
        )
        embed.add_field(name="Uptime", value=_duration(time.time() - self.bot.started_at), inline=True)
        await interaction.response.send_message(embed=embed, ephemeral=True, allowed_mentions=NO_PINGS)


async def setup(bot: NewsdeskBot) -> None:
    bot.books["src"] = sources_book
    await bot.add_cog(Info(bot))
