"""The tantivy engine against rank-bm25 as the reference BM25 scorer, on the same tokens."""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np
import pytest
from rank_bm25 import BM25Okapi

from index.articles import read_article
from index.engine import Search, neighbours
from index.tantivy_engine import TantivyEngine, damage, fingerprint
from index.errors import IndexDamaged
from index.passages import Passage, make_passages
from index.text import tokens
from tests.conftest import SEEDS


class LuceneBM25(BM25Okapi):
    """BM25Okapi with tantivy's (Lucene's) idf, ln(1 + (N - n + 0.5) / (n + 0.5)), and tantivy's k1 = 1.2."""

    def __init__(self, corpus: list[list[str]]) -> None:
        super().__init__(corpus, k1=1.2, b=0.75)

    def _calc_idf(self, nd: dict[str, int]) -> None:
        self.idf = {word: math.log(1 + (self.corpus_size - freq + 0.5) / (freq + 0.5)) for word, freq in nd.items()}


QUERIES = [
    "What did Rutte say about NATO?",
    "peace talks sanctions Russia",
    "Zelenskyy doubts Moscow intentions",
    "mineral agreement Ukraine aid",
    "Trump Putin missile strikes Kyiv",
    "Kremlin spokesman Peskov progress",
]


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory) -> tuple[TantivyEngine, list[Passage]]:
    passages = [p for path in sorted(SEEDS.glob("*.txt")) for p in make_passages(read_article(path, path.name))]
    engine = TantivyEngine(tmp_path_factory.mktemp("engine") / "index", create=True)
    engine.add(passages)
    engine.commit()
    return engine, passages


@pytest.mark.parametrize("question", QUERIES)
def test_top10_matches_rank_bm25_with_the_same_tokens(indexed: tuple[TantivyEngine, list[Passage]], question: str) -> None:
    engine, passages = indexed
    reference = LuceneBM25([tokens(p.text) for p in passages])
    query = tokens(question)
    expected = np.asarray(reference.get_scores(query))
    order = np.argsort(-expected)[:10]
    got = engine.search(Search(tuple((t, 1.0) for t in query)), 10)

    by_key = {p.key: i for i, p in enumerate(passages)}
    assert got[0].passage.key == passages[order[0]].key
    # The two top-10s agree, except where the reference itself (nearly) ties at the cut.
    cut = expected[order[-1]]
    for hit in got:
        if hit.passage.key not in {passages[i].key for i in order}:
            assert expected[by_key[hit.passage.key]] == pytest.approx(cut, rel=0.06)
    for hit in got:
        # tantivy keeps document lengths in one byte (exact up to 40 terms): scores agree within a few percent.
        assert hit.score == pytest.approx(expected[by_key[hit.passage.key]], rel=0.06)


def test_okapi_idf_differs_for_common_terms(indexed: tuple[TantivyEngine, list[Passage]]) -> None:
    """The documented difference: BM25Okapi floors the idf of terms in over half the passages; tantivy's stays positive."""
    engine, passages = indexed
    corpus = [tokens(p.text) for p in passages]
    common = "trump"
    share = sum(common in doc for doc in corpus) / len(corpus)
    assert share > 0.5
    okapi, lucene = BM25Okapi(corpus), LuceneBM25(corpus)
    assert okapi.idf[common] == pytest.approx(okapi.epsilon * okapi.average_idf)
    assert lucene.idf[common] > 0
    assert engine.doc_freq(common) == sum(common in doc for doc in corpus)


def test_required_terms_and_neighbours(indexed: tuple[TantivyEngine, list[Passage]]) -> None:
    engine, _ = indexed
    hits = engine.search(Search((("peac", 1.0),), required=(("rutt",),)), 10)
    assert hits and all("Rutte" in h.passage.text for h in hits)
    around = neighbours(engine, hits[0].passage, 1, 1)
    assert [p.ordinal for p in around] == list(range(hits[0].passage.ordinal - 1, hits[0].passage.ordinal + 2))


def test_delete_and_add_by_file(tmp_path: Path) -> None:
    engine = TantivyEngine(tmp_path / "index", create=True)
    engine.add([Passage("a.txt", 0, "alpha beta", 1, 1), Passage("b.txt", 0, "alpha gamma", 1, 1)])
    engine.commit()
    engine.delete_files(["a.txt"])
    engine.add([Passage("c.txt", 0, "delta", 1, 1)])
    engine.commit()
    assert engine.size == 2
    assert [h.passage.file for h in engine.search(Search((("alpha", 1.0),)), 5)] == ["b.txt"]


def test_passages_come_back_exactly_as_stored(indexed: tuple[TantivyEngine, list[Passage]], tmp_path: Path) -> None:
    engine, passages = indexed
    assert engine.passages(p.key for p in passages) == {p.key: p for p in passages}
    odd = [
        Passage("a/b.txt", 0, "No section, no line map.", 3, 3),
        Passage("a/b.txt", 1, "Two lines joined.", 5, 6, "Section: with colon, 1,2 and spaces", ((0, 5), (4, 6))),
    ]
    other = TantivyEngine(tmp_path / "odd", create=True)
    other.add(odd)
    other.commit()
    assert other.passages(p.key for p in odd) == {p.key: p for p in odd}


def test_equal_scores_come_in_file_then_position_order(tmp_path: Path) -> None:
    """The same corpus answers in the same order, however its passages were spread over segments."""
    same = "The council approved the harbour budget on Monday."
    written = [Passage(f"{name}.txt", ordinal, same, 1, 1) for name in ("d", "b", "c", "a") for ordinal in (1, 0)]
    engine = TantivyEngine(tmp_path / "index", create=True)
    for batch in (written[:3], written[3:]):  # two commits: two segments, in neither order
        engine.add(batch)
        engine.commit()
    query = Search((("harbour", 1.0),))
    expected = sorted((p.file, p.ordinal) for p in written)
    assert [(h.passage.file, h.passage.ordinal) for h in engine.search(query, 8)] == expected
    # A cut among tied hits keeps the first in that order, not whichever the index met first.
    assert [(h.passage.file, h.passage.ordinal) for h in engine.search(query, 3)] == expected[:3]
    fuzzy = engine.fuzzy_search("harbor", 1, 8)  # all tied by design: sorted, not chosen among
    assert [(h.passage.file, h.passage.ordinal) for h in fuzzy] == expected


def test_a_damaged_segment_is_reported_as_damage_and_found_by_its_checksum(tmp_path: Path) -> None:
    engine = TantivyEngine(tmp_path / "index", create=True)
    engine.add(Passage(f"{n}.txt", 0, f"Story number {n} about the harbour budget and the council.", 1, 1) for n in range(200))
    engine.commit()
    engine.release()
    path = engine.path
    recorded = fingerprint(path)
    assert damage(path, recorded, full=True) is None
    store = max(path.glob("*.store"), key=lambda p: p.stat().st_size)
    with open(store, "r+b") as handle:  # in place, as a failing disk would (never truncate a mapped file)
        handle.seek(store.stat().st_size // 3)
        handle.write(b"\xff" * 32)
    assert damage(path, recorded) is None  # same size: only the full check can tell
    assert f"{store.name} fails tantivy's checksum" in (damage(path, recorded, full=True) or "")
    reopened = TantivyEngine(path)
    with pytest.raises(IndexDamaged, match="cannot be read"):
        for hit in reopened.search(Search((("harbour", 1.0),)), 200):
            assert hit.passage.text.startswith("Story number")
    del engine, reopened
    os.truncate(store, store.stat().st_size - 10)
    assert f"{store.name} has" in (damage(path, recorded) or "")
