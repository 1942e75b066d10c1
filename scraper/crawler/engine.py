"""Crawl orchestration: frontier -> fetch -> extract -> store, one way.

The frontier lives in the archive, so a crawl killed at any moment resumes where it stopped
and a re-run knows what it has seen. Workers claim URLs from it, the fetcher owns the network
and politeness, extraction is pure, and the store writes each article in one transaction.

Where URLs come from: the home page of each language edition, the sections in its menu and
their pagination, the sitemaps named in robots.txt, the edition feeds, the WordPress REST API
(when there is no sitemap), and the related / next / previous links of articles.

Two threads share the work, the way a downloader and a pipeline do. The event loop only moves
bytes: it claims a URL, fetches it and hands the response over. One *processing thread* does
everything else for that page, in order: parsing (extraction, link discovery, sitemaps and
feeds), the derived values (search text, compressed page) and every archive write (frontier
included), so the archive has one writer and the loop never waits on SQLite or the parser.
That matters because of the GIL: each SQLite call or parser run releases it and must win it
back, and a loop doing those calls next to a busy thread wastes milliseconds per page getting
it back; a loop doing only socket I/O starts the next request the moment a slot opens.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import Executor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import TypeVar
from urllib.parse import urlencode, urljoin, urlsplit

from .._config import Settings
from .._exceptions import DiskFull
from ..article import Article
from ..clean import valid_text
from ..discover import feeds
from ..discover import pages as discover
from ..fetch import OUT_OF_SCOPE, Fetcher, FetchResult, HostBlocked
from ..scope import Scope
from ..store import (
    TRAP_BOUND,
    Claim,
    Frontier,
    FrontierEntry,
    PageKind,
    Store,
    content_hash,
    is_archive_failure,
    is_disk_full,
    window_date,
    window_reason,
)
from ..timezones import MAX_OBSERVED, ZoneLearner
from ..urls import (
    canonical,
    display,
    internal_host,
    request_scope,
    same_registrable_domain,
)
from . import parse
from .parse import (
    PRIORITY,
    frontier_entry,
    listed_dates,
    listed_source,
    parse_article,
    skipped_sitemap,
)
from .revisit import edited_since, reread_listed
from .summary import CrawlSummary, Progress, Site, no_article_hint
from .zones import apply_zone

log = logging.getLogger(__name__)
_T = TypeVar("_T")

LISTING_KINDS = (PageKind.HOME, PageKind.SECTION, PageKind.LISTING)
SOURCE_KINDS = (PageKind.SITEMAP, PageKind.FEED, PageKind.REST)
ARTICLE_KINDS = (PageKind.ARTICLE, PageKind.LINK)
REST_PAGE_SIZE = 100
PROGRESS_INTERVAL = 0.25  # seconds between progress-bar updates
OTHER_LANGUAGE = "in a language --lang did not ask for"  # followed by "(xx)"
NOT_AN_ARTICLE = "not an article page"  # the skip reason of a fetched page that is not one
MAX_BOUND_RECORDS = 100  # URLs a trap bound cut kept in the frontier per bound and run
MAX_REASON = 300  # characters of an unexpected error kept as a page's failure reason


class Crawler:
    """One crawl of one site into one archive.

    ``processing`` is the processing thread to use (a one-thread executor): crawlers of
    several sites in one process can share one, next to one shared :class:`Fetcher`. By
    default each crawl starts its own. ``urls``: fetch exactly those (as articles) and
    nothing else; ``declarations_only``: read sitemaps, feeds, REST and listings, no article.
    ``parsers``: a process pool (:mod:`scraper.crawler.parsers`) that parses article pages, so the
    processing thread only writes them: a crawl of many hosts is then bound by politeness,
    not by one core.
    """

    def __init__(
        self,
        store: Store,
        fetcher: Fetcher,
        site: Site,
        settings: Settings | None = None,
        progress: Progress | None = None,
        processing: ThreadPoolExecutor | None = None,
        urls: list[str] | None = None,
        declarations_only: bool = False,
        parsers: Executor | None = None,
    ) -> None:
        self.store, self.fetcher, self.site = store, fetcher, site
        self.frontier = Frontier(store)
        self.options = settings or Settings()
        self.progress = progress
        self.summary = CrawlSummary(site=site.name)
        self.hosts = site.hosts
        self._scope = request_scope(site.base_url, self.hosts, self.options.allow_hosts or ())
        self._stop = asyncio.Event()
        self._wake = asyncio.Event()
        self._in_flight = 0
        self._generation = 0  # pages handled (and last workers done): wakes idle workers
        self._retry_later: set[str] = set()  # failed in a way worth one more try
        self._last_pass_done = False
        self._site_id = 0
        self._full = self.options.full
        self._variants: Counter[str] = Counter()
        self._unwanted_prefixes: set[str] = set()
        self._sitemaps_found = False
        self._listed_by_sitemaps = 0  # articles the sitemaps listed in this run
        self._kinds: Counter[str] = Counter()
        self._last_progress = 0.0
        self._walked: set[str] = set()  # listing/REST pages queued by this run
        # The processing thread: one, so archive writes and crawl state stay in order.
        self._pool = processing
        self._own_pool = processing is None
        self._only = [canonical(u) for u in urls] if urls is not None else None
        self._skip_kinds = ARTICLE_KINDS if declarations_only else ()
        self._start = canonical(site.base_url)
        self._zone = ZoneLearner("")  # set by run() from the setting, profile or archive
        self._held: list[tuple[parse.Parsed, str]] = []  # naive-dated, until the zone is known
        self._keep = Scope.of(self._start, self.options.include, self.options.exclude)
        # A small trial (--max-pages, --max-articles) fetches the articles it knows first.
        trial = self.options.max_pages is not None or self.options.max_articles is not None
        self._first_kinds = ARTICLE_KINDS if trial else ()
        self._budget_used = 0  # page fetches started (or about to be) by this run
        self._articles_in_flight = 0  # article pages claimed and not yet handled
        self._moved_to: set[str] = set()  # hosts the site was found to have moved to
        self._parsers = parsers

    def stop(self, signal_name: str | None = None) -> None:
        """Finish the pages in flight, then end (``signal_name``: SIGINT or SIGTERM)."""
        if not self._stop.is_set():
            self.summary.status = "interrupted"
            if signal_name:
                self.summary.interrupted_by = signal_name
                self.summary.messages.append(f"interrupted by {signal_name}")
            self._stop.set()
            self._wake.set()

    async def run(self) -> CrawlSummary:
        started = time.monotonic()
        profile = self.site.profile
        given = self.options.timezone or (profile.timezone if profile else None)
        self._site_id = self.store.ensure_site(
            self.site.name,
            self.site.base_url,
            profile.name if profile else None,
            given,
            "setting" if self.options.timezone else "profile",
        )
        self._zone = self._site_zone()
        self._moved_to = set(self.store.site_hosts(self._site_id))
        self._learn_hosts(self._moved_to)
        self._prepare_frontier()  # before the stale runs are closed: it resumes a killed one
        stale = self.store.interrupt_stale_runs(self._site_id)
        if stale:
            log.info("%d earlier run(s) had been killed; marked interrupted", stale)
        run_id = self.store.start_run(self._site_id, self._run_options())
        if self._pool is None:
            self._pool = ThreadPoolExecutor(1, "scraper-processing")
        try:
            if self._only is None and self._keep.whole_site:
                await self._queue_robots_sitemaps()
            workers = [asyncio.create_task(self._worker()) for _ in range(self.options.workers)]
            await asyncio.gather(*workers)
        finally:
            await self._drain()
            self._end_zone()
            self.frontier.requeue(self._site_id, states=("active", "parked"))
            self._finish_summary(started)
            message = "; ".join(self.summary.messages + self.summary.notes) or None
            self.store.finish_run(run_id, self.summary.status, self.summary.counts(), message)
        return self.summary

    def _site_zone(self) -> ZoneLearner:
        """The zone given (setting, profile), learned by an earlier crawl, or to learn now
        from the offset-bearing dates archived so far and those this crawl reads."""
        name, _source = self.store.site_timezone(self._site_id)
        if name:
            return ZoneLearner(name)
        return ZoneLearner(None, self.store.offset_dates(self._site_id, MAX_OBSERVED))

    def _end_zone(self) -> None:
        """Archive the articles held for the zone: in it when it can be learned now. After a
        failure (a full disk, a bug) they are left: still active, the next run fetches them."""
        if self.summary.status == "failed":
            return
        if self._zone.finish():
            self._zone_learned()
        self._release_held()
        if self.summary.no_offset:
            self.summary.notes.append(
                f"{self.summary.no_offset} article date(s) without a known UTC offset: the"
                f" site gave none and its time zone is unknown (give it with --timezone)"
            )

    def _finish_summary(self, started: float) -> None:
        summary = self.summary
        summary.seconds = time.monotonic() - started
        summary.requests_by_kind = dict(self._kinds)
        summary.pending = self.frontier.counts(self._site_id).get("pending", 0)
        for host, reason in self.fetcher.refusing_hosts().items():
            if host.removeprefix("www.") in self.hosts:
                summary.parked.setdefault(host, reason)
                summary.pending = max(summary.pending, 1)  # what it refused is still to get
        for host, reason in summary.parked.items():
            summary.messages.append(f"host {host} left for the next run: {reason}")
        if summary.status == "incomplete":  # stopped by max_pages or max_articles
            if summary.pending:
                summary.messages.append(
                    f"stopped at {self._budget_name()}: "
                    f"{summary.pending} URLs pending for the next run"
                )
            else:
                summary.status = "ok"
        if summary.status in ("ok", "incomplete") and summary.parked and summary.pending:
            summary.status = "blocked"
        elif summary.status in ("ok", "incomplete") and summary.errors:
            summary.status = "partial"
        if (
            summary.status == "ok"
            and not self._skip_kinds
            and not self.store.has_articles(self._site_id)
        ):  # a crawl that leaves the site with no article is not a success
            summary.status = "empty"
            summary.messages.append(no_article_hint(summary, self.site))
        for bound, count in summary.bounded.items():
            log.warning("%s cut %d URL(s) (a trap, or raise the setting)", bound, count)

    async def _drain(self) -> None:
        """Let the processing thread finish what it holds before the archive is used here."""
        assert self._pool is not None
        if self._own_pool:
            self._pool.shutdown()
            self._pool = None
        else:  # shared with other crawlers: wait for a job queued behind ours
            await asyncio.get_running_loop().run_in_executor(self._pool, lambda: None)

    def _run_options(self) -> dict[str, object]:
        focus = {"urls": len(self._only or ()), "declarations_only": bool(self._skip_kinds)}
        return {"base_url": self.site.base_url, **self.options.to_dict(), **focus}

    def _prepare_frontier(self) -> None:
        """Resume a killed run's work; otherwise re-walk listings, retry failures and revisit
        recent articles. A site never crawled to the end walks its listings completely."""
        sid = self._site_id
        last = self.store.last_run_status(sid)
        self.frontier.requeue(sid, states=("active", "parked"))
        if last is None or (last not in ("ok", "partial") and not self._full):
            self._full = True  # no complete crawl yet: walk everything
            log.debug("no complete crawl of %s yet: walking every listing", self.site.name)
        if last != "running" and self._only is None:  # (--urls: those URLs, nothing else)
            # Entry points only; deeper listing and REST pages are revisited as they are reached.
            kinds = (PageKind.HOME, PageKind.SECTION, PageKind.SITEMAP, PageKind.FEED)
            below = None if self._keep.whole_site else self._start  # a section: its own pages
            self.frontier.requeue(
                sid, kinds=kinds, states=("done", "failed", "skipped"), below=below
            )
            self.frontier.requeue(sid, kinds=ARTICLE_KINDS, states=("failed",))
            if self.options.refresh:
                self.frontier.requeue(sid, kinds=ARTICLE_KINDS, states=("done",))
            elif self.options.revisit_days > 0:
                since = datetime.now(UTC) - timedelta(days=self.options.revisit_days)
                again = self.frontier.requeue_recent(sid, since.isoformat())
                log.debug("revisiting %d article%s published since %s", again,
                          "" if again == 1 else "s", since.date())  # fmt: skip
            if not self._skip_kinds:
                self._release_window_skipped()
        if self._only is not None:  # exactly these, as articles, named on the command line
            self.frontier.add(sid, parse.requested_entries(self._only), revisit=True)
            return
        self._queue([self._start], PageKind.HOME, depth=0, found_on=None)

    def _release_window_skipped(self) -> None:
        """URLs an earlier run skipped as dated outside its window (or in a language its
        ``--lang`` left out) are fetched by the first run whose window holds their date, or
        whose languages include theirs (or that has no window, no ``--lang``)."""
        skipped = self.frontier.window_skipped(self._site_id)
        wanted = [u for u, why in skipped if self.options.in_window(window_date(why))]
        other = self.frontier.window_skipped(self._site_id, OTHER_LANGUAGE)
        wanted += [u for u, why in other if self._wanted_language(why.rsplit("(", 1)[-1][:-1])]
        released = self.frontier.release(wanted)
        if released:
            log.info("%d URL(s) an earlier window or --lang left out: fetched now", released)

    async def _queue_robots_sitemaps(self) -> None:
        try:
            robots = await self.fetcher.robots(self.site.base_url)
        except HostBlocked as exc:  # robots.txt unreadable: the host is parked (RFC 9309)
            self.summary.parked[exc.host] = exc.reason
            return
        sitemaps = [canonical(u) for u in robots.sitemaps if self._on_site_or_moved(u)]
        self._sitemaps_found = bool(sitemaps)
        self._queue(sitemaps, PageKind.SITEMAP, depth=0, found_on="robots.txt")

    # ------------------------------------------------------------------ workers
    async def _worker(self) -> None:
        try:
            await self._work()
        except HostBlocked as exc:
            self._end("blocked", str(exc))
        except Exception as exc:  # the archive cannot be written, or a bug: stop, keep state
            log.debug("crawl stopped by an unexpected error", exc_info=True)
            if is_disk_full(exc):
                self._end("failed", f"{DiskFull('the crawl', exc)}; it resumes when run again")
            else:
                self._end("failed", f"stopped: {type(exc).__name__}: {exc}")

    def _end(self, status: str, message: str) -> None:
        """Stop every worker after its current page, with the first reason given."""
        if self.summary.status not in ("blocked", "failed"):
            self.summary.status = status
            self.summary.messages.append(message)
        self._stop.set()
        self._wake.set()

    async def _work(self) -> None:
        """Claim, fetch, hand over; the processing thread claims the next URL right after
        handling a page, so each page costs the loop one hand-over. A claimed URL left behind
        when the crawl stops goes back to pending at the end of the run.

        An idle worker sleeps until a peer has handled a page (which may have queued new
        URLs) or the last peer has finished: ``_generation`` counts those events, so a
        worker whose claim found nothing waits only if nothing happened meanwhile, and no
        wake-up is lost (nothing runs between the check and the wait)."""
        entry: Claim | None = None
        while not self._stop.is_set():
            if self._budget_spent():
                self.stop()
                self.summary.status = "incomplete"  # "ok" again if nothing is left pending
                return
            generation = self._generation
            self._in_flight += 1  # counted before the claim: an idle peer must not end early
            self._budget_used += 1  # this page's place in --max-pages, given back if unused
            handled = used = False
            try:
                if entry is None:
                    entry = await self._in_processing(self._claim)
                if entry is not None:
                    result = await self._fetch(entry)
                    used = not isinstance(result, HostBlocked)
                    parsed = await self._parse_apart(entry, result)
                    entry = await self._in_processing(self._handle, entry, result, parsed)
                    handled = True
            finally:
                self._budget_used -= not used
                self._in_flight -= 1
                if handled or self._in_flight == 0:
                    self._generation += 1
                    self._wake.set()
            if entry is None:
                if self._in_flight == 0:
                    if await self._last_pass():
                        continue
                    return
                if self._generation == generation:
                    self._wake.clear()
                    await self._wake.wait()

    async def _last_pass(self) -> bool:
        """Once, when nothing is left: put back the pages that failed in a way worth
        retrying (timeouts, resets, 5xx), so a burst of faults on one URL does not lose it."""
        if self._last_pass_done or not self._retry_later or self._stop.is_set():
            return False
        self._last_pass_done = True
        self._in_flight += 1  # the peers must not end while the pass is being queued
        try:
            again = await self._in_processing(self._requeue_failed)
        finally:
            self._in_flight -= 1
            self._generation += 1
            self._wake.set()
        return again > 0

    def _requeue_failed(self) -> int:
        urls, self._retry_later = self._retry_later, set()
        again = self.frontier.retry(urls)
        self.summary.errors -= again
        self.summary.failures = [
            f for f in self.summary.failures if f.split(": ", 1)[0] not in urls
        ]
        log.debug("last pass: %d failed page(s) tried once more", again)
        return again

    def _claim(self) -> Claim | None:
        """The next URL to fetch, with the stored page's validators for a conditional GET."""
        skip = self._skip_kinds
        limit = self.options.max_articles
        archived = self.summary.articles_new + self.summary.articles_updated
        if limit is not None and archived + self._articles_in_flight >= limit:
            skip = ARTICLE_KINDS  # enough in flight for --max-articles: wait for them
        claimed = self.frontier.claim(
            self._site_id, 1, urls=self._only, skip_kinds=skip, first_kinds=self._first_kinds
        )
        if not claimed:
            return None
        entry = claimed[0]
        if entry.kind in ARTICLE_KINDS:
            self._articles_in_flight += 1
            etag, modified = self.store.page_validators(entry.url, dated_by=listed_source(entry))
            entry = replace(entry, etag=etag, last_modified=modified)
        return entry

    async def _parse_apart(
        self, entry: Claim, result: FetchResult | HostBlocked
    ) -> parse.Parsed | None:
        """An article page parsed in the parser pool, when there is one (None otherwise, or
        when the page will not be parsed: the processing thread then decides as usual)."""
        if (
            self._parsers is None
            or entry.kind not in ARTICLE_KINDS
            or isinstance(result, HostBlocked)
            or not result.ok
            or result.text is None
            or not discover.on_site(result.final_url, self.hosts)
        ):
            return None
        loop, pool = asyncio.get_running_loop(), self._parsers
        work = functools.partial(
            parse_article, result, canonical(result.final_url),
            datetime.now(UTC).replace(microsecond=0), self.site.name, self.site.profile,
            self.hosts, entry.depth <= 2, listed_dates(entry),
        )  # fmt: skip
        try:
            return await loop.run_in_executor(pool, work)
        except BrokenProcessPool:  # a parser process died (killed, out of memory)
            if self._parsers is pool:
                log.warning("parser processes failed; parsing in the crawl's process from now")
                self._parsers = None
            return None
        except Exception:  # that page's parse failed: the processing thread parses it again
            log.debug("parse of %s failed in a parser process", entry.url, exc_info=True)
            return None  # and records the failure as that page's (one bad page fails alone)

    async def _in_processing(self, work: Callable[..., _T], *args: object) -> _T:
        """Run ``work`` on the processing thread (see the module docstring)."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, functools.partial(work, *args))

    def _report_progress(self) -> None:
        """At most a few progress updates a second: counting the frontier scans its table."""
        now = time.monotonic()
        if self.progress and now - self._last_progress >= PROGRESS_INTERVAL:
            self._last_progress = now
            self.progress(self.summary, self.frontier.counts(self._site_id))

    def _budget_spent(self) -> bool:
        """``--max-pages``: page fetches started (claimed by a worker: the count cannot
        overshoot); ``--max-articles``: articles this run archived (new or updated)."""
        pages = self.options.max_pages
        return (pages is not None and self._budget_used >= pages) or self._articles_spent()

    def _articles_spent(self) -> bool:
        limit = self.options.max_articles
        archived = self.summary.articles_new + self.summary.articles_updated
        return limit is not None and archived >= limit

    def _budget_name(self) -> str:
        if self._articles_spent():
            return f"max_articles={self.options.max_articles}"
        return f"max_pages={self.options.max_pages}"

    async def _fetch(self, entry: Claim) -> FetchResult | HostBlocked:
        """The page, or the :class:`HostBlocked` that parks its host (nothing requested)."""
        try:
            scope = self._entry_scope if self._is_entry(entry) else self._scope
            result = await self.fetcher.fetch(
                entry.url, etag=entry.etag, last_modified=entry.last_modified, scope=scope
            )
        except HostBlocked as exc:
            return exc
        if result.status > 0:
            self.summary.pages_fetched += 1
            self._kinds[entry.kind] += 1
        return result

    def _handle(
        self, entry: Claim, result: FetchResult | HostBlocked, parsed: parse.Parsed | None = None
    ) -> Claim | None:
        """Everything after the fetch: parse, queue what the page leads to, archive it; then
        claim the next URL for the same worker. A URL of a parked host waits in the
        frontier for the next run; the crawl goes on with the other hosts' work."""
        if entry.kind in ARTICLE_KINDS:
            self._articles_in_flight -= 1
        if isinstance(result, HostBlocked):
            self.summary.parked.setdefault(result.host, result.reason)
            self.frontier.finish(entry.url, "parked", result.reason)
        else:
            before = self.summary.outcomes() if log.isEnabledFor(logging.INFO) else None
            try:
                self._dispatch(entry, result, parsed)
            except Exception as exc:  # one bad page is that page's failure, never the run's
                if is_archive_failure(exc):
                    raise
                self._page_failed(entry.url, exc)
            if before is not None:
                self._log_page(entry, result, before)
        self._report_progress()
        return self._claim()

    def _log_page(self, entry: Claim, result: FetchResult, before: dict[str, int]) -> None:
        """One line per page (``-v``): status, kind, fetch time (the request's own, without
        the politeness wait, shown apart when there was one), outcome, URL."""
        changed = [n for n, count in self.summary.outcomes().items() if count > before[n]]
        outcome = changed[0] if changed else self.frontier.state(entry.url) or "done"
        wait = f" (+{result.waited:.2f}s wait)" if result.waited >= 0.005 else ""
        log.info("%s %-7s %5.2fs %-14s %s%s", result.status or "---", entry.kind,
                 result.fetch_seconds, outcome, display(entry.url), wait)  # fmt: skip

    def _dispatch(
        self, entry: Claim, result: FetchResult, parsed: parse.Parsed | None = None
    ) -> None:
        url, kind = entry.url, entry.kind
        if result.not_modified:
            self.summary.not_modified += 1
            self.frontier.finish(url, "done")
            return
        if result.refused_by_policy:  # robots.txt or scope: a choice, not a failure
            if url == self._start and result.error and result.error.startswith(OUT_OF_SCOPE):
                self._led_elsewhere(result.final_url)
            self.summary.skipped += 1
            log.debug("skipped %s: %s", url, result.error)
            self.frontier.finish(url, "skipped", result.error)
            return
        if not result.ok or (result.text is None and kind not in SOURCE_KINDS):
            self._failed(url, result)
            return
        final = canonical(result.final_url)
        if self._is_entry(entry):
            self._reroot(url, final)
        if not discover.on_site(final, self.hosts):
            self._skip(url, f"redirected off site to {final}")
            return
        if self._only is not None:  # --urls: each is read as an article, nothing else
            self._archive(result, url, final, entry, parsed)
            return
        if kind in SOURCE_KINDS:
            self._read_source(kind, result, entry)
        elif kind in LISTING_KINDS:
            found = discover.read_page(result.text or "", final, self.hosts, self.site.profile)
            self._walk_listing(found, final, entry)
        else:
            self._archive(result, url, final, entry, parsed)
            return
        self.frontier.finish(url, "done")

    # ------------------------------------------------------------------ a moved site
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

    def _led_elsewhere(self, where: str) -> None:
        """The start URL redirected to another site: nothing of ours to crawl there."""
        self._end(
            "failed",
            f"{display(self._start)} leads to {display(where)}, another site: crawl that URL"
            " instead (or add its host with --allow-hosts)",
        )

    def _wanted_language(self, language: str | None) -> bool:
        """Whether an article's language (its page's ``lang``, ``inLanguage``, og:locale)
        is one ``--lang`` asks for; an unknown language is kept (it may be)."""
        chosen = self.options.languages
        if not chosen or not language:
            return True
        return language.split("-")[0].lower() in {c.split("-")[0].lower() for c in chosen}

    def _page_failed(self, url: str, exc: Exception) -> None:
        """An unexpected error while parsing or storing one page (its writes were rolled
        back): the page is failed with the error as its reason, a later run retries it."""
        log.warning("%s could not be parsed or stored: %s: %s", display(url), type(exc).__name__,
                    exc, exc_info=log.isEnabledFor(logging.DEBUG))  # fmt: skip
        reason = valid_text(f"parse error: {type(exc).__name__}: {exc}")
        self._failed(url, reason[:MAX_REASON])

    def _skip(self, url: str, reason: str) -> None:
        log.debug("skipped %s: %s", display(url), reason)
        self.frontier.finish(url, "skipped", reason)

    def _failed(self, url: str, result: FetchResult | str) -> None:
        """Record a failed page (``result``: the fetch, or why its parse was given up)."""
        if isinstance(result, str):
            reason = result
        elif result.ok:
            return self._skip(url, f"not HTML ({result.headers.get('content-type')})")
        else:
            reason = result.error or f"HTTP {result.status}"
        self.summary.errors += 1
        if isinstance(result, FetchResult) and result.transient:
            self._retry_later.add(url)
        if len(self.summary.failures) < 20:
            self.summary.failures.append(f"{url}: {reason}")
        log.info("failed %s: %s", url, reason)
        self.frontier.finish(url, "failed", reason)

    # ------------------------------------------------------------------ listings
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

    # ------------------------------------------------------------------ sitemaps, feeds, REST
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

    # ------------------------------------------------------------------ articles
    def _archive(
        self, result: FetchResult, url: str, final: str, entry: Claim, parsed: parse.Parsed | None
    ) -> None:
        done = parsed  # parsed in the parser pool, or here:
        if done is None:
            fetched_at = datetime.now(UTC).replace(microsecond=0)
            near = entry.depth <= 2  # a listing reached by a link is read, but only near
            listed = listed_dates(entry)
            done = parse_article(
                result, final, fetched_at, self.site.name, self.site.profile, self.hosts, near,
                listed,
            )  # fmt: skip
        if done.error is not None:
            self._failed(url, done.error)
            return
        if done.page is None or done.prepared is None:
            self.summary.not_articles += 1
            if done.found is not None and self._only is None:
                self._walk_listing(done.found, final, replace(entry, kind=PageKind.LISTING))
            self._skip(url, NOT_AN_ARTICLE)
            return
        article = done.article
        published = article.published_at.isoformat() if article.published_at else None
        if not self.options.in_window(published):
            self.summary.outside_window += 1
            self._skip(url, window_reason(str(published)))
            return
        if not self._wanted_language(article.language):
            self.summary.other_language += 1
            self._skip(url, f"{OTHER_LANGUAGE} ({article.language})")
            return
        if self._articles_spent():  # pages in flight when --max-articles was reached
            self.frontier.finish(url, "pending")  # the next run archives it
            return
        if self._zone.hold(article.published_at, len(self._held)):  # until the zone is known
            self._held.append((done, url))
        else:
            self._save(done, url)
        self._follow_links(article, final, entry)

    def _save(self, done: parse.Parsed, url: str) -> None:
        """Archive a parsed article, its dates in the site's zone; learn the zone from it."""
        assert done.page is not None and done.prepared is not None
        article, prepared = done.article, done.prepared
        zoned = apply_zone(article, self._zone.tz)
        if zoned is not article:
            article, prepared = zoned, replace(prepared, content_hash=content_hash(zoned))
        outcome = self.store.save_article(
            self._site_id, article, done.page, frontier_url=url, prepared=prepared
        )
        name = f"articles_{outcome}"
        setattr(self.summary, name, getattr(self.summary, name) + 1)
        if article.published_at is not None and article.published_at.utcoffset() is None:
            self.summary.no_offset += 1
        if self._zone.observe(article.published_at):
            self._zone_learned()

    def _zone_learned(self) -> None:
        """The site's zone was just learned: recorded, said once; held articles archived."""
        zone = self._zone
        assert zone.name is not None
        self.store.set_site_timezone(self._site_id, zone.name, "learned")
        note = f"time zone of {self.site.name} learned: {zone.name} (from {zone.learned_from}"
        note += " dates the site gave with an offset); applied to its dates given without one"
        log.info("%s", note)
        self.summary.notes.append(note)
        self._release_held()

    def _release_held(self) -> None:
        held, self._held = self._held, []
        for done, url in held:
            self._save(done, url)

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
