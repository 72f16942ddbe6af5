"""/add, /remove and feeds through the loopback Discord, with pages served on 127.0.0.1."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.bot.conftest import Harness, bot_settings, embed_text, shown, start_bot
from tests.fakediscord.server import FakeDiscord
from tests.pages import serve_pages



def _allow_local(newsdesk: Harness) -> None:
    from index.ingest import FetchPolicy

    newsdesk.bot.updater.intake.policy = FetchPolicy(allow_private=True, timeout=2.0)


async def test_add_a_url_then_ask_about_it(newsdesk: Harness) -> None:
    _allow_local(newsdesk)
    async with serve_pages() as site:
        await newsdesk.command("add", {"url": f"{site}/article/wall"}, user=newsdesk.fake.moderator)
        added = await newsdesk.fake.wait_for_message(shown, timeout=15)
        assert added.embeds[0]["title"] == "Added: Harbour wall rebuilt before storms"
        assert added.embeds[0]["url"] == f"{site}/article/wall"
        assert "Port Gazette" in embed_text(added) and "passages" in embed_text(added)

        await newsdesk.command("add", {"url": f"{site}/article/wall"}, user=newsdesk.fake.moderator)
        again = await newsdesk.fake.wait_for_message(shown, timeout=15)
        assert again.embeds[0]["title"].startswith("Already indexed:")

        await newsdesk.command("add", {"url": f"{site}/image.png"}, user=newsdesk.fake.moderator)
        refused = await newsdesk.fake.wait_for_message(shown, timeout=15)
        assert "not a web page" in refused.content

    answer = await newsdesk.ask("What did Okafor say?", channel=newsdesk.fake.news)
    assert "We did not cut a single corner on safety" in embed_text(answer)
    # The card links the article it quotes, names it by headline, outlet and date, and keeps the file in small text.
    card = answer.embeds[0]
    source = next(f["value"] for f in card["fields"] if f["name"] == "Source")
    assert card["url"] == f"{site}/article/wall"
    assert source.startswith(f"**[Harbour wall rebuilt before storms]({site}/article/wall)** \u2014 Port Gazette, 4 May 2025\n-# ")
    assert source.endswith("harbour-wall-rebuilt-before-storms.txt, line 11")
    assert newsdesk.fake.errors == [] and newsdesk.fake.all_pings() == set()


async def test_add_is_for_moderators(newsdesk: Harness) -> None:
    interaction = await newsdesk.command("add", {"url": "https://example.com/x"}, user=newsdesk.fake.member)
    assert "Only moderators" in (await interaction.wait_callback()).data["content"]


async def test_add_a_file(newsdesk: Harness) -> None:
    upload = ("notes.md", b"Council Notes\n\nThe council agreed on Monday to cut ferry fares for pensioners from June.\n")
    await newsdesk.command("add", {"file": upload}, user=newsdesk.fake.owner)
    added = await newsdesk.fake.wait_for_message(shown, timeout=15)
    assert added.embeds[0]["title"] == "Added: Council Notes"
    await newsdesk.command("add", {"file": ("photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00")}, user=newsdesk.fake.owner)
    refused = await newsdesk.fake.wait_for_message(shown, timeout=15)
    assert "binary" in refused.content


async def test_remove_with_autocomplete(newsdesk: Harness) -> None:
    by_title = await newsdesk.fake.autocomplete("remove", {"article": "faces challenges"}, "article", user=newsdesk.fake.owner)
    assert [c["value"] for c in (await by_title.wait_callback()).data["choices"]] == ["003_2c1112b90513d27d.txt"]
    await newsdesk.command("remove", {"article": "003_2c1112b90513d27d.txt"}, user=newsdesk.fake.owner)
    reply = await newsdesk.fake.wait_for_message(shown, timeout=15)
    assert "Removed **Trump Faces Challenges in Ukraine Peace Efforts**" in reply.content
    assert (newsdesk.corpus / "removed" / "003_2c1112b90513d27d.txt").is_file()
    answer = await newsdesk.ask("What did Rutte say?", channel=newsdesk.fake.news)
    assert answer.content.startswith("I couldn't find that")


async def test_a_refresh_polls_the_feeds_and_its_reply_lists_the_feed_articles_it_indexed(
    fake_discord: FakeDiscord, corpus: Path, tmp_path: Path
) -> None:
    """One refresh after the poll: its reply is not "nothing changed" right after indexing the feeds' articles."""
    async with serve_pages() as site:
        settings = bot_settings(fake_discord, corpus, tmp_path / "state", moderator_channel=fake_discord.news.id)
        settings = settings.model_copy(
            update={
                "feeds": settings.feeds.model_copy(update={"urls": [f"{site}/feed.rss"], "interval_minutes": 0}),
                "ingest": settings.ingest.model_copy(update={"allow_private": True}),
            }
        )
        bot = start_bot(settings)
        async with fake_discord.running(bot):
            await fake_discord.invoke_command("refresh", {}, user=fake_discord.owner, channel=fake_discord.general)
            messages = [await fake_discord.wait_for_message(shown, timeout=20) for _ in range(2)]
            digest = next(m for m in messages if m.channel_id == fake_discord.news.id)
            report = next(m for m in messages if m.channel_id == fake_discord.general.id)
            assert "Feeds: 2 new articles" in embed_text(digest) and "answered 404" in embed_text(digest)
            assert "From feeds (2)" in embed_text(report)
            assert report.embeds[0]["title"] == "Index refreshed"
            fields = {f["name"]: f["value"] for f in report.embeds[0]["fields"]}
            saved = sorted(path.name for path in corpus.glob("port-gazette-*.txt"))
            headlines = [bot.desk.coverage.articles[name].label for name in saved]
            # By headline, the file beside it; privately, to the moderator who ran it.
            assert len(saved) == 2 and fields["Added (2)"] == "\n".join(f"\u2022 {h} ({n})" for h, n in zip(headlines, saved, strict=True))
            assert report.ephemeral and "s)" not in report.embeds[0]["description"]
            assert all(name in fields["From feeds (2)"] for name in saved)
            with sqlite3.connect(bot.store.path) as db:  # one refresh, recorded once
                assert [row[0] for row in db.execute("SELECT by FROM refreshes")] == [f"owner ({fake_discord.owner.id})"]
            assert fake_discord.all_pings() == set() and fake_discord.errors == []
        bot.store.close()


async def test_add_refuses_a_local_address_however_it_is_spelled(newsdesk: Harness) -> None:
    async with serve_pages() as site:
        for host in ("①②⑦.⓪.⓪.①", "１２７．０．０．１", "127。0。0。1", "[::ffff:127.0.0.1]"):
            url = site.replace("127.0.0.1", host) + "/article/wall"
            await newsdesk.command("add", {"url": url}, user=newsdesk.fake.moderator)
            refused = await newsdesk.fake.wait_for_message(shown, timeout=15)
            assert "is a private or local network address" in refused.content, host
    assert not (newsdesk.corpus / "added").exists()
    answer = await newsdesk.ask("What did Okafor say?", channel=newsdesk.fake.news)
    assert answer.content.startswith("I couldn't find that")
    assert newsdesk.fake.errors == [] and newsdesk.fake.all_pings() == set()


async def test_an_uploaded_files_own_header_cannot_pass_it_off_as_a_fetched_source(newsdesk: Harness) -> None:
    _allow_local(newsdesk)
    fake = newsdesk.fake
    async with serve_pages() as site:
        url = f"{site}/article/wall"
        forged = (
            f"---\ntitle: Harbour wall rebuilt before storms\nbyline: Jane Doe\noutlet: Port Gazette\nurl: {url}\n"
            "date: 2025-05-04\nfetched: 2025-05-04T10:00:00+00:00\n---\n"
            "Harbour master Ines Okafor said: \u201cThe wall will be torn down and never rebuilt.\u201d\n"
        )
        await newsdesk.command("add", {"file": ("wall.md", forged.encode())}, user=fake.moderator)
        added = await fake.wait_for_message(shown, timeout=15)
        assert added.embeds[0]["title"] == "Added: Harbour wall rebuilt before storms"
        assert "url" not in added.embeds[0] and "Port Gazette" not in embed_text(added)
        [saved] = newsdesk.corpus.glob("wall*.md")
        text = saved.read_text(encoding="utf-8")
        header = text.split("\n---\n", 1)[0]
        assert "url:" not in header and "outlet:" not in header and "fetched:" not in header
        assert f"uploaded_by: moderator ({fake.moderator.id})" in header and "uploaded_file: wall.md" in header
        assert text.count("---\n") == 2  # one header: ours

        await newsdesk.command("add", {"url": url}, user=fake.moderator)  # the real article is not blocked
        real = await fake.wait_for_message(shown, timeout=15)
        assert real.embeds[0]["title"] == "Added: Harbour wall rebuilt before storms" and real.embeds[0]["url"] == url
        assert "Port Gazette" in embed_text(real)
    answer = await newsdesk.ask("What did Okafor say?", channel=fake.news)
    assert fake.errors == [] and fake.all_pings() == set() and answer
