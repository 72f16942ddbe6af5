"""The index's manifest: what the committed index is made of, one row per article, with its own checksum.

``manifest.json`` sits in the index folder beside tantivy's files. It records each article
(content hash, title, byline, passage count: the :mod:`index.table` rows), the files skipped
and why, when and by whom the index was written, and what the committed tantivy index consists
of (a hash of its ``meta.json``, the size of every segment file). It carries its own CRC32 and
is replaced whole with ``os.replace``, so a reader sees either the old manifest or the new one.
"""

from __future__ import annotations

import json
import os
import threading
import zlib
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from . import passages as passage_rules
from .scan import Skipped
from .table import COLUMNS, ArticleTable
from .text import ANALYZER_VERSION

#: Raised whenever the manifest, article parsing or the index schema changes: an index built
#: by another version is rebuilt on open (keeping what its manifest knew).
MANIFEST_VERSION = 9  # 9: a headline after the standfirst, and a stand-in title for articles without one


@dataclass(frozen=True, slots=True)
class RefreshInfo:
    """When the index was last written, and by whom."""

    at: str
    by: str | None


def _settings_stamp() -> dict[str, int]:
    return {
        "manifest": MANIFEST_VERSION,
        "analyzer": ANALYZER_VERSION,
        "min_words": passage_rules.MIN_WORDS,
        "max_words": passage_rules.MAX_WORDS,
        "max_chars": passage_rules.MAX_CHARS,
    }


def now() -> str:
    """The time as the manifest records it: UTC, to the second."""
    return datetime.now(UTC).isoformat(timespec="seconds")


#: The manifest's first key: the CRC32 of the manifest written without it, so a damaged manifest
#: is noticed when it is opened (4 GB/s: milliseconds at a million passages), not when one of
#: its rows is decoded in the middle of answering. It stays plain JSON for anyone reading it.
_CHECK = b'{"check":"'
_CHECKED = len(_CHECK) + len('00000000",')


def write_manifest(directory: Path, manifest: dict) -> None:
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


def load_manifest(directory: Path) -> dict:
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


def earlier_index(directory: Path) -> tuple[dict[str, str], tuple[str, ...], int] | None:
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


def manifest_for(
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
        "columns": list(COLUMNS),
        "passages": articles.passages,
        "articles": articles.encoded(),
        "skipped": [asdict(s) for s in skipped],
        # What tantivy's committed index consists of (see engine.fingerprint): checked on open.
        "index": index,
    }
