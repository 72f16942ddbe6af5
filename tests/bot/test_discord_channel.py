"""A clean channel and honest buttons, through the loopback Discord: no public error after any
defer, refusals that are private or delete themselves, pagers that outlive the bot, help in /about."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from bot import replies
from index import passages as passage_rules
from index.desk import Desk
from index.summary import Summarizer
from tests.bot.conftest import Harness, bot_settings, custom_ids, embed_text, shown, start_bot
from tests.fakediscord.server import FakeDiscord


def public_bot_messages(fake: FakeDiscord) -> list[Any]:
    """Everything the bot ever showed the channel, deleted or not (the fake keeps every message)."""
    return [m for m in fake.messages if m.author_id == fake.bot_user.id and not m.ephemeral]


def labels(message: Any) -> dict[str, str | None]:
    return {c["custom_id"]: c.get("label") for row in message.components for c in row["components"] if "custom_id" in c}


async def settle(fake: FakeDiscord, interaction: Any) -> None:
    """Until the interaction's reply has something in it (its error, or its result)."""
    await interaction.wait_callback()
    for _ in range(200):
        done = [m for m in [interaction.original, *interaction.followups] if m is not None and shown(m)]
        if done:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"no reply to {interaction}")


async def test_no_error_reply_is_ever_public(fake_discord: FakeDiscord, corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = fake_discord
    bot = start_bot(bot_settings(fake, corpus, tmp_path / "state", cooldown_questions=1, cooldown_seconds=60))
    async with fake.running(bot):
        asked = await fake.invoke_command("ask", {"question": "What did Macron say?"}, user=fake.owner)  # not found
        await settle(fake, asked)
        held = await fake.invoke_command("ask", {"question": "What did Rutte say?"}, user=fake.owner)  # cooldown
        await settle(fake, held)
        bad = await fake.invoke_command("ask", {"question": "???"}, user=fake.moderator)  # bad input
        await settle(fake, bad)
        paths = [
            await fake.invoke_command("refresh", {}, user=fake.member),  # permission
            await fake.invoke_command("remove", {"article": "no-such-article.txt"}, user=fake.owner),  # not found, after a defer
            await fake.invoke_command("add", {}, user=fake.owner),  # bad input
        ]
        for interaction in paths:
            await settle(fake, interaction)

        def broken(*args: Any, **kwargs: Any) -> None:
            raise RuntimeError("disk on fire")

        monkeypatch.setattr(Desk, "ask", broken)  # internal errors, each after a defer
        monkeypatch.setattr(Summarizer, "summarize", broken)
        monkeypatch.setattr(Desk, "read", broken)
        for name, options, sub in (("ask", {"question": "What did Peskov say?"}, None), ("summary", {"topic": "NATO"}, "topic"),
                                   ("check", {"quote": "Russia remains the greatest long-term challenge"}, None)):
            failed = await fake.invoke_command(name, options, user=fake.member, subcommand=sub)
            await settle(fake, failed)
            assert "Something went wrong" in next(m for m in [failed.original, *failed.followups] if m and shown(m)).content
        assert "I couldn't find that" in (asked.original.content if asked.original else "")
        assert "ask again <t:" in (held.callback.data["content"] if held.callback else "")
        assert public_bot_messages(fake) == []  # not one, not even a "thinking…" placeholder
        assert fake.errors == [] and fake.all_pings() == set()
    bot.store.close()


async def test_refusals_in_a_channel_delete_themselves(newsdesk: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(replies, "SELF_DELETE_SECONDS", 0.2)
    fake = newsdesk.fake
    not_found = await newsdesk.ask("What did Macron say?", mentions=[fake.bot_member])
    assert not_found.content.startswith("I couldn't find that") and not not_found.ephemeral
    assert await fake.wait_deleted(not_found)
    empty = await newsdesk.ask(f"<@{fake.bot_user.id}>", mentions=[fake.bot_member])
    assert "Ask me a question" in empty.content and await fake.wait_deleted(empty)
    answer = await newsdesk.ask("What did Rutte say?", channel=fake.news)
    await asyncio.sleep(0.4)
    assert answer.embeds and not answer.deleted  # an answer stays


async def test_buttons_show_only_what_they_add(newsdesk: Harness) -> None:
    fake = newsdesk.fake
    lone = await newsdesk.ask("What did Rutte say?", channel=fake.news)  # one article, the quote is the passage
    assert [c.split(":")[1] for c in custom_ids(lone)] == ["up", "down", "del"]
    context = await newsdesk.ask("How many civilians were killed in the Sumy strike?", channel=fake.news)
    assert [c.split(":")[1] for c in custom_ids(context)] == ["full", "up", "down", "del"]
    assert labels(context)[custom_ids(context)[0]] == "Context"


async def test_pagers_turn_after_a_restart(fake_discord: FakeDiscord, corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = fake_discord
    fake.identify_window = 0  # two bots in a row; Discord's session start limit is not what this tests
    for n in range(25):
        (corpus / f"ferry-{n:02}.txt").write_text(f"Ferry Notice {n}\n\nThe ferry to the island number {n} runs twice a day.\n")
    monkeypatch.setattr(passage_rules, "MAX_WORDS", 100_000)
    monkeypatch.setattr(passage_rules, "MAX_CHARS", 1_000_000)
    clause = "the harbour board, meeting late into the night under the old clock of the customs house, weighed the lighthouse tender"
    (corpus / "harbour.txt").write_text("Harbour Board Meets\n\nHarbour board chair Ines Okafor said " + "; ".join([clause] * 60) + ".\n")
    settings = bot_settings(fake, corpus, tmp_path / "state")

    bot = start_bot(settings)
    async with fake.running(bot):
        listed = await fake.invoke_command("sources", {})
        sources = await fake.wait_for_message(shown, timeout=10)
        assert listed.ephemeral and "Indexed articles (31)" in embed_text(sources)
        assert list(labels(sources).values()) == ["\u226a", "\u25c0", "Page 1/4 (31 entries)", "\u25b6", "\u226b"]
        await fake.send_message(fake.news, fake.member, "What did Okafor say about the lighthouse tender?")
        card = await fake.wait_for_message(shown, timeout=10)
        await fake.click(card, next(c for c in custom_ids(card) if ":full:" in c))
        passage = await fake.wait_for_message(shown, timeout=10)
        assert "Page 1/" in "".join(v or "" for v in labels(passage).values())
    bot.store.close()

    bot = start_bot(settings)  # a restart: nothing of the first bot's views is left in memory
    async with fake.running(bot):
        last = await fake.click(sources, next(c for c in custom_ids(sources) if c.endswith(":last")))
        assert (await last.wait_callback()).type == 7
        assert labels(sources)[next(c for c in custom_ids(sources) if c.endswith(":count"))] == "Page 4/4 (31 entries)"
        assert "harbour.txt" in embed_text(sources)  # the last of the 31, by name
        back = await fake.click(sources, next(c for c in custom_ids(sources) if c.endswith(":prev")))
        assert (await back.wait_callback()).type == 7 and "Page 3/4 (31 entries)" in labels(sources).values()
        turned = await fake.click(passage, next(c for c in custom_ids(passage) if c.endswith(":next")))
        assert (await turned.wait_callback()).type == 7 and "page 2 of" in embed_text(passage)
        assert fake.errors == []
    bot.store.close()


async def test_a_summary_pager_turns_after_a_restart_for_its_asker_only(fake_discord: FakeDiscord, corpus: Path, tmp_path: Path) -> None:
    fake = fake_discord
    fake.identify_window = 0  # two bots in a row; Discord's session start limit is not what this tests
    statement = (
        "said the harbour would need more tugboats, more berths, a bigger customs shed, two new cranes, a longer "
        "breakwater, deeper channels for the ferries and a fresh coat of paint on the lighthouse before the season began"
    )
    for n in range(14):
        (corpus / f"port{n}.txt").write_text(f"Port Report {n}\n\nHarbour master Ines Okafor {statement} number {n} in district {n * 7}.\n")
    settings = bot_settings(fake, corpus, tmp_path / "state")

    bot = start_bot(settings)
    async with fake.running(bot):
        await fake.invoke_command("summary", {"person": "Okafor"}, subcommand="person", user=fake.member)
        summary = await fake.wait_for_message(lambda m: shown(m) and not m.ephemeral, timeout=15)
        footer = summary.embeds[0]["footer"]["text"]
        assert "page 1 of" in footer and labels(summary)
        pages = int(footer.rsplit("page 1 of ", 1)[1].split()[0])
    bot.store.close()

    bot = start_bot(settings)  # a restart: the pages come back from the store
    async with fake.running(bot):
        last = await fake.click(summary, next(c for c in custom_ids(summary) if c.endswith(":next")), user=fake.member)
        assert (await last.wait_callback()).type == 7 and "page 2 of" in summary.embeds[0]["footer"]["text"]
        assert f"Page 2/{pages}" in labels(summary).values()
        other = await fake.click(summary, next(c for c in custom_ids(summary) if c.endswith(":prev")), user=fake.owner)
        refused = await other.wait_callback()
        assert refused.type == 4 and other.ephemeral and "belong to someone else" in refused.data["content"]
        assert "page 2 of" in summary.embeds[0]["footer"]["text"]  # unchanged for its reader
        assert fake.errors == [] and fake.all_pings() == set()
    bot.store.close()


async def test_about_is_the_help(newsdesk: Harness) -> None:
    about = await newsdesk.command("about")
    card = (await about.wait_callback()).data["embeds"][0]
    fields = {f["name"]: f["value"] for f in card["fields"]}
    assert "quoting the articles word for word" in card["description"]
    assert fields["Try asking"].count("\u2022") == 3
    assert "`/ask`" in fields["Commands"] and "`/settings`" in fields["Commands"] and "`/refresh`" in fields["Commands"]
    assert fields["Commands"].index("`/ask`") < fields["Commands"].index("`/refresh`")  # members' commands first


async def test_every_command_option_is_described(newsdesk: Harness) -> None:
    def options(command: dict[str, Any]) -> list[dict[str, Any]]:
        found = []
        for option in command.get("options", []):
            found.append(option)
            found += options(option)
        return found

    for command in newsdesk.fake.commands[None]:
        for option in options(command):
            assert option["description"] not in ("\u2026", "..."), (command["name"], option["name"])


async def test_remove_says_where_the_file_is(newsdesk: Harness) -> None:
    fake = newsdesk.fake
    removing = await fake.invoke_command("remove", {"article": "003_2c1112b90513d27d.txt"}, user=fake.owner)
    await settle(fake, removing)
    said = next(m for m in [removing.original, *removing.followups] if m and shown(m))
    assert said.ephemeral and "`removed/003_2c1112b90513d27d.txt`" in said.content
    assert (newsdesk.corpus / "removed" / "003_2c1112b90513d27d.txt").is_file()


async def test_a_long_refresh_report_counts_the_rest(newsdesk: Harness) -> None:
    fake = newsdesk.fake
    for n in range(30):
        (newsdesk.corpus / f"notice-{n:02}.txt").write_text(f"Council Notice {n}\n\nThe council met for the {n}th time this year.\n")
    refreshing = await fake.invoke_command("refresh", {}, user=fake.moderator)
    await settle(fake, refreshing)
    report = next(m for m in [refreshing.original, *refreshing.followups] if m and shown(m))
    added = next(f["value"] for f in report.embeds[0]["fields"] if f["name"] == "Added (30)")
    assert report.ephemeral and added.count("\u2022") == 8 and added.endswith("\u2026and 22 more")
    assert "Council Notice 0 (notice-00.txt)" in added
    assert report.embeds[0]["description"] == f"35 articles, {newsdesk.bot.desk.coverage.passage_count} passages."
