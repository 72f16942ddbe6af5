"""A search engine held in memory, for testing each answering stage without tantivy.

It implements :class:`index.engine.SearchEngine` over passages cut by the real article reader
(:func:`index.articles.parse_article`, :func:`index.passages.make_passages`) and tokenised by the
real analyzer, scoring with BM25 (Lucene's idf, k1 = 1.2, b = 0.75, as the real engine does).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping

from index.articles import parse_article
from index.engine import Hit, Search
from index.passages import Passage, make_passages
from index.people import edit_distance
from index.reader import ArticleFacts, Reader
from index.text import tokens

K1 = 1.2
B = 0.75


class FakeEngine:
    """BM25 over an in-memory list of passages (the SearchEngine protocol, nothing more)."""

    def __init__(self, passages: Iterable[Passage]) -> None:
        self._passages = list(passages)
        self._terms = [Counter(tokens(p.text)) for p in self._passages]
        self._lengths = [sum(t.values()) for t in self._terms]
        self._average = sum(self._lengths) / max(1, len(self._lengths))
        self._df: Counter[str] = Counter()
        for terms in self._terms:
            self._df.update(terms.keys())
        self.searches = 0

    @property
    def size(self) -> int:
        return len(self._passages)

    def _idf(self, term: str) -> float:
        df = self._df[term]
        return math.log(1.0 + (self.size - df + 0.5) / (df + 0.5))

    def _score(self, index: int, weighted: Mapping[str, float]) -> float:
        terms, length = self._terms[index], self._lengths[index]
        norm = K1 * (1 - B + B * length / (self._average or 1.0))
        return sum(w * self._idf(t) * terms[t] * (K1 + 1) / (terms[t] + norm) for t, w in weighted.items() if terms[t])

    def search(self, query: Search, limit: int) -> list[Hit]:
        self.searches += 1
        weighted = dict(query.terms)
        hits = []
        for index, passage in enumerate(self._passages):
            terms = self._terms[index]
            if passage.file in query.excluded_files:
                continue
            if any(not any(terms[t] for t in group) for group in query.required):
                continue
            score = self._score(index, weighted)
            if score > 0 or query.required:
                hits.append(Hit(score, passage))
        hits.sort(key=lambda h: (-h.score, h.passage.file, h.passage.ordinal))
        return hits[:limit]

    def fuzzy_search(self, term: str, distance: int, limit: int) -> list[Hit]:
        near = {t for t in self._df if edit_distance(t, term) <= distance}
        found = [Hit(1.0, p) for i, p in enumerate(self._passages) if near & set(self._terms[i])]
        return found[:limit]

    def doc_freq(self, term: str) -> int:
        return self._df[term]

    def exists(self, term: str) -> bool:
        return self._df[term] > 0

    def terms_with_prefix(self, prefix: str, limit: int | None = None) -> list[tuple[str, int]]:
        found = sorted((t, n) for t, n in self._df.items() if t.startswith(prefix))
        return found[:limit] if limit is not None else found

    def passages(self, keys: Iterable[str]) -> dict[str, Passage]:
        wanted = set(keys)
        return {p.key: p for p in self._passages if p.key in wanted}

    def reopen(self) -> None:
        """Nothing to see: the passages never change."""

    def warm(self) -> None:
        """Nothing to load."""


def fake_reader(articles: Mapping[str, str]) -> Reader:
    """A reader over invented articles (file name to text), through the real reader and cutter."""
    passages: list[Passage] = []
    facts: dict[str, ArticleFacts] = {}
    for name, text in articles.items():
        article = parse_article(text, name)
        cut = make_passages(article)
        passages.extend(cut)
        facts[name] = ArticleFacts(
            name, article.title, article.date, len(cut), article.stand_in, article.meta.get("outlet"), article.meta.get("url")
        )
    return Reader(FakeEngine(passages), facts)
