"""/check through the loopback Discord: verdicts, marked differences, limits, no pings."""

from __future__ import annotations


from tests.bot.conftest import Harness, embed_text, shown



async def test_check_verdicts(newsdesk: Harness) -> None:
    fake = newsdesk.fake
    await newsdesk.command("check", {"quote": "Russia remains the biggest long-term threat to NATO", "person": "Rutte"})
    altered = embed_text(await fake.wait_for_message(shown, timeout=15))
    assert "Close, but altered" in altered
    assert "**greatest**" in altered and "~~biggest~~" in altered

    await newsdesk.command("check", {"quote": "Trump said Russia is not serious about peace @everyone"})
    other = embed_text(await fake.wait_for_message(shown, timeout=15))
    assert "Said by someone else" in other and "Zelenskyy" in other

    await newsdesk.command("check", {"quote": "The harbour will reopen to cruise ships next spring, the mayor promised."})
    absent = embed_text(await fake.wait_for_message(shown, timeout=15))
    assert "Not in the coverage" in absent

    long_paste = "> **" + ("Russia remains the greatest long-term challenge to NATO. " * 40) + "**"
    await newsdesk.command("check", {"quote": long_paste[:2900]})
    card = await fake.wait_for_message(shown, timeout=15)
    assert all(len(f["value"]) <= 1024 for f in card.embeds[0]["fields"])
    assert fake.errors == [] and fake.all_pings() == set()
