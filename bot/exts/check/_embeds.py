"""A /check verdict as a Discord embed: its colour, the quote with what differs marked, where it is from."""

from __future__ import annotations

import discord

from index.check import CheckResult

from ...render import (
    COLOUR,
    FIELD_LIMIT,
    NOT_FOUND_COLOUR,
    clip,
    literal,
    marked,
    shrink_fields,
    source_block,
    sources_field,
)

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
        original = marked(best.cite.quote, best.original_marks, "**")
        embed.add_field(name="In the coverage", value=clip("> " + original, FIELD_LIMIT), inline=False)
        if best.differences:
            pasted = marked(result.text, best.pasted_marks, "~~")
            embed.add_field(name="You pasted", value=clip("> " + pasted, FIELD_LIMIT), inline=False)
        if best.cite.speaker:
            embed.add_field(name="Speaker", value=literal(best.cite.speaker, FIELD_LIMIT), inline=True)
        embed.add_field(name="Source", value=sources_field([best.cite], FIELD_LIMIT), inline=False)
        if best.cite.also:
            embed.add_field(name="The same words in", value=sources_field(best.cite.also, FIELD_LIMIT), inline=False)
        for other in result.matches[1:4]:
            block = source_block(other.cite)
            embed.add_field(
                name="Also close",
                value=clip(block + "\n> " + literal(other.cite.quote, max(1, FIELD_LIMIT - len(block) - 3)), FIELD_LIMIT),
                inline=False,
            )
    else:
        embed.add_field(name="You pasted", value=clip("> " + literal(result.text, FIELD_LIMIT), FIELD_LIMIT), inline=False)
    shrink_fields(embed)
    return embed
