"""Parquet output of a backfill, import (Parquet or another archive), export --format warc."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from scraper.cli import main
from scraper.report.exporting import read_parquet
from scraper.scale.backfill import backfill
from scraper.scale.merge import import_into
from scraper.store import Store
from scraper.store.fulltext import fill_impacts
from scraper.warc import Capture, read_warc

from .test_backfill import archive_state
from .warc_samples import many_articles, mixed_warc

pa = pytest.importorskip("pyarrow.parquet")


@pytest.fixture(scope="module")
def warcs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("merge-warcs")
    return [*many_articles(folder, 90, files=2), mixed_warc(folder)]


def records(db: Path) -> dict[str, dict]:
    """url -> record without the archive's ids; the story as the URLs of its articles."""
    with Store(db) as store:
        found = list(store.records())
    stories: dict[int, list[str]] = {}
    for r in found:
        stories.setdefault(r["story_id"], []).append(r["url"])
    return {
        r["url"]: {k: v for k, v in r.items() if k != "id"}
        | {"story_id": sorted(stories[r["story_id"]])}
        for r in found
    }


def test_parquet_output_by_site_and_month_imports_to_the_same_archive(
    warcs: list[Path], tmp_path: Path
) -> None:
    local = tmp_path / "local.db"
    backfill(warcs, local, shard_size=20_000)
    out = tmp_path / "out"
    summary = backfill(warcs, None, shard_size=20_000, output=f"parquet:{out}")
    assert summary.kept == summary.new == 95 and summary.output == f"parquet:{out}"
    manifest = json.loads((out / "_manifest.json").read_text())
    assert manifest["records"] == 95 and "warc_offset" in manifest["fields"]
    sites = {part["site"] for part in manifest["parts"]}
    assert sites == {
        "site0.example",
        "site1.example",
        "site2.example",
        "news.a.example",
        "b.example",
    }
    for part in manifest["parts"]:
        path = out / part["path"]
        assert path.parent.name == f"month={part['month']}" and path.exists()
        assert path.parent.parent.name == f"site={part['site']}"  # hive-style partitions
        rows = list(read_parquet(path))  # dates as the record format's ISO strings
        assert len(rows) == part["records"] == pa.read_table(path).num_rows
        assert all("site" not in r for r in rows)  # the partition gives it
        assert all((r["published_at"] or "undated")[:7] == part["month"] for r in rows)
    again = backfill(warcs, None, shard_size=20_000, output=f"parquet:{out}")
    assert again.records == 0 and again.files_done_before == 3  # resumes: nothing left
    imported = tmp_path / "imported.db"
    result = CliRunner().invoke(main, ["import", str(out), "--db", str(imported), "--json"])
    assert result.exit_code == 0, result.output
    counts = json.loads(result.output)
    assert (counts["new"], counts["updated"], counts["unchanged"]) == (93, 1, 1)
    assert records(imported) == records(local)


def test_archives_sharded_by_host_merge_into_one(warcs: list[Path], tmp_path: Path) -> None:
    whole = tmp_path / "whole.db"
    backfill(warcs, whole)
    first, second = tmp_path / "first.db", tmp_path / "second.db"
    backfill(warcs, first, hosts=["site0.example", "news.a.example"])
    backfill(warcs, second, hosts=["site1.example", "site2.example", "b.example"])
    merged = tmp_path / "merged.db"
    import_into(first, merged)
    summary = import_into(second, merged)
    assert summary.kind == "archive" and summary.new > 0
    assert records(merged) == records(whole)
    want, got = archive_state(whole), archive_state(merged)
    assert got["histories"] == want["histories"]
    assert sorted(got["pages"]) == sorted(want["pages"])  # WARC locations carried over
    with Store(merged) as store:  # the impact lists are those of the merged index
        listed = store.db.execute("SELECT * FROM search_impacts ORDER BY 1, 2, 3").fetchall()
        assert listed and fill_impacts(store.db) > 0
        assert (
            store.db.execute("SELECT * FROM search_impacts ORDER BY 1, 2, 3").fetchall() == listed
        )


def test_import_says_what_is_wrong_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello")
    cases = [
        ([str(tmp_path / "missing")], "no such file"),
        ([str(tmp_path / "notes.txt")], "neither a Parquet folder nor an archive"),
        ([str(tmp_path)], "no Parquet files"),
    ]
    for args, message in cases:
        result = CliRunner().invoke(main, ["import", *args, "--db", str(tmp_path / "a.db")])
        assert result.exit_code == 2, result.output
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and message in lines[0] and lines[0].startswith("scraper: error:")


def test_export_warc_writes_the_pages_as_response_records(
    crawled: dict, warcs: list[Path], tmp_path: Path
) -> None:
    out = tmp_path / "pages.warc.gz"
    result = CliRunner().invoke(
        main, ["export", "--db", str(crawled["db"]), "--format", "warc", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    items = [i for i in read_warc(out) if isinstance(i, Capture)]
    responses = [i for i in items if i.record_type == "response"]
    assert items[0].record_type == "warcinfo" and len(responses) == len(crawled["records"])
    with Store(crawled["db"]) as store:
        for capture in responses[:10]:
            assert store.page_html(capture.url) == capture.payload
    # and back: a backfill of the export gives the crawled articles
    db = tmp_path / "back.db"
    host = crawled["records"][0]["site"]
    backfill([out], db, hosts=[host], profile="sahara.ma")
    assert sorted(records(db)) == sorted(r["url"] for r in crawled["records"])
    # pages kept in WARC files are exported from there
    filled = tmp_path / "filled.db"
    backfill(warcs, filled)
    again = tmp_path / "again.warc.gz"
    result = CliRunner().invoke(
        main, ["export", "--db", str(filled), "--format", "warc", "-o", str(again)]
    )
    assert result.exit_code == 0, result.output
    assert (
        sum(isinstance(i, Capture) and i.record_type == "response" for i in read_warc(again)) == 93
    )


def test_an_import_stopped_midway_keeps_whole_batches_its_counts_agree_and_a_rerun_ends_it(
    demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Articles are imported in batches of one transaction each: a failure loses the open
    batch only, the run record counts what the archive holds, the same import again adds
    the rest."""
    import sqlite3

    from scraper.scale import merge

    monkeypatch.setattr(merge, "IMPORT_BATCH", 4)
    real, calls = Store.save_capture, []

    def failing(self: Store, *args: object, **kwargs: object) -> str:
        calls.append(1)
        if len(calls) == 11:  # inside the third batch
            raise KeyboardInterrupt
        return real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Store, "save_capture", failing)
    target = tmp_path / "a.db"
    with pytest.raises(KeyboardInterrupt):
        import_into(demo_db, target)
    with sqlite3.connect(target) as conn:
        archived = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        status, new = conn.execute(
            "SELECT status, articles_new FROM crawl_runs WHERE kind = 'import'"
        ).fetchone()
    assert status == "interrupted"
    assert archived == new == 8  # two whole batches
    monkeypatch.setattr(Store, "save_capture", real)
    again = import_into(demo_db, target)
    with Store(demo_db) as source, Store(target) as store:
        assert [r["url"] for r in store.records()] == [r["url"] for r in source.records()]
    assert again.new == len(records(target)) - 8


def test_an_archive_with_kept_pages_merges_them_as_they_are(tmp_path: Path) -> None:
    from scraper.article import Article
    from scraper.store import PageRecord

    source, merged = tmp_path / "source.db", tmp_path / "merged.db"
    with Store(source) as store:
        site = store.ensure_site("news.example", "https://news.example/")
        for i in range(3):
            url = f"https://news.example/{i}"
            body = f"النص الكامل للمقال رقم {i} عن الاقتصاد الوطني. " * 20
            html = f"<html><body><h1>عنوان {i}</h1><p>{body}</p></body></html>".encode()
            article = Article(url=url, title=f"عنوان {i}", body=body, language="ar")
            store.save_article(site, article, PageRecord(url, url, 200, html))
    assert import_into(source, merged).new == 3
    pages = "SELECT url, size, html FROM pages ORDER BY url"
    with Store(source) as a, Store(merged) as b:
        assert b.db.execute(pages).fetchall() == a.db.execute(pages).fetchall()
        assert b.page_html("https://news.example/2") == a.page_html("https://news.example/2")
        assert [h["url"] for h in b.search("اقتصاد", limit=5)] == [
            f"https://news.example/{i}" for i in (2, 1, 0)
        ]
