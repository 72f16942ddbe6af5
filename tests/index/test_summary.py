"""Summaries on the seeds (and small written corpora): verbatim cited points, distinct, on topic, honest when absent."""

from __future__ import annotations

import asyncio
from pathlib import Path

import numpy as np
import pytest
from aiohttp import web

from index.abstractive import Endpoint, rewrite
from index.citation import Citation
from index.coverage import Coverage
from index.refresh import open_coverage, refresh
from index.summary import SAME_POINT, Summarizer
from index.text import fold, tokens
from tests.conftest import source_text


@pytest.fixture(scope="module")
def summarizer(seed_coverage: Coverage) -> Summarizer:
    return Summarizer(seed_coverage)


def _assert_cited_verbatim(coverage: Coverage, points: tuple[Citation, ...]) -> None:
    for point in points:
        for cite in (point, *point.also):
            path = coverage.articles[cite.source].path
            lines = path.read_text(encoding="utf-8").split("\n")
            span = " ".join(" ".join(lines[cite.line_start - 1 : cite.line_end]).split())
            assert cite.source in coverage.articles
            assert " ".join(cite.quote.split()) in source_text(path)
            assert " ".join(cite.quote.split()) in span


def _assert_distinct(summarizer: Summarizer, points: tuple[Citation, ...]) -> None:
    texts = [p.quote for p in points]
    assert len({fold(t) for t in texts}) == len(texts)
    vectors = summarizer._vectors([type("C", (), {"terms": tokens(t)})() for t in texts])  # noqa: SLF001
    similarity = vectors @ vectors.T
    np.fill_diagonal(similarity, 0)
    assert similarity.max(initial=0) < SAME_POINT


def test_overview(summarizer: Summarizer, seed_coverage: Coverage) -> None:
    summary = summarizer.overview()
    assert summary.title.startswith("The coverage: 5 articles")
    assert 4 <= len(summary.points) <= 6
    assert len({p.source for p in summary.points}) >= 3
    assert summary.quotes and all(p.speaker for p in summary.quotes)
    _assert_cited_verbatim(seed_coverage, summary.points + summary.quotes)
    _assert_distinct(summarizer, summary.points)


@pytest.mark.parametrize("topic", ["sanctions", "the mineral deal", "peace talks"])
def test_topic_points_are_about_the_topic(summarizer: Summarizer, seed_coverage: Coverage, topic: str) -> None:
    summary = summarizer.topic(topic)
    assert 3 <= len(summary.points) <= 6, summary
    wanted = set(tokens(topic))
    for point in summary.points:
        assert wanted & set(tokens(point.quote))
    _assert_cited_verbatim(seed_coverage, summary.points)
    _assert_distinct(summarizer, summary.points)


@pytest.mark.parametrize("topic", ["cricket", "the price of tea in China", "volcano eruptions"])
def test_absent_topic_is_said_to_be_absent(summarizer: Summarizer, topic: str) -> None:
    summary = summarizer.topic(topic)
    assert summary.points == () and summary.message and "doesn't discuss" in summary.message


def test_article_summary_in_article_order(summarizer: Summarizer, seed_coverage: Coverage) -> None:
    summary = summarizer.article("002_8bc5e7102b110562.txt")
    assert summary.title.endswith("\u2014 by Rebecca Sullivan")
    assert 3 <= len(summary.points) <= 5
    assert all(p.source == "002_8bc5e7102b110562.txt" for p in summary.points)
    starts = [p.line_start for p in summary.points]
    assert starts == sorted(starts)
    _assert_cited_verbatim(seed_coverage, summary.points)
    by_title = summarizer.article("trump faces challenges in ukraine peace efforts")
    assert by_title.points and by_title.points[0].source == "003_2c1112b90513d27d.txt"


@pytest.mark.parametrize("name", ["Zelensky", "Zelenskyy", "Volodymyr Zelenskyy"])
def test_person_summary_matches_spelling_variants(summarizer: Summarizer, seed_coverage: Coverage, name: str) -> None:
    summary = summarizer.person(name)
    assert {p.source for p in summary.points} == {"000_2dc657ec8ac27053.txt", "004_7654bc732c946649.txt"}
    assert all("zelensk" in fold(p.speaker or "") for p in summary.points)
    _assert_cited_verbatim(seed_coverage, summary.points)


def test_person_summary_one_point_per_statement(summarizer: Summarizer) -> None:
    summary = summarizer.person("Peskov")
    assert len(summary.points) >= 3
    assert len({p.quote for p in summary.points}) == len(summary.points)


@pytest.mark.parametrize("name", ["Macron", "Ines Okafor"])
def test_absent_person_is_said_to_be_absent(summarizer: Summarizer, name: str) -> None:
    summary = summarizer.person(name)
    assert summary.points == () and summary.message and name.split()[-1] in summary.message


def test_wire_copy_in_two_outlets_is_one_point_citing_both(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shared = "The city council approved a new budget for the harbour on Tuesday after a long debate about repairs."
    (corpus / "a.txt").write_text(f"Council Backs Harbour Budget\n\n{shared}\n\nThe vote was close, officials said later that night.\n")
    (corpus / "b.txt").write_text(f"Harbour Budget Passes\n\n{shared}\n\nFishermen welcomed the decision at the quay on Wednesday.\n")
    (corpus / "c.txt").write_text("Rain Expected\n\nForecasters expect heavy rain across the region for the rest of the week.\n")
    coverage, _ = open_coverage([corpus], tmp_path / "state")
    summary = Summarizer(coverage).topic("harbour budget")
    first = summary.points[0]
    assert fold(first.quote) == fold(shared)
    assert {first.source, *(c.source for c in first.also)} == {"a.txt", "b.txt"}
    assert sum(fold(p.quote) == fold(shared) for p in summary.points) == 1


def test_points_carry_their_articles_dates(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "dated.txt").write_text(
        "---\ntitle: Ferry Fares Rise\ndate: 2025-05-04\n---\n"
        "The ferry company raised summer fares by a tenth on Monday, blaming the cost of fuel.\n"
    )
    (corpus / "undated.txt").write_text("Ferry Timetable\n\nThe summer ferry timetable adds an evening crossing to the island.\n")
    coverage, _ = open_coverage([corpus], tmp_path / "state")
    summary = Summarizer(coverage).topic("ferry")
    dates = {p.source: p.date for p in summary.points}
    assert dates == {"dated.txt": "2025-05-04", "undated.txt": None}


def test_recent_summarises_what_the_last_refresh_added(corpus: Path, tmp_path: Path) -> None:
    coverage, _ = open_coverage([corpus], tmp_path / "state")
    (corpus / "bridge.md").write_text(
        "Bridge Reopens After Repairs\n\nThe old river bridge reopened to traffic on Monday after eight months of repairs.\n\n"
        "Engineers replaced the steel cables and resurfaced the whole deck during the closure.\n"
    )
    coverage, _ = refresh(coverage)
    summary = Summarizer(coverage).recent()
    assert summary.points and {p.source for p in summary.points} == {"bridge.md"}
    reopened, _ = open_coverage([corpus], tmp_path / "state")
    assert reopened.recent == ("bridge.md",)  # remembered across restarts


# -- the optional abstractive pass, against a stub endpoint on 127.0.0.1 ---------------------


async def _stub(reply: object, *, status: int = 200, delay: float = 0.0) -> tuple[web.AppRunner, str, list[dict]]:
    seen: list[dict] = []

    async def handle(request: web.Request) -> web.Response:
        seen.append({"auth": request.headers.get("Authorization"), "body": await request.json()})
        await asyncio.sleep(delay)
        return web.json_response(reply, status=status)

    app = web.Application()
    app.router.add_post("/v1/chat/completions", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # noqa: SLF001
    return runner, f"http://127.0.0.1:{port}/v1/chat/completions", seen


def _completion(text: str) -> dict:
    return {"choices": [{"message": {"role": "assistant", "content": text}}]}


async def test_abstractive_keeps_citations(summarizer: Summarizer) -> None:
    extractive = summarizer.topic("sanctions")
    runner, url, seen = await _stub(_completion("Trump is wary of new sanctions [1][3], though the WSJ saw them coming [4]."))
    try:
        summary = await rewrite(extractive, Endpoint(url, "test-model", "k-123", timeout=5))
    finally:
        await runner.cleanup()
    assert summary.abstract and "[4]" in summary.abstract
    assert summary.points == extractive.points
    assert seen[0]["auth"] == "Bearer k-123" and seen[0]["body"]["model"] == "test-model"
    prompt = seen[0]["body"]["messages"][-1]["content"]
    assert all(p.quote in prompt for p in extractive.points)


@pytest.mark.parametrize(
    ("reply", "status", "delay"),
    [
        (_completion("Trump is wary of sanctions."), 200, 0.0),  # no citations
        (_completion("Trump is wary [9]."), 200, 0.0),  # cites a sentence that does not exist
        ({"error": "overloaded"}, 500, 0.0),
        ({"choices": []}, 200, 0.0),
        (_completion("Late [1]."), 200, 2.0),  # slower than the timeout
    ],
)
async def test_abstractive_falls_back_to_extractive(summarizer: Summarizer, reply: object, status: int, delay: float) -> None:
    extractive = summarizer.topic("sanctions")
    runner, url, _ = await _stub(reply, status=status, delay=delay)
    try:
        summary = await rewrite(extractive, Endpoint(url, "m", None, timeout=0.5))
    finally:
        await runner.cleanup()
    assert summary == extractive and summary.abstract is None


async def test_abstractive_unreachable_endpoint_falls_back(summarizer: Summarizer) -> None:
    extractive = summarizer.overview()
    summary = await rewrite(extractive, Endpoint("http://127.0.0.1:9/v1/chat/completions", "m", None, timeout=1))
    assert summary is extractive

