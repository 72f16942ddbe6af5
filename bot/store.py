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
)


@dataclass(frozen=True, slots=True)
class AnswerRecord:
    id: int
    user_id: int | None
    question: str
    private: bool
    payload: dict[str, Any]


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
        with self._lock:
            self._db.close()

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
