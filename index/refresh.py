"""Opening and refreshing the index: the corpus diffed by content hash and applied, or the index rebuilt.

The index lives in ``<state>/index-<hash of the corpus folders>/``: tantivy's segment files plus
``manifest.json`` (:mod:`index.manifest`). Opening compares the folders with the manifest and
applies only the difference (delete changed and removed files' passages, add new and changed
ones), so an unchanged corpus opens without reading a single article and a refresh that adds a
thousand articles never rebuilds the rest.

Writing holds the writer lock (:mod:`index.locks`). A first build or a rebuild happens in
``index-<hash>.building-PID``, renamed into place; an update commits in tantivy (atomic), lets
tantivy's merges finish, then rewrites the manifest with ``os.replace``.

When an opened snapshot cannot be trusted (:func:`index.coverage.on_disk` says why), the
opener takes the writer lock (waiting up to ``UPDATE_WAIT`` for a writer about to finish),
looks again, and rebuilds if it still cannot trust what it finds. An update takes the lock only
when the scan found a change; a read-only command that finds another process writing answers
from the index on disk as it is.

Damage: a manifest that is unreadable, from another version or fails its checksum, a segment
file missing or of another size, a ``meta.json`` the manifest does not describe, tantivy failing
to open the index: each is answered by a full rebuild from the corpus, with the reason reported,
never by a crash. Flipped bytes keep a file's size, so ``verify`` (``newsdesk index``, and the
recovery after a read fails with :class:`~index.errors.IndexDamaged`) checks every segment file
against the CRC32 tantivy keeps in its footer.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import logging
import os
import shutil
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from .articles import Article
from .coverage import Coverage, on_disk
from .engine import Backend, WritableEngine
from .errors import IndexBusy, IndexDamaged, IndexFailed, UnreadableFile
from .locks import POLL, UPDATE_WAIT, tidy, writing
from .manifest import RefreshInfo, earlier_index, manifest_for, now, write_manifest
from .passages import Passage, make_passages
from .scan import ScannedFile, Skipped, read_all, scan, unlisted
from .table import ArticleInfo, ArticleTable
from .tantivy_engine import TANTIVY

log = logging.getLogger("newsdesk.index")


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


def index_dir(state_dir: Path, folders: Sequence[Path], prefix: str = TANTIVY.prefix) -> Path:
    """Each set of corpus folders gets its own index (and each engine its own), so switching
    corpora never thrashes one."""
    digest = hashlib.sha256("\n".join(str(f) for f in folders).encode()).hexdigest()[:12]
    return state_dir / f"{prefix}-{digest}"


#: What opening an index can fail with when its files cannot be trusted; answered by a rebuild.
_UNTRUSTED = (ValueError, OSError, KeyError, TypeError)


def _reason(exc: Exception) -> str:
    return str(exc) if isinstance(exc, ValueError) else f"it is unreadable ({exc.__class__.__name__})"



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
    tidy(directory)
    try:
        coverage = on_disk(directory, folders, backend, verify=verify)
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
    with writing(directory, UPDATE_WAIT):
        try:
            return on_disk(directory, folders, backend, verify=verify), None
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
    files, skipped = scan(coverage.folders)
    plan = _plan(coverage, files, skipped)
    if plan.nothing_to_do(coverage):
        return coverage, plan.report(coverage, started)
    try:
        with writing(directory, wait):
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

    to_read: list[ScannedFile]
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


def _plan(coverage: Coverage, files: dict[str, ScannedFile], scan_skips: list[Skipped]) -> _Plan:
    """Compare a scan with ``coverage``: files new or with another size, time or folder are read;
    a file skipped before and not touched since stays skipped without being read again."""
    previous_skips = {s.name: s for s in coverage.skipped}
    skipped = list(scan_skips)
    to_read: list[ScannedFile] = []
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
    unlistable = unlisted(scan_skips)
    removed = [name for name in table if name not in files and not _kept(table, name, unlistable)]
    return _Plan(to_read, sorted(removed), sorted(skipped, key=lambda s: s.name))


def _kept(table: ArticleTable, name: str, unlistable: list[tuple[str, str]]) -> bool:
    """Whether an article missing from the scan is under a folder that could not be listed: it
    may well still be there, so it is kept as it was rather than taken out of the index."""
    return bool(unlistable) and any(table.stat(name)[0] == folder and name.startswith(prefix) for folder, prefix in unlistable)


def _update(
    coverage: Coverage, directory: Path, by: str | None, started: float, plan: _Plan
) -> tuple[Coverage, RefreshReport]:
    """The update itself, with the writer lock held: from the index on disk, which is rebuilt
    instead if it cannot be trusted any more."""
    backend = coverage.backend
    try:
        current = on_disk(directory, coverage.folders, backend)
    except _UNTRUSTED as exc:
        return _rebuild_because(coverage.folders, directory, backend, by, _reason(exc))
    if current.generation == coverage.generation:
        current = coverage  # the same index: keep the rows this snapshot has decoded already
    else:
        # Another process wrote since ``coverage`` was taken: compare with what it wrote, and
        # with the folders as they are now.
        plan = _plan(current, *scan(current.folders))
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
            time.sleep(POLL)
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
    parsed: list[tuple[ScannedFile, Article, str]] = []
    touched: list[ArticleInfo] = []
    table = coverage.articles
    for file, read in read_all(plan.to_read):
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

    refreshed = RefreshInfo(now(), by)
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
    write_manifest(directory, manifest_for(articles, report.skipped, refreshed, recent, generation, index))
    report.passages, report.articles = writer.size, len(articles)
    report.seconds = time.perf_counter() - started
    coverage = Coverage(
        writer, articles, report.skipped, coverage.folders, refreshed, recent, generation, directory=directory, backend=coverage.backend
    )
    return coverage, report


def _replace_stat(info: ArticleInfo, file: ScannedFile) -> ArticleInfo:
    return replace(info, size=file.size, mtime_ns=file.mtime_ns, folder=str(file.folder))


def _info(file: ScannedFile, article: Article, digest: str, passages: int) -> ArticleInfo:
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
        stand_in=article.stand_in,
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
    previous = earlier_index(directory)
    files, skipped = scan(folders)
    directory.parent.mkdir(parents=True, exist_ok=True)
    temporary = directory.with_name(f"{directory.name}.building-{os.getpid()}")
    report = RefreshReport(rebuilt=True)
    try:
        infos = _build_into(backend, temporary, files, skipped)
        for skip in skipped:
            log.warning("skipped %s: %s", skip.name, skip.reason)
        report.skipped = sorted(skipped, key=lambda s: s.name)
        refreshed = RefreshInfo(now(), by)
        articles = ArticleTable.of(infos)
        recent, generation = _compare_with(previous, articles, report)
        index = backend.fingerprint(temporary)
        write_manifest(temporary, manifest_for(articles, report.skipped, refreshed, recent, generation, index))
        _swap_in(temporary, directory)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise
    engine = backend.open(directory)
    report.passages, report.articles = engine.size, len(articles)
    coverage = Coverage(engine, articles, report.skipped, folders, refreshed, recent, generation, directory=directory, backend=backend)
    return coverage, report


def _build_into(backend: Backend, temporary: Path, files: dict[str, ScannedFile], skipped: list[Skipped]) -> list[ArticleInfo]:
    """Index every file into a new index at ``temporary``; unreadable ones go to ``skipped``.
    The rows come back in scan order however the backend split the files between its shards."""
    with _no_gc():
        parts = backend.build(temporary, list(files.values()), read_files)
    order = {name: position for position, name in enumerate(files)}
    infos = sorted((info for found, _ in parts for info in found), key=lambda info: order[info.name])
    skipped.extend(sorted((skip for _, skips in parts for skip in skips), key=lambda skip: order[skip.name]))
    return infos


def read_files(
    files: Sequence[ScannedFile],
) -> tuple[Iterator[Passage], Callable[[], tuple[list[ArticleInfo], list[Skipped]]]]:
    """A build's reading of ``files`` (a :data:`~index.engine.Reading`): their passages, then the
    article rows and the files that could not be read. Module-level, so that a Dask worker
    building one shard can be sent it."""
    infos: list[ArticleInfo] = []
    skipped: list[Skipped] = []

    def pieces() -> Iterator[Passage]:
        for file, read in read_all(files):
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
