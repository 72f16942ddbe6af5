"""What bot processes share on one PostgreSQL server — the leader, named locks, notifications — seen from two stores, as two processes see it; and the same interface alone on SQLite."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.shared import HeldLock, LockTimeout, OneProcess, lock_key
from bot.store import StateUnavailable, Store
from tests.postgres import Cluster

WAIT = 10.0  # the longest any test waits for something that should happen at once


def backends(cluster: Cluster, where: str) -> list[int]:
    """The server processes of connections matching ``where`` (SQL over pg_stat_activity)."""
    with cluster.admin() as conn:
        return [int(row[0]) for row in conn.execute(f"SELECT pid FROM pg_stat_activity WHERE application_name = 'newsdesk' AND {where}")]


def terminate(cluster: Cluster, pids: list[int]) -> None:
    assert pids
    with cluster.admin() as conn:
        for pid in pids:
            conn.execute("SELECT pg_terminate_backend(%s, 5000)", (pid,))


def until(check: Callable[[], bool]) -> None:
    """Wait for something another connection makes happen (checked, not slept on)."""
    deadline = time.monotonic() + WAIT
    while not check():
        assert time.monotonic() < deadline, "it never happened"
        time.sleep(0.01)


def waiting_for_lock(cluster: Cluster, name: str) -> bool:
    """Whether some session is blocked on the advisory lock ``name`` (a 64-bit key is two oids in pg_locks)."""
    key = lock_key(name) & 0xFFFFFFFFFFFFFFFF
    with cluster.admin() as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND classid::bigint = %s AND objid::bigint = %s",
            (key >> 32, key & 0xFFFFFFFF),
        ).fetchone()
    return bool(row and row[0])


# -- the leader ---------------------------------------------------------------------------------


def test_one_leader_and_the_next_takes_over_when_it_goes(two: tuple[Store, Store]) -> None:
    first, second = two
    assert first.shared.is_leader()
    assert not second.shared.is_leader()
    assert first.shared.is_leader() and not second.shared.is_leader()  # asking again changes nothing
    first.close()  # the leader's process ends
    assert second.shared.is_leader()


def test_a_leader_that_loses_its_connection_steps_down(two: tuple[Store, Store], postgres_cluster: Cluster) -> None:
    first, second = two
    assert first.shared.is_leader()
    terminate(postgres_cluster, backends(postgres_cluster, "pid IN (SELECT pid FROM pg_locks WHERE locktype = 'advisory')"))
    assert second.shared.is_leader()  # the server released the lock with the session
    assert not first.shared.is_leader()  # and the old leader knows it lost


# -- named locks --------------------------------------------------------------------------------


def test_a_named_lock_is_held_against_the_other_process(two: tuple[Store, Store]) -> None:
    first, second = two
    held = first.shared.acquire("index-writer")
    assert second.shared.try_acquire("index-writer") is None
    with pytest.raises(LockTimeout, match="index-writer is busy"):
        second.shared.acquire("index-writer", timeout=0.05)
    other = second.shared.try_acquire("identify-0")  # another name is another lock
    assert other is not None
    other.release()
    held.release()
    held.release()  # twice is harmless
    with second.shared.acquire("index-writer", timeout=WAIT):
        assert first.shared.try_acquire("index-writer") is None
    again = first.shared.try_acquire("index-writer")
    assert again is not None
    again.release()


def test_within_one_process_a_named_lock_still_excludes(two: tuple[Store, Store]) -> None:
    first, _ = two
    held = first.shared.acquire("index-writer")
    assert first.shared.try_acquire("index-writer") is None  # a session would re-enter; each holder has its own
    held.release()


def test_waiting_for_a_named_lock_ends_when_it_is_released(two: tuple[Store, Store], postgres_cluster: Cluster) -> None:
    first, second = two
    held = first.shared.acquire("identify-0")
    got: queue.Queue[HeldLock] = queue.Queue()
    waiter = threading.Thread(target=lambda: got.put(second.shared.acquire("identify-0", timeout=WAIT)))
    waiter.start()
    until(lambda: waiting_for_lock(postgres_cluster, "identify-0"))
    assert got.empty()
    held.release()
    lock = got.get(timeout=WAIT)
    waiter.join()
    assert first.shared.try_acquire("identify-0") is None  # the waiter holds it now
    lock.release()


# -- notifications ------------------------------------------------------------------------------


def test_a_notification_reaches_every_process_listening(two: tuple[Store, Store]) -> None:
    first, second = two
    heard_first: queue.Queue[str | None] = queue.Queue()
    heard_second: queue.Queue[str | None] = queue.Queue()
    indexes: queue.Queue[str | None] = queue.Queue()
    first.shared.listen("settings", heard_first.put)
    second.shared.listen("settings", heard_second.put)
    second.shared.listen("Index Generation", indexes.put)  # any name: channels are quoted
    first.shared.notify("settings", "1234567890123456789")
    assert heard_second.get(timeout=WAIT) == "1234567890123456789"
    assert heard_first.get(timeout=WAIT) == "1234567890123456789"  # the sender hears it too
    second.shared.notify("Index Generation", "42")
    assert indexes.get(timeout=WAIT) == "42"
    assert heard_first.empty() and heard_second.empty()


def test_a_listener_that_lost_its_connection_is_told_and_listens_again(two: tuple[Store, Store], postgres_cluster: Cluster) -> None:
    first, second = two
    heard: queue.Queue[str | None] = queue.Queue()
    second.shared.listen("settings", heard.put)
    terminate(postgres_cluster, backends(postgres_cluster, "query LIKE 'LISTEN%'"))
    assert heard.get(timeout=WAIT) is None  # anything may have been missed: drop every cache
    first.shared.notify("settings", "after")
    assert heard.get(timeout=WAIT) == "after"


def test_a_failing_listener_does_not_stop_the_others(two: tuple[Store, Store]) -> None:
    first, second = two
    heard: queue.Queue[str | None] = queue.Queue()

    def broken(payload: str | None) -> None:
        raise RuntimeError("a bug in one listener")

    second.shared.listen("settings", broken)
    second.shared.listen("settings", heard.put)
    first.shared.notify("settings", "1")
    first.shared.notify("settings", "2")
    assert [heard.get(timeout=WAIT), heard.get(timeout=WAIT)] == ["1", "2"]


def test_without_the_server_the_primitives_say_state_unavailable(
    postgres_url: str, postgres_cluster: Cluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.postgres.CONNECT_TIMEOUT", 1)  # how long the pool waits for a connection
    store = Store(postgres_url)
    database = postgres_url.rsplit("/", 1)[1]
    with postgres_cluster.admin() as conn:
        conn.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS false')
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (database,))
    try:
        assert not store.shared.is_leader()
        with pytest.raises(StateUnavailable):
            store.shared.try_acquire("index-writer")
        with pytest.raises(StateUnavailable):
            store.shared.notify("settings")
    finally:
        with postgres_cluster.admin() as conn:
            conn.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS true')
    assert store.shared.is_leader()  # and back once the server is
    store.close()


# -- one process alone (SQLite) -----------------------------------------------------------------


def test_alone_the_process_leads_locks_exclude_its_threads_and_it_hears_itself(tmp_path: Path) -> None:
    store = Store(tmp_path / "newsdesk.db")
    shared = store.shared
    assert isinstance(shared, OneProcess) and shared.is_leader()
    held = shared.acquire("index-writer")
    assert shared.try_acquire("index-writer") is None
    with pytest.raises(LockTimeout):
        shared.acquire("index-writer", timeout=0.01)
    held.release()
    with shared.acquire("index-writer", timeout=WAIT):
        pass
    heard: list[str | None] = []
    shared.listen("settings", heard.append)
    shared.notify("settings", "7")
    shared.notify("other", "8")
    assert heard == ["7"]
    store.close()


def test_lock_keys_are_stable_64_bit_numbers() -> None:
    # Every process and every version must agree on a name's key, or two would both hold "one" lock.
    assert lock_key("leader") == 7035961644699305514
    assert lock_key("leader") != lock_key("index-writer")
    assert -(2**63) <= lock_key("identify-0") < 2**63
