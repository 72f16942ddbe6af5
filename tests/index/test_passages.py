"""Passages: every one maps back to its exact source lines; short ones merged, long ones split."""

from __future__ import annotations

import pytest

from index.articles import parse_article, read_article
from index.passages import MAX_WORDS, MIN_WORDS, make_passages
from index.text import sentence_spans
from tests.conftest import SEEDS


@pytest.mark.parametrize("path", sorted(SEEDS.glob("*.txt")), ids=lambda p: p.name)
def test_every_passage_maps_back_to_its_source_lines(path) -> None:
    lines = path.read_text(encoding="utf-8").split("\n")
    passages = make_passages(read_article(path, path.name))
    assert passages
    for passage in passages:
        span = " ".join(" ".join(lines[passage.line_start - 1 : passage.line_end]).split())
        assert passage.text in span
        for offset, number in passage.lines:
            line = " ".join(lines[number - 1].split())
            assert line.startswith(passage.text[offset : offset + 20]) or passage.text[offset:].startswith(line[:20])


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
        assert MIN_WORDS <= len(passage.text.split()) <= MAX_WORDS + 20
        assert [passage.text[a:b] for a, b in sentence_spans(passage.text)][-1].endswith("detail.")
        assert passage.line_start == passage.line_end == 3
