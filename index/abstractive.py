"""The optional abstractive pass: an OpenAI-compatible chat endpoint rewrites an extractive summary, citations kept.

The model is given only the extracted, numbered sentences and must cite them as ``[n]``. Any
failure — no endpoint, an HTTP error, a timeout, a reply that cites nothing or cites a sentence
that does not exist — leaves the extractive summary as it was: the rewrite is a convenience,
never a source of facts.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace

import aiohttp

from .summary import Summary

log = logging.getLogger("newsdesk.summary")

_CITATION = re.compile(r"\[(\d{1,3})\]")
_INSTRUCTIONS = (
    "You summarise news coverage for a chat channel. Use only the numbered sentences given. "
    "Write 2 to 5 plain sentences. After every claim, cite the sentence(s) it comes from as [n]. "
    "Do not add facts, names or numbers that are not in the sentences."
)


@dataclass(frozen=True, slots=True)
class Endpoint:
    url: str  # the chat completions URL, e.g. https://api.openai.com/v1/chat/completions
    model: str
    api_key: str | None
    timeout: float = 20.0


def _prompt(summary: Summary) -> str:
    numbered = [f"[{i}] {p.quote} ({p.title})" for i, p in enumerate((*summary.points, *summary.quotes), start=1)]
    return f"{summary.title}\n\n" + "\n".join(numbered)


def _valid(text: str, count: int) -> bool:
    cited = {int(n) for n in _CITATION.findall(text)}
    return bool(cited) and all(1 <= n <= count for n in cited)


async def rewrite(summary: Summary, endpoint: Endpoint, session: aiohttp.ClientSession | None = None) -> Summary:
    """``summary`` with an ``abstract`` added, or ``summary`` unchanged if the endpoint does not deliver."""
    count = len(summary.points) + len(summary.quotes)
    if count == 0:
        return summary
    headers = {"Authorization": f"Bearer {endpoint.api_key}"} if endpoint.api_key else {}
    body = {
        "model": endpoint.model,
        "messages": [{"role": "system", "content": _INSTRUCTIONS}, {"role": "user", "content": _prompt(summary)}],
        "temperature": 0.2,
    }
    owned = session is None
    session = session or aiohttp.ClientSession()
    try:
        async with session.post(
            endpoint.url, json=body, headers=headers, timeout=aiohttp.ClientTimeout(total=endpoint.timeout)
        ) as response:
            if response.status != 200:
                log.warning("abstractive summary: endpoint answered %s; showing the extractive summary", response.status)
                return summary
            data = await response.json(content_type=None)
        text = str(data["choices"][0]["message"]["content"]).strip()
    except (aiohttp.ClientError, TimeoutError, KeyError, IndexError, TypeError, ValueError) as exc:
        log.warning("abstractive summary failed (%s); showing the extractive summary", exc.__class__.__name__)
        return summary
    finally:
        if owned:
            await session.close()
    if not _valid(text, count):
        log.warning("abstractive summary dropped: its citations are missing or wrong")
        return summary
    return replace(summary, abstract=text)
