"""One snapshot, read: corpus statistics, passages and whole articles, dates and article facts.

Everything that answers, summarises or checks reads the coverage through a :class:`Reader`,
so they share one set of statistics (the idf of a term is the corpus's, never a handful of
candidates' own) and one table of article facts, which :func:`index.citation.cite` names
sources by. It talks to the index only
through the :class:`~index.engine.SearchEngine` protocol, so a fake engine in the tests (or a
distributed one) serves it unchanged.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property, lru_cache
from pathlib import Path

from .articles import parse_date
from .attribution import SentenceInfo, analyse
from .coverage import Coverage
from .engine import SearchEngine
from .meaning import Terms, match_terms
from .passages import Passage, passage_key
from .text import tokens

#: How strongly "latest" / "as of" questions prefer newer articles.
RECENCY_WEIGHT = 0.6
#: Above this many passages the statistics count, a term is taken to be in the index without a search.
CONFIRMED_DF = 8
#: Passages of one article read at most: an article is read whole to answer from it, and a
#: pathological one (a megabyte without paragraph breaks) must not make one question slow.
ARTICLE_PASSAGES = 60


@dataclass(frozen=True, slots=True)
class ArticleFacts:
    """What a reader needs to know about an article besides its passages."""

    name: str
    title: str | None  # the headline, when the article has one
    date: str | None
    passages: int
    stand_in: str | None = None  # what to call it without a headline (index.articles.stand_in_title)
    outlet: str | None = None
    url: str | None = None

    @property
    def label(self) -> str:
        """What to call the article when citing it: its headline, or a stand-in for one."""
        return self.title or self.stand_in or Path(self.name).name


class Reader:
    """Statistics and text of one coverage snapshot (build a new one after a refresh).

    Its caches are shared by the threads answering at once: each is read with ``get`` and
    written whole, so one thread clearing a full cache never breaks another's lookup.
    """

    def __init__(self, engine: SearchEngine, articles: Mapping[str, ArticleFacts]) -> None:
        self.engine = engine
        self.articles = articles
        self.df = lru_cache(maxsize=65536)(engine.doc_freq)
        self._articles: dict[str, tuple[Passage, ...]] = {}
        self._terms: dict[str, tuple[str, ...]] = {}
        self._known: dict[str, bool] = {}
        self._analysed: dict[tuple[str, ...], list[list[SentenceInfo]]] = {}
        self._units: dict[tuple[str, int, int], Terms] = {}

    @classmethod
    def of(cls, coverage: Coverage) -> Reader:
        """The reader of a :class:`~index.coverage.Coverage` (its engine and article table)."""
        return cls(coverage.engine, _CoverageArticles(coverage))

    @property
    def size(self) -> int:
        return self.engine.size

    def idf(self, term: str) -> float:
        """The corpus idf of an index term (tantivy's formula, so it agrees with the engine's scores)."""
        n = max(1, self.engine.size)
        df = self.df(term)
        return math.log(1.0 + (n - df + 0.5) / (df + 0.5))

    def known(self, term: str) -> bool:
        """Whether any passage holds ``term`` now (the statistics alone still count deleted passages)."""
        known = self._known.get(term)
        if known is None:
            if len(self._known) > 65536:
                self._known.clear()
            # The statistics count deleted passages until segments merge: a rare term is confirmed
            # by a search, a common one is certainly somewhere still.
            df = self.df(term)
            known = self._known[term] = df > CONFIRMED_DF or (df > 0 and self.engine.exists(term))
        return known

    def facts(self, file: str) -> ArticleFacts | None:
        return self.articles.get(file)

    def passages(self, keys: Iterable[str]) -> dict[str, Passage]:
        return self.engine.passages(keys)

    def article(self, file: str) -> tuple[Passage, ...]:
        """An article's passages in order (at most ``ARTICLE_PASSAGES``), cached per snapshot."""
        return self.articles_of([file])[file]

    def articles_of(self, files: Sequence[str]) -> dict[str, tuple[Passage, ...]]:
        """Several articles' passages, those not cached yet fetched in one request."""
        result = {file: cached for file in files if (cached := self._articles.get(file)) is not None}
        missing = [f for f in dict.fromkeys(files) if f not in result]
        if missing:
            keys = []
            for file in missing:
                facts = self.articles.get(file)
                keys += [passage_key(file, o) for o in range(min(facts.passages if facts else 0, ARTICLE_PASSAGES))]
            found: dict[str, list[Passage]] = defaultdict(list)
            for passage in self.engine.passages(keys).values():
                found[passage.file].append(passage)
            if len(self._articles) + len(missing) > 256:
                self._articles.clear()
            for file in missing:
                result[file] = self._articles[file] = tuple(sorted(found.get(file, ()), key=lambda p: p.ordinal))
        return result

    def analysed(self, passages: Sequence[Passage]) -> list[list[SentenceInfo]]:
        """Who says what in consecutive passages of one article (:func:`index.attribution.analyse`),
        cached: the articles people ask about are read again and again."""
        key = tuple(p.key for p in passages)
        cached = self._analysed.get(key)
        if cached is None:
            if len(self._analysed) > 512:
                self._analysed.clear()
            cached = self._analysed[key] = analyse(passages)
        return cached

    def terms(self, passage: Passage) -> tuple[str, ...]:
        """A passage's index terms, in order (cached: candidates and evidence both read them)."""
        cached = self._terms.get(passage.key)
        if cached is None:
            if len(self._terms) > 4096:
                self._terms.clear()
            cached = self._terms[passage.key] = tuple(tokens(passage.text))
        return cached

    def read(self, passage: Passage, start: int, end: int) -> Terms:
        """The terms of ``passage.text[start:end]`` as answering matches them
        (:func:`index.meaning.match_terms`), cached: the same sentences recur across questions."""
        key = (passage.key, start, end)
        cached = self._units.get(key)
        if cached is None:
            if len(self._units) > 50_000:
                self._units.clear()
            cached = self._units[key] = match_terms(passage.text[start:end])
        return cached

    # -- dates -----------------------------------------------------------------------------

    def recency(self, file: str, when: date | bool | None) -> float:
        """For "latest" / "as of" questions: how much newer coverage is preferred — 0 when not
        asked, negative for articles dated after an "as of" date."""
        if when is None:
            return 0.0
        facts = self.articles.get(file)
        dated = parse_date(facts.date) if facts else None
        if dated is None:
            return 0.0
        if isinstance(when, date):
            if dated > when:
                return -1.0
            return RECENCY_WEIGHT / (1 + (when - dated).days / 30)
        newest = self._newest
        return RECENCY_WEIGHT / (1 + max(0, (newest - dated).days) / 30) if newest else 0.0

    @cached_property
    def _newest(self) -> date | None:
        dates = [d for d in (parse_date(f.date) for f in self.articles.values()) if d is not None]
        return max(dates, default=None)


class _CoverageArticles(Mapping[str, ArticleFacts]):
    """A coverage's article table seen as :class:`ArticleFacts` (built on access, like the table's rows)."""

    def __init__(self, coverage: Coverage) -> None:
        self._table = coverage.articles
        self._built: dict[str, ArticleFacts] = {}

    def __getitem__(self, name: str) -> ArticleFacts:
        facts = self._built.get(name)
        if facts is None:
            info = self._table[name]
            facts = self._built[name] = ArticleFacts(
                info.name, info.title, info.date, info.passages, info.stand_in, info.meta.get("outlet"), info.meta.get("url")
            )
        return facts

    def __iter__(self) -> Iterator[str]:
        return iter(self._table)

    def __len__(self) -> int:
        return len(self._table)

    def __contains__(self, name: object) -> bool:
        return name in self._table
