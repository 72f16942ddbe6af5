"""Locks: one writer at a time per index, across threads and processes; readers never wait for it.

One writer at a time per index: a lock in the process and an exclusive ``flock`` on
``index-<hash>.lock`` beside the index folder (the kernel drops it when a process dies, so a
kill never leaves it held). Reading takes no lock. Folders left by a killed build are removed
once no one is writing.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from .errors import IndexBusy, IndexFailed

log = logging.getLogger("newsdesk.index")

_locks: dict[Path, threading.Lock] = {}
_locks_guard = threading.Lock()
#: How long a process that has to write (an update, a first build, a repair) waits for another
#: process's write to finish before saying the index is busy.
UPDATE_WAIT = 30.0
#: Seconds between two tries for a lock another process holds.
POLL = 0.05
_BUSY = "Another newsdesk process is updating this index; try again in a moment."


def _lock_for(directory: Path) -> threading.Lock:
    """The in-process lock for one index directory (the lock file covers other processes)."""
    with _locks_guard:
        return _locks.setdefault(directory, threading.Lock())


@contextlib.contextmanager
def exclusive(directory: Path, wait: float) -> Iterator[None]:
    lock = _lock_for(directory)
    acquired = lock.acquire(timeout=wait) if wait > 0 else lock.acquire(blocking=False)
    if not acquired:
        raise IndexBusy("A refresh is already running; the current index keeps answering meanwhile.")
    try:
        yield
    finally:
        lock.release()


def updating(directory: Path) -> bool:
    """Whether this process is updating the index in ``directory`` right now."""
    return _lock_for(directory).locked()


def _lock_path(directory: Path) -> Path:
    """The writer lock file: beside the index folder, not in it, since a rebuild replaces the folder."""
    return directory.with_name(f"{directory.name}.lock")


@contextlib.contextmanager
def writing(directory: Path, wait: float) -> Iterator[None]:
    """Hold the right to write the index in ``directory``: this process's lock for it, then an
    exclusive ``flock`` on its lock file (released by the kernel if the process dies, so a kill
    never leaves it held). Waits up to ``wait`` seconds, then raises IndexBusy."""
    deadline = time.monotonic() + wait
    with exclusive(directory, wait):
        try:
            directory.parent.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(_lock_path(directory), os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise IndexFailed(f"The index cannot be locked for writing ({exc.strerror or exc}: {exc.filename}).") from None
        try:
            _lock_file(descriptor, deadline)
            _clear_leftovers(directory)
            yield
        finally:
            os.close(descriptor)  # releases the flock


def _lock_file(descriptor: int, deadline: float) -> None:
    while True:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise IndexBusy(_BUSY) from None
            time.sleep(POLL)
        except OSError as exc:  # a file system without locks
            raise IndexFailed(f"The index cannot be locked for writing ({exc.strerror or exc}).") from None


def _leftovers(directory: Path) -> list[Path]:
    """Folders a killed build or rebuild left beside the index (``.building-PID``, ``.old-PID``)
    whose process is gone. One listing of the state folder: cheap enough for every open."""
    prefix = f"{directory.name}."
    found: list[Path] = []
    try:
        with os.scandir(directory.parent) as entries:
            for entry in entries:
                if not entry.name.startswith(prefix):
                    continue
                kind, _, pid = entry.name[len(prefix) :].partition("-")
                if kind in ("building", "old") and pid.isdigit() and not _alive(int(pid)):
                    found.append(Path(entry.path))
    except OSError:
        return []
    return found


def _alive(pid: int) -> bool:
    """Whether another process with this id runs (ours counts as gone: we hold the lock by then)."""
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # it exists, under another user
    return True


def _clear_leftovers(directory: Path) -> None:
    """Remove what killed builds left behind; only called with the writer lock held, so none of
    them can belong to a build still running (a PID reused since is kept to be safe)."""
    for path in _leftovers(directory):
        log.info("removing %s, left behind by a build that did not finish", path)
        shutil.rmtree(path, ignore_errors=True)


def tidy(directory: Path) -> None:
    """On open: clear leftovers if there are any and no one is writing (never waits)."""
    if _leftovers(directory):
        with contextlib.suppress(IndexBusy, IndexFailed), writing(directory, 0):
            pass
