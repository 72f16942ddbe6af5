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
        ("Secretary of State Dana Ruiz, speaking in Geneva, said the talks would go on.", "Dana Ruiz"),
        ("Chancellor of the Exchequer Paul Ng, who met the unions, said the deal was fair.", "Paul Ng"),
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


@pytest.mark.parametrize(
    ("paragraphs", "speaker"),
    [
        # "the <role> said": the person the text last gave that role, by title or appositive.
        (
            (
                "The Bishop of Lindford, the Rt Rev Dr Alan Marsh, described the film as nonsense.",
                'Writing his Easter message in the Lindford Gazette, the Bishop said: "It is a fraud."',
            ),
            "Alan Marsh",
        ),
        (("The Bishop of Lindford, the Rt Rev Dr Alan Marsh, described the film as nonsense.", "The Bishop of Lindford said it was a fraud."), "Alan Marsh"),
        (("Harbour Minister Ines Okafor opened the pier on Monday.", "The minister said the work was overdue."), "Ines Okafor"),
        (("Paul Ng, the chancellor, met the unions on Monday.", "Later the chancellor said the deal was fair."), "Paul Ng"),
        (("Paul Ng, the chancellor, met the unions on Monday.", "The chancellor, speaking in Leeds, said the deal was fair."), "Paul Ng"),
        (("Tory leader Dana Ruiz toured the docks.", "The Tory leader told reporters the port was ready."), "Dana Ruiz"),
        (("Dana Ruiz, MP for Lindford, toured the docks.", "The MP said the port was ready."), "Dana Ruiz"),
        # a role learned from '"…," the chancellor said', where the person had been named without it
        (("Paul Ng visited the port.", '"We will pay for the repairs," the chancellor said.', "The chancellor said the money was there."), "Paul Ng"),
        # descriptions after an inverted cue or a quotation
        (("Mike Ruddock praised his side.", '"We showed character," said the national team coach.'), "Mike Ruddock"),
        (("Keane was full of praise for the winger.", '"It was great play," said the Tottenham striker.'), "Keane"),
        (("Ines Okafor won the final.", '"It was a great day," the 34-year-old added.'), "Ines Okafor"),
        (("Ines Okafor won the final.", "The 34-year-old said she would rest."), "Ines Okafor"),
        (('"It was late," said the chairman of the harbour board, Labour councillor Paul Ng.',), "Paul Ng"),
    ],
)
def test_a_description_stands_for_the_person_given_it(paragraphs: tuple[str, ...], speaker: str) -> None:
    assert _speakers(*paragraphs)[-1][-1] == speaker


@pytest.mark.parametrize(
    "paragraphs",
    [
        ("The ferry was late again on Monday.", "The spokesman said the timetable would change."),  # no spokesman named
        ("Shadow chancellor Dana Ruiz attacked the plan.", "The chancellor said it was fair."),  # another role
        ("Firstly, the prime minister insisted the plan was his.", "The prime minister said it would work."),  # no one named
        ("Paul Ng, the chancellor, met the unions.", "A union official, who asked not to be named, said the chancellor also had doubts."),
        ("Ines Okafor opened the pier.", '"The pier is a triumph," the paper says.'),
        ("Ines Okafor opened the pier.", '"The pier is a triumph," the advert said.'),
    ],
)
def test_a_description_of_no_one_named_has_no_speaker(paragraphs: tuple[str, ...]) -> None:
    assert _speakers(*paragraphs)[-1][-1] is None


@pytest.mark.parametrize(
    ("sentence", "speaker"),
    [
        # A capitalised appositive of role and place describes the name before it.
        ('Conservative transport co-ordinator Dana Ruiz, MP for Lindford, added: "We will cut fares."', "Dana Ruiz"),
        ("Paul Ng, Chancellor of the Exchequer, said fares would rise.", "Paul Ng"),
        ('"Fares will rise," said Paul Ng, head of the Harbour Trust.', "Paul Ng"),
        ("Chancellor of the Exchequer Paul Ng said fares would rise.", "Paul Ng"),
        # "X of Y said": the person, not their organisation or place
        ("Mark Ellis of the Harbour Trust said the pier was safe.", "Mark Ellis"),
        ("Mira Lindqvist from the Ferry Users Association told the BBC the service was poor.", "Mira Lindqvist"),
        ("Archbishop Tom Baptiste of the Diocese of Lindford told reporters it was wrong.", "Tom Baptiste"),
        # appositives whose closing comma is missing
        ("Howard Archer, economist at Lindford Capital said the rise was modest.", "Howard Archer"),
        ('"We are checking," Michael Lamberty, a ferry company spokesman told the BBC.', "Michael Lamberty"),
        # a body speaks through its spokeswoman
        ('A spokeswoman for Royal Ferries said: "We are investigating."', "Royal Ferries"),
        # names with British titles
        ("Sir Alex Barton said his side were tired.", "Alex Barton"),
        ('Lord Okafor told BBC Radio 4\'s Today programme: "It is lawful."', "Okafor"),
        ("The Rt Hon Dana Ruiz said the vote would wait.", "Dana Ruiz"),
        ("Imelda Ruiz, 49, who told BBC News she was delighted, thanked the cast.", "Imelda Ruiz"),
        ("Mr Okafor is expected to tell the conference that the pier is safe.", "Okafor"),
    ],
)
def test_british_attribution_shapes(sentence: str, speaker: str) -> None:
    assert _speakers(sentence) == [[speaker]]


@pytest.mark.parametrize(
    "sentence",
    [
        "A member of the Harbour Trust said the pier was unsafe.",  # someone unnamed
        "A spokeswoman for the Department for Harbours said the pier was unsafe.",
    ],
)
def test_unnamed_members_are_no_named_person(sentence: str) -> None:
    speaker = _speakers(sentence)[0][0]
    assert speaker in (None, "Department", "Harbours")  # never a person's name


def test_a_speech_due_to_be_given_is_the_speakers() -> None:
    assert _speakers("Ines Okafor will address the union.", '"The pier is safe," she was due to say.')[-1] == ["Ines Okafor"]


def test_a_quote_paragraph_continues_a_quotation_that_ran_on_after_its_cue() -> None:
    speakers = _speakers(
        '"The pier is safe," said Okafor. "We checked every beam."',
        '"Boats can dock tomorrow."',
    )
    assert speakers[-1] == ["Okafor"]


def test_a_quote_paragraph_is_carried_though_someone_else_speaks_later_in_it() -> None:
    speakers = _speakers(
        "The work will take weeks, said Ines Okafor, the harbour master.",
        '"Boats can dock tomorrow." Paul Ng, the council leader, said he was not convinced.',
    )
    assert speakers[-1] == ["Ines Okafor", "Paul Ng"]


def test_a_quote_paragraph_closed_by_its_own_cue_is_not_carried() -> None:
    found = _statements(
        ("ng",),
        "The work will take weeks, said Ines Okafor, the harbour master.",
        '"Boats can dock. They will be safe," said Paul Ng.',
    )
    assert found == ['"Boats can dock. They will be safe," said Paul Ng.']
    speakers = _speakers("The work will take weeks, said Ines Okafor.", '"Who will pay?" Ng said of the plan.')
    assert speakers[-1] == [None, "Ng"]
    assert _statements(("ng",), "The work will take weeks, said Ines Okafor.", '"Who will pay?" Ng said of the plan.') == [
        '"Who will pay?" Ng said of the plan.'
    ]


def test_a_quote_paragraph_after_reported_speech_is_that_speakers() -> None:
    speakers = _speakers(
        "Ines Okafor said she had wondered whether the pier would hold.",
        '"It was a worry for all of us. We checked it every day."',
    )
    assert speakers[-1] == ["Ines Okafor", "Ines Okafor"]


@pytest.mark.parametrize("verb", ["added", "continued"])
def test_he_added_across_a_paragraph_break(verb: str) -> None:
    speakers = _speakers(
        "Harbour master Ines Okafor said the pier was safe.",
        f'"Boats can dock tomorrow," she {verb}. "We will open at six."',
    )
    assert speakers[-1][0] == "Ines Okafor"
    found = _statements(("ines", "okafor"), "Harbour master Ines Okafor said the pier was safe.", f'"Boats can dock tomorrow," she {verb}. "We will open at six."')
    assert found[-1] == f'"Boats can dock tomorrow," she {verb}. "We will open at six."'


def test_an_unnamed_speakers_cue_ends_the_statement_before_it() -> None:
    found = _statements(("okafor",), '"The pier is safe," said Okafor. A council spokesman said: "We are not so sure."')
    assert found == ['"The pier is safe," said Okafor.']


def test_a_title_with_its_place_before_a_name() -> None:
    found = mentions("Chancellor of the Exchequer Paul Ng met Chief of Staff Dana Ruiz.")
    names = [m.name for m in found if m.person_like]
    assert ("paul", "ng") in names and ("dana", "ruiz") in names


@pytest.mark.parametrize(
    ("sentence", "speaker"),
    [
        # letters after a name are no part of it; a stray comma after a subject opening the sentence
        ('Chairman of the Harbour Committee Peter Ellis MP, said: "It is alarming."', "Peter Ellis"),
        ('"Prices will fall," shop owner Hayriye Demir, told reporters.', "Hayriye Demir"),
        ("Jane Okafor QC, representing the families, said the inquiry was flawed.", "Jane Okafor"),
        # a statement's owner speaks through it
        ('Mr Ellis\'s statement said: "We have made an impact."', "Ellis"),
    ],
)
def test_post_nominals_stray_commas_and_statements(sentence: str, speaker: str) -> None:
    assert _speakers(sentence) == [[speaker]]


def test_an_appositive_comma_is_not_taken_for_a_stray_one() -> None:
    assert _speakers("Ian Ellis, deputy editor of the magazine Port Life, said the pier was safe.") == [["Ian Ellis"]]


def test_the_mp_for_a_place_is_the_person_given_that_seat() -> None:
    speakers = _speakers(
        "Dana Ruiz, MP for Lindford East, was suspended.",
        "The Lindford East MP, who was suspended last week, accused the whips of bias.",
        "A Green Party MP believes the whips were wrong.",
    )
    assert speakers[1] == ["Dana Ruiz"] and speakers[2] == [None]


@pytest.mark.parametrize(
    ("sentence", "speaker"),
    [
        # asides and adverbs between a subject and its verb
        ("Reached by phone, Okafor — who is listed as a pilot but does not fly — told reporters she would appeal.", "Okafor"),
        ("Sen. Dana Ruiz on Wednesday played down the attack and said it was the same thing.", "Dana Ruiz"),
        ("As his rivals mocked him, Mr. Okafor defiantly told voters he would go on.", "Okafor"),
        ("Harbour Republican Tom Baptiste used to back the plan, but now said it was flawed.", "Tom Baptiste"),
        # appositives with relative clauses, ages and places
        ("Willa Okafor, an actor in Leeds, who runs a small theatre, recalled that in 2009 she was broke.", "Willa Okafor"),
        ("Tom Baptiste, a former director of the Harbour Trust, whose roots are in the city, said the plan was late.", "Tom Baptiste"),
        ("Dana Ruiz, 67, a retired nurse in Allentown, Pa., said in an interview that she was worried.", "Dana Ruiz"),
        ("Another delegate, Paul Ng of Lindford, Yorks., explained the reason.", "Paul Ng"),
        ("His mother, Giselle, said her son had been obsessed.", "Giselle"),
        ("John Ellis, the port's chief financial officer said profits would rise.", "John Ellis"),
        ("Rhodri Evans, Plaid Cymru health spokesman said it was the same target.", "Rhodri Evans"),
        ("Deputy High Court Judge Richard Mawson, QC told the hearing the case was serious.", "Richard Mawson"),
        ('"It was a friend of mine," said Clinton ally James Carver.', "James Carver"),
        # a possessive after a preposition opening the sentence
        ("Despite Mr. Okafor's claims that the pier is safe, engineers found cracks.", "Okafor"),
    ],
)
def test_asides_appositives_and_adverbs(sentence: str, speaker: str) -> None:
    assert _speakers(sentence) == [[speaker]]


@pytest.mark.parametrize(
    "sentence",
    [
        "The firm runs a class called “Perception” for new staff.",  # naming, not saying
        "(Donations are typically reported in broad ranges.)",
        "Although most crew were local, the government in Lindford has vigorously denied any role.",
    ],
)
def test_no_speaker_in_these(sentence: str) -> None:
    assert _speakers(sentence) == [[None]]


def test_an_unnamed_cue_in_a_subordinate_clause_leaves_the_main_clause_named() -> None:
    sentence = "In a debate, while most of his rivals called for more troops, Okafor kept to the plan, noting that the war was costly."
    assert _speakers(sentence) == [["Okafor"]]
