"""--max-pages counts the pages a run fetches and a trial gets articles from them;
--max-articles N archives exactly N articles. Real crawls of the mirror on loopback."""

from __future__ import annotations

from pathlib import Path

import pytest

from scraper.mirror import MirrorServer, default_site
from scraper.store import Store

from .conftest import crawl_mirror


def _articles(db: Path) -> list[dict]:
    with Store(db) as store:
        return list(store.records())


@pytest.mark.parametrize("limit", [10, 20])
def test_max_pages_fetches_that_many_pages_and_archives_articles(
    limit: int, tmp_path: Path
) -> None:
    db = tmp_path / "p.db"
    with MirrorServer(default_site()) as server:
        server.clear_requests()
        summary = crawl_mirror(server.base_url + "/ar/", db, max_pages=limit)
        pages = [r for r in server.requests if not r.path.endswith("/robots.txt")]
    assert summary.status == "incomplete" and summary.pending > 0
    assert summary.pages_fetched == len(pages) == limit  # what it says is what it did
    records = _articles(db)
    assert len(records) == summary.articles_new >= limit // 2  # a trial yields articles
    assert all(r["title"] and r["body"] for r in records)


def test_max_articles_archives_exactly_that_many_then_resumes(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    with MirrorServer(default_site()) as server:
        first = crawl_mirror(server.base_url + "/ar/", db, max_articles=5)
        assert first.status == "incomplete" and first.articles_new == 5
        assert len(_articles(db)) == 5
        assert any("max_articles=5" in m for m in first.messages)
        rest = crawl_mirror(server.base_url + "/ar/", db)
    assert rest.status == "ok" and len(_articles(db)) == 74
    assert rest.articles_new == 74 - 5
