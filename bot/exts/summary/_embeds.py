"""Summaries as Discord embeds: points grouped under one citation per article, paged."""

from __future__ import annotations

from collections.abc import Sequence

import discord

from index.citation import Citation
from index.summary import Summary

from ...citation import lines_label
from ...render import (
    COLOUR,
    DESCRIPTION_LIMIT,
    LABEL_CHARS,
    NOT_FOUND_COLOUR,
    clip,
    escape,
    literal,
    quote_block,
    source_block,
    source_link,
    title,
)

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
