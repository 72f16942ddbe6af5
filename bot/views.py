"""Message components: the pager used for long passages and article lists, and article autocompletion."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from index.coverage import Coverage
from index.table import ArticleInfo

from .render import NO_PINGS, clip

if TYPE_CHECKING:
    from .client import NewsdeskBot


class Pager(discord.ui.View):
    """◀ / ▶ through a list of embeds; only the person it was shown to can turn the pages."""

    def __init__(self, pages: list[discord.Embed], owner_id: int, *, timeout: float = 600) -> None:
        super().__init__(timeout=timeout)
        self.pages = pages
        self.owner_id = owner_id
        self.index = 0
        self._sync_buttons()

    def _sync_buttons(self) -> None:
        self.previous.disabled = self.index == 0
        self.next.disabled = self.index >= len(self.pages) - 1
        self.counter.label = clip(f"{self.index + 1} / {len(self.pages)}", 80)

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id != self.owner_id:
            await interaction.response.send_message(
                "These pages belong to someone else; run the command yourself to browse.", ephemeral=True
            )
            return False
        return True

    async def on_error(self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item[Any]) -> None:
        bot: NewsdeskBot = interaction.client  # type: ignore[assignment]
        await bot.errors.on_interaction_error(interaction, error)

    async def _show(self, interaction: discord.Interaction, index: int) -> None:
        self.index = max(0, min(index, len(self.pages) - 1))
        self._sync_buttons()
        await interaction.response.edit_message(embed=self.pages[self.index], view=self)

    @discord.ui.button(label="\u25c0", style=discord.ButtonStyle.secondary)
    async def previous(self, interaction: discord.Interaction, button: discord.ui.Button[Pager]) -> None:
        await self._show(interaction, self.index - 1)

    @discord.ui.button(label="1 / 1", style=discord.ButtonStyle.secondary, disabled=True)
    async def counter(self, interaction: discord.Interaction, button: discord.ui.Button[Pager]) -> None:
        await interaction.response.defer()

    @discord.ui.button(label="\u25b6", style=discord.ButtonStyle.secondary)
    async def next(self, interaction: discord.Interaction, button: discord.ui.Button[Pager]) -> None:
        await self._show(interaction, self.index + 1)


async def send_pages(
    interaction: discord.Interaction, pages: list[discord.Embed], *, ephemeral: bool = True
) -> None:
    """Reply with the first page (and a pager when there are more), answering or following up as needed."""
    view: discord.ui.View = Pager(pages, interaction.user.id) if len(pages) > 1 else discord.utils.MISSING
    if interaction.response.is_done():
        await interaction.followup.send(embed=pages[0], ephemeral=ephemeral, allowed_mentions=NO_PINGS, view=view)
    else:
        await interaction.response.send_message(embed=pages[0], ephemeral=ephemeral, allowed_mentions=NO_PINGS, view=view)


class ArticleChoices:
    """Autocomplete for an article option: headlines or file names containing what was typed (25 at most).

    The sorted catalogue is built once per index snapshot and every lookup runs off the event
    loop, so typing stays quick with tens of thousands of articles.
    """

    def __init__(self) -> None:
        self._catalogue: tuple[Coverage, list[tuple[str, ArticleInfo]]] | None = None

    async def __call__(self, coverage: Coverage, typed: str) -> list[app_commands.Choice[str]]:
        return await asyncio.to_thread(self._choices, coverage, typed.casefold())

    def _choices(self, coverage: Coverage, wanted: str) -> list[app_commands.Choice[str]]:
        catalogue = self._catalogue
        if catalogue is None or catalogue[0] is not coverage:
            rows = [(f"{info.label}\n{info.name}".casefold(), info) for info in coverage.articles.values()]
            rows.sort(key=lambda row: row[0])
            catalogue = self._catalogue = (coverage, rows)
        choices: list[app_commands.Choice[str]] = []
        for key, info in catalogue[1]:
            if wanted in key:
                choices.append(app_commands.Choice(name=clip(f"{info.label} ({info.name})", 100), value=info.name[:100]))
                if len(choices) == 25:
                    break
        return choices
