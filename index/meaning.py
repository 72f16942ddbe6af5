"""Meaning beyond shared stems: word forms (sent / send) and a sentence embedding for "in other words".

Two libraries, both with their data inside their PyPI package, so nothing is downloaded:

- **simplemma** maps inflected words to their lemma (sent → send, children → child, bought →
  buy), which the Snowball stemmer cannot do for irregular forms. :func:`lemma_terms` gives the
  index terms of the lemmatised words, so a question's "sent" meets a sentence's "send".
- **WordLlama** (its L2 "supercat" 256-dimension token embeddings, 16 MB) embeds a sentence as
  the average of its token vectors: about 25 µs a sentence on one core, so every candidate
  sentence of a question is embedded at answer time, with nothing built in advance and no
  index to keep in step. all-MiniLM-L6-v2, a transformer, was measured as the alternative: its
  only PyPI packages pull in PyTorch (gigabytes), and encoding a question's candidates costs
  tens of milliseconds to seconds on two cores, against a 10 ms answer budget.

The model is loaded on first use (about 0.1 s) and shared by every snapshot.
"""

from __future__ import annotations

import importlib.util
import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from .text import STOP_WORDS, tokens

if TYPE_CHECKING:
    import numpy as np

#: The model's files inside the wordllama package, and its width.
WEIGHTS = "l2_supercat_256.safetensors"
TOKENIZER = "l2_supercat_tokenizer_config.json"
DIMENSIONS = 256

_WORD = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*")
_lock = threading.Lock()
_model: _Model | None = None


@lru_cache(maxsize=65536)
def _lemma(word: str) -> str:
    import simplemma

    return str(simplemma.lemmatize(word, lang="en"))


def lemma_terms(text: str) -> list[str]:
    """Index terms of the lemmas of ``text``'s lower-case words that differ from the words
    themselves ("sent" gives "send"); the words' own terms are :func:`index.text.tokens`'.

    Capitalised words are left alone: they are mostly names, and a lemmatiser turns "Jones"
    into "Jone".
    """
    changed = [lemma for w in _WORD.findall(text) if not w[:1].isupper() and (lemma := _lemma(w)) != w]
    return tokens(" ".join(changed)) if changed else []


@dataclass(frozen=True, slots=True)
class Terms:
    """What answering matches a stretch of text by."""

    sequence: tuple[str, ...]  # its index terms, in order
    matched: frozenset[str]  # its stems, the stems of its words' lemmas, the acronyms of its capitalised runs
    words: tuple[str, ...]  # its content words, lower-cased, for word-by-word meaning


def match_terms(text: str) -> Terms:
    """A text's terms, so each spelling of a thing meets the others ("sent" and "send", "SEC"
    and "Securities and Exchange Commission"). One pass over the words serves the lemmas and the
    content words (this runs on every candidate sentence)."""
    sequence = tuple(tokens(text))
    found = _WORD.findall(text)
    changed = [lemma for w in found if not w[:1].isupper() and (lemma := _lemma(w)) != w]
    matched = frozenset(sequence).union(tokens(" ".join(changed)) if changed else ())
    if _MAYBE_RUN.search(text):
        matched = matched.union(_acronyms(text))
    words = tuple(low for w in found if (low := w.lower()).isalpha() and len(low) > 2 and low not in STOP_WORDS)
    return Terms(sequence, matched, words)


#: Two capitalised words in a row: the cheap test before looking for a run to make an acronym of.
_MAYBE_RUN = re.compile(r"[A-Z][a-z]+\s+(?:(?:and|of|for|the|&)\s+)?[A-Z][a-z]")


_RUN = re.compile(r"\b(?:[A-Z][a-z]+(?:\s+(?:and|of|for|the|&)\s+|\s+))+[A-Z][a-z]+\b")


def _acronyms(text: str) -> set[str]:
    acronyms: set[str] = set()
    for match in _RUN.finditer(text):
        words = match.group(0).split()
        while words and words[0].lower() in STOP_WORDS:
            words = words[1:]  # "The Securities and Exchange Commission" is the SEC, not the TSEC
        letters = "".join(w[0] for w in words if w[:1].isupper())
        if len(letters) >= 3:
            acronyms.update(tokens(letters))
    return acronyms


def _package_folder(name: str) -> Path:
    """Where an installed package's files are, found without importing it (importing wordllama
    pulls in requests and pydantic models it needs only for training: a third of a second)."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(f"the {name} package is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


class _Model:
    """WordLlama's token embeddings and tokenizer, read from the files its package ships."""

    def __init__(self) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        home = _package_folder("wordllama")
        # Stored as float16; summed in float16 a long sentence overflows, so widen once (32 MB).
        self.vectors = load_file(str(home / "weights" / WEIGHTS))["embedding.weight"].astype("float32")
        self.tokenizer = Tokenizer.from_file(str(home / "tokenizers" / TOKENIZER))
        self.tokenizer.no_padding()
        self.tokenizer.no_truncation()

    def embed(self, texts: list[str]) -> np.ndarray:
        """The mean token vector of each text (WordLlama's average pooling), unit length."""
        import numpy as np

        encoded = self.tokenizer.encode_batch_fast(texts, add_special_tokens=False)
        ids = [e.ids or [0] for e in encoded]
        lengths = np.fromiter((len(i) for i in ids), dtype=np.int64, count=len(ids))
        flat = np.fromiter((t for i in ids for t in i), dtype=np.int64, count=int(lengths.sum()))
        starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
        sums = np.add.reduceat(self.vectors[flat], starts, axis=0)
        norms = np.linalg.norm(sums, axis=1, keepdims=True)
        return (sums / np.maximum(norms, 1e-9)).astype(np.float32, copy=False)


def _load() -> _Model:
    global _model
    with _lock:
        if _model is None:
            _model = _Model()
        return _model


_cache: dict[str, np.ndarray] = {}
#: Texts whose embeddings are kept (sentences of the articles questions keep coming back to).
CACHE_TEXTS = 50_000


def embed(texts: list[str]) -> np.ndarray:
    """Unit-length embeddings of ``texts`` (one row each); recently embedded texts are reused."""
    import numpy as np

    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    # Looked up once into this call's own table: another thread may clear the cache meanwhile.
    found: dict[str, np.ndarray] = {}
    missing: list[str] = []
    for text in dict.fromkeys(texts):
        vector = _cache.get(text)
        if vector is None:
            missing.append(text)
        else:
            found[text] = vector
    if missing:
        if len(_cache) + len(missing) > CACHE_TEXTS:
            _cache.clear()
        for text, vector in zip(missing, _load().embed(missing)):
            found[text] = _cache[text] = vector
    return np.stack([found[t] for t in texts])


def word_vectors(words: list[str]) -> np.ndarray:
    """Unit-length embeddings of single words (cached like any text: a news vocabulary is small)."""
    return embed(words)


def content_words(text: str) -> list[str]:
    """The lower-cased words of ``text`` that carry meaning (no stop words, no numbers)."""
    return [w for w in (m.lower() for m in _WORD.findall(text)) if w.isalpha() and w not in STOP_WORDS and len(w) > 2]


def warm() -> None:
    """Load the model and the lemma dictionary now (a server does this at start-up, off the answer path)."""
    _load()
    _lemma("warm")
