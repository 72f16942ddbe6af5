"""Errors of the Discord layer, and the one place that turns any error into a reply.

    NewsdeskError (index.errors)   safe to show: BadQuestion, CorpusError, IndexBusy, IndexFailed, ...
    └── BotError                   raised by the bot's own checks
        ├── NotModerator           a moderator command used by someone else
        ├── OnCooldown             too many questions too fast
        └── TooSlow                a question over its time budget

Slash commands, buttons and message events all report through :func:`reply_error`: the user gets
one short message (ephemeral where Discord allows), the log gets the traceback, and an
interaction that was already answered gets a follow-up instead of a second answer.
"""

from __future__ import annotations

import logging

import discord
from discord import app_commands

from index.errors import NewsdeskError

from .render import NO_PINGS, escape

log = logging.getLogger("newsdesk.bot")

UNEXPECTED = "Something went wrong while answering that. It has been logged for the moderators."


class BotError(NewsdeskError):
    """An error of the bot's own checks; its message is shown to the user."""


class NotModerator(BotError, app_commands.CheckFailure):
    def __init__(self, roles: list[str]) -> None:
        who = "people with Manage Server" + (f" or the {', '.join(roles)} role" if roles else "")
        super().__init__(f"Only moderators can do that ({who}).")


class ShuttingDown(BotError):
    def __init__(self) -> None:
        super().__init__("The bot is restarting; ask again in a minute.")


class OnCooldown(BotError):
    def __init__(self, retry_after: float) -> None:
        super().__init__(f"You're asking quickly \u2014 try again in {max(1, round(retry_after))} s.")
        self.retry_after = retry_after


class TooSlow(BotError):
    def __init__(self) -> None:
        super().__init__("That is taking too long to answer; try asking something more precise.")


def user_message(error: BaseException) -> str:
    """The message a user sees for ``error`` (its own message when it is meant for users)."""
    original = getattr(error, "original", None) or getattr(error, "__cause__", None) or error
    for candidate in (error, original):
        if isinstance(candidate, NewsdeskError):
            return candidate.message
    if isinstance(error, app_commands.CommandOnCooldown):
        return OnCooldown(error.retry_after).message
    if isinstance(error, app_commands.NoPrivateMessage):
        return "That command works only in a server."
    if isinstance(error, app_commands.CheckFailure):
        return "You can't use that command here."
    return UNEXPECTED


async def reply_error(interaction: discord.Interaction, error: BaseException) -> None:
    """Tell the user what went wrong, once; log anything that is not a user-facing error."""
    message = user_message(error)
    name = getattr(interaction.command, "qualified_name", "component")
    if message == UNEXPECTED:
        log.error("event=command name=%s guild=%s outcome=error", name, interaction.guild_id, exc_info=error)
        metrics = getattr(interaction.client, "metrics", None)
        if metrics is not None:
            metrics.errors.inc()
    else:
        log.info("event=command name=%s guild=%s outcome=refused reason=%r", name, interaction.guild_id, message)
    message = escape(message)  # messages quote what users typed (names, addresses): shown literally
    try:
        if interaction.response.is_done():
            await interaction.followup.send(message, ephemeral=True, allowed_mentions=NO_PINGS)
        else:
            await interaction.response.send_message(
                message, ephemeral=True, allowed_mentions=NO_PINGS
            )
    except discord.HTTPException:
        # discord.py does not log exceptions raised inside error handlers; do it here.
        log.exception("could not report an error to the user")
