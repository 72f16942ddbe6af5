"""The bot factory: a discord.py ``commands.Bot`` built from settings and a :class:`~index.desk.Desk`.

``create_bot(settings, desk, store)`` is what ``newsdesk run`` uses and what the tests start
in-process against a loopback Discord. Features live in extensions under ``bot/exts/``.

Discord's REST base URL and gateway URL come from settings. discord.py keeps both as class
attributes (``Route.BASE``, ``DiscordWebSocket.DEFAULT_GATEWAY``), so building a bot points the
whole process at the configured server — one Discord per process, which is how the bot runs.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from pathlib import Path
from typing import Any

import discord
import yarl
from discord import app_commands
from discord.ext import commands

from index.desk import Desk
from index.ingest import Intake

from .errors import reply_error
from .settings import Settings
from .store import Store

log = logging.getLogger("newsdesk.bot")

EXTENSIONS = ("bot.exts.ask", "bot.exts.admin", "bot.exts.info", "bot.exts.summary", "bot.exts.check", "bot.exts.coverage")


class NewsdeskTree(app_commands.CommandTree["NewsdeskBot"]):
    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        await reply_error(interaction, error)


class NewsdeskBot(commands.Bot):
    """The Discord client: answers questions, runs moderator commands, renders within limits."""

    def __init__(self, settings: Settings, desk: Desk, store: Store, *, sync_on_start: bool = True, **options: Any) -> None:
        intents = discord.Intents.default()
        intents.message_content = True  # to read questions asked in channels
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents,
            allowed_mentions=discord.AllowedMentions.none(),
            help_command=None,
            tree_cls=NewsdeskTree,
            **options,
        )
        self.settings = settings
        self.desk = desk
        self.store = store
        self.intake = Intake(desk, settings.fetch_policy(), settings.ingest_folder)
        self.started_at = time.time()
        self.synced = False
        self._sync_on_start = sync_on_start

    async def setup_hook(self) -> None:
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        if self._sync_on_start:
            await self.sync_commands(force=False)

    async def on_message(self, message: discord.Message) -> None:
        # Questions are handled by the ask extension's listener; there are no prefix commands.
        return

    async def on_error(self, event_method: str, /, *args: Any, **kwargs: Any) -> None:
        log.exception("error in %s", event_method)

    # -- slash command registration ------------------------------------------------------------

    def _sync_guild(self) -> discord.Object | None:
        guild = self.settings.discord.sync_guild
        return discord.Object(id=guild) if guild else None

    def command_fingerprint(self) -> str:
        """A hash of the command set as Discord would receive it: sync only when it changes."""
        guild = self._sync_guild()
        if guild is not None:
            self.tree.copy_global_to(guild=guild)
        payload = [command.to_dict(self.tree) for command in self.tree.get_commands(guild=guild)]
        scope = {"guild": guild.id if guild else None, "application": self.application_id, "commands": payload}
        return hashlib.sha256(json.dumps(scope, sort_keys=True).encode()).hexdigest()

    def _fingerprint_file(self) -> Path:
        return self.settings.state_dir / "commands.sha256"

    async def sync_commands(self, *, force: bool) -> bool:
        """Register the slash commands with Discord when they changed (Discord limits syncs per day)."""
        fingerprint = self.command_fingerprint()
        path = self._fingerprint_file()
        if not force and path.is_file() and path.read_text().strip() == fingerprint:
            return False
        await self.tree.sync(guild=self._sync_guild())
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(fingerprint)
        self.synced = True
        log.info("slash commands synced (%s)", "guild %s" % self.settings.discord.sync_guild if self.settings.discord.sync_guild else "global")
        return True

    # -- helpers for extensions ------------------------------------------------------------

    def is_moderator(self, member: discord.abc.User) -> bool:
        """Manage Server, or a role named in ``discord.moderator_roles`` — checked by the bot itself,
        because a command's default permissions are only a hint that server admins can change."""
        if not isinstance(member, discord.Member):
            return False
        if member.guild_permissions.manage_guild or member.guild_permissions.administrator:
            return True
        wanted = {name.casefold() for name in self.settings.discord.moderator_roles}
        return any(role.name.casefold() in wanted for role in member.roles)


def point_discord_at(settings: Settings) -> None:
    """Send discord.py's REST calls and gateway connection to the configured servers."""
    discord.http.Route.BASE = settings.discord.api_base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.discord.gateway_url)


def create_bot(settings: Settings, desk: Desk, store: Store | None = None, **options: Any) -> NewsdeskBot:
    """Build the bot (not yet connected). ``desk`` must be opened; ``store`` defaults to the state folder's database."""
    point_discord_at(settings)
    store = store or Store(settings.state_dir / "newsdesk.db")
    return NewsdeskBot(settings, desk, store, **options)
