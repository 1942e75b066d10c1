"""Machine-readable lists of a site's articles: sitemaps, RSS/Atom feeds, the WordPress REST API.

Pure parsers: bytes or text in, ``Entry`` lists out. They say which URLs exist and when they
last changed; articles are still fetched as HTML pages and extracted like any other. The REST
API also tells exactly when a post was published and modified, with the site's UTC offset at
that moment: those dates are *authoritative* (``Entry.authoritative``) and win over what
extraction reads from the page (``scraper.extract.listed``).
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import unquote

from lxml import etree

from ..urls import web_url

_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, huge_tree=False, recover=True, remove_comments=True
)


#: Lists whose dates are the publisher's own record, exact to the second and offset.
AUTHORITATIVE_SOURCES = frozenset({"rest"})
#: What WordPress writes for "no date" (drafts): not a date.
WP_NO_DATE = "0000-00-00T00:00:00"
_MAX_OFFSET = timedelta(hours=14)  # UTC offsets in use run from -12:00 to +14:00


@dataclass(frozen=True)
class Entry:
    """One URL from a sitemap, feed or REST listing.

    ``lastmod`` is UTC ISO 8601, so that stored values compare as strings (it triggers
    refetches). ``published`` is ISO 8601: in UTC for sitemaps and feeds; for the REST API in
    the site's local time with its offset, as is ``modified`` (REST only). ``source`` is
    ``sitemap``, ``feed`` or ``rest``; ``date_raw`` the REST ``date``/``date_gmt`` as given.
    ``stated`` is the list's own date of the page as the site wrote it, with the offset it
    gave (None without one, or UTC in a sitemap or feed): what a site's zone is learned from.
    """

    url: str
    lastmod: str | None = None
    published: str | None = None
    title: str | None = None
    modified: str | None = None
    source: str | None = None
    date_raw: str | None = None
    stated: str | None = None

    @property
    def authoritative(self) -> bool:
        """Whether its dates should win over the dates extraction finds on the page."""
        return self.source in AUTHORITATIVE_SOURCES


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
            sitemaps.append(Entry(loc, iso(_child_text(node, "lastmod")), source="sitemap"))
    for node in root.iter("{*}url"):
        loc = _child_text(node, "loc")
        if not loc:
            continue
        news = next(node.iter("{*}news"), None)
        published = title = None
        if news is not None:
            published = iso(_child_text(news, "publication_date"))
            title = _child_text(news, "title")
        raw_lastmod = _child_text(node, "lastmod")
        lastmod = iso(raw_lastmod)
        said = stated(_child_text(news, "publication_date") if news is not None else None)
        pages.append(
            Entry(
                loc, lastmod, published, title, source="sitemap", stated=said or stated(raw_lastmod)
            )
        )
    return Sitemap(_web(sitemaps), _web(pages))


def _web(entries: list[Entry]) -> list[Entry]:
    """The entries whose URL is an http(s) URL (:func:`scraper.urls.web_url`): a list may
    name ``javascript:`` or worse; nothing but web pages is queued or declared."""
    return [e for e in entries if web_url(e.url)]


def parse_feed(data: bytes) -> list[Entry]:
    """Items of an RSS 2.0 / RSS 1.0 / Atom feed."""
    root = _xml(data)
    if root is None:
        return []
    out = []
    for item in root.iter("{*}item"):
        link = _child_text(item, "link") or _child_text(item, "guid")
        if link and link.startswith("http"):
            raw = _child_text(item, "pubDate") or _child_text(item, "date")
            date = iso(raw)
            title = _child_text(item, "title")
            out.append(Entry(link, date, date, title, source="feed", stated=stated(raw)))
    for entry in root.iter("{http://www.w3.org/2005/Atom}entry"):
        link = _atom_link(entry)
        if link:
            raw = _child_text(entry, "published") or _child_text(entry, "updated")
            updated = iso(_child_text(entry, "updated"))
            published = iso(_child_text(entry, "published")) or updated
            title = _child_text(entry, "title")
            out.append(
                Entry(
                    link, updated or published, published, title, source="feed", stated=stated(raw)
                )
            )
    return _web(out)


def parse_rest_posts(data: bytes) -> list[Entry]:
    """``/wp-json/wp/v2/posts`` items: link, title and the exact publication and modification
    moments (:func:`rest_date`); ``lastmod`` is the modification in UTC."""
    out = []
    for item in _json_items(data):
        if not isinstance(item, dict) or not isinstance(item.get("link"), str):
            continue
        title = item.get("title")
        published = rest_date(item.get("date"), item.get("date_gmt"))
        modified = rest_date(item.get("modified"), item.get("modified_gmt"))
        raw = {k: item[k] for k in ("date", "date_gmt") if isinstance(item.get(k), str)}
        out.append(
            Entry(
                item["link"],
                lastmod=modified.astimezone(UTC).isoformat() if modified else None,
                published=published.isoformat() if published else None,
                title=title.get("rendered") if isinstance(title, dict) else None,
                modified=modified.isoformat() if modified else None,
                source="rest",
                date_raw=json.dumps(raw, ensure_ascii=False) if published else None,
                stated=published.isoformat() if published else None,
            )
        )
    return _web(out)


def parse_rest_terms(data: bytes) -> list[tuple[str, int]]:
    """``/wp-json/wp/v2/categories`` items: each category's name (unescaped) and the number
    of posts the site says it holds (``count``)."""
    return [
        (" ".join(html.unescape(item["name"]).split()), item["count"])
        for item in _json_items(data)
        if isinstance(item, dict)
        and isinstance(item.get("name"), str)
        and isinstance(item.get("count"), int)
        and not isinstance(item.get("count"), bool)
        and item["name"].strip()
    ]


def _json_items(data: bytes) -> list[Any]:
    """The items of a REST listing: a JSON list, or none when the body is anything else."""
    try:
        items = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        return []
    return items if isinstance(items, list) else []


def is_rest_terms(url: str) -> bool:
    """Whether a REST URL lists categories (their post counts) rather than posts."""
    return "/wp/v2/categories" in unquote(url)


def rest_date(local: Any, gmt: Any) -> datetime | None:
    """The moment a WordPress ``date``/``date_gmt`` pair (or ``modified``/``modified_gmt``)
    names, in site-local time with the site's UTC offset at that moment.

    WordPress gives both without a zone: ``date`` in site-local time, ``date_gmt`` in UTC;
    their difference is the offset (``2025-11-25T10:15:00`` and ``2025-11-25T09:15:00`` give
    ``2025-11-25T10:15:00+01:00``). Only ``date_gmt`` usable, or an implausible difference
    (not whole minutes, beyond 14 hours): the moment in UTC (+00:00). No usable ``date_gmt``
    (missing, the ``0000-00-00T00:00:00`` placeholder, garbage): None, as the local time alone
    does not say which moment it is.
    """
    utc = _wp_datetime(gmt)
    if utc is None:
        return None
    if utc.tzinfo is not None:  # not WordPress's own format, but unambiguous
        utc = utc.astimezone(UTC).replace(tzinfo=None)
    here = _wp_datetime(local)
    if here is not None and here.tzinfo is not None:
        same = here.astimezone(UTC).replace(tzinfo=None) == utc
        return here if same else utc.replace(tzinfo=UTC)
    if here is not None:
        offset = here - utc
        if abs(offset) <= _MAX_OFFSET and not offset % timedelta(minutes=1):
            return here.replace(tzinfo=timezone(offset))
    return utc.replace(tzinfo=UTC)


def _wp_datetime(value: Any) -> datetime | None:
    """A REST date field as given (naive, or aware if it carried an offset), or None."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    if not value or value.startswith(WP_NO_DATE[:10]):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def iso(value: str | None) -> str | None:
    """A sitemap/feed date (W3C datetime or RFC 822) as ISO 8601 (UTC when it has an offset)."""
    parsed = _date(value)
    if parsed is None:
        return None
    if parsed.tzinfo is not None:  # UTC, so that stored values compare as strings
        parsed = parsed.astimezone(UTC)
    return parsed.isoformat()


def stated(value: str | None) -> str | None:
    """A sitemap/feed date as ISO 8601 with the offset it was given in; None without one,
    or when it is UTC: sitemap and feed generators often write the server's UTC clock, which
    says nothing of the site's zone (and would hide a zone's seasonal offsets)."""
    parsed = _date(value)
    offset = parsed.utcoffset() if parsed is not None else None
    return parsed.isoformat() if parsed is not None and offset else None


def _date(value: str | None) -> datetime | None:
    if not value:
        return None
    value = value.strip()
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:
            return parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None


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
