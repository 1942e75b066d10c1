"""Le Journal du Sud: an invented French regional news site, served on 127.0.0.1 for tests.

It is the crawler's second fixture site, deliberately unlike the JNews/WordPress mirror: a
hand-written semantic HTML5 design, ``?page=N`` pagination, no sitemap, no feed, no profile.
The data (sections, authors, 30 articles) is in ``tests/fixtures/lejournal/site.json``; pages
are rendered from it on each request, so a test can change the site while it is served::

    with LeJournalServer(crawl_delay=0.3) as srv:
        srv.base_url                      # http://127.0.0.1:<port>
        srv.site.edit("sete-pecheurs-prix-gazole", title="...")   # slug or path
        srv.site.add({...})               # same keys as an article in site.json
        srv.requests                      # [LoggedRequest(time, method, path, status, user_agent)]

URL map (everything else is a 404, including ``/rss.xml``, ``/feed`` and ``/sitemap.xml``):

- ``/`` and ``/rubrique/<slug>``: listings, newest first, ``?page=N`` (page 1 has no query),
  ``<a rel="next">`` / ``<a rel="prev">`` inside ``<nav class="pager">``; a page past the
  end is a 404.
- ``/<yyyy>/<mm>/<dd>/<slug>.html``: articles (``og:type=article``). Half carry JSON-LD
  ``NewsArticle`` (``structured = "jsonld"``); the others give their date through
  ``article:published_time`` meta (``"meta"``) or only through ``<time datetime>``
  (``"time"``).
- Not articles (``og:type=website``): ``/auteur/<slug>``, ``/tag/<slug>`` (paginated),
  ``/recherche?q=`` (disallowed by robots.txt), ``/agenda?mois=YYYY-MM`` (a calendar trap:
  every month links to the next one, forever), ``/contact.html``, ``/mentions-legales.html``.
- ``/robots.txt``: ``Disallow: /recherche`` and ``Crawl-delay`` (constructor argument).
- A path ending in ``/`` (other than ``/``) redirects (301) to the same path without it.

Responses carry ``ETag`` (a hash of the body) and, for articles, ``Last-Modified``; a
matching ``If-None-Match`` or ``If-Modified-Since`` gets a 304. ``truth.jsonl`` beside the
data is what a perfect crawl extracts; :func:`write_truth` regenerates it
(``python tests/sites/lejournal.py --write-truth``).
"""

from __future__ import annotations

import argparse
import bisect
import calendar
import contextlib
import dataclasses
import email.utils
import hashlib
import html
import json
import re
import threading
import time
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, NamedTuple, Self
from urllib.parse import parse_qs, quote, urlencode, urlsplit
from zoneinfo import ZoneInfo

from scraper.mirror.server import Serving, serve_in_thread, stop_serving

__all__ = [
    "DATA_PATH",
    "TRUTH_PATH",
    "Author",
    "LeJournalServer",
    "LeJournalSite",
    "LoggedRequest",
    "Response",
    "Section",
    "Story",
    "load_truth",
    "slugify",
    "truth_records",
    "write_truth",
]

FIXTURE_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "lejournal"
DATA_PATH = FIXTURE_DIR / "site.json"
TRUTH_PATH = FIXTURE_DIR / "truth.jsonl"

SITE_NAME = "Le Journal du Sud"
AGENDA_DEFAULT_MONTH = "2025-11"
STRUCTURED_KINDS = ("jsonld", "meta", "time")
MOIS = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)  # fmt: skip
ARTICLE_PATH = re.compile(r"^/(\d{4})/(\d{2})/(\d{2})/([a-z0-9-]+)\.html$")
EVENTS: dict[str, list[tuple[int, str, str]]] = {
    "2025-11": [
        (8, "Foire aux santons", "Nîmes, salle Jean-Bouin"),
        (15, "Nuit des musées du Sud", "Lodève, musée municipal"),
        (22, "Concert de l’orchestre des jeunes", "Montpellier, Opéra Comédie"),
        (29, "Marché aux truffes", "Uzès, place aux Herbes"),
    ],
    "2025-12": [
        (6, "Fête de la Saint-Nicolas", "Sète, quai de la Marine"),
        (13, "Chants traditionnels occitans", "Uzès, Calandreta"),
    ],
}


def slugify(text: str) -> str:
    """ASCII slug of a name: ``"Coupe d’Europe"`` -> ``"coupe-d-europe"``."""
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_text = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def _fold(text: str) -> str:
    return slugify(text).replace("-", " ")


def french_datetime(value: datetime) -> str:
    """``25 novembre 2025 à 10h15`` (``1er`` for the first day of a month)."""
    day = "1er" if value.day == 1 else str(value.day)
    return f"{day} {MOIS[value.month - 1]} {value.year} à {value.hour}h{value.minute:02d}"


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


# ---------------------------------------------------------------------------------- data


@dataclass(frozen=True)
class Section:
    slug: str
    name: str

    @property
    def path(self) -> str:
        return f"/rubrique/{self.slug}"


@dataclass(frozen=True)
class Author:
    slug: str
    name: str
    bio: str = ""

    @property
    def path(self) -> str:
        return f"/auteur/{self.slug}"


@dataclass(frozen=True)
class Story:
    """One article. ``published``/``modified`` are aware datetimes in the site's timezone."""

    slug: str
    published: datetime
    title: str
    paragraphs: tuple[str, ...]
    sections: tuple[str, ...]
    authors: tuple[str, ...]
    tags: tuple[str, ...] = ()
    structured: str = "jsonld"  # jsonld | meta | time
    modified: datetime | None = None

    @property
    def path(self) -> str:
        return f"/{self.published:%Y/%m/%d}/{self.slug}.html"

    @property
    def body(self) -> str:
        return "\n\n".join(self.paragraphs)

    @property
    def lead(self) -> str:
        """The first sentence of the first paragraph (teasers and meta description)."""
        first = self.paragraphs[0] if self.paragraphs else ""
        match = re.match(r"(.+?[.!?])(\s|$)", first)
        sentence = match.group(1) if match else first
        return sentence if len(sentence) <= 220 else sentence[:217].rstrip() + "…"

    @property
    def last_change(self) -> datetime:
        return self.modified or self.published

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], tz: ZoneInfo) -> Story:
        """A story from the JSON shape of ``site.json`` (naive local times, or aware)."""

        def when(value: Any) -> datetime | None:
            if value is None or isinstance(value, datetime):
                moment = value
            else:
                moment = datetime.fromisoformat(str(value))
            if moment is None:
                return None
            return moment.replace(tzinfo=tz) if moment.tzinfo is None else moment.astimezone(tz)

        published = when(data["published"])
        assert published is not None
        return cls(
            slug=str(data["slug"]),
            published=published,
            title=str(data["title"]),
            paragraphs=tuple(data["paragraphs"]),
            sections=tuple(data["sections"]),
            authors=tuple(data["authors"]),
            tags=tuple(data.get("tags", ())),
            structured=str(data.get("structured", "jsonld")),
            modified=when(data.get("modified")),
        )


class Response(NamedTuple):
    status: int
    headers: dict[str, str]
    body: bytes


class LeJournalSite:
    """The site's content and its renderer. Thread-safe: tests edit it while it is served."""

    def __init__(
        self,
        data: Mapping[str, Any] | None = None,
        *,
        page_size: int = 5,
        crawl_delay: float = 0.0,
    ) -> None:
        if data is None:
            data = json.loads(DATA_PATH.read_text(encoding="utf-8"))
        if page_size < 1:
            raise ValueError("page_size must be at least 1")
        self.name = str(data.get("name", SITE_NAME))
        self.tz = ZoneInfo(str(data.get("timezone", "Europe/Paris")))
        self.page_size = page_size
        self.crawl_delay = crawl_delay
        self.sections = tuple(Section(s["slug"], s["name"]) for s in data["sections"])
        self.authors = tuple(
            Author(a["slug"], a["name"], a.get("bio", "")) for a in data["authors"]
        )
        self._lock = threading.RLock()
        self._stories: dict[str, Story] = {}
        for item in data["articles"]:
            self._insert(Story.from_dict(item, self.tz))

    # -- content ---------------------------------------------------------------------------

    def stories(self) -> list[Story]:
        """All articles, newest first (ties by slug)."""
        with self._lock:
            items = list(self._stories.values())
        return sorted(items, key=lambda s: (-s.published.timestamp(), s.slug))

    def story(self, key: str) -> Story:
        """The article with this slug, path or URL (``KeyError`` if none)."""
        slug = key
        if "/" in key:
            match = ARTICLE_PATH.match(urlsplit(key).path)
            if not match:
                raise KeyError(key)
            slug = match.group(4)
        with self._lock:
            found = self._stories.get(slug)
        if found is None or (slug != key and found.path != urlsplit(key).path):
            raise KeyError(key)
        return found

    def section(self, slug: str) -> Section:
        for section in self.sections:
            if section.slug == slug:
                return section
        raise KeyError(slug)

    def author(self, slug: str) -> Author:
        for author in self.authors:
            if author.slug == slug:
                return author
        raise KeyError(slug)

    def tags(self) -> dict[str, str]:
        """Tag slug -> tag name, over all articles."""
        out: dict[str, str] = {}
        for story in self.stories():
            for tag in story.tags:
                out.setdefault(slugify(tag), tag)
        return out

    def edit(self, key: str, **changes: Any) -> Story:
        """Change an article in place (its URL stays); ``modified`` defaults to now.

        Accepted keys: ``title``, ``paragraphs``, ``tags``, ``sections``, ``authors``,
        ``structured``, ``modified``.
        """
        allowed = {"title", "paragraphs", "tags", "sections", "authors", "structured", "modified"}
        unknown = set(changes) - allowed
        if unknown:
            raise TypeError(f"cannot edit {sorted(unknown)}; allowed: {sorted(allowed)}")
        for name in ("paragraphs", "tags", "sections", "authors"):
            if name in changes:
                changes[name] = tuple(changes[name])
        if changes.get("modified") is None:
            changes["modified"] = datetime.now(self.tz).replace(microsecond=0)
        elif changes["modified"].tzinfo is None:
            changes["modified"] = changes["modified"].replace(tzinfo=self.tz)
        with self._lock:
            old = self.story(key)
            new = dataclasses.replace(old, **changes)
            self._validate(new)
            self._stories[new.slug] = new
        return new

    def add(self, story: Story | Mapping[str, Any]) -> Story:
        """Publish a new article (a :class:`Story` or a dict shaped like ``site.json``)."""
        new = story if isinstance(story, Story) else Story.from_dict(story, self.tz)
        with self._lock:
            if new.slug in self._stories:
                raise ValueError(f"an article with slug {new.slug!r} exists")
            self._insert(new)
        return new

    def remove(self, key: str) -> Story:
        """Unpublish an article: its URL becomes a 404."""
        with self._lock:
            old = self.story(key)
            del self._stories[old.slug]
        return old

    def _insert(self, story: Story) -> None:
        self._validate(story)
        if story.slug in self._stories:
            raise ValueError(f"duplicate slug {story.slug!r}")
        self._stories[story.slug] = story

    def _validate(self, story: Story) -> None:
        if not re.fullmatch(r"[a-z0-9-]+", story.slug):
            raise ValueError(f"bad slug {story.slug!r}")
        known_sections = {s.slug for s in self.sections}
        known_authors = {a.slug for a in self.authors}
        if not story.sections or set(story.sections) - known_sections:
            raise ValueError(f"{story.slug}: unknown or missing sections {story.sections}")
        if not story.authors or set(story.authors) - known_authors:
            raise ValueError(f"{story.slug}: unknown or missing authors {story.authors}")
        if story.structured not in STRUCTURED_KINDS:
            raise ValueError(f"{story.slug}: structured must be one of {STRUCTURED_KINDS}")
        if not story.paragraphs or not story.title:
            raise ValueError(f"{story.slug}: needs a title and paragraphs")

    # -- truth -----------------------------------------------------------------------------

    def truth(self) -> list[dict[str, Any]]:
        """What a perfect extraction of every article yields, sorted by path."""
        records = []
        for story in sorted(self.stories(), key=lambda s: s.path):
            records.append(
                {
                    "path": story.path,
                    "title": story.title,
                    "published_at": story.published.isoformat(),
                    "authors": [self.author(a).name for a in story.authors],
                    "categories": [self.section(s).name for s in story.sections],
                    "tags": list(story.tags),
                    "body": story.body,
                }
            )
        return records

    def article_paths(self) -> set[str]:
        return {s.path for s in self.stories()}

    # -- HTTP ------------------------------------------------------------------------------

    def respond(
        self,
        method: str,
        target: str,
        headers: Mapping[str, str] | None = None,
        *,
        base_url: str = "http://127.0.0.1",
    ) -> Response:
        """The response to one request (``target`` is the request path with its query)."""
        headers = {k.lower(): v for k, v in (headers or {}).items()}
        if method not in ("GET", "HEAD"):
            return Response(405, {"Allow": "GET, HEAD", "Content-Type": "text/plain"}, b"")
        parts = urlsplit(target)
        path, query = parts.path or "/", parse_qs(parts.query)
        if path != "/" and path.endswith("/"):
            location = path.rstrip("/") or "/"
            if parts.query:
                location += "?" + parts.query
            return Response(301, {"Location": location, "Content-Type": "text/plain"}, b"")
        status, content_type, text, last_modified = self._route(path, query, base_url)
        body = text.encode("utf-8")
        out = {"Content-Type": content_type, "Cache-Control": "max-age=60"}
        if status == 200:
            etag = '"' + hashlib.sha1(body).hexdigest()[:20] + '"'
            out["ETag"] = etag
            if last_modified is not None:
                out["Last-Modified"] = email.utils.format_datetime(
                    last_modified.astimezone(UTC), usegmt=True
                )
            if _not_modified(headers, etag, last_modified):
                return Response(304, out, b"")
        return Response(status, out, body)

    def _route(
        self, path: str, query: dict[str, list[str]], base: str
    ) -> tuple[int, str, str, datetime | None]:
        html_type = "text/html; charset=utf-8"
        page = _page_number(query)
        if path == "/robots.txt":
            delay = f"{self.crawl_delay:g}"
            text = f"User-agent: *\nDisallow: /recherche\nCrawl-delay: {delay}\n"
            return 200, "text/plain; charset=utf-8", text, None
        match = ARTICLE_PATH.match(path)
        if match:
            with contextlib.suppress(KeyError):
                story = self.story(path)
                return 200, html_type, self._article(story, base), story.last_change
            return self._not_found(base)
        rendered: str | None = None
        if path == "/" and page:
            rendered = self._listing(base, "/", "À la une", self.stories(), page, home=True)
        elif path.startswith("/rubrique/") and page:
            with contextlib.suppress(KeyError):
                section = self.section(path.removeprefix("/rubrique/"))
                items = [s for s in self.stories() if section.slug in s.sections]
                rendered = self._listing(base, path, section.name, items, page)
        elif path.startswith("/tag/") and page:
            tag = self.tags().get(path.removeprefix("/tag/"))
            if tag:
                items = [s for s in self.stories() if tag in s.tags]
                rendered = self._listing(base, path, tag, items, page, kind="tag")
        elif path.startswith("/auteur/"):
            with contextlib.suppress(KeyError):
                rendered = self._author(self.author(path.removeprefix("/auteur/")), base)
        elif path == "/recherche":
            rendered = self._search(base, (query.get("q") or [""])[0])
        elif path == "/agenda":
            rendered = self._agenda(base, (query.get("mois") or [AGENDA_DEFAULT_MONTH])[0])
        elif path == "/contact.html":
            rendered = self._contact(base)
        elif path == "/mentions-legales.html":
            rendered = self._legal(base)
        if rendered is None:
            return self._not_found(base)
        return 200, html_type, rendered, None

    # -- rendering -------------------------------------------------------------------------

    def _document(
        self,
        base: str,
        path: str,
        title: str,
        main: str,
        *,
        og_type: str = "website",
        description: str = "",
        head: str = "",
        current_section: str | None = None,
    ) -> str:
        url = base + path
        full_title = f"{title} | {self.name}" if title != self.name else title
        nav = "".join(
            f'<li><a href="{s.path}"'
            + (' aria-current="page"' if s.slug == current_section else "")
            + f">{_esc(s.name)}</a></li>"
            for s in self.sections
        )
        popular = "".join(
            f'<li><a href="{s.path}">{_esc(s.title)}</a></li>' for s in self._most_read()
        )
        return f"""<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_esc(full_title)}</title>
<meta name="description" content="{_esc(description or self.name + ", l’actualité du Sud")}">
<link rel="canonical" href="{_esc(url)}">
<link rel="stylesheet" href="/static/journal.css">
<meta property="og:site_name" content="{_esc(self.name)}">
<meta property="og:locale" content="fr_FR">
<meta property="og:type" content="{og_type}">
<meta property="og:title" content="{_esc(title)}">
<meta property="og:url" content="{_esc(url)}">
{head}</head>
<body>
<a class="skip" href="#contenu">Aller au contenu</a>
<header class="site-header">
  <p class="logo"><a href="/" rel="home">{_esc(self.name)}</a></p>
  <nav class="main-nav" aria-label="Rubriques"><ul>{nav}</ul></nav>
  <form class="search" role="search" action="/recherche" method="get">
    <label>Rechercher <input type="search" name="q"></label><button>OK</button>
  </form>
</header>
<div class="layout">
<main id="contenu">
{main}
</main>
<aside class="sidebar">
  <section class="plus-lus"><h2>Les plus lus</h2><ol>{popular}</ol></section>
  <section class="agenda-box"><h2>Agenda</h2>
    <p><a href="/agenda">Toutes les sorties du mois</a></p></section>
</aside>
</div>
<footer class="site-footer">
  <nav aria-label="Informations"><ul>
    <li><a href="/contact.html">Contact</a></li>
    <li><a href="/mentions-legales.html">Mentions légales</a></li>
    <li><a href="/agenda">Agenda</a></li>
  </ul></nav>
  <ul class="social">
    <li><a href="https://www.facebook.com/lejournaldusud" rel="noopener">Facebook</a></li>
    <li><a href="https://www.instagram.com/lejournaldusud" rel="noopener">Instagram</a></li>
  </ul>
  <p>© 2025 {_esc(self.name)}. Tous droits réservés.</p>
</footer>
</body>
</html>
"""

    def _most_read(self) -> list[Story]:
        ordered = sorted(self.stories(), key=lambda s: s.path)
        return ordered[::6][:5]

    def _time(self, moment: datetime, css: str = "") -> str:
        cls = f' class="{css}"' if css else ""
        return f'<time datetime="{moment.isoformat()}"{cls}>{french_datetime(moment)}</time>'

    def _teaser(self, story: Story) -> str:
        section = self.section(story.sections[0])
        return f"""<article class="teaser">
  <p class="teaser-meta"><a class="kicker" href="{section.path}">{_esc(section.name)}</a>
  · {self._time(story.published)}</p>
  <h2><a href="{story.path}">{_esc(story.title)}</a></h2>
  <p class="teaser-lead">{_esc(story.lead)}</p>
</article>"""

    def _listing(
        self,
        base: str,
        path: str,
        heading: str,
        items: Sequence[Story],
        page: int,
        *,
        home: bool = False,
        kind: str = "section",
    ) -> str | None:
        pages = max(1, -(-len(items) // self.page_size))
        if page > pages:
            return None
        chunk = items[(page - 1) * self.page_size : page * self.page_size]
        cards = "\n".join(self._teaser(s) for s in chunk)

        def page_url(n: int) -> str:
            return path if n == 1 else f"{path}?{urlencode({'page': n})}"

        links = []
        if page > 1:
            links.append(f'<a rel="prev" href="{page_url(page - 1)}">« Page précédente</a>')
        numbers = "".join(
            f'<li><span aria-current="page">{n}</span></li>'
            if n == page
            else f'<li><a href="{page_url(n)}">{n}</a></li>'
            for n in range(1, pages + 1)
        )
        links.append(f"<ol>{numbers}</ol>")
        if page < pages:
            links.append(f'<a rel="next" href="{page_url(page + 1)}">Page suivante »</a>')
        pager = '<nav class="pager" aria-label="Pagination">' + " ".join(links) + "</nav>"
        label = {"section": "Rubrique", "tag": "Mot-clé"}.get(kind, "")
        title_text = heading if home else f"{label} : {heading}" if label else heading
        suffix = f" – page {page}" if page > 1 else ""
        h1_class = ' class="visually-hidden"' if home else ""
        h1 = f"<h1{h1_class}>{_esc(title_text)}</h1>"
        main = f"""<section class="listing listing-{kind if not home else "home"}">
{h1}
{cards}
{pager}
</section>"""
        graph: dict[str, Any] = {
            "@context": "https://schema.org",
            "@type": "WebSite" if home else "CollectionPage",
            "name": self.name if home else heading,
            "url": base + page_url(page),
        }
        if home:
            graph["potentialAction"] = {
                "@type": "SearchAction",
                "target": base + "/recherche?q={search_term_string}",
                "query-input": "required name=search_term_string",
            }
        section_slug = path.removeprefix("/rubrique/") if path.startswith("/rubrique/") else None
        return self._document(
            base,
            page_url(page),
            (self.name if home else title_text) + suffix,
            main,
            head=_jsonld(graph),
            current_section=section_slug,
        )

    def _related(self, story: Story) -> list[Story]:
        """Two other articles for the "À lire aussi" box: same first section, nearest in time."""
        others = [s for s in self.stories() if s.slug != story.slug]

        def distance(s: Story) -> tuple[bool, float, str]:
            same = story.sections[0] in s.sections
            return (not same, abs((s.published - story.published).total_seconds()), s.slug)

        return sorted(others, key=distance)[:2]

    def _article(self, story: Story, base: str) -> str:
        url = base + story.path
        sections = [self.section(s) for s in story.sections]
        authors = [self.author(a) for a in story.authors]
        byline = " et ".join(f'<a rel="author" href="{a.path}">{_esc(a.name)}</a>' for a in authors)
        related = "".join(
            f'<li><a href="{s.path}">{_esc(s.title)}</a></li>' for s in self._related(story)
        )
        aside = f"""<aside class="a-lire-aussi">
  <p class="a-lire-aussi-titre">À lire aussi</p>
  <ul>{related}</ul>
</aside>"""
        paragraphs = [f"<p>{_esc(p)}</p>" for p in story.paragraphs]
        paragraphs.insert(min(2, len(paragraphs)), aside)
        body = "\n".join(paragraphs)
        updated = ""
        if story.modified:
            stamp = self._time(story.modified, "updated")
            updated = f' <span class="maj">Mis à jour le {stamp}</span>'
        shared = quote(url, safe="")
        share = f"""<div class="share-bar" aria-label="Partager">
  <span>Partager</span>
  <a class="share-facebook" href="https://www.facebook.com/sharer/sharer.php?u={shared}">Facebook</a>
  <a class="share-x" href="https://x.com/intent/tweet?url={shared}">X</a>
  <a class="share-whatsapp" href="https://wa.me/?text={shared}">WhatsApp</a>
  <a class="share-mail" href="mailto:?subject={quote(story.title)}&amp;body={shared}">E-mail</a>
</div>"""
        tags = "".join(
            f'<li><a rel="tag" href="/tag/{slugify(t)}">{_esc(t)}</a></li>' for t in story.tags
        )
        kicker = " ".join(f'<a href="{s.path}">{_esc(s.name)}</a>' for s in sections)
        main = f"""<article class="article">
  <nav class="breadcrumb" aria-label="Fil d’Ariane"><a href="/">Accueil</a> ›
    <a href="{sections[0].path}">{_esc(sections[0].name)}</a></nav>
  <p class="kicker">{kicker}</p>
  <h1>{_esc(story.title)}</h1>
  <p class="byline">Par {byline}</p>
  <p class="dates">Publié le {self._time(story.published, "published")}{updated}</p>
  {share}
  <div class="article-body">
{body}
  </div>
  <section class="newsletter">
    <h2>La newsletter du Journal du Sud</h2>
    <p>Recevez chaque matin à 7 heures l’essentiel de l’actualité de votre région.</p>
    <form action="/newsletter" method="post">
      <label>Votre adresse e-mail <input type="email" name="email" required></label>
      <button type="submit">Je m’inscris</button>
    </form>
  </section>
  <ul class="tags">{tags}</ul>
</article>"""
        return self._document(
            base,
            story.path,
            story.title,
            main,
            og_type="article",
            description=story.lead,
            head=self._article_head(story, base),
            current_section=sections[0].slug,
        )

    def _article_head(self, story: Story, base: str) -> str:
        if story.structured == "time":
            return ""
        sections = [self.section(s) for s in story.sections]
        authors = [self.author(a) for a in story.authors]
        if story.structured == "meta":
            lines = [
                f'<meta property="article:published_time" content="{story.published.isoformat()}">'
            ]
            if story.modified:
                stamp = story.modified.isoformat()
                lines.append(f'<meta property="article:modified_time" content="{stamp}">')
            lines += [f'<meta property="article:author" content="{base}{a.path}">' for a in authors]
            lines.append(f'<meta property="article:section" content="{_esc(sections[0].name)}">')
            lines += [f'<meta property="article:tag" content="{_esc(t)}">' for t in story.tags]
            return "\n".join(lines) + "\n"
        data: dict[str, Any] = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "mainEntityOfPage": {"@type": "WebPage", "@id": base + story.path},
            "headline": story.title,
            "description": story.lead,
            "inLanguage": "fr-FR",
            "datePublished": story.published.isoformat(),
            "dateModified": story.last_change.isoformat(),
            "author": [{"@type": "Person", "name": a.name, "url": base + a.path} for a in authors],
            "articleSection": [s.name for s in sections],
            "keywords": ", ".join(story.tags),
            "publisher": {
                "@type": "NewsMediaOrganization",
                "name": self.name,
                "url": base + "/",
                "logo": {"@type": "ImageObject", "url": base + "/static/logo.png"},
            },
        }
        return _jsonld(data)

    def _author(self, author: Author, base: str) -> str:
        items = [s for s in self.stories() if author.slug in s.authors]
        cards = "\n".join(self._teaser(s) for s in items)
        main = f"""<section class="author-page">
<h1>{_esc(author.name)}</h1>
<p class="bio">{_esc(author.bio)}</p>
<h2>Ses derniers articles</h2>
{cards}
</section>"""
        graph = {
            "@context": "https://schema.org",
            "@type": "ProfilePage",
            "mainEntity": {"@type": "Person", "name": author.name, "url": base + author.path},
        }
        return self._document(
            base, author.path, author.name, main, description=author.bio, head=_jsonld(graph)
        )

    def _search(self, base: str, q: str) -> str:
        q = q.strip()
        results: list[Story] = []
        if q:
            needle = _fold(q)
            results = [s for s in self.stories() if needle in _fold(s.title + " " + s.body)]
        cards = "\n".join(self._teaser(s) for s in results)
        summary = (
            f"<p>{len(results)} résultat(s) pour « {_esc(q)} »</p>"
            if q
            else "<p>Saisissez un ou plusieurs mots.</p>"
        )
        main = f"""<section class="search-results">
<h1>Recherche</h1>
<form action="/recherche" method="get">
  <input type="search" name="q" value="{_esc(q)}"><button>Rechercher</button>
</form>
{summary}
{cards}
</section>"""
        path = "/recherche" + (f"?{urlencode({'q': q})}" if q else "")
        return self._document(
            base, path, "Recherche", main, head='<meta name="robots" content="noindex">\n'
        )

    def _agenda(self, base: str, month: str) -> str | None:
        match = re.fullmatch(r"(\d{4})-(\d{2})", month)
        if not match:
            return None
        year, mon = int(match.group(1)), int(match.group(2))
        if not (1 <= year <= 9999 and 1 <= mon <= 12):
            return None
        prev_year, prev_mon = (year, mon - 1) if mon > 1 else (year - 1, 12)
        next_year, next_mon = (year, mon + 1) if mon < 12 else (year + 1, 1)
        label = f"{MOIS[mon - 1]} {year}"
        events = EVENTS.get(f"{year:04d}-{mon:02d}", [])
        if events:
            rows = "".join(
                f'<li><time datetime="{date(year, mon, d).isoformat()}">{d} {MOIS[mon - 1]}</time>'
                f' : {_esc(what)} <span class="lieu">({_esc(where)})</span></li>'
                for d, what, where in events
            )
            listing = f'<ul class="events">{rows}</ul>'
        else:
            listing = '<p class="empty">Aucun événement n’est encore programmé ce mois-ci.</p>'
        days = "".join(
            f"<th>{d}</th>" for d in ("lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim.")
        )
        weeks = calendar.Calendar().monthdayscalendar(year, mon)
        grid = "".join(
            "<tr>" + "".join(f"<td>{d or ''}</td>" for d in week) + "</tr>" for week in weeks
        )
        nav = []
        if prev_year >= 1:
            nav.append(
                f'<a class="mois-precedent" href="/agenda?mois={prev_year:04d}-{prev_mon:02d}">'
                "« mois précédent</a>"
            )
        if next_year <= 9999:
            nav.append(
                f'<a class="mois-suivant" href="/agenda?mois={next_year:04d}-{next_mon:02d}">'
                "mois suivant »</a>"
            )
        main = f"""<section class="agenda">
<h1>Agenda : {label}</h1>
<p class="agenda-nav">{" ".join(nav)}</p>
<table class="calendrier"><thead><tr>{days}</tr></thead>
<tbody>{grid}</tbody></table>
{listing}
</section>"""
        return self._document(base, f"/agenda?mois={year:04d}-{mon:02d}", f"Agenda : {label}", main)

    def _contact(self, base: str) -> str:
        main = """<section class="page page-contact">
<h1>Contacter la rédaction</h1>
<p>Le Journal du Sud est installé au 12, rue des Écoles-Laïques, à Montpellier. L’accueil du
public est ouvert du lundi au vendredi, de 9 heures à 12 heures et de 14 heures à 17 heures.</p>
<p>Pour signaler une information, proposer un sujet ou demander un rectificatif, écrivez à la
rédaction en précisant vos coordonnées. Nous répondons à chaque message dans les meilleurs
délais, en général sous quarante-huit heures ouvrées.</p>
<p>Pour les annonces légales, les avis de décès et la publicité, un service dédié est joignable
par téléphone au 04 00 00 00 00 du lundi au vendredi.</p>
<form action="/contact.html" method="post">
  <label>Nom <input name="nom" required></label>
  <label>Adresse e-mail <input type="email" name="email" required></label>
  <label>Message <textarea name="message" rows="6"></textarea></label>
  <button type="submit">Envoyer</button>
</form>
</section>"""
        graph = {"@context": "https://schema.org", "@type": "ContactPage", "name": "Contact"}
        return self._document(
            base, "/contact.html", "Contact", main, head=_jsonld(graph),
            description="Contacter la rédaction du Journal du Sud",
        )  # fmt: skip

    def _legal(self, base: str) -> str:
        main = """<section class="page page-legal">
<h1>Mentions légales</h1>
<h2>Éditeur</h2>
<p>Le site du Journal du Sud est édité par la société Éditions du Sud, société par actions
simplifiée au capital de 150 000 euros, dont le siège social est situé 12, rue des
Écoles-Laïques à Montpellier. Le directeur de la publication est le président de la société.</p>
<h2>Hébergement</h2>
<p>Le site est hébergé par un prestataire établi dans l’Union européenne, dont les
coordonnées peuvent être obtenues sur simple demande adressée à la rédaction.</p>
<h2>Propriété intellectuelle</h2>
<p>L’ensemble des contenus publiés sur ce site, textes, photographies, vidéos et
infographies, est protégé par le droit d’auteur. Toute reproduction, même partielle, sans
autorisation écrite préalable de l’éditeur est interdite, sauf dans les cas prévus par la loi.</p>
<h2>Données personnelles</h2>
<p>Les données recueillies lors de l’inscription à la newsletter sont utilisées uniquement
pour son envoi. Conformément au règlement général sur la protection des données, vous disposez
d’un droit d’accès, de rectification et de suppression de vos données, que vous pouvez exercer
en écrivant au délégué à la protection des données de la société.</p>
<h2>Cookies</h2>
<p>Ce site n’utilise que des cookies nécessaires à son fonctionnement et des cookies de mesure
d’audience anonymisée. Vous pouvez les refuser à tout moment depuis les réglages de votre
navigateur.</p>
</section>"""
        return self._document(base, "/mentions-legales.html", "Mentions légales", main)

    def _not_found(self, base: str) -> tuple[int, str, str, None]:
        main = """<section class="page page-404">
<h1>Page introuvable</h1>
<p>La page que vous cherchez n’existe pas ou a été déplacée. <a href="/">Retour à l’accueil</a></p>
</section>"""
        page = self._document(base, "/404", "Page introuvable", main)
        return 404, "text/html; charset=utf-8", page, None


def _jsonld(data: Mapping[str, Any]) -> str:
    text = json.dumps(data, ensure_ascii=False, indent=1).replace("</", "<\\/")
    return f'<script type="application/ld+json">\n{text}\n</script>\n'


def _page_number(query: Mapping[str, list[str]]) -> int:
    """The ``page`` parameter (1 when absent), or 0 when it is not a positive integer."""
    values = query.get("page")
    if not values:
        return 1
    value = values[0]
    return int(value) if value.isascii() and value.isdigit() and int(value) >= 1 else 0


def _not_modified(headers: Mapping[str, str], etag: str, last_modified: datetime | None) -> bool:
    if "if-none-match" in headers:
        tags = [t.strip().removeprefix("W/") for t in headers["if-none-match"].split(",")]
        return "*" in tags or etag in tags
    since = headers.get("if-modified-since")
    if since and last_modified is not None:
        with contextlib.suppress(TypeError, ValueError, IndexError):
            when = email.utils.parsedate_to_datetime(since)
            return when is not None and int(last_modified.timestamp()) <= int(when.timestamp())
    return False


# ---------------------------------------------------------------------------------- truth


def truth_records(site: LeJournalSite | None = None) -> list[dict[str, Any]]:
    """The expected extraction of every article of ``site`` (default: the fixture data)."""
    return (site or LeJournalSite()).truth()


def dumps_truth(records: Iterable[Mapping[str, Any]]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


def write_truth(path: Path = TRUTH_PATH) -> None:
    path.write_text(dumps_truth(truth_records()), encoding="utf-8")


def load_truth(path: Path = TRUTH_PATH) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


# ---------------------------------------------------------------------------------- server


class LoggedRequest(NamedTuple):
    time: float  # time.monotonic() when the request was read
    method: str
    path: str  # with the query string
    status: int
    user_agent: str


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "LeJournal/1.0"
    timeout = 10  # idle keep-alive connections are dropped after this many seconds
    disable_nagle_algorithm = True  # headers and body go out in two writes
    server: _Server

    def do_GET(self) -> None:
        self._serve()

    def do_HEAD(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(min(length, 1 << 20))
        self._serve()

    def _serve(self) -> None:
        owner = self.server.owner
        started = time.monotonic()
        try:
            response = owner.site.respond(
                self.command, self.path, dict(self.headers.items()), base_url=owner.base_url
            )
        except Exception as exc:  # a renderer bug must show up in the test, not hang it
            body = f"internal error: {exc!r}".encode()
            response = Response(500, {"Content-Type": "text/plain"}, body)
        owner._log(
            LoggedRequest(
                started,
                self.command,
                self.path,
                response.status,
                self.headers.get("User-Agent", ""),
            )
        )
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD" and response.status != 304:
            self.wfile.write(response.body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    owner: LeJournalServer


@dataclass
class LeJournalServer(Serving):
    """The site on ``http://127.0.0.1:<free port>``, served by a daemon thread."""

    site: LeJournalSite = field(default_factory=LeJournalSite)
    crawl_delay: float | None = None  # sets site.crawl_delay (robots.txt) when given
    host: str = "127.0.0.1"
    port: int = 0
    _httpd: _Server | None = field(default=None, init=False, repr=False)
    _thread: threading.Thread | None = field(default=None, init=False, repr=False)
    _requests: list[LoggedRequest] = field(default_factory=list, init=False, repr=False)
    _log_lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.crawl_delay is not None:
            self.site.crawl_delay = self.crawl_delay

    @property
    def base_url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("the server is not running")
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str = "/") -> str:
        return self.base_url + path

    @property
    def requests(self) -> list[LoggedRequest]:
        """A snapshot of the request log, oldest first."""
        with self._log_lock:
            return list(self._requests)

    def clear_requests(self) -> None:
        with self._log_lock:
            self._requests.clear()

    def _log(self, entry: LoggedRequest) -> None:
        with self._log_lock:  # ordered by arrival, though responses may finish out of order
            bisect.insort(self._requests, entry, key=lambda e: e.time)

    def start(self) -> Self:
        if self._httpd is not None:
            return self
        httpd = _Server((self.host, self.port), _Handler)
        httpd.owner = self
        self._httpd = httpd
        self._thread = serve_in_thread(httpd, "lejournal")
        return self

    def stop(self) -> None:
        httpd, self._httpd = self._httpd, None
        if httpd is not None:
            stop_serving(httpd, self._thread)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--write-truth", action="store_true", help="regenerate truth.jsonl")
    parser.add_argument("--serve", action="store_true", help="serve the site until Ctrl-C")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--crawl-delay", type=float, default=0.0)
    args = parser.parse_args(argv)
    if args.write_truth:
        write_truth()
        print(f"wrote {TRUTH_PATH}")
    if args.serve:
        with LeJournalServer(crawl_delay=args.crawl_delay, port=args.port) as srv:
            print(f"serving {srv.base_url}/ (Ctrl-C to stop)", flush=True)
            with contextlib.suppress(KeyboardInterrupt):
                while True:
                    time.sleep(3600)


if __name__ == "__main__":
    main()
