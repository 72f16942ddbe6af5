"""What two bot processes on one PostgreSQL server share, stage by stage (each process a store of its own):
the identify gate per bucket, the index writer lock and its commits announced, a server's settings read again."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.client import NewsdeskBot, create_bot
from bot.identify import ARRIVAL_MARGIN_SECONDS, SharedIdentifyGate
from bot.shared_index import LOCK, SharedIndex
from bot.store import Store
from index.desk import Desk
from index.errors import IndexBusy
from tests.bot.conftest import bot_settings
from tests.bot.test_discord_shards import WINDOW, serving, two_shard_world
from tests.fakediscord.server import FakeDiscord

WAIT = 10.0


async def eventually(check: Callable[[], bool]) -> None:
    deadline = time.monotonic() + WAIT
    while not check():
        assert time.monotonic() < deadline, "did not happen"
        await asyncio.sleep(0.02)


async def test_the_shared_gate_spaces_a_bucket_across_processes_and_not_other_buckets(two: tuple[Store, Store]) -> None:
    window = 0.3
    gates = [SharedIdentifyGate(store.shared, window) for store in two]
    loop = asyncio.get_running_loop()
    turns: list[tuple[int, float]] = []

    async def take(gate: SharedIdentifyGate, bucket: int) -> None:
        await gate.wait_turn(bucket)
        turns.append((bucket, loop.time()))

    await asyncio.gather(take(gates[0], 0), take(gates[1], 0), take(gates[1], 1), take(gates[0], 0))
    zero = sorted(at for bucket, at in turns if bucket == 0)
    assert len(zero) == 3 and all(b - a >= window + ARRIVAL_MARGIN_SECONDS - 0.01 for a, b in zip(zero, zero[1:]))
    one = next(at for bucket, at in turns if bucket == 1)
    assert one < zero[1]  # bucket 1 did not wait behind bucket 0


def desk_on(store: Store, corpus: Path, state: Path) -> tuple[Desk, SharedIndex]:
    publication = SharedIndex(store.shared)
    desk = Desk([corpus], state, publication=publication)
    desk.open(warm=False)
    publication.follow(desk)
    return desk, publication


async def test_a_commit_in_one_process_is_reloaded_by_the_other(two: tuple[Store, Store], corpus: Path, tmp_path: Path) -> None:
    writer, _ = desk_on(two[0], corpus, tmp_path / "state")
    reader, _ = desk_on(two[1], corpus, tmp_path / "state")
    (corpus / "harbour.txt").write_text("Harbour library opens\nThe floating library of Quillmouth opened on Saturday.\n")
    report = await asyncio.to_thread(writer.refresh, by="test")
    assert report.added == ["harbour.txt"]
    await eventually(lambda: "harbour.txt" in reader.coverage.articles)
    assert reader.coverage.passage_count == writer.coverage.passage_count


async def test_a_refresh_waits_for_another_process_writing(two: tuple[Store, Store], corpus: Path, tmp_path: Path) -> None:
    desk, _ = desk_on(two[1], corpus, tmp_path / "state")
    with two[0].shared.acquire(LOCK):
        with pytest.raises(IndexBusy, match="Another newsdesk process is updating the index"):
            await asyncio.to_thread(desk.refresh, wait=0.1)
    assert (await asyncio.to_thread(desk.refresh)).unchanged


async def test_a_process_starting_while_another_writes_answers_from_the_index_as_committed(
    two: tuple[Store, Store], corpus: Path, tmp_path: Path
) -> None:
    first, _ = desk_on(two[0], corpus, tmp_path / "state")
    (corpus / "harbour.txt").write_text("Harbour library opens\nThe floating library of Quillmouth opened on Saturday.\n")
    publication = SharedIndex(two[1].shared)
    late = Desk([corpus], tmp_path / "state", publication=publication)
    with two[0].shared.acquire(LOCK):  # the other process is refreshing: start-up does not update the index
        report = await asyncio.to_thread(late.open, warm=False)
    assert report.busy and "harbour.txt" not in late.coverage.articles
    assert late.coverage.passage_count == first.coverage.passage_count
    publication.follow(late)
    assert (await asyncio.to_thread(first.refresh, by="test")).added == ["harbour.txt"]
    await eventually(lambda: "harbour.txt" in late.coverage.articles)  # brought up to date by the commit


def postgres_bot(bots: list[NewsdeskBot], fake: FakeDiscord, corpus: Path, state: Path, url: str, shard: int) -> NewsdeskBot:
    """Shard ``shard`` of 2, its state on the PostgreSQL database ``url``."""
    settings = bot_settings(fake, corpus, state, url, shard_ids=[shard], shard_count=2, identify_window_seconds=WINDOW)
    desk = Desk(settings.corpus_folders, settings.state_dir)
    desk.open(warm=False)
    bot = create_bot(settings, desk, Store(url), guild_ready_timeout=0.05)
    bots.append(bot)
    return bot


async def test_settings_changed_in_one_process_are_read_again_in_the_other(corpus: Path, tmp_path: Path, postgres_url: str) -> None:
    fake, _ = two_shard_world()
    async with serving(fake) as bots:
        zero, one = (postgres_bot(bots, fake, corpus, tmp_path / f"state-{k}", postgres_url, k) for k in (0, 1))
        async with fake.running(zero), fake.running(one):
            assert one.servers.config(fake.guild.id).threads is False  # now cached in process one
            await fake.invoke_command("settings", {"enabled": True}, user=fake.owner, channel=fake.general, subcommand="threads")
            await eventually(lambda: zero.servers.config(fake.guild.id).threads)
            await eventually(lambda: one.servers.config(fake.guild.id).threads)

