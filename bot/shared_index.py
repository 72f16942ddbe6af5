"""One index served by several bot processes: refreshes take turns under a named lock, and a commit is announced to every process.

The writer lock is the named lock ``index-writer`` of :mod:`bot.shared` (an advisory lock on
PostgreSQL, so it holds across machines; in one process a plain lock). After a refresh or an
open changed the index, the process NOTIFYs ``newsdesk_index``; every other process then
reloads its desk (:meth:`index.desk.Desk.reload`): the manifest, which holds the article table,
read again from the shared state folder, and the engine reopened, so a reader answers from the
new article as soon as the writer has committed. Reloading runs in a thread of its own, never on
the event loop or the listening thread; notifications that come while one runs are folded into
one more reload.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from contextlib import AbstractContextManager

from index.desk import Desk
from index.errors import IndexBusy, NewsdeskError

from .shared import LockTimeout, Shared
from .store import StateUnavailable

log = logging.getLogger("newsdesk.index")

CHANNEL = "newsdesk_index"
LOCK = "index-writer"


class SharedIndex:
    """:class:`index.desk.Publication` through :class:`bot.shared.Shared`."""

    def __init__(self, shared: Shared) -> None:
        self.shared = shared
        #: Who sent a notification: a desk does not reload for its own commits.
        self.origin = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._desk: Desk | None = None
        self._pending = threading.Event()
        self._reloading = threading.Lock()

    def writing(self, wait: float) -> AbstractContextManager[object]:
        try:
            return self.shared.acquire(LOCK, timeout=wait)
        except LockTimeout:
            raise IndexBusy("Another newsdesk process is updating the index; try again in a moment.") from None

    def committed(self) -> None:
        try:
            self.shared.notify(CHANNEL, self.origin)
        except StateUnavailable:  # the others catch up on their next reload (or restart)
            log.warning("event=index_publish outcome=unavailable")

    def follow(self, desk: Desk) -> None:
        """Reload ``desk`` whenever another process commits (call once, after ``desk.open()``)."""
        self._desk = desk
        self.shared.listen(CHANNEL, self._heard)

    def _heard(self, payload: str | None) -> None:
        if payload == self.origin:
            return
        self._pending.set()
        if self._reloading.acquire(blocking=False):
            threading.Thread(target=self._reload, name="newsdesk-reload", daemon=True).start()

    def _reload(self) -> None:
        try:
            while self._pending.is_set():
                self._pending.clear()
                assert self._desk is not None
                try:
                    self._desk.reload()
                except NewsdeskError as exc:  # the old snapshot keeps answering
                    log.warning("event=index_reload outcome=failed error=%r", exc.message)
        finally:
            self._reloading.release()
        if self._pending.is_set() and self._reloading.acquire(blocking=False):  # came just as this one ended
            threading.Thread(target=self._reload, name="newsdesk-reload", daemon=True).start()
