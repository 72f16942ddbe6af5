"""Errors of the Discord layer, and :class:`ErrorHandler`, the one place that turns any error into a reply.

The errors a person may be shown, wherever they are defined::

    NewsdeskError (index.errors)    safe to show; the tree of the index's own is drawn there
    ├── BotError                    raised by the bot's own checks and limits
    │   ├── NotModerator            a moderator command used by someone else           (a CheckFailure too)
    │   ├── NotManager              /settings used without Manage Server               (a CheckFailure too)
    │   ├── ShuttingDown            new work while the bot is stopping                 (a CheckFailure too)
    │   └── TooSlow                 a question (or check, or summary) over its time budget
    ├── ConfigError (bot.settings)  the configuration is invalid; names the key
    ├── LockTimeout (bot.shared)    a named lock stayed held elsewhere past the caller's wait
    ├── StateUnavailable (bot.store) the saved state could not be read or written this time
    └── StoreError (bot.store)      the state database cannot be opened at all
        └── StoreDamaged            ... because it is damaged; says how to salvage it

The checks' errors are :class:`~discord.app_commands.CheckFailure`\\ s as well, because discord.py
hands only :class:`~discord.app_commands.AppCommandError`\\ s raised by checks to the tree's error
handler. Too many questions too fast is discord.py's own
:class:`~discord.app_commands.CommandOnCooldown`, raised by the question cooldown (bot/cooldowns.py)
for ``/ask`` and for questions in channels alike.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from index.errors import NewsdeskError

from .render import NO_PINGS, clip, escape
from . import replies

if TYPE_CHECKING:
    from .metrics import Metrics

log = logging.getLogger("newsdesk.bot")

UNEXPECTED = "Something went wrong while answering that. It has been logged for the moderators."
#: What a question in a channel asked too soon gets instead of a notice: a reaction seen only on it.
COOLDOWN_REACTION = "\u23f3"


class BotError(NewsdeskError):
    """An error of the bot's own checks and limits; its message is shown to the user."""


class NotModerator(BotError, app_commands.CheckFailure):
    def __init__(self, roles: list[str]) -> None:
        who = "people with Manage Server" + (f" or the {', '.join(roles)} role" if roles else "")
        super().__init__(f"Only moderators can do that ({who}).")


class NotManager(BotError, app_commands.CheckFailure):
    def __init__(self) -> None:
        super().__init__("Only people with Manage Server can change these settings.")


class ShuttingDown(BotError, app_commands.CheckFailure):
    def __init__(self) -> None:
        super().__init__("The bot is restarting; ask again in a minute.")


class TooSlow(BotError):
    def __init__(self) -> None:
        super().__init__("That is taking too long to answer; try asking something more precise.")


def cooldown_message(retry_after: float, *, now: float | None = None) -> str:
    """The notice, with the moment one may ask again as a Discord timestamp: it counts down live."""
    again = (time.time() if now is None else now) + max(1.0, retry_after)
    return f"You're asking quickly \u2014 you can ask again <t:{round(again)}:R>."


def _cause(error: BaseException) -> BaseException:
    """What really went wrong: discord.py wraps a command's own exception (``CommandInvokeError``,
    ``TransformerError``), and a user-facing error may be the cause of another."""
    inner = getattr(error, "original", None) or error.__cause__
    if inner is None or isinstance(error, NewsdeskError):
        return error
    if isinstance(error, app_commands.CommandInvokeError | app_commands.TransformerError) or isinstance(inner, NewsdeskError):
        return inner
    return error


class ErrorHandler:
    """Every entry point reports its failures here: slash commands (the command tree's ``on_error``),
    buttons and pages (their callbacks and views), questions in channels (the ask listener), and
    listeners with nobody to answer (the bot's ``on_error``).

    Dispatch order — the first that matches decides the reply:

    1. the cause is unwrapped: a command's own exception inside discord.py's ``CommandInvokeError``
       or ``TransformerError``;
    2. :class:`~discord.app_commands.CommandOnCooldown`: "you can ask again <t:…:R>" (a live
       countdown) to the person alone; a question in a channel gets a ⏳ reaction instead, never
       a message (a burst of 20 costs the channel no message at all);
    3. :class:`~index.errors.NewsdeskError` (the tree above, and the index's): its own message,
       logged as a refusal (the checks' errors are CheckFailures too, so this comes before 5);
    4. :class:`~discord.app_commands.NoPrivateMessage`: the command works only in a server;
    5. any other :class:`~discord.app_commands.CheckFailure`: "You can't use that command here.";
    6. anything else: :data:`UNEXPECTED`; the traceback goes to the log and ``newsdesk_errors``
       is counted.

    The reply is one short message, never pinging anyone, with what users typed shown literally:
    ephemeral for interactions (a follow-up when the interaction was already answered: every slow
    command defers privately, see bot/replies.py, so that follow-up is private too), and in a
    channel a reply to the question that deletes itself after ``replies.SELF_DELETE_SECONDS``.
    """

    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics

    def message(self, error: BaseException) -> str | None:
        """What the user is told (steps 1–6 of the dispatch order); None for an unexpected error."""
        cause = _cause(error)
        if isinstance(cause, app_commands.CommandOnCooldown):
            return cooldown_message(cause.retry_after)
        if isinstance(cause, NewsdeskError):
            return cause.message
        if isinstance(cause, app_commands.NoPrivateMessage):
            return "That command works only in a server."
        if isinstance(cause, app_commands.CheckFailure):
            return "You can't use that command here."
        return None

    def _judge(self, error: BaseException, event: str, **where: Any) -> str:
        """The reply's text; logs the error once, and counts it when it was unexpected."""
        context = " ".join(f"{k}={v}" for k, v in where.items())
        message = self.message(error)
        if message is None:
            log.error("event=%s %s outcome=error", event, context, exc_info=error)
            self.metrics.unexpected_error()
            return UNEXPECTED
        log.info("event=%s %s outcome=refused reason=%r", event, context, message)
        return message

    async def on_interaction_error(self, interaction: discord.Interaction[Any], error: BaseException) -> None:
        """A slash command, button or page that failed: an ephemeral reply, or a follow-up."""
        name = getattr(interaction.command, "qualified_name", None) or "component"
        text = escape(self._judge(error, "command", name=name, guild=interaction.guild_id))
        try:
            if interaction.response.is_done():
                await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_PINGS)
            else:
                await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_PINGS)
        except discord.HTTPException:
            # discord.py does not log exceptions raised inside error handlers; do it here.
            log.exception("could not report an error to the user")

    async def on_message_error(self, message: discord.Message, error: BaseException) -> None:
        """A question in a channel that failed: a ⏳ reaction on cooldown, else a reply that deletes itself."""
        guild_id = message.guild.id if message.guild else None
        try:
            if isinstance(_cause(error), app_commands.CommandOnCooldown):
                log.debug("event=cooldown guild=%s outcome=reacted", guild_id)
                await message.add_reaction(COOLDOWN_REACTION)
                return
            text = escape(self._judge(error, "question", guild=guild_id, channel=message.channel.id))
            await message.reply(
                clip(text, 2000), mention_author=False, allowed_mentions=NO_PINGS, delete_after=replies.SELF_DELETE_SECONDS
            )
        except discord.HTTPException:
            log.exception("could not report an error to the user")

    def on_event_error(self, event: str) -> None:
        """A listener that failed with nobody to answer (called inside its ``except``)."""
        log.exception("error in %s", event)
        self.metrics.unexpected_error()
