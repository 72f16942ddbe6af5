"""How a citation reads, the same in the terminal and on Discord: ``Title (file, lines 3–5, date)``."""

from __future__ import annotations


def lines_label(start: int, end: int) -> str:
    """``line 3`` or ``lines 3–5``."""
    return f"line {start}" if start == end else f"lines {start}\u2013{end}"


def citation_line(source: str, start: int, end: int, *, title: str | None = None, date: str | None = None) -> str:
    """``Title (file, line N, date)``; just ``file, line N`` when the article's title is its file name."""
    where = f"{source}, {lines_label(start, end)}" + (f", {date}" if date else "")
    return where if not title or title == source else f"{title} ({where})"
