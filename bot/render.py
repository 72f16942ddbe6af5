"""Answers, passages, summaries, checks and reports as Discord messages, always within Discord's limits.

Everything renders from the typed results of :mod:`index` (an answer as :mod:`bot.payload`
bounds and stores it, so a button pressed after a restart renders exactly what was first
shown). Every source is shown one way (:func:`source_block`): ``**Headline** — Outlet, date``,
linked to the article when its address is known, with the file and lines in small text below.
Long text is cut at a sentence boundary (a word boundary when a single sentence is too long)
and marked with "…"; the rest stays reachable through the *Context* pages.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import discord

from index.citation import Citation
from index.feeds import FeedReport
from index.table import ArticleInfo
from index.text import sentence_spans

from .citation import outlet_and_date, where

CONTENT_LIMIT = 2000
TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELD_NAME_LIMIT = 256
FIELD_LIMIT = 1024
FOOTER_LIMIT = 2048
EMBED_TOTAL_LIMIT = 6000
FIELDS_LIMIT = 25
#: A headline, outlet, file name or date is shown up to this long.
LABEL_CHARS = 200
#: A headline and its address longer than this together are shown unlinked: a source's block
#: (headline, outlet and date, file and lines) must fit an embed field whole, never cut mid-link.
LINKED_CHARS = 600
ELLIPSIS = "\u2026"
#: How far past a cut :func:`clip` looks to tell whether a sentence ends before it.
_LOOKAHEAD = 80
#: *Context* pages: Discord shows one embed at a time; eight are as many as anyone pages through.
PAGE_CHARS = 3500
MAX_PAGES = 8
COLOUR = discord.Colour(0x2B6CB0)
NOT_FOUND_COLOUR = discord.Colour(0x718096)
#: Every message the bot sends pings no one, whatever the text quotes (@everyone, roles, users).
NO_PINGS = discord.AllowedMentions.none()


def clip(text: str, limit: int) -> str:
    """``text`` if it fits, else the longest run of whole sentences that does, then "…".

    Only the first ``limit`` characters (and a little lookahead) are examined, so clipping costs
    the same for a 4 MB passage as for a 4 KB one.
    """
    if len(text) <= limit:
        return text
    room = limit - len(ELLIPSIS)
    window = text[: room + _LOOKAHEAD]
    spans = sentence_spans(window)
    if len(window) < len(text):
        spans = spans[:-1]  # the last one runs into the cut, not to the end of a sentence
    end = 0
    for _start, stop in spans:
        if stop > room:
            break
        end = stop
    if end == 0:
        cut = text.rfind(" ", 0, room)
        end = cut if cut > 0 else room
    return text[:end].rstrip() + ELLIPSIS


def escape(text: str) -> str:
    """Show text exactly as written: Markdown characters escaped, so ``*`` or ``_`` in an article stay literal."""
    return discord.utils.escape_markdown(text, as_needed=False, ignore_links=False)


def literal(text: str, limit: int) -> str:
    """``text`` shown as written, within ``limit``: cut first, so escaping never runs over more than is shown."""
    return clip(escape(clip(text, limit)), limit)


def person(text: str, limit: int = 200) -> str:
    """A name someone chose (a username, a display name) shown as written, and unable to mention anyone."""
    return discord.utils.escape_mentions(literal(text, limit))


def title(text: str) -> str:
    """An embed title showing ``text`` as written (titles render Markdown too), within the title limit."""
    return literal(text, TITLE_LIMIT)


def code(text: str) -> str:
    """``text`` as inline code; Markdown escapes would show literally there, so only backticks are replaced."""
    return "`" + text.replace("`", "\u02cb") + "`"


def quote_block(text: str, limit: int) -> str:
    """A Markdown block quote of ``text`` that fits in ``limit`` characters (escapes included)."""
    clipped = clip(text, limit)  # escaping only lengthens: never escape more than could fit
    while True:
        block = "> " + escape(clipped)
        if len(block) <= limit:
            return block
        clipped = clip(clipped, max(1, len(clipped) - (len(block) - limit) - 1))


def source_link(citation: Citation) -> str:
    """``**Headline** — Outlet, date`` in Markdown, the headline linked to the article when its address is known."""
    text = escape(clip(citation.title, LABEL_CHARS))
    headline = f"**{text}**"
    if citation.url and len(text) + len(citation.url) < LINKED_CHARS:
        headline = f"**[{_BRACKET.sub(_ESCAPED, text)}]({_href(citation.url)})**"
    rest = outlet_and_date(citation)
    return f"{headline} \u2014 {escape(clip(rest, LABEL_CHARS))}" if rest else headline


def source_block(citation: Citation) -> str:
    """The headline line, then the file and lines it quotes in small text (``-#``): the one way a source is shown."""
    return f"{source_link(citation)}\n-# {escape(clip(where(citation), LABEL_CHARS))}"


#: A bracket in a link's text not escaped yet: "]" would end the text, "[" open another.
_BRACKET = re.compile(r"(?<!\\)([\[\]])")
_ESCAPED = r"\\\1"


def _href(url: str) -> str:
    """A web address that a Markdown link cannot be broken out of (parentheses, spaces and angle brackets encoded)."""
    return url.replace(" ", "%20").replace("(", "%28").replace(")", "%29").replace("<", "%3C").replace(">", "%3E")


def sources_field(citations: Sequence[Citation], limit: int) -> str:
    """Several sources, one block each, as many as fit in ``limit`` characters."""
    blocks: list[str] = []
    used = 0
    for index, citation in enumerate(citations):
        block = source_block(citation)
        more = len(citations) - index
        if blocks and used + len(block) + 1 > limit - 20:
            blocks.append(f"-# \u2026and {more} more")
            break
        blocks.append(block)
        used += len(block) + 1
    return clip("\n".join(blocks), limit)


def shrink_fields(embed: discord.Embed) -> None:
    """Drop trailing fields until the embed fits the 6,000-character total."""
    while len(embed) > EMBED_TOTAL_LIMIT and embed.fields:
        embed.remove_field(len(embed.fields) - 1)


def article_pages(articles: Sequence[ArticleInfo], *, per_page: int = 10) -> list[discord.Embed]:
    """The indexed articles, ``per_page`` to a page."""
    rows = sorted(articles, key=lambda a: a.name)
    pages = []
    total = max(1, -(-len(rows) // per_page))
    for number in range(total):
        chunk = rows[number * per_page : (number + 1) * per_page]
        lines = []
        for article in chunk:
            byline = f" \u00b7 by {literal(article.byline, 200)}" if article.byline else ""
            lines.append(
                f"**{escape(clip(article.label, 200))}**\n{code(article.name)} \u00b7 {article.passages} passage{'' if article.passages == 1 else 's'}{byline}"
            )
        embed = discord.Embed(
            title=f"Indexed articles ({len(rows)})",
            description=clip("\n".join(lines) or "No articles are indexed.", DESCRIPTION_LIMIT),
            colour=COLOUR,
        )
        pages.append(embed)  # the pager's "Page x/y (n entries)" says where it is
    return pages


def feed_digest(report: FeedReport) -> discord.Embed:
    """The moderator channel's note after a feed poll: what was added, which feeds or items failed."""
    embed = discord.Embed(title=f"Feeds: {len(report.added)} new articles", colour=COLOUR)
    if report.added:
        embed.add_field(
            name="Added",
            value=file_list([f"{title} ({name})" for name, title, _feed in report.added]),
            inline=False,
        )
    if report.failed:
        embed.add_field(name="Failed", value=file_list([f"{where}: {why}" for where, why in report.failed]), inline=False)
    shrink_fields(embed)
    return embed


def report_embed(days: int, unanswered: Sequence[Any], disliked: Sequence[Any]) -> discord.Embed:
    """The coverage gaps: unanswered questions and 👎 answers over ``days``, most frequent first."""
    embed = discord.Embed(title=f"Coverage gaps \u2014 last {days} days", colour=COLOUR)

    def lines(rows: Sequence[Any]) -> str:
        return "\n".join(f"{row.count}\u00d7 {escape(clip(row.question, 150))}" for row in rows) or "none"

    embed.add_field(name=f"Not answered ({sum(r.count for r in unanswered)})", value=clip(lines(unanswered), FIELD_LIMIT), inline=False)
    embed.add_field(name=f"Marked \U0001f44e ({sum(r.count for r in disliked)})", value=clip(lines(disliked), FIELD_LIMIT), inline=False)
    return embed


def marked(text: str, marks: Sequence[tuple[int, int]], style: str, limit: int = FIELD_LIMIT) -> str:
    """``text`` escaped, with the ``marks`` spans wrapped in a Markdown style (``**`` bold, ``~~`` struck);
    only the first ``limit`` characters, which is all a field can show."""
    text = text[:limit]
    out: list[str] = []
    position = 0
    for start, end in sorted((min(a, len(text)), min(b, len(text))) for a, b in marks):
        start, end = _hugging(text, max(start, position), end)
        if start >= end:
            continue  # nothing of it shown: an empty mark ("****") would show literally
        out.append(escape(text[position:start]))
        out.append(f"{style}{escape(text[start:end])}{style}")
        position = end
    out.append(escape(text[position:]))
    return "".join(out)


def _hugging(text: str, start: int, end: int) -> tuple[int, int]:
    """``[start, end)`` without spaces at its edges: Markdown bold or strike next to a space does not apply."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def file_list(items: Sequence[str], total: int | None = None) -> str:
    """One line per item, as many as fit a field; the rest of ``total`` (default: the items) counted."""
    total = len(items) if total is None else total
    lines: list[str] = []
    used = 0
    for item in items:
        line = f"\u2022 {escape(clip(item, 200))}"
        if used + len(line) + 1 > FIELD_LIMIT - 30:
            break
        lines.append(line)
        used += len(line) + 1
    if total > len(lines):
        lines.append(f"\u2026and {total - len(lines)} more")
    return "\n".join(lines)
