"""Crawl orchestration: frontier -> fetch -> extract -> store, one way.

The frontier lives in the archive, so a crawl killed at any moment resumes where it stopped
and a re-run knows what it has seen. Workers claim URLs from it, the fetcher owns the network
and politeness, extraction is pure, and the store writes each article in one transaction.

Where URLs come from: the home page of each language edition, the sections in its menu and
their pagination, the sitemaps named in robots.txt, the edition feeds, the WordPress REST API
(when there is no sitemap), and the related / next / previous links of articles.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode, urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser

from . import discover, feeds
from .article import Article
from .extract import extract
from .fetch import Fetcher, FetchResult, HostBlocked
from .profiles import Profile
from .store import FrontierEntry, PageRecord, Store
from .urls import canonical

log = logging.getLogger(__name__)

# Lower runs first: machine-readable lists before listings, listings before articles.
PRIORITY = {
    "home": 0, "sitemap": 5, "feed": 6, "rest": 7, "section": 10, "listing": 20,
    "article": 30, "link": 40,
}  # fmt: skip
LISTING_KINDS = ("home", "section", "listing")
SOURCE_KINDS = ("sitemap", "feed", "rest")
ARTICLE_KINDS = ("article", "link")
SKIPPED_SITEMAPS = ("taxonom", "categor", "tag", "author", "user", "page-sitemap", "pages-")
MAX_QUERY_VARIANTS = 30  # same path, different query strings: calendars, session ids, sorts
REST_PAGE_SIZE = 100
PROGRESS_INTERVAL = 0.25  # seconds between progress-bar updates


@dataclass(frozen=True)
class Site:
    """What to crawl: a name (the archive's key), where to start, and an optional profile."""

    name: str
    base_url: str
    profile: Profile | None = None

    @property
    def hosts(self) -> set[str]:
        return discover.site_hosts(self.base_url, self.profile)


@dataclass
class CrawlOptions:
    workers: int = 4
    languages: tuple[str, ...] | None = None  # editions to follow; None = all the profile lists
    max_pages: int | None = None
    refresh: bool = False  # re-fetch every archived article (conditional GET)
    full: bool = False  # walk every listing page even when nothing new appears
    revisit_days: float = 3.0  # re-fetch articles published this recently, to catch edits
    since: str | None = None  # ISO date bounds on what is archived
    until: str | None = None
    max_listing_depth: int = 2000  # listing pages followed per section


@dataclass
class CrawlSummary:
    site: str = ""
    status: str = "ok"  # ok | partial | interrupted | blocked | failed
    pages_fetched: int = 0
    not_modified: int = 0
    articles_new: int = 0
    articles_updated: int = 0
    articles_unchanged: int = 0
    not_articles: int = 0
    errors: int = 0
    seconds: float = 0.0
    messages: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)  # the first few "url: reason" lines
    requests_by_kind: dict[str, int] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        keys = ("pages_fetched", "not_modified", "articles_new", "articles_updated")
        keys += ("articles_unchanged", "errors")
        return {k: getattr(self, k) for k in keys}

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


Progress = Callable[[CrawlSummary, dict[str, int]], None]


class Crawler:
    """One crawl of one site into one archive."""

    def __init__(
        self,
        store: Store,
        fetcher: Fetcher,
        site: Site,
        options: CrawlOptions | None = None,
        progress: Progress | None = None,
    ) -> None:
        self.store, self.fetcher, self.site = store, fetcher, site
        self.options = options or CrawlOptions()
        self.progress = progress
        self.summary = CrawlSummary(site=site.name)
        self.hosts = site.hosts
        self._stop = asyncio.Event()
        self._wake = asyncio.Event()
        self._in_flight = 0
        self._site_id = 0
        self._full = self.options.full
        self._variants: Counter[str] = Counter()
        self._unwanted_prefixes: set[str] = set()
        self._sitemaps_found = False
        self._kinds: Counter[str] = Counter()
        self._last_progress = 0.0
        self._walked: set[str] = set()  # listing/REST pages queued by this run

    def stop(self) -> None:
        """Finish the pages in flight, then end (SIGINT/SIGTERM)."""
        if not self._stop.is_set():
            self.summary.status = "interrupted"
            self._stop.set()
            self._wake.set()

    async def run(self) -> CrawlSummary:
        started = time.monotonic()
        profile = self.site.profile
        self._site_id = self.store.ensure_site(
            self.site.name,
            self.site.base_url,
            profile.name if profile else None,
            profile.timezone if profile else None,
        )
        self._prepare_frontier()
        run_id = self.store.start_run(self._site_id, self._run_options())
        try:
            await self._queue_robots_sitemaps()
            workers = [asyncio.create_task(self._worker()) for _ in range(self.options.workers)]
            await asyncio.gather(*workers)
        except HostBlocked as exc:
            self.summary.status = "blocked"
            self.summary.messages.append(str(exc))
            self._stop.set()
        finally:
            self.store.frontier_requeue(self._site_id, states=("active",))
            self.summary.seconds = time.monotonic() - started
            self.summary.requests_by_kind = dict(self._kinds)
            if self.summary.status == "ok" and self.summary.errors:
                self.summary.status = "partial"
            message = "; ".join(self.summary.messages) or None
            self.store.finish_run(run_id, self.summary.status, self.summary.counts(), message)
        return self.summary

    def _run_options(self) -> dict[str, object]:
        return {"base_url": self.site.base_url, **asdict(self.options)}

    def _prepare_frontier(self) -> None:
        """Resume a killed run's work; otherwise re-walk listings, retry failures and revisit
        recent articles. A site never crawled to the end walks its listings completely."""
        sid = self._site_id
        last = self.store.last_run_status(sid)
        self.store.frontier_requeue(sid, states=("active",))
        if last is None or (last not in ("ok", "partial") and not self._full):
            self._full = True  # no complete crawl yet: walk everything
        if last != "running":
            # Entry points only; deeper listing and REST pages are revisited as they are reached.
            kinds = ("home", "section", "sitemap", "feed")
            self.store.frontier_requeue(sid, kinds=kinds, states=("done", "failed", "skipped"))
            self.store.frontier_requeue(sid, kinds=ARTICLE_KINDS, states=("failed",))
            if self.options.refresh:
                self.store.frontier_requeue(sid, kinds=ARTICLE_KINDS, states=("done",))
            elif self.options.revisit_days > 0:
                since = datetime.now(UTC) - timedelta(days=self.options.revisit_days)
                self.store.requeue_recent(sid, since.isoformat())
        self._queue([canonical(self.site.base_url)], "home", depth=0, found_on=None)

    async def _queue_robots_sitemaps(self) -> None:
        robots = await self.fetcher.robots(self.site.base_url)
        sitemaps = [canonical(u) for u in robots.sitemaps if discover.on_site(u, self.hosts)]
        self._sitemaps_found = bool(sitemaps)
        self._queue(sitemaps, "sitemap", depth=0, found_on="robots.txt")

    # ------------------------------------------------------------------ workers
    async def _worker(self) -> None:
        while not self._stop.is_set():
            if self._budget_spent():
                self.stop()
                self.summary.status = "ok"
                return
            claimed = self.store.frontier_claim(self._site_id, 1)
            if not claimed:
                if self._in_flight == 0:
                    self._wake.set()
                    return
                self._wake.clear()
                await self._wake.wait()
                continue
            self._in_flight += 1
            try:
                await self._process(claimed[0])
            finally:
                self._in_flight -= 1
                self._wake.set()
                self._report_progress()

    def _report_progress(self) -> None:
        """At most a few progress updates a second: counting the frontier scans its table."""
        now = time.monotonic()
        if self.progress and now - self._last_progress >= PROGRESS_INTERVAL:
            self._last_progress = now
            self.progress(self.summary, self.store.frontier_counts(self._site_id))

    def _budget_spent(self) -> bool:
        limit = self.options.max_pages
        return limit is not None and self.summary.pages_fetched + self._in_flight >= limit

    async def _process(self, entry: dict) -> None:
        url, kind = entry["url"], entry["kind"]
        etag = last_modified = None
        if kind in ARTICLE_KINDS:
            etag, last_modified = self.store.page_validators(url)
        result = await self.fetcher.fetch(url, etag=etag, last_modified=last_modified)
        # Let the other workers start their next requests before this one spends CPU on
        # parsing and storing: keeps every host's request slots busy.
        await asyncio.sleep(0)
        if result.status > 0:
            self.summary.pages_fetched += 1
            self._kinds[kind] += 1
        if result.not_modified:
            self.summary.not_modified += 1
            self.store.frontier_finish(url, "done")
            return
        if not result.ok or (result.text is None and kind not in SOURCE_KINDS):
            self._failed(url, result)
            return
        final = canonical(result.final_url)
        if not discover.on_site(final, self.hosts):
            self.store.frontier_finish(url, "skipped", f"redirected off site to {final}")
            return
        if kind in SOURCE_KINDS:
            self._read_source(kind, result, entry)
        elif kind in LISTING_KINDS:
            self._walk_listing(LexborHTMLParser(result.text or ""), final, entry)
        else:
            self._archive(result, url, final, entry)
            return
        self.store.frontier_finish(url, "done")

    def _failed(self, url: str, result: FetchResult) -> None:
        if result.ok:
            kind = result.headers.get("content-type")
            self.store.frontier_finish(url, "skipped", f"not HTML ({kind})")
            return
        reason = result.error or f"HTTP {result.status}"
        self.summary.errors += 1
        if len(self.summary.failures) < 20:
            self.summary.failures.append(f"{url}: {reason}")
        log.info("failed %s: %s", url, reason)
        self.store.frontier_finish(url, "failed", reason)

    # ------------------------------------------------------------------ listings
    def _walk_listing(self, tree: LexborHTMLParser, url: str, entry: dict) -> None:
        found = discover.from_page(tree, url, self.hosts, self.site.profile)
        if self.site.profile is None:
            found.articles = discover.generic_articles(tree, url, self.hosts)
        if entry["kind"] == "home":
            self._follow_home(found, url)
        new = self._queue(found.articles, "article", depth=entry["depth"] + 1, found_on=url)
        too_deep = entry["depth"] >= self.options.max_listing_depth
        if found.next_page and not too_deep and (new or self._full):
            self._revisit(found.next_page, "listing", entry)

    def _follow_home(self, found: discover.Found, url: str) -> None:
        wanted = self._wanted_languages()
        for lang, home in found.editions.items():
            if wanted is not None and lang not in wanted:
                self._unwanted_prefixes.add(home)
        homes = [u for lang, u in found.editions.items() if wanted is None or lang in wanted]
        self._queue(homes, "home", depth=0, found_on=url)
        self._queue(found.sections, "section", depth=1, found_on=url)
        self._queue(found.feeds[:1], "feed", depth=0, found_on=url)
        if found.rest_api and not self._sitemaps_found:
            query = urlencode({"per_page": REST_PAGE_SIZE, "page": 1})
            self._queue([urljoin(found.rest_api, f"wp/v2/posts?{query}")], "rest", depth=1,
                        found_on=url)  # fmt: skip

    def _wanted_languages(self) -> set[str] | None:
        if self.options.languages:
            return set(self.options.languages)
        profile = self.site.profile
        return set(profile.languages) if profile and profile.languages else None

    def _queue(self, urls: Iterable[str], kind: str, *, depth: int, found_on: str | None,
               lastmod: dict[str, str | None] | None = None) -> int:  # fmt: skip
        entries = [
            FrontierEntry(u, kind, PRIORITY[kind], depth, found_on, (lastmod or {}).get(u))
            for u in dict.fromkeys(urls)
            if self._allowed(u)
        ]
        added = self.store.frontier_add(self._site_id, entries)
        if added:
            self._wake.set()
        return added

    def _allowed(self, url: str) -> bool:
        """On the site, in a wanted edition, and not the 31st query variant of one path."""
        if not discover.on_site(url, self.hosts):
            return False
        if any(url.startswith(p) for p in self._unwanted_prefixes):
            return False
        parts = urlsplit(url)
        if parts.query:
            self._variants[parts.path] += 1
            return self._variants[parts.path] <= MAX_QUERY_VARIANTS
        return True

    # ------------------------------------------------------------------ sitemaps, feeds, REST
    def _read_source(self, kind: str, result: FetchResult, entry: dict) -> None:
        url = entry["url"]
        if kind == "sitemap":
            parsed = feeds.parse_sitemap(result.content)
            children = [canonical(e.url) for e in parsed.sitemaps if not _skipped_sitemap(e.url)]
            self._queue(children, "sitemap", depth=entry["depth"] + 1, found_on=url)
            self._offer(parsed.pages, url)
        elif kind == "feed":
            self._offer(feeds.parse_feed(result.content), url)
        else:
            items = feeds.parse_rest_posts(result.content)
            new = self._offer(items, url)
            self._next_rest_page(result, entry, new)

    def _offer(self, entries: list[feeds.Entry], found_on: str) -> int:
        """Queue listed articles; requeue archived ones whose lastmod says they changed."""
        chosen = [e for e in entries if self._in_period(e.published or e.lastmod)]
        urls = {canonical(e.url): e.lastmod for e in chosen}
        new = self._queue(urls, "article", depth=1, found_on=found_on, lastmod=urls)
        changed = [(u, m) for u, m in urls.items() if m]
        if changed and self.store.frontier_refresh(self._site_id, changed):
            self._wake.set()
        return new

    def _next_rest_page(self, result: FetchResult, entry: dict, new: int) -> None:
        parts = urlsplit(entry["url"])
        query = dict(p.split("=", 1) for p in parts.query.split("&") if "=" in p)
        page = int(query.get("page", "1"))
        total = int(result.headers.get("x-wp-totalpages", "0") or 0)
        if page < total and (new or self._full):
            query["page"] = str(page + 1)
            self._revisit(canonical(parts._replace(query=urlencode(query)).geturl()), "rest", entry)

    def _revisit(self, url: str, kind: str, entry: dict) -> None:
        """Queue the next page of a listing or REST walk, even if an earlier run fetched it;
        once per run, so a pagination loop cannot trap the crawl."""
        if url in self._walked or not self._allowed(url):
            return
        self._walked.add(url)
        entries = [FrontierEntry(url, kind, PRIORITY[kind], entry["depth"] + 1, entry["url"])]
        if self.store.frontier_add(self._site_id, entries, revisit=True):
            self._wake.set()

    def _in_period(self, day: str | None) -> bool:
        if not day:
            return True
        since, until = self.options.since, self.options.until
        return not ((since and day[:10] < since) or (until and day[:10] > until))

    # ------------------------------------------------------------------ articles
    def _archive(self, result: FetchResult, url: str, final: str, entry: dict) -> None:
        fetched_at = datetime.now(UTC).replace(microsecond=0)
        article = extract(result.text or "", final, self.site.profile, fetched_at=fetched_at)
        if not article.is_article:
            self.summary.not_articles += 1
            if entry["depth"] <= 2:  # a listing reached by a link: read it, but only near
                tree = LexborHTMLParser(result.text or "")
                self._walk_listing(tree, final, {**entry, "kind": "listing"})
            self.store.frontier_finish(url, "skipped", "not an article page")
            return
        published = article.published_at.isoformat() if article.published_at else None
        if not self._in_period(published):
            self.store.frontier_finish(url, "skipped", "outside --since/--until")
            return
        article.site = self.site.name
        article.url = self._article_url(article, final)
        page = PageRecord(
            url=article.url,
            final_url=result.final_url,
            status=result.status,
            content=result.content,
            content_type=result.headers.get("content-type"),
            encoding=result.encoding,
            etag=result.etag,
            last_modified=result.last_modified,
            fetched_at=fetched_at.isoformat(),
        )
        outcome = self.store.save_article(self._site_id, article, page, frontier_url=url)
        name = f"articles_{outcome}"
        setattr(self.summary, name, getattr(self.summary, name) + 1)
        self._queue(self._article_links(article), "link", depth=entry["depth"] + 1, found_on=final)

    def _article_url(self, article: Article, final: str) -> str:
        """The page's own canonical URL when it stays on the site, else the fetched URL."""
        if article.url and discover.on_site(article.url, self.hosts):
            return canonical(article.url)
        return final

    def _article_links(self, article: Article) -> list[str]:
        """Related and next/previous articles: found from articles, fetched like articles."""
        links = [r.url for r in article.related]
        links += [u for u in (article.next_url, article.prev_url) if u]
        return [u for u in links if urlsplit(u).scheme in ("http", "https")]


def _skipped_sitemap(url: str) -> bool:
    """Sitemaps of terms, authors and static pages list no articles."""
    name = urlsplit(url).path.lower().rsplit("/", 1)[-1]
    return any(word in name for word in SKIPPED_SITEMAPS)
