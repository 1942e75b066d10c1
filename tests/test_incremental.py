"""Re-runs fetch only what is new or changed (real loopback mirror, mutated between crawls)."""

from __future__ import annotations

import httpx

from scraper.discover.feeds import parse_sitemap
from scraper.mirror import MirrorServer, default_site
from scraper.store import Store

from .conftest import crawl_mirror


def politeness_bound(server: MirrorServer) -> int:
    """Sections (plus the home page) x languages + sitemaps and feeds + robots.txt."""
    site = server.site
    languages = ("ar", "fr", "en", "es")
    sections = sum(len(site.categories(lang)) + 1 for lang in languages)
    index = httpx.get(server.base_url + "/wp-sitemap.xml").content
    post_sitemaps = [s for s in parse_sitemap(index).sitemaps if "posts" in s.url]
    feeds = len(languages)
    return sections + 1 + len(post_sitemaps) + feeds + 1


def test_rerun_is_cheap_and_catches_edits_and_new_articles(tmp_path):
    site = default_site()
    with MirrorServer(site) as server:
        db = tmp_path / "archive.db"
        first = crawl_mirror(server.base_url + "/ar/", db)
        assert first.articles_new == len(site) and first.errors == 0
        article_paths = {a.path() for a in site}

        server.clear_requests()
        again = crawl_mirror(server.base_url + "/ar/", db)
        requests = server.requests
        assert again.articles_new == again.articles_updated == 0
        assert not [r.path for r in requests if r.path in article_paths]
        assert len(requests) <= politeness_bound(server), [r.path for r in requests]

        ids = [a.id for a in site][:3]
        for article_id in ids:
            old = site.get(article_id)
            site.edit(article_id, paragraphs=[*old.paragraphs, "فقرة مضافة بعد التحديث."])
        template = site.get(ids[0]).to_dict()
        site.add(
            {
                **template,
                "id": 1999,
                "slug": "خبر-جديد-بعد-الزحف-الأول",
                "title": "خبر جديد نشر بعد الزحف الأول",
                "published": "2026-03-11T09:00:00",
                "modified": None,
                "related": None,
                "inline_related": None,
                "translations": {},
            }
        )
        third = crawl_mirror(server.base_url + "/ar/", db)
        assert third.articles_new == 1
        assert third.articles_updated == 3
        with Store(db) as store:
            assert store.db["revisions"].count == 3
            assert store.counts()["articles"] == len(site)
            edited = [r for r in store.records() if r["revision"] == 2]
            assert len(edited) == 3
            assert all(r["body"].endswith("فقرة مضافة بعد التحديث.") for r in edited)


def test_recent_articles_are_revisited_with_conditional_get(tmp_path):
    site = default_site()
    with MirrorServer(site) as server:
        db = tmp_path / "archive.db"
        crawl_mirror(server.base_url + "/ar/", db)
        server.clear_requests()
        # A window reaching back past the oldest article revisits every one of them; the
        # mirror answers 304 to the validators we kept, and nothing is stored again.
        again = crawl_mirror(server.base_url + "/ar/", db, revisit_days=3650)
        statuses = [r.status for r in server.requests]
    assert again.not_modified == len(site)
    assert statuses.count(304) == len(site)
    assert again.articles_new == again.articles_updated == 0


def test_since_and_until_bound_what_is_archived(tmp_path, truth):
    with MirrorServer(default_site()) as server:
        db = tmp_path / "archive.db"
        crawl_mirror(server.base_url + "/ar/", db, since="2026-01-01", until="2026-01-31")
    with Store(db) as store:
        days = sorted(r["published_at"][:10] for r in store.records())
    expected = [t for t in truth if "2026-01-01" <= t["published_at"][:10] <= "2026-01-31"]
    assert days and all("2026-01-01" <= d <= "2026-01-31" for d in days)
    assert len(days) == len(expected)
