"""Message components: pagers that still turn after a restart, and article autocompletion."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from index.coverage import Coverage
from index.table import ArticleInfo

from .render import NO_PINGS, clip
from .replies import publish

if TYPE_CHECKING:
    from .client import NewsdeskBot


@dataclass(frozen=True, slots=True)
class Book:
    """Pages to turn: the embeds, how many entries they list (None: a text, not a list), and who
    may turn them (None: whoever sees them — a private reply is seen by its asker only)."""

    pages: list[discord.Embed]
    entries: int | None = None
    owner: int | None = None


#: Rebuilds a book from its key (an answer's id; 0 when there is one book of its kind): what a
#: page button finds again after a restart. Extensions register theirs in ``bot.books``.
BookSource = Callable[["NewsdeskBot", int], Awaitable[Book | None]]


def counter_label(index: int, book: Book) -> str:
    entries = f" ({book.entries} entr{'y' if book.entries == 1 else 'ies'})" if book.entries is not None else ""
    return f"Page {index + 1}/{len(book.pages)}{entries}"


class PageButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"nd:pg:(?P<kind>[a-z]+):(?P<key>\d+):(?P<page>\d+):(?P<slot>[a-z]+)"):
    """A persistent pager's button: the custom id names the book and the page it turns to, so the
    pages still turn after a restart (the book is rebuilt from ``bot.books``)."""

    LOOKS = {"first": "\u226a", "prev": "\u25c0", "next": "\u25b6", "last": "\u226b"}

    def __init__(self, kind: str, key: int, page: int, slot: str, *, label: str | None = None, disabled: bool = False) -> None:
        super().__init__(
            discord.ui.Button(
                label=label or self.LOOKS.get(slot, "\u2026"),
                style=discord.ButtonStyle.secondary,
                custom_id=f"nd:pg:{kind}:{key}:{page}:{slot}",
                disabled=disabled,
            )
        )
        self.kind, self.key, self.page = kind, key, page

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: Any) -> PageButton:
        return cls(match["kind"], int(match["key"]), int(match["page"]), match["slot"])

    async def callback(self, interaction: discord.Interaction) -> None:
        bot: NewsdeskBot = interaction.client  # type: ignore[assignment]
        try:
            bot.inflight.admit()
            source = bot.books.get(self.kind)
            book = await source(bot, self.key) if source else None
            if book is None or not book.pages:
                await interaction.response.edit_message(view=None)  # nothing left to page through: no dead buttons
                await interaction.followup.send("Those pages are no longer available; run the command again.", ephemeral=True)
                return
            if book.owner is not None and interaction.user.id != book.owner:
                # A public page turned by someone else would change under its reader's eyes.
                await interaction.response.send_message(
                    "These pages belong to someone else; run the command yourself to browse.", ephemeral=True
                )
                return
            index = max(0, min(self.page, len(book.pages) - 1))
            await interaction.response.edit_message(embed=book.pages[index], view=pager_view(self.kind, self.key, book, index))
        except Exception as exc:  # noqa: BLE001 - discord.py only logs a failing dynamic item; the error handler replies
            await bot.errors.on_interaction_error(interaction, exc)


def pager_view(kind: str, key: int, book: Book, index: int) -> discord.ui.View | None:
    """◀ Page x/y ▶ (≪ and ≫ too past two pages); None for a single page."""
    if len(book.pages) < 2:
        return None
    view = discord.ui.View(timeout=None)
    for slot, page, disabled in _slots(index, len(book.pages) - 1):
        label = counter_label(index, book) if slot == "count" else None
        view.add_item(PageButton(kind, key, page, slot, label=label, disabled=disabled))
    return view


def _slots(index: int, last: int) -> list[tuple[str, int, bool]]:
    """A pager's buttons as (slot, page it turns to, disabled): ◀ count ▶, with ≪ and ≫ past two pages."""
    slots = [("prev", max(0, index - 1), index == 0), ("count", index, True), ("next", min(last, index + 1), index >= last)]
    if last > 1:
        slots = [("first", 0, index == 0), *slots, ("last", last, index >= last)]
    return slots


async def send_book(
    interaction: discord.Interaction, kind: str, key: int, book: Book, *, page: int = 0, ephemeral: bool = True
) -> None:
    """Reply with a page of a book that survives a restart, answering or following up as needed."""
    index = max(0, min(page, len(book.pages) - 1))
    reply: dict[str, Any] = {"embed": book.pages[index], "ephemeral": ephemeral, "allowed_mentions": NO_PINGS}
    view = pager_view(kind, key, book, index)
    if view is not None:
        reply["view"] = view
    if interaction.response.is_done():
        del reply["ephemeral"]
        await publish(interaction, private=ephemeral, **reply)
    else:
        await interaction.response.send_message(**reply)


class ExpiredPage(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"nd:mem:(?P<token>[0-9a-f]+):(?P<slot>[a-z]+)"):
    """A button of the in-memory pagers older versions sent with summaries: clicked now, it is removed."""

    def __init__(self, token: str, slot: str) -> None:
        super().__init__(discord.ui.Button(label="\u2026", custom_id=f"nd:mem:{token}:{slot}"))

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: Any) -> ExpiredPage:
        return cls(match["token"], match["slot"])

    async def callback(self, interaction: discord.Interaction) -> None:
        bot: NewsdeskBot = interaction.client  # type: ignore[assignment]
        try:
            await interaction.response.edit_message(view=None)
            await interaction.followup.send("Those pages have expired; run the command again.", ephemeral=True)
        except Exception as exc:  # noqa: BLE001 - the error handler replies
            await bot.errors.on_interaction_error(interaction, exc)


#: The most pages kept for one pager (a summary is a few; this only bounds what is stored).
MAX_KEPT_PAGES = 50


async def kept_book(bot: NewsdeskBot, key: int) -> Book | None:
    """The pages :func:`send_pages` kept, for their pager's buttons (after a restart too)."""
    record = await asyncio.to_thread(bot.store.pages, key)
    if record is None:
        return None
    return Book([discord.Embed.from_dict(page) for page in record.pages], owner=record.user_id)


async def send_pages(
    interaction: discord.Interaction, pages: list[discord.Embed], *, ephemeral: bool = True
) -> None:
    """Reply with the first page of pages that cannot be rebuilt from an id (a summary), keeping them
    in the store so that the pager turns them after a restart and on any process; only the person
    they were made for turns a public one. Pages that could not be kept go out as their first page."""
    bot: NewsdeskBot = interaction.client  # type: ignore[assignment]
    pages = pages[:MAX_KEPT_PAGES]
    key = None
    if len(pages) > 1:
        key = await bot.remember(bot.store.record_pages, interaction.user.id, [page.to_dict() for page in pages])
    await send_book(interaction, "kept", key or 0, Book(pages if key is not None else pages[:1]), ephemeral=ephemeral)


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
