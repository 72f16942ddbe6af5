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
from collections.abc import Callable, Sequence
from typing import Any

import discord

from index.answer import Answer
from index.check import CheckResult
from index.citation import Citation
from index.feeds import FeedReport
from index.names import fold_name, split_words
from index.refresh import RefreshReport
from index.summary import Summary
from index.table import ArticleInfo
from index.text import sentence_spans

from .citation import lines_label, outlet_and_date, where

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


def _sources(citations: Sequence[Citation], limit: int) -> str:
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


def answer_embed(answer: Answer) -> discord.Embed:
    """The answer card: the sentence that answers (its answering words bold), the speaker once in
    the author line, the sentences it leans on under "Context", the source (linked headline, file
    and lines), then the other articles that answer as headline links."""
    best, *others = answer.answers
    lead, bold = best.lead, _shifted(best.emphasis, best.span)
    embed = discord.Embed(
        title=title(answer.question),
        url=best.url,
        description=marked_block(lead, bold, DESCRIPTION_LIMIT),
        colour=COLOUR,
    )
    if best.speaker and not names_in(best.speaker, best.quote):
        embed.set_author(name=clip(best.speaker, LABEL_CHARS))
    if best.context:
        embed.add_field(name="Context", value=quote_block(best.context, FIELD_LIMIT), inline=False)
    embed.add_field(name="Source", value=_sources([best], FIELD_LIMIT), inline=False)
    if best.also:
        embed.add_field(name="The same words in", value=_sources(best.also, FIELD_LIMIT), inline=False)
    if others:
        embed.add_field(name="Also in", value=_sources(others, FIELD_LIMIT), inline=False)
    embed.set_footer(text="Quoted word for word from the coverage")
    _fit(embed)
    return embed


def _shifted(bold: tuple[int, int] | None, span: tuple[int, int] | None) -> tuple[int, int] | None:
    """The bold span's place in :attr:`Citation.lead` (which starts where ``span`` does)."""
    if bold is None:
        return None
    at = span[0] if span else 0
    return (bold[0] - at, bold[1] - at) if bold[0] >= at else None


def names_in(speaker: str, text: str) -> bool:
    """Whether ``text`` already names ``speaker`` (any of their name words: "Rutte told reporters")."""
    said = {fold_name(w.text) for w in split_words(text) if w.capital}
    return any(fold_name(w.text) in said for w in split_words(speaker) if w.capital and len(w.text) > 2)


def marked_block(text: str, bold: tuple[int, int] | None, limit: int) -> str:
    """A block quote of ``text`` within ``limit``, its ``bold`` span in bold: the words are the
    text's own, escaped, so removing the ``**`` and the escapes gives back the text exactly."""
    clipped = clip(text, limit)
    while True:
        block = "> " + _marked(clipped, [bold] if bold else [], "**", limit=len(clipped))
        if len(block) <= limit:
            return block
        clipped = clip(clipped, max(1, len(clipped) - (len(block) - limit) - 1))


def _fit(embed: discord.Embed) -> None:
    """Shorten the description until the whole embed is within Discord's 6,000-character total."""
    while len(embed) > EMBED_TOTAL_LIMIT and embed.description:
        excess = len(embed) - EMBED_TOTAL_LIMIT
        text = embed.description
        embed.description = clip(text, max(1, len(text) - excess - 1))


def not_found_text(answer: Answer) -> str:
    """The short, friendly reply when the coverage doesn't answer."""
    text = "I couldn't find that in the coverage. " + literal(answer.message or "", CONTENT_LIMIT // 2)
    if answer.suggestions:
        text += " Did you mean " + " or ".join(f"**{literal(s, 100)}**" for s in answer.suggestions[:3]) + "?"
    return clip(text.strip(), CONTENT_LIMIT)


def passage_pages(
    citation: Citation, *, offset: int = 0, total: int = 0, page_size: int = PAGE_CHARS
) -> list[discord.Embed]:
    """The passage behind a citation, split at sentence boundaries into at most :data:`MAX_PAGES` pages.

    ``citation.passage`` may be an excerpt (see :mod:`bot.payload`): one starting ``offset``
    characters into a passage ``total`` characters long. Whatever arrives, no more than the
    pages can show is looked at.
    """
    passage = citation.passage or citation.quote
    text = passage[: MAX_PAGES * page_size]
    total = max(total, offset + len(passage))
    shortened = offset > 0 or offset + len(text) < total
    pieces: list[str] = []
    start = 0
    while start < len(text) and len(pieces) < MAX_PAGES:
        piece = clip(text[start:], page_size)
        taken = len(piece.rstrip(ELLIPSIS)) if piece.endswith(ELLIPSIS) else len(piece)
        pieces.append(piece)
        start += taken
        while start < len(text) and text[start] == " ":
            start += 1
    if shortened and pieces:
        if offset > 0:
            pieces[0] = ELLIPSIS + pieces[0]
        if not pieces[-1].endswith(ELLIPSIS):
            pieces[-1] += ELLIPSIS
    rest = outlet_and_date(citation)
    heading = title(clip(citation.title, LABEL_CHARS) + (f" \u2014 {clip(rest, LABEL_CHARS)}" if rest else ""))
    pages = []
    for number, piece in enumerate(pieces, start=1):
        embed = discord.Embed(title=heading, url=citation.url, description=quote_block(piece, DESCRIPTION_LIMIT), colour=COLOUR)
        footer = where(citation)
        if citation.section:
            footer += f" \u00b7 {clip(citation.section, 200)}"
        if shortened:
            footer += f" \u00b7 excerpt of a {total:,}-character passage"
        if len(pieces) > 1:
            footer += f" \u00b7 page {number} of {len(pieces)}"
        embed.set_footer(text=clip(footer, FOOTER_LIMIT))
        pages.append(embed)
    return pages


def sources_embed(answer: Answer) -> discord.Embed:
    """Every article that answers, one field each: its linked headline, file and lines, and the quote."""
    embed = discord.Embed(title=title(f"Sources for: {answer.question}"), colour=COLOUR)
    for number, citation in enumerate(answer.answers[:10], start=1):
        who = f" {literal(citation.speaker, 200)}" if citation.speaker else ""
        block = source_block(citation)
        embed.add_field(
            name=f"{number}.{who}",
            value=clip(block + "\n" + quote_block(citation.quote, max(1, FIELD_LIMIT - len(block) - 1)), FIELD_LIMIT),
            inline=False,
        )
    if not answer.answers:
        embed.description = "No article answers this question."
    _shrink_fields(embed)
    return embed


def _shrink_fields(embed: discord.Embed) -> None:
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


#: A refresh report lists this many files per kind of change, then counts the rest ("…and N more").
REPORT_ITEMS = 8


def refresh_embed(
    report: RefreshReport, feeds: FeedReport | None = None, headline: Callable[[str], str | None] | None = None
) -> discord.Embed:
    """What a refresh changed: how many files were added, changed, removed and skipped, the first of each
    (by headline, when ``headline`` knows the file), and the new size (and what the feeds brought)."""
    embed = discord.Embed(
        title="Index refreshed" if not report.unchanged or report.skipped else "Index refreshed \u2014 nothing changed",
        description=f"{report.articles} articles, {report.passages} passages.",
        colour=COLOUR,
    )

    def named(name: str) -> str:
        label = headline(name) if headline is not None else None
        return f"{label} ({name})" if label and label != name else name

    for label, names in (("Added", report.added), ("Changed", report.changed), ("Removed", report.removed)):
        if names:
            shown = [named(n) for n in names[:REPORT_ITEMS]]  # a removed file is no longer indexed: its name alone
            embed.add_field(name=f"{label} ({len(names)})", value=_file_list(shown, len(names)), inline=False)
    if report.skipped:
        skipped = [f"{s.name}: {s.reason}" for s in report.skipped]
        embed.add_field(name=f"Skipped ({len(skipped)})", value=_file_list(skipped[:REPORT_ITEMS], len(skipped)), inline=False)
    if feeds is not None and feeds.added:
        embed.add_field(
            name=f"From feeds ({len(feeds.added)})",
            value=_file_list([f"{title} ({name})" for name, title, _ in feeds.added[:REPORT_ITEMS]], len(feeds.added)),
            inline=False,
        )
    if feeds is not None and feeds.failed:
        failed = [f"{w}: {why}" for w, why in feeds.failed]
        embed.add_field(name=f"Feeds that failed ({len(failed)})", value=_file_list(failed[:REPORT_ITEMS], len(failed)), inline=False)
    _shrink_fields(embed)
    return embed


def _file_list(items: Sequence[str], total: int | None = None) -> str:
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


#: A summary of the latest refresh shows this many articles to a page ("8 of 40 articles").
RECENT_PER_PAGE = 8
SUMMARY_PAGE_CHARS = 3500


def summary_pages(summary: Summary) -> list[discord.Embed]:
    """A summary as embeds: its points grouped under one source per article (the linked headline
    and file once, then each point as a block quote with its lines), split over pages when long;
    the latest refresh's articles :data:`RECENT_PER_PAGE` to a page."""
    heading = title(summary.title)
    if not summary.points and not summary.quotes:
        message = literal(summary.message or "Nothing to summarise.", DESCRIPTION_LIMIT)
        return [discord.Embed(title=heading, description=message, colour=NOT_FOUND_COLOUR)]
    groups = _by_article(summary.points)
    blocks = [_article_block(group) for group in groups]
    if summary.quotes:
        blocks.append("**Who said what**")
        blocks += [_speaker_block(point) for point in summary.quotes]
    if summary.kind == "recent":
        pages = _pages_of_articles(blocks, len(groups))
    else:
        if summary.abstract:
            blocks.insert(0, escape(clip(summary.abstract, 1500)))
        pages = _pages(blocks)
    embeds = []
    for number, page in enumerate(pages, start=1):
        embed = discord.Embed(title=heading, description=page, colour=COLOUR)
        footer = "Every point is quoted word for word from the coverage"
        if len(pages) > 1:
            footer += f" \u00b7 page {number} of {len(pages)}"
        embed.set_footer(text=footer)
        embeds.append(embed)
    return embeds


def _by_article(points: Sequence[Citation]) -> list[list[Citation]]:
    """Points grouped by the article they quote, in the order each article first appears."""
    groups: dict[str, list[Citation]] = {}
    for point in points:
        groups.setdefault(point.source, []).append(point)
    return list(groups.values())


def _speaker_block(point: Citation) -> str:
    """One person's quote: their name, the words, and where they are (headline, file and lines)."""
    who = f"**{literal(point.speaker, 200)}**\n" if point.speaker else ""
    source = source_block(point)
    return clip(f"{who}{quote_block(point.quote, max(100, 1700 - len(source) - len(who)))}\n{source}", 1800)


def _article_block(points: Sequence[Citation]) -> str:
    """One article's points: its headline line and file once, then each point quoted with its lines
    (and the other articles that say the same). The quote's own marks are its only quotation marks."""
    first = points[0]
    lines = [f"{source_link(first)}\n-# {escape(clip(first.source, LABEL_CHARS))}"]
    room = max(200, (1800 - len(lines[0])) // len(points))
    for point in points:
        also = ", ".join(source_link(c) for c in point.also[:2])
        small = lines_label(point.line_start, point.line_end) + (f" \u00b7 also in {also}" if also else "")
        block = quote_block(point.quote, max(100, room - len(small) - 5))
        lines.append(f"{block}\n-# {clip(small, 600)}")
    return clip("\n".join(lines), SUMMARY_PAGE_CHARS)


def _pages(blocks: Sequence[str]) -> list[str]:
    pages: list[str] = []
    current = ""
    for block in blocks:
        candidate = f"{current}\n\n{block}" if current else block
        if len(candidate) > SUMMARY_PAGE_CHARS and current:
            pages.append(current)
            current = block
        else:
            current = candidate
    pages.append(current)
    return pages


def _pages_of_articles(blocks: Sequence[str], articles: int) -> list[str]:
    """The latest refresh's article blocks, :data:`RECENT_PER_PAGE` to a page (fewer when long),
    each page saying which of how many articles it shows."""
    pages: list[str] = []
    at = 0
    while at < articles:
        chunk = list(blocks[at : at + RECENT_PER_PAGE])
        while len(chunk) > 1 and len("\n\n".join(chunk)) > SUMMARY_PAGE_CHARS - 60:
            chunk.pop()
        shown = f"-# {at + 1}\u2013{at + len(chunk)} of {articles} articles" if articles > 1 else "-# 1 article"
        if at == 0 and len(chunk) == articles:
            shown = f"-# {articles} of {articles} articles"
        elif at == 0:
            shown = f"-# {len(chunk)} of {articles} articles"
        pages.append(shown + "\n" + "\n\n".join(chunk))
        at += len(chunk)
    return pages


#: A verdict's colour: green verbatim, amber altered, red someone else's, grey not in the coverage.
CHECK_COLOURS = {
    "verbatim": discord.Colour(0x2F9E44),
    "altered": discord.Colour(0xF08C00),
    "other_speaker": discord.Colour(0xE03131),
    "not_found": NOT_FOUND_COLOUR,
}
CHECK_TITLES = {
    "verbatim": "\u2705 Verbatim in the coverage",
    "altered": "\u26a0\ufe0f Close, but altered",
    "other_speaker": "\U0001f501 Said by someone else",
    "not_found": "\u2754 Not in the coverage",
}


def _marked(text: str, marks: Sequence[tuple[int, int]], style: str, limit: int = FIELD_LIMIT) -> str:
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


def check_embed(result: CheckResult) -> discord.Embed:
    """A /check verdict: the coverage's words (differences in bold) beside the pasted ones (differences struck), and where they are."""
    best = result.matches[0] if result.matches else None
    embed = discord.Embed(
        title=CHECK_TITLES.get(result.verdict, "Check"),
        url=best.cite.url if best else None,
        description=literal(result.message, 600),
        colour=CHECK_COLOURS.get(result.verdict, COLOUR),
    )
    if best is not None:
        original = _marked(best.cite.quote, best.original_marks, "**")
        embed.add_field(name="In the coverage", value=clip("> " + original, FIELD_LIMIT), inline=False)
        if best.differences:
            pasted = _marked(result.text, best.pasted_marks, "~~")
            embed.add_field(name="You pasted", value=clip("> " + pasted, FIELD_LIMIT), inline=False)
        if best.cite.speaker:
            embed.add_field(name="Speaker", value=literal(best.cite.speaker, FIELD_LIMIT), inline=True)
        embed.add_field(name="Source", value=_sources([best.cite], FIELD_LIMIT), inline=False)
        if best.cite.also:
            embed.add_field(name="The same words in", value=_sources(best.cite.also, FIELD_LIMIT), inline=False)
        for other in result.matches[1:4]:
            block = source_block(other.cite)
            embed.add_field(
                name="Also close",
                value=clip(block + "\n> " + literal(other.cite.quote, max(1, FIELD_LIMIT - len(block) - 3)), FIELD_LIMIT),
                inline=False,
            )
    else:
        embed.add_field(name="You pasted", value=clip("> " + literal(result.text, FIELD_LIMIT), FIELD_LIMIT), inline=False)
    _shrink_fields(embed)
    return embed


def feed_digest(report: FeedReport) -> discord.Embed:
    """The moderator channel's note after a feed poll: what was added, which feeds or items failed."""
    embed = discord.Embed(title=f"Feeds: {len(report.added)} new articles", colour=COLOUR)
    if report.added:
        embed.add_field(
            name="Added",
            value=_file_list([f"{title} ({name})" for name, title, _feed in report.added]),
            inline=False,
        )
    if report.failed:
        embed.add_field(name="Failed", value=_file_list([f"{where}: {why}" for where, why in report.failed]), inline=False)
    _shrink_fields(embed)
    return embed


def report_embed(days: int, unanswered: Sequence[Any], disliked: Sequence[Any]) -> discord.Embed:
    """The coverage gaps: unanswered questions and 👎 answers over ``days``, most frequent first."""
    embed = discord.Embed(title=f"Coverage gaps \u2014 last {days} days", colour=COLOUR)

    def lines(rows: Sequence[Any]) -> str:
        return "\n".join(f"{row.count}\u00d7 {escape(clip(row.question, 150))}" for row in rows) or "none"

    embed.add_field(name=f"Not answered ({sum(r.count for r in unanswered)})", value=clip(lines(unanswered), FIELD_LIMIT), inline=False)
    embed.add_field(name=f"Marked \U0001f44e ({sum(r.count for r in disliked)})", value=clip(lines(disliked), FIELD_LIMIT), inline=False)
    return embed
