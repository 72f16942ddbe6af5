"""What the bot keeps of an answer: enough to render its card and buttons again, and never more.

The answer pipeline may hand back anything — the probe's 4.6 MB article made every answer 9 MB,
quote and passage alike. The bot does not rely on it being small: :func:`bounded` cuts every
field to what a Discord message can show, and that bounded form is what gets rendered, stored
in SQLite and read back when a button is pressed.

*Full passage* is re-rendered from a stored **excerpt** of the passage (at most
:data:`PASSAGE_CHARS`, centred on the quote) rather than from the passage's key in the index:
a refresh may change or remove the article, and the pages must show the text the card quoted.
Eight pages of 3,500 characters is as much as anyone pages through in Discord.

Worst case a stored answer is about 50,000 characters; a typical one a few thousand.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from index.question import MAX_QUESTION_CHARS

from .render import ELLIPSIS, FIELD_LIMIT, MAX_PAGES, PAGE_CHARS, clip

ANSWERS = 10  # "More sources" shows ten
QUOTE_CHARS = 4096  # the card's description
OTHER_QUOTE_CHARS = FIELD_LIMIT  # "Also in" and "More sources" fields
PASSAGE_CHARS = MAX_PAGES * PAGE_CHARS
LABEL_CHARS = 200  # source, title, speaker, section, date
SOURCES = 5
MESSAGE_CHARS = 2000
SUGGESTIONS = 3


def bounded(data: Mapping[str, Any]) -> dict[str, Any]:
    """``Answer.to_json()`` (or a stored payload, however old or large) cut down to what is shown."""
    answers = [_citation(c, first=i == 0) for i, c in enumerate(list(data.get("answers") or [])[:ANSWERS])]
    out: dict[str, Any] = {
        "question": _label(data.get("question"), MAX_QUESTION_CHARS),
        "found": bool(data.get("found")) and bool(answers),
        "answers": answers,
    }
    if data.get("message"):
        out["message"] = clip(str(data["message"]), MESSAGE_CHARS)
    if data.get("suggestions"):
        out["suggestions"] = [_label(s, 100) for s in list(data["suggestions"])[:SUGGESTIONS]]
    return out


def _citation(citation: Mapping[str, Any], *, first: bool) -> dict[str, Any]:
    quote = str(citation.get("quote") or "")
    out: dict[str, Any] = {
        "source": _label(citation.get("source"), LABEL_CHARS),
        "title": _label(citation.get("title"), LABEL_CHARS) or None,
        "quote": clip(quote, QUOTE_CHARS if first else OTHER_QUOTE_CHARS),
        "line_start": _number(citation.get("line_start")),
        "line_end": _number(citation.get("line_end")),
        "score": float(citation.get("score") or 0.0),
    }
    if citation.get("date"):
        out["date"] = _label(citation["date"], LABEL_CHARS)
    if not first:  # the others show only their source line and quote ("Also in", "More sources")
        return out
    for key in ("speaker", "section"):
        if citation.get(key):
            out[key] = _label(citation[key], LABEL_CHARS)
    if citation.get("sources"):
        out["sources"] = [_label(s, LABEL_CHARS) for s in list(citation["sources"])[:SOURCES]]
    # Only the best answer has a Full passage button.
    passage = str(citation.get("passage") or quote)
    text, start = excerpt(passage, quote, PASSAGE_CHARS)
    out["passage"] = text
    # Bounding a stored (already bounded) answer again keeps saying where its excerpt came from.
    start += _number(citation.get("passage_start"))
    length = max(_number(citation.get("passage_length")), len(passage))
    if start or len(text) < length:
        out["passage_start"] = start
        out["passage_length"] = length
    return out


def excerpt(passage: str, quote: str, limit: int) -> tuple[str, int]:
    """At most ``limit`` characters of ``passage`` around the quote (cut between words); and where they start."""
    if len(passage) <= limit:
        return passage, 0
    at = max(0, passage.find(quote[:200])) if quote else 0
    start = max(0, min(at - (limit - min(len(quote), limit)) // 2, len(passage) - limit))
    if start > 0:
        space = passage.find(" ", start, start + 100)
        start = space + 1 if space != -1 else start
    end = min(len(passage), start + limit)
    if end < len(passage):
        space = passage.rfind(" ", max(start, end - 100), end)
        end = space if space > start else end
    return passage[start:end], start


def _label(value: Any, limit: int) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + ELLIPSIS


def _number(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0
