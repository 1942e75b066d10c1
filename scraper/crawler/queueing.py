"""What a crawl queues, and where its site lives: the crawler's queueing policy.

A part of :class:`~scraper.crawler.engine.Crawler` (its base class), on the processing thread:
from what a page listed (a home, a section, its pagination, a sitemap, a feed, a REST page,
an article's links) to frontier entries, within the crawl's scope (the site's hosts, found
to have moved within its domain or not; the start section; ``--include``/``--exclude``; the
wanted editions) and the trap bounds (query variants, listing depth, hops), each bound's cut
counted and the first few kept in the frontier with the bound's name.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING
from urllib.parse import urlencode, urljoin, urlsplit

from .._config import Settings
from ..article import Article
from ..discover import feeds
from ..discover import pages as discover
from ..fetch import FetchResult
from ..scope import Scope
from ..store import (
    TRAP_BOUND,
    Claim,
    Frontier,
    FrontierEntry,
    PageKind,
    Store,
    window_reason,
)
from ..urls import (
    canonical,
    display,
    internal_host,
    request_scope,
    same_registrable_domain,
)
from . import parse
from .parse import PRIORITY, frontier_entry, skipped_sitemap
from .revisit import edited_since, reread_listed
from .summary import CrawlSummary, Site

log = logging.getLogger("scraper.crawler.engine")

LISTING_KINDS = (PageKind.HOME, PageKind.SECTION, PageKind.LISTING)
SOURCE_KINDS = (PageKind.SITEMAP, PageKind.FEED, PageKind.REST)
ARTICLE_KINDS = (PageKind.ARTICLE, PageKind.LINK)
REST_PAGE_SIZE = 100
MAX_BOUND_RECORDS = 100  # URLs a trap bound cut kept in the frontier per bound and run


class Queueing:
    """The queueing policy of a :class:`~scraper.crawler.engine.Crawler` (which sets the
    state below in its ``__init__``)."""

    store: Store
    frontier: Frontier
    site: Site
    options: Settings
    summary: CrawlSummary
    hosts: set[str]
    _scope: Callable[[str], bool]
    _site_id: int
    _full: bool
    _variants: Counter[str]
    _unwanted_prefixes: set[str]
    _sitemaps_found: bool
    _listed_by_sitemaps: int
    _walked: set[str]
    _only: list[str] | None
    _skip_kinds: tuple[PageKind, ...]
    _start: str
    _keep: Scope
    _moved_to: set[str]

    if TYPE_CHECKING:

        def _end(self, status: str, message: str) -> None: ...

    def _walk_listing(self, found: discover.Found, url: str, entry: Claim) -> None:
        if entry.kind == PageKind.HOME:
            self._follow_home(found, url)
        self.store.declare(self._site_id, parse.declared_listing(found, url, entry.kind))
        new = self._queue(found.articles, PageKind.ARTICLE, depth=entry.depth + 1, found_on=url)
        too_deep = entry.depth >= self.options.max_listing_depth
        # A page listing no article at all ends the walk, even a full one: that is how a
        # calendar or an endless "next" chain shows it has nothing more to give.
        if found.next_page and found.articles and (new or self._walk_all()):
            if too_deep:
                self._bound("max_listing_depth", 1, found.next_page, PageKind.LISTING)
            else:
                self._revisit(found.next_page, PageKind.LISTING, entry)

    def _follow_home(self, found: discover.Found, url: str) -> None:
        wanted = self.site.wanted_languages(self.options.languages)
        homes = [u for lang, u in found.editions.items() if wanted is None or lang in wanted]
        self._unwanted_prefixes.update(set(found.editions.values()) - set(homes))
        self._queue(homes, PageKind.HOME, depth=0, found_on=url)
        self._queue(found.sections, PageKind.SECTION, depth=1, found_on=url)
        self._queue(found.feeds[:1], PageKind.FEED, depth=0, found_on=url)
        query, claim = urlencode({"per_page": REST_PAGE_SIZE, "page": 1}), Claim(url, PageKind.HOME)
        if not self._keep.whole_site:  # a section: its sitemaps and REST list everything
            return
        if found.rest_api and self._skip_kinds:  # reading declarations: each category's count
            self._revisit(
                urljoin(found.rest_api, f"wp/v2/categories?{query}"), PageKind.REST, claim
            )
        if found.rest_api and not self._sitemaps_found:  # walked on every run, newest first
            self._revisit(urljoin(found.rest_api, f"wp/v2/posts?{query}"), PageKind.REST, claim)

    def _queue(self, urls: Iterable[str], kind: PageKind, *, depth: int, found_on: str | None,
               lastmod: dict[str, str | None] | None = None,
               listed: dict[str, feeds.Entry] | None = None) -> int:  # fmt: skip
        """Add URLs to the frontier; ``listed`` has the authoritative (REST) entries, whose
        dates the frontier keeps. Returns how many URLs were new."""
        lastmod, listed = lastmod or {}, listed or {}
        entries = [
            frontier_entry(u, kind, depth, found_on, lastmod.get(u), listed.get(u))
            for u in dict.fromkeys(urls)
            if self._allowed(u, kind=kind)
        ]
        new = self.frontier.add(self._site_id, entries, reread=reread_listed)
        if new:
            log.debug("queued %d new %s URLs found on %s", new, kind, display(found_on or "start"))
        return new

    def _allowed(self, url: str, *, walk: bool = False, kind: str = "") -> bool:
        """On the site, in a wanted edition, in the crawl's section and patterns
        (:class:`~scraper.scope.Scope`), and not the 31st query variant of one path.
        Pages of a listing or REST ``walk`` (``?page=N``) are bounded by the walk instead:
        once per run, ``max_listing_depth`` deep, REST up to its ``X-WP-TotalPages``."""
        if not discover.on_site(url, self.hosts):
            return False
        article = kind in ARTICLE_KINDS
        if url != self._start and not self._keep.allows(
            url, article=article, linked=kind == PageKind.LINK
        ):
            return False
        if any(url.startswith(p) for p in self._unwanted_prefixes):
            return False
        parts = urlsplit(url)
        if parts.query and not walk:
            self._variants[parts.path] += 1
            if self._variants[parts.path] > self.options.max_query_variants:
                self._bound("max_query_variants", 1, url, PageKind.LINK)
                return False
        return True

    def _bound(self, name: str, count: int = 1, url: str = "", kind: str = "") -> None:
        """Count URLs a trap bound kept out (the summary reports them); the first few a run
        cuts are kept in the frontier as skipped, with the bound (``scraper audit`` says)."""
        if not count:
            return
        self.summary.bounded[name] = cut = self.summary.bounded.get(name, 0) + count
        if url and cut <= MAX_BOUND_RECORDS:
            self.frontier.skip(self._site_id, url, kind, f"{TRAP_BOUND} {name}")

    def _walk_all(self) -> bool:
        """Walk listings to their end even when a page brings nothing new: on ``--full``,
        and on a first crawl of a site whose sitemaps list no article (on a site whose
        sitemaps list every post, the listings only need to be read until nothing is new)."""
        return self.options.full or (self._full and not self._listed_by_sitemaps)

    def _read_source(self, kind: PageKind, result: FetchResult, entry: Claim) -> None:
        url = entry.url
        if kind == PageKind.SITEMAP:
            parsed = feeds.parse_sitemap(result.content)
            children = [canonical(e.url) for e in parsed.sitemaps if not skipped_sitemap(e.url)]
            self._queue(children, PageKind.SITEMAP, depth=entry.depth + 1, found_on=url)
            self._listed_by_sitemaps += len(parsed.pages)
            self._offer(parsed.pages, url)
        elif kind == PageKind.FEED:
            self._offer(feeds.parse_feed(result.content), url)
        elif feeds.is_rest_terms(url):
            self.store.declare_totals(self._site_id, feeds.parse_rest_terms(result.content), url)
            self._next_rest_page(result, entry, 1)
        else:
            if (total := parse.announced_total(result.headers)) is not None:
                self.store.declare_totals(self._site_id, [("", total)], url)
            items = feeds.parse_rest_posts(result.content)
            new = self._offer(items, url)
            self._next_rest_page(result, entry, new)

    def _offer(self, entries: list[feeds.Entry], found_on: str) -> int:
        """Queue listed articles, with their dates when the list is authoritative (REST);
        requeue archived ones whose lastmod says they changed. All are declared."""
        self.store.declare(self._site_id, parse.declared_entries(entries, found_on))
        chosen = [e for e in entries if self.options.in_window(e.published or e.lastmod)]
        if len(chosen) < len(entries):  # kept for the first run whose window holds them
            outside = [
                (
                    canonical(e.url),
                    PageKind.ARTICLE,
                    window_reason(
                        str(e.published or e.lastmod), "published" if e.published else "changed"
                    ),
                )
                for e in entries
                if not self.options.in_window(e.published or e.lastmod)
            ]
            self.summary.outside_window += self.frontier.skip_many(self._site_id, outside)
        urls = {canonical(e.url): e.lastmod for e in chosen}
        listed = {canonical(e.url): e for e in chosen if e.authoritative}
        new = self._queue(
            urls, PageKind.ARTICLE, depth=1, found_on=found_on, lastmod=urls, listed=listed
        )
        changed = [(u, m) for u, m in urls.items() if m]
        if changed:
            known = self.frontier.known(u for u, _ in changed)
            edited = [u for u, m in changed if u in known and edited_since(known[u], m)]
            self.frontier.lastmod(changed, requeue=edited)
            for url in edited:
                log.debug("revisit %s: its lastmod says it changed", url)
        return new

    def _next_rest_page(self, result: FetchResult, entry: Claim, new: int) -> None:
        """Queue the next REST page while pages bring new posts; a full walk queues all the
        pages ``X-WP-TotalPages`` announces at once, so they are read in parallel and before
        the articles (whose dates they carry)."""
        parts = urlsplit(entry.url)
        query = dict(p.split("=", 1) for p in parts.query.split("&") if "=" in p)
        try:
            page = int(query.get("page", "1"))
            total = int(result.headers.get("x-wp-totalpages", "0") or 0)
        except ValueError:
            return
        if page >= total or not (new or self._walk_all()):
            return
        last = min(total, page + self.options.max_listing_depth) if self._full else page + 1
        for number in range(page + 1, last + 1):
            query["page"] = str(number)
            next_url = canonical(parts._replace(query=urlencode(query)).geturl())
            self._revisit(next_url, PageKind.REST, entry)

    def _revisit(self, url: str, kind: PageKind, entry: Claim) -> None:
        """Queue the next page of a listing or REST walk, even if an earlier run fetched it;
        once per run, so a pagination loop cannot trap the crawl."""
        if url in self._walked or not self._allowed(url, walk=True, kind=kind):
            return
        self._walked.add(url)
        seen = self.frontier.state(url) is not None  # an earlier run fetched or queued it
        log.debug("%s %s page %s (next after %s)", "revisiting" if seen else "queued",
                  kind, display(url), display(entry.url))  # fmt: skip
        entries = [FrontierEntry(url, kind, PRIORITY[kind], entry.depth + 1, entry.url)]
        self.frontier.add(self._site_id, entries, revisit=True)

    def _follow_links(self, article: Article, final: str, entry: Claim) -> None:
        # Article -> article links are followed max_hops away from a listing, sitemap or
        # feed: an endless "next" chain cannot trap the crawl.
        hops = entry.depth + 1 if entry.kind == PageKind.LINK else 1
        links = parse.article_links(article)
        if hops > self.options.max_hops:
            fresh = [u for u in links if self.frontier.state(u) is None]
            self._bound("max_hops", len(fresh))
        else:
            self._queue(links, PageKind.LINK, depth=hops, found_on=final)

    def _learn_hosts(self, hosts: Iterable[str]) -> None:
        """The crawl's scope widened to ``hosts`` (where the site was found to live)."""
        self.hosts.update(h.lower().removeprefix("www.") for h in hosts)
        self._scope = request_scope(self.site.base_url, self.hosts, self.options.allow_hosts or ())

    def _is_entry(self, entry: Claim) -> bool:
        """The start URL, an edition home, a sitemap or a feed: where a site that moved to
        another host of its domain redirects from."""
        return entry.depth == 0 and entry.kind in (PageKind.HOME, PageKind.SITEMAP, PageKind.FEED)

    def _entry_scope(self, url: str) -> bool:
        """An entry point may be redirected to any host of the site's registered domain."""
        return self._scope(url) or (
            same_registrable_domain(url, self.hosts)
            and not internal_host(urlsplit(url).hostname or "")
        )

    def _on_site_or_moved(self, url: str) -> bool:
        return discover.on_site(url, self.hosts) or self._entry_scope(url)

    def _reroot(self, url: str, final: str) -> None:
        """An entry point led to another host of the same domain (a redirect, or a sitemap
        robots.txt names there): the site lives there now; the host joins the crawl's scope
        and the site row, said once."""
        host = urlsplit(final).netloc.lower().removeprefix("www.")
        start = urlsplit(self._start).netloc.lower().removeprefix("www.")
        if host in (start, *self._moved_to) or not self._entry_scope(final):
            return
        self._moved_to.add(host)
        self._learn_hosts([host])
        self.store.add_site_host(self._site_id, host)
        how = (
            f"{display(url)} led to {display(final)}"
            if url != final
            else f"its robots.txt names {display(url)}"
        )
        note = f"{self.site.name} has moved: {how}; crawling {host}"
        log.info("%s", note)
        self.summary.notes.append(note)

    def _wanted_language(self, language: str | None) -> bool:
        """Whether an article's language (its page's ``lang``, ``inLanguage``, og:locale)
        is one ``--lang`` asks for; an unknown language is kept (it may be)."""
        chosen = self.options.languages
        if not chosen or not language:
            return True
        return language.split("-")[0].lower() in {c.split("-")[0].lower() for c in chosen}
