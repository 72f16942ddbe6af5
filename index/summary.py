"""Summaries of the coverage, extractive: every point is a whole sentence quoted word for word, with its source.

Sentences are ranked by LexRank — PageRank over a graph whose edges are the TF-IDF cosine
similarity of two sentences — so a point is one the rest of the coverage agrees with, then
picked greedily with a redundancy penalty (maximal marginal relevance). When two outlets say
the same thing, the point cites both instead of repeating it. On a large corpus the graph is
built over the few hundred candidates nearest the centroid, which keeps a summary of a
thousand articles well under a second.

Kinds: ``overview`` (what the coverage is about, then who said what), ``topic``, ``article``,
``person`` and ``recent`` (what the latest refresh added or changed).
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from .attribution import Statement, quoted_names
from .citation import Citation, cite
from .coverage import Coverage
from .engine import Search, SearchEngine, article_passages
from .names import fold_name
from .passages import Passage, passage_key
from .people import People, Said, Unknown
from .reader import Reader
from .table import ArticleInfo
from .text import sentence_spans, tokens

#: Cosine similarity above which two sentences say the same thing (one point, both cited).
SAME_POINT = 0.5
#: Weight of centrality against redundancy in the greedy pick (maximal marginal relevance).
MMR_LAMBDA = 0.7
#: Penalty for a second point from an article already cited (points spread over articles).
ARTICLE_REPEAT_PENALTY = 0.15
#: Statements of one person this similar are the same statement reported twice (wire copy).
SAME_STATEMENT = 0.8
#: Opening passages of each article read for the overview's quotes (at least; key points come from the
#: first three), and the passages read in all when the corpus is small.
LEAD_PASSAGES = 6
QUOTE_BUDGET = 3000
#: The most articles a summary of the latest refresh reads.
RECENT_ARTICLES = 80
#: Candidates the similarity graph is built over, at most.
GRAPH_LIMIT = 300


@dataclass(frozen=True, slots=True)
class Summary:
    """A summary: its points, each an exact excerpt (whole sentences) cited, whose ``also`` is the
    same point in other articles and ``speaker`` the person quoted."""

    kind: str
    title: str
    points: tuple[Citation, ...] = ()
    quotes: tuple[Citation, ...] = ()  # "who said what" (overview)
    message: str | None = None
    abstract: str | None = None  # the optional abstractive rewrite, citations kept


@dataclass(slots=True)
class _Candidate:
    passage: Passage
    start: int
    end: int
    terms: list[str]
    position: int  # order in the article (passage ordinal, then sentence)
    relevance: float = 0.0
    speaker: str | None = None

    @property
    def text(self) -> str:
        return self.passage.text[self.start : self.end]


_NEEDS_CONTEXT = re.compile(
    r"^(?:he|she|they|it|this|that|these|those|his|her|their|its|but|and|so|however|meanwhile|still|also|yet|"
    r"then|such|there|here)\b",
    re.IGNORECASE,
)


def own_words(statement: Statement) -> list[tuple[int, int]]:
    """The runs of a statement's sentences that are its speaker's own words, direct or reported:
    a sentence only about their words ("Trump's remarks come amid …", "Despite his appeal, …")
    reports nothing they said and is left out. Offsets in the statement's passage."""
    runs: list[tuple[int, int]] = []
    current: tuple[int, int] | None = None
    for sentence in statement.sentences:
        how = sentence.speakers[0].how if sentence.speakers else None
        text = sentence.passage.text[sentence.start : sentence.end]
        theirs = sentence.quoted > 0 or (how is not None and how not in ABOUT_NOT_BY and not _THEIR_WORDS_AS_SUBJECT.match(text))
        if theirs:
            current = (current[0], sentence.end) if current else (sentence.start, sentence.end)
        elif current:
            runs.append(current)
            current = None
    if current:
        runs.append(current)
    return runs


#: How a sentence is tied to a person when it speaks of their words without giving them ("his remarks").
ABOUT_NOT_BY = frozenset({"possessive"})
#: A sentence whose subject is someone's words ("Trump's remarks come …", "His past remarks raised …").
_THEIR_WORDS_AS_SUBJECT = re.compile(
    r"^\W*(?:(?:but|and|however|yet|still|so|despite)\b,?\s+)?(?:[A-Z][\w.-]*\s){0,3}?"
    r"(?:[A-Z][\w-]*[\u2019']s|his|her|their)\s+(?:[\w-]+\s+){0,2}?"
    r"(?:remarks?|comments?|message|messages|suggestion|appeal|words|statement|statements|position|stance|rhetoric|claims?)\b",
    re.IGNORECASE,
)


def _stands_alone(text: str) -> bool:
    """A sentence worth a point: a statement of reasonable length that needs no earlier sentence."""
    words = len(text.split())
    if words < 8 or words > 70 or text.rstrip().endswith("?"):
        return False
    if _NEEDS_CONTEXT.match(text.lstrip("\"'\u201c\u2018 ")):
        return False
    return text.count("\u201c") == text.count("\u201d") and text.count('"') % 2 == 0


class Summarizer:
    """Summaries over one coverage snapshot."""

    def __init__(self, coverage: Coverage, reader: Reader | None = None) -> None:
        self.coverage = coverage
        self.engine: SearchEngine = coverage.engine
        self.reader = reader or Reader.of(coverage)
        self.people = People(self.reader)

    # -- shared machinery ------------------------------------------------------------------

    def _candidates(self, passages: Iterable[Passage], *, only_standalone: bool = True) -> list[_Candidate]:
        found: list[_Candidate] = []
        for passage in passages:
            for index, (start, end) in enumerate(sentence_spans(passage.text)):
                text = passage.text[start:end]
                if only_standalone and not _stands_alone(text):
                    continue
                terms = tokens(text)
                if terms:
                    found.append(_Candidate(passage, start, end, terms, passage.ordinal * 1000 + index))
        return found

    def _vectors(self, candidates: Sequence[_Candidate]) -> np.ndarray:
        """Unit TF-IDF rows (idf from the whole coverage), one per candidate."""
        vocabulary: dict[str, int] = {}
        for candidate in candidates:
            for term in candidate.terms:
                vocabulary.setdefault(term, len(vocabulary))
        matrix = np.zeros((len(candidates), max(1, len(vocabulary))), dtype=np.float32)
        for row, candidate in enumerate(candidates):
            for term in candidate.terms:
                matrix[row, vocabulary[term]] += 1.0
        idf = np.ones(max(1, len(vocabulary)), dtype=np.float32)
        for term, column in vocabulary.items():
            idf[column] = self.reader.idf(term)
        matrix = np.log1p(matrix) * idf
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        return matrix / np.where(norms == 0, 1.0, norms)

    @staticmethod
    def _lexrank(similarity: np.ndarray, damping: float = 0.85) -> np.ndarray:
        """PageRank over the similarity graph (self-loops removed, rows normalised)."""
        n = similarity.shape[0]
        weights = similarity.copy()
        np.fill_diagonal(weights, 0.0)
        totals = weights.sum(axis=1, keepdims=True)
        transition = np.where(totals > 0, weights / np.where(totals == 0, 1.0, totals), 1.0 / n)
        rank = np.full(n, 1.0 / n)
        for _ in range(100):
            updated = (1 - damping) / n + damping * (transition.T @ rank)
            if np.abs(updated - rank).sum() < 1e-6:
                return updated
            rank = updated
        return rank

    def _rank(self, candidates: list[_Candidate], relevance_weight: float = 0.0) -> tuple[list[_Candidate], np.ndarray]:
        """Candidates narrowed to the graph limit by closeness to the centroid, and their similarity matrix.

        Closeness is computed on sparse term weights, so a thousand articles' worth of candidates
        never becomes a dense matrix; only the few hundred kept do.
        """
        if len(candidates) > GRAPH_LIMIT:
            weighted = []
            centroid: dict[str, float] = defaultdict(float)
            for candidate in candidates:
                counts: dict[str, float] = defaultdict(float)
                for term in candidate.terms:
                    counts[term] += 1.0
                vector = {t: math.log1p(c) * self.reader.idf(t) for t, c in counts.items()}
                norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
                vector = {t: v / norm for t, v in vector.items()}
                weighted.append(vector)
                for term, value in vector.items():
                    centroid[term] += value
            closeness = [
                sum(value * centroid[t] for t, value in vector.items()) + relevance_weight * c.relevance
                for vector, c in zip(weighted, candidates)
            ]
            keep = sorted(range(len(candidates)), key=closeness.__getitem__, reverse=True)[:GRAPH_LIMIT]
            candidates = [candidates[i] for i in keep]
        vectors = self._vectors(candidates)
        return candidates, vectors @ vectors.T

    def _pick(
        self,
        candidates: list[_Candidate],
        count: int,
        *,
        relevance_weight: float = 0.0,
        one_per_article: bool = False,
    ) -> list[Citation]:
        """The ``count`` most central, mutually different sentences, with duplicates cited together."""
        if not candidates:
            return []
        candidates, similarity = self._rank(candidates, relevance_weight)
        centrality = self._lexrank(similarity)
        centrality = centrality / (centrality.max() or 1.0)
        if relevance_weight:
            relevance = np.array([c.relevance for c in candidates], dtype=np.float32)
            centrality = centrality + relevance_weight * relevance / (relevance.max() or 1.0)
        chosen: list[int] = []
        used_files: set[str] = set()
        while len(chosen) < count:
            best, best_score = -1, -math.inf
            for i in range(len(candidates)):
                if i in chosen or (one_per_article and candidates[i].passage.file in used_files):
                    continue
                redundancy = max((similarity[i, j] for j in chosen), default=0.0)
                if redundancy >= SAME_POINT:
                    continue
                # Prefer spreading points over articles, without refusing a second one from the same.
                repeat = ARTICLE_REPEAT_PENALTY if candidates[i].passage.file in used_files else 0.0
                score = MMR_LAMBDA * centrality[i] - (1 - MMR_LAMBDA) * redundancy - repeat
                if score > best_score:
                    best, best_score = i, score
            if best < 0:
                break
            chosen.append(best)
            used_files.add(candidates[best].passage.file)
        points = []
        for i in chosen:
            candidate = candidates[i]
            also = []
            seen = {candidate.passage.file}
            for j in np.argsort(-similarity[i]):
                other = candidates[int(j)]
                if similarity[i, j] < SAME_POINT:
                    break
                if other.passage.file not in seen:
                    seen.add(other.passage.file)
                    also.append(cite(self.reader, other.passage, other.start, other.end))
            point = cite(self.reader, candidate.passage, candidate.start, candidate.end, speaker=candidate.speaker)
            points.append(replace(point, also=tuple(also)))
        return points

    def _passages(self, info: ArticleInfo, limit: int | None = None) -> list[Passage]:
        count = info.passages if limit is None else min(limit, info.passages)
        return article_passages(self.engine, info.name, count)

    # -- kinds -----------------------------------------------------------------------------

    def summarize(
        self, *, topic: str | None = None, article: str | None = None, person: str | None = None, since_refresh: bool = False
    ) -> Summary:
        """The one summary asked for (the first given of topic, article, person, since_refresh), else the overview."""
        if topic:
            return self.topic(topic)
        if article:
            return self.article(article)
        if person:
            return self.person(person)
        if since_refresh:
            return self.recent()
        return self.overview()

    def overview(self, points: int = 5, people: int = 4) -> Summary:
        """How many articles, the key points from different articles, then who said what."""
        articles = list(self.coverage.articles.values())
        title = f"The coverage: {len(articles)} articles, {self.coverage.passage_count} passages"
        if not articles:
            return Summary("overview", title, message="No articles are indexed yet.")
        # Who said what reads the opening passages of every article — all of them in a small corpus.
        per_article = max(LEAD_PASSAGES, QUOTE_BUDGET // len(articles))
        keys = [passage_key(a.name, o) for a in articles for o in range(min(per_article, a.passages))]
        leads = sorted(self.engine.passages(keys).values(), key=lambda p: (p.file, p.ordinal))
        key_points = self._pick(self._candidates(p for p in leads if p.ordinal < 3), points, one_per_article=True)
        return Summary("overview", title, tuple(key_points), tuple(self._who_said_what(leads, people)))

    def _who_said_what(self, leads: Sequence[Passage], people: int) -> list[Citation]:
        """The people the articles' opening passages quote most, one short quote each."""
        tally: dict[str, int] = defaultdict(int)
        display: dict[str, str] = {}
        for name, count in quoted_names(p.text for p in leads).items():
            surname = fold_name(name.split()[-1])
            tally[surname] += count
            if len(name) > len(display.get(surname, "")):
                display[surname] = name
        quotes: list[Citation] = []
        for surname in sorted(tally, key=lambda s: (-tally[s], s)):
            if len(quotes) >= people:
                break
            person = self.people.named(display[surname])
            if person is None or isinstance(person, Unknown):
                continue
            said = self.people.statements_by(person, articles=4)
            if not said:
                continue
            best = next((s for s in said if s.statement.direct and s.match == 1.0), said[0])
            statement = best.statement
            spans = sentence_spans(statement.text)
            end = statement.start + spans[0][1] if spans and len(statement.text) > 300 else statement.end
            quotes.append(cite(self.reader, statement.passage, statement.start, end, speaker=best.speaker or display[surname]))
        return quotes

    def topic(self, topic: str, points: int = 5) -> Summary:
        """What the coverage says about a topic, from the passages about it; says so when there are none."""
        title = f"What the coverage says about {topic.strip()}"
        terms = list(dict.fromkeys(tokens(topic)))
        known = [t for t in terms if self.engine.doc_freq(t)]
        weight = {t: self.reader.idf(t) for t in terms}
        total = sum(weight.values()) or 1.0
        if not terms or sum(weight[t] for t in known) < 0.6 * total:
            return Summary("topic", title, message=f"The coverage doesn't discuss {topic.strip()}.")
        hits = self.engine.search(Search(tuple((t, 1.0) for t in known)), 40)
        # A passage is about the topic when it has the topic's most specific word ("mineral" in
        # "the mineral deal") and at least half of the topic's weight.
        specific = max(known, key=weight.__getitem__)
        about: list[Passage] = []
        for hit in hits:
            present = set(tokens(hit.passage.text))
            share = sum(weight[t] for t in known if t in present) / total
            if specific in present and share >= 0.45 and hit.score >= 0.25 * hits[0].score:
                about.append(hit.passage)
        if not about:
            return Summary("topic", title, message=f"The coverage doesn't discuss {topic.strip()}.")
        candidates = [c for c in self._candidates(about) if set(c.terms) & set(known)]
        for candidate in candidates:
            present = set(candidate.terms)
            candidate.relevance = sum(weight[t] for t in known if t in present) / total
        chosen = self._pick(candidates, points, relevance_weight=1.0)
        if not chosen:
            return Summary("topic", title, message=f"The coverage mentions {topic.strip()} only in passing.")
        return Summary("topic", title, tuple(chosen))

    def article(self, name: str, points: int = 4) -> Summary:
        """One article: headline, byline, and its most central sentences in article order."""
        info = self.find_article(name)
        if info is None:
            return Summary("article", name, message=f"No indexed article matches {name!r}.")
        candidates = self._candidates(self._passages(info))
        chosen = self._pick(candidates, points)
        order = {(c.passage.file, c.text): c.position for c in candidates}
        chosen.sort(key=lambda p: order.get((p.source, p.quote), 0))
        title = info.label + (f" \u2014 by {info.byline}" if info.byline else "")
        return Summary("article", title, tuple(replace(p, also=()) for p in chosen))

    def find_article(self, name: str) -> ArticleInfo | None:
        """An article by file name, path or headline (case and spacing folded)."""
        wanted = " ".join(name.split()).casefold()
        for info in self.coverage.articles.values():
            if wanted in (info.name.casefold(), info.name.rsplit("/", 1)[-1].casefold(), (info.title or "").casefold()):
                return info
        matches = [i for i in self.coverage.articles.values() if wanted and wanted in f"{i.name} {i.title or ''}".casefold()]
        return matches[0] if len(matches) == 1 else None

    def person(self, name: str, limit: int = 12) -> Summary:
        """Everything the coverage quotes a person saying, one point per distinct statement.

        The statements are :meth:`index.people.People.statements_by`'s — the same that answer
        "What did X say?" and that ``/check`` credits — so the three never disagree on who said what.
        """
        title = f"What {name.strip()} said"
        person = self.people.named(name)
        if isinstance(person, Unknown):
            hint = f" Did you mean {' or '.join(person.suggestions[:3])}?" if person.suggestions else ""
            return Summary("person", title, message=person.message + hint)
        said: list[Said] = self.people.statements_by(person) if person is not None else []
        found: list[_Candidate] = []
        for item in said:
            if item.match < 1.0:
                continue  # a surname alone, in an article that does not say whose: maybe another person's
            for start, end in own_words(item.statement):
                passage = item.statement.passage
                terms = tokens(passage.text[start:end])
                if terms:
                    candidate = _Candidate(passage, start, end, terms, passage.ordinal * 1000 + start)
                    candidate.speaker = item.speaker
                    found.append(candidate)
        if not found:
            return Summary("person", title, message=f"The coverage doesn't quote {name.strip()}.")
        found.sort(key=lambda c: (c.passage.file, c.position))
        chosen = self._distinct(found, limit)
        return Summary("person", title, tuple(chosen))

    def quoted_people(self, limit: int = 500) -> list[str]:
        """The people the coverage quotes (read from each article's opening passages — all of them in
        a small corpus, as the overview's who said what does), most quoted first."""
        articles = list(self.coverage.articles.values())
        per_article = max(LEAD_PASSAGES, QUOTE_BUDGET // max(1, len(articles)))
        keys = [passage_key(a.name, o) for a in articles for o in range(min(per_article, a.passages))]
        tally: dict[str, int] = defaultdict(int)
        display: dict[str, str] = {}
        for name, count in quoted_names(p.text for p in self.engine.passages(keys).values()).items():
            folded = fold_name(name)
            tally[folded] += count
            display.setdefault(folded, name)
        return [display[n] for n in sorted(tally, key=lambda n: (-tally[n], n))][:limit]

    def _distinct(self, candidates: list[_Candidate], limit: int) -> list[Citation]:
        """Every statement once: near-duplicates (the same words in two outlets) become one point citing both."""
        vectors = self._vectors(candidates)
        similarity = vectors @ vectors.T
        points: list[Citation] = []
        taken: set[int] = set()
        for i, candidate in enumerate(candidates):
            if i in taken:
                continue
            same = [j for j in range(len(candidates)) if j != i and j not in taken and similarity[i, j] >= SAME_STATEMENT]
            taken.update(same)
            taken.add(i)
            also = tuple(
                cite(self.reader, candidates[j].passage, candidates[j].start, candidates[j].end)
                for j in same
                if candidates[j].passage.file != candidate.passage.file
            )
            point = cite(self.reader, candidate.passage, candidate.start, candidate.end, speaker=candidate.speaker)
            points.append(replace(point, also=also))
            if len(points) >= limit:
                break
        return points

    def recent(self, points_per_article: int = 2, articles: int = RECENT_ARTICLES) -> Summary:
        """The key points of the articles the latest refresh added or changed (the first
        ``articles`` of them; a reply pages through them)."""
        names = [n for n in self.coverage.recent if n in self.coverage.articles][:articles]
        title = f"New since the last refresh: {len(self.coverage.recent)} articles"
        if not names:
            return Summary("recent", title, message="The latest refresh added or changed no articles.")
        chosen: list[Citation] = []
        for name in names:
            info = self.coverage.articles[name]
            chosen.extend(self._pick(self._candidates(self._passages(info, limit=12)), points_per_article))
        return Summary("recent", title, tuple(chosen))
