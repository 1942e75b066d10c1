"""The WordPress REST API's dates: read with the site's offset, kept in the frontier, and
preferred over the page's own dates when the article is archived (or re-extracted)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from scraper.article import Article
from scraper.crawler.parse import listed_dates, parse_article
from scraper.crawler.summary import Site
from scraper.discover.feeds import parse_feed, parse_rest_posts, parse_sitemap, rest_date
from scraper.extract.listed import ListedDates, with_listed_dates
from scraper.fetch import FetchResult
from scraper.mirror import MirrorServer, default_site
from scraper.mirror.server import Response
from scraper.mirror.site import to_aware
from scraper.store import Claim, PageKind, Store, content_hash
from scraper.urls import canonical, same_page

from .conftest import crawl_mirror

CET = timezone(timedelta(hours=1))


def post(**fields: object) -> dict[str, object]:
    item: dict[str, object] = {"link": "https://news.example/ar/story/", "title": {"rendered": "t"}}
    item.update(fields)
    return item


def rest(*items: dict[str, object]) -> bytes:
    return json.dumps(list(items)).encode()


# ---------------------------------------------------------------------- parse_rest_posts
def test_the_offset_is_the_difference_of_date_and_date_gmt() -> None:
    [entry] = parse_rest_posts(
        rest(
            post(
                date="2025-11-25T10:15:00",
                date_gmt="2025-11-25T09:15:00",
                modified="2025-11-26T08:05:30",
                modified_gmt="2025-11-26T07:05:30",
            )
        )
    )
    assert entry.published == "2025-11-25T10:15:00+01:00"
    assert entry.modified == "2025-11-26T08:05:30+01:00"
    assert entry.lastmod == "2025-11-26T07:05:30+00:00"  # UTC, as for sitemaps and feeds
    assert entry.source == "rest" and entry.authoritative
    assert entry.title == "t"
    assert json.loads(entry.date_raw or "") == {
        "date": "2025-11-25T10:15:00",
        "date_gmt": "2025-11-25T09:15:00",
    }


def test_morocco_is_at_utc_during_ramadan() -> None:
    # Africa/Casablanca is +01:00 most of the year and +00:00 during Ramadan (2026: Feb-Mar).
    [before, ramadan] = parse_rest_posts(
        rest(
            post(date="2026-02-10T12:00:00", date_gmt="2026-02-10T11:00:00"),
            post(
                link="https://news.example/ar/ramadan/",
                date="2026-03-03T10:50:00",
                date_gmt="2026-03-03T10:50:00",
                modified="2026-03-03T21:05:00",
                modified_gmt="2026-03-03T21:05:00",
            ),
        )
    )
    assert before.published == "2026-02-10T12:00:00+01:00"
    assert ramadan.published == "2026-03-03T10:50:00+00:00"
    assert ramadan.modified == "2026-03-03T21:05:00+00:00"


@pytest.mark.parametrize(
    ("date", "date_gmt", "expected"),
    [
        ("2025-11-25T04:15:00", "2025-11-25T09:15:00", "2025-11-25T04:15:00-05:00"),  # New York
        ("2025-07-01T09:30:00", "2025-07-01T12:00:00", "2025-07-01T09:30:00-02:30"),  # St John's
        ("2025-11-24T23:40:00", "2025-11-25T03:40:00", "2025-11-24T23:40:00-04:00"),  # day before
        ("2025-11-25T15:00:00", "2025-11-25T09:15:00", "2025-11-25T15:00:00+05:45"),  # Kathmandu
        ("2025-11-26T00:15:00", "2025-11-25T10:15:00", "2025-11-26T00:15:00+14:00"),  # Kiritimati
    ],
)
def test_negative_and_odd_offsets(date: str, date_gmt: str, expected: str) -> None:
    [entry] = parse_rest_posts(rest(post(date=date, date_gmt=date_gmt)))
    assert entry.published == expected
    assert datetime.fromisoformat(expected).astimezone(UTC).replace(tzinfo=None) == (
        datetime.fromisoformat(date_gmt)
    )


@pytest.mark.parametrize(
    ("date", "date_gmt", "expected"),
    [
        (None, "2025-11-25T09:15:00", "2025-11-25T09:15:00+00:00"),  # only the UTC value
        ("0000-00-00T00:00:00", "2025-11-25T09:15:00", "2025-11-25T09:15:00+00:00"),
        ("hier", "2025-11-25T09:15:00", "2025-11-25T09:15:00+00:00"),
        ("2025-11-26T05:15:00", "2025-11-25T09:15:00", "2025-11-25T09:15:00+00:00"),  # 20 h apart
        ("2025-11-25T10:15:07", "2025-11-25T09:15:00", "2025-11-25T09:15:00+00:00"),  # seconds off
        ("2025-11-25T10:15:00", "2025-11-25T09:15:00Z", "2025-11-25T10:15:00+01:00"),
        ("2025-11-25T10:15:00+01:00", "2025-11-25T09:15:00", "2025-11-25T10:15:00+01:00"),
        ("2025-11-25T10:15:00", "0000-00-00T00:00:00", None),  # a draft's placeholder
        ("2025-11-25T10:15:00", None, None),  # local time alone: which moment is unknown
        ("2025-11-25T10:15:00", "", None),
        ("2025-11-25T10:15:00", "not a date", None),
        ("2025-11-25T10:15:00", 1764062100, None),
        (None, None, None),
    ],
)
def test_placeholders_garbage_and_missing_values(
    date: object, date_gmt: object, expected: str | None
) -> None:
    [entry] = parse_rest_posts(rest(post(date=date, date_gmt=date_gmt)))
    assert entry.published == expected
    assert (entry.date_raw is None) == (expected is None)
    direct = rest_date(date, date_gmt)
    assert (direct.isoformat() if direct else None) == expected


def test_missing_dates_leave_the_entry_without_them() -> None:
    [entry] = parse_rest_posts(rest(post()))
    assert (entry.published, entry.modified, entry.lastmod, entry.date_raw) == (None,) * 4
    assert entry.url == "https://news.example/ar/story/"


def test_modified_gmt_alone_still_gives_lastmod() -> None:
    [entry] = parse_rest_posts(rest(post(modified_gmt="2025-11-26T07:05:30")))
    assert entry.lastmod == "2025-11-26T07:05:30+00:00"
    assert entry.modified == "2025-11-26T07:05:30+00:00"
    assert entry.published is None


def test_items_without_a_link_and_bad_documents_are_skipped() -> None:
    assert parse_rest_posts(b"not json") == []
    assert parse_rest_posts(b'{"code": "rest_no_route"}') == []
    assert parse_rest_posts(rest(post(link=None), post())) == [parse_rest_posts(rest(post()))[0]]


def test_sitemaps_and_feeds_are_not_authoritative() -> None:
    sitemap = parse_sitemap(
        b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
        b' xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"><url>'
        b"<loc>https://news.example/a/</loc><lastmod>2025-11-25T10:15:00+01:00</lastmod>"
        b"<news:news><news:publication_date>2025-11-25T10:15:00+01:00</news:publication_date>"
        b"</news:news></url></urlset>"
    )
    [page] = sitemap.pages
    assert page.published == page.lastmod == "2025-11-25T09:15:00+00:00"  # UTC, as before
    assert page.source == "sitemap" and not page.authoritative
    [item] = parse_feed(
        b"<rss><channel><item><link>https://news.example/a/</link>"
        b"<pubDate>Tue, 25 Nov 2025 09:15:00 +0000</pubDate></item></channel></rss>"
    )
    assert item.source == "feed" and not item.authoritative


# ---------------------------------------------------------------------- laying dates over
def extracted(**fields: object) -> Article:
    values: dict[str, object] = {
        "url": "https://news.example/ar/story/",
        "title": "t",
        "published_at": datetime(2025, 11, 25, 10, 15),  # JSON-LD without a zone
        "modified_at": None,
        "date_source": "jsonld",
        "date_raw": "2025-11-25T10:15:00",
    }
    values.update(fields)
    return Article(**values)  # type: ignore[arg-type]


LISTED = ListedDates(
    "https://news.example/ar/story/",
    "2025-11-25T10:15:00+01:00",
    "2025-11-26T08:00:00+01:00",
    '{"date": "2025-11-25T10:15:00", "date_gmt": "2025-11-25T09:15:00"}',
)


def test_listed_dates_win_over_the_extracted_ones() -> None:
    article = extracted()
    dated = with_listed_dates(article, LISTED)
    assert dated.published_at == datetime(2025, 11, 25, 10, 15, tzinfo=CET)
    assert dated.modified_at == datetime(2025, 11, 26, 8, 0, tzinfo=CET)
    assert dated.date_source == "rest"
    assert dated.date_raw == LISTED.raw
    assert dated.title == "t" and dated.url == article.url
    assert article.date_source == "jsonld"  # a new Article: the extraction is left as it was


def test_a_listing_with_only_one_date_changes_only_that_one() -> None:
    only_modified = with_listed_dates(extracted(), ListedDates(LISTED.url, None, LISTED.modified))
    assert only_modified.published_at == datetime(2025, 11, 25, 10, 15)
    assert only_modified.date_source == "jsonld"
    assert only_modified.modified_at == datetime(2025, 11, 26, 8, 0, tzinfo=CET)
    only_published = with_listed_dates(
        extracted(modified_at=datetime(2025, 11, 25, 11, 0, tzinfo=CET)),
        ListedDates(LISTED.url, LISTED.published, None, None),
    )
    assert only_published.published_at == datetime(2025, 11, 25, 10, 15, tzinfo=CET)
    assert only_published.date_raw == LISTED.published  # no raw text: the value itself
    assert only_published.modified_at == datetime(2025, 11, 25, 11, 0, tzinfo=CET)


def test_values_without_an_offset_or_unreadable_are_ignored() -> None:
    article = extracted()
    bad = ListedDates(LISTED.url, "2025-11-25T10:15:00", "yesterday", "x")
    assert with_listed_dates(article, bad) is article


@pytest.mark.parametrize(
    ("page_modified", "kept"),
    [
        (datetime(2025, 11, 27, 9, 0, tzinfo=CET), True),  # edited after the listing
        (datetime(2025, 11, 27, 9, 0), True),  # ... the page says so without a zone
        (datetime(2025, 11, 26, 8, 0), False),  # the same moment, no zone
        (datetime(2025, 11, 26, 8, 0, tzinfo=UTC), False),  # same wall clock, wrong offset
        (datetime(2025, 11, 26, 7, 0, tzinfo=UTC), False),  # same moment, in UTC
        (datetime(2025, 11, 26, 8, 0, 40, tzinfo=CET), False),  # within a minute
        (datetime(2025, 11, 25, 10, 15, tzinfo=CET), False),  # older than the listing
    ],
)
def test_a_page_modified_after_the_listing_keeps_its_own_date(
    page_modified: datetime, kept: bool
) -> None:
    dated = with_listed_dates(extracted(modified_at=page_modified), LISTED)
    expected = page_modified if kept else datetime(2025, 11, 26, 8, 0, tzinfo=CET)
    assert dated.modified_at == expected
    assert dated.published_at == datetime(2025, 11, 25, 10, 15, tzinfo=CET)
    assert dated.date_source == "rest"


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("https://news.example/ar/story/", "https://news.example/ar/story/", True),
        ("http://news.example/ar/story/", "https://www.news.example/ar/story", True),
        ("https://news.example/ar/%d8%aa/", "https://news.example/ar/%D8%AA/", True),
        ("https://news.example/ar/story/", "https://news.example/ar/other/", False),
        ("https://news.example/ar/story/", "https://news.example/fr/story/", False),
        ("https://news.example/ar/story/", "https://other.example/ar/story/", False),
        ("https://news.example/?p=1", "https://news.example/?p=2", False),
        ("https://news.example/ar/story/", None, False),
    ],
)
def test_same_page(a: str, b: str | None, same: bool) -> None:
    assert same_page(a, b) is same


# ---------------------------------------------------------------------- parse_article
PAGE = """<html lang="ar"><head><title>{title}</title>
<link rel="canonical" href="{canonical}">
<meta property="og:type" content="article">
<script type="application/ld+json">{{"@context": "https://schema.org", "@type": "NewsArticle",
 "headline": "{title}", "datePublished": "2025-11-25T10:15:00"}}</script></head>
<body><article><h1>{title}</h1><p>{body}</p></article></body></html>"""
STORY = "https://news.example/ar/story/"


def fetched(canonical_url: str, final_url: str) -> FetchResult:
    html = PAGE.format(
        title="تدشين القطب المندمج", canonical=canonical_url, body="نص الخبر الكامل. " * 60
    )
    return FetchResult(
        STORY, final_url, 200, {"content-type": "text/html; charset=utf-8"},
        html.encode(), html, "utf-8", None, None, 0.0, 1, None,
    )  # fmt: skip


def parsed(canonical_url: str, final_url: str, listed: ListedDates | None) -> Article:
    site = Site("news.example", "https://news.example/ar/")
    when = datetime(2025, 12, 1, tzinfo=UTC)
    done = parse_article(
        fetched(canonical_url, final_url),
        canonical(final_url),
        when,
        site.name,
        site.profile,
        {"news.example"},
        True,
        listed,
    )
    assert done.page is not None and done.prepared is not None
    assert done.prepared.content_hash == content_hash(done.article)  # with the final dates
    return done.article


def test_parse_article_lays_the_listed_dates_over_the_extracted_ones() -> None:
    article = parsed(STORY, STORY, LISTED)
    assert article.date_source == "rest"
    assert article.published_at == datetime(2025, 11, 25, 10, 15, tzinfo=CET)
    assert parsed(STORY, STORY, None).date_source == "jsonld"


def test_listed_dates_follow_the_url_not_a_redirect_elsewhere() -> None:
    other = "https://news.example/ar/other-story/"
    # The listed URL redirected to another article: its dates are not that article's.
    assert parsed(other, other, LISTED).date_source == "jsonld"
    # Redirected elsewhere, but the page says it is the listed article.
    assert parsed(STORY, other, LISTED).date_source == "rest"
    # Fetched at the listed URL, the page names another canonical URL: same content, same post.
    moved = parsed(other, STORY, LISTED)
    assert moved.url == other and moved.date_source == "rest"
    # A redirect that only adds the trailing slash or changes the scheme is the same page.
    slashless = ListedDates(STORY.rstrip("/"), LISTED.published, LISTED.modified, LISTED.raw)
    assert parsed(STORY, STORY, slashless).date_source == "rest"


def test_a_claimed_entry_carries_listed_dates_only_from_an_authoritative_source() -> None:
    entry = Claim(
        url=STORY,
        kind=PageKind.ARTICLE,
        listed_published=LISTED.published,
        listed_modified=LISTED.modified,
        listed_raw=LISTED.raw,
        listed_source="rest",
    )
    assert listed_dates(entry) == LISTED
    assert listed_dates(replace(entry, listed_source=None)) is None
    assert listed_dates(replace(entry, listed_source="sitemap")) is None
    assert listed_dates(Claim(url=STORY, kind=PageKind.ARTICLE)) is None


# ---------------------------------------------------------------------- crawls of the mirror
NO_SITEMAP = "User-agent: *\nDisallow: /wp-admin/\n"


def without_sitemaps(method: str, path: str) -> Response | None:
    """A robots.txt naming no sitemap: the crawler then reads the REST API."""
    if path == "/robots.txt":
        return Response(200, [("Content-Type", "text/plain")], NO_SITEMAP.encode())
    return None


def crawl_via_rest(server: MirrorServer, db: Path, **options: object) -> None:
    server.intercept = without_sitemaps
    server.clear_requests()
    summary = crawl_mirror(server.base_url + "/ar/", db, **options)
    assert summary.errors == 0
    paths = [r.path for r in server.requests]
    assert not [p for p in paths if p.endswith(".xml")]
    assert "/wp-json/wp/v2/posts?per_page=100&page=1" in paths


def key(path: str) -> str:
    """A mirror path as the archive spells it (canonical percent-escapes)."""
    return urlsplit(canonical("http://x" + path)).path


def by_path(db: Path) -> dict[str, dict]:
    with Store(db) as store:
        return {key(urlsplit(r["url"]).path): r for r in store.records()}


def test_a_crawl_through_the_rest_api_dates_articles_from_it(
    tmp_path: Path, truth: list[dict]
) -> None:
    db = tmp_path / "archive.db"
    with MirrorServer(default_site()) as server:
        crawl_via_rest(server, db, workers=1)  # one worker: every listing before any article
    records = by_path(db)
    assert len(records) == len(truth)
    wrong = [
        (t["id"], r["published_at"], r["modified_at"], r["date_source"])
        for t in truth
        for r in [records[key(t["path"])]]
        if (r["published_at"], r["modified_at"], r["date_source"])
        != (t["published_at"], t["modified_at"], "rest")
    ]
    assert wrong == []
    assert {t["published_at"][-6:] for t in truth} == {"+01:00", "+00:00"}  # Ramadan included
    with Store(db) as store:
        row = store.db.execute(
            "SELECT a.date_raw, f.listed_raw, f.listed_source FROM articles a"
            " JOIN frontier f ON f.url = a.url LIMIT 1"
        ).fetchone()
    assert row[0] == row[1] and row[2] == "rest"
    assert set(json.loads(row[0])) == {"date", "date_gmt"}


def test_without_a_profile_the_rest_api_still_gives_the_exact_offset(
    tmp_path: Path, truth: list[dict]
) -> None:
    """The generic path reads JNews's zone-less JSON-LD as a naive time; REST knows better."""
    expected = {key(t["path"]): t for t in truth}
    db = tmp_path / "archive.db"
    with MirrorServer(default_site()) as server:
        crawl_via_rest(server, db, profile=None, workers=1)
    records = by_path(db)
    dated = {p: r for p, r in records.items() if p in expected}
    assert len(dated) == len(truth)
    assert all(r["date_source"] == "rest" for r in dated.values())
    assert [p for p, r in dated.items() if r["published_at"] != expected[p]["published_at"]] == []


def test_a_revisit_keeps_a_newer_page_modification_over_the_stored_listing(
    tmp_path: Path,
) -> None:
    site = default_site()
    db = tmp_path / "archive.db"
    with MirrorServer(site) as server:
        crawl_via_rest(server, db, workers=1)
        article = next(iter(site))
        site.edit(article.id, paragraphs=[*article.paragraphs, "فقرة مضافة بعد التحديث."])
        server.intercept = without_sitemaps
        again = crawl_mirror(server.base_url + "/ar/", db, revisit_days=3650)
        edited = site.get(article.id)
    assert again.articles_updated == 1
    record = by_path(db)[key(edited.path())]
    assert record["revision"] == 2 and record["date_source"] == "rest"
    assert record["published_at"] == to_aware(edited.published).isoformat()
    # the edit's date, not the first run's listing
    assert record["modified_at"] == to_aware(edited.last_changed).isoformat()
    assert record["modified_at"] > record["published_at"]


def test_a_rerun_reads_the_rest_api_again_and_refetches_what_it_says_changed(
    tmp_path: Path,
) -> None:
    site = default_site()
    db = tmp_path / "archive.db"
    with MirrorServer(site) as server:
        crawl_via_rest(server, db)
        article = next(iter(site))
        site.edit(article.id, paragraphs=[*article.paragraphs, "فقرة مضافة بعد التحديث."])
        server.intercept = without_sitemaps
        server.clear_requests()
        again = crawl_mirror(server.base_url + "/ar/", db, revisit_days=0)  # no revisit window
        paths = [r.path for r in server.requests]
        edited = site.get(article.id)
    assert [p for p in paths if "/wp-json/wp/v2/posts" in p], "the REST listing is read again"
    assert (again.articles_new, again.articles_updated) == (0, 1)
    record = by_path(db)[key(edited.path())]
    assert record["revision"] == 2 and record["date_source"] == "rest"
    assert record["modified_at"] == to_aware(edited.last_changed).isoformat()


def test_articles_archived_before_the_rest_api_dated_them_are_read_again_once(
    tmp_path: Path, truth: list[dict]
) -> None:
    db = tmp_path / "archive.db"
    with MirrorServer(default_site()) as server:
        first = crawl_mirror(server.base_url + "/ar/", db)  # sitemaps: dates from the pages
        before = by_path(db)
        server.intercept = without_sitemaps  # the REST API is read from now on
        server.clear_requests()
        second = crawl_mirror(server.base_url + "/ar/", db, revisit_days=0)
        refetched = [r for r in server.requests if r.status == 200 and "/wp-json/" not in r.path]
        server.clear_requests()
        third = crawl_mirror(server.base_url + "/ar/", db, revisit_days=0)
        third_articles = [
            r for r in server.requests if r.status == 200 and "/wp-json/" not in r.path
        ]
    assert first.articles_new == len(truth) and second.articles_new == 0
    assert {r["date_source"] for r in before.values()} != {"rest"}
    after = by_path(db)
    assert {r["date_source"] for r in after.values()} == {"rest"}
    assert len(refetched) >= len(truth)  # every article once (listings come on top)
    assert second.not_modified == 0  # read in full: a 304 would have kept the old dates
    expected = {key(t["path"]): t for t in truth}
    assert [p for p, r in after.items() if r["published_at"] != expected[p]["published_at"]] == []
    assert third.articles_new + third.articles_updated + third.articles_unchanged == 0
    assert len(third_articles) < len(truth)  # the next run reads listings only
