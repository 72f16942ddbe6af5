"""Who said what: speakers of quotations and reported speech, and the statements they make.

News attributes speech in a few shapes, which this module reads sentence by sentence:

- a cue verb with its subject: ``Rutte told reporters``, ``said Henry Barbour, a strategist``,
  ``Sam Lau, the communications director, said in a statement``, ``according to Peskov``;
- a participle after the main clause: ``Rubio provided a timeframe, suggesting that ...``;
- a possessive speech noun: ``Vance's recent comments``, ``His assertion that ...``;
- a pronoun continuing the last speaker: ``"Russia is not serious about peace," he stated.``;
- a quotation that runs on past its cue, over several sentences or into the next paragraph.

A statement is the run of sentences that carry one speaker's words: the cue sentence, the
sentences of a quotation opened before it, and what follows while it stays quoted or is
continued by "he said". Statements never cross a passage boundary (a quote is an excerpt of one
passage), but speaker and open-quotation state do.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from .names import ORG_WORDS, fold_name
from .names import SENTENCE_OPENERS as _OPENERS
from .text import STOP_WORDS
from .names import HONORIFICS, ROLE_WORDS, TITLE_WORDS, Mention, Word, mentions, name_matches, split_words
from .passages import Passage
from .text import quoted_chars, scan_quotes, sentence_spans

# Verbs of saying, all inflections. "told" takes the listener after it, so it never inverts.
_CUE_STEMS = """
say said says saying tell told tells telling add added adds adding note noted notes noting
state stated states stating write wrote writes writing written tweet tweeted tweets tweeting
post posted posts posting claim claimed claims claiming argue argued argues arguing insist
insisted insists insisting explain explained explains explaining ask asked asks asking warn
warned warns warning declare declared declares declaring announce announced announces
announcing respond responded responds responding reply replied replies replying continue
continued continues acknowledge acknowledged acknowledges acknowledging admit admitted admits
admitting suggest suggested suggests suggesting emphasize emphasized emphasizes emphasizing
emphasise emphasised emphasising stress stressed stresses stressing recall recalled recalls
recalling predict predicted predicts predicting concede conceded concedes conceding complain
complained complains complaining caution cautioned cautions cautioning observe observed
observes remark remarked remarks comment commented comments commenting joke joked jokes joking
vow vowed vows vowing promise promised promises promising pledge pledged pledges urge urged
urges urging lament lamented laments counter countered counters countering maintain maintained
maintains maintaining contend contended contends contending describe described describes
describing criticize criticized criticizes criticizing criticise criticised express expressed
expresses expressing report reported reports reporting indicate indicated indicates
indicating reveal revealed reveals confirm confirmed confirms confirming deny denied denies
denying accuse accused accuses accusing praise praised praises praising testify testified
testifies agree agreed agrees disagree disagreed propose proposed proposes proposing
estimate estimated estimates recommend recommended recommends quip quipped quips boast
boasted boasts mused muse muses wonder wondered wonders shout shouted yelled yell whispered
told announce tout touted touts assert asserted asserts asserting allege alleged alleges
demand demanded demands demanding call called calls calling dismiss dismissed dismisses
dismissing reject rejected rejects rejecting threaten threatened threatens threatening
believe believes believed thinks
"""
CUE_VERBS = frozenset(_CUE_STEMS.split())
_INVERTING = frozenset(
    "say said says add added adds ask asked asks write wrote writes continue continued continues "
    "explain explained explains note noted notes recall recalled recalls argue argued argues insist "
    "insisted insists warn warned warns state stated states tweet tweeted tweets post posted posts "
    "reply replied replies respond responded quip quipped declare declared concede conceded believes thinks".split()
)
# Nouns that carry someone's words after a possessive: "Vance's comments", "his assertion".
SPEECH_NOUNS = frozenset(
    """
    comment comments remark remarks statement statements words message messages assertion
    assertions claim claims argument warning warnings post posts tweet tweets letter speech
    interview response reply answer testimony suggestion suggestions appeal plea promise pledge
    vow criticism complaint description explanation announcement prediction admission
    """.split()
)
_PRONOUNS = {"he": "m", "she": "f", "they": "p", "i": "s", "we": "p"}
_POSSESSIVE_PRONOUNS = frozenset("his her their its".split())
# Words allowed between a subject and its cue verb ("Peskov reportedly said", "Trump has also said").
_BETWEEN = frozenset(
    """
    reportedly also has have had was were is are later then now again publicly previously recently
    once repeatedly explicitly quickly simply further initially originally privately openly
    flatly just even still first last often frequently never always who would will could can
    may might should did does do not separately immediately earlier yesterday today tonight
    ultimately finally directly angrily bluntly told asked quoted as being been subsequently
    didn't doesn't don't hasn't haven't hadn't wouldn't won't can't couldn't isn't wasn't
    didn\u2019t doesn\u2019t don\u2019t hasn\u2019t haven\u2019t hadn\u2019t wouldn\u2019t
    won\u2019t can\u2019t couldn\u2019t isn\u2019t wasn\u2019t
    """.split()
)


@dataclass(frozen=True, slots=True)
class Speaker:
    """Who a sentence's words belong to: a mention in the text, resolved through pronouns."""

    mention: Mention
    how: str  # "cue", "inverted", "according", "possessive", "participle", "pronoun", "quote"


@dataclass(slots=True)
class SentenceInfo:
    passage: Passage
    start: int
    end: int
    quoted: float  # share of the sentence inside quotation marks
    starts_inside_quote: bool  # begins within a quotation opened earlier
    ends_inside_quote: bool
    speakers: list[Speaker]  # who the sentence's words may belong to, most likely first
    cue: bool  # has a verb of saying or speech noun of its own
    subject: Mention | None  # the sentence's grammatical subject, when it opens with a name

    @property
    def speaker(self) -> Speaker | None:
        return self.speakers[0] if self.speakers else None

    @property
    def text(self) -> str:
        return self.passage.text[self.start : self.end]


@dataclass(frozen=True, slots=True)
class Statement:
    """One speaker's words: consecutive sentences ``sentences`` of one passage."""

    passage: Passage
    start: int  # offsets in passage.text
    end: int
    speaker: Speaker
    sentences: tuple[SentenceInfo, ...]
    direct: bool  # contains a direct quotation

    @property
    def text(self) -> str:
        return self.passage.text[self.start : self.end]


def _lower(word: Word) -> str:
    return word.text.lower()


_MARK = "\u00a7"  # stands in for a quotation in a sentence's frame
_CLAUSE_LINKS = frozenset("and but then so while as when because although though after before".split())
_NP_INNER = frozenset("of the for and former then".split())
_COORDINATED = "\u2026and"  # marker: the cue verb shares the main clause's subject
_TIME_WORDS = frozenset(
    """
    monday tuesday wednesday thursday friday saturday sunday today yesterday tonight week weekend
    month year night morning afternoon evening recently later earlier previously
    """.split()
)
_DETERMINERS = frozenset("the a an his her its their our my your these those this that such any no".split())


def _mention_at(found: list[Mention], word_index: int) -> Mention | None:
    for mention in found:
        if mention.first_word <= word_index <= mention.last_word:
            return mention
    return None


def _according_to(words: list[Word], found: list[Mention], first: int, frame: str) -> Mention | None:
    """The name after "according to", past a short lower-case description ("according to
    conservative columnist Hugh Hewitt")."""
    for k in range(first, min(len(words), first + 4)):
        mention = _mention_at(found, k)
        if mention is not None:
            return mention if k == first or mention.person_like else None
        gap = _gap(frame, words, k + 1) if k + 1 < len(words) else ""
        if words[k].capital or _lower(words[k]) in _NOT_DESCRIPTORS or _lower(words[k]) in _POSSESSIVE_PRONOUNS or any(c in gap for c in ",;:\u00a7"):
            return None
    return None


def _gap(frame: str, words: list[Word], index: int) -> str:
    """The characters between ``words[index - 1]`` and ``words[index]`` (or before the first word)."""
    return frame[words[index - 1].end : words[index].start] if index > 0 else frame[: words[0].start]


def _clause_initial(words: list[Word], frame: str, mention: Mention) -> bool:
    """Whether a mention (with any titles before it: "Secretary of State", "Kremlin spokesperson")
    opens a clause, as a subject does."""
    k = mention.first_word
    described = 0
    while k > 0 and not any(ch in _gap(frame, words, k) for ch in ",;:\u2014\u2013(" + _MARK):
        previous = words[k - 1]
        low = _lower(previous)
        if low in _OPENERS and low not in HONORIFICS:
            break
        if previous.capital or low in TITLE_WORDS or low in _NP_INNER:
            k -= 1
            continue
        if described < 3 and (previous.possessive or low in ("a", "an") or _describes(low)):
            # "Republican politician Fred Upton", "Mr Brown's former advisor Ed Balls"
            described += 1
            k -= 1
            continue
        break
    if k == 0:
        return True
    gap = _gap(frame, words, k)
    return any(ch in gap for ch in ",;:\u2014\u2013(" + _MARK) or _lower(words[k - 1]) in _CLAUSE_LINKS


def _after_comma(words: list[Word], frame: str, mention: Mention) -> bool:
    """Whether a mention, with the few words describing it, follows a comma."""
    k = mention.first_word
    for _ in range(3):
        if k == 0 or "," in _gap(frame, words, k):
            break
        previous = words[k - 1]
        if previous.possessive or not (previous.capital or _describes(_lower(previous)) or _lower(previous) in ("the", "a", "an")):
            break  # "outstripping Microsoft's Xbox, said analysts": Xbox is an object
        k -= 1  # "The Bishop of Lindford, the Rt Rev Dr Alan Marsh, said": the article opens the appositive
    return k > 0 and "," in _gap(frame, words, k)


def _describes(low: str) -> bool:
    """A lower-case word that may describe a person before their name ("politician",
    "playwright"): not a stop word, a verb of saying, a past tense or a participle."""
    return low.replace("-", "").isalpha() and low not in STOP_WORDS and low not in CUE_VERBS and not low.endswith(("ed", "ing")) and low not in _CLAUSE_LINKS


def _subject_left(words: list[Word], found: list[Mention], verb: int, frame: str) -> Mention | _Role | str | None:
    """The subject of the cue at ``verb`` looking left: a mention, a pronoun, a description, or None."""
    i = verb - 1
    age = adverb = False
    while i >= 0 and _MARK not in _gap(frame, words, i + 1):
        low = _lower(words[i])
        if low == "who" and i > 0 and "," in _gap(frame, words, i):
            # "Gwyneth Dunwoody, who says it will ...": the name the relative clause hangs on
            # (past an age: "Imelda Staunton, 49, who told").
            k = i - 1
            if k > 0 and words[k].text.isdigit() and "," in _gap(frame, words, k):
                k -= 1
            named = _mention_at(found, k)
            return named if named is not None and named.person_like and named.last_word == k else None
        if low == "to" and i > 1 and _lower(words[i - 1]) in _INTENDING and i + 1 == verb:
            i -= 2  # "he was due to say", "is expected to tell"
        elif (low in _BETWEEN and not words[i].capital) or low in _TIME_WORDS:
            i -= 1
        elif low.endswith("ly") and len(low) > 4 and not words[i].capital and i + 1 == verb and _blank(_gap(frame, words, verb)) and _blank(_gap(frame, words, i)):
            i -= 1  # "Mr. Rubio defiantly told voters", "she jokingly said", "Cruz had effusively praised"
            adverb = True
        elif low in ("on", "last", "this", "earlier", "in") and i + 1 < verb and _lower(words[i + 1]) in _TIME_WORDS:
            i -= 1
        elif words[i].text[:1].isdigit() and "," in _gap(frame, words, i) and "," in _gap(frame, words, i + 1):
            i -= 1  # an age: "Jim Bennett, 57, told"
            age = True
        else:
            break
    if i < 0:
        return None
    dash = _DASH.search(_gap(frame, words, i + 1)) if i + 1 == verb else None
    if dash is not None:
        # "Joyce — who is listed as an attorney — told": the subject before the aside
        for k in range(i, max(0, i - 25), -1):
            gap = _gap(frame, words, k)
            if _MARK in gap or ";" in gap:
                break
            if _DASH.search(gap):
                named = _mention_at(found, k - 1)
                if named is not None and named.person_like and named.last_word == k - 1:
                    return named
                if _lower(words[k - 1]) in _PRONOUNS:
                    return _lower(words[k - 1])
                break
    if _lower(words[i]) in ("and", "or", "but") and "," not in _gap(frame, words, i + 1):
        return _COORDINATED  # "didn't come out and say": the subject of the first verb
    between = " " if age else frame[words[i].end : words[verb].start]
    if _MARK in between or ";" in between or ":" in between:
        return None
    if "," in between and not _lower(words[verb]).endswith("ing"):
        named = _mention_at(found, i)
        if named is not None and named.person_like and named.last_word == i and named.first_word > 0 and (
            _full_person(words, named) or _lower(words[named.first_word - 1]) in _ROLE_NOUNS | _KIN
        ):
            if _after_comma(words, frame, named):
                # "the assailant, John McGraw, told", "the author, US playwright Eve Ensler,
                # says": the name is the appositive.
                return named
        if named is not None and named.last_word == i and between.strip() == ",":
            # A stray comma after a subject that opens the clause: "Chairman of the committee
            # Peter Ainsworth MP, said", "shop owner Hayriye Evren, told"
            subject = _owner_of(words, found, frame, named) if named.name else None
            if isinstance(subject, Mention) and subject.person_like and _full_person(words, subject) and _stray_comma(words, frame, subject, i):
                return subject
    if "," not in between:
        if _lower(words[i]) in _PRONOUNS:
            return _lower(words[i])
        mention = _mention_at(found, i)
        if mention is None or not mention.name:
            # "the Bishop said", '"…," the British actor said'; or someone unnamed ("the pollster said")
            return _described_subject(words, found, frame, i)
        if adverb and not _full_person(words, mention):
            return None  # "Donations are typically reported": a capitalised word, not a speaker
        owner = _owner_of(words, found, frame, mention)
        if mention.org and (owner is mention or owner is None or not isinstance(owner, Mention)):
            # "Sam Lau, the communications director for the Iowa Democratic Party said": the
            # organisation closes an appositive whose opening comma follows the real subject.
            return _appositive_subject(words, found, mention.first_word, frame) or mention
        return owner
    return _appositive_subject(words, found, i, frame)


_DASH = re.compile(r"[\u2014\u2013]|\s-{1,2}\s")
# Nouns for someone's relation, before their name in an appositive: "His mother, Giselle, said".
_KIN = frozenset("mother father wife husband son daughter brother sister partner friend widow widower fiancee fiance girlfriend boyfriend aunt uncle cousin grandmother grandfather".split())
# "was due to say", "is expected to tell": words between a subject and the verb of saying it will use.
_INTENDING = frozenset("due expected set going likely poised about planning scheduled able ready".split())
_OWNING = frozenset("of for from at".split())


def _owner_of(words: list[Word], found: list[Mention], frame: str, mention: Mention) -> Mention | _Role | None:
    """The subject whose last words are ``mention``: the mention itself, or when it follows
    "of", "for", "from" or "at", what it belongs to: "Mark Smith of the Harbour Trust said" (the
    person before), "the Bishop of Lindford said" (a description), "Howard Archer, economist at
    Global Insight said" (an appositive left unclosed), "a spokeswoman for Royal Mail said" (the
    body she speaks for), "a member of the Harbour Trust said" (someone unnamed)."""
    if mention.title:
        return mention  # "Secretary of State Colin Powell", "Chancellor of the Exchequer Gordon Brown"
    current = mention
    for _ in range(3):
        k = current.first_word
        if k > 0 and _lower(words[k - 1]) == "the" and _blank(_gap(frame, words, k)):
            k -= 1
        if k < 2 or _lower(words[k - 1]) not in _OWNING or not _blank(_gap(frame, words, k)) or not _blank(_gap(frame, words, k - 1)):
            return mention
        owner_end = k - 2
        owner = _mention_at(found, owner_end)
        if owner is not None and owner.name and owner.last_word == owner_end:
            if owner.person_like and not (owner.first_word > 0 and _lower(words[owner.first_word - 1]) == "the"):
                return owner  # "Kirsten Pfeifer from the Consumer Electronics Association said"
            current = owner  # "the Department for International Development said"
            continue
        if words[owner_end].capital and owner is None:
            return mention
        # A common noun or a bare title owns the name.
        described = _described_subject(words, found, frame, mention.last_word)
        if described is not None:
            return described  # "the Bishop of Lindford said"
        named = _unclosed_appositive(words, found, frame, owner_end)
        if named is not None:
            return named
        if _lower(words[owner_end]) in _SPEAKING_FOR:
            return mention  # "a spokeswoman for Royal Mail said": the body speaks
        return None  # "a member of the Harbour Trust said"
    return mention


# Nouns for someone speaking for a body: "a spokeswoman for Royal Mail said" is Royal Mail speaking.
_SPEAKING_FOR = frozenset("spokesman spokeswoman spokesperson spokespeople representative statement".split())


def _stray_comma(words: list[Word], frame: str, subject: Mention, last: int) -> bool:
    """Whether ``subject``, with the titles and describing words before it, opens the sentence
    (or follows a quotation) and runs unbroken to ``words[last]`` before a comma: the comma is
    then stray, not an appositive's ("Ian Harris, deputy editor of Mac Format, said" is one)."""
    if not all(_blank(_gap(frame, words, n)) for n in range(subject.first_word + 1, last + 1)):
        return False
    k = subject.first_word
    while k > 0 and _blank(_gap(frame, words, k)):
        low = _lower(words[k - 1])
        if not (words[k - 1].capital or low in TITLE_WORDS or low in ROLE_WORDS or low in _NP_INNER or _describes(low)):
            return False
        k -= 1
    return k == 0 or _MARK in _gap(frame, words, k)


# Sentence adverbs set off by commas between a subject and the rest of its clause.
_ASIDES = frozenset("meanwhile however though too also instead nonetheless nevertheless moreover then now again".split())


def _appositive_subject(words: list[Word], found: list[Mention], last: int, frame: str) -> Mention | _Role | str | None:
    """For ``Name, a description, said``: the name before the appositive's opening comma.

    ``last`` is the appositive's last word; the subject must open its clause, so
    ``on Russia, Trump defended his approach, saying`` finds no appositive subject.
    """
    for k in range(last, 0, -1):
        gap = _gap(frame, words, k)
        if _MARK in gap or ";" in gap:
            return None
        if "," in gap:
            previous = k - 1
            if _lower(words[previous]) in _ASIDES and "," in _gap(frame, words, previous):
                continue  # "Sanders, meanwhile, who ..., said"
            if words[previous].text.isdigit() and previous > 0 and "," in _gap(frame, words, previous):
                continue  # an age: "Cecelia Purner, 67, a retired teacher, said"
            if _lower(words[previous]) in _PRONOUNS and (previous == 0 or _lower(words[previous - 1]) in _CLAUSE_LINKS):
                return _lower(words[previous])
            mention = _mention_at(found, previous)
            if mention is not None and mention.person_like:
                # "Michael Brown of Washington, D.C., explained": the person the place belongs to;
                # "Secretary of State John Kerry, in Geneva, said": a titled name is its own owner.
                subject = _owner_of(words, found, frame, mention) if _owned(words, frame, mention) else mention
                if isinstance(subject, Mention) and subject.person_like and _clause_initial(words, frame, subject):
                    return subject
            if mention is None or not mention.name:
                # "The chancellor, speaking in Dar es Salaam, said"
                described = _description_before(words, frame, previous)
                if described is not None and _person_noun(described[1].head) and _opens_clause(words, frame, described[0]):
                    return described[1]
            if _lower(words[k]) in ("who", "whose", "which") and k < last:
                continue  # "Hogan Gidley, a former director of the party, whose roots are …, said"
            if words[k].capital and words[previous].capital and (k == last or "," in _gap(frame, words, k + 1)):
                continue  # a place's state or country: "a teacher in Allentown, Pa., said"
            return None
    return None


def _opens_clause(words: list[Word], frame: str, k: int) -> bool:
    """Whether ``words[k]`` opens a clause (the sentence, or after punctuation or a linking word)."""
    if k == 0:
        return True
    return bool(_gap(frame, words, k).strip()) or _lower(words[k - 1]) in _CLAUSE_LINKS or _lower(words[k - 1]) in _TIME_WORDS


def _modifies(words: list[Word], frame: str, mention: Mention) -> bool:
    """Whether a name is followed by the role noun it qualifies ("Tottenham striker", "England coach")."""
    k = mention.last_word + 1
    return not mention.possessive and k < len(words) and not words[k].capital and _lower(words[k]) in _ROLE_NOUNS and _blank(_gap(frame, words, k))


def _subject_right(words: list[Word], found: list[Mention], verb: int, frame: str) -> Mention | _Role | str | None:
    """Inverted attribution: ``said Henry Barbour``, ``said Dr. Harold Varmus``, ``said he``, or
    after a description: ``said another Twitter user, Johanna Bayer``, ``said Priorities spokesman Justin Barasky``."""
    j = verb + 1
    if j >= len(words) or _MARK in _gap(frame, words, j):
        return None
    if _lower(words[j]) in _PRONOUNS:
        return _lower(words[j])
    for k in range(j, min(len(words), j + 8)):
        gap = _gap(frame, words, k)
        if k > j and (_MARK in gap or ";" in gap or ":" in gap or "." in gap):
            return None
        mention = _mention_at(found, k)
        if mention is not None and mention.name and k == j + 1 and _lower(words[j]) == "the" and _modifies(words, frame, mention):
            break  # "said the Tottenham striker": the name qualifies a description
        if mention is not None and mention.name:
            if mention.possessive and mention.last_word == k:
                # "says the BBC's Louisa Lim": the name after the outlet; "said Clinton's
                # acceptance ...": an object, not the speaker.
                owned = _mention_at(found, k + 1)
                return owned if owned is not None and owned.person_like and not _gap(frame, words, k + 1).strip() else None
            if mention.person_like or k == j:
                return mention
            continue
        if _lower(words[k]) in CUE_VERBS or _lower(words[k]) in _CLAUSE_LINKS or _lower(words[k]) in _NOT_DESCRIPTORS:
            break  # "said of Boyle", "said that Putin ...": the name is not the speaker
    if _lower(words[j]) == "the":
        # '"…," said the lock forward', "said the prime minister in a speech"; "said the
        # chairman of the committee, Labour MP Barry Sheerman" names the speaker after it.
        for k in range(j + 1, min(len(words), j + 12)):
            if "," in _gap(frame, words, k):
                named = next((m for m in found if k <= m.first_word <= k + 3 and m.person_like and _full_person(words, m)), None)
                if named is not None and all(_blank(_gap(frame, words, n)) for n in range(k + 1, named.first_word + 1)):
                    return named
                break
            if not _blank(_gap(frame, words, k)):
                break
        role = _description_after(words, frame, j)
        if role is not None and (_person_noun(role.head) or _MARK in _gap(frame, words, verb)):
            if _MARK in _gap(frame, words, verb) and _inverted_epithet(role, words, j):
                role.after_quote = True
            return role
    return None


def _main_subject(words: list[Word], found: list[Mention], frame: str) -> Mention | str | None:
    """The name or pronoun that is the subject of the sentence's main clause.

    The main clause starts the sentence or follows an opening phrase set off by a comma or a
    dash ("Speaking last week, Vance described", "WASHINGTON — Sen. Chuck Grassley said"). A
    subject is followed by its verb or by an appositive ("Rutte, the NATO chief, said"), which
    tells "In Ames, Iowa, on Sunday, Mrs. Clinton tried" from the place names before it.
    """
    if not words:
        return None
    starts = [0] + [k for k in range(1, min(len(words), 30)) if any(ch in _gap(frame, words, k) for ch in ",\u2014\u2013")]
    for start in starts:
        word = words[start]
        if _lower(word) in _PRONOUNS and _verb_follows(words, frame, start):
            return _lower(word)
        for mention in found:
            if mention.first_word < start:
                continue
            if mention.first_word > start + 5:
                break
            # A possessive is never the subject: in "A member of Davies' team met", the member is.
            if mention.person_like and not mention.possessive and _clause_initial(words, frame, mention) and _verb_follows(words, frame, mention.last_word):
                return mention
    return None


_NOT_DESCRIPTORS = frozenset("that who which of to about at in on for with from by into as than".split())
_NOT_VERBS = frozenset("of in on at for to from with by and or the a an as into about over than".split())


def _verb_follows(words: list[Word], frame: str, last: int) -> bool:
    """Whether a subject ending at ``last`` is followed by a verb (a plain lower-case word) or an appositive."""
    nxt = last + 1
    if nxt >= len(words):
        return False
    gap = _gap(frame, words, nxt)
    word = words[nxt]
    if _MARK in gap or ";" in gap:
        return False
    if not gap.strip() and _lower(word) in ("on", "last", "this", "earlier") and nxt + 2 < len(words) and _lower(words[nxt + 1]) in _TIME_WORDS:
        nxt += 2  # "Sen. Chuck Grassley on Wednesday downplayed"
        gap, word = _gap(frame, words, nxt), words[nxt]
        if gap.strip():
            return False
    if "," in gap or "(" in gap:
        return _lower(word) in ("a", "an", "the", "who", "whose", "which", "his", "her") or word.text[:1].isdigit() or (
            not word.capital and _lower(word) not in _NOT_VERBS
        )
    return not word.capital and _lower(word) not in _NOT_VERBS


_UNREAD = object()
#: How many sentences back a pronoun may look for the person it stands for.
LOOKBACK = 8


class _Seen:
    """A sentence already read, for pronouns and descriptions to look back at: its speaker, its
    subject and the roles it gives people — worked out only when needed, since most sentences
    are never looked back at."""

    __slots__ = ("_parsed", "_roles", "_subject", "frame", "learned", "speaker")

    def __init__(
        self,
        frame: str,
        subject: Mention | None | object = _UNREAD,
        parsed: tuple[list[Word], list[Mention]] | None = None,
    ) -> None:
        self.frame = frame
        self._subject = subject
        self._parsed = parsed
        self._roles: list[tuple[Mention, frozenset[str]]] | None = None
        self.speaker: Mention | None = None
        #: roles learned from a description resolved to a person ('"…," the chancellor said').
        self.learned: list[tuple[Mention, frozenset[str]]] = []

    def parsed(self) -> tuple[list[Word], list[Mention]]:
        if self._parsed is None:
            frame = _PARENTHETICAL.sub(lambda m: " " * len(m.group(0)), self.frame)
            words = split_words(frame)
            self._parsed = (words, mentions(frame, words))
        return self._parsed

    def subject(self) -> Mention | None:
        if self._subject is _UNREAD:
            frame = _PARENTHETICAL.sub(lambda m: " " * len(m.group(0)), self.frame)
            words, found = self.parsed()
            opener = _main_subject(words, found, frame)
            self._subject = opener if isinstance(opener, Mention) and opener.person_like else None
        return self._subject  # type: ignore[return-value]

    def roles(self, head: str) -> list[tuple[Mention, frozenset[str]]]:
        """(person, role words) for the people this sentence describes, if it writes ``head`` at all."""
        if head not in self.frame.lower():
            return self.learned
        if self._roles is None:
            words, found = self.parsed()
            self._roles = [
                (m, held)
                for m in found
                if m.person_like and _full_person(words, m) and not _owned(words, self.frame, m) and (held := _held_roles(words, self.frame, m))
            ]
        return self._roles + self.learned


@dataclass(slots=True)
class _Context:
    """What carries from sentence to sentence (and passage to passage) within an article."""

    seen: list[_Seen] = field(default_factory=list)
    open_quote: bool = False
    open_quote_speaker: Speaker | None = None
    closing_speaker: Speaker | None = None

    @property
    def last_person(self) -> Mention | None:
        """The person a "he" or "she" stands for: the latest speaker or subject that is a person."""
        return self._latest(self.seen[-LOOKBACK:])

    def person_before(self) -> Mention | None:
        """The latest person named before the current sentence (whose own words describe them)."""
        return self._latest(self.seen[-LOOKBACK - 1 : -1])

    def role_holder(self, role: _Role) -> Mention | None:
        """The latest person before the current sentence whom the text gave the role ``role``
        ("the Bishop": someone written "Bishop of Lindford … Alan Marsh"); a qualified role is
        another one (the shadow chancellor is not "the chancellor")."""
        needed = frozenset(role.words)
        if not needed:
            return None
        for seen in reversed(self.seen[:-1]):
            for mention, held in reversed(seen.roles(role.head)):
                if needed <= held and not (held - needed) & _QUALIFIERS:
                    return mention
        return None

    def described(self, role: _Role) -> Mention | None:
        """The person a description stands for: the one the text gave that role, else (right
        after a quotation, or for an age) the person just named; None for someone unnamed."""
        holder = self.role_holder(role) if _person_noun(role.head) else None
        if holder is None and (role.after_quote or role.head == _AGE):
            holder = self.person_before()
            if holder is not None and self.seen:
                self.seen[-1].learned.append((holder, frozenset(role.words)))
        return holder

    @staticmethod
    def _latest(seen_list: list[_Seen]) -> Mention | None:
        for seen in reversed(seen_list):
            if seen.speaker is not None:
                return seen.speaker
            subject = seen.subject()
            if subject is not None:
                return subject
        return None


def _frame_of(text: str, spans: tuple[tuple[int, int], ...], start: int, end: int) -> str:
    """The sentence with quoted stretches blanked (offsets preserved), each marked by one ``\u00a7``."""
    chars = list(text[start:end])
    for a, b in spans:
        lo, hi = max(a, start), min(b, end)
        if hi > lo:
            for k in range(lo - start, hi - start):
                chars[k] = " "
            chars[lo - start] = _MARK
    return "".join(chars)


def _resolve(candidate: Mention | _Role | str | None, context: _Context) -> Mention | None:
    if isinstance(candidate, Mention):
        return candidate
    if candidate in ("he", "she"):
        return context.last_person
    if isinstance(candidate, _Role):
        return context.described(candidate)
    return None


# ---------------------------------------------------------------------------------------------
# Definite descriptions: "the Bishop said", "said the national team coach", '"…," the 34-year-old added'

# Nouns that describe a group or an organisation, never the one person just named.
_GROUP_NOUNS = frozenset(
    "company firm club team group government ministry department spokesman spokeswoman spokesperson source "
    "sources official officials statement report agency police board council committee union party".split()
)
# Things that speak in print, never the person just named: '"…," the paper says', "the advert said".
_THINGS = ORG_WORDS | frozenset(
    """
    paper newspaper station advert ad ruling website site organisation organization charity body
    watchdog study survey lawsuit suit document documents letter book programme show film album
    statement release filing complaint message note notice poll research bill law tribunal jury
    panel regulator broadcaster operator airline insurer brewer retailer carrier lender maker
    manufacturer giant chain label studio publisher network channel magazine website blog
    """.split()
)
# Role words that only qualify the noun after them ("prime minister", "foreign secretary").
_MODIFIERS = frozenset(
    """
    vice prime foreign defense defence special state house white former acting interim first supreme
    grand majority minority democratic republican presidential independent senior campaign press
    honorable hon deputy assistant shadow
    """.split()
)
# Words that make a role another one: the shadow chancellor is not the chancellor.
_QUALIFIERS = frozenset("shadow deputy vice former assistant ex junior acting interim".split())
# Nouns for a person by what they do or have won, besides the role words of names.py.
_EPITHETS = frozenset(
    """
    champion medallist medalist winner runner-up veteran international forward lock prop hooker
    flanker scrum-half fly-half full-back centre-back batsman bowler all-rounder jockey trainer rider
    driver golfer player swimmer runner sprinter athlete boxer cyclist skier seed holder boss head
    owner star rocker film-maker filmmaker composer dancer model
    """.split()
)
_ROLE_NOUNS = (TITLE_WORDS | ROLE_WORDS | _EPITHETS) - _MODIFIERS - HONORIFICS
_AGE = "year-old"  # "the 34-year-old": the word after the number
# Words that join a role to its place or organisation: "Bishop of Lindford", "head of the Harbour Trust".
_ROLE_LINKS = frozenset("of the for".split())
_ARTICLES = frozenset("the a an".split())


class _Role:
    """A definite description standing for a person: "the Bishop", "the prime minister"."""

    __slots__ = ("after_quote", "head", "words")

    def __init__(self, words: tuple[str, ...], head: str, after_quote: bool) -> None:
        self.words = words  # folded words of the description, "the" left out
        self.head = head  # its noun, as written (lower case)
        self.after_quote = after_quote  # right after a quotation: '"…," the British actor said'


def _blank(gap: str) -> bool:
    """Whether the characters between two words join them into one phrase (space, a hyphen)."""
    return not gap.strip(" -")


def _description_words(body: list[Word]) -> tuple[tuple[str, ...], str] | None:
    """(role words, head noun) of the words after "the" in a description ("Bishop of Lindford",
    "firm's chief executive"), or None; an owner before the role ("the firm's") is left out."""
    owned = [k for k, w in enumerate(body) if w.possessive]
    if owned:
        body = body[owned[-1] + 1 :]
    if not body or _lower(body[-1]) in _ROLE_LINKS:
        return None
    link = next((k for k, w in enumerate(body) if _lower(w) in ("of", "for")), None)
    if link == 0:
        return None
    head = _lower(body[link - 1] if link is not None else body[-1])
    if head in STOP_WORDS or head.isdigit():
        return None
    return tuple(w.folded for w in body if _lower(w) not in STOP_WORDS), head


def _description_before(words: list[Word], frame: str, last: int, reach: int = 6) -> tuple[int, _Role] | None:
    """A description "the …" ending at ``words[last]`` ("the Bishop of Lindford", "the prime
    minister", "the 34-year-old"): the index of its "the" and the description; None if there is
    none (a stop word, a verb of saying or punctuation in the way)."""
    k = last
    while k >= 0 and last - k <= reach:
        low = _lower(words[k])
        if low == "the" and k < last and not (k > 0 and _lower(words[k - 1]) == "of"):
            break
        if low in CUE_VERBS or (low in STOP_WORDS and low not in _ROLE_LINKS and low != "then") or not _blank(_gap(frame, words, k)):
            return None
        k -= 1
    else:
        return None
    if k < 0:
        return None
    described = _description_words(words[k + 1 : last + 1])
    if described is None:
        return None
    role, head = described
    opening = _gap(frame, words, k)
    after_quote = _MARK in opening and opening.rstrip().endswith((",", _MARK, '"', "\u201d", "'", "\u2019"))
    return k, _Role(role, head, after_quote)


def _description_after(words: list[Word], frame: str, first: int) -> _Role | None:
    """A description opening at ``words[first]`` ("the") after an inverted cue: '"…," said the
    lock forward', "said the prime minister in a speech"."""
    k = first + 1
    while k < len(words) and k - first <= 6 and _blank(_gap(frame, words, k)):
        low = _lower(words[k])
        if low in _ROLE_LINKS and k + 1 < len(words) and (words[k + 1].capital or _lower(words[k + 1]) == "the"):
            k += 1  # "the Bishop of Lindford", "the head of the Harbour Trust"
            continue
        if low in STOP_WORDS or low in CUE_VERBS or low in _TIME_WORDS:
            break
        k += 1
        if words[k - 1].possessive and k - first > 1:
            break
    if k < len(words) and _blank(_gap(frame, words, k)) and _lower(words[k]) not in _AFTER_INVERTED:
        return None  # "…, said the president also has spoken": "the president" starts a clause
    described = _description_words(words[first + 1 : k])
    if described is None:
        return None
    return _Role(described[0], described[1], False)


# Words that may follow an inverted cue's subject: "said the prime minister in a speech".
_AFTER_INVERTED = frozenset("in at on after during before from when while as to of with".split()) | _TIME_WORDS


def _person_noun(head: str) -> bool:
    """Whether a description's noun stands for one person who may have been named: a role
    ("the chancellor"), an age ("the 34-year-old"), a sportsman's position ("the lock forward")."""
    return head in _ROLE_NOUNS or head == _AGE


def _described_subject(words: list[Word], found: list[Mention], frame: str, last: int) -> _Role | Mention | None:
    """The subject ending at ``words[last]`` when it is no name: a description standing for
    someone named ("the Bishop", "the 34-year-old", '"…," the British actor said'), the name
    an unclosed appositive describes ("Michael Lamberty, a Lufthansa spokesman told"), or None
    for someone unnamed ("the pollster said", "officials said")."""
    found_description = _description_before(words, frame, last)
    if found_description is not None:
        start, role = found_description
        if start > 0 and _gap(frame, words, start).strip() == ",":
            named = _appositive_subject(words, found, start, frame)
            if isinstance(named, Mention):
                return named  # "John Ellis, the port's chief financial officer said"
        if role.after_quote and not _after_quote_epithet(role, start, last):
            role.after_quote = False
        if role.after_quote or _person_noun(role.head):
            return role
    return _unclosed_appositive(words, found, frame, last)


def _unclosed_appositive(words: list[Word], found: list[Mention], frame: str, noun: int) -> Mention | None:
    """"Michael Lamberty, a Lufthansa spokesman told", "Howard Archer, economist at Global
    Insight said": the name before an appositive ending in a role noun whose closing comma is
    missing."""
    if not (_lower(words[noun]) in _ROLE_NOUNS and not words[noun].capital):
        return None
    k = noun
    while k > 0 and noun - k < 4 and _blank(_gap(frame, words, k)) and _lower(words[k]) not in _ARTICLES:
        previous = words[k - 1]
        if not (previous.capital or _describes(_lower(previous)) or _lower(previous) in _ARTICLES or _lower(previous) in ROLE_WORDS):
            break
        k -= 1
    if k > 0 and "," in _gap(frame, words, k):
        named = _appositive_subject(words, found, k, frame)
        if isinstance(named, Mention):
            return named
    return None


def _after_quote_epithet(role: _Role, start: int, noun: int) -> bool:
    """'"…," the British actor said', '"…," the 34-year-old added': a definite description right
    after a quotation, standing for the person the text has just named (as a pronoun would).
    Only in that shape — after a quotation's end, "the", up to two describing words, a singular
    noun — since "the spokesman said" elsewhere is usually someone else, unnamed."""
    if noun - start > 3:
        return False
    low = role.head
    return not (low in _GROUP_NOUNS or low in _THINGS or low in STOP_WORDS or (low.endswith("s") and not low.endswith(("ss", "ist"))))


def _inverted_epithet(role: _Role, words: list[Word], first: int) -> bool:
    """'"…," said the lock forward', '"…," said the Swede': an inverted cue's description
    standing for the person just named (a role, an age or one capitalised word), not "said the
    report"."""
    if role.head in _GROUP_NOUNS or role.head in _THINGS:
        return False
    if _person_noun(role.head):
        return True
    body = words[first + 1 : first + 1 + len(role.words)]
    return len(role.words) == 1 and body[0].capital and fold_name(body[0].text) not in ORG_WORDS and not body[0].text.isupper()


def _full_person(words: list[Word], mention: Mention) -> bool:
    """Whether a mention names a person in full or with a capitalised title ("Mark Smith", "Mr
    Hirsch", "Archbishop Tutu"): not a lone capitalised word ("Britain", "Confederation")."""
    if len(mention.name) >= 2:
        return True
    before = mention.last_word - len(mention.name)
    if before < mention.first_word or before < 0:
        return False
    word = words[before]
    return word.capital and fold_name(word.text) in TITLE_WORDS


def _owned(words: list[Word], frame: str, mention: Mention) -> bool:
    """Whether a name follows "of", "for", "from" or "at" ("Bishop of Lindford", "head of the
    Harbour Trust"): a place or an organisation that a role belongs to, not a person."""
    k = mention.first_word
    if k > 0 and _lower(words[k - 1]) == "the":
        k -= 1
    return k > 0 and _lower(words[k - 1]) in _OWNING and _blank(_gap(frame, words, k))


def _held_roles(words: list[Word], frame: str, mention: Mention) -> frozenset[str]:
    """The role words the text gives a person at one mention: the title in the name ("Tory
    leader Michael Howard"), the capitalised role written before it ("Chancellor of the
    Exchequer Gordon Brown"), and an appositive after or before it ("David Cameron, MP for
    Witney,", "The Bishop of Lindford, the Rt Rev Dr Alan Marsh")."""
    held = {w for w in mention.title if w not in HONORIFICS}
    k = mention.first_word - 1
    while k >= 0 and mention.first_word - k <= 6 and _blank(_gap(frame, words, k + 1)):
        low = _lower(words[k])
        if (words[k].capital and low not in _OPENERS) or low in TITLE_WORDS or low in ROLE_WORDS or low in _MODIFIERS or low in _QUALIFIERS:
            held.add(words[k].folded)
        elif low not in _ROLE_LINKS and low != "and":
            break
        k -= 1
    # After the name: ", the prime minister,", ", head of the Harbour Trust,", ", MP for Witney,"
    k = mention.last_word + 1
    if k < len(words) and _gap(frame, words, k).strip() == ",":
        if words[k].text[:1].isdigit() and k + 1 < len(words) and _gap(frame, words, k + 1).strip() == ",":
            k += 1  # an age: "Jim Bennett, 57, the club's chairman,"
        held.update(_appositive_roles(words, frame, k, len(words)))
    # Before the name: "The Bishop of Lindford, the Rt Rev Dr Alan Marsh", "the chancellor, Gordon Brown"
    k = mention.first_word
    if k > 0 and _lower(words[k - 1]) == "the" and _blank(_gap(frame, words, k)):
        k -= 1
    if k > 0 and _gap(frame, words, k).strip() == ",":
        j = k - 1
        while j > 0 and k - j < 7 and _blank(_gap(frame, words, j)):
            j -= 1
        if j == 0 or _gap(frame, words, j).strip():
            low = _lower(words[j])
            if low in ("the", "a", "an") or (words[j].capital and low not in _OPENERS):
                held.update(_appositive_roles(words, frame, j, k))
    return frozenset(held)


def _full_name_at(words: list[Word], frame: str, k: int) -> bool:
    """Whether two capitalised words that are no role words start at ``words[k]`` ("Gordon Brown")."""
    if k + 1 >= len(words) or not _blank(_gap(frame, words, k + 1)):
        return False
    a, b = words[k], words[k + 1]
    return a.capital and b.capital and not {fold_name(a.text), fold_name(b.text)} & (TITLE_WORDS | ORG_WORDS)


def _appositive_roles(words: list[Word], frame: str, first: int, stop: int) -> list[str]:
    """The role words of an appositive from ``words[first]`` to its end (punctuation, a verb of
    saying, a relative pronoun or ``stop``): none unless it opens with an article, a capital or
    a role word, holds a role word and names no other person in full."""
    k = first
    while k < stop and k - first < 8:
        if k > first and not _blank(_gap(frame, words, k)):
            break
        low = _lower(words[k])
        if low in CUE_VERBS or low in ("who", "which", "whose", "that", "is", "was", "has", "had", "and"):
            if low != "and":
                return []  # "Firstly, the prime minister insisted": a clause, no appositive
            break
        k += 1
    phrase = words[first:k]
    if not phrase:
        return []
    opening = _lower(phrase[0])
    if not (opening in ("the", "a", "an", "his", "her") or phrase[0].capital or opening in _ROLE_NOUNS):
        return []
    lows = [_lower(w) for w in phrase]
    if not any(low in _ROLE_NOUNS for low in lows):
        return []
    for k in range(first, first + len(phrase)):
        # "Tony Blair, Chancellor Gordon Brown and …": a list of people, not a role ("head of
        # Acme Holdings" names an organisation).
        if _full_name_at(words, frame, k) and (k == first or _lower(words[k - 1]) not in _ROLE_LINKS | {"at"}):
            return []
    return [w.folded for w, low in zip(phrase, lows) if low not in STOP_WORDS and not low[:1].isdigit()]


# Priority of the ways a speaker is found, best first.
_NAMED = frozenset(("cue", "inverted", "according"))
_RANK = {"cue": 0, "inverted": 0, "according": 0, "pronoun": 1, "described": 1, "participle": 2, "asked": 2, "possessive": 3, "quote": 1}


_PARENTHETICAL = re.compile(r"\([^()\u00a7]{1,30}\)")
# "Jason Chaffetz, R-Utah, said": a party and state tag between commas.
_PARTY_TAG = re.compile(r",\s*[RDI]-[A-Z][A-Za-z.]{1,14},(?=\s*(\w*))")


def _blank_tag(match: re.Match[str]) -> str:
    """The tag blanked; its first comma kept when another description follows
    ("Lindsey Graham, R-S.C., a long-shot candidate, said"), so the name still opens an appositive."""
    following = match.group(1)
    keep = following[:1].islower() and following.casefold() not in CUE_VERBS
    return ("," if keep else " ") + " " * (len(match.group(0)) - 1)


# Cue verbs that keep their meaning when capitalised mid-sentence ("..., Tweeted on Friday").
_CAPITALISED_CUES = frozenset("said says told tweeted wrote added stated noted posted".split())


def _how(candidate: Mention | _Role | str | None, named: str) -> str:
    """How a speaker was found: ``named`` for a mention, "described" or "pronoun" otherwise."""
    return named if isinstance(candidate, Mention) else "described" if isinstance(candidate, _Role) else "pronoun"


def _find_speaker(frame: str, context: _Context) -> tuple[list[Speaker], bool, Mention | None]:
    """The possible speakers of one sentence, best first; whether it has a cue; its main subject.

    The sentence joins ``context.seen`` (before its pronouns are resolved: a pronoun later in a
    sentence refers back to that sentence's own subject first).
    """
    # A party tag or an aside in brackets ("Sen. Bernie Sanders (I-Vt.) said") is never the subject.
    frame = _PARENTHETICAL.sub(lambda m: " " * len(m.group(0)), frame)
    frame = _PARTY_TAG.sub(_blank_tag, frame)
    words = split_words(frame)
    found = mentions(frame, words)
    opener = _main_subject(words, found, frame)
    subject = opener if isinstance(opener, Mention) else None
    context.seen.append(_Seen(frame, subject if subject is not None and subject.person_like else None, (words, found)))
    candidates: list[Speaker] = []
    unnamed_cue = False
    cue = False
    for index, word in enumerate(words):
        low = _lower(word)
        if low == "according" and index + 1 < len(words) and _lower(words[index + 1]) == "to":
            cue = True
            target = _according_to(words, found, index + 2, frame)
            if target is not None and target.name:
                candidates.append(Speaker(target, "according"))
            elif index + 2 < len(words) and _lower(words[index + 2]) in _POSSESSIVE_PRONOUNS and context.last_person:
                candidates.append(Speaker(context.last_person, "pronoun"))
            continue
        if low in SPEECH_NOUNS and not word.capital:
            owner = _speech_owner(words, found, index, frame, context) if index <= 6 else None
            if owner is not None:
                cue = True
                candidates.append(Speaker(owner, "possessive"))
                continue
            if _sent(words, index):
                # "he took to social media to send a direct message to Putin: ..."
                cue = True
                resolved = _resolve(opener, context)
                if resolved is not None:
                    candidates.append(Speaker(resolved, "participle" if isinstance(opener, Mention) else "pronoun"))
                continue
            if low not in CUE_VERBS:
                continue
            # With no owner, a word like "claims" may be the verb: "Podliska also claims he was ...".
        if low == "by" and index > 0 and _lower(words[index - 1]) in ("asked", "questioned", "pressed"):
            target = _mention_at(found, index + 1)
            if target is not None and target.person_like:
                cue = True
                candidates.append(Speaker(target, "asked"))
            continue
        if low not in CUE_VERBS or (word.capital and index > 0 and low not in _CAPITALISED_CUES):
            continue
        if low in _WEAK_CUES and not _introduces_speech(words, frame, index):
            continue  # "Arsenal continued to press", "Kenny was called into action"
        if index and (words[index - 1].possessive or _lower(words[index - 1]) in _DETERMINERS) and not _gap(frame, words, index).strip():
            continue  # "Russia's demands", "the claims": a noun, not a verb (but "that ''…'' said", "with that, said")
        cue = True
        before = _gap(frame, words, index) if index else frame[: word.start]
        left = _subject_left(words, found, index, frame) if index and _MARK not in before else None
        if left == _COORDINATED:
            left = None
            if opener is not None:
                resolved = _resolve(opener, context)
                if resolved is not None:
                    candidates.append(Speaker(resolved, "cue" if isinstance(opener, Mention) else "pronoun"))
                continue
        so = index > 0 and _lower(words[index - 1]) == "so"  # "Or so says Home Secretary Charles Clarke."
        if low in _INVERTING and (index == 0 or so or _MARK in before or ("," in before and not isinstance(left, Mention))):
            right = _subject_right(words, found, index, frame)
            resolved = _resolve(right, context)
            if resolved is not None:
                candidates.append(Speaker(resolved, _how(right, "inverted")))
                continue
        if left is None and index and low.endswith("ing") and "," in before:
            resolved = _resolve(opener, context)
            if resolved is not None:
                candidates.append(Speaker(resolved, "participle" if isinstance(opener, Mention) else "pronoun"))
            continue
        resolved = _resolve(left, context)
        if resolved is not None:
            candidates.append(Speaker(resolved, _how(left, "cue")))
        elif (left is None or isinstance(left, _Role)) and index and _unnamed_subject(words, index) and not (
            _lower(words[index - 1]) in SPEECH_NOUNS and any(c.how == "possessive" for c in candidates)
        ) and not _subordinate(words, frame, index):
            unnamed_cue = True  # ("Mr Crosby's statement said:" is Mr Crosby's)
    candidates.sort(key=lambda c: _RANK[c.how])
    if candidates and unnamed_cue and _RANK[candidates[0].how] >= 2:
        # "Sources told the NYT that Putin's stance ...": the words are someone unnamed's.
        return [], cue, subject
    return candidates, cue, subject


# Cue verbs with other meanings ("continued to press", "will continue in his role", "was called
# into action"): verbs of saying only when speech follows them, or not in the passive.
_WEAK_CUES = frozenset("continue continued continues called".split())
_SPEECH_STARTS = frozenset("that he she they it we i you this these those".split())
_PASSIVE = frozenset("was were been be is are being".split())


def _introduces_speech(words: list[Word], frame: str, verb: int) -> bool:
    """Whether a weak cue verb is one of saying: "continue" followed by speech (a quotation,
    a colon or comma, "that", a pronoun); "called" not in the passive."""
    if _lower(words[verb]) == "called":
        previous = _lower(words[verb - 1]) if verb else ""
        if verb and not words[verb - 1].capital and _describes(previous) and previous not in _ROLE_NOUNS and previous not in _BETWEEN and verb + 1 < len(words):
            if words[verb + 1].capital or _MARK in _gap(frame, words, verb + 1):
                return False  # "a class called “Perception”", "a group called Vote No": a name
        return not (verb and _lower(words[verb - 1]) in _PASSIVE)
    if verb + 1 >= len(words):
        return True  # "..., he continued."
    gap = _gap(frame, words, verb + 1)
    return any(ch in gap for ch in ":,\u00a7") or _lower(words[verb + 1]) in _SPEECH_STARTS


_SUBORDINATING = frozenset("while as when although though because whereas if since after before".split())


def _subordinate(words: list[Word], frame: str, verb: int) -> bool:
    """Whether the cue at ``verb`` is in a clause opened by "while", "as", "although" …
    ("In a debate, while most of his rivals called for more troops, Trump …, noting"): someone
    unnamed speaking there does not make the main clause's words theirs."""
    for k in range(verb - 1, max(-1, verb - 12), -1):
        if k == 0 or not _blank(_gap(frame, words, k)):
            return _lower(words[k]) in _SUBORDINATING
    return False


def _unnamed_subject(words: list[Word], verb: int) -> bool:
    """``officials said``, ``one source told``: a cue whose subject is a common noun."""
    previous = words[verb - 1]
    low = _lower(previous)
    # "repeated calls", "growing claims": an adjective before a noun, not a subject before a verb.
    adjective = low.endswith(("ed", "ing"))
    return not previous.capital and not adjective and low not in STOP_WORDS and low not in _OPENERS and low not in _BETWEEN


_SENDING = frozenset(
    "send sent sends sending issue issued issues issuing post posted posts posting deliver delivered delivers "
    "release released releases give gave gives giving fire fired".split()
)


def _sent(words: list[Word], noun: int) -> bool:
    """Whether the speech noun at ``noun`` is the object of a verb of sending ("sent a stern message")."""
    return any(_lower(words[k]) in _SENDING for k in range(max(0, noun - 4), noun))


def _speech_owner(words: list[Word], found: list[Mention], noun: int, frame: str, context: _Context) -> Mention | None:
    """``Vance's recent comments`` / ``His assertion``: the possessor of a speech noun opening a clause."""
    for k in range(noun - 1, max(-1, noun - 4), -1):
        word = words[k]
        if word.possessive:
            mention = _mention_at(found, k)
            if mention is not None and mention.name and (_clause_initial(words, frame, mention) or _framed(words, frame, mention)):
                return mention
            return None
        if _lower(word) in ("his", "her") and (k == 0 or _lower(words[k - 1]) in _CLAUSE_LINKS | {"but", "yet"}):
            return context.last_person
        if word.capital:
            return None
    return None


# Prepositions that open a sentence on someone's words: "Despite Mr. Trump's claims that …".
_FRAMING = frozenset("despite after amid following given in".split())


def _framed(words: list[Word], frame: str, mention: Mention) -> bool:
    """Whether a possessive name follows a sentence-opening preposition ("Despite Mr. Trump's claims")."""
    k = mention.first_word
    return k == 1 and _lower(words[0]) in _FRAMING and _blank(_gap(frame, words, 1))


_CUE_WORDS = frozenset(CUE_VERBS | SPEECH_NOUNS | {"according"})
_LETTERS = re.compile(r"[a-z]+")


def _has_cue(frame: str) -> bool:
    """Whether a sentence has any verb of saying or speech noun (the cheap test before reading it closely)."""
    return not _CUE_WORDS.isdisjoint(_LETTERS.findall(frame.lower()))


def analyse(window: Sequence[Passage], context: _Context | None = None) -> list[list[SentenceInfo]]:
    """Sentence-level attribution over consecutive passages of one article."""
    context = context or _Context()
    result: list[list[SentenceInfo]] = []
    previous: Passage | None = None
    for passage in window:
        if previous is not None and passage.ordinal != previous.ordinal + 1:
            context = _Context()
        previous = passage
        text = passage.text
        scan = scan_quotes(text)
        # A paragraph that opens with a quotation carries on the last speaker's words: either
        # their quote ran on unclosed, or (the usual style) a quote paragraph follows the
        # paragraph that named them.
        carried = context.open_quote_speaker or context.closing_speaker
        opens_quoted = text[:1] in "\u201c\"'`\u2018"
        infos: list[SentenceInfo] = []
        for start, end in sentence_spans(text):
            length = max(1, end - start)
            quoted = quoted_chars(scan.spans, start, end) / length
            starts_inside = any(a < start < b for a, b in scan.spans)
            ends_inside = any(a < end < b for a, b in scan.spans) or any(a < end and b == len(text) == end and scan.opens_unclosed for a, b in scan.spans)
            frame = _frame_of(text, scan.spans, start, end)
            if not _has_cue(frame):
                # No verb of saying or speech noun: no speaker of its own; pronouns may look back at it.
                context.seen.append(_Seen(frame))
                infos.append(SentenceInfo(passage, start, end, quoted, starts_inside, ends_inside, [], False, None))
                continue
            speakers, cue, subject = _find_speaker(frame, context)
            info = SentenceInfo(passage, start, end, quoted, starts_inside, ends_inside, speakers, cue, subject)
            infos.append(info)
            if info.speaker is not None and info.speaker.mention.person_like:
                context.seen[-1].speaker = info.speaker.mention
        if opens_quoted and carried is not None:
            _carry(infos, carried)
        context.open_quote = scan.opens_unclosed
        last_speaker = next((i.speaker for i in reversed(infos) if i.speaker), None)
        context.open_quote_speaker = last_speaker if scan.opens_unclosed else None
        context.closing_speaker = _closing_speaker(infos)
        result.append(infos)
    return result


def _carry(infos: list[SentenceInfo], carried: Speaker) -> None:
    """Give the quoted sentences that open a paragraph, before any cue, to the speaker carried
    from the paragraph before — unless their quotation runs on into a cue sentence of its own
    ('"We won. We were lucky," said Ng.'), which names its speaker."""
    run = 0
    while run < len(infos) and not (infos[run].speakers or infos[run].cue) and infos[run].quoted >= 0.6:
        run += 1
    if not run:
        return
    if run < len(infos) and infos[run].speakers:
        cue = infos[run]
        if infos[run - 1].ends_inside_quote or cue.starts_inside_quote:
            return  # '"We won. We were lucky," said Ng.'
        if cue.quoted < 0.1 and (cue.text.count(" ") < 8 or infos[run - 1].text.rstrip().endswith(_ASKED)):
            # '"We were lucky!" Ng said.', '"Why would you?" Ng said of the plan.': the
            # attribution of the quotation before it, cut off by its question or exclamation mark.
            return
    for info in infos[:run]:
        info.speakers = [Speaker(carried.mention, "quote")]


_ASKED = tuple(f"{mark}{close}" for mark in "?!" for close in "\"\u201d'\u2019")


def _closing_speaker(infos: list[SentenceInfo]) -> Speaker | None:
    """The speaker whose words end a paragraph, who carries into a quote paragraph after it: the
    last sentence's speaker, or the speaker of the quotation the last sentences continue."""
    for info in reversed(infos):
        if info.speaker is not None:
            return info.speaker
        if info.cue or not (info.quoted >= 0.5 or info.starts_inside_quote):
            return None
    return None


def statements(infos: list[SentenceInfo], prefer: Callable[[Mention], bool] | None = None) -> list[Statement]:
    """Group one passage's sentences into statements.

    Where a sentence has several possible speakers ("Clinton accuses Sanders of ... while
    Sanders suggests ..."), the one ``prefer`` accepts is taken.
    """
    chosen: list[Speaker | None] = []
    for info in infos:
        pick = info.speaker
        if prefer is not None and pick is not None:
            rank = _RANK[pick.how]
            pick = next((c for c in info.speakers if prefer(c.mention) and _RANK[c.how] == rank), pick)
        chosen.append(pick)
    found: list[Statement] = []
    used: set[int] = set()
    for index, info in enumerate(infos):
        speaker = chosen[index]
        if speaker is None or index in used:
            continue
        first = index
        # Pull in the start of a quotation that this cue sentence closes, or a quotation that
        # stands alone just before it ("...Loudoun.'" Will Estrada said of the encounter).
        while first > 0 and chosen[first - 1] is None and first - 1 not in used and (
            infos[first].starts_inside_quote or (first == index and infos[first - 1].quoted >= 0.8)
        ):
            first -= 1
        last = index
        while last + 1 < len(infos):
            nxt = infos[last + 1]
            other = chosen[last + 1]
            if other is not None:
                if other.mention is speaker.mention or _same(other.mention, speaker.mention):
                    last += 1
                    continue
                break
            if _closed_by_another(infos, chosen, last + 1, speaker):
                break
            if nxt.cue and not nxt.starts_inside_quote and not infos[last].ends_inside_quote:
                break  # 'A spokeswoman for the department said: "…"': someone unnamed speaks
            if nxt.quoted >= 0.5 or nxt.starts_inside_quote or infos[last].ends_inside_quote:
                last += 1
                continue
            break
        members = tuple(infos[first : last + 1])
        used.update(range(first, last + 1))
        found.append(
            Statement(
                passage=info.passage,
                start=members[0].start,
                end=members[-1].end,
                speaker=speaker,
                sentences=members,
                direct=any(m.quoted > 0.15 for m in members),
            )
        )
    return found


def _closed_by_another(infos: list[SentenceInfo], chosen: list[Speaker | None], index: int, speaker: Speaker) -> bool:
    """Whether the quotation that sentence ``index`` opens is closed by another person's cue
    sentence ('"We have a long journey ahead. We continue to make progress," said Mr Spindler.'
    after a sentence of someone else): then it is that person's, not a continuation."""
    while index < len(infos) and chosen[index] is None and infos[index].ends_inside_quote:
        index += 1
    if index >= len(infos) or index == 0 or not infos[index].starts_inside_quote:
        return False
    other = chosen[index]
    return other is not None and other.mention is not speaker.mention and not _same(other.mention, speaker.mention)


def _same(a: Mention, b: Mention) -> bool:
    return bool(a.name and b.name) and (name_matches(a.name, b) > 0 or name_matches(b.name, a) > 0)



_NAME_RUN = r"[A-Z][\w'\u2019.\-]+(?:\s+(?:[A-Z][\w'\u2019.\-]+|de|van|von|al|bin|da)){0,3}"
_NAME_THEN_CUE = re.compile(rf"({_NAME_RUN})(?:,\s[^,\u201c\"]{{2,80}},)?\s+(?:said|says|told|added|wrote|stated|noted|insisted|argued|warned|explained)\b")
_CUE_THEN_NAME = re.compile(rf"\b(?:said|says|added|wrote|asked)\s+({_NAME_RUN})")
_SAYING = re.compile(r" (?:said|says|told|added|wrote)\b")


def _person(run: str) -> tuple[str, str] | None:
    """(display name, folded surname) of a capitalised run, titles and sentence openers stripped; None if no person."""
    parts = run.split()
    while parts and (parts[0].lower().strip(".") in _OPENERS or parts[0].lower() in STOP_WORDS or fold_name(parts[0]) in TITLE_WORDS):
        parts = parts[1:]
    if not parts:
        return None
    last = fold_name(parts[-1].rstrip(".'\u2019s"))
    if not last or last in ORG_WORDS or (len(parts) == 1 and parts[0].isupper()):
        return None
    return " ".join(parts), last


def quoted_names(paragraphs: Iterable[str]) -> dict[str, int]:
    """People an article quotes, with how many times: a cheap tally for summaries, read from the
    plain "Name said" / "said Name" shapes (the full attribution runs only on the passages a
    question or summary actually reads)."""
    counts: Counter[str] = Counter()
    display: dict[str, str] = {}
    for text in paragraphs:
        if not _SAYING.search(text):
            continue
        for pattern in (_NAME_THEN_CUE, _CUE_THEN_NAME):
            for match in pattern.finditer(text):
                person = _person(match.group(1))
                if person is None:
                    continue
                name, surname = person
                counts[surname] += 1
                if len(name) > len(display.get(surname, "")):
                    display[surname] = name
    return {display[surname]: count for surname, count in counts.most_common()}
