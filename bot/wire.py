"""The JSON the command line prints with ``--json``: a contract with scripts, so its keys never change.

``newsdesk ask --json`` is read by evaluation scripts (``../shared/eval/score.py`` reads
``found`` and each answer's ``source`` and ``quote``); ``summary --json`` and ``check --json``
keep the keys they always had too. These shapes predate :class:`~index.citation.Citation` and
differ from it and from each other (``"sources"`` is a list of file names for answers and
checks, of citation objects for summary points); they are kept exactly, and made here only.
Inside the program everything is typed; JSON is made at this boundary and at the stored
answer payload (:mod:`bot.payload`), nowhere else.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from index.answer import Answer
from index.citation import Citation

if TYPE_CHECKING:
    from index.check import CheckResult, Match
    from index.summary import Summary


def answer_json(answer: Answer) -> dict[str, object]:
    """``{"question", "found", "answers": [...], "message"?, "suggestions"?}``."""
    data: dict[str, object] = {
        "question": answer.question,
        "found": answer.found,
        "answers": [_answer_citation(c) for c in answer.answers],
    }
    if answer.message:
        data["message"] = answer.message
    if answer.suggestions:
        data["suggestions"] = list(answer.suggestions)
    return data


def _answer_citation(citation: Citation) -> dict[str, object]:
    data: dict[str, object] = {
        "source": citation.source,
        "title": citation.title,
        "quote": citation.quote,
        "passage": citation.passage,
        "line_start": citation.line_start,
        "line_end": citation.line_end,
        "score": round(citation.score, 4),
    }
    if citation.speaker:
        data["speaker"] = citation.speaker
    if citation.section:
        data["section"] = citation.section
    if citation.date:
        data["date"] = citation.date
    if citation.also:
        data["sources"] = list(citation.files)
    return data


def summary_json(summary: Summary) -> dict[str, object]:
    """``{"kind", "title", "points": [...], "message"?, "abstract"?}`` (who said what after the key points)."""
    data: dict[str, object] = {
        "kind": summary.kind,
        "title": summary.title,
        "points": [_point(p) for p in (*summary.points, *summary.quotes)],
    }
    if summary.message:
        data["message"] = summary.message
    if summary.abstract:
        data["abstract"] = summary.abstract
    return data


def _cite(citation: Citation) -> dict[str, object]:
    data: dict[str, object] = {
        "source": citation.source,
        "title": citation.title,
        "line_start": citation.line_start,
        "line_end": citation.line_end,
    }
    if citation.date:
        data["date"] = citation.date
    return data


def _point(point: Citation) -> dict[str, object]:
    data: dict[str, object] = {"text": point.quote, **_cite(point)}
    if point.also:
        data["sources"] = [_cite(point), *(_cite(c) for c in point.also)]
    if point.speaker:
        data["speaker"] = point.speaker
    return data


def check_json(result: CheckResult) -> dict[str, object]:
    """``{"text", "verdict", "message", "matches": [...], "person"?}``."""
    data: dict[str, object] = {
        "text": result.text,
        "verdict": result.verdict,
        "message": result.message,
        "matches": [_match(m) for m in result.matches],
    }
    if result.person:
        data["person"] = result.person
    return data


def _match(match: Match) -> dict[str, object]:
    cite = match.cite
    data: dict[str, object] = {
        "verdict": match.verdict,
        "source": cite.source,
        "title": cite.title,
        "line_start": cite.line_start,
        "line_end": cite.line_end,
        "original": cite.quote,
        "similarity": round(match.similarity, 3),
    }
    if cite.speaker:
        data["speaker"] = cite.speaker
    if match.differences:
        data["differences"] = [{"kind": d.kind, "pasted": d.pasted, "original": d.original} for d in match.differences]
    if cite.also:
        data["sources"] = list(cite.files)
    if match.original_marks:
        data["original_marks"] = [list(m) for m in match.original_marks]
    if match.pasted_marks:
        data["pasted_marks"] = [list(m) for m in match.pasted_marks]
    return data
