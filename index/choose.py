"""Stage three of answering: weigh each unit's evidence and rank the units.

The score of a unit is a weighted sum of its features (:data:`index.evidence.FEATURES`). The
weights were fitted once, by ``bench/calibrate.py``, as a listwise logistic model (softmax over
each question's units, the unit holding the gold answer as the target) on the visible
evaluation sets together (BBC, seeds, SQuAD, PolNeAR), each set weighed equally, with L2
regularisation; the BBC set's two halves, written by different people, were used to check that
weights fitted on one half carry over to the other. They are general weights for news — no
weight is tied to a question, a name or a file.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from .evidence import FEATURES, Unit

#: Feature weights (see the module docstring for how they were fitted).
WEIGHTS: Mapping[str, float] = {
    "topic": -0.00,
    "soft": 0.02,
    "bm25": -0.46,
    "context": 3.65,
    "before": -0.07,
    "novel": -0.37,
    "passage": -0.82,
    "retrieved": 1.69,
    "passage_long": 0.45,
    "retrieved_long": 0.16,
    "pairs": 0.61,
    "meaning": 0.72,
    "meaning_context": 2.27,
    "answer_quantity": 0.64,
    "answer_entity": 0.13,
    "answer_reason": 0.56,
    "article": 3.15,
    "headline": 1.02,
    "first_article": 0.82,
    "lead": -0.10,
    "speaker": 0.00,
    "first_said": 0.00,
    "attributed": 0.66,
    "names": 0.00,
    "quoted": 1.46,
    "statement": -0.29,
    "recency": 4.0,
}


#: Weights for choosing among the statements of the person a question asks about (fitted on
#: those questions alone: which of someone's statements answers is a different decision from
#: which sentence of an article holds a fact).
SPEAKER_WEIGHTS: Mapping[str, float] = {
    "topic": -3.06,
    "soft": -1.48,
    "bm25": -2.24,
    "context": 1.26,
    "before": 0.41,
    "novel": -0.29,
    "passage": -0.02,
    "retrieved": 0.39,
    "passage_long": 0.26,
    "retrieved_long": -0.42,
    "pairs": 1.03,
    "meaning": 1.09,
    "meaning_context": 0.75,
    "answer_quantity": 0.00,
    "answer_entity": 0.00,
    "answer_reason": 0.00,
    "article": 0.71,
    "headline": 0.82,
    "first_article": 0.43,
    "lead": 1.05,
    "speaker": 0.07,
    "first_said": 0.12,
    "attributed": 0.09,
    "names": 0.00,
    "quoted": 1.27,
    "statement": -0.00,
    "recency": 4.0,
}


#: How much a statement's own share of the topic asked counts before anything else, when choosing
#: among someone's statements: their own words on the topic first, then their words in other
#: terms (a rule of the product, not a fitted weight; bench/calibrate.py fits the rest around it).
SPEAKER_TOPIC = 10.0


def rank_statements(units: Sequence[Unit]) -> list[tuple[float, Unit]]:
    """The statements of the person asked about, best first: those holding the topic's words
    first (``SPEAKER_TOPIC``), the rest of the evidence weighed by ``SPEAKER_WEIGHTS``."""
    scored = [(score(unit, SPEAKER_WEIGHTS) + SPEAKER_TOPIC * unit.features["topic"], unit) for unit in units]
    scored.sort(key=lambda pair: (-pair[0], pair[1].article.rank, pair[1].position))
    return scored


def score(unit: Unit, weights: Mapping[str, float] = WEIGHTS) -> float:
    features = unit.features
    return sum(weights[name] * features[name] for name in FEATURES)


def rank(units: Sequence[Unit], weights: Mapping[str, float] = WEIGHTS) -> list[tuple[float, Unit]]:
    """The units best first; ties go to the earlier article, then the earlier sentence, so the
    same index always gives the same answer."""
    scored = [(score(unit, weights), unit) for unit in units]
    scored.sort(key=lambda pair: (-pair[0], pair[1].article.rank, pair[1].position))
    return scored
