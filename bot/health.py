"""Health and metrics over HTTP (aiohttp): ``/healthz`` for probes, ``/metrics`` in Prometheus text format.

Off by default and bound to 127.0.0.1 unless configured otherwise. What ``/metrics`` shows is
counted in :mod:`bot.metrics`.
"""

from __future__ import annotations

import asyncio
import os
from typing import TYPE_CHECKING

from aiohttp import web
from discord.ext import commands
from prometheus_client import CONTENT_TYPE_LATEST

from .metrics import index_age

if TYPE_CHECKING:
    from .client import NewsdeskBot


class HealthServer:
    def __init__(self, bot: NewsdeskBot, host: str, port: int) -> None:
        self.bot = bot
        self.host = host
        self.port = port
        self._runner: web.AppRunner | None = None

    async def start(self) -> int:
        app = web.Application()
        app.router.add_get("/healthz", self._health)
        app.router.add_get("/metrics", self._metrics)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        server = site._server  # noqa: SLF001 - the bound port when 0 was asked for
        if isinstance(server, asyncio.Server) and server.sockets:
            self.port = server.sockets[0].getsockname()[1]
        return self.port

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _health(self, request: web.Request) -> web.Response:
        bot = self.bot
        connected = bot.is_ready() and not bot.is_closed()
        coverage = bot.desk.coverage
        body = {
            "status": "ok" if connected else "degraded",
            "gateway": {"connected": connected, "latency_ms": round(bot.latency * 1000, 1) if bot.latency == bot.latency else None},
            "index": {
                "loaded": True,
                "articles": len(coverage.articles),
                "passages": coverage.passage_count,
                "age_seconds": round(index_age(bot)),
                "refreshing": bot.desk.refreshing,
            },
            "shutting_down": not bot.inflight.accepting,
            # Several processes may run the bot: each answers for itself, the shards it holds.
            "process": {
                "pid": os.getpid(),
                "shard_ids": bot.shard_ids if isinstance(bot, commands.AutoShardedBot) else None,
                "shard_count": bot.shard_count,
                "leader": bot.leading,
            },
        }
        return web.json_response(body, status=200 if connected else 503)

    async def _metrics(self, request: web.Request) -> web.Response:
        return web.Response(body=self.bot.metrics.render(), headers={"Content-Type": CONTENT_TYPE_LATEST})
