"""Identify gates: what spaces a bot's IDENTIFYs so Discord's session start limit is never exceeded.

Discord lets a bot start one session per bucket (``shard_id % max_concurrency``) per 5 seconds,
counted over every process of the bot; an IDENTIFY that comes sooner is invalidated and has to be
retried. A gate hands out turns per bucket. :class:`LocalIdentifyGate` does it for the shards of one
process; :class:`SharedIdentifyGate` for every process on one state database.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from .shared import Shared

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


class SharedIdentifyGate:
    """A gate for every process sharing one :class:`bot.shared.Shared` (on PostgreSQL, one
    advisory lock per bucket, ``identify:<bucket>``).

    A turn is the bucket's lock, and its holder keeps it for the spacing after taking the turn: the
    next process (or shard) gets the lock, and its turn, only once the window since the last
    IDENTIFY in the bucket has passed. The time of the last turn is thus kept by the lock itself,
    with no clock shared between machines. A process that dies holding the lock frees it at once
    (the server ends its session), which can only shorten the wait after a session that never
    started.
    """

    def __init__(self, shared: Shared, window: float) -> None:
        self.shared = shared
        self.spacing = window + ARRIVAL_MARGIN_SECONDS
        self._held: set[asyncio.Task[None]] = set()

    async def wait_turn(self, bucket: int) -> None:
        held = await asyncio.to_thread(self.shared.acquire, f"identify:{bucket}")

        async def keep() -> None:
            try:
                await asyncio.sleep(self.spacing)
            finally:
                await asyncio.to_thread(held.release)

        task = asyncio.create_task(keep())
        self._held.add(task)
        task.add_done_callback(self._held.discard)
