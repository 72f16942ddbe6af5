"""The BBC news archive the benchmarks read: where it is by default, and its articles straight from the tarball."""

from __future__ import annotations

import re
import tarfile
from dataclasses import dataclass
from pathlib import Path

#: The project's root: the benchmarks live in its ``bench/`` folder and are never installed.
ROOT = Path(__file__).resolve().parent.parent
#: The read-only folder beside the project that holds the corpora and evaluation sets.
SHARED = ROOT.parent / "shared"


def archive_in(shared: Path) -> Path:
    """Where the archive is in a shared folder."""
    return shared / "corpora" / "bbc-news" / "bbc-fulltext.tar.gz"


@dataclass(frozen=True, slots=True)
class Source:
    """One BBC article: ``business/001``, its headline and its paragraphs."""

    name: str
    headline: str
    paragraphs: tuple[str, ...]

    @property
    def text(self) -> str:
        return "\n\n".join((self.headline, *self.paragraphs)) + "\n"


def load_bbc(archive: Path) -> list[Source]:
    """The archive's articles, read straight from the tarball (it must never be copied into the repo)."""
    found: list[Source] = []
    with tarfile.open(archive) as tar:
        for member in sorted(tar.getmembers(), key=lambda m: m.name):
            parts = member.name.split("/")
            if not member.isfile() or len(parts) != 3 or not parts[2].endswith(".txt"):
                continue  # README.TXT and folders
            raw = tar.extractfile(member).read()  # type: ignore[union-attr]
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                text = raw.decode("latin-1")  # one file of the archive is Latin-1
            blocks = [" ".join(block.split()) for block in re.split(r"\n\s*\n", text.strip())]
            blocks = [block for block in blocks if block]
            found.append(Source(f"{parts[1]}/{parts[2][:-4]}", blocks[0], tuple(blocks[1:])))
    return found
