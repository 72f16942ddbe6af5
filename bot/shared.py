"""What several bot processes share besides the tables: one leader, named locks, notifications.

:class:`Shared` is the interface; :class:`OneProcess` is its single-process form (an SQLite
store: this process always leads, locks are this process's own, a notification reaches this
process's listeners), and :class:`bot.postgres.AcrossProcesses` the form every process on one
PostgreSQL server shares (advisory locks, LISTEN/NOTIFY). Everything here blocks: call it
through ``asyncio.to_thread`` from the event loop.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable
from types import TracebackType
from typing import Protocol

from index.errors import NewsdeskError

log = logging.getLogger("newsdesk.shared")

#: Called with a notification's payload, or with None when notifications may have been missed
#: (the listener lost its connection and is listening again): then assume everything changed.
Listener = Callable[[str | None], None]


class LockTimeout(NewsdeskError):
    """A named lock stayed held by someone else for longer than the caller would wait."""

    def __init__(self, name: str, timeout: float) -> None:
        super().__init__(f"{name} is busy in another process (waited {timeout:g} s); try again in a moment.")
        self.name = name


def lock_key(name: str) -> int:
    """The 64-bit advisory-lock key for a lock name (stable across processes and versions)."""
    digest = hashlib.blake2b(f"newsdesk:{name}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


class HeldLock:
    """A named lock held until :meth:`release` (or the end of a ``with`` block); releasing twice is harmless."""

    def __init__(self, name: str, release: Callable[[], None]) -> None:
        self.name = name
        self._release: Callable[[], None] | None = release

    def release(self) -> None:
        release, self._release = self._release, None
        if release is not None:
            release()

    def __enter__(self) -> HeldLock:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        self.release()


class Shared(Protocol):
    """Coordination between the bot's processes."""

    def is_leader(self) -> bool:
        """Whether this process is the one that runs scheduled refreshes and feed polls (becoming it
        when no live process is); ask before each run, since leadership ends with a lost connection."""
        ...

    def acquire(self, name: str, timeout: float | None = None) -> HeldLock:
        """Hold the lock ``name`` against every process, waiting up to ``timeout`` seconds (None:
        as long as it takes); raises :class:`LockTimeout`."""
        ...

    def try_acquire(self, name: str) -> HeldLock | None:
        """The lock ``name`` if it is free now, else None."""
        ...

    def notify(self, channel: str, payload: str = "") -> None:
        """Tell every listener on ``channel``, in every process (this one included)."""
        ...

    def listen(self, channel: str, listener: Listener) -> None:
        """Call ``listener`` for each notification on ``channel`` from now on. It is called from
        whichever thread delivers the notification (the listening thread on PostgreSQL, the
        notifier's in one process): hand work to the event loop with ``loop.call_soon_threadsafe``."""
        ...

    def close(self) -> None:
        """Stop listening and give up leadership."""
        ...


class OneProcess:
    """:class:`Shared` for a bot that is the only process (an SQLite store)."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}
        self._listeners: dict[str, list[Listener]] = {}

    def is_leader(self) -> bool:
        return True

    def _lock(self, name: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(name, threading.Lock())

    def acquire(self, name: str, timeout: float | None = None) -> HeldLock:
        lock = self._lock(name)
        if not lock.acquire(timeout=-1 if timeout is None else max(timeout, 0)):
            raise LockTimeout(name, timeout or 0)
        return HeldLock(name, lock.release)

    def try_acquire(self, name: str) -> HeldLock | None:
        lock = self._lock(name)
        return HeldLock(name, lock.release) if lock.acquire(blocking=False) else None

    def notify(self, channel: str, payload: str = "") -> None:
        with self._guard:
            listeners = list(self._listeners.get(channel, ()))
        for listener in listeners:
            call_listener(listener, channel, payload)

    def listen(self, channel: str, listener: Listener) -> None:
        with self._guard:
            self._listeners.setdefault(channel, []).append(listener)

    def close(self) -> None:
        with self._guard:
            self._listeners.clear()


def call_listener(listener: Listener, channel: str, payload: str | None) -> None:
    """One listener's call; its failure is logged and never stops the others."""
    try:
        listener(payload)
    except Exception:
        log.exception("event=notify outcome=listener_failed channel=%s", channel)
