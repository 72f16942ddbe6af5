"""Adding coverage: fetch a page safely, extract the article (trafilatura), save it with a header.

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
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import aiohttp
from yarl import URL

from .articles import decode
from .coverage import Coverage
from .scan import REMOVED_FOLDER
from .table import ArticleInfo
from .desk import Desk
from .errors import NewsdeskError, UnreadableFile

HTML_TYPES = ("text/html", "application/xhtml+xml")
UPLOAD_SUFFIXES = (".txt", ".md", ".html", ".htm")
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


# ---------------------------------------------------------------------------------------------
# Fetching


class PrivateAddress(OSError):
    """Raised from the socket factory: the address a connection was about to be made to is not public."""

    def __init__(self, address: str) -> None:
        super().__init__(f"{address} is a private or local network address; not fetching it.")
        self.address = address


class _PublicSockets:
    """The socket factory of every fetch connection: the one place the address check runs.

    aiohttp hands it the resolved address just before connecting — after the URL's host was
    normalised (IDNA maps circled, full-width and ideographic digits and dots to ASCII), after
    every redirect and every DNS answer, and also for hosts that are IP literals, which aiohttp
    never sends through a resolver. So what is checked is what would be connected to, not the
    string that was typed.
    """

    def __init__(self, allow_private: bool) -> None:
        self._allow_private = allow_private

    def __call__(self, addr_info: tuple[Any, ...]) -> socket.socket:
        family, kind, proto, _, sockaddr = addr_info
        if not self._allow_private and not public_address(str(sockaddr[0])):
            raise PrivateAddress(str(sockaddr[0]))
        return socket.socket(family=family, type=kind, proto=proto)


#: IPv6 prefixes that carry an IPv4 address in their last 32 bits: IPv4-compatible (::/96) and NAT64.
_EMBEDS_IPV4 = tuple(ipaddress.ip_network(n) for n in ("::/96", "64:ff9b::/96", "64:ff9b:1::/48"))


def public_address(address: str) -> bool:
    """Whether an IP address is on the public internet: not private, loopback, link-local, shared
    (CGNAT), reserved, multicast or unspecified — nor an IPv6 form of one of those (IPv4-mapped,
    IPv4-compatible, 6to4, NAT64)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])  # an IPv6 scope ("fe80::1%eth0") is not part of it
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and any(ip in network for network in _EMBEDS_IPV4):
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            return public_address(str(embedded))
    return ip.is_global and not ip.is_multicast


def normalise_url(url: str) -> str:
    """The URL as it is fetched and compared for "already added": the host as the HTTP library
    will connect to it (IDNA-normalised, so `１２７．０．０．１` is 127.0.0.1 and `Bücher.de` is
    xn--bcher-kva.de), scheme and host lower-cased, no fragment."""
    try:
        parsed = URL(url.strip())
        host = parsed.raw_host
        port = parsed.explicit_port
    except (ValueError, UnicodeError):  # a port out of range, a malformed IPv6 host, an unencodable name
        raise IngestError("That is not a valid web address.") from None
    if parsed.scheme.lower() not in ("http", "https") or not host:
        raise IngestError("Only http:// and https:// web addresses can be added.")
    netloc = (f"[{host}]" if ":" in host else host.lower()) + (f":{port}" if port else "")
    return urlunsplit((parsed.scheme.lower(), netloc, parsed.raw_path or "/", parsed.raw_query_string, ""))


def _site(host: str) -> str:
    """The registrable part of a host, roughly: www.example.co.uk and news.example.co.uk are one site."""
    labels = host.lower().split(".")
    keep = 3 if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in ("co", "com", "org", "net", "ac", "gov") else 2
    return ".".join(labels[-keep:])


def session_for(policy: FetchPolicy) -> aiohttp.ClientSession:
    """An HTTP session that refuses private addresses (unless allowed)."""
    connector = aiohttp.TCPConnector(socket_factory=_PublicSockets(policy.allow_private), limit=8)
    return aiohttp.ClientSession(connector=connector, headers={"User-Agent": policy.user_agent})


async def fetch(url: str, policy: FetchPolicy, session: aiohttp.ClientSession, *, accept: tuple[str, ...] = HTML_TYPES) -> Page:
    """GET ``url`` under the policy; raises IngestError saying what was wrong."""
    current = normalise_url(url)
    origin = _site(urlsplit(current).hostname or "")
    for _ in range(policy.max_redirects + 1):
        host = urlsplit(current).hostname or ""
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
            refused = _refusal(exc)
            if refused is not None:
                raise IngestError(refused) from None
            raise IngestError(f"Could not connect to {host}.") from None
        except aiohttp.InvalidURL:  # also aiohttp's refusal of legacy numeric hosts such as 2130706433 or 127.1
            raise IngestError("That is not a valid web address.") from None
        except aiohttp.ClientError as exc:
            raise IngestError(f"Fetching the page failed ({exc.__class__.__name__}).") from None
    raise IngestError("That address redirects too many times.")


def _refusal(exc: aiohttp.ClientConnectorError) -> str | None:
    """The socket factory's refusal inside a connection error, if that is what it was.

    With several addresses to try, aiohappyeyeballs may fold the errors into one plain OSError
    whose text holds each of theirs, so the text is looked at as well as the type.
    """
    error = exc.os_error
    if isinstance(error, PrivateAddress):
        return str(error)
    match = re.search(r"(\S+ is a private or local network address; not fetching it\.)", str(error))
    return match.group(1) if match else None


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


#: What an uploader's own header may keep: it says what the article is, never where it came from.
UPLOAD_KEEPS = ("title", "byline", "author", "date")


def split_header(text: str) -> tuple[dict[str, str], str]:
    """A leading ``---`` header (by the rules :mod:`index.articles` reads it with) and the text after it."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return {}, text
    fields: dict[str, str] = {}
    for i in range(1, min(len(lines), 40)):
        line = lines[i].strip()
        if line == "---":
            return fields, "\n".join(lines[i + 1 :])
        key, sep, value = line.partition(":")
        if not sep or not key.strip().replace("_", "").replace("-", "").isalnum():
            return {}, text
        fields[key.strip().lower().replace("-", "_")] = value.strip()
    return {}, text


def upload_file(
    text: str, *, filename: str, by: str | None, claimed: Mapping[str, str | None], at: datetime | None = None
) -> str:
    """An uploaded article as saved: a header of our own, then the uploader's text without theirs.

    A header in the file is the uploader's claim, so only what describes the article (title,
    byline, date) is kept; ``url``, ``outlet`` and ``fetched`` are dropped — otherwise an upload
    could pose as a fetched page and make a later /add of that address "already indexed". The
    header says instead who uploaded which file, and when.
    """
    fields = {key: claimed.get(key) for key in UPLOAD_KEEPS}
    fields.update(
        uploaded=(at or datetime.now(UTC)).isoformat(timespec="seconds"),
        uploaded_by=by or "unknown",
        uploaded_file=filename,
    )
    header = "\n".join(f"{key}: {' '.join(str(value).split())}" for key, value in fields.items() if value and str(value).strip())
    body = text if text.endswith("\n") else text + "\n"
    return f"---\n{header}\n---\n{body}"


def slug(text: str, limit: int = 60) -> str:
    """A file name stem from a headline: ASCII words joined by "-", at most ``limit`` characters,
    cut between words (a single word longer than the limit is cut at it)."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    joined = re.sub(r"[^a-z0-9]+", "-", folded).strip("-")
    if len(joined) > limit:
        cut = joined.rfind("-", 0, limit + 1)
        joined = joined[:cut] if cut > 0 else joined[:limit]
    return joined.strip("-") or "article"


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
    """Saves articles into a corpus folder and moves them out of it; never refreshes the index
    (the :class:`~index.update.Updater` does, once per update)."""

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

    async def save_url(self, url: str, *, session: aiohttp.ClientSession | None = None) -> Path | ArticleInfo:
        """Fetch and save a page; returns the saved file, or the indexed article it already is
        (looked up by its address before fetching and by the address it redirected to after)."""
        existing = self.known(url)
        if existing is not None:
            return existing
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

    async def save_upload(self, filename: str, data: bytes, *, by: str | None = None) -> Path:
        """Save an uploaded .txt, .md or .html file as an article (under a header of our own); returns the file."""
        name = Path(filename).name
        suffix = Path(name).suffix.lower()
        if suffix not in UPLOAD_SUFFIXES:
            raise IngestError("Attach a .txt, .md or .html file.")
        if len(data) > self.policy.max_bytes:
            raise IngestError(f"That file is larger than {self.policy.max_bytes // 1_000_000} MB; not added.")
        if suffix in (".html", ".htm"):
            extracted = await asyncio.to_thread(extract_html, data, None)
            # The page's own metadata (site name, canonical address) is the uploader's claim too.
            page = {"title": extracted.title, "byline": extracted.byline, "date": extracted.date}
            saved = upload_file(extracted.text, filename=name, by=by, claimed=page)
            return self._write(slug(extracted.title), ".txt", saved)
        try:
            text = decode(data)
        except UnreadableFile as exc:
            raise IngestError(f"{name} is {exc.message}; not added.") from None
        claimed, body = split_header(text.replace("\r\n", "\n").replace("\r", "\n"))
        saved = upload_file(body, filename=name, by=by, claimed=claimed)
        return self._write(slug(Path(name).stem), suffix, saved)

    def _write(self, stem: str, suffix: str, content: str) -> Path:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = _unique(self.folder, stem, suffix)
        path.write_text(content, encoding="utf-8")
        return path

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

    def move_out(self, name: str) -> tuple[ArticleInfo, Path]:
        """Move an indexed article's file to the ``removed/`` folder (never deleting it); returns
        the article and where its file is now. The index still has it until the next refresh."""
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
        return info, target


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
