"""The reading room's "Other editions" lists only alternates that are articles, never the
site's language home pages a page's hreflang links also name."""

from __future__ import annotations

from pathlib import Path

from scraper.store import Store
from scraper.store.reading import article_page

from .conftest import crawl_mirror
from .faultserver import FaultServer
from .sites.plain import Story, listing, routes


def test_other_editions_are_articles_only(tmp_path: Path) -> None:
    french = Story("/fr/2025/conseil-vote.html", "Le conseil vote le budget", "fr")
    arabic = Story("/ar/2025/majlis.html", "المجلس يصادق على الميزانية اليوم", "ar")
    english = Story("/en/2025/council.html", "The council votes the budget", "en")
    french.alternates = {"ar": arabic.path, "en": "/en/", "fr": french.path}  # en: a home page
    arabic.alternates = {"fr": french.path, "en": "/en/"}
    pages = {"/en/": listing("Home", [english], "en"), "/fr/": listing("Accueil", [french])}
    db = tmp_path / "e.db"
    with FaultServer(
        routes(listing("Accueil", [french, arabic]), [french, arabic, english], pages)
    ) as server:
        crawl_mirror(server.url("/"), db, profile=None)
    with Store(db) as store:
        ids = {r["title"]: r["id"] for r in store.records()}
        page = article_page(store, ids[french.title])
        arabic_page = article_page(store, ids[arabic.title])
    assert page is not None and arabic_page is not None
    editions = [(e.url.rsplit("/", 1)[-1], e.article_id) for e in page["translations"]]
    assert editions == [("majlis.html", ids[arabic.title])]
    assert [e.article_id for e in arabic_page["translations"]] == [ids[french.title]]
