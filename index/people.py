"""People asked about: who a question means, how the coverage writes them, and what it quotes them saying.

One implementation serves every feature that needs "what did X say": answering (``/ask``),
``/summary person`` and ``/check``. A person is asked by name ("Rutte", "Mark Rutte"), by role
("the NATO secretary general", "the Harbour Trust boss") or by organisation ("Nordbank Capital"). Names are
matched as the coverage writes them: spelling variants of transliterated names count
(Zelensky / Zelenskyy), names one letter apart do not (Rubin / Rubino), and a surname alone
("Brady said") is this person only when its article does not name someone else of that surname
in full. A role is resolved inside each article, to the person the article describes with those
words ("Paul Myers, chief executive of Wippit" for "the Wippit boss").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .attribution import SentenceInfo, Statement, statements
from .engine import Hit, Search, SearchEngine
from .names import TITLE_WORDS, fold_name, mentions, name_matches, similar, split_words
from .passages import Passage
from .question import Question
from .reader import Reader
from .text import STOP_WORDS, sentence_spans, tokens

#: Passages looked at, round by round, for a name as it is written.
NAME_ROUNDS = (5, 30, 150)
#: How much a statement by the surname alone counts against one by the full name.
SURNAME_ONLY = 0.5
#: Share of a role's (idf-weighted) words an article must put around a name for it to be the role's holder.
ROLE_SHARE = 0.5
#: Words around a mention read for the role it is given ("Paul Myers, chief executive of Wippit").
ROLE_REACH = 7
#: Role nouns that stand for one another in questions ("the Wippit boss" is its chief executive).
_ROLE_KIN = {
    "boss": ("chief", "executive", "head", "manager", "director", "chairman", "president", "leader", "coach", "owner"),
    "head": ("chief", "executive", "boss", "director", "chairman", "president", "leader"),
    "chief": ("head", "boss", "executive", "director"),
    "manager": ("boss", "coach"),
    "coach": ("manager", "boss"),
    "spokesman": ("spokeswoman", "spokesperson", "spokesman"),
    "spokeswoman": ("spokesman", "spokesperson"),
    "leader": ("head", "chief", "boss"),
}
#: Apostrophes and hyphens, which names are written with or without (O'Donnell, O’Donnell, Ocasio-Cortez).
_NAME_MARKS = str.maketrans("", "", "'\u2019\u2018`-\u2010\u2011")


@dataclass(frozen=True, slots=True)
class Person:
    """Someone a question or command asks about, as the coverage writes them."""

    asked: tuple[str, ...]  # folded name words ("mark", "rutte"); empty when only a role was given
    surface: tuple[str, ...]  # the name words as typed
    role: tuple[str, ...]  # folded role or organisation words ("trust", "boss")
    terms: tuple[str, ...]  # index terms of the surname in the coverage (spelling variants, initials)
    first_terms: tuple[str, ...]  # index terms of the other name words
    written: tuple[str, ...]  # forms a passage must write to be about them (stems conflate Williams and William)
    display: str  # how to name them in a reply
    aliases: tuple[str, ...] = ()  # initials the coverage uses for them ("HRC")

    @property
    def full_name(self) -> str | None:
        return " ".join(self.surface or self.asked).casefold() if len(self.asked) > 1 else None


@dataclass(frozen=True, slots=True)
class Unknown:
    """The question names someone (or something) the coverage never mentions."""

    who: str
    suggestions: tuple[str, ...] = ()

    @property
    def message(self) -> str:
        """Why nothing is found; the "did you mean" names are the reply's to add (once), from :attr:`suggestions`."""
        return f"The coverage doesn't mention {self.who}."


@dataclass(frozen=True, slots=True)
class Said:
    """A statement the coverage attributes to the person asked about."""

    statement: Statement
    match: float  # 1.0 their full name (or the holder of the role asked), SURNAME_ONLY the surname alone
    speaker: str  # the name as the coverage writes it

    @property
    def text(self) -> str:
        return self.statement.text


def plain(text: str) -> str:
    """``text`` for spotting a name in it: accents, apostrophes and hyphens removed, case folded."""
    if text.isascii():
        return text.casefold().translate(_NAME_MARKS)  # nothing to decompose: the common case, fast
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold().translate(_NAME_MARKS)


def written_form(word: str) -> str:
    """The form a name word is spotted by: plain, without the transliterated ending that varies
    (Zelenskyy / Zelensky / Zelenskiy all write "zelensk")."""
    bare = plain(word).strip(".")
    return re.sub(r"[iy]+$", "", bare) if len(bare) > 4 else bare


def writes(text: str, written: Sequence[str]) -> bool:
    """Whether ``text`` writes one of the ``written`` forms."""
    folded = text.casefold()  # enough for most text, and much cheaper than plain()
    return any(form in folded for form in written) or any(form in plain(text) for form in written)


def _spotting(text: str) -> str:
    """``text`` for finding a written word in it: accents and apostrophes removed, case folded
    (hyphens kept, so "Miami-Dade" still writes "Dade")."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold().translate(_APOSTROPHES)


_APOSTROPHES = str.maketrans("", "", "'\u2019\u2018`")


def _opens_sentence(text: str, start: int) -> bool:
    """Whether the word at ``start`` opens a sentence (first in the text, or after ., !, ?, : or a quotation mark)."""
    before = text[:start].rstrip(" \"'\u201c\u2018(")
    return not before or before[-1] in ".!?:"


def _lowercase_words(text: str) -> set[str]:
    return set(re.findall(r"\b[a-z][a-z'-]+\b", text))


def edit_distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


class People:
    """People in one snapshot's coverage."""

    def __init__(self, reader: Reader) -> None:
        self.reader = reader
        self.engine: SearchEngine = reader.engine
        self._in_coverage: dict[tuple[str, tuple[str, ...]], bool] = {}

    # -- names -----------------------------------------------------------------------------

    def name_terms(self, word: str) -> list[str]:
        """Index terms in the coverage for a name word, spelling variants included."""
        found: list[str] = []
        for stem in tokens(word):
            if len(stem) >= 5:
                # Transliterations differ at the end (Zelensky / Zelenskyy), so a long prefix finds
                # them; they differ by a letter or two, so longer words with that prefix are skipped
                # before the slower spelling comparison (a common prefix has thousands of terms).
                for term, _count in self.engine.terms_with_prefix(stem[: max(4, len(stem) - 3)]):
                    if abs(len(term) - len(stem)) > 3:
                        continue
                    if similar(stem, term) and term not in found and self.reader.known(term):
                        found.append(term)
            elif self.reader.known(stem) and stem not in found:
                found.append(stem)
        return found

    def suggest(self, word: str) -> list[str]:
        """Names in the coverage that look like a misspelling of ``word`` (capitalised there, so
        never an ordinary word that happens to be close)."""
        stems = tokens(word)
        target = fold_name(word)
        if not stems or len(target) < 4:
            return []
        allowed = 1 if len(target) <= 5 else 2
        scores: dict[str, int] = {}
        for hit in self.engine.fuzzy_search(stems[0], allowed, 20):
            text = hit.passage.text
            ordinary = _lowercase_words(text)
            for w in split_words(text):
                if not w.capital or len(w.folded) < 4 or w.text.isupper() or _opens_sentence(text, w.start):
                    continue  # "Market" opening a sentence is an ordinary word, not a name
                if w.text.casefold() in ordinary:
                    continue  # written in lower case too: an ordinary word
                distance = edit_distance(target, w.folded)
                if distance <= allowed and w.folded != target:
                    scores[w.text] = min(distance, scores.get(w.text, 9))
        return sorted(scores, key=lambda s: (scores[s], s))[:3]

    def in_coverage(self, word: str, near: Sequence[str] = ()) -> bool:
        """Whether the coverage writes ``word`` (a name as typed), or a spelling variant of it as a
        name. A variant must be capitalised where it is written: the stemmer and the
        transliteration rule both take "Messi" for "messy", which is no one. ``near`` are index
        terms of words written with it (a first name), which find the right passages first."""
        key = (word, tuple(near))
        known = self._in_coverage.get(key)
        if known is None:
            known = self._in_coverage[key] = self._writes_name(word, near)
        return known

    def _writes_name(self, word: str, near: Sequence[str]) -> bool:
        word = re.sub(r"['\u2019]s?$", "", word)  # "Okafor's", "Jones'"
        parts = [p for p in re.split(r"[-\u2010\u2011/]", word) if tokens(p)]
        if len(parts) > 1:
            return all(self.in_coverage(p, near) for p in parts)  # "October-December", "al-Hamad"
        if not parts:
            return True  # nothing that could name anyone ("I-am-right" is all common words)
        word = parts[0]
        variants = self.name_terms(word)
        if not variants and len(word) > 3 and word[-1] in "sS":
            return self.in_coverage(word[:-1], near)  # "PS2s", "Asbos": a name in the plural
        if not variants:
            return False
        target = _spotting(word)
        # The name itself, in the plural or the singular, or with a possessive ("Springboks", "Nike's", "Lords").
        stem = target[:-1] if len(target) > 3 and target.endswith("s") else target
        exact = re.compile(rf"(?<![^\W_])(?:{re.escape(target)}|{re.escape(stem)})(?:s|es)?(?![^\W_])")
        terms = tuple((t, 1.0) for t in variants) + tuple((t, 3.0) for t in near if t not in variants)
        search = Search(terms, required=(tuple(variants),))
        # A few passages settle most names; only a name still unseen is looked for further (the
        # stem's other words — "Hugh" for Hughes, copies of one story — can fill the first ones).
        hits: list[Hit] = []
        for limit in NAME_ROUNDS:
            hits = self.engine.search(search, limit)
            if any(exact.search(_spotting(hit.passage.text)) for hit in hits):
                return True
            if len(hits) < limit:
                break
        folded = fold_name(word)
        return any(w.capital and similar(w.folded, folded) for hit in hits for w in split_words(hit.passage.text))

    # -- who is asked ----------------------------------------------------------------------

    def person(self, question: Question) -> Person | Unknown | None:
        """The person a speaker question asks about, as the coverage writes them; :class:`Unknown`
        when the coverage never names them; None when the question asks about no one."""
        if not question.speaker:
            return None
        asked, surface = question.name, question.name_surface
        role = tuple(w for w in question.title if w not in STOP_WORDS)
        who = question.speaker
        if not asked:
            if not role or not tokens(who):
                return None
            # A role is resolved in each article read ("the Harbour Trust boss"); one the coverage never puts
            # a name to is answered like any question, never refused for a word it lacks.
            return Person((), (), tuple(who.split()), (), (), (), f"the {who}")
        surname = surface[-1] if surface else asked[-1]
        surname_terms = self.name_terms(surname)
        aliases: list[str] = []
        if len(asked) >= 2:
            initials = "".join(w[0] for w in asked)
            if len(initials) >= 3 and self.reader.df(initials):
                aliases.append(initials)
        near = tuple(t for w in (surface or asked)[:-1] for t in tokens(w))
        if surname_terms and not aliases and not self.in_coverage(surname, near):
            surname_terms = []  # only a look-alike word shares its stem ("messy" for Messi)
        if not surname_terms and not aliases:
            if len(asked) == 1 and asked[0] in _ROLE_KIN:
                return Person((), (), (*role, *asked), (), (), (), f"the {who}")
            return Unknown(who, tuple(self.suggest(asked[-1])))
        first_terms = tuple(t for w in (surface or asked)[:-1] for t in tokens(w) if self.reader.df(t))
        written = (written_form(surname), *aliases)
        display = who if who[:1].isupper() else " ".join(surface or asked).title()
        return Person(asked, tuple(surface), role, tuple(surname_terms + aliases), first_terms, written, display, tuple(aliases))

    def named(self, name: str) -> Person | Unknown | None:
        """The person a name (or role) typed on its own means — for ``/summary person`` and ``/check``."""
        from .question import parse_question

        cleaned = " ".join(name.split()).strip(" ?")
        if not cleaned:
            return None
        return self.person(parse_question(f"What did {cleaned} say?"))

    # -- what they said ---------------------------------------------------------------------

    def statements(self, passages: Sequence[Passage], person: Person) -> list[Said]:
        """The statements ``person`` makes in one article's ``passages`` (consecutive, in order)."""
        return [said for said in self.read(passages, person) if said.match > 0]

    def read(
        self, passages: Sequence[Passage], person: Person | None, analysed: list[list[SentenceInfo]] | None = None
    ) -> list[Said]:
        """Every statement in one article's ``passages``, each with how surely it is ``person``'s
        (0 when it is someone else's, or when no one is asked about)."""
        analysed = self.reader.analysed(passages) if analysed is None else analysed
        asked: tuple[str, ...] = ()
        if person is not None:
            asked = person.asked or self.role_holder(passages, person.role) or ()
        aliases = set(person.aliases) if person is not None else set()
        prefer = (lambda m: name_matches(asked, m) > 0) if asked else None
        found: list[Said] = []
        surname_only: list[int] = []
        for infos in analysed:
            for statement in statements(infos, prefer=prefer):
                mention = statement.speaker.mention
                level = name_matches(asked, mention) if asked else 0
                if not level and aliases and set(mention.name) & aliases:
                    level = 2
                if level == 1 and person is not None and person.asked and len(asked) >= 2:
                    surname_only.append(len(found))
                    found.append(Said(statement, SURNAME_ONLY, mention.surface))
                else:
                    found.append(Said(statement, 1.0 if level else 0.0, mention.surface))
        if surname_only:
            # A surname alone is this person when the article names them in full, someone else when
            # its full names with that surname are all another's, and uncertain otherwise.
            verdict = self._named_in_full(passages, asked)
            surname_level = SURNAME_ONLY if verdict is None else (1.0 if verdict == 2 else 0.0)
            for index in surname_only:
                found[index] = Said(found[index].statement, surname_level, found[index].speaker)
        return found

    @staticmethod
    def _named_in_full(passages: Sequence[Passage], asked: tuple[str, ...]) -> int | None:
        """2 when the article names the asked person in full, 0 when its full names with that
        surname are all someone else's, None when it gives no full name with that surname."""
        start = asked[-1][:3]
        others = False
        for passage in passages:
            if start not in passage.text.casefold():
                continue
            for mention in mentions(passage.text):
                if len(mention.name) < 2 or not mention.person_like or not similar(asked[-1], mention.name[-1]):
                    continue
                if name_matches(asked, mention) == 2:
                    return 2
                others = True
        return 0 if others else None

    def role_holder(self, passages: Sequence[Passage], role: Sequence[str]) -> tuple[str, ...] | None:
        """The name an article gives the holder of ``role`` ("the Harbour Trust boss"), or None.

        Each person-like mention is scored by the share of the role's words (weighted by idf,
        kin role nouns standing for one another) found in its title and the words around it.
        """
        role_terms = {t: self.reader.idf(t) for w in role for t in tokens(w)}
        if not role_terms:
            return None
        total = sum(role_terms.values())
        kin = {t: {k for w in role if tokens(w) == [t] for k in _ROLE_KIN.get(w, ())} for t in role_terms}
        # The role noun itself ("minister", "boss", "critic") must be there: an organisation's
        # name next to someone does not make them its minister.
        nouns = {t for w in role if w in TITLE_WORDS or w in _ROLE_KIN or w == role[-1] for t in tokens(w)}
        best: tuple[tuple[float, int, int], tuple[str, ...]] | None = None
        order = 0
        for passage in passages:
            for start, end in sentence_spans(passage.text):
                sentence = passage.text[start:end]
                words = split_words(sentence)
                for mention in mentions(sentence, words):
                    order += 1
                    if not mention.person_like:
                        continue
                    named = {t for w in mention.name for t in tokens(w)}
                    if named <= set(role_terms):
                        continue  # "Palace" in "the Crystal Palace stadium manager": the club, not its manager
                    low = max(0, mention.first_word - ROLE_REACH)
                    near = words[low : mention.last_word + ROLE_REACH + 1]
                    around = {t for w in near for t in tokens(w.text)} | {t for w in mention.title for t in tokens(w)}
                    folded = {w.folded for w in near} | set(mention.title)
                    present = {t for t in role_terms if t in around or kin[t] & folded}
                    if nouns and not nouns & present:
                        continue
                    share = sum(role_terms[t] for t in present) / total
                    # Of two people an article describes alike, the one the role noun stands next to.
                    distance = min(
                        (abs(k + low - (mention.first_word if k + low < mention.first_word else mention.last_word))
                         for k, w in enumerate(near) if set(tokens(w.text)) & nouns or w.folded in {x for t in nouns for x in kin.get(t, ())}),
                        default=ROLE_REACH,
                    )
                    rank = (round(share, 3), -distance, -order)
                    if share >= ROLE_SHARE and (best is None or rank > best[0]):
                        best = (rank, mention.name)
        return best[1] if best else None

    def statements_by(self, person: Person, topic: Sequence[str] = (), *, articles: int = 100) -> list[Said]:
        """Everything the coverage quotes ``person`` saying (about ``topic`` first when given), in
        up to ``articles`` articles that write their name."""
        if not person.terms:
            return []
        terms = [(t, 2.0) for t in person.terms] + [(t, 3.0) for t in person.first_terms] + [(t, 1.0) for t in topic]
        hits = self.engine.search(Search(tuple(terms), required=(person.terms,)), max(20, articles * 2))
        said: list[Said] = []
        for file in _files(hit for hit in hits if writes(hit.passage.text, person.written))[:articles]:
            said.extend(self.statements(self.reader.article(file), person))
        return said


def _files(hits: Iterable[Hit]) -> list[str]:
    return list(dict.fromkeys(hit.passage.file for hit in hits))
