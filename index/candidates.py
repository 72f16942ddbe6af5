"""Stage one of answering: the few articles worth reading for a question, each with its evidence.

Passages are retrieved with BM25 (the engine), but a question is answered by reading articles:
the right article is usually among the first passages' articles, while the right passage often
is not the best-scoring one (the answer sentence shares few words with the question; its
neighbours and the headline share the rest). So the passages' articles are re-ranked by BM25
over the whole article — headline included, with the corpus's statistics — and the best few
are read whole. For a person asked about, the articles that write their name are added, so an
article where they speak is read even when the question's other words point elsewhere.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from .engine import Hit, Search
from .passages import Passage, passage_key
from .people import Person, writes
from .question import Question
from .reader import Reader
from .text import tokens

#: Passages retrieved for a question, and the articles among them re-ranked by whole-article BM25.
PASSAGE_HITS = 30
ARTICLE_POOL = 10
#: Articles read whole (a person's question reads a few more: where they speak may rank lower).
READ = 3
READ_PERSON = 4
#: Passages naming the person asked that are retrieved to find the articles where they speak.
PERSON_HITS = 40
#: A word in more than one passage in this many is common (a name made of two is not searched as a phrase).
COMMON_SHARE = 100
#: BM25 parameters for whole articles (the engine's, so the two kinds of score agree).
K1 = 1.2
B = 0.75
#: How much a headline word counts against a word of the body.
HEADLINE_WEIGHT = 2.0
#: Typical article length in index terms, for BM25's length normalisation (news articles; the
#: exact value matters little, since only the candidates' relative scores are used).
TYPICAL_LENGTH = 200.0
#: How much an article's own BM25 counts against its best passage's when ranking articles.
PASSAGE_SHARE = 0.5
#: Articles up to this many passages are read whole; a longer one (a report, an encyclopaedia
#: entry) is read around its retrieved passages, plus its opening one.
WHOLE_ARTICLE = 20


@dataclass(frozen=True, slots=True)
class Candidate:
    """An article to read: its passages in order and how well it matches the question (0–1)."""

    file: str
    rank: int
    evidence: float
    passages: tuple[Passage, ...]
    names_person: bool = False  # writes the name of the person asked about
    #: The BM25 score of each of its passages the search retrieved, relative to the best passage retrieved.
    retrieved: dict[str, float] = field(default_factory=dict)
    #: Too long to read whole (a report, an encyclopaedia entry): read around its retrieved passages.
    long: bool = False


@dataclass(frozen=True, slots=True)
class Candidates:
    articles: tuple[Candidate, ...]
    #: Further articles that write the person's name, for a second look when the first hold no statement of theirs.
    more: tuple[str, ...] = ()


def find(reader: Reader, question: Question, person: Person | None = None, *, exclude: frozenset[str] = frozenset()) -> Candidates:
    """The articles to read for ``question`` (and ``person``, when it asks about someone)."""
    counts: dict[str, float] = defaultdict(float)
    for term in question.terms:
        counts[term] += 1.0
    if person is not None:
        for term in person.terms:
            counts[term] = max(counts[term], 2.0)
    named = _naming_hits(reader, question, person, exclude) if person is not None and person.terms else []
    naming = list(dict.fromkeys(hit.passage.file for hit in named))
    if len(naming) >= READ_PERSON:
        # Enough articles write the person's name to fill the reading: they are the ones read,
        # so the search by the name (and the topic) is the only search.
        hits = named
    else:
        hits = reader.engine.search(Search(tuple(counts.items()), excluded_files=exclude), PASSAGE_HITS)
    best: dict[str, float] = {}
    by_file: dict[str, list[Hit]] = defaultdict(list)
    for hit in hits:
        best.setdefault(hit.passage.file, hit.score)
        by_file[hit.passage.file].append(hit)
    pool = list(best)[:ARTICLE_POOL]
    pool += [f for f in naming[:READ_PERSON] if f not in pool]
    around: dict[str, list[Hit]] = defaultdict(list)  # where to read a long article: hits of either search
    for hit in (*hits, *named):
        around[hit.passage.file].append(hit)
    if not pool:
        return Candidates(())
    terms = list(counts)
    reader.articles_of([f for f in pool if not _long(reader, f)])  # one request for all the short ones
    read = {file: _to_read(reader, file, around.get(file, ())) for file in pool}
    article_scores = {file: article_bm25(reader, file, terms, read[file]) for file in pool}
    top_article = max(article_scores.values()) or 1.0
    top_passage = max(best.values(), default=1.0) or 1.0
    combined = {
        file: article_scores[file] / top_article + PASSAGE_SHARE * best.get(file, 0.0) / top_passage for file in pool
    }
    ranked = sorted(pool, key=lambda f: (-combined[f], f))
    wanted = READ_PERSON if person is not None else READ
    if person is not None and person.terms:
        # The articles that write the person's full name go first, then those writing the name at
        # all, then the rest (someone mentioned in many articles may speak in only one of them).
        full = person.full_name
        in_full = {hit.passage.file for hit in named if full is not None and full in hit.passage.text.casefold()}
        writing = set(naming)
        ranked.sort(key=lambda f: (f not in in_full, f not in writing))
    top = combined[ranked[0]] or 1.0
    chosen = tuple(
        Candidate(
            file,
            rank,
            combined[file] / top,
            read[file],
            file in set(naming),
            {hit.passage.key: hit.score / top_passage for hit in by_file.get(file, ())},
            _long(reader, file),
        )
        for rank, file in enumerate(ranked[:wanted])
    )
    # The second look, for a full name: further articles writing it in full (for a surname
    # alone, a second look would mostly read other people of that name).
    full = person.full_name if person is not None else None
    writing_full = {hit.passage.file for hit in named if full is not None and full in hit.passage.text.casefold()}
    more = tuple(f for f in naming if f in writing_full and f not in {c.file for c in chosen})
    return Candidates(chosen, more)


def _naming_hits(reader: Reader, question: Question, person: Person, exclude: frozenset[str]) -> list[Hit]:
    """Passages that write the person's name, best first (by the name and the question's topic;
    those writing the full name before the rest: someone mentioned in many articles may speak in
    only one of them)."""
    terms = [(t, 2.0) for t in person.terms] + [(t, 3.0) for t in person.first_terms]
    terms += [(t, 1.5) for t in question.topic if t not in person.terms]
    # The full name written together counts for more than its words apart, but a phrase of two
    # common words ("New Line") costs a walk through both long position lists: left out then.
    common = max(1, reader.size // COMMON_SHARE)
    pairs = tuple(
        (first, last)
        for first in person.first_terms[-1:]
        for last in person.terms
        if min(reader.df(first), reader.df(last)) < common
    )
    search = Search(tuple(terms), required=(person.terms,), excluded_files=exclude, phrases=pairs, phrase_boost=1.0)
    kept = [hit for hit in reader.engine.search(search, PERSON_HITS) if writes(hit.passage.text, person.written)]
    full = person.full_name
    if full is not None:
        kept.sort(key=lambda hit: full not in hit.passage.text.casefold())
    return kept


def _long(reader: Reader, file: str) -> bool:
    facts = reader.facts(file)
    return facts is not None and facts.passages > WHOLE_ARTICLE


def _to_read(reader: Reader, file: str, hits: Sequence[Hit]) -> tuple[Passage, ...]:
    """An article's passages to read: all of them, or for a long article its opening passage and
    the retrieved ones with a neighbour on each side."""
    if not _long(reader, file):
        return reader.article(file)
    facts = reader.facts(file)
    count = facts.passages if facts else 0
    wanted = {0} | {o for hit in hits for o in range(hit.passage.ordinal - 1, hit.passage.ordinal + 2) if 0 <= o < count}
    found = reader.passages(passage_key(file, ordinal) for ordinal in sorted(wanted))
    return tuple(sorted(found.values(), key=lambda p: p.ordinal))


def article_bm25(reader: Reader, file: str, terms: Sequence[str], passages: Sequence[Passage]) -> float:
    """BM25 of an article's ``passages`` read (all of a news article), headline counted
    ``HEADLINE_WEIGHT`` times, for ``terms``."""
    frequency: dict[str, float] = defaultdict(float)
    length = 0
    for passage in passages:
        for term in reader.terms(passage):
            frequency[term] += 1.0
            length += 1
    facts = reader.facts(file)
    for term in tokens(facts.title or "") if facts else ():
        frequency[term] += HEADLINE_WEIGHT
        length += 1
    norm = K1 * (1 - B + B * length / TYPICAL_LENGTH)
    score = 0.0
    for term in set(terms):
        f = frequency.get(term, 0.0)
        if f:
            score += reader.idf(term) * f * (K1 + 1) / (f + norm)
    return score
