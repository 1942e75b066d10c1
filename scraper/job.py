"""One crawl job, as the library and the command line run it: :func:`crawl`.

It resolves what to crawl (a profile name, a host or a URL, with an optional profile), opens
the archive, takes its lock, runs the :class:`~scraper.crawl.Crawler` with a
:class:`~scraper.fetch.Fetcher` on its own event loop, stops cleanly on SIGINT/SIGTERM (when
called from the main thread) and returns the :class:`~scraper.crawl.CrawlSummary`; the run is
recorded in the archive's ``crawl_runs`` table. It never exits the process: the command line
maps the summary to an exit code.
"""

from __future__ import annotations

import asyncio
import signal
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from . import profiles
from ._config import Settings
from ._exceptions import UsageError
from .crawl import Crawler, CrawlSummary, Progress, Site
from .fetch import Fetcher, Recorder, make_user_agent
from .lock import ArchiveLock
from .profiles import Profile
from .store import DEFAULT_DB, Store

__all__ = ["crawl", "resolve_site"]


def crawl(
    target: str,
    db: str | Path = DEFAULT_DB,
    *,
    settings: Settings | None = None,
    profile: str | Profile | None = None,
    progress: Progress | None = None,
) -> CrawlSummary:
    """Crawl ``target`` into the archive at ``db`` and return what happened.

    ``target`` is a profile name or host (``"sahara.ma"``: the profile's own base URL) or a
    URL (``profile`` applies a profile to another base URL, e.g. a staging copy). ``progress``
    is called a few times a second with the running summary and the frontier's counts.

    Raises :class:`~scraper.ScraperError` subclasses for bad input (an unknown profile, a URL
    that is not http(s), bad settings, an archive that cannot be opened) and
    :class:`~scraper.LockHeld` when another crawl holds the archive.
    """
    settings = settings or Settings()
    site = resolve_site(target, profile)
    path = Path(db)
    with (
        Store(path) as store,  # a bad path is reported as such first
        ArchiveLock(path),
        _warc_recorder(settings, site) as recorder,
    ):
        fetcher = Fetcher(settings, recorder=recorder)
        crawler = Crawler(store, fetcher, site, settings, progress)
        return asyncio.run(_run(crawler, fetcher))


def _warc_recorder(settings: Settings, site: Site) -> AbstractContextManager[Recorder | None]:
    """Where ``settings.warc`` names a folder, a recorder writing every exchange there."""
    from .warc.writer import recording

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
    chosen = profiles.load(profile) if isinstance(profile, str) else profile
    if chosen is None:
        chosen = profiles.load(target) if "://" not in target else profiles.for_url(target)
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
