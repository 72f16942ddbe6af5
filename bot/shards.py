"""The bot holding several of Discord's shards in one process (``discord.shard_ids`` of ``discord.shard_count``)."""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord.ext import commands

from index.desk import Desk

from .client import NewsdeskBot
from .identify import IdentifyGate
from .settings import Settings
from .store import Store

log = logging.getLogger("newsdesk.bot")


class ShardedNewsdeskBot(NewsdeskBot, commands.AutoShardedBot):
    """NewsdeskBot on discord.py's AutoShardedClient: Discord sends each shard the servers with
    ``(guild_id >> 22) % shard_count == shard_id`` (direct messages to shard 0 only). Its IDENTIFYs wait
    for a turn at ``identify_gate``, which other processes of the bot may share."""

    def __init__(self, settings: Settings, desk: Desk, store: Store, *, identify_gate: IdentifyGate, **options: Any) -> None:
        super().__init__(
            settings, desk, store, shard_ids=settings.discord.shard_ids, shard_count=settings.discord.shard_count, **options
        )
        self.identify_gate = identify_gate
        self.max_concurrency = 1  # until GET /gateway/bot says otherwise: one bucket is never too fast

    async def launch_shards(self) -> None:
        try:
            limits = await self.fetch_session_start_limits()
        except discord.GatewayNotFound:
            log.warning("event=shards session_start_limit=unknown max_concurrency=1")
        else:
            self.max_concurrency = max(1, limits.max_concurrency)
            log.info("event=shards session_starts_remaining=%d of=%d", limits.remaining, limits.total)
        shard_ids = self.shard_ids or list(range(self.shard_count or 1))
        log.info("event=shards ids=%s count=%s max_concurrency=%d", shard_ids, self.shard_count, self.max_concurrency)
        await super().launch_shards()

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        # Replaces discord.py's fixed 5 s sleep before every IDENTIFY but a process's first: the limit is
        # per bucket and counts every process, and the first IDENTIFY of a process is no exception.
        bucket = (shard_id or 0) % self.max_concurrency
        await self.identify_gate.wait_turn(bucket)
        log.info("event=identify shard=%s bucket=%d", shard_id, bucket)

    async def on_shard_ready(self, shard_id: int) -> None:
        guilds = sum(1 for guild in self.guilds if guild.shard_id == shard_id)
        log.info("event=shard_ready shard=%d guilds=%d", shard_id, guilds)
