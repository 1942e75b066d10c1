"""Crawl orchestration: frontier -> fetch -> extract -> store, one way.

The frontier lives in the archive, so a crawl killed at any moment resumes where it stopped
and a re-run knows what it has seen. Workers claim URLs from it, the fetcher owns the network
and politeness, extraction is pure, and the store writes each article in one transaction.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser

from . import discover
from .article import Article
from .extract import extract
from .fetch import Fetcher, FetchResult, HostBlocked
from .profiles import Profile
from .store import FrontierEntry, PageRecord, Store
from .urls import canonical

log = logging.getLogger(__name__)

# Lower runs first: finish what is in flight before walking further.
PRIORITY = {"home": 0, "section": 10, "listing": 20, "article": 30, "link": 40}
LISTING_KINDS = ("home", "section", "listing")


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
    refresh: bool = False  # re-fetch articles already archived


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
            workers = [asyncio.create_task(self._worker()) for _ in range(self.options.workers)]
            await asyncio.gather(*workers)
        except HostBlocked as exc:
            self.summary.status = "blocked"
            self.summary.messages.append(str(exc))
        finally:
            self.summary.seconds = time.monotonic() - started
            if self.summary.status == "ok" and self.summary.errors:
                self.summary.status = "partial"
            message = "; ".join(self.summary.messages) or None
            self.store.finish_run(run_id, self.summary.status, self.summary.counts(), message)
        return self.summary

    def _run_options(self) -> dict[str, object]:
        return {"base_url": self.site.base_url, **asdict(self.options)}

    def _prepare_frontier(self) -> None:
        """Resume a killed run's work; otherwise re-walk listings and retry failures."""
        sid = self._site_id
        self.store.frontier_requeue(sid, states=("active",))
        if self.store.last_run_status(sid) != "running":
            self.store.frontier_requeue(sid, kinds=LISTING_KINDS, states=("done", "failed"))
            self.store.frontier_requeue(sid, kinds=("article", "link"), states=("failed",))
        self._queue([canonical(self.site.base_url)], "home", depth=0, found_on=None)

    # ------------------------------------------------------------------ workers
    async def _worker(self) -> None:
        while not self._stop.is_set():
            claimed = self.store.frontier_claim(self._site_id, 1)
            if not claimed:
                if self._in_flight == 0:
                    self._wake.set()
                    return
                self._wake.clear()
                await self._wake.wait()
                continue
            if self._budget_spent():
                self.store.frontier_requeue(self._site_id, states=("active",))
                self.stop()
                self.summary.status = "ok"
                return
            self._in_flight += 1
            try:
                await self._process(claimed[0])
            finally:
                self._in_flight -= 1
                self._wake.set()
                if self.progress:
                    self.progress(self.summary, self.store.frontier_counts(self._site_id))

    def _budget_spent(self) -> bool:
        limit = self.options.max_pages
        return limit is not None and self.summary.pages_fetched >= limit

    async def _process(self, entry: dict) -> None:
        url, kind = entry["url"], entry["kind"]
        etag = last_modified = None
        if kind in ("article", "link") and self.options.refresh:
            etag, last_modified = self.store.page_validators(url)
        result = await self.fetcher.fetch(url, etag=etag, last_modified=last_modified)
        self.summary.pages_fetched += result.status > 0
        if result.not_modified:
            self.summary.not_modified += 1
            self.store.frontier_finish(url, "done")
            return
        if not result.ok or result.text is None:
            self._failed(url, result)
            return
        final = canonical(result.final_url)
        if not discover.on_site(final, self.hosts):
            self.store.frontier_finish(url, "skipped", f"redirected off site to {final}")
            return
        tree = LexborHTMLParser(result.text)
        if kind in LISTING_KINDS:
            self._walk_listing(tree, final, entry)
            self.store.frontier_finish(url, "done")
        else:
            self._archive(result, url, final, entry)

    def _failed(self, url: str, result: FetchResult) -> None:
        reason = result.error or f"HTTP {result.status}"
        if result.ok and result.text is None:
            self.store.frontier_finish(
                url, "skipped", f"not HTML ({result.headers.get('content-type')})"
            )
            return
        self.summary.errors += 1
        log.warning("failed %s: %s", url, reason)
        self.store.frontier_finish(url, "failed", reason)

    # ------------------------------------------------------------------ listings
    def _walk_listing(self, tree: LexborHTMLParser, url: str, entry: dict) -> None:
        found = discover.from_page(tree, url, self.hosts, self.site.profile)
        if entry["kind"] == "home":
            self._queue(found.sections, "section", depth=1, found_on=url)
            wanted = self._wanted_languages()
            homes = [u for lang, u in found.editions.items() if wanted is None or lang in wanted]
            self._queue(homes, "home", depth=0, found_on=url)
        self._queue(found.articles, "article", depth=entry["depth"] + 1, found_on=url)
        if found.next_page:
            self._queue([found.next_page], "listing", depth=entry["depth"] + 1, found_on=url)

    def _wanted_languages(self) -> set[str] | None:
        if self.options.languages:
            return set(self.options.languages)
        profile = self.site.profile
        return set(profile.languages) if profile and profile.languages else None

    def _queue(self, urls: list[str], kind: str, *, depth: int, found_on: str | None) -> None:
        entries = [
            FrontierEntry(u, kind, PRIORITY[kind], depth, found_on)
            for u in urls
            if discover.on_site(u, self.hosts)
        ]
        if self.store.frontier_add(self._site_id, entries):
            self._wake.set()

    # ------------------------------------------------------------------ articles
    def _archive(self, result: FetchResult, url: str, final: str, entry: dict) -> None:
        fetched_at = datetime.now(UTC).replace(microsecond=0)
        article = extract(result.text or "", final, self.site.profile, fetched_at=fetched_at)
        if not article.is_article:
            self.summary.not_articles += 1
            tree = LexborHTMLParser(result.text or "")
            self._walk_listing(tree, final, {**entry, "kind": "listing"})
            self.store.frontier_finish(url, "skipped", "not an article page")
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
        setattr(
            self.summary, f"articles_{outcome}", getattr(self.summary, f"articles_{outcome}") + 1
        )
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
