"""Discovery: which URLs of a site are worth fetching, read from pages we already have.

Pure functions over a parsed page: the header menu gives the sections, a listing page gives
article links and its next page, the language switch gives the other editions. Nothing here
extracts article fields or touches the network.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from ..extract import MAX_HTML_CHARS, limit_nesting
from ..profiles import Profile
from ..urls import canonical, navigable

GENERIC_NAV = ("header nav a[href]", "nav a[href]", '[class*="menu"] a[href]', "header a[href]")
GENERIC_NEXT = (
    'link[rel="next"]',
    'a[rel="next"]',
    ".pagination a.next",
    'a[class*="next"]',
)
FEED_LINKS = (
    'link[rel="alternate"][type="application/rss+xml"],'
    ' link[rel="alternate"][type="application/atom+xml"]'
)
PAGE_IN_PATH = re.compile(r"(/page/)(\d+)(/?)$")
PAGE_PARAMS = ("page", "p", "pg", "paged")
TEASER_LINKS = "article a[href], h2 a[href], h3 a[href], h4 a[href]"
SKIP_EXTENSIONS = (
    ".jpg", ".jpeg", ".png", ".gif", ".webp", ".svg", ".pdf", ".zip", ".mp3", ".mp4",
    ".css", ".js", ".xml", ".json", ".ico", ".woff", ".woff2",
)  # fmt: skip


@dataclass
class Found:
    """Links a page leads to, by what they are expected to be."""

    sections: list[str] = field(default_factory=list)
    articles: list[str] = field(default_factory=list)
    next_page: str | None = None
    editions: dict[str, str] = field(default_factory=dict)  # language -> edition home
    feeds: list[str] = field(default_factory=list)
    rest_api: str | None = None  # WordPress REST root ("https://site/wp-json/")
    heading: str = ""  # the page's own heading (a section listing's name), '' when none


def read_page(html: str, url: str, hosts: set[str], profile: Profile | None) -> Found:
    """Parse a home, section or listing page and tell where it leads; without a profile its
    article links are found by :func:`generic_articles`. Pure: crawls run it off the loop."""
    # Bounded as extraction bounds it: the parser's cost grows with the square of nesting.
    tree = LexborHTMLParser(limit_nesting(html[:MAX_HTML_CHARS]))
    found = from_page(tree, url, hosts, profile)
    if profile is None or not profile.selector("discover", "listing_items"):
        found.articles = generic_articles(tree, url, hosts)
    return found


def from_page(tree: LexborHTMLParser, url: str, hosts: set[str], profile: Profile | None) -> Found:
    """Everything a home, section or listing page tells us about where to go next."""
    found = Found()
    found.sections = _links(tree, _selectors(profile, "sections", GENERIC_NAV), url, hosts)
    items = profile.selector("discover", "listing_items") if profile else None
    found.articles = _links(tree, (items,), url, hosts) if items else []
    next_sel = profile.selector("discover", "next_page") if profile else None
    nexts = _links(tree, (next_sel,) if next_sel else GENERIC_NEXT, url, hosts)
    found.next_page = nexts[0] if nexts else None
    if found.next_page is None and not next_sel:
        found.next_page = numbered_next(tree, url, hosts)
    found.editions = editions(tree, url, hosts, profile)
    found.feeds = _links(tree, (FEED_LINKS,), url, hosts)
    api = _links(tree, ('link[rel="https://api.w.org/"]',), url, hosts)
    found.rest_api = api[0] if api else None
    found.heading = page_heading(tree)
    return found


def page_heading(tree: LexborHTMLParser) -> str:
    """The first ``h1`` outside the masthead (a logo is often an ``h1`` too), one line."""
    for node in tree.css("h1"):
        parent, inside = node.parent, False
        while parent is not None and not inside:
            classes = (parent.attributes.get("class") or "").lower()
            inside = parent.tag in ("header", "nav") or "logo" in classes
            parent = parent.parent
        text = " ".join((node.text() or "").split())
        if text and not inside and "logo" not in (node.attributes.get("class") or ""):
            return text[:200]
    return ""


def generic_articles(tree: LexborHTMLParser, url: str, hosts: set[str]) -> list[str]:
    """Links that look like article teasers on a listing without a profile: headline links
    (``h2``-``h4`` or ``<article>`` cards) whose text reads like a title, on this site."""
    seen: dict[str, None] = {}
    for node in tree.css(TEASER_LINKS):
        words = len((node.text() or "").split())
        link = _href(node, url, hosts)
        if link and words >= 3 and link != canonical(url):
            seen.setdefault(link, None)
    return list(seen)


def numbered_next(tree: LexborHTMLParser, url: str, hosts: set[str]) -> str | None:
    """The link to page N+1 in the common numbering forms (``/page/N/``, ``?page=N``,
    ``?p=N``, ``/N/``), when the page links to it: pagination without a "next" label."""
    parts = urlsplit(canonical(url))
    page, candidates = 1, []
    if match := PAGE_IN_PATH.search(parts.path):
        page = int(match.group(2))
    for key in PAGE_PARAMS:
        for pair in parts.query.split("&"):
            if pair.startswith(key + "=") and pair[len(key) + 1 :].isdigit():
                page = int(pair[len(key) + 1 :])
    nxt = page + 1
    if PAGE_IN_PATH.search(parts.path):
        path = PAGE_IN_PATH.sub(lambda m: f"{m.group(1)}{nxt}{m.group(3)}", parts.path, count=1)
        candidates.append(parts._replace(path=path).geturl())
    else:
        base_path = parts.path if parts.path.endswith("/") else parts.path + "/"
        candidates.append(parts._replace(path=f"{base_path}page/{nxt}/").geturl())
    for key in PAGE_PARAMS:
        query = "&".join(p for p in parts.query.split("&") if p and not p.startswith(key + "="))
        query = "&".join(filter(None, [query, f"{key}={nxt}"]))
        candidates.append(parts._replace(query=query).geturl())
    linked = set(_links(tree, ("a[href]",), url, hosts))
    return next((canonical(c) for c in candidates if canonical(c) in linked), None)


def editions(
    tree: LexborHTMLParser, url: str, hosts: set[str], profile: Profile | None
) -> dict[str, str]:
    """Language -> URL of the language switch links (``hreflang`` or ``lang`` attribute)."""
    selector = profile.selector("discover", "editions") if profile else None
    out: dict[str, str] = {}
    for node in tree.css(selector or "a[hreflang]"):
        lang = (node.attributes.get("hreflang") or node.attributes.get("lang") or "")[:2].lower()
        link = _href(node, url, hosts)
        if lang and link:
            out.setdefault(lang, link)
    return out


def _selectors(profile: Profile | None, key: str, fallback: tuple[str, ...]) -> tuple[str, ...]:
    selector = profile.selector("discover", key) if profile else None
    return (selector,) if selector else fallback


def _links(
    tree: LexborHTMLParser, selectors: Iterable[str], base: str, hosts: set[str]
) -> list[str]:
    seen: dict[str, None] = {}
    for selector in selectors:
        for node in tree.css(selector):
            link = _href(node, base, hosts)
            if link:
                seen.setdefault(link, None)
        if seen:
            break
    return list(seen)


def _href(node: LexborNode, base: str, hosts: set[str]) -> str | None:
    href = (node.attributes.get("href") or "").strip()
    if not navigable(href):
        return None
    url = urljoin(base, href)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not on_site(url, hosts):
        return None
    if parts.path.lower().endswith(SKIP_EXTENSIONS):
        return None
    return canonical(url)


def on_site(url: str, hosts: set[str]) -> bool:
    """True when ``url`` belongs to the crawled site (``www.`` ignored, port kept)."""
    netloc = urlsplit(url).netloc.lower().removeprefix("www.")
    return netloc in hosts


def site_hosts(base_url: str, profile: Profile | None) -> set[str]:
    """The host[:port] names a crawl of ``base_url`` stays on."""
    hosts = {urlsplit(base_url).netloc.lower().removeprefix("www.")}
    if profile and any(profile.matches_host(h.split(":")[0]) for h in hosts):
        hosts |= {h.lower().removeprefix("www.") for h in profile.hosts}
    return hosts
