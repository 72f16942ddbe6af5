"""A small web site the ingest tests serve on 127.0.0.1: articles, feeds and every kind of bad page."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from xml.sax.saxutils import escape

from aiohttp import web

ARTICLE = """<!doctype html><html><head>
<title>Harbour wall rebuilt before storms | Port Gazette</title>
<meta name="author" content="Jane Doe">
<meta property="article:published_time" content="{date}">
<meta property="og:site_name" content="Port Gazette">
<meta property="og:title" content="{title}">
</head><body>
<nav><a href="/">Home</a> | <a href="/news">News</a> | <a href="/sport">Sport</a> | Subscribe now</nav>
<article><h1>{title}</h1>
<p>The harbour wall was rebuilt before the winter storms, the council said on Tuesday after months of work on the old stones.</p>
<p>“{quote},” said harbour master Ines Okafor, who has led the repairs for two years.</p>
<p>The work cost more than planned, and the council will vote next month on how to pay for the overrun, officials said.</p>
</article>
<aside><h3>Similar posts</h3><ul><li><a href="/a">Ferry timetable changes</a></li><li><a href="/b">Lighthouse open day</a></li></ul></aside>
<footer>© Port Gazette. All rights reserved. Share on Facebook. Cookie settings.</footer>
</body></html>"""

NO_TEXT = "<html><head><title>Menu</title></head><body><nav>Home | News | Sport</nav><p>Login</p></body></html>"

RSS = """<?xml version="1.0"?><rss version="2.0"><channel><title>Port Gazette</title><link>{base}/</link>
<item><title>Wall</title><link>{base}/article/wall</link></item>
<item><title>Ferry</title><link>{base}/article/ferry</link></item>
<item><title>Gone</title><link>{base}/missing</link></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Quay News</title>
<entry><title>Quay</title><link href="{base}/article/quay"/><id>q1</id><updated>2025-06-01T00:00:00Z</updated></entry>
</feed>"""


def article(title: str, quote: str, date: str = "2025-05-04") -> str:
    return ARTICLE.format(title=title, quote=quote, date=date)


def _app(base: list[str]) -> web.Application:
    async def page(request: web.Request) -> web.Response:
        name = request.match_info["name"]
        stories = {
            "wall": ("Harbour wall rebuilt before storms", "We did not cut a single corner on safety", "2025-05-04"),
            "ferry": ("Ferry timetable changes for summer", "The early ferry will leave at six from June", "2025-05-20"),
            "quay": ("New quay opens to fishing boats", "The quay is finally ready for the boats", "2025-06-01"),
        }
        if name not in stories:
            raise web.HTTPNotFound()
        title, quote, date = stories[name]
        return web.Response(text=article(title, quote, date), content_type="text/html")

    async def redirect_same(request: web.Request) -> web.Response:
        raise web.HTTPFound("/article/wall")

    async def redirect_away(request: web.Request) -> web.Response:
        raise web.HTTPFound("http://elsewhere.example/story")

    async def image(request: web.Request) -> web.Response:
        return web.Response(body=b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, content_type="image/png")

    async def huge(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/html"})
        await response.prepare(request)
        for _ in range(200):
            await response.write(b"<p>" + b"word " * 2000 + b"</p>")
        return response

    async def slow(request: web.Request) -> web.Response:
        await asyncio.sleep(5)
        return web.Response(text=article("Late", "Too late"), content_type="text/html")

    async def no_text(request: web.Request) -> web.Response:
        return web.Response(text=NO_TEXT, content_type="text/html")

    async def server_error(request: web.Request) -> web.Response:
        raise web.HTTPInternalServerError()

    async def rss(request: web.Request) -> web.Response:
        return web.Response(text=RSS.format(base=base[0]), content_type="application/rss+xml")

    async def atom(request: web.Request) -> web.Response:
        return web.Response(text=ATOM.format(base=base[0]), content_type="application/atom+xml")

    async def links_feed(request: web.Request) -> web.Response:
        """A feed whose items link wherever the query says (``?to=URL&to=URL``): what anyone publishing a feed controls."""
        items = "".join(f"<item><title>Item</title><link>{escape(url)}</link></item>" for url in request.query.getall("to", []))
        body = f'<?xml version="1.0"?><rss version="2.0"><channel><title>Links</title><link>{base[0]}/</link>{items}</channel></rss>'
        return web.Response(text=body, content_type="application/rss+xml")

    async def broken_feed(request: web.Request) -> web.Response:
        return web.Response(text="this is not xml <<<", content_type="application/xml")

    app = web.Application()
    app.router.add_get("/article/{name}", page)
    app.router.add_get("/moved", redirect_same)
    app.router.add_get("/away", redirect_away)
    app.router.add_get("/image.png", image)
    app.router.add_get("/huge", huge)
    app.router.add_get("/slow", slow)
    app.router.add_get("/menu", no_text)
    app.router.add_get("/error", server_error)
    app.router.add_get("/feed.rss", rss)
    app.router.add_get("/feed.atom", atom)
    app.router.add_get("/broken.xml", broken_feed)
    app.router.add_get("/links.rss", links_feed)
    return app


@asynccontextmanager
async def serve_pages(host: str = "127.0.0.1") -> AsyncIterator[str]:
    """Serve the site on ``host`` (a loopback address); yields its base URL."""
    base: list[str] = []
    runner = web.AppRunner(_app(base))
    await runner.setup()
    site = web.TCPSite(runner, host, 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # noqa: SLF001
    base.append(f"http://{host}:{port}")
    try:
        yield base[0]
    finally:
        await runner.cleanup()


@contextmanager
def serve_pages_in_thread(host: str = "127.0.0.1") -> Iterator[str]:
    """The same site on its own event loop in a thread, for code under test that runs its own loop (the CLI)."""
    loop = asyncio.new_event_loop()
    started = threading.Event()
    stop = asyncio.Event()
    base: list[str] = []

    async def run() -> None:
        async with serve_pages(host) as url:
            base.append(url)
            started.set()
            await stop.wait()

    thread = threading.Thread(target=loop.run_until_complete, args=(run(),), daemon=True)
    thread.start()
    started.wait(10)
    try:
        yield base[0]
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(10)
        loop.close()
