"""A damaged SQLite file: kept aside with its -wal/-shm, a fresh one started, questions answered throughout."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest

from bot.store import Store
from tests.bot.conftest import bot_settings, custom_ids, embed_text, run_newsdesk, shown, start_bot
from tests.conftest import ROOT
from tests.fakediscord.server import FakeDiscord

GARBAGE = b"\x13\x37 this is not a database " * 4096



def damage(db: Path) -> None:
    """Garbage over the database and its write-ahead log and shared memory, as a bad disk or a stray write would leave it."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").write_bytes(GARBAGE)


def kept_aside(state: Path) -> list[Path]:
    return sorted(state.glob("newsdesk.db.damaged-*"))


def a_used_database(state: Path) -> Path:
    store = Store(state / "newsdesk.db")
    store.record_answer(question="Who is Okafor?", answer={"found": False}, guild_id=1, channel_id=1, user_id=1, latency_ms=1)
    store.close()
    return state / "newsdesk.db"


async def test_a_damaged_database_is_kept_aside_and_the_bot_starts_fresh(
    fake_discord: FakeDiscord, corpus: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    state = tmp_path / "state"
    damage(a_used_database(state))
    bot = start_bot(bot_settings(fake_discord, corpus, state))
    async with fake_discord.running(bot):
        await fake_discord.send_message(fake_discord.news, fake_discord.member, "What did Rutte say?")
        answer = await fake_discord.wait_for_message(shown, timeout=10)
        assert "Russia remains" in embed_text(answer)
        voted = await fake_discord.click(answer, next(c for c in custom_ids(answer) if ":up:" in c))
        assert (await voted.wait_callback()).type == 7  # the fresh database has the answer its buttons need
    bot.store.close()
    kept = kept_aside(state)
    [main] = [p for p in kept if not p.name.endswith(("-wal", "-shm"))]
    assert main.read_bytes() == GARBAGE and Path(f"{main}-wal").read_bytes() == GARBAGE and Path(f"{main}-shm").is_file()
    fresh = sqlite3.connect(state / "newsdesk.db")
    assert fresh.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    assert [q for (q,) in fresh.execute("SELECT question FROM answers")] == ["What did Rutte say?"]
    fresh.close()
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("event=store outcome=damaged")]
    assert len(lines) == 1 and str(main) in lines[0] and ".recover" in lines[0]
    assert not any(r.exc_info for r in caplog.records if r.name.startswith("newsdesk"))


async def test_damaged_while_running_questions_are_still_answered(
    fake_discord: FakeDiscord, corpus: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    fake = fake_discord
    fake.identify_window = 0  # it restarts the bot within Discord's 5 s session start limit, which is not what it tests
    state = tmp_path / "state"
    bot = start_bot(bot_settings(fake, corpus, state))
    async with fake.running(bot):
        damage(state / "newsdesk.db")
        await fake.send_message(fake.news, fake.member, "What did Rutte say?")
        answer = await fake.wait_for_message(shown, timeout=10)
        assert "Russia remains" in embed_text(answer)
        report = await fake.invoke_command("report", {}, user=fake.moderator)
        assert "embeds" in (await report.wait_callback()).data
        assert len([p for p in kept_aside(state) if not p.name.endswith(("-wal", "-shm"))]) == 1

        # Damaged again at once: no second reopen so soon, so the state is unavailable — and answers still come.
        damage(state / "newsdesk.db")
        await fake.send_message(fake.news, fake.member, "What did Peskov say?")
        answer = await fake.wait_for_message(shown, timeout=10)
        assert "Peskov" in embed_text(answer)
        about = await fake.invoke_command("about", {}, user=fake.member)
        assert "embeds" in (await about.wait_callback()).data
        await fake.invoke_command("refresh", {}, user=fake.owner)
        assert "Index refreshed" in embed_text(await fake.wait_for_message(shown, timeout=10))
        assert fake.errors == []
    bot.store.close()
    messages = [r.getMessage() for r in caplog.records]
    assert any(m.startswith("event=store outcome=damaged") for m in messages)
    assert any(m.startswith("event=store outcome=unavailable") for m in messages)

    bot = start_bot(bot_settings(fake, corpus, state))  # the next start sets the second damage aside too
    async with fake.running(bot):
        await fake.send_message(fake.news, fake.member, "What did Rubio say?")
        assert "Rubio" in embed_text(await fake.wait_for_message(shown, timeout=10))
    bot.store.close()
    assert len([p for p in kept_aside(state) if not p.name.endswith(("-wal", "-shm"))]) == 2


def test_report_on_a_damaged_database_says_what_to_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.cli import main

    db = a_used_database(tmp_path)
    damage(db)
    monkeypatch.setenv("NEWSDESK_INDEX__STATE_DIR", str(tmp_path))
    assert main(["--config", str(ROOT / "config" / "newsdesk.toml"), "report"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and "Traceback" not in err
    [line] = err.strip().splitlines()
    assert "is damaged" in line and str(db) in line and ".recover" in line and "newsdesk run" in line
    assert db.read_bytes() == GARBAGE and kept_aside(tmp_path) == []  # a report only reads: nothing is moved


def test_newsdesk_run_on_a_damaged_database_starts_and_says_so(tmp_path: Path, corpus: Path) -> None:
    state = tmp_path / "state"
    damage(a_used_database(state))

    async def ask(fake: FakeDiscord) -> None:
        await fake.send_message(fake.news, fake.member, "What did Rutte say?")
        answer = await fake.wait_for_message(shown, timeout=15)
        assert "Russia remains" in embed_text(answer)

    code, log = run_newsdesk(corpus, state, ask)
    assert code == 0, log
    assert "Traceback" not in log
    notices = [line for line in log.splitlines() if line.startswith("newsdesk: the state database")]
    assert len(notices) == 1 and "kept as" in notices[0] and "fresh one" in notices[0], log
    assert len(kept_aside(state)) == 3  # the database with its -wal and -shm
