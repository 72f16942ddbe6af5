"""The Xapian engine over two remote shards served by real ``xapian-tcpsrv`` processes on 127.0.0.1."""

from __future__ import annotations

import math
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from rank_bm25 import BM25Okapi

from index.answer import Answerer
from index.articles import read_article
from index.refresh import open_coverage, refresh
from index.desk import Desk
from index.engine import Search, neighbours
from index.errors import IndexBusy, SearchUnavailable
from index.passages import Passage, make_passages
from index.text import positioned_tokens, tokens
from tests.conftest import SEEDS
from tests.index.shards import ShardServers, running


class XapianBM25(BM25Okapi):
    """BM25Okapi with Xapian's idf: ln((N - n + 0.5) / (n + 0.5)), or ln(1 + x / 2) of that ratio x below 2."""

    def __init__(self, corpus: list[list[str]]) -> None:
        super().__init__(corpus, k1=1.2, b=0.75)

    def _calc_idf(self, nd: dict[str, int]) -> None:
        ratios = {word: (self.corpus_size - freq + 0.5) / (freq + 0.5) for word, freq in nd.items()}
        self.idf = {word: math.log(x if x >= 2 else 1 + x / 2) for word, x in ratios.items()}


def seed_passages() -> list[Passage]:
    """The seeds, and a copy of each under another name (every seed's name falls in shard 0 of 2;
    copies of one story under several names are common in news archives)."""
    paths = sorted(SEEDS.glob("*.txt"))
    return [p for path in paths for name in (path.name, f"copy/{path.name}") for p in make_passages(read_article(path, name))]


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ShardServers]:
    with running(tmp_path_factory.mktemp("shards"), 2) as started:
        yield started


@pytest.fixture(scope="module")
def indexed(servers: ShardServers) -> tuple[Any, list[Passage]]:
    from index.xapian_engine import XapianEngine

    engine = XapianEngine(servers.shards())
    passages = seed_passages()
    engine.lock()
    engine.delete_files(sorted({p.file for p in passages}))
    engine.add(passages)
    engine.commit()
    engine.release()
    return engine, passages


def test_positioned_tokens_are_the_tokens_with_tantivys_positions() -> None:
    text = "The Prime Minister of Britain said it's Trump's call."
    assert [term for term, _ in positioned_tokens(text)] == tokens(text)
    assert positioned_tokens(text) == [("prime", 1), ("minist", 2), ("britain", 4), ("said", 5), ("trump", 8), ("call", 10)]
    for p in seed_passages():
        assert [term for term, _ in positioned_tokens(p.text)] == tokens(p.text)


@pytest.mark.parametrize("question", ["What did Rutte say about NATO?", "peace talks sanctions Russia", "Kremlin spokesman Peskov progress"])
def test_bm25_over_two_shards_is_bm25_over_the_whole(indexed: tuple[Any, list[Passage]], question: str) -> None:
    """Merged statistics: each hit scores what BM25 over all passages gives it, not its shard's BM25."""
    engine, passages = indexed
    reference = XapianBM25([tokens(p.text) for p in passages])
    query = tokens(question)
    expected = np.asarray(reference.get_scores(query))
    got = engine.search(Search(tuple((t, 1.0) for t in query)), 10)
    by_key = {p.key: i for i, p in enumerate(passages)}
    assert len(got) == min(10, int((expected > 0).sum()))
    for hit in got:
        assert hit.score == pytest.approx(expected[by_key[hit.passage.key]], rel=1e-6)
    assert got[0].score == pytest.approx(expected.max(), rel=1e-6)


def test_every_article_lives_in_one_shard(indexed: tuple[Any, list[Passage]], servers: ShardServers) -> None:
    import xapian

    from index.xapian_engine import FILE, shard_of

    _, passages = indexed
    counts = [xapian.remote_open("127.0.0.1", reader.port) for reader in servers.readers]
    for file in {p.file for p in passages}:
        held = [db.get_termfreq(FILE + file) for db in counts]
        assert held[shard_of(file, 2)] == sum(p.file == file for p in passages) and sum(held) == held[shard_of(file, 2)]
    assert all(db.get_doccount() for db in counts)  # both shards hold some of the seeds


def test_required_groups_excluded_files_and_near_pairs(indexed: tuple[Any, list[Passage]]) -> None:
    engine, _ = indexed
    hits = engine.search(Search((("peac", 1.0),), required=(("rutt",),)), 10)
    assert hits and all("Rutte" in h.passage.text for h in hits)
    only_required = engine.search(Search((), required=(("rutt",),)), 10)
    assert only_required and all(h.score == 0.0 for h in only_required)
    excluded = {hits[0].passage.file}
    assert all(h.passage.file not in excluded for h in engine.search(Search((("peac", 1.0),), excluded_files=frozenset(excluded)), 50))
    plain = {h.passage.key: h.score for h in engine.search(Search((("white", 1.0), ("hous", 1.0))), 50)}
    near = engine.search(Search((("white", 1.0), ("hous", 1.0)), phrases=(("white", "hous"),)), 50)
    boosted = [h for h in near if "White House" in h.passage.text]
    assert boosted and all(h.score > plain[h.passage.key] for h in boosted)


def test_statistics_prefixes_fuzzy_and_passages(indexed: tuple[Any, list[Passage]]) -> None:
    engine, passages = indexed
    corpus = [set(tokens(p.text)) for p in passages]
    assert engine.size == len(passages)
    assert engine.doc_freq("trump") == sum("trump" in doc for doc in corpus)
    assert engine.exists("rutt") and not engine.exists("zzyzx")
    prefixed = engine.terms_with_prefix("zelensk")
    assert prefixed and all(term.startswith("zelensk") for term, _ in prefixed)
    assert dict(prefixed) == {t: sum(t in doc for doc in corpus) for t, _ in prefixed}
    assert engine.terms_with_prefix("", limit=3) and all(not t[:1].isupper() for t, _ in engine.terms_with_prefix("", limit=50))
    fuzzy = engine.fuzzy_search("rutet", 2, 20)  # a transposition and an ending away from "rutt"
    assert fuzzy and any("Rutte" in h.passage.text for h in fuzzy)
    assert engine.passages(p.key for p in passages) == {p.key: p for p in passages}
    middle = passages[1]
    around = neighbours(engine, middle, 1, 1)
    assert [p.ordinal for p in around] == [middle.ordinal - 1, middle.ordinal, middle.ordinal + 1]


def test_odd_passages_and_long_names_come_back_exactly(servers: ShardServers) -> None:
    from index.xapian_engine import XapianEngine

    long_name = "deep/" * 60 + "story.txt"
    odd = [
        Passage("a/b.txt", 0, "No section, no line map.", 3, 3),
        Passage("a/b.txt", 1, "Two lines joined.", 5, 6, "Section: with colon, 1,2 and spaces", ((0, 5), (4, 6))),
        Passage(long_name, 0, "A file name longer than any Xapian term.", 1, 1),
    ]
    engine = XapianEngine(servers.shards())
    engine.lock()
    engine.add(odd)
    engine.commit()
    try:
        assert engine.passages(p.key for p in odd) == {p.key: p for p in odd}
        assert [h.passage.file for h in engine.search(Search((("xapian", 1.0),)), 5)] == [long_name]
    finally:
        engine.delete_files(["a/b.txt", long_name])
        engine.commit()
        engine.release()


def test_one_writer_at_a_time(indexed: tuple[Any, list[Passage]], servers: ShardServers) -> None:
    from index.xapian_engine import XapianEngine

    first, second = XapianEngine(servers.shards()), XapianEngine(servers.shards())
    first.lock()
    try:
        with pytest.raises(IndexBusy):
            second.lock()
    finally:
        first.rollback()
    second.lock()
    second.rollback()


def test_rollback_drops_uncommitted_writes(indexed: tuple[Any, list[Passage]], servers: ShardServers) -> None:
    from index.xapian_engine import XapianEngine

    engine, passages = indexed
    writer = XapianEngine(servers.shards())
    writer.lock()
    writer.delete_files(sorted({p.file for p in passages}))
    writer.add([Passage("ghost.txt", 0, "An uncommitted ghost passage.", 1, 1)])
    writer.rollback()
    engine.reopen()
    assert engine.size == len(passages) and not engine.exists("ghost")


@pytest.fixture
def xapian_desk(corpus: Path, tmp_path: Path, servers: ShardServers) -> Desk:
    from index.xapian_engine import XapianBackend

    desk = Desk([corpus], tmp_path / "state", backend=XapianBackend(servers.shards(), timeout=2.0))
    report = desk.open()
    assert report.rebuilt and report.articles == 5
    return desk


def test_the_desk_answers_builds_and_refreshes_through_the_shards(xapian_desk: Desk, corpus: Path, tmp_path: Path) -> None:
    tantivy, _ = open_coverage([corpus], tmp_path / "tantivy-state")
    for question in ("What did Rutte say?", "What did Peskov say about progress?"):
        # The same answers (scores agree to a few parts in a billion: float sums in another order).
        got, expected = xapian_desk.ask(question), Answerer(tantivy).ask(question)
        assert [(c.source, c.quote) for c in got.answers] == [(c.source, c.quote) for c in expected.answers]
        assert got.found and [c.score for c in got.answers] == pytest.approx([c.score for c in expected.answers])

    (corpus / "003_2c1112b90513d27d.txt").unlink()
    (corpus / "new.md").write_text("Fresh Coverage Arrives\n\nOfficials said the harbour bridge reopened on Monday morning.\n")
    report = xapian_desk.refresh()
    assert report.added == ["new.md"] and report.removed == ["003_2c1112b90513d27d.txt"] and not report.rebuilt
    answer = xapian_desk.ask("When did the harbour bridge reopen?")
    assert answer.found and answer.answers[0].source == "new.md"
    assert xapian_desk.coverage.passage_count == sum(a.passages for a in xapian_desk.coverage.articles.values())

    # Another process opening the same state folder finds the manifest and the shards agreeing.
    again = Desk([corpus], xapian_desk.state_dir, backend=xapian_desk.backend)
    assert again.open().unchanged and not again.open().rebuilt


def test_a_dead_shard_server_is_unavailable_then_recovers(xapian_desk: Desk, servers: ShardServers) -> None:
    question = "What did Rutte say?"
    before = xapian_desk.ask(question)
    servers.readers[1].stop()
    try:
        with pytest.raises(SearchUnavailable, match="Search is unavailable right now") as raised:
            xapian_desk.ask(question)
        assert "xapian" not in raised.value.message.lower() and "tcp" not in raised.value.message
    finally:
        servers.readers[1].start()
    assert xapian_desk.ask(question) == before


def test_a_manifest_from_other_shards_is_rebuilt(xapian_desk: Desk, corpus: Path, tmp_path: Path) -> None:
    """The shards were rebuilt behind this state folder's back (another state folder, another corpus)."""
    other = tmp_path / "other"
    shutil.copytree(corpus, other)
    (other / "000_2dc657ec8ac27053.txt").unlink()
    moved = Desk([other], tmp_path / "other-state", backend=xapian_desk.backend)
    assert moved.open().rebuilt
    report = xapian_desk.open()
    assert report.rebuilt and report.reason == "it disagrees with its manifest" and report.articles == 5


def test_refresh_of_a_stale_snapshot_sees_the_other_writer(xapian_desk: Desk, corpus: Path) -> None:
    stale = xapian_desk.coverage
    (corpus / "late.md").write_text("Late Story\n\nThe ferry timetable changed after the storm.\n")
    fresh, report = refresh(stale)
    assert report.added == ["late.md"]
    _, again = refresh(stale)  # from the older snapshot: the index on disk already has it
    assert again.unchanged and not again.rebuilt
    assert fresh.engine.exists("ferri")


def test_the_vocabulary_is_fetched_before_a_snapshot_is_swapped_in(xapian_desk: Desk, corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """ "Did you mean" reads every term through the servers (seconds at 1 M passages): opening and
    refreshing fetch it, so a misspelt question never waits for it."""
    from index.xapian_engine import XapianEngine

    engine = xapian_desk.coverage.engine
    assert isinstance(engine, XapianEngine)
    fetched: list[int] = []
    real = XapianEngine._terms

    def counted(self: XapianEngine) -> list[str]:
        if self._vocabulary is None or self._vocabulary[0] != self._generation:
            fetched.append(self._generation)
        return real(self)

    monkeypatch.setattr(XapianEngine, "_terms", counted)
    (corpus / "new.md").write_text("Quillmouth Ferry Returns\n\nThe Quillmouth ferry sailed again on Tuesday.\n")
    assert xapian_desk.refresh().added == ["new.md"]
    assert len(fetched) == 1  # during the refresh, before the new snapshot answered anything
    answer = xapian_desk.ask("What did Quilmouth say?")
    assert answer.suggestions and len(fetched) == 1
