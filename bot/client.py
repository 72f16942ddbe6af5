"""The bot factory: a discord.py ``commands.Bot`` built from settings and a :class:`~index.desk.Desk`.

``create_bot(settings, desk, store)`` is what ``newsdesk run`` uses and what the tests start
in-process against a loopback Discord. The client holds the bot's lifecycle (start-up, shutdown,
command sync, moderator digests) and what every feature shares; features live in extensions under
``bot/exts/``, and each server's settings in :mod:`bot.guild_configs`.

Discord's REST base URL and gateway URL come from settings. discord.py keeps both as class
attributes (``Route.BASE``, ``DiscordWebSocket.DEFAULT_GATEWAY``), so building a bot points the
whole process at the configured server — one Discord per process, which is how the bot runs.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import discord
import yarl
from discord import app_commands
from discord.ext import commands

from index.desk import Desk
from index.ingest import Intake
from index.update import Updater

from .cooldowns import QuestionCooldown
from .errors import ErrorHandler
from .guild_configs import GuildConfigs
from .health import HealthServer
from .identify import IdentifyGate, LocalIdentifyGate
from .inflight import InFlight
from .logs import configure_discord_logging
from .metrics import Metrics
from .render import NO_PINGS
from .settings import Settings
from .store import StateUnavailable, Store
from .updates import BotJournal
from .views import ArticleChoices, BookSource, ExpiredPage, PageButton, kept_book
from .workers import AnswerPool

log = logging.getLogger("newsdesk.bot")
T = TypeVar("T")


EXTENSIONS = (
    "bot.exts.ask",
    "bot.exts.info",
    "bot.exts.summary",
    "bot.exts.check",
    "bot.exts.coverage",
    "bot.exts.guild",
    "bot.exts.report",
)


class NewsdeskTree(app_commands.CommandTree["NewsdeskBot"]):
    """Every slash command is admitted here (counted in flight until its task ends, refused once
    the bot is stopping) and reports its errors to the bot's one error handler."""

    async def interaction_check(self, interaction: discord.Interaction[NewsdeskBot]) -> bool:
        if interaction.type is not discord.InteractionType.autocomplete:  # typing ahead is not work to wait for
            interaction.client.inflight.admit()
        return True

    async def on_error(self, interaction: discord.Interaction[NewsdeskBot], error: app_commands.AppCommandError) -> None:
        await interaction.client.errors.on_interaction_error(interaction, error)


class NewsdeskBot(commands.Bot):
    """The Discord client: answers questions, runs moderator commands, renders within limits."""

    def __init__(self, settings: Settings, desk: Desk, store: Store, *, sync_on_start: bool = True, **options: Any) -> None:
        intents = discord.Intents.default()
        # Privileged: without it, only messages that mention the bot (and /ask) carry their text.
        intents.message_content = settings.discord.message_content
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents,
            allowed_mentions=NO_PINGS,
            help_command=None,
            tree_cls=NewsdeskTree,
            **options,
        )
        self.settings = settings
        self.desk = desk
        self.store = store
        # Every change to the coverage (/refresh, /add, /remove, the schedules) goes through it.
        intake = Intake(desk, settings.fetch_policy(), settings.ingest_folder)
        self.updater = Updater(desk, intake, settings.feeds.urls, BotJournal(self))
        self.article_choices = ArticleChoices()  # shared by every command with an article option
        # The persistent pagers' pages, by kind (see bot/views.py); extensions add theirs.
        self.books: dict[str, BookSource] = {"kept": kept_book}
        self.started_at = time.time()
        self.synced = False
        self._sync_on_start = sync_on_start
        self.metrics = Metrics(self)
        self.errors = ErrorHandler(self.metrics)
        self.inflight = InFlight()
        self.servers = GuildConfigs(settings, store, self.remember, self.get_guild)
        self.cooldowns = QuestionCooldown(self.servers.config)
        self.answers = AnswerPool(settings.answers.workers, settings.answers.time_budget_seconds)
        self.health: HealthServer | None = None
        #: Whether this process led at the last scheduled run (what /healthz shows).
        self.leading: bool | None = None

    async def setup_hook(self) -> None:
        await self.servers.listen()
        pruned = await self.remember(self.store.prune, self.settings.store.retention_days)
        if pruned:
            log.info("event=prune answers=%d retention_days=%g", pruned, self.settings.store.retention_days)
        self.add_dynamic_items(PageButton, ExpiredPage)
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        if self._sync_on_start:
            await self.sync_commands(force=False)
        if self.settings.http.enabled:
            self.health = HealthServer(self, self.settings.http.host, self.settings.http.port)
            port = await self.health.start()
            log.info("event=http listening=%s:%d", self.settings.http.host, port)

    async def on_app_command_completion(
        self, interaction: discord.Interaction, command: app_commands.Command[Any, ..., Any] | app_commands.ContextMenu
    ) -> None:
        latency = (discord.utils.utcnow() - interaction.created_at).total_seconds() * 1000
        log.info(
            "event=command name=%s guild=%s channel=%s latency_ms=%.0f outcome=ok",
            command.qualified_name, interaction.guild_id, interaction.channel_id, latency,
        )

    # -- shutting down -------------------------------------------------------------------------

    async def shutdown(self, timeout: float = 15.0) -> None:
        """Stop taking new work, let answers in flight finish (up to ``timeout``), close the gateway, flush SQLite."""
        log.info("event=shutdown inflight=%d", len(self.inflight))
        if not await self.inflight.drain(timeout):
            log.warning("event=shutdown outcome=timeout inflight=%d", len(self.inflight))
        await self.close()
        await asyncio.to_thread(self.store.close)  # never raises: a failed checkpoint is logged
        log.info("event=shutdown outcome=done")

    async def close(self) -> None:
        if self.health is not None:
            await self.health.stop()
        await super().close()
        self.answers.close()

    async def remember(self, write: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
        """A store call (in a thread) whose failure must not stop the reply: the store has logged it; None."""
        try:
            return await asyncio.to_thread(write, *args, **kwargs)
        except StateUnavailable:
            return None

    # -- per-server settings -------------------------------------------------------------------


    # -- one leader among the processes ---------------------------------------------------------

    async def leads(self, job: str) -> bool:
        """Whether this process runs the scheduled ``job`` now: only the leader among the processes on
        the state database does (with SQLite, this one always). Asked before every run."""
        try:
            leading = await asyncio.to_thread(self.store.shared.is_leader)
        except StateUnavailable:
            leading = False
        if leading != self.leading:
            log.info("event=leader leading=%s job=%s", "yes" if leading else "no", job)
        self.leading = leading
        if not leading:
            log.info("event=%s outcome=skipped reason=not_leader", job)
        return leading

    # -- moderator roles: names become ids once per server -----------------------------------


    async def on_guild_available(self, guild: discord.Guild) -> None:
        await self.servers.available(guild)

    async def on_guild_join(self, guild: discord.Guild) -> None:
        await self.on_guild_available(guild)

    def moderator_channels(self) -> set[int]:
        """Every channel that takes moderator digests: the config's and each server's own."""
        channels = {self.settings.discord.moderator_channel} if self.settings.discord.moderator_channel else set()
        for guild in self.guilds:
            channel = self.servers.config(guild.id).moderator_channel
            if channel:
                channels.add(channel)
        return channels

    async def notify_moderators(self, **message: Any) -> None:
        """Post to the moderator channels (never pinging anyone)."""
        for channel_id in self.moderator_channels():
            channel = self.get_channel(channel_id)
            if isinstance(channel, discord.abc.Messageable):
                try:
                    await channel.send(allowed_mentions=NO_PINGS, **message)
                except discord.HTTPException:
                    log.exception("event=notify outcome=failed channel=%s", channel_id)

    async def on_message(self, message: discord.Message) -> None:
        # Questions are handled by the ask extension's listener; there are no prefix commands.
        return

    async def on_error(self, event_method: str, /, *args: Any, **kwargs: Any) -> None:
        self.errors.on_event_error(event_method)

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
        log.info("slash commands synced (%s)", f"guild {self.settings.discord.sync_guild}" if self.settings.discord.sync_guild else "global")
        return True


def point_discord_at(settings: Settings) -> None:
    """Send discord.py's REST calls and gateway connection to the configured servers."""
    discord.http.Route.BASE = settings.discord.api_base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.discord.gateway_url)


def create_bot(
    settings: Settings, desk: Desk, store: Store | None = None, *, identify_gate: IdentifyGate | None = None, **options: Any
) -> NewsdeskBot:
    """Build the bot (not yet connected). ``desk`` must be opened; ``store`` defaults to the state folder's database.
    With ``discord.shard_count`` set it is sharded, its IDENTIFYs spaced by ``identify_gate`` (default: this
    process's own)."""
    point_discord_at(settings)
    configure_discord_logging()
    store = store or Store(settings.store_location)
    if settings.discord.shard_count is None:
        return NewsdeskBot(settings, desk, store, **options)
    from .shards import ShardedNewsdeskBot  # it subclasses NewsdeskBot, so it is imported once that exists

    gate = identify_gate or LocalIdentifyGate(settings.discord.identify_window_seconds)
    return ShardedNewsdeskBot(settings, desk, store, identify_gate=gate, **options)
