"""The coverage snapshot: the engine's reader and the article table of one committed index, opened without a lock.

A :class:`Coverage` is immutable; a refresh returns a new one and the caller swaps it in whole,
while questions keep being answered from the old one.

Reading takes no lock. Opening checks the manifest against the index (for tantivy, one small
read and one ``stat`` per segment file) before and after the engine opens it, so an update committing in another
process meanwhile, or one killed between its commit and its manifest, is seen as disagreement,
not taken for the index (:mod:`index.refresh` then decides whether to wait, rebuild or serve).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .engine import Backend, SearchEngine
from .errors import IndexDamaged
from .manifest import RefreshInfo, load_manifest, now
from .scan import Skipped
from .table import ArticleInfo, ArticleTable


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


def on_disk(directory: Path, folders: tuple[Path, ...], backend: Backend, *, verify: bool = False) -> Coverage:
    """The index as it is on disk; raises ValueError (or OSError) saying why it cannot be trusted.

    Takes no lock: the manifest names the ``meta.json`` it was written with, and that file is
    checked before and after the engine opens the index, so a commit landing in between (an update
    in another process) is seen as "disagrees", never taken for the index. ``verify`` checks
    every index file against its checksum as well, not only its size.
    """
    manifest = load_manifest(directory)
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
        RefreshInfo(manifest.get("refreshed_at") or now(), manifest.get("refreshed_by")),
        tuple(name for name in manifest.get("recent", ()) if name in articles),
        manifest.get("generation", 0),
        directory=directory,
        backend=backend,
    )
