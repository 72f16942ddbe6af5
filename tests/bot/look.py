"""Look at the bot's replies as a member would: ``python -m tests.bot.look OUT_DIR``.

Runs the real bot against the loopback Discord over the seeds and the linked articles of
:mod:`tests.bot.linked`, asks the way members do (a question, its Context, /check,
/summary), and writes what came back as ``OUT_DIR/replies.html`` (and the first answer card alone as
``card.html``: a statement and a number) and, with Debian's ``chromium`` installed, a PNG of each. Everything stays on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import shutil
import sys
import tempfile
from pathlib import Path

from tests.bot.conftest import bot_settings, custom_ids, shown, start_bot
from tests.bot.linked import write_linked
from tests.conftest import SEEDS
from tests.fakediscord.html import write_screens
from tests.fakediscord.models import StoredMessage
from tests.fakediscord.server import FakeDiscord



async def capture(work: Path) -> list[StoredMessage]:
    corpus = work / "corpus"
    shutil.copytree(SEEDS, corpus)
    write_linked(corpus)
    fake = FakeDiscord()
    await fake.start()
    bot = start_bot(bot_settings(fake, corpus, work / "state"))
    replies: list[StoredMessage] = []
    try:
        async with fake.running(bot):
            await fake.send_message(fake.news, fake.member, "What did Zelensky say about peace?")
            card = await fake.wait_for_message(shown, timeout=30)
            await fake.click(card, next(c for c in custom_ids(card) if ":full:" in c))
            replies += [card, await fake.wait_for_message(shown, timeout=30)]
            await fake.send_message(fake.news, fake.member, "What did Okafor say about safety?")
            replies.append(await fake.wait_for_message(shown, timeout=30))
            await fake.send_message(fake.news, fake.member, "How many drones does Russia say it intercepts?")
            replies.append(await fake.wait_for_message(shown, timeout=30))
            await fake.send_message(fake.news, fake.member, "What did Lindqvist say about the lighthouse tender?")
            replies.append(await fake.wait_for_message(shown, timeout=30))
            await fake.send_message(fake.news, fake.member, "Who interviewed Trump on Meet the Press?")  # a seed without a headline
            replies.append(await fake.wait_for_message(shown, timeout=30))
            await fake.invoke_command("check", {"quote": "We did not cut a single corner on safety", "person": "Okafor"})
            replies.append(await fake.wait_for_message(shown, timeout=30))
            await fake.invoke_command("summary", {"person": "Okafor"}, subcommand="person")
            replies.append(await fake.wait_for_message(shown, timeout=30))
    finally:
        bot.store.close()
        await fake.stop()
    return replies


def main(out: Path) -> int:
    with tempfile.TemporaryDirectory() as work:
        replies = asyncio.run(capture(Path(work)))
    # The card alone: a statement (speaker in the author line, quoted clause bold, also in), then a
    # number (the sentence that answers first, the number bold, the sentence before under Context).
    write_screens(out, [("replies", replies, 2400), ("card", [replies[0], replies[3]], 760)], width=600)
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "look")))
