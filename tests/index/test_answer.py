"""Answers on the seeds: exact cited excerpts, speakers' own words, honest abstention, bad questions."""

from __future__ import annotations

import pytest

from index.answer import Answerer
from index.errors import BadQuestion
from index.text import fold
from tests.conftest import SEEDS, source_text

SPEAKER_QUESTIONS = [
    ("What did Rutte say?", "rutte"),
    ("Rutte quote", "rutte"),
    ("What did the NATO secretary general say?", "rutte"),
    ("What did Peskov say?", "peskov"),
    ("What did Zelensky say about Russia?", "zelensk"),
    ("What did Zelenskyy say about Russia?", "zelensk"),
    ("How did Vance describe the war?", "vance"),
    ("What did Rubio say?", "rubio"),
]


def _assert_exact_excerpt(answer_source: str, quote: str, line_start: int, line_end: int) -> None:
    path = SEEDS / answer_source
    assert " ".join(quote.split()) in source_text(path)
    lines = path.read_text(encoding="utf-8").split("\n")
    cited = " ".join(" ".join(lines[line_start - 1 : line_end]).split())
    assert " ".join(quote.split()) in cited


@pytest.mark.parametrize(("question", "speaker"), SPEAKER_QUESTIONS)
def test_speaker_questions_quote_that_speaker(answerer: Answerer, question: str, speaker: str) -> None:
    answer = answerer.ask(question)
    assert answer.found and answer.kind == "speaker"
    best = answer.answers[0]
    assert speaker in fold(best.speaker or "")
    assert speaker[:5] in fold(best.quote) or best.quote.lstrip()[:1] in "“\"" or " he " in f" {fold(best.quote)} "
    for citation in answer.answers:
        _assert_exact_excerpt(citation.source, citation.quote, citation.line_start, citation.line_end)
        assert citation.quote in citation.passage


def test_also_in_lists_other_articles_once(answerer: Answerer) -> None:
    answer = answerer.ask("What did Peskov say?")
    sources = [a.source for a in answer.answers]
    assert len(sources) == len(set(sources)) >= 2


@pytest.mark.parametrize(
    "question",
    [
        "How many civilians were killed in the Sumy strike?",
        "What are Russia's demands for a peace agreement?",
        "Who is the US special envoy?",
    ],
)
def test_fact_questions_quote_whole_sentences(answerer: Answerer, question: str) -> None:
    answer = answerer.ask(question)
    assert answer.found
    best = answer.answers[0]
    _assert_exact_excerpt(best.source, best.quote, best.line_start, best.line_end)
    assert best.quote[0].isupper() or best.quote[0] in "“\""
    assert best.quote.rstrip("”\"’)")[-1] in ".!?"


@pytest.mark.parametrize(
    ("question", "hint"),
    [
        ("What did Macron say?", "Macron"),
        ("What is the capital of Australia?", None),
        ("Who won the Super Bowl?", None),
        ("What did Rute say?", "Rutte"),
    ],
)
def test_abstains_when_the_coverage_does_not_say(answerer: Answerer, question: str, hint: str | None) -> None:
    answer = answerer.ask(question)
    assert not answer.found and answer.answers == ()
    assert answer.message
    if hint == "Rutte":
        assert "Rutte" in answer.suggestions
    elif hint:
        assert hint in answer.message


@pytest.mark.parametrize("question", ["", "   ", "the of and what?", "🙂🙂🙂", "?" * 3, "x" * 10_000])
def test_bad_questions_get_a_clear_message(answerer: Answerer, question: str) -> None:
    with pytest.raises(BadQuestion) as caught:
        answerer.ask(question)
    assert 10 < len(caught.value.message) < 200


@pytest.mark.parametrize("question", ["Что сказал Рютте?", "Qu'a dit Macron sur la Russie ?", "川普说了什么？"])
def test_other_languages_are_answered_honestly(answerer: Answerer, question: str) -> None:
    answer = answerer.ask(question)
    assert not answer.found and answer.message


def test_chat_markup_and_mentions_are_ignored(answerer: Answerer) -> None:
    plain = answerer.ask("What did Rutte say?")
    noisy = answerer.ask("<@123456> **What did Rutte say?** @everyone <@&987>")
    assert noisy.answers[0].quote == plain.answers[0].quote
    assert "@everyone" not in noisy.question and "<@" not in noisy.question


def test_json_shape(answerer: Answerer) -> None:
    data = answerer.ask("What did Rutte say?").to_json()
    assert set(data) >= {"question", "found", "answers"}
    first = data["answers"][0]
    assert {"source", "title", "quote", "passage", "line_start", "line_end", "score", "speaker"} <= set(first)
