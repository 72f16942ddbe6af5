"""What moderators see after adding coverage or refreshing: the added article, the refresh report."""

from __future__ import annotations

from collections.abc import Callable

import discord

from index.citation import link
from index.feeds import FeedReport
from index.refresh import RefreshReport
from index.update import Added

from ...render import (
    COLOUR,
    clip,
    code,
    escape,
    file_list,
    shrink_fields,
    title,
)

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
            embed.add_field(name=f"{label} ({len(names)})", value=file_list(shown, len(names)), inline=False)
    if report.skipped:
        skipped = [f"{s.name}: {s.reason}" for s in report.skipped]
        embed.add_field(name=f"Skipped ({len(skipped)})", value=file_list(skipped[:REPORT_ITEMS], len(skipped)), inline=False)
    if feeds is not None and feeds.added:
        embed.add_field(
            name=f"From feeds ({len(feeds.added)})",
            value=file_list([f"{title} ({name})" for name, title, _ in feeds.added[:REPORT_ITEMS]], len(feeds.added)),
            inline=False,
        )
    if feeds is not None and feeds.failed:
        failed = [f"{w}: {why}" for w, why in feeds.failed]
        embed.add_field(name=f"Feeds that failed ({len(failed)})", value=file_list(failed[:REPORT_ITEMS], len(failed)), inline=False)
    shrink_fields(embed)
    return embed


def added_embed(added: Added) -> discord.Embed:
    info = added.info
    outlet = info.meta.get("outlet")
    embed = discord.Embed(
        title=title(("Already indexed: " if added.existing else "Added: ") + info.label),
        url=link(info.meta.get("url")),
        colour=COLOUR,
    )
    details = [f"{code(info.name)} \u00b7 {info.passages} passages"]
    if outlet:
        details.insert(0, escape(outlet))
    if info.byline:
        details.append(f"by {escape(info.byline)}")
    if info.date:
        details.append(escape(info.date))
    embed.description = clip(" \u00b7 ".join(details), 4096)
    return embed
