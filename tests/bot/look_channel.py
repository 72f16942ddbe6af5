"""Look at the channel as a member would: ``python -m tests.bot.look_channel OUT_DIR``.

Runs the real bot against the loopback Discord over the seeds (and a few more articles quoting
one person), and captures what members and moderators see around the answers: the card's buttons
after two votes, a private not-found and cooldown, a self-deleting refusal in a channel, the
article pager, a long refresh report and /about. Writes ``OUT_DIR/channel.html``, ``refresh.html`` and
``help.html`` and, with Debian's ``chromium`` installed, a PNG of each. Everything stays on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import shutil
import sys
import tempfile
from pathlib import Path

from tests.bot.conftest import bot_settings, custom_ids, shown, start_bot
from tests.conftest import SEEDS
from tests.fakediscord.html import write_screens
from tests.fakediscord.models import StoredMessage
from tests.fakediscord.server import FakeDiscord

TOPICS = ("grain exports", "the prisoner exchange", "the energy ceasefire", "sanctions relief")


async def capture(work: Path) -> list[StoredMessage]:
    corpus = work / "corpus"
    shutil.copytree(SEEDS, corpus)
    for n, topic in enumerate(TOPICS):
        (corpus / f"rubio{n}.txt").write_text(
            f"Rubio Visits Capital {n}\n\nThe delegation arrived late on day {n}, after a long delay at the airport. "
            f"Secretary of State Marco Rubio said that the talks on {topic} were moving forward and that both sides wanted a deal.\n"
        )
    fake = FakeDiscord()
    await fake.start()
    bot = start_bot(bot_settings(fake, corpus, work / "state", cooldown_questions=2, cooldown_seconds=60))
    seen: list[StoredMessage] = []
    try:
        async with fake.running(bot):
            await fake.send_message(fake.news, fake.member, "What did Rubio say?")
            card = await fake.wait_for_message(shown, timeout=30)
            for user in (fake.owner, fake.moderator):
                await (await fake.click(card, next(c for c in custom_ids(card) if ":up:" in c), user=user)).wait_callback()
            seen.append(card)
            await fake.send_message(fake.news, fake.member, "What did Macron say?", mentions=[fake.bot_member])
            seen.append(await fake.wait_for_message(shown, timeout=30))  # deletes itself after 15 s
            await fake.invoke_command("ask", {"question": "What did Peskov say?"})
            seen.append(await fake.wait_for_message(shown, timeout=30))  # over the cooldown: private, counting down
            await fake.invoke_command("ask", {"question": "What did Macron say?"}, user=fake.owner)
            seen.append(await fake.wait_for_message(shown, timeout=30))
            for n in range(30):
                (corpus / f"notice-{n:02}.txt").write_text(f"Council Notice {n}\n\nThe council met for meeting {n} of the year.\n")
            await fake.invoke_command("refresh", {}, user=fake.moderator)
            seen.append(await fake.wait_for_message(shown, timeout=30))
            await fake.invoke_command("sources", {}, user=fake.owner)
            seen.append(await fake.wait_for_message(shown, timeout=30))
            await fake.invoke_command("about", {}, user=fake.owner)
            seen.append(await fake.wait_for_message(shown, timeout=30))
    finally:
        bot.store.close()
        await fake.stop()
    return seen


def main(out: Path) -> int:
    with tempfile.TemporaryDirectory() as work:
        seen = asyncio.run(capture(Path(work)))
    # The card and the replies around it; the moderator's report; the pager and /about.
    write_screens(out, [("channel", seen[:4], 1100), ("refresh", seen[4:5], 700), ("help", seen[5:], 1900)], width=640)
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "look")))
