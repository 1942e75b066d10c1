"""A site without a profile: Le Journal du Sud (semantic HTML5, ?page=N, no sitemap)."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from scraper.store import Store

from .conftest import crawl_mirror
from .faultserver import FaultServer
from .sites.lejournal import LeJournalServer

TRUTH_FILE = "tests/fixtures/lejournal/truth.jsonl"


@pytest.fixture(scope="module")
def crawl(tmp_path_factory):
    db = tmp_path_factory.mktemp("lejournal") / "archive.db"
    with LeJournalServer() as server:
        summary = crawl_mirror(server.base_url + "/", db, profile=None)
        requests = server.requests
    with Store(db) as store:
        records = list(store.records())
    lines = Path(TRUTH_FILE).read_text(encoding="utf-8").splitlines()
    truth = [json.loads(line) for line in lines]
    return {"summary": summary, "records": records, "requests": requests, "truth": truth}


def by_path(records: list[dict]) -> dict[str, dict]:
    return {unquote(urlsplit(r["url"]).path): r for r in records}


def test_all_articles_and_nothing_else_are_archived(crawl):
    got = set(by_path(crawl["records"]))
    want = {t["path"] for t in crawl["truth"]}
    assert got == want
    assert len(crawl["records"]) == len(want) == 30


def test_fields_come_out_right_without_a_profile(crawl):
    records = by_path(crawl["records"])
    for t in crawl["truth"]:
        r = records[t["path"]]
        assert r["title"] == t["title"]
        assert r["published_at"] == t["published_at"]
        assert r["authors"] == t["authors"]
        assert r["tags"] == t["tags"]
        assert r["categories"] == t["categories"]
        assert r["body"] == t["body"], t["path"]


def test_utility_pages_and_traps_are_bounded(crawl):
    paths = [r.path for r in crawl["requests"]]
    assert not [p for p in paths if p.startswith("/recherche")], "robots.txt disallows it"
    assert sum(p.startswith("/agenda") for p in paths) <= 35, "the calendar trap is bounded"
    assert len(paths) < 200


# -- long ?page=N walks ---------------------------------------------------------------------

PAGES = 45  # more pages than the 30 query variants a path may have outside a listing walk


def _page(title: str, main: str, og_type: str = "website") -> str:
    return (
        f'<!doctype html><html lang="fr"><head><title>{title}</title>'
        f'<meta property="og:type" content="{og_type}"></head><body>'
        '<nav><a href="/">Accueil</a> <a href="/actualites">Actualités</a></nav>'
        f"<main>{main}</main><footer>© La Gazette</footer></body></html>"
    )


def _long_site() -> dict[str, str]:
    routes = {"/": _page("La Gazette", '<p><a href="/actualites">Toutes les actualités</a></p>')}
    for n in range(1, PAGES + 2):  # one page past the end: a "next" link, no article
        cards = (
            ""
            if n > PAGES
            else (
                f'<article class="card"><h2><a href="/articles/{n}">Nouvelle numéro {n} du jour'
                "</a></h2></article>"
            )
        )
        link = f'<a rel="next" class="next" href="/actualites?page={n + 1}">Suivant</a>'
        routes[f"/actualites?page={n}" if n > 1 else "/actualites"] = _page(
            f"Actualités, page {n}", f"<h1>Actualités</h1>{cards}{link}"
        )
    for n in range(1, PAGES + 1):
        words = " ".join(["la commune a voté le budget annuel de la ville"] * 6)
        body = "".join(f"<p>Paragraphe {i} de la nouvelle {n}: {words}.</p>" for i in range(4))
        meta = f'<time datetime="2025-11-{1 + n % 28:02d}T08:00:00+01:00">le jour</time>'
        routes[f"/articles/{n}"] = _page(
            f"Nouvelle numéro {n}",
            f"<article><h1>Nouvelle numéro {n}</h1>{meta}{body}</article>",
            og_type="article",
        )
    routes["/actualites?page=99999"] = _page("trap", "<p>never linked</p>")
    return routes


def test_a_long_page_n_listing_is_walked_to_its_end_and_no_further(tmp_path):
    db = tmp_path / "archive.db"
    with FaultServer(_long_site()) as server:
        summary = crawl_mirror(server.base_url + "/", db, profile=None)
        listing = [e.path for e in server.log if e.path.startswith("/actualites")]
    with Store(db) as store:
        urls = {urlsplit(r["url"]).path for r in store.records()}
    assert summary.errors == 0
    assert urls == {f"/articles/{n}" for n in range(1, PAGES + 1)}
    assert len(listing) == len(set(listing)) == PAGES + 1  # the empty page ends the walk


def test_two_sites_crawled_at_once_share_one_fetcher_and_one_processing_thread(tmp_path):
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from scraper import Settings, profiles
    from scraper.crawler.engine import Crawler, Site
    from scraper.fetch import Fetcher
    from scraper.mirror import MirrorServer, default_site

    async def crawl_both(mirror: str, journal: str) -> list:
        sites = [
            Site("mirror", mirror + "/ar/", profiles.load("sahara.ma")),
            Site("journal", journal + "/", None),
        ]
        processing = ThreadPoolExecutor(1, "shared-processing")
        stores = [Store(tmp_path / f"{site.name}.db") for site in sites]
        try:
            async with Fetcher(delay=0, concurrency=4) as fetcher:
                crawlers = [
                    Crawler(store, fetcher, site, Settings(workers=4), processing=processing)
                    for store, site in zip(stores, sites, strict=True)
                ]
                return await asyncio.gather(*(c.run() for c in crawlers))
        finally:
            processing.shutdown()
            for store in stores:
                store.close()

    with MirrorServer(default_site()) as mirror, LeJournalServer() as journal:
        summaries = asyncio.run(crawl_both(mirror.base_url, journal.base_url))
    assert [(s.status, s.errors, s.articles_new) for s in summaries] == [
        ("ok", 0, 74),
        ("ok", 0, 30),
    ]
    for name, count in (("mirror", 74), ("journal", 30)):
        with Store(tmp_path / f"{name}.db") as store:
            assert len(list(store.records())) == count
            assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
