"""Asking: questions in channels (a mention, or any "…?" in an ask channel) and ``/ask``, with the answer card's buttons."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from index.errors import BadQuestion
from index.question import MAX_QUESTION_CHARS, clean

from ... import replies
from ...checks import question_cooldown
from ...client import NewsdeskBot
from ...errors import TooSlow
from ...payload import Kept, encode
from ...render import NO_PINGS, clip
from ...replies import publish, think
from ._card import AnswerButton, Card, answer_question, answer_view, context_book, on_card
from ._embeds import answer_embed, not_found_text

log = logging.getLogger("newsdesk.ask")


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
        ask_channels = self.bot.servers.config(message.guild.id if message.guild else None).ask_channels
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
                elif self.bot.servers.config(guild_id).threads and isinstance(message.channel, discord.TextChannel):
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
