"""Where questions are answered: a thread pool of their own, one question per person at a time, a time budget each.

Answering is CPU work in threads. On the event loop's shared default pool a handful of slow
questions took every thread, and then ordinary questions, buttons and database writes all
queued behind them. Here:

* questions get their own pool (``answers.workers``), so whatever they cost, the default pool
  stays free for rendering, SQLite and autocomplete;
* each person has at most one question in a worker; their next waits on the loop (holding no
  thread), so one person — or one slow question and its retries — takes at most one thread;
* a question has ``answers.time_budget_seconds`` from arrival to answer, then the asker is told
  it is taking too long. A thread cannot be stopped, so the slot stays taken until the work
  really ends: a person whose question hangs cannot pile up more behind it.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Hashable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from .errors import TooSlow

T = TypeVar("T")


class AnswerPool:
    def __init__(self, workers: int, budget: float) -> None:
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="newsdesk-answer")
        self.budget = budget
        self._running: dict[Hashable, asyncio.Future[Any]] = {}

    async def run(self, who: Hashable, work: Callable[..., T], *args: Any) -> T:
        """``work(*args)`` in the pool once ``who`` has nothing else running; raises TooSlow past the budget."""
        try:
            async with asyncio.timeout(self.budget):
                while (ahead := self._running.get(who)) is not None:
                    await asyncio.wait({ahead})
                future = asyncio.get_running_loop().run_in_executor(self._executor, functools.partial(work, *args))
                self._running[who] = future
                future.add_done_callback(functools.partial(self._finished, who))
                return await asyncio.shield(future)
        except TimeoutError:
            raise TooSlow() from None

    def _finished(self, who: Hashable, future: asyncio.Future[Any]) -> None:
        if self._running.get(who) is future:
            del self._running[who]
        if not future.cancelled():
            future.exception()  # retrieved: an answer nobody waited for any more is not an "unhandled" error

    @property
    def busy(self) -> int:
        return len(self._running)

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
