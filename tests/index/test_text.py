"""Folding, the shared tokenizer, sentence splitting and quotation scanning."""

from __future__ import annotations

import pytest

from index.text import fold, scan_quotes, sentence_spans, sentences, tokens


def test_fold_unifies_typography() -> None:
    assert fold("“Nobody’s  playing\u00a0me” — he said") == fold('"Nobody\'s playing me" - He said')


@pytest.mark.parametrize(
    ("curly", "straight"),
    [("Trump’s", "Trump's"), ("“Vladimir, STOP!”", '"Vladimir, STOP!"'), ("Ukraine–Russia", "Ukraine-Russia")],
)
def test_tokens_ignore_quote_and_dash_styles(curly: str, straight: str) -> None:
    assert tokens(curly) == tokens(straight)


def test_tokens_drop_possessives_stop_words_and_case() -> None:
    assert tokens("What did Trump's envoy say?") == tokens("trump envoy say")
    assert "s" not in tokens("Putin's")
    assert tokens("the of and") == []


def test_tokens_stem_question_and_passage_alike() -> None:
    assert tokens("negotiations") == tokens("negotiating") == tokens("negotiate")
    assert tokens("sanctions")[0] == tokens("sanction")[0]
    assert tokens("Zelenskyy")[0] != tokens("Zelensky")[0]  # variants are matched as names, not by stemming


def test_tokens_fold_accents() -> None:
    assert tokens("café naïve") == tokens("cafe naive")


def test_sentences_keep_abbreviations_and_initials_together() -> None:
    text = (
        "Mr. Kopachko met Yevgeny E. Kopachko in Jan. 2015 at 5 p.m. on the U.S. border. "
        "L.H. Meyer said it cost $5.2 billion. It did."
    )
    assert sentences(text) == [
        "Mr. Kopachko met Yevgeny E. Kopachko in Jan. 2015 at 5 p.m. on the U.S. border.",
        "L.H. Meyer said it cost $5.2 billion.",
        "It did.",
    ]


def test_sentences_split_after_closing_quotes_not_inside_continuations() -> None:
    text = "“Nobody is playing me,” he said. “I know when we’re being played.” Then he left! “Vladimir, STOP!” he wrote."
    assert sentences(text) == [
        "“Nobody is playing me,” he said.",
        "“I know when we’re being played.”",
        "Then he left!",
        "“Vladimir, STOP!” he wrote.",
    ]


def test_sentence_spans_are_exact_offsets() -> None:
    text = "  First one.  Second one?\nThird one  "
    spans = sentence_spans(text)
    assert [text[a:b] for a, b in spans] == ["First one.", "Second one?", "Third one"]


@pytest.mark.parametrize(
    ("text", "quoted"),
    [
        ("“Russia is not serious,” he stated.", ["Russia is not serious,"]),
        ('"We are out," said Rubio. "Now."', ["We are out,", "Now."]),
        ("''I wouldn't,'' said Kopachko.", ["I wouldn't,"]),
        ("He said “it continues", ["it continues"]),
    ],
)
def test_scan_quotes_styles(text: str, quoted: list[str]) -> None:
    scan = scan_quotes(text)
    assert [text[a:b] for a, b in scan.spans] == quoted


def test_scan_quotes_reports_an_unclosed_quotation() -> None:
    assert scan_quotes("He said: “It goes on").opens_unclosed
    assert not scan_quotes("He said: “It ends.”").opens_unclosed


def test_a_straight_quote_reopened_after_a_sentence_starts_a_new_quotation() -> None:
    text = 'He said: "Fear last week. "Complacency this week. Not confronted." Davis said it was plausible.'
    scan = scan_quotes(text)
    assert [text[a:b] for a, b in scan.spans] == ["Fear last week. ", "Complacency this week. Not confronted."]
    assert not scan.opens_unclosed
    closing = '"Yes," she said, "we did." He left.'
    assert [closing[a:b] for a, b in scan_quotes(closing).spans] == ["Yes,", "we did."]
