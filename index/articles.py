"""Article files to articles: decoding, structure (headline, byline, sections), paragraphs with line numbers.

Articles come as they were saved, not in one house style: a headline on line 1, after a
standfirst paragraph, or none at all; a "Written by ..." byline, a reading-time line ("4 minutes, 56 seconds Read"), sub-headings with or
without blank lines around them, share buttons and "Similar Posts" lists at the end. The rules
below look only at the shape of each line, never at a particular outlet or file.

An article without a headline still gets a real name to be cited by (:func:`stand_in_title`):
its file name read as words when it is words ("1973_oil_crisis.txt"), else its first sentence
cut at a word boundary — never a bare file name like ``002_8bc5e7102b110562.txt``.

A file may also start with a metadata header, which the coverage tools write when they save an
article fetched from the web::

    ---
    title: Headline
    byline: Jane Doe
    date: 2025-05-04
    outlet: Example News
    url: https://example.com/story
    fetched: 2025-05-04T10:00:00Z
    ---
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from .errors import UnreadableFile
from .text import sentence_spans, squash

ARTICLE_SUFFIXES = (".txt", ".md")
#: Files larger than this are not articles (a dump, a log) and are skipped.
MAX_ARTICLE_BYTES = 5_000_000


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A paragraph of an article: its text (whitespace folded) and the 1-based source lines it spans."""

    text: str
    line_start: int
    line_end: int
    section: str | None
    #: (offset in ``text``, source line number) for every source line the paragraph spans.
    lines: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True, slots=True)
class Article:
    """One article file, parsed."""

    name: str  # the file's path relative to its corpus folder, with "/" separators
    title: str | None
    byline: str | None
    paragraphs: tuple[Paragraph, ...]
    sections: tuple[str, ...] = ()
    meta: dict[str, str] = field(default_factory=dict)  # date, outlet, url, ... from a header
    stand_in: str | None = None  # what to call it without a headline (see stand_in_title)

    @property
    def label(self) -> str:
        """What to call the article when citing it: its headline, or a stand-in for one."""
        return self.title or self.stand_in or Path(self.name).name

    @property
    def date(self) -> str | None:
        return self.meta.get("date")


_DATE_FORMATS = ("%Y-%m-%d", "%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%d %b %Y", "%B %d %Y", "%Y/%m/%d", "%d/%m/%Y")


def parse_date(text: str | None) -> date | None:
    """A date from the forms articles and headers use ("2025-05-04", "2025-05-04T10:00Z", "May 4, 2025")."""
    if not text:
        return None
    cleaned = " ".join(text.replace(".", "").split())
    try:
        return datetime.fromisoformat(cleaned.replace("Z", "+00:00")).date()
    except ValueError:
        pass
    for form in _DATE_FORMATS:
        try:
            return datetime.strptime(cleaned, form).date()
        except ValueError:
            continue
    return None


#: Every byte but the control characters text never holds; deleting these leaves only those.
_NOT_CONTROL = bytes(b for b in range(256) if not (b <= 0x08 or 0x0E <= b <= 0x1F or b == 0x7F))


def decode(raw: bytes) -> str:
    """Decode article bytes: UTF-8 with or without BOM, or — for a file that is not valid UTF-8,
    as older archives' files often are — Windows-1252 (Latin-1's superset for text); a file that
    is neither is not an article."""
    if not raw.strip():
        raise UnreadableFile("empty file")
    # Anywhere in the file, not just at its start: text never holds a NUL, and one past the
    # first page would otherwise be indexed and quoted. A memchr over 5 MB is microseconds.
    if b"\x00" in raw:
        raise UnreadableFile("binary file (not text)")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        try:
            text = raw.decode("cp1252")
        except UnicodeDecodeError:
            raise UnreadableFile(f"not UTF-8 or Windows-1252 text (undecodable byte at offset {exc.start})") from None
    # Counted in bytes: in UTF-8 a control character is always a single byte of its own.
    if len(raw[:8192].translate(None, _NOT_CONTROL)) > 8:
        raise UnreadableFile("binary file (control characters)")
    return text


#: How a file is opened for reading: never waiting (a named pipe with no writer would block
#: ``open`` forever) and never becoming a terminal's controlling process.
OPEN_FLAGS = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0)


def not_regular(mode: int) -> str | None:
    """Why a file of this ``st_mode`` is not read as an article, or None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    for test, kind in _KINDS:
        if test(mode):
            return f"not a regular file ({kind})"
    return "not a regular file"


_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
)


def read_capped(descriptor: int, expected: int, limit: int = MAX_ARTICLE_BYTES) -> bytes:
    """Read an open file to its end, but never more than ``limit`` bytes (then it is too large).

    ``expected`` is the size ``stat`` saw: one read of that size (plus one byte, to notice a
    file that grew) is all a regular file needs. Whatever the file turned into since, a file
    that keeps growing or a device that never ends, at most ``limit + 1`` bytes are read.
    """
    raw = os.read(descriptor, min(expected, limit) + 1)
    if len(raw) > expected:
        chunks, total = [raw], len(raw)
        while total <= limit:
            chunk = os.read(descriptor, min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        raw = b"".join(chunks)
    if len(raw) > limit:
        raise UnreadableFile(f"too large for an article (over {limit:,} bytes)")
    return raw


def read_article(path: Path, name: str) -> Article:
    """Read and parse one article file; raises :class:`UnreadableFile` with the reason to skip it."""
    try:
        descriptor = os.open(path, OPEN_FLAGS)
    except OSError as exc:
        raise UnreadableFile(f"cannot be read ({exc.strerror or exc})") from None
    try:
        status = os.fstat(descriptor)
        reason = not_regular(status.st_mode)
        if reason:
            raise UnreadableFile(reason)
        if status.st_size > MAX_ARTICLE_BYTES:
            raise UnreadableFile(f"too large for an article ({status.st_size:,} bytes)")
        raw = read_capped(descriptor, status.st_size)
    except OSError as exc:
        raise UnreadableFile(f"cannot be read ({exc.strerror or exc})") from None
    finally:
        os.close(descriptor)
    return parse_article(decode(raw), name)


# ---------------------------------------------------------------------------------------------
# Line shapes

_BYLINE = re.compile(r"^(?:written\s+|words\s+)?by[:\s]\s*(?P<who>[^\W\d_][^\n]{1,120}?)\.?$", re.IGNORECASE)
_READ_TIME = re.compile(
    r"^(?:reading time:?\s*)?(?:\d+\s*(?:min(?:ute)?s?|m)\b[\s,]*)?(?:\d+\s*(?:sec(?:ond)?s?|s)\b\s*)?"
    r"(?:read|reading time)$",
    re.IGNORECASE,
)
_DATE_LINE = re.compile(r"^(?:published|updated|posted|last updated)(?:\s+on)?:?\s+(?P<date>.{4,60})$", re.IGNORECASE)
# Lines that are page furniture, not writing.
_FURNITURE = re.compile(
    r"^(?:share(?:\s+(?:this|on|via)\b.*)?|share this (?:post|article|story)|tweet|email|print|"
    r"facebook|twitter|linkedin|whatsapp|reddit|pinterest|telegram|copy link|"
    r"advertisement|sponsored(?: content)?|adverti[sz]ing|"
    r"(?:read|see) (?:more|also)\b.*|continue reading.*|"
    r"subscribe\b.*|sign up\b.*newsletter.*|follow us\b.*|click here\b.*|"
    r"tags?:.*|filed under:?.*|categor(?:y|ies):.*|"
    r"(?:\u00a9|copyright\b|all rights reserved).*)$",
    re.IGNORECASE,
)
# A line after which the rest of the page is lists of other stories, comments and the like.
_TRAILER = re.compile(
    r"^(?:similar posts|related(?: posts| articles| stories| coverage| news| reading)?|"
    r"you (?:may|might) also like|more (?:stories|from|on this)\b.*|recommended(?: for you| stories)?|"
    r"(?:\d+\s+)?comments?|leave a (?:comment|reply)|about the author|popular (?:posts|stories)|"
    r"trending(?: now)?|most read)\s*:?$",
    re.IGNORECASE,
)
# Sign-offs and calls to action inside the text: a short paragraph that asks the reader to do something.
_CALL_TO_ACTION = re.compile(
    r"\b(?:stay tuned|subscribe to (?:our|the)|sign up for (?:our|the)|follow us on|download (?:our|the) app|"
    r"click here|like us on facebook|for (?:more|the latest) (?:news|updates)(?: and [\w\s-]+)?, (?:visit|follow|see))\b",
    re.IGNORECASE,
)
_SMALL_WORDS = frozenset(
    "a an the and but or nor for of in on at to by from with as vs via per into onto over than up is are be "
    "was its it s".split()
)
_WORD = re.compile(r"[^\W_][^\s]*")


def _is_title_case(line: str) -> bool:
    words = [w.strip("\"'\u201c\u201d\u2018\u2019()[],:;!?.") for w in _WORD.findall(line)]
    words = [w for w in words if w]
    content = [w for w in words if w.lower() not in _SMALL_WORDS]
    if not content:
        return False
    capital = sum(1 for w in content if w[0].isupper() or w[0].isdigit())
    return capital / len(content) >= 0.75


def _word_count(line: str) -> int:
    return len(line.split())


#: "Reporter Jane Doe says:" introduces the quotation below it; it is not a heading.
_SPEECH_INTRO = re.compile(
    r"\b(?:says|said|told|tells|adds|added|writes|wrote|explains|explained|states|stated|asks|asked)\s*:$", re.IGNORECASE
)


def _heading_like(line: str) -> bool:
    """Short, no sentence punctuation at the end, and set in title case (or very short)."""
    count = _word_count(line)
    if count == 0 or count > 14 or len(line) > 120:
        return False
    if line[-1] in ".,;" or line.endswith((".\u201d", '."', ".'")) or _SPEECH_INTRO.search(line):
        return False
    return _is_title_case(line) or (count <= 6 and line[-1] not in ":")


#: A headline runs to at least this many words; a section heading is usually shorter
#: ("Challenges in Negotiating Peace"), which tells the two apart after a standfirst.
HEADLINE_MIN_WORDS = 6


def _headline_after_standfirst(line: str) -> bool:
    """A headline below the standfirst: a title-case heading of a headline's length."""
    return _heading_like(line) and _is_title_case(line) and _word_count(line) >= HEADLINE_MIN_WORDS


def _title_like(line: str) -> bool:
    """A headline on the first line: like a heading, but a final period is tolerated."""
    count = _word_count(line)
    if count == 0 or count > 22 or len(line) > 200:
        return False
    if line.startswith(("\u201c", '"', "''")) and not _is_title_case(line):
        return False
    return _is_title_case(line) or line[-1] not in ".,;" or count <= 16


_MARKDOWN_HEADING = re.compile(r"^(?P<hashes>#{1,6})\s+(?P<text>.+?)\s*#*$")
_ALNUM = re.compile(r"[^\W_]")
_PROSE_END = frozenset(".!?\"'\u201d\u2019)")


def _no_words(line: str) -> bool:
    return _ALNUM.search(line) is None


# ---------------------------------------------------------------------------------------------
# Parsing


def _read_header(lines: list[str]) -> tuple[dict[str, str], int]:
    """Parse a leading ``---`` metadata block; returns the fields and the index of the first body line."""
    if not lines or lines[0].strip() != "---":
        return {}, 0
    meta: dict[str, str] = {}
    for i in range(1, min(len(lines), 40)):
        line = lines[i].strip()
        if line == "---":
            return meta, i + 1
        key, sep, value = line.partition(":")
        if not sep or not key.strip().replace("_", "").replace("-", "").isalnum():
            return {}, 0
        meta[key.strip().lower().replace("-", "_")] = value.strip()
    return {}, 0


def _hard_wrapped(blocks: list[list[tuple[int, str]]]) -> bool:
    """Whether paragraphs are wrapped over several lines (blank lines between paragraphs)."""
    lines = [text for block in blocks for _, text in block]
    if len(lines) < 4:
        return False
    in_multi = sum(len(block) for block in blocks if len(block) > 1)
    longest = sorted(len(text) for text in lines)[int(len(lines) * 0.9)]
    return in_multi >= 0.5 * len(lines) and longest <= 100


def parse_article(text: str, name: str) -> Article:
    """Parse decoded article text; line numbers are 1-based positions in ``text``."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    meta, body_start = _read_header(lines)

    # Blocks of consecutive non-empty lines, each line kept with its number.
    blocks: list[list[tuple[int, str]]] = []
    current: list[tuple[int, str]] = []
    for number, raw_line in enumerate(lines[body_start:], start=body_start + 1):
        line = raw_line.strip()
        if line:
            current.append((number, line))
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)

    # Units: (first line, last line, text). Wrapped prose is joined back into paragraphs; a
    # single-line block stays a unit so headings keep their own line.
    units: list[tuple[int, int, str, tuple[tuple[int, int], ...]]] = []
    if _hard_wrapped(blocks):
        for block in blocks:
            if len(block) > 1 and _heading_like(block[0][1]) and not _heading_like(block[1][1]):
                units.append((block[0][0], block[0][0], squash(block[0][1]), ((0, block[0][0]),)))
                block = block[1:]
            starts: list[tuple[int, int]] = []
            pieces: list[str] = []
            position = 0
            for number, line in block:
                line = squash(line)
                starts.append((position, number))
                pieces.append(line)
                position += len(line) + 1
            units.append((block[0][0], block[-1][0], " ".join(pieces), tuple(starts)))
    else:
        units = [(n, n, squash(t), ((0, n),)) for block in blocks for n, t in block]

    title = meta.get("title") or None
    byline = meta.get("byline") or meta.get("author") or None
    section: str | None = None
    sections: list[str] = []
    paragraphs: list[Paragraph] = []
    seen_content = False
    # The next unit with words in it, for each unit (a heading is followed by prose).
    following_of: list[str | None] = [None] * len(units)
    upcoming: str | None = None
    for index in range(len(units) - 1, -1, -1):
        following_of[index] = upcoming
        if not _no_words(units[index][2]):
            upcoming = units[index][2]
    for index, (first, last, line, offsets) in enumerate(units):
        if len(line) > 160 and line[-1] in _PROSE_END and index > 0:
            # Long prose ending like a sentence: a paragraph, whatever else the line might be.
            seen_content = True
            paragraphs.append(Paragraph(line, first, last, section, offsets))
            continue
        if _TRAILER.match(line):
            break
        if _no_words(line) or _FURNITURE.match(line) or _READ_TIME.match(line):
            continue
        early = len(paragraphs) < 2 and index < 6
        # Markdown emphasis around a byline ("*By Jane Doe*") is not part of it.
        if early and byline is None and (match := _BYLINE.match(line.strip("*_ "))) and _word_count(match["who"]) <= 10:
            byline = match["who"].strip()
            continue
        if early and (match := _DATE_LINE.match(line)):
            meta.setdefault("date", match["date"].strip())
            continue
        following = following_of[index]
        marked = _MARKDOWN_HEADING.match(line)
        if marked:
            # A Markdown heading says what it is: the headline first, sections after.
            if title is None and not paragraphs and not sections and len(marked["hashes"]) == 1:
                title = marked["text"]
            else:
                section = marked["text"]
                sections.append(section)
            seen_content = True
            continue
        if not seen_content and title is None and index == 0 and _title_like(line) and following is not None:
            title = line.rstrip(".") if line.endswith(".") and not line.endswith("..") else line
            seen_content = True
            continue
        if (
            title is None
            and not sections
            and len(paragraphs) <= 1
            and index <= 3
            and following is not None
            and _headline_after_standfirst(line)
            and not _heading_like(following)
        ):
            # Pages saved from the web often put the standfirst above the headline: the first
            # headline-length heading, before any section and after one paragraph at most.
            title = line
            continue
        if (
            following is not None
            and _heading_like(line)
            and not _heading_like(following)
            and not _TRAILER.match(following)
        ):
            section = line
            sections.append(line)
            continue
        if _word_count(line) <= 45 and _CALL_TO_ACTION.search(line):
            continue
        seen_content = True
        paragraphs.append(Paragraph(line, first, last, section, offsets))

    return Article(
        name=name,
        title=title,
        byline=byline,
        paragraphs=tuple(paragraphs),
        sections=tuple(sections),
        meta={k: v for k, v in meta.items() if k not in ("title", "byline", "author") and v},
        stand_in=None if title else stand_in_title(name, paragraphs),
    )


#: A stand-in title from the first sentence is cut to this many characters, at a word boundary.
STAND_IN_CHARS = 90
_SLUG_SPLIT = re.compile(r"[\s_\-.+]+")
_SLUG_WORD = re.compile(r"^[^\W\d_]+(?:['\u2019][^\W\d_]+)*$")


def stand_in_title(name: str, paragraphs: Sequence[Paragraph]) -> str | None:
    """What to call an article that has no headline: its file name read as words when every
    part of it is a word or a short number ("1973_oil_crisis.txt" → "1973 oil crisis"); else its
    first sentence, cut at a word boundary; None for an article with no text at all."""
    parts = [part for part in _SLUG_SPLIT.split(Path(name).stem) if part]
    named = sum(1 for part in parts if _SLUG_WORD.match(part))
    if named >= 2 and all(_SLUG_WORD.match(part) or (part.isdigit() and len(part) <= 4) for part in parts):
        text = " ".join(parts)
        return text[0].upper() + text[1:]
    if not paragraphs:
        return None
    first = paragraphs[0].text
    spans = sentence_spans(first)
    sentence = first[spans[0][0] : spans[0][1]] if spans else first
    if len(sentence) <= STAND_IN_CHARS:
        return sentence.rstrip(".") if sentence.endswith(".") and not sentence.endswith("..") else sentence
    cut = sentence.rfind(" ", 0, STAND_IN_CHARS)
    return sentence[: cut if cut > 0 else STAND_IN_CHARS].rstrip(" ,;:\u2014\u2013-") + "\u2026"
