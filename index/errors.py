"""Errors of the coverage index, each carrying a message that is safe to show a user.

The tree of every such error under ``index/``, wherever it is defined (the bot's own hang from
``NewsdeskError`` too; their tree is drawn in bot/errors.py)::

    NewsdeskError                anything newsdesk reports to a person instead of a traceback
    ├── BadQuestion              the question cannot be asked (empty, only stop words, too long)
    ├── CorpusError              no usable corpus folder, or nothing indexable in it
    ├── IndexBusy                another process or a running refresh holds the index for writing
    ├── IndexFailed              building or updating the index failed; the previous index still serves
    │   └── IndexDamaged         the index's files cannot be read (damaged, missing); rebuilt from the corpus
    ├── IngestError (index.ingest) a page or file cannot be added; the message says why
    ├── SearchUnavailable        a remote index shard cannot be reached; answering resumes when it is back
    └── UnreadableFile           one article file cannot be read; it is skipped and named
"""

from __future__ import annotations


class NewsdeskError(Exception):
    """Base class: ``str(error)`` is a short message meant for the person who asked."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadQuestion(NewsdeskError):
    """The question is empty, only stop words, or too long to be a question."""


class CorpusError(NewsdeskError):
    """A corpus folder is missing or holds nothing to index."""


class IndexBusy(NewsdeskError):
    """The index is being written by someone else right now."""


class IndexFailed(NewsdeskError):
    """Building or updating the index failed; whatever served before keeps serving."""


class IndexDamaged(IndexFailed):
    """Reading the index failed: its files are damaged or missing. The corpus is intact, so the
    remedy is always the same: verify the index and rebuild it (see ``coverage.open_coverage``)."""

    def __init__(self, detail: str) -> None:
        super().__init__(f"The index cannot be read ({detail}); it has to be rebuilt from the corpus.")
        self.detail = detail


class UnreadableFile(NewsdeskError):
    """An article file that cannot be indexed; the message says why (binary, empty, undecodable)."""


class SearchUnavailable(NewsdeskError):
    """A search server (a remote index shard) cannot be reached; the next question tries it again."""
