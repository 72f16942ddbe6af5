"""``newsdesk run`` and ``newsdesk sync``: check the token, open the index, connect to Discord."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys

import discord

from index.desk import Desk

from .client import create_bot
from .identify import SharedIdentifyGate
from .settings import TOKEN_ENV, Settings
from .shared_index import SharedIndex
from .store import Store

log = logging.getLogger("newsdesk")

MISSING_TOKEN = f"""\
newsdesk: no Discord bot token. Set it in the environment, for example:

    export {TOKEN_ENV}='paste-the-bot-token-here'

Get a token at https://discord.com/developers/applications -> your application -> Bot -> Reset Token.
On the same page, enable the Message Content intent so the bot can read questions asked in channels.
"""


def run_bot(settings: Settings, *, sync_only: bool = False) -> int:
    """Run the bot until stopped (or, with ``sync_only``, register the slash commands and exit)."""
    if settings.discord_token is None or not settings.discord_token.get_secret_value().strip():
        print(MISSING_TOKEN, file=sys.stderr, end="")
        return 2
    # Before the index, which may take long to open: an unreachable server is said at once.
    store = Store(settings.store_location)  # a damaged SQLite file is set aside here, and said so
    for damaged in store.set_aside:
        print(f"newsdesk: {damaged.notice()}", file=sys.stderr)
    try:
        publication = SharedIndex(store.shared)
        desk = Desk(
            settings.corpus_folders, settings.state_dir, top=settings.answers.top, backend=settings.backend(), publication=publication
        )
        report = desk.open()
        publication.follow(desk)
        log.info("index ready: %d articles, %d passages", report.articles, report.passages)
        asyncio.run(_run(settings, desk, store, sync_only))
    except discord.LoginFailure:
        print(f"newsdesk: Discord rejected the token in {TOKEN_ENV}; reset it in the developer portal and set it again.", file=sys.stderr)
        return 2
    except discord.PrivilegedIntentsRequired:
        print(
            "newsdesk: the bot needs the Message Content intent. Enable it at https://discord.com/developers/applications"
            " -> your application -> Bot -> Privileged Gateway Intents, or set discord.message_content = false"
            " to answer only mentions and /ask.",
            file=sys.stderr,
        )
        return 2
    except KeyboardInterrupt:
        pass
    finally:
        store.close()  # already closed after a graceful shutdown; then this does nothing
    return 0


async def _run(settings: Settings, desk: Desk, store: Store, sync_only: bool) -> None:
    assert settings.discord_token is not None
    token = settings.discord_token.get_secret_value()
    # IDENTIFYs spaced per bucket across every process on the state database, not just this one's shards.
    gate = SharedIdentifyGate(store.shared, settings.discord.identify_window_seconds)
    bot = create_bot(settings, desk, store, identify_gate=gate, sync_on_start=not sync_only)
    if sync_only:
        async with bot:
            await bot.login(token)
            synced = await bot.sync_commands(force=True)
            print("Slash commands registered." if synced else "Slash commands are up to date.")
        return
    # SIGTERM (and Ctrl-C) end the run gracefully: answers in flight finish, the gateway closes,
    # SQLite is checkpointed.
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    running = asyncio.create_task(bot.start(token))
    stopping = asyncio.create_task(stop.wait())
    done, _ = await asyncio.wait({running, stopping}, return_when=asyncio.FIRST_COMPLETED)
    if stopping in done:
        log.info("event=signal action=shutdown")
        await bot.shutdown()
        await asyncio.gather(running, return_exceptions=True)
    else:
        stopping.cancel()
        if not bot.is_closed():
            await bot.close()
        running.result()
