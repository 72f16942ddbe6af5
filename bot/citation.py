"""How a source reads, the same in the terminal and on Discord: ``Headline — Outlet, date``, then its file and lines.

The headline line names the article the way a reader knows it; the file and line range say
exactly where the quoted words are, and are always shown with it (in small text on Discord),
never instead of it. Formatting only: what the parts are is :mod:`index.citation`'s business.
"""

from __future__ import annotations

from index.articles import parse_date
from index.citation import Citation


def lines_label(start: int, end: int) -> str:
    """``line 3`` or ``lines 3–5``."""
    return f"line {start}" if start == end else f"lines {start}\u2013{end}"


def when(date: str | None) -> str | None:
    """A date as people write it (``4 May 2025``); as given when it cannot be read."""
    if not date:
        return None
    parsed = parse_date(date)
    return f"{parsed.day} {parsed:%B %Y}" if parsed else date


def outlet_and_date(citation: Citation) -> str:
    """``Outlet, 4 May 2025`` — whichever of the two is known, or nothing."""
    return ", ".join(part for part in (citation.outlet, when(citation.date)) if part)


def where(citation: Citation) -> str:
    """``file.txt, lines 3–5``: exactly where the words are."""
    return f"{citation.source}, {lines_label(citation.line_start, citation.line_end)}"


def headline_line(citation: Citation) -> str:
    """``Headline — Outlet, date`` as plain text (the terminal's form)."""
    rest = outlet_and_date(citation)
    return f"{citation.title} \u2014 {rest}" if rest else citation.title


def where_line(citation: Citation) -> str:
    """``file.txt, line 3 · https://…`` as plain text: the file, and the address when known."""
    return where(citation) + (f" \u00b7 {citation.url}" if citation.url else "")
