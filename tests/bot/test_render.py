"""Rendering: text a user or an article supplies is shown literally, and every message fits Discord's limits."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from bot.exts.ask._embeds import answer_embed, not_found_text, passage_pages
from bot.exts.summary._embeds import summary_pages
from bot.render import EMBED_TOTAL_LIMIT, TITLE_LIMIT, clip, code, title
from index.answer import Answer
from index.citation import Citation
from index.summary import Summary


def _citation(**overrides: Any) -> Citation:
    citation = Citation(
        source="my_file_name.txt",
        title="A *starred* headline",
        quote="Officials said the __bridge__ reopened.",
        passage="Officials said the __bridge__ reopened.",
        line_start=3,
        line_end=3,
        score=1.0,
    )
    return replace(citation, **overrides)


def _answer(*citations: Citation, question: str = "q") -> Answer:
    return Answer(question, True, citations)


def test_titles_show_markdown_literally_and_fit() -> None:
    assert title("What did *Rutte* say?") == "What did \\*Rutte\\* say?"
    long = title("Why " + "very " * 100 + "long?")
    assert len(long) <= TITLE_LIMIT and long.endswith("\u2026")


def test_inline_code_keeps_underscores_and_cannot_be_broken_out_of() -> None:
    assert code("004_7654.txt") == "`004_7654.txt`"
    assert code("a`b").count("`") == 2


def test_an_answer_card_quotes_literally_within_the_total_limit() -> None:
    huge = "Officials said " + "the harbour wall held through the storm; " * 400 + "and that was that."
    embed = answer_embed(_answer(_citation(quote=huge, passage=huge), question="What did **officials** say?"))
    assert embed.title == "What did \\*\\*officials\\*\\* say?"
    assert len(embed) <= EMBED_TOTAL_LIMIT and embed.description.startswith("> Officials said")
    source = next(f.value for f in embed.fields if f.name == "Source")
    assert source == "**A \\*starred\\* headline**\n-# my\\_file\\_name.txt, line 3"
    assert embed.url is None


def test_a_source_reads_headline_outlet_date_linked_with_its_file_in_small_text() -> None:
    cited = _citation(
        title="Wall [rebuilt] before storms", outlet="Port Gazette", date="2025-05-04",
        url="https://gazette.example/a_(b)", line_end=5,
    )
    embed = answer_embed(_answer(cited))
    source = next(f.value for f in embed.fields if f.name == "Source")
    assert source == (
        "**[Wall \\[rebuilt\\] before storms](https://gazette.example/a_%28b%29)** \u2014 Port Gazette, 4 May 2025\n"
        "-# my\\_file\\_name.txt, lines 3\u20135"
    )
    assert embed.url == "https://gazette.example/a_(b)"
    [page] = passage_pages(cited)
    assert page.title == "Wall [rebuilt] before storms \u2014 Port Gazette, 4 May 2025" and page.url == cited.url
    assert page.footer.text == "my_file_name.txt, lines 3\u20135"


def test_not_found_escapes_the_message_and_keeps_suggestions_bold() -> None:
    text = not_found_text(Answer("q", False, message="Nothing about *Macron*.", suggestions=("Rutte",)))
    assert "\\*Macron\\*" in text and "**Rutte**" in text


def test_passage_pages_split_long_passages_at_sentences() -> None:
    passage = " ".join(f"Sentence number {n} is about the harbour." for n in range(400))
    pages = passage_pages(_citation(passage=passage))
    assert len(pages) > 1 and all(len(p) <= EMBED_TOTAL_LIMIT for p in pages)
    assert all(p.title == "A \\*starred\\* headline" for p in pages)
    assert pages[0].footer.text.endswith(f"page 1 of {len(pages)}")


def test_an_empty_summary_explains_itself_literally() -> None:
    [embed] = summary_pages(Summary("overview", "Summary of *everything*", message="No articles since _Monday_."))
    assert embed.title == "Summary of \\*everything\\*" and embed.description == "No articles since \\_Monday\\_."


def test_clip_cuts_at_a_sentence_boundary() -> None:
    assert clip("One sentence here. Another one follows and is long.", 30) == "One sentence here.\u2026"


def _clip_reading_everything(text: str, limit: int) -> str:
    """The clip of old, which split the whole text into sentences: the windowed one must cut the same."""
    from bot.render import ELLIPSIS
    from index.text import sentence_spans

    if len(text) <= limit:
        return text
    room = limit - len(ELLIPSIS)
    end = 0
    for _start, stop in sentence_spans(text):
        if stop > room:
            break
        end = stop
    if end == 0:
        cut = text.rfind(" ", 0, room)
        end = cut if cut > 0 else room
    return text[:end].rstrip() + ELLIPSIS


def test_clip_looks_only_near_the_cut_and_cuts_where_reading_everything_would() -> None:
    from tests.conftest import SEEDS

    text = " ".join(" ".join(p.read_text(encoding="utf-8").split()) for p in sorted(SEEDS.glob("*.txt")))
    for limit in range(40, 3000, 37):
        for start in range(0, 4000, 613):
            assert clip(text[start:], limit) == _clip_reading_everything(text[start:], limit), (start, limit)


def test_a_giant_answer_is_bounded_before_anything_renders_it() -> None:
    import json

    from bot.payload import PASSAGE_CHARS, bounded, decode, encode

    giant = "word " * 1_000_000
    copies = tuple(_citation(source=f"copy-{n}.txt", quote=giant, title=giant) for n in range(50))
    answer = Answer(
        "q" * 10_000,
        True,
        (_citation(quote=giant, passage="Before. " + giant, title=giant, speaker=giant, also=copies, span=(0, len(giant))),) * 40,
        message=giant,
        suggestions=(giant,) * 10,
    )
    kept = bounded(answer)
    stored = encode(kept)
    assert len(json.dumps(stored, ensure_ascii=False)) < 52_000
    assert len(kept.answer.answers) == 10 and kept.answer.answers[1].passage == ""
    best = kept.answer.answers[0]
    assert len(best.passage) <= PASSAGE_CHARS and kept.passage_length == len(giant) + 8
    assert best.span is not None and best.span[1] <= len(best.quote) and len(best.also) == 5
    assert decode(stored) == kept  # a stored answer read back is unchanged, excerpt bookkeeping included
    assert bounded(kept.answer, passage_start=kept.passage_start, passage_length=kept.passage_length) == kept
    pages = passage_pages(best, offset=kept.passage_start, total=kept.passage_length)
    assert 1 < len(pages) <= 8 and all(len(p) <= EMBED_TOTAL_LIMIT for p in pages)
    assert "excerpt of a 5,000,008-character passage" in (pages[0].footer.text or "")
    assert len(answer_embed(kept.answer)) <= EMBED_TOTAL_LIMIT


def test_the_excerpt_is_centred_on_the_quote() -> None:
    from bot.payload import excerpt

    passage = "a" * 50_000 + " The quoted words are here. " + "b " * 50_000
    text, start = excerpt(passage, "The quoted words are here.", 1000)
    assert "The quoted words are here." in text and len(text) <= 1000 and passage[start:start + len(text)] == text


def test_many_other_articles_are_listed_whole_or_counted_never_cut_mid_link() -> None:
    others = [
        _citation(source=f"paper-{n}.txt", title=f"Harbour story number {n} from the coast", outlet="Quay News",
                  url=f"https://quay.example/{'long-path-' * 8}{n}", quote="The harbour " * 100)
        for n in range(9)
    ]
    embed = answer_embed(_answer(_citation(), *others))
    also = next(f.value for f in embed.fields if f.name == "Also in")
    assert len(also) <= 1024 and also.count("**[") == also.count(")**") >= 2
    assert also.rstrip().endswith("more") or also.count("**[") == 9
