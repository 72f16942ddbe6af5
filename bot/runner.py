"""``newsdesk run`` and ``newsdesk sync``: check the token, open the index, connect to Discord."""

from __future__ import annotations

import asyncio
import logging
import sys

import discord

from index.desk import Desk

from .client import create_bot
from .settings import TOKEN_ENV, Settings

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
    desk = Desk(settings.corpus_folders, settings.state_dir, top=settings.answers.top)
    report = desk.open()
    log.info("index ready: %d articles, %d passages", report.articles, report.passages)
    try:
        asyncio.run(_run(settings, desk, sync_only))
    except discord.LoginFailure:
        print(f"newsdesk: Discord rejected the token in {TOKEN_ENV}; reset it in the developer portal and set it again.", file=sys.stderr)
        return 2
    except discord.PrivilegedIntentsRequired:
        print(
            "newsdesk: the bot needs the Message Content intent. Enable it at https://discord.com/developers/applications"
            " -> your application -> Bot -> Privileged Gateway Intents.",
            file=sys.stderr,
        )
        return 2
    except KeyboardInterrupt:
        pass
    return 0


async def _run(settings: Settings, desk: Desk, sync_only: bool) -> None:
    assert settings.discord_token is not None
    bot = create_bot(settings, desk, sync_on_start=not sync_only)
    async with bot:
        if sync_only:
            await bot.login(settings.discord_token.get_secret_value())
            synced = await bot.sync_commands(force=True)
            print("Slash commands registered." if synced else "Slash commands are up to date.")
            return
        await bot.start(settings.discord_token.get_secret_value())
