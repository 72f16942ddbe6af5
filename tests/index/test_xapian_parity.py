"""Engine parity, kept apart from the engine's unit tests: BM25 through two remote Xapian shards
against rank-bm25 as the reference scorer, on the BBC archive (skipped when ../shared lacks it).

The reference is rank-bm25's ``BM25Okapi`` on the same tokens with k1 = 1.2, b = 0.75 and
Xapian's idf (see index/xapian_engine.py): the one formula both sides compute, so what is left is
whether two shards give the statistics of one index. The queries are fixed, written for this
test in the words of news topics the archive covers (none is an evaluation question).
"""

from __future__ import annotations

import tarfile
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from index.articles import decode, parse_article
from index.engine import Search
from index.errors import UnreadableFile
from index.passages import Passage, make_passages
from index.text import tokens
from tests.conftest import SHARED
from tests.index.shards import running
from tests.index.test_xapian_engine import XapianBM25

ARCHIVE = SHARED / "corpora" / "bbc-news" / "bbc-fulltext.tar.gz"
QUERIES = [
    "interest rates rise economy growth",
    "oil prices record high",
    "mobile phone sales market",
    "broadband internet users",
    "video games console launch",
    "election campaign Labour Conservatives",
    "prime minister Blair speech",
    "immigration asylum policy",
    "identity cards bill",
    "Oscar nominations best film",
    "box office chart film",
    "album music award singer",
    "football club manager sacked",
    "Chelsea Arsenal Premier League",
    "rugby Six Nations Wales England",
    "tennis Australian Open final",
    "marathon athletics world record",
    "drugs test ban athlete",
    "airline profits fuel costs",
    "stock market shares fell",
    "dollar euro exchange rate",
    "steel company takeover bid",
    "job cuts factory workers",
    "pension reform retirement",
    "hospital waiting lists health",
    "school exams teachers",
    "terror suspects detention law",
    "hunting ban countryside",
    "spam email virus security",
    "search engine Google Yahoo",
    "digital music downloads",
    "television channel viewers",
    "theatre play West End",
    "novel book prize author",
    "China exports trade surplus",
    "Japan economy recession",
    "India outsourcing call centres",
    "Russia Yukos oil firm",
    "tsunami aid appeal",
    "budget tax chancellor Brown",
]


def bbc_passages() -> list[Passage]:
    if not ARCHIVE.is_file():
        pytest.skip(f"the BBC archive is not at {ARCHIVE}")
    passages: list[Passage] = []
    with tarfile.open(ARCHIVE) as archive:
        for member in sorted(archive.getmembers(), key=lambda m: m.name):
            if not member.isfile() or not member.name.endswith(".txt") or member.name.endswith("README.TXT"):
                continue
            handle = archive.extractfile(member)
            assert handle is not None
            try:
                passages.extend(make_passages(parse_article(decode(handle.read()), member.name.removeprefix("bbc/"))))
            except UnreadableFile:
                continue
    return passages


@pytest.fixture(scope="module")
def corpus() -> list[Passage]:
    return bbc_passages()


@pytest.fixture(scope="module")
def engine(corpus: list[Passage], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from index.xapian_engine import XapianEngine

    with running(tmp_path_factory.mktemp("bbc-shards"), 2) as servers:
        engine = XapianEngine(servers.shards())
        engine.lock()
        engine.add(corpus)
        engine.commit()
        engine.release()
        yield engine


def reference_top(scores: np.ndarray, passages: list[Passage], limit: int) -> list[str]:
    """The reference's best ``limit``, ties in the engine's order (file, then position)."""
    order = sorted(np.flatnonzero(scores > 0), key=lambda i: (-round(float(scores[i]), 9), passages[i].file, passages[i].ordinal))
    return [passages[i].key for i in order[:limit]]


def test_two_shards_rank_as_rank_bm25_over_the_whole_archive(engine: Any, corpus: list[Passage]) -> None:
    assert len(corpus) > 9_000
    reference = XapianBM25([tokens(p.text) for p in corpus])
    overlaps, same_best = [], []
    for query in QUERIES:
        terms = tokens(query)
        expected = reference_top(np.asarray(reference.get_scores(terms)), corpus, 10)
        got = [hit.passage.key for hit in engine.search(Search(tuple((t, 1.0) for t in terms)), 10)]
        overlaps.append(len(set(got) & set(expected)) / len(expected))
        same_best.append(got[0] == expected[0])
    assert np.mean(overlaps) >= 0.99
    assert np.mean(same_best) >= 0.95
