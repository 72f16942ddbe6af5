"""The answering service the bot (or any front end) holds: the current coverage snapshot, swapped whole on refresh.

Questions are answered from whatever snapshot is current when they arrive; a refresh builds the
next snapshot on the side and swaps it in with one assignment, so questions asked during a
refresh are answered from the old index and never see a half-built one. A question that finds
the index damaged (tantivy cannot read its files) has it checked and, if need be, rebuilt from
the corpus, then is asked again. All calls block and are meant to run in a worker thread.

Several processes may serve one index (Xapian shards, or one state folder): a :class:`Publication`
makes them take turns refreshing it and tells the others after each commit; each of those then
reloads the index as committed, manifest and engine, without updating it (:meth:`Desk.reload`).
"""

from __future__ import annotations

import logging
import threading
import time
import contextlib
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TypeVar

from . import meaning
from .answer import Answer, Answerer
from .coverage import Coverage
from .engine import Backend
from .errors import IndexBusy, IndexDamaged
from .locks import updating
from .refresh import RefreshReport, open_coverage, refresh
from .tantivy_engine import TANTIVY

log = logging.getLogger("newsdesk.index")
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Snapshot:
    coverage: Coverage
    answerer: Answerer


class Publication(Protocol):
    """How the processes serving one index take turns refreshing it and hear of each other's commits."""

    def writing(self, wait: float) -> AbstractContextManager[object]:
        """Held around a refresh: no other process refreshes meanwhile. Raises IndexBusy when
        another holds it for longer than ``wait`` seconds."""
        ...

    def committed(self) -> None:
        """Called after a refresh or an open changed the index: every other process reloads it."""
        ...


class Alone:
    """The :class:`Publication` of a process that is the only one serving its index."""

    def writing(self, wait: float) -> AbstractContextManager[object]:
        return contextlib.nullcontext()

    def committed(self) -> None:
        return None


class Desk:
    """Holds the current snapshot and runs refreshes one at a time."""

    def __init__(
        self, folders: Sequence[Path], state_dir: Path, *, top: int = 3, backend: Backend = TANTIVY, publication: Publication | None = None
    ) -> None:
        self.folders = [Path(f) for f in folders]
        self.state_dir = Path(state_dir)
        self.top = top
        self.backend = backend
        self.publication: Publication = publication or Alone()
        self._snapshot: Snapshot | None = None
        self._recovering = threading.Lock()
        self.started = time.time()

    def open(
        self, *, by: str | None = "start-up", verify: bool = False, wait: float = 0.0, warm: bool = True
    ) -> RefreshReport:
        """Open (building or updating as needed) the index; call once at start-up.

        Another process in the middle of writing the index does not hold start-up back: the
        index on disk answers as it is (``report.busy``), and the next refresh catches up. With
        ``wait``, it is waited for up to that many seconds instead, then IndexBusy. ``verify``
        checks every index file against its checksum; ``warm`` loads what answering needs.
        """
        try:
            turn = self.publication.writing(wait)
        except IndexBusy:
            if wait > 0:
                raise
            # Another process (perhaps on another machine) is refreshing: answer from the index as
            # that process last committed it; its commit notification brings this one up to date.
            coverage, report = open_coverage(self.folders, self.state_dir, update=False, verify=verify, backend=self.backend)
            report.busy = True
        else:
            with turn:
                coverage, report = open_coverage(
                    self.folders, self.state_dir, by=by, wait=wait, serve_busy=wait <= 0, verify=verify, backend=self.backend
                )
        if warm:
            coverage.engine.warm()
        self._swap(coverage)
        if report.rebuilt or not report.unchanged:
            self.publication.committed()
        if warm:
            meaning.warm()  # the embedding model and lemmas, loaded now rather than by the first question
        return report

    def reload(self) -> None:
        """Another process committed a change: open the index as it is now (its manifest, the
        engine reopened) and swap it in, updating nothing. Before :meth:`open`, does nothing."""
        if self._snapshot is None:
            return
        coverage, _ = open_coverage(self.folders, self.state_dir, update=False, backend=self.backend)
        coverage.engine.warm()
        self._swap(coverage)
        log.info("event=index_reload articles=%d passages=%d", len(coverage.articles), coverage.passage_count)

    @property
    def snapshot(self) -> Snapshot:
        if self._snapshot is None:
            raise RuntimeError("Desk.open() was not called")
        return self._snapshot

    @property
    def coverage(self) -> Coverage:
        return self.snapshot.coverage

    @property
    def refreshing(self) -> bool:
        return updating(self.coverage.directory)

    def ask(self, question: str, *, top: int | None = None) -> Answer:
        return self.read(lambda snapshot: self._answerer(snapshot, top).ask(question))

    def read(self, work: Callable[[Snapshot], T]) -> T:
        """``work`` on the current snapshot (one snapshot for all of it); if the index turns out
        to be damaged, :meth:`recover` and do it once more on the recovered one. For anything
        that reads the index: questions, summaries, quote checks."""
        snapshot = self.snapshot
        try:
            return work(snapshot)
        except IndexDamaged as exc:
            log.warning("event=index_damaged detail=%r; checking and rebuilding the index", exc.detail)
            self.recover(snapshot)
        return work(self.snapshot)

    def _answerer(self, snapshot: Snapshot, top: int | None) -> Answerer:
        return snapshot.answerer if top is None or top == self.top else Answerer(snapshot.coverage, top=top)

    def recover(self, damaged: Snapshot | None = None) -> RefreshReport | None:
        """After reading the index failed: check every index file against its checksum, rebuild
        the index from the corpus if any is damaged, and swap in the result.

        Questions that failed on the same snapshot at once recover once: the others find it
        replaced already (and get None).
        """
        with self._recovering:
            if damaged is not None and self._snapshot is not damaged:
                return None
            coverage, report = open_coverage(
                self.folders, self.state_dir, update=False, verify=True, by="recovery", backend=self.backend
            )
            self._swap(coverage)
            return report

    def refresh(self, *, by: str | None = None, wait: float = 0.0) -> RefreshReport:
        """Rescan the corpus folders and swap in the updated index (what :class:`~index.update.Updater` runs, once per update).

        Raises IndexBusy if a refresh is already running and does not end within ``wait`` seconds.
        """
        with self.publication.writing(wait):
            # The snapshot is taken under the lock: another process's commit just before is in it.
            coverage, report = refresh(self.snapshot.coverage, by=by, wait=wait)
            changed = coverage is not self.snapshot.coverage
            if changed:
                coverage.engine.warm()
                self._swap(coverage)
        if changed:
            self.publication.committed()
        return report

    def _swap(self, coverage: Coverage) -> None:
        self._snapshot = Snapshot(coverage, Answerer(coverage, top=self.top))
