"""The one citation builder and the one wire-copy rule: what a source is called, where it links, which copies are one."""

from __future__ import annotations

from dataclasses import replace

import pytest

from index.citation import Citation, cite, group, link, wire_key, with_copy
from tests.index.fakes import fake_reader

FETCHED = """---
title: Harbour Wall Rebuilt Before Storms
date: 2025-05-04
outlet: Port Gazette
url: https://gazette.example/news/harbour-wall?id=7
---
The harbour wall was rebuilt before the winter storms, the council said on Tuesday.

"We did not cut a single corner on safety," said harbour master Ines Okafor, who led the repairs.
"""
NO_HEADLINE = """Written by Jane Doe.
The ferry company raised its summer fares by a tenth on Monday, blaming the rising cost of fuel.

Passengers said the harbour was busy as the new timetable was announced.
"""


def test_a_fetched_article_is_cited_by_headline_outlet_date_and_address() -> None:
    reader = fake_reader({"added/port-gazette-harbour-wall.txt": FETCHED})
    passage = reader.article("added/port-gazette-harbour-wall.txt")[1]
    cited = cite(reader, passage, 0, 51, speaker="Ines Okafor", score=2.5)
    assert cited.quote == passage.text[:51] and cited.line_start == cited.line_end == 9
    assert (cited.title, cited.outlet, cited.date) == ("Harbour Wall Rebuilt Before Storms", "Port Gazette", "2025-05-04")
    assert cited.url == "https://gazette.example/news/harbour-wall?id=7"
    assert (cited.speaker, cited.score, cited.passage, cited.key) == ("Ines Okafor", 2.5, passage.text, passage.key)
    assert cited.files == ("added/port-gazette-harbour-wall.txt",)


def test_an_article_without_a_headline_is_cited_by_a_stand_in_never_its_file_name() -> None:
    reader = fake_reader({"5f2a9c41d0e8b7a3.txt": NO_HEADLINE})
    cited = cite(reader, reader.article("5f2a9c41d0e8b7a3.txt")[0], 0, 20)
    assert cited.title == "The ferry company raised its summer fares by a tenth on Monday, blaming the rising cost\u2026"
    assert cited.url is None and cited.outlet is None and cited.date is None


@pytest.mark.parametrize(
    ("url", "kept"),
    [
        ("https://gazette.example/a", True),
        ("http://gazette.example/a(b)", True),
        ("javascript:alert(1)", False),
        ("ftp://gazette.example/a", False),
        ("/news/relative", False),
        ("https://gazette.example/a b", False),
        ("https:///no-host", False),
        ("https://gazette.example/" + "x" * 3000, False),
        ("", False),
        (None, False),
    ],
)
def test_only_an_absolute_web_address_becomes_a_link(url: str | None, kept: bool) -> None:
    assert (link(url) == url) if kept else link(url) is None


def _citation(source: str, quote: str, line: int = 3) -> Citation:
    return Citation(source, f"Headline of {source}", quote, line, line, passage=quote, key=f"{source}#0")


def test_the_same_words_in_several_files_are_one_citation_citing_each() -> None:
    wire = "\u201cWe will rebuild the wall,\u201d Okafor said."
    grouped = group([
        _citation("a.txt", wire),
        _citation("other.txt", "Something else entirely was said."),
        _citation("b.txt", '"We will rebuild the WALL" - Okafor said', line=9),
        _citation("a.txt", wire),  # the same file again: nothing new
    ])
    assert [c.source for c in grouped] == ["a.txt", "other.txt"]
    first = grouped[0]
    assert first.files == ("a.txt", "b.txt") and first.also[0].line_start == 9
    assert first.also[0].passage == "" and first.also[0].also == ()  # a copy is cited, not carried whole
    assert wire_key(wire) == wire_key('"We will rebuild the WALL" - Okafor said')
    assert with_copy(first, _citation("b.txt", wire)) is first


def test_span_context_and_answering_words() -> None:
    quote = "The council met on Tuesday. It approved 4.2 million pounds for the wall."
    plain = _citation("a.txt", quote)
    assert plain.answering == quote and plain.context == ""
    marked = replace(plain, span=(28, len(quote)))
    assert marked.answering == "It approved 4.2 million pounds for the wall." and marked.context == "The council met on Tuesday."


def test_an_address_with_letters_outside_ascii_is_encoded_and_a_foreign_host_is_not_linked() -> None:
    assert link("https://zeitung.example/stra\u00dfe-gesperrt") == "https://zeitung.example/stra%C3%9Fe-gesperrt"
    assert link("https://b\u00fccher.example/a") is None
