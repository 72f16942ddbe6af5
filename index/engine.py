"""The search interface the answerer talks to: queries, hits, the engine protocols and how an index is kept.

Two engines implement it: :class:`~index.tantivy_engine.TantivyEngine` (embedded, on disk, the
default) and :class:`~index.xapian_engine.XapianEngine` (remote shards served by
``xapian-tcpsrv``). Everything outside the engine modules holds a :class:`SearchEngine`; the
coverage index builds and updates through an :class:`Backend`, which opens the engine of its kind.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

from .passages import Passage, passage_key

#: How far apart (in positions) the two terms of a phrase pair may be, and how much a match adds.
PHRASE_SLOP = 2
PHRASE_BOOST = 0.3
#: At most this many hits beyond the cut are read to choose among those tied with the last one
#: kept: enough for the copies of one story a corpus usually holds, and a bound on the documents
#: read (every one is a stored-document read; at a million passages of copied stories, reading
#: up to 64 more made retrieval a third of a question's time). Past it, the tied hits at the cut
#: are the ones the engine met first (sorted among themselves).
MAX_TIED = 12


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


def in_order(hit: Hit) -> tuple[float, str, int]:
    """Best score first; equal scores by file name, then position in the article, so the same
    corpus always answers in the same order however its passages were spread over segments or shards."""
    return -hit.score, hit.passage.file, hit.passage.ordinal


def encode_place(p: Passage) -> bytes:
    """Where a passage sits (ordinal, line span, line map, section), packed into one stored field:
    one field instead of five saves a few microseconds per passage, seconds at a million."""
    lines = ",".join(f"{offset}:{number}" for offset, number in p.lines)
    return f"{p.ordinal} {p.line_start} {p.line_end} {lines}\n{p.section or ''}".encode()


def decode_place(raw: bytes) -> tuple[int, int, int, tuple[tuple[int, int], ...], str | None]:
    head, _, section = raw.decode().partition("\n")
    ordinal, line_start, line_end, *rest = head.split(" ")
    pairs = (item.split(":") for item in rest[0].split(",")) if rest and rest[0] else ()
    lines = tuple((int(offset), int(number)) for offset, number in pairs)
    return int(ordinal), int(line_start), int(line_end), lines, section or None


class SearchEngine(Protocol):
    """What answering needs from a passage index (every method any reader of the index calls)."""

    @property
    def size(self) -> int: ...

    def search(self, query: Search, limit: int) -> list[Hit]: ...

    def fuzzy_search(self, term: str, distance: int, limit: int) -> list[Hit]: ...

    def doc_freq(self, term: str) -> int: ...

    def exists(self, term: str) -> bool: ...

    def terms_with_prefix(self, prefix: str, limit: int | None = None) -> list[tuple[str, int]]: ...

    def passages(self, keys: Iterable[str]) -> dict[str, Passage]: ...

    def reopen(self) -> None:
        """See what writers (this process or another) have committed since the engine opened."""
        ...

    def warm(self) -> None:
        """Load now what the first question would otherwise wait for (called before a snapshot is
        swapped in, so questions never pay it)."""
        ...


class WritableEngine(SearchEngine, Protocol):
    """An engine that the coverage index writes: one writer at a time, visible at ``commit``."""

    def lock(self) -> None: ...

    def add(self, passages: Iterable[Passage]) -> int: ...

    def delete_files(self, files: Iterable[str]) -> None: ...

    def commit(self) -> None: ...

    def release(self) -> None: ...

    def rollback(self) -> None: ...


class Named(Protocol):
    """Anything with a file name: what a build splits between shards."""

    @property
    def name(self) -> str: ...


F = TypeVar("F", bound=Named)
R = TypeVar("R")

#: Reads some of a corpus's files for a build: returns the passages to index (made while it is
#: iterated) and, once they are all taken, whatever the caller collects (article rows, skips).
Reading = Callable[[Sequence[F]], tuple[Iterator[Passage], Callable[[], R]]]


class Backend(Protocol):
    """How the coverage index keeps its passages: where, how an engine is opened, built and checked.

    ``directory`` is the index's folder in the state folder (it holds the manifest, and the
    tantivy index itself); a build writes into a new folder that then replaces it.
    """

    @property
    def prefix(self) -> str:
        """The start of the index folder's name (an index of another kind never takes its place)."""
        ...

    def open(self, directory: Path) -> WritableEngine:
        """The committed index (raises IndexDamaged when it cannot be read)."""
        ...

    def build(self, directory: Path, files: Sequence[F], read: Reading[F, R]) -> list[R]:
        """A new index of everything ``read`` makes of ``files``; returns what each reading collected."""
        ...

    def fingerprint(self, directory: Path) -> dict[str, Any]:
        """What the committed index consists of, for the manifest to record."""
        ...

    def damage(self, directory: Path, recorded: dict[str, Any], *, full: bool = False) -> str | None:
        """Why the index is not the one ``recorded`` describes, or None; ``full`` reads every byte."""
        ...


def neighbours(engine: SearchEngine, passage: Passage, before: int, after: int) -> list[Passage]:
    """The passages around ``passage`` in its article, in order (itself included)."""
    keys = [passage_key(passage.file, o) for o in range(max(0, passage.ordinal - before), passage.ordinal + after + 1)]
    found = engine.passages(k for k in keys if k != passage.key)
    found[passage.key] = passage
    return [found[k] for k in keys if k in found]


def article_passages(engine: SearchEngine, file: str, count: int) -> list[Passage]:
    """The first ``count`` passages of one article (all of them, given its passage count), in order."""
    found = engine.passages(passage_key(file, ordinal) for ordinal in range(count))
    return sorted(found.values(), key=lambda p: p.ordinal)
