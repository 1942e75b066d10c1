"""A large synthetic news site, generated on the fly, served on loopback for benchmarks.

Nothing is pre-rendered: every page is computed from its URL (article text comes from a
random generator seeded by the article number), so a site of millions of articles costs no
memory. One process can serve several *hosts* (one loopback port each, each a complete site
of its own) so a benchmark can measure a crawler against ``hosts x per-host concurrency``.

The server is a raw :func:`asyncio.start_server` loop speaking just enough HTTP/1.1
(GET/HEAD, keep-alive, Content-Length), with an optional delay before every response to
stand for network and server latency.

Run it::

    python benchmarks/synthetic_site.py --articles 20000 --hosts 4 --latency 0.05

It prints one JSON line, ``{"ports": [...], "base_urls": [...]}``, then serves until SIGTERM,
SIGINT or end of stdin. Flags:

``--articles N`` articles per host (20000) · ``--sections N`` (10) · ``--per-page N`` listing
page size (20) · ``--paragraphs N`` per article (6) · ``--hosts N`` ports to serve (1) ·
``--latency S`` seconds from a request's arrival to its response, rendering included (0) ·
``--crawl-delay S`` robots.txt ``Crawl-delay`` (none) · ``--port N`` first port (0: any free
ports) · ``--seed N`` (host k uses seed N + k: each host its own articles) ·
``--same-content`` (every host serves seed N's articles: each story on every host, as if
every outlet ran every wire story).

URL map of every host:

- ``/robots.txt``: ``Allow: /`` (and ``Crawl-delay`` when asked);
- ``/``: the section menu and the newest articles;
- ``/section/<k>/`` and ``/section/<k>/page/<n>/``: listings, newest first, ``<a rel="next">``;
- ``/<yyyy>/<mm>/<dd>/story-<i>/``: articles with JSON-LD ``NewsArticle``, OpenGraph,
  ``<time>``, a byline, the paragraphs and three related links;
- ``/__stats``: JSON request counters (requests, max in flight) per host, never linked;
  ``/__stats?reset=1`` resets them.

Anything else is a 404. The module is also importable: :class:`SiteSpec` renders pages and
names URLs without a server.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import re
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from html import escape
from urllib.parse import parse_qs, urlsplit

START = datetime(2024, 1, 1, 8, 0, tzinfo=timezone(timedelta(hours=1)))
STEP = timedelta(minutes=17)
ARTICLE_RE = re.compile(r"^/(\d{4})/(\d{2})/(\d{2})/story-(\d+)/$")
LISTING_RE = re.compile(r"^/section/(\d+)/(?:page/(\d+)/)?$")
REASONS = {200: "OK", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed"}
HTML = "text/html; charset=utf-8"
IDLE_TIMEOUT = 30.0
MAX_HEAD = 64 * 1024

_VOCABULARY = """
    the council city region minister report market water school hospital police road train
    budget project workers union farmers harbour festival museum court election mayor vote
    plan price energy heat storm river village valley coast tourism museum company factory
    jobs growth inflation rent housing students teachers doctors nurses patients league
    season coach match goal players fans stadium title record victory defeat draw final
    announced said confirmed warned expected reported decided opened closed approved rejected
    signed launched increased reduced delayed cancelled welcomed criticised promised planned
    on in at for with after before during since against between under over about around
    new old local national regional public private small large major minor early late
    first second third last next several many few most more less other same different
    year month week day morning evening night spring summer autumn winter weekend holiday
    people residents families children visitors officials experts analysts sources leaders
    and but while although because so yet also still already again only even just
    million thousand hundred percent euros dirhams dollars share rate level number total
    north south east west centre suburb district square street bridge station airport port
"""
WORDS = tuple(_VOCABULARY.split())
SURNAMES = ("Martin", "Haddad", "Garcia", "Bennani", "Dubois", "Rossi", "Alaoui", "Moreau")
GIVEN = ("Amina", "Pierre", "Sofia", "Youssef", "Claire", "Omar", "Lucia", "Karim")


def _sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choices(WORDS, k=words))
    return text[0].upper() + text[1:] + "."


@dataclass(frozen=True)
class SiteSpec:
    """The shape of one synthetic site; every page is a pure function of its URL."""

    articles: int = 20_000
    sections: int = 10
    per_page: int = 20
    paragraphs: int = 6
    crawl_delay: float | None = None
    seed: int = 1
    name: str = "Synthetic Daily"

    # -- URLs ------------------------------------------------------------------------------

    def published(self, i: int) -> datetime:
        return START + i * STEP

    def article_path(self, i: int) -> str:
        return f"/{self.published(i):%Y/%m/%d}/story-{i}/"

    def article_number(self, path: str) -> int | None:
        match = ARTICLE_RE.match(path)
        if not match:
            return None
        i = int(match.group(4))
        return i if 0 <= i < self.articles and self.article_path(i) == path else None

    def section_size(self, k: int) -> int:
        return max(0, (self.articles - k + self.sections - 1) // self.sections)

    def section_pages(self, k: int) -> int:
        return max(1, -(-self.section_size(k) // self.per_page))

    def listing_path(self, k: int, page: int = 1) -> str:
        return f"/section/{k}/" if page == 1 else f"/section/{k}/page/{page}/"

    def listing_items(self, k: int, page: int) -> range:
        """Article numbers on page ``page`` of section ``k``, newest first."""
        size = self.section_size(k)
        first = size - 1 - (page - 1) * self.per_page  # index within the section
        last = max(-1, first - self.per_page)
        return range(k + self.sections * first, k + self.sections * last, -self.sections)

    def urls(self) -> Iterator[str]:
        """Every page path: home, listings, then articles newest first."""
        yield "/"
        for k in range(self.sections):
            for page in range(1, self.section_pages(k) + 1):
                yield self.listing_path(k, page)
        for i in range(self.articles - 1, -1, -1):
            yield self.article_path(i)

    # -- pages -----------------------------------------------------------------------------

    def render(self, target: str) -> tuple[int, str, bytes]:
        """(status, content type, body) for a request target (path and query)."""
        path = urlsplit(target).path
        if path == "/robots.txt":
            text = "User-agent: *\nAllow: /\n"
            if self.crawl_delay is not None:
                text += f"Crawl-delay: {self.crawl_delay:g}\n"
            return 200, "text/plain; charset=utf-8", text.encode()
        if path == "/":
            items = range(self.articles - 1, max(-1, self.articles - 1 - self.per_page), -1)
            return 200, HTML, self._page("Home", self._cards(items), "website").encode()
        match = LISTING_RE.match(path)
        if match:
            k, page = int(match.group(1)), int(match.group(2) or 1)
            if k < self.sections and 1 <= page <= self.section_pages(k) and match.group(2) != "1":
                return 200, HTML, self._listing(k, page).encode()
        i = self.article_number(path)
        if i is not None:
            return 200, HTML, self._article(i).encode()
        return 404, HTML, self._page("Not found", "<h1>Not found</h1>", "website").encode()

    def _nav(self) -> str:
        links = "".join(
            f'<li><a href="{self.listing_path(k)}">Section {k}</a></li>'
            for k in range(self.sections)
        )
        home = f'<a href="/">{self.name}</a>'
        return f'<header>{home}<nav class="sections"><ul>{links}</ul></nav></header>'

    def _page(self, title: str, main: str, og_type: str, head: str = "") -> str:
        return (
            f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            f"<title>{escape(title)} | {self.name}</title>"
            f'<meta property="og:type" content="{og_type}">'
            f'<meta property="og:title" content="{escape(title)}">{head}</head>'
            f"<body>{self._nav()}<main>{main}</main>"
            f'<footer><a href="/">{self.name}</a> · synthetic benchmark site</footer></body></html>'
        )

    def _title(self, i: int) -> str:
        rng = random.Random(self.seed * 1_000_003 + i)
        return _sentence(rng, rng.randint(6, 10))[:-1] + f" ({i})"

    def _cards(self, items: Sequence[int] | range) -> str:
        return "".join(
            f'<article class="card"><h2><a href="{self.article_path(i)}">'
            f"{escape(self._title(i))}</a></h2>"
            f'<time datetime="{self.published(i).isoformat()}">{self.published(i):%d %b %Y}</time>'
            "</article>"
            for i in items
        )

    def _listing(self, k: int, page: int) -> str:
        main = f"<h1>Section {k}</h1>{self._cards(self.listing_items(k, page))}"
        if page < self.section_pages(k):
            older = self.listing_path(k, page + 1)
            main += (
                f'<nav class="pagination"><a class="next" rel="next" href="{older}">Older</a></nav>'
            )
        return self._page(f"Section {k}, page {page}", main, "website")

    def _article(self, i: int) -> str:
        rng = random.Random(self.seed * 1_000_003 + i)
        title = _sentence(rng, rng.randint(6, 10))[:-1] + f" ({i})"
        author = f"{rng.choice(GIVEN)} {rng.choice(SURNAMES)}"
        paragraphs = [
            " ".join(_sentence(rng, rng.randint(8, 20)) for _ in range(rng.randint(3, 6)))
            for _ in range(self.paragraphs)
        ]
        when = self.published(i).isoformat()
        section = i % self.sections
        related = [j for j in (i - self.sections, i - 2 * self.sections, i - 1) if j >= 0]
        data = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": title,
            "datePublished": when,
            "author": {"@type": "Person", "name": author},
            "articleSection": f"Section {section}",
        }
        head = (
            f'<meta property="article:published_time" content="{when}">'
            f'<script type="application/ld+json">{json.dumps(data)}</script>'
        )
        body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
        links = "".join(
            f'<li><a href="{self.article_path(j)}">{escape(self._title(j))}</a></li>'
            for j in related
        )
        main = (
            f'<article class="post"><h1>{escape(title)}</h1>'
            f'<p class="byline">By <a rel="author">{escape(author)}</a> · '
            f'<time datetime="{when}">{self.published(i):%d %B %Y %H:%M}</time></p>'
            f'<div class="body">{body}</div>'
            f'<aside class="related"><h2>Related</h2><ul>{links}</ul></aside></article>'
        )
        return self._page(title, main, "article", head)


# ---------------------------------------------------------------------------------- server


@dataclass
class HostStats:
    requests: int = 0
    in_flight: int = 0
    max_in_flight: int = 0
    by_status: dict[int, int] = field(default_factory=dict)


class SyntheticServer:
    """Serves ``spec`` on ``hosts`` loopback ports from one event loop."""

    def __init__(
        self,
        spec: SiteSpec,
        *,
        hosts: int = 1,
        latency: float = 0.0,
        port: int = 0,
        same_content: bool = False,
    ):
        # Each host its own site (its seed), as the outlets of a collection are; with
        # ``same_content`` every host serves the same articles (every story copied by all).
        self.specs = [
            spec if same_content else replace(spec, seed=spec.seed + index)
            for index in range(hosts)
        ]
        self.latency = latency
        self.first_port = port
        self.stats = [HostStats() for _ in range(hosts)]
        self.servers: list[asyncio.Server] = []
        self.ports: list[int] = []

    async def start(self) -> None:
        for index in range(len(self.stats)):
            port = self.first_port + index if self.first_port else 0

            async def handler(
                reader: asyncio.StreamReader, writer: asyncio.StreamWriter, index: int = index
            ) -> None:
                await self._connection(reader, writer, index)

            server = await asyncio.start_server(
                handler, "127.0.0.1", port, backlog=512, limit=MAX_HEAD
            )
            self.servers.append(server)
            self.ports.append(server.sockets[0].getsockname()[1])

    async def close(self) -> None:
        for server in self.servers:
            server.close()
        for server in self.servers:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(server.wait_closed(), 2)

    async def _connection(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, index: int
    ) -> None:
        stats = self.stats[index]
        try:
            while True:
                try:
                    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), IDLE_TIMEOUT)
                except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError):
                    return
                # The response leaves ``latency`` after the request arrived, whatever rendering
                # took: the server's own CPU is part of its latency, not added on top of it.
                due = asyncio.get_running_loop().time() + self.latency
                lines = head.decode("latin-1").split("\r\n")
                request = lines[0].split(" ")
                if len(request) != 3:
                    writer.write(_response(400, "text/plain", b"bad request", keep=False))
                    return
                method, target, version = request
                headers = {}
                for line in lines[1:]:
                    name, sep, value = line.partition(":")
                    if sep:
                        headers[name.strip().lower()] = value.strip()
                length = int(headers.get("content-length") or 0)
                if length:
                    await reader.readexactly(length)
                keep = version == "HTTP/1.1" and headers.get("connection", "").lower() != "close"
                stats.requests += 1
                stats.in_flight += 1
                stats.max_in_flight = max(stats.max_in_flight, stats.in_flight)
                try:
                    if target.startswith("/__stats"):
                        status, ctype, body = 200, "application/json", self._stats(target)
                    elif method not in ("GET", "HEAD"):
                        status, ctype, body = 405, "text/plain", b""
                    else:
                        status, ctype, body = self.specs[index].render(target)
                        wait = due - asyncio.get_running_loop().time()
                        if self.latency and wait > 0:
                            await asyncio.sleep(wait)
                finally:
                    stats.in_flight -= 1
                stats.by_status[status] = stats.by_status.get(status, 0) + 1
                writer.write(_response(status, ctype, b"" if method == "HEAD" else body, keep))
                await writer.drain()
                if not keep:
                    return
        except (ConnectionError, asyncio.CancelledError):
            return
        finally:
            with contextlib.suppress(Exception):
                writer.close()

    def _stats(self, target: str) -> bytes:
        data = [
            {"port": port, "requests": s.requests, "max_in_flight": s.max_in_flight,
             "by_status": s.by_status}
            for port, s in zip(self.ports, self.stats, strict=True)
        ]  # fmt: skip
        if "reset" in parse_qs(urlsplit(target).query):
            self.stats[:] = [HostStats() for _ in self.stats]
        return json.dumps(data).encode()


def _response(status: int, content_type: str, body: bytes, keep: bool) -> bytes:
    connection = "" if keep else "Connection: close\r\n"
    head = (
        f"HTTP/1.1 {status} {REASONS.get(status, 'Error')}\r\n"
        f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n{connection}\r\n"
    )
    return head.encode("latin-1") + body


async def serve(
    spec: SiteSpec, *, hosts: int, latency: float, port: int, same_content: bool = False
) -> None:
    server = SyntheticServer(
        spec, hosts=hosts, latency=latency, port=port, same_content=same_content
    )
    await server.start()
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)

    def watch_stdin() -> None:  # the parent went away: stop too
        with contextlib.suppress(Exception):
            sys.stdin.read()
        loop.call_soon_threadsafe(stop.set)

    threading.Thread(target=watch_stdin, daemon=True).start()
    urls = [f"http://127.0.0.1:{p}/" for p in server.ports]
    print(json.dumps({"ports": server.ports, "base_urls": urls}), flush=True)
    await stop.wait()
    await server.close()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve a large synthetic news site on loopback.")
    parser.add_argument("--articles", type=int, default=20_000, help="articles per host")
    parser.add_argument("--sections", type=int, default=10)
    parser.add_argument("--per-page", type=int, default=20)
    parser.add_argument("--paragraphs", type=int, default=6)
    parser.add_argument("--hosts", type=int, default=1, help="loopback ports, one site each")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds before responding")
    parser.add_argument("--crawl-delay", type=float, default=None)
    parser.add_argument("--port", type=int, default=0, help="first port (0: any free)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--same-content", action="store_true", help="every host the same site")
    args = parser.parse_args(argv)
    spec = SiteSpec(
        articles=args.articles,
        sections=args.sections,
        per_page=args.per_page,
        paragraphs=args.paragraphs,
        crawl_delay=args.crawl_delay,
        seed=args.seed,
    )
    asyncio.run(
        serve(
            spec,
            hosts=args.hosts,
            latency=args.latency,
            port=args.port,
            same_content=args.same_content,
        )
    )


if __name__ == "__main__":
    main()
