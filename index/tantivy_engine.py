"""The embedded engine: BM25 over passages, kept on disk by tantivy (the default backend).

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

import contextlib
import hashlib
import json
import mmap
import os
import shutil
import struct
import zlib
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import tantivy

from .engine import MAX_TIED, PHRASE_SLOP, F, Hit, R, Reading, Search, decode_place, encode_place, in_order
from .errors import IndexBusy, IndexDamaged
from .passages import Passage
from .text import ANALYZER_NAME, analyzer


#: Memory for the index writer (tantivy splits it between its threads); more means fewer segment merges.
WRITER_HEAP = 200_000_000


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("text", stored=True, tokenizer_name=ANALYZER_NAME, index_option="position")
    builder.add_text_field("file", stored=True, tokenizer_name="raw", index_option="basic")
    builder.add_text_field("key", stored=True, tokenizer_name="raw", index_option="basic")
    builder.add_bytes_field("place", stored=True)
    return builder.build()


def _engine_failure(exc: BaseException) -> bool:
    """Whether ``exc`` is tantivy failing to read its files: an error it raises (ValueError,
    OSError), or a Rust panic, which pyo3 raises as a BaseException (a damaged fast field
    panics while the index opens)."""
    return isinstance(exc, (ValueError, OSError, RuntimeError)) or type(exc).__name__ == "PanicException"


@contextlib.contextmanager
def _reading(path: Path) -> Iterator[None]:
    """Turn tantivy failing to read the index in ``path`` into :class:`IndexDamaged`."""
    try:
        yield
    except IndexDamaged:
        raise
    except BaseException as exc:
        if not _engine_failure(exc):
            raise
        raise IndexDamaged(" ".join(str(exc).split())[:160] or exc.__class__.__name__) from exc


class TantivyEngine:
    """Passages in a tantivy index directory. Reading is thread-safe; one writer at a time.

    Every read turns tantivy failing on damaged files into :class:`IndexDamaged`.
    """

    def __init__(self, path: Path, *, create: bool = False) -> None:
        self.path = path
        self._schema = _schema()
        if create:
            if path.exists():
                shutil.rmtree(path)
            path.mkdir(parents=True)
        elif not tantivy.Index.exists(str(path)):
            raise FileNotFoundError(f"no index at {path}")
        with _reading(path):
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

    def _hits(self, query: tantivy.Query, limit: int, *, ties: bool = True) -> list[Hit]:
        """The best ``limit`` hits in :func:`~index.engine.in_order`. Up to ``MAX_TIED`` hits past the cut are
        collected in the same search (one search costs less than two), and read only when they
        tie with the last one kept (unless not ``ties``)."""
        if limit <= 0:
            return []
        with _reading(self.path):
            found = self._searcher.search(query, limit + (MAX_TIED if ties else 0), count=False).hits
            if len(found) > limit:
                cut = found[limit - 1][0]
                found = [(score, address) for score, address in found if score >= cut] if ties else found[:limit]
            hits = [Hit(score, self._passage(self._searcher.doc(address))) for score, address in found]
        hits.sort(key=in_order)
        return hits[:limit]

    def search(self, query: Search, limit: int) -> list[Hit]:
        if not query.terms and not query.required:
            return []
        return self._hits(self._to_query(query), limit)

    def fuzzy_search(self, term: str, distance: int, limit: int) -> list[Hit]:
        """Passages with a term within ``distance`` edits of ``term`` (for "did you mean").

        Every hit of a fuzzy query scores the same, so choosing among the ties at the cut would
        mean reading every match; the hits kept are sorted, but which ones they are may differ
        between builds. Only suggestions are made from them, never answers.
        """
        query = tantivy.Query.fuzzy_term_query(self._schema, "text", term, distance=distance)
        return self._hits(query, limit, ties=False)

    def doc_freq(self, term: str) -> int:
        """Passages containing ``term`` as the index statistics see it (deleted passages count until merged)."""
        with _reading(self.path):
            return self._searcher.doc_freq("text", term)

    def exists(self, term: str) -> bool:
        """Whether any passage contains ``term`` now. The index statistics still count deleted
        passages until segments merge, so a non-zero count is confirmed with a one-hit search."""
        with _reading(self.path):
            if not self._searcher.doc_freq("text", term):
                return False
            return bool(self._searcher.search(self._term(term), 1, count=False).hits)

    def terms_with_prefix(self, prefix: str, limit: int | None = None) -> list[tuple[str, int]]:
        with _reading(self.path):
            return self._searcher.terms_with_prefix("text", prefix, limit=limit)

    def passages(self, keys: Iterable[str]) -> dict[str, Passage]:
        wanted = list(dict.fromkeys(keys))
        if not wanted:
            return {}
        query = tantivy.Query.term_set_query(self._schema, "key", wanted)
        with _reading(self.path):
            result = self._searcher.search(query, len(wanted), count=False)
            found = [self._passage(self._searcher.doc(address)) for _, address in result.hits]
        return {passage.key: passage for passage in found}

    def warm(self) -> None:
        """Nothing to load: tantivy's fuzzy queries need no vocabulary of ours."""

    def reopen(self) -> None:
        with _reading(self.path):
            self._index.reload()
            self._searcher = self._index.searcher()

    @staticmethod
    def _passage(doc: tantivy.Document) -> Passage:
        ordinal, line_start, line_end, lines, section = decode_place(doc.get_first("place") or b"0 0 0 ")
        return Passage(str(doc.get_first("file")), ordinal, str(doc.get_first("text")), line_start, line_end, section, lines)

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
                tantivy.Document(text=p.text, file=p.file, key=p.key, place=encode_place(p))
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
        """Let background merges finish and give up the writer lock.

        Waiting matters: a merge that finished later would rewrite ``meta.json`` behind the
        manifest's back, and the next open would take the index for a damaged one.
        """
        if self._writer is not None:
            try:
                self._writer.wait_merging_threads()
            finally:
                self._writer = None
            self._index.reload()
            self._searcher = self._index.searcher()

    def rollback(self) -> None:
        """Drop uncommitted writes and give up the writer lock."""
        if self._writer is not None:
            try:
                self._writer.rollback()
            finally:
                self._writer = None


class TantivyBackend:
    """Indexes kept by tantivy inside their folder in the state folder (see :class:`~index.engine.Backend`)."""

    prefix = "index"

    def open(self, directory: Path) -> TantivyEngine:
        return TantivyEngine(directory)

    def build(self, directory: Path, files: Sequence[F], read: Reading[F, R]) -> list[R]:
        engine = TantivyEngine(directory, create=True)
        passages, done = read(files)
        engine.add(passages)
        engine.commit()
        engine.release()  # merges end before the fingerprint is taken
        return [done()]

    def fingerprint(self, directory: Path) -> dict[str, Any]:
        return fingerprint(directory)

    def damage(self, directory: Path, recorded: dict[str, Any], *, full: bool = False) -> str | None:
        return damage(directory, recorded, full=full)


#: The default backend (it holds no state, so one serves every index).
TANTIVY = TantivyBackend()


# ---------------------------------------------------------------------------------------------
# Integrity: what the index on disk is made of, and whether its files are still what was written

#: tantivy ends every segment file with a footer: JSON (format version and the CRC32 of the
#: bytes before it), the JSON's length and this magic number, both little-endian u32.
_FOOTER_MAGIC = 1337
_FOOTER_TAIL = struct.Struct("<II")


def fingerprint(path: Path) -> dict[str, Any]:
    """What the committed index in ``path`` consists of, for the manifest to record: a hash of
    tantivy's ``meta.json`` (which segments, which deletes) and the size of each file of those
    segments. Segment files are written once and never change, so this stays true until the
    next commit, and checking it costs one small read and one ``stat`` per file."""
    raw = (path / "meta.json").read_bytes()
    wanted = _segment_files(json.loads(raw))
    files: dict[str, int] = {}
    with os.scandir(path) as entries:
        for entry in entries:
            if _belongs(entry.name, wanted):
                files[entry.name] = entry.stat().st_size
    return {"meta": hashlib.sha256(raw).hexdigest(), "files": dict(sorted(files.items()))}


def _segment_files(meta: dict[str, Any]) -> dict[str, str | None]:
    """Segment id (as in file names) -> the name ending of its current deletes file, if any."""
    live: dict[str, str | None] = {}
    for segment in meta["segments"]:
        deletes = segment.get("deletes")
        live[str(segment["segment_id"]).replace("-", "")] = None if not deletes else f"{deletes['opstamp']}.del"
    return live


def _belongs(name: str, live: dict[str, str | None]) -> bool:
    segment, _, rest = name.partition(".")
    if segment not in live:
        return False
    if rest.endswith(".del"):
        # Older deletes files of a live segment are garbage, collected at some later commit.
        return rest == live[segment]
    return bool(rest)


def damage(path: Path, recorded: dict[str, Any], *, full: bool = False) -> str | None:
    """Why the index in ``path`` is not the one ``recorded`` (a :func:`fingerprint`) describes,
    or None when it is. The cheap check compares ``meta.json``'s hash and every file's size;
    ``full`` also reads every file and checks it against the CRC32 tantivy keeps in its footer
    (about 0.25 s a gigabyte once the files are in the page cache)."""
    try:
        raw = (path / "meta.json").read_bytes()
    except OSError as exc:
        return f"its meta.json cannot be read ({exc.strerror or exc})"
    if hashlib.sha256(raw).hexdigest() != recorded.get("meta"):
        return "it disagrees with its manifest"
    files: dict[str, int] = recorded.get("files") or {}
    for name, size in files.items():
        try:
            actual = os.stat(path / name).st_size
        except OSError:
            return f"the index was damaged: {name} is missing"
        if actual != size:
            return f"the index was damaged: {name} has {actual:,} bytes, not {size:,}"
    if full:
        bad = [name for name in files if not _checksum_holds(path / name)]
        if bad:
            more = f" and {len(bad) - 3} more" if len(bad) > 3 else ""
            return f"the index was damaged: {', '.join(bad[:3])}{more} fail{'s' if len(bad) == 1 else ''} tantivy's checksum"
    return None


def _checksum_holds(path: Path) -> bool:
    """Whether a segment file's bytes still match the CRC32 in its footer."""
    try:
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size < _FOOTER_TAIL.size:
                return False
            with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as view, memoryview(view) as data:
                length, magic = _FOOTER_TAIL.unpack_from(data, size - _FOOTER_TAIL.size)
                body = size - _FOOTER_TAIL.size - length
                if magic != _FOOTER_MAGIC or body < 0:
                    return False
                footer = json.loads(bytes(data[body : size - _FOOTER_TAIL.size]))
                return isinstance(footer, dict) and zlib.crc32(data[:body]) == footer.get("crc")
    except (OSError, ValueError):
        return False
