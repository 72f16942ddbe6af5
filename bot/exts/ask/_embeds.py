"""The answer card and its pages as Discord embeds: the quote with its answering words in bold, the sources, the context."""

from __future__ import annotations

import discord

from index.answer import Answer
from index.citation import Citation
from index.names import fold_name, split_words

from ...citation import outlet_and_date, where
from ...render import (
    COLOUR,
    CONTENT_LIMIT,
    DESCRIPTION_LIMIT,
    ELLIPSIS,
    EMBED_TOTAL_LIMIT,
    FIELD_LIMIT,
    FOOTER_LIMIT,
    LABEL_CHARS,
    MAX_PAGES,
    PAGE_CHARS,
    clip,
    literal,
    marked,
    quote_block,
    shrink_fields,
    source_block,
    sources_field,
    title,
)


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
    embed.add_field(name="Source", value=sources_field([best], FIELD_LIMIT), inline=False)
    if best.also:
        embed.add_field(name="The same words in", value=sources_field(best.also, FIELD_LIMIT), inline=False)
    if others:
        embed.add_field(name="Also in", value=sources_field(others, FIELD_LIMIT), inline=False)
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
        block = "> " + marked(clipped, [bold] if bold else [], "**", limit=len(clipped))
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
    shrink_fields(embed)
    return embed
