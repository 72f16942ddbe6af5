"""Scannable answers and honest summaries, through the loopback Discord with the real client.

The card leads with the sentence that answers, its answering words bold and the quote still
verbatim; the sentence it leans on is under "Context"; the speaker is named once; "also in" is
headline links. "What X said" holds only X's own words, never another person of the same surname;
a refresh's summary pages its articles; /check's verdict has its colour and can be private.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from bot.exts.check._embeds import CHECK_COLOURS
from tests.bot.conftest import Harness, embed_text, shown

ARTICLES = {
    "porthaven-ferry.txt": (
        "Porthaven Approves New Ferry Terminal\n\n"
        "The town council of Porthaven approved plans for a new ferry terminal on Monday. "
        "It will cost $45 million and open in 2027, the finance officer Priya Raman told the council.\n\n"
        "Work on the *terminal* is expected to start in the autumn.\n"
    ),
    "quarterback.txt": (
        "Quarterback Promises a Title\n\n"
        "\u201cWe have the best defence in the league and we will win the title,\u201d quarterback Tom Brady told reporters on Sunday.\n\n"
        "Brady's remarks come after a season of injuries for the team.\n"
    ),
    "tax-bill.txt": (
        "Tax Bill Heads for a Vote\n\n"
        "\u201cThe votes are there and the bill will pass before the recess,\u201d congressman Kevin Brady said on Tuesday.\n"
    ),
    "harbour-fees.txt": (
        "Harbour Fees Rise Again\n\n"
        "\u201cThe fees pay for the dredging of the channel,\u201d harbour master Ines Okafor said.\n\n"
        "Okafor's comments came a week after fishermen protested outside the harbour office.\n"
    ),
}



async def with_articles(newsdesk: Harness, articles: dict[str, str]) -> None:
    for name, text in articles.items():
        (newsdesk.corpus / name).write_text(text, encoding="utf-8")
    await newsdesk.command("refresh", user=newsdesk.fake.owner)
    await newsdesk.fake.wait_for_message(shown, timeout=30)


def field(embed: dict[str, Any], name: str) -> str | None:
    return next((f["value"] for f in embed.get("fields", []) if f["name"] == name), None)


def shown_words(markdown: str) -> str:
    """What a reader sees of a block quote: no "> ", no bold marks, no escapes."""
    text = markdown.removeprefix("> ").replace("**", "")
    return re.sub(r"\\(.)", r"\1", text)


def file_lines(corpus: Path, source: str, footer: str) -> str:
    """The cited lines of the source file (``file.txt, lines 3–5``), whitespace folded."""
    numbers = [int(n) for n in re.findall(r"\d+", footer.rsplit(",", 1)[1])]
    lines = (corpus / source).read_text(encoding="utf-8").splitlines()
    return " ".join(" ".join(lines[numbers[0] - 1 : numbers[-1]]).split())


async def test_the_card_leads_with_the_answer_bold_and_verbatim(newsdesk: Harness) -> None:
    await with_articles(newsdesk, ARTICLES)
    reply = await newsdesk.ask("How much will the Porthaven ferry terminal cost?", channel=newsdesk.fake.news)
    card = reply.embeds[0]
    description = card["description"]
    assert description.startswith("> It will cost **$45 million**")
    context = field(card, "Context")
    assert context == "> The town council of Porthaven approved plans for a new ferry terminal on Monday."
    source = field(card, "Source") or ""
    cited = file_lines(newsdesk.corpus, "porthaven-ferry.txt", source.rsplit("-# ", 1)[1].replace("\\_", "_"))
    # Bold changes no word: the lead and its context are the cited lines' own words, in order.
    assert shown_words(description) in cited and shown_words(context) in cited
    assert cited.index(shown_words(context)) < cited.index(shown_words(description))
    assert "Author:" not in embed_text(reply)  # the quote names no speaker, and none is asked for
    assert newsdesk.fake.errors == [] and newsdesk.fake.all_pings() == set()


async def test_the_speaker_is_named_once(newsdesk: Harness) -> None:
    await with_articles(newsdesk, ARTICLES)
    named = (await newsdesk.ask("What did Okafor say about the fees?", channel=newsdesk.fake.news)).embeds[0]
    assert "Okafor said" in named["description"] and "author" not in named
    assert named["description"] == "> \u201c**The fees pay for the dredging of the channel**,\u201d harbour master Ines Okafor said."
    unnamed = (await newsdesk.ask("What did Zelensky say about peace?", channel=newsdesk.fake.news)).embeds[0]
    assert "he stated" in unnamed["description"] and unnamed["author"]["name"] == "Volodymyr Zelenskyy"
    assert "Speaker" not in [f["name"] for f in unnamed["fields"]]


async def test_also_in_is_headline_links_not_second_quotes(newsdesk: Harness) -> None:
    reply = await newsdesk.ask("What did Zelensky say about peace?", channel=newsdesk.fake.news)
    also = field(reply.embeds[0], "Also in")
    assert also is not None and also.startswith("**Trump Pushes Putin To Spare Ukrainian Troops")
    assert "\n> " not in also and "-# 004\\_7654bc732c946649.txt" in also


async def test_did_you_mean_is_said_once(newsdesk: Harness) -> None:
    reply = await newsdesk.ask("What did Zelinsky say?", channel=newsdesk.fake.news)
    assert reply.content.count("Did you mean") == 1 and "**Zelensky**" in reply.content


async def test_what_x_said_holds_only_their_own_words(newsdesk: Harness) -> None:
    await with_articles(newsdesk, ARTICLES)
    await newsdesk.command("summary", {"person": "Tom Brady"}, subcommand="person")
    tom = embed_text(await newsdesk.fake.wait_for_message(shown, timeout=15))
    assert "best defence in the league" in tom
    assert "votes are there" not in tom and "Tax Bill" not in tom  # Kevin Brady's words, not Tom's
    assert "remarks come after" not in tom  # a sentence about his words is not his words
    await newsdesk.command("summary", {"person": "Kevin Brady"}, subcommand="person")
    kevin = embed_text(await newsdesk.fake.wait_for_message(shown, timeout=15))
    assert "votes are there" in kevin and "best defence" not in kevin
    await newsdesk.command("summary", {"person": "Okafor"}, subcommand="person")
    okafor = embed_text(await newsdesk.fake.wait_for_message(shown, timeout=15))
    assert "dredging of the channel" in okafor and "fishermen protested" not in okafor


async def test_summary_points_one_citation_per_article_no_doubled_marks(newsdesk: Harness) -> None:
    await newsdesk.command("summary", {"person": "Trump"}, subcommand="person")
    page = (await newsdesk.fake.wait_for_message(shown, timeout=15)).embeds[0]["description"]
    files = re.findall(r"^-# (\S+\.txt)$", page, re.MULTILINE)
    assert files and len(files) == len(set(files))  # each article's file once, its points under it
    assert "\u201c\u201c" not in page and "\u201d\u201d" not in page and '"\u201c' not in page
    assert "\n> \u201cWe\u2019re just going to take a pass" in page


async def test_person_autocomplete_offers_the_people_quoted(newsdesk: Harness) -> None:
    interaction = await newsdesk.fake.autocomplete(
        "summary", {"person": "pes"}, "person", user=newsdesk.fake.member, subcommand="person"
    )
    choices = (await interaction.wait_callback()).data["choices"]
    assert [c["value"] for c in choices] in (["Dmitry Peskov"], ["Peskov"])


async def test_latest_says_how_many_of_how_many_and_pages_the_rest(newsdesk: Harness) -> None:
    articles = {
        f"notice{n:02}.txt": f"Harbour Notice {n}\n\nThe harbour office announced that berth {n} will close for repairs "
        f"during the first week of the month, and ships should use berth {n + 20} instead until the work is done.\n"
        for n in range(11)
    }
    await with_articles(newsdesk, articles)
    await newsdesk.command("summary", subcommand="latest")
    first = await newsdesk.fake.wait_for_message(shown, timeout=15)
    embed = first.embeds[0]
    assert embed["title"] == "New since the last refresh: 11 articles"
    assert embed["description"].startswith("-# 8 of 11 articles")
    assert embed["footer"]["text"].endswith("page 1 of 2") and first.components


async def test_check_verdict_colours_and_private(newsdesk: Harness) -> None:
    fake = newsdesk.fake
    cases = [
        ({"quote": "Russia remains the greatest long-term challenge to NATO", "person": "Rutte"}, "verbatim"),
        ({"quote": "Russia remains the biggest long-term threat to NATO", "person": "Rutte"}, "altered"),
        ({"quote": "Trump said Russia is not serious about peace"}, "other_speaker"),
        ({"quote": "The harbour will reopen to cruise ships next spring, the mayor promised."}, "not_found"),
    ]
    for options, verdict in cases:
        interaction = await newsdesk.command("check", options)
        posted = await fake.wait_for_message(shown, timeout=15)
        card = posted.embeds[0]
        assert card["color"] == CHECK_COLOURS[verdict].value, verdict
        assert interaction.ephemeral and not posted.ephemeral  # thought about privately, the verdict posted
    private = await newsdesk.command("check", {"quote": "Russia remains the greatest long-term challenge to NATO", "private": True})
    reply = await fake.wait_for_message(shown, timeout=15)
    assert private.ephemeral and reply.ephemeral
    assert fake.errors == [] and fake.all_pings() == set()
