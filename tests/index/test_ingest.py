"""Adding coverage: fetched pages and uploads become indexed articles; bad input is refused with a reason and loses nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from index.answer import Answerer
from index.articles import read_article
from index.desk import Desk
from index.feeds import poll
from index.ingest import FetchPolicy, IngestError, Intake, fetch, normalise_url, public_address, session_for
from index.update import Updater
from tests.pages import serve_pages

#: Spellings of 127.0.0.1 that the HTTP library normalises (IDNA) or maps (IPv6) onto it; each reaches
#: the test site when private addresses are allowed, so refusing them is the address check's doing.
LOOPBACK_SPELLINGS = ["①②⑦.⓪.⓪.①", "１２７．０．０．１", "127。0。0。1", "[::ffff:127.0.0.1]", "[::ffff:7f00:1]", "0.0.0.0", "0x7f.1", "localhost"]
#: Other non-public targets, refused before any connection is attempted: metadata, private and IPv6 local ranges.
PRIVATE_SPELLINGS = ["①⑥⑨.②⑤④.①⑥⑨.②⑤④", "１６９．２５４．１６９．２５４", "①⓪.⓪.⓪.①", "192。168。0。1", "[::1]", "[fe80::1]", "[fd00::1]", "[::127.0.0.1]", "[64:ff9b::7f00:1]", "[2002:7f00:1::]", "100.64.0.1"]


@pytest_asyncio.fixture
async def site() -> AsyncIterator[str]:
    async with serve_pages() as base:
        yield base


@pytest.fixture
def intake(corpus: Path, tmp_path: Path) -> Intake:
    desk = Desk([corpus], tmp_path / "state")
    desk.open()
    return Intake(desk, FetchPolicy(allow_private=True, timeout=1.0, max_bytes=200_000), corpus / "added")


@pytest.fixture
def updater(intake: Intake) -> Updater:
    return Updater(intake.desk, intake)


async def test_a_page_becomes_an_indexed_article(updater: Updater, site: str) -> None:
    added = await updater.add_url(f"{site}/article/wall", by=None)
    info = added.info
    assert not added.existing
    assert info.title == "Harbour wall rebuilt before storms"
    assert info.byline == "Jane Doe" and info.date == "2025-05-04" and info.meta["outlet"] == "Port Gazette"
    assert info.meta["url"] == f"{site}/article/wall" and info.name.startswith("added/port-gazette")
    text = info.path.read_text(encoding="utf-8")
    assert text.startswith("---\ntitle: Harbour wall rebuilt before storms\n")
    assert "Similar posts" not in text and "Subscribe" not in text and "Cookie" not in text
    article = read_article(info.path, info.name)
    assert article.title == info.title and len(article.paragraphs) == 3
    answer = Answerer(updater.desk.coverage).ask("What did Okafor say?")
    assert answer.found and answer.answers[0].source == info.name
    assert answer.answers[0].date == "2025-05-04"


async def test_the_same_url_is_not_added_twice(updater: Updater, site: str) -> None:
    first = await updater.add_url(f"{site}/article/wall", by=None)
    again = await updater.add_url(f"{site}/article/wall#comments", by=None)
    redirected = await updater.add_url(f"{site}/moved", by=None)
    assert again.existing and redirected.existing and again.info.name == first.info.name
    assert again.update is None and redirected.update is None  # nothing saved, nothing refreshed
    assert len(list((updater.intake.folder).glob("*.txt"))) == 1


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/missing", "answered 404"),
        ("/error", "answered 500"),
        ("/image.png", "not a web page (it is image/png)"),
        ("/huge", "larger than"),
        ("/slow", "did not answer within 1 s"),
        ("/menu", "No article text found"),
        ("/away", "redirects to another site (elsewhere.example)"),
    ],
)
async def test_bad_pages_are_refused_and_nothing_is_saved(updater: Updater, intake: Intake, site: str, path: str, reason: str) -> None:
    before = intake.desk.coverage.passage_count
    with pytest.raises(IngestError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        await updater.add_url(f"{site}{path}", by=None)
    assert not intake.folder.exists() or not any(intake.folder.iterdir())
    assert intake.desk.coverage.passage_count == before


async def test_private_addresses_are_refused_unless_allowed(intake: Intake, site: str) -> None:
    strict = Intake(intake.desk, FetchPolicy(allow_private=False), intake.folder)
    with pytest.raises(IngestError, match="private or local network"):
        await strict.save_url(f"{site}/article/wall")
    with pytest.raises(IngestError, match="private or local network"):
        await strict.save_url("http://localhost:9/x")


@pytest.mark.parametrize("host", LOOPBACK_SPELLINGS)
async def test_every_spelling_of_loopback_is_refused_at_the_connection(intake: Intake, site: str, host: str) -> None:
    url = site.replace("127.0.0.1", host) + "/article/wall"
    lenient = FetchPolicy(allow_private=True, timeout=2.0)
    async with session_for(lenient) as session:
        assert b"Harbour wall" in (await fetch(url, lenient, session)).body  # the spelling really reaches the site
    strict = Intake(intake.desk, FetchPolicy(allow_private=False, timeout=2.0), intake.folder)
    with pytest.raises(IngestError, match="is a private or local network address"):
        await strict.save_url(url)
    assert not intake.folder.exists() or not any(intake.folder.iterdir())


@pytest.mark.parametrize("host", PRIVATE_SPELLINGS)
async def test_metadata_private_and_ipv6_local_addresses_are_refused(host: str) -> None:
    policy = FetchPolicy(allow_private=False, timeout=2.0)
    async with session_for(policy) as session:
        with pytest.raises(IngestError, match="is a private or local network address"):
            await fetch(f"http://{host}/latest/meta-data/", policy, session)


@pytest.mark.parametrize("host", ["0", "2130706433", "127.1", "0177.0.0.1"])
async def test_legacy_numeric_hosts_are_not_fetched(host: str) -> None:
    policy = FetchPolicy(allow_private=False, timeout=2.0)
    async with session_for(policy) as session:
        with pytest.raises(IngestError, match="not a valid web address|private or local network"):
            await fetch(f"http://{host}/", policy, session)


def test_public_address() -> None:
    assert public_address("93.184.216.34") and public_address("2606:4700::1111")
    for address in ["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0",
                    "224.0.0.1", "::1", "::", "fe80::1%eth0", "fd00::1", "::ffff:10.0.0.1", "::ffff:7f00:1",
                    "::127.0.0.1", "64:ff9b::a9fe:a9fe", "2002:c0a8:0101::1", "not an address"]:
        assert not public_address(address), address


async def test_a_feed_item_spelled_as_loopback_is_refused(intake: Intake, site: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Anyone who publishes a configured feed chooses its item links; the feed itself is served from
    127.0.0.2, which the test treats as the one public host, and every item points at the local site."""
    import index.ingest

    real = index.ingest.public_address
    monkeypatch.setattr(index.ingest, "public_address", lambda address: address == "127.0.0.2" or real(address))
    strict = Intake(intake.desk, FetchPolicy(allow_private=False, timeout=2.0), intake.folder)
    items = [site.replace("127.0.0.1", host) + "/article/wall" for host in LOOPBACK_SPELLINGS]
    async with serve_pages("127.0.0.2") as publisher:
        feed = f"{publisher}/links.rss?" + "&".join(f"to={item}" for item in items)
        report = await poll(strict, [feed], set())
    assert report.added == [] and {url for url, _ in report.failed} == {normalise_url(item) for item in items}
    assert all("is a private or local network address" in why for _, why in report.failed)
    assert not intake.folder.exists() or not any(intake.folder.iterdir())


@pytest.mark.parametrize("url", ["ftp://example.com/x", "javascript:alert(1)", "file:///etc/passwd", "example.com"])
def test_only_http_addresses(url: str) -> None:
    with pytest.raises(IngestError, match="Only http"):
        normalise_url(url)


@pytest.mark.parametrize("url", ["http://example.com:99999/x", "http://[::1/x"])
def test_malformed_addresses_are_refused_plainly(url: str) -> None:
    with pytest.raises(IngestError, match="not a valid web address"):
        normalise_url(url)


def test_addresses_compare_without_case_or_fragment() -> None:
    assert normalise_url("HTTPS://Example.COM:8443/News?id=1#top") == "https://example.com:8443/News?id=1"
    assert normalise_url("http://[::1]:8080") == "http://[::1]:8080/"


async def test_uploads(updater: Updater) -> None:
    text = await updater.add_upload("Council notes.txt", b"Council Notes\n\nThe council met on Monday to discuss the ferry fares for the summer season.\n", by=None)
    assert text.info.name == "added/council-notes.txt" and text.info.title == "Council Notes"
    html = await updater.add_upload("story.html", ARTICLE_HTML.encode(), by=None)
    assert html.info.title == "Lighthouse keeper retires" and html.info.name.endswith(".txt")
    with pytest.raises(IngestError, match="binary"):
        await updater.add_upload("photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00", by=None)
    with pytest.raises(IngestError, match="Attach a .txt, .md or .html"):
        await updater.add_upload("report.pdf", b"%PDF-1.4", by=None)
    with pytest.raises(IngestError, match="larger than"):
        await updater.add_upload("big.txt", b"word " * 100_000, by=None)


async def test_remove_moves_the_file_and_keeps_it(updater: Updater) -> None:
    removed = await updater.remove("003_2c1112b90513d27d.txt", by=None)
    info, moved = removed.info, removed.kept
    assert moved.is_file() and moved.parent.name == "removed" and not info.path.exists()
    assert removed.update.moved == [(info.path, moved)]
    assert removed.update.index is not None and removed.update.index.removed == ["003_2c1112b90513d27d.txt"]
    answer = Answerer(updater.desk.coverage).ask("What did Rutte say?")
    assert not answer.found
    with pytest.raises(IngestError, match="No indexed article"):
        await updater.remove("003_2c1112b90513d27d.txt", by=None)


async def test_removing_an_article_whose_file_vanished_says_so(updater: Updater) -> None:
    info = updater.desk.coverage.article("004_7654bc732c946649.txt")
    assert info is not None
    info.path.unlink()  # deleted by hand; the index has not been refreshed yet
    with pytest.raises(IngestError, match="no longer in the corpus folder"):
        await updater.remove(info.name, by=None)


async def test_a_feed_poll_only_saves_its_new_items(intake: Intake, site: str) -> None:
    before = intake.desk.coverage
    seen: set[str] = set()
    report = await poll(intake, [f"{site}/feed.rss", f"{site}/feed.atom"], seen)
    assert sorted(path.name for path, _ in report.saved) == sorted(path.name for path in intake.folder.iterdir())
    assert len(report.saved) == 3 and set(report.seen) == seen
    assert report.added == [] and intake.desk.coverage is before  # indexing is the updater's


async def test_latest_questions_prefer_newer_coverage(updater: Updater, site: str) -> None:
    await updater.add_url(f"{site}/article/wall", by=None)
    await updater.add_url(f"{site}/article/quay", by=None)
    answerer = Answerer(updater.desk.coverage)
    latest = answerer.ask("What is the latest from harbour master Ines Okafor?")
    assert "quay" in latest.answers[0].quote.lower() or latest.answers[0].date == "2025-06-01"
    as_of = answerer.ask("What did Okafor say as of May 10, 2025?")
    assert as_of.answers[0].date == "2025-05-04"


async def test_wire_copy_is_cited_under_one_quote(corpus: Path, tmp_path: Path) -> None:
    paragraph = "“We will rebuild the harbour wall before the winter storms arrive,” harbour master Ines Okafor said on Tuesday."
    for name in ("wire-a.txt", "wire-b.txt"):
        (corpus / name).write_text(f"Harbour Wall Plan\n\n{paragraph}\n")
    desk = Desk([corpus], tmp_path / "state")
    desk.open()
    answer = desk.ask("What did Okafor say?")
    first = answer.answers[0]
    assert set(first.files) == {"wire-a.txt", "wire-b.txt"}
    assert [c.quote for c in first.also] == [first.quote]  # each copy cited at its own lines, with the same words
    assert [a for a in answer.answers if a.source in ("wire-a.txt", "wire-b.txt")] == [first]


ARTICLE_HTML = """<html><head><title>Lighthouse keeper retires</title></head><body><nav>Home</nav>
<article><h1>Lighthouse keeper retires</h1><p>After forty years on the rock, the lighthouse keeper handed over the keys on Friday to the harbour trust.</p>
<p>“I will miss the storms most of all,” he said, standing by the lamp he had tended since he was a young man.</p></article></body></html>"""
