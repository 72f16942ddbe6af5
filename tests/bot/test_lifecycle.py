"""One request lifecycle, through the loopback Discord: admission, the one error handler on every entry point, counted errors."""

from __future__ import annotations

import asyncio
import re
import time
from typing import Any

import pytest

from bot import replies
from bot.store import Store
from index.desk import Desk
from tests.bot.conftest import Harness, custom_ids, embed_text, shown



def errors_counted(harness: Harness) -> float:
    found = re.search(r"^newsdesk_errors_total (\S+)$", harness.bot.metrics.render().decode(), re.MULTILINE)
    assert found
    return float(found.group(1))


async def test_every_entry_point_reports_an_unexpected_error_once_and_counts_it(
    newsdesk: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = newsdesk.fake
    card = await newsdesk.ask("What did Peskov say?", channel=fake.news)
    vote = next(c for c in custom_ids(card) if ":up:" in c)

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(Desk, "ask", broken)
    monkeypatch.setattr(Store, "record_feedback", broken)
    monkeypatch.setattr(replies, "SELF_DELETE_SECONDS", 0.2)
    answers = []
    command = await newsdesk.command("ask", {"question": "What did Rutte say?"})  # a slash command
    answers.append(await fake.wait_for_message(shown, timeout=10))
    await fake.click(card, vote)  # a button
    answers.append(await fake.wait_for_message(shown, timeout=10))
    answers.append(await newsdesk.ask("What did Rutte say?", channel=fake.news))  # a question in a channel

    assert all("Something went wrong" in r.content and "disk on fire" not in r.content for r in answers)
    # /ask deferred privately, so its "thinking…" turns into a private error, as a button's does;
    # in a channel the error deletes itself.
    assert [r.ephemeral for r in answers] == [True, True, False] and command.acked
    assert await fake.wait_deleted(answers[2])
    assert errors_counted(newsdesk) == 3.0
    assert fake.errors == [] and fake.all_pings() == set()


async def test_a_refusal_is_worded_and_not_counted_as_an_error(newsdesk: Harness) -> None:
    fake = newsdesk.fake
    refused = await newsdesk.command("refresh", user=fake.member)  # not a moderator
    assert "Only moderators" in (await refused.wait_callback()).data["content"] and refused.ephemeral
    empty = await newsdesk.ask(f"<@{fake.bot_user.id}>", mentions=[fake.bot_member])  # a mention with no question
    assert "Ask me a question" in empty.content
    assert errors_counted(newsdesk) == 0.0


async def test_a_stopping_bot_refuses_new_work_on_every_entry_point(newsdesk: Harness) -> None:
    fake = newsdesk.fake
    card = await newsdesk.ask("What did Peskov say?", channel=fake.news)
    assert await newsdesk.bot.inflight.drain(timeout=1)  # nothing in flight: stopping at once

    about = await newsdesk.command("about")
    assert "restarting" in (await about.wait_callback()).data["content"] and about.ephemeral
    clicked = await fake.click(card, next(c for c in custom_ids(card) if ":up:" in c))
    assert "restarting" in (await clicked.wait_callback()).data["content"] and clicked.ephemeral
    assert "restarting" in (await newsdesk.ask("What did Rutte say?", channel=fake.news)).content
    assert errors_counted(newsdesk) == 0.0 and fake.errors == []


async def test_a_slash_command_in_flight_is_waited_for_on_shutdown(newsdesk: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    real_ask = Desk.ask

    def slow_ask(self: Desk, question: str, *, top: int | None = None) -> Any:
        time.sleep(0.5)
        return real_ask(self, question, top=top)

    monkeypatch.setattr(Desk, "ask", slow_ask)
    await newsdesk.command("ask", {"question": "What did Rutte say?"})
    for _ in range(100):
        if len(newsdesk.bot.inflight):
            break
        await asyncio.sleep(0.01)
    assert len(newsdesk.bot.inflight) == 1  # admitted by the command tree, with no call in the command itself
    await newsdesk.bot.shutdown(timeout=5)
    answer = await newsdesk.fake.wait_for_message(shown, timeout=5)
    assert "Russia remains" in embed_text(answer) and len(newsdesk.bot.inflight) == 0
