"""Each stage of the answer pipeline on its own, over an in-memory engine (tests/index/fakes.py).

The articles are invented, written the way news is written; each test names the behaviour it
pins down. End-to-end behaviour over a real tantivy index is in test_answer.py.
"""

from __future__ import annotations

from index import abstain, candidates, choose, evidence, meaning
from index.citation import cite
from index.people import People, Person, Unknown
from index.question import parse_question
from index.window import leans_back, quote_window, with_neighbours
from tests.index.fakes import fake_reader

HARBOUR = """Harbour Wall Rebuilt Before Storms

The harbour wall was rebuilt before the winter storms, the council said on Tuesday.

"We did not cut a single corner on safety," said harbour master Ines Okafor, who led the repairs.

The work cost 4.2 million pounds, more than planned. It will be paid for from the reserve fund.
"""
FERRY = """Ferry Timetable Changes

The early ferry will leave at six from June, the operator said.

Passengers said the harbour was busy on Tuesday as the new timetable was announced.
"""
WIPPIT = """Download Services Compete

Music fans are moving to subscriptions, said Paul Myers, chief executive of Wippit, a download service.

"Who wants a track that stops playing next month?" Mr Myers said of the rental model.
"""
MOVES = """Striker Leaves After Row

It happened on Monday. What happened next happened quickly, and it happened in public.

Obrecht was sold to the rival club for a record fee after the row with the coach.
"""


def _reader(**articles: str):  # noqa: ANN202
    return fake_reader({f"{name}.txt": text for name, text in articles.items()})


# -- the reader --------------------------------------------------------------------------------


def test_the_reader_weighs_terms_by_the_whole_corpus() -> None:
    reader = _reader(harbour=HARBOUR, ferry=FERRY, moves=MOVES)
    assert reader.idf("okafor") > reader.idf("harbour")  # one passage against several
    passages = reader.article("harbour.txt")
    assert [p.ordinal for p in passages] == list(range(len(passages)))
    cited = cite(reader, passages[1], 0, 40, score=1.0)
    assert cited.quote == passages[1].text[:40] and cited.line_start == cited.line_end == 5
    assert cited.title == "Harbour Wall Rebuilt Before Storms"


# -- people ------------------------------------------------------------------------------------


def test_a_role_is_resolved_to_the_person_the_article_gives_it() -> None:
    reader = _reader(wippit=WIPPIT, harbour=HARBOUR)
    people = People(reader)
    assert people.role_holder(reader.article("wippit.txt"), ("Wippit", "boss")) == ("paul", "myers")
    assert people.role_holder(reader.article("harbour.txt"), ("Wippit", "boss")) is None


def test_a_name_counts_as_written_only_where_an_article_writes_it() -> None:
    reader = _reader(mess=("Row Over Transfer\n\nIt was a messy argument, and everyone said so on Friday.\n"), harbour=HARBOUR)
    people = People(reader)
    assert people.in_coverage("Okafor") and people.in_coverage("Okafor's")
    assert not people.in_coverage("Messi")  # stems like "messy", but no article writes it
    unknown = people.person(parse_question("What did Lionel Messi say about the move?"))
    assert isinstance(unknown, Unknown) and unknown.message == "The coverage doesn't mention Lionel Messi."


def test_an_unknown_person_with_a_common_first_name_is_unknown() -> None:
    reader = _reader(harbour=HARBOUR, talks=("Council Talks\n\nJohn Brady, the council leader, said the talks would go on.\n"))
    who = People(reader).person(parse_question("What did John Smithers say about the harbour?"))
    assert isinstance(who, Unknown) and who.who == "John Smithers"


# -- candidates --------------------------------------------------------------------------------


def test_articles_are_ranked_on_the_whole_article_and_its_headline() -> None:
    reader = _reader(harbour=HARBOUR, ferry=FERRY, moves=MOVES)
    found = candidates.find(reader, parse_question("How much did rebuilding the harbour wall cost?"), None)
    assert found.articles[0].file == "harbour.txt" and found.articles[0].evidence == 1.0
    assert all(c.passages for c in found.articles)


def test_a_person_asked_about_brings_in_the_articles_that_name_them() -> None:
    reader = _reader(harbour=HARBOUR, ferry=FERRY, wippit=WIPPIT)
    question = parse_question("What did Okafor say about the timetable?")
    person = People(reader).person(question)
    assert isinstance(person, Person)
    found = candidates.find(reader, question, person)
    assert found.articles[0].file == "harbour.txt" and found.articles[0].names_person


# -- evidence and choice -----------------------------------------------------------------------


def _units(reader, text: str):  # noqa: ANN001, ANN202
    people = People(reader)
    question = parse_question(text)
    person = people.person(question)
    person = person if isinstance(person, Person) else None
    return question, evidence.gather(reader, people, question, person, candidates.find(reader, question, person))


def test_a_rare_name_beats_a_common_verb_in_choosing_the_sentence() -> None:
    # "happened" is in many articles, as in any news archive; Obrecht in one.
    common = {
        f"story{i}": f"Story {i}\n\nWhat happened at the match {i} happened before, fans said.\n\nThe club said it happened twice.\n"
        for i in range(8)
    }
    reader = _reader(moves=MOVES, harbour=HARBOUR, ferry=FERRY, **common)
    _, units = _units(reader, "What happened to Obrecht?")
    best = choose.rank(units)[0][1]
    assert "Obrecht was sold" in best.text
    repeated = next(u for u in units if u.text.startswith("What happened next"))
    assert best.features["topic"] > repeated.features["topic"]


def test_word_forms_meet_through_their_lemmas() -> None:
    assert "send" in meaning.match_terms("The letter was sent on Monday.").matched
    assert "child" in meaning.match_terms("The children were evacuated.").matched
    assert "sec" in meaning.match_terms("The Securities and Exchange Commission asked for papers.").matched


def test_the_kind_of_answer_asked_for_is_evidence() -> None:
    reader = _reader(harbour=HARBOUR, ferry=FERRY)
    question, units = _units(reader, "How much did the harbour work cost?")
    costs = next(u for u in units if "4.2 million" in u.text)
    rebuilt = next(u for u in units if u.text.startswith("The harbour wall was rebuilt"))
    assert costs.features["answer_quantity"] == 1.0 and rebuilt.features["answer_quantity"] == 0.0
    assert question.wants == "amount"


def test_meaning_gives_credit_for_other_words() -> None:
    vectors = meaning.embed(["The ship sank in the storm.", "The vessel went down in bad weather.", "Ticket prices rose."])
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]


def test_a_statement_by_the_person_asked_is_a_unit_with_their_name() -> None:
    reader = _reader(harbour=HARBOUR, ferry=FERRY)
    _, units = _units(reader, "What did Okafor say about safety?")
    theirs = [u for u in units if u.features["speaker"] > 0]
    assert theirs and all(u.speaker == "Ines Okafor" for u in theirs)
    assert "single corner on safety" in choose.rank(theirs, choose.SPEAKER_WEIGHTS)[0][1].text


# -- the quote window ----------------------------------------------------------------------------


def test_a_sentence_that_leans_back_takes_the_one_before() -> None:
    assert leans_back("It will be paid for from the reserve fund.") and not leans_back("The work cost more.")
    reader = _reader(harbour=HARBOUR)
    question, units = _units(reader, "Where will the money come from for the harbour?")
    fund = next(u for u in units if u.text.startswith("It will be paid"))
    start, end = quote_window(fund, evidence.answer_test(question, question.wants))
    assert fund.passage.text[start:end].startswith("The work cost 4.2 million pounds")


def test_a_close_neighbour_in_the_next_paragraph_is_quoted_as_one_exact_excerpt() -> None:
    reader = _reader(harbour=HARBOUR)
    question, units = _units(reader, "How much did the work on the harbour wall cost?")
    ranked = [(1.0 if "rebuilt before" in u.text else 0.9 if "4.2 million" in u.text else -5.0, u) for u in units]
    ranked.sort(key=lambda pair: -pair[0])
    best = ranked[0][1]
    passage, start, end = with_neighbours(best, ranked[0][0], best.start, best.end, ranked)
    quote = passage.text[start:end]
    assert quote.startswith("The harbour wall was rebuilt") and "4.2 million" not in quote  # two paragraphs away
    cost = next(pair for pair in ranked if "4.2 million" in pair[1].text)
    passage, start, end = with_neighbours(cost[1], cost[0], cost[1].start, cost[1].end, ranked)
    assert passage.text[start:end] == cost[1].text  # the statement before it is someone's words, quoted whole


# -- abstaining ----------------------------------------------------------------------------------


def test_names_in_a_question() -> None:
    assert abstain.names_in("Did Ines Okafor speak at Harrogate?") == [("Ines Okafor", ["Ines", "Okafor"]), ("Harrogate", ["Harrogate"])]
    assert abstain.names_in("when is the eReader coming out in the UK") == [("eReader", ["eReader"]), ("UK", ["UK"])]
    assert abstain.names_in("What did the President say?") == []


def test_a_name_the_coverage_never_writes_ends_the_question() -> None:
    reader = _reader(harrogate=("Leaders Gather in Harrogate\n\nInes Brown, a delegate, said Harrogate was busier than ever this year.\n"))
    people = People(reader)
    unknown = abstain.unknown_names(people, parse_question("Did Ines Okafor speak at Harrogate?"))
    assert unknown is not None and unknown.who == "Ines Okafor"
    assert abstain.unknown_names(people, parse_question("What is the URL of the Harrogate site?")) is None  # URL: an acronym
    assert abstain.unknown_names(people, parse_question("Was Harrogate busy?")) is None
