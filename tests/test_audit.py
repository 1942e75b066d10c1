"""``scraper audit``: what a site declares against what the archive holds, over loopback.

The mirror declares its 74 posts in its sitemaps, feeds and section listings. A crawl cut
short by ``--max-pages`` leaves some of them out; the audit must list exactly those (none
extra), per section and month, and their URLs must complete the archive through
``scraper crawl --urls``.
"""

from __future__ import annotations

import json
import math
import random
from collections import Counter
from datetime import date, datetime, timedelta
from html import unescape
from pathlib import Path
from urllib.parse import unquote

import pytest
from click.testing import CliRunner

from scraper.cli import main
from scraper.mirror import MirrorServer, default_site
from scraper.mirror.server import Response
from scraper.mirror.site import Site
from scraper.report.gaps import unusual_gaps
from scraper.store import Frontier, FrontierEntry, PageKind, Store
from scraper.urls import canonical
from tests.conftest import crawl_mirror


def cli(*args: object) -> tuple[int, str]:
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    return result.exit_code, result.output


def audit_json(db: Path, *args: object) -> tuple[int, dict]:
    code, out = cli("audit", "--db", db, "--json", *args)
    return code, json.loads(out)


def archived_urls(db: Path) -> set[str]:
    with Store(db) as store:
        return {r["url"] for r in store.records()}


def test_an_early_stop_leaves_exactly_the_missing_articles_per_section_and_month(
    tmp_path: Path,
) -> None:
    db = tmp_path / "archive.db"
    with MirrorServer(default_site()) as server:
        summary = crawl_mirror(server.base_url + "/ar/", db, max_pages=60)
        truth = {canonical(server.base_url + a.path()): a for a in server.site}
        archived = archived_urls(db)
        assert 0 < summary.articles_new < len(truth)

        code, report = audit_json(db)  # offline: what the crawl recorded
        site = report["sites"][0]
        expected = set(truth) - archived
        assert code == 1 and report["complete"] is False
        # A trial fetches known articles first, so how much the crawl had read of the
        # sitemaps when it stopped depends on timing: what it declared and did not archive
        # is missing, nothing else.
        missing = {m["url"] for m in site["missing"]}
        assert missing and missing <= expected
        assert site["archived"] == len(archived)
        assert site["not_fetched"] == len(missing) == site["declared"] - len(archived)
        assert site["failed"] == 0

        # --refresh re-reads every listing: each missing URL gets its sections.
        code, report = audit_json(db, "--refresh", "--delay", 0)
        site = report["sites"][0]
        assert code == 1 and {m["url"] for m in site["missing"]} == expected
        # The site dates an unfetched post only by its sitemap lastmod (site time).
        want = Counter(
            (section, truth[url].last_changed.strftime("%Y-%m"))
            for url in expected
            for section in truth[url].categories
        )
        got = Counter(
            {(c["section"], c["month"]): c["not_fetched"] for c in site["by_section_month"]}
        )
        assert +got == want
        # Archived articles count in their own categories and publication month.
        held = Counter(
            (section, truth[url].published.strftime("%Y-%m"))
            for url in archived
            for section in truth[url].categories
        )
        assert (
            +Counter({(c["section"], c["month"]): c["archived"] for c in site["by_section_month"]})
            == held
        )

        # --refresh also read each category's post count (REST): every one accounted for.
        sections = [t for t in site["totals"] if t["section"]]
        assert len(sections) >= 10 and all(t["short"] == 0 for t in sections)
        assert all(t["matched"] for t in sections if t["total"])

        # The missing URLs, fed to a crawl, complete the archive.
        missing = tmp_path / "missing.txt"
        code, _ = cli("audit", "--db", db, "--missing-urls", missing)
        assert set(missing.read_text().split()) == expected
        server.clear_requests()
        code, out = cli(
            "crawl", "--profile", "sahara.ma", server.base_url + "/ar/", "--db", db,
            "--delay", 0, "--urls", missing,
        )  # fmt: skip
        assert code == 0, out
        fetched = {r.path for r in server.requests if r.path != "/robots.txt"}
        assert len(fetched) == len(expected)  # exactly those, nothing else
    assert archived_urls(db) == set(truth)
    code, text = cli("audit", "--db", db)
    assert code == 0 and "complete: 74 declared: 74 archived" in text


def test_an_imported_archive_audits_as_its_source(tmp_path: Path) -> None:
    """Crawls sharded over machines are merged with ``scraper import``: the merged archive
    knows what each site declared, and what failed with which reason."""
    source, merged = tmp_path / "shard.db", tmp_path / "merged.db"
    site = default_site()
    broken = next(a for a in site if a.lang == "en").path()
    with MirrorServer(site) as server:
        server.intercept = lambda method, path: (
            Response(500, [("Content-Type", "text/html")], b"down") if path == broken else None
        )
        crawl_mirror(server.base_url + "/ar/", source)
    code, out = cli("import", source, "--db", merged)
    assert code == 0, out
    (_, before), (_, after) = audit_json(source), audit_json(merged)
    assert after["sites"][0]["missing"] == before["sites"][0]["missing"]
    assert after["sites"][0]["declared"] == before["sites"][0]["declared"] == 74
    [failed] = after["sites"][0]["missing"]
    assert failed["status"] == "failed" and failed["reason"].startswith("HTTP 500")


def test_the_reading_room_shows_the_audit(tmp_path: Path) -> None:
    """``/-/audit`` in ``scraper serve``: the CLI's report, and its JSON, in the browser."""
    import asyncio

    from scraper.web.serve import make_app

    db = tmp_path / "archive.db"
    with MirrorServer(default_site()) as server:
        crawl_mirror(server.base_url + "/ar/", db, max_pages=60)
    _, report = audit_json(db)

    async def fetch() -> list:
        app = make_app(db)
        await app.invoke_startup()
        return [await app.client.get(p) for p in ("/-/audit", "/-/audit.json", "/-/audit?site=x")]

    page, data, unknown = asyncio.run(fetch())
    assert page.status_code == 200 and data.json() == report
    site = report["sites"][0]
    assert "incomplete" in page.text and f"Missing ({len(site['missing'])})" in page.text
    first = site["missing"][0]["url"]
    assert unquote(first) in unescape(page.text)  # the address shown decoded
    assert "no site named" in unescape(unknown.text)


def test_a_complete_crawl_audits_complete(crawled: dict) -> None:
    code, report = audit_json(crawled["db"])
    site = report["sites"][0]
    assert code == 0 and report["complete"] is True
    assert site["declared"] == site["archived"] == 74 and site["missing"] == []


def test_a_failed_page_is_listed_with_its_reason(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    site = default_site()
    broken = next(a for a in site if a.lang == "fr")
    with MirrorServer(site) as server:
        target = broken.path()

        def fail_one(method: str, path: str) -> Response | None:
            if path == target:
                return Response(500, [("Content-Type", "text/html")], b"<h1>down</h1>")
            return None

        server.intercept = fail_one
        crawl_mirror(server.base_url + "/ar/", db)
        url = canonical(server.base_url + target)
    code, report = audit_json(db)
    site_report = report["sites"][0]
    assert code == 1 and site_report["failed"] == 1 and site_report["not_fetched"] == 0
    [missing] = site_report["missing"]
    assert missing["url"] == url and missing["status"] == "failed"
    assert missing["reason"].startswith("HTTP 500") and "tries" in missing["reason"]
    code, text = cli("audit", "--db", db)
    assert code == 1 and "HTTP 500" in text and "failed:" in text


def test_a_section_announcing_more_posts_than_any_list_gave_is_short(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    with MirrorServer(default_site()) as server:
        crawl_mirror(server.base_url + "/ar/", db)

        def inflate(method: str, path: str) -> Response | None:
            """The categories endpoint says اقتصاد has five posts more than it lists."""
            if "/wp/v2/categories" not in path:
                return None
            real = server.router.respond(path, f"127.0.0.1:{server.port}")
            terms = json.loads(real.body)
            for term in terms:
                if term["name"] == "اقتصاد":
                    term["count"] += 5
            return Response(real.status, real.headers, json.dumps(terms).encode())

        server.intercept = inflate
        code, report = audit_json(db, "--refresh", "--delay", 0)
    site = report["sites"][0]
    [economy] = [t for t in site["totals"] if t["section"] == "اقتصاد"]
    assert code == 1 and report["complete"] is False and site["missing"] == []
    assert economy["short"] == 5 and economy["known"] == economy["total"] - 5
    _, text = cli("audit", "--db", db)
    assert "section اقتصاد announces" in text and "at least 5 not listed" in text


def test_urls_a_trap_bound_cut_are_missing_with_the_bound_named(tmp_path: Path) -> None:
    """A sitemap lists eight query variants of one page: five are fetched
    (``max_query_variants=5``), three are cut, and the audit names the bound."""
    db = tmp_path / "archive.db"
    site = default_site()
    page = next(a for a in site if a.lang == "es").path()
    with MirrorServer(site) as server:
        base = server.base_url
        variants = [f"{base}{page}?variant={n}" for n in range(8)]
        sitemap = (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            + "".join(f"<url><loc>{u}</loc></url>" for u in variants)
            + "</urlset>"
        ).encode()

        def trap(method: str, path: str) -> Response | None:
            if path == "/robots.txt":
                text = f"User-agent: *\nAllow: /\nSitemap: {base}/variants.xml\n"
                return Response(200, [("Content-Type", "text/plain")], text.encode())
            if path == "/variants.xml":
                return Response(200, [("Content-Type", "application/xml")], sitemap)
            return None

        server.intercept = trap
        summary = crawl_mirror(base + "/ar/", db, max_query_variants=5)
    assert summary.bounded == {"max_query_variants": 3}
    code, report = audit_json(db)
    cut = [m for m in report["sites"][0]["missing"] if "variant=" in m["url"]]
    assert code == 1 and len(cut) == 3
    assert all(m["reason"].startswith("cut by the trap bound max_query_variants") for m in cut)
    # Offered again (a later crawl, a higher bound), they are queued, not left skipped.
    with Store(db) as store:
        again = Frontier(store).add(
            store.ensure_site(report["sites"][0]["site"], base),
            [FrontierEntry(m["url"], PageKind.ARTICLE, 30) for m in cut],
        )
    assert again == 3


def test_articles_outside_the_crawl_window_are_counted_apart_not_missing(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    with MirrorServer(default_site()) as server:
        crawl_mirror(server.base_url + "/ar/", db, since="2026-01-01")
        in_window = {
            canonical(server.base_url + a.path())
            for a in server.site
            if a.published.date() >= date(2026, 1, 1)
        }
        assert archived_urls(db) == in_window and 0 < len(in_window) < 74
        for args in ((), ("--refresh", "--delay", 0)):  # a refresh keeps the crawl's window
            code, report = audit_json(db, *args)
            site = report["sites"][0]
            assert code == 0 and report["complete"] is True, site["missing"][:3]
            assert site["archived"] == len(in_window)
            assert site["outside_window"] == 74 - len(in_window)
            assert site["skipped"] == 0 and site["skipped_reasons"] == {}


def daily_site(start: date, days: int, silent: range) -> Site:
    """Economy: four articles a day, none on the ``silent`` days; culture: one every three
    days (rare enough that its pauses are not unusual)."""
    articles, number = [], 5000
    for offset in range(days):
        day = datetime.combine(start + timedelta(days=offset), datetime.min.time())
        per_day = 0 if offset in silent else 4
        for k in range(per_day):
            articles.append(_article(number, day + timedelta(hours=8 + k), "اقتصاد"))
            number += 1
        if offset % 3 == 0:
            articles.append(_article(number, day + timedelta(hours=20), "ثقافة"))
            number += 1
    return Site(articles)


def _article(number: int, when: datetime, section: str) -> dict:
    words = ["المغرب", "الاقتصاد", "الحكومة", "المدينة", "السوق", "المشروع", "الجهة"]
    sentence = " ".join(words[(number + i) % len(words)] for i in range(12))
    return {
        "id": number,
        "lang": "ar",
        "slug": f"مقال-{number}",
        "title": f"عنوان المقال رقم {number} عن {section}",
        "published": when.isoformat(),
        "categories": [section],
        "paragraphs": [f"{sentence} رقم {number} الفقرة {p}." for p in range(4)],
    }


def test_a_silent_stretch_in_a_busy_section_is_flagged(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    site = daily_site(date(2026, 1, 5), 42, silent=range(20, 23))
    with MirrorServer(site) as server:
        summary = crawl_mirror(server.base_url + "/ar/", db)
    assert summary.errors == 0 and summary.articles_new == len(site)
    code, report = audit_json(db)
    gaps = report["sites"][0]["gaps"]
    assert code == 0  # a gap is a flag, not a missing article
    economy = [g for g in gaps if g["section"] == "اقتصاد"]
    assert [(g["first"], g["last"], g["days"]) for g in economy] == [
        ("2026-01-25", "2026-01-27", 3)
    ]
    assert not [g for g in gaps if g["section"] == "ثقافة"]
    _, text = cli("audit", "--db", db)
    assert "gap in ar section اقتصاد: 2026-01-25 .. 2026-01-27 (3 d" in text


# ---------------------------------------------------------------------- pure parts
def days(counts: list[int], start: date = date(2026, 3, 2)) -> dict[date, int]:
    return {start + timedelta(days=i): n for i, n in enumerate(counts)}


def test_a_day_without_news_is_unusual_only_where_news_is_daily_and_plentiful() -> None:
    busy = [10] * 30
    busy[15] = 0
    assert [(g.first, g.days) for g in unusual_gaps(days(busy))] == [("2026-03-17", 1)]
    one_a_day = [1] * 60
    one_a_day[30] = 0
    assert unusual_gaps(days(one_a_day)) == []  # one quiet day: chance, not a hole
    for i in range(27, 34):
        one_a_day[i] = 0  # a week: in two months of one a day, luck can do that
    assert unusual_gaps(days(one_a_day)) == []
    for i in range(25, 36):
        one_a_day[i] = 0  # eleven days: it cannot (1 % for the whole series)
    [gap] = unusual_gaps(days(one_a_day))
    assert gap.days == 11 and gap.expected == pytest.approx(11.0)


def test_weekends_and_weekly_columns_are_the_series_own_rhythm() -> None:
    weekdays = [
        0 if (date(2026, 3, 2) + timedelta(days=i)).weekday() >= 5 else 6 for i in range(60)
    ]
    assert unusual_gaps(days(weekdays)) == []
    weekly = [3 if i % 7 == 0 else 0 for i in range(70)]
    assert unusual_gaps(days(weekly)) == []
    weekly[28] = 0  # one missed week of a weekly column with three pieces: not unusual
    assert unusual_gaps(days(weekly)) == []


def test_chance_alone_rarely_flags_a_gap() -> None:
    """Series of independent days (Poisson, from sparse to busy): at most a few in a hundred
    get a gap flagged by luck, over a month or two years."""
    rng = random.Random(7)
    for length in (40, 730):
        for rate in (0.3, 1, 3, 10):
            flagged = sum(
                bool(unusual_gaps(days([poisson(rng, rate) for _ in range(length)])))
                for _ in range(60)
            )
            assert flagged <= 3, (length, rate, flagged)


def poisson(rng: random.Random, rate: float) -> int:
    limit, count, product = math.exp(-rate), 0, rng.random()
    while product >= limit:
        count += 1
        product *= rng.random()
    return count


def test_a_long_outage_does_not_lower_its_own_expectation() -> None:
    counts = [5] * 90
    for i in range(30, 60):
        counts[i] = 0
    [gap] = unusual_gaps(days(counts))
    assert (gap.days, gap.expected) == (30, pytest.approx(150.0))


def test_a_gap_next_to_another_does_not_hide_it() -> None:
    """A month of one a day with ten silent days, then three silent weeks: each gap is
    judged against the days that have articles, not against the other gap."""
    counts = [0 if 11 <= i <= 20 or 31 <= i <= 53 else 1 for i in range(57)]
    found = unusual_gaps(days(counts, start=date(2025, 10, 1)))
    assert [(g.first, g.days) for g in found] == [("2025-10-12", 10), ("2025-11-01", 23)]


def test_urls_for_a_crawl_must_be_the_sites(tmp_path: Path) -> None:
    bad = tmp_path / "urls.txt"
    bad.write_text("https://elsewhere.example/a/\n")
    code, out = cli("crawl", "sahara.ma", "--db", tmp_path / "a.db", "--urls", bad)
    assert code == 2 and "is not on sahara.ma" in out and "Traceback" not in out
    bad.write_text("# nothing but a comment\n\n")
    code, out = cli("crawl", "sahara.ma", "--db", tmp_path / "a.db", "--urls", bad)
    assert code == 2 and "no URL in" in out
    bad.write_text("not a url\n")
    code, out = cli("crawl", "sahara.ma", "--db", tmp_path / "a.db", "--urls", bad)
    assert code == 2 and "not an http(s) URL" in out


def test_an_archive_without_declarations_is_not_called_complete(tmp_path: Path) -> None:
    db = tmp_path / "empty.db"
    Store(db).close()
    code, text = cli("audit", "--db", db)
    assert code == 1 and "no site yet" in text


def test_a_bound_that_cut_nothing_is_not_reported(tmp_path: Path) -> None:
    """Links beyond ``max_hops`` that the crawl already knew are no cut: no bound, no
    warning, nothing for the audit to name."""
    with MirrorServer(default_site()) as server:
        summary = crawl_mirror(server.base_url + "/ar/", tmp_path / "a.db", max_hops=0)
    assert summary.bounded == {} and summary.status == "ok"
