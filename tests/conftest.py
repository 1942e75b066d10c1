"""Shared fixtures: the sahara.ma mirror on loopback and one crawl of it into a fresh archive."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

import scraper
from scraper import Settings
from scraper.crawler.summary import CrawlSummary
from scraper.mirror import MirrorServer, default_site, site_root
from scraper.mirror import demo as demo_mod
from scraper.store import Store

TRUTH = site_root() / "truth.jsonl"


def crawl_mirror(
    base_url: str, db: Path, *, profile: str | None = "sahara.ma", **settings: object
) -> CrawlSummary:
    """A real crawl of ``base_url`` through :func:`scraper.crawl`, as the CLI runs it (no
    politeness delay and short retry waits: it is our own loopback server)."""
    chosen = FAST_CRAWL.replace(**settings)
    return scraper.crawl(base_url, db, settings=chosen, profile=profile)


FAST_CRAWL = Settings(delay=0, concurrency=4, backoff_base=0.01, workers=8)


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


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo archive (one per test module): the mirror crawled twice, one article
    corrected in between."""
    db = tmp_path_factory.mktemp("demo") / "archive.db"
    result = demo_mod.run_demo(db, port=0)
    assert [s.status for s in result.summaries] == ["ok", "ok"]
    return db
