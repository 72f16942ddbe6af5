"""The answering service the bot (or any front end) holds: the current coverage snapshot, swapped whole on refresh.

Questions are answered from whatever snapshot is current when they arrive; a refresh builds the
next snapshot on the side and swaps it in with one assignment, so questions asked during a
refresh are answered from the old index and never see a half-built one. Both calls block and are
meant to run in a worker thread.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .answer import Answer, Answerer
from .coverage import Coverage, RefreshReport, open_coverage, refresh, updating


@dataclass(frozen=True, slots=True)
class Snapshot:
    coverage: Coverage
    answerer: Answerer


class Desk:
    """Holds the current snapshot and runs refreshes one at a time."""

    def __init__(self, folders: Sequence[Path], state_dir: Path, *, top: int = 3) -> None:
        self.folders = [Path(f) for f in folders]
        self.state_dir = Path(state_dir)
        self.top = top
        self._snapshot: Snapshot | None = None
        self.started = time.time()

    def open(self) -> RefreshReport:
        """Open (building or updating as needed) the index; call once at start-up."""
        coverage, report = open_coverage(self.folders, self.state_dir, by="start-up")
        self._snapshot = Snapshot(coverage, Answerer(coverage, top=self.top))
        return report

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
        return updating(self.coverage.engine.path)

    def ask(self, question: str, *, top: int | None = None) -> Answer:
        snapshot = self.snapshot  # one read: the whole question uses one snapshot
        answerer = snapshot.answerer if top is None or top == self.top else Answerer(snapshot.coverage, top=top)
        return answerer.ask(question)

    def refresh(self, *, by: str | None = None, wait: float = 0.0) -> RefreshReport:
        """Rescan the corpus folders and swap in the updated index.

        Raises IndexBusy if a refresh is already running and does not end within ``wait`` seconds.
        """
        coverage, report = refresh(self.snapshot.coverage, by=by, wait=wait)
        if coverage is not self.snapshot.coverage:
            self._snapshot = Snapshot(coverage, Answerer(coverage, top=self.top))
        return report
