"""What the bot keeps of an answer: enough to render its card and buttons again, and never more.

The answer pipeline may hand back anything — the probe's 4.6 MB article made every answer 9 MB,
quote and passage alike. The bot does not rely on it being small: :func:`bounded` cuts every
field of an :class:`~index.answer.Answer` to what a Discord message can show, and that bounded
answer is what gets rendered, stored and read back when a button is pressed.

*Context* (the passage pages) is re-rendered from a stored **excerpt** of the passage (at most
:data:`PASSAGE_CHARS`, centred on the quote) rather than from the passage's key in the index:
a refresh may change or remove the article, and the pages must show the text the card quoted.
Eight pages of 3,500 characters is as much as anyone pages through in Discord.

Stored, an answer is JSON (:func:`encode`) carrying :data:`VERSION`; :func:`decode` reads every
version written so far, so the buttons of an answer stored by an older bot still work:

- version 1 (no ``"v"`` key): ``Answer.to_json()`` bounded — wire copies as a list of file
  names under ``"sources"``, no outlet, link or span;
- version 2: every :class:`~index.citation.Citation` field by name, copies as citations under
  ``"also"``, and the excerpt's place in its passage beside the answer.

Worst case a stored answer is about 50,000 characters; a typical one a few thousand.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from index.answer import Answer
from index.citation import Citation, link
from index.question import MAX_QUESTION_CHARS

from .render import ELLIPSIS, FIELD_LIMIT, MAX_PAGES, PAGE_CHARS, clip

VERSION = 2
ANSWERS = 10  # "More sources" shows ten
QUOTE_CHARS = 4096  # the card's description
OTHER_QUOTE_CHARS = FIELD_LIMIT  # "Also in" and "More sources" fields
PASSAGE_CHARS = MAX_PAGES * PAGE_CHARS
LABEL_CHARS = 200  # source, title, speaker, section
OUTLET_CHARS = 100
DATE_CHARS = 40
SOURCES = 5  # copies (the same words in other files) kept of the best answer
MESSAGE_CHARS = 2000
SUGGESTIONS = 3


@dataclass(frozen=True, slots=True)
class Kept:
    """An answer as the bot keeps it: bounded, its best citation's ``passage`` an excerpt of the
    passage that starts ``passage_start`` characters into it, a passage ``passage_length`` long."""

    answer: Answer
    passage_start: int = 0
    passage_length: int = 0


def bounded(answer: Answer, *, passage_start: int = 0, passage_length: int = 0) -> Kept:
    """``answer`` (however large) cut down to what is shown. Bounding a kept answer again changes
    nothing, the excerpt's place in its passage included."""
    answers = tuple(_citation(c, first=i == 0) for i, c in enumerate(answer.answers[:ANSWERS]))
    start, length = 0, 0
    if answers:
        passage = answer.answers[0].passage or answer.answers[0].quote
        text, start = excerpt(passage, answers[0].quote, PASSAGE_CHARS)
        answers = (replace(answers[0], passage=text), *answers[1:])
        start += passage_start
        length = max(passage_length, start + len(text), len(passage))
    kept = Answer(
        question=_label(answer.question, MAX_QUESTION_CHARS),
        found=answer.found and bool(answers),
        answers=answers,
        message=clip(answer.message, MESSAGE_CHARS) if answer.message else None,
        suggestions=tuple(_label(s, 100) for s in answer.suggestions[:SUGGESTIONS]),
        kind=_label(answer.kind, 20),
    )
    return Kept(kept, start, length)


def _citation(citation: Citation, *, first: bool, copy: bool = False) -> Citation:
    # A copy's words are the best answer's own: only where it is is kept.
    quote = "" if copy else clip(citation.quote, QUOTE_CHARS if first else OTHER_QUOTE_CHARS)
    span, bold = _within(citation.span, quote), _within(citation.emphasis, quote)
    return Citation(
        source=_label(citation.source, LABEL_CHARS),
        title=_label(citation.title, LABEL_CHARS) or _label(citation.source, LABEL_CHARS),
        quote=quote,
        line_start=citation.line_start,
        line_end=citation.line_end,
        date=_label(citation.date, DATE_CHARS) or None,
        outlet=_label(citation.outlet, OUTLET_CHARS) or None,
        url=link(citation.url),
        section=(_label(citation.section, LABEL_CHARS) or None) if first else None,
        speaker=(_label(citation.speaker, LABEL_CHARS) or None) if not copy else None,
        # Only the best answer shows its copies and has Context pages (its passage is cut to an
        # excerpt by bounded()); the others show where they are and their words.
        also=tuple(_citation(c, first=False, copy=True) for c in citation.also[:SOURCES]) if first else (),
        passage=citation.passage if first else "",
        key=_label(citation.key, LABEL_CHARS) if first else "",
        score=citation.score,
        span=span,
        emphasis=bold,
    )


def _within(span: tuple[int, int] | None, quote: str) -> tuple[int, int] | None:
    """``span`` cut to the (clipped) quote; None when nothing of it is left."""
    if span is None:
        return None
    start, end = min(span[0], len(quote)), min(span[1], len(quote))
    return (start, end) if start < end else None


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


# -- stored form ---------------------------------------------------------------------------


def encode(kept: Kept) -> dict[str, Any]:
    """A kept answer as stored (JSON-ready, :data:`VERSION`). ``answers[0].source`` and ``.score``
    stay where the store's columns read them."""
    answer = kept.answer
    data: dict[str, Any] = {
        "v": VERSION,
        "question": answer.question,
        "found": answer.found,
        "kind": answer.kind,
        "answers": [_citation_json(c) for c in answer.answers],
    }
    if answer.message:
        data["message"] = answer.message
    if answer.suggestions:
        data["suggestions"] = list(answer.suggestions)
    if kept.passage_start or kept.passage_length:
        data["passage_start"], data["passage_length"] = kept.passage_start, kept.passage_length
    return data


def decode(data: Mapping[str, Any]) -> Kept:
    """A stored answer of any version, bounded again (rows of older versions kept whole passages)."""
    version = _number(data.get("v")) or 1
    answers = list(data.get("answers") or [])[:ANSWERS]
    passage_start, passage_length = _number(data.get("passage_start")), _number(data.get("passage_length"))
    if version == 1 and answers and isinstance(answers[0], Mapping):
        # Version 1 kept the excerpt's place in the best answer itself.
        passage_start, passage_length = _number(answers[0].get("passage_start")), _number(answers[0].get("passage_length"))
    answer = Answer(
        question=str(data.get("question") or ""),
        found=bool(data.get("found")),
        answers=tuple(_citation_from(c, version) for c in answers if isinstance(c, Mapping)),
        message=str(data["message"]) if data.get("message") else None,
        suggestions=tuple(str(s) for s in list(data.get("suggestions") or [])[:SUGGESTIONS]),
        kind=str(data.get("kind") or "fact"),
    )
    return bounded(answer, passage_start=passage_start, passage_length=passage_length)


def _citation_json(citation: Citation) -> dict[str, Any]:
    data: dict[str, Any] = {
        "source": citation.source,
        "title": citation.title,
        "quote": citation.quote,
        "line_start": citation.line_start,
        "line_end": citation.line_end,
        "score": round(citation.score, 4),
    }
    for key in ("date", "outlet", "url", "section", "speaker", "passage", "key"):
        if getattr(citation, key):
            data[key] = getattr(citation, key)
    if citation.span is not None:
        data["span"] = list(citation.span)
    if citation.emphasis is not None:
        data["emphasis"] = list(citation.emphasis)
    if citation.also:
        data["also"] = [_citation_json(c) for c in citation.also]
    return data


def _citation_from(data: Mapping[str, Any], version: int) -> Citation:
    source = _text(data.get("source"))
    if version == 1:
        # Copies were file names (the first being this citation's own), with nothing else known of them.
        copies = [_text(s) for s in list(data.get("sources") or [])[1 : SOURCES + 1]]
        also = tuple(Citation(name, name, "", 0, 0) for name in copies if name and name != source)
    else:
        also = tuple(_citation_from(c, version) for c in list(data.get("also") or [])[:SOURCES] if isinstance(c, Mapping))
    span, bold = data.get("span"), data.get("emphasis")
    return Citation(
        source=source,
        title=_text(data.get("title")) or source,
        quote=_text(data.get("quote")),
        line_start=_number(data.get("line_start")),
        line_end=_number(data.get("line_end")),
        date=_text(data.get("date")) or None,
        outlet=_text(data.get("outlet")) or None,
        url=_text(data.get("url")) or None,
        section=_text(data.get("section")) or None,
        speaker=_text(data.get("speaker")) or None,
        also=also,
        passage=_text(data.get("passage")),
        key=_text(data.get("key")),
        score=_float(data.get("score")),
        span=(_number(span[0]), _number(span[1])) if isinstance(span, list) and len(span) == 2 else None,
        emphasis=(_number(bold[0]), _number(bold[1])) if isinstance(bold, list) and len(bold) == 2 else None,
    )


def _label(value: str | None, limit: int) -> str:
    text = value or ""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + ELLIPSIS


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _number(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _float(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0
