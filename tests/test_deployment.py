"""End to end, the deployment beyond one machine on one machine: PostgreSQL, Xapian shard servers, the
loopback Discord with servers on four shards, and two real ``newsdesk run`` processes holding two each.

One scenario (marked ``e2e``: it starts every server the deployment has), checked in order: each
Discord server is answered by the process holding its shard; a 👍 on one process's answer, delivered
to the other, lands in the database; IDENTIFYs in a bucket come at least the window apart across the
processes; only one process runs the scheduled refresh; after ``newsdesk add`` commits an article
through the writable servers, both processes answer from it; a shard server killed makes the answer
"search unavailable", and answering comes back with the server.

The Xapian arrangement is the engine's: every shard has a read-only server the bots read through
and a writable one on the same database folder that the indexer writes through (here two shards,
so two of each); the issue's "two read-only, one writable" is the one-shard case of it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import signal
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import psycopg
import pytest

from bot.settings import load_settings
from index.desk import Desk
from tests.bot.conftest import embed_text
from tests.conftest import ROOT
from tests.fakediscord.models import Guild
from tests.fakediscord.server import FakeDiscord
from tests.index.shards import ShardServers, free_port, need_xapian

pytestmark = pytest.mark.e2e

WINDOW = 1.0  # the loopback Discord's session start window (Discord's is 5 s)
SHARDS = 4
NEW_ARTICLE = """\
Harbour town opens floating library
The coastal town of Quillmouth opened a floating library on a converted ferry on Saturday.
"Every book on board was given by a neighbour," said the harbour master, Edwina Marchbank.
The ferry will visit six villages along the estuary each month.
"""


@dataclass
class Bot:
    """One ``newsdesk run`` process and where its log goes."""

    name: str
    shard_ids: list[int]
    http_port: int
    log: Path
    process: asyncio.subprocess.Process | None = None

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def answered(self) -> set[int]:
        return {int(g) for g in re.findall(r"event=answer guild=(\d+)", self.text())}


def environment(settings: dict[str, str]) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if k.startswith(("PATH", "PYTHON", "VIRTUAL_ENV", "HOME"))}
    return {**keep, "DISCORD_TOKEN": "fake-token", **settings}


async def start(bot: Bot, env: dict[str, str]) -> None:
    with bot.log.open("wb") as log:
        bot.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", "run", "--shard-ids", ",".join(map(str, bot.shard_ids)), "--shard-count", str(SHARDS),
            cwd=ROOT, env={**env, "NEWSDESK_HTTP__PORT": str(bot.http_port)}, stdout=log, stderr=log,
        )


async def stop(bot: Bot) -> int | None:
    process = bot.process
    if process is None or process.returncode is not None:
        return process.returncode if process else None
    process.send_signal(signal.SIGTERM)  # a bot process is stopped by its own PID
    try:
        return await asyncio.wait_for(process.wait(), 30)
    except TimeoutError:
        process.kill()
        return await process.wait()


async def ask(fake: FakeDiscord, guild: Guild, question: str) -> Any:
    news = guild.channel("news")
    await fake.send_message(news, guild.members[-1], question)
    return await fake.wait_for_message(lambda m: m.channel_id == news.id and bool(m.embeds or m.content), timeout=20)


def reply_text(message: Any) -> str:
    return f"{message.content}\n{embed_text(message)}"


async def health(port: int) -> dict[str, Any]:
    async with aiohttp.ClientSession() as session, session.get(f"http://127.0.0.1:{port}/healthz") as response:
        body: dict[str, Any] = await response.json()
        return body


async def eventually(check: Any, timeout: float = 15.0) -> None:
    """Wait until ``check()`` is true (polling), or fail with what it last saw."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"not true within {timeout} s: {check}")
        await asyncio.sleep(0.1)


@contextlib.asynccontextmanager
async def running(bots: list[Bot], env: dict[str, str]) -> AsyncIterator[None]:
    try:
        for bot in bots:
            await start(bot, env)
        yield
    finally:
        codes = [await stop(bot) for bot in bots]
        for bot, code in zip(bots, codes):
            assert code == 0, f"{bot.name} exited with {code}:\n{bot.text()[-3000:]}"
            assert "Traceback" not in bot.text(), bot.text()[-3000:]


async def test_two_bot_processes_over_postgresql_and_xapian_shards(corpus: Path, tmp_path: Path, postgres_url: str) -> None:
    need_xapian()
    servers = ShardServers(tmp_path / "shards", 2)
    servers.start()
    fake = FakeDiscord(identify_window=WINDOW, max_concurrency=2, guild_shard=(0, SHARDS))
    guilds = [fake.guild, *(fake.add_guild(f"Newsroom {k}", shard=(k, SHARDS)) for k in range(1, SHARDS))]
    await fake.start()
    state = tmp_path / "state"  # shared by both processes: the index's manifest (the article table) is in it
    settings = {
        "NEWSDESK_DISCORD__API_BASE": f"{fake.base_url}/api/v10",
        "NEWSDESK_DISCORD__GATEWAY_URL": fake.gateway_url,
        "NEWSDESK_DISCORD__ASK_CHANNELS": json.dumps([g.channel("news").id for g in guilds]),
        "NEWSDESK_DISCORD__COOLDOWN_SECONDS": "0",
        "NEWSDESK_DISCORD__IDENTIFY_WINDOW_SECONDS": str(WINDOW),
        "NEWSDESK_INDEX__STATE_DIR": str(state),
        "NEWSDESK_INDEX__ENGINE": "xapian",
        "NEWSDESK_INDEX__SHARDS": json.dumps(servers.settings()),
        "NEWSDESK_INDEX__TIMEOUT_SECONDS": "3",
        "NEWSDESK_CORPUS__FOLDERS": json.dumps([str(corpus)]),
        "NEWSDESK_STORE__URL": postgres_url,
        "NEWSDESK_SCHEDULE__REFRESH_MINUTES": "0.02",  # every 1.2 s
        "NEWSDESK_HTTP__ENABLED": "true",
    }
    env = environment(settings)
    # The shards built once beforehand, as `newsdesk index` would.
    built = load_settings(ROOT / "config" / "newsdesk.toml", environ={k: v for k, v in settings.items() if k.startswith("NEWSDESK_")})
    await asyncio.to_thread(Desk(built.corpus_folders, built.state_dir, backend=built.backend()).open, warm=False)
    one = Bot("one", [0, 1], free_port(), tmp_path / "one.log")
    two = Bot("two", [2, 3], free_port(), tmp_path / "two.log")
    try:
        async with running([one, two], env):
            await fake.wait_ready(timeout=60, shards=list(range(SHARDS)))

            # Each server answered by the process holding its shard.
            replies = [await ask(fake, guild, "What did Rutte say?") for guild in guilds]
            assert all("Russia remains" in embed_text(r) for r in replies), [reply_text(r) for r in replies]
            await eventually(lambda: len(one.answered() | two.answered()) == SHARDS)
            assert one.answered() == {guilds[0].id, guilds[1].id} and two.answered() == {guilds[2].id, guilds[3].id}

            # A 👍 on process one's answer, delivered to process two, is recorded in the one database.
            first = replies[0]
            up = next(c["custom_id"] for row in first.components for c in row["components"] if c.get("custom_id", "").startswith("nd:up:"))
            session_two = fake.gateway.session(2)
            assert session_two is not None
            clicked = await fake.click(first, up, user=guilds[0].members[-1], via=session_two)
            assert (await clicked.wait_callback()).type == 7  # the card updated in place: the vote shows on its button
            with psycopg.connect(postgres_url) as db:
                votes = db.execute("SELECT answer_id, vote FROM feedback").fetchall()
            assert votes == [(int(up.rsplit(":", 1)[1]), 1)]

            # IDENTIFYs per bucket (shard % 2) at least the window apart, across both processes.
            starts = [r for r in fake.gateway.identify_log if r.accepted]
            assert fake.gateway.refused == [] and sorted(r.shard[0] for r in starts if r.shard) == list(range(SHARDS))
            for bucket in (0, 1):
                times = sorted(r.at for r in starts if r.bucket == bucket)
                assert len(times) == 2 and times[1] - times[0] >= WINDOW

            # One leader runs the scheduled refresh; the other skips it.
            await eventually(lambda: "event=scheduled_refresh pid=" in one.text() + two.text())
            await eventually(lambda: "reason=not_leader" in one.text() + two.text())
            leaders = [bot for bot in (one, two) if "event=scheduled_refresh pid=" in bot.text()]
            assert len(leaders) == 1
            states = {bot.name: (await health(bot.http_port))["process"] for bot in (one, two)}
            assert states["one"]["shard_ids"] == [0, 1] and states["two"]["shard_ids"] == [2, 3]
            assert sorted(s["leader"] for s in states.values()) == [False, True]

            # An article added through the writable servers: both processes answer from it.
            article = tmp_path / "floating-library.txt"
            article.write_text(NEW_ARTICLE)
            added = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot.cli", "add", str(article), cwd=ROOT, env=env,
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
            )
            output, _ = await asyncio.wait_for(added.communicate(), 60)
            assert added.returncode == 0, output.decode()
            for bot in (one, two):
                for _ in range(100):
                    if (await health(bot.http_port))["index"]["articles"] == 6:
                        break
                    await asyncio.sleep(0.1)
            for guild in (guilds[0], guilds[3]):
                reply = await ask(fake, guild, "What did Edwina Marchbank say about the floating library?")
                assert "given by a neighbour" in embed_text(reply), reply_text(reply)

            # A shard server gone: a clear "search unavailable", then answers again once it is back.
            servers.readers[1].stop()
            down = await ask(fake, guilds[2], "What did Rutte say?")
            assert "Search is unavailable" in reply_text(down), reply_text(down)
            servers.readers[1].start()
            back = await ask(fake, guilds[2], "What did Rutte say?")
            assert "Russia remains" in embed_text(back), reply_text(back)
    finally:
        await fake.stop()
        servers.stop()
