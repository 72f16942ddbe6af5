"""The indexed coverage: corpus folders scanned, diffed by content hash, and kept in an on-disk index.

The index lives in ``<state>/index-<hash of the corpus folders>/``: tantivy's segment files plus
``manifest.json`` (one entry per article: content hash, title, byline, passage count). Opening
compares the folders with the manifest and applies only the difference (delete changed and
removed files' passages, add new and changed ones), so an unchanged corpus opens without
reading a single article and a refresh that adds a thousand articles never rebuilds the rest.

What is read: regular files named ``*.txt`` / ``*.md`` under the corpus folders, never hidden
ones or the ``removed`` folder, never through a link to a folder or to a file outside the
corpus folders, never more than ``MAX_ARTICLE_BYTES`` of one. Anything else (a link that loops,
a pipe, a device, a folder that cannot be listed, a name with control characters) is skipped
and named, and the rest is indexed; what was indexed from a folder that cannot be listed now
is kept as it was.

Writes are atomic: a first build happens in a temporary directory renamed into place; an update
leaves an ``UPDATING`` marker, commits in tantivy (atomic), rewrites the manifest with
``os.replace``, then removes the marker. A manifest that is unreadable, from another version,
left behind by a crash (the marker is still there), or that disagrees with the index, is
answered by a full rebuild, never by a crash.

A :class:`Coverage` is an immutable snapshot; a refresh returns a new one and the caller swaps
it in whole, while questions keep being answered from the old one.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import logging
import os
import re
import shutil
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from . import passages as passage_rules
from .articles import (
    ARTICLE_SUFFIXES,
    MAX_ARTICLE_BYTES,
    OPEN_FLAGS,
    Article,
    decode,
    not_regular,
    parse_article,
    read_capped,
)
from .engine import TantivyEngine
from .errors import CorpusError, IndexBusy, IndexFailed, UnreadableFile
from .passages import Passage, make_passages
from .text import ANALYZER_VERSION

log = logging.getLogger("newsdesk.index")

#: Raised whenever the manifest, article parsing or the index schema changes: an index built
#: by another version is rebuilt on open (keeping what its manifest knew).
MANIFEST_VERSION = 6
#: Folder (inside a corpus folder) where removed articles are kept; never indexed.
REMOVED_FOLDER = "removed"


@dataclass(frozen=True, slots=True)
class ArticleInfo:
    """What the index remembers about one article file."""

    name: str
    folder: str
    sha256: str
    size: int
    mtime_ns: int
    title: str | None
    byline: str | None
    sections: tuple[str, ...]
    passages: int
    meta: dict[str, str] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return self.title or Path(self.name).name

    @property
    def path(self) -> Path:
        return Path(self.folder) / self.name

    @property
    def date(self) -> str | None:
        return self.meta.get("date")


_ROW = ("folder", "sha256", "size", "mtime_ns", "title", "byline", "sections", "passages", "meta")


class ArticleTable(Mapping[str, ArticleInfo]):
    """The article table of one snapshot: compact rows, turned into :class:`ArticleInfo` on access.

    A million-passage corpus has a couple of hundred thousand articles. The manifest keeps each
    row as one JSON-encoded string, so opening parses a string per article (not ten values) and
    a row is decoded only when that article is looked at.
    """

    def __init__(self, rows: dict[str, str | list[Any]], passages: int | None = None) -> None:
        self._rows = rows
        self._built: dict[str, ArticleInfo] = {}
        self._passages = passages

    @classmethod
    def of(cls, infos: Iterable[ArticleInfo]) -> ArticleTable:
        return cls({info.name: _row(info) for info in infos})

    def _row(self, name: str) -> list[Any]:
        row = self._rows[name]
        if isinstance(row, str):
            row = self._rows[name] = json.loads(row)
        return row

    def __getitem__(self, name: str) -> ArticleInfo:
        info = self._built.get(name)
        if info is None:
            row = self._row(name)
            info = ArticleInfo(name, *row[:6], tuple(row[6]), row[7], row[8])
            self._built[name] = info
        return info

    def __iter__(self) -> Iterator[str]:
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)

    def __contains__(self, name: object) -> bool:
        return name in self._rows

    def stat(self, name: str) -> tuple[str, str, int, int]:
        """(folder, sha256, size, mtime_ns) of an article, without building its ArticleInfo."""
        row = self._row(name)
        return row[0], row[1], row[2], row[3]

    @property
    def passages(self) -> int:
        if self._passages is None:
            self._passages = sum(self._row(name)[7] for name in self._rows)
        return self._passages

    def changed(self, put: Iterable[ArticleInfo], drop: Iterable[str]) -> ArticleTable:
        """A new table with ``put`` added or replaced and ``drop`` removed (this one is left as it is)."""
        rows = dict(self._rows)
        passages = self.passages
        built = dict(self._built)
        for name in drop:
            if name in rows:
                passages -= self._row(name)[7]
                rows.pop(name)
                built.pop(name, None)
        for info in put:
            if info.name in rows:
                passages -= self._row(info.name)[7]
            rows[info.name] = _row(info)
            built[info.name] = info
            passages += info.passages
        table = ArticleTable(rows, passages)
        table._built = built
        return table

    def encoded(self) -> dict[str, str]:
        """The rows as the manifest keeps them: one JSON string each."""
        return {
            name: row if isinstance(row, str) else json.dumps(row, ensure_ascii=False, separators=(",", ":"))
            for name, row in self._rows.items()
        }


def _row(info: ArticleInfo) -> list[Any]:
    return [info.folder, info.sha256, info.size, info.mtime_ns, info.title, info.byline, list(info.sections), info.passages, info.meta]


@dataclass(frozen=True, slots=True)
class Skipped:
    """A file that was not indexed, and why."""

    name: str
    reason: str
    folder: str = ""
    size: int = 0
    mtime_ns: int = 0


@dataclass(slots=True)
class RefreshReport:
    """What a build or refresh did."""

    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    passages: int = 0
    articles: int = 0
    rebuilt: bool = False
    reason: str | None = None  # why a full rebuild happened
    seconds: float = 0.0

    @property
    def unchanged(self) -> bool:
        return not (self.added or self.removed or self.changed)


@dataclass(frozen=True, slots=True)
class RefreshInfo:
    at: str
    by: str | None


@dataclass(frozen=True, slots=True)
class _File:
    name: str
    folder: Path
    path: str
    size: int
    mtime_ns: int


class Coverage:
    """One consistent snapshot of the indexed articles: the engine's reader plus the article table."""

    def __init__(
        self,
        engine: TantivyEngine,
        articles: ArticleTable,
        skipped: list[Skipped],
        folders: tuple[Path, ...],
        refreshed: RefreshInfo,
        recent: tuple[str, ...] = (),
        generation: int = 0,
    ) -> None:
        self.engine = engine
        self.articles = articles
        self.skipped = skipped
        self.folders = folders
        self.refreshed = refreshed
        #: Articles added or changed by the latest update that changed anything.
        self.recent = recent
        #: Counts the updates written to this index; tells a stale snapshot from the one on disk.
        self.generation = generation

    @property
    def passage_count(self) -> int:
        return self.engine.size

    def article(self, name: str) -> ArticleInfo | None:
        return self.articles.get(name)


# ---------------------------------------------------------------------------------------------
# Scanning


def index_dir(state_dir: Path, folders: Sequence[Path]) -> Path:
    """Each set of corpus folders gets its own index, so switching corpora never thrashes one."""
    digest = hashlib.sha256("\n".join(str(f) for f in folders).encode()).hexdigest()[:12]
    return state_dir / f"index-{digest}"


def _scan(folders: Sequence[Path]) -> tuple[dict[str, _File], list[Skipped]]:
    """Every article file under ``folders`` (resolved paths), and the files and folders skipped.

    Only regular files are articles: a named pipe would block the read, a device never ends.
    A link to a file outside the corpus folders is skipped too: whoever can drop a link into
    a corpus folder must not be able to have the bot quote any file it can read.
    """
    found: dict[str, _File] = {}
    skipped: list[Skipped] = []
    roots = tuple(str(folder) for folder in folders)
    for folder in folders:
        if not folder.is_dir():
            raise CorpusError(f"The corpus folder {folder} does not exist (set `corpus.folders` or pass --corpus).")
        for name, path, linked in sorted(_article_files(str(folder), skipped)):
            if not name.isprintable() and _CONTROL.search(name):
                skipped.append(Skipped(shown(name), "its name has control characters (rename the file)", str(folder)))
                continue
            try:
                status = os.stat(path)
            except OSError as exc:
                skipped.append(Skipped(name, f"cannot be read ({exc.strerror})", str(folder)))
                continue
            reason = not_regular(status.st_mode)
            if reason is None and linked and not _inside(os.path.realpath(path), roots):
                log.warning("%s links to %s, outside the corpus folders; not indexed", path, os.path.realpath(path))
                reason = "a link to a file outside the corpus folders"
            if reason is not None:
                skipped.append(Skipped(name, reason, str(folder)))
                continue
            if name in found:
                skipped.append(Skipped(name, f"same name as a file in {found[name].folder}", str(folder)))
                continue
            found[name] = _File(name, folder, path, status.st_size, status.st_mtime_ns)
    return found, skipped


#: Characters that would break a line or turn a terminal's output around if a file name holding
#: them were printed as it is: C0 and C1 controls, line and paragraph separators, bidi overrides.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def shown(name: str) -> str:
    """``name`` safe to print on one line: control characters written as escapes (``\\n``, ``\\x1b``)."""
    return _CONTROL.sub(lambda match: match[0].encode("unicode_escape").decode("ascii"), name)


def _inside(path: str, roots: tuple[str, ...]) -> bool:
    return any(path == root or path.startswith(root.rstrip(os.sep) + os.sep) for root in roots)


def _article_files(folder: str, skipped: list[Skipped]) -> Iterator[tuple[str, str, bool]]:
    """(name relative to ``folder`` with "/" separators, full path, whether it is a link) of every
    article file under it. A folder that cannot be listed is added to ``skipped`` (named with a
    trailing "/") and the scan goes on without it.

    Plain strings and ``os.scandir`` rather than ``pathlib``: at a million passages the scan
    visits 200,000 files, and ``Path`` objects cost seconds there.
    """
    pending = [("", folder)]
    while pending:
        prefix, directory = pending.pop()
        try:
            with os.scandir(directory) as entries:
                for entry in entries:
                    if entry.name.startswith("."):
                        # Hidden folders (.git, editors' caches) and files are not coverage.
                        continue
                    if _is_folder(entry):
                        # Neither is the folder removed articles are moved to; like os.walk, links
                        # to folders are not followed (they could loop).
                        if not entry.is_symlink() and not (prefix == "" and entry.name == REMOVED_FOLDER):
                            pending.append((f"{prefix}{entry.name}/", entry.path))
                    elif entry.name.lower().endswith(ARTICLE_SUFFIXES):
                        yield f"{prefix}{entry.name}", entry.path, entry.is_symlink()
        except OSError as exc:
            reason = f"folder cannot be read ({exc.strerror or exc}); what was indexed from it is kept"
            skipped.append(Skipped(shown(prefix) or "./", reason, folder))


def _is_folder(entry: os.DirEntry[str]) -> bool:
    """Whether ``entry`` is a folder (or links to one); a link that loops or dangles is not."""
    try:
        return entry.is_dir()
    except OSError:
        # A link loop: is_dir() raises rather than answering. Not a folder; if it is named like
        # an article, stat-ing it in the scan skips it with the reason.
        return False


def _unlisted(skipped: Iterable[Skipped]) -> list[tuple[str, str]]:
    """(corpus folder, name prefix) of each folder the scan could not list."""
    return [(skip.folder, "" if skip.name == "./" else skip.name) for skip in skipped if skip.name.endswith("/")]


#: How many files ahead of the parser are opened and their pages requested from the kernel.
READ_AHEAD = 128
_WILLNEED = getattr(os, "POSIX_FADV_WILLNEED", None)


def _read_all(files: Iterable[_File]) -> Iterator[tuple[_File, tuple[Article, str] | UnreadableFile]]:
    """Each file's article and content hash, in order, or why it cannot be read.

    The next ``READ_AHEAD`` files are opened early and their pages requested from the kernel
    (``posix_fadvise(WILLNEED)``, where the system has it), so a cold page cache is read while
    earlier files are parsed instead of one wait per file: at a million passages that took a
    build from 34 s to 24 s. ``os.read`` with the size from the scan costs half of ``open().read()``.
    """
    queue = iter(files)
    ahead: deque[tuple[_File, int | UnreadableFile]] = deque()

    def request() -> None:
        file = next(queue, None)
        if file is None:
            return
        if file.size > MAX_ARTICLE_BYTES:
            ahead.append((file, UnreadableFile(f"too large for an article ({file.size:,} bytes)")))
            return
        try:
            # Non-blocking: should a named pipe have taken the file's place since the scan,
            # opening it must not wait for a writer (reads are capped whatever it became).
            descriptor = os.open(file.path, OPEN_FLAGS)
        except OSError as exc:
            ahead.append((file, UnreadableFile(f"cannot be read ({exc.strerror or exc})")))
            return
        if _WILLNEED is not None:
            with contextlib.suppress(OSError):
                os.posix_fadvise(descriptor, 0, 0, _WILLNEED)
        ahead.append((file, descriptor))

    try:
        for _ in range(READ_AHEAD):
            request()
        while ahead:
            file, opened = ahead.popleft()
            request()
            if isinstance(opened, UnreadableFile):
                yield file, opened
                continue
            raw = _read_open(opened, file.size)
            if isinstance(raw, UnreadableFile):
                yield file, raw
                continue
            try:
                yield file, (parse_article(decode(raw), file.name), hashlib.sha256(raw).hexdigest())
            except UnreadableFile as exc:
                yield file, exc
    finally:
        for _, opened in ahead:
            if isinstance(opened, int):
                os.close(opened)


def _read_open(descriptor: int, size: int) -> bytes | UnreadableFile:
    """The bytes of an open file (capped at ``MAX_ARTICLE_BYTES``), or why not; closes it."""
    try:
        return read_capped(descriptor, size, MAX_ARTICLE_BYTES)
    except OSError as exc:
        return UnreadableFile(f"cannot be read ({exc.strerror or exc})")
    except UnreadableFile as exc:
        return exc
    finally:
        os.close(descriptor)


# ---------------------------------------------------------------------------------------------
# Manifest


def _settings_stamp() -> dict[str, int]:
    return {
        "manifest": MANIFEST_VERSION,
        "analyzer": ANALYZER_VERSION,
        "min_words": passage_rules.MIN_WORDS,
        "max_words": passage_rules.MAX_WORDS,
    }


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _write_manifest(directory: Path, manifest: dict) -> None:
    target = directory / "manifest.json"
    temporary = directory / f"manifest.json.tmp-{os.getpid()}-{threading.get_ident()}"
    # json.dumps, not json.dump: only the one-shot form uses the C encoder.
    data = json.dumps(manifest, ensure_ascii=False, separators=(",", ":"))
    with open(temporary, "w", encoding="utf-8") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, target)


def _updating(directory: Path) -> Path:
    """The marker that an update is under way; left behind by a crash, it means "rebuild"."""
    return directory / "UPDATING"


def _load_manifest(directory: Path) -> dict:
    """The manifest, or raises ValueError saying why it cannot be trusted."""
    path = directory / "manifest.json"
    if _updating(directory).exists():
        raise ValueError("an earlier update did not finish")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValueError("no index yet") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"its manifest is unreadable ({exc.__class__.__name__})") from None
    if not isinstance(manifest, dict) or manifest.get("stamp") != _settings_stamp():
        raise ValueError("it was built by another version of newsdesk")
    if manifest.get("state") != "clean":
        raise ValueError("an earlier update did not finish")
    return manifest


def _previous(directory: Path) -> tuple[dict[str, str], tuple[str, ...], int] | None:
    """What an index about to be rebuilt knew: each article's content hash, the recent list and
    the generation (which goes on counting, so no snapshot of the old index passes for current).

    Read leniently (any version, any state) so that a rebuild after an upgrade or a crash still
    reports only real changes and keeps "since the last refresh" meaningful; None when unreadable.
    """
    try:
        manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
        column = list(manifest["columns"]).index("sha256")
        rows = (json.loads(row) if isinstance(row, str) else row for row in manifest["articles"].values())
        hashes = {name: str(row[column]) for name, row in zip(manifest["articles"], rows)}
        return hashes, tuple(str(name) for name in manifest.get("recent", ())), int(manifest.get("generation", 0))
    except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError):
        return None


def _manifest(
    articles: ArticleTable, skipped: list[Skipped], refreshed: RefreshInfo, recent: Sequence[str], generation: int
) -> dict:
    return {
        "stamp": _settings_stamp(),
        "state": "clean",
        "generation": generation,
        "refreshed_at": refreshed.at,
        "refreshed_by": refreshed.by,
        "recent": list(recent),
        "columns": list(_ROW),
        "passages": articles.passages,
        "articles": articles.encoded(),
        "skipped": [asdict(s) for s in skipped],
    }


# ---------------------------------------------------------------------------------------------
# Opening and refreshing

_locks: dict[Path, threading.Lock] = {}
_locks_guard = threading.Lock()
#: How long opening waits for another process's update to finish before saying the index is busy.
UPDATE_WAIT = 30.0


def _lock_for(directory: Path) -> threading.Lock:
    """The in-process lock for one index directory (tantivy's lock file covers other processes)."""
    with _locks_guard:
        return _locks.setdefault(directory, threading.Lock())


@contextlib.contextmanager
def _exclusive(directory: Path, wait: float) -> Iterator[None]:
    lock = _lock_for(directory)
    acquired = lock.acquire(timeout=wait) if wait > 0 else lock.acquire(blocking=False)
    if not acquired:
        raise IndexBusy("A refresh is already running; the current index keeps answering meanwhile.")
    try:
        yield
    finally:
        lock.release()


def updating(directory: Path) -> bool:
    """Whether this process is updating the index in ``directory`` right now."""
    return _lock_for(directory).locked()


def _snapshot(directory: Path, folders: tuple[Path, ...]) -> Coverage:
    """The index as it is on disk; raises ValueError (or OSError) saying why it cannot be trusted."""
    manifest = _load_manifest(directory)
    engine = TantivyEngine(directory)
    articles = ArticleTable(manifest["articles"], manifest["passages"])
    if engine.size != articles.passages:
        raise ValueError("it disagrees with its manifest")
    return Coverage(
        engine,
        articles,
        [Skipped(**entry) for entry in manifest["skipped"]],
        folders,
        RefreshInfo(manifest.get("refreshed_at") or _now(), manifest.get("refreshed_by")),
        tuple(name for name in manifest.get("recent", ()) if name in articles),
        manifest.get("generation", 0),
    )


def _held_elsewhere(directory: Path) -> bool:
    """Whether another process holds the index's writer lock (it is in the middle of an update)."""
    try:
        probe = TantivyEngine(directory)
        probe.lock()
    except IndexBusy:
        return True
    except (ValueError, OSError, FileNotFoundError):
        return False
    probe.rollback()
    return False


def open_coverage(
    folders: Sequence[Path],
    state_dir: Path,
    *,
    update: bool = True,
    by: str | None = None,
) -> tuple[Coverage, RefreshReport]:
    """Open the index for ``folders``, bringing it up to date with them first when ``update``.

    Builds it from scratch when there is none or it cannot be trusted. If another process is in
    the middle of updating it, waits (up to ``UPDATE_WAIT`` seconds) for that update to finish
    rather than mistaking it for a crash.
    """
    folders = tuple(Path(f).resolve() for f in folders)
    directory = index_dir(Path(state_dir).resolve(), folders)
    started = time.perf_counter()
    deadline = time.monotonic() + UPDATE_WAIT
    while True:
        try:
            coverage = _snapshot(directory, folders)
            break
        except (ValueError, OSError, KeyError, TypeError) as exc:
            reason = str(exc) if isinstance(exc, ValueError) else f"it is unreadable ({exc.__class__.__name__})"
            if reason != "no index yet" and _held_elsewhere(directory):
                if time.monotonic() > deadline:
                    raise IndexBusy("Another newsdesk process is updating this index; try again in a moment.") from None
                time.sleep(0.2)
                continue
            if reason != "no index yet":
                log.warning("rebuilding the index at %s: %s", directory, reason)
            coverage, report = _rebuild(folders, directory, by)
            report.reason = reason
            report.seconds = time.perf_counter() - started
            return coverage, report
    if not update:
        return coverage, RefreshReport(passages=coverage.passage_count, articles=len(coverage.articles))
    return refresh(coverage, by=by)


def refresh(coverage: Coverage, *, by: str | None = None, wait: float = 0.0) -> tuple[Coverage, RefreshReport]:
    """Bring ``coverage`` up to date with its folders; returns a new snapshot (the old one still works).

    The index on disk is the starting point, not ``coverage``: another process (``newsdesk
    index``, a second bot) may have updated it since this snapshot was taken. Holding the
    writer lock from the first read to the last write keeps two updates from interleaving.
    ``wait`` is how long to wait for a refresh already running, here or in another process.
    """
    started = time.perf_counter()
    directory = coverage.engine.path
    deadline = time.monotonic() + wait
    with _exclusive(directory, wait):
        writer = TantivyEngine(directory)
        while True:
            try:
                writer.lock()
                break
            except IndexBusy:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        try:
            current = _snapshot(directory, coverage.folders)
        except (ValueError, OSError, KeyError, TypeError) as exc:
            writer.rollback()
            raise IndexFailed(f"The index on disk cannot be read ({exc}); restart to rebuild it.") from exc
        if current.generation == coverage.generation:
            current = coverage
        try:
            return _apply(current, writer, directory, by, started)
        finally:
            writer.rollback()  # releases the lock; nothing uncommitted remains by then


def _kept(table: ArticleTable, name: str, unlisted: list[tuple[str, str]]) -> bool:
    """Whether an article missing from the scan is under a folder that could not be listed: it
    may well still be there, so it is kept as it was rather than taken out of the index."""
    return bool(unlisted) and any(table.stat(name)[0] == folder and name.startswith(prefix) for folder, prefix in unlisted)


def _apply(
    coverage: Coverage, writer: TantivyEngine, directory: Path, by: str | None, started: float
) -> tuple[Coverage, RefreshReport]:
    files, skipped = _scan(coverage.folders)
    report = RefreshReport()
    previous_skips = {s.name: s for s in coverage.skipped}
    to_read: list[_File] = []
    table = coverage.articles
    for name, file in files.items():
        if name in table:
            folder, _sha, size, mtime_ns = table.stat(name)
            if size == file.size and mtime_ns == file.mtime_ns and folder == str(file.folder):
                continue
        old_skip = previous_skips.get(name)
        if old_skip and old_skip.size == file.size and old_skip.mtime_ns == file.mtime_ns:
            skipped.append(old_skip)
            continue
        to_read.append(file)
    unlisted = _unlisted(skipped)
    report.removed = sorted(name for name in table if name not in files and not _kept(table, name, unlisted))

    parsed: list[tuple[_File, Article, str]] = []
    touched: list[ArticleInfo] = []
    for file, read in _read_all(to_read):
        if isinstance(read, UnreadableFile):
            skipped.append(Skipped(file.name, read.message, str(file.folder), file.size, file.mtime_ns))
            if file.name in table:
                report.removed.append(file.name)
            continue
        article, digest = read
        if file.name in table and table.stat(file.name)[1] == digest:
            # Touched (or moved between folders) but not changed: keep the passages.
            touched.append(_replace_stat(table[file.name], file))
            continue
        parsed.append((file, article, digest))
        (report.changed if file.name in table else report.added).append(file.name)

    for skip in skipped:
        if skip.name not in previous_skips:
            log.warning("skipped %s: %s", skip.name, skip.reason)
    report.skipped = sorted(skipped, key=lambda s: s.name)
    report.removed.sort()
    if report.unchanged and [asdict(s) for s in report.skipped] == [asdict(s) for s in coverage.skipped] and not touched:
        report.passages, report.articles = coverage.passage_count, len(table)
        report.seconds = time.perf_counter() - started
        return coverage, report

    refreshed = RefreshInfo(_now(), by)
    marker = _updating(directory)
    added: list[ArticleInfo] = []
    try:
        marker.touch()
        writer.delete_files([*report.removed, *report.changed])
        for file, article, digest in parsed:
            pieces = make_passages(article)
            writer.add(pieces)
            added.append(_info(file, article, digest, len(pieces)))
        writer.commit()
    except (ValueError, OSError) as exc:
        writer.rollback()
        marker.unlink(missing_ok=True)
        raise IndexFailed(f"Updating the index failed ({exc}); the previous index keeps serving.") from exc
    articles = table.changed([*touched, *added], report.removed)
    recent = tuple(sorted(report.added + report.changed)) or coverage.recent
    generation = coverage.generation + 1
    _write_manifest(directory, _manifest(articles, report.skipped, refreshed, recent, generation))
    marker.unlink(missing_ok=True)
    report.passages, report.articles = writer.size, len(articles)
    report.seconds = time.perf_counter() - started
    return Coverage(writer, articles, report.skipped, coverage.folders, refreshed, recent, generation), report


def _replace_stat(info: ArticleInfo, file: _File) -> ArticleInfo:
    return replace(info, size=file.size, mtime_ns=file.mtime_ns, folder=str(file.folder))


def _info(file: _File, article: Article, digest: str, passages: int) -> ArticleInfo:
    return ArticleInfo(
        name=file.name,
        folder=str(file.folder),
        sha256=digest,
        size=file.size,
        mtime_ns=file.mtime_ns,
        title=article.title,
        byline=article.byline,
        sections=article.sections,
        passages=passages,
        meta=dict(article.meta),
    )


@contextlib.contextmanager
def _no_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector: a build allocates millions of objects that all stay
    alive, and the collector's repeated full passes over them cost a quarter of a big build."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _rebuild(folders: tuple[Path, ...], directory: Path, by: str | None) -> tuple[Coverage, RefreshReport]:
    """Build the whole index in a temporary directory, then move it into place."""
    with _exclusive(directory, 0):
        previous = _previous(directory)
        files, skipped = _scan(folders)
        directory.parent.mkdir(parents=True, exist_ok=True)
        temporary = directory.with_name(f"{directory.name}.building-{os.getpid()}")
        infos: list[ArticleInfo] = []
        report = RefreshReport(rebuilt=True)
        try:
            engine = TantivyEngine(temporary, create=True)

            def pieces() -> Iterator[Passage]:
                for file, read in _read_all(files.values()):
                    if isinstance(read, UnreadableFile):
                        skipped.append(Skipped(file.name, read.message, str(file.folder), file.size, file.mtime_ns))
                        continue
                    article, digest = read
                    made = make_passages(article)
                    infos.append(_info(file, article, digest, len(made)))
                    yield from made

            with _no_gc():
                engine.add(pieces())
                engine.commit()
            engine.release()
            for skip in skipped:
                log.warning("skipped %s: %s", skip.name, skip.reason)
            report.skipped = sorted(skipped, key=lambda s: s.name)
            refreshed = RefreshInfo(_now(), by)
            articles = ArticleTable.of(infos)
            generation = 0
            if previous is None:
                report.added, recent = sorted(articles), tuple(sorted(articles))
            else:
                hashes, before, generation = previous[0], previous[1], previous[2] + 1
                report.added = sorted(name for name in articles if name not in hashes)
                report.changed = sorted(name for name in articles if hashes.get(name, articles.stat(name)[1]) != articles.stat(name)[1])
                report.removed = sorted(name for name in hashes if name not in articles)
                recent = tuple(sorted(report.added + report.changed)) or tuple(n for n in before if n in articles)
            _write_manifest(temporary, _manifest(articles, report.skipped, refreshed, recent, generation))
            del engine
            if directory.exists():
                retired = directory.with_name(f"{directory.name}.old-{os.getpid()}")
                os.replace(directory, retired)
                os.replace(temporary, directory)
                shutil.rmtree(retired, ignore_errors=True)
            else:
                os.replace(temporary, directory)
        except BaseException:
            shutil.rmtree(temporary, ignore_errors=True)
            raise
        engine = TantivyEngine(directory)
        report.passages, report.articles = engine.size, len(articles)
        return Coverage(engine, articles, report.skipped, folders, refreshed, recent, generation), report
