"""Health and metrics over HTTP (aiohttp): ``/healthz`` for probes, ``/metrics`` in Prometheus text format.

Off by default and bound to 127.0.0.1 unless configured otherwise. The metrics live in a
registry of their own per bot, so several bots in one process (the tests) do not collide.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest

if TYPE_CHECKING:
    from .client import NewsdeskBot


class Metrics:
    """What the operator watches: questions and how they went, latency, refreshes, errors, the gateway."""

    def __init__(self, bot: NewsdeskBot) -> None:
        self.registry = CollectorRegistry()
        self.questions = Counter(
            "newsdesk_questions", "Questions answered, by outcome", ["outcome"], registry=self.registry
        )
        self.latency = Histogram(
            "newsdesk_answer_latency_seconds",
            "Time from question to answer (search, attribution, quote)",
            buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
            registry=self.registry,
        )
        self.refreshes = Counter("newsdesk_refreshes", "Index refreshes, by outcome", ["outcome"], registry=self.registry)
        self.errors = Counter("newsdesk_errors", "Unexpected errors reported to users", registry=self.registry)
        found_rate = Gauge("newsdesk_found_ratio", "Share of questions the coverage answered", registry=self.registry)
        found_rate.set_function(self._found_ratio)
        gateway = Gauge("newsdesk_gateway_latency_seconds", "Discord gateway heartbeat latency", registry=self.registry)
        gateway.set_function(lambda: bot.latency if bot.latency == bot.latency else -1.0)  # NaN before the first beat
        passages = Gauge("newsdesk_index_passages", "Passages in the index", registry=self.registry)
        passages.set_function(lambda: bot.desk.coverage.passage_count)
        age = Gauge("newsdesk_index_age_seconds", "Seconds since the index last changed", registry=self.registry)
        age.set_function(lambda: index_age(bot))
        for outcome in ("found", "not_found", "error"):
            self.questions.labels(outcome)
        for outcome in ("ok", "failed"):
            self.refreshes.labels(outcome)

    def _found_ratio(self) -> float:
        found = self.questions.labels("found")._value.get()  # noqa: SLF001 - prometheus_client has no public read
        total = sum(self.questions.labels(o)._value.get() for o in ("found", "not_found", "error"))  # noqa: SLF001
        return found / total if total else 0.0

    def render(self) -> bytes:
        return generate_latest(self.registry)


def index_age(bot: NewsdeskBot) -> float:
    from datetime import datetime

    refreshed = datetime.fromisoformat(bot.desk.coverage.refreshed.at)
    return max(0.0, time.time() - refreshed.timestamp())


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
            "shutting_down": not bot.accepting,
        }
        return web.json_response(body, status=200 if connected else 503)

    async def _metrics(self, request: web.Request) -> web.Response:
        return web.Response(body=self.bot.metrics.render(), headers={"Content-Type": CONTENT_TYPE_LATEST})
