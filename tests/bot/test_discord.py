"""End to end: the real discord.py client against the loopback Discord, answering from the seeds."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from bot import replies
from bot.runner import run_bot
from bot.settings import load_settings
from index import refresh as refresh_module
from index import passages as passage_rules
from index.desk import Desk
from tests.bot.conftest import Harness, bot_settings, custom_ids, embed_text, shown, start_bot
from tests.conftest import ROOT, SEEDS, STORES
from tests.fakediscord.server import FakeDiscord

EPHEMERAL = 64



async def test_a_mention_gets_a_cited_answer(newsdesk: Harness) -> None:
    fake = newsdesk.fake
    question = await fake.send_message(fake.general, fake.member, "What did Rutte say?", mentions=[fake.bot_member])
    reply = await fake.wait_for_message(shown, timeout=10)
    text = embed_text(reply)
    assert "Russia remains the greatest long-term challenge to NATO" in text
    assert "Source: **Trump Faces Challenges in Ukraine Peace Efforts**\n-# 003\\_2c1112b90513d27d.txt, line 11" in text
    # The quote names its speaker ("… Rutte told reporters"): no author line repeats it.
    assert "Author:" not in text and "Speaker" not in text
    assert reply.data["message_reference"]["message_id"] == str(question.id)
    # Context adds nothing to this quote (it is the whole passage) and no other article answers: no such buttons.
    assert [c.split(":")[1] for c in custom_ids(reply)] == ["up", "down", "del"]
    assert any(t.channel_id == fake.general.id for t in fake.typing_events)
    assert fake.all_pings() == set() and fake.errors == []


async def test_questions_in_an_ask_channel_need_no_mention(newsdesk: Harness) -> None:
    fake = newsdesk.fake
    await fake.send_message(fake.general, fake.member, "What did Peskov say?")  # not an ask channel
    await fake.send_message(fake.news, fake.member, "Peskov said something")  # not a question
    reply = await newsdesk.ask("What did Peskov say?", channel=fake.news)
    assert reply.channel_id == fake.news.id and "Peskov" in embed_text(reply)
    assert len(fake.bot_messages()) == 1


async def test_slash_ask_public_and_private(newsdesk: Harness) -> None:
    public = await newsdesk.command("ask", {"question": "How many civilians were killed in the Sumy strike?"})
    answer = await newsdesk.fake.wait_for_message(shown, timeout=10)
    # Thought about privately; the answer posted for everyone, the private placeholder gone.
    assert public.callback is not None and public.callback.type == 5 and public.ephemeral
    assert "killed 35 civilians" in embed_text(answer) and not answer.ephemeral
    assert public.original is not None and await newsdesk.fake.wait_deleted(public.original)

    private = await newsdesk.command("ask", {"question": "What did Rubio say?", "private": True})
    answer = await newsdesk.fake.wait_for_message(shown, timeout=10)
    assert private.ephemeral and answer.ephemeral
    assert "del" not in [c.split(":")[1] for c in custom_ids(answer)]  # nothing to delete in a private answer
    assert newsdesk.fake.errors == []


async def test_not_found_is_a_short_friendly_reply(newsdesk: Harness) -> None:
    reply = await newsdesk.ask("What did Macron say?", channel=newsdesk.fake.news)
    assert reply.embeds == [] and reply.components == []
    assert reply.content.startswith("I couldn't find that in the coverage.") and "Macron" in reply.content
    misspelt = await newsdesk.ask("What did Rute say?", channel=newsdesk.fake.news)
    assert "Did you mean **Rutte**?" in misspelt.content


async def test_mentions_in_a_question_ping_no_one(newsdesk: Harness) -> None:
    fake = newsdesk.fake
    reply = await newsdesk.ask(
        "@here What did Rutte say? <@&1> @everyone",
        mentions=[fake.bot_member, fake.owner, fake.member],
        mention_roles=[fake.moderator_role],
        mention_everyone=True,
    )
    assert "Rutte" in embed_text(reply)
    assert "@everyone" not in embed_text(reply)
    assert fake.all_pings() == set()


async def test_a_passage_longer_than_every_limit(newsdesk: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    # Passages are bounded well under Discord's limits now; lift the bounds to get one that is not.
    monkeypatch.setattr(passage_rules, "MAX_WORDS", 100_000)
    monkeypatch.setattr(passage_rules, "MAX_CHARS", 1_000_000)
    clause = "the harbour board, meeting late into the night under the old clock of the customs house, weighed the lighthouse tender"
    long_paragraph = "Harbour board chair Ines Okafor said " + "; ".join([clause] * 60) + "."
    (newsdesk.corpus / "harbour.txt").write_text(f"Harbour Board Meets\n\n{long_paragraph}\n", encoding="utf-8")
    refresh = await newsdesk.command("refresh", user=newsdesk.fake.owner)
    await refresh.wait_callback()
    await newsdesk.fake.wait_for_message(shown, timeout=10)

    reply = await newsdesk.ask("What did Okafor say about the lighthouse tender?", channel=newsdesk.fake.news)
    description = reply.embeds[0]["description"]
    assert len(description) <= 4096 and description.endswith("\u2026")
    full = await newsdesk.fake.click(reply, next(c for c in custom_ids(reply) if ":full:" in c))
    first_page = await newsdesk.fake.wait_for_message(shown, timeout=10)
    assert full.ephemeral and "page 1 of" in first_page.embeds[0]["footer"]["text"]
    turned = await newsdesk.fake.click(first_page, next(c for c in custom_ids(first_page) if c.endswith(":next")), user=newsdesk.fake.member)
    second_page = await newsdesk.fake.wait_for_message(shown, timeout=10)
    assert turned.acked and "page 2 of" in second_page.embeds[0]["footer"]["text"]
    assert newsdesk.fake.errors == []


@pytest.mark.parametrize("store_location", STORES, indirect=True)
async def test_buttons_context_more_sources_votes_delete(newsdesk: Harness) -> None:
    fake = newsdesk.fake
    for n, topic in enumerate(("grain exports", "the prisoner exchange", "the energy ceasefire", "sanctions relief")):  # four more articles quoting Rubio: more sources than the card shows
        (newsdesk.corpus / f"rubio{n}.txt").write_text(
            f"Rubio Visits Capital {n}\n\nThe delegation arrived late on day {n}, after a long delay at the airport and a "
            f"short meeting with the embassy staff. Secretary of State Marco Rubio said that the talks on "
            f"{topic} were moving forward and that both sides wanted a deal.\n", encoding="utf-8")
    refresh = await newsdesk.command("refresh", user=fake.owner)
    await refresh.wait_callback()
    await fake.wait_for_message(shown, timeout=15)
    reply = await newsdesk.ask("What did Rubio say?", channel=fake.news)
    ids = {c.split(":")[1]: c for c in custom_ids(reply)}
    labels = {c["custom_id"].split(":")[1]: c.get("label") for row in reply.components for c in row["components"]}
    assert list(ids) == ["full", "more", "up", "down", "del"]
    assert labels["full"] == "Context" and labels["more"] == f"More sources ({len(reply_sources(newsdesk)) - 3})"

    await fake.click(reply, ids["full"])
    full = await fake.wait_for_message(shown, timeout=10)
    quoted = reply.embeds[0]["description"].removeprefix("> ").split("\n")[0][:60]
    passage = embed_text(full)
    assert full.ephemeral and quoted in passage and len(passage) > len(quoted)

    await fake.click(reply, ids["more"])
    more = await fake.wait_for_message(shown, timeout=10)
    assert more.ephemeral and "Sources for" in embed_text(more) and "rubio" in embed_text(more)
    assert len(more.embeds[0]["fields"]) > 3  # more than the card showed

    # A vote edits the card's buttons (the count on the button), and sends no message.
    before = len(fake.bot_messages())
    for vote, user in (("up", fake.owner), ("up", fake.moderator), ("down", fake.member)):
        clicked = await fake.click(reply, ids[vote], user=user)
        assert (await clicked.wait_callback()).type == 7
    assert len(fake.bot_messages()) == before
    votes = {c["custom_id"].split(":")[1]: c.get("label") for row in reply.components for c in row["components"]}
    assert votes["up"] == "2" and votes["down"] == "1"
    answer_id = int(ids["up"].split(":")[2])
    assert newsdesk.bot.store.feedback(answer_id) == {fake.owner.id: 1, fake.moderator.id: 1, fake.member.id: -1}

    delete = next(c for row in reply.components for c in row["components"] if c["custom_id"] == ids["del"])
    assert delete["style"] == 2 and delete.get("emoji", {}).get("name", "").startswith("\U0001f5d1")  # a grey 🗑
    stranger = fake.add_member("stranger")
    refused = await fake.click(reply, ids["del"], user=stranger)
    assert "Only the person who asked" in (await refused.wait_callback()).data["content"]
    assert refused.ephemeral and not reply.deleted
    await fake.click(reply, ids["del"], user=fake.moderator)  # Manage Messages may delete anyone's answer
    for _ in range(50):
        if reply.deleted:
            break
        await asyncio.sleep(0.05)
    assert reply.deleted
    assert fake.errors == [] and fake.all_pings() == set()


def reply_sources(newsdesk: Harness) -> list[Any]:
    return list(newsdesk.bot.desk.ask("What did Rubio say?", top=10).answers)


@pytest.mark.parametrize("store_location", STORES, indirect=True)
async def test_refresh_by_a_moderator_shows_the_diff(newsdesk: Harness) -> None:
    (newsdesk.corpus / "003_2c1112b90513d27d.txt").unlink()
    (newsdesk.corpus / "bridge.md").write_text("Bridge Reopens\n\nOfficials said the bridge reopened on Monday after repairs.\n")
    (newsdesk.corpus / "scan.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00binary")
    interaction = await newsdesk.command("refresh", user=newsdesk.fake.moderator)
    report = await newsdesk.fake.wait_for_message(shown, timeout=15)
    text = embed_text(report)
    assert interaction.callback is not None and interaction.callback.type == 5
    assert "Added (1)" in text and "bridge.md" in text
    assert "Removed (1)" in text and "003\\_2c1112b90513d27d.txt" in text
    assert "Skipped (1)" in text and "scan.txt: binary file" in text
    assert f"5 articles, {newsdesk.bot.desk.coverage.passage_count} passages" in text
    answer = await newsdesk.ask("When did the bridge reopen?", channel=newsdesk.fake.news)
    assert "bridge.md" in embed_text(answer)
    last = newsdesk.bot.store.last_refresh()
    assert last is not None and last.ok and str(newsdesk.fake.moderator.id) in (last.by or "")


async def test_refresh_by_an_ordinary_member_is_refused_by_the_bot(newsdesk: Harness) -> None:
    before = newsdesk.bot.desk.coverage
    (newsdesk.corpus / "bridge.md").write_text("Bridge Reopens\n\nOfficials said the bridge reopened on Monday.\n")
    # The fake does not apply default_permissions, like a server whose admins granted the command to everyone.
    interaction = await newsdesk.command("refresh", user=newsdesk.fake.member)
    callback = await interaction.wait_callback()
    assert callback.type == 4 and interaction.ephemeral
    assert "Only moderators" in callback.data["content"]
    assert newsdesk.bot.desk.coverage is before
    synced = next(c for c in newsdesk.fake.commands[None] if c["name"] == "refresh")
    assert int(synced["default_member_permissions"]) == 0x20  # Manage Server


async def test_questions_during_a_refresh_are_answered_from_the_old_index(newsdesk: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = newsdesk.fake
    desk = newsdesk.bot.desk
    release = threading.Event()
    real_apply = refresh_module._apply

    def slow_apply(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202 - holds the writer lock while it waits
        assert release.wait(10)
        return real_apply(*args, **kwargs)

    monkeypatch.setattr(refresh_module, "_apply", slow_apply)
    (newsdesk.corpus / "004_7654bc732c946649.txt").unlink()
    refresh = await newsdesk.command("refresh", user=fake.owner)
    await refresh.wait_callback()
    for _ in range(100):
        if desk.refreshing:
            break
        await asyncio.sleep(0.01)
    assert desk.refreshing

    second = await newsdesk.command("refresh", user=fake.moderator)
    assert "already running" in (await second.wait_callback()).data["content"]

    questions = ["What did Trump write on Truth Social?", "What did Rutte say?", "Who is the US special envoy?",
                 "What did Peskov say?", "How many soldiers are dying each week?"]
    for question in questions:
        await fake.send_message(fake.news, fake.member, question)
    answers = [embed_text(await fake.wait_for_message(lambda m: bool(m.embeds), timeout=10)) for _ in questions]
    assert all(question in "\n".join(answers) for question in questions)  # every one answered (in any order)
    assert any("very bad and vulnerable position" in a for a in answers)  # from the article being removed
    release.set()
    report = await fake.wait_for_message(lambda m: "Index refreshed" in embed_text(m), timeout=15)
    assert "Removed (1)" in embed_text(report)
    after = await newsdesk.ask("What did Trump write on Truth Social?", channel=fake.news)
    assert "004\\_7654bc732c946649.txt" not in embed_text(after)


async def test_a_failing_question_gets_one_short_message(newsdesk: Harness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    def broken(self: Desk, question: str, *, top: int | None = None) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(Desk, "ask", broken)
    monkeypatch.setattr(replies, "SELF_DELETE_SECONDS", 0.2)
    interaction = await newsdesk.command("ask", {"question": "What did Rutte say?"})
    reply = await newsdesk.fake.wait_for_message(shown, timeout=10)
    assert "Something went wrong" in reply.content and "disk on fire" not in reply.content
    assert interaction.acked and reply.ephemeral and newsdesk.fake.errors == []
    assert any("disk on fire" in (r.exc_text or "") or (r.exc_info and "disk on fire" in str(r.exc_info[1])) for r in caplog.records)

    channel_reply = await newsdesk.ask("What did Rutte say?", channel=newsdesk.fake.news)
    assert "Something went wrong" in channel_reply.content
    assert await newsdesk.fake.wait_deleted(channel_reply)  # it clears itself away


async def test_cooldown_per_user(fake_discord: FakeDiscord, corpus: Path, tmp_path: Path) -> None:
    settings = bot_settings(fake_discord, corpus, tmp_path / "state", cooldown_questions=1, cooldown_seconds=60)
    bot = start_bot(settings)
    async with fake_discord.running(bot):
        await fake_discord.send_message(fake_discord.news, fake_discord.member, "What did Rutte say?")
        await fake_discord.wait_for_message(shown, timeout=10)
        second = await fake_discord.send_message(fake_discord.news, fake_discord.member, "What did Peskov say?")
        for _ in range(100):
            if fake_discord.reactions:
                break
            await asyncio.sleep(0.02)
        assert fake_discord.reactions == [(second.id, "\u23f3")]  # a ⏳ on the question, no message
        other = await fake_discord.invoke_command("ask", {"question": "What did Rubio say?"}, user=fake_discord.owner)
        answer = await fake_discord.wait_for_message(shown, timeout=10)
        assert not answer.ephemeral and other.acked  # someone else is not held back
        started = time.time()
        again = await fake_discord.invoke_command("ask", {"question": "What did Rubio say?"}, user=fake_discord.member)
        callback = await again.wait_callback()
        assert callback.ephemeral and "ask again <t:" in callback.data["content"]
        stamp = int(callback.data["content"].split("<t:")[1].split(":R>")[0])
        assert started + 30 < stamp <= started + 62  # when the minute's window ends, as a live countdown
        assert [m for m in fake_discord.bot_messages() if not m.ephemeral] == [m for m in fake_discord.bot_messages() if m.embeds and not m.ephemeral]
    bot.store.close()


async def test_without_the_message_content_intent_mentions_still_work(fake_discord: FakeDiscord, corpus: Path, tmp_path: Path) -> None:
    bot = start_bot(bot_settings(fake_discord, corpus, tmp_path / "state", message_content=False))
    assert not bot.intents.message_content
    async with fake_discord.running(bot):
        await fake_discord.send_message(fake_discord.news, fake_discord.member, "What did Peskov say?")  # text withheld
        await fake_discord.send_message(fake_discord.news, fake_discord.member, "What did Rutte say?", mentions=[fake_discord.bot_member])
        reply = await fake_discord.wait_for_message(shown, timeout=10)
        assert "Rutte" in embed_text(reply)
        await asyncio.sleep(0.2)
        assert len(fake_discord.bot_messages()) == 1  # the unmentioned question is not answered, nor complained about
    bot.store.close()


async def test_commands_are_synced_only_when_they_change(fake_discord: FakeDiscord, corpus: Path, tmp_path: Path) -> None:
    fake_discord.identify_window = 0  # it restarts the bot within Discord's 5 s session start limit, which is not what it tests
    settings = bot_settings(fake_discord, corpus, tmp_path / "state")
    for _ in range(2):
        bot = start_bot(settings)
        async with fake_discord.running(bot):
            pass
        bot.store.close()
    assert len(fake_discord.command_syncs) == 1
    names = {c["name"] for c in fake_discord.commands[None]}
    assert {"ask", "refresh", "sources", "about"} <= names

    guild_settings = bot_settings(fake_discord, corpus, tmp_path / "state", sync_guild=fake_discord.guild.id)
    bot = start_bot(guild_settings)
    async with fake_discord.running(bot):
        pass
    bot.store.close()
    assert fake_discord.command_syncs[-1].guild_id == fake_discord.guild.id


async def test_sources_and_about(newsdesk: Harness) -> None:
    sources = await newsdesk.command("sources")
    page = await newsdesk.fake.wait_for_message(shown, timeout=10)
    assert sources.ephemeral and "Indexed articles (5)" in embed_text(page) and "by Rebecca Sullivan" in embed_text(page)
    about = await newsdesk.command("about")
    card = await newsdesk.fake.wait_for_message(shown, timeout=10)
    text = embed_text(card)
    assert about.ephemeral and "5 articles" in text and "Uptime" in text and "start-up" in text


def test_missing_token_says_how_to_set_it(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    settings = load_settings(ROOT / "config" / "newsdesk.toml", environ={}, index={"state_dir": str(tmp_path)})
    assert run_bot(settings) == 2
    err = capsys.readouterr().err
    assert "DISCORD_TOKEN" in err and "Message Content intent" in err and "Traceback" not in err


def test_run_command_without_token_exits_2(tmp_path: Path) -> None:
    import subprocess
    import sys

    env = {"PATH": "/usr/bin:/bin", "NEWSDESK_INDEX__STATE_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "bot.cli", "run"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "export DISCORD_TOKEN=" in done.stderr and "Traceback" not in done.stderr
    assert SEEDS.is_dir()


async def test_a_failed_refresh_keeps_the_old_index_serving(newsdesk: Harness) -> None:
    import shutil

    before = newsdesk.bot.desk.coverage
    shutil.rmtree(newsdesk.corpus)
    await newsdesk.command("refresh", user=newsdesk.fake.owner)
    reply = await newsdesk.fake.wait_for_message(shown, timeout=10)
    assert reply.content.startswith("The refresh failed:") and "does not exist" in reply.content
    assert newsdesk.bot.desk.coverage is before
    answer = await newsdesk.ask("What did Rutte say?", channel=newsdesk.fake.news)
    assert "Russia remains the greatest" in embed_text(answer)
    last = newsdesk.bot.store.last_refresh()
    assert last is not None and not last.ok


async def test_about_shows_the_refreshers_name_literally(fake_discord: FakeDiscord, corpus: Path, tmp_path: Path) -> None:
    from tests.fakediscord.models import MANAGE_GUILD

    fake = fake_discord
    loud = fake.add_member("**Big** __news__ @everyone <@&123456789012345678>", fake.add_role("Editors", MANAGE_GUILD))
    bot = start_bot(bot_settings(fake, corpus, tmp_path / "state"))
    async with fake.running(bot):
        await fake.invoke_command("refresh", {}, user=loud)
        await fake.wait_for_message(shown, timeout=10)
        about = await fake.invoke_command("about", {}, user=fake.member)
        card = (await about.wait_callback()).data["embeds"][0]
        last = next(f["value"] for f in card["fields"] if f["name"] == "Last refresh")
        assert "\\*\\*Big\\*\\* \\_\\_news\\_\\_" in last and "@everyone" not in last and "<@&123456789012345678>" not in last
        assert "@\u200beveryone" in last
    bot.store.close()


async def test_a_burst_of_questions_costs_the_channel_no_notice(fake_discord: FakeDiscord, corpus: Path, tmp_path: Path) -> None:
    fake = fake_discord
    bot = start_bot(bot_settings(fake, corpus, tmp_path / "state", cooldown_questions=3, cooldown_seconds=60))
    async with fake.running(bot):
        questions = [await fake.send_message(fake.news, fake.member, f"What did Rutte say ({n})?") for n in range(20)]
        answers = [await fake.wait_for_message(shown, timeout=10) for _ in range(3)]
        for _ in range(100):
            if len(fake.reactions) == 17:
                break
            await asyncio.sleep(0.05)
        sent = fake.bot_messages()
        assert len(sent) == 3 and not any("ask again" in m.content for m in sent) and answers, sent  # three replies, no notice
        assert {emoji for _, emoji in fake.reactions} == {"\u23f3"}
        assert {mid for mid, _ in fake.reactions} == {q.id for q in questions[3:]}  # each held-back question marked
        other = await fake.invoke_command("ask", {"question": "What did Rubio say?"}, user=fake.member)
        assert "ask again" in (await other.wait_callback()).data["content"]  # a slash command is always answered
    bot.store.close()
