"""Passages: every one maps back to its exact source lines; short ones merged, long ones split, none unbounded."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from index.articles import parse_article, read_article
from index.desk import Desk
from index.passages import MAX_CHARS, MAX_WORDS, MIN_WORDS, Passage, make_passages
from index.text import sentence_spans
from tests.conftest import SEEDS


def assert_maps_back(passages: list[Passage], text: str) -> None:
    """Every passage is found in the source lines it cites, and its line map cuts it into exactly
    the text of those lines (the first may be entered part-way, the last left part-way)."""
    lines = text.split("\n")
    for passage in passages:
        span = " ".join(" ".join(lines[passage.line_start - 1 : passage.line_end]).split())
        assert passage.text in span
        assert passage.lines[0][0] == 0
        ends = [offset - 1 for offset, _ in passage.lines[1:]] + [len(passage.text)]
        for index, ((offset, number), end) in enumerate(zip(passage.lines, ends)):
            line = " ".join(lines[number - 1].split())
            piece = passage.text[offset:end]
            last = index == len(passage.lines) - 1
            if index == 0:
                assert line.endswith(piece) or (last and piece in line)
            else:
                assert line == piece or (last and line.startswith(piece))


def assert_bounded(passages: list[Passage]) -> None:
    assert passages
    assert max(len(p.text.split()) for p in passages) <= MAX_WORDS
    assert max(len(p.text) for p in passages) <= MAX_CHARS


@pytest.mark.parametrize("path", sorted(SEEDS.glob("*.txt")), ids=lambda p: p.name)
def test_every_passage_maps_back_to_its_source_lines(path: Path) -> None:
    passages = make_passages(read_article(path, path.name))
    assert passages
    assert_maps_back(passages, path.read_text(encoding="utf-8"))


def test_a_short_paragraph_joins_the_next_one_in_its_section() -> None:
    path = SEEDS / "000_2dc657ec8ac27053.txt"
    passages = make_passages(read_article(path, path.name))
    merged = [p for p in passages if p.text.startswith("Ukrainian President Volodymyr Zelenskyy doubts")]
    assert len(merged) == 1
    assert merged[0].text.endswith("“Russia is not serious about peace,” he stated.")
    assert (merged[0].line_start, merged[0].line_end) == (12, 13)
    assert merged[0].lines_of(merged[0].text.index("“Russia"), len(merged[0].text)) == (13, 13)


def test_short_paragraphs_do_not_cross_sections() -> None:
    text = "Title Line Here\n\nSection One\n\nA tiny note.\n\nSection Two\n\n" + "A full paragraph of words. " * 5 + "\n"
    passages = make_passages(parse_article(text, "s.txt"))
    assert [p.section for p in passages] == ["Section One", "Section Two"]


def test_long_paragraphs_split_at_sentence_boundaries() -> None:
    sentence = "The committee met again on Tuesday to weigh the proposal in detail. "
    text = "Headline For It\n\n" + sentence * 60 + "\n"
    article = parse_article(text, "long.txt")
    passages = make_passages(article)
    assert len(passages) > 1
    assert " ".join(p.text for p in passages) == article.paragraphs[0].text
    for passage in passages:
        assert MIN_WORDS <= len(passage.text.split()) <= MAX_WORDS
        assert [passage.text[a:b] for a, b in sentence_spans(passage.text)][-1].endswith("detail.")
        assert passage.line_start == passage.line_end == 3


#: 4.6 MB of words and not one full stop: under the 5 MB file cap, and once a single passage.
GIANT = "Words Without End\n\nSmith said " + "the words keep coming " * 210_000 + "\n"


def test_a_giant_paragraph_without_sentence_breaks_becomes_bounded_passages() -> None:
    article = parse_article(GIANT, "giant.txt")
    passages = make_passages(article)
    assert_bounded(passages)
    assert len(passages) > 2_000 and min(len(p.text.split()) for p in passages) >= MIN_WORDS
    # Cut at spaces only: the pieces put back together are the paragraph, every one cites line 3.
    assert " ".join(p.text for p in passages) == article.paragraphs[0].text
    assert {(p.line_start, p.line_end) for p in passages} == {(3, 3)}


def test_a_word_with_no_spaces_is_bounded_too() -> None:
    word = "x" * 100_000
    article = parse_article(f"One Long Word\n\nIt reads {word} and then stops.\n", "word.txt")
    passages = make_passages(article)
    assert_bounded(passages)
    assert "".join(p.text.replace(" ", "") for p in passages) == article.paragraphs[0].text.replace(" ", "")


def test_a_giant_hard_wrapped_paragraph_keeps_exact_line_citations() -> None:
    wrapped = [f"line {n} of a paragraph wrapped at a fixed width, with no full stop" for n in range(30_000)]
    text = "Wrapped Without End\n\n" + "\n".join(wrapped) + "\n\nA closing paragraph that ends like a sentence does.\n"
    started = time.perf_counter()
    passages = make_passages(parse_article(text, "wrapped.txt"))
    assert time.perf_counter() - started < 5  # was quadratic in the line map: minutes
    assert_bounded(passages)
    assert_maps_back(passages, text)
    assert passages[0].line_start == 3 and passages[-1].line_end == len(wrapped) + 4  # the closing line


def test_questions_over_a_giant_article_are_answered_quickly_and_quote_little(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for path in SEEDS.glob("*.txt"):
        (corpus / path.name).write_bytes(path.read_bytes())
    (corpus / "giant.txt").write_text(GIANT, encoding="utf-8")
    desk = Desk([corpus], tmp_path / "state")
    desk.open()
    assert desk.coverage.article("giant.txt").passages > 2_000
    for question in ("What did Smith say about the words?", "How many words keep coming?"):
        started = time.perf_counter()
        answer = desk.ask(question)
        assert time.perf_counter() - started < 5  # 57 s when the article was one passage
        assert answer.found and answer.answers[0].source == "giant.txt"
        assert all(len(a.quote) < 10_000 and len(a.passage) < 10_000 for a in answer.answers)
    assert desk.ask("What did Rutte say?").answers[0].source == "003_2c1112b90513d27d.txt"
