"""A crawl keeps to the section its start URL names, and to --include/--exclude patterns.
Real crawls of a small site on loopback; the archive's content is checked."""

from __future__ import annotations

from pathlib import Path

import pytest

from scraper import Settings
from scraper.scope import Scope, section_prefix
from scraper.store import Store

from .conftest import crawl_mirror
from .faultserver import FaultServer, Routes
from .sites.plain import Story, listing, routes


def _site() -> tuple[dict, list[Story], list[Story]]:
    sport = [
        Story(f"/2025/07/0{n}/sport-{n}.html", f"Le match numéro {n} gagné") for n in range(1, 6)
    ]
    politics = [
        Story(f"/2025/07/0{n}/politique-{n}.html", f"Le conseil vote le texte {n}")
        for n in range(1, 4)
    ]
    nav = '<a href="/sport/">Sport</a><a href="/politique/">Politique</a>'
    pages = {
        "/sport/": listing(
            "Sport", sport[:3], extra=nav + '<a rel="next" href="/sport/page/2/">»</a>'
        ),
        "/sport/page/2/": listing("Sport", sport[3:], extra=nav),
        "/politique/": listing("Politique", politics, extra=nav),
    }
    home = listing("Le Site", [sport[0], politics[0]], extra=nav)
    return routes(home, sport + politics, pages), sport, politics


def _titles(db: Path) -> set[str]:
    with Store(db) as store:
        return {r["title"] for r in store.records()}


def test_section_prefix_is_the_start_path_unless_root_or_edition() -> None:
    assert section_prefix("http://x/sport/") == "/sport/"
    assert section_prefix("http://x/ar/sport") == "/ar/sport/"
    assert section_prefix("http://x/") is None and section_prefix("http://x/en-us/") is None
    scope = Scope.of("http://x/sport/", None, ["politique"])
    assert scope.allows("http://x/sport/page/2/", article=False)
    assert not scope.allows("http://x/politique/", article=False)
    assert scope.allows("http://x/2025/07/01/sport-1.html", article=True)
    assert not scope.allows("http://x/2025/07/01/sport-1.html", article=True, linked=True)
    assert not scope.allows("http://x/2025/07/01/politique-1.html", article=True)


def test_a_crawl_started_at_a_section_keeps_to_it(tmp_path: Path) -> None:
    table, sport, politics = _site()
    db = tmp_path / "s.db"
    with FaultServer(table) as server:
        # The site's sitemap lists every section's articles: a section's crawl does not read it.
        urls = "".join(f"<url><loc>{server.url(s.path)}</loc></url>" for s in sport + politics)
        sitemap = f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
        assert isinstance(server.app, Routes)
        server.app["/sitemap.xml"] = (200, {"Content-Type": "application/xml"}, sitemap.encode())
        robots = f"User-agent: *\nAllow: /\nSitemap: {server.url('/sitemap.xml')}\n"
        server.app["/robots.txt"] = (200, {"Content-Type": "text/plain"}, robots.encode())
        summary = crawl_mirror(server.url("/sport/"), db, profile=None)
        paths = {entry.path for entry in server.log}
    assert summary.status == "ok"
    assert _titles(db) == {s.title for s in sport}  # the second listing page too
    assert "/sport/page/2/" in paths
    assert not {"/politique/", "/sitemap.xml", "/"} & paths
    assert not any("politique" in p for p in paths)


@pytest.mark.parametrize(
    ("option", "patterns", "kept"),
    [("exclude", ("politique",), "sport"), ("include", (r"/politique-\d",), "politique")],
)
def test_include_and_exclude_patterns(
    option: str, patterns: tuple[str, ...], kept: str, tmp_path: Path
) -> None:
    table, sport, politics = _site()
    db = tmp_path / "p.db"
    with FaultServer(table) as server:
        summary = crawl_mirror(server.url("/"), db, profile=None, **{option: patterns})
        paths = {entry.path for entry in server.log}
    assert summary.status == "ok"
    want = sport if kept == "sport" else politics
    assert _titles(db) == {s.title for s in want}
    other = "politique-" if kept == "sport" else "sport-"
    assert not any(other in p for p in paths)  # never fetched, not only not archived


def test_a_bad_pattern_is_one_line_error() -> None:
    with pytest.raises(Exception, match="not a regular expression"):
        Settings(include=("([",))
