"""The stored answer payload: versioned, bounded, and every version written so far still read."""

from __future__ import annotations

import json

from bot.payload import VERSION, bounded, decode, encode
from index.answer import Answer
from index.citation import Citation

#: A row as the bot stored it before payloads carried a version: ``bounded(Answer.to_json())``.
VERSION_1_ROW = {
    "question": "What did Rutte say?",
    "found": True,
    "answers": [
        {
            "source": "003_2c1112b90513d27d.txt",
            "title": "Trump Faces Challenges in Ukraine Peace Efforts",
            "quote": "\u201cRussia remains the greatest long-term challenge to NATO,\u201d Rutte told reporters.",
            "line_start": 11,
            "line_end": 11,
            "score": 7.1234,
            "date": "2025-04-30",
            "speaker": "Rutte",
            "sources": ["003_2c1112b90513d27d.txt", "wire-copy.txt"],
            "passage": "\u2026of talks. \u201cRussia remains the greatest long-term challenge to NATO,\u201d Rutte told reporters.",
            "passage_start": 120,
            "passage_length": 40_000,
        },
        {"source": "000_2dc657ec8ac27053.txt", "title": None, "quote": "Other words.", "line_start": 4, "line_end": 5, "score": 3.0},
    ],
}


def test_a_row_stored_before_versions_still_reads() -> None:
    kept = decode(VERSION_1_ROW)
    best, other = kept.answer.answers
    assert (best.source, best.title, best.line_start, best.speaker, best.date) == (
        "003_2c1112b90513d27d.txt", "Trump Faces Challenges in Ukraine Peace Efforts", 11, "Rutte", "2025-04-30",
    )
    assert best.files == ("003_2c1112b90513d27d.txt", "wire-copy.txt") and best.url is None
    assert best.passage.startswith("\u2026of talks") and (kept.passage_start, kept.passage_length) == (120, 40_000)
    assert other.title == "000_2dc657ec8ac27053.txt" and other.passage == ""  # no title was stored: its file names it
    assert decode(json.loads(json.dumps(encode(kept)))) == kept  # and it is written back in the current version


def test_the_current_version_round_trips_every_field() -> None:
    copy = Citation("b.txt", "Wall Plan", "", 2, 2, outlet="Quay News", url="https://quay.example/wall")
    best = Citation(
        "a.txt", "Harbour Wall Rebuilt", "The council met. It approved the wall.", 3, 4, date="2025-05-04",
        outlet="Port Gazette", url="https://gazette.example/wall", section="Money", speaker="Ines Okafor", also=(copy,),
        passage="Before. The council met. It approved the wall. After.", key="a.txt#2", score=4.5, span=(17, 38),
    )
    kept = bounded(Answer("How much?", True, (best,), kind="speaker"))
    stored = json.loads(json.dumps(encode(kept)))
    assert stored["v"] == VERSION and stored["answers"][0]["source"] == "a.txt" and stored["answers"][0]["score"] == 4.5
    assert decode(stored) == kept and decode(stored).answer.answers[0] == best


def test_a_stored_link_is_checked_again_when_read() -> None:
    row = {**VERSION_1_ROW, "v": 2, "answers": [{**VERSION_1_ROW["answers"][0], "url": "javascript:alert(1)"}]}
    assert decode(row).answer.answers[0].url is None
    not_found = decode({"v": 2, "question": "q", "found": False, "message": "No.", "suggestions": ["Rutte"]})
    assert not not_found.answer.found and not_found.answer.suggestions == ("Rutte",)
