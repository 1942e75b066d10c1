"""One crawl job, as the library and the command line run it: :func:`crawl`.

It resolves what to crawl (a profile name, a host or a URL, with an optional profile), opens
the archive, takes its lock, runs the :class:`~scraper.crawler.engine.Crawler` with a
:class:`~scraper.fetch.Fetcher` on its own event loop, stops cleanly on SIGINT/SIGTERM (when
called from the main thread) and returns the
:class:`~scraper.crawler.summary.CrawlSummary`; the run is
recorded in the archive's ``crawl_runs`` table. It never exits the process: the command line
maps the summary to an exit code.
"""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from .._config import Settings
from .._exceptions import DiskFull, UsageError
from ..discover.pages import on_site
from ..fetch import Fetcher, Recorder, make_user_agent
from ..profiles import Profile
from ..profiles import for_url as profile_for_url
from ..profiles import load as load_profile
from ..store import DEFAULT_DB, Store, is_disk_full
from ..store.lock import ArchiveLock
from ..urls import canonical
from .engine import Crawler
from .parsers import parser_pool, resolve_parsers
from .summary import CrawlSummary, Progress, Site, no_article_hint

__all__ = ["check_languages", "crawl", "no_article_hint", "resolve_site"]

# ISO 639-1 language codes: what ``languages`` may name when no profile lists the editions.
ISO_639_1 = frozenset(
    """aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu
    cv cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho
    hr ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv
    kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr
    nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq
    sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh
    yi yo za zh zu""".split()  # noqa: SIM905
)


def crawl(
    target: str,
    db: str | Path = DEFAULT_DB,
    *,
    settings: Settings | None = None,
    profile: str | Profile | None = None,
    progress: Progress | None = None,
    urls: Iterable[str] | None = None,
    declarations_only: bool = False,
) -> CrawlSummary:
    """Crawl ``target`` into the archive at ``db`` and return what happened.

    ``target`` is a profile name or host (``"sahara.ma"``: the profile's own base URL) or a
    URL (``profile`` applies a profile to another base URL, e.g. a staging copy). ``progress``
    is called a few times a second with the running summary and the frontier's counts.
    ``urls``: fetch exactly these articles of the site (e.g. the audit's missing ones) and
    nothing else; ``declarations_only``: read what the site declares (sitemaps, feeds, REST,
    every listing page) without fetching articles, as ``scraper audit --refresh`` does.

    Raises :class:`~scraper.ScraperError` subclasses for bad input (an unknown profile, a URL
    that is not http(s), bad settings, an archive that cannot be opened) and
    :class:`~scraper.LockHeld` when another crawl holds the archive.
    """
    settings = settings or Settings()
    site = resolve_site(target, profile)
    check_languages(settings.languages, site)
    path = Path(db)
    chosen = requested_urls(urls, site) if urls is not None else None
    try:
        with (
            Store(path) as store,  # a bad path is reported as such first
            ArchiveLock(path),
            _warc_recorder(settings, site) as recorder,
            parser_pool(resolve_parsers(settings.parsers, sites=1)) as parsers,
        ):
            fetcher = Fetcher(settings, recorder=recorder)
            crawler = Crawler(
                store, fetcher, site, settings, progress, None, chosen, declarations_only, parsers
            )
            summary = asyncio.run(_run(crawler, fetcher))
    except (sqlite3.Error, OSError) as exc:  # even the run's end could not be recorded
        if is_disk_full(exc):
            raise DiskFull("the crawl", exc) from None
        raise
    return summary


def requested_urls(urls: Iterable[str], site: Site) -> list[str]:
    """The URLs of a ``--urls`` crawl, canonical; :class:`UsageError` for one that is not an
    http(s) URL of the site."""
    chosen = []
    for url in urls:
        try:
            parts = urlsplit(url)
            ok = parts.scheme in ("http", "https") and bool(parts.hostname)
        except ValueError:
            ok = False
        if not ok:
            raise UsageError(f"not an http(s) URL: {url!r}")
        if not on_site(url, site.hosts):
            raise UsageError(
                f"{url} is not on {site.name} (hosts: {', '.join(sorted(site.hosts))})"
            )
        chosen.append(canonical(url))
    return chosen


def check_languages(languages: tuple[str, ...] | None, site: Site) -> None:
    """Languages a crawl asks for: editions the site's profile lists, else ISO 639-1 codes
    (with an optional region: ``pt-BR``). :class:`UsageError` names the wrong one."""
    editions = site.profile.languages if site.profile else ()
    for lang in languages or ():
        code = lang.strip().lower()
        if editions and code not in editions:
            raise UsageError(
                f"{site.name} has no {lang!r} edition (editions: {', '.join(editions)})"
            )
        if not editions and code.split("-")[0] not in ISO_639_1:
            raise UsageError(f"not a language code: {lang!r} (ISO 639-1, e.g. ar, fr, en)")


def _warc_recorder(settings: Settings, site: Site) -> AbstractContextManager[Recorder | None]:
    """Where ``settings.warc`` names a folder, a recorder writing every exchange there."""
    from ..warc.writer import recording

    return recording(
        settings.warc,
        max_size=settings.warc_size * 1_000_000,
        site=site.name,
        user_agent=make_user_agent(settings.contact, base=settings.user_agent),
        contact=settings.contact,
        obey_robots=settings.obey_robots,
    )


def resolve_site(target: str, profile: str | Profile | None = None) -> Site:
    """What to crawl: ``sahara.ma`` (profile name or host) or a URL, optionally with a profile
    given by name, by TOML file path, or as a :class:`Profile`."""
    target = target.strip()
    chosen = load_profile(profile) if isinstance(profile, str) else profile
    if chosen is None:
        chosen = load_profile(target) if "://" not in target else profile_for_url(target)
    if "://" in target:
        base_url = target
    elif chosen is not None and (
        profile is None or chosen.matches_host(target) or target == chosen.name
    ):
        base_url = chosen.base_url
    else:
        raise UsageError(f"{target!r} is neither a URL nor a known profile")
    try:
        parts = urlsplit(base_url)
        hostname, port = parts.hostname, parts.port
    except ValueError as exc:
        raise UsageError(f"not a valid URL: {base_url} ({exc})") from None
    if parts.scheme not in ("http", "https") or not hostname:
        raise UsageError(f"not an http(s) URL: {base_url}")
    del port  # parsed only to reject out-of-range ports early
    name = parts.netloc.lower().removeprefix("www.")
    if chosen is not None and chosen.matches_host(hostname):
        name = chosen.name  # any host of the profile's site (news.sahara.ma): one archive key
    return Site(name=name, base_url=base_url, profile=chosen)


async def _run(crawler: Crawler, fetcher: Fetcher) -> CrawlSummary:
    with _stop_on_signals(crawler):
        async with fetcher:
            return await crawler.run()


@contextmanager
def _stop_on_signals(crawler: Crawler) -> Iterator[None]:
    """SIGINT and SIGTERM finish the pages in flight, then end the crawl (main thread only:
    signal handlers cannot be installed elsewhere)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, crawler.stop, sig.name)
    try:
        yield
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
