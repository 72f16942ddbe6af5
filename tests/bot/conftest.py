"""The newsdesk bot running for real (discord.py) against the loopback Discord of tests/fakediscord."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from collections.abc import Awaitable
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from bot.client import NewsdeskBot, create_bot
from bot.replies import PLACEHOLDER
from bot.settings import Settings, load_settings
from bot.store import Store
from index.desk import Desk
from tests.conftest import ROOT
from tests.fakediscord.fixtures import fake_discord  # noqa: F401  (fixture)
from tests.fakediscord.server import FakeDiscord


def bot_settings(fake: FakeDiscord, corpus: Path, state: Path, store: Path | str | None = None, **discord: Any) -> Settings:
    """Settings for a bot on the loopback Discord; ``store`` a PostgreSQL URL, else SQLite in ``state``."""
    options: dict[str, Any] = {
        "api_base": f"{fake.base_url}/api/v10",
        "gateway_url": fake.gateway_url,
        "ask_channels": [fake.news.id],
        "cooldown_seconds": 0,
    }
    options.update(discord)
    return load_settings(
        ROOT / "config" / "newsdesk.toml",
        environ={},
        corpus={"folders": [str(corpus)]},
        index={"state_dir": str(state)},
        discord=options,
        store={"url": store} if isinstance(store, str) else {},
    )


def start_bot(settings: Settings) -> NewsdeskBot:
    desk = Desk(settings.corpus_folders, settings.state_dir, top=settings.answers.top)
    desk.open()
    return create_bot(settings, desk, Store(settings.store_location), guild_ready_timeout=0.05)


def shown(message: Any) -> bool:
    """A message with something in it: not the empty "thinking…" of a deferred reply, nor the private
    placeholder a public result replaces (bot/replies.py)."""
    return bool(message.embeds or message.content) and not (message.ephemeral and message.content == PLACEHOLDER)


@dataclass
class Harness:
    fake: FakeDiscord
    bot: NewsdeskBot
    corpus: Path

    async def ask(self, content: str, *, channel: Any = None, author: Any = None, **kwargs: Any):  # noqa: ANN201
        fake = self.fake
        await fake.send_message(channel or fake.general, author or fake.member, content, **kwargs)
        return await fake.wait_for_message(shown, timeout=10)

    async def command(self, name: str, options: dict[str, Any] | None = None, *, user: Any = None, subcommand: str | None = None):  # noqa: ANN201
        return await self.fake.invoke_command(
            name, options or {}, user=user or self.fake.member, channel=self.fake.general, subcommand=subcommand
        )


@pytest_asyncio.fixture
async def newsdesk(fake_discord: FakeDiscord, corpus: Path, tmp_path: Path, store_location: Path | str) -> AsyncIterator[Harness]:  # noqa: F811
    """The bot connected to the loopback Discord, its state in SQLite (or, parametrised, PostgreSQL)."""
    settings = bot_settings(fake_discord, corpus, tmp_path / "state", store_location)
    bot = start_bot(settings)
    async with fake_discord.running(bot):
        yield Harness(fake_discord, bot, corpus)
    bot.store.close()


def embed_text(message: Any) -> str:
    """Everything an embed shows, for assertions."""
    parts: list[str] = []
    for embed in message.embeds:
        if embed.get("author"):
            parts.append(f"Author: {embed['author'].get('name', '')}")
        parts += [embed.get("title", ""), embed.get("description", "")]
        parts += [f"{f['name']}: {f['value']}" for f in embed.get("fields", [])]
        parts.append(embed.get("footer", {}).get("text", ""))
    return "\n".join(parts)


def custom_ids(message: Any) -> list[str]:
    return [c["custom_id"] for row in message.components for c in row.get("components", []) if "custom_id" in c]


Predicate = Callable[[Any], bool]


def run_newsdesk(
    corpus: Path,
    state: Path,
    during: Callable[[FakeDiscord], Awaitable[None]] | None = None,
    *,
    args: Sequence[str] = (),
    fake: FakeDiscord | None = None,
    **env: str,
) -> tuple[int, str]:
    """``newsdesk run [args]`` as a real process against a loopback Discord (``fake``, or a default one; not
    yet started): started, ``during`` awaited once it is connected, stopped with SIGTERM; its exit code and
    what it wrote to stderr."""

    async def scenario(fake: FakeDiscord) -> tuple[int, str]:
        await fake.start()
        environ = {
            **{k: v for k, v in os.environ.items() if k.startswith(("PATH", "PYTHON", "VIRTUAL_ENV"))},
            "DISCORD_TOKEN": "fake-token",
            "NEWSDESK_DISCORD__API_BASE": f"{fake.base_url}/api/v10",
            "NEWSDESK_DISCORD__GATEWAY_URL": fake.gateway_url,
            "NEWSDESK_DISCORD__ASK_CHANNELS": json.dumps([fake.news.id]),
            "NEWSDESK_INDEX__STATE_DIR": str(state),
            "NEWSDESK_CORPUS__FOLDERS": json.dumps([str(corpus)]),
            **env,
        }
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", "run", *args, cwd=ROOT, env=environ,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
        try:
            await fake.wait_ready(timeout=30)
            await asyncio.sleep(0.3)
            if during is not None:
                await during(fake)
            process.send_signal(signal.SIGTERM)
            _, stderr = await asyncio.wait_for(process.communicate(), 30)
        finally:
            if process.returncode is None:
                process.kill()
            await fake.stop()
        return process.returncode or 0, stderr.decode()

    return asyncio.run(scenario(fake or FakeDiscord()))


@pytest.fixture
def two(postgres_url: str) -> Iterator[tuple[Store, Store]]:
    """Two stores on one database: each has its own pool and connections, as two processes would."""
    first, second = Store(postgres_url), Store(postgres_url)
    yield first, second
    first.close()
    second.close()
