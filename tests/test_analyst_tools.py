"""Exports that load where analysts load them (issue 21): every format ``scraper export`` and
``backfill --output parquet:DIR`` write, read back with pandas and DuckDB, types and values
checked against the archive."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from click.testing import CliRunner

from scraper.cli import main
from scraper.store import REVISION_FIELDS, Store

pd = pytest.importorskip("pandas")
duckdb = pytest.importorskip("duckdb")


def cli(*args: object) -> Any:
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    return result


@pytest.fixture(scope="module")
def records(demo_db: Path) -> dict[int, dict[str, Any]]:
    with Store(demo_db, reading=True) as store:
        return {r["id"]: r for r in store.records()}


def export(db: Path, out: Path, *options: str) -> Path:
    result = cli("export", "--db", db, "-o", out, *options)
    assert result.exit_code == 0, result.output
    return out


def check_frame(frame: Any, records: dict[int, dict[str, Any]]) -> None:
    """A DataFrame of the record format: every article, its values as archived."""
    assert len(frame) == len(records) == 74
    assert str(frame["id"].dtype) == "int64" and str(frame["word_count"].dtype) == "int64"
    for row in frame.to_dict("records"):
        want = records[row["id"]]
        assert row["url"] == want["url"] and row["title"] == want["title"]
        assert row["section"] == (want["categories"] or [None])[0]
        assert row["section"] is not None  # every demo article has a main section
        assert row["word_count"] == want["word_count"]


def check_duckdb(sql_source: str, records: dict[int, dict[str, Any]]) -> None:
    con = duckdb.connect()
    rows = con.execute(f"SELECT id, url, section, word_count FROM {sql_source}").fetchall()
    assert {r[0]: (r[1], r[2], r[3]) for r in rows} == {
        i: (r["url"], r["categories"][0], r["word_count"]) for i, r in records.items()
    }
    described = con.execute(f"DESCRIBE SELECT id, word_count, url FROM {sql_source}").fetchall()
    types = {row[0]: row[1] for row in described}
    assert types["id"] == types["word_count"] == "BIGINT" and types["url"] == "VARCHAR"


@pytest.mark.parametrize("name", ["a.jsonl", "a.jsonl.gz", "a.json", "a.json.gz"])
def test_json_exports_load_in_pandas_and_duckdb(
    demo_db: Path, records: dict[int, dict[str, Any]], tmp_path: Path, name: str
) -> None:
    out = export(demo_db, tmp_path / name)
    opener = gzip.open if name.endswith(".gz") else open
    with opener(out, "rt", encoding="utf-8") as stream:
        text = stream.read()
    if ".jsonl" in name:
        frame = pd.read_json(out, lines=True, dtype={"published_utc": "str"})
        rows = [json.loads(line) for line in text.splitlines()]
    else:
        rows = json.loads(text)  # one array
        frame = pd.read_json(out, dtype={"published_utc": "str"})
    assert [r["id"] for r in rows] == list(records)  # oldest first
    check_frame(frame, records)
    check_duckdb(f"read_json_auto('{out}')", records)
    modified = {r["id"]: r["modified_utc"] for r in rows}
    assert any(modified.values())
    for article_id, value in modified.items():
        local = records[article_id]["modified_at"]
        if value:  # the same instant as modified_at, in UTC
            assert pd.Timestamp(value) == pd.Timestamp(local) and value.endswith("+00:00")


@pytest.mark.parametrize("name", ["a.csv", "a.csv.gz"])
def test_csv_exports_load_in_pandas_and_duckdb(
    demo_db: Path, records: dict[int, dict[str, Any]], tmp_path: Path, name: str
) -> None:
    out = export(demo_db, tmp_path / name)
    frame = pd.read_csv(out)  # gzip by extension
    check_frame(frame, records)
    assert json.loads(frame["categories"][0]) == records[int(frame["id"][0])]["categories"]
    check_duckdb(f"read_csv('{out}')", records)


def test_excel_csv_has_a_bom_crlf_and_a_decoded_url_column(
    demo_db: Path, records: dict[int, dict[str, Any]], tmp_path: Path
) -> None:
    out = export(demo_db, tmp_path / "x.csv", "--excel", "--fields", "id,url,title")
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and raw.count(b"\r\n") >= 75
    frame = pd.read_csv(out, encoding="utf-8-sig")
    assert list(frame.columns) == ["id", "url", "url_decoded", "title"]
    arabic = frame[frame["url"].str.contains("/ar/")]
    assert len(arabic) > 10
    for row in frame.to_dict("records"):
        assert row["url"] == records[row["id"]]["url"]
        assert row["url_decoded"] == unquote(row["url"]) and "%" not in row["url_decoded"]


def test_parquet_export_loads_with_typed_columns(
    demo_db: Path, records: dict[int, dict[str, Any]], tmp_path: Path
) -> None:
    pytest.importorskip("pyarrow")
    out = export(demo_db, tmp_path / "a.parquet")
    frame = pd.read_parquet(out)
    check_frame(frame, records)
    assert str(frame["published_utc"].dtype) == "datetime64[us, UTC]"
    assert str(frame["modified_utc"].dtype) == "datetime64[us, UTC]"
    check_duckdb(f"read_parquet('{out}')", records)


def test_revisions_export_lists_every_version_with_its_fetch_time_and_hash(
    demo_db: Path, records: dict[int, dict[str, Any]], tmp_path: Path
) -> None:
    pytest.importorskip("pyarrow")
    with Store(demo_db, reading=True) as store:
        histories = {i: store.history(i) or [] for i in records}
    versions = sum(len(h) for h in histories.values())
    assert versions == len(records) + 1  # the demo's one correction
    jsonl = export(demo_db, tmp_path / "r.jsonl", "--revisions")
    parquet = export(demo_db, tmp_path / "r.parquet", "--revisions")
    csv_file = export(demo_db, tmp_path / "r.csv.gz", "--revisions")
    frames = [
        pd.read_json(jsonl, lines=True),
        pd.read_parquet(parquet),
        pd.read_csv(csv_file),
    ]
    for frame in frames:
        offsets = ("published_offset", "modified_offset", "published_local", "modified_local")
        # (Parquet keeps the offsets and wall-clock times apart)
        assert [c for c in frame.columns if c not in offsets] == list(REVISION_FIELDS)
        assert len(frame) == versions
        assert str(frame["revision"].dtype) == "int64" and str(frame["current"].dtype) == "bool"
    assert str(frames[1]["fetched_at"].dtype) == "datetime64[us, UTC]"
    lines = [json.loads(line) for line in jsonl.read_text(encoding="utf-8").splitlines()]
    for row in lines:
        [version] = [v for v in histories[row["article_id"]] if v["revision"] == row["revision"]]
        assert row["content_hash"] == version["content_hash"]
        assert row["title"] == version["title"] and row["body"] == version["body"]
        assert row["current"] == version["current"]
        assert row["seen_from"] == version["from"]
        assert row["replaced_at"] == version["until"] and row["fetched_at"] == version["fetched_at"]
    changed = frames[0].groupby("article_id").size()
    [corrected] = changed[changed == 2].index
    rows = frames[0][frames[0]["article_id"] == corrected].sort_values("revision")
    assert list(rows["current"]) == [False, True]
    assert rows["content_hash"].nunique() == 2  # the correction changed the content
    con = duckdb.connect()
    counts = con.execute(
        f"SELECT count(*), count(DISTINCT article_id), sum(current::INT) FROM '{parquet}'"
    ).fetchone()
    assert counts == (versions, len(records), len(records))
    described = con.execute(f"DESCRIBE SELECT seen_from, current FROM '{parquet}'").fetchall()
    kind = {row[0]: row[1] for row in described}
    assert kind == {"seen_from": "TIMESTAMP WITH TIME ZONE", "current": "BOOLEAN"}


def test_revisions_refuse_warc_and_unknown_fields(demo_db: Path, tmp_path: Path) -> None:
    result = cli("export", "--db", demo_db, "--revisions", "-o", tmp_path / "p.warc.gz")
    assert result.exit_code == 2 and "only the latest raw page is kept" in result.output
    result = cli("export", "--db", demo_db, "--revisions", "--fields", "id,url")
    assert result.exit_code == 2 and "article_id" in result.output  # lists the fields
    result = cli("export", "--db", demo_db, "-o", tmp_path / "a.parquet.gz")
    assert result.exit_code == 2 and not (tmp_path / "a.parquet.gz").exists()


def test_backfill_parquet_folder_loads_as_one_table_with_site_and_month(
    demo_db: Path, records: dict[int, dict[str, Any]], tmp_path: Path
) -> None:
    pytest.importorskip("pyarrow")
    warc = tmp_path / "pages.warc.gz"
    assert cli("export", "--db", demo_db, "-o", warc).exit_code == 0
    folder = tmp_path / "out"
    result = cli("backfill", warc, "--output", f"parquet:{folder}", "-q")
    assert result.exit_code == 0, result.output
    assert (folder / "_manifest.json").exists() and not (folder / "manifest.json").exists()
    assert all(p.name.startswith("site=") for p in folder.iterdir() if p.is_dir())
    frame = pd.read_parquet(folder)
    assert len(frame) == len(records)
    assert set(frame["site"].astype(str)) == {"sahara.ma"}
    by_url = {r["url"]: r for r in records.values()}
    for row in frame.to_dict("records"):
        want = by_url[row["url"]]
        assert row["month"] == (want["published_at"] or "undated")[:7]
        assert row["title"] == want["title"] and row["section"] == want["categories"][0]
    assert str(frame["published_utc"].dtype) == "datetime64[us, UTC]"
    con = duckdb.connect()
    months = con.execute(
        f"SELECT site, month, count(*) FROM read_parquet('{folder}/*/*/*.parquet')"
        " GROUP BY 1, 2 ORDER BY 2"
    ).fetchall()
    expected = pd.Series([r["published_at"][:7] for r in records.values()]).value_counts()
    assert months == [("sahara.ma", m, int(n)) for m, n in sorted(expected.items())]
    imported = tmp_path / "imported.db"
    assert cli("import", folder, "--db", imported, "-q").exit_code == 0
    with Store(imported, reading=True) as store:
        assert {r["url"]: r["site"] for r in store.records()} == dict.fromkeys(by_url, "sahara.ma")
