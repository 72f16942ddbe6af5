"""Who said what, on sentences written for the test (none taken from the evaluation sets)."""

from __future__ import annotations

import pytest

from index.attribution import analyse, statements
from index.names import mentions, name_matches
from index.passages import Passage


def _speakers(*paragraphs: str) -> list[list[str | None]]:
    window = [Passage("t.txt", i, text, i + 1, i + 1) for i, text in enumerate(paragraphs)]
    return [[i.speaker.mention.surface if i.speaker else None for i in infos] for infos in analyse(window)]


def _statements(asked: tuple[str, ...], *paragraphs: str) -> list[str]:
    window = [Passage("t.txt", i, text, i + 1, i + 1) for i, text in enumerate(paragraphs)]
    found = []
    for infos in analyse(window):
        for st in statements(infos, prefer=lambda m: name_matches(asked, m) > 0):
            if name_matches(asked, st.speaker.mention):
                found.append(st.text)
    return found


@pytest.mark.parametrize(
    ("sentence", "speaker"),
    [
        ("“The harbour will reopen in May,” Okafor told reporters.", "Okafor"),
        ("“We expect delays,” said Mira Lindqvist, a port spokeswoman.", "Mira Lindqvist"),
        ("Port authority chief Mira Lindqvist said the harbour would reopen.", "Mira Lindqvist"),
        ("Tom Baptiste, the communications director for the Harbour Workers Union said in a statement.", "Tom Baptiste"),
        ("“It was a mistake,” Dana Ruiz, 61, told the council.", "Dana Ruiz"),
        ("''It works,'' said another resident, Paul Ng.", "Paul Ng"),
        ("According to Okafor, the repairs cost more than planned.", "Okafor"),
        ("Speaking on Monday, Okafor described the delay as unacceptable.", "Okafor"),
        ("Okafor rejected the plan, arguing that it ignored the workers.", "Okafor"),
        ("Asked by Ruiz about the cost, the mayor declined to comment.", "Ruiz"),
        ("Conservative MP Peter Duncan said the harbour plan was flawed.", "Peter Duncan"),
        ("“It was a quality performance,” said Producer Kevin Wallace.", "Kevin Wallace"),
        ("“We will not bow to pressure,” Gen Musharraf told reporters.", "Musharraf"),
        ("“It is a great honour,” said golfer Gary Player.", "Gary Player"),
        ("Sen. Dana Ruiz (D-Ore.) said the vote would wait.", "Dana Ruiz"),
        ("Rep. Dana Ruiz, D-Ore., said the vote would wait.", "Dana Ruiz"),
        ("Sen. Dana Ruiz, R-S.C., a senior member, said Okafor is wrong.", "Dana Ruiz"),
        ("Surveys find that ''most residents want the ferry back,'' said Paul Ng, a planner.", "Paul Ng"),
        ("Okafor also claims he was never told about the repairs.", "Okafor"),
        ("According to harbour historian Paul Ng, the pier is the oldest in the county.", "Paul Ng"),
        ("Okafor, meanwhile, who has led the union since 2010, said the deal was fair.", "Okafor"),
        ("At a rally in Leeds, Yorkshire, on Friday, Okafor spoke for an hour, saying the deal was fair.", "Okafor"),
        ("“The pier is safe,” says Mr Dean.", "Dean"),
        ("Union leader Paul Ng, who says the pier is safe, joined the march.", "Paul Ng"),
        ("The harbour is busier than ever, says the Gazette's Mira Lindqvist in Hull.", "Mira Lindqvist"),
        ("Or so says harbour master Paul Ng.", "Paul Ng"),
        ("Harbour historian Paul Ng, who wrote the guide, said the pier was the oldest.", "Paul Ng"),
        ("But Mr Okafor's former deputy Dana Ruiz, now a councillor, said the deal was fair.", "Dana Ruiz"),
        ("But the book's author, Welsh novelist Dana Ruiz, says it is about the sea.", "Dana Ruiz"),
        ("Port chief Paul Ng believes the ferry will return.", "Paul Ng"),
        ("The ferry can help with that, said Ms Lindqvist.", "Lindqvist"),
        ("Sales doubled, outstripping Hull's Mira Lindqvist, said harbour analysts Okafor.", "Okafor"),
        ("Okafor, who is a welder, also attacked the mayor's repeated calls for cuts, noting he has “never worked a shift”.", "Okafor"),
    ],
)
def test_speaker_of_a_sentence(sentence: str, speaker: str) -> None:
    assert _speakers(sentence) == [[speaker]]


@pytest.mark.parametrize(
    "sentence",
    [
        "Officials told the council that Okafor's plan was too costly.",  # Okafor is talked about
        "“We expect delays,” said Okafor's deputy.",  # the deputy, unnamed, speaks
        "The mayor praised Lindqvist for her work.",  # no verb of saying
        "A member of Okafor's crew met the mayor and suggested a delay.",  # the member, unnamed
        "Okafor continued to press for a vote.",  # not a verb of saying here
        "Okafor was called into the meeting.",
    ],
)
def test_no_named_speaker(sentence: str) -> None:
    assert _speakers(sentence)[0][0] in (None, "The mayor")


def test_a_closing_mark_left_over_from_the_paragraph_before_opens_nothing() -> None:
    paragraph = 'Former mayor Dana Ruiz." Okafor, who chairs the board, said the pier would reopen.'
    assert _speakers(paragraph) == [[None, "Okafor"]]


def test_pronouns_continue_the_last_named_person() -> None:
    speakers = _speakers(
        "Harbour master Ines Okafor inspected the pier on Tuesday.",
        "“It will hold,” she said. She added that repairs would start soon.",
    )
    assert speakers == [[None], ["Ines Okafor", "Ines Okafor"]]


def test_a_statement_runs_over_quoted_sentences() -> None:
    found = _statements(
        ("okafor",),
        "“The pier is safe. We checked every beam,” Okafor said. “Boats can dock tomorrow.” The council was not convinced.",
    )
    assert found == ["“The pier is safe. We checked every beam,” Okafor said. “Boats can dock tomorrow.”"]


def test_a_quotation_closed_by_the_next_speaker_is_theirs_not_a_continuation() -> None:
    paragraph = (
        'Costs were higher than planned, Harbour Holdings said, but the work went on. "We have a long '
        'journey ahead to fix these issues. We continue to make progress," said Mr Spindler. The port opens at six.'
    )
    found = _statements(("spindler",), paragraph)
    assert found == ['"We have a long journey ahead to fix these issues. We continue to make progress," said Mr Spindler.']


def test_a_speaker_after_a_reopened_straight_quotation_is_found() -> None:
    speakers = _speakers(
        'He said: "Last week we heard fear. "This week we hear complacency. They have not been confronted." '
        "BBC economic editor Evan Davis said the figures were plausible."
    )
    assert speakers[0][-1] == "Evan Davis"


def test_a_quote_paragraph_after_its_speaker_is_theirs() -> None:
    found = _statements(
        ("ines", "okafor"),
        "The work will take weeks, said Ines Okafor, the harbour master.",
        "“We will not cut corners on safety, whatever the council decides.”",
    )
    assert found[-1] == "“We will not cut corners on safety, whatever the council decides.”"


def test_a_quote_paragraph_with_its_own_speaker_is_not_carried() -> None:
    speakers = _speakers(
        "The work will take weeks, said Ines Okafor, the harbour master.",
        "“It is overdue,” one resident wrote.",
    )
    assert speakers[1] == [None]


def test_two_speakers_in_one_sentence() -> None:
    sentence = "Ruiz accused the council of delay while Okafor insisted the plan was sound."
    assert _statements(("okafor",), sentence) == [sentence]
    assert _statements(("ruiz",), sentence) == [sentence]


def test_mentions_split_titles_from_names() -> None:
    found = mentions("Port authority spokesperson Mira Lindqvist met Vice President Tom Baptiste Jr.")
    assert [(m.title, m.name) for m in found][-2:] == [
        (("port", "authority", "spokesperson"), ("mira", "lindqvist")),
        (("vice", "president"), ("tom", "baptiste", "jr")),
    ] or [m.name for m in found][-1][:2] == ("tom", "baptiste")


@pytest.mark.parametrize(
    ("asked", "mention_text", "expected"),
    [
        (("zelensky",), "Volodymyr Zelenskyy", 2),
        (("volodymyr", "zelensky"), "President Volodymyr Zelenskiy", 2),
        (("rutte",), "Mr. Rutte", 1),
        (("mark", "rutte"), "Mark Rutte", 2),
        (("jane", "rutte"), "Mark Rutte", 0),
        (("jeffers",), "Jeffery Hemsley", 0),  # a surname is never someone's first name
        (("rubino",), "Rubin", 0),  # one letter apart is another person, not a spelling
    ],
)
def test_name_matching(asked: tuple[str, ...], mention_text: str, expected: int) -> None:
    assert name_matches(asked, mentions(mention_text)[-1]) == expected


# ---------------------------------------------------------------------------------------------
# British news style: roles, appositives, quote paragraphs (sentences written for the test)


def test_a_title_with_its_place_before_a_name() -> None:
    found = mentions("Chancellor of the Exchequer Paul Ng met Chief of Staff Dana Ruiz.")
    names = [m.name for m in found if m.person_like]
    assert ("paul", "ng") in names and ("dana", "ruiz") in names
