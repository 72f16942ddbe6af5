"""Stage two of answering: every stretch of the candidate articles that could be the answer, with its evidence.

A *unit* is a sentence, or — when the question wants someone's words or asks about a person —
a statement (the run of sentences that carry one speaker's words, :mod:`index.attribution`).
Each unit gets the same named features, all between 0 and 1 (:data:`FEATURES`, in this order),
which :mod:`index.choose` weighs:

- ``topic``: share of the question's weight (corpus idf) whose terms the unit holds — stems and
  lemmas both, so "sent" meets "send"; a rare name counts for far more than "happened";
- ``soft``: ``topic`` with each question word the unit lacks counted by how close in meaning
  the unit's nearest word is (word embeddings: "embarrassed" is near "humbled", "quick" near
  "speed"), so a paraphrase gets partial credit word by word;
- ``bm25``: the unit's BM25 score for the question's terms among the candidates' units (corpus
  idf, the units' own lengths), relative to the best unit's — term frequency and length count,
  where ``topic`` only asks which terms are there;
- ``context``: ``topic`` over the unit and its neighbouring sentences (an answer often leans on
  the sentence before: "The system is a joint venture between …");
- ``before``: ``topic`` of the unit before it alone (an answer often follows the sentence that
  restates the question; the unit after is left out, so that restating the question never
  earns a sentence the answer that follows it);
- ``novel``: the share of the unit's terms the question does not have (a unit that only
  restates the question answers nothing);
- ``passage``: ``topic`` over the unit's paragraph; ``retrieved``: that paragraph's BM25 score
  in the search, relative to the best paragraph found (0 when the search did not return it);
- ``passage_long`` / ``retrieved_long``: the same two for an article too long to read whole
  (an encyclopaedia entry covers many topics, a news article one: in a long one the paragraph
  matters more than the article around it);
- ``pairs``: share of the question's adjacent word pairs kept together (within two words);
- ``meaning`` / ``meaning_context``: cosine similarity of the question and the unit (and its
  neighbours) in a sentence embedding (:mod:`index.meaning`): "in other words";
- ``answer_quantity`` / ``answer_entity`` / ``answer_reason``: the unit holds the kind of answer
  asked for, beyond what the question says — an amount, number or date; a place, person or
  name; a reason (one feature per family, so each can weigh what it is worth);
- ``article``: how well the unit's whole article matches; ``headline``: the share of the
  question's weight in its headline; ``first_article``: the article matches best; ``lead``: the
  article's first sentence (news puts the facts there);
- ``speaker``: the unit is a statement by the person asked about (1 by their full name or as
  the role's holder, 0.5 by surname alone); ``first_said``: it is the first statement of theirs
  in its article (news gives a person's main point first); ``attributed``: how plainly the text
  gives them the words (a verb of saying with their name, 1; "he said", 0.8; a participle, 0.6;
  "X's comments", 0.3); ``names``: its paragraph (or the one before, which a quotation often
  runs on from) names them, without the words being theirs;
- ``quoted`` and ``statement`` (questions wanting someone's words only): the unit is inside
  quotation marks, and it is attributed to someone;
- ``recency``: for "latest" / "as of" questions, how much newer the article is.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence, Set
from dataclasses import dataclass
from typing import TYPE_CHECKING

from . import meaning
from .candidates import Candidate, Candidates
from .meaning import Terms
from .names import fold_name, split_words
from .passages import Passage
from .people import People, Person, writes
from .question import Question
from .reader import ArticleFacts, Reader
from .text import sentence_spans, tokens

if TYPE_CHECKING:
    import numpy as np

#: The features every unit carries, in the order :mod:`index.choose` weighs them.
FEATURES = (
    "topic", "soft", "bm25", "context", "before", "novel", "passage", "retrieved", "passage_long", "retrieved_long",
    "pairs", "meaning", "meaning_context", "answer_quantity", "answer_entity", "answer_reason",
    "article", "headline", "first_article", "lead",
    "speaker", "first_said", "attributed", "names", "quoted", "statement", "recency",
)
#: Longest unit considered: a statement running over more is cut to whole sentences around its start.
MAX_UNIT_CHARS = 1500


@dataclass(frozen=True, slots=True)
class Unit:
    """A stretch of one passage that could be quoted as the answer, with its evidence."""

    passage: Passage
    start: int  # offsets in passage.text
    end: int
    article: Candidate
    position: int  # its (first) sentence's place among the article's sentences
    speaker: str | None  # whose words these are, when the coverage says
    features: dict[str, float]

    @property
    def text(self) -> str:
        return self.passage.text[self.start : self.end]


@dataclass(slots=True)
class _Span:
    passage: Passage
    start: int
    end: int
    quoted: float = 0.0
    speaker: str | None = None
    match: float = 0.0  # how surely the speaker is the person asked about
    statement: bool = False
    how: float = 0.0  # how plainly the text attributes the words (see ``_HOW``)

    @property
    def text(self) -> str:
        return self.passage.text[self.start : self.end]


def gather(reader: Reader, people: People, question: Question, person: Person | None, candidates: Candidates) -> list[Unit]:
    """The units of every candidate article, with their features."""
    wants_words = question.intent == "quote" or person is not None
    name_terms = set(person.terms) | set(person.first_terms) if person is not None else set()
    role_terms = {t for w in person.role for t in tokens(w)} if person is not None else set()
    # What the answer must be about: for "What did X say about Y?", Y; otherwise every word of
    # the question but the name of the person asked about.
    if question.speaker:
        terms = set(question.topic) | (_terms(question.text) & set(meaning.lemma_terms(" ".join(question.topic))))
    else:
        terms = _terms(question.text) | set(question.terms)
    headlines = {file: _terms(facts.title) for file, facts in _facts(reader, candidates) if facts.title}
    in_headlines = set().union(*headlines.values()) if headlines else set()
    topic = {
        t: reader.idf(t)
        for t in terms
        if t not in name_terms and t not in role_terms and (reader.df(t) or t in in_headlines)
    }
    total = sum(topic.values()) or 1.0
    pairs = _pairs(question.terms, name_terms)
    asked_terms = _terms(question.text)
    wanted = answer_test(question, question.wants)
    asked_vector = meaning.embed([question.text])[0]

    spans: list[list[_Span]] = []
    for candidate in candidates.articles:
        spans.append(_statements(people, candidate, person) if wants_words else _sentences(reader, candidate, set(topic)))
    flat = [s for article in spans for s in article]
    if not flat:
        return []
    naming = _naming(spans, person)
    # For a person asked about by name, only their statements and the sentences of paragraphs
    # that name them can be the answer (index.answer chooses among those alone): the others are
    # scored only as the neighbours of those, and never become units.
    if person is not None and person.asked:
        relevant = [s.match > 0 or naming[s.passage.key] for s in flat]
    else:
        relevant = [True] * len(flat)
    needed = list(relevant)
    start = 0
    for article in spans:
        for i in range(start, start + len(article)):
            if relevant[i]:
                needed[max(start, i - 1)] = needed[min(start + len(article) - 1, i + 1)] = True
        start += len(article)
    import numpy as np

    similarity = np.zeros(len(flat), dtype=np.float32)
    chosen = [i for i, need in enumerate(needed) if need]
    if chosen:
        similarity[chosen] = meaning.embed([flat[i].text for i in chosen]) @ asked_vector
    read_all = [reader.read(s.passage, s.start, s.end) if need else _NOTHING for s, need in zip(flat, needed)]
    bm25 = _bm25([r.sequence for r in read_all], topic)
    soft = _soft(question, topic, total, [r if keep else _NOTHING for r, keep in zip(read_all, relevant)])
    around_meaning = _around(similarity, [len(article) for article in spans])

    units: list[Unit] = []
    index = 0
    for candidate, article in zip(candidates.articles, spans):
        headline = _share(topic, headlines.get(candidate.file, set()), total)
        read = read_all[index : index + len(article)]
        unit_terms = [r.matched for r in read]
        passage_terms: dict[str, set[str]] = {}
        first_said = next((position for position, span in enumerate(article) if span.match > 0), -1)
        for position, span in enumerate(article):
            if not relevant[index]:
                index += 1
                continue
            own = unit_terms[position]
            around = own.union(*unit_terms[max(0, position - 1) : position + 2])
            key = span.passage.key
            if key not in passage_terms:
                passage_terms[key] = set(reader.terms(span.passage))
            in_passage = passage_terms[key]
            features = {
                "topic": _share(topic, own, total),
                "bm25": bm25[index],
                "soft": soft[index],
                "context": _share(topic, around, total),
                "before": _share(topic, unit_terms[position - 1], total) if position else 0.0,
                "novel": len(own - asked_terms) / max(1, len(own)),
                "passage": _share(topic, in_passage | own, total),
                "retrieved": candidate.retrieved.get(span.passage.key, 0.0),
                "passage_long": _share(topic, in_passage | own, total) if candidate.long else 0.0,
                "retrieved_long": candidate.retrieved.get(span.passage.key, 0.0) if candidate.long else 0.0,
                "pairs": _kept(pairs, read[position].sequence),
                "meaning": max(0.0, float(similarity[index])),
                "meaning_context": max(0.0, float(around_meaning[index])),
                **_answer_features(question.wants, wanted is not None and wanted(span.text)),
                "article": candidate.evidence,
                "headline": headline,
                "first_article": 1.0 if candidate.rank == 0 else 0.0,
                "lead": 1.0 if span.passage.ordinal == 0 and span.start == 0 else 0.0,
                "speaker": span.match,
                "first_said": 1.0 if position == first_said else 0.0,
                "attributed": span.how,
                "names": 1.0 if naming[key] and not span.match else 0.0,
                "quoted": span.quoted if question.intent == "quote" else 0.0,
                "statement": 1.0 if question.intent == "quote" and span.statement else 0.0,
                "recency": reader.recency(candidate.file, question.when),
            }
            units.append(Unit(span.passage, span.start, span.end, candidate, position, span.speaker, features))
            index += 1
    return units


# ---------------------------------------------------------------------------------------------
# Units


_NOTHING = meaning.Terms((), frozenset(), ())


def _naming(spans: Sequence[Sequence[_Span]], person: Person | None) -> dict[str, bool]:
    """Whether each paragraph names the person asked about, or follows one that does (a
    quotation often runs on into the paragraph after the one naming its speaker)."""
    naming: dict[str, bool] = {}
    for article in spans:
        previous = False
        for span in article:
            key = span.passage.key
            if key not in naming:
                here = person is not None and bool(person.written) and writes(span.passage.text, person.written)
                naming[key] = here or previous
                previous = here
    return naming


def _facts(reader: Reader, found: Candidates) -> list[tuple[str, ArticleFacts]]:
    return [(c.file, facts) for c in found.articles if (facts := reader.facts(c.file)) is not None]


def _sentences(reader: Reader, candidate: Candidate, topic: set[str]) -> list[_Span]:
    """The sentences of the article's paragraphs that could hold the answer: those holding a word
    of the question, their neighbours (an answer often follows the paragraph that names what it
    is about) and the lead paragraph. The others, which share nothing with the question or with a
    paragraph that does, are not scored: on a long article that is most of its work."""
    passages = candidate.passages
    holds = [bool(topic.intersection(reader.terms(p))) for p in passages]
    keep = [
        i == 0 or holds[i] or (i > 0 and holds[i - 1]) or (i + 1 < len(passages) and holds[i + 1])
        for i in range(len(passages))
    ]
    return [_Span(p, a, b) for p, kept in zip(passages, keep) if kept for a, b in sentence_spans(p.text)]


def _statements(people: People, candidate: Candidate, person: Person | None) -> list[_Span]:
    """An article's statements (one unit each) and the sentences outside any statement, in order.

    For a person asked about by name, the passages before the first that writes the name are
    plain sentences: nothing there can be theirs (attribution is most of a question's work)."""
    passages = candidate.passages
    first = 0
    if person is not None and person.written:
        first = next((i for i, p in enumerate(passages) if writes(p.text, person.written)), len(passages))
    spans = [_Span(p, a, b) for p in passages[:first] for a, b in sentence_spans(p.text)]
    if first == len(passages):
        return spans
    analysed = people.reader.analysed(passages[first:])
    said = people.read(passages[first:], person, analysed)
    by_start = {(s.statement.passage.key, s.statement.start): s for s in said}
    for infos in analysed:
        covered_until = -1
        for info in infos:
            if info.start < covered_until:
                continue
            statement = by_start.get((info.passage.key, info.start))
            if statement is None:
                spans.append(_Span(info.passage, info.start, info.end, info.quoted))
                continue
            words = statement.statement
            end = _bounded_end(words.passage.text, words.start, words.end)
            quoted = sum(i.quoted * (i.end - i.start) for i in words.sentences) / max(1, words.end - words.start)
            how = _HOW.get(words.speaker.how, 0.5)
            spans.append(_Span(info.passage, words.start, end, quoted, statement.speaker, statement.match, True, how))
            covered_until = words.end
    return spans


#: How plainly each way of finding a speaker gives them the words (index.attribution's ``how``).
_HOW = {"cue": 1.0, "inverted": 1.0, "according": 0.9, "pronoun": 0.8, "quote": 0.8, "asked": 0.7, "participle": 0.6, "possessive": 0.3}


def _bounded_end(text: str, start: int, end: int) -> int:
    """``end``, or the end of the last whole sentence that keeps the unit under ``MAX_UNIT_CHARS``."""
    if end - start <= MAX_UNIT_CHARS:
        return end
    cut = start
    for _, b in sentence_spans(text[start:end]):
        if b > MAX_UNIT_CHARS and cut > start:
            break
        cut = start + b
    return min(end, max(cut, start + MAX_UNIT_CHARS))


# ---------------------------------------------------------------------------------------------
# Terms and shares


def _terms(text: str) -> set[str]:
    return set(meaning.match_terms(text).matched)


#: Word similarity below which a word is no match at all, and the span above it that counts.
SOFT_FLOOR = 0.3


def _soft(question: Question, topic: dict[str, float], total: float, units: Sequence[Terms]) -> list[float]:
    """For each unit, the idf-weighted share of the question's words it holds — a word it lacks
    counted by its nearest word's similarity above ``SOFT_FLOOR`` (rescaled to 0–1)."""
    import numpy as np

    asked: list[tuple[str, float, str]] = []
    for word in meaning.content_words(question.text):
        stems = tokens(word)
        if stems and stems[0] in topic and all(stems[0] != stem for _, _, stem in asked):
            asked.append((word, topic[stems[0]], stems[0]))  # each term once, as ``total`` counts it
    vocabulary = list(dict.fromkeys(w for unit in units for w in unit.words))
    if not asked or not vocabulary:
        return [0.0] * len(units)
    asked_vectors = meaning.word_vectors([w for w, _, _ in asked])
    index = {w: i for i, w in enumerate(vocabulary)}
    near = np.clip((meaning.word_vectors(vocabulary) @ asked_vectors.T - SOFT_FLOOR) / (1 - SOFT_FLOOR), 0.0, 1.0)
    weights = np.array([weight for _, weight, _ in asked])
    scores = []
    for unit in units:
        rows = [index[w] for w in unit.words]
        best = near[rows].max(axis=0) if rows else np.zeros(len(asked))
        lexical = np.array([stem in unit.matched for _, _, stem in asked])
        scores.append(float(np.where(lexical, 1.0, best) @ weights) / total)
    return scores


def _around(values: np.ndarray, lengths: Sequence[int]) -> np.ndarray:
    """Each value averaged with its neighbours in the same article (the articles' units lie in
    ``values`` one after another, ``lengths`` long)."""
    import numpy as np

    out = np.empty_like(values)
    start = 0
    for length in lengths:
        part = values[start : start + length]
        total = part.copy()
        count = np.ones_like(part)
        total[1:] += part[:-1]
        count[1:] += 1
        total[:-1] += part[1:]
        count[:-1] += 1
        out[start : start + length] = total / count
        start += length
    return out


_FAMILY = {"amount": "answer_quantity", "number": "answer_quantity", "date": "answer_quantity",
           "place": "answer_entity", "person": "answer_entity", "name": "answer_entity", "reason": "answer_reason"}


def _answer_features(wants: str | None, holds: bool) -> dict[str, float]:
    features = {"answer_quantity": 0.0, "answer_entity": 0.0, "answer_reason": 0.0}
    if wants is not None and holds:
        features[_FAMILY[wants]] = 1.0
    return features


#: BM25 parameters for units (the engine's).
K1 = 1.2
B = 0.75


def _bm25(sequences: Sequence[Sequence[str]], weights: dict[str, float]) -> list[float]:
    """Each sequence's BM25 score for the weighted terms, relative to the best (0 when none match)."""
    if not sequences:
        return []
    average = sum(len(seq) for seq in sequences) / len(sequences) or 1.0
    scores = []
    for seq in sequences:
        norm = K1 * (1 - B + B * len(seq) / average)
        counts: dict[str, int] = {}
        for term in seq:
            if term in weights:
                counts[term] = counts.get(term, 0) + 1
        scores.append(sum(weights[t] * f * (K1 + 1) / (f + norm) for t, f in counts.items()))
    best = max(scores) or 1.0
    return [score / best for score in scores]


def _share(weights: dict[str, float], present: Set[str], total: float) -> float:
    return sum(weight for term, weight in weights.items() if term in present) / total


def _pairs(terms: Sequence[str], skip: set[str]) -> tuple[tuple[str, str], ...]:
    kept = [t for t in terms if t not in skip]
    return tuple(dict.fromkeys((a, b) for a, b in zip(kept, kept[1:]) if a != b))


def _kept(pairs: Sequence[tuple[str, str]], sequence: Sequence[str]) -> float:
    """Share of the question's adjacent term pairs that a text keeps within two words of each other."""
    if not pairs:
        return 0.0
    where: dict[str, list[int]] = {}
    for position, term in enumerate(sequence):
        where.setdefault(term, []).append(position)
    kept = sum(1 for a, b in pairs if any(abs(i - j) <= 2 for i in where.get(a, ()) for j in where.get(b, ())))
    return kept / len(pairs)


# ---------------------------------------------------------------------------------------------
# The kind of answer asked for


_NUMBER = re.compile(
    r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|"
    r"hundred|thousand|million|billion|dozens?|half|double|twice|treble|triple|quarter|third)\b",
    re.IGNORECASE,
)
_MONEY = re.compile(r"[$\u00a3\u20ac\u00a5]\s?\d|\d\s?(?:bn|m|million|billion|p|pence|cents?)\b|\b(?:dollars?|euros?|pounds?|yen)\b", re.IGNORECASE)
_PERCENT = re.compile(r"%|\bper ?cent\b", re.IGNORECASE)
_DATE = re.compile(
    r"\b(?:1[5-9]\d\d|20\d\d)s?\b|\b(?:january|february|march|april|may|june|july|august|september|october|november|"
    r"december|monday|tuesday|wednesday|thursday|friday|saturday|sunday|spring|summer|autumn|winter|christmas|easter)\b|"
    r"\b(?:next|last|this) (?:week|month|year|season)\b|\b(?:tomorrow|yesterday|tonight)\b",
    re.IGNORECASE,
)
_REASON = re.compile(
    r"\b(?:because|due to|owing to|as a result|result of|since|so that|in order to|thanks to|blamed|blames|reason|"
    r"caused|causing|led to|after|following|amid|over concerns|fears? (?:of|that|over)|concerns? (?:about|over|that)|"
    r"designed to|aimed at|to help|to avoid|to prevent|to cut|to boost|to make)\b",
    re.IGNORECASE,
)


#: A capitalised word that does not open its sentence: the mark of a name in running text.
_INNER_CAPITAL = re.compile(r"(?<=[\w,;:)] )[A-Z][\w'\u2019-]*")


def answer_test(question: Question, wants: str | None) -> Callable[[str], bool] | None:
    """A test that a unit holds the kind of answer ``wants`` names, beyond what the question says."""
    if wants is None:
        return None
    asked_numbers = set(re.findall(r"\d+", question.text))
    asked_names = {w.folded for w in split_words(question.text) if w.capital}

    def new_number(text: str) -> bool:
        return bool(set(re.findall(r"\d+", text)) - asked_numbers) or bool(_NUMBER.search(text) and not asked_numbers)

    def new_name(text: str) -> bool:
        return any(fold_name(m.group(0)) not in asked_names for m in _INNER_CAPITAL.finditer(text))

    tests: dict[str, Callable[[str], bool]] = {
        "amount": lambda s: bool(_MONEY.search(s) or _PERCENT.search(s)) and new_number(s),
        "number": lambda s: new_number(s) or bool(_PERCENT.search(s)),
        "date": lambda s: bool(_DATE.search(s)),
        "reason": lambda s: bool(_REASON.search(s)),
        "place": new_name,
        "person": new_name,
        "name": lambda s: new_name(s) or bool(re.search(r"[\"\u201c][^\"\u201d]{2,60}[\"\u201d]", s)),
    }
    return tests.get(wants)
