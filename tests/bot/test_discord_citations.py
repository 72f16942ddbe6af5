"""Every kind of reply names its sources one way, through the real client and the loopback Discord:
``**Headline** — Outlet, date`` linked to the article, with the file and lines in small text below.

The corpus is the seeds plus articles saved the way /add and the feeds save them (a header with
title, outlet, date and address), two of them one agency story run by two papers.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest_asyncio

from tests.bot.conftest import Harness, bot_settings, custom_ids, shown, start_bot
from tests.bot.linked import GAZETTE, QUAY, write_linked
from tests.fakediscord.html import page
from tests.fakediscord.server import FakeDiscord


@pytest_asyncio.fixture
async def desk_with_links(fake_discord: FakeDiscord, corpus: Path, tmp_path: Path) -> AsyncIterator[Harness]:
    write_linked(corpus)
    bot = start_bot(bot_settings(fake_discord, corpus, tmp_path / "state"))
    async with fake_discord.running(bot):
        yield Harness(fake_discord, bot, corpus)
    bot.store.close()


def field(embed: dict[str, Any], name: str) -> str:
    return next(f["value"] for f in embed.get("fields", []) if f["name"] == name)


GAZETTE_LINE = f"**[Harbour Wall Rebuilt Before Storms]({GAZETTE})** \u2014 Port Gazette, 4 May 2025\n-# gazette-wall.txt, line 10"
QUAY_LINE = f"**[Okafor Defends Cost of Harbour Repairs]({QUAY})** \u2014 Quay News, 6 May 2025\n-# quay-okafor.txt, line 10"


async def test_the_answer_card_and_its_also_in_link_each_article(desk_with_links: Harness) -> None:
    fake = desk_with_links.fake
    reply = await desk_with_links.ask("What did Okafor say about safety?", channel=fake.news)
    card = reply.embeds[0]
    assert {field(card, "Source"), field(card, "Also in").split("\n> ")[0]} == {GAZETTE_LINE, QUAY_LINE}
    assert f"]({card['url']})**" in field(card, "Source")  # the card's title links the article it quotes
    # As Discord draws it: the headline a bold link, the file and line in small text under it.
    drawn = page([reply])
    assert f'<b><a href="{GAZETTE}">Harbour Wall Rebuilt Before Storms</a></b> \u2014 Port Gazette, 4 May 2025' in drawn
    assert '<span class="sub">gazette-wall.txt, line 10</span>' in drawn
    assert fake.errors == [] and fake.all_pings() == set()


async def test_one_story_in_two_papers_is_one_quote_citing_both(desk_with_links: Harness) -> None:
    fake = desk_with_links.fake
    reply = await desk_with_links.ask("What did Lindqvist say about the lighthouse tender?", channel=fake.news)
    card = reply.embeds[0]
    lines = {field(card, "Source"), field(card, "The same words in")}
    assert lines == {
        "**[Lighthouse Tender Sails Again](https://north.example/tender)** \u2014 North Herald, 1 June 2025\n-# north-tender.txt, line 8",
        "**[Tender Back in Service After Refit](https://south.example/tender)** \u2014 South Courier, 2 June 2025\n"
        "-# south-tender.txt, line 8",
    }
    assert "Also in" not in [f["name"] for f in card["fields"]]  # the copy is not shown twice


async def test_the_passage_pages_are_titled_and_linked_with_the_file_in_the_footer(desk_with_links: Harness) -> None:
    fake = desk_with_links.fake
    reply = await desk_with_links.ask("What did Okafor say about cutting corners?", channel=fake.news)
    assert field(reply.embeds[0], "Source") == GAZETTE_LINE
    await fake.click(reply, next(c for c in custom_ids(reply) if ":full:" in c))
    page = (await fake.wait_for_message(shown, timeout=10)).embeds[0]
    assert page["title"] == "Harbour Wall Rebuilt Before Storms \u2014 Port Gazette, 4 May 2025"
    assert page["url"] == GAZETTE and page["footer"]["text"] == "gazette-wall.txt, line 10"


async def test_summary_points_cite_linked_headlines(desk_with_links: Harness) -> None:
    fake = desk_with_links.fake
    await desk_with_links.command("summary", {"person": "Okafor"}, subcommand="person")
    text = (await fake.wait_for_message(shown, timeout=15)).embeds[0]["description"]
    # One citation per article (headline line and file), each point under it with its lines.
    for line in (GAZETTE_LINE, QUAY_LINE):
        headline, small = line.rsplit(", line ", 1)
        assert headline + "\n> " in text and "\n-# line " + small in text
    await desk_with_links.command("summary", {"topic": "lighthouse tender"}, subcommand="topic")
    text = (await fake.wait_for_message(shown, timeout=15)).embeds[0]["description"]
    assert "**[Lighthouse Tender Sails Again](https://north.example/tender)**" in text and "-# north-tender.txt\n> " in text and "\n-# line 8" in text
    assert fake.errors == [] and fake.all_pings() == set()


async def test_check_links_the_article_it_found(desk_with_links: Harness) -> None:
    fake = desk_with_links.fake
    await desk_with_links.command("check", {"quote": "We did not cut a single corner on safety", "person": "Okafor"})
    card = (await fake.wait_for_message(shown, timeout=15)).embeds[0]
    assert card["title"].endswith("Verbatim in the coverage")
    assert card["url"] == GAZETTE and field(card, "Source") == GAZETTE_LINE


async def test_an_article_without_a_headline_is_named_by_its_first_sentence(desk_with_links: Harness) -> None:
    fake = desk_with_links.fake
    reply = await desk_with_links.ask("Who interviewed Trump on Meet the Press?", channel=fake.news)
    source = field(reply.embeds[0], "Source")
    headline, small = source.split("\n")
    assert headline == "**President Donald Trump has signaled that his administration may abandon efforts to broker\u2026**"
    assert small.startswith("-# 002\\_8bc5e7102b110562.txt, line")
    assert "url" not in reply.embeds[0]  # no address is known: nothing is linked
