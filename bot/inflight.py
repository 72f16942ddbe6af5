"""Work in flight: each request's task counted from admission to its end, so that shutting down can wait for it.

A request is admitted once, where it enters the bot — the command tree's interaction check for
every slash command, the answer buttons' callback, the ask listener for questions in channels
— and is counted until its task ends, however it ends (its error reply included). Once the bot
is stopping, admission raises :class:`~bot.errors.ShuttingDown`, which the error handler words.
"""

from __future__ import annotations

import asyncio

from .errors import ShuttingDown


class InFlight:
    def __init__(self) -> None:
        self.accepting = True  # false once shutting down: no new work is started
        self._tasks: set[asyncio.Task[object]] = set()

    def admit(self) -> None:
        """Count the running task until it ends; raises ShuttingDown once the bot is stopping."""
        if not self.accepting:
            raise ShuttingDown()
        task = asyncio.current_task()
        if task is not None and task not in self._tasks:
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    def __len__(self) -> int:
        return len(self._tasks)

    async def drain(self, timeout: float) -> bool:
        """Stop admitting, and wait up to ``timeout`` for what is in flight; False if some is still running."""
        self.accepting = False
        if not self._tasks:
            return True
        _, pending = await asyncio.wait(set(self._tasks), timeout=timeout)
        return not pending
