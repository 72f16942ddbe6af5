"""Asking: questions in channels (a mention, or any "…?" in an ask channel) and ``/ask``, with the answer card's buttons."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from index.answer import Answer
from index.desk import Desk
from index.errors import BadQuestion
from index.question import MAX_QUESTION_CHARS, clean

from ..checks import question_cooldown
from ..client import NewsdeskBot
from ..errors import TooSlow
from ..payload import Kept, bounded, decode, encode
from ..render import NO_PINGS, answer_embed, clip, not_found_text, passage_pages, sources_embed
from .. import replies
from ..replies import publish, think
from ..store import Store
from ..views import Book, send_book

log = logging.getLogger("newsdesk.ask")
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


class Ask(commands.Cog):
    """Answers questions asked in channels and with /ask."""

    def __init__(self, bot: NewsdeskBot) -> None:
        self.bot = bot

    async def _answer(
        self, question: str, *, user_id: int, guild_id: int | None, channel_id: int | None, private: bool
    ) -> tuple[Kept, int | None]:
        """Answer in the answer pool and remember the answer; returns its bounded form and id
        (None when the state could not be written: the answer is sent all the same)."""
        started = time.perf_counter()
        try:
            kept = await self.bot.answers.run(user_id, answer_question, self.bot.desk, question)
        except BadQuestion:
            raise
        except TooSlow:
            self.bot.metrics.question_failed()
            log.warning("event=answer guild=%s channel=%s outcome=timeout budget_s=%g", guild_id, channel_id, self.bot.answers.budget)
            raise
        except Exception:
            self.bot.metrics.question_failed()
            raise
        latency = (time.perf_counter() - started) * 1000
        answer = kept.answer
        self.bot.metrics.answered(found=answer.found, seconds=latency / 1000)
        answer_id = await self.bot.remember(  # not remembered: the answer still goes out, without buttons
            self.bot.store.record_answer,
            question=answer.question,
            answer=encode(kept),
            guild_id=guild_id,
            channel_id=channel_id,
            user_id=user_id,
            latency_ms=latency,
            private=private,
        )
        log.info(
            "event=answer guild=%s channel=%s found=%s source=%s latency_ms=%.1f",
            guild_id, channel_id, answer.found, answer.answers[0].source if answer.answers else None, latency,
        )
        return kept, answer_id

    async def _reply(self, kept: Kept, answer_id: int | None, *, private: bool) -> dict[str, Any]:
        """The reply's parts, rendered in a thread (the view is made here: it belongs to the loop).
        An answer that could not be stored gets no buttons: they would find nothing to act on."""
        answer = kept.answer
        if not answer.found:
            return {"content": await asyncio.to_thread(not_found_text, answer), "allowed_mentions": NO_PINGS}
        shown = self.bot.desk.top
        reply: dict[str, Any] = {"embed": await asyncio.to_thread(answer_embed, on_card(answer, shown)), "allowed_mentions": NO_PINGS}
        if answer_id is not None:
            reply["view"] = answer_view(Card.of(answer_id, kept, shown, private=private))
        return reply

    # -- questions in channels -------------------------------------------------------------

    def _addressed(self, message: discord.Message) -> bool:
        me = self.bot.user
        if me is not None and me in message.mentions:
            return True
        channel = message.channel
        ask_channels = self.bot.guild_config(message.guild.id if message.guild else None).ask_channels
        in_ask_channel = channel.id in ask_channels or getattr(channel, "parent_id", None) in ask_channels
        return in_ask_channel and message.content.rstrip().endswith("?")

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot or message.webhook_id is not None or not self._addressed(message):
            return
        guild_id = message.guild.id if message.guild else None
        try:
            self.bot.inflight.admit()
            self.bot.cooldowns.take(guild_id, message.author.id, message.created_at)
            question = clean(message.content)
            if not question:
                raise BadQuestion("Ask me a question about the coverage, for example: What did Rutte say?")
            async with message.channel.typing():
                kept, answer_id = await self._answer(
                    question, user_id=message.author.id, guild_id=guild_id, channel_id=message.channel.id, private=False
                )
                reply = await self._reply(kept, answer_id, private=False)
                if not kept.answer.found:  # nothing to keep: it tells the asker, then clears itself away
                    await message.reply(mention_author=False, delete_after=replies.SELF_DELETE_SECONDS, **reply)
                elif self.bot.guild_config(guild_id).threads and isinstance(message.channel, discord.TextChannel):
                    thread = await message.create_thread(name=clip(question, 100), auto_archive_duration=1440)
                    await thread.send(**reply)
                else:
                    await message.reply(mention_author=False, **reply)
        except Exception as exc:  # noqa: BLE001 - a listener's errors would only be logged; the error handler replies
            await self.bot.errors.on_message_error(message, exc)

    # -- /ask ---------------------------------------------------------------------------------

    @app_commands.command(name="ask", description="Ask about the coverage; the answer quotes the article and cites it.")
    @app_commands.describe(question="What you want to know, e.g. What did Rutte say?", private="Only you see the answer")
    @question_cooldown()
    async def ask(
        self,
        interaction: discord.Interaction,
        question: app_commands.Range[str, 1, MAX_QUESTION_CHARS],
        private: bool = False,
    ) -> None:
        await think(interaction)  # privately: a refusal, an error or a not-found stays the asker's
        kept, answer_id = await self._answer(
            question,
            user_id=interaction.user.id,
            guild_id=interaction.guild_id,
            channel_id=interaction.channel_id,
            private=private,
        )
        reply = await self._reply(kept, answer_id, private=private)
        await publish(interaction, private=private or not kept.answer.found, **reply)


async def setup(bot: NewsdeskBot) -> None:
    bot.add_dynamic_items(AnswerButton)
    bot.books["ctx"] = context_book
    await bot.add_cog(Ask(bot))
