"""The archive: transactions, updates in place, revisions, search, clear errors."""

from datetime import datetime, timedelta, timezone

import pytest

from scraper.article import Article, Link
from scraper.store import FrontierEntry, PageRecord, Store, StoreError

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
    assert store.frontier_add(site, entries) == 2
    assert store.frontier_add(site, entries) == 0
    assert [r["url"] for r in store.frontier_claim(site, 5)] == [
        "https://news.example/",
        "https://news.example/a",
    ]
    assert store.frontier_claim(site, 5) == []
    assert store.frontier_requeue(site, states=("active",)) == 2
    assert len(store.frontier_claim(site, 5)) == 2


def test_a_failed_write_leaves_no_half_article(store, monkeypatch):
    site = store.ensure_site("news.example", "https://news.example/")

    def boom(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(store, "_index", boom)
    with pytest.raises(RuntimeError):
        store.save_article(site, sample())
    assert store.counts()["articles"] == 0
    assert store.db["article_categories"].count == 0


def test_unusable_paths_give_clear_errors(tmp_path):
    with pytest.raises(StoreError, match="does not exist"):
        Store(tmp_path / "missing" / "archive.db")
    with pytest.raises(StoreError, match="directory"):
        Store(tmp_path)
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError):
        Store(junk)
