"""The drawing of captured messages shows the bot's Markdown as Discord does."""

from __future__ import annotations

from tests.fakediscord.html import markdown


def test_escapes_bold_links_quotes_and_subtext() -> None:
    drawn = markdown("**[Wall \\[rebuilt\\]](https://a.example/x)** \u2014 Gazette\n-# 002\\_8bc5.txt, line 3\n> \\*literal\\* <b>")
    assert drawn == (
        '<b><a href="https://a.example/x">Wall [rebuilt]</a></b> \u2014 Gazette<br>'
        '<span class="sub">002_8bc5.txt, line 3</span><div class="quote">*literal* &lt;b&gt;</div>'
    )
