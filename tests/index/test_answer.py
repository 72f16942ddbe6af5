"""Answers on the seeds: exact cited excerpts, speakers' own words, honest abstention, bad questions."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.answer import Answerer
from index.refresh import open_coverage
from index.errors import BadQuestion
from index.question import parse_question
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
        ("What did Rutte say about the weather forecast?", "quotes Rutte, but not on that"),
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


def test_the_answering_words_and_their_context_are_marked_in_the_quote(answerer: Answerer) -> None:
    best = answerer.ask("How many civilians were killed in the Sumy strike?").answers[0]
    assert best.span is not None and best.answering in best.quote
    assert "killed 35 civilians" in best.answering
    assert best.quote.startswith(best.context) and best.passage and best.key


def _answerer_over(tmp_path: Path, articles: dict[str, str]) -> Answerer:
    folder = tmp_path / "corpus"
    folder.mkdir()
    for name, text in articles.items():
        (folder / name).write_text(text, encoding="utf-8")
    return Answerer(open_coverage([folder], tmp_path / "state")[0])


_CLUB = """Club Rejects Bid for Striker

The club has rejected a second bid for its striker, the vice-chairman said on Monday night.

Vice-chairman Karren Brady said the offer was far below the player's value and would not be considered.

But Brady told reporters the bid was "a waste of fax paper and my time", adding that the player was not for sale.
"""
_OIL = """Oil Prices Slide on Milder Weather

Oil prices fell for a third day as forecasters revised their winter temperatures upwards.

"With the revised milder temperatures I'm more inclined to think we'll push lower," said John Brady of ABN AMRO.
"""


def test_a_surname_alone_is_not_someone_else_of_that_surname(tmp_path: Path) -> None:
    answerer = _answerer_over(tmp_path, {"club.txt": _CLUB, "oil.txt": _OIL})
    john = answerer.ask("What did John Brady say?")
    assert john.found and [a.source for a in john.answers] == ["oil.txt"]
    karren = answerer.ask("What did Karren Brady say?")
    assert karren.answers[0].source == "club.txt"
    # Asked by surname alone, both are candidates.
    assert {a.source for a in answerer.ask("What did Brady say?").answers} == {"club.txt", "oil.txt"}


def _copies(name: str, body: str, count: int = 6) -> dict[str, str]:
    """``count`` articles with the same body under their own headlines."""
    return {f"{name}{i}.txt": f"{name.title()} Story {i}\n\n{body}\n" for i in range(count)}


def test_the_full_name_written_together_outranks_its_words_apart(tmp_path: Path) -> None:
    noise = _copies(
        "sport",
        "Mike Tindall was forced to cut short his comeback, and the short delay left the short-handed side "
        "short of options, coach Mike Ford said after the game.",
    )
    texting = (
        "Texting Reaches New Heights\n\nWhile texting has not quite overtaken the phone call, it is heading that "
        "way, said Mike Short, chairman of the Mobile Data Association.\n"
    )
    answerer = _answerer_over(tmp_path, {**noise, "texting.txt": texting})
    best = answerer.ask("What did Mike Short say?").answers[0]
    assert best.source == "texting.txt" and best.speaker == "Mike Short"


def test_a_person_named_in_many_articles_is_found_where_they_speak(tmp_path: Path) -> None:
    mentions = _copies(
        "history",
        "Graham Henry and Graham Henry's predecessors shaped the side, and Henry, Graham Henry above all, "
        "is remembered in every account of the match.",
    )
    quoted = (
        "Tour Ends in Victory\n\nThe tourists won the final match of their tour comfortably on Saturday.\n\n"
        'And New Zealand coach Graham Henry said: "It was a quality performance against a very experienced side."\n'
    )
    answerer = _answerer_over(tmp_path, {**mentions, "tour.txt": quoted})
    answer = answerer.ask("What did Graham Henry say?")
    assert answer.kind == "speaker" and answer.answers[0].source == "tour.txt"
    assert "quality performance" in answer.answers[0].quote


def test_a_thing_that_is_called_something_is_not_a_speaker() -> None:
    assert parse_question("What is the gap called where two ridges meet?").speaker is None
    assert parse_question("Is the output of a functional problem characterized as simple?").speaker is None
    assert parse_question("What did the NATO secretary general say?").title == ("nato", "secretary", "general")
    assert parse_question("what did rutte say?").name == ("rutte",)


def test_a_role_of_a_place_before_a_name_is_a_title_and_its_capitals_are_no_verb() -> None:
    kerry = parse_question("What did Secretary of State John Kerry say about Iran?")
    assert (kerry.title, kerry.name, kerry.topic, kerry.verb) == (("secretary", "of", "state"), ("john", "kerry"), ("iran",), "say")
    hoon = parse_question("what did Secretary of State for Defence Geoff Hoon tell MPs")
    assert (hoon.title, hoon.name, hoon.verb) == (("secretary", "of", "state", "for", "defence"), ("geoff", "hoon"), "tell")
    assert parse_question("What did Chancellor of the Exchequer Gordon Brown say?").name == ("gordon", "brown")
    for role in ("What did the Mayor of London say?", "What did the Mayor of New York say?", "what did the Secretary of State say"):
        assert parse_question(role).name == () and parse_question(role).verb == "say"
    # Capitals are read only where the asker writes in sentence case.
    assert parse_question("What Did John Kerry Say About Iran?").name == ("john", "kerry")
    assert parse_question("What did Rutte Say?").name == ("rutte",)


def test_a_secretary_of_state_is_answered_from_their_own_words_or_named_whole_when_unknown(tmp_path: Path) -> None:
    talks = (
        "Talks Resume in Geneva\n\nSecretary of State Marta Lindqvist said the talks on the border would "
        "resume next week and that both sides wanted a lasting deal.\n"
    )
    other = "Border Crossings Reopen\n\nThe border crossings reopened on Monday after the talks, officials confirmed.\n"
    answerer = _answerer_over(tmp_path, {"talks.txt": talks, "crossings.txt": other})
    answer = answerer.ask("What did Secretary of State Marta Lindqvist say about the talks?")
    assert answer.kind == "speaker" and answer.answers[0].source == "talks.txt"
    assert "lasting deal" in answer.answers[0].quote and answer.answers[0].speaker == "Marta Lindqvist"
    unknown = answerer.ask("What did Secretary of State Hans Olsen say about the talks?")
    assert not unknown.found and unknown.message == "The coverage doesn't mention Secretary of State Hans Olsen."  # was "State Hans Olsen"


def test_without_a_statement_the_answer_still_names_the_speaker(tmp_path: Path) -> None:
    mentions_only = (
        "Harbour Plans Approved\n\nThe council approved the harbour plans on Monday after a long debate about "
        "costs, with councillor Jane Okafor among those who voted in favour.\n"
    )
    unrelated = "Harbour Costs Rise\n\nThe harbour costs rose again this year, the port authority said on Friday.\n"
    answerer = _answerer_over(tmp_path, {"plans.txt": mentions_only, "costs.txt": unrelated})
    answer = answerer.ask("What did Okafor say about the harbour costs?")
    assert answer.found and answer.answers[0].source == "plans.txt"
    assert answerer.ask("What did Okafor say about the weather?").message == "The coverage doesn't quote Okafor on that."


def test_a_name_is_not_another_that_stems_alike(tmp_path: Path) -> None:
    # The stemmer makes Williams "william" and Harris "harri" (as in Harry): the name as written decides.
    hague = _copies("politics", "Former leader William Hague said William would not stand, and Prince William agreed.")
    tennis = "Williams Through to Final\n\n\"I found another gear in the second set,\" Williams said after the match.\n"
    answerer = _answerer_over(tmp_path, {**hague, "tennis.txt": tennis})
    best = answerer.ask("What did Williams say?").answers[0]
    assert best.source == "tennis.txt" and best.speaker == "Williams"


def test_names_are_found_with_either_apostrophe(tmp_path: Path) -> None:
    text = "Campaign Regrets\n\n\"We should have gone where the votes were,\" O'Donnell said on Tuesday.\n"
    answerer = _answerer_over(tmp_path, {"campaign.txt": text})
    for question in ("What did O’Donnell say about votes?", "What did O'Donnell say?"):
        assert answerer.ask(question).answers[0].speaker == "O'Donnell"


_SEA = """Sea Defences to Be Rebuilt

The council has approved the plan for the seafront after the winter floods.

"We will rebuild the harbour wall before the next winter storms arrive," said harbour master Ines Okafor.

She added that the fishing fleet had been unable to leave port for a week.
"""


def test_a_person_asked_about_a_topic_in_other_words_gets_their_own_words(tmp_path: Path) -> None:
    answerer = _answerer_over(tmp_path, {"sea.txt": _SEA, "oil.txt": _OIL})
    answer = answerer.ask("What did Okafor say about repairing the sea defences?")
    assert answer.found and answer.kind == "speaker"
    assert "rebuild the harbour wall" in answer.answers[0].quote and answer.answers[0].speaker == "Ines Okafor"


def test_an_unknown_person_with_a_common_first_name_is_not_answered_with_someone_else(tmp_path: Path) -> None:
    answerer = _answerer_over(tmp_path, {"club.txt": _CLUB, "oil.txt": _OIL})
    answer = answerer.ask("What did John Smithers say about oil prices?")
    assert not answer.found and answer.message == "The coverage doesn't mention John Smithers."


def test_ask_summary_and_check_agree_on_who_said_what(tmp_path: Path) -> None:
    from index.check import Checker
    from index.summary import Summarizer

    answerer = _answerer_over(tmp_path, {"club.txt": _CLUB, "oil.txt": _OIL})
    coverage = answerer.coverage
    asked = answerer.ask("What did John Brady say?")
    summary = Summarizer(coverage, answerer.reader).person("John Brady")
    assert {a.source for a in asked.answers} == {p.source for p in summary.points} == {"oil.txt"}
    assert all("fax paper" not in p.quote for p in summary.points)  # Karren Brady's words are hers
    checker = Checker(coverage, answerer.reader)
    karren = checker.check("a waste of fax paper and my time", person="John Brady")
    assert karren.verdict == "other_speaker"
    john = checker.check("I'm more inclined to think we'll push lower", person="John Brady")
    assert john.verdict in ("verbatim", "altered") and john.matches[0].cite.speaker == "John Brady"
