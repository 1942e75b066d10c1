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
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from .._config import Settings
from .._exceptions import DiskFull
from ..discover import pages as discover
from ..fetch import OUT_OF_SCOPE, Fetcher, FetchResult, HostBlocked, Ticket
from ..scope import Scope
from ..store import (
    Claim,
    Frontier,
    PageKind,
    Store,
    is_archive_failure,
    is_disk_full,
    window_date,
)
from ..timezones import ZoneLearner
from ..urls import (
    canonical,
    display,
    request_scope,
)
from . import parse
from .archiving import OTHER_LANGUAGE, Archiving
from .parse import (
    listed_dates,
    listed_source,
    parse_article,
)
from .queueing import ARTICLE_KINDS, LISTING_KINDS, SOURCE_KINDS
from .summary import CrawlSummary, Progress, Site, no_article_hint

log = logging.getLogger(__name__)
_T = TypeVar("_T")

PROGRESS_INTERVAL = 0.25  # seconds between progress-bar updates


class Crawler(Archiving):
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
            ticket = self.fetcher.backlog.ticket()  # the page's place until it is handled
            try:
                if entry is None:
                    entry = await self._in_processing(self._claim)
                if entry is not None:
                    entry, used = await self._page(entry, ticket)
                    handled = True
            finally:
                ticket.release()
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

    async def _page(self, entry: Claim, ticket: Ticket) -> tuple[Claim | None, bool]:
        """Fetch, parse and handle one page; the next claim, and whether a request was
        used. The page lives in this call only: a worker left idle afterwards holds none
        (with many hosts, most workers are idle at any time)."""
        result = await self._fetch(entry, ticket)
        parsed = await self._parse_apart(entry, result)
        after = await self._in_processing(self._handle, entry, result, parsed)
        return after, not isinstance(result, HostBlocked)

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

    async def _fetch(self, entry: Claim, ticket: Ticket) -> FetchResult | HostBlocked:
        """The page, or the :class:`HostBlocked` that parks its host (nothing requested)."""
        try:
            scope = self._entry_scope if self._is_entry(entry) else self._scope
            result = await self.fetcher.fetch(
                entry.url,
                etag=entry.etag,
                last_modified=entry.last_modified,
                scope=scope,
                ticket=ticket,
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

    def _led_elsewhere(self, where: str) -> None:
        """The start URL redirected to another site: nothing of ours to crawl there."""
        self._end(
            "failed",
            f"{display(self._start)} leads to {display(where)}, another site: crawl that URL"
            " instead (or add its host with --allow-hosts)",
        )
