"""The archive: transactions, updates in place, revisions, search, clear errors."""

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from scraper.article import Article, Link
from scraper.search import index_columns
from scraper.store import Frontier, FrontierEntry, PageRecord, Store, StoreError

TZ = timezone(timedelta(hours=1))


def sample(**changes) -> Article:
    fields = dict(
        url="https://news.example/ar/a/",
        language="ar",
        title="تدشين القطب المندمج للصناعة التقليدية",
        authors=["سهام"],
        published_at=datetime(2025, 11, 25, 10, 15, tzinfo=TZ),
        date_source="jsonld",
        categories=["اقتصاد", "مجتمع"],
        tags=["كلميم"],
        body="الفقرة الأولى عن الصناعة التقليدية.\n\nالفقرة الثانية.",
        related=[Link("https://news.example/ar/b/", "خبر آخر", "related")],
        next_url="https://news.example/ar/c/",
    )
    fields.update(changes)
    return Article(**fields)


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "archive.db") as s:
        yield s


def test_article_round_trips_in_the_record_format(store):
    site = store.ensure_site("news.example", "https://news.example/ar/")
    assert store.save_article(site, sample()) == "new"
    record = store.record("https://news.example/ar/a/")
    assert record["site"] == "news.example"
    assert record["categories"] == ["اقتصاد", "مجتمع"]
    assert record["tags"] == ["كلميم"]
    assert record["authors"] == ["سهام"]
    assert record["published_at"] == "2025-11-25T10:15:00+01:00"
    assert record["related"] == [{"url": "https://news.example/ar/b/", "title": "خبر آخر"}]
    assert record["next_url"] == "https://news.example/ar/c/"
    assert record["revision"] == 1
    assert record["word_count"] == 7


def test_resaving_updates_in_place_and_keeps_the_old_version(store):
    site = store.ensure_site("news.example", "https://news.example/ar/")
    store.save_article(site, sample())
    assert store.save_article(site, sample()) == "unchanged"
    assert store.save_article(site, sample(title="عنوان معدل")) == "updated"
    assert store.counts()["articles"] == 1
    record = store.record("https://news.example/ar/a/")
    assert record["title"] == "عنوان معدل" and record["revision"] == 2
    old = list(store.db.query("SELECT revision, title FROM revisions"))
    assert old == [{"revision": 1, "title": "تدشين القطب المندمج للصناعة التقليدية"}]
    assert store.search("معدل")[0]["url"] == "https://news.example/ar/a/"
    assert store.search("تدشين") == []


def test_search_folds_arabic_and_latin_forms(store):
    site = store.ensure_site("news.example", "https://news.example/")
    store.save_article(site, sample(body="التَّنْمِيَةُ المُسْتَدَامَةُ في المدرسة"))
    store.save_article(site, sample(url="https://news.example/fr/", title="L'économie", body="x"))
    assert [h["url"] for h in store.search("التنمية")] == ["https://news.example/ar/a/"]
    assert [h["url"] for h in store.search("economie")] == ["https://news.example/fr/"]


def test_bad_query_is_a_store_error(store):
    with pytest.raises(StoreError, match="bad search query"):
        store.search('"unbalanced')


def test_page_is_kept_compressed_with_validators(store):
    site = store.ensure_site("news.example", "https://news.example/")
    page = PageRecord(
        "https://news.example/ar/a/",
        "https://news.example/ar/a/",
        200,
        "<html>نص</html>".encode(),
        etag='"v1"',
        last_modified="Tue, 25 Nov 2025",
    )
    store.save_article(site, sample(), page)
    assert store.page_html("https://news.example/ar/a/") == "<html>نص</html>".encode()
    assert store.page_validators("https://news.example/ar/a/") == ('"v1"', "Tue, 25 Nov 2025")


def test_frontier_claims_in_priority_order_and_recovers_after_a_crash(store):
    site = store.ensure_site("news.example", "https://news.example/")
    entries = [
        FrontierEntry("https://news.example/a", "article", 30),
        FrontierEntry("https://news.example/", "home", 0),
    ]
    assert Frontier(store).add(site, entries) == 2
    assert Frontier(store).add(site, entries) == 0
    assert [r.url for r in Frontier(store).claim(site, 5)] == [
        "https://news.example/",
        "https://news.example/a",
    ]
    assert Frontier(store).claim(site, 5) == []
    assert Frontier(store).requeue(site, states=("active",)) == 2
    assert len(Frontier(store).claim(site, 5)) == 2


LISTED = ("listed_published", "listed_modified", "listed_raw", "listed_source")


def listed_of(store, url):
    sql = f"SELECT {', '.join(LISTED)}, state, kind FROM frontier WHERE url = ?"
    return store.db.execute(sql, [url]).fetchone()


def test_frontier_keeps_the_rest_dates_of_urls_it_knew_already(store):
    site = store.ensure_site("news.example", "https://news.example/")
    url, other = "https://news.example/ar/a/", "https://news.example/ar/b/"
    # 1. found on a listing page first: no dates
    assert Frontier(store).add(site, [FrontierEntry(url, "article", 30, 1)]) == 1
    assert listed_of(store, url) == (None, None, None, None, "pending", "article")
    # 2. then listed by the REST API, together with a new URL: only the new one counts
    rest = dict(
        listed_published="2025-11-25T10:15:00+01:00",
        listed_modified="2025-11-25T10:15:00+01:00",
        listed_raw='{"date": "2025-11-25T10:15:00", "date_gmt": "2025-11-25T09:15:00"}',
        listed_source="rest",
    )
    entries = [FrontierEntry(u, "article", 30, 1, "rest page", **rest) for u in (url, other)]
    assert Frontier(store).add(site, entries) == 1
    for u in (url, other):
        assert listed_of(store, u)[:4] == tuple(rest.values())
    assert listed_of(store, url)[4:] == ("pending", "article")  # nothing else changed
    # 3. a later listing with a newer modification and no publication date
    newer = FrontierEntry(
        url, "article", 30, 1, listed_modified="2025-11-26T08:00:00+01:00", listed_source="rest"
    )
    assert Frontier(store).add(site, [newer]) == 0
    assert listed_of(store, url)[:4] == (
        rest["listed_published"],
        "2025-11-26T08:00:00+01:00",
        rest["listed_raw"],
        "rest",
    )
    # 4. a sitemap or a link naming it again changes nothing
    before = listed_of(store, url)
    assert Frontier(store).add(site, [FrontierEntry(url, "link", 40, 2)]) == 0
    assert listed_of(store, url) == before
    # 5. claimed: the dates come with the entry
    claimed = {r.url: r for r in Frontier(store).claim(site, 5)}
    assert {k: getattr(claimed[url], k) for k in LISTED} == dict(
        zip(LISTED, before[:4], strict=True)
    )
    # 6. a revisit (listing and REST pages) still counts what it requeued, and records dates
    Frontier(store).finish(url, "done")
    again = FrontierEntry(url, "article", 30, 1, listed_published="2025-11-25T10:16:00+01:00")
    assert Frontier(store).add(site, [again], revisit=True) == 1
    assert listed_of(store, url)[0] == "2025-11-25T10:16:00+01:00"
    assert listed_of(store, url)[4] == "pending"


def test_a_failed_write_leaves_no_half_article(store, monkeypatch):
    site = store.ensure_site("news.example", "https://news.example/")

    def boom(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(store, "_index", boom)
    with pytest.raises(RuntimeError):
        store.save_article(site, sample())
    assert store.counts()["articles"] == 0
    assert store.db.count("article_categories") == 0


def test_unusable_paths_give_clear_errors(tmp_path):
    with pytest.raises(StoreError, match="does not exist"):
        Store(tmp_path / "missing" / "archive.db")
    with pytest.raises(StoreError, match="directory"):
        Store(tmp_path)
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError):
        Store(junk)


def test_a_crawl_store_keeps_sqlite_memory_defaults_and_a_reading_one_is_tuned(tmp_path):
    path = tmp_path / "archive.db"
    with Store(path) as crawling:
        assert crawling.db.execute("PRAGMA mmap_size").fetchone()[0] == 0
        default_cache = crawling.db.execute("PRAGMA cache_size").fetchone()[0]
        assert default_cache == -2000  # SQLite's default: 2 MB, whatever the archive's size
    with Store(path, reading=True) as reading:
        assert reading.db.execute("PRAGMA mmap_size").fetchone()[0] == 2**30
        assert reading.db.execute("PRAGMA cache_size").fetchone()[0] == -65536


def test_values_prepared_off_the_store_are_what_the_store_would_compute(tmp_path):
    import zlib

    from scraper.store import content_hash, prepare

    page = PageRecord(url=sample().url, final_url=sample().url, status=200, content=b"<p>x</p>")
    prepared = prepare(sample(), page)
    assert prepared.content_hash == content_hash(sample())
    assert zlib.decompress(prepared.page_html or b"") == b"<p>x</p>"
    # The index text prepared with the body's words computed once is the rebuild's.
    with_subtitle = replace(sample(), subtitle="العنوان الفرعي للمقال")
    for article in (sample(), with_subtitle, replace(sample(), body="")):
        fresh = prepare(article)
        assert (fresh.search_title, fresh.search_body) == index_columns(
            article.title, article.subtitle, article.body
        )
    assert prepare(with_subtitle).search_body.startswith("عنوان فرعي مقال ")
    rows = []
    for name, given in (("computed", None), ("prepared", prepared)):
        with Store(tmp_path / f"{name}.db") as store:
            site = store.ensure_site("news.example", "https://news.example/")
            assert store.save_article(site, sample(), page, prepared=given) == "new"
            assert [r["id"] for r in store.search("الصناعة")] == [1]
            rows.append(
                (
                    store.db.execute("SELECT content_hash, search_key FROM articles").fetchall(),
                    store.db.execute("SELECT title, body FROM articles_fts").fetchall(),
                    store.db.execute("SELECT html FROM pages").fetchall(),
                )
            )
    assert rows[0] == rows[1]
