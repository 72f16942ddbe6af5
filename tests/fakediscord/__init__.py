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
"""

from .limits import DiscordError, compute_pings
from .models import Callback, CommandSync, ErrorRecord, FakeInteraction, StoredMessage, TypingEvent
from .server import FakeDiscord

__all__ = [
    "Callback", "CommandSync", "DiscordError", "ErrorRecord", "FakeDiscord", "FakeInteraction",
    "StoredMessage", "TypingEvent", "compute_pings",
]
