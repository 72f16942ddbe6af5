"""Checking a pasted quote against the coverage: verbatim, altered, said by someone else, or not there.

The search engine finds the candidate passages (every word of the paste, plus near-phrase
pairs so passages that keep the words together rank first); only those few are aligned word by
word with :mod:`difflib`, so a check costs the same at a million passages as at a hundred. The
alignment ignores case, punctuation and quote marks. Who said the words comes from the same
attribution that answers "What did X say?".

The verdict never goes beyond what the articles show: "not in the coverage" means these
articles do not contain it, not that nobody said it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from difflib import Match as Block  # one run of equal words: a, b, size
from difflib import SequenceMatcher

from .citation import Citation, cite, wire_key, with_copy
from .coverage import Coverage
from .engine import Search, SearchEngine
from .errors import BadQuestion
from .names import fold_name, mentions
from .passages import Passage, join_passages, passage_key
from .people import People, Person, Said
from .question import clean
from .reader import Reader
from .text import sentence_spans, tokens

#: Share of the pasted words found in order in one place for the words to count as that passage's.
CLOSE_ENOUGH = 0.6
#: Passages aligned with a paste (the search engine's best), and matches whose speaker is read.
CANDIDATES = 6
SHOWN = 4
#: Longest paste accepted (a paragraph or two).
MAX_PASTE_CHARS = 3000

_LINK = re.compile(r"\[([^\]]+)\]\((?:https?://|<)[^)]*\)")
_TRAILING_LINK = re.compile(r"(?:\s*[-\u2014(]*\s*\[[^\]]+\]\((?:https?://|<)[^)]*\)\)?)+$")
_URL = re.compile(r"<?https?://\S+>?")
_WORD = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*", re.UNICODE)
_CLAIM = re.compile(
    r"^(?P<who>(?:[A-Z][\w'\u2019.\-]+\s+){0,3}[A-Z][\w'\u2019.\-]+)\s+(?:said|says|told\s+\w+|wrote|claimed|stated|tweeted)"
    r"(?:\s+that)?[\s,:]+(?P<quote>.+)$",
    re.DOTALL,
)


@dataclass(frozen=True, slots=True)
class Difference:
    kind: str  # "changed", "missing" (in the coverage, not in the paste), "added" (in the paste only)
    pasted: str
    original: str


@dataclass(frozen=True, slots=True)
class Match:
    """Where the coverage has the pasted words, and how they differ."""

    verdict: str  # "verbatim" or "altered"
    #: The stretch of the article the paste corresponds to (whole sentences, exact), where it is,
    #: who said it, and the other files carrying the same text (wire copy).
    cite: Citation
    similarity: float  # share of the pasted words found in order
    differences: tuple[Difference, ...] = ()
    #: (start, end) character spans that differ: in ``cite.quote``, and in the checked text.
    original_marks: tuple[tuple[int, int], ...] = ()
    pasted_marks: tuple[tuple[int, int], ...] = ()
    # Where the match is, for reading who said it.
    passage: Passage | None = field(default=None, compare=False, repr=False)
    offset: int = field(default=0, compare=False, repr=False)
    runs_to_end: bool = field(default=False, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class CheckResult:
    text: str  # the paste, cleaned of chat formatting
    verdict: str  # "verbatim", "altered", "other_speaker", "not_found"
    message: str
    person: str | None = None
    matches: tuple[Match, ...] = field(default_factory=tuple)


def clean_paste(raw: str) -> str:
    """The words of a paste without chat formatting: quote bars, emphasis, links, surrounding quote marks.

    A link inside the text keeps its words; a link at the very end ("… [source](https://…)") is
    where the paste came from, not part of the quote, and is dropped.
    """
    text = _TRAILING_LINK.sub("", raw.rstrip())
    text = _LINK.sub(r"\1", text)
    text = _URL.sub(" ", text)
    text = clean(text)
    text = unicodedata.normalize("NFKC", text).strip()
    return text.strip("\"'\u201c\u201d\u2018\u2019\u00ab\u00bb ").strip()


def _words(text: str) -> list[tuple[str, int, int]]:
    """(folded word, start, end) for every word of ``text``."""
    return [(fold_name(m.group(0)) or m.group(0).casefold(), m.start(), m.end()) for m in _WORD.finditer(text)]


class Checker:
    """Checks pasted quotes against one coverage snapshot."""

    def __init__(self, coverage: Coverage, reader: Reader | None = None) -> None:
        self.coverage = coverage
        self.engine: SearchEngine = coverage.engine
        self.reader = reader or Reader.of(coverage)
        self.people = People(self.reader)

    def check(self, pasted: str, person: str | None = None) -> CheckResult:
        text = clean_paste(pasted)
        if len(pasted) > MAX_PASTE_CHARS * 2 or len(text) > MAX_PASTE_CHARS:
            raise BadQuestion(f"That is too long to check; paste at most {MAX_PASTE_CHARS:,} characters.")
        claimed = person.strip() if person and person.strip() else None
        claim = _CLAIM.match(text)
        if claim and claimed is None and mentions(claim["who"]):
            # "Trump said Russia is not serious about peace": the claim names its speaker.
            claimed, text = claim["who"], claim["quote"].strip("\"'\u201c\u201d ")
        words = _words(text)
        if len(words) < 3 or not tokens(text):
            raise BadQuestion("Paste at least a few words of the quote to check.")
        matches = self._matches(text, words)
        if not matches:
            return CheckResult(
                text, "not_found", "These words are not in the coverage (the articles indexed here may simply not include them).", claimed
            )
        best = matches[0]
        speaker = best.cite.speaker
        if claimed and speaker and not self._said_by(claimed, best):
            message = f"The coverage gives these words to {speaker}, not {claimed}."
            return CheckResult(text, "other_speaker", message, claimed, tuple(matches))
        if best.verdict == "verbatim":
            who = f" by {speaker}" if speaker else ""
            message = f"Verbatim: the coverage quotes these words{who}."
        else:
            message = "Close, but altered: the coverage's words differ from the paste."
        if claimed and not speaker:
            message += f" The coverage does not say who said them, so it cannot confirm {claimed}."
        return CheckResult(text, best.verdict, message, claimed, tuple(matches))

    def _said_by(self, claimed: str, match: Match) -> bool:
        """Whether the coverage gives the matched words to ``claimed``: the same reading of the
        article that answers "What did X say?" must credit them to that person."""
        person = self.people.named(claimed)
        if not isinstance(person, Person) or match.passage is None:
            return False
        said = self._statement_at(match.passage, match.offset, person)
        return said is not None and said.match > 0

    def _statement_at(self, passage: Passage, offset: int, person: Person | None = None) -> Said | None:
        """The statement of ``passage`` holding ``offset``, read with the article around it."""
        article = self.reader.article(passage.file) or (passage,)
        for said in self.people.read(article, person):
            statement = said.statement
            if statement.passage.key == passage.key and statement.start <= offset < statement.end:
                return said
        return None

    def _matches(self, text: str, words: list[tuple[str, int, int]]) -> list[Match]:
        terms = tokens(text)
        pairs = tuple(dict.fromkeys((a, b) for a, b in zip(terms, terms[1:]) if a != b))
        hits = self.engine.search(Search(tuple((t, 1.0) for t in dict.fromkeys(terms)), phrases=pairs), CANDIDATES)
        found: list[Match] = []
        for hit in hits:
            match = self._align(hit.passage, words)
            if match is None or (match.similarity < 1.0 and match.runs_to_end):
                # A paste may run on into the next paragraph.
                following = self.engine.passages([passage_key(hit.passage.file, hit.passage.ordinal + 1)])
                if following:
                    joined = self._align(join_passages(hit.passage, next(iter(following.values()))), words)
                    if joined is not None and (match is None or joined.similarity > match.similarity):
                        match = joined
            if match is not None and all(m.cite.source != match.cite.source or m.cite.quote != match.cite.quote for m in found):
                found.append(match)
        found.sort(key=lambda m: (m.verdict != "verbatim", -m.similarity))
        # The same words in several files (wire copy) are listed once, citing every file.
        grouped: list[Match] = []
        at: dict[str, int] = {}
        for match in found:
            key = wire_key(match.cite.quote)
            if key in at:
                twin = grouped[at[key]]
                grouped[at[key]] = replace(twin, cite=with_copy(twin.cite, match.cite))
            else:
                at[key] = len(grouped)
                grouped.append(match)
        # Who said the words is read only for the matches shown.
        return [
            replace(m, cite=replace(m.cite, speaker=self._speaker(m.passage, m.offset))) if i < SHOWN else m
            for i, m in enumerate(grouped)
        ]

    def _align(self, passage: Passage, words: list[tuple[str, int, int]]) -> Match | None:
        pasted = [w for w, _, _ in words]
        original = _words(passage.text)
        theirs = [w for w, _, _ in original]
        blocks = [b for b in SequenceMatcher(None, pasted, theirs, autojunk=False).get_matching_blocks() if b.size]
        if not blocks:
            return None
        span = _densest(blocks, len(pasted))
        matched = sum(b.size for b in span)
        similarity = matched / len(pasted)
        if similarity < CLOSE_ENOUGH:
            return None
        first, last = span[0].b, span[-1].b + span[-1].size - 1
        start, end = _sentence_bounds(passage.text, original[first][1], original[last][2])
        diff, original_marks, pasted_marks = _differences(words, original[first : last + 1], start)
        verbatim = not diff
        return Match(
            verdict="verbatim" if verbatim else "altered",
            cite=cite(self.reader, passage, start, end),
            similarity=similarity,
            differences=tuple(diff),
            original_marks=original_marks,
            pasted_marks=pasted_marks,
            passage=passage,
            offset=original[first][1],
            runs_to_end=last == len(original) - 1,
        )

    def _speaker(self, passage: Passage | None, offset: int) -> str | None:
        """Who the coverage says spoke the words at ``offset`` of ``passage``."""
        if passage is None:
            return None
        said = self._statement_at(passage, offset)
        return said.speaker if said is not None else None


def _densest(blocks: list[Block], length: int) -> list[Block]:
    """The run of matching blocks with the most matched words inside a stretch about the paste's length."""
    best: list[Block] = []
    best_count = 0
    for i in range(len(blocks)):
        count = 0
        for j in range(i, len(blocks)):
            if blocks[j].b + blocks[j].size - blocks[i].b > 2 * length + 5:
                break
            count += blocks[j].size
            if count > best_count:
                best, best_count = blocks[i : j + 1], count
    return best


def _sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen [start, end) to whole sentences."""
    spans = sentence_spans(text)
    first = max((a for a, b in spans if a <= start), default=0)
    last = min((b for a, b in spans if b >= end), default=len(text))
    return first, last


def _differences(
    pasted: list[tuple[str, int, int]], original: list[tuple[str, int, int]], shift: int
) -> tuple[list[Difference], tuple[tuple[int, int], ...], tuple[tuple[int, int], ...]]:
    """Word-level differences, and the character spans to mark on each side (original spans
    relative to the excerpt, which starts at ``shift`` in its passage)."""
    diff: list[Difference] = []
    original_marks: list[tuple[int, int]] = []
    pasted_marks: list[tuple[int, int]] = []
    ours, theirs = [w for w, _, _ in pasted], [w for w, _, _ in original]
    for tag, a1, a2, b1, b2 in SequenceMatcher(None, ours, theirs, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        kind = {"replace": "changed", "delete": "added", "insert": "missing"}[tag]
        diff.append(Difference(kind, " ".join(ours[a1:a2]), " ".join(theirs[b1:b2])))
        if a2 > a1:
            pasted_marks.append((pasted[a1][1], pasted[a2 - 1][2]))
        if b2 > b1:
            original_marks.append((original[b1][1] - shift, original[b2 - 1][2] - shift))
    return diff, tuple(original_marks), tuple(pasted_marks)

