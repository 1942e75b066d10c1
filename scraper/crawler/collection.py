"""A collection: several sites crawled in one run into one archive (``scraper crawl A B C``,
``scraper crawl --sites FILE``, ``scraper.crawl([...])``).

One archive lock, one shared :class:`~scraper.fetch.Fetcher` (politeness stays per host:
robots.txt, Crawl-delay, Retry-After and parking are the fetcher's, host by host), one
processing thread (the archive keeps one writer) and one :class:`~scraper.crawler.engine.Crawler`
per site, all on one event loop: forty sites at one request a second each take the time of the
longest, not the sum. Each site gets its own ``crawl_runs`` row (its frontier, revisits and
incremental state are its own, as in a crawl of one site) and the collection one
``collection_runs`` row. A site that blocks us, fails or cannot be reached ends with its own
status; the others go on. Every site is resolved and checked before anything is opened, so a
typo in the tenth line costs nothing.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, cast, overload

from .._config import Settings
from .._exceptions import ScraperError, UsageError
from ..fetch import Fetcher, Recorder, make_user_agent
from ..store import DEFAULT_DB, Frontier, Store
from ..store.lock import ArchiveLock
from .engine import Crawler
from .job import check_languages, no_article_hint, resolve_site
from .job import crawl as crawl_site
from .parsers import parser_pool, resolve_parsers
from .sitelist import SiteSpec
from .summary import CrawlSummary, Progress, Site

__all__ = [
    "CollectionSummary",
    "SiteSpec",
    "check_distinct",
    "crawl",
    "crawl_collection",
    "finish_record",
    "plan_site",
    "site_summary",
    "worst_status",
]

log = logging.getLogger(__name__)

#: Site statuses from best to worst: a collection's status is its worst site's.
STATUS_ORDER = ("ok", "incomplete", "partial", "empty", "blocked", "failed", "interrupted")
#: The collection's counts (columns of ``collection_runs``).
TOTAL_KEYS = ("pages_fetched", "articles_new", "articles_updated", "errors")


@dataclass
class CollectionSummary:
    """What a collection run did: one :class:`CrawlSummary` per site, in the order given."""

    sites: list[CrawlSummary] = field(default_factory=list)
    status: str = "ok"
    seconds: float = 0.0
    run_id: int | None = None  # collection_runs.id
    interrupted_by: str | None = None

    def total(self) -> dict[str, int]:
        """Every count of :meth:`CrawlSummary.counts` (and ``not_articles``), summed."""
        out: dict[str, int] = {}
        for summary in self.sites:
            for key, value in {**summary.counts(), "not_articles": summary.not_articles}.items():
                out[key] = out.get(key, 0) + value
        return out

    def by_status(self) -> dict[str, int]:
        """How many sites ended with each status."""
        out: dict[str, int] = {}
        for summary in self.sites:
            out[summary.status] = out.get(summary.status, 0) + 1
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "seconds": self.seconds,
            "run_id": self.run_id,
            "total": self.total(),
            "sites": [s.to_dict() for s in self.sites],
        }


def worst_status(statuses: Sequence[str]) -> str:
    """The worst of site statuses (:data:`STATUS_ORDER`; an unknown one counts as failed)."""
    rank = {status: n for n, status in enumerate(STATUS_ORDER)}
    worst = "ok"
    for status in statuses:
        if rank.get(status, rank["failed"]) > rank[worst]:
            worst = status if status in rank else "failed"
    return worst


@overload
def crawl(target: str, db: str | Path = ..., **options: Any) -> CrawlSummary: ...
@overload
def crawl(
    target: list[str | SiteSpec] | tuple[str | SiteSpec, ...], db: str | Path = ..., **options: Any
) -> CollectionSummary: ...
def crawl(
    target: str | list[str | SiteSpec] | tuple[str | SiteSpec, ...],
    db: str | Path = DEFAULT_DB,
    **options: Any,
) -> CrawlSummary | CollectionSummary:
    """``scraper.crawl``: one site (a string: see :func:`scraper.crawler.job.crawl`, whose keyword
    arguments it takes) or a collection (a list of targets or :class:`SiteSpec`: see
    :func:`crawl_collection`; ``settings`` and ``progress`` apply)."""
    if isinstance(target, str):
        return crawl_site(target, db, **options)
    unknown = sorted(set(options) - {"settings", "progress"})
    if unknown:
        raise UsageError(f"{unknown[0]!r} applies to a crawl of one site, not a collection")
    return crawl_collection(target, db, **options)


@dataclass(frozen=True)
class Plan:
    """One site of the collection, resolved: what to crawl, its settings, its own pace."""

    spec: SiteSpec
    site: Site
    settings: Settings


def crawl_collection(
    sites: Sequence[str | SiteSpec],
    db: str | Path = DEFAULT_DB,
    *,
    settings: Settings | None = None,
    progress: Progress | None = None,
) -> CollectionSummary:
    """Crawl every site of ``sites`` (targets as ``scraper crawl`` takes them, or
    :class:`SiteSpec` values from :func:`scraper.crawler.sitelist.read_sites`) into ``db``, at the
    same time, on one shared fetcher. ``settings`` are the run's; a :class:`SiteSpec` may set
    some for its site (``sitelist.SITE_SETTINGS`` and ``delay``). Without an explicit
    ``global_concurrency`` the fetcher allows two requests in flight per site (at least the
    default 16), so sites do not wait for each other's slots.

    Raises :class:`~scraper.ScraperError` for bad input (every site is checked first) and
    :class:`~scraper.LockHeld` when another crawl holds the archive; a site's own failure
    (blocked, unreachable, an error) is its summary's status, never an exception."""
    base = settings or Settings()
    specs = [s if isinstance(s, SiteSpec) else SiteSpec(s, where=f"site {s!r}") for s in sites]
    if not specs:
        raise UsageError("no site to crawl")
    plans = [plan_site(spec, base) for spec in specs]
    check_distinct(plans)
    if base.global_concurrency == Settings().global_concurrency:
        base = base.replace(global_concurrency=max(base.global_concurrency, 2 * len(plans)))
    names = [p.site.name for p in plans]
    path = Path(db)
    started = time.monotonic()
    with ExitStack() as stack:
        store = stack.enter_context(Store(path))
        stack.enter_context(ArchiveLock(path))
        recorder = stack.enter_context(_warc_recorder(base, names))
        fetcher = Fetcher(base, recorder=recorder)
        for plan in plans:
            if plan.spec.delay is not None:
                fetcher.pace(plan.site.hosts, plan.spec.delay)
        result = CollectionSummary(run_id=store.start_collection(names, base.to_dict()))
        shared = SharedArchive(store)
        views = [shared.view() for _ in plans]
        report = _Totals(progress, len(plans)) if progress else None
        parsers = stack.enter_context(parser_pool(resolve_parsers(base.parsers, sites=len(plans))))
        processing = ThreadPoolExecutor(1, "scraper-processing")
        crawlers = [
            Crawler(
                cast(Store, view),
                fetcher,
                plan.site,
                plan.settings,
                report.for_site(n) if report else None,
                processing,
                parsers=parsers,
            )
            for n, (plan, view) in enumerate(zip(plans, views, strict=True))
        ]
        for crawler in crawlers:
            shared.share_frontier(crawler)
        try:
            outcomes = asyncio.run(_run_all(crawlers, fetcher))
        finally:
            processing.shutdown()
        for plan, view, outcome in zip(plans, views, outcomes, strict=True):
            summary = site_summary(plan.site, outcome)
            if summary.status == "ok" and not _has_articles(store, plan.site.name):
                hint = no_article_hint(summary, plan.site)
                summary.messages.append(hint)
                if view.run_id is not None:
                    store.note_run(view.run_id, hint)
            result.sites.append(summary)
        finish_record(store, result, started)
    return result


def plan_site(spec: SiteSpec, base: Settings) -> Plan:
    """Resolve and check one site (bad input raises, naming where the site was given)."""
    try:
        site = resolve_site(spec.target, spec.profile)
        chosen = spec.crawl_settings(base)
        check_languages(chosen.languages, site)
    except ScraperError as exc:
        where = spec.where or spec.target
        raise type(exc)(f"{where}: {exc}") from None
    return Plan(spec, site, chosen)


def check_distinct(plans: list[Plan]) -> None:
    """A site listed twice, or a host two sites share, would be crawled twice at once."""
    owner: dict[str, Plan] = {}
    for plan in plans:
        for host in sorted(plan.site.hosts):
            other = owner.setdefault(host, plan)
            if other is not plan:
                what = "is listed twice" if other.site.name == plan.site.name else "shares a host"
                raise UsageError(
                    f"{plan.spec.where or plan.spec.target}: {plan.site.name} {what} "
                    f"({host}, also {other.spec.where or other.spec.target})"
                )


async def _run_all(crawlers: list[Crawler], fetcher: Fetcher) -> list[CrawlSummary | BaseException]:
    with _stop_on_signals(crawlers):
        async with fetcher:
            return await asyncio.gather(*(c.run() for c in crawlers), return_exceptions=True)


def site_summary(site: Site, outcome: CrawlSummary | BaseException) -> CrawlSummary:
    """A site's summary; a crawl that raised (the archive failed under it) is ``failed``."""
    if isinstance(outcome, CrawlSummary):
        return outcome
    log.debug("crawl of %s raised", site.name, exc_info=outcome)
    message = f"stopped: {type(outcome).__name__}: {outcome}"
    return CrawlSummary(site=site.name, status="failed", messages=[message])


def finish_record(store: Store, result: CollectionSummary, started: float) -> None:
    """The collection's end: its time, worst status and totals, in ``collection_runs``."""
    result.seconds = time.monotonic() - started
    result.status = worst_status([s.status for s in result.sites])
    signals = {s.interrupted_by for s in result.sites if s.interrupted_by}
    result.interrupted_by = min(signals) if signals else None
    total = result.total()
    lines = [
        f"{s.site}: {s.status}" + (f" ({s.messages[0]})" if s.messages else "")
        for s in result.sites
        if s.status != "ok" or s.messages
    ]
    assert result.run_id is not None
    store.finish_collection(
        result.run_id, result.status, {k: total[k] for k in TOTAL_KEYS}, "; ".join(lines) or None
    )


def _has_articles(store: Store, site: str) -> bool:
    return next(iter(store.records(site=site)), None) is not None


class SharedArchive:
    """One archive written by several site crawls of one process: each crawl gets a view of
    the :class:`Store` whose calls are serialized with the others' (one connection, one user
    at a time), and its frontier likewise."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.lock = threading.RLock()

    def view(self) -> _SiteStore:
        """A site's view: use it as the site's :class:`Store` (``cast``)."""
        return _SiteStore(self.store, self.lock)

    def share_frontier(self, crawler: Crawler) -> None:
        """Serialize ``crawler``'s frontier calls with the views' (its queue is on the same
        connection)."""
        crawler.frontier = cast(Frontier, _Locked(crawler.frontier, self.lock))


class _Locked:
    """Calls to ``target``'s methods, each under ``lock``: the collection's sites share one
    connection, and the event loop opens and closes a site's crawl while the processing
    thread writes another's (one connection, one user at a time)."""

    def __init__(self, target: Any, lock: threading.RLock) -> None:
        self.target, self.lock = target, lock

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self.target, name)
        if not callable(attr):
            return attr

        def call(*args: Any, **kwargs: Any) -> Any:
            with self.lock:
                self._before()
                return self._after(name, attr(*args, **kwargs))

        setattr(self, name, call)  # found directly from now on
        return call

    def _before(self) -> None:
        pass

    def _after(self, name: str, value: Any) -> Any:
        return value


class _SiteStore(_Locked):
    """One site's view of the collection's :class:`Store`, its calls serialized; an article
    a site saves records that site's run (``articles.changed_run``), not the last one
    started."""

    def __init__(self, store: Store, lock: threading.RLock) -> None:
        super().__init__(store, lock)
        self.run_id: int | None = None

    def _before(self) -> None:
        self.target.run_id = self.run_id

    def _after(self, name: str, value: Any) -> Any:
        if name == "start_run":
            self.run_id = value
        return value


class _Totals:
    """Progress of a collection: the per-site reports added up into one summary and one
    set of frontier counts (called on the processing thread only)."""

    def __init__(self, progress: Progress, sites: int) -> None:
        self.progress = progress
        self.summaries: list[CrawlSummary | None] = [None] * sites
        self.frontiers: list[dict[str, int]] = [{} for _ in range(sites)]

    def for_site(self, index: int) -> Progress:
        def report(summary: CrawlSummary, frontier: dict[str, int]) -> None:
            self.summaries[index], self.frontiers[index] = summary, frontier
            self.progress(self._summary(), self._frontier())

        return report

    def _summary(self) -> CrawlSummary:
        total = CrawlSummary(site="collection")
        numbers = [f.name for f in fields(CrawlSummary) if f.type in ("int", "float")]
        for summary in self.summaries:
            if summary is not None:
                for name in numbers:
                    setattr(total, name, getattr(total, name) + getattr(summary, name))
        return total

    def _frontier(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for counts in self.frontiers:
            for state, count in counts.items():
                out[state] = out.get(state, 0) + count
        return out


@contextmanager
def _stop_on_signals(crawlers: list[Crawler]) -> Iterator[None]:
    """SIGINT and SIGTERM stop every site's crawl after its pages in flight (main thread)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    loop = asyncio.get_running_loop()

    def stop(name: str) -> None:
        for crawler in crawlers:
            crawler.stop(name)

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop, sig.name)
    try:
        yield
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)


def _warc_recorder(settings: Settings, names: list[str]) -> AbstractContextManager[Recorder | None]:
    """Where ``settings.warc`` names a folder, one recorder for every site of the run."""
    from ..warc.writer import recording

    return recording(
        settings.warc,
        max_size=settings.warc_size * 1_000_000,
        site=", ".join(names),
        user_agent=make_user_agent(settings.contact, base=settings.user_agent),
        contact=settings.contact,
        obey_robots=settings.obey_robots,
    )
