"""The words of an answer to bold: the number, the date, the name or the quoted clause that answers.

Bold changes no word: the span is an offset range of the quote, so the card shows the quote
verbatim with part of it marked. The kind of answer comes from the question (``wants``, see
:func:`index.question.wanted`); a statement asked for ("What did X say?") bolds its quoted words.
Only what the question does not already say is bolded: asked "How much did the ferry charge in
2019?", the year is not the answer, the price is. No rule knows any question; each names a kind.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from .names import fold_name, split_words
from .question import Question

_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
_DAYS = "monday|tuesday|wednesday|thursday|friday|saturday|sunday"
_SCALE = r"(?:\s?(?:bn|m|k|million|billion|trillion|thousand|hundred|pence|p|cents?|dollars?|euros?|pounds?|yen|per ?cent|%))"
_NUMBER_WORDS = (
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|"
    "eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|million|billion|"
    "dozens?|half|double|twice|treble|triple|quarter"
)
_AMOUNT = re.compile(
    rf"(?:(?:US|A|C|NZ|HK)?[$\u00a3\u20ac\u00a5]\s?\d[\d,]*(?:\.\d+)?{_SCALE}?|\b\d[\d,]*(?:\.\d+)?{_SCALE})(?![\w])",
    re.IGNORECASE,
)
_NUMBER = re.compile(
    rf"(?:[$\u00a3\u20ac\u00a5]\s?)?\b\d[\d,]*(?:\.\d+)?(?:{_SCALE}|\s?(?:-|to)\s?\d[\d,]*(?:\.\d+)?)?(?![\w])|"
    rf"\b(?:{_NUMBER_WORDS})(?:[\s-](?:{_NUMBER_WORDS}))*\b",
    re.IGNORECASE,
)
_DATE = re.compile(
    rf"\b(?:(?:{_DAYS}),?\s)?(?:\d{{1,2}}(?:st|nd|rd|th)?\s(?:of\s)?(?:{_MONTHS})\.?(?:,?\s(?:1[5-9]|20)\d\d)?|"
    rf"(?:{_MONTHS})\.?\s\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s(?:1[5-9]|20)\d\d)?|"
    rf"(?:early |late |mid-)?(?:{_MONTHS})(?:\s(?:1[5-9]|20)\d\d)?|(?:1[5-9]|20)\d\ds?|(?:{_DAYS})|"
    r"(?:next|last|this) (?:week|month|year|season)|tomorrow|yesterday|tonight)\b",
    re.IGNORECASE,
)
#: A quoted clause: straight or curly double quotation marks and what they hold.
_QUOTED = re.compile(r"\u201c([^\u201c\u201d]{3,})\u201d|\"([^\"]{3,})\"")
#: Words that open a sentence in capitals without naming anyone.
_NOT_NAMES = frozenset(
    "the a an and but or so he she it they we i you his her their its this that these those there here "
    "in on at by for of to from with as after before when while if mr mrs ms dr".split()
)
_REASON = re.compile(
    r"\b(?:because|due to|owing to|as a result of|in order to|so that|thanks to|after|amid|following)\b[^.;:!?\u201d\"]*",
    re.IGNORECASE,
)


def emphasis(question: Question, text: str) -> tuple[int, int] | None:
    """(start, end) in ``text`` of the words that answer ``question``, or None when no rule finds them."""
    asked_numbers = set(re.findall(r"\d+", question.text))
    asked_words = {fold_name(w.text) for w in split_words(question.text)}
    wants = question.wants
    found: tuple[int, int] | None = None
    if wants == "amount":
        found = _first(_AMOUNT, text, asked_numbers) or _first(_NUMBER, text, asked_numbers)
    elif wants == "number":
        found = _first(_NUMBER, text, asked_numbers)
    elif wants == "date":
        found = _first(_DATE, text, asked_numbers)
    elif wants in ("person", "place", "name"):
        found = _name(text, asked_words)
        if found is None and wants == "name":
            found = _quoted(text)
    elif wants == "reason":
        match = _REASON.search(text)
        found = _trimmed(text, match.start(), match.end()) if match else None
    if found is None and question.intent == "quote":
        found = _quoted(text)
    return found


def _first(pattern: re.Pattern[str], text: str, asked: set[str]) -> tuple[int, int] | None:
    """The first match of ``pattern`` holding no number the question already gives."""
    for match in pattern.finditer(text):
        numbers = set(re.findall(r"\d+", match.group(0)))
        if numbers and numbers <= asked:
            continue
        return _trimmed(text, match.start(), match.end())
    return None


def _name(text: str, asked: set[str]) -> tuple[int, int] | None:
    """The first run of capitalised words the question does not name (a sentence's first word counts only with a second)."""
    for start, end, words in _capital_runs(text):
        new = [w for w in words if fold_name(w) not in asked and w.lower() not in _NOT_NAMES]
        if new:
            return start, end
    return None


def _capital_runs(text: str) -> Iterator[tuple[int, int, list[str]]]:
    """Runs of adjacent capitalised words (joined by a space, or by "of"/"de"/"the" inside a run)."""
    run: list[tuple[int, int, str]] = []
    for word in split_words(text):
        joined = run and text[run[-1][1] : word.start] == " "
        if word.capital and not (word.text.lower() in _NOT_NAMES and not run):
            if run and not joined:
                yield _run(run)
                run = []
            run.append((word.start, word.end, word.text))
            continue
        if run:
            yield _run(run)
            run = []
    if run:
        yield _run(run)


def _run(run: list[tuple[int, int, str]]) -> tuple[int, int, list[str]]:
    return run[0][0], run[-1][1], [w for _, _, w in run]


def _quoted(text: str) -> tuple[int, int] | None:
    """The longest quoted clause, inside its marks (the marks stay outside the bold)."""
    best: tuple[int, int] | None = None
    for match in _QUOTED.finditer(text):
        group = 1 if match.group(1) is not None else 2
        start, end = _trimmed(text, match.start(group), match.end(group)) or (0, 0)
        if end > start and (best is None or end - start > best[1] - best[0]):
            best = (start, end)
    return best


def _trimmed(text: str, start: int, end: int) -> tuple[int, int] | None:
    """``[start, end)`` without surrounding spaces or trailing commas (Markdown bold must hug its words)."""
    while start < end and (text[start].isspace() or text[start] in ",;:"):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",;:"):
        end -= 1
    return (start, end) if end > start else None
