"""The search interface the answerer talks to, and its engine: BM25 over passages, kept on disk by tantivy.

Why tantivy and not rank-bm25 for the corpus: measured on 1 M news passages (see the README's
benchmark), rank-bm25 scores every passage for every query term (about 1.1 s a question),
while tantivy answers from an inverted index in milliseconds, keeps its index on disk
(the cache: it opens in milliseconds), adds and deletes documents incrementally, and has the
fuzzy and phrase queries that misspelled names and quote checks need. rank-bm25 stays where it
is the right tool: ranking the few sentences of the best passages, and as the reference scorer
in the tests.

Scoring differs from rank-bm25's ``BM25Okapi`` in one documented way: tantivy (like Lucene) uses
``idf = ln(1 + (N - n + 0.5) / (n + 0.5))``, which is never negative, where BM25Okapi uses
``ln((N - n + 0.5) / (n + 0.5))`` floored at ``0.25 * mean idf``. tantivy uses k1 = 1.2, b = 0.75
(rank-bm25's default k1 is 1.5; the reference test sets 1.2), and stores document lengths in one
byte (exact up to 40 terms, within a few percent above).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import tantivy

from .errors import IndexBusy
from .passages import Passage, passage_key
from .text import ANALYZER_NAME, analyzer



def _encode_place(p: Passage) -> bytes:
    """Where a passage sits (ordinal, line span, line map, section), packed into one stored field:
    one field instead of five saves a few microseconds per passage, seconds at a million."""
    lines = ",".join(f"{offset}:{number}" for offset, number in p.lines)
    return f"{p.ordinal} {p.line_start} {p.line_end} {lines}\n{p.section or ''}".encode()


def _decode_place(raw: bytes) -> tuple[int, int, int, tuple[tuple[int, int], ...], str | None]:
    head, _, section = raw.decode().partition("\n")
    ordinal, line_start, line_end, *rest = head.split(" ")
    pairs = (item.split(":") for item in rest[0].split(",")) if rest and rest[0] else ()
    lines = tuple((int(offset), int(number)) for offset, number in pairs)
    return int(ordinal), int(line_start), int(line_end), lines, section or None


#: Memory for the index writer (tantivy splits it between its threads); more means fewer segment merges.
WRITER_HEAP = 200_000_000
#: How far apart (in positions) the two terms of a phrase pair may be, and how much a match adds.
PHRASE_SLOP = 2
PHRASE_BOOST = 0.3


@dataclass(frozen=True, slots=True)
class Search:
    """A query in index terms: weighted optional terms, plus groups of which one term must match."""

    terms: tuple[tuple[str, float], ...]
    required: tuple[tuple[str, ...], ...] = ()
    excluded_files: frozenset[str] = field(default_factory=frozenset)
    #: Pairs of terms that score extra when they occur near each other (within ``PHRASE_SLOP``).
    phrases: tuple[tuple[str, str], ...] = ()
    #: How much a near-phrase match adds, relative to its own BM25 score.
    phrase_boost: float = PHRASE_BOOST


@dataclass(frozen=True, slots=True)
class Hit:
    score: float
    passage: Passage


class SearchEngine(Protocol):
    """What answering needs from a passage index. One implementation today; a distributed engine
    (Quickwit, OpenSearch) would implement the same few methods."""

    @property
    def size(self) -> int: ...

    def search(self, query: Search, limit: int) -> list[Hit]: ...

    def fuzzy_search(self, term: str, distance: int, limit: int) -> list[Hit]: ...

    def doc_freq(self, term: str) -> int: ...

    def exists(self, term: str) -> bool: ...

    def terms_with_prefix(self, prefix: str, limit: int | None = None) -> list[tuple[str, int]]: ...

    def passages(self, keys: Iterable[str]) -> dict[str, Passage]: ...


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("text", stored=True, tokenizer_name=ANALYZER_NAME, index_option="position")
    builder.add_text_field("file", stored=True, tokenizer_name="raw", index_option="basic")
    builder.add_text_field("key", stored=True, tokenizer_name="raw", index_option="basic")
    builder.add_bytes_field("place", stored=True)
    return builder.build()


class TantivyEngine:
    """Passages in a tantivy index directory. Reading is thread-safe; one writer at a time."""

    def __init__(self, path: Path, *, create: bool = False) -> None:
        self.path = path
        self._schema = _schema()
        if create:
            if path.exists():
                shutil.rmtree(path)
            path.mkdir(parents=True)
        elif not tantivy.Index.exists(str(path)):
            raise FileNotFoundError(f"no index at {path}")
        self._index = tantivy.Index(self._schema, path=str(path), reuse=not create)
        self._index.register_tokenizer(ANALYZER_NAME, analyzer())
        self._searcher = self._index.searcher()
        self._writer: tantivy.IndexWriter | None = None

    # -- reading ---------------------------------------------------------------------------

    @property
    def size(self) -> int:
        return self._searcher.num_docs

    def _term(self, term: str, field_name: str = "text") -> tantivy.Query:
        return tantivy.Query.term_query(self._schema, field_name, term)

    def _to_query(self, query: Search) -> tantivy.Query:
        clauses: list[tuple[tantivy.Occur, tantivy.Query]] = []
        for term, boost in query.terms:
            clause = self._term(term)
            if boost != 1.0:
                clause = tantivy.Query.boost_query(clause, boost)
            clauses.append((tantivy.Occur.Should, clause))
        for first, second in query.phrases:
            phrase = tantivy.Query.phrase_query(self._schema, "text", [first, second], slop=PHRASE_SLOP)
            clauses.append((tantivy.Occur.Should, tantivy.Query.boost_query(phrase, query.phrase_boost)))
        for group in query.required:
            alternatives = [(tantivy.Occur.Should, self._term(term)) for term in group]
            # Matching is required, but the group scores nothing: the terms are in ``terms``
            # already when they should count.
            clauses.append(
                (tantivy.Occur.Must, tantivy.Query.const_score_query(tantivy.Query.boolean_query(alternatives), 0.0))
            )
        for name in query.excluded_files:
            clauses.append((tantivy.Occur.MustNot, self._term(name, "file")))
        return tantivy.Query.boolean_query(clauses)

    def _hits(self, query: tantivy.Query, limit: int) -> list[Hit]:
        result = self._searcher.search(query, limit, count=False)
        return [Hit(score, self._passage(self._searcher.doc(address))) for score, address in result.hits]

    def search(self, query: Search, limit: int) -> list[Hit]:
        if not query.terms and not query.required:
            return []
        return self._hits(self._to_query(query), limit)

    def fuzzy_search(self, term: str, distance: int, limit: int) -> list[Hit]:
        """Passages with a term within ``distance`` edits of ``term`` (for "did you mean")."""
        return self._hits(tantivy.Query.fuzzy_term_query(self._schema, "text", term, distance=distance), limit)

    def doc_freq(self, term: str) -> int:
        """Passages containing ``term`` as the index statistics see it (deleted passages count until merged)."""
        return self._searcher.doc_freq("text", term)

    def exists(self, term: str) -> bool:
        """Whether any passage contains ``term`` now. The index statistics still count deleted
        passages until segments merge, so a non-zero count is confirmed with a one-hit search."""
        if not self._searcher.doc_freq("text", term):
            return False
        return bool(self._searcher.search(self._term(term), 1, count=False).hits)

    def terms_with_prefix(self, prefix: str, limit: int | None = None) -> list[tuple[str, int]]:
        return self._searcher.terms_with_prefix("text", prefix, limit=limit)

    def passages(self, keys: Iterable[str]) -> dict[str, Passage]:
        wanted = list(dict.fromkeys(keys))
        if not wanted:
            return {}
        query = tantivy.Query.term_set_query(self._schema, "key", wanted)
        result = self._searcher.search(query, len(wanted), count=False)
        found = (self._passage(self._searcher.doc(address)) for _, address in result.hits)
        return {passage.key: passage for passage in found}

    def neighbours(self, passage: Passage, before: int, after: int) -> list[Passage]:
        """The passages around ``passage`` in its article, in order (itself included)."""
        keys = [passage_key(passage.file, o) for o in range(max(0, passage.ordinal - before), passage.ordinal + after + 1)]
        found = self.passages(k for k in keys if k != passage.key)
        found[passage.key] = passage
        return [found[k] for k in keys if k in found]

    def article_passages(self, file: str, count: int) -> list[Passage]:
        """The first ``count`` passages of one article (all of them, given its passage count), in order."""
        found = self.passages(passage_key(file, ordinal) for ordinal in range(count))
        return sorted(found.values(), key=lambda p: p.ordinal)

    @staticmethod
    def _passage(doc: tantivy.Document) -> Passage:
        ordinal, line_start, line_end, lines, section = _decode_place(doc.get_first("place"))
        return Passage(doc.get_first("file"), ordinal, doc.get_first("text"), line_start, line_end, section, lines)

    # -- writing ---------------------------------------------------------------------------

    def _writer_for_update(self) -> tantivy.IndexWriter:
        if self._writer is None:
            try:
                self._writer = self._index.writer(heap_size=WRITER_HEAP, num_threads=0)
            except ValueError as exc:
                if "lock" in str(exc).lower():
                    raise IndexBusy("Another newsdesk process is updating this index; try again in a moment.") from None
                raise
        return self._writer

    def lock(self) -> None:
        """Take the index's writer lock now (raises IndexBusy if another process holds it)."""
        self._writer_for_update()

    def add(self, passages: Iterable[Passage]) -> int:
        writer = self._writer_for_update()
        count = 0
        for p in passages:
            writer.add_document(
                tantivy.Document(text=p.text, file=p.file, key=p.key, place=_encode_place(p))
            )
            count += 1
        return count

    def delete_files(self, files: Iterable[str]) -> None:
        writer = self._writer_for_update()
        for name in files:
            writer.delete_documents_by_term("file", name)

    def commit(self) -> None:
        """Make the writes so far visible (atomically, by tantivy's commit); the writer lock stays held."""
        if self._writer is None:
            return
        self._writer.commit()
        self._index.reload()
        self._searcher = self._index.searcher()

    def release(self) -> None:
        """Let background merges finish and give up the writer lock."""
        if self._writer is not None:
            try:
                self._writer.wait_merging_threads()
            finally:
                self._writer = None

    def rollback(self) -> None:
        """Drop uncommitted writes and give up the writer lock."""
        if self._writer is not None:
            try:
                self._writer.rollback()
            finally:
                self._writer = None
