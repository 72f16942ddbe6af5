"""What the bot remembers across restarts, in SQLite (WAL): answers given, feedback on them, refresh history.

Migrations are numbered SQL scripts applied in order; ``PRAGMA user_version`` records how far a
database has come, so an old file is upgraded in place and never recreated.

The state is a convenience, answering is the job, so a damaged database never stops the bot:

* at start (``quick_check`` included), a damaged file is moved aside with its ``-wal`` and
  ``-shm`` as ``newsdesk.db.damaged-<UTC time>`` and a fresh database is started; the log, and
  the command line, say so and how to salvage the old records;
* while running, an operation that finds the file damaged does the same (at most once a
  minute) and is retried on the fresh database; any other failure, or damage again so soon,
  raises :class:`StateUnavailable` (logged, one line), which callers treat as "not remembered"
  — the answer is still sent.

``Store(path, recover=False)`` (for ``newsdesk report``, which only reads) moves nothing and
raises :class:`StoreDamaged` saying what to do instead.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from index.errors import NewsdeskError

from .server_settings import BY_NAME, KEYS

log = logging.getLogger("newsdesk.store")
T = TypeVar("T")
#: A damaged database found while running is set aside at most this often (a failing disk would
#: otherwise leave a new damaged file behind on every question).
REOPEN_EVERY = 60.0

MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE answers (
        id INTEGER PRIMARY KEY,
        at REAL NOT NULL,
        guild_id INTEGER,
        channel_id INTEGER,
        user_id INTEGER,
        question TEXT NOT NULL,
        found INTEGER NOT NULL,
        top_source TEXT,
        top_score REAL,
        latency_ms REAL,
        private INTEGER NOT NULL DEFAULT 0,
        payload TEXT NOT NULL
    );
    CREATE INDEX answers_at ON answers (at);
    CREATE TABLE feedback (
        answer_id INTEGER NOT NULL REFERENCES answers (id) ON DELETE CASCADE,
        user_id INTEGER NOT NULL,
        vote INTEGER NOT NULL CHECK (vote IN (-1, 1)),
        at REAL NOT NULL,
        PRIMARY KEY (answer_id, user_id)
    );
    CREATE TABLE refreshes (
        id INTEGER PRIMARY KEY,
        at REAL NOT NULL,
        by TEXT,
        ok INTEGER NOT NULL,
        added INTEGER NOT NULL DEFAULT 0,
        removed INTEGER NOT NULL DEFAULT 0,
        changed INTEGER NOT NULL DEFAULT 0,
        skipped INTEGER NOT NULL DEFAULT 0,
        passages INTEGER NOT NULL DEFAULT 0,
        error TEXT
    );
    """,
    """
    CREATE TABLE feed_items (
        url TEXT PRIMARY KEY,
        at REAL NOT NULL
    );
    """,
    """
    CREATE TABLE guild_settings (
        guild_id INTEGER PRIMARY KEY,
        ask_channels TEXT,
        moderator_roles TEXT,
        cooldown_questions INTEGER,
        cooldown_seconds REAL,
        threads INTEGER,
        moderator_channel INTEGER
    );
    CREATE TABLE source_health (
        source TEXT PRIMARY KEY,
        last_change REAL,
        failing_since REAL,
        failure TEXT,
        reported TEXT
    );
    CREATE INDEX answers_found ON answers (found, at);
    """,
    # Moderator roles by id. The old column held role names, which anyone with Manage Roles can
    # copy; it is kept only until each server's names are resolved once (see bot/roles.py).
    """
    ALTER TABLE guild_settings ADD COLUMN moderator_role_ids TEXT;
    """,
)

class StoreError(NewsdeskError):
    """The state database cannot be opened at all (not damage: permissions, a full disk)."""


class StoreDamaged(StoreError):
    def __init__(self, path: Path, error: str) -> None:
        super().__init__(
            f"the state database {path} is damaged ({error}). `newsdesk run` keeps it aside and starts a fresh one;"
            f" to salvage what it holds: sqlite3 {path} .recover | sqlite3 {path.with_name('recovered.db')}"
        )


class StateUnavailable(NewsdeskError):
    """A read or write of the state failed; the message is safe to show to whoever pressed a button."""

    def __init__(self) -> None:
        super().__init__("I can't reach my saved state right now, so that could not be done; the moderators can see why in the log.")


@dataclass(frozen=True, slots=True)
class SetAside:
    """A damaged database moved out of the way."""

    kept: Path
    fresh: Path
    error: str

    def notice(self) -> str:
        """One line for the operator: what happened, where the old file is, how to get its records back."""
        return (
            f"the state database was damaged ({self.error}); it is kept as {self.kept} (with its -wal/-shm) and a fresh"
            f" one was started at {self.fresh}. Past questions, feedback and /settings are in the kept file;"
            f" to salvage them: sqlite3 {self.kept} .recover | sqlite3 {self.fresh.with_name('recovered.db')}"
        )


class _Damage(sqlite3.DatabaseError):
    """Damage found by the store itself: no SQLite header, or ``PRAGMA quick_check`` failing."""


def _has_sqlite_header(path: Path) -> bool:
    """Whether ``path`` is missing, empty (both become a new database) or starts like an SQLite file."""
    try:
        with path.open("rb") as file:
            head = file.read(16)
    except FileNotFoundError:
        return True
    return head in (b"", b"SQLite format 3\x00")


def _damaged(error: sqlite3.Error) -> bool:
    """Damage, as opposed to a busy, read-only or full database: only damage is set aside."""
    if isinstance(error, _Damage):
        return True
    code = getattr(error, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB)
    return "malformed" in str(error) or "not a database" in str(error)


#: Per-server settings that can be changed from Discord (bot/server_settings.py); a NULL column
#: means "the config file's value".
GUILD_SETTING_KEYS = tuple(key.name for key in KEYS)


@dataclass(frozen=True, slots=True)
class AnswerRecord:
    id: int
    user_id: int | None
    question: str
    private: bool
    payload: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ReportLine:
    question: str
    count: int
    last_at: float


@dataclass(frozen=True, slots=True)
class SourceHealth:
    source: str
    last_change: float | None
    failing_since: float | None
    failure: str | None
    reported: str | None  # what was last reported about it ("stale" / "failing"), so it is said once


@dataclass(frozen=True, slots=True)
class RefreshRecord:
    at: float
    by: str | None
    ok: bool
    passages: int
    error: str | None


class Store:
    """A small SQLite database; safe to call from the event loop and worker threads alike."""

    def __init__(self, path: Path, *, recover: bool = True) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        #: Damaged databases this store moved aside (at start, or while running).
        self.set_aside: list[SetAside] = []
        self._reopened_at = float("-inf")
        try:
            self._db: sqlite3.Connection | None = self._connect()
        except sqlite3.Error as exc:
            if not _damaged(exc):
                raise StoreError(f"the state database {path} cannot be opened: {exc}") from None
            if not recover:
                raise StoreDamaged(path, str(exc)) from None
            self._move_aside(str(exc))
            try:
                self._db = self._connect()
            except sqlite3.Error as again:
                raise StoreError(f"a fresh state database {path} cannot be started: {again}") from None

    def _connect(self) -> sqlite3.Connection:
        if not _has_sqlite_header(self.path):
            # Not opened at all: SQLite would discard a -wal it cannot match to the file, and that
            # log may hold the latest records.
            raise _Damage("file is not a database")
        db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA foreign_keys=ON")
            verdict = db.execute("PRAGMA quick_check(1)").fetchone()[0]
            if verdict != "ok":
                raise _Damage(f"integrity check: {verdict}")
            version = db.execute("PRAGMA user_version").fetchone()[0]
            for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
                db.executescript(f"BEGIN; {script} PRAGMA user_version = {number}; COMMIT;")
        except BaseException:
            db.close()
            raise
        return db

    def _move_aside(self, error: str) -> SetAside:
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        kept = self.path.with_name(f"{self.path.name}.damaged-{stamp}")
        number = 2
        while kept.exists():
            kept = self.path.with_name(f"{self.path.name}.damaged-{stamp}-{number}")
            number += 1
        for suffix in ("", "-wal", "-shm"):  # together, so the kept file opens with its log
            source = Path(f"{self.path}{suffix}")
            if source.exists():
                source.replace(Path(f"{kept}{suffix}"))
        record = SetAside(kept, self.path, error)
        self.set_aside.append(record)
        log.error("event=store outcome=damaged error=%r kept=%s fresh=%s: %s", error, kept, self.path, record.notice())
        return record

    def _reopen(self, error: sqlite3.Error) -> bool:
        """Set a database found damaged while running aside and start afresh (not more than once a minute)."""
        now = time.monotonic()
        if now - self._reopened_at < REOPEN_EVERY:
            return False
        self._reopened_at = now
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
            self._db = None
        try:
            self._move_aside(str(error))
            self._db = self._connect()
        except (OSError, sqlite3.Error) as exc:
            log.error("event=store outcome=unavailable reason=%r (a fresh database could not be started)", str(exc))
            return False
        return True

    def _run(self, work: Callable[[sqlite3.Connection], T], *, write: bool = False) -> T:
        """Run ``work`` (in a transaction when it writes); damage found on the way is set aside and
        ``work`` tried once more on the fresh database. Failures become StateUnavailable."""
        with self._lock:
            for attempt in (1, 2):
                try:
                    if self._db is None:
                        raise sqlite3.DatabaseError("no database open (a fresh one could not be started)")
                    return self._once(self._db, work, write)
                except sqlite3.Error as exc:
                    damaged = _damaged(exc) or self._db is None
                    if attempt == 1 and damaged and self._reopen(exc):
                        continue
                    log.warning("event=store outcome=unavailable op=%s error=%r", work.__qualname__, str(exc))
                    raise StateUnavailable() from exc
        raise AssertionError("unreachable")

    @staticmethod
    def _once(db: sqlite3.Connection, work: Callable[[sqlite3.Connection], T], write: bool) -> T:
        if not write:
            return work(db)
        db.execute("BEGIN")
        try:
            result = work(db)
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
        return result

    def close(self) -> None:
        """Checkpoint the write-ahead log into the database file and close it."""
        with self._lock:
            if self._db is None:
                return
            try:
                self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            except sqlite3.Error as exc:
                log.warning("event=store outcome=unavailable op=close error=%r", str(exc))
            finally:
                self._db.close()
                self._db = None

    def prune(self, retention_days: float) -> int:
        """Forget answers (and their feedback) older than ``retention_days``; returns how many went."""
        if retention_days <= 0:
            return 0
        cutoff = time.time() - retention_days * 86400

        def prune(db: sqlite3.Connection) -> int:
            return db.execute("DELETE FROM answers WHERE at < ?", (cutoff,)).rowcount

        return self._run(prune, write=True)

    # -- per-server settings -----------------------------------------------------------------

    def guild_settings(self, guild_id: int) -> dict[str, Any]:
        """The overrides stored for a server (only keys that are set)."""

        def guild_settings(db: sqlite3.Connection) -> Any:
            return db.execute(
                f"SELECT {', '.join(GUILD_SETTING_KEYS)}, moderator_roles FROM guild_settings WHERE guild_id = ?", (guild_id,)
            ).fetchone()

        row = self._run(guild_settings)
        if row is None:
            return {}
        values = dict(zip(GUILD_SETTING_KEYS, row[:-1], strict=True))
        if row[-1] is not None and values["moderator_role_ids"] is None:
            values["moderator_role_ids"] = "[]"  # names from an older version grant nothing until resolved
        return {k: BY_NAME[k].codec.decode(v) for k, v in values.items() if v is not None}

    def set_guild_setting(self, guild_id: int, key: str, value: Any) -> None:
        """Set (or, with None, clear) one per-server setting."""
        stored = None if value is None else BY_NAME[key].codec.encode(value)  # KeyError for an unknown key

        def set_guild_setting(db: sqlite3.Connection) -> None:
            db.execute("INSERT OR IGNORE INTO guild_settings (guild_id) VALUES (?)", (guild_id,))
            db.execute(f"UPDATE guild_settings SET {key} = ? WHERE guild_id = ?", (stored, guild_id))

        self._run(set_guild_setting, write=True)

    def legacy_moderator_roles(self) -> dict[int, list[int | str]]:
        """Moderator roles an older version stored by name, per server (to be resolved to ids once)."""

        def legacy_moderator_roles(db: sqlite3.Connection) -> list[Any]:
            return db.execute(
                "SELECT guild_id, moderator_roles FROM guild_settings WHERE moderator_roles IS NOT NULL"
            ).fetchall()

        return {guild_id: list(json.loads(value)) for guild_id, value in self._run(legacy_moderator_roles)}

    def replace_legacy_moderator_roles(self, guild_id: int, role_ids: list[int]) -> None:
        """Store a server's resolved role ids (with any it already had) and forget the names, in one step."""

        def replace_legacy_moderator_roles(db: sqlite3.Connection) -> None:
            row = db.execute("SELECT moderator_role_ids FROM guild_settings WHERE guild_id = ?", (guild_id,)).fetchone()
            kept = json.loads(row[0]) if row and row[0] else []
            merged = sorted(set(kept) | set(role_ids))
            db.execute(
                "UPDATE guild_settings SET moderator_role_ids = ?, moderator_roles = NULL WHERE guild_id = ?",
                (json.dumps(merged), guild_id),
            )

        self._run(replace_legacy_moderator_roles, write=True)

    def clear_guild_settings(self, guild_id: int) -> None:
        def clear_guild_settings(db: sqlite3.Connection) -> None:
            db.execute("DELETE FROM guild_settings WHERE guild_id = ?", (guild_id,))

        self._run(clear_guild_settings, write=True)

    # -- reports -----------------------------------------------------------------------------

    def report(self, days: float, *, guild_id: int | None = None, limit: int = 20) -> tuple[list[ReportLine], list[ReportLine]]:
        """Questions not answered, and answers marked 👎, over the last ``days``: most frequent first."""
        since = time.time() - days * 86400
        where = "a.at >= ?" + (" AND a.guild_id = ?" if guild_id is not None else "")
        params: tuple[Any, ...] = (since, guild_id) if guild_id is not None else (since,)

        def report(db: sqlite3.Connection) -> tuple[list[Any], list[Any]]:
            unanswered = db.execute(
                f"SELECT lower(trim(a.question)), COUNT(*), MAX(a.at) FROM answers a WHERE {where} AND a.found = 0"
                " GROUP BY lower(trim(a.question)) ORDER BY COUNT(*) DESC, MAX(a.at) DESC LIMIT ?",
                (*params, limit),
            ).fetchall()
            disliked = db.execute(
                f"SELECT lower(trim(a.question)), COUNT(*), MAX(f.at) FROM feedback f JOIN answers a ON a.id = f.answer_id"
                f" WHERE {where} AND f.vote < 0 GROUP BY lower(trim(a.question)) ORDER BY COUNT(*) DESC, MAX(f.at) DESC LIMIT ?",
                (*params, limit),
            ).fetchall()
            return unanswered, disliked

        unanswered, disliked = self._run(report)
        return [ReportLine(*row) for row in unanswered], [ReportLine(*row) for row in disliked]

    def stats(self) -> dict[str, float]:
        def stats(db: sqlite3.Connection) -> Any:
            return db.execute("SELECT COUNT(*), COALESCE(SUM(found), 0) FROM answers").fetchone()

        total, found = self._run(stats)
        return {"questions": total, "found": found}

    # -- source health -----------------------------------------------------------------------

    def source_health(self, source: str) -> SourceHealth | None:
        def source_health(db: sqlite3.Connection) -> Any:
            return db.execute(
                "SELECT source, last_change, failing_since, failure, reported FROM source_health WHERE source = ?", (source,)
            ).fetchone()

        row = self._run(source_health)
        return SourceHealth(*row) if row else None

    def save_source_health(self, health: SourceHealth) -> None:
        def save_source_health(db: sqlite3.Connection) -> None:
            db.execute(
                "INSERT INTO source_health (source, last_change, failing_since, failure, reported) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (source) DO UPDATE SET last_change = excluded.last_change,"
                " failing_since = excluded.failing_since, failure = excluded.failure, reported = excluded.reported",
                (health.source, health.last_change, health.failing_since, health.failure, health.reported),
            )

        self._run(save_source_health, write=True)

    # -- answers and feedback ----------------------------------------------------------------

    def record_answer(
        self,
        *,
        question: str,
        answer: dict[str, Any],
        guild_id: int | None,
        channel_id: int | None,
        user_id: int | None,
        latency_ms: float,
        private: bool = False,
    ) -> int:
        answers = answer.get("answers") or []
        top = answers[0] if answers else {}
        row = (
            time.time(),
            guild_id,
            channel_id,
            user_id,
            question,
            int(bool(answer.get("found"))),
            top.get("source"),
            top.get("score"),
            latency_ms,
            int(private),
            json.dumps(answer, ensure_ascii=False),
        )

        def record_answer(db: sqlite3.Connection) -> int:
            cursor = db.execute(
                "INSERT INTO answers (at, guild_id, channel_id, user_id, question, found, top_source, top_score,"
                " latency_ms, private, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                row,
            )
            return int(cursor.lastrowid or 0)

        return self._run(record_answer, write=True)

    def answer(self, answer_id: int) -> AnswerRecord | None:
        def answer(db: sqlite3.Connection) -> Any:
            return db.execute(
                "SELECT id, user_id, question, private, payload FROM answers WHERE id = ?", (answer_id,)
            ).fetchone()

        row = self._run(answer)
        if row is None:
            return None
        return AnswerRecord(row[0], row[1], row[2], bool(row[3]), json.loads(row[4]))

    def record_feedback(self, answer_id: int, user_id: int, vote: int) -> None:
        """One vote per person per answer; voting again replaces the earlier vote."""

        def record_feedback(db: sqlite3.Connection) -> None:
            db.execute(
                "INSERT INTO feedback (answer_id, user_id, vote, at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (answer_id, user_id) DO UPDATE SET vote = excluded.vote, at = excluded.at",
                (answer_id, user_id, vote, time.time()),
            )

        self._run(record_feedback, write=True)

    def feedback(self, answer_id: int) -> dict[int, int]:
        def feedback(db: sqlite3.Connection) -> list[Any]:
            return db.execute("SELECT user_id, vote FROM feedback WHERE answer_id = ?", (answer_id,)).fetchall()

        return dict(self._run(feedback))

    # -- feeds -------------------------------------------------------------------------------

    def seen_feed_items(self) -> set[str]:
        def seen_feed_items(db: sqlite3.Connection) -> set[str]:
            return {row[0] for row in db.execute("SELECT url FROM feed_items")}

        return self._run(seen_feed_items)

    def mark_feed_items(self, urls: list[str]) -> None:
        def mark_feed_items(db: sqlite3.Connection) -> None:
            db.executemany("INSERT OR IGNORE INTO feed_items (url, at) VALUES (?, ?)", [(u, time.time()) for u in urls])

        self._run(mark_feed_items, write=True)

    # -- refreshes ---------------------------------------------------------------------------

    def record_refresh(
        self,
        *,
        by: str | None,
        ok: bool,
        added: int = 0,
        removed: int = 0,
        changed: int = 0,
        skipped: int = 0,
        passages: int = 0,
        error: str | None = None,
    ) -> None:
        def record_refresh(db: sqlite3.Connection) -> None:
            db.execute(
                "INSERT INTO refreshes (at, by, ok, added, removed, changed, skipped, passages, error)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (time.time(), by, int(ok), added, removed, changed, skipped, passages, error),
            )

        self._run(record_refresh, write=True)

    def last_refresh(self) -> RefreshRecord | None:
        def last_refresh(db: sqlite3.Connection) -> Any:
            return db.execute("SELECT at, by, ok, passages, error FROM refreshes ORDER BY id DESC LIMIT 1").fetchone()

        row = self._run(last_refresh)
        return RefreshRecord(row[0], row[1], bool(row[2]), row[3], row[4]) if row else None
