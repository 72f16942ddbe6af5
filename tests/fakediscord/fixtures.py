"""The `fake_discord` pytest fixture (a started FakeDiscord with discord.py pointed at it) and test helpers."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio

from .models import guild_id_on_shard, shard_of
from .server import FakeDiscord

__all__ = ["fake_discord", "guild_id_on_shard", "shard_of"]


@pytest_asyncio.fixture
async def fake_discord() -> AsyncIterator[FakeDiscord]:
    fake = FakeDiscord(interaction_timeout=3.0)
    await fake.start()
    fake.patch_discord()
    try:
        yield fake
    finally:
        await fake.stop()  # also restores discord.py's URLs
