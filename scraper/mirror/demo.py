"""The offline demo: the bundled sahara.ma mirror crawled into an archive, as a real crawl would.

The mirror listens on a loopback port and the crawl goes through it as an HTTP proxy: the
archive holds ``http://sahara.ma/...`` URLs under the site ``sahara.ma`` whatever port the
mirror got, so a second demo (even on another port, when 8765 is busy) finds every article
already archived and never duplicates one, and the README's examples (``--site sahara.ma``,
``scraper show``/``history`` of a demo URL) work on the demo archive as printed.

The first demo crawls the mirror, then the mirror publishes a correction of one article
(:data:`CORRECTED`) and a second crawl finds it through the sitemap's ``lastmod`` and records
a revision: ``scraper history <url> --diff 1 2`` shows it. Nothing leaves the machine: every
request (http and https) is sent to the loopback mirror.

``moved=True`` (``scraper demo --moved``) shows a site that moved to another host of its
domain: the mirror answers for ``sahara.ma`` with a 301 to ``news.sahara.ma`` (:data:`MOVED`),
and the crawl follows it there, archiving the articles under ``http://news.sahara.ma/``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from .._config import Settings
from .._exceptions import UsageError
from ..crawler.job import crawl
from ..crawler.summary import CrawlSummary, Progress
from ..store import Store
from ..urls import internal_host
from . import Site, default_site

__all__ = ["CORRECTED", "DEMO_BASE", "DEMO_SITE", "DemoResult", "run_demo"]

DEMO_SITE = "sahara.ma"
DEMO_BASE = "http://sahara.ma/ar/"
DEMO_SETTINGS = Settings(delay=0.0, concurrency=4, workers=8, backoff_base=0.05)
DEMO_PORT = 8765
# The article the mirror corrects between the demo's two crawls (mirror id, new values).
CORRECTED = 1001
CORRECTED_URL = "http://sahara.ma/ar/تدشين-القطب-المندمج-للصناعة-التقليدية-بكلميم/"
_CORRECTION = {"from": "يناهز 50 مليون درهم", "to": "يناهز 52 مليون درهم"}
_CORRECTED_AT = "2025-11-25T16:40:00"
MOVED = {"sahara.ma": "news.sahara.ma"}  # the moved-site demo: where sahara.ma answers 301 to
_PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")


@dataclass
class DemoResult:
    """What the demo did: the crawls it ran (the first demo: two), where the mirror listened."""

    summaries: list[CrawlSummary] = field(default_factory=list)
    port: int = DEMO_PORT
    port_busy: bool = False  # the asked port was taken: the mirror listened on ``port``
    first: bool = True  # the archive held no demo yet


def run_demo(
    db: str | Path,
    port: int = DEMO_PORT,
    *,
    progress: Progress | None = None,
    moved: bool = False,
) -> DemoResult:
    """Crawl the bundled mirror into the archive at ``db`` (see the module docstring).

    Raises :class:`UsageError` when the archive holds a real crawl of sahara.ma (the demo
    must not mix invented pages into it) or a crawl of a local copy such as an older demo
    (its articles would be archived twice).
    """
    from .server import MirrorServer

    path = Path(db)
    first = _check_archive(path, moved)
    site = default_site()
    if not first:
        correct(site)  # the archive already has the corrected version
    result = DemoResult(first=first)
    where = MOVED if moved else None
    try:
        server = MirrorServer(site, port=port, moved=where)
    except OSError:
        server = MirrorServer(site, port=0, moved=where)
        result.port_busy = True
    result.port = server.port
    with server, through_proxy(server.base_url):
        result.summaries.append(_crawl(path, progress))
        if first:
            correct(site)
            result.summaries.append(_crawl(path, progress))
    return result


def corrected_url(moved: bool = False) -> str:
    """Where the demo archives the article it corrects (on news.sahara.ma when ``moved``)."""
    return CORRECTED_URL.replace("//sahara.ma/", "//news.sahara.ma/") if moved else CORRECTED_URL


def correct(site: Site) -> None:
    """The mirror publishes a correction of :data:`CORRECTED` (a figure in its body)."""
    article = site.get(CORRECTED)
    if article is None:  # pragma: no cover - the bundled data has it
        return
    paragraphs = [p.replace(_CORRECTION["from"], _CORRECTION["to"]) for p in article.paragraphs]
    site.edit(CORRECTED, paragraphs=paragraphs, modified=_CORRECTED_AT)


def _crawl(path: Path, progress: Progress | None) -> CrawlSummary:
    return crawl(DEMO_BASE, path, settings=DEMO_SETTINGS, profile="sahara.ma", progress=progress)


def _check_archive(path: Path, moved: bool = False) -> bool:
    """True when the archive holds no demo yet; refuses an archive with a real sahara.ma,
    and a demo of the other kind (moved or not: the same articles under other URLs)."""
    if not path.exists():
        return True
    with Store(path, reading=True) as store:
        sites = store.sites()
        rows = {row["name"]: row["id"] for row in store.site_rows()}
        hosts = store.site_hosts(rows[DEMO_SITE]) if DEMO_SITE in rows else []
    copies = [b for b in sites.values() if internal_host(urlsplit(b).hostname or "")]
    if copies:  # an older demo, or a crawl of the mirror: the same articles under other URLs
        raise UsageError(
            f"{path} holds a crawl of a local copy ({copies[0]}); the demo would archive its"
            " articles twice: run it into another archive (e.g. demo.db)"
        )
    base = sites.get(DEMO_SITE)
    if base is None:
        return True
    if base != DEMO_BASE:
        raise UsageError(
            f"{path} holds a real crawl of {DEMO_SITE} ({base}); "
            "run the demo into another archive (e.g. demo.db)"
        )
    if bool(hosts) != moved:
        kind = "a moved-site demo" if hosts else "the plain demo"
        raise UsageError(f"{path} holds {kind}; run this demo into another archive (e.g. moved.db)")
    return False


@contextmanager
def through_proxy(proxy: str) -> Iterator[None]:
    """Every request of this process goes to ``proxy`` (the loopback mirror) while inside."""
    names = [k for v in _PROXY_VARIABLES for k in (v, v.upper())] + ["REQUEST_METHOD"]
    saved = {name: os.environ.get(name) for name in names}
    try:
        for variable in _PROXY_VARIABLES:
            value = None if variable == "no_proxy" else proxy
            for name in (variable, variable.upper()):
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
        os.environ.pop("REQUEST_METHOD", None)  # CGI: would make urllib ignore HTTP_PROXY
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
