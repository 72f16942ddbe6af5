"""/summary through the loopback Discord: every kind, within limits, no pings, article autocomplete."""

from __future__ import annotations


from tests.bot.conftest import Harness, embed_text, shown



async def test_overview_topic_person_article(newsdesk: Harness) -> None:
    fake = newsdesk.fake
    overview = await newsdesk.command("summary", subcommand="overview")
    card = await fake.wait_for_message(shown, timeout=15)
    assert overview.callback is not None and overview.callback.type == 5
    text = embed_text(card)
    assert "The coverage: 5 articles" in text and "Who said what" in text and "\n> " in text

    await newsdesk.command("summary", {"topic": "sanctions"}, subcommand="topic")
    assert "What the coverage says about sanctions" in embed_text(await fake.wait_for_message(shown, timeout=15))
    await newsdesk.command("summary", {"topic": "cricket"}, subcommand="topic")
    assert "doesn't discuss cricket" in embed_text(await fake.wait_for_message(shown, timeout=15))
    await newsdesk.command("summary", {"person": "Peskov"}, subcommand="person")
    assert "fraught with emotional overload" in embed_text(await fake.wait_for_message(shown, timeout=15))
    await newsdesk.command("summary", {"article": "003_2c1112b90513d27d.txt"}, subcommand="article")
    assert "Trump Faces Challenges in Ukraine Peace Efforts" in embed_text(await fake.wait_for_message(shown, timeout=15))
    assert fake.errors == [] and fake.all_pings() == set()


async def test_article_autocomplete_by_title_and_file(newsdesk: Harness) -> None:
    interaction = await newsdesk.fake.autocomplete(
        "summary", {"article": "ceasefire"}, "article", user=newsdesk.fake.member, subcommand="article"
    )
    callback = await interaction.wait_callback()
    assert callback.type == 8
    assert [c["value"] for c in callback.data["choices"]] == ["004_7654bc732c946649.txt"]
    by_file = await newsdesk.fake.autocomplete(
        "summary", {"article": "001_"}, "article", user=newsdesk.fake.member, subcommand="article"
    )
    assert [c["value"] for c in (await by_file.wait_callback()).data["choices"]] == ["001_8d634213a0d69c48.txt"]


async def test_long_summaries_are_paged_within_limits(newsdesk: Harness) -> None:
    statement = (
        "said the harbour would need more tugboats, more berths, a bigger customs shed, two new cranes, a longer "
        "breakwater, deeper channels for the ferries and a fresh coat of paint on the lighthouse before the season began"
    )
    for number in range(14):
        (newsdesk.corpus / f"port{number}.txt").write_text(
            f"Port Report {number}\n\nHarbour master Ines Okafor {statement} number {number} in district {number * 7}.\n",
            encoding="utf-8",
        )
    await newsdesk.command("refresh", user=newsdesk.fake.owner)
    await newsdesk.fake.wait_for_message(shown, timeout=15)
    await newsdesk.command("summary", {"person": "Okafor"}, subcommand="person")
    first = await newsdesk.fake.wait_for_message(shown, timeout=15)
    for embed in first.embeds:
        assert len(embed.get("description", "")) <= 4096
    assert "page 1 of" in first.embeds[0]["footer"]["text"] and first.components
    assert newsdesk.fake.errors == []


async def test_an_older_versions_in_memory_pager_loses_its_buttons_at_the_first_click(newsdesk: Harness) -> None:
    fake = newsdesk.fake
    await newsdesk.command("summary", subcommand="overview")
    card = await fake.wait_for_message(shown, timeout=15)
    # As an older version sent summaries: buttons whose pages lived only in that process's memory.
    card.data["components"] = [{"type": 1, "components": [{"type": 2, "style": 2, "label": "\u25b6", "custom_id": "nd:mem:0a1b2c3d4e5f6a7b:next"}]}]
    clicked = await fake.click(card, "nd:mem:0a1b2c3d4e5f6a7b:next")
    assert (await clicked.wait_callback()).type == 7 and card.components == []
    note = await fake.wait_for_message(lambda m: shown(m) and m.id != card.id, timeout=15)
    assert note.ephemeral and "expired" in note.content
    assert fake.errors == []
