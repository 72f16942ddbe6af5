"""Names in running text: who is mentioned where, with the titles the coverage puts before them.

A mention is a run of capitalised words ("Ukrainian President Volodymyr Zelenskyy"), split into
the title part ("Ukrainian President") and the name part ("Volodymyr Zelenskyy"). Matching a
name someone typed against a mention compares folded words and tolerates the spelling variants
news uses for transliterated names (Zelensky / Zelenskyy / Zelenskiy).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from .text import STOP_WORDS

# Words that describe a role rather than name a person; stripped from the front of a name run.
TITLE_WORDS = frozenset(
    """
    president vice secretary general minister prime foreign defense defence chancellor senator sen
    representative rep gov governor mayor judge justice chief executive director spokesman
    spokeswoman spokesperson ambassador envoy special chairman chairwoman chair ceo cfo coo dr mr mrs
    ms miss mx prof professor king queen prince princess pope lt col adm sgt capt cpl pvt maj
    commissioner speaker leader attorney congressman congresswoman deputy assistant press state
    house white former acting interim first lady lord sir dame premier reverend rev bishop rabbi
    imam coach captain officer sheriff detective inspector agent commander supreme grand majority
    minority whip counsel adviser advisor aide candidate nominee hon honorable dean provost founder
    cofounder co-founder host anchor correspondent editor columnist analyst economist strategist
    pollster the a an new national federal
    """.split()
)
# Adjectives of place that precede titles ("Ukrainian President", "U.S. Secretary").
_DEMONYM = re.compile(r"^(?:[a-z]+(?:ian|ean|ese|ish|ic|an|i)|u\.?s\.?|u\.?k\.?|u\.?n\.?|e\.?u\.?|nato|gop)$")
# The last word of a run that names an organisation, outlet or place of work, not a person.
ORG_WORDS = frozenset(
    """
    party council committee department ministry agency commission court association union campaign
    group institute university college school company corporation corp inc llc ltd bank fund times
    post journal news press network foundation center centre office administration service senate
    congress parliament government kremlin pentagon police army forces force board bureau
    organization organisation club league federation alliance coalition movement front reuters
    ap afp cnn nyt wsj bbc fox nbc cbs abc msnbc npr tass ria politico axios bloomberg guardian
    telegraph herald tribune chronicle gazette magazine review radio tv television channel
    network institute council republicans democrats gop nato un eu g7 g20 opec imf house
    ministry
    """.split()
)
_PARTICLES = frozenset("de da di du del della der den van von bin ibn al el la le st".split())
SENTENCE_OPENERS = frozenset(
    """
    but and or so yet however meanwhile still now then in on at for as if when while after before
    despite although though since because instead also asked speaking according during with without
    under over about across among between by from into through toward towards until upon within
    this that these those there here his her its their our my your some many most both each one
    two three yes no not every all another such what why how who where which whether once even
    only last next earlier later today yesterday tomorrow monday tuesday wednesday thursday friday
    saturday sunday january february march april may june july august september october november
    december mr mrs ms dr
    """.split()
)

_WORD_RE = re.compile(r"[^\W\d_](?:[\w'\u2019\-]|\.(?=[^\W\d_]\.)|\.(?=[^\W\d_]))*\.?|\d[\w,.]*", re.UNICODE)


def fold_name(word: str) -> str:
    """A name word for comparison: accents, case, apostrophes and periods removed."""
    decomposed = unicodedata.normalize("NFKD", word)
    kept = "".join(ch for ch in decomposed if ch.isalnum())
    return kept.casefold()


def _strip_possessive(word: str) -> tuple[str, bool]:
    for suffix in ("'s", "\u2019s", "s'", "s\u2019"):
        if word.endswith(suffix) and len(word) > len(suffix):
            return (word[: -len(suffix)] if suffix[0] in "'\u2019" else word[:-1]), True
    return word, False


@dataclass(frozen=True, slots=True)
class Word:
    text: str  # surface form, possessive removed
    start: int
    end: int
    capital: bool
    possessive: bool

    @property
    def folded(self) -> str:
        return fold_name(self.text)


@dataclass(frozen=True, slots=True)
class Mention:
    """A run of capitalised words in a sentence, split into title and name."""

    title: tuple[str, ...]  # folded title words ("ukrainian", "president")
    name: tuple[str, ...]  # folded name words ("volodymyr", "zelenskyy")
    surface: str  # the name part as written
    start: int  # offset of the first name word in the text
    end: int
    first_word: int  # index (in the sentence's words) of the run's first word
    last_word: int  # index of the run's last word
    possessive: bool
    org: bool

    @property
    def person_like(self) -> bool:
        return bool(self.name) and not self.org


def split_words(text: str) -> list[Word]:
    """Words of ``text`` with offsets; possessive endings are noted and removed."""
    result: list[Word] = []
    for match in _WORD_RE.finditer(text):
        raw = match.group(0)
        if raw.endswith(".") and not re.search(r"\.[^\W\d_]\.$|^[^\W\d_]\.$", raw) and raw.lower().rstrip(".") not in _ABBREV:
            raw = raw[:-1]
        word, possessive = _strip_possessive(raw)
        result.append(Word(word, match.start(), match.start() + len(raw), word[:1].isupper(), possessive))
    return result


_SUFFIXES = frozenset("jr sr ii iii iv md phd esq".split())
_ABBREV = frozenset("mr mrs ms dr sen rep gov gen lt col sgt capt adm prof st jr sr rev maj cpl pvt".split())


def _is_title(word: str, following: str | None = None) -> bool:
    """A role word ("President", "Secretary"), or a place adjective right before one ("Ukrainian President")."""
    if fold_name(word) in TITLE_WORDS:
        return True
    return (
        following is not None
        and fold_name(following) in TITLE_WORDS
        and bool(_DEMONYM.match(word.lower().replace("\u2019", "'")))
    )


def mentions(text: str, words: list[Word] | None = None) -> list[Mention]:
    """Capitalised runs in ``text`` (a sentence or a sentence's frame), in order."""
    words = split_words(text) if words is None else words
    found: list[Mention] = []
    i = 0
    while i < len(words):
        word = words[i]
        if not word.capital:
            i += 1
            continue
        j = i
        while j + 1 < len(words) and not words[j].possessive and not _gap(text, words, j + 1):
            nxt = words[j + 1]
            if nxt.capital:
                j += 1
            elif nxt.text.lower() in _PARTICLES and j + 2 < len(words) and words[j + 2].capital and not _gap(text, words, j + 2):
                j += 2
            else:
                break
        run = words[i : j + 1]
        # A capitalised sentence opener ("But", "Despite") is not part of a name.
        while run and (run[0].text.lower() in SENTENCE_OPENERS or run[0].text.lower() in STOP_WORDS):
            run = run[1:]
        title_count = 0
        while title_count < len(run) - 1 and _is_title(run[title_count].text, run[title_count + 1].text):
            title_count += 1
        if len(run) == 1 and _is_title(run[0].text):
            title_count = 1
        name_words = run[title_count:]
        if run:
            last = run[-1]
            org = fold_name(last.text) in ORG_WORDS or (last.text.isupper() and len(last.text) > 1 and len(run) == 1)
            found.append(
                Mention(
                    title=tuple(w.folded for w in run[:title_count]),
                    name=tuple(w.folded for w in name_words),
                    surface=" ".join(w.text for w in name_words) if name_words else " ".join(w.text for w in run),
                    start=(name_words[0] if name_words else run[0]).start,
                    end=last.end,
                    first_word=words.index(run[0], i),
                    last_word=j,
                    possessive=last.possessive,
                    org=org,
                )
            )
        i = j + 1
    return found


def _gap(text: str, words: list[Word], index: int) -> bool:
    """Whether punctuation (other than an initial's period) separates ``words[index]`` from the word before."""
    if index == 0:
        return False
    between = text[words[index - 1].end : words[index].start]
    return bool(between.strip())


# ---------------------------------------------------------------------------------------------
# Matching names someone asked about


@lru_cache(maxsize=4096)
def similar(a: str, b: str) -> bool:
    """Spelling variants of one name: equal, or the same transliteration spelt differently.

    Only the variants transliteration produces (Zelensky / Zelenskyy / Zelenskiy, doubled
    letters) count: two real names one letter apart (Jeffers / Jeffery, Rubin / Rubino) are
    different people. A misspelling is answered with a suggestion instead.
    """
    if a == b:
        return True
    if min(len(a), len(b)) < 5 or a[:3] != b[:3]:
        return False
    return _translit_equal(a, b)


def _translit_equal(a: str, b: str) -> bool:
    """Zelenskyy / Zelensky / Zelenskiy; Gaddafi / Qaddafi-style endings: compare with common spellings folded."""
    def norm(s: str) -> str:
        s = re.sub(r"(?:yy|iy|ii|yi|y|i)$", "i", s)
        return re.sub(r"(.)\1", r"\1", s)
    return norm(a) == norm(b)


def name_matches(asked: tuple[str, ...], mention: Mention) -> int:
    """How well a mention matches an asked name: 2 full name, 1 surname only, 0 not this person.

    The surname (last asked word) must match one of the mention's name words; any other asked
    word (a first name) must then match too, unless the mention gives only the surname.
    """
    if not asked or not mention.name:
        return 0
    surname = asked[-1]
    words = mention.name
    while len(words) > 1 and words[-1] in _SUFFIXES:
        words = words[:-1]
    # The surname must end the mention ("Mark Rutte", "Mr. Rutte"), not be another person's first name.
    position = len(words) - 1 if similar(surname, words[-1]) else None
    if position is None:
        return 0
    others = asked[:-1]
    if not others:
        return 2 if len(words) > 1 else 1
    before = words[:position]
    if not before:
        return 1
    matched = sum(1 for w in others if any(similar(w, b) or (len(w) == 1 and b.startswith(w)) for b in before))
    if matched == len(others):
        return 2
    return 0
