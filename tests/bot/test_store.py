"""The store's API, the same on SQLite and on PostgreSQL (every test runs on both)."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from bot.store import MIGRATIONS, Db, SourceHealth, Store, migration
from tests.conftest import STORES

pytestmark = pytest.mark.parametrize("store_location", STORES, indirect=True)

#: A Discord id: 64 bits, more than a 32-bit integer column holds.
SNOWFLAKE = 1_234_567_890_123_456_789


@pytest.fixture
def store(store_location: Path | str) -> Iterator[Store]:
    opened = Store(store_location)
    yield opened
    opened.close()


def ask(store: Store, question: str, *, found: bool = False, guild: int = 1, **more: object) -> int:
    answer = {"found": found, "answers": [{"source": "a.txt", "score": 2.5}] if found else []}
    return store.record_answer(question=question, answer=answer, guild_id=guild, channel_id=2, user_id=3, latency_ms=4.5, **more)  # type: ignore[arg-type]


def execute(store: Store, query: str, *parameters: object) -> None:
    """Change the store's own rows the API never changes (an answer's time, an older version's column)."""

    def run(db: Db) -> None:
        db.execute(query, parameters)

    store._run(run, write=True)  # noqa: SLF001


def schema_version(location: Path | str) -> int:
    if isinstance(location, Path):
        with sqlite3.connect(location) as db:
            return int(db.execute("PRAGMA user_version").fetchone()[0])
    with psycopg.connect(location) as conn:
        row = conn.execute("SELECT version FROM newsdesk_schema").fetchone()
        assert row is not None
        return int(row[0])


def test_a_new_database_gets_every_migration_once(store_location: Path | str) -> None:
    Store(store_location).close()
    assert schema_version(store_location) == len(MIGRATIONS)
    store = Store(store_location)  # opening again applies nothing twice
    ask(store, "Still here?")
    store.close()
    assert schema_version(store_location) == len(MIGRATIONS)


def test_an_old_database_is_migrated_in_place(store_location: Path | str) -> None:
    if isinstance(store_location, Path):
        store_location.parent.mkdir(parents=True)
        with sqlite3.connect(store_location) as db:
            db.executescript(f"BEGIN; {migration(0, 'sqlite')} PRAGMA user_version = 1; COMMIT;")
            db.execute("INSERT INTO answers (at, question, found, payload) VALUES (?, 'kept?', 0, '{}')", (time.time(),))
    else:
        with psycopg.connect(store_location) as conn:
            conn.execute(migration(0, "postgresql"))
            conn.execute("CREATE TABLE newsdesk_schema (version INTEGER NOT NULL)")
            conn.execute("INSERT INTO newsdesk_schema VALUES (1)")
            conn.execute("INSERT INTO answers (at, question, found, payload) VALUES (%s, 'kept?', 0, '{}')", (time.time(),))
    store = Store(store_location)
    assert store.report(1)[0][0].question == "kept?"
    store.set_guild_setting(7, "threads", True)
    assert store.guild_settings(7) == {"threads": True}
    store.close()
    assert schema_version(store_location) == len(MIGRATIONS)


def test_answers_are_kept_whole_and_found_by_id(store: Store) -> None:
    payload = {"found": True, "answers": [{"source": "a.txt", "score": 2.5, "quote": "«Déjà vu» — 日本"}]}
    first = store.record_answer(
        question="Who?", answer=payload, guild_id=SNOWFLAKE, channel_id=SNOWFLAKE + 1, user_id=SNOWFLAKE + 2, latency_ms=1.5, private=True
    )
    second = ask(store, "What?")
    assert second > first
    record = store.answer(first)
    assert record is not None
    assert (record.id, record.user_id, record.question, record.private, record.payload) == (first, SNOWFLAKE + 2, "Who?", True, payload)
    assert store.answer(second + 100) is None
    assert store.stats() == {"questions": 2, "found": 1}


def test_one_vote_per_person_per_answer(store: Store) -> None:
    answer = ask(store, "Who?", found=True)
    store.record_feedback(answer, SNOWFLAKE, 1)
    store.record_feedback(answer, 5, 1)
    store.record_feedback(answer, 5, -1)  # changed their mind
    assert store.feedback(answer) == {SNOWFLAKE: 1, 5: -1}


def test_the_report_counts_gaps_and_dislikes_most_frequent_first(store: Store) -> None:
    for question in ("What did Macron say?", " what did macron say? ", "Who won?"):
        ask(store, question)
    ask(store, "Elsewhere?", guild=99)
    liked, disliked = ask(store, "Liked?", found=True), ask(store, "Disliked?", found=True)
    store.record_feedback(liked, 1, 1)
    store.record_feedback(disliked, 1, -1)
    store.record_feedback(disliked, 2, -1)
    unanswered, marked = store.report(7, guild_id=1)
    assert [(line.question, line.count) for line in unanswered] == [("what did macron say?", 2), ("who won?", 1)]
    assert [(line.question, line.count) for line in marked] == [("disliked?", 2)]
    assert {line.question for line in store.report(7)[0]} == {"what did macron say?", "who won?", "elsewhere?"}
    assert all(isinstance(line.last_at, float) and line.last_at > 0 for line in unanswered)


def test_retention_prunes_old_questions_and_their_feedback(store: Store) -> None:
    old, new = ask(store, "old"), ask(store, "new")
    store.record_feedback(old, 1, -1)
    execute(store, "UPDATE answers SET at = at - 100 * 86400 WHERE id = ?", old)
    assert store.prune(0) == 0  # 0 keeps everything
    assert store.prune(90) == 1
    assert [line.question for line in store.report(365)[0]] == ["new"]
    assert store.feedback(old) == {} and store.answer(new) is not None


def test_kept_pages_round_trip_and_go_with_retention(store: Store) -> None:
    pages = [{"title": "Ines Okafor \u2014 what she said", "description": f"> page {n} \u201cquoted\u201d"} for n in range(3)]
    old, new = store.record_pages(SNOWFLAKE, pages), store.record_pages(None, pages[:2])
    kept = store.pages(old)
    assert kept is not None and kept.user_id == SNOWFLAKE and kept.pages == pages
    assert store.pages(new) is not None and store.pages(new + 100) is None
    execute(store, "UPDATE pages SET at = at - 100 * 86400 WHERE id = ?", old)
    store.prune(90)
    assert store.pages(old) is None and store.pages(new) is not None


def test_server_settings_round_trip_with_their_types(store: Store) -> None:
    assert store.guild_settings(SNOWFLAKE) == {}
    values = {
        "ask_channels": [2, SNOWFLAKE],  # ids are kept sorted
        "moderator_role_ids": [3],
        "cooldown_questions": 2,
        "cooldown_seconds": 12.5,
        "threads": False,
        "moderator_channel": SNOWFLAKE,
    }
    for key, value in values.items():
        store.set_guild_setting(SNOWFLAKE, key, value)
    assert store.guild_settings(SNOWFLAKE) == values
    store.set_guild_setting(SNOWFLAKE, "threads", None)  # back to the config file's value
    assert "threads" not in store.guild_settings(SNOWFLAKE)
    with pytest.raises(KeyError):
        store.set_guild_setting(SNOWFLAKE, "payload", "x")
    store.clear_guild_settings(SNOWFLAKE)
    assert store.guild_settings(SNOWFLAKE) == {}


def test_role_names_from_an_older_version_are_replaced_by_ids_once(store: Store) -> None:
    store.set_guild_setting(8, "moderator_role_ids", [1])
    execute(store, "UPDATE guild_settings SET moderator_roles = ? WHERE guild_id = ?", '["Moderator", 5]', 8)
    assert store.legacy_moderator_roles() == {8: ["Moderator", 5]}
    store.replace_legacy_moderator_roles(8, [5, 6])
    assert store.legacy_moderator_roles() == {}
    assert store.guild_settings(8) == {"moderator_role_ids": [1, 5, 6]}


def test_source_health_is_saved_and_updated(store: Store) -> None:
    assert store.source_health("seeds") is None
    store.save_source_health(SourceHealth("seeds", 10.0, None, None, None))
    store.save_source_health(SourceHealth("seeds", 10.0, 20.5, "HTTP 500", "failing"))
    assert store.source_health("seeds") == SourceHealth("seeds", 10.0, 20.5, "HTTP 500", "failing")


def test_feed_items_are_marked_once(store: Store) -> None:
    store.mark_feed_items(["https://a.example/1", "https://a.example/2"])
    store.mark_feed_items(["https://a.example/2", "https://a.example/3"])
    assert store.seen_feed_items() == {"https://a.example/1", "https://a.example/2", "https://a.example/3"}


def test_the_last_refresh_is_remembered(store: Store) -> None:
    assert store.last_refresh() is None
    store.record_refresh(by="schedule", ok=True, added=1, passages=40)
    store.record_refresh(by="<@5>", ok=False, error="corpus folder missing")
    last = store.last_refresh()
    assert last is not None and (last.by, last.ok, last.passages, last.error) == ("<@5>", False, 0, "corpus folder missing")


def test_a_store_alone_leads_and_hears_its_own_notifications(store: Store) -> None:
    heard: list[str | None] = []
    store.shared.listen("settings", heard.append)
    assert store.shared.is_leader()
    store.shared.notify("settings", "7")
    deadline = time.monotonic() + 10
    while not heard and time.monotonic() < deadline:
        time.sleep(0.01)
    assert heard == ["7"]
