"""Machine-readable lists of a site's articles: sitemaps, RSS/Atom feeds, the WordPress REST API.

Pure parsers: bytes or text in, ``Entry`` lists out. They only say which URLs exist and when
they last changed; articles are still fetched as HTML pages and extracted like any other.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from lxml import etree

_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, huge_tree=False, recover=True, remove_comments=True
)


@dataclass(frozen=True)
class Entry:
    """One URL from a sitemap, feed or REST listing."""

    url: str
    lastmod: str | None = None  # ISO 8601 (UTC when the source said so)
    published: str | None = None
    title: str | None = None


@dataclass(frozen=True)
class Sitemap:
    """A parsed sitemap: child sitemaps (of an index) and page entries."""

    sitemaps: list[Entry]
    pages: list[Entry]


def parse_sitemap(data: bytes) -> Sitemap:
    """A sitemap or sitemap index, including Google News ``news:publication_date``/``title``."""
    root = _xml(data)
    if root is None:
        return Sitemap([], [])
    sitemaps, pages = [], []
    for node in root.iter("{*}sitemap"):
        loc = _child_text(node, "loc")
        if loc:
            sitemaps.append(Entry(loc, iso(_child_text(node, "lastmod"))))
    for node in root.iter("{*}url"):
        loc = _child_text(node, "loc")
        if not loc:
            continue
        news = next(node.iter("{*}news"), None)
        published = title = None
        if news is not None:
            published = iso(_child_text(news, "publication_date"))
            title = _child_text(news, "title")
        pages.append(Entry(loc, iso(_child_text(node, "lastmod")), published, title))
    return Sitemap(sitemaps, pages)


def parse_feed(data: bytes) -> list[Entry]:
    """Items of an RSS 2.0 / RSS 1.0 / Atom feed."""
    root = _xml(data)
    if root is None:
        return []
    out = []
    for item in root.iter("{*}item"):
        link = _child_text(item, "link") or _child_text(item, "guid")
        if link and link.startswith("http"):
            date = iso(_child_text(item, "pubDate") or _child_text(item, "date"))
            out.append(Entry(link, date, date, _child_text(item, "title")))
    for entry in root.iter("{http://www.w3.org/2005/Atom}entry"):
        link = _atom_link(entry)
        if link:
            updated = iso(_child_text(entry, "updated"))
            published = iso(_child_text(entry, "published")) or updated
            out.append(Entry(link, updated or published, published, _child_text(entry, "title")))
    return out


def parse_rest_posts(data: bytes) -> list[Entry]:
    """``/wp-json/wp/v2/posts`` items: link, ``modified_gmt`` and ``date_gmt`` (UTC)."""
    try:
        items = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        return []
    if not isinstance(items, list):
        return []
    out = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("link"), str):
            continue
        title = item.get("title")
        out.append(
            Entry(
                item["link"],
                _gmt(item.get("modified_gmt")),
                _gmt(item.get("date_gmt")),
                title.get("rendered") if isinstance(title, dict) else None,
            )
        )
    return out


def _gmt(value: Any) -> str | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value).replace(tzinfo=UTC).isoformat()
    except ValueError:
        return None


def iso(value: str | None) -> str | None:
    """A sitemap/feed date (W3C datetime or RFC 822) as ISO 8601 (UTC when it has an offset)."""
    if not value:
        return None
    value = value.strip()
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
    if parsed.tzinfo is not None:  # UTC, so that stored values compare as strings
        parsed = parsed.astimezone(UTC)
    return parsed.isoformat()


def _xml(data: bytes) -> Any:
    data = data.strip()
    if not data:
        return None
    try:
        return etree.fromstring(data, _PARSER)
    except (etree.XMLSyntaxError, ValueError):
        return None


def _child_text(node: Any, name: str) -> str | None:
    child = next(node.iterchildren("{*}" + name), None)
    if child is None or child.text is None:
        return None
    return child.text.strip() or None


def _atom_link(entry: Any) -> str | None:
    links = list(entry.iterchildren("{http://www.w3.org/2005/Atom}link"))
    for link in links:
        if link.get("rel", "alternate") == "alternate" and link.get("href"):
            return str(link.get("href"))
    return None
