"""Each server's settings as this process holds them: read off the event loop, cached, read again on notification.

The config file gives the defaults, ``/settings`` stores a server's overrides, and
:func:`bot.server_settings.effective` merges the two. Moderator roles named in the config become
this server's role ids the first time the server is seen (a role created or renamed later never
matches a name); role names an older version's ``/settings`` stored are turned into ids the same
way. With several processes on one PostgreSQL database, a change made in one is announced
(``NOTIFY``) and every other process reads that server's settings again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import discord

from .roles import Resolved, RoleRefs, resolve
from .server_settings import GuildConfig, effective
from .settings import Settings
from .store import StateUnavailable, Store

log = logging.getLogger("newsdesk.bot")
T = TypeVar("T")

#: Notified with a server id after its /settings changed, so every process reads them again.
SETTINGS_CHANNEL = "newsdesk_settings"

#: A store call run in a thread whose failure is logged and returns None (the bot's ``remember``).
Remember = Callable[..., Awaitable[Any]]


class GuildConfigs:
    """The effective settings of every server this process serves."""

    def __init__(self, settings: Settings, store: Store, remember: Remember, get_guild: Callable[[int], discord.Guild | None]) -> None:
        self.settings, self.store = settings, store
        self._remember, self._get_guild = remember, get_guild
        self._configs: dict[int, GuildConfig] = {}
        #: Each server's stored overrides, read off the event loop (see load).
        self._overrides: dict[int, dict[str, Any]] = {}
        self._config_roles = RoleRefs.parse(settings.discord.moderator_roles)
        # The config's role names as ids, per server: resolved once, the first time the server is seen.
        self._named_roles: dict[int, frozenset[int]] = {}

    async def listen(self) -> None:
        """Read a server's settings again whenever another process announces a change (every server's
        after the notifications were interrupted)."""
        loop = asyncio.get_running_loop()

        def changed_elsewhere(payload: str | None) -> None:  # on the listening thread
            for guild_id in [int(payload)] if payload else list(self._overrides):
                asyncio.run_coroutine_threadsafe(self.load(guild_id), loop)

        await self._remember(self.store.shared.listen, SETTINGS_CHANNEL, changed_elsewhere)

    async def available(self, guild: discord.Guild) -> None:
        """A server became available (or the bot joined it): its settings read, its role names resolved."""
        await self.load(guild.id)
        self.resolve_role_names(guild)
        await self.migrate_stored_role_names(guild)

    async def load(self, guild_id: int) -> None:
        """Read a server's stored settings (in a thread) into this process's cache; when the store
        cannot be read, the server's settings are read again on next use."""
        try:
            overrides = await asyncio.to_thread(self.store.guild_settings, guild_id)
        except StateUnavailable:
            self._overrides.pop(guild_id, None)
        else:
            self._overrides[guild_id] = overrides
        self._configs.pop(guild_id, None)

    async def changed(self, guild_id: int) -> None:
        """After /settings stored a change: this process reads it now, every other one on the
        notification (NOTIFY on PostgreSQL)."""
        await self.load(guild_id)
        await self._remember(self.store.shared.notify, SETTINGS_CHANNEL, str(guild_id))

    def config(self, guild_id: int | None) -> GuildConfig:
        cached = self._configs.get(guild_id or 0)
        if cached is not None:
            return cached
        overrides: dict[str, Any] | None = self._overrides.get(guild_id) if guild_id else {}
        lasting = True
        if overrides is None:
            # Only for a server not seen yet (its settings are loaded when it becomes available),
            # or after the store could not be read: then once, on the event loop.
            try:
                overrides = self.store.guild_settings(guild_id) if guild_id else {}
                if guild_id:
                    self._overrides[guild_id] = overrides
            except StateUnavailable:  # the config file's defaults, not kept: the state may be readable again soon
                overrides, lasting = {}, False
        guild = self._get_guild(guild_id) if guild_id else None
        if guild is not None:
            self.resolve_role_names(guild)
        role_ids = self._config_roles.ids | self._named_roles.get(guild_id or 0, frozenset())
        config = effective(self.settings.discord, overrides, role_ids=role_ids)
        if lasting:
            self._configs[guild_id or 0] = config
        return config

    def forget(self, guild_id: int) -> None:
        self._configs.pop(guild_id, None)

    def resolve_role_names(self, guild: discord.Guild) -> None:
        """Turn the config's role names into this server's role ids, the first time only: a role
        created or renamed afterwards never matches a name."""
        if guild.id in self._named_roles:
            return
        found = resolve(self._config_roles.names, guild.roles)
        self._named_roles[guild.id] = frozenset(r.role_id for r in found if r.role_id is not None)
        _log_resolved(guild.id, found, origin="config")
        self.forget(guild.id)

    async def migrate_stored_role_names(self, guild: discord.Guild) -> None:
        """Role names that an older version's /settings stored become ids the same way (or are dropped);
        until then they grant nothing."""
        legacy = await self._remember(self.store.legacy_moderator_roles)
        stored = legacy.get(guild.id) if legacy else None
        if stored is None:
            return
        refs = RoleRefs.parse(stored)
        found = resolve(refs.names, guild.roles)
        _log_resolved(guild.id, found, origin="stored setting")
        ids = sorted(refs.ids | {r.role_id for r in found if r.role_id is not None})
        await self._remember(self.store.replace_legacy_moderator_roles, guild.id, ids)
        await self.load(guild.id)


def _log_resolved(guild_id: int, found: list[Resolved], *, origin: str) -> None:
    suffix = "" if origin == "config" else f" from={origin}"
    for item in found:
        if item.role_id is not None:
            log.info("event=moderator_roles guild=%s resolved name=%r id=%s%s", guild_id, item.name, item.role_id, suffix)
        else:
            log.warning(
                "event=moderator_roles guild=%s unresolved name=%r reason=%s%s grants=nothing"
                " (configure the role by id, or with /settings moderator-role)",
                guild_id, item.name, item.reason, suffix,
            )
