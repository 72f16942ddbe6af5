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
from ..views import send_pages


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


class Info(commands.Cog):
    def __init__(self, bot: NewsdeskBot) -> None:
        self.bot = bot

    @app_commands.command(name="sources", description="List the articles the bot answers from.")
    async def sources(self, interaction: discord.Interaction) -> None:
        # Tens of thousands of articles make hundreds of pages: built off the event loop.
        pages = await asyncio.to_thread(article_pages, list(self.bot.desk.coverage.articles.values()))
        await send_pages(interaction, pages, ephemeral=True)

    @app_commands.command(name="about", description="Version, index size and last refresh.")
    async def about(self, interaction: discord.Interaction) -> None:
        coverage = self.bot.desk.coverage
        last = await self.bot.remember(self.bot.store.last_refresh)
        if last is not None:
            when, by = datetime.fromtimestamp(last.at, UTC), last.by
            outcome = "" if last.ok else f" (failed: {literal(last.error or '', 500)})"
        else:
            when, by, outcome = datetime.fromisoformat(coverage.refreshed.at), coverage.refreshed.by, ""
        embed = discord.Embed(title="newsdesk", colour=COLOUR)
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
    await bot.add_cog(Info(bot))
