"""Questions to answers: the exact words of the best passage, cited, or an honest "the coverage doesn't say".

Two paths. A speaker question ("What did Rutte say about Russia?") finds the passages that name
the speaker, reads who said what in them (:mod:`index.attribution`) and quotes that person's
statement, preferring the one about the asked topic. A fact question ranks passages with BM25
and quotes the sentence(s) that best match it, ranked with rank-bm25 among the sentences of the
top passages. When the question's key words are not in the coverage, or the best match covers
too little of them, the answer says so instead of quoting something unrelated.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property, lru_cache

from rank_bm25 import BM25Okapi

from .articles import parse_date
from .attribution import Statement, analyse, statements
from .coverage import Coverage
from .engine import Hit, Search
from .names import fold_name, mentions, name_matches, similar, split_words
from .passages import Passage, passage_key
from .question import Question, parse_question
from .text import fold, sentence_spans, tokens

#: Share of the question's weight (idf) the best passage must contain to count as an answer.
MIN_COVERAGE = 0.3
#: Passages whose sentences compete for a fact question's quote.
FACT_CANDIDATES = 8
#: Weight of the sentence's own BM25 score against its passage's when choosing the quote.
SENTENCE_WEIGHT = 0.3
#: Weight of the evidence the passage's whole article gathers among the candidates.
ARTICLE_WEIGHT = 0.4
#: Weight of the share of the question's (idf-weighted) terms a passage holds.
COVERAGE_WEIGHT = 0.6
#: Weight of the share of the question's adjacent word pairs a passage keeps together.
PAIR_WEIGHT = 0.2
#: Bonus for a sentence holding the kind of answer asked for (a number for "how many", ...).
TYPE_BONUS = 0.15
#: A neighbouring sentence joins the quote when it scores at least this share of the best.
NEIGHBOUR_SHARE = 0.7
#: Weight of how well the statement's speaker matches the name asked (surname only, full name, ...).
MATCH_WEIGHT = 0.1
#: Passages naming the speaker fetched, and the articles among them read for statements (best first).
SPEAKER_HITS = 10
SPEAKER_ARTICLES = 4
#: When those hold no statement by the person: passages fetched, and further articles read.
SPEAKER_MORE_HITS = 10
SPEAKER_MORE_ARTICLES = 4
#: How much the full name written together adds to a passage's score, relative to its BM25 score.
NAME_BOOST = 1.0
#: When hits that only share a name's stem (Hugh for Hughes) are dropped, how many times more are fetched.
WRITTEN_MORE = 4
#: Passages of an article read for the full names behind a surname-only speaker ("Brady said").
FULL_NAME_PASSAGES = 40
#: Passages read before each passage naming the speaker, for pronouns ("he said") that refer back:
#: none, since reading earlier passages attributed more to the wrong person than it found. One
#: passage after is always read, for quotes that run on.
WINDOW_BEFORE = 0
#: How strongly "latest" / "as of" questions prefer newer articles.
RECENCY_WEIGHT = 0.6
DOESNT_SAY = "The coverage doesn't answer that: no article matches the question's key words closely enough."
_HOW_WEIGHT = {"cue": 1.0, "inverted": 1.0, "according": 0.9, "pronoun": 0.8, "quote": 0.8, "participle": 0.6, "possessive": 0.3}


@dataclass(frozen=True, slots=True)
class Citation:
    """One quoted answer and where it comes from."""

    source: str  # the article file, relative to its corpus folder
    title: str  # the article's headline, or its file name
    quote: str  # an exact excerpt of the source (whitespace folded)
    passage: str  # the whole passage the quote comes from
    line_start: int
    line_end: int
    score: float
    speaker: str | None = None
    section: str | None = None
    date: str | None = None
    key: str = ""  # the passage's key, for "full passage" and similar follow-ups
    also: tuple[str, ...] = ()  # other files carrying the same words (wire copy)

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {
            "source": self.source,
            "title": self.title,
            "quote": self.quote,
            "passage": self.passage,
            "line_start": self.line_start,
            "line_end": self.line_end,
            "score": round(self.score, 4),
        }
        if self.speaker:
            data["speaker"] = self.speaker
        if self.section:
            data["section"] = self.section
        if self.date:
            data["date"] = self.date
        if self.also:
            data["sources"] = [self.source, *self.also]
        return data


@dataclass(frozen=True, slots=True)
class Answer:
    question: str
    found: bool
    answers: tuple[Citation, ...] = ()
    message: str | None = None
    suggestions: tuple[str, ...] = ()
    kind: str = "fact"  # "speaker" or "fact"

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {
            "question": self.question,
            "found": self.found,
            "answers": [a.to_json() for a in self.answers],
        }
        if self.message:
            data["message"] = self.message
        if self.suggestions:
            data["suggestions"] = list(self.suggestions)
        return data


@dataclass(frozen=True, slots=True)
class _Named:
    """A person asked about: the index terms of their name, and the forms it is written in."""

    terms: tuple[str, ...]
    written: tuple[str, ...]


#: Apostrophes and hyphens, which names are written with or without (O'Donnell, O’Donnell, Ocasio-Cortez).
_NAME_MARKS = str.maketrans("", "", "'\u2019\u2018`-\u2010\u2011")


def _plain(text: str) -> str:
    """``text`` for spotting a name in it: accents, apostrophes and hyphens removed, case folded."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold().translate(_NAME_MARKS)


def _written(word: str) -> str:
    """The form a name word is spotted by: plain, without the transliterated ending that varies
    (Zelenskyy / Zelensky / Zelenskiy all write "zelensk")."""
    plain = _plain(word).strip(".")
    return re.sub(r"[iy]+$", "", plain) if len(plain) > 4 else plain


def _writes(text: str, written: Sequence[str]) -> bool:
    folded = text.casefold()  # enough for most text, and much cheaper than _plain
    return any(form in folded for form in written) or any(form in _plain(text) for form in written)


@dataclass(slots=True)
class _Scored:
    statement: Statement
    score: float
    match: int


@dataclass(slots=True)
class _Sentence:
    passage: Passage
    start: int
    end: int
    terms: list[str] = field(default_factory=list)


class Answerer:
    """Answers questions from one :class:`Coverage` snapshot (swap in a new Answerer after a refresh)."""

    def __init__(self, coverage: Coverage, *, top: int = 3) -> None:
        self.coverage = coverage
        self.engine = coverage.engine
        self.top = max(1, top)
        self._df = lru_cache(maxsize=65536)(self.engine.doc_freq)

    # -- public ----------------------------------------------------------------------------

    def ask(self, text: str) -> Answer:
        """Answer one question. Raises :class:`~index.errors.BadQuestion` for unaskable input."""
        question = parse_question(text)
        if self.engine.size == 0:
            return Answer(question.text, False, message="No articles are indexed yet, so there is nothing to quote.")
        if question.speaker:
            answer = self._speaker_answer(question)
            if answer is not None:
                return answer
        return self._fact_answer(question)

    # -- shared helpers --------------------------------------------------------------------

    def recency(self, file: str, when: date | bool | None) -> float:
        """For "latest" / "as of" questions (``when``, from :attr:`Question.when`): how much newer
        coverage is preferred — 0 when not asked, negative for articles dated after an "as of" date."""
        if when is None:
            return 0.0
        info = self.coverage.article(file)
        dated = parse_date(info.date) if info else None
        if dated is None:
            return 0.0
        as_of = when
        if isinstance(as_of, date):
            if dated > as_of:
                return -1.0
            return RECENCY_WEIGHT / (1 + (as_of - dated).days / 30)
        newest = self._newest_date
        return RECENCY_WEIGHT / (1 + max(0, (newest - dated).days) / 30) if newest else 0.0

    @cached_property
    def _newest_date(self) -> date | None:
        dates = [d for d in (parse_date(i.date) for i in self.coverage.articles.values()) if d is not None]
        return max(dates, default=None)

    def idf(self, term: str) -> float:
        n = max(1, self.engine.size)
        df = self._df(term)
        return math.log(1.0 + (n - df + 0.5) / (df + 0.5))

    def _citation(self, passage: Passage, start: int, end: int, score: float, speaker: str | None = None) -> Citation:
        info = self.coverage.article(passage.file)
        first, last = passage.lines_of(start, end)
        return Citation(
            source=passage.file,
            title=info.label if info else passage.file,
            quote=passage.text[start:end],
            passage=passage.text,
            line_start=first,
            line_end=last,
            score=score,
            speaker=speaker,
            section=passage.section,
            date=info.date if info else None,
            key=passage.key,
        )

    def windows(self, hits: Sequence[Hit], articles: int, before: int = 1, after: int = 1) -> list[list[Passage]]:
        """Runs of consecutive passages around the hits, for the best ``articles`` articles."""
        order: list[str] = []
        wanted: dict[str, set[int]] = defaultdict(set)
        known: dict[str, Passage] = {}
        for hit in hits:
            p = hit.passage
            if p.file not in wanted:
                if len(order) >= articles:
                    continue
                order.append(p.file)
            known[p.key] = p
            count = self.coverage.articles[p.file].passages if p.file in self.coverage.articles else p.ordinal + 1
            wanted[p.file].update(range(max(0, p.ordinal - before), min(count, p.ordinal + after + 1)))
        missing = [passage_key(f, o) for f in order for o in wanted[f] if passage_key(f, o) not in known]
        known.update(self.engine.passages(missing))
        windows: list[list[Passage]] = []
        for file in order:
            run: list[Passage] = []
            for ordinal in sorted(wanted[file]):
                passage = known.get(passage_key(file, ordinal))
                if passage is None:
                    continue
                if run and ordinal != run[-1].ordinal + 1:
                    windows.append(run)
                    run = []
                run.append(passage)
            if run:
                windows.append(run)
        return windows

    def _not_found(self, question: Question, message: str, suggestions: Sequence[str] = (), kind: str = "fact") -> Answer:
        return Answer(question.text, False, message=message, suggestions=tuple(suggestions), kind=kind)

    # -- speaker questions -----------------------------------------------------------------

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
                    if similar(stem, term) and term not in found and self.engine.exists(term):
                        found.append(term)
            elif self.engine.exists(stem) and stem not in found:
                found.append(stem)
        return found

    def _resolve_title(self, question: Question) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """A speaker given only by role ("the NATO secretary general"): the name the coverage puts after that role."""
        role_terms = [t for w in question.title for t in tokens(w)]
        if not role_terms:
            return (), ()
        hits = self.engine.search(Search(tuple((t, 1.0) for t in role_terms), required=tuple((t,) for t in role_terms)), 20)
        if not hits:
            hits = self.engine.search(Search(tuple((t, 1.0) for t in role_terms)), 20)
        adjacent_roles = {w for w in question.title if w in _ROLE_WORDS}
        votes: dict[tuple[str, ...], float] = defaultdict(float)
        surfaces: dict[tuple[str, ...], tuple[str, ...]] = {}
        for rank, hit in enumerate(hits):
            text = hit.passage.text
            words = split_words(text)
            passage_words = {w.folded for w in words}
            if not set(question.title) <= passage_words | adjacent_roles:
                continue
            for mention in mentions(text, words):
                if not mention.person_like:
                    continue
                before = {w.folded for w in words[max(0, mention.first_word - 4) : mention.first_word]} | set(mention.title)
                if adjacent_roles and not adjacent_roles <= before:
                    continue
                votes[mention.name] += 1.0 / (1 + rank) + 0.1 * len(mention.name)
                surfaces[mention.name] = tuple(mention.surface.split())
        if not votes:
            return (), ()
        best = max(votes, key=votes.__getitem__)
        return best, surfaces[best]

    def _suggest(self, word: str) -> list[str]:
        """Names in the coverage that look like a misspelling of ``word``."""
        stems = tokens(word)
        target = fold_name(word)
        if not stems or len(target) < 4:
            return []
        allowed = 1 if len(target) <= 5 else 2
        scores: dict[str, int] = {}
        for hit in self.engine.fuzzy_search(stems[0], allowed, 20):
            for w in split_words(hit.passage.text):
                if not w.capital or len(w.folded) < 4:
                    continue
                distance = _edit_distance(target, w.folded)
                if distance <= allowed and w.folded != target:
                    scores[w.text] = min(distance, scores.get(w.text, 9))
        return sorted(scores, key=lambda s: (scores[s], s))[:3]

    def _speaker_answer(self, question: Question) -> Answer | None:
        asked, surface = (question.name, question.name_surface) if question.name else self._resolve_title(question)
        if not asked:
            return None
        surname = asked[-1]
        surname_terms = self.name_terms(surface[-1] if surface else surname)
        alias_terms: list[str] = []
        if len(asked) >= 2:
            initials = "".join(w[0] for w in asked)
            if len(initials) >= 3 and self._df(initials):
                alias_terms.append(initials)
        if not surname_terms and not alias_terms:
            known_other = [w for w in question.topic if self._df(w)]
            if question.name and not (known_other and len(asked) > 1):
                suggestions = self._suggest(question.name[-1])
                who = question.speaker or surname
                message = f"The coverage doesn't mention {who}."
                if suggestions:
                    message += f" Did you mean {suggestions[0]}?"
                return self._not_found(question, message, suggestions, kind="speaker")
            return None
        first_terms = [t for w in (surface or asked)[:-1] for t in tokens(w)]
        terms = [(t, 2.0) for t in surname_terms + alias_terms]
        terms += [(t, 3.0) for t in first_terms if self._df(t)]
        terms += [(t, 1.5) for t in question.topic]
        # The full name as written ("Mike Short") counts for much more than its words apart
        # ("Mike Tindall ... cut short"): names are often ordinary words.
        names = tuple((first, last) for first in first_terms[-1:] if self._df(first) for last in surname_terms)
        search = Search(tuple(terms), required=(tuple(surname_terms + alias_terms),), phrases=names, phrase_boost=NAME_BOOST)
        aliases = {fold_name(t) for t in alias_terms}
        # Stems conflate names (Williams / William, Harris / Harry, Hughes / Hugh): passages are
        # kept only when they write the name asked (its spelling variants share all but the end).
        written = (_written(surface[-1] if surface else surname), *aliases)
        topic = [t for t in question.topic if t not in surname_terms]
        scored: list[_Scored] = []
        read: set[str] = set()
        # The best few articles first. When none of those quotes the person and a full name was
        # asked, a few more articles that write that full name (a name mentioned in many
        # articles may speak in only one of them).
        full_name = " ".join(surface or asked).casefold() if len(asked) > 1 else None
        rounds = ((SPEAKER_HITS, SPEAKER_ARTICLES), (SPEAKER_MORE_HITS, SPEAKER_MORE_ARTICLES))
        for round_number, (limit, articles) in enumerate(rounds if full_name else rounds[:1]):
            hits, complete = self._writing(replace(search, excluded_files=frozenset(read)), limit, written)
            if not hits:
                break
            to_read, after = hits, 1
            if round_number and full_name:
                # The second look reads only the passages that write the full name.
                to_read, after = [hit for hit in hits if full_name in hit.passage.text.casefold()], 0
            read.update(list(dict.fromkeys(hit.passage.file for hit in to_read))[:articles])
            found = self._statements_of(asked, aliases, hits, to_read, articles, after, topic, question.when)
            scored = self._same_person(found, asked)
            if scored or (complete and {hit.passage.file for hit in hits} <= read):
                break
        # Without a statement by them (on the topic, if one was asked), the best passage about
        # the question that names them; never one that does not.
        named = _Named(tuple(surname_terms + alias_terms), written)
        who = question.speaker or " ".join(surface or asked).title()
        if not scored:
            return self._fact_answer(question, named, tuple(topic), f"The coverage doesn't quote {who} on that.")
        scored.sort(key=lambda s: s.score, reverse=True)
        if topic and _topic_share(scored[0].statement, topic, self) == 0.0:
            return self._fact_answer(question, named, tuple(topic), f"The coverage quotes {who}, but not on that.")
        picks = [(i.statement.passage, i.statement.start, i.statement.end, i.score, i.statement.speaker.mention.surface) for i in scored]
        return Answer(question.text, True, self._collect(picks), kind="speaker")

    def _statements_of(
        self,
        asked: tuple[str, ...],
        aliases: set[str],
        hits: Sequence[Hit],
        to_read: Sequence[Hit],
        articles: int,
        after: int,
        topic: list[str],
        when: date | bool | None,
    ) -> list[_Scored]:
        """The statements by the asked person in the first ``articles`` articles of ``to_read``
        (each hit's passage and ``after`` passages after it), scored."""
        best_hit = hits[0].score or 1.0
        article_rank: dict[str, float] = {}
        for hit in hits:
            article_rank.setdefault(hit.passage.file, hit.score / best_hit)
        topic_weight = sum(self.idf(t) for t in topic) or 1.0
        found: list[_Scored] = []
        for window in self.windows(to_read, articles=articles, before=WINDOW_BEFORE, after=after):
            for infos in analyse(window):
                for statement in statements(infos, prefer=lambda m: name_matches(asked, m) > 0):
                    match = name_matches(asked, statement.speaker.mention)
                    if not match and aliases and set(statement.speaker.mention.name) & aliases:
                        match = 1
                    if match:
                        score = self._statement_score(statement, topic, topic_weight, match, article_rank, when)
                        found.append(_Scored(statement, score, match))
        return found

    def _same_person(self, scored: list[_Scored], asked: tuple[str, ...]) -> list[_Scored]:
        """Statements by the surname alone ("Brady said"), checked against the full names their
        article gives: kept as this person when the article names them in full, dropped when it
        names only others of that surname ("Karren Brady" when "John Brady" was asked).
        """
        if len(asked) < 2:
            return scored
        verdicts: dict[str, int | None] = {}
        kept: list[_Scored] = []
        for item in scored:
            if item.match == 1:
                file = item.statement.passage.file
                if file not in verdicts:
                    verdicts[file] = self._named_in_full(file, asked)
                if verdicts[file] == 0:
                    continue
                if verdicts[file] == 2:
                    item = _Scored(item.statement, item.score + MATCH_WEIGHT, 2)
            kept.append(item)
        return kept

    def _named_in_full(self, file: str, asked: tuple[str, ...]) -> int | None:
        """2 when the article names the asked person in full, 0 when its full names with that
        surname are all someone else's, None when it gives no full name with that surname."""
        count = self.coverage.articles[file].passages if file in self.coverage.articles else 0
        # A cheap filter before reading names: spelling variants (Zelensky / Zelenskyy) share a start.
        start = asked[-1][:3]
        others = False
        for passage in self.engine.article_passages(file, min(count, FULL_NAME_PASSAGES)):
            if start not in passage.text.casefold():
                continue
            for mention in mentions(passage.text):
                if len(mention.name) < 2 or not mention.person_like or not similar(asked[-1], mention.name[-1]):
                    continue
                if name_matches(asked, mention) == 2:
                    return 2
                others = True
        return 0 if others else None

    def _collect(self, ranked: Sequence[tuple[Passage, int, int, float, str | None]]) -> tuple[Citation, ...]:
        """The best citation from each article, up to ``top``; the same words in another file (wire
        copy) are cited under the first quote instead of repeating it."""
        citations: list[Citation] = []
        by_quote: dict[str, int] = {}
        files: set[str] = set()
        for passage, start, end, score, speaker in ranked:
            key = fold(passage.text[start:end])
            if key in by_quote:
                twin = citations[by_quote[key]]
                if passage.file != twin.source and passage.file not in twin.also:
                    citations[by_quote[key]] = replace(twin, also=(*twin.also, passage.file))
                files.add(passage.file)
                continue
            if passage.file in files or len(citations) >= self.top:
                continue
            files.add(passage.file)
            by_quote[key] = len(citations)
            citations.append(self._citation(passage, start, end, score, speaker))
        return tuple(citations)

    def _statement_score(
        self,
        statement: Statement,
        topic: list[str],
        topic_weight: float,
        match: int,
        article_rank: dict[str, float],
        when: date | bool | None,
    ) -> float:
        score = _HOW_WEIGHT.get(statement.speaker.how, 0.5) + self.recency(statement.passage.file, when)
        score += MATCH_WEIGHT * match
        score += 0.5 if statement.direct else 0.0
        score += 0.5 * article_rank.get(statement.passage.file, 0.0)
        if topic:
            score += 4.0 * _topic_share(statement, topic, self)
            passage_terms = set(tokens(statement.passage.text))
            score += 1.0 * sum(self.idf(t) for t in topic if t in passage_terms) / topic_weight
        return score

    # -- fact questions --------------------------------------------------------------------

    def _fact_answer(
        self, question: Question, named: _Named | None = None, topic: tuple[str, ...] = (), not_found: str = DOESNT_SAY
    ) -> Answer:
        """The sentences that best answer ``question``. For a speaker question without a statement
        by the speaker: only from passages that name them (or follow one that does) and hold a
        word of the ``topic`` asked, if any."""
        when = question.when
        counts: dict[str, float] = defaultdict(float)
        for term in question.terms:
            counts[term] += 1.0
        hits = self.engine.search(Search(tuple(counts.items())), FACT_CANDIDATES)
        if named is not None:
            on_topic = [h for h in hits if not topic or set(topic) & set(tokens(h.passage.text))]
            required = (named.terms, topic) if topic else (named.terms,)
            hits = self._naming(on_topic, named.written) or self._writing(
                Search(tuple(counts.items()), required=required), FACT_CANDIDATES, named.written
            )[0]
        unknown = [t for t in counts if not self._df(t)]
        known = self._known_weights(question, counts) if hits else None
        if known is None or not self._covers(known, set(tokens(hits[0].passage.text))):
            return self._not_found(question, not_found, self._suggest_terms(question, unknown))
        query = list(counts)
        wanted = _answer_type(question.text)
        sentences: list[_Sentence] = []
        for hit in hits:
            for start, end in sentence_spans(hit.passage.text):
                sentences.append(_Sentence(hit.passage, start, end, tokens(hit.passage.text[start:end])))
        scorer = BM25Okapi([s.terms or ["\u2205"] for s in sentences])
        raw = list(scorer.get_scores(query))
        best_raw = max(raw) or 1.0
        best_passage = hits[0].score or 1.0
        weights = {t: self.idf(t) for t in counts}
        total_weight = sum(weights.values()) or 1.0
        article_evidence: dict[str, float] = defaultdict(float)
        for hit in hits:
            article_evidence[hit.passage.file] += hit.score / best_passage
        best_article = max(article_evidence.values())
        passage_score: dict[str, float] = {}
        passage_terms: dict[str, set[str]] = {}
        pairs = _bigrams(question.terms)
        for hit in hits:
            sequence = tokens(hit.passage.text)
            present = passage_terms[hit.passage.key] = set(sequence)
            share = sum(w for t, w in weights.items() if t in present) / total_weight
            passage_score[hit.passage.key] = (
                hit.score / best_passage
                + COVERAGE_WEIGHT * share
                + ARTICLE_WEIGHT * article_evidence[hit.passage.file] / best_article
                + PAIR_WEIGHT * _pairs_kept(sequence, pairs)
            )
        combined = [
            SENTENCE_WEIGHT * raw[i] / best_raw
            + (1 - SENTENCE_WEIGHT) * passage_score[s.passage.key]
            + (TYPE_BONUS if wanted and wanted(s.passage.text[s.start : s.end]) else 0.0)
            + self.recency(s.passage.file, when)
            for i, s in enumerate(sentences)
        ]
        ranked = sorted(range(len(sentences)), key=combined.__getitem__, reverse=True)
        picks: list[tuple[Passage, int, int, float, str | None]] = []
        seen_files: set[str] = set()
        for index in ranked:
            sentence = sentences[index]
            if sentence.passage.file in seen_files:
                continue
            if picks and (
                combined[index] < 0.6 * combined[ranked[0]]
                or not self._covers(known, passage_terms[sentence.passage.key])
            ):
                continue
            seen_files.add(sentence.passage.file)
            start, end = self._extend(index, sentences, combined, wanted)
            picks.append((sentence.passage, start, end, combined[index], None))
        return Answer(question.text, True, self._collect(picks), kind="fact")

    def _extend(
        self, index: int, sentences: list[_Sentence], scores: Sequence[float], wanted: Callable[[str], bool] | None
    ) -> tuple[int, int]:
        """The best sentence and the neighbours a reader needs with it.

        A sentence that leans on the one before ("It is a single-step engine", "He called it
        packet switching") takes that one along; one that the next sentence continues (the next
        opens with "It", "This", "The governor") takes the next; so does a quotation left open,
        a sentence too short to stand alone, or a neighbour nearly as relevant. When the question
        asks for a number or a date that only a neighbour holds, the neighbour comes too.
        """
        best = sentences[index]
        text = best.passage.text

        def neighbour(k: int) -> _Sentence | None:
            if 0 <= k < len(sentences) and sentences[k].passage is best.passage:
                return sentences[k]
            return None

        before, after = neighbour(index - 1), neighbour(index + 1)
        start, end = best.start, best.end
        own = text[start:end]
        take_before = before is not None and (
            _leans_back(own) or scores[index - 1] >= NEIGHBOUR_SHARE * scores[index]
        )
        take_after = after is not None and (
            _leans_back(text[after.start : after.end])
            or own.count("\u201c") > own.count("\u201d")
            or len(own.split()) < 6
            or scores[index + 1] >= NEIGHBOUR_SHARE * scores[index]
        )
        if wanted is not None and not wanted(own):
            take_after = take_after or (after is not None and wanted(text[after.start : after.end]))
            take_before = take_before or (before is not None and not take_after and wanted(text[before.start : before.end]))
        if take_before and before is not None:
            start = before.start
        if take_after and after is not None:
            end = after.end
        return start, end

    def _writing(self, search: Search, limit: int, written: Sequence[str]) -> tuple[list[Hit], bool]:
        """The best ``limit`` hits that write one of the ``written`` forms, and whether the search
        ran out of hits (no more to find). More are fetched only when some were dropped."""
        for wanted in (limit, limit * WRITTEN_MORE):
            hits = self.engine.search(search, wanted)
            kept = [hit for hit in hits if _writes(hit.passage.text, written)]
            if len(kept) == len(hits) or len(hits) < wanted:
                break
        return kept[:limit], len(hits) < wanted

    def _naming(self, hits: list[Hit], written: Sequence[str]) -> list[Hit]:
        """The hits whose passage, or the passage just before it, names the person (a quotation
        often runs on into the paragraph after the one that names its speaker)."""
        naming = {hit.passage.key for hit in hits if _writes(hit.passage.text, written)}
        before = self.engine.passages(
            passage_key(h.passage.file, h.passage.ordinal - 1) for h in hits if h.passage.ordinal and h.passage.key not in naming
        )
        naming.update(passage_key(p.file, p.ordinal + 1) for p in before.values() if _writes(p.text, written))
        return [hit for hit in hits if hit.passage.key in naming]

    def _known_weights(self, question: Question, counts: dict[str, float]) -> dict[str, float] | None:
        """The idf of each question term the coverage knows — or None when the question is off the
        coverage altogether: its names are all unknown, or its unknown words outweigh its known ones."""
        names = [t for w in question.text.split()[1:] if w[:1].isupper() for t in tokens(w)]
        if names and not any(self.engine.exists(t) for t in names):
            return None
        unseen = self.idf("\u2205unseen")
        known = {t: self.idf(t) for t in counts if self._df(t)}
        unknown_weight = unseen * sum(1 for t in counts if t not in known)
        if unknown_weight > 2 * sum(known.values()):
            return None
        return known

    @staticmethod
    def _covers(known: dict[str, float], passage_terms: set[str]) -> bool:
        """Whether a passage holds enough of the question's known weight to answer it."""
        matched = sum(weight for t, weight in known.items() if t in passage_terms)
        return matched >= MIN_COVERAGE * sum(known.values())

    def _suggest_terms(self, question: Question, unknown: Sequence[str]) -> list[str]:
        words = [w for w in question.text.split() if w[:1].isupper()]
        suggestions: list[str] = []
        for word in words[1:] if len(words) > 1 else words:
            stems = tokens(word)
            if stems and stems[0] in unknown:
                suggestions.extend(self._suggest(word.strip("?.,!\"'")))
        return list(dict.fromkeys(suggestions))[:3]


_ROLE_WORDS = frozenset(
    "president vice secretary general minister prime chancellor senator governor mayor judge chief executive "
    "director spokesman spokeswoman spokesperson ambassador envoy chairman chair ceo commissioner speaker leader "
    "attorney deputy host anchor".split()
)


_NUMBER = re.compile(r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|hundred|thousand|million|billion|dozens?|half)\b", re.IGNORECASE)
_MONEY = re.compile(r"[$\u00a3\u20ac\u00a5]|\b(?:dollars?|euros?|pounds?|billion|million|cents?)\b", re.IGNORECASE)
_YEAR = re.compile(r"\b(?:1[5-9]\d\d|20\d\d)s?\b|\b(?:january|february|march|april|may|june|july|august|september|october|november|december)\b|\b\d{1,2}(?:st|nd|rd|th)? century\b", re.IGNORECASE)
_PERCENT = re.compile(r"%|\bper ?cent\b", re.IGNORECASE)


def _answer_type(question: str) -> Callable[[str], bool] | None:
    """What kind of answer a question asks for, as a test on a sentence (None when it does not say)."""
    q = question.lower()
    if re.match(r"^\s*how (?:much|expensive|costly)\b", q):
        return lambda s: bool(_MONEY.search(s) or _NUMBER.search(s))
    if re.match(r"^\s*(?:how (?:many|long|old|far|large|big|tall|high|often|fast)|what (?:percentage|percent|proportion|number|amount))\b", q):
        return lambda s: bool(_NUMBER.search(s) or _PERCENT.search(s))
    if re.match(r"^\s*(?:when|what (?:year|date|day|month|decade|century|time)|in what (?:year|decade|century|month))\b", q):
        return lambda s: bool(_YEAR.search(s))
    return None


_ANAPHORA = re.compile(
    r"^[\"\u201c'\u2018(]*(?:it|its|he|his|she|her|they|their|them|this|these|that|those|such|the (?:[\w-]+ ){0,2}(?:was|is|were|are|had|has|could|would|did|also))\b",
    re.IGNORECASE,
)


def _leans_back(sentence: str) -> bool:
    """Whether a sentence opens by pointing back to the one before ("It is ...", "The governor could ...")."""
    return bool(_ANAPHORA.match(sentence))


def _pairs_kept(sequence: Sequence[str], pairs: Sequence[tuple[str, str]]) -> float:
    """Share of the question's adjacent term pairs that a passage keeps within two words of each other."""
    if not pairs:
        return 0.0
    where: dict[str, list[int]] = defaultdict(list)
    for position, term in enumerate(sequence):
        where[term].append(position)
    kept = sum(
        1 for a, b in pairs if any(abs(i - j) <= 2 for i in where.get(a, ()) for j in where.get(b, ()))
    )
    return kept / len(pairs)


def _bigrams(terms: Sequence[str]) -> tuple[tuple[str, str], ...]:
    """Adjacent question terms, searched as near-phrases so passages keeping them together rank higher."""
    return tuple(dict.fromkeys((a, b) for a, b in zip(terms, terms[1:]) if a != b))


def _topic_share(statement: Statement, topic: list[str], answerer: Answerer) -> float:
    terms = set(tokens(statement.text))
    weight = sum(answerer.idf(t) for t in topic) or 1.0
    return sum(answerer.idf(t) for t in topic if t in terms) / weight


def _edit_distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]

