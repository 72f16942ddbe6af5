"""Rendering: text a user or an article supplies is shown literally, and every message fits Discord's limits."""

from __future__ import annotations

from typing import Any

from bot.render import (
    EMBED_TOTAL_LIMIT,
    TITLE_LIMIT,
    answer_embed,
    clip,
    code,
    not_found_text,
    passage_pages,
    summary_pages,
    title,
)


def _citation(**overrides: Any) -> dict[str, Any]:
    citation: dict[str, Any] = {
        "source": "my_file_name.txt",
        "title": "A *starred* headline",
        "quote": "Officials said the __bridge__ reopened.",
        "passage": "Officials said the __bridge__ reopened.",
        "line_start": 3,
        "line_end": 3,
        "score": 1.0,
    }
    citation.update(overrides)
    return citation


def test_titles_show_markdown_literally_and_fit() -> None:
    assert title("What did *Rutte* say?") == "What did \\*Rutte\\* say?"
    long = title("Why " + "very " * 100 + "long?")
    assert len(long) <= TITLE_LIMIT and long.endswith("\u2026")


def test_inline_code_keeps_underscores_and_cannot_be_broken_out_of() -> None:
    assert code("004_7654.txt") == "`004_7654.txt`"
    assert code("a`b").count("`") == 2


def test_an_answer_card_quotes_literally_within_the_total_limit() -> None:
    huge = "Officials said " + "the harbour wall held through the storm; " * 400 + "and that was that."
    embed = answer_embed("What did **officials** say?", {"answers": [_citation(quote=huge, passage=huge)]})
    assert embed.title == "What did \\*\\*officials\\*\\* say?"
    assert len(embed) <= EMBED_TOTAL_LIMIT and embed.description.startswith("> Officials said")
    source = next(f.value for f in embed.fields if f.name == "Source")
    assert "my\\_file\\_name.txt" in source and "A \\*starred\\* headline" in source


def test_not_found_escapes_the_message_and_keeps_suggestions_bold() -> None:
    text = not_found_text({"message": "Nothing about *Macron*.", "suggestions": ["Rutte"]})
    assert "\\*Macron\\*" in text and "**Rutte**" in text


def test_passage_pages_split_long_passages_at_sentences() -> None:
    passage = " ".join(f"Sentence number {n} is about the harbour." for n in range(400))
    pages = passage_pages(_citation(passage=passage))
    assert len(pages) > 1 and all(len(p) <= EMBED_TOTAL_LIMIT for p in pages)
    assert all(p.title == "A \\*starred\\* headline" for p in pages)
    assert pages[0].footer.text.endswith(f"page 1 of {len(pages)}")


def test_an_empty_summary_explains_itself_literally() -> None:
    [embed] = summary_pages({"title": "Summary of *everything*", "points": [], "message": "No articles since _Monday_.", "kind": "overview"})
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

    from bot.payload import PASSAGE_CHARS, bounded

    giant = "word " * 1_000_000
    data = {
        "question": "q" * 10_000,
        "found": True,
        "answers": [_citation(quote=giant, passage="Before. " + giant, title=giant, speaker=giant, sources=[giant] * 50)] * 40,
        "message": giant,
        "suggestions": [giant] * 10,
    }
    kept = bounded(data)
    assert len(json.dumps(kept, ensure_ascii=False)) < 52_000
    assert len(kept["answers"]) == 10 and "passage" not in kept["answers"][1]
    best = kept["answers"][0]
    assert len(best["passage"]) <= PASSAGE_CHARS and best["passage_length"] == len(giant) + 8
    assert bounded(kept) == kept  # a stored answer bounded again is unchanged, excerpt bookkeeping included
    pages = passage_pages(best)
    assert 1 < len(pages) <= 8 and all(len(p) <= EMBED_TOTAL_LIMIT for p in pages)
    assert "excerpt of a 5,000,008-character passage" in (pages[0].footer.text or "")
    assert len(answer_embed("q", kept)) <= EMBED_TOTAL_LIMIT


def test_the_excerpt_is_centred_on_the_quote() -> None:
    from bot.payload import excerpt

    passage = "a" * 50_000 + " The quoted words are here. " + "b " * 50_000
    text, start = excerpt(passage, "The quoted words are here.", 1000)
    assert "The quoted words are here." in text and len(text) <= 1000 and passage[start:start + len(text)] == text
