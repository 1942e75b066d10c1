"""History is the site's history: whatever order captures are read in (files, shards,
workers), an article's versions come out the same; importing the same captures again adds
no revision; a backfill selection matching nothing says so; every summary adds up."""

from __future__ import annotations

import itertools
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from scraper.cli import main
from scraper.scale.backfill import backfill
from scraper.scale.merge import import_into
from scraper.store import Store
from scraper.warc import WarcWriter

from .warc_samples import T0, article_html, mixed_warc, response

URL = "https://news.a.example/2025/11/20/edited-story/"
#: One article captured four times: an edit, no change, another edit.
CAPTURES = [
    (T0, "The port opened."),
    (T0 + timedelta(days=1), "The port opened to ships."),
    (T0 + timedelta(days=2), "The port opened to ships."),
    (T0 + timedelta(days=3), "The port closed again."),
]


def _one_file_per_capture(folder: Path, order: tuple[int, ...]) -> list[Path]:
    files = []
    for rank, index in enumerate(order):
        when, body = CAPTURES[index]
        with WarcWriter(folder, prefix=f"c{rank}") as w:
            html = article_html(URL, "Story of the port", body, "2025-11-18")
            w.write(response(w, URL, html, when))
        files.append(w.files[0])
    return files


def _history(db: Path) -> list[tuple[int, str, str, str | None, bool]]:
    with Store(db) as store:
        versions = store.history(URL)
    assert versions is not None
    return [
        (v["revision"], v["body"].split(" Paragraph")[0], v["from"], v["until"], v["current"])
        for v in versions
    ]


EXPECTED = [
    (1, "The port opened.", T0.isoformat(), (T0 + timedelta(days=1)).isoformat(), False),
    (2, "The port opened to ships.", (T0 + timedelta(days=1)).isoformat(),
     (T0 + timedelta(days=3)).isoformat(), False),
    (3, "The port closed again.", (T0 + timedelta(days=3)).isoformat(), None, True),
]  # fmt: skip


@pytest.mark.parametrize("order", list(itertools.permutations(range(4))))
def test_captures_in_every_order_give_one_history(order: tuple[int, ...], tmp_path: Path) -> None:
    files = _one_file_per_capture(tmp_path / "w", order)
    db = tmp_path / "a.db"
    for file in files:  # one backfill per file: the reading order is the files' order
        summary = backfill([file], db)
        assert summary.balance() == [] and summary.kept == 1
    assert _history(db) == EXPECTED
    with Store(db) as store:
        record = store.record(URL)
    assert record is not None and record["revision"] == 3
    assert record["fetched_at"] == (T0 + timedelta(days=3)).isoformat()


def test_importing_the_same_captures_twice_adds_no_revision(tmp_path: Path) -> None:
    path = mixed_warc(tmp_path / "w", truncate=False)
    target, copy = tmp_path / "target.db", tmp_path / "copy.db"
    backfill([path], target)
    backfill([path], copy, profile=None)
    with Store(target) as store:
        before = {r["url"]: store.history(r["id"]) for r in store.records()}
    first = import_into(copy, target)
    second = import_into(copy, target)
    for summary in (first, second):
        assert summary.new == 0 and summary.updated == 0 and summary.earlier == 0
        assert summary.unchanged + summary.same_capture == summary.records
    with Store(target) as store:
        after = {r["url"]: store.history(r["id"]) for r in store.records()}
    assert {u: len(h or []) for u, h in after.items()} == {
        u: len(h or []) for u, h in before.items()
    }


def test_a_capture_extracted_otherwise_is_updated_in_place(tmp_path: Path) -> None:
    files = _one_file_per_capture(tmp_path / "w", (0,))
    db, other = tmp_path / "a.db", tmp_path / "b.db"
    backfill(files, db)
    backfill(files, other)
    with Store(other) as store:  # the same capture, as another extractor would have read it
        store.db.execute("UPDATE articles SET title = 'Story of the port (v2)'")
        store.db.execute("UPDATE articles SET content_hash = 'x'")
    summary = import_into(other, db)
    assert summary.same_capture == 1 and summary.updated == 0
    history = _history(db)
    assert len(history) == 1
    with Store(db) as store:
        record = store.record(URL)
    assert record is not None and record["title"] == "Story of the port (v2)"


def test_a_selection_matching_nothing_says_so_and_exits_1(tmp_path: Path) -> None:
    path = mixed_warc(tmp_path / "w", truncate=False)
    db = tmp_path / "a.db"
    summary = backfill([path], db, hosts=["sahara.ma"])
    assert summary.status == "nothing selected" and summary.exit_code == 1
    assert summary.kept == 0 and summary.balance() == []
    assert "no capture matches hosts sahara.ma" in summary.messages[0]
    assert "news.a.example" in summary.messages[0]
    result = CliRunner().invoke(
        main, ["backfill", str(path), "--db", str(db), "--profile", "sahara.ma"]
    )
    assert result.exit_code == 1
    assert "no capture matches profile sahara.ma" in result.output
    with Store(db) as store:
        assert list(store.records()) == []


def test_the_summary_adds_up_and_v_names_what_was_left_out(tmp_path: Path) -> None:
    path = mixed_warc(tmp_path / "w")
    result = CliRunner().invoke(main, ["backfill", str(path), "--db", str(tmp_path / "a.db"), "-v"])
    lines = result.output.splitlines()
    summary = next(line for line in lines if line.startswith("backfill: "))
    assert "12 records read (7 responses, 4 other records, 1 unreadable)" in summary
    assert "of the responses 5 articles kept" in summary and "2 skipped" in summary
    left = [line for line in lines if "left out " in line]
    assert any("missing/: not HTTP 200" in line for line in left)
    assert any("logo.png: not HTML" in line for line in left)
