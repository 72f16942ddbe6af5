"""Text handling shared by indexing and answering: folding, the one tokenizer, sentences, quotes."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import tantivy

#: Name under which the analyzer is registered on the tantivy index.
ANALYZER_NAME = "news"
#: Bumped whenever tokenization changes, so cached indexes built with the old one are rebuilt.
ANALYZER_VERSION = 5

# A standard English stop list (the usual function words), plus the fragments the tokenizer
# leaves behind when it splits "Trump's" or "don't" at the apostrophe. "us" is listed because
# "U.S." indexes as "u" + "s" anyway, so "US" in a question could never match it.
STOP_WORDS: frozenset[str] = frozenset(
    """
    a about above after again against all am an and any are aren as at be because been before
    being below between both but by can cannot could couldn d did didn do does doesn doing don
    down during each few for from further had hadn has hasn have haven having he her here hers
    herself him himself his how i if in into is isn it its itself just ll m me more most
    mustn my myself no nor not now o of off on once only or other our ours ourselves out over
    own re s same shan she should shouldn so some such t than that the their theirs them
    themselves then there these they this those through to too under until up ve very was
    wasn we were weren what when where which while who whom why will with won wouldn y you
    your yours yourself yourselves would shall may might must also many much us
    """.split()
)

_FOLD = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
        "\u00ab": '"', "\u00bb": '"',
        "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-",
        "\u2212": "-", "\u00a0": " ", "\u2026": "...",
    }
)
_SPACE = re.compile(r"\s+")


def fold(text: str) -> str:
    """Fold typography for comparison: NFKC, curly quotes and dashes to ASCII, case, spacing."""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text).translate(_FOLD)).strip().casefold()


def squash(text: str) -> str:
    """Collapse runs of whitespace (line breaks included) to single spaces, keeping every other character."""
    return " ".join(text.split())


@lru_cache(maxsize=1)
def analyzer() -> tantivy.TextAnalyzer:
    """The one tokenizer: Unicode word split, lower case, ASCII folding, stop words, Snowball English stems.

    It runs inside tantivy for passages (in Rust, while indexing) and here for questions and
    sentences, so both sides always agree. Splitting at every non-alphanumeric character turns
    curly and straight apostrophes alike into a break, and the stop list then drops the
    possessive "s" ("Trump's" -> "trump").
    """
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(40))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .filter(tantivy.Filter.custom_stopword(sorted(STOP_WORDS)))
        .filter(tantivy.Filter.stemmer("english"))
        .build()
    )


def tokens(text: str) -> list[str]:
    """Index terms of ``text`` (stemmed, folded, stop words removed)."""
    return analyzer().analyze(text)


@lru_cache(maxsize=1)
def _splitter() -> tantivy.TextAnalyzer:
    return tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple()).build()


@lru_cache(maxsize=262_144)
def _term(word: str) -> str | None:
    found = analyzer().analyze(word)
    return found[0] if found else None


def positioned_tokens(text: str) -> list[tuple[str, int]]:
    """:func:`tokens` with the position tantivy gives each: its place among all the words,
    stop words included (dropped words leave gaps, so a near-phrase spans what was written).
    For engines that index the project's tokens themselves (:mod:`index.xapian_engine`)."""
    return [(term, position) for position, word in enumerate(_splitter().analyze(text)) if (term := _term(word))]


_WORD = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*", re.UNICODE)


def words(text: str) -> list[str]:
    """Surface words (letters and digits, inner apostrophes kept), for display-level checks."""
    return _WORD.findall(text)


# ---------------------------------------------------------------------------------------------
# Sentences

# Abbreviations after which a period does not end a sentence (compared case-insensitively,
# without the final period). Titles come first because news names people with them.
_ABBREVIATIONS = frozenset(
    """
    mr mrs ms mx dr prof sen rep gov gen lt col sgt capt cmdr maj adm fr rev hon pres supt insp
    st jr sr messrs mme mlle amb atty
    inc corp co ltd llc plc bros dept univ assn
    no nos vol vols fig figs ed eds pp cf ca approx est vs etc al e g i e viz
    jan feb mar apr jun jul aug sep sept oct nov dec mon tue tues wed thu thur thurs fri sat sun
    ala ariz ark calif colo conn del fla ga ill ind kan kans ky la md mass mich minn miss mo
    mont neb nev okla ore pa tenn tex va vt wash wis wyo
    mt ft
    """.split()
)
# Words that, capitalised after an ambiguous abbreviation such as "U.S." or "p.m.", start a new sentence.
_SENTENCE_STARTERS = frozenset(
    """
    The A An He She It They We I You This That These Those There But And Or So Yet However
    Meanwhile Still Now Then In On At For As If When While After Before His Her Its Their Our
    My Your Some Many Most Both Each One Two Mr Mrs Ms Dr What Why How Who Where Asked Despite
    Although Though Since Because Instead Also Officials Critics
    """.split()
)

_CLOSERS = "\"'\u201d\u2019)]\u00bb"
_OPENERS = "\"'\u201c\u2018([\u00ab"
# A candidate end: terminal punctuation, any closing quotes/brackets, then whitespace.
_END = re.compile(r"([.!?\u2026]+)([" + re.escape(_CLOSERS) + r"]*)(\s+)")
_LAST_TOKEN = re.compile(r"\S+$")
_NEXT_START = re.compile(r"[" + re.escape(_OPENERS) + r"]*[\-\u2014\u2013]?\s*([^\W_])", re.UNICODE)


def _ends_sentence(text: str, match: re.Match[str]) -> bool:
    """Decide whether the candidate end ``match`` really closes a sentence."""
    punct = match.group(1)
    after = _NEXT_START.match(text, match.end())
    if after is None:
        return False
    first = after.group(1)
    if not (first.isupper() or first.isdigit()):
        return False
    if punct != ".":
        return True
    # The token before the period (looked for in a short stretch: tokens are short), opening quotes dropped.
    before = _LAST_TOKEN.search(text, max(0, match.start() - 40), match.start())
    token = before.group(0).lstrip(_OPENERS) if before else ""
    if not token:
        return True
    bare = token.rstrip(".").casefold()
    next_word = re.match(r"[^\W_]+", text[after.start(1):])
    starter = next_word is not None and next_word.group(0) in _SENTENCE_STARTERS
    if match.group(2):
        # "...peace." he said  /  ...peace." The ...: a closing quote after the period ends it.
        return True
    if bare in _ABBREVIATIONS:
        return False
    if len(bare) == 1 and bare.isalpha():
        # An initial ("Yevgeny E. Kopachko") unless the letter is a sentence-final word like "I".
        return token == "I" and starter
    if "." in bare:
        # Dotted abbreviations ("U.S.", "p.m.") end a sentence only before a clear sentence start.
        return starter
    return True


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Split ``text`` into sentences, returned as (start, end) offsets without surrounding space.

    Rule-based rather than a library: it runs on every candidate passage at question time, where
    a few microseconds matter, and news needs only a handful of rules (titles, initials, dotted
    abbreviations, closing quotes after the period).
    """
    spans: list[tuple[int, int]] = []
    start = 0
    length = len(text)
    while start < length and text[start].isspace():
        start += 1
    for match in _END.finditer(text):
        if match.start() < start:
            continue
        if _ends_sentence(text, match):
            end = match.start(3)
            spans.append((start, end))
            start = match.end()
    end = length
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))
    return spans


def sentences(text: str) -> list[str]:
    """The sentences of ``text`` as strings (see :func:`sentence_spans`)."""
    return [text[a:b] for a, b in sentence_spans(text)]


# ---------------------------------------------------------------------------------------------
# Quotations

_OPEN_ONLY = "\u201c\u00ab\u201e"
_CLOSE_ONLY = "\u00bb"
# Straight double quotes, "''" and "``" (the newspaper style of ''quote,'') toggle; a lone
# curly closing quote toggles too, because some sources use it for both ends.
_QUOTE_MARK = re.compile(r"''|``|\u2018\u2018|\u2019\u2019|[\"\u201c\u201d\u00ab\u00bb\u201e]")


@dataclass(frozen=True, slots=True)
class QuoteScan:
    """Quoted regions of a text: ``spans`` are (start, end) offsets of the quoted words, marks excluded."""

    spans: tuple[tuple[int, int], ...]
    opens_unclosed: bool  # the text ends inside a quotation (continued in the next paragraph)


def scan_quotes(text: str, inside: bool = False) -> QuoteScan:
    """Find quoted regions, starting inside a quotation when ``inside`` is true."""
    spans: list[tuple[int, int]] = []
    open_at: int | None = 0 if inside else None
    for match in _QUOTE_MARK.finditer(text):
        mark = match.group(0)
        if open_at is None:
            if mark not in _CLOSE_ONLY and not _stray_close(text, match.start(), match.end()):
                open_at = match.end()
            continue
        if mark in _OPEN_ONLY or (mark == '"' and _opens(text, match.start(), match.end())):
            # A fresh opening mark while one is open: the first quotation ran to the end of its
            # paragraph unclosed (the convention for multi-paragraph quotes); restart here.
            if match.start() > open_at:
                spans.append((open_at, match.start()))
            open_at = match.end()
            continue
        if match.start() > open_at:
            spans.append((open_at, match.start()))
        open_at = None
    if open_at is not None and len(text) > open_at:
        spans.append((open_at, len(text)))
    return QuoteScan(tuple(spans), open_at is not None)


def _opens(text: str, start: int, end: int) -> bool:
    """Whether a straight quote mark opens a quotation: after a space that follows a sentence's
    end, and before a word (' complacency. "There are …'); a closing one follows its words."""
    before = text[:start].rstrip()
    return start > 0 and text[start - 1].isspace() and end < len(text) and text[end].isalnum() and before[-1:] in ".!?:"


def _stray_close(text: str, start: int, end: int) -> bool:
    """Whether a mark met with no quotation open is a closing one (its quotation opened in an
    earlier paragraph, or the copy lost the opening): right after a sentence's or clause's end
    and before a space ('Ben Jealous." Wasserman Schultz said')."""
    return start > 0 and text[start - 1] in ".,!?" and (end == len(text) or text[end].isspace())


def quoted_chars(spans: tuple[tuple[int, int], ...], start: int, end: int) -> int:
    """How many characters of [start, end) lie inside the quoted ``spans``."""
    total = 0
    for a, b in spans:
        lo, hi = max(a, start), min(b, end)
        if hi > lo:
            total += hi - lo
    return total
