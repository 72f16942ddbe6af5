"""Declarative checks for app commands, run by discord.py on every invocation before the command.

Each is a decorator (``@moderator_only()`` under ``@app_commands.command``); a check that fails
raises an error of bot/errors.py, which the error handler words. Nothing inside a command
checks permissions by hand.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import discord
from discord import app_commands

from .errors import NotManager, NotModerator
from .roles import is_moderator

if TYPE_CHECKING:
    from .client import NewsdeskBot

T = TypeVar("T")


def _restricted(predicate: Callable[[discord.Interaction[Any]], bool], command: T) -> T:
    """Servers only, offered to Manage Server by default, and ``predicate`` run on every use —
    whatever a server admin did to the command's permissions in Discord's settings, which can
    hand it to anyone."""
    command = app_commands.check(predicate)(command)
    command = app_commands.default_permissions(manage_guild=True)(command)
    return app_commands.guild_only()(command)


def _moderator(interaction: discord.Interaction[Any]) -> bool:
    """Manage Server, or a moderator role id (the config's, or the server's /settings)."""
    bot: NewsdeskBot = interaction.client
    role_ids = bot.servers.config(interaction.guild_id).moderator_role_ids
    if is_moderator(interaction.user, role_ids):
        return True
    guild = interaction.guild
    roles = [role.name for role in (guild.get_role(i) for i in sorted(role_ids)) if role] if guild else []
    raise NotModerator(roles)


def _manager(interaction: discord.Interaction[Any]) -> bool:
    member = interaction.user
    if isinstance(member, discord.Member) and (member.guild_permissions.manage_guild or member.guild_permissions.administrator):
        return True
    raise NotManager()


def moderator_only() -> Callable[[T], T]:
    """A moderator command: Manage Server, or a moderator role (by id, see bot/roles.py)."""
    return lambda command: _restricted(_moderator, command)


def manager_only() -> Callable[[T], T]:
    """A command that changes the server's settings: Manage Server (or Administrator) only."""
    return lambda command: _restricted(_manager, command)


def question_cooldown() -> Callable[[T], T]:
    """The server's question cooldown, on the bucket that questions in channels share (bot/cooldowns.py)."""

    def asker(interaction: discord.Interaction[Any]) -> object:
        bot: NewsdeskBot = interaction.client
        return bot.cooldowns.asker(interaction.guild_id, interaction.user.id)

    def bucket(interaction: discord.Interaction[Any]) -> app_commands.Cooldown | None:
        bot: NewsdeskBot = interaction.client
        return bot.cooldowns.bucket(bot.cooldowns.asker(interaction.guild_id, interaction.user.id))

    return app_commands.checks.dynamic_cooldown(bucket, key=asker)
