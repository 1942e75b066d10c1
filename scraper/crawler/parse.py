"""The processing thread's pure steps: a fetched page in, what the crawl stores and queues out.

Nothing here touches the network or the archive: :func:`parse_article` runs extraction (and,
for a page that is no article, link discovery) and prepares the store's derived values; the
other functions turn listed entries and claims into frontier data. Every parse is bounded
before it starts: a page nested deeper than :data:`MAX_PARSE_DEPTH` (no real page is; a
trap or a broken page is) is given up with a reason instead of stalling the crawl, and
shallower pathological nesting is flattened by :func:`scraper.extract.limit_nesting`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from urllib.parse import urlsplit

from ..article import Article
from ..discover import feeds
from ..discover import pages as discover
from ..extract import extract, nesting_bound
from ..extract.listed import ListedDates, with_listed_dates
from ..fetch import FetchResult
from ..profiles import Profile
from ..store import Claim, Declared, FrontierEntry, PageKind, PageRecord, Prepared, prepare
from ..urls import canonical, same_page

# Lower runs first: machine-readable lists before listings, listings before articles.
PRIORITY = {
    PageKind.HOME: 0, PageKind.SITEMAP: 5, PageKind.FEED: 6, PageKind.REST: 7,
    PageKind.SECTION: 10, PageKind.LISTING: 20, PageKind.ARTICLE: 30, PageKind.LINK: 40,
}  # fmt: skip
SKIPPED_SITEMAPS = ("taxonom", "categor", "tag", "author", "user", "page-sitemap", "pages-")
MAX_PARSE_DEPTH = 50_000  # an upper bound of nesting (start tags minus end tags) we parse


def parse_article(
    result: FetchResult,
    final: str,
    fetched_at: datetime,
    site_name: str,
    profile: Profile | None,
    hosts: set[str],
    read_listing: bool,
    listed: ListedDates | None = None,
) -> Parsed:
    """Extraction and everything derived from it, for the store. Pure: runs off the loop.

    ``listed`` are the dates the REST API gave for the fetched URL: they replace the extracted
    ones when the article is that URL (the page's canonical URL, or the address the fetch
    ended at, is the listed one), never on a page a redirect led to elsewhere."""
    html = result.text or ""
    # Fewer "<" than the bound: fewer tags, so no deeper nesting (a count costs far less).
    depth = nesting_bound(html) if html.count("<") > MAX_PARSE_DEPTH else 0
    if depth > MAX_PARSE_DEPTH:
        reason = f"elements nested {depth:,} deep (over {MAX_PARSE_DEPTH:,}): not parsed"
        return Parsed(Article(url=final, is_article=False), error=reason)
    article = extract(html, final, profile, fetched_at=fetched_at)
    if not article.is_article:
        found = discover.read_page(html, final, hosts, profile) if read_listing else None
        return Parsed(article, found=found)
    article.site = site_name
    # The page's own canonical URL when it stays on the site, else the fetched URL.
    on_site = article.url and discover.on_site(article.url, hosts)
    article.url = canonical(article.url) if on_site and article.url else final
    if not on_site:
        article.provenance["url"] = "url"  # the address fetched, not the page's own
    if listed is not None and (same_page(listed.url, article.url) or same_page(listed.url, final)):
        article = with_listed_dates(article, listed)
    page = PageRecord(
        url=article.url or final,
        final_url=result.final_url,
        status=result.status,
        content=result.content,
        content_type=result.headers.get("content-type"),
        encoding=result.encoding,
        etag=result.etag,
        last_modified=result.last_modified,
        fetched_at=fetched_at.isoformat(),
    )
    return Parsed(article, page, prepare(article, page))


def listed_source(entry: Claim) -> str | None:
    """The authoritative listing (REST) that dated a claimed frontier entry, if any."""
    source = entry.listed_source
    return source if source in feeds.AUTHORITATIVE_SOURCES else None


def listed_dates(entry: Claim) -> ListedDates | None:
    """The authoritative dates a claimed frontier entry carries, if any."""
    source = listed_source(entry)
    if source is None:
        return None
    return ListedDates(
        entry.url, entry.listed_published, entry.listed_modified, entry.listed_raw, source
    )


def frontier_entry(
    url: str,
    kind: PageKind,
    depth: int,
    found_on: str | None,
    lastmod: str | None,
    item: feeds.Entry | None,
) -> FrontierEntry:
    """A frontier entry, with the dates of ``item`` when its list is authoritative (REST)."""
    entry = FrontierEntry(url, kind, PRIORITY[kind], depth, found_on, lastmod)
    if item is None or not item.authoritative or not (item.published or item.modified):
        return entry
    return replace(
        entry,
        listed_published=item.published,
        listed_modified=item.modified,
        listed_raw=item.date_raw,
        listed_source=item.source,
    )


@dataclass(frozen=True)
class Parsed:
    """A fetched article candidate after the parse thread is done with it: the article with
    its page record and derived values, or, for a page that is no article, its links."""

    article: Article
    page: PageRecord | None = None
    prepared: Prepared | None = None
    found: discover.Found | None = None
    error: str | None = None  # why the page was given up without parsing


def skipped_sitemap(url: str) -> bool:
    """Sitemaps of terms, authors and static pages list no articles."""
    name = urlsplit(url).path.lower().rsplit("/", 1)[-1]
    return any(word in name for word in SKIPPED_SITEMAPS)


def declared_entries(entries: list[feeds.Entry], found_on: str) -> list[Declared]:
    """What a sitemap, feed or REST page declares, for the audit's inventory."""
    return [
        Declared(canonical(e.url), e.source or "sitemap", found_on, "", e.published, e.lastmod)
        for e in entries
    ]


def declared_listing(found: discover.Found, url: str, kind: PageKind) -> list[Declared]:
    """What a listing declares: its articles, in its section (its heading) unless it is a
    home page, whose teasers come from every section."""
    section = found.heading if kind != PageKind.HOME else ""
    return [Declared(u, "listing", url, section) for u in found.articles]


def announced_total(headers: Mapping[str, str]) -> int | None:
    """How many posts a WordPress REST listing says there are (``X-WP-Total``)."""
    try:
        return int(headers.get("x-wp-total", ""))
    except ValueError:
        return None


def article_links(article: Article) -> list[str]:
    """Related and next/previous articles: found from articles, fetched like articles."""
    links = [r.url for r in article.related]
    links += [u for u in (article.next_url, article.prev_url) if u]
    return [u for u in links if urlsplit(u).scheme in ("http", "https")]


def requested_entries(urls: list[str]) -> list[FrontierEntry]:
    """URLs named by the user (``crawl --urls``), queued as articles."""
    kind = PageKind.ARTICLE
    return [FrontierEntry(u, kind, PRIORITY[kind], 1, None) for u in dict.fromkeys(urls)]
