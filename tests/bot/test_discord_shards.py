"""Sharding: the real bot on shards of the loopback Discord — each server answered by the bot holding its
shard, IDENTIFYs spaced per bucket by the identify gate, and what happens without a shared gate."""

from __future__ import annotations

import asyncio
import contextlib
import re
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from bot.client import NewsdeskBot, create_bot
from bot.identify import ARRIVAL_MARGIN_SECONDS, IdentifyGate, LocalIdentifyGate
from bot.settings import ConfigError, Settings, load_settings
from bot.shards import ShardedNewsdeskBot
from bot.store import Store
from index.desk import Desk
from tests.bot.conftest import bot_settings, embed_text, run_newsdesk
from tests.fakediscord.models import Guild, IdentifyRecord
from tests.fakediscord.server import FakeDiscord

WINDOW = 1.0  # the fake's session start window here: Discord's is 5 s


def two_shard_world() -> tuple[FakeDiscord, Guild]:
    """A fake whose default server is on shard 0 of 2, with a second server on shard 1; one bucket."""
    fake = FakeDiscord(identify_window=WINDOW, max_concurrency=1, guild_shard=(0, 2))
    return fake, fake.add_guild("Second Newsroom", shard=(1, 2))


@contextlib.asynccontextmanager
async def serving(fake: FakeDiscord) -> AsyncIterator[list[NewsdeskBot]]:
    """The fake started; the bots put in the list get their stores closed afterwards."""
    await fake.start()
    bots: list[NewsdeskBot] = []
    try:
        yield bots
    finally:
        for bot in bots:
            bot.store.close()
        await fake.stop()


def sharded_bot(bots: list[NewsdeskBot], fake: FakeDiscord, other: Guild, corpus: Path, state: Path,
                shard_ids: list[int], gate: IdentifyGate | None) -> NewsdeskBot:
    settings = bot_settings(fake, corpus, state, ask_channels=[fake.news.id, other.channel("news").id],
                            shard_ids=shard_ids, shard_count=2, identify_window_seconds=WINDOW)
    desk = Desk(settings.corpus_folders, settings.state_dir, top=settings.answers.top)
    desk.open()
    bot = create_bot(settings, desk, Store(settings.store_location), identify_gate=gate,
                     guild_ready_timeout=0.05)
    bots.append(bot)
    return bot


def answered_guilds(store: Store) -> set[int]:
    db = sqlite3.connect(store.path)
    try:
        return {row[0] for row in db.execute("SELECT guild_id FROM answers")}
    finally:
        db.close()


def accepted(fake: FakeDiscord) -> list[IdentifyRecord]:
    return [r for r in fake.gateway.identify_log if r.accepted]


async def ask_in(fake: FakeDiscord, guild: Guild, question: str) -> Any:
    news = guild.channel("news")
    await fake.send_message(news, guild.members[-1], question)
    return await fake.wait_for_message(lambda m: m.channel_id == news.id and bool(m.embeds or m.content), timeout=10)


# -- settings and the command line -----------------------------------------------------------


@pytest.mark.parametrize("shards, problem", [
    ({"shard_ids": [0, 4], "shard_count": 4}, "shard_ids [4] not in 0..3"),
    ({"shard_ids": [1, 1], "shard_count": 4}, "shard_ids lists [1] more than once"),
    ({"shard_ids": [0]}, "shard_ids needs shard_count"),
    ({"shard_ids": [], "shard_count": 2}, "shard_ids is empty"),
    ({"shard_count": 0}, "discord.shard_count: Input should be greater than or equal to 1"),
])
def test_shard_settings_are_validated(shards: dict[str, Any], problem: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(problem)):
        load_settings(environ={}, discord=shards)


def test_command_line_shards_override_the_config(capsys: pytest.CaptureFixture[str]) -> None:
    configured = load_settings(environ={}, discord={"shard_ids": [2, 3], "shard_count": 4})
    assert configured.with_shards([0, 1], None).discord.shard_ids == [0, 1]
    assert configured.with_shards(None, None).discord == configured.discord
    assert main(["run", "--shard-ids", "0,4", "--shard-count", "4"]) == 2
    assert "shard_ids [4] not in 0..3 (shard_count is 4)" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["run", "--shard-ids", "zero"])
    assert "not a comma-separated list of shard numbers" in capsys.readouterr().err


async def test_unsharded_settings_build_the_unsharded_bot(seeds_dir: Path, tmp_path: Path) -> None:
    fake, _ = two_shard_world()
    async with serving(fake) as bots:
        settings: Settings = bot_settings(fake, seeds_dir, tmp_path / "state")
        bots.append(create_bot(settings, Desk(settings.corpus_folders, settings.state_dir), Store(tmp_path / "state.db")))
    assert type(bots[0]) is NewsdeskBot and settings.discord.shard_count is None


# -- the identify gate -----------------------------------------------------------------------


async def test_the_local_gate_spaces_turns_within_a_bucket_only() -> None:
    gate = LocalIdentifyGate(0.2)
    turns: list[tuple[int, float]] = []
    loop = asyncio.get_running_loop()

    async def take(bucket: int) -> None:
        await gate.wait_turn(bucket)
        turns.append((bucket, loop.time()))

    await asyncio.gather(take(0), take(0), take(1), take(0))
    zero = [at for bucket, at in turns if bucket == 0]
    assert len(zero) == 3 and all(b - a >= 0.2 + ARRIVAL_MARGIN_SECONDS - 0.01 for a, b in zip(zero, zero[1:]))
    assert [bucket for bucket, _ in turns][:2] == [0, 1]  # bucket 1 does not wait behind bucket 0


# -- through the loopback Discord --------------------------------------------------------------


async def test_two_bots_with_disjoint_shards_each_answer_only_their_own_server(corpus: Path, tmp_path: Path) -> None:
    fake, other = two_shard_world()
    gate = LocalIdentifyGate(WINDOW)  # shared, as a database-backed gate is shared between processes
    async with serving(fake) as bots:
        zero = sharded_bot(bots, fake, other, corpus, tmp_path / "zero", [0], gate)
        one = sharded_bot(bots, fake, other, corpus, tmp_path / "one", [1], gate)
        async with fake.running(zero), fake.running(one):
            assert isinstance(zero, ShardedNewsdeskBot) and (zero.shard_ids, zero.shard_count) == ([0], 2)
            assert [g.id for g in zero.guilds] == [fake.guild.id] and [g.id for g in one.guilds] == [other.id]
            here = await ask_in(fake, fake.guild, "What did Rutte say?")
            there = await ask_in(fake, other, "What did Rutte say?")
            assert "Russia remains" in embed_text(here) and "Russia remains" in embed_text(there)
        assert answered_guilds(zero.store) == {fake.guild.id} and answered_guilds(one.store) == {other.id}
    starts = accepted(fake)
    assert fake.gateway.refused == [] and [r.shard for r in starts] == [(0, 2), (1, 2)]
    assert {r.bucket for r in starts} == {0} and starts[1].at - starts[0].at >= WINDOW


async def test_without_a_shared_gate_the_second_identify_is_invalidated_then_retried(corpus: Path, tmp_path: Path) -> None:
    fake, other = two_shard_world()
    async with serving(fake) as bots:
        # Each with a gate of its own: what two processes with nothing shared between them amount to.
        zero = sharded_bot(bots, fake, other, corpus, tmp_path / "zero", [0], None)
        one = sharded_bot(bots, fake, other, corpus, tmp_path / "one", [1], None)
        async with fake.running(zero), fake.running(one):
            there = await ask_in(fake, other, "What did Rutte say?")  # the invalidated shard came back
            assert "Russia remains" in embed_text(there)
    refused = fake.gateway.refused
    assert [(r.shard, r.bucket) for r in refused] == [((1, 2), 0)]
    starts = accepted(fake)
    assert [r.shard for r in starts] == [(0, 2), (1, 2)] and starts[1].at - starts[0].at >= WINDOW


def test_newsdesk_run_holds_two_shards_and_spaces_their_identifies(corpus: Path, tmp_path: Path) -> None:
    fake, other = two_shard_world()
    replies: list[Any] = []

    async def ask_both(fake: FakeDiscord) -> None:
        await fake.wait_ready(timeout=30, shards=[0, 1])
        replies.append(await ask_in(fake, fake.guild, "What did Rutte say?"))
        replies.append(await ask_in(fake, other, "What did Rutte say?"))

    state = tmp_path / "state"
    code, log = run_newsdesk(
        corpus, state, ask_both, fake=fake, args=["--shard-ids", "0,1", "--shard-count", "2"],
        NEWSDESK_DISCORD__ASK_CHANNELS=f"[{fake.news.id}, {other.channel('news').id}]",
        NEWSDESK_DISCORD__IDENTIFY_WINDOW_SECONDS=str(WINDOW),
    )
    assert code == 0 and "Traceback" not in log, log
    assert all("Russia remains" in embed_text(reply) for reply in replies) and len(replies) == 2
    assert "event=shards ids=[0, 1] count=2 max_concurrency=1" in log
    assert "event=identify shard=0 bucket=0" in log and "event=identify shard=1 bucket=0" in log
    starts = accepted(fake)
    assert fake.gateway.refused == [] and [r.shard for r in starts] == [(0, 2), (1, 2)]
    assert starts[1].at - starts[0].at >= WINDOW
    store = Store(state / "newsdesk.db")
    assert answered_guilds(store) == {fake.guild.id, other.id}
    store.close()
