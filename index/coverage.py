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

Writing: one writer at a time per index, across threads and processes: a lock in the process
and an exclusive ``flock`` on ``index-<hash>.lock`` beside the index folder (the kernel drops it
when a process dies, so a kill never leaves it held). A first build or a rebuild happens in
``index-<hash>.building-PID``, renamed into place; an update commits in tantivy (atomic), lets
tantivy's merges finish, then rewrites the manifest with ``os.replace``. The manifest records
what the committed index is made of (a hash of tantivy's ``meta.json``, the size of every
segment file) and carries its own CRC32.

Reading takes no lock. Opening checks the manifest against the index (one small read and one
``stat`` per segment file) before and after tantivy opens it, so an update committing in another
process meanwhile, or one killed between its commit and its manifest, is seen as disagreement,
not taken for the index. Only then does the opener take the writer lock (waiting up to
``UPDATE_WAIT`` for a writer about to finish), look again, and rebuild if it still cannot trust
what it finds. An update takes the lock only when the scan found a change; a read-only command
that finds another process writing answers from the index on disk as it is.

Damage: a manifest that is unreadable, from another version or fails its checksum, a segment
file missing or of another size, a ``meta.json`` the manifest does not describe, tantivy failing
to open the index: each is answered by a full rebuild from the corpus, with the reason reported,
never by a crash. Flipped bytes keep a file's size, so ``verify`` (``newsdesk index``, and the
recovery after a read fails with :class:`~index.errors.IndexDamaged`) checks every segment file
against the CRC32 tantivy keeps in its footer. Folders left by a killed build are removed once
no one is writing.

A :class:`Coverage` is an immutable snapshot; a refresh returns a new one and the caller swaps
it in whole, while questions keep being answered from the old one.
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import hashlib
import json
import logging
import os
import re
import shutil
import threading
import time
import zlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
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
from .engine import Backend, SearchEngine, WritableEngine
from .errors import CorpusError, IndexBusy, IndexDamaged, IndexFailed, UnreadableFile
from .passages import Passage, make_passages
from .tantivy_engine import TANTIVY
from .text import ANALYZER_VERSION

log = logging.getLogger("newsdesk.index")

#: Raised whenever the manifest, article parsing or the index schema changes: an index built
#: by another version is rebuilt on open (keeping what its manifest knew).
MANIFEST_VERSION = 8
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
            folder, sha256, size, mtime_ns, title, byline, sections, passages, meta = row[:9]
            info = ArticleInfo(name, folder, sha256, size, mtime_ns, title, byline, tuple(sections), passages, meta)
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
    #: Another process was writing the index, so this one answers from it as it is, not updated.
    busy: bool = False

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
        engine: SearchEngine,
        articles: ArticleTable,
        skipped: list[Skipped],
        folders: tuple[Path, ...],
        refreshed: RefreshInfo,
        recent: tuple[str, ...] = (),
        generation: int = 0,
        *,
        directory: Path,
        backend: Backend,
    ) -> None:
        self.engine = engine
        #: The index's folder in the state folder, and how its passages are kept.
        self.directory = directory
        self.backend = backend
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


def index_dir(state_dir: Path, folders: Sequence[Path], prefix: str = TANTIVY.prefix) -> Path:
    """Each set of corpus folders gets its own index (and each engine its own), so switching
    corpora never thrashes one."""
    digest = hashlib.sha256("\n".join(str(f) for f in folders).encode()).hexdigest()[:12]
    return state_dir / f"{prefix}-{digest}"


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
        "max_chars": passage_rules.MAX_CHARS,
    }


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


#: The manifest's first key: the CRC32 of the manifest written without it, so a damaged manifest
#: is noticed when it is opened (4 GB/s: milliseconds at a million passages), not when one of
#: its rows is decoded in the middle of answering. It stays plain JSON for anyone reading it.
_CHECK = b'{"check":"'
_CHECKED = len(_CHECK) + len('00000000",')


def _write_manifest(directory: Path, manifest: dict) -> None:
    target = directory / "manifest.json"
    temporary = directory / f"manifest.json.tmp-{os.getpid()}-{threading.get_ident()}"
    # json.dumps, not json.dump: only the one-shot form uses the C encoder.
    body = json.dumps(manifest, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    with open(temporary, "wb") as handle:
        handle.write(_CHECK + b'%08x",' % zlib.crc32(body) + body[1:])
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, target)


def _checksum_holds(raw: bytes) -> bool:
    if not raw.startswith(_CHECK) or raw[_CHECKED - 2 : _CHECKED] != b'",':
        return False
    with memoryview(raw) as data:
        actual = zlib.crc32(data[_CHECKED:], zlib.crc32(b"{"))
    return raw[len(_CHECK) : _CHECKED - 2] == b"%08x" % actual


def _load_manifest(directory: Path) -> dict:
    """The manifest, or raises ValueError saying why it cannot be trusted."""
    try:
        raw = (directory / "manifest.json").read_bytes()
        manifest = json.loads(raw)
    except FileNotFoundError:
        raise ValueError("no index yet") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"its manifest is unreadable ({exc.__class__.__name__})") from None
    if not isinstance(manifest, dict) or manifest.get("stamp") != _settings_stamp():
        raise ValueError("it was built by another version of newsdesk")
    if not _checksum_holds(raw):
        raise ValueError("the index was damaged: its manifest does not match its checksum")
    if manifest.get("state") != "clean" or not isinstance(manifest.get("index"), dict):
        raise ValueError("an earlier update did not finish")
    return manifest


def _previous(directory: Path) -> tuple[dict[str, str], tuple[str, ...], int] | None:
    """What an index about to be rebuilt knew: each article's content hash, the recent list and
    the generation (which goes on counting, so no snapshot of the old index passes for current).

    Read leniently (any version, any state, checksum or not) so that a rebuild after an upgrade
    or a crash still reports only real changes and keeps "since the last refresh" meaningful;
    None when unreadable.
    """
    try:
        manifest = json.loads((directory / "manifest.json").read_bytes())
        column = list(manifest["columns"]).index("sha256")
        rows = (json.loads(row) if isinstance(row, str) else row for row in manifest["articles"].values())
        hashes = {name: str(row[column]) for name, row in zip(manifest["articles"], rows)}
        return hashes, tuple(str(name) for name in manifest.get("recent", ())), int(manifest.get("generation", 0))
    except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError):
        return None


def _manifest(
    articles: ArticleTable,
    skipped: list[Skipped],
    refreshed: RefreshInfo,
    recent: Sequence[str],
    generation: int,
    index: dict[str, Any],
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
        # What the engine's committed index consists of (see Backend.fingerprint): checked on open.
        "index": index,
    }


# ---------------------------------------------------------------------------------------------
# Locks: one writer at a time, readers never wait for it

_locks: dict[Path, threading.Lock] = {}
_locks_guard = threading.Lock()
#: How long a process that has to write (an update, a first build, a repair) waits for another
#: process's write to finish before saying the index is busy.
UPDATE_WAIT = 30.0
_POLL = 0.05
_BUSY = "Another newsdesk process is updating this index; try again in a moment."


def _lock_for(directory: Path) -> threading.Lock:
    """The in-process lock for one index directory (the lock file covers other processes)."""
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


def _lock_path(directory: Path) -> Path:
    """The writer lock file: beside the index folder, not in it, since a rebuild replaces the folder."""
    return directory.with_name(f"{directory.name}.lock")


@contextlib.contextmanager
def _writing(directory: Path, wait: float) -> Iterator[None]:
    """Hold the right to write the index in ``directory``: this process's lock for it, then an
    exclusive ``flock`` on its lock file (released by the kernel if the process dies, so a kill
    never leaves it held). Waits up to ``wait`` seconds, then raises IndexBusy."""
    deadline = time.monotonic() + wait
    with _exclusive(directory, wait):
        try:
            directory.parent.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(_lock_path(directory), os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise IndexFailed(f"The index cannot be locked for writing ({exc.strerror or exc}: {exc.filename}).") from None
        try:
            _lock_file(descriptor, deadline)
            _clear_leftovers(directory)
            yield
        finally:
            os.close(descriptor)  # releases the flock


def _lock_file(descriptor: int, deadline: float) -> None:
    while True:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise IndexBusy(_BUSY) from None
            time.sleep(_POLL)
        except OSError as exc:  # a file system without locks
            raise IndexFailed(f"The index cannot be locked for writing ({exc.strerror or exc}).") from None


def _leftovers(directory: Path) -> list[Path]:
    """Folders a killed build or rebuild left beside the index (``.building-PID``, ``.old-PID``)
    whose process is gone. One listing of the state folder: cheap enough for every open."""
    prefix = f"{directory.name}."
    found: list[Path] = []
    try:
        with os.scandir(directory.parent) as entries:
            for entry in entries:
                if not entry.name.startswith(prefix):
                    continue
                kind, _, pid = entry.name[len(prefix) :].partition("-")
                if kind in ("building", "old") and pid.isdigit() and not _alive(int(pid)):
                    found.append(Path(entry.path))
    except OSError:
        return []
    return found


def _alive(pid: int) -> bool:
    """Whether another process with this id runs (ours counts as gone: we hold the lock by then)."""
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # it exists, under another user
    return True


def _clear_leftovers(directory: Path) -> None:
    """Remove what killed builds left behind; only called with the writer lock held, so none of
    them can belong to a build still running (a PID reused since is kept to be safe)."""
    for path in _leftovers(directory):
        log.info("removing %s, left behind by a build that did not finish", path)
        shutil.rmtree(path, ignore_errors=True)


def _tidy(directory: Path) -> None:
    """On open: clear leftovers if there are any and no one is writing (never waits)."""
    if _leftovers(directory):
        with contextlib.suppress(IndexBusy, IndexFailed), _writing(directory, 0):
            pass


# ---------------------------------------------------------------------------------------------
# Opening and refreshing

#: What opening an index can fail with when its files cannot be trusted; answered by a rebuild.
_UNTRUSTED = (ValueError, OSError, KeyError, TypeError)


def _reason(exc: Exception) -> str:
    return str(exc) if isinstance(exc, ValueError) else f"it is unreadable ({exc.__class__.__name__})"


def _snapshot(directory: Path, folders: tuple[Path, ...], backend: Backend, *, verify: bool = False) -> Coverage:
    """The index as it is on disk; raises ValueError (or OSError) saying why it cannot be trusted.

    Takes no lock: the manifest names the ``meta.json`` it was written with, and that file is
    checked before and after tantivy opens the index, so a commit landing in between (an update
    in another process) is seen as "disagrees", never taken for the index. ``verify`` checks
    every index file against its checksum as well, not only its size.
    """
    manifest = _load_manifest(directory)
    recorded: dict[str, Any] = manifest["index"]
    problem = backend.damage(directory, recorded, full=verify)
    if problem:
        raise ValueError(problem)
    try:
        engine = backend.open(directory)
    except IndexDamaged as exc:
        raise ValueError(f"the index was damaged: {exc.detail}") from None
    if backend.damage(directory, recorded) or engine.size != manifest["passages"]:
        raise ValueError("it disagrees with its manifest")
    articles = ArticleTable(manifest["articles"], manifest["passages"])
    return Coverage(
        engine,
        articles,
        [Skipped(**entry) for entry in manifest["skipped"]],
        folders,
        RefreshInfo(manifest.get("refreshed_at") or _now(), manifest.get("refreshed_by")),
        tuple(name for name in manifest.get("recent", ()) if name in articles),
        manifest.get("generation", 0),
        directory=directory,
        backend=backend,
    )


def open_coverage(
    folders: Sequence[Path],
    state_dir: Path,
    *,
    update: bool = True,
    by: str | None = None,
    wait: float = UPDATE_WAIT,
    serve_busy: bool = False,
    verify: bool = False,
    backend: Backend = TANTIVY,
) -> tuple[Coverage, RefreshReport]:
    """Open the index for ``folders`` (kept by ``backend``), bringing it up to date with them first when ``update``.

    Opening takes no lock, and an update takes the writer lock only when the corpus changed.
    When it must and another process is writing, it waits up to ``wait`` seconds, then raises
    IndexBusy, or with ``serve_busy`` answers from the index on disk as it is (``report.busy``).
    With no index yet, or one that cannot be trusted, it builds one from scratch (waiting up
    to ``UPDATE_WAIT`` for a process that may be doing just that). ``verify`` checks every
    index file against its checksum (``newsdesk index`` does; a plain open checks sizes).
    """
    folders = tuple(Path(f).resolve() for f in folders)
    directory = index_dir(Path(state_dir).resolve(), folders, backend.prefix)
    started = time.perf_counter()
    _tidy(directory)
    try:
        coverage = _snapshot(directory, folders, backend, verify=verify)
    except _UNTRUSTED:
        coverage, rebuilt = _recover(folders, directory, backend, by, verify)
        if rebuilt is not None:
            rebuilt.seconds = time.perf_counter() - started
            return coverage, rebuilt
    if not update:
        return coverage, RefreshReport(passages=coverage.passage_count, articles=len(coverage.articles))
    coverage, report = refresh(coverage, by=by, wait=wait, serve_busy=serve_busy)
    report.seconds = time.perf_counter() - started
    return coverage, report


def _recover(
    folders: tuple[Path, ...], directory: Path, backend: Backend, by: str | None, verify: bool
) -> tuple[Coverage, RefreshReport | None]:
    """The index when the first look found none to trust: under the writer lock, look again (an
    update in another process may have been half-way, or may have just built it), and rebuild
    only if it is still untrustworthy, saying why. The report is None when nothing was built."""
    with _writing(directory, UPDATE_WAIT):
        try:
            return _snapshot(directory, folders, backend, verify=verify), None
        except _UNTRUSTED as exc:
            return _rebuild_because(folders, directory, backend, by, _reason(exc))


def _rebuild_because(
    folders: tuple[Path, ...], directory: Path, backend: Backend, by: str | None, reason: str
) -> tuple[Coverage, RefreshReport]:
    if reason != "no index yet":
        log.warning("rebuilding the index at %s: %s", directory, reason)
    coverage, report = _rebuild(folders, directory, backend, by)
    report.reason = reason
    return coverage, report


def refresh(
    coverage: Coverage, *, by: str | None = None, wait: float = 0.0, serve_busy: bool = False
) -> tuple[Coverage, RefreshReport]:
    """Bring ``coverage`` up to date with its folders; returns a new snapshot (the old one still works).

    The folders are scanned and compared with ``coverage`` first, without any lock: when
    nothing changed, that is the answer. Otherwise the writer lock is taken (waiting up to
    ``wait`` seconds for a refresh already running, here or in another process; then
    IndexBusy, or with ``serve_busy`` the snapshot as it is) and the index on disk is the
    starting point, not ``coverage``: another process may have updated it meanwhile. Holding
    the lock from the first read to the last write keeps two updates from interleaving.
    """
    started = time.perf_counter()
    directory = coverage.directory
    files, skipped = _scan(coverage.folders)
    plan = _plan(coverage, files, skipped)
    if plan.nothing_to_do(coverage):
        return coverage, plan.report(coverage, started)
    try:
        with _writing(directory, wait):
            return _update(coverage, directory, by, started, plan)
    except IndexBusy:
        if not serve_busy:
            raise
        log.info("another process is updating the index at %s; answering from it as it is", directory)
        report = RefreshReport(passages=coverage.passage_count, articles=len(coverage.articles), busy=True)
        report.seconds = time.perf_counter() - started
        return coverage, report


@dataclass(slots=True)
class _Plan:
    """What an update has to do: the files to read, the articles gone, what is skipped."""

    to_read: list[_File]
    removed: list[str]
    skipped: list[Skipped]

    def nothing_to_do(self, coverage: Coverage) -> bool:
        return not self.to_read and not self.removed and _same_skips(self.skipped, coverage.skipped)

    def report(self, coverage: Coverage, started: float) -> RefreshReport:
        report = RefreshReport(skipped=self.skipped, passages=coverage.passage_count, articles=len(coverage.articles))
        report.seconds = time.perf_counter() - started
        return report


def _same_skips(first: Sequence[Skipped], second: Sequence[Skipped]) -> bool:
    return [asdict(s) for s in first] == [asdict(s) for s in second]


def _plan(coverage: Coverage, files: dict[str, _File], scan_skips: list[Skipped]) -> _Plan:
    """Compare a scan with ``coverage``: files new or with another size, time or folder are read;
    a file skipped before and not touched since stays skipped without being read again."""
    previous_skips = {s.name: s for s in coverage.skipped}
    skipped = list(scan_skips)
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
    unlisted = _unlisted(scan_skips)
    removed = [name for name in table if name not in files and not _kept(table, name, unlisted)]
    return _Plan(to_read, sorted(removed), sorted(skipped, key=lambda s: s.name))


def _kept(table: ArticleTable, name: str, unlisted: list[tuple[str, str]]) -> bool:
    """Whether an article missing from the scan is under a folder that could not be listed: it
    may well still be there, so it is kept as it was rather than taken out of the index."""
    return bool(unlisted) and any(table.stat(name)[0] == folder and name.startswith(prefix) for folder, prefix in unlisted)


def _update(
    coverage: Coverage, directory: Path, by: str | None, started: float, plan: _Plan
) -> tuple[Coverage, RefreshReport]:
    """The update itself, with the writer lock held: from the index on disk, which is rebuilt
    instead if it cannot be trusted any more."""
    backend = coverage.backend
    try:
        current = _snapshot(directory, coverage.folders, backend)
    except _UNTRUSTED as exc:
        return _rebuild_because(coverage.folders, directory, backend, by, _reason(exc))
    if current.generation == coverage.generation:
        current = coverage  # the same index: keep the rows this snapshot has decoded already
    else:
        # Another process wrote since ``coverage`` was taken: compare with what it wrote, and
        # with the folders as they are now.
        plan = _plan(current, *_scan(current.folders))
        if plan.nothing_to_do(current):
            return current, plan.report(current, started)
    writer = backend.open(directory)
    deadline = time.monotonic() + UPDATE_WAIT
    while True:
        try:
            writer.lock()  # the engine's own lock: only a process of an older newsdesk (or another machine) could hold it
            break
        except IndexBusy:
            if time.monotonic() > deadline:
                raise
            time.sleep(_POLL)
    try:
        return _apply(current, writer, directory, by, started, plan)
    finally:
        writer.rollback()  # gives up tantivy's lock if _apply did not; nothing uncommitted remains


def _apply(
    coverage: Coverage, writer: WritableEngine, directory: Path, by: str | None, started: float, plan: _Plan
) -> tuple[Coverage, RefreshReport]:
    report = RefreshReport(removed=list(plan.removed))
    skipped = list(plan.skipped)
    previous_skips = {s.name for s in coverage.skipped}
    parsed: list[tuple[_File, Article, str]] = []
    touched: list[ArticleInfo] = []
    table = coverage.articles
    for file, read in _read_all(plan.to_read):
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
    if report.unchanged and _same_skips(report.skipped, coverage.skipped) and not touched:
        report.passages, report.articles = coverage.passage_count, len(table)
        report.seconds = time.perf_counter() - started
        return coverage, report

    refreshed = RefreshInfo(_now(), by)
    added: list[ArticleInfo] = []
    try:
        writer.delete_files([*report.removed, *report.changed])
        for file, article, digest in parsed:
            pieces = make_passages(article)
            writer.add(pieces)
            added.append(_info(file, article, digest, len(pieces)))
        writer.commit()
        # Until merges end, tantivy may still rewrite meta.json; the manifest records it after.
        writer.release()
        index = coverage.backend.fingerprint(directory)
    except (ValueError, OSError, IndexDamaged) as exc:
        writer.rollback()
        raise IndexFailed(f"Updating the index failed ({exc}); the previous index keeps serving.") from exc
    articles = table.changed([*touched, *added], report.removed)
    recent = tuple(sorted(report.added + report.changed)) or coverage.recent
    generation = coverage.generation + 1
    # A crash before this line leaves the engine's commit without the manifest that describes it:
    # the next open sees meta.json disagree with the manifest and rebuilds.
    _write_manifest(directory, _manifest(articles, report.skipped, refreshed, recent, generation, index))
    report.passages, report.articles = writer.size, len(articles)
    report.seconds = time.perf_counter() - started
    coverage = Coverage(
        writer, articles, report.skipped, coverage.folders, refreshed, recent, generation, directory=directory, backend=coverage.backend
    )
    return coverage, report


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


def _rebuild(folders: tuple[Path, ...], directory: Path, backend: Backend, by: str | None) -> tuple[Coverage, RefreshReport]:
    """Build the whole index in a temporary directory, then move it into place (writer lock held)."""
    previous = _previous(directory)
    files, skipped = _scan(folders)
    directory.parent.mkdir(parents=True, exist_ok=True)
    temporary = directory.with_name(f"{directory.name}.building-{os.getpid()}")
    report = RefreshReport(rebuilt=True)
    try:
        infos = _build_into(backend, temporary, files, skipped)
        for skip in skipped:
            log.warning("skipped %s: %s", skip.name, skip.reason)
        report.skipped = sorted(skipped, key=lambda s: s.name)
        refreshed = RefreshInfo(_now(), by)
        articles = ArticleTable.of(infos)
        recent, generation = _compare_with(previous, articles, report)
        index = backend.fingerprint(temporary)
        _write_manifest(temporary, _manifest(articles, report.skipped, refreshed, recent, generation, index))
        _swap_in(temporary, directory)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise
    engine = backend.open(directory)
    report.passages, report.articles = engine.size, len(articles)
    coverage = Coverage(engine, articles, report.skipped, folders, refreshed, recent, generation, directory=directory, backend=backend)
    return coverage, report


def _build_into(backend: Backend, temporary: Path, files: dict[str, _File], skipped: list[Skipped]) -> list[ArticleInfo]:
    """Index every file into a new index at ``temporary``; unreadable ones go to ``skipped``.
    The rows come back in scan order however the backend split the files between its shards."""
    with _no_gc():
        parts = backend.build(temporary, list(files.values()), read_files)
    order = {name: position for position, name in enumerate(files)}
    infos = sorted((info for found, _ in parts for info in found), key=lambda info: order[info.name])
    skipped.extend(sorted((skip for _, skips in parts for skip in skips), key=lambda skip: order[skip.name]))
    return infos


def read_files(files: Sequence[_File]) -> tuple[Iterator[Passage], Callable[[], tuple[list[ArticleInfo], list[Skipped]]]]:
    """A build's reading of ``files`` (a :data:`~index.engine.Reading`): their passages, then the
    article rows and the files that could not be read. Module-level, so that a Dask worker
    building one shard can be sent it."""
    infos: list[ArticleInfo] = []
    skipped: list[Skipped] = []

    def pieces() -> Iterator[Passage]:
        for file, read in _read_all(files):
            if isinstance(read, UnreadableFile):
                skipped.append(Skipped(file.name, read.message, str(file.folder), file.size, file.mtime_ns))
                continue
            article, digest = read
            made = make_passages(article)
            infos.append(_info(file, article, digest, len(made)))
            yield from made

    return pieces(), lambda: (infos, skipped)


def _compare_with(
    previous: tuple[dict[str, str], tuple[str, ...], int] | None, articles: ArticleTable, report: RefreshReport
) -> tuple[tuple[str, ...], int]:
    """Fill in what a rebuild changed against the index it replaces; returns (recent, generation)."""
    if previous is None:
        report.added = sorted(articles)
        return tuple(report.added), 0
    hashes, before, generation = previous
    report.added = sorted(name for name in articles if name not in hashes)
    report.changed = sorted(name for name in articles if hashes.get(name, articles.stat(name)[1]) != articles.stat(name)[1])
    report.removed = sorted(name for name in hashes if name not in articles)
    recent = tuple(sorted(report.added + report.changed)) or tuple(n for n in before if n in articles)
    return recent, generation + 1


def _swap_in(temporary: Path, directory: Path) -> None:
    """Put the new index in place of the old one. Readers that opened the old one keep reading
    it: its files stay readable until they close them, although the folder is gone."""
    if directory.exists():
        retired = directory.with_name(f"{directory.name}.old-{os.getpid()}")
        os.replace(directory, retired)
        os.replace(temporary, directory)
        shutil.rmtree(retired, ignore_errors=True)
    else:
        os.replace(temporary, directory)
