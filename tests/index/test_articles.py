"""Article files to articles: decoding, headline, byline, sections, boilerplate, line numbers."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.articles import parse_article, read_article
from index.errors import UnreadableFile
from tests.conftest import SEEDS

# What the parser should find in each seed file, read off the files by hand.
EXPECTED = {
    "000_2dc657ec8ac27053.txt": {
        "title": "Trump Warns He May Walk Away from Ukraine Peace Talks",  # on line 2, below the standfirst
        "label": "Trump Warns He May Walk Away from Ukraine Peace Talks",
        "byline": None,
        "sections": [
            "“Nobody Is Playing Me,” Trump Insists",
            "Ongoing Attacks Undermine Peace Efforts",
            "Kremlin Admits Challenges but Claims Progress",
            "What’s Next for U.S. Involvement?",
        ],
    },
    "001_8d634213a0d69c48.txt": {
        "title": "Trump Signals Potential Exit from Ukraine Peace Talks, Hesitant on Russia Sanctions",
        "label": "Trump Signals Potential Exit from Ukraine Peace Talks, Hesitant on Russia Sanctions",
        "byline": None,
        "sections": [
            "A Shift in U.S. Policy?",
            "Trump’s Stance on the Ukraine Conflict",
            "Kremlin’s Response and the Broader Context",
            "Implications for Global Diplomacy",
            "A Polarized Debate",
        ],
    },
    "002_8bc5e7102b110562.txt": {
        "title": None,  # a byline, then the story: no headline at all
        "label": "President Donald Trump has signaled that his administration may abandon efforts to broker\u2026",
        "byline": "Rebecca Sullivan",
        "sections": [
            "Challenges in Negotiating Peace",
            "U.S. Policy and Strategic Considerations",
            "Broader Implications for the Conflict",
            "Navigating a Complex Geopolitical Landscape",
            "Our Take",
        ],
    },
    "003_2c1112b90513d27d.txt": {
        "title": "Trump Faces Challenges in Ukraine Peace Efforts",
        "label": "Trump Faces Challenges in Ukraine Peace Efforts",
        "byline": None,
        "sections": [],
    },
    "004_7654bc732c946649.txt": {
        "title": "Trump Pushes Putin To Spare Ukrainian Troops As Ceasefire Talks Stall",
        "label": "Trump Pushes Putin To Spare Ukrainian Troops As Ceasefire Talks Stall",
        "byline": None,
        "sections": [],
    },
}
BOILERPLATE = ("Share This Post", "Similar Posts", "Written by", "seconds Read", "stay tuned")


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_seed_structure(name: str) -> None:
    article = read_article(SEEDS / name, name)
    expected = EXPECTED[name]
    assert article.title == expected["title"]
    assert article.label == expected["label"]
    assert article.byline == expected["byline"]
    assert list(article.sections) == expected["sections"]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_seed_paragraphs_leave_out_furniture_and_map_to_their_lines(name: str) -> None:
    lines = (SEEDS / name).read_text(encoding="utf-8").split("\n")
    article = read_article(SEEDS / name, name)
    assert article.paragraphs
    for paragraph in article.paragraphs:
        assert not any(marker in paragraph.text for marker in BOILERPLATE)
        source = " ".join(" ".join(lines[paragraph.line_start - 1 : paragraph.line_end]).split())
        assert paragraph.text == source
        assert paragraph.text not in article.sections


def test_sections_are_attached_to_their_paragraphs() -> None:
    article = read_article(SEEDS / "002_8bc5e7102b110562.txt", "002")
    take = [p for p in article.paragraphs if p.section == "Our Take"]
    assert len(take) == 1 and take[0].text.startswith("President Trump’s suggestion")


def test_a_line_introducing_a_quotation_is_not_a_heading() -> None:
    text = (
        "Clashes Reported Near the Consulate\n\nSecurity forces were engaged in heavy clashes for a second night, "
        "officials said.\n\nReporter Jomana Karadsheh says:\n\n"
        '"Well, according to the eyewitness up to about an hour ago, he describes the situation as a frontline."\n'
    )
    article = parse_article(text, "a.txt")
    assert not article.sections and all(p.section is None for p in article.paragraphs)
    assert "Reporter Jomana Karadsheh says:" in [p.text for p in article.paragraphs]


def test_bom_and_crlf_are_read_like_plain_utf8(tmp_path: Path) -> None:
    plain = "Headline Here\n\nFirst paragraph of the story, long enough to count.\n\nSecond one.\n"
    path = tmp_path / "a.txt"
    path.write_bytes(b"\xef\xbb\xbf" + plain.replace("\n", "\r\n").encode())
    article = read_article(path, "a.txt")
    assert article.title == "Headline Here"
    assert [(p.text, p.line_start) for p in article.paragraphs] == [
        ("First paragraph of the story, long enough to count.", 3),
        ("Second one.", 5),
    ]


def test_hard_wrapped_paragraphs_are_joined(tmp_path: Path) -> None:
    text = (
        "A Wrapped Story\n\n"
        "This paragraph was wrapped by an editor at a fixed\n"
        "width, so its sentences run over several lines of the\n"
        "file, as plain-text mail used to be.\n\n"
        "A second paragraph follows it, wrapped in the same\n"
        "way, and it ends here.\n"
    )
    article = parse_article(text, "w.txt")
    assert [p.text for p in article.paragraphs][0].startswith("This paragraph was wrapped by an editor at a fixed width,")
    assert (article.paragraphs[0].line_start, article.paragraphs[0].line_end) == (3, 5)
    source = text.split("\n")
    assert [n for _, n in article.paragraphs[0].lines] == [3, 4, 5]
    for offset, number in article.paragraphs[0].lines:
        assert article.paragraphs[0].text[offset:].startswith(source[number - 1])


def test_metadata_header_is_read() -> None:
    text = "---\ntitle: A Headline\nbyline: Jane Doe\ndate: 2025-05-04\nurl: https://example.com/x\n---\nBody text of the article goes here.\n"
    article = parse_article(text, "h.txt")
    assert (article.title, article.byline, article.date) == ("A Headline", "Jane Doe", "2025-05-04")
    assert article.meta["url"] == "https://example.com/x"
    assert article.paragraphs[0].line_start == 7


def test_a_latin_1_file_is_read_as_windows_1252(tmp_path: Path) -> None:
    path = tmp_path / "old.txt"
    path.write_bytes("Caf\u00e9 Society Reopens\n\nThe caf\u00e9 on the quay reopened on Monday, its owner said.\n".encode("latin-1"))
    article = read_article(path, "old.txt")
    assert article.title == "Caf\u00e9 Society Reopens" and "caf\u00e9 on the quay" in article.paragraphs[0].text


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty"),
        (b"   \n\n  ", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        (b"caf\xe9 \x81\x8d au lait", "not UTF-8 or Windows-1252"),
        (b"header\x01\x02\x03\x04\x05\x06\x07\x08\x0e\x0f rest", "control characters"),
    ],
)
def test_unreadable_files_say_why(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(UnreadableFile, match=reason):
        read_article(path, "bad.txt")


def test_markdown_headings() -> None:
    text = (
        "# Harbour Wall Rebuilt\n\n*By Jane Doe*\n\nThe wall was rebuilt before the storms, the council said on Tuesday.\n\n"
        "## What Comes Next\n\nThe council will vote next month on how to pay for it, officials said.\n"
    )
    article = parse_article(text, "wall.md")
    assert (article.title, article.byline) == ("Harbour Wall Rebuilt", "Jane Doe")
    assert article.sections == ("What Comes Next",)
    assert [p.section for p in article.paragraphs][-1] == "What Comes Next"
    assert not any(p.text.startswith("#") for p in article.paragraphs)


_STORY = (
    "The harbour wall was rebuilt before the winter storms, the council said on Tuesday after months of work.\n\n"
    "The work cost more than planned, and the council will vote next month on how to pay for it.\n"
)


def test_a_headline_below_the_standfirst_is_the_headline() -> None:
    text = (
        "Months of work on the old stones ended this week, and the town can breathe again before the storms.\n"
        "Council Says Harbour Wall Rebuilt Before Winter Storms\n" + _STORY
    )
    article = parse_article(text, "x.txt")
    assert article.title == "Council Says Harbour Wall Rebuilt Before Winter Storms" and article.sections == ()
    assert article.paragraphs[0].text.startswith("Months of work")  # the standfirst stays part of the story


def test_a_short_section_heading_after_the_first_paragraph_is_not_a_headline() -> None:
    text = "Written by Jane Doe.\n" + _STORY.replace("\n\nThe work", "\nWhat It Cost\nThe work")
    article = parse_article(text, "x.txt")
    assert article.title is None and article.sections == ("What It Cost",)


def test_a_headline_after_two_paragraphs_is_a_section() -> None:
    text = _STORY + "\nCouncil Will Vote Next Month On How To Pay\nThe vote is set for the first Monday of the month.\n"
    article = parse_article(text, "x.txt")
    assert article.title is None and article.sections == ("Council Will Vote Next Month On How To Pay",)


@pytest.mark.parametrize(
    ("name", "label"),
    [
        ("1973_oil_crisis.txt", "1973 oil crisis"),
        ("harbour-wall-rebuilt.md", "Harbour wall rebuilt"),
        ("news/council_votes_on_budget.txt", "Council votes on budget"),
        # A hash, a number or a single word says nothing: the first sentence, cut between words.
        ("002_8bc5e7102b110562.txt", "The harbour wall was rebuilt before the winter storms, the council said on Tuesday after\u2026"),
        ("4815162342.txt", "The harbour wall was rebuilt before the winter storms, the council said on Tuesday after\u2026"),
        ("harbour.txt", "The harbour wall was rebuilt before the winter storms, the council said on Tuesday after\u2026"),
    ],
)
def test_an_article_without_a_headline_is_named_by_its_file_or_first_sentence(name: str, label: str) -> None:
    article = parse_article(_STORY, name)
    assert article.title is None and article.label == label
    assert len(article.label) <= 91


def test_a_short_first_sentence_is_the_stand_in_whole() -> None:
    article = parse_article("Written by Jane Doe.\nThe ferry is late again. Nobody knows why, the harbour master said.\n", "a1b2c3d4e5.txt")
    assert article.title is None and article.label == "The ferry is late again"
