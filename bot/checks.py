"""Declarative checks for app commands, run by the bot itself on every invocation."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import discord
from discord import app_commands

if TYPE_CHECKING:
    from .client import NewsdeskBot

T = TypeVar("T")


def moderator_only() -> Callable[[T], T]:
    """A moderator command: servers only, offered to Manage Server by default, and run only for
    moderators (Manage Server, or a moderator role id) — whatever a server admin did to the
    command's permissions in Discord's settings, which can hand it to anyone."""

    async def predicate(interaction: discord.Interaction[Any]) -> bool:
        bot: NewsdeskBot = interaction.client
        bot.require_moderator(interaction)  # raises NotModerator, which the error handler words
        return True

    def decorate(command: T) -> T:
        command = app_commands.check(predicate)(command)
        command = app_commands.default_permissions(manage_guild=True)(command)
        return app_commands.guild_only()(command)

    return decorate
