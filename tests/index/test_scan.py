"""Scanning the corpus: files found in order, read ahead of the parser, and never left open."""

from __future__ import annotations

from pathlib import Path

import pytest

from index import scan as scan_module


def test_files_are_read_in_order_with_reads_requested_ahead(corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scan_module, "READ_AHEAD", 2)
    monkeypatch.setattr(scan_module, "MAX_ARTICLE_BYTES", 5_000)
    (corpus / "empty.txt").write_text("")
    (corpus / "gone.txt").symlink_to(corpus / "nowhere.txt")
    files, skipped = scan_module.scan([corpus])
    assert [s.name for s in skipped] == ["gone.txt"] and "cannot be read" in skipped[0].reason
    read = list(scan_module.read_all(files.values()))
    assert [file.name for file, _ in read] == sorted(files)
    reasons = {file.name: str(result) for file, result in read if isinstance(result, Exception)}
    big = [name for name in files if files[name].size > 5_000]
    assert big and reasons == {"empty.txt": "empty file", **{name: reasons[name] for name in big}}
    assert all("too large" in reasons[name] for name in big)
    article, digest = next(result for _, result in read if not isinstance(result, Exception))
    assert article.paragraphs and len(digest) == 64


def test_reading_stopped_early_leaves_no_file_open(corpus: Path) -> None:
    files, _ = scan_module.scan([corpus])
    before = len(list(Path("/proc/self/fd").iterdir())) if Path("/proc/self/fd").exists() else None
    reader = scan_module.read_all(files.values())
    next(reader)
    reader.close()
    if before is None:
        pytest.skip("no /proc to count open files")
    assert len(list(Path("/proc/self/fd").iterdir())) == before
