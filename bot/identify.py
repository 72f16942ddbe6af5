"""Identify gates: what spaces a bot's IDENTIFYs so Discord's session start limit is never exceeded.

Discord lets a bot start one session per bucket (``shard_id % max_concurrency``) per 5 seconds,
counted over every process of the bot; an IDENTIFY that comes sooner is invalidated and has to be
retried. A gate hands out turns per bucket. :class:`LocalIdentifyGate` does it for the shards of one
process; a gate shared by several processes (e.g. through a database lock) fits the same protocol.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Protocol

# Between a turn being taken and the IDENTIFY reaching Discord lie a websocket send and the
# network; turns are spaced this much more than the window so that jitter never makes two
# arrivals closer than the window.
ARRIVAL_MARGIN_SECONDS = 0.25


class IdentifyGate(Protocol):
    """Hands out IDENTIFY turns, one per bucket per window, to everything that shares the gate."""

    async def wait_turn(self, bucket: int) -> None:
        """Return when the caller may IDENTIFY in ``bucket``; the turn is taken on return."""
        ...


class LocalIdentifyGate:
    """A gate for one process: per bucket, a lock and the time of the last turn."""

    def __init__(self, window: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.spacing = window + ARRIVAL_MARGIN_SECONDS
        self._clock = clock
        self._locks: dict[int, asyncio.Lock] = {}
        self._last: dict[int, float] = {}

    async def wait_turn(self, bucket: int) -> None:
        async with self._locks.setdefault(bucket, asyncio.Lock()):
            last = self._last.get(bucket)
            if last is not None:
                await asyncio.sleep(max(0.0, last + self.spacing - self._clock()))
            self._last[bucket] = self._clock()
