"""One citation for every reply: the exact words, the article they are in (headline, outlet, date, link) and its lines.

Answers, summary points and ``/check`` matches all cite through :func:`cite`, so a source is
named the same wherever it is shown; how it reads is the renderers' business (``bot/citation.py``),
never the index's. The same words found in several files — wire copy, one agency story run by
many outlets — are one citation whose ``also`` holds the other files' citations (:func:`wire_key`,
:func:`with_copy`, :func:`group`): the one rule answers and checks group by.

A citation's ``url`` is the article's web address as its header gives it (articles fetched by
/add and the feeds carry one), kept only when it is an absolute http(s) address a link can use.
"""

from __future__ import annotations

import string
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote, urlsplit

from .passages import Passage
from .text import fold, words

if TYPE_CHECKING:
    from .reader import Reader

#: Longest web address kept for a link: a linked headline line must fit in an embed field
#: (1,024 characters) with its file name; news addresses run to a couple of hundred.
MAX_URL_CHARS = 512
#: Left as they are when an address is percent-encoded: only letters outside ASCII are encoded.
_ASCII_PUNCTUATION = string.punctuation


@dataclass(frozen=True, slots=True)
class Citation:
    """Exact words of an article and where they are."""

    source: str  # the article file, relative to its corpus folder
    title: str  # the article's headline, or a stand-in for one (never empty)
    quote: str  # an exact excerpt of the source (whitespace folded)
    line_start: int
    line_end: int
    date: str | None = None  # as the article's header or dateline gives it
    outlet: str | None = None
    url: str | None = None  # an absolute http(s) address, or None
    section: str | None = None
    speaker: str | None = None  # who the words are, when they are someone's
    also: tuple[Citation, ...] = ()  # the same words in other files (wire copy), or the same point (summaries)
    # What follow-ups need (an answer's Context pages, its bold span): set by the answerer.
    passage: str = ""  # the whole passage the quote comes from
    key: str = ""  # the passage's key in the index
    score: float = 0.0
    #: (start, end) in ``quote`` of the words that answer: what comes before is leading context,
    #: after is what the answer needs to be read (a closing quotation, the number it announces).
    span: tuple[int, int] | None = None
    #: (start, end) in ``quote`` of the words to bold within the answering ones: the number, date,
    #: name or quoted clause that answers (:mod:`index.emphasis`); None when no rule finds them.
    emphasis: tuple[int, int] | None = None

    @property
    def files(self) -> tuple[str, ...]:
        """This file and the files of its copies."""
        return (self.source, *(c.source for c in self.also))

    @property
    def answering(self) -> str:
        """The words that answer (the whole quote when no span is known)."""
        return self.quote[self.span[0] : self.span[1]] if self.span else self.quote

    @property
    def lead(self) -> str:
        """The quote from the answering words on: what an answer card opens with."""
        return self.quote[self.span[0] :] if self.span else self.quote

    @property
    def context(self) -> str:
        """The sentences before the answering words, quoted for their sake."""
        return self.quote[: self.span[0]].rstrip() if self.span else ""


def cite(reader: Reader, passage: Passage, start: int, end: int, *, speaker: str | None = None, score: float = 0.0) -> Citation:
    """``passage.text[start:end]`` as a citation: the exact words, the lines they are on, and the
    article's headline, outlet, date and address as the coverage knows them."""
    facts = reader.facts(passage.file)
    first, last = passage.lines_of(start, end)
    return Citation(
        source=passage.file,
        title=facts.label if facts else Path(passage.file).name,
        quote=passage.text[start:end],
        line_start=first,
        line_end=last,
        date=facts.date if facts else None,
        outlet=facts.outlet if facts else None,
        url=link(facts.url) if facts else None,
        section=passage.section,
        speaker=speaker,
        passage=passage.text,
        key=passage.key,
        score=score,
    )


def link(url: str | None) -> str | None:
    """``url`` as a link: an absolute http(s) address with an ASCII host name, letters outside
    ASCII in its path percent-encoded (Discord refuses an embed whose address is not a URL); None
    for anything else, or for one too long to link."""
    if not url or any(c.isspace() for c in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname or not parts.hostname.isascii():
        return None
    url = url if url.isascii() else quote(url, safe=_ASCII_PUNCTUATION)
    return url if len(url) <= MAX_URL_CHARS else None


def wire_key(text: str) -> str:
    """What two copies of the same words share: their words, with case, quote marks and punctuation folded."""
    return " ".join(words(fold(text)))


def with_copy(citation: Citation, copy: Citation) -> Citation:
    """``citation`` also citing ``copy`` (the same words in another file); unchanged when that file is cited already."""
    if copy.source in citation.files:
        return citation
    return replace(citation, also=(*citation.also, replace(copy, also=(), passage="", key="")))


def group(citations: Iterable[Citation]) -> list[Citation]:
    """Citations in order, the same words in several files made one: the first keeps them, the
    later copies are in its ``also``."""
    grouped: list[Citation] = []
    at: dict[str, int] = {}
    for citation in citations:
        key = wire_key(citation.quote)
        if key in at:
            grouped[at[key]] = with_copy(grouped[at[key]], citation)
        else:
            at[key] = len(grouped)
            grouped.append(citation)
    return grouped
