"""The answer card's state and buttons: answering for a card, the stored answer, Context/More sources/votes/Delete."""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

import discord

from index.answer import Answer
from index.desk import Desk

from ...client import NewsdeskBot
from ...payload import Kept, bounded, decode
from ...render import NO_PINGS
from ...store import Store
from ...views import Book, send_book
from ._embeds import passage_pages, sources_embed

MORE_SOURCES = 10


def answer_question(desk: Desk, question: str, top: int = MORE_SOURCES) -> Kept:
    """Answer and bound the result, both in the worker thread: however large the pipeline's answer,
    only its bounded form (see bot/payload.py) ever reaches the event loop, the store or Discord.

    Answered ``top`` deep (the card shows the desk's first few, "More sources" the rest): whether
    there are more sources is known when the card is sent, so the button is there only then."""
    return bounded(desk.ask(question, top=top))


def on_card(answer: Answer, shown: int) -> Answer:
    """The answer as the card shows it: its first ``shown`` articles."""
    return dataclasses.replace(answer, answers=answer.answers[:shown])


#: The passage adds something when it is longer than the quote by more than a few characters.
CONTEXT_CHARS = 20


def adds_context(kept: Kept) -> bool:
    """Whether *Context* would show more than the card's quote already does."""
    if not kept.answer.answers:
        return False
    best = kept.answer.answers[0]
    passage = best.passage or best.quote
    return max(kept.passage_length, len(passage.strip())) > len(best.quote.strip()) + CONTEXT_CHARS


@dataclasses.dataclass(frozen=True, slots=True)
class Stored:
    """An answer read back from the store for one of its buttons."""

    user_id: int | None
    private: bool
    kept: Kept


def stored_answer(store: Store, answer_id: int) -> Stored | None:
    """A stored answer of any payload version, bounded again: rows of older versions kept whole passages."""
    record = store.answer(answer_id)
    return Stored(record.user_id, bool(record.private), decode(record.payload)) if record else None


def _context_pages(kept: Kept) -> Book:
    return Book(passage_pages(kept.answer.answers[0], offset=kept.passage_start, total=kept.passage_length))


async def context_book(bot: NewsdeskBot, answer_id: int) -> Book | None:
    """The *Context* pages of a stored answer, for its pager's buttons (after a restart too)."""
    record = await asyncio.to_thread(stored_answer, bot.store, answer_id)
    if record is None or not record.kept.answer.answers:
        return None
    return await asyncio.to_thread(_context_pages, record.kept)


@dataclasses.dataclass(frozen=True, slots=True)
class Card:
    """What the card's buttons show: how many more sources, whether Context adds text, the votes so far."""

    answer_id: int
    more: int
    context: bool
    private: bool
    up: int = 0
    down: int = 0

    @classmethod
    def of(cls, answer_id: int, kept: Kept, shown: int, *, private: bool, votes: dict[int, int] | None = None) -> Card:
        tally = list((votes or {}).values())
        return cls(
            answer_id,
            more=max(0, len(kept.answer.answers) - shown),
            context=adds_context(kept),
            private=private,
            up=tally.count(1),
            down=tally.count(-1),
        )


class AnswerButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"nd:(?P<action>full|more|up|down|del):(?P<id>\d+)"):
    """The answer card's buttons. The custom id carries the answer's id in the store, so the
    buttons keep working after a restart (``full`` is the *Context* button's id since before it was renamed)."""

    def __init__(self, action: str, answer_id: int, *, label: str | None = None) -> None:
        emoji, style = None, discord.ButtonStyle.secondary
        if action == "full":
            label, style = "Context", discord.ButtonStyle.primary
        elif action == "more":
            label = label or "More sources"
        elif action in ("up", "down"):
            emoji = "\U0001f44d" if action == "up" else "\U0001f44e"
        else:
            emoji = "\U0001f5d1\ufe0f"
        super().__init__(discord.ui.Button(label=label, emoji=emoji, style=style, custom_id=f"nd:{action}:{answer_id}"))
        self.action = action
        self.answer_id = answer_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: Any
    ) -> AnswerButton:
        return cls(match["action"], int(match["id"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        bot: NewsdeskBot = interaction.client  # type: ignore[assignment]
        try:
            bot.inflight.admit()
            await self._act(bot, interaction)
        except Exception as exc:  # noqa: BLE001 - discord.py only logs a failing dynamic item; the error handler replies
            await bot.errors.on_interaction_error(interaction, exc)

    async def _act(self, bot: NewsdeskBot, interaction: discord.Interaction) -> None:
        record = await asyncio.to_thread(stored_answer, bot.store, self.answer_id)
        if record is None or not record.kept.answer.answers:
            await interaction.response.send_message("That answer is no longer available; ask again.", ephemeral=True)
            return
        kept = record.kept
        if self.action == "full":
            await send_book(interaction, "ctx", self.answer_id, await asyncio.to_thread(_context_pages, kept))
        elif self.action == "more":
            await interaction.response.defer(ephemeral=True, thinking=True)
            answer = kept.answer
            if len(answer.answers) <= bot.desk.top:  # stored by an older bot, which kept only the card's sources
                more = await bot.answers.run(interaction.user.id, answer_question, bot.desk, answer.question, MORE_SOURCES)
                answer = more.answer if more.answer.found else answer
            embed = await asyncio.to_thread(sources_embed, answer)
            await interaction.followup.send(embed=embed, ephemeral=True, allowed_mentions=NO_PINGS)
        elif self.action in ("up", "down"):
            # The vote shows on the buttons themselves: the card is edited, no message is sent.
            vote = 1 if self.action == "up" else -1
            await asyncio.to_thread(bot.store.record_feedback, self.answer_id, interaction.user.id, vote)
            votes = await asyncio.to_thread(bot.store.feedback, self.answer_id)
            card = Card.of(self.answer_id, kept, bot.desk.top, private=record.private, votes=votes)
            await interaction.response.edit_message(view=answer_view(card))
        elif self.action == "del":
            if interaction.user.id != record.user_id and not interaction.permissions.manage_messages:
                await interaction.response.send_message(
                    "Only the person who asked, or someone who can manage messages, can delete this answer.", ephemeral=True
                )
                return
            await interaction.response.defer()
            if interaction.message is not None:
                await interaction.message.delete()


def answer_view(card: Card) -> discord.ui.View:
    """The card's buttons: Context when it adds text, More sources when there are more (with how many),
    the votes with their counts, and 🗑 on public answers (a private one is dismissed in Discord)."""
    view = discord.ui.View(timeout=None)
    if card.context:
        view.add_item(AnswerButton("full", card.answer_id))
    if card.more:
        view.add_item(AnswerButton("more", card.answer_id, label=f"More sources ({card.more})"))
    view.add_item(AnswerButton("up", card.answer_id, label=str(card.up) if card.up else None))
    view.add_item(AnswerButton("down", card.answer_id, label=str(card.down) if card.down else None))
    if not card.private:
        view.add_item(AnswerButton("del", card.answer_id))
    return view
