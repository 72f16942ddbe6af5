"""Stage four of answering: the quote window around the chosen unit — what a reader needs with it.

A statement is quoted whole (it is already the run of one speaker's words). A sentence takes
the neighbours it cannot stand without: the one before when it leans back on it ("It is a
single-step engine", "He called it packet switching"); the next when it leaves a quotation open,
is too short to stand alone, or when the question asks for a number, date or amount that only
the next sentence holds.

A neighbouring unit that is itself nearly as likely to be the answer comes along too (scores
within ``NEIGHBOUR_MARGIN``: in the chooser's softmax, at least a third as likely as the best):
the answer to "how much is the harbour ferry's season ticket?" is the sentence after the one that
names it. Such a neighbour may open the next paragraph; the quote is then one exact excerpt of two
consecutive paragraphs, cited at the lines it spans.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from .evidence import Unit
from .passages import Passage, join_passages
from .text import sentence_spans

#: How far below the best a neighbouring unit may score and still be quoted with it (log-odds).
NEIGHBOUR_MARGIN = 2.0
#: The longest quote a neighbour may grow a window to.
MAX_WINDOW_CHARS = 900

_ANAPHORA = re.compile(
    r"^[\"\u201c'\u2018(]*(?:it|its|he|his|she|her|they|their|them|this|these|that|those|such|"
    r"the (?:[\w-]+ ){0,2}(?:was|is|were|are|had|has|could|would|did|also))\b",
    re.IGNORECASE,
)
#: Sentences shorter than this (in words) take the next one along.
SHORT = 6


def leans_back(sentence: str) -> bool:
    """Whether a sentence opens by pointing back to the one before ("It is …", "The governor could …")."""
    return bool(_ANAPHORA.match(sentence))


def quote_window(unit: Unit, wanted: Callable[[str], bool] | None) -> tuple[int, int]:
    """(start, end) in ``unit.passage.text`` of the words to quote for ``unit``."""
    if unit.features.get("statement") or unit.speaker is not None:
        return unit.start, unit.end
    text = unit.passage.text
    spans = sentence_spans(text)
    here = next((i for i, (a, b) in enumerate(spans) if a <= unit.start < b), None)
    if here is None:
        return unit.start, unit.end
    own = text[unit.start : unit.end]
    before = spans[here - 1] if here > 0 else None
    after = spans[here + 1] if here + 1 < len(spans) else None
    start, end = unit.start, unit.end
    if before is not None and leans_back(own):
        start = before[0]
    if after is not None:
        following = text[after[0] : after[1]]
        if (
            own.count("\u201c") > own.count("\u201d")
            or len(own.split()) < SHORT
            or (wanted is not None and not wanted(own) and wanted(following))
        ):
            end = after[1]
    return start, end


def with_neighbours(
    unit: Unit,
    value: float,
    start: int,
    end: int,
    ranked: Sequence[tuple[float, Unit]],
    wanted: Callable[[str], bool] | None = None,
) -> tuple[Passage, int, int]:
    """The window ``[start, end)`` of ``unit`` (scored ``value``) grown by the adjacent units of its
    article that score within ``NEIGHBOUR_MARGIN`` of it — or, when the unit lacks the kind of
    answer asked for (``wanted``: a number, a date, a name), by the adjacent unit that holds it.
    The passage returned is the unit's own, or its join with the paragraph the window runs into."""
    if unit.features.get("statement") or unit.speaker is not None:
        return unit.passage, start, end  # a statement is one speaker's words, whole already
    adjacent = [
        (score, other)
        for score, other in ranked
        if other.article is unit.article
        and abs(other.position - unit.position) == 1
        and not (other.features.get("statement") or other.speaker is not None)
    ]
    close = {other.position: other for score, other in adjacent if score >= value - NEIGHBOUR_MARGIN}
    if wanted is not None and not wanted(unit.text):
        holding = [other for _, other in sorted(adjacent, key=lambda pair: other_order(pair, unit)) if wanted(other.text)]
        if holding:
            close.setdefault(holding[0].position, holding[0])
    passage = unit.passage
    before, after = close.get(unit.position - 1), close.get(unit.position + 1)
    if before is not None and before.end - before.start + end - start <= MAX_WINDOW_CHARS:
        if before.passage.key == passage.key:
            start = min(start, before.start)
        elif before.passage.ordinal + 1 == passage.ordinal:
            shift = len(before.passage.text) + 1
            passage, start, end = join_passages(before.passage, passage), before.start, end + shift
    if after is not None and after.end - after.start + end - start <= MAX_WINDOW_CHARS:
        offset = len(passage.text) - len(unit.passage.text)  # where the unit's passage starts in ``passage``
        if after.passage.key == unit.passage.key:
            end = max(end, offset + after.end)
        elif after.passage.ordinal == unit.passage.ordinal + 1:
            shift = len(passage.text) + 1
            passage, end = join_passages(passage, after.passage), shift + after.end
    return passage, start, end


def other_order(pair: tuple[float, Unit], unit: Unit) -> tuple[int, float]:
    """The sentence after first (an answer follows the sentence that restates the question), then the better scored."""
    score, other = pair
    return (0 if other.position > unit.position else 1, -score)
