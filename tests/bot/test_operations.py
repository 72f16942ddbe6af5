"""Running it for real: the state in SQLite or PostgreSQL, /report, /settings, health and metrics, the schedule, logs, shutdown."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
import psycopg
import pytest

from bot.store import MIGRATIONS, StateUnavailable, Store, migration
from index.desk import Desk
from tests.bot.conftest import Harness, bot_settings, embed_text, run_newsdesk, shown, start_bot
from tests.conftest import ROOT, STORES
from tests.fakediscord.server import FakeDiscord
from tests.pages import serve_pages
from tests.postgres import Cluster, free_port



# -- the state: SQLite, PostgreSQL ------------------------------------------------------------------


async def test_the_question_log_is_in_sqlite(newsdesk: Harness) -> None:
    await newsdesk.ask("What did Rutte say?", channel=newsdesk.fake.news)
    await newsdesk.ask("What did Macron say?", channel=newsdesk.fake.news)
    db = sqlite3.connect(newsdesk.bot.store.path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    rows = db.execute("SELECT question, found, top_source, top_score, latency_ms, guild_id, channel_id FROM answers ORDER BY id").fetchall()
    assert [(r[0], r[1], r[2]) for r in rows] == [
        ("What did Rutte say?", 1, "003_2c1112b90513d27d.txt"),
        ("What did Macron say?", 0, None),
    ]
    assert rows[0][3] > 0 and rows[0][4] >= 0
    assert {r[5] for r in rows} == {newsdesk.fake.guild.id} and {r[6] for r in rows} == {newsdesk.fake.news.id}
    db.close()


def test_migrations_already_shipped_are_never_changed_for_sqlite() -> None:
    # Files made by older versions ran these exact scripts; a change would leave them different.
    shipped = ["26d791730fe988d6", "1f4eb4fe6ea5047f", "2c7dae8ab4733996", "95555b2e0443f0c9"]
    assert [hashlib.sha256(migration(n, "sqlite").encode()).hexdigest()[:16] for n in range(len(shipped))] == shipped


async def test_the_question_log_is_on_the_postgresql_server(fake_discord: FakeDiscord, corpus: Path, tmp_path: Path, postgres_url: str) -> None:
    bot = start_bot(bot_settings(fake_discord, corpus, tmp_path / "state", postgres_url))
    async with fake_discord.running(bot):
        await fake_discord.send_message(fake_discord.news, fake_discord.member, "What did Rutte say?")
        await fake_discord.wait_for_message(shown, timeout=10)
    bot.store.close()
    assert not (tmp_path / "state" / "newsdesk.db").exists()
    with psycopg.connect(postgres_url) as conn:
        assert conn.execute("SELECT version FROM newsdesk_schema").fetchone() == (len(MIGRATIONS),)
        rows = conn.execute("SELECT question, found, top_source, guild_id, channel_id FROM answers").fetchall()
    assert rows == [("What did Rutte say?", 1, "003_2c1112b90513d27d.txt", fake_discord.guild.id, fake_discord.news.id)]


def wait_for_the_state(store: Store, within: float = 30.0) -> None:
    """Until the store reads again: its pool reconnects with a backoff (1 s, 2 s, 4 s, ...), so
    the first question after the server is back may still find no connection."""
    deadline = time.monotonic() + within
    while True:
        try:
            store.stats()
            return
        except StateUnavailable:
            assert time.monotonic() < deadline, "the state never came back"


async def test_without_the_postgresql_server_questions_are_still_answered(
    fake_discord: FakeDiscord, corpus: Path, tmp_path: Path, postgres_url: str, postgres_cluster: Cluster,
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr("bot.postgres.CONNECT_TIMEOUT", 1)  # how long a store call waits for a connection
    fake = fake_discord
    database = postgres_url.rsplit("/", 1)[1]
    bot = start_bot(bot_settings(fake, corpus, tmp_path / "state", postgres_url))
    async with fake.running(bot):
        await fake.send_message(fake.news, fake.member, "What did Rutte say?")
        await fake.wait_for_message(shown, timeout=10)
        with postgres_cluster.admin() as conn:  # the server refuses the bot from now on
            conn.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS false')
            conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (database,))
        await fake.send_message(fake.news, fake.member, "What did Peskov say?")
        answer = await fake.wait_for_message(shown, timeout=15)
        assert "Peskov" in embed_text(answer) and not answer.components  # answered; no buttons, as nothing was stored
        report = await fake.invoke_command("report", {}, user=fake.moderator)
        assert "saved state" in json.dumps((await report.wait_callback()).data)
        with postgres_cluster.admin() as conn:
            conn.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS true')
        await asyncio.to_thread(wait_for_the_state, bot.store)
        await fake.send_message(fake.news, fake.member, "What did Rubio say?")
        assert (await fake.wait_for_message(shown, timeout=15)).components  # stored again
        assert fake.errors == []
    bot.store.close()
    assert any(r.getMessage().startswith("event=store outcome=unavailable") for r in caplog.records)
    assert "Traceback" not in caplog.text
    with psycopg.connect(postgres_url) as conn:
        asked = [q for (q,) in conn.execute("SELECT question FROM answers ORDER BY id")]
    assert asked == ["What did Rutte say?", "What did Rubio say?"]


def test_newsdesk_run_keeps_its_state_on_postgresql(tmp_path: Path, corpus: Path, postgres_url: str, postgres_cluster: Cluster) -> None:
    async def ask(fake: FakeDiscord) -> None:
        await fake.send_message(fake.news, fake.member, "What did Rutte say?")
        assert "Russia remains" in embed_text(await fake.wait_for_message(shown, timeout=15))

    # The password comes from libpq's own variable, as the README says to give it.
    url = postgres_url.replace(f":{postgres_cluster.password}@", "@")
    code, log = run_newsdesk(corpus, tmp_path / "state", ask, NEWSDESK_STORE__URL=url, PGPASSWORD=postgres_cluster.password)
    assert code == 0, log
    assert "Traceback" not in log and postgres_cluster.password not in log
    assert not (tmp_path / "state" / "newsdesk.db").exists()
    with psycopg.connect(postgres_url) as conn:
        assert [q for (q,) in conn.execute("SELECT question FROM answers")] == ["What did Rutte say?"]


def test_newsdesk_run_without_its_postgresql_server_says_so_in_one_line(tmp_path: Path) -> None:
    environ = {
        **{k: v for k, v in os.environ.items() if k.startswith(("PATH", "PYTHON", "VIRTUAL_ENV"))},
        "DISCORD_TOKEN": "fake-token",
        "NEWSDESK_INDEX__STATE_DIR": str(tmp_path / "state"),
        "NEWSDESK_STORE__URL": f"postgresql://newsdesk:hunter2@127.0.0.1:{free_port()}/newsdesk",
    }
    done = subprocess.run([sys.executable, "-m", "bot.cli", "run"], cwd=ROOT, env=environ, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    [line] = [line for line in done.stderr.splitlines() if line.startswith("newsdesk:")]
    assert "postgresql://newsdesk@127.0.0.1:" in line and "cannot be opened" in line and "Connection refused" in line
    assert "hunter2" not in done.stderr and "Traceback" not in done.stderr and "index ready" not in done.stderr


# -- /report ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("store_location", STORES, indirect=True)
async def test_report_lists_the_gaps_most_frequent_first(newsdesk: Harness) -> None:
    fake = newsdesk.fake
    for question in ("What did Macron say?", "what did macron say?", "Who won the Super Bowl?"):
        await newsdesk.ask(question, channel=fake.news)
    answer = await newsdesk.ask("What did Rutte say?", channel=fake.news)
    down = next(c for row in answer.components for c in row["components"] if c.get("custom_id", "").startswith("nd:down"))
    await (await fake.click(answer, down["custom_id"], user=fake.owner)).wait_callback()

    interaction = await newsdesk.command("report", {"days": 7}, user=fake.moderator)
    report = (await interaction.wait_callback()).data["embeds"][0]
    fields = {f["name"]: f["value"] for f in report["fields"]}
    assert fields["Not answered (3)"].splitlines() == ["2\u00d7 what did macron say?", "1\u00d7 who won the super bowl?"]
    assert fields["Marked \U0001f44e (1)"] == "1\u00d7 what did rutte say?"
    refused = await newsdesk.command("report", {}, user=fake.member)
    assert "Only moderators" in (await refused.wait_callback()).data["content"]


@pytest.mark.parametrize("store_location", STORES, indirect=True)
def test_report_command_line(
    tmp_path: Path, store_location: Path | str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.cli import main

    store = Store(store_location)
    store.record_answer(question="Who is Okafor?", answer={"found": False}, guild_id=1, channel_id=1, user_id=1, latency_ms=1)
    store.close()
    monkeypatch.setenv("NEWSDESK_INDEX__STATE_DIR", str(tmp_path / "state"))
    if isinstance(store_location, str):
        monkeypatch.setenv("NEWSDESK_STORE__URL", store_location)
    assert main(["--config", str(ROOT / "config" / "newsdesk.toml"), "report", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["unanswered"] == [{"question": "who is okafor?", "count": 1}]


# -- /settings -------------------------------------------------------------------------------------


@pytest.mark.parametrize("store_location", STORES, indirect=True)
async def test_server_settings_change_behaviour_and_survive_a_restart(
    fake_discord: FakeDiscord, corpus: Path, tmp_path: Path, store_location: Path | str
) -> None:
    fake = fake_discord
    fake.identify_window = 0  # it restarts the bot within Discord's 5 s session start limit, which is not what it tests
    settings = bot_settings(fake, corpus, tmp_path / "state", store_location, ask_channels=[])
    helper_role = fake.add_role("Helper")
    helper = fake.add_member("helper", helper_role)
    bot = start_bot(settings)
    async with fake.running(bot):
        refused = await fake.invoke_command("settings", {"action": "add", "channel": fake.general}, subcommand="ask-channel", user=fake.member)
        assert "Manage Server" in (await refused.wait_callback()).data["content"]
        for sub, options in (
            ("ask-channel", {"action": "add", "channel": fake.general}),
            ("moderator-role", {"action": "add", "role": helper_role}),
            ("cooldown", {"questions": 1, "seconds": 60}),
            ("threads", {"enabled": True}),
            ("moderator-channel", {"channel": fake.news}),
        ):
            done = await fake.invoke_command("settings", options, subcommand=sub, user=fake.owner)
            assert (await done.wait_callback()).data["content"] == "Saved."
        shown_settings = await fake.invoke_command("settings", {}, subcommand="show", user=fake.owner)
        card = json.dumps((await shown_settings.wait_callback()).data)
        assert str(fake.general.id) in card and f"<@&{helper_role.id}>" in card and "1 questions per 60 s" in card
    bot.store.close()

    bot = start_bot(settings)  # a restart: the settings come back from the database
    async with fake.running(bot):
        question = await fake.send_message(fake.general, fake.member, "What did Rutte say?")
        answer = await fake.wait_for_message(shown, timeout=10)
        assert answer.channel_id != fake.general.id  # in a thread started from the question
        thread = fake.channel(answer.channel_id)
        assert thread.type == 11 and thread.parent_id == fake.general.id and "Russia remains" in embed_text(answer)
        assert question.id
        held = await fake.send_message(fake.general, fake.member, "What did Peskov say?")
        for _ in range(100):
            if fake.reactions:
                break
            await asyncio.sleep(0.02)
        assert fake.reactions == [(held.id, "\u23f3")]  # over the server's cooldown: a ⏳, no message
        refresh = await fake.invoke_command("refresh", {}, user=helper, channel=fake.general)
        assert (await refresh.wait_callback()).type == 5  # the Helper role now counts as moderator
        await fake.wait_for_message(shown, timeout=10)
        assert fake.all_pings() == set() and fake.errors == []
    bot.store.close()


# -- health and metrics ----------------------------------------------------------------------------


async def test_health_and_metrics_endpoint(fake_discord: FakeDiscord, corpus: Path, tmp_path: Path) -> None:
    settings = bot_settings(fake_discord, corpus, tmp_path / "state")
    settings = settings.model_copy(update={"http": settings.http.model_copy(update={"enabled": True, "port": 0})})
    bot = start_bot(settings)
    async with fake_discord.running(bot):
        assert bot.health is not None
        base = f"http://127.0.0.1:{bot.health.port}"
        await fake_discord.send_message(fake_discord.news, fake_discord.member, "What did Rutte say?")
        await fake_discord.wait_for_message(shown, timeout=10)
        await fake_discord.send_message(fake_discord.news, fake_discord.member, "What did Macron say?")
        await fake_discord.wait_for_message(shown, timeout=10)
        async with aiohttp.ClientSession() as session:
            async with session.get(f"{base}/healthz") as response:
                health = await response.json()
                assert response.status == 200
            async with session.get(f"{base}/metrics") as response:
                metrics = await response.text()
        assert health["status"] == "ok" and health["gateway"]["connected"]
        assert health["index"]["passages"] == bot.desk.coverage.passage_count and health["index"]["age_seconds"] >= 0
        assert 'newsdesk_questions_total{outcome="found"} 1.0' in metrics
        assert 'newsdesk_questions_total{outcome="not_found"} 1.0' in metrics
        assert "newsdesk_found_ratio 0.5" in metrics
        assert "newsdesk_answer_latency_seconds_bucket" in metrics and "newsdesk_refreshes_total" in metrics
        assert "newsdesk_errors_total 0.0" in metrics and "newsdesk_gateway_latency_seconds" in metrics
    async with aiohttp.ClientSession() as session:
        with pytest.raises(aiohttp.ClientError):
            await session.get(f"{base}/healthz")
    bot.store.close()


# -- the schedule ------------------------------------------------------------------------------------


async def test_scheduled_refresh_reports_changes_and_stale_or_failing_sources_once(
    fake_discord: FakeDiscord, corpus: Path, tmp_path: Path
) -> None:
    fake = fake_discord
    async with serve_pages() as site:
        settings = bot_settings(fake, corpus, tmp_path / "state", moderator_channel=fake.news.id)
        settings = settings.model_copy(
            update={
                "feeds": settings.feeds.model_copy(update={"urls": [f"{site}/missing.rss"], "interval_minutes": 0}),
                "schedule": settings.schedule.model_copy(update={"stale_hours": 0.0001}),
                "ingest": settings.ingest.model_copy(update={"allow_private": True}),
            }
        )
        bot = start_bot(settings)
        async with fake.running(bot):
            admin = bot.get_cog("Admin")
            (corpus / "bridge.md").write_text("Bridge Reopens\n\nOfficials said the bridge reopened on Monday after repairs.\n")
            time.sleep(0.5)  # so the folder is older than stale_hours once it stops changing
            await admin.run_schedule()
            first = list(fake.channel_messages(fake.news.id))
            text = "\n".join(embed_text(m) + m.content for m in first)
            assert "Added (1)" in text and "bridge.md" in text
            assert f"feed {site}/missing.rss is failing" in text and "has not changed" in text
            before = len(fake.channel_messages(fake.news.id))
            await admin.run_schedule()  # nothing new: neither the diff nor the same warnings again
            assert len(fake.channel_messages(fake.news.id)) == before
            assert bot.store.last_refresh().by == "schedule"
        bot.store.close()


# -- logs and shutdown ---------------------------------------------------------------------------


async def test_logs_one_line_per_event_without_token_or_other_content(
    fake_discord: FakeDiscord, corpus: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    settings = bot_settings(fake_discord, corpus, tmp_path / "state")
    bot = start_bot(settings)
    async with fake_discord.running(bot, token="SECRET-TOKEN-123"):
        await fake_discord.send_message(fake_discord.general, fake_discord.member, "lunch at noon, secret recipe inside")
        await fake_discord.send_message(fake_discord.news, fake_discord.member, "What did Rutte say?")
        await fake_discord.wait_for_message(shown, timeout=10)
        interaction = await fake_discord.invoke_command("about", {}, user=fake_discord.member)
        await interaction.wait_callback()
        await asyncio.sleep(0.05)
    bot.store.close()
    lines = [r.getMessage() for r in caplog.records]
    assert any(line.startswith("event=answer guild=") and "latency_ms=" in line for line in lines)
    assert any(line.startswith("event=command name=about") and "outcome=ok" in line for line in lines)
    leaks = [(r.name, r.getMessage()[:80]) for r in caplog.records if "SECRET-TOKEN-123" in r.getMessage() or "secret recipe" in r.getMessage()]
    assert leaks == []


async def test_graceful_shutdown_finishes_answers_in_flight(fake_discord: FakeDiscord, corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_ask = Desk.ask

    def slow_ask(self: Desk, question: str, *, top: int | None = None):  # noqa: ANN202
        time.sleep(0.5)
        return real_ask(self, question, top=top)

    monkeypatch.setattr(Desk, "ask", slow_ask)
    settings = bot_settings(fake_discord, corpus, tmp_path / "state")
    bot = start_bot(settings)
    async with fake_discord.running(bot):
        await fake_discord.send_message(fake_discord.news, fake_discord.member, "What did Rutte say?")
        await asyncio.sleep(0.1)
        await bot.shutdown(timeout=5)
        answer = await fake_discord.wait_for_message(shown, timeout=5)
        assert "Russia remains" in embed_text(answer)
        assert bot.is_closed()
    wal = Path(f"{bot.store.path}-wal")
    assert not wal.exists() or wal.stat().st_size == 0


def test_sigterm_stops_newsdesk_run_cleanly(tmp_path: Path, corpus: Path) -> None:
    code, log = run_newsdesk(corpus, tmp_path / "state")
    assert code == 0, log
    assert "event=shutdown outcome=done" in log and "Traceback" not in log


async def test_interaction_tokens_never_reach_the_log_even_at_debug(
    fake_discord: FakeDiscord, corpus: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    fake = fake_discord
    bot = start_bot(bot_settings(fake, corpus, tmp_path / "state"))
    async with fake.running(bot):
        await fake.invoke_command("ask", {"question": "How many civilians were killed in the Sumy strike?"})  # deferred, then webhook followups
        answer = await fake.wait_for_message(shown, timeout=10)
        full = next(c["custom_id"] for row in answer.components for c in row["components"] if ":full:" in c.get("custom_id", ""))
        await (await fake.click(answer, full)).wait_callback()
        await fake.wait_for_message(shown, timeout=10)
        about = await fake.invoke_command("about", {})
        await about.wait_callback()
        await asyncio.sleep(0.05)
    bot.store.close()
    tokens = [ia.token for ia in fake.interactions.values()]
    assert len(tokens) == 3
    logged = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    assert any("/interactions/" in m and "/[redacted]/callback" in m for m in logged.splitlines())  # logged, redacted
    assert [t for t in tokens if t in logged] == []


def test_redaction_covers_every_form_a_token_is_logged_in() -> None:
    from bot.logs import redact

    assert redact("POST https://discord.com/api/v10/interactions/123/aW50ZXJhY3Rpb24.abc-_x/callback?with_response=1") == (
        "POST https://discord.com/api/v10/interactions/123/[redacted]/callback?with_response=1"
    )
    assert redact("PATCH /api/v10/webhooks/55/tok.en-1_x/messages/@original") == "PATCH /api/v10/webhooks/55/[redacted]/messages/@original"
    assert redact("""{'type': 2, 'token': 'abc.def', "token": "ghi"}""") == """{'type': 2, 'token': '[redacted]', "token": "[redacted]"}"""
    assert redact("GET /api/v10/channels/1/messages") == "GET /api/v10/channels/1/messages"
