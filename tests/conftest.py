"""Shared fixtures: the sahara.ma mirror on loopback and one crawl of it into a fresh archive."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from scraper import profiles
from scraper.crawl import Crawler, CrawlOptions, CrawlSummary, Site
from scraper.fetch import Fetcher
from scraper.mirror import MirrorServer, default_site, site_root
from scraper.store import Store

TRUTH = site_root() / "truth.jsonl"


def crawl_mirror(
    base_url: str,
    db: Path,
    *,
    profile: str | None = "sahara.ma",
    fetcher_options: dict | None = None,
    **options: object,
) -> CrawlSummary:
    """A real crawl of ``base_url`` (no politeness delay: it is our own loopback server)."""

    async def go() -> CrawlSummary:
        site = Site(
            base_url.split("//", 1)[1].split("/", 1)[0],
            base_url,
            profiles.load(profile) if profile else None,
        )
        settings = {"delay": 0, "per_host_concurrency": 4, "backoff_base": 0.01}
        async with Fetcher(**{**settings, **(fetcher_options or {})}) as fetcher:
            with Store(db) as store:
                chosen = CrawlOptions(**{"workers": 8, **options})  # type: ignore[arg-type]
                crawler = Crawler(store, fetcher, site, chosen)
                return await crawler.run()

    return asyncio.run(go())


@pytest.fixture(scope="session")
def truth() -> list[dict]:
    return [json.loads(line) for line in TRUTH.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="session")
def mirror() -> Iterator[MirrorServer]:
    with MirrorServer(default_site()) as server:
        yield server


@pytest.fixture(scope="session")
def crawled(mirror: MirrorServer, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The mirror crawled once with the sahara.ma profile: summary, archive path, records."""
    db = tmp_path_factory.mktemp("crawl") / "archive.db"
    mirror.clear_requests()
    summary = crawl_mirror(mirror.base_url + "/ar/", db)
    requests = mirror.requests
    with Store(db) as store:
        records = list(store.records())
    return {"summary": summary, "db": db, "records": records, "requests": requests}
