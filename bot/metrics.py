"""What the operator watches, counted here and nowhere else: questions and how they went, latency, refreshes, errors, the gateway.

Callers say what happened (``answered``, ``refreshed``, ``unexpected_error``); only this module
knows the Prometheus names and labels. The metrics live in a registry of their own per bot, so
several bots in one process (the tests) do not collide; ``/metrics`` (bot/health.py) renders it.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

if TYPE_CHECKING:
    from .client import NewsdeskBot

QUESTION_OUTCOMES = ("found", "not_found", "error")


class Metrics:
    def __init__(self, bot: NewsdeskBot) -> None:
        self.registry = CollectorRegistry()
        self._questions = Counter(
            "newsdesk_questions", "Questions answered, by outcome", ["outcome"], registry=self.registry
        )
        self._latency = Histogram(
            "newsdesk_answer_latency_seconds",
            "Time from question to answer (search, attribution, quote)",
            buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
            registry=self.registry,
        )
        self._refreshes = Counter("newsdesk_refreshes", "Index refreshes, by outcome", ["outcome"], registry=self.registry)
        self._errors = Counter(
            "newsdesk_errors", "Unexpected errors (reported to the user, where there was one)", registry=self.registry
        )
        found_rate = Gauge("newsdesk_found_ratio", "Share of questions the coverage answered", registry=self.registry)
        found_rate.set_function(self._found_ratio)
        gateway = Gauge("newsdesk_gateway_latency_seconds", "Discord gateway heartbeat latency", registry=self.registry)
        gateway.set_function(lambda: bot.latency if bot.latency == bot.latency else -1.0)  # NaN before the first beat
        passages = Gauge("newsdesk_index_passages", "Passages in the index", registry=self.registry)
        passages.set_function(lambda: bot.desk.coverage.passage_count)
        age = Gauge("newsdesk_index_age_seconds", "Seconds since the index last changed", registry=self.registry)
        age.set_function(lambda: index_age(bot))
        for outcome in QUESTION_OUTCOMES:
            self._questions.labels(outcome)
        for outcome in ("ok", "failed"):
            self._refreshes.labels(outcome)

    # -- what happened -----------------------------------------------------------------------

    def answered(self, *, found: bool, seconds: float) -> None:
        """A question answered (or found unanswerable) in ``seconds``."""
        self._questions.labels("found" if found else "not_found").inc()
        self._latency.observe(seconds)

    def question_failed(self) -> None:
        """A question that got no answer: over its time budget, or an error."""
        self._questions.labels("error").inc()

    def refreshed(self, *, ok: bool) -> None:
        self._refreshes.labels("ok" if ok else "failed").inc()

    def unexpected_error(self) -> None:
        """An error that is not a user-facing one (counted by the error handler, bot/errors.py)."""
        self._errors.inc()

    # -- reading -----------------------------------------------------------------------------

    def _found_ratio(self) -> float:
        found = self._questions.labels("found")._value.get()  # noqa: SLF001 - prometheus_client has no public read
        total = sum(self._questions.labels(o)._value.get() for o in QUESTION_OUTCOMES)  # noqa: SLF001
        return found / total if total else 0.0

    def render(self) -> bytes:
        return generate_latest(self.registry)


def index_age(bot: NewsdeskBot) -> float:
    refreshed = datetime.fromisoformat(bot.desk.coverage.refreshed.at)
    return max(0.0, time.time() - refreshed.timestamp())
