"""The last stage of answering: whether the coverage answers the question at all.

One decision, from three kinds of evidence, in this order:

1. **Someone or something the coverage never mentions.** A question about a person, product or
   organisation ("Ines Okafor", "eReader", "FerryLink") that no article writes cannot be answered
   from the coverage, however well its other words match: the reply says the coverage doesn't
   mention them — with "did you mean" only for a name the coverage really writes, spelt within
   an edit or two. A name counts as written only when an article writes the word itself, not
   just its stem ("Messi" is not "messy").
2. **A question off the coverage.** When the question's words the coverage never uses
   outweigh those it does.
3. **Too little of the question in the best answer.** When the chosen passage holds under
   ``MIN_COVERAGE`` of the question's weight (corpus idf) and says nothing of the person asked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .evidence import Unit
from .names import TITLE_WORDS, fold_name
from .people import People, Unknown
from .question import Question
from .reader import Reader
from .text import STOP_WORDS, tokens

#: Share of the question's weight the best passage must hold to count as an answer.
MIN_COVERAGE = 0.3
#: How many times the known words' weight the unknown words' may reach before the question is off the coverage.
UNKNOWN_RATIO = 2.0
DOESNT_SAY = "The coverage doesn't answer that: no article matches the question's key words closely enough."

_WORD = re.compile(r"[^\W_][\w'\u2019.&-]*", re.UNICODE)
_QUESTION_WORDS = frozenset(
    "what who whom whose which when where why how did does do is are was were has have had can could will would "
    "should may might shall tell show give list any anything".split()
)


@dataclass(frozen=True, slots=True)
class Verdict:
    """Not answered, and why: the message for the asker and any "did you mean" names."""

    message: str
    suggestions: tuple[str, ...] = ()


def names_in(text: str) -> list[tuple[str, list[str]]]:
    """The runs of capitalised words in a question ("Ines Okafor", "eReader"), each with the
    words that name something (not role words, not the question's opening word)."""
    runs: list[list[str]] = []
    current: list[str] = []
    words = _WORD.findall(text)
    for index, raw in enumerate(words):
        word = raw.strip(".'\u2019-&").removesuffix("'s").removesuffix("\u2019s")
        capital = word[:1].isupper() or any(ch.isupper() for ch in word[1:])
        first = index == 0 and word.lower() in _QUESTION_WORDS | STOP_WORDS
        if capital and not first and word.lower() not in STOP_WORDS:
            current.append(word)
            continue
        if current:
            runs.append(current)
            current = []
    if current:
        runs.append(current)
    named = []
    for run in runs:
        content = [w for w in run if fold_name(w) not in TITLE_WORDS and not w.isdigit() and len(w) > 1]
        if content:
            named.append((" ".join(run), content))
    return named


def unknown_names(people: People, question: Question) -> Unknown | None:
    """The first name in the question that the coverage never writes, if any."""
    for run, words in names_in(question.text):
        for word in words:
            if not tokens(word) or (word.isupper() and len(word) <= 4):
                # "URL", "TV", "CEO": an acronym is as often a common noun as a name.
                continue
            near = tuple(t for other in words if other is not word for t in tokens(other))
            if not people.in_coverage(word, near):
                return Unknown(run, tuple(people.suggest(word)))
    return None


def off_coverage(reader: Reader, question: Question) -> bool:
    """Whether the question's unknown words outweigh the known ones."""
    known = {t: reader.idf(t) for t in set(question.terms) if reader.df(t)}
    unknown = [t for t in set(question.terms) if t not in known]
    if not known:
        return True
    return reader.idf("\u2205unseen") * len(unknown) > UNKNOWN_RATIO * sum(known.values())


def weak(unit: Unit) -> bool:
    """Whether the best unit holds too little of the question to answer it."""
    features = unit.features
    if features["speaker"] > 0:
        return False
    return max(features["passage"], features["context"]) < MIN_COVERAGE


def suggestions_for(people: People, question: Question, reader: Reader) -> tuple[str, ...]:
    """"Did you mean" names for a question's capitalised words the coverage does not know."""
    found: list[str] = []
    for _run, words in names_in(question.text):
        for word in words:
            stems = tokens(word)
            if stems and not reader.df(stems[0]):
                found.extend(people.suggest(word))
    return tuple(dict.fromkeys(found))[:3]
