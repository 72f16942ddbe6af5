"""Benchmark the sharded deployment beside tantivy: build (one process, and Dask), BM25 queries and whole questions through two Xapian shards.

The BBC archive is read from ../shared beside the project; corpora are the main bench's
replicated BBC (bench/bench.py: same recipe, same seeded questions), under --workdir.
Two shards, each a read-only and a writable ``xapian-tcpsrv`` on 127.0.0.1 started here (in
their own sessions) and stopped by PID. Prints one markdown table, plus the engines' top-10
agreement with rank-bm25 at sizes up to ``--parity-up-to`` passages.

    python bench/shards.py --sizes 10000,100000
"""

from __future__ import annotations

import argparse
import math
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from rank_bm25 import BM25Okapi

from bbc import ROOT, SHARED, archive_in, load_bbc  # beside this file
from bench import SEED, WORKDIR, QuestionMaker, ensure_corpus  # beside this file

sys.path.insert(0, str(ROOT))  # the repo's own index package; tests.index.shards starts the servers

from index.answer import Answerer  # noqa: E402
from index.coverage import Coverage  # noqa: E402
from index.refresh import open_coverage  # noqa: E402
from index.engine import Search, SearchEngine  # noqa: E402
from index.text import tokens  # noqa: E402
from tests.index.shards import running  # noqa: E402

SHARDS = 2


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def timed(work: Callable[[str], object], items: Sequence[str]) -> tuple[float, float, float]:
    """(p50 ms, p99 ms, per second) of ``work`` over ``items``, one after another."""
    times = []
    started = time.perf_counter()
    for item in items:
        begun = time.perf_counter()
        work(item)
        times.append((time.perf_counter() - begun) * 1000)
    total = time.perf_counter() - started
    return statistics.median(times), percentile(times, 0.99), len(items) / total


def bm25_query(engine: SearchEngine) -> Callable[[str], object]:
    return lambda question: engine.search(Search(tuple((t, 1.0) for t in dict.fromkeys(tokens(question)))), 10)


def build(folder: Path, state: Path, **options: object) -> tuple[Coverage, float]:
    shutil.rmtree(state, ignore_errors=True)
    started = time.perf_counter()
    coverage, report = open_coverage([folder], state, **options)  # type: ignore[arg-type]
    assert report.rebuilt
    return coverage, time.perf_counter() - started


class Reference(BM25Okapi):
    """rank-bm25 on the project's tokens, k1 1.2, b 0.75, with the given idf formula."""

    def __init__(self, corpus: list[list[str]], idf: Callable[[float, float], float]) -> None:
        self._formula = idf
        super().__init__(corpus, k1=1.2, b=0.75)

    def _calc_idf(self, nd: dict[str, int]) -> None:
        self.idf = {word: self._formula(self.corpus_size, freq) for word, freq in nd.items()}


def xapian_idf(n: float, df: float) -> float:
    x = (n - df + 0.5) / (df + 0.5)
    return math.log(x if x >= 2 else 1 + x / 2)


def lucene_idf(n: float, df: float) -> float:
    return math.log(1 + (n - df + 0.5) / (df + 0.5))


def parity(engine: SearchEngine, coverage: Coverage, questions: Sequence[str]) -> dict[str, float]:
    """Mean top-10 overlap of ``engine`` with rank-bm25 using Xapian's idf and Lucene's (tantivy's)."""
    passages = [p for name in coverage.articles for p in engine.passages(f"{o}@{name}" for o in range(coverage.articles[name].passages)).values()]
    corpus = [tokens(p.text) for p in passages]
    found: dict[str, float] = {}
    for label, formula in (("xapian idf", xapian_idf), ("lucene idf", lucene_idf)):
        reference = Reference(corpus, formula)
        overlaps = []
        for question in questions:
            terms = list(dict.fromkeys(tokens(question)))
            scores = np.asarray(reference.get_scores(terms))
            order = sorted(np.flatnonzero(scores > 0), key=lambda i: (-round(float(scores[i]), 9), passages[i].file, passages[i].ordinal))
            expected = {passages[i].key for i in order[:10]}
            if expected:
                got = {hit.passage.key for hit in engine.search(Search(tuple((t, 1.0) for t in terms)), 10)}
                overlaps.append(len(got & expected) / len(expected))
        found[label] = float(np.mean(overlaps))
    return found


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000", help="passage targets, comma-separated")
    parser.add_argument("--workdir", type=Path, default=WORKDIR, help="where corpora go (never the repo)")
    parser.add_argument("--archive", type=Path, default=archive_in(SHARED))
    parser.add_argument("--questions", type=int, default=300, help="timed questions per size")
    parser.add_argument("--parity-up-to", type=int, default=20_000, help="largest size at which rank-bm25 is run beside")
    args = parser.parse_args(argv)
    if not args.archive.is_file():
        sys.exit(f"No BBC archive at {args.archive}: pass --archive, or put ../shared beside the project.")
    from index.xapian_engine import XapianBackend

    sources = load_bbc(args.archive)
    questions = QuestionMaker(sources, SEED).make(args.questions + 20)
    timed_questions, warmup = questions[: args.questions], questions[args.questions :]
    rows = [
        "| engine | passages | build s (one process / Dask) | BM25 top-10 p50 ms | p99 ms | queries/s | question p50 ms | p99 ms | questions/s |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    notes = []
    for size in sorted(int(s) for s in args.sizes.split(",")):
        corpus = ensure_corpus(args.workdir, size, sources)
        scratch = Path(tempfile.mkdtemp(prefix="shards-", dir=args.workdir))
        try:
            tantivy, tantivy_build = build(corpus.folder, scratch / "tantivy")
            with running(scratch / "servers", SHARDS) as servers:
                backend = XapianBackend(servers.shards())
                _, alone = build(corpus.folder, scratch / "alone", backend=backend)
                sharded, parallel = build(corpus.folder, scratch / "dask", backend=XapianBackend(servers.shards(), scheduler="local"))
                for label, coverage, built in (("tantivy", tantivy, f"{tantivy_build:.1f}"), (f"xapian, {SHARDS} shards", sharded, f"{alone:.1f} / {parallel:.1f}")):
                    coverage.engine.warm()  # as the desk does before a snapshot answers
                    answerer = Answerer(coverage)
                    for question in warmup:
                        answerer.ask(question)
                    query = timed(bm25_query(coverage.engine), timed_questions)
                    asked = timed(answerer.ask, timed_questions)
                    rows.append(
                        f"| {label} | {coverage.passage_count:,} | {built} | {query[0]:.2f} | {query[1]:.2f} | {query[2]:,.0f}"
                        f" | {asked[0]:.1f} | {asked[1]:.1f} | {asked[2]:,.0f} |"
                    )
                    if size <= args.parity_up_to:
                        agreement = parity(coverage.engine, coverage, timed_questions[:100])
                        notes.append(
                            f"{label} at {coverage.passage_count:,} passages, top-10 overlap with rank-bm25: "
                            + ", ".join(f"{value:.3f} ({name})" for name, value in agreement.items())
                        )
                    print(rows[-1], file=sys.stderr, flush=True)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    print("\n".join(rows))
    for note in notes:
        print(f"- {note}")


if __name__ == "__main__":
    main()
