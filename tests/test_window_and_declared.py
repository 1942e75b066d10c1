"""What a windowed run skips is fetched by the first later run whose window holds it; a
declared URL that is not an article is counted as such, never as missing."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import scraper
from scraper.cli.crawl import exit_code
from scraper.mirror import MirrorServer, default_site
from scraper.mirror.server import Response
from scraper.report.audit import audit, render
from scraper.store import Store
from scraper.urls import canonical

from .conftest import FAST_CRAWL, crawl_mirror
from .faultserver import FaultServer
from .sites.plain import Story, listing, routes


def _archived(db: Path) -> set[str]:
    with Store(db) as store:
        return {r["url"] for r in store.records()}


def _audit(db: Path) -> tuple[dict, str]:
    with Store(db) as store:
        result = audit(store)
    return result.to_dict()["sites"][0], render(result)


def test_a_since_run_then_wider_runs_fetch_what_the_window_left(tmp_path: Path) -> None:
    db = tmp_path / "w.db"
    with MirrorServer(default_site()) as server:
        base = server.base_url
        by_day = {canonical(base + a.path()): a.published.date() for a in server.site}
        since_2026 = {u for u, d in by_day.items() if d >= date(2026, 1, 1)}
        since_dec = {u for u, d in by_day.items() if d >= date(2025, 12, 1)}

        first = crawl_mirror(base + "/ar/", db, since="2026-01")
        assert first.status == "ok" and _archived(db) == since_2026
        assert first.outside_window == len(by_day) - len(since_2026)
        site, text = _audit(db)
        assert site["outside_window"] == len(by_day) - len(since_2026)
        assert site["skipped"] == 0 and site["missing"] == [] and site["complete"]
        assert "complete within the last window" in text.splitlines()[0]
        assert "outside the last window" in text

        widened = crawl_mirror(base + "/ar/", db, since="2025-12")  # a wider window
        assert _archived(db) == since_dec
        assert widened.articles_new == len(since_dec) - len(since_2026)
        assert _audit(db)[0]["outside_window"] == len(by_day) - len(since_dec)

        plain = crawl_mirror(base + "/ar/", db)  # no window: the rest
        assert _archived(db) == set(by_day)
        assert plain.articles_new == len(by_day) - len(since_dec) and plain.outside_window == 0
        site, text = _audit(db)
        assert site["outside_window"] == 0 and site["archived"] == len(by_day)
        assert text.splitlines()[0].startswith(f"{site['site']}: complete: ")


def test_a_narrower_run_does_not_refetch_what_stays_outside(tmp_path: Path) -> None:
    db = tmp_path / "n.db"
    with MirrorServer(default_site()) as server:
        crawl_mirror(server.base_url + "/ar/", db, since="2026-02")
        server.clear_requests()
        again = crawl_mirror(server.base_url + "/ar/", db, since="2026-03")
        fetched = {r.path for r in server.requests}
    assert again.outside_window == 0  # nothing newly outside: the earlier skips stay as they are
    old = [a for a in server.site if a.published.date() < date(2026, 2, 1)]
    assert not any(a.path() in fetched for a in old)


def test_a_home_page_in_a_post_sitemap_is_not_an_article_not_missing(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    with MirrorServer(default_site()) as server:
        base = server.base_url
        host = base.removeprefix("http://")

        def yoast(method: str, path: str) -> Response | None:
            if not path.endswith("/wp-sitemap-posts-post-1.xml"):
                return None
            real = server.router.respond(path, host)
            home = f"<url><loc>{base}/ar/</loc></url><url><loc>{base}/fr/</loc></url></urlset>"
            return real._replace(body=real.body.replace(b"</urlset>", home.encode()))

        server.intercept = yoast
        summary = crawl_mirror(base + "/ar/", db)
        assert summary.status == "ok"
        site, text = _audit(db)
        assert site["not_an_article"] == 2 and site["archived"] == 74
        assert site["missing"] == [] and site["complete"]
        assert site["declared"] == 76
        assert "not an article 2" in text
        # Fetching it on its own (as --urls would) queues nothing behind it.
        only = scraper.crawl(base + "/ar/", db, settings=FAST_CRAWL, urls=[base + "/ar/"])
        assert only.not_articles == 1 and only.pending == 0
        after = crawl_mirror(base + "/ar/", db)
        assert exit_code(after) == 0 and after.articles_new == 0
    assert _audit(db)[0]["not_an_article"] == 2


def test_lang_without_a_profile_keeps_only_pages_in_that_language(tmp_path: Path) -> None:
    """A bilingual site without language folders: only each page's own language tells."""
    stories = [Story(f"/actu/{n}.html", f"Une nouvelle du jour {n}", lang) for n, lang in
               enumerate(["fr", "ar", "fr", "ar", "fr", "ar"])]  # fmt: skip
    db = tmp_path / "l.db"
    with FaultServer(routes(listing("Le Site", stories), stories)) as server:
        summary = crawl_mirror(server.url("/"), db, profile=None, languages=("fr",))
        with Store(db) as store:
            records = list(store.records())
        assert summary.status == "ok" and summary.other_language == 3
        titles = sorted(r["title"] for r in records)
        assert titles == [f"Une nouvelle du jour {n}" for n in (0, 2, 4)]
        assert {r["language"] for r in records} == {"fr"}
        # Without --lang, a later run fetches what the filter left out.
        again = crawl_mirror(server.url("/"), db, profile=None)
        with Store(db) as store:
            languages = sorted(r["language"] for r in store.records())
    assert again.articles_new == 3 and languages == ["ar"] * 3 + ["fr"] * 3
