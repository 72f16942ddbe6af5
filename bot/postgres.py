"""The state on a PostgreSQL server: a pool of connections for the store, advisory locks and LISTEN/NOTIFY for the processes.

:class:`PostgresServer` runs the store's SQL (written for both databases with ``?``
placeholders) on pooled psycopg connections; writes are SERIALIZABLE, as SQLite's single writer
makes them, and retried when the server reports a conflict. The migrations' version is the
one row of ``newsdesk_schema``, and migrating takes an advisory lock, so processes starting
together never migrate twice. :class:`AcrossProcesses` is :class:`bot.shared.Shared` for every
process using one server.
"""

from __future__ import annotations

import contextlib
import logging
import os
import select
import threading
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

import psycopg
from psycopg import errors, sql
from psycopg.conninfo import conninfo_to_dict
from psycopg.types.numeric import Int8BinaryDumper, Int8Dumper
from psycopg_pool import ConnectionPool

from .shared import HeldLock, Listener, LockTimeout, call_listener, lock_key
from .store import MIGRATIONS, Db, Rows, StateUnavailable, StoreError, migration

log = logging.getLogger("newsdesk.store")
T = TypeVar("T")

#: Seconds to wait for a connection: opening one, or a free one from the pool.
CONNECT_TIMEOUT = 5
POOL_SIZE = 8
#: A write the server aborted as conflicting with another process's is tried this many times in all.
WRITE_ATTEMPTS = 3
#: The longest wait before reconnecting a listener that lost its connection.
RECONNECT_MAX = 5.0
MIGRATE_LOCK = lock_key("migrate")
LEADER_LOCK = lock_key("leader")


def describe(url: str) -> str:
    """The server as logs and messages show it: user, host, port and database, never the password."""
    try:
        parts = conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "postgresql://(an invalid URL)"
    user = f"{parts['user']}@" if parts.get("user") else ""
    port = f":{parts['port']}" if parts.get("port") else ""
    return f"postgresql://{user}{parts.get('host', '')}{port}/{parts.get('dbname', '')}"


def _first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


def connect(url: str, *, autocommit: bool = False) -> psycopg.Connection[Any]:
    """One connection to the server (libpq reads a password from the URL, PGPASSWORD or ~/.pgpass)."""
    conn = psycopg.connect(url, autocommit=autocommit, connect_timeout=CONNECT_TIMEOUT, application_name="newsdesk")
    _integers_for_booleans(conn)
    return conn


def _integers_for_booleans(conn: psycopg.Connection[Any]) -> None:
    """Booleans go into the integer columns as 0 and 1, as SQLite stores them."""
    for dumper in (Int8Dumper, Int8BinaryDumper):
        conn.adapters.register_dumper(bool, dumper)


class _Translated:
    """A psycopg connection taking the store's SQL: ``?`` placeholders become ``%s``."""

    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self._conn = conn

    def execute(self, query: str, parameters: Sequence[Any] = (), /) -> Rows:
        return self._conn.execute(query.replace("?", "%s"), parameters)

    def executemany(self, query: str, parameters: Iterable[Sequence[Any]], /) -> object:
        with self._conn.cursor() as cursor:
            cursor.executemany(query.replace("?", "%s"), parameters)
        return None


def _migrate(conn: psycopg.Connection[Any]) -> None:
    """Bring the tables up to the last migration, in one transaction."""
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATE_LOCK,))
        conn.execute("CREATE TABLE IF NOT EXISTS newsdesk_schema (version INTEGER NOT NULL)")
        row = conn.execute("SELECT version FROM newsdesk_schema").fetchone()
        if row is None:
            conn.execute("INSERT INTO newsdesk_schema (version) VALUES (0)")
        version = row[0] if row else 0
        for number in range(version, len(MIGRATIONS)):
            conn.execute(migration(number, "postgresql"))  # no parameters, so several statements may run
        if version < len(MIGRATIONS):
            conn.execute("UPDATE newsdesk_schema SET version = %s", (len(MIGRATIONS),))
            log.info("event=store outcome=migrated from=%d to=%d", version, len(MIGRATIONS))


class PostgresServer:
    """The store's backend on a PostgreSQL server."""

    def __init__(self, url: str) -> None:
        self.where = describe(url)
        try:
            with connect(url) as conn:
                _migrate(conn)
        except psycopg.Error as exc:
            raise StoreError(f"the state database {self.where} cannot be opened: {_first_line(exc)}") from None
        self._pool: ConnectionPool[psycopg.Connection[Any]] = ConnectionPool(
            url,
            min_size=1,
            max_size=POOL_SIZE,
            timeout=CONNECT_TIMEOUT,
            # A connection the server dropped while idle is replaced before it is handed out.
            check=ConnectionPool.check_connection,
            connection_class=psycopg.Connection,
            kwargs={"connect_timeout": CONNECT_TIMEOUT, "application_name": "newsdesk"},
            configure=_integers_for_booleans,
            name="newsdesk-store",
            open=False,
        )
        self._pool.open()
        self._shared = AcrossProcesses(url, self._pool)
        log.info("event=store backend=postgresql server=%s", self.where)

    @property
    def shared(self) -> AcrossProcesses:
        return self._shared

    def run(self, work: Callable[[Db], T], write: bool) -> T:
        for attempt in range(1, WRITE_ATTEMPTS + 1):
            try:
                with self._pool.connection() as conn:  # commits at the end, rolls back on an error
                    if write:
                        conn.execute("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE")
                    return work(_Translated(conn))
            except errors.SerializationFailure as exc:
                if attempt < WRITE_ATTEMPTS:
                    continue
                failure: psycopg.Error = exc
            except psycopg.Error as exc:
                failure = exc
            log.warning("event=store outcome=unavailable op=%s error=%r", work.__qualname__, _first_line(failure))
            raise StateUnavailable() from failure
        raise AssertionError("unreachable")

    def close(self) -> None:
        self._shared.close()
        self._pool.close()


class AcrossProcesses:
    """:class:`bot.shared.Shared` on one PostgreSQL server, for every process using it.

    The leader is the process whose held connection has the leader advisory lock; the server
    releases it when that connection ends (the process died or lost the server), and the next
    process to ask becomes leader. A named lock is a session advisory lock on a connection of its
    own, held until released. Notifications are NOTIFY, delivered after the sender's commit; one
    thread per process LISTENs for them.
    """

    def __init__(self, url: str, pool: ConnectionPool[psycopg.Connection[Any]]) -> None:
        self._url = url
        self._pool = pool
        self._leading = threading.Lock()
        self._leader: psycopg.Connection[Any] | None = None
        self._is_leader = False
        self._listening = threading.Lock()
        self._listener: _ListenThread | None = None

    # -- the leader ---------------------------------------------------------------------------

    def is_leader(self) -> bool:
        with self._leading:
            try:
                if self._leader is None or self._leader.closed:
                    self._leader, self._is_leader = connect(self._url, autocommit=True), False
                if self._is_leader:
                    self._leader.execute("SELECT 1")  # alive, so the session still holds the lock
                else:
                    row = self._leader.execute("SELECT pg_try_advisory_lock(%s)", (LEADER_LOCK,)).fetchone()
                    self._is_leader = bool(row and row[0])
                    if self._is_leader:
                        log.info("event=leader outcome=elected pid=%d", os.getpid())
            except psycopg.Error as exc:
                if self._is_leader:
                    log.warning("event=leader outcome=lost error=%r", _first_line(exc))
                self._drop_leader()
            return self._is_leader

    def _drop_leader(self) -> None:
        if self._leader is not None:
            with contextlib.suppress(psycopg.Error):
                self._leader.close()
        self._leader, self._is_leader = None, False

    # -- named locks --------------------------------------------------------------------------

    def acquire(self, name: str, timeout: float | None = None) -> HeldLock:
        conn = self._lock_connection()
        try:
            if timeout is not None:
                # lock_timeout 0 means "no limit", so a zero wait is at least a millisecond.
                conn.execute("SELECT set_config('lock_timeout', %s, false)", (f"{max(1, round(timeout * 1000))}ms",))
            conn.execute("SELECT pg_advisory_lock(%s)", (lock_key(name),))
        except errors.LockNotAvailable:
            conn.close()
            raise LockTimeout(name, timeout or 0) from None
        except psycopg.Error as exc:
            conn.close()
            log.warning("event=lock outcome=unavailable name=%s error=%r", name, _first_line(exc))
            raise StateUnavailable() from exc
        return HeldLock(name, lambda: self._release(conn, name))

    def try_acquire(self, name: str) -> HeldLock | None:
        conn = self._lock_connection()
        try:
            row = conn.execute("SELECT pg_try_advisory_lock(%s)", (lock_key(name),)).fetchone()
        except psycopg.Error as exc:
            conn.close()
            log.warning("event=lock outcome=unavailable name=%s error=%r", name, _first_line(exc))
            raise StateUnavailable() from exc
        if not (row and row[0]):
            conn.close()
            return None
        return HeldLock(name, lambda: self._release(conn, name))

    def _lock_connection(self) -> psycopg.Connection[Any]:
        # A connection of its own: advisory locks are re-entrant within a session, so two holders
        # sharing one would both get the lock.
        try:
            return connect(self._url, autocommit=True)
        except psycopg.Error as exc:
            log.warning("event=lock outcome=unavailable error=%r", _first_line(exc))
            raise StateUnavailable() from exc

    @staticmethod
    def _release(conn: psycopg.Connection[Any], name: str) -> None:
        try:
            conn.execute("SELECT pg_advisory_unlock(%s)", (lock_key(name),))
        except psycopg.Error as exc:  # the session is gone, and the lock with it
            log.warning("event=lock outcome=release_failed name=%s error=%r", name, _first_line(exc))
        finally:
            conn.close()

    # -- notifications ------------------------------------------------------------------------

    def notify(self, channel: str, payload: str = "") -> None:
        try:
            with self._pool.connection() as conn:
                conn.execute("SELECT pg_notify(%s, %s)", (channel, payload))
        except psycopg.Error as exc:
            log.warning("event=notify outcome=unavailable channel=%s error=%r", channel, _first_line(exc))
            raise StateUnavailable() from exc

    def listen(self, channel: str, listener: Listener) -> None:
        """See :meth:`bot.shared.Shared.listen`. Raises :class:`StateUnavailable` (and forgets
        ``listener``) when the server cannot be reached within twice the connect timeout."""
        with self._listening:
            if self._listener is None:
                self._listener = _ListenThread(self._url)
            thread = self._listener
        thread.add(channel, listener)

    def close(self) -> None:
        with self._listening:
            thread, self._listener = self._listener, None
        if thread is not None:
            thread.stop()
        with self._leading:
            self._drop_leader()


class _ListenThread:
    """One connection LISTENing on every channel a process listens to, in a thread of its own.

    The thread waits on the connection's socket and on a pipe of its own, written to when a
    channel is added or the thread is to stop, so neither waits for a poll interval.
    """

    def __init__(self, url: str) -> None:
        self._url = url
        self._changed = threading.Condition()
        self._listeners: dict[str, list[Listener]] = {}
        self._listening: set[str] = set()  # channels LISTENed on the current connection
        self._stopping = False
        self._wake_read, self._wake_write = os.pipe()
        self._thread = threading.Thread(target=self._run, name="newsdesk-listen", daemon=True)
        self._thread.start()

    def add(self, channel: str, listener: Listener) -> None:
        with self._changed:
            self._listeners.setdefault(channel, []).append(listener)
            os.write(self._wake_write, b"+")
            if not self._changed.wait_for(lambda: channel in self._listening, timeout=CONNECT_TIMEOUT * 2):
                self._listeners[channel].remove(listener)
                if not self._listeners[channel]:
                    del self._listeners[channel]
                log.warning("event=listen outcome=unavailable channel=%s", channel)
                raise StateUnavailable()

    def stop(self) -> None:
        with self._changed:
            self._stopping = True
        os.write(self._wake_write, b".")
        self._thread.join(timeout=CONNECT_TIMEOUT * 2)
        os.close(self._wake_read)
        os.close(self._wake_write)

    def _run(self) -> None:
        conn: psycopg.Connection[Any] | None = None
        connected_before = False
        delay = 0.1
        while not self._stopping:
            try:
                if conn is None:
                    conn = connect(self._url, autocommit=True)
                    self._subscribe(conn)
                    if connected_before:  # listening again: what was sent meanwhile is lost
                        log.info("event=listen outcome=reconnected")
                        self._missed_all()
                    connected_before, delay = True, 0.1
                self._subscribe(conn)
                for notice in conn.notifies(timeout=0):  # those that came in with a LISTEN first
                    self._deliver(notice.channel, notice.payload)
                ready, _, _ = select.select([conn.fileno(), self._wake_read], [], [])
                if self._wake_read in ready:
                    os.read(self._wake_read, 4096)
            except (psycopg.Error, OSError) as exc:
                log.warning("event=listen outcome=disconnected error=%r", _first_line(exc))
                if conn is not None:
                    with contextlib.suppress(psycopg.Error):
                        conn.close()
                conn = None
                with self._changed:
                    self._listening.clear()
                # Wait before trying again, unless told to stop.
                if select.select([self._wake_read], [], [], delay)[0]:
                    os.read(self._wake_read, 4096)
                delay = min(delay * 2, RECONNECT_MAX)
        if conn is not None:
            with contextlib.suppress(psycopg.Error):
                conn.close()

    def _subscribe(self, conn: psycopg.Connection[Any]) -> None:
        with self._changed:
            missing = [channel for channel in self._listeners if channel not in self._listening]
        for channel in missing:
            conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))
        if missing:
            with self._changed:
                self._listening.update(missing)
                self._changed.notify_all()

    def _deliver(self, channel: str, payload: str | None) -> None:
        with self._changed:
            listeners = list(self._listeners.get(channel, ()))
        for listener in listeners:
            call_listener(listener, channel, payload)

    def _missed_all(self) -> None:
        with self._changed:
            channels = list(self._listeners)
        for channel in channels:
            self._deliver(channel, None)
