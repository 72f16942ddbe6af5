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
    pollster democratic republican presidential democrat independent senior campaign manager lawyer
    prosecutor secretary-general
    mp mep msp peer baroness baron earl duke duchess gen brig cardinal archbishop sergeant constable
    superintendent magistrate barrister solicitor producer singer actor actress author writer novelist
    playwright artist musician guitarist drummer rapper comedian presenter broadcaster journalist
    reporter photographer designer architect chef striker midfielder defender goalkeeper winger
    skipper boss referee councillor councilor alderman
    """.split()
)
# Role words that may stand in lower case inside a name run ("chief executive Lowell McAdam").
ROLE_WORDS = frozenset(
    """
    president vice secretary general minister prime foreign defense defence chancellor senator governor
    mayor judge justice chief executive director spokesman spokeswoman spokesperson ambassador envoy
    special chairman chairwoman chair ceo commissioner speaker leader attorney deputy assistant press
    adviser advisor aide candidate nominee host anchor correspondent editor columnist analyst economist
    strategist pollster founder presidential senior former acting interim campaign manager coach
    captain officer sheriff detective commander professor lawyer representative congressman
    congresswoman secretary-general prosecutor sen rep gov master official head chairperson owner
    organizer organiser activist resident teacher worker member delegate researcher scientist doctor
    nurse lawmaker partner volunteer superintendent principal economist-in-chief spokesman
    councillor councilor ally
    """.split()
)
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
    firstly secondly thirdly lastly finally currently separately additionally importantly
    interestingly ironically similarly likewise frankly clearly obviously surprisingly unfortunately
    fortunately hopefully personally originally initially eventually ultimately recently elsewhere
    either neither none half
    officials critics analysts supporters opponents residents experts sources observers diplomats
    lawmakers investigators witnesses protesters police authorities economists voters scientists
    researchers doctors officers activists leaders members workers employees students parents
    """.split()
)

_WORD_RE = re.compile(r"[^\W\d_](?:[\w'\u2019\-]|\.(?=[^\W\d_]\.)|\.(?=[^\W\d_]))*\.?|\d+(?:[.,]\d+)*\w*", re.UNICODE)


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


# Courtesy titles: the word after one is a surname even when it is also a role word ("Mr Dean").
HONORIFICS = frozenset("mr mrs ms miss mx dr prof sir dame lady".split())


def _is_title(word: str) -> bool:
    """A role word ("President", "Secretary") or a courtesy title ("Mr.")."""
    return fold_name(word) in TITLE_WORDS


def mentions(text: str, words: list[Word] | None = None) -> list[Mention]:
    """Names in ``text`` (a sentence or a sentence's frame), in order.

    A run is a stretch of capitalised words, possibly with lower-case role words inside it
    ("Kremlin spokesperson Dmitry Peskov", "Democratic presidential candidate Sen. Bernie
    Sanders"), ending in a capitalised word. Its name is the trailing stretch of capitalised
    words that are not role words; the rest is its title. A run of role words only ("White
    House", "State Department") names an organisation.
    """
    words = split_words(text) if words is None else words
    found: list[Mention] = []
    i = 0
    count = len(words)
    while i < count:
        if not (words[i].capital or _lower_role(words, text, i)):
            i += 1
            continue
        j = i
        while j + 1 < count and not words[j].possessive and not _gap(text, words, j + 1):
            nxt = words[j + 1]
            if nxt.capital or _lower_role(words, text, j + 1):
                j += 1
            elif nxt.text.lower() in _PARTICLES and j + 2 < count and words[j + 2].capital and not _gap(text, words, j + 2):
                j += 2
            else:
                break
        while j > i and not words[j].capital:
            j -= 1
        run = words[i : j + 1]
        if i == 0 and j == 0 and _participle_opener(words):
            i = j + 1  # "Writing his message, the Bishop said": a participle, not a name
            continue
        # A capitalised sentence opener ("But", "Despite") is not part of a name.
        while run and run[0].capital and (run[0].text.lower() in SENTENCE_OPENERS or run[0].text.lower() in STOP_WORDS) and fold_name(run[0].text) not in HONORIFICS:
            run = run[1:]
        if run and run[-1].capital:
            found.append(_mention(run, words, i, j, _role_place(words, text, i)))
        i = j + 1
    return found


def _participle_opener(words: list[Word]) -> bool:
    """A sentence opening with a capitalised "-ing" word before a lower-case word that is not a
    verb of saying ("Writing his Christmas message, …", "Speaking on Monday, …"): not a name
    ("Ewing said" is)."""
    first = words[0].text
    return (
        len(words) > 1
        and first.endswith("ing")
        and len(first) > 5
        and not words[1].capital
        and words[1].text.lower() not in _SAYING_WORDS
    )


_SAYING_WORDS = frozenset("said says told added asked insisted stated warned claimed wrote".split())


def _lower_role(words: list[Word], text: str, index: int) -> bool:
    """A lower-case role word that leads into a name ("spokesperson" in "Kremlin spokesperson Dmitry Peskov")."""
    if words[index].text.lower() not in ROLE_WORDS:
        return False
    k = index + 1
    while k < len(words) and not _gap(text, words, k) and words[k].text.lower() in ROLE_WORDS and not words[k].capital:
        k += 1
    return k < len(words) and words[k].capital and not _gap(text, words, k)


def _role_place(words: list[Word], text: str, first: int) -> bool:
    """Whether a run follows "<Title> of (the)" ("Chancellor of the Exchequer Gordon Brown",
    "Chief of Staff Katie Walsh"): its first word is then the title's place, not a name."""
    k = first
    if k > 0 and words[k - 1].text.lower() == "the":
        k -= 1
    return k >= 2 and words[k - 1].text == "of" and words[k - 2].capital and not _gap(text, words, k) and not _gap(text, words, k - 1)


# Letters after a name ("Peter Ainsworth MP", "Jane Doe QC"): not part of the name.
_POSTNOMINALS = frozenset("MP MEP MSP AM MLA QC KC OBE MBE CBE KBE".split())


def _mention(run: list[Word], words: list[Word], first: int, last: int, placed: bool = False) -> Mention:
    full = run
    first_index = words.index(run[0], first)
    if run[-1].text in _POSTNOMINALS and not placed and first_index > 0 and words[first_index - 1].text.lower() in ("the", "a", "an"):
        # "the Glasgow Kelvin MP", "a Green Party MP": a description, no name
        return Mention(tuple(w.folded for w in run), (), " ".join(w.text for w in run), run[0].start, run[-1].end, first_index, last, run[-1].possessive, False)
    if len(run) >= 3 and run[-1].text in _POSTNOMINALS and not _is_title(run[-2].text) and run[-3].capital:
        run = run[:-1]
    tail = len(run)
    if tail >= 2 and _is_title(run[-1].text) and run[-2].capital and (not _is_title(run[-2].text) or fold_name(run[-2].text) in HONORIFICS):
        tail -= 1  # a surname that is also a role word: "Charlie King", "Anna Richardson White", "Mr Dean"
    while tail > 0 and run[tail - 1].capital and not _is_title(run[tail - 1].text):
        tail -= 1
    if placed and tail == 0 and len(run) >= 3:
        # "Chancellor of the Exchequer Gordon Brown", "Director of Government Affairs Phil
        # Smith": the words before the last two are the title's place.
        tail = len(run) - 2
    name_words = run[tail:]
    title_words = run[:tail]
    org = fold_name(full[-1].text) in ORG_WORDS or (len(full) == 1 and full[0].text.isupper() and len(full[0].text) > 1)
    if not name_words:
        capitals = [w for w in run if w.capital]
        if len(capitals) >= 2:
            name_words, title_words, org = capitals, [], True
    return Mention(
        title=tuple(w.folded for w in title_words),
        name=tuple(w.folded for w in name_words),
        surface=" ".join(w.text for w in (name_words or run)),
        start=(name_words[0] if name_words else run[0]).start,
        end=full[-1].end,
        first_word=first_index,
        last_word=last,
        possessive=full[-1].possessive,
        org=org,
    )


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


_TRANSLIT_END = re.compile(r"(?:yy|iy|ii|yi|y|i)$")
_DOUBLED = re.compile(r"(.)\1")


def _translit_equal(a: str, b: str) -> bool:
    """Zelenskyy / Zelensky / Zelenskiy; Gaddafi / Qaddafi-style endings: compare with common spellings folded."""
    def norm(s: str) -> str:
        return _DOUBLED.sub(r"\1", _TRANSLIT_END.sub("i", s))
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
