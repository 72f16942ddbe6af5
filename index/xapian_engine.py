"""The sharded engine: BM25 over passages kept in N Xapian databases, each served over TCP by ``xapian-tcpsrv``.

An article's passages all live in shard ``crc32(file name) % N``. Reading goes through one
``xapian.Database`` that adds ``xapian.remote_open`` for every shard's read-only server, so
Xapian merges the shards' statistics (document counts, lengths, term frequencies) and BM25 is
computed over the whole index, not per shard. Writing goes through each shard's writable server
(``xapian-tcpsrv --writable`` on the same database folder); read-only servers see a commit once
the reader calls :meth:`XapianEngine.reopen` (the engine does after its own commits).

Analysis is the project's own: passages are indexed as :func:`~index.text.positioned_tokens`
with ``add_posting``, so a question's terms and a passage's are made by the same code as for
tantivy. Scoring is ``BM25Weight(k1=1.2, k2=0, k3=1, b=0.75, min_normlen=0)``: tantivy's k1 and b,
exact document lengths, and Xapian's idf, ``ln((N - n + 0.5) / (n + 0.5))`` (rank-bm25's
``BM25Okapi``) for terms in under a fifth of the passages, kept positive above that
(``ln(1 + x / 2)`` where ``x < 2``) rather than floored.

The protocol maps onto Xapian's queries: weighted terms are ``OP_SCALE_WEIGHT`` leaves of an
``OP_OR``; a required group is an ``OP_OR`` scaled to weight 0 (it filters, it does not score)
under ``OP_AND_MAYBE``; a near pair is ``OP_NEAR`` within the phrase slop; excluded files are
``OP_AND_NOT`` on a boolean file term; passages by key are a boolean key term and the document's
data. Xapian 1.4 has no edit-distance query, so "did you mean" compares the index's vocabulary
(fetched once per opened generation) with the word by optimal-string-alignment distance.

A ``xapian.Database`` is not thread-safe: each thread reads through its own connections. A shard
server that cannot be reached is :class:`~index.errors.SearchUnavailable`; the next read
connects again, so answering comes back by itself when the server does. The remote protocol has
no authentication: the servers belong on a private network.
"""

from __future__ import annotations

import json
import threading
import uuid
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from rapidfuzz import process
from rapidfuzz.distance import OSA

from .engine import MAX_TIED, PHRASE_SLOP, F, Hit, R, Reading, Search, decode_place, encode_place, in_order
from .errors import IndexBusy, IndexFailed, SearchUnavailable
from .passages import Passage
from .text import positioned_tokens

if TYPE_CHECKING:
    import xapian
else:
    from .xapian_binding import xapian

T = TypeVar("T")

#: Boolean terms (upper case: index terms are always lower case, so they never collide).
FILE = "F"
KEY = "Q"
#: On every passage, so that a rebuild empties a shard with one deletion.
EVERY = "N"
#: Shard metadata: a token written with every commit, which the manifest records.
STAMP = "newsdesk:stamp"
#: Xapian refuses terms over 245 bytes; longer file names are hashed into their term.
_MAX_TERM = 240
#: Passages kept in memory between reopens (then forgotten all at once when there are more).
CACHED_PASSAGES = 50_000
#: ``OP_NEAR``'s window spans both words: a slop of 2 lets 2 others stand between them.
NEAR_WINDOW = PHRASE_SLOP + 2


@dataclass(frozen=True, slots=True)
class Address:
    host: str
    port: int

    def __str__(self) -> str:
        return f"{self.host}:{self.port}"


@dataclass(frozen=True, slots=True)
class Shard:
    """One shard: its read-only server and the writable server on the same database folder."""

    read: Address
    write: Address


def shard_of(file: str, shards: int) -> int:
    """The shard an article's passages are kept in."""
    return zlib.crc32(file.encode("utf-8")) % shards


def _boolean(prefix: str, value: str) -> str:
    term = prefix + value
    if len(term.encode("utf-8")) <= _MAX_TERM:
        return term
    return f"{prefix}#{zlib.crc32(value.encode('utf-8')):08x}{uuid.uuid5(uuid.NAMESPACE_URL, value).hex}"


def _document(p: Passage) -> xapian.Document:
    doc = xapian.Document()
    for term, position in positioned_tokens(p.text):
        doc.add_posting(term, position + 1)  # Xapian positions start at 1
    doc.add_boolean_term(_boolean(FILE, p.file))
    doc.add_boolean_term(_boolean(KEY, p.key))
    doc.add_boolean_term(EVERY)
    doc.set_data(json.dumps([p.file, p.text, encode_place(p).decode()], ensure_ascii=False, separators=(",", ":")))
    return doc


def _passage(data: bytes) -> Passage:
    file, text, place = json.loads(data)
    ordinal, line_start, line_end, lines, section = decode_place(place.encode())
    return Passage(file, ordinal, text, line_start, line_end, section, lines)


def _text(value: str | bytes) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _weighting() -> xapian.Weight:
    return xapian.BM25Weight(1.2, 0, 1, 0.75, 0)


def _query(search: Search) -> xapian.Query:
    Q = xapian.Query
    weights: dict[str, float] = {}
    for term, boost in search.terms:
        # One leaf a term (repeats summed): Xapian counts a term's repeats as its query
        # frequency, which would weigh each copy differently from tantivy's sum of clauses.
        weights[term] = weights.get(term, 0.0) + boost
    leaves = [Q(term) if boost == 1.0 else Q(Q.OP_SCALE_WEIGHT, Q(term), boost) for term, boost in weights.items()]
    for first, second in search.phrases:
        leaves.append(Q(Q.OP_SCALE_WEIGHT, Q(Q.OP_NEAR, [Q(first), Q(second)], NEAR_WINDOW), search.phrase_boost))
    query = Q(Q.OP_OR, leaves) if leaves else None
    if search.required:
        groups = Q(Q.OP_AND, [Q(Q.OP_OR, [Q(term) for term in group]) for group in search.required])
        required = Q(Q.OP_SCALE_WEIGHT, groups, 0.0)
        query = required if query is None else Q(Q.OP_AND_MAYBE, required, query)
    assert query is not None  # callers pass terms or required groups
    if search.excluded_files:
        excluded = Q(Q.OP_OR, [Q(_boolean(FILE, name)) for name in sorted(search.excluded_files)])
        query = Q(Q.OP_AND_NOT, query, excluded)
    return query


class _Local(threading.local):
    database: xapian.Database | None = None
    generation: int = -1


#: What reading a shard can fail with when its server is gone or going (a connection refused,
#: reset, timed out) or its database cannot be opened.
_UNREACHABLE = (xapian.NetworkError, xapian.DatabaseOpeningError)
_UNAVAILABLE = "Search is unavailable right now (an index server cannot be reached); try again in a moment."


class XapianEngine:
    """Passages in N remote Xapian shards (see the module docstring). Reading is thread-safe (a
    connection set per thread); one writer at a time, holding every shard's writable server."""

    def __init__(self, shards: Sequence[Shard], *, timeout: float = 10.0) -> None:
        if not shards:
            raise ValueError("a Xapian index needs at least one shard")
        self.shards = tuple(shards)
        self._timeout_ms = int(timeout * 1000)
        self._local = _Local()
        self._generation = 0
        self._vocabulary: tuple[int, list[str]] | None = None
        #: Passages read since the last reopen, by document id (see _documents).
        self._cache: dict[int, Passage] = {}
        self._writers: list[xapian.WritableDatabase] | None = None

    # -- connections -----------------------------------------------------------------------

    def _connect(self) -> xapian.Database:
        database = xapian.Database()
        for shard in self.shards:
            database.add_database(xapian.remote_open(shard.read.host, shard.read.port, self._timeout_ms, self._timeout_ms))
        return database

    def _database(self) -> xapian.Database:
        local = self._local
        if local.database is None:
            local.database = self._connect()
            local.generation = self._generation
        elif local.generation != self._generation:
            local.database.reopen()
            local.generation = self._generation
        return local.database

    def _drop(self) -> None:
        database, self._local.database = self._local.database, None
        if database is not None:
            try:
                database.close()
            except xapian.Error:
                pass  # the connection is gone already

    def _read(self, work: Callable[[xapian.Database], T]) -> T:
        """``work`` on this thread's connections. A connection the server closed (idle timeout,
        restart), or a reader two commits behind, is opened again once; a server that still
        cannot be reached is SearchUnavailable."""
        try:
            return work(self._database())
        except (xapian.DatabaseModifiedError, *_UNREACHABLE):
            self._drop()
        try:
            return work(self._database())
        except _UNREACHABLE as exc:
            self._drop()
            raise SearchUnavailable(_UNAVAILABLE) from exc

    def reopen(self) -> None:
        """See what has been committed since (every thread's connections reopen on their next read)."""
        self._cache = {}
        self._generation += 1

    def warm(self) -> None:
        """Fetch the vocabulary "did you mean" searches: every term, read term by term through the
        servers (2 s at 100 k passages, 16 s at 1 M here) — paid by the first misspelt question
        of each generation unless fetched before the snapshot is swapped in."""
        self._terms()

    # -- reading ---------------------------------------------------------------------------

    @property
    def size(self) -> int:
        return int(self._read(lambda db: db.get_doccount()))

    def _hits(self, query: xapian.Query, limit: int, *, ties: bool = True) -> list[Hit]:
        """The best ``limit`` hits in :func:`~index.engine.in_order`, choosing among the hits tied
        with the last one kept as the tantivy engine does (up to ``MAX_TIED`` past the cut)."""
        if limit <= 0:
            return []

        def run(db: xapian.Database) -> list[Hit]:
            enquire = xapian.Enquire(db)
            enquire.set_weighting_scheme(_weighting())
            enquire.set_query(query)
            mset = enquire.get_mset(0, limit + (MAX_TIED if ties else 0))
            items = list(mset)
            if len(items) > limit:
                cut = items[limit - 1].weight
                items = [item for item in items if item.weight >= cut] if ties else items[:limit]
            return [Hit(item.weight, passage) for item, passage in zip(items, self._documents(mset, items))]

        hits = self._read(run)
        hits.sort(key=in_order)
        return hits[:limit]

    def _documents(self, mset: xapian.MSet, items: list[Any]) -> list[Passage]:
        """The passages of ``items`` (of ``mset``). Each document read is a round trip to its
        shard's server (60-150 µs here, most of a query's time), so passages read once are kept
        until the next :meth:`reopen`. Only the items kept are read: ``MSet.fetch()`` would read
        every one, those past the cut included, and costs more than it saves."""
        cache = self._cache
        if any(item.docid not in cache for item in items):
            if len(cache) > CACHED_PASSAGES:
                self._cache = cache = {}  # a new one: other threads may be reading the old
            for item in items:
                if item.docid not in cache:
                    cache[item.docid] = _passage(item.document.get_data())
        return [cache[item.docid] for item in items]

    def search(self, query: Search, limit: int) -> list[Hit]:
        if not query.terms and not query.required:
            return []
        return self._hits(_query(query), limit)

    def fuzzy_search(self, term: str, distance: int, limit: int) -> list[Hit]:
        """Passages with a term within ``distance`` edits of ``term`` (a transposition is one), for
        "did you mean". Every hit scores the same, as with tantivy: suggestions only, never answers."""
        near = [found for found, _score, _ in process.extract(term, self._terms(), scorer=OSA.distance, score_cutoff=distance, limit=None)]
        if not near:
            return []
        Q = xapian.Query
        return self._hits(Q(Q.OP_SCALE_WEIGHT, Q(Q.OP_OR, [Q(t) for t in near]), 0.0), limit, ties=False)

    def _terms(self) -> list[str]:
        """Every index term (boolean terms left out), fetched once per generation."""
        cached = self._vocabulary
        if cached is not None and cached[0] == self._generation:
            return cached[1]
        generation = self._generation
        terms = self._read(lambda db: [item.term.decode() for item in db.allterms()])
        vocabulary = [term for term in terms if not term[:1].isupper()]
        self._vocabulary = (generation, vocabulary)
        return vocabulary

    def doc_freq(self, term: str) -> int:
        """Passages containing ``term`` (merged over the shards; exact: deletions count at once)."""
        return int(self._read(lambda db: db.get_termfreq(term)))

    def exists(self, term: str) -> bool:
        return self.doc_freq(term) > 0

    def terms_with_prefix(self, prefix: str, limit: int | None = None) -> list[tuple[str, int]]:
        def run(db: xapian.Database) -> list[tuple[str, int]]:
            found: list[tuple[str, int]] = []
            for item in db.allterms(prefix):
                term = item.term.decode()
                if term[:1].isupper():
                    continue
                found.append((term, item.termfreq))
                if limit is not None and len(found) >= limit:
                    break
            return found

        return self._read(run)

    def passages(self, keys: Iterable[str]) -> dict[str, Passage]:
        wanted = list(dict.fromkeys(keys))
        if not wanted:
            return {}
        Q = xapian.Query
        query = Q(Q.OP_OR, [Q(_boolean(KEY, key)) for key in wanted])

        def run(db: xapian.Database) -> list[Passage]:
            enquire = xapian.Enquire(db)
            enquire.set_query(query)
            enquire.set_weighting_scheme(xapian.BoolWeight())
            mset = enquire.get_mset(0, len(wanted))
            return self._documents(mset, list(mset))

        return {passage.key: passage for passage in self._read(run)}

    def stamps(self) -> list[dict[str, Any]]:
        """Each shard's database id, commit stamp and passage count, as the manifest records them."""
        found = []
        for shard in self.shards:
            try:
                db = xapian.remote_open(shard.read.host, shard.read.port, self._timeout_ms, self._timeout_ms)
                try:
                    found.append({"uuid": _text(db.get_uuid()), "stamp": _text(db.get_metadata(STAMP)), "passages": db.get_doccount()})
                finally:
                    db.close()
            except _UNREACHABLE as exc:
                raise SearchUnavailable(_UNAVAILABLE) from exc
        return found

    # -- writing ---------------------------------------------------------------------------

    def _writing(self) -> list[xapian.WritableDatabase]:
        if self._writers is None:
            raise RuntimeError("lock() first")
        return self._writers

    def lock(self) -> None:
        """Take every shard's writable server (one writer each: IndexBusy while another holds one)."""
        if self._writers is not None:
            return
        writers: list[xapian.WritableDatabase] = []
        try:
            for shard in self.shards:
                writers.append(open_writable(shard, self._timeout_ms))
        except BaseException:
            for writer in writers:
                _discard(writer)
            raise
        self._writers = writers

    def add(self, passages: Iterable[Passage]) -> int:
        writers = self._writing()
        count = 0
        try:
            for p in passages:
                writers[shard_of(p.file, len(writers))].add_document(_document(p))
                count += 1
        except _UNREACHABLE as exc:
            raise IndexFailed(f"An index server went away while writing ({exc.get_msg()}).") from exc
        return count

    def delete_files(self, files: Iterable[str]) -> None:
        writers = self._writing()
        try:
            for name in files:
                writers[shard_of(name, len(writers))].delete_document(_boolean(FILE, name))
        except _UNREACHABLE as exc:
            raise IndexFailed(f"An index server went away while writing ({exc.get_msg()}).") from exc

    def commit(self) -> None:
        """Commit every shard with one new stamp, then read what was committed. Each shard's commit
        is atomic; a failure between two shards leaves stamps the manifest does not know, which
        the next open takes for disagreement (and rebuilds)."""
        if self._writers is None:
            return
        stamp = uuid.uuid4().hex
        try:
            for writer in self._writers:
                _commit(writer, stamp)
        except _UNREACHABLE as exc:
            raise IndexFailed(f"An index server went away while committing ({exc.get_msg()}).") from exc
        self.reopen()

    def release(self) -> None:
        """Give up the writable servers (anything not committed is dropped)."""
        writers, self._writers = self._writers, None
        for writer in writers or ():
            _discard(writer)

    def rollback(self) -> None:
        self.release()


def open_writable(shard: Shard, timeout_ms: int) -> xapian.WritableDatabase:
    """A shard's writable server, in a transaction: nothing is committed but by :func:`_commit`
    (closing a Xapian database outside a transaction would commit)."""
    try:
        writer = xapian.remote_open_writable(shard.write.host, shard.write.port, timeout_ms, timeout_ms)
    except xapian.DatabaseLockError:
        raise IndexBusy("Another newsdesk process is updating the search index; try again in a moment.") from None
    except _UNREACHABLE as exc:
        raise SearchUnavailable(_UNAVAILABLE) from exc
    writer.begin_transaction(False)
    return writer


def _commit(writer: xapian.WritableDatabase, stamp: str) -> None:
    writer.set_metadata(STAMP, stamp)
    writer.commit_transaction()
    writer.commit()
    writer.begin_transaction(False)


def _discard(writer: xapian.WritableDatabase) -> None:
    try:
        writer.cancel_transaction()
        writer.close()
    except xapian.Error:
        pass  # the server is gone: nothing it held was committed


#: How long a build's writer waits for the shard server's reply (its commit writes the whole shard).
BUILD_TIMEOUT_MS = 30 * 60 * 1000


def build_shard(shard: Shard, files: Sequence[F], read: Reading[F, R], stamp: str, timeout_ms: int) -> R:
    """Empty one shard and index what ``read`` makes of ``files`` into it, committed with ``stamp``.

    The same function builds every shard, in this process or on a Dask worker, so both builds
    give the same index. Xapian's writable server flushes every ``XAPIAN_FLUSH_THRESHOLD``
    changes (10,000 unless its environment says otherwise), so readers may see a big rebuild
    before it ends; an update of fewer changes becomes visible whole.

    The writer waits up to ``BUILD_TIMEOUT`` for a reply, not the questions' timeout: the
    server writes a whole shard at the commit (minutes for half a million passages), and a
    reply that slow is the server working, not gone."""
    writer = open_writable(shard, max(timeout_ms, BUILD_TIMEOUT_MS))
    try:
        writer.delete_document(EVERY)
        passages, done = read(files)
        for p in passages:
            writer.add_document(_document(p))
        _commit(writer, stamp)
    except _UNREACHABLE as exc:
        raise IndexFailed(f"The index server {shard.write} went away while building ({exc.get_msg()}).") from exc
    finally:
        _discard(writer)
    return done()


@dataclass(frozen=True, slots=True)
class XapianBackend:
    """Indexes kept in remote Xapian shards (see :class:`~index.engine.Backend`); the index's folder
    in the state folder holds only its manifest.

    ``scheduler`` is how a build runs: None in this process, shard after shard; ``"local"`` on a
    Dask cluster started for it on this machine (loopback only); otherwise the address of a Dask
    scheduler whose workers can read the corpus folders and reach the writable servers.
    """

    shards: tuple[Shard, ...]
    timeout: float = 10.0
    scheduler: str | None = None

    @property
    def prefix(self) -> str:
        return "xapian"

    def open(self, directory: Path) -> XapianEngine:
        return XapianEngine(self.shards, timeout=self.timeout)

    def build(self, directory: Path, files: Sequence[F], read: Reading[F, R]) -> list[R]:
        directory.mkdir(parents=True, exist_ok=True)
        parts: dict[int, list[F]] = defaultdict(list)
        for file in files:
            parts[shard_of(file.name, len(self.shards))].append(file)
        stamp = uuid.uuid4().hex
        jobs = [(shard, parts[number], read, stamp, int(self.timeout * 1000)) for number, shard in enumerate(self.shards)]
        if self.scheduler is None:
            return [build_shard(*job) for job in jobs]
        from .dask_build import run_all  # only a parallel build needs Dask

        return run_all(self.scheduler, build_shard, jobs)

    def fingerprint(self, directory: Path) -> dict[str, Any]:
        return {"shards": XapianEngine(self.shards, timeout=self.timeout).stamps()}

    def damage(self, directory: Path, recorded: dict[str, Any], *, full: bool = False) -> str | None:
        """Whether the shards are the ones the manifest describes: the same count, database ids,
        commit stamps and passage counts (``full`` reads no more: each server checks its own files)."""
        expected = recorded.get("shards") or []
        live = XapianEngine(self.shards, timeout=self.timeout).stamps()
        if len(expected) != len(live):
            return f"it was built over {len(expected)} shards, and {len(live)} are configured"
        for number, (was, now) in enumerate(zip(expected, live)):
            if was.get("uuid") != now["uuid"]:
                return f"shard {number} ({self.shards[number].read}) holds another database than the one indexed"
            if was.get("stamp") != now["stamp"] or was.get("passages") != now["passages"]:
                return "it disagrees with its manifest"
        return None
