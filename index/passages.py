"""Articles to passages: the units that are searched and quoted, each a stretch a reader understands alone.

A passage is a paragraph. A very short paragraph ("Zelenskyy doubts Moscow's intentions.") means
little alone, so it is merged with the next paragraph of its section (or the previous one when it
ends the section); a long paragraph is split at sentence boundaries into pieces of similar size.

No passage is ever longer than ``MAX_WORDS`` words and ``MAX_CHARS`` characters: answering reads
whole passages, so one unbounded passage (megabytes of words without a full stop) would make
every question that touches it slow and every answer quoting it huge. A "sentence" over those
limits is cut at spaces, and a "word" over ``MAX_CHARS`` where it reaches the limit.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from dataclasses import dataclass

from .articles import Article, Paragraph
from .text import sentence_spans

#: Paragraphs with fewer words than this are merged with a neighbour in the same section.
MIN_WORDS = 12
#: Paragraphs with more words than this are split at sentence boundaries.
MAX_WORDS = 400
#: Nor is any passage longer than this, in characters (the longest in the evaluation corpora,
#: about 2,500, stays whole).
MAX_CHARS = 4_000


@dataclass(frozen=True, slots=True)
class Passage:
    """A searchable, quotable stretch of one article."""

    file: str  # the article's name (path relative to its corpus folder)
    ordinal: int  # position among the article's passages, from 0
    text: str  # exact source text, whitespace folded
    line_start: int
    line_end: int
    section: str | None = None
    #: (offset in ``text``, source line number) where each source line of the passage starts.
    lines: tuple[tuple[int, int], ...] = ()

    @property
    def key(self) -> str:
        return passage_key(self.file, self.ordinal)

    def lines_of(self, start: int, end: int) -> tuple[int, int]:
        """Source line numbers of the first and last character of ``text[start:end]``."""
        first = last = self.line_start
        for offset, number in self.lines:
            if offset <= start:
                first = number
            if offset < end:
                last = number
        return first, max(first, last)


def join_passages(first: Passage, second: Passage) -> Passage:
    """Two consecutive passages as one (for text that runs across a paragraph break)."""
    shift = len(first.text) + 1
    return Passage(
        first.file,
        first.ordinal,
        f"{first.text} {second.text}",
        first.line_start,
        second.line_end,
        first.section,
        first.lines + tuple((offset + shift, number) for offset, number in second.lines),
    )


def passage_key(file: str, ordinal: int) -> str:
    """A passage's stable identity across index rebuilds."""
    return f"{ordinal}@{file}"


def _words(text: str) -> int:
    # Passage text is whitespace-folded, so counting spaces counts words (without building a list).
    return text.count(" ") + 1 if text else 0


def _join(first: Paragraph, second: Paragraph) -> Paragraph:
    shift = len(first.text) + 1
    return Paragraph(
        f"{first.text} {second.text}",
        first.line_start,
        second.line_end,
        second.section,
        first.lines + tuple((offset + shift, number) for offset, number in second.lines),
    )


def _merge_short(paragraphs: tuple[Paragraph, ...]) -> list[Paragraph]:
    merged: list[Paragraph] = []
    pending: Paragraph | None = None
    for paragraph in paragraphs:
        if pending is not None:
            if pending.section == paragraph.section:
                paragraph = _join(pending, paragraph)
            else:
                merged.append(_attach_to_previous(merged, pending))
            pending = None
        if _words(paragraph.text) < MIN_WORDS:
            pending = paragraph
        else:
            merged.append(paragraph)
    if pending is not None:
        merged.append(_attach_to_previous(merged, pending))
    return merged


def _attach_to_previous(merged: list[Paragraph], short: Paragraph) -> Paragraph:
    """A short paragraph that ends its section joins the one before it, if any, in the same section."""
    if merged and merged[-1].section == short.section:
        return _join(merged.pop(), short)
    return short


def _split_long(paragraph: Paragraph) -> list[tuple[int, int]]:
    """(start, end) offsets of the pieces of ``paragraph``: itself, or sentence-aligned pieces of
    similar size, each within ``MAX_WORDS`` words and ``MAX_CHARS`` characters."""
    text = paragraph.text
    total = _words(text)
    if total <= MAX_WORDS and len(text) <= MAX_CHARS:
        return [(0, len(text))]
    pieces = max(-(-total // MAX_WORDS), -(-len(text) // MAX_CHARS))
    target_words, target_chars = total / pieces, len(text) / pieces
    chunks: list[tuple[int, int]] = []
    start = end = count = 0
    open_chunk = False
    for a, b in (unit for span in sentence_spans(text) for unit in _bounded(text, *span)):
        words = _words(text[a:b])
        if open_chunk and (count + words > MAX_WORDS or b - start > MAX_CHARS):
            chunks.append((start, end))
            open_chunk = False
        if not open_chunk:
            start, count, open_chunk = a, 0, True
        count, end = count + words, b
        if count >= target_words or end - start >= target_chars:
            chunks.append((start, end))
            open_chunk = False
    if open_chunk:
        chunks.append((start, end))
    return _absorb_tail(text, chunks)


def _absorb_tail(text: str, chunks: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """A last piece too short to mean much alone joins the one before it, if both still fit."""
    if len(chunks) > 1:
        (a, _), (_, b) = chunks[-2], chunks[-1]
        if _words(text[chunks[-1][0] : b]) < MIN_WORDS and _words(text[a:b]) <= MAX_WORDS and b - a <= MAX_CHARS:
            chunks[-2:] = [(a, b)]
    return chunks


def _bounded(text: str, a: int, b: int) -> Iterator[tuple[int, int]]:
    """The sentence ``text[a:b]`` as it is, or, when it alone is over the limits, cut at spaces
    into runs of similar size; a run of ``MAX_CHARS`` characters without a space is cut there."""
    words = _words(text[a:b])
    if words <= MAX_WORDS and b - a <= MAX_CHARS:
        yield a, b
        return
    start = a
    while start < b:
        # Spread what is left evenly over the pieces it still needs, so the last is no stub.
        pieces = max(-(-words // MAX_WORDS), -(-(b - start) // MAX_CHARS), 1)
        end = _cut(text, start, b, max(1, -(-words // pieces)), -(-(b - start) // pieces))
        yield start, end
        # Words finished in this run (a word cut in two counts once, in the run it ends in).
        whole = end == b or text[end] == " "
        words -= text.count(" ", start, end) + whole
        start = end + 1 if whole else end


def _cut(text: str, start: int, stop: int, words: int, chars: int) -> int:
    """Where a run starting at ``start`` ends: after at most ``words`` words and ``chars``
    characters, at a space when there is one (passage text has single spaces between words)."""
    end = min(stop, start + chars)
    if end < stop and text[end] != " ":
        space = text.rfind(" ", start, end)
        if space > start:
            end = space
    parts = text[start:end].split(" ", words)
    if len(parts) > words:  # more than ``words`` words: end after the first ``words``
        end = start + sum(len(part) for part in parts[:words]) + words - 1
    return max(end, start + 1)


def _lines_within(lines: tuple[tuple[int, int], ...], offsets: list[int], start: int, end: int) -> tuple[tuple[int, int], ...]:
    """The line map of ``text[start:end]``: the line it starts in (at offset 0), then every line
    that starts inside it. Found by bisection: a paragraph of 60,000 hard-wrapped lines cut into
    2,000 pieces must not cost 2,000 passes over its line map."""
    first = max(0, bisect_right(offsets, start) - 1)
    last = bisect_left(offsets, end)
    return ((0, lines[first][1]), *((offset - start, number) for offset, number in lines[first + 1 : last]))


def make_passages(article: Article) -> list[Passage]:
    """Cut an article into passages, in article order."""
    passages: list[Passage] = []
    for paragraph in _merge_short(article.paragraphs):
        pieces = _split_long(paragraph)
        offsets = [offset for offset, _ in paragraph.lines] if len(pieces) > 1 else []
        for start, end in pieces:
            lines = paragraph.lines if len(pieces) == 1 else _lines_within(paragraph.lines, offsets, start, end)
            first, last = lines[0][1], lines[-1][1]
            passages.append(
                Passage(article.name, len(passages), paragraph.text[start:end], first, last, paragraph.section, lines)
            )
    return passages
