"""A fake Discord (REST + gateway, aiohttp on 127.0.0.1) that a real discord.py client talks to over the wire.

Usage::

    fake = FakeDiscord()
    await fake.start()
    bot = MyBot(..., guild_ready_timeout=0.05)      # skip discord.py's 2 s wait before on_ready
    async with fake.running(bot):                    # patches discord.py's URLs, starts, waits for on_ready
        await bot.tree.sync(guild=discord.Object(fake.guild.id))
        ia = await fake.invoke_command("ask", {"question": "who?"}, user=fake.member)
        msg = await fake.wait_for_message()
        assert fake.all_pings() == set()
    await fake.stop()

Pytest: import the fixture into a conftest (or a test module)::

    from tests.fakediscord.fixtures import fake_discord  # noqa: F401  (pytest finds it by name)

`fake_discord` yields a started, patched FakeDiscord and stops it afterwards.

Shards: ``FakeDiscord(guild_shard=(0, 2))`` puts the default guild on shard 0 of 2 and
``fake.add_guild("Other", shard=(1, 2))`` adds one on shard 1 (``guild_id_on_shard`` makes such ids);
each IDENTIFY's session gets only its shard's guilds and events, ``fake.gateway.identify_log`` records
every IDENTIFY, and ``identify_window`` / ``max_concurrency`` set the session start limit it enforces.
"""

from .limits import DiscordError, compute_pings
from .models import (
    Callback, CommandSync, ErrorRecord, FakeInteraction, IdentifyRecord, StoredMessage, TypingEvent, guild_id_on_shard,
    shard_of,
)
from .server import FakeDiscord

__all__ = [
    "Callback", "CommandSync", "DiscordError", "ErrorRecord", "FakeDiscord", "FakeInteraction", "IdentifyRecord",
    "StoredMessage", "TypingEvent", "compute_pings", "guild_id_on_shard", "shard_of",
]
