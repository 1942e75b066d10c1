"""The archive for analysts: documented versioned schema and its migration, revisions and
history, re-extraction without network, exports, stats."""

from __future__ import annotations

import io
import json
import re
import shutil
import socket
import sqlite3
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from scraper import store as store_module
from scraper.article import Article, Link
from scraper.cli import main
from scraper.extract import extract
from scraper.report import exporting
from scraper.scale.reextract import reextract
from scraper.store import SCHEMA_VERSION, Frontier, FrontierEntry, PageRecord, Store, StoreError

ROOT = Path(__file__).resolve().parents[1]
V1_FIXTURE = Path(__file__).parent / "fixtures" / "archive_v1.sql"
V2_FIXTURE = Path(__file__).parent / "fixtures" / "archive_v2.sql"
LISTED_COLUMNS = ["listed_published", "listed_modified", "listed_raw", "listed_source"]
TZ = timezone(timedelta(hours=1))


def run(*args: str) -> object:
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    return result


# ---------------------------------------------------------------------- schema and docs
def test_the_schema_is_versioned_and_documented(tmp_path: Path) -> None:
    doc = (ROOT / "docs" / "schema.md").read_text(encoding="utf-8")
    sections = dict(re.findall(r"^### `(\w+)`\n(.*?)(?=^### |\Z)", doc, flags=re.S | re.M))
    with Store(tmp_path / "a.db") as s:
        assert s.schema_version == SCHEMA_VERSION == 21
        objects = s.db.execute(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')"
            " AND name NOT LIKE 'articles_fts_%' AND name NOT LIKE 'articles_text_%'"
            " AND name NOT LIKE 'sqlite_%'"
        ).fetchall()
        for (name,) in objects:
            assert name in sections, f"docs/schema.md has no section for {name}"
            for column in s.db.execute(f"SELECT name FROM pragma_table_info('{name}')"):
                assert f"`{column[0]}`" in sections[name], f"{name}.{column[0]} undocumented"
        assert f"user_version = {SCHEMA_VERSION}" in doc


def test_foreign_keys_and_indexes_for_common_queries(tmp_path: Path) -> None:
    with Store(tmp_path / "a.db") as s:
        assert s.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        indexed = {
            (table, tuple(r[2] for r in s.db.execute(f"PRAGMA index_info('{index}')")))
            for table in ("articles", "article_categories", "article_tags", "pages")
            for (index,) in s.db.execute(
                f"SELECT name FROM pragma_index_list('{table}')"
            ).fetchall()
        }
        assert ("articles", ("site_id", "published_at")) in indexed
        assert ("articles", ("published_at",)) in indexed
        assert ("articles", ("language", "published_at")) in indexed
        assert ("article_categories", ("category_id", "article_id")) in indexed
        assert ("article_tags", ("tag_id", "article_id")) in indexed
        assert ("articles", ("search_key",)) in indexed
        assert ("pages", ("site_id",)) in indexed
        site = s.ensure_site("news.example", "https://news.example/")
        s.save_article(site, Article(url="https://news.example/1/", title="x", categories=["a"]))
        with pytest.raises(sqlite3.IntegrityError):
            s.db.execute("INSERT INTO article_tags VALUES (999, 999, 0)")
        assert s.db.execute("PRAGMA foreign_key_check").fetchall() == []


# ---------------------------------------------------------------------- migration
def load_v1(tmp_path: Path, fixture: Path = V1_FIXTURE) -> Path:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    conn.executescript(fixture.read_text(encoding="utf-8"))
    conn.close()
    return path


def frontier_columns(conn: sqlite3.Connection) -> list[str]:
    return [r[1] for r in conn.execute("PRAGMA table_info('frontier')")]


def test_an_archive_of_schema_1_is_migrated_with_its_data(tmp_path: Path) -> None:
    path = load_v1(tmp_path)
    with Store(path) as s:
        assert s.schema_version == SCHEMA_VERSION
        records = {r["url"]: r for r in s.records()}
        ar = records["https://news.example/ar/economy/"]
        assert ar["revision"] == 2 and ar["authors"] == ["سهام"]
        assert ar["categories"] == ["اقتصاد", "جهات"] and ar["tags"][0] == "كلميم"
        assert ar["related"] == [{"url": "https://news.example/ar/other/", "title": "خبر آخر"}]
        versions = s.history(ar["id"])
        assert [v["revision"] for v in versions] == [1, 2]
        assert versions[0]["title"].startswith("تَدْشِينُ")
        assert s.page_html("https://news.example/ar/economy/").startswith(b"<html>")
        assert Frontier(s).state("https://news.example/ar/") == "done"
        # the search index was rebuilt with the new analyzer: clitics now match
        assert [h["url"] for h in s.search("اقتصاد")] == [ar["url"]]
        assert [h["url"] for h in s.search("المدرسة")] == [ar["url"]]
        assert [h["url"] for h in s.search("economie")] == ["https://news.example/fr/economie/"]
        assert s.db.execute("SELECT count(*) FROM article_list").fetchone()[0] == 2
        assert s.db.execute("PRAGMA foreign_key_check").fetchall() == []
        columns = s.db.execute("PRAGMA index_info('article_categories_category')").fetchall()
        assert [c[2] for c in columns] == ["category_id", "article_id"]
        site = s.db.execute("SELECT id FROM sites").fetchone()[0]
        assert s.save_article(site, Article(url="https://news.example/new/", title="x")) == "new"
        assert frontier_columns(s.db.conn)[-4:] == LISTED_COLUMNS  # and on to version 3
    with Store(path) as s:  # opening again is a no-op
        assert s.counts()["articles"] == 3


def test_an_archive_of_schema_2_is_migrated_with_its_data(tmp_path: Path) -> None:
    path = load_v1(tmp_path, V2_FIXTURE)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
    assert "listed_published" not in frontier_columns(conn)
    conn.close()
    economy, pending = "https://news.example/ar/economy/", "https://news.example/ar/pending/"
    with Store(path) as s:
        assert s.schema_version == SCHEMA_VERSION == 21
        assert frontier_columns(s.db.conn)[-4:] == LISTED_COLUMNS
        assert s.counts() == {
            "sites": 1, "articles": 2, "categories": 2, "tags": 1, "links": 1, "revisions": 0,
            "pages": 2, "frontier": 4,
        }  # fmt: skip
        record = s.record(economy)
        assert record["published_at"] == "2025-11-25T10:15:00+01:00"
        assert record["date_source"] == "jsonld" and record["authors"] == ["سهام"]
        assert [h["url"] for h in s.search("المدرسة")] == [economy]
        # the plain-text index (16) is filled too: the words as written, no clitic folding
        plain = "SELECT a.url FROM articles_text t JOIN articles a ON a.id = t.rowid"
        found = s.db.execute(f"{plain} WHERE articles_text MATCH ?", ["بالمدرسة"]).fetchall()
        assert found == [(economy,)]
        assert not s.db.execute(f"{plain} WHERE articles_text MATCH ?", ["المدرسة"]).fetchall()
        assert s.page_html(economy) == b"<html><body>economy</body></html>"
        assert Frontier(s).state(economy) == "done"
        rows = s.db.execute("SELECT url, lastmod, listed_published, listed_source FROM frontier")
        assert {r[0]: r[1:] for r in rows}[economy] == ("2025-11-25T09:15:00+00:00", None, None)
        [claimed] = Frontier(s).claim(1, 5)
        assert claimed.url == pending
        assert [getattr(claimed, c) for c in LISTED_COLUMNS] == [None] * 4
        # the REST API lists a URL the old archive knew: its dates are kept
        listed = FrontierEntry(
            economy, "article", 30, 1, listed_published="2025-11-25T10:15:00+01:00",
            listed_raw='{"date": "2025-11-25T10:15:00"}', listed_source="rest",
        )  # fmt: skip
        assert Frontier(s).add(1, [listed]) == 0
        row = s.db.execute(
            "SELECT listed_published, listed_source FROM frontier WHERE url = ?", [economy]
        ).fetchone()
        assert row == ("2025-11-25T10:15:00+01:00", "rest")
        assert s.db.execute("PRAGMA foreign_key_check").fetchall() == []
    with Store(path) as s:  # opening again is a no-op
        assert s.counts()["articles"] == 2


def test_a_failed_migration_to_3_leaves_the_archive_at_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = load_v1(tmp_path, V2_FIXTURE)

    step = store_module.MIGRATIONS[3]

    def broken(db: object) -> bool:
        step(db)  # type: ignore[arg-type]  # adds the columns...
        raise sqlite3.OperationalError("disk on fire")  # ...then fails

    monkeypatch.setitem(store_module.MIGRATIONS, 3, broken)
    with pytest.raises(StoreError, match=r"cannot migrate the archive .*disk on fire"):
        Store(path)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
    assert "listed_published" not in frontier_columns(conn)
    assert conn.execute("SELECT count(*) FROM frontier").fetchone()[0] == 4
    conn.close()


def test_a_failed_migration_leaves_the_old_archive_untouched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = load_v1(tmp_path)

    step = store_module.MIGRATIONS[2]

    def broken(db: object) -> bool:
        step(db)  # type: ignore[arg-type]  # drops the old search index...
        raise sqlite3.OperationalError("disk on fire")  # ...then fails

    monkeypatch.setitem(store_module.MIGRATIONS, 2, broken)
    with pytest.raises(StoreError, match=r"cannot migrate the archive .*disk on fire"):
        Store(path)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    assert conn.execute("SELECT count(*) FROM articles_fts").fetchone()[0] == 2
    conn.close()


def test_an_archive_from_a_newer_scraper_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    sqlite3.connect(path).execute("PRAGMA user_version = 99").connection.close()
    with pytest.raises(StoreError, match="newer scraper"):
        Store(path)


# ---------------------------------------------------------------------- revisions
def story(**changes: object) -> Article:
    fields: dict[str, object] = dict(
        url="https://news.example/ar/story/",
        language="ar",
        title="افتتاح معرض الصناعة التقليدية",
        published_at=datetime(2025, 11, 25, 10, 0, tzinfo=TZ),
        categories=["ثقافة"],
        body="الفقرة الأولى.\n\nالفقرة الثانية.",
    )
    fields.update(changes)
    return Article(**fields)  # type: ignore[arg-type]


def test_history_lists_versions_and_diffs_them(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    with Store(db) as s:
        site = s.ensure_site("news.example", "https://news.example/")
        page = PageRecord(
            story().url, story().url, 200, b"<html/>", fetched_at="2025-11-25T10:00:00+00:00"
        )
        s.save_article(site, story(), page)
        later = PageRecord(
            story().url, story().url, 200, b"<html/>", fetched_at="2025-11-26T08:00:00+00:00"
        )
        changed = story(
            title="افتتاح المعرض الوطني للصناعة التقليدية", categories=["ثقافة", "جهات"]
        )
        changed.body += "\n\nفقرة أضيفت بعد التحديث."
        assert s.save_article(site, changed, later) == "updated"
        assert s.save_article(site, changed, later) == "unchanged"
        versions = s.history(story().url)
    assert [(v["revision"], v["current"]) for v in versions] == [(1, False), (2, True)]
    assert versions[0]["until"] == versions[1]["from"] == "2025-11-26T08:00:00+00:00"
    assert versions[0]["fetched_at"] == "2025-11-25T10:00:00+00:00"

    listing = run("history", story().url, "--db", db)
    assert listing.exit_code == 0 and "2 versions" in listing.output
    diff = run("history", story().url, "--db", db, "--diff", "1", "current")
    assert diff.exit_code == 0
    assert "--- revision 1" in diff.output and "+++ revision 2 (current)" in diff.output
    assert "-title: افتتاح معرض الصناعة التقليدية" in diff.output
    assert "+categories: ثقافة, جهات" in diff.output
    assert "+فقرة أضيفت بعد التحديث." in diff.output
    same = run("history", story().url, "--db", db, "--diff", "2", "latest")
    assert "identical" in same.output
    bad = run("history", story().url, "--db", db, "--diff", "1", "7")
    assert bad.exit_code == 2 and "no revision 7" in bad.output and "Traceback" not in bad.output
    missing = run("history", "https://news.example/nope/", "--db", db)
    assert missing.exit_code == 2 and "no article" in missing.output
    as_json = json.loads(run("history", "1", "--db", db, "--json").output)
    assert as_json[-1]["title"] == changed.title


# ---------------------------------------------------------------------- re-extraction
PAGE = """<!doctype html><html lang="ar"><head><meta charset="utf-8">
<link rel="canonical" href="{url}">
<meta property="article:published_time" content="2025-11-25T10:00:00+01:00">
<script type="application/ld+json">{{"@context": "https://schema.org", "@type": "NewsArticle",
"headline": "{title}", "datePublished": "2025-11-25T10:00:00+01:00",
"author": {{"@type": "Person", "name": "{author}"}}, "articleSection": "ثقافة"}}</script>
</head><body><article><h1>{title}</h1>
<p>افتتح صباح اليوم بالرباط معرض وطني للصناعة التقليدية يضم أكثر من مئتي عارض.</p>
<p>ويهدف المعرض إلى التعريف بالمنتوجات المحلية وتشجيع الحرفيين الشباب على تطوير مهاراتهم.</p>
<p>وتستمر فعاليات المعرض إلى غاية نهاية الأسبوع المقبل، مع برنامج غني من الورشات واللقاءات.</p>
</article></body></html>"""


def page_for(url: str, title: str, author: str = "سهام") -> PageRecord:
    html = PAGE.format(url=url, title=title, author=author).encode()
    return PageRecord(
        url, url, 200, html, "text/html", "utf-8", fetched_at="2025-11-25T11:00:00+00:00"
    )


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("re-extraction must not touch the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def test_reextract_updates_only_what_changed_without_network(
    tmp_path: Path, no_network: None
) -> None:
    db = tmp_path / "a.db"
    title = "افتتاح معرض الصناعة التقليدية بالرباط"
    urls = [f"https://news.example/ar/{n}/" for n in ("stale", "same", "authors", "gone")]
    with Store(db) as s:
        site = s.ensure_site("news.example", "https://news.example/")
        # 1. stored by an older, worse extractor: truncated title, one paragraph
        stale_page = page_for(urls[0], title)
        old = extract(stale_page.content, urls[0])
        old.title, old.body = "افتتاح معرض", old.body.split("\n\n")[0]
        s.save_article(site, old, stale_page)
        # 2. stored exactly as today's extractor sees it
        same_page = page_for(urls[1], title)
        s.save_article(site, extract(same_page.content, urls[1]), same_page)
        # 3. same content, but the author was missed
        authors_page = page_for(urls[2], title, author="كريم")
        missed = extract(authors_page.content, urls[2])
        missed.authors = []
        s.save_article(site, missed, authors_page)
        # 4. the kept page no longer reads as an article
        s.save_article(
            site,
            Article(url=urls[3], title="قديم", body="نص"),
            PageRecord(
                urls[3],
                urls[3],
                200,
                b"<html><body></body></html>",
                fetched_at="2025-11-25T11:00:00+00:00",
            ),
        )
        summary = reextract(s)
        assert summary.counts() == {
            "pages": 4,
            "updated": 1,
            "refreshed": 1,
            "unchanged": 1,
            "not_articles": 1,
        }
        fixed = s.record(urls[0])
        assert fixed["title"] == title and fixed["revision"] == 2
        assert fixed["fetched_at"] == "2025-11-25T11:00:00+00:00"  # no new fetch happened
        assert len(fixed["body"].split("\n\n")) == 3
        assert [v["title"] for v in s.history(urls[0])] == ["افتتاح معرض", title]
        assert s.record(urls[1])["revision"] == 1
        assert s.record(urls[2])["authors"] == ["كريم"] and s.record(urls[2])["revision"] == 1
        assert s.record(urls[3])["title"] == "قديم"
        # the same text scores the same: the newer (same day: later archived) first
        assert [h["url"] for h in s.search("الورشات")] == urls[2::-1]
        assert reextract(s).counts()["unchanged"] == 3  # idempotent
    result = run("reextract", "--db", db, "--json", "--site", "news.example")
    assert result.exit_code == 0
    assert json.loads(result.output)["unchanged"] == 3


def test_reextract_of_a_real_crawl_changes_nothing(
    crawled: dict, tmp_path: Path, no_network: None
) -> None:
    db = tmp_path / "copy.db"
    shutil.copy(crawled["db"], db)
    with Store(db) as s:
        before = list(s.records())
        summary = reextract(s)
        assert summary.pages == len(before) and summary.updated == 0
        assert list(s.records()) == before


def test_reextract_keeps_the_dates_the_rest_api_gave(tmp_path: Path, no_network: None) -> None:
    """The page cannot give back what REST said (here: a later moment, in Ramadan's +00:00);
    a re-extraction must not replace it with the page's own date."""
    db = tmp_path / "a.db"
    title = "افتتاح معرض الصناعة التقليدية بالرباط"
    rest_url, page_url = "https://news.example/ar/rest/", "https://news.example/ar/page/"
    raw = '{"date": "2026-03-03T10:50:00", "date_gmt": "2026-03-03T10:50:00"}'
    with Store(db) as s:
        site = s.ensure_site("news.example", "https://news.example/")
        rest_page = page_for(rest_url, title)
        article = extract(rest_page.content, rest_url)
        article.published_at = datetime(2026, 3, 3, 10, 50, tzinfo=UTC)
        article.modified_at = datetime(2026, 3, 3, 21, 5, tzinfo=UTC)
        article.date_source, article.date_raw = "rest", raw
        s.save_article(site, article, rest_page)
        plain_page = page_for(page_url, title)
        plain = extract(plain_page.content, page_url)
        plain.published_at = datetime(2026, 3, 3, 10, 50, tzinfo=UTC)  # a wrong date
        s.save_article(site, plain, plain_page)

        summary = reextract(s)
        assert summary.counts()["updated"] == 1  # only the article dated from its page
        kept = s.record(rest_url)
        assert (kept["published_at"], kept["modified_at"], kept["date_source"]) == (
            "2026-03-03T10:50:00+00:00",
            "2026-03-03T21:05:00+00:00",
            "rest",
        )
        assert kept["revision"] == 1
        assert s.db.execute(
            "SELECT date_raw FROM articles WHERE url = ?", [rest_url]
        ).fetchone() == (raw,)
        fixed = s.record(page_url)
        assert fixed["published_at"] == "2025-11-25T10:00:00+01:00"
        assert fixed["date_source"] != "rest"
        assert reextract(s).counts()["unchanged"] == 2


def test_a_refetch_with_the_same_dates_records_their_better_source(tmp_path: Path) -> None:
    """An archive from before REST dates: same dates, same content; the source is updated."""
    with Store(tmp_path / "a.db") as s:
        site = s.ensure_site("news.example", "https://news.example/")
        assert s.save_article(site, story(date_source="jsonld", date_raw="25 نونبر")) == "new"
        again = story(date_source="rest", date_raw='{"date": "2025-11-25T10:00:00"}')
        assert s.save_article(site, again) == "unchanged"
        row = s.db.execute("SELECT date_source, date_raw, revision FROM articles").fetchone()
        assert row == ("rest", '{"date": "2025-11-25T10:00:00"}', 1)


# ---------------------------------------------------------------------- exports
@pytest.fixture
def archive(tmp_path: Path) -> Path:
    db = tmp_path / "archive.db"
    with Store(db) as s:
        one = s.ensure_site("news.example", "https://news.example/")
        two = s.ensure_site("other.example", "https://other.example/")
        s.save_article(
            one,
            story(
                authors=["سهام", "Karim"],
                tags=["معرض", 'a "quoted", tag'],
                related=[Link("https://news.example/ar/x/", "خبر, آخر")],
                next_url="https://news.example/ar/next/",
                image="https://news.example/a.jpg",
                subtitle="سطر\nثان",
            ),
        )
        for day in range(3):
            s.save_article(
                two,
                Article(
                    url=f"https://other.example/fr/{day}/",
                    language="fr",
                    title=f"Économie, jour {day}",
                    body="Ligne 1\n\nLigne 2 ; « citation »",
                    categories=["Économie"],
                    published_at=datetime(2025, 1, 1 + day, 9, 0, tzinfo=TZ),
                ),
            )
        s.save_article(two, Article(url="https://other.example/undated/", title="sans date"))
    return db


def records_of(db: Path, **filters: str) -> list[dict]:
    with Store(db) as s:
        return list(s.records(**filters))


def test_jsonl_export_round_trip(archive: Path, tmp_path: Path) -> None:
    out = tmp_path / "a.jsonl"
    result = run("export", "--db", archive, "-o", out)
    assert result.exit_code == 0 and "5 articles written" in result.output
    lines = out.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == records_of(archive)
    stdout = run("export", "--db", archive, "--site", "other.example", "--since", "2025-01-02")
    assert [json.loads(x)["url"] for x in stdout.output.splitlines()] == [
        "https://other.example/fr/1/",
        "https://other.example/fr/2/",
    ]


def test_csv_export_round_trip(archive: Path, tmp_path: Path) -> None:
    out = tmp_path / "a.csv"
    assert run("export", "--db", archive, "--format", "csv", "-o", out).exit_code == 0
    with out.open(encoding="utf-8", newline="") as stream:
        header = stream.readline().strip().split(",")
        stream.seek(0)
        rows = list(exporting.read_csv(stream))
    assert header == list(store_module.RECORD_FIELDS)
    assert rows == records_of(archive)


def test_parquet_export_round_trip(archive: Path, tmp_path: Path) -> None:
    pytest.importorskip("pyarrow", reason="pyarrow (the parquet extra) is not installed")
    out = tmp_path / "a.parquet"
    result = run("export", "--db", archive, "--format", "parquet", "--lang", "fr", "-o", out)
    assert result.exit_code == 0 and "3 articles written" in result.output
    assert list(exporting.read_parquet(out)) == records_of(archive, language="fr")
    assert run("export", "--db", archive, "--format", "parquet", "-o", out).exit_code == 0
    assert list(exporting.read_parquet(out)) == records_of(archive)


def test_export_errors_are_one_line(
    archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = run("export", "--db", archive, "--format", "parquet")  # stdout is no terminal here
    assert result.exit_code == 0 and result.stdout_bytes.startswith(b"PAR1")

    def missing() -> None:
        raise exporting.ExportError("Parquet export needs pyarrow: pip install 'scraper[parquet]'")

    monkeypatch.setattr(exporting, "load_pyarrow", missing)
    out = tmp_path / "x.parquet"
    result = run("export", "--db", archive, "--format", "parquet", "-o", out)
    assert result.exit_code == 2 and result.output.count("\n") == 1
    assert "pip install 'scraper[parquet]'" in result.output and not out.exists()
    result = run("export", "--db", tmp_path / "missing.db")
    assert result.exit_code == 2 and "no archive" in result.output


def test_export_streams_in_constant_memory(archive: Path) -> None:
    with Store(archive) as s:
        records = s.records()
        first = next(records)  # a generator over an open cursor, not a list
        assert first["url"] and hasattr(records, "__next__")
        records.close()
    buffer = io.StringIO()
    assert exporting.write_jsonl(iter(records_of(archive)), buffer) == 5


# ---------------------------------------------------------------------- stats
def test_stats_count_and_find_gaps_in_daily_sections(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    start = date(2025, 3, 1)
    with Store(db) as s:
        site = s.ensure_site("news.example", "https://news.example/")
        for n in range(40):
            day = start + timedelta(days=n)
            if 10 <= n <= 13:  # four days without news, in a section of three a day
                continue
            for k in range(3):
                s.save_article(
                    site,
                    Article(
                        url=f"https://news.example/ar/d{n}-{k}/",
                        language="ar",
                        title=f"خبر {n} {k}",
                        categories=["وطني", "رأي"],  # a section is the main category: وطني
                        published_at=datetime(day.year, day.month, day.day, 9 + k, tzinfo=TZ),
                    ),
                )
            if n % 7 == 0:  # a weekly opinion column, رأي its main section
                s.save_article(
                    site,
                    Article(
                        url=f"https://news.example/ar/op{n}/",
                        language="ar",
                        title=f"رأي {n}",
                        categories=["رأي"],
                        published_at=datetime(day.year, day.month, day.day, 18, tzinfo=TZ),
                    ),
                )
        s.save_article(
            site, Article(url="https://news.example/ar/undated/", language="ar", title="x")
        )
    result = run("stats", "--db", db, "--json")
    assert result.exit_code == 0
    series = {(s["language"], s["section"]): s for s in json.loads(result.output)}
    overall, daily, weekly = series[("ar", None)], series[("ar", "وطني")], series[("ar", "رأي")]
    assert overall["articles"] == 3 * 36 + 6 and overall["undated"] == 1
    assert overall["first"] == "2025-03-01" and overall["last"] == "2025-04-09"
    assert overall["months"] == {"2025-03": 3 * 27 + 5, "2025-04": 3 * 9 + 1}
    assert daily["articles"] == 3 * 36 and weekly["articles"] == 6  # each article once
    assert daily["daily"] and [(g["first"], g["last"], g["days"]) for g in daily["gaps"]] == [
        ("2025-03-11", "2025-03-14", 4)
    ]
    assert daily["gaps"][0]["expected"] == 12.0  # three a day, four days
    # A weekly column's week without a piece is its rhythm, not a gap.
    assert not weekly["daily"] and weekly["gaps"] == [] and weekly["longest_gap"] == 6
    table = run("stats", "--db", db)
    assert "2025-03-11…2025-03-14 (4 d)" in table.output and "1 undated" in table.output
    assert "none (longest pause 6 d)" in table.output
    narrow = json.loads(run("stats", "--db", db, "--json", "--min-gap", "5").output)
    assert all(s["gaps"] == [] for s in narrow)
