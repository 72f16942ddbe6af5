"""Adding coverage: fetch a page safely, extract the article (trafilatura), save it with a header, index it.

Safety rules for fetching, each with its own message: only http(s); no private, loopback or
link-local addresses (checked on every connection, redirects included) unless the config allows
them; a size cap and a timeout; HTML only; redirects followed only within the same site. Saved
articles are plain UTF-8 text with the metadata header :mod:`index.articles` reads, so a fetched
article is an ordinary file in the corpus folder: it can be read, moved or deleted by hand.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import DefaultResolver
from yarl import URL

from .articles import decode
from .coverage import REMOVED_FOLDER, ArticleInfo, Coverage, RefreshReport
from .desk import Desk
from .errors import NewsdeskError, UnreadableFile

HTML_TYPES = ("text/html", "application/xhtml+xml")
UPLOAD_SUFFIXES = (".txt", ".md", ".html", ".htm")
#: Seconds an add or remove waits for a refresh already running: its file is written, so it must be indexed.
REFRESH_WAIT = 120.0
#: Extracted text shorter than this is a menu, a paywall notice or an error page, not an article.
MIN_ARTICLE_CHARS = 200


class IngestError(NewsdeskError):
    """A page or file that cannot be added; the message says why."""


@dataclass(frozen=True, slots=True)
class FetchPolicy:
    max_bytes: int = 5_000_000
    timeout: float = 20.0
    allow_private: bool = False
    user_agent: str = "newsdesk (+https://github.com/newsdesk)"
    max_redirects: int = 5


@dataclass(frozen=True, slots=True)
class Page:
    url: str  # after redirects
    content_type: str
    body: bytes


@dataclass(frozen=True, slots=True)
class Extracted:
    title: str
    text: str
    byline: str | None = None
    date: str | None = None
    outlet: str | None = None
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Added:
    """The outcome of adding one article: what it is in the index now, and whether it was there before."""

    info: ArticleInfo
    existing: bool
    report: RefreshReport | None = None


# ---------------------------------------------------------------------------------------------
# Fetching


class _PublicResolver(AbstractResolver):
    """Resolves names and refuses private, loopback and link-local answers: checked at connection
    time, so neither a redirect nor a DNS answer can reach the local network."""

    def __init__(self, allow_private: bool) -> None:
        self._inner = DefaultResolver()
        self._allow_private = allow_private

    async def resolve(self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET) -> list[ResolveResult]:
        answers = await self._inner.resolve(host, port, family)
        if not self._allow_private:
            for answer in answers:
                if not _public(answer["host"]):
                    raise IngestError(f"{host} points to a private or local network address; not fetching it.")
        return answers

    async def close(self) -> None:
        await self._inner.close()


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    return not (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved or ip.is_multicast or ip.is_unspecified)


def normalise_url(url: str) -> str:
    """The URL as it is compared for "already added": scheme and host lower-cased, no fragment."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port  # raises ValueError for a port out of range or a malformed IPv6 host
    except ValueError:
        raise IngestError("That is not a valid web address.") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise IngestError("Only http:// and https:// web addresses can be added.")
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname.lower()
    netloc = host + (f":{port}" if port else "")
    return urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", parts.query, ""))


def _site(host: str) -> str:
    """The registrable part of a host, roughly: www.example.co.uk and news.example.co.uk are one site."""
    labels = host.lower().split(".")
    keep = 3 if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in ("co", "com", "org", "net", "ac", "gov") else 2
    return ".".join(labels[-keep:])


def session_for(policy: FetchPolicy) -> aiohttp.ClientSession:
    """An HTTP session that refuses private addresses (unless allowed)."""
    connector = aiohttp.TCPConnector(resolver=_PublicResolver(policy.allow_private), limit=8)
    return aiohttp.ClientSession(connector=connector, headers={"User-Agent": policy.user_agent})


async def fetch(url: str, policy: FetchPolicy, session: aiohttp.ClientSession, *, accept: tuple[str, ...] = HTML_TYPES) -> Page:
    """GET ``url`` under the policy; raises IngestError saying what was wrong."""
    current = normalise_url(url)
    origin = _site(urlsplit(current).hostname or "")
    for _ in range(policy.max_redirects + 1):
        host = urlsplit(current).hostname or ""
        if not policy.allow_private and _is_ip(host) and not _public(host):
            raise IngestError(f"{host} is a private or local network address; not fetching it.")
        try:
            async with session.get(
                current, allow_redirects=False, timeout=aiohttp.ClientTimeout(total=policy.timeout)
            ) as response:
                if response.status in (301, 302, 303, 307, 308):
                    target = normalise_url(str(response.url.join(URL(response.headers.get("Location", "")))))
                    target_host = urlsplit(target).hostname or ""
                    if _site(target_host) != origin:
                        raise IngestError(
                            f"That address redirects to another site ({target_host}); add that address instead if it is the article."
                        )
                    current = target
                    continue
                if response.status >= 400:
                    raise IngestError(f"The site answered {response.status} {response.reason or ''}".rstrip() + ".")
                content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
                if accept and content_type not in accept:
                    raise IngestError(f"That address is not a web page (it is {content_type or 'of unknown type'}).")
                declared = response.content_length
                if declared is not None and declared > policy.max_bytes:
                    raise IngestError(f"That page is larger than {policy.max_bytes // 1_000_000} MB; not added.")
                body = await _read_capped(response, policy.max_bytes)
                return Page(current, content_type, body)
        except IngestError:
            raise
        except TimeoutError:
            raise IngestError(f"The site did not answer within {policy.timeout:g} s.") from None
        except aiohttp.ClientConnectorError as exc:
            cause = exc.__cause__ or exc.__context__
            if isinstance(cause, IngestError):
                raise cause from None
            raise IngestError(f"Could not connect to {host}.") from None
        except aiohttp.ClientError as exc:
            raise IngestError(f"Fetching the page failed ({exc.__class__.__name__}).") from None
    raise IngestError("That address redirects too many times.")


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


async def _read_capped(response: aiohttp.ClientResponse, limit: int) -> bytes:
    chunks: list[bytes] = []
    total = 0
    async for chunk in response.content.iter_chunked(65536):
        total += len(chunk)
        if total > limit:
            raise IngestError(f"That page is larger than {limit // 1_000_000} MB; not added.")
        chunks.append(chunk)
    return b"".join(chunks)


# ---------------------------------------------------------------------------------------------
# Extraction and saving


def extract_html(html: bytes | str, url: str | None = None) -> Extracted:
    """The article in a page, without menus, ads or "similar posts" (trafilatura)."""
    import trafilatura  # heavy (lxml); only adding coverage needs it

    document: Any = trafilatura.bare_extraction(
        html, url=url, with_metadata=True, include_comments=False, include_tables=False, favor_precision=True
    )
    text = (getattr(document, "text", None) or "").strip() if document is not None else ""
    if len(text) < MIN_ARTICLE_CHARS:
        raise IngestError("No article text found on that page.")
    title = (getattr(document, "title", None) or "").strip()
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if lines and title and lines[0] == title:
        lines = lines[1:]
    return Extracted(
        title=title or (lines[0][:120] if lines else "Untitled"),
        text="\n\n".join(lines),
        byline=(getattr(document, "author", None) or None),
        date=(getattr(document, "date", None) or None),
        outlet=(getattr(document, "sitename", None) or getattr(document, "hostname", None) or None),
        url=url,
    )


def article_file(extracted: Extracted, fetched_at: datetime | None = None) -> str:
    """The saved form: a metadata header, then the paragraphs separated by blank lines."""
    fields = {
        "title": extracted.title,
        "byline": extracted.byline,
        "date": extracted.date,
        "outlet": extracted.outlet,
        "url": extracted.url,
        "fetched": (fetched_at or datetime.now(UTC)).isoformat(timespec="seconds"),
    }
    header = "\n".join(f"{key}: {' '.join(str(value).split())}" for key, value in fields.items() if value)
    return f"---\n{header}\n---\n{extracted.text}\n"


def slug(text: str, limit: int = 60) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-")[:limit].strip("-") or "article"


def _unique(folder: Path, stem: str, suffix: str) -> Path:
    path = folder / f"{stem}{suffix}"
    number = 2
    while path.exists():
        path = folder / f"{stem}-{number}{suffix}"
        number += 1
    return path


# ---------------------------------------------------------------------------------------------
# The intake: what /add, /remove and feed polling share


class Intake:
    """Adds and removes articles in a corpus folder and refreshes the desk's index incrementally."""

    def __init__(self, desk: Desk, policy: FetchPolicy, folder: Path | None = None) -> None:
        self.desk = desk
        self.policy = policy
        self.folder = Path(folder) if folder else desk.folders[0]
        self._urls: tuple[Coverage, dict[str, ArticleInfo]] | None = None  # per snapshot: source URL -> article

    def known(self, url: str) -> ArticleInfo | None:
        """The indexed article fetched from ``url``, if any."""
        coverage = self.desk.coverage
        if self._urls is None or self._urls[0] is not coverage:
            self._urls = (coverage, _urls_of(coverage))
        return self._urls[1].get(normalise_url(url))

    async def add_url(self, url: str, *, by: str | None = None, session: aiohttp.ClientSession | None = None) -> Added:
        existing = self.known(url)
        if existing is not None:
            return Added(existing, existing=True)
        path = await self.save_url(url, session=session)
        if isinstance(path, ArticleInfo):
            return Added(path, existing=True)
        return await self._index(path, by)

    async def save_url(self, url: str, *, session: aiohttp.ClientSession | None = None) -> Path | ArticleInfo:
        """Fetch and save a page without indexing it yet; returns the saved file (or the article it already is)."""
        owned = session is None
        session = session or session_for(self.policy)
        try:
            page = await fetch(url, self.policy, session)
        finally:
            if owned:
                await session.close()
        existing = self.known(page.url)
        if existing is not None:
            return existing
        extracted = await asyncio.to_thread(extract_html, page.body, page.url)
        stem = slug(f"{extracted.outlet or urlsplit(page.url).hostname or 'web'} {extracted.title}")
        return self._write(stem, ".txt", article_file(extracted))

    async def add_upload(self, filename: str, data: bytes, *, by: str | None = None) -> Added:
        name = Path(filename).name
        suffix = Path(name).suffix.lower()
        if suffix not in UPLOAD_SUFFIXES:
            raise IngestError("Attach a .txt, .md or .html file.")
        if len(data) > self.policy.max_bytes:
            raise IngestError(f"That file is larger than {self.policy.max_bytes // 1_000_000} MB; not added.")
        if suffix in (".html", ".htm"):
            extracted = await asyncio.to_thread(extract_html, data, None)
            return await self._index(self._write(slug(extracted.title), ".txt", article_file(extracted)), by)
        try:
            text = decode(data)
        except UnreadableFile as exc:
            raise IngestError(f"{name} is {exc.message}; not added.") from None
        return await self._index(self._write(slug(Path(name).stem), suffix, text if text.endswith("\n") else text + "\n"), by)

    def _write(self, stem: str, suffix: str, content: str) -> Path:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = _unique(self.folder, stem, suffix)
        path.write_text(content, encoding="utf-8")
        return path

    async def _index(self, path: Path, by: str | None) -> Added:
        report = await asyncio.to_thread(self.desk.refresh, by=by, wait=REFRESH_WAIT)
        info = self.indexed(path)
        if info is None:
            name = self.name_of(path)
            skipped = next((s.reason for s in report.skipped if s.name == name), "it could not be indexed")
            raise IngestError(f"Saved {path.name}, but {skipped}.")
        return Added(info, existing=False, report=report)

    def indexed(self, path: Path) -> ArticleInfo | None:
        """The indexed article a saved file became."""
        return self.desk.coverage.article(self.name_of(path))

    def name_of(self, path: Path) -> str:
        """A saved file's article name (its path relative to its corpus folder)."""
        for folder in self.desk.coverage.folders:
            try:
                return path.resolve().relative_to(folder).as_posix()
            except ValueError:
                continue
        return path.name

    async def remove(self, name: str, *, by: str | None = None) -> tuple[ArticleInfo, Path, RefreshReport]:
        """Take an article out of the index, moving its file to the ``removed/`` folder (never deleting it)."""
        info = self.desk.coverage.article(name)
        if info is None:
            raise IngestError(f"No indexed article is called {name}.")
        source = info.path
        target_folder = Path(info.folder) / REMOVED_FOLDER / Path(info.name).parent
        target_folder.mkdir(parents=True, exist_ok=True)
        target = _unique(target_folder, source.stem, source.suffix)
        try:
            source.replace(target)
        except FileNotFoundError:
            raise IngestError(f"{name} is no longer in the corpus folder; refresh to update the index.") from None
        report = await asyncio.to_thread(self.desk.refresh, by=by, wait=REFRESH_WAIT)
        return info, target, report


def _urls_of(coverage: Coverage) -> dict[str, ArticleInfo]:
    """Every indexed article with a source URL in its header, by that URL as ``normalise_url`` gives it."""
    urls: dict[str, ArticleInfo] = {}
    for info in coverage.articles.values():
        if info.meta.get("url"):
            try:
                urls.setdefault(normalise_url(info.meta["url"]), info)
            except IngestError:
                continue
    return urls
