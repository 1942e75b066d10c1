"""A site that moved to another host: the crawl follows it within its domain, stops loudly
when the start URL leads to another site, and a crawl that archives nothing is not ``ok``.

The mirror answers as an HTTP proxy for ``http://sahara.ma/`` (as ``scraper demo`` does),
with ``moved`` making one host answer 301 to another, the way the real site does.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

import scraper
from scraper.cli.crawl import exit_code
from scraper.mirror import MirrorServer, default_site
from scraper.mirror.demo import through_proxy
from scraper.mirror.server import Response
from scraper.store import Store
from scraper.urls import registrable_domain, same_registrable_domain

from .conftest import FAST_CRAWL

ARTICLES = 74  # the mirror's articles in every edition (tests/test_crawl_mirror.py)


@pytest.fixture
def moved_mirror() -> Iterator[MirrorServer]:
    moved = {"sahara.ma": "news.sahara.ma"}
    with MirrorServer(default_site(), moved=moved) as server, through_proxy(server.base_url):
        yield server


def _sites(db: Path) -> list[dict]:
    with Store(db) as store:
        return [{**row, "hosts": store.site_hosts(row["id"])} for row in store.site_rows()]


def _urls(db: Path) -> list[str]:
    with Store(db) as store:
        return [r["url"] for r in store.records()]


def test_registrable_domain_keeps_the_name_a_site_registered() -> None:
    assert registrable_domain("news.sahara.ma") == "sahara.ma"
    assert registrable_domain("www.bbc.co.uk") == "bbc.co.uk"
    assert registrable_domain("example.co") == "example.co"
    assert registrable_domain("127.0.0.1") is None
    assert same_registrable_domain("http://news.sahara.ma/ar/", {"sahara.ma"})
    assert not same_registrable_domain("http://sahara.example/ar/", {"sahara.ma"})
    assert not same_registrable_domain("http://other.co.uk/", {"bbc.co.uk"})


def test_a_start_url_moved_to_a_subdomain_reroots_the_crawl(
    moved_mirror: MirrorServer, tmp_path: Path
) -> None:
    db = tmp_path / "a.db"
    summary = scraper.crawl("http://sahara.ma/ar/", db, settings=FAST_CRAWL)  # no profile
    assert summary.status == "ok", summary.messages
    assert exit_code(summary) == 0
    moved = [m for m in summary.notes if "has moved" in m]
    assert len(moved) == 1 and "news.sahara.ma" in moved[0]
    urls = _urls(db)
    assert len(urls) == ARTICLES
    assert all(u.startswith("http://news.sahara.ma/") for u in urls)
    (site,) = _sites(db)
    assert site["name"] == "sahara.ma" and site["hosts"] == ["news.sahara.ma"]
    # The next run knows where the site lives: nothing new, nothing said about a move again.
    again = scraper.crawl("http://sahara.ma/ar/", db, settings=FAST_CRAWL)
    assert again.status == "ok" and again.articles_new == 0
    assert not [m for m in again.notes if "has moved" in m]
    assert _sites(db)[0]["hosts"] == ["news.sahara.ma"]


@pytest.mark.parametrize(
    ("moved", "start"),
    [
        ({"sahara.ma": "news.sahara.ma"}, "http://sahara.ma/ar/"),
        ({"news.sahara.ma": "sahara.ma"}, "http://news.sahara.ma/ar/"),
        ({}, "http://news.sahara.ma/ar/"),
    ],
)
def test_the_bundled_profile_works_whichever_host_serves_the_site(
    moved: dict[str, str], start: str, tmp_path: Path
) -> None:
    db = tmp_path / "p.db"
    with MirrorServer(default_site(), moved=moved) as server, through_proxy(server.base_url):
        summary = scraper.crawl(start, db, settings=FAST_CRAWL, profile="sahara.ma")
    assert summary.status == "ok", summary.messages
    urls = _urls(db)
    assert len(urls) == ARTICLES
    serving = moved.get(start.split("/")[2], start.split("/")[2])
    assert all(u.startswith(f"http://{serving}/") for u in urls)
    assert [s["name"] for s in _sites(db)] == ["sahara.ma"]


def test_a_start_url_leading_to_another_site_stops_the_run(tmp_path: Path) -> None:
    db = tmp_path / "o.db"
    with (
        MirrorServer(default_site(), moved={"sahara.ma": "parked-domains.example"}) as server,
        through_proxy(server.base_url),
    ):
        summary = scraper.crawl("http://sahara.ma/ar/", db, settings=FAST_CRAWL)
    assert summary.status == "failed"
    assert exit_code(summary) != 0
    assert any("parked-domains.example" in m and "another site" in m for m in summary.messages)
    assert _urls(db) == []
    with Store(db) as store:
        runs = list(store.db.execute("SELECT status, message FROM crawl_runs"))
    assert runs[0][0] == "failed" and "parked-domains.example" in runs[0][1]


def test_a_crawl_archiving_no_article_is_not_ok(tmp_path: Path) -> None:
    page = b"<html><body><p>Soon.</p></body></html>"
    empty = Response(200, [("Content-Type", "text/html")], page)
    with MirrorServer(default_site()) as server, through_proxy(server.base_url):
        server.intercept = lambda method, path: None if path.endswith("robots.txt") else empty
        summary = scraper.crawl("http://sahara.ma/ar/", tmp_path / "e.db", settings=FAST_CRAWL)
    assert summary.status == "empty"
    assert exit_code(summary) == 1
    assert any(m.startswith("no article found on sahara.ma") for m in summary.messages)
    assert _urls(tmp_path / "e.db") == []


def test_the_demo_shows_a_moved_site(tmp_path: Path) -> None:
    from scraper.mirror.demo import corrected_url, run_demo

    db = tmp_path / "moved.db"
    result = run_demo(db, port=0, moved=True)
    assert [s.status for s in result.summaries] == ["ok", "ok"]
    assert any("has moved" in m for m in result.summaries[0].notes)
    with Store(db) as store:
        history = store.history(corrected_url(moved=True))
    assert len(history) == 2
    assert _sites(db)[0]["hosts"] == ["news.sahara.ma"]
    with pytest.raises(scraper.ScraperError, match="moved-site demo"):
        run_demo(db, port=0)
    assert json.dumps(_urls(db)).count("news.sahara.ma") == ARTICLES


def test_an_archive_of_version_8_gains_the_site_columns_once(tmp_path: Path) -> None:
    import sqlite3

    from scraper.store.schema import MIGRATIONS

    db = tmp_path / "v8.db"
    Store(db).close()
    with sqlite3.connect(db) as conn:  # as version 8 had it: no sites.hosts, no timezone_source
        conn.execute("ALTER TABLE sites DROP COLUMN hosts")
        conn.execute("PRAGMA user_version = 8")
    conn.close()
    with Store(db) as store:
        site = store.ensure_site("example.org", "https://example.org/")
        store.add_site_host(site, "news.example.org")
        assert store.site_hosts(site) == ["news.example.org"]
        MIGRATIONS[9](store.db)  # a second run of the step (another branch's order) is harmless
        assert store.site_hosts(site) == ["news.example.org"]


def test_urls_of_the_host_a_site_moved_to_are_its_own(
    moved_mirror: MirrorServer, tmp_path: Path
) -> None:
    """After a crawl learned that sahara.ma lives on news.sahara.ma, ``crawl sahara.ma --urls``
    takes that host's URLs as the site's (the site row knows the host, no profile needed).
    An article deleted from the archive is fetched whole again: a 304 would archive nothing."""
    db = tmp_path / "u.db"
    assert scraper.crawl("http://sahara.ma/ar/", db, settings=FAST_CRAWL).articles_new == ARTICLES
    wanted = sorted(_urls(db))[:2]
    with Store(db) as store, store.db.atomic():
        store.db.execute("DELETE FROM articles WHERE url = ?", [wanted[0]])
    summary = scraper.crawl("sahara.ma", db, settings=FAST_CRAWL, urls=wanted)
    assert summary.status == "ok", summary.messages
    assert (summary.articles_new, summary.articles_unchanged + summary.not_modified) == (1, 1)
    assert sorted(_urls(db)) == sorted(set(_urls(db)))
    assert wanted[0] in _urls(db) and len(_urls(db)) == ARTICLES
