"""The article table: what the index remembers about each article file, kept as compact rows."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


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
    stand_in: str | None = None  # what to call it without a headline (index.articles.stand_in_title)

    @property
    def label(self) -> str:
        """What to call the article when citing it: its headline, or a stand-in for one."""
        return self.title or self.stand_in or Path(self.name).name

    @property
    def path(self) -> Path:
        return Path(self.folder) / self.name

    @property
    def date(self) -> str | None:
        return self.meta.get("date")


#: The manifest's columns, in the order each row holds them.
COLUMNS = ("folder", "sha256", "size", "mtime_ns", "title", "byline", "sections", "passages", "meta", "stand_in")


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
            folder, sha256, size, mtime_ns, title, byline, sections, passages, meta, stand_in = row[:10]
            info = ArticleInfo(name, folder, sha256, size, mtime_ns, title, byline, tuple(sections), passages, meta, stand_in)
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
    return [
        info.folder, info.sha256, info.size, info.mtime_ns, info.title, info.byline, list(info.sections), info.passages, info.meta,
        info.stand_in,
    ]
