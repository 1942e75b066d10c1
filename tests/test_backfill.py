"""Backfill from WARC files into the archive: selection, revisions, resume, the command."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from scraper._exceptions import ProfileError, UsageError
from scraper.cli import main
from scraper.scale.backfill import backfill
from scraper.scale.reextract import reextract
from scraper.store import Store

from .warc_samples import many_articles, mixed_warc

ROOT = Path(__file__).resolve().parent.parent


def archive_state(db: Path) -> dict:
    """Everything a backfill writes that a re-run must reproduce."""
    with Store(db) as store:
        records = list(store.records())
        histories = {r["url"]: store.history(r["id"]) for r in records}
        sites = store.db.execute("SELECT name, base_url, profile FROM sites ORDER BY name")
        pages = store.db.execute(
            "SELECT url, warc_file, warc_offset, warc_length, size, fetched_at FROM pages"
            " ORDER BY url"
        )
        return {
            "records": records,
            "histories": histories,
            "sites": sites.fetchall(),
            "pages": pages.fetchall(),
        }


def test_a_mixed_file_becomes_articles_revisions_and_counted_skips(tmp_path: Path) -> None:
    path = mixed_warc(tmp_path)
    db = tmp_path / "a.db"
    summary = backfill([path], db)
    assert summary.status == "partial" and summary.exit_code == 1
    assert summary.problems == {"truncated": 1} and "cut short" in summary.failures[0]
    assert summary.records == 12 and summary.responses == 7
    assert summary.skipped == {
        "warcinfo record": 1,
        "request record": 1,
        "metadata record": 1,
        "revisit record": 1,
        "not HTTP 200": 1,
        "not HTML": 1,
    }
    assert (summary.new, summary.updated, summary.unchanged) == (3, 1, 1)
    with Store(db) as store:
        records = {r["url"]: r for r in store.records()}
        sites = [r[0] for r in store.db.execute("SELECT name FROM sites ORDER BY name")]
        first = records["https://news.a.example/2025/11/20/first-story/"]
        versions = store.history(first["id"])
    assert sites == ["b.example", "news.a.example"]  # one site per host, www. dropped
    assert len(records) == 3
    assert records["http://www.b.example/politics/third-story/"]["revision"] == 1
    assert first["revision"] == 2 and first["fetched_at"] == "2025-11-22T08:00:00+00:00"
    assert first["first_seen_at"] == "2025-11-20T08:00:00+00:00"
    assert versions is not None and len(versions) == 2
    assert "Ships arrived." in versions[0]["body"] and "Ships left." in versions[1]["body"]
    # A second run does nothing: the file is done.
    again = backfill([path], db)
    assert again.records == 0 and again.files_done_before == 1


def test_hosts_and_capture_dates_select(tmp_path: Path) -> None:
    path = mixed_warc(tmp_path, truncate=False)
    only_b = backfill([path], tmp_path / "b.db", hosts=["www.b.example"])
    assert only_b.kept == 2 and only_b.new == 1
    assert only_b.skipped["host not selected"] == 6  # the 404 of the other host too
    early = backfill([path], tmp_path / "c.db", until="2025-11-20")
    assert early.new == 4 and early.updated == 0  # the day-2 recaptures are left out
    assert early.skipped["capture date outside since/until"] == 2


def test_an_older_capture_read_later_becomes_the_earlier_revision(tmp_path: Path) -> None:
    path = mixed_warc(tmp_path / "w", truncate=False)
    db = tmp_path / "a.db"
    backfill([path], db, since="2025-11-21")  # the later captures first
    late = backfill([path], db, until="2025-11-20")
    assert late.new == 2 and late.updated == 0
    assert late.earlier == 1 and late.unchanged == 1  # an edit, and a capture of no change
    assert late.balance() == []
    with Store(db) as store:
        first = store.history("https://news.a.example/2025/11/20/first-story/")
    assert first is not None and [v["revision"] for v in first] == [1, 2]
    assert "Ships arrived." in first[0]["body"] and "Ships left." in first[1]["body"]
    assert first[0]["from"] == "2025-11-20T08:00:00+00:00" and first[1]["current"]
    assert first[1]["fetched_at"] == "2025-11-22T08:00:00+00:00"


def test_reextract_reads_pages_from_the_warc_files(tmp_path: Path) -> None:
    path = mixed_warc(tmp_path / "w", truncate=False)
    db = tmp_path / "a.db"
    backfill([path], db)
    with Store(db) as store:
        summary = reextract(store)
        assert summary.pages == 4 and summary.unchanged == 4
        path.rename(path.with_suffix(".moved"))
        gone = reextract(store)
    assert gone.pages == 0 and "left as they are" in gone.messages[0]


def test_bad_input_is_a_scraper_error(tmp_path: Path) -> None:
    path = mixed_warc(tmp_path)
    with pytest.raises(UsageError, match="no such file"):
        backfill([tmp_path / "missing.warc.gz"], tmp_path / "a.db")
    with pytest.raises(UsageError, match="not a date"):
        backfill([path], tmp_path / "a.db", since="yesterday")
    with pytest.raises(UsageError, match="unknown engine"):
        backfill([path], tmp_path / "a.db", engine="spark")
    with pytest.raises(ProfileError):
        backfill([path], tmp_path / "a.db", profile="nope")


@pytest.mark.parametrize(
    "args, message",
    [
        (["nope.warc.gz"], "no such file or folder"),
        (["{warc}", "--since", "2025-13-01"], "not a date"),
        (["{warc}", "--engine", "spark"], "'spark' is not one of 'local', 'dask'"),
        (["{warc}", "--profile", "nope"], "unknown profile"),
        (["{warc}", "--output", "csv:x"], "unknown output"),
        (["{warc}", "--db", "{tmp}/no/such/folder/a.db"], "cannot create"),
    ],
)
def test_the_command_says_what_is_wrong_in_one_line(
    tmp_path: Path, args: list[str], message: str
) -> None:
    warc = mixed_warc(tmp_path)
    argv = ["backfill", *(a.format(warc=warc, tmp=tmp_path) for a in args)]
    if "--db" not in argv:
        argv += ["--db", str(tmp_path / "a.db")]
    result = CliRunner().invoke(main, argv)
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("scraper: error:") and message in lines[0]
    assert "Traceback" not in result.output


def test_the_command_prints_a_json_summary_and_exit_code(tmp_path: Path) -> None:
    warc = mixed_warc(tmp_path)
    result = CliRunner().invoke(
        main, ["backfill", str(warc), "--db", str(tmp_path / "a.db"), "--json"]
    )
    assert result.exit_code == 1  # a truncated record: partial
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["status"] == "partial" and summary["stored"] == 4
    assert summary["problems"] == {"truncated": 1}


def test_a_backfill_killed_with_sigkill_resumes_to_the_same_archive(tmp_path: Path) -> None:
    files = many_articles(tmp_path / "warc", 600, files=2)
    reference = tmp_path / "reference.db"
    backfill(files, reference, shard_size=20_000)

    db = tmp_path / "killed.db"
    code = (
        "import sys; from scraper.scale.backfill import backfill; "
        f"backfill(sys.argv[1:], {str(db)!r}, shard_size=20_000)"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen([sys.executable, "-c", code, *map(str, files)], env=env)
    deadline = time.monotonic() + 60
    done = 0
    while time.monotonic() < deadline and child.poll() is None:
        time.sleep(0.02)
        try:
            with sqlite3.connect(db) as conn:
                done = conn.execute("SELECT count(*) FROM warc_progress").fetchone()[0]
        except sqlite3.Error:
            continue
        if done:
            break
    child.send_signal(signal.SIGKILL)
    assert child.wait() == -signal.SIGKILL and done  # killed in the middle

    with Store(db) as store:
        partial = store.counts()["articles"]
    resumed = backfill(files, db, shard_size=20_000)
    assert 0 < partial < 600
    assert resumed.new == 600 - partial and resumed.updated == resumed.unchanged == 0
    assert archive_state(db) == archive_state(reference)


def test_the_progress_bar_shows_records_kept_stored_and_rate(tmp_path: Path) -> None:
    import io

    from rich.console import Console

    from scraper.cli.scale import _bar

    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=160)
    with _bar(True, "backfill", console) as update:
        assert update is not None
        summary = backfill([mixed_warc(tmp_path)], tmp_path / "a.db", progress=update)
    assert summary.stored == 4
    shown = screen.getvalue()
    assert "read 12" in shown and "kept 5" in shown and "stored 4" in shown
    assert "records/s" in shown


def test_a_shard_written_at_once_is_the_archive_one_capture_at_a_time_gives(
    tmp_path: Path,
) -> None:
    """Store.save_captures (new articles a table at a time) against save_capture per capture:
    the same rows, ids and search index, revisions and identical recaptures included."""
    from scraper.scale.backfill import BackfillOptions, plan_shards, process_shard

    path = mixed_warc(tmp_path, truncate=False)
    [shard] = plan_shards({str(path): 0}, 10**9)
    kept = process_shard(shard, BackfillOptions()).kept
    tables = ("articles", "articles_fts", "article_authors", "article_categories", "authors")
    tables += ("categories", "links", "pages", "revisions")

    def dump(db: Path) -> dict:
        with Store(db) as store:
            found = {t: store.db.execute(f"SELECT rowid, * FROM {t}").fetchall() for t in tables}
            impacts = "SELECT * FROM search_impacts ORDER BY term, impact, key"
            found["search_impacts"] = store.db.execute(impacts).fetchall()
            assert found["search_impacts"]  # the impact lists are written either way
            return found

    outcomes = {}
    for way in ("batch", "single"):
        with Store(tmp_path / f"{way}.db") as store:
            rows = []
            for k in kept:
                site_id = store.ensure_site(k.site, k.base_url, k.profile, k.timezone)
                rows.append((site_id, k.article, k.page, k.location, k.size, k.prepared))
            if way == "batch":
                outcomes[way] = store.save_captures(rows)
            else:
                outcomes[way] = [
                    store.save_capture(s, a, p, loc, size=n, prepared=prep)
                    for s, a, p, loc, n, prep in rows
                ]
    assert outcomes["batch"] == outcomes["single"]
    assert {"new", "updated", "unchanged"} <= set(outcomes["batch"])
    assert dump(tmp_path / "batch.db") == dump(tmp_path / "single.db")
