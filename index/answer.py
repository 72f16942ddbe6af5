"""Questions to answers: the exact words that answer a question, cited — or an honest "the coverage doesn't say".

One pipeline, each stage its own module with a typed result:

    parse_question        (question)    text → Question: terms, the person asked about, what kind of answer
    People.person         (people)      Question → Person | Unknown | None
    unknown_names …       (abstain)     names or words the coverage never writes → not answered
    find                  (candidates)  Question → Candidates: the few articles to read, each with its evidence
    gather                (evidence)    Candidates → Units: sentences and statements, each with named features
    rank                  (choose)      Units → ranked by weighted evidence
    quote_window          (window)      the best unit → the words to quote
    emphasis              (emphasis)    within the unit's words, the span that answers (to bold)
    cite, group           (citation)    the words → a Citation (file, lines, headline, outlet, date, link);
                                        the same words in several files → one, citing them all
    weak                  (abstain)     too little of the question in the best answer → not answered

A person asked about a topic gets their own words on that topic first, then their words in
other terms, then a passage about the topic that names them; never a passage that does not.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from . import abstain, candidates, choose, evidence
from .citation import Citation, cite, group
from .coverage import Coverage
from .emphasis import emphasis
from .evidence import Unit
from .passages import Passage
from .people import People, Person, Unknown
from .question import Question, parse_question, without_speaker
from .reader import Reader
from .window import quote_window, with_neighbours

__all__ = ["Answer", "Answerer", "Citation"]

#: Other articles' answers are listed ("more sources") while they score within this of the best.
OTHER_MARGIN = 1.5


@dataclass(frozen=True, slots=True)
class Answer:
    """What a question gets: the cited answers, best first — or why there are none."""

    question: str
    found: bool
    answers: tuple[Citation, ...] = ()  # the best, then the best of each other article ("also in")
    message: str | None = None  # why nothing was found (user-safe)
    suggestions: tuple[str, ...] = ()  # "did you mean" names
    kind: str = "fact"  # "speaker" when the first answer is the asked person's own words, else "fact"


class Answerer:
    """Answers questions from one :class:`Coverage` snapshot (make a new one after a refresh)."""

    def __init__(self, coverage: Coverage, *, top: int = 3) -> None:
        self.coverage = coverage
        self.reader = Reader.of(coverage)
        self.people = People(self.reader)
        self.top = max(1, top)

    def ask(self, text: str) -> Answer:
        """Answer one question. Raises :class:`~index.errors.BadQuestion` for unaskable input."""
        question = parse_question(text)
        if self.reader.size == 0:
            return Answer(question.text, False, message="No articles are indexed yet, so there is nothing to quote.")
        read = self._read(question)
        if isinstance(read, Answer):
            return read
        question, person, units = read
        if person is not None:
            return self._about_person(question, person, units)
        return self._answer(question, units)

    def contenders(self, text: str) -> tuple[Question, list[Unit]]:
        """The units :meth:`ask` would rank for a question (before abstaining), for calibration
        and for seeing why an answer was chosen."""
        question = parse_question(text)
        read = self._read(question) if self.reader.size else None
        if read is None or isinstance(read, Answer):
            return question, []
        question, person, units = read
        return question, (_theirs(units, person) if person is not None else units)

    def _read(self, question: Question) -> Answer | tuple[Question, Person | None, list[Unit]]:
        """The stages up to the evidence: who is asked about, whether the coverage knows what the
        question names, the candidate articles and their units — or the answer that ends it early."""
        person = self.people.person(question)
        if isinstance(person, Unknown):
            return self._not_found(question, person.message, person.suggestions)
        unknown = abstain.unknown_names(self.people, question)
        if unknown is not None and (person is None or not _names_person(unknown.who, person)):
            return self._not_found(question, unknown.message, unknown.suggestions)
        if person is None and abstain.off_coverage(self.reader, question):
            return self._not_found(question, abstain.DOESNT_SAY, abstain.suggestions_for(self.people, question, self.reader))
        units = self._units(question, person)
        if person is not None and not person.asked and not any(u.features["speaker"] for u in units):
            # A role no article read puts a name to ("the lower house of the parliament", "the
            # campaigners"): the question is answered like any other, on all of its words.
            question, person = without_speaker(question), None
            units = self._units(question, None)
        return question, person, units

    # -- stages ----------------------------------------------------------------------------

    def _units(self, question: Question, person: Person | None) -> list[Unit]:
        found = candidates.find(self.reader, question, person)
        units = evidence.gather(self.reader, self.people, question, person, found)
        if person is not None and person.terms and found.more and not any(u.features["speaker"] for u in units):
            # None of the articles read quotes them: a second look at further articles that write their name.
            read = frozenset(c.file for c in found.articles)
            more = candidates.find(self.reader, question, person, exclude=read)
            units += evidence.gather(self.reader, self.people, question, person, more)
        return units

    def _about_person(self, question: Question, person: Person, units: list[Unit]) -> Answer:
        """Their own words on the topic first; then their words on it in other terms; then a
        passage about the topic that names them; "not on that" only when none of these exists."""
        theirs = [u for u in units if u.features["speaker"] > 0]
        naming = [u for u in units if u.features["names"] > 0]
        if not question.topic:
            if theirs:
                return self._found(question, choose.rank_statements(theirs), kind="speaker")
            if naming:
                return self._found(question, choose.rank(naming), kind="fact")
            return self._not_found(question, f"The coverage doesn't quote {person.display}.")
        own_words = [u for u in theirs if u.features["topic"] > 0]
        if own_words:
            return self._found(question, choose.rank_statements(own_words), kind="speaker")
        other_words = [u for u in theirs if _in_other_words(u)]
        if other_words:
            return self._found(question, choose.rank_statements(other_words), kind="speaker")
        about = [u for u in naming if u.features["topic"] > 0 or u.features["context"] > 0]
        if about:
            return self._found(question, choose.rank(about), kind="fact")
        if theirs:
            return self._not_found(question, f"The coverage quotes {person.display}, but not on that.")
        return self._not_found(question, f"The coverage doesn't quote {person.display} on that.")

    def _answer(self, question: Question, units: list[Unit]) -> Answer:
        if not units:
            return self._not_found(question, abstain.DOESNT_SAY)
        ranked = choose.rank(units)
        if abstain.weak(ranked[0][1]):
            return self._not_found(question, abstain.DOESNT_SAY, abstain.suggestions_for(self.people, question, self.reader))
        return self._found(question, ranked, kind="fact")

    def _found(self, question: Question, ranked: Sequence[tuple[float, Unit]], kind: str) -> Answer:
        """The best unit's quote, then the best of each other article while it scores close (the
        same words in another file — wire copy — are cited under the first quote instead)."""
        wanted = evidence.answer_test(question, question.wants)
        best = ranked[0][0]
        picked: list[Citation] = []
        files: set[str] = set()
        for value, unit in ranked:
            if picked and value < best - OTHER_MARGIN:
                break
            if unit.passage.file in files:
                continue
            files.add(unit.passage.file)
            start, end = quote_window(unit, wanted)
            passage, start, end = with_neighbours(unit, value, start, end, ranked, wanted)
            picked.append(self._cite(question, unit, value, passage, start, end))
        return Answer(question.text, True, tuple(group(picked)[: self.top]), kind=kind)

    def _cite(self, question: Question, unit: Unit, value: float, passage: Passage, start: int, end: int) -> Citation:
        """The quote window as a citation, with where the unit's own words (the ones that answer)
        are in it, and within them the words to bold."""
        citation = cite(self.reader, passage, start, end, speaker=unit.speaker if unit.features["speaker"] else None, score=value)
        at = citation.quote.find(unit.text)
        if at < 0:
            return citation
        bold = emphasis(question, unit.text)
        return replace(
            citation, span=(at, at + len(unit.text)), emphasis=(at + bold[0], at + bold[1]) if bold else None
        )

    def _not_found(self, question: Question, message: str, suggestions: Sequence[str] = ()) -> Answer:
        return Answer(question.text, False, message=message, suggestions=tuple(suggestions))


def _theirs(units: list[Unit], person: Person) -> list[Unit]:
    """The units a question about ``person`` chooses among: their statements; failing those,
    passages that name them; for a role no article names, every unit."""
    theirs = [u for u in units if u.features["speaker"] > 0]
    if theirs or not person.asked:
        return theirs or units
    return [u for u in units if u.features["names"] > 0]


#: A statement speaks to the topic in other words when its words are this close to the topic's,
#: one by one (``soft``) or as a whole (``meaning``), or when its paragraph or headline holds it.
IN_OTHER_WORDS_SOFT = 0.3
IN_OTHER_WORDS_MEANING = 0.45


def _in_other_words(unit: Unit) -> bool:
    """Whether a statement speaks to the question's topic without its words: near in meaning,
    or in a paragraph or under a headline that holds them."""
    f = unit.features
    close = f["soft"] >= IN_OTHER_WORDS_SOFT or f["meaning"] >= IN_OTHER_WORDS_MEANING
    return close or f["context"] > 0 or f["passage"] > 0 or f["headline"] > 0


def _names_person(run: str, person: Person) -> bool:
    """Whether a name run of the question is the person asked about (checked already)."""
    folded = run.casefold()
    return any(word.casefold() in folded for word in (*person.surface, *person.asked)) if person.asked else False
