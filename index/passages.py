"""Articles to passages: the units that are searched and quoted, each a stretch a reader understands alone.

A passage is a paragraph. A very short paragraph ("Zelenskyy doubts Moscow's intentions.") means
little alone, so it is merged with the next paragraph of its section (or the previous one when it
ends the section); a long paragraph is split at sentence boundaries into pieces of similar size.
"""

from __future__ import annotations

from dataclasses import dataclass

from .articles import Article, Paragraph
from .text import sentence_spans

#: Paragraphs with fewer words than this are merged with a neighbour in the same section.
MIN_WORDS = 12
#: Paragraphs with more words than this are split at sentence boundaries.
MAX_WORDS = 400


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
    """(start, end) offsets of the pieces of ``paragraph``: itself, or sentence-aligned pieces."""
    total = _words(paragraph.text)
    if total <= MAX_WORDS:
        return [(0, len(paragraph.text))]
    spans = sentence_spans(paragraph.text)
    pieces = -(-total // MAX_WORDS)
    target = total / pieces
    chunks: list[tuple[int, int]] = []
    start, count = spans[0][0], 0
    for index, (a, b) in enumerate(spans):
        count += _words(paragraph.text[a:b])
        last = index == len(spans) - 1
        if last or (count >= target and len(chunks) < pieces - 1):
            chunks.append((start, b))
            if not last:
                start, count = spans[index + 1][0], 0
    return chunks


def make_passages(article: Article) -> list[Passage]:
    """Cut an article into passages, in article order."""
    passages: list[Passage] = []
    for paragraph in _merge_short(article.paragraphs):
        pieces = _split_long(paragraph)
        for start, end in pieces:
            if len(pieces) == 1:
                lines = paragraph.lines
            else:
                lines = tuple((max(0, offset - start), number) for offset, number in paragraph.lines if offset < end)
                lines = tuple(pair for i, pair in enumerate(lines) if i + 1 == len(lines) or lines[i + 1][0] > 0)
            first, last = lines[0][1], lines[-1][1]
            passages.append(
                Passage(article.name, len(passages), paragraph.text[start:end], first, last, paragraph.section, lines)
            )
    return passages
