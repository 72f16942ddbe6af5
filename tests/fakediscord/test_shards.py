"""Proves the fake's sharding: guild ids per shard, routing by (guild_id >> 22) % N, DMs to shard 0, and the
IDENTIFY limit (one per bucket per window) — over the raw gateway protocol and with real discord.py clients."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import discord
import pytest
from discord.ext import commands

from .fixtures import guild_id_on_shard, shard_of
from .server import FakeDiscord


@contextlib.asynccontextmanager
async def started(fake: FakeDiscord) -> AsyncIterator[FakeDiscord]:
    await fake.start()
    fake.patch_discord()
    try:
        yield fake
    finally:
        await fake.stop()


class ShardProbe(commands.AutoShardedBot):
    """A throwaway sharded bot that notes the server (None for a DM) of every message it receives."""

    def __init__(self, shard_ids: list[int], shard_count: int) -> None:
        intents = discord.Intents.default()
        intents.message_content = True
        intents.members = True
        super().__init__(command_prefix="!", intents=intents, guild_ready_timeout=0.05,
                         shard_ids=shard_ids, shard_count=shard_count)
        self.seen: list[int | None] = []
        self.got_message = asyncio.Event()

    async def on_message(self, message: discord.Message) -> None:
        self.seen.append(message.guild.id if message.guild else None)
        self.got_message.set()


async def until(condition: Any, timeout: float = 5.0) -> None:
    async def poll() -> None:
        while not condition():  # noqa: ASYNC110 - a condition on plain state, not an event anyone sets
            await asyncio.sleep(0.01)
    await asyncio.wait_for(poll(), timeout)


@pytest.mark.parametrize("count", [1, 2, 3, 16])
def test_guild_ids_land_on_the_shard_asked_for(count: int) -> None:
    for shard in range(count):
        gid = guild_id_on_shard(shard, count)
        assert shard_of(gid, count) == shard == (gid >> 22) % count  # discord.py's own rule
        assert discord.utils.snowflake_time(gid).year >= 2024  # still a current-looking snowflake
    with pytest.raises(ValueError):
        guild_id_on_shard(count, count)


async def test_gateway_bot_reports_shards_and_session_start_limit() -> None:
    async with started(FakeDiscord(max_concurrency=16, recommended_shards=4)) as fake:
        async with aiohttp.ClientSession(headers={"Authorization": "Bot t"}) as http:
            async with http.get(f"{fake.base_url}/api/v10/gateway/bot") as resp:
                body = await resp.json()
    assert body["shards"] == 4 and body["url"] == fake.gateway_url
    assert body["session_start_limit"]["max_concurrency"] == 16 and body["session_start_limit"]["remaining"] == 1000


async def identify(http: aiohttp.ClientSession, fake: FakeDiscord,
                   shard: list[int] | None) -> tuple[aiohttp.ClientWebSocketResponse, Any]:
    """Open a gateway connection, IDENTIFY (with `shard`, if any) and return the first reply after HELLO
    (a payload, or the close code when the gateway closes the connection instead)."""
    ws = await http.ws_connect(fake.gateway_url)
    assert (await ws.receive_json())["op"] == 10
    d: dict[str, Any] = {"token": "t", "intents": 0}
    if shard is not None:
        d["shard"] = shard
    await ws.send_json({"op": 2, "d": d})
    msg = await ws.receive()
    return ws, msg.json() if msg.type is aiohttp.WSMsgType.TEXT else msg.data


async def test_one_identify_per_bucket_per_window() -> None:
    async with started(FakeDiscord(identify_window=60.0, max_concurrency=2)) as fake:
        async with aiohttp.ClientSession() as http:
            ws0, first = await identify(http, fake, [0, 4])
            ws1, other_bucket = await identify(http, fake, [1, 4])  # bucket 1: its own limit
            ws2, same_bucket = await identify(http, fake, [2, 4])  # bucket 0 again, within the window
            for ws in (ws0, ws1, ws2):
                await ws.close()
    assert first["t"] == "READY" and first["d"]["shard"] == [0, 4]
    assert other_bucket["t"] == "READY"
    assert same_bucket == {"op": 9, "d": False, "s": None, "t": None}  # INVALID_SESSION, not resumable
    log = fake.gateway.identify_log
    assert [(r.shard, r.bucket, r.accepted) for r in log] == [((0, 4), 0, True), ((1, 4), 1, True), ((2, 4), 0, False)]
    assert fake.gateway.refused == [log[2]] and log[2].session_id is None
    assert [s.id for s in fake.gateway.sessions] == [log[0].session_id, log[1].session_id]


async def test_identify_after_the_window_is_accepted_and_a_bad_shard_is_closed() -> None:
    async with started(FakeDiscord(identify_window=0.2)) as fake:
        async with aiohttp.ClientSession() as http:
            ws, ready = await identify(http, fake, [0, 2])
            await ws.close()
            await asyncio.sleep(0.25)
            ws, again = await identify(http, fake, [1, 2])
            await ws.close()
            ws, closed = await identify(http, fake, [2, 2])
            assert closed == 4010  # Invalid shard
    assert ready["t"] == again["t"] == "READY" and fake.gateway.refused == []
    assert fake.gateway.identify_log[1].at - fake.gateway.identify_log[0].at >= 0.2


async def test_each_shard_gets_only_its_guilds_and_their_events_dms_go_to_shard_0() -> None:
    # max_concurrency 2: the two clients' shards are in different buckets, so both may start at once.
    fake = FakeDiscord(guild_shard=(0, 2), max_concurrency=2)
    other = fake.add_guild("Second Newsroom", shard=(1, 2))
    second_general = other.channel("general")
    second_member = other.members[-1]
    async with started(fake):
        zero, one = ShardProbe([0], 2), ShardProbe([1], 2)
        async with fake.running(zero), fake.running(one):
            assert [g.id for g in zero.guilds] == [fake.guild.id] and [g.id for g in one.guilds] == [other.id]
            await fake.send_message(fake.general, fake.member, "first")
            await fake.send_message(second_general, second_member, "second")
            await fake.send_dm(fake.member.user, "direct")
            await until(lambda: len(zero.seen) == 2 and len(one.seen) == 1)
            await fake.set_roles(second_member)  # GUILD_MEMBER_UPDATE in the second server
    assert zero.seen == [fake.guild.id, None] and one.seen == [other.id]
    s0, s1 = fake.gateway.session(0), fake.gateway.session(1)
    assert s0 is not None and s1 is not None and s0.shard == (0, 2) and s1.shard == (1, 2)
    assert [d["id"] for d in s0.dispatched("READY")[0]["guilds"]] == [str(fake.guild.id)]
    assert [g["id"] for g in s0.dispatched("GUILD_CREATE")] == [str(fake.guild.id)]
    assert [g["id"] for g in s1.dispatched("GUILD_CREATE")] == [str(other.id)]
    assert [m.get("guild_id") for m in s0.dispatched("MESSAGE_CREATE")] == [str(fake.guild.id), None]
    assert [m.get("guild_id") for m in s1.dispatched("MESSAGE_CREATE")] == [str(other.id)]
    assert s0.dispatched("GUILD_MEMBER_UPDATE") == [] and len(s1.dispatched("GUILD_MEMBER_UPDATE")) == 1


async def test_an_unsharded_client_still_gets_every_guild() -> None:
    fake = FakeDiscord(guild_shard=(0, 2))
    other = fake.add_guild("Second Newsroom", shard=(1, 2))
    async with started(fake):
        bot = commands.Bot(command_prefix="!", intents=discord.Intents.default(), guild_ready_timeout=0.05)
        async with fake.running(bot):
            assert {g.id for g in bot.guilds} == {fake.guild.id, other.id}
    assert fake.gateway.identify_log[0].shard is None and fake.gateway.identifies == 1


async def test_interactions_reach_the_shard_of_their_guild() -> None:
    fake = FakeDiscord(guild_shard=(1, 2), max_concurrency=2)
    other = fake.add_guild("Second Newsroom", shard=(0, 2))
    async with started(fake):
        zero, one = ShardProbe([0], 2), ShardProbe([1], 2)
        answered: dict[str, int | None] = {}

        def where(name: str) -> Any:
            async def callback(interaction: discord.Interaction) -> None:
                answered[name] = interaction.guild_id
                await interaction.response.send_message(name)
            return discord.app_commands.Command(name="where", description="which client answers", callback=callback)

        zero.tree.add_command(where("zero"))
        one.tree.add_command(where("one"))

        async with fake.running(zero), fake.running(one):
            await zero.tree.sync()
            here = await fake.invoke_command("where")  # in the default guild: shard 1
            there = await fake.invoke_command("where", channel=other.channel("general"), user=other.members[-1])
            await here.wait_callback()
            await there.wait_callback()
    assert answered == {"one": fake.guild.id, "zero": other.id}
    assert here.original is not None and here.original.content == "one"
    assert there.original is not None and there.original.content == "zero"
