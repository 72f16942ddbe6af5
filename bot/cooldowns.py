"""How many questions a person may ask: discord.py's cooldowns, with the limit each server sets.

``/ask`` and questions in channels draw on one bucket per person per server, so switching from
one to the other does not double the allowance. The buckets live in one
:class:`~discord.ext.commands.DynamicCooldownMapping`: questions in channels update it here,
and ``/ask``'s :func:`~discord.app_commands.checks.dynamic_cooldown` (bot/checks.py) is handed
the same bucket by its factory. The server's rule (``cooldown_questions`` per
``cooldown_seconds``, see bot/server_settings.py) is part of the key: a rule changed with
``/settings`` applies from the next question, with a fresh allowance. A server that sets 0
seconds has no cooldown.

Over the limit, both raise discord.py's ``CommandOnCooldown``; bot/errors.py words it (and
sends a channel at most one notice per window).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import NamedTuple

from discord import app_commands
from discord.ext import commands

from .server_settings import GuildConfig


class Asker(NamedTuple):
    """One person in one server under one rule: the key of their bucket."""

    guild_id: int | None
    user_id: int
    questions: int
    seconds: float


def _bucket(asker: Asker) -> app_commands.Cooldown | None:
    return app_commands.Cooldown(asker.questions, asker.seconds) if asker.seconds > 0 else None


class QuestionCooldown:
    def __init__(self, config: Callable[[int | None], GuildConfig]) -> None:
        self._config = config
        self._buckets: commands.DynamicCooldownMapping[Asker] = commands.DynamicCooldownMapping(_bucket, lambda asker: asker)

    def asker(self, guild_id: int | None, user_id: int) -> Asker:
        config = self._config(guild_id)
        return Asker(guild_id, user_id, config.cooldown_questions, config.cooldown_seconds)

    def bucket(self, asker: Asker) -> app_commands.Cooldown | None:
        """The person's bucket (None: no cooldown here) — what ``/ask``'s dynamic cooldown updates."""
        return self._buckets.get_bucket(asker)

    def take(self, guild_id: int | None, user_id: int, at: datetime) -> None:
        """Count a question asked in a channel at ``at``; raises ``CommandOnCooldown`` over the limit."""
        now = at.timestamp()
        bucket = self._buckets.get_bucket(self.asker(guild_id, user_id), now)
        if bucket is None:
            return
        retry_after = bucket.update_rate_limit(now)
        if retry_after:
            raise app_commands.CommandOnCooldown(bucket, retry_after)
