"""Times are what the site meant: a site's zone is learned from its own offset-bearing dates
and given to those it writes without one; --timezone overrides; a naive time is never
written as UTC (Parquet included); a profile naming only a timezone keeps generic discovery.
Real crawls of small sites on loopback; the archive's dates are checked."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from scraper.article import Article
from scraper.crawler.zones import apply_zone
from scraper.store import Store
from scraper.timezones import ZONE_MARK, learn_zone, zone

from .conftest import crawl_mirror
from .faultserver import FaultServer, Routes
from .sites.plain import Story, listing, routes

OFFSET = [
    Story(
        f"/2025/07/0{n}/actu-{n}.html",
        f"Une nouvelle du jour {n}",
        jsonld_date=f"2025-07-0{n}T10:00:00+01:00",
    )
    for n in range(1, 7)
]
NAIVE = [
    Story(
        f"/2025/07/1{n}/texte-{n}.html",
        f"Un texte sans fuseau {n}",
        text_date=f"1{n}/07/2025 à 20:30",
    )
    for n in range(1, 4)
]


def _site(stories: list[Story]) -> dict:
    return routes(listing("Le Site", stories), stories)


def _records(db: Path) -> dict[str, dict]:
    with Store(db) as store:
        return {r["title"]: r for r in store.records()}


def _site_row(db: Path) -> tuple[str | None, str | None]:
    with Store(db) as store:
        return store.db.execute("SELECT timezone, timezone_source FROM sites").fetchone()


def test_learn_zone_from_offsets() -> None:
    plus1 = [datetime(2025, 7, d, 10, tzinfo=timezone(timedelta(hours=1))) for d in (1, 2, 3)]
    utc = [datetime(2025, 7, 4, 9, tzinfo=UTC)]
    assert learn_zone(plus1 + utc) == "+01:00"  # the UTC of structured data set aside
    assert learn_zone(utc * 5) is None  # only UTC: may be the system's, not the site's
    assert learn_zone(plus1, minimum=5) is None
    paris = [
        datetime(2025, 1, 10, 9, tzinfo=timezone(timedelta(hours=1))),
        datetime(2025, 7, 10, 9, tzinfo=timezone(timedelta(hours=2))),
    ]
    name = learn_zone(paris)
    assert name is not None and "/" in name
    assert datetime(2025, 8, 1, 12, tzinfo=zone(name)).utcoffset() == timedelta(hours=2)


def test_apply_zone_gives_naive_dates_an_offset_and_utc_ones_the_local_day() -> None:
    naive = Article(url="u", published_at=datetime(2025, 7, 9, 20, 30), date_source="text")
    got = apply_zone(naive, zone("+01:00"))
    assert got.published_at.isoformat() == "2025-07-09T20:30:00+01:00"
    assert got.date_source == "text" + ZONE_MARK
    late = Article(url="u", published_at=datetime(2025, 7, 9, 23, 30, tzinfo=UTC))
    assert apply_zone(late, zone("+01:00")).published_at.isoformat() == "2025-07-10T00:30:00+01:00"


def test_a_site_zone_is_learned_and_given_to_its_naive_dates(tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    with FaultServer(_site(NAIVE + OFFSET)) as server:  # naive ones listed (and read) first
        summary = crawl_mirror(server.url("/"), db, profile=None)
        # A re-crawl finds nothing changed: the zone is the archive's now.
        again = crawl_mirror(server.url("/"), db, profile=None, refresh=True)
    assert summary.status == "ok" and summary.articles_new == 9
    assert summary.no_offset == 0
    assert any("learned: +01:00" in m for m in summary.notes)
    assert _site_row(db) == ("+01:00", "learned")
    records = _records(db)
    first = records["Un texte sans fuseau 1"]
    assert first["published_at"] == "2025-07-11T20:30:00+01:00"
    assert first["published_utc"] == "2025-07-11T19:30:00+00:00"
    assert first["date_source"] == "text" + ZONE_MARK
    assert records["Une nouvelle du jour 1"]["date_source"] == "jsonld"
    assert again.articles_new == 0 and again.articles_updated == 0
    assert again.articles_unchanged + again.not_modified == 9


def test_without_any_offset_the_dates_stay_naive_and_are_counted(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    from scraper.report.exporting import read_parquet, write_parquet

    db = tmp_path / "n.db"
    with FaultServer(_site(NAIVE)) as server:
        summary = crawl_mirror(server.url("/"), db, profile=None)
    assert summary.no_offset == 3
    assert any("3 article date(s) without a known UTC offset" in m for m in summary.notes)
    assert _site_row(db) == (None, None)
    records = _records(db)
    assert records["Un texte sans fuseau 1"]["published_at"] == "2025-07-11T20:30:00"
    assert records["Un texte sans fuseau 1"]["published_utc"] is None
    # Parquet: no instant for a time whose offset is unknown; the wall clock kept apart.
    import pyarrow.parquet as pq

    out = tmp_path / "a.parquet"
    with Store(db) as store:
        write_parquet(store.records(), out)
    table = pq.read_table(out).to_pylist()
    assert all(row["published_at"] is None and row["published_utc"] is None for row in table)
    assert sorted(row["published_local"] for row in table)[0] == "2025-07-11T20:30:00"
    back = {r["title"]: r for r in read_parquet(out)}
    assert back["Un texte sans fuseau 1"]["published_at"] == "2025-07-11T20:30:00"


def test_the_timezone_setting_overrides(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    with FaultServer(_site(NAIVE + OFFSET)) as server:
        crawl_mirror(server.url("/"), db, profile=None, timezone="America/New_York")
    assert _site_row(db) == ("America/New_York", "setting")
    record = _records(db)["Un texte sans fuseau 1"]
    assert record["published_at"] == "2025-07-11T20:30:00-04:00"
    assert record["date_source"] == "text" + ZONE_MARK


def test_a_profile_naming_only_a_timezone_keeps_generic_discovery(tmp_path: Path) -> None:
    profile = tmp_path / "site.toml"
    with FaultServer(_site(NAIVE)) as server:
        host = server.url("/").split("/")[2]
        text = f'name = "site"\nbase_url = "http://{host}/"\ntimezone = "Africa/Casablanca"\n'
        profile.write_text(text, encoding="utf-8")
        summary = crawl_mirror(server.url("/"), tmp_path / "p.db", profile=str(profile))
    assert summary.status == "ok" and summary.articles_new == 3
    record = _records(tmp_path / "p.db")["Un texte sans fuseau 1"]
    assert record["published_at"] == "2025-07-11T20:30:00+01:00"


def test_stats_say_how_many_dates_have_no_known_offset(tmp_path: Path) -> None:
    from scraper.report.stats import render, series

    db = tmp_path / "n.db"
    with FaultServer(_site(NAIVE)) as server:
        crawl_mirror(server.url("/"), db, profile=None)
    with Store(db) as store:
        found = series(store)
    assert found[0].no_offset == 3
    assert "3 dated without a known UTC offset" in render(found)


def _sitemap(stories: list[Story], stamp: str) -> tuple[int, dict[str, str], bytes]:
    urls = "".join(
        f"<url><loc>{{root}}{s.path}</loc><lastmod>{stamp.format(n=n)}</lastmod></url>"
        for n, s in enumerate(stories, 1)
    )
    body = f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
    return 200, {"Content-Type": "application/xml"}, body.encode()


@pytest.mark.parametrize(
    ("stamp", "learned"),
    [("2025-07-1{n}T21:00:00+01:00", "+01:00"), ("2025-07-1{n}T20:00:00+00:00", None)],
)
def test_a_zone_is_learned_from_the_dates_a_sitemap_states(
    tmp_path: Path, stamp: str, learned: str | None
) -> None:
    """Pages that give only naive dates, a sitemap that gives them with the site's offset:
    the zone comes from the sitemap. A sitemap in UTC teaches nothing (it may be the server's
    clock), and the dates stay naive, counted."""
    db = tmp_path / "m.db"
    table = _site(NAIVE)
    status, headers, body = _sitemap(NAIVE, stamp)
    with FaultServer(table) as server:
        root = server.url("/").rstrip("/")
        routes = server.app
        assert isinstance(routes, Routes)
        routes["/sitemap.xml"] = (status, headers, body.replace(b"{root}", root.encode()))
        robots = f"User-agent: *\nAllow: /\nSitemap: {root}/sitemap.xml\n"
        routes["/robots.txt"] = (200, {"Content-Type": "text/plain"}, robots.encode())
        summary = crawl_mirror(server.url("/"), db, profile=None)
    assert summary.articles_new == 3
    records = _records(db)
    first = records["Un texte sans fuseau 1"]
    if learned:
        assert _site_row(db) == (learned, "learned")
        assert first["published_at"] == "2025-07-11T20:30:00+01:00"
        assert first["published_utc"] == "2025-07-11T19:30:00+00:00"
        assert summary.no_offset == 0
    else:
        assert _site_row(db) == (None, None)
        assert first["published_at"] == "2025-07-11T20:30:00" and summary.no_offset == 3


def test_listed_dates_keep_the_offset_they_were_stated_in() -> None:
    from scraper.discover import feeds

    rss = (
        b'<rss version="2.0"><channel><item><link>https://x.test/a</link>'
        b"<pubDate>Fri, 11 Jul 2025 20:30:00 +0100</pubDate></item>"
        b"<item><link>https://x.test/b</link><pubDate>11 Jul 2025</pubDate></item>"
        b"</channel></rss>"
    )
    a, b = feeds.parse_feed(rss)
    assert a.stated == "2025-07-11T20:30:00+01:00" and a.published == "2025-07-11T19:30:00+00:00"
    assert b.stated is None
    utc = feeds.parse_feed(rss.replace(b"+0100", b"+0000"))[0]
    assert utc.stated is None and utc.published == "2025-07-11T20:30:00+00:00"  # a server clock
    learner_dates = [a.stated, b.stated, "not a date"]
    from scraper.timezones import ZoneLearner

    learner = ZoneLearner(None)
    assert learner.observe_listed(learner_dates) is False  # one date: too few while crawling
    assert learner.finish() and learner.name == "+01:00"  # enough at the end
