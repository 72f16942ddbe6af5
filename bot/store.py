"""What the bot remembers across restarts, in SQLite (WAL): answers given, feedback on them, refresh history.

Migrations are numbered SQL scripts applied in order; ``PRAGMA user_version`` records how far a
database has come, so an old file is upgraded in place and never recreated.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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

#: Per-server settings that can be changed from Discord; None means "the config file's value".
GUILD_SETTING_KEYS = (
    "ask_channels", "moderator_role_ids", "cooldown_questions", "cooldown_seconds", "threads", "moderator_channel",
)


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

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._migrate()

    def _migrate(self) -> None:
        with self._lock:
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
            for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
                self._db.executescript(f"BEGIN; {script} PRAGMA user_version = {number}; COMMIT;")

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def close(self) -> None:
        """Checkpoint the write-ahead log into the database file and close it."""
        with self._lock:
            try:
                self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                self._db.close()

    def prune(self, retention_days: float) -> int:
        """Forget answers (and their feedback) older than ``retention_days``; returns how many went."""
        if retention_days <= 0:
            return 0
        cutoff = time.time() - retention_days * 86400
        with self._write() as db:
            return db.execute("DELETE FROM answers WHERE at < ?", (cutoff,)).rowcount

    # -- per-server settings -----------------------------------------------------------------

    def guild_settings(self, guild_id: int) -> dict[str, Any]:
        """The overrides stored for a server (only keys that are set)."""
        with self._lock:
            row = self._db.execute(
                f"SELECT {', '.join(GUILD_SETTING_KEYS)} FROM guild_settings WHERE guild_id = ?", (guild_id,)
            ).fetchone()
        if row is None:
            return {}
        values = dict(zip(GUILD_SETTING_KEYS, row, strict=True))
        for key in ("ask_channels", "moderator_role_ids"):
            if values[key] is not None:
                values[key] = json.loads(values[key])
        if values["threads"] is not None:
            values["threads"] = bool(values["threads"])
        return {k: v for k, v in values.items() if v is not None}

    def set_guild_setting(self, guild_id: int, key: str, value: Any) -> None:
        """Set (or, with None, clear) one per-server setting."""
        if key not in GUILD_SETTING_KEYS:
            raise KeyError(key)
        stored = json.dumps(value) if isinstance(value, list) else value
        with self._write() as db:
            db.execute("INSERT OR IGNORE INTO guild_settings (guild_id) VALUES (?)", (guild_id,))
            db.execute(f"UPDATE guild_settings SET {key} = ? WHERE guild_id = ?", (stored, guild_id))

    def legacy_moderator_roles(self) -> dict[int, list[int | str]]:
        """Moderator roles an older version stored by name, per server (to be resolved to ids once)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT guild_id, moderator_roles FROM guild_settings WHERE moderator_roles IS NOT NULL"
            ).fetchall()
        return {guild_id: list(json.loads(value)) for guild_id, value in rows}

    def replace_legacy_moderator_roles(self, guild_id: int, role_ids: list[int]) -> None:
        """Store a server's resolved role ids (with any it already had) and forget the names, in one step."""
        with self._write() as db:
            row = db.execute("SELECT moderator_role_ids FROM guild_settings WHERE guild_id = ?", (guild_id,)).fetchone()
            kept = json.loads(row[0]) if row and row[0] else []
            merged = sorted(set(kept) | set(role_ids))
            db.execute(
                "UPDATE guild_settings SET moderator_role_ids = ?, moderator_roles = NULL WHERE guild_id = ?",
                (json.dumps(merged), guild_id),
            )

    def clear_guild_settings(self, guild_id: int) -> None:
        with self._write() as db:
            db.execute("DELETE FROM guild_settings WHERE guild_id = ?", (guild_id,))

    # -- reports -----------------------------------------------------------------------------

    def report(self, days: float, *, guild_id: int | None = None, limit: int = 20) -> tuple[list[ReportLine], list[ReportLine]]:
        """Questions not answered, and answers marked 👎, over the last ``days``: most frequent first."""
        since = time.time() - days * 86400
        where = "a.at >= ?" + (" AND a.guild_id = ?" if guild_id is not None else "")
        params: tuple[Any, ...] = (since, guild_id) if guild_id is not None else (since,)
        with self._lock:
            unanswered = self._db.execute(
                f"SELECT lower(trim(a.question)), COUNT(*), MAX(a.at) FROM answers a WHERE {where} AND a.found = 0"
                " GROUP BY lower(trim(a.question)) ORDER BY COUNT(*) DESC, MAX(a.at) DESC LIMIT ?",
                (*params, limit),
            ).fetchall()
            disliked = self._db.execute(
                f"SELECT lower(trim(a.question)), COUNT(*), MAX(f.at) FROM feedback f JOIN answers a ON a.id = f.answer_id"
                f" WHERE {where} AND f.vote < 0 GROUP BY lower(trim(a.question)) ORDER BY COUNT(*) DESC, MAX(f.at) DESC LIMIT ?",
                (*params, limit),
            ).fetchall()
        return [ReportLine(*row) for row in unanswered], [ReportLine(*row) for row in disliked]

    def stats(self) -> dict[str, float]:
        with self._lock:
            total, found = self._db.execute("SELECT COUNT(*), COALESCE(SUM(found), 0) FROM answers").fetchone()
        return {"questions": total, "found": found}

    # -- source health -----------------------------------------------------------------------

    def source_health(self, source: str) -> SourceHealth | None:
        with self._lock:
            row = self._db.execute(
                "SELECT source, last_change, failing_since, failure, reported FROM source_health WHERE source = ?", (source,)
            ).fetchone()
        return SourceHealth(*row) if row else None

    def save_source_health(self, health: SourceHealth) -> None:
        with self._write() as db:
            db.execute(
                "INSERT INTO source_health (source, last_change, failing_since, failure, reported) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (source) DO UPDATE SET last_change = excluded.last_change,"
                " failing_since = excluded.failing_since, failure = excluded.failure, reported = excluded.reported",
                (health.source, health.last_change, health.failing_since, health.failure, health.reported),
            )

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
        with self._write() as db:
            cursor = db.execute(
                "INSERT INTO answers (at, guild_id, channel_id, user_id, question, found, top_source, top_score,"
                " latency_ms, private, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
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
                ),
            )
            return int(cursor.lastrowid or 0)

    def answer(self, answer_id: int) -> AnswerRecord | None:
        with self._lock:
            row = self._db.execute(
                "SELECT id, user_id, question, private, payload FROM answers WHERE id = ?", (answer_id,)
            ).fetchone()
        if row is None:
            return None
        return AnswerRecord(row[0], row[1], row[2], bool(row[3]), json.loads(row[4]))

    def record_feedback(self, answer_id: int, user_id: int, vote: int) -> None:
        """One vote per person per answer; voting again replaces the earlier vote."""
        with self._write() as db:
            db.execute(
                "INSERT INTO feedback (answer_id, user_id, vote, at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (answer_id, user_id) DO UPDATE SET vote = excluded.vote, at = excluded.at",
                (answer_id, user_id, vote, time.time()),
            )

    def feedback(self, answer_id: int) -> dict[int, int]:
        with self._lock:
            rows = self._db.execute("SELECT user_id, vote FROM feedback WHERE answer_id = ?", (answer_id,)).fetchall()
        return {user: vote for user, vote in rows}

    # -- feeds -------------------------------------------------------------------------------

    def seen_feed_items(self) -> set[str]:
        with self._lock:
            return {row[0] for row in self._db.execute("SELECT url FROM feed_items")}

    def mark_feed_items(self, urls: list[str]) -> None:
        with self._write() as db:
            db.executemany("INSERT OR IGNORE INTO feed_items (url, at) VALUES (?, ?)", [(u, time.time()) for u in urls])

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
        with self._write() as db:
            db.execute(
                "INSERT INTO refreshes (at, by, ok, added, removed, changed, skipped, passages, error)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (time.time(), by, int(ok), added, removed, changed, skipped, passages, error),
            )

    def last_refresh(self) -> RefreshRecord | None:
        with self._lock:
            row = self._db.execute(
                "SELECT at, by, ok, passages, error FROM refreshes ORDER BY id DESC LIMIT 1"
            ).fetchone()
        return RefreshRecord(row[0], row[1], bool(row[2]), row[3], row[4]) if row else None
