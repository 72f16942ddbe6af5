"""Checking pasted quotes against the seeds: verbatim, altered, someone else's, absent, pasted with chat formatting."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.check import Checker, clean_paste
from index.coverage import Coverage
from index.refresh import open_coverage
from index.errors import BadQuestion
from tests.conftest import source_text


@pytest.fixture(scope="module")
def checker(seed_coverage: Coverage) -> Checker:
    return Checker(seed_coverage)


def _exact(coverage: Coverage, source: str, text: str) -> bool:
    return " ".join(text.split()) in source_text(coverage.articles[source].path)


def test_an_exact_quote_is_verbatim_with_speaker_and_source(checker: Checker, seed_coverage: Coverage) -> None:
    result = checker.check("\u201cRussia remains the greatest long-term challenge to NATO\u201d")
    assert result.verdict == "verbatim"
    best = result.matches[0]
    assert best.cite.source == "003_2c1112b90513d27d.txt" and best.cite.line_start == 11 and best.cite.speaker == "Rutte"
    assert best.cite.title == "Trump Faces Challenges in Ukraine Peace Efforts"
    assert best.differences == () and _exact(seed_coverage, best.cite.source, best.cite.quote)


def test_two_words_changed_are_shown(checker: Checker) -> None:
    result = checker.check("Russia remains the biggest long-term threat to NATO", person="Rutte")
    assert result.verdict == "altered"
    best = result.matches[0]
    assert [(d.kind, d.pasted, d.original) for d in best.differences] == [
        ("changed", "biggest", "greatest"),
        ("changed", "threat", "challenge"),
    ]
    assert [best.cite.quote[a:b] for a, b in best.original_marks] == ["greatest", "challenge"]
    assert [result.text[a:b] for a, b in best.pasted_marks] == ["biggest", "threat"]


@pytest.mark.parametrize(
    ("paste", "person"),
    [("Russia is not serious about peace", "Trump"), ("Trump said Russia is not serious about peace", None)],
)
def test_a_quote_given_to_the_wrong_person(checker: Checker, paste: str, person: str | None) -> None:
    result = checker.check(paste, person=person)
    assert result.verdict == "other_speaker" and result.person == "Trump"
    assert "Zelenskyy" in result.message and "not Trump" in result.message


def test_the_right_person_is_confirmed(checker: Checker) -> None:
    result = checker.check("Russia is not serious about peace", person="Zelensky")
    assert result.verdict == "verbatim" and "Zelenskyy" in result.message


def test_a_sentence_in_no_article(checker: Checker) -> None:
    result = checker.check("The harbour will reopen to cruise ships next spring, the mayor promised.")
    assert result.verdict == "not_found" and result.matches == ()
    assert "may simply not include" in result.message


def test_a_pasted_paragraph_with_discord_markdown(checker: Checker, seed_coverage: Coverage) -> None:
    paste = (
        "> **\u201cNobody is playing me.** I've spent my life in negotiations \u2014 I know when we're being played,\u201d "
        "he said.\n> Still, critics argue Trump has gone soft on __Russia__. [source](https://example.com/story)"
    )
    assert clean_paste(paste).endswith("gone soft on Russia.")
    result = checker.check(paste)
    assert result.verdict in ("verbatim", "altered")
    best = result.matches[0]
    assert best.cite.source == "000_2dc657ec8ac27053.txt" and best.similarity > 0.9
    assert _exact(seed_coverage, best.cite.source, best.cite.quote)


def test_wire_copy_is_listed_once(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    line = "\u201cWe will rebuild the harbour wall before the winter storms arrive,\u201d Mayor Ines Okafor said on Tuesday."
    for name in ("a.txt", "b.txt"):
        (corpus / name).write_text(f"Harbour Wall\n\n{line}\n\nMore reporting follows in this {name} edition.\n")
    coverage, _ = open_coverage([corpus], tmp_path / "state")
    result = Checker(coverage).check("We will rebuild the harbour wall before the winter storms arrive", person="Okafor")
    assert result.verdict == "verbatim" and len(result.matches) == 1
    assert set(result.matches[0].cite.files) == {"a.txt", "b.txt"}


@pytest.mark.parametrize("paste", ["", "hi", "x" * 10_000])
def test_unusable_pastes(checker: Checker, paste: str) -> None:
    with pytest.raises(BadQuestion):
        checker.check(paste)
