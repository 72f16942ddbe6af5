"""The words an answer card bolds: chosen by the kind of answer asked for, never changing a word."""

from __future__ import annotations

import pytest

from index.emphasis import emphasis
from index.ingest import slug
from index.question import parse_question


@pytest.mark.parametrize(
    ("question", "text", "bold"),
    [
        ("How much will the bridge cost?", "The bridge will cost $45 million, the council said.", "$45 million"),
        ("How many berths did the port add in 2024?", "In 2024 the port added 12 berths.", "12"),
        ("When will the museum open?", "The museum opens on 4 May 2026, its director said.", "4 May 2026"),
        ("Who leads the harbour board?", "The harbour board is led by Ines Okafor.", "Ines Okafor"),
        ("What did Okafor say?", "\u201cThe fees pay for dredging,\u201d Okafor said.", "The fees pay for dredging"),
    ],
)
def test_the_answering_span(question: str, text: str, bold: str) -> None:
    span = emphasis(parse_question(question), text)
    assert span is not None and text[span[0] : span[1]] == bold


def test_nothing_bold_without_a_rule() -> None:
    assert emphasis(parse_question("Is the harbour open?"), "The harbour is open.") is None


def test_slugs_end_between_words() -> None:
    name = slug("Trump Signals Potential Exit from Ukraine Peace Talks, Hesitant on Russia Sanctions")
    assert name == "trump-signals-potential-exit-from-ukraine-peace-talks"
    assert slug("x" * 80) == "x" * 60 and slug("\u00dcber \u2014 ok") == "uber-ok" and slug("!!!") == "article"
