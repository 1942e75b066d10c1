"""Three news sites that run the same agency dispatches, served on 127.0.0.1 for tests of
credits and story clusters (``tests/test_stories.py``).

The dispatches are the Arabic articles of the sahara.ma mirror's truth
(``tests/fixtures/sahara/truth.jsonl``); each is given an agency credit in one of the forms
sites print (a trailer ``(ومع: ...)``, ``(و.م.ع)``, ``(أ ف ب)``, ``- رويترز``, a dateline
``الرباط (ومع) -``, ``المصدر: الأناضول``) or none. Then:

- ``wire-a`` runs most dispatches verbatim (some twice, under two URLs), with a French
  edition of every fourth one (``hreflang`` links both ways; the French text is a
  Journal du Sud article, ``tests/fixtures/lejournal/site.json``);
- ``wire-b`` runs rewrites: words dropped and added every few words, two paragraphs
  swapped, the last one cut, the credit dropped half the time;
- ``wire-c`` runs the lead only (one or two paragraphs);
- every site also runs stories of its own on the same topics, and **sibling dispatches**:
  two different dispatches of one section, with the same dateline, date and credit.

:attr:`WireSites.truth` knows each page's story and credit. Pages are generic HTML with
JSON-LD (no profile); each site has a home page listing everything and a sitemap.
"""

from __future__ import annotations

import html
import json
import random
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Self

from scraper.mirror.server import serve_in_thread, stop_serving

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

# (how the credit is printed, the agency it names); {date} is the dispatch's date.
CREDITS: list[tuple[str, str | None]] = [
    ("\n\n(ومع: {date})", "MAP"),
    ("\n\n(و.م.ع)", "MAP"),
    ("\n\n(أ ف ب)", "AFP"),
    (" - رويترز", "Reuters"),
    ("dateline", "MAP"),
    ("\n\nالمصدر: الأناضول", "Anadolu"),
    ("", None),
]
FILLERS = ("أيضا", "كذلك", "حيث", "بدوره", "خلال", "اليوم", "هذا")
MONTHS = ("يناير", "فبراير", "مارس", "أبريل", "ماي", "يونيو", "يوليوز", "غشت", "شتنبر",
          "أكتوبر", "نونبر", "دجنبر")  # fmt: skip


@dataclass
class Page:
    """One article page of one site, with what the test knows about it."""

    site: str
    path: str
    title: str
    body: str
    published: datetime
    language: str = "ar"
    story: str = ""  # the truth: pages of one story share it
    credit: str | None = None  # the truth: the agency the page credits
    kind: str = "unique"  # original|verbatim|rewrite|excerpt|edition|unique
    alternates: dict[str, str] = field(default_factory=dict)  # lang -> path on this site


def _credited(body: str, form: str, agency: str | None, when: datetime) -> str:
    if agency is None:
        return body
    if form == "dateline":
        return "الرباط (ومع) - " + body
    date = f"{when.day} {MONTHS[when.month - 1]} {when.year}"
    return body + form.format(date=date)


def _rewrite(body: str, rng: random.Random) -> str:
    paragraphs = body.split("\n\n")
    if len(paragraphs) > 3:
        paragraphs[1], paragraphs[2] = paragraphs[2], paragraphs[1]
        paragraphs = paragraphs[:-1]
    out = []
    for paragraph in paragraphs:
        words = []
        for word in paragraph.split():
            roll = rng.random()
            if roll < 0.06:
                continue  # dropped
            words.append(word)
            if roll > 0.93:
                words.append(rng.choice(FILLERS))
        out.append(" ".join(words))
    return "\n\n".join(out)


def _lead(body: str) -> str:
    paragraphs = body.split("\n\n")
    lead = paragraphs[0]
    if len(lead.split()) < 40 and len(paragraphs) > 1:
        lead += "\n\n" + paragraphs[1]
    return lead


def build_pages(seed: int = 24) -> list[Page]:
    """Every page of the three sites, with the truth (deterministic for a seed)."""
    rng = random.Random(seed)
    rows = [json.loads(line) for line in (FIXTURES / "sahara" / "truth.jsonl").open()]
    arabic = [r for r in rows if r["language"] == "ar" and len(r["body"].split("\n\n")) >= 4]
    french = json.loads((FIXTURES / "lejournal" / "site.json").read_text("utf-8"))["articles"]
    pages: list[Page] = []
    by_section: dict[str, list[dict[str, Any]]] = {}
    for row in arabic:
        by_section.setdefault((row["categories"] or ["-"])[0], []).append(row)
    dispatches, own = [], []
    for section_rows in by_section.values():
        half = (len(section_rows) + 1) // 2
        dispatches += section_rows[:half]
        own += section_rows[half:]
    for n, row in enumerate(dispatches):
        story = f"d{n}"
        when = datetime.fromisoformat(row["published_at"])
        form, agency = CREDITS[n % len(CREDITS)]
        # The clean text ends without the mirror's own trailer; our credit is added.
        clean = row["body"].split("\n\n(ومع")[0].strip()
        text = _credited(clean, form, agency, when)
        slug = f"{n}-dispatch"
        pages.append(Page("a", f"/{slug}.html", row["title"], text, when, story=story,
                          credit=agency, kind="original"))  # fmt: skip
        if n % 5 == 0:  # the same site runs it again in another section
            pages.append(Page("a", f"/region/{slug}.html", row["title"], text,
                              when + timedelta(hours=2), story=story, credit=agency,
                              kind="verbatim"))  # fmt: skip
        if n % 4 == 0:
            fr = french[n % len(french)]
            fr_path = f"/fr/{slug}.html"
            pages[-1 if n % 5 else -2].alternates["fr"] = fr_path
            pages.append(Page("a", fr_path, fr["title"], "\n\n".join(fr["paragraphs"]) + " (MAP)",
                              when + timedelta(hours=1), language="fr", story=story,
                              credit="MAP", kind="edition",
                              alternates={"ar": f"/{slug}.html"}))  # fmt: skip
        if n % 3 != 0:
            keep = rng.random() < 0.5
            body = _rewrite(clean, rng)
            body = _credited(body, form, agency, when) if keep else body
            pages.append(Page("b", f"/news/{slug}-rw.html", row["title"] + " (تفاصيل)", body,
                              when + timedelta(hours=3 + n % 20), story=story,
                              credit=agency if keep else None, kind="rewrite"))  # fmt: skip
        if n % 2 == 0:
            keep = n % 4 == 0
            lead = _lead(clean)
            body = _credited(lead, form, agency, when) if keep else lead
            pages.append(Page("c", f"/breves/{slug}.html", row["title"], body,
                              when + timedelta(minutes=30 + n), story=story,
                              credit=agency if keep else None, kind="excerpt"))  # fmt: skip
    # Stories of the sites' own (same sections, so same topics), and sibling dispatches:
    # a different text published as the n-th dispatch's twin (same date, dateline, credit).
    for n, row in enumerate(own):
        site = "abc"[n % 3]
        when = datetime.fromisoformat(row["published_at"])
        clean = row["body"].split("\n\n(ومع")[0].strip()
        own_credit: str | None = None
        if n % 2 == 0 and n < len(dispatches):
            twin = dispatches[n]
            when = datetime.fromisoformat(twin["published_at"]) + timedelta(minutes=5)
            clean = "الرباط (ومع) - " + clean
            own_credit = "MAP"
        pages.append(Page(site, f"/local/{n}-story.html", row["title"], clean, when,
                          story=f"u{n}", credit=own_credit))  # fmt: skip
    return pages


def render(page: Page, base: str) -> str:
    paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in page.body.split("\n\n"))
    links = "".join(
        f'<link rel="alternate" hreflang="{lang}" href="{base}{path}">'
        for lang, path in {page.language: page.path, **page.alternates}.items()
    )
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": page.title,
        "datePublished": page.published.isoformat(),
        "inLanguage": page.language,
    }
    direction = "rtl" if page.language == "ar" else "ltr"
    return (
        f'<!doctype html><html lang="{page.language}" dir="{direction}"><head>'
        f'<meta charset="utf-8"><title>{html.escape(page.title)}</title>'
        f'<link rel="canonical" href="{base}{page.path}">'
        f'<meta property="og:type" content="article">{links}'
        f'<script type="application/ld+json">{json.dumps(data, ensure_ascii=False)}</script>'
        f'</head><body><header><nav><a href="/">الرئيسية</a></nav></header><main><article>'
        f"<h1>{html.escape(page.title)}</h1>"
        f'<time datetime="{page.published.isoformat()}">{page.published:%Y-%m-%d}</time>'
        f'<div class="entry-content">{paragraphs}</div></article></main>'
        f"<footer><p>© {page.site}</p></footer></body></html>"
    )


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        site = self.server.site
        path = self.path.split("?")[0]
        base = f"http://127.0.0.1:{self.server.server_address[1]}"
        pages = {p.path: p for p in site.pages}
        if path == "/":
            items = "".join(
                f'<li><a href="{p.path}">{html.escape(p.title)}</a></li>' for p in site.pages
            )
            body, kind = f"<!doctype html><html><body><ul>{items}</ul></body></html>", "text/html"
        elif path == "/robots.txt":
            body, kind = f"User-agent: *\nAllow: /\nSitemap: {base}/sitemap.xml\n", "text/plain"
        elif path == "/sitemap.xml":
            urls = "".join(f"<url><loc>{base}{p.path}</loc></url>" for p in site.pages)
            body = (
                '<?xml version="1.0" encoding="UTF-8"?><urlset'
                f' xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
            )
            kind = "application/xml"
        elif path in pages:
            body, kind = render(pages[path], base), "text/html"
        else:
            self.send_error(404)
            return
        data = body.encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", f"{kind}; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    site: WireSite


@dataclass
class WireSite:
    name: str
    pages: list[Page]
    httpd: _Server | None = None
    thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        assert self.httpd is not None
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/"


class WireSites:
    """The three sites, each on its own loopback port: ``with WireSites() as sites:``."""

    def __init__(self, seed: int = 24) -> None:
        self.pages = build_pages(seed)
        self.sites = [WireSite(n, [p for p in self.pages if p.site == n]) for n in "abc"]

    def __enter__(self) -> Self:
        for site in self.sites:
            site.httpd = _Server(("127.0.0.1", 0), _Handler)
            site.httpd.site = site
            site.thread = serve_in_thread(site.httpd, f"wire-{site.name}")
        return self

    def __exit__(self, *exc: object) -> None:
        for site in self.sites:
            if site.httpd is not None:
                stop_serving(site.httpd, site.thread)

    def url(self, page: Page) -> str:
        site = self.sites["abc".index(page.site)]
        return site.base_url.rstrip("/") + page.path

    def truth(self) -> dict[str, Page]:
        """Each page's URL -> the page, with its story and credit."""
        return {self.url(p): p for p in self.pages}
