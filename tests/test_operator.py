"""The operator's habits (issue 21): one machine-output convention on every command that prints
records, -q/-v/--log-file where a command works, runs of every kind, one exit-code table, help
that says what the command does. Commands run through click's runner or a subprocess, over the
demo archive or the mirror on loopback."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from scraper._exceptions import EXIT_CODES
from scraper.cli import main
from scraper.mirror import MirrorServer
from scraper.mirror import demo as demo_mod
from scraper.store import Store
from scraper.urls import canonical

ROOT = Path(__file__).resolve().parents[1]
FAST = ["--concurrency", "4", "--workers", "8", "--backoff-base", "0.01"]
MACHINE = ("--json", "--nl", "--csv", "--tsv")


def cli(*args: object) -> Any:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def run(*args: object, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "scraper", *map(str, args)],
        capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip


def parse(fmt: str, text: str) -> list[dict[str, Any]]:
    """Rows back from one machine format, cells as text for CSV/TSV."""
    if fmt == "--json":
        rows = json.loads(text)
        assert isinstance(rows, list)
        return rows
    if fmt == "--nl":
        return [json.loads(line) for line in text.splitlines()]
    delimiter = "\t" if fmt == "--tsv" else ","
    return list(csv.DictReader(io.StringIO(text), delimiter=delimiter))


def as_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


# ---------------------------------------------------------------------- help
def test_every_command_has_a_short_help_and_the_help_has_one_exit_code_table() -> None:
    top = cli("--help")
    assert top.exit_code == 0
    for name, command in main.commands.items():
        assert command.short_help and not command.short_help.endswith("..."), name
        assert re.search(rf"^  {name} +{re.escape(command.short_help)}$", top.output, re.M)
        result = cli(name, "--help")
        assert result.exit_code == 0 and f" {name} [OPTIONS]" in result.output, name
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for code, meaning in EXIT_CODES.items():  # the same table in --help and the README
        assert re.search(rf"^ +{code}  {re.escape(meaning)}$", top.output, re.M)
        assert re.search(rf"^\| `{code}` \| ", readme, re.M), code
    assert "--json (one array), --nl (one object a line), --csv, --tsv" in top.output


def test_help_states_grammar_defaults_and_choices() -> None:
    crawl = cli("crawl", "--help").output
    assert "2025, 2025-11, 2025-11-25 or an" in crawl  # the date grammar of --since
    assert "[default: obey-robots]" in crawl and "--warc DIR" in crawl
    for command in ("backfill", "reextract"):
        assert "--engine [local|dask]" in cli(command, "--help").output
    assert "/-/audit" in cli("serve", "--help").output
    audit = cli("audit", "--help").output
    assert "--missing-urls missing.txt || scraper crawl" in audit and "&&" not in audit
    for command in ("crawl", "backfill", "import", "reextract", "audit", "export"):
        text = cli(command, "--help").output
        assert re.search(r"-q, --quiet", text) and re.search(r"-v, --verbose", text), command
    for command in ("crawl", "backfill", "import", "reextract", "audit"):
        assert "--log-file" in cli(command, "--help").output, command


# ---------------------------------------------------------------------- machine output
RECORD_COMMANDS = {
    "search": ["search", "الصناعة التقليدية"],
    "runs": ["runs"],
    "stats": ["stats"],
    "history": ["history", "{corrected}"],
    "stories": ["stories", "--agencies"],
}


def test_every_record_command_prints_the_same_rows_in_every_machine_format(
    demo_db: Path,
) -> None:
    corrected = str(demo_mod.CORRECTED_URL)
    for name, args in RECORD_COMMANDS.items():
        argv = [a.format(corrected=corrected) for a in args] + ["--db", str(demo_db)]
        help_text = cli(name, "--help").output
        assert all(flag in help_text for flag in MACHINE), name
        outputs = {}
        for flag in MACHINE:
            result = cli(*argv, flag)
            assert result.exit_code == 0 and result.stderr == "", (name, flag, result.output)
            outputs[flag] = parse(flag, result.stdout)
        rows = outputs["--json"]
        assert rows and outputs["--nl"] == rows, name
        columns = list(rows[0])
        for flag in ("--csv", "--tsv"):  # same columns, same order, same values
            assert list(outputs[flag][0]) == columns, (name, flag)
            assert outputs[flag] == [{c: as_cell(r[c]) for c in columns} for r in rows]
        table = cli(*argv).stdout
        with pytest.raises(json.JSONDecodeError):
            json.loads(table)  # without a flag: a table for people
    hits = parse("--json", cli("search", "الصناعة", "--db", demo_db, "--json").stdout)
    assert list(hits[0]) == [
        "id", "url", "site", "language", "published_at", "title", "score", "snippet", "quality",
        "capped",
    ]  # fmt: skip
    table = cli("search", "الصناعة", "--db", demo_db).stdout
    ids = [int(line.split()[0]) for line in table.splitlines() if re.match(r"^ *\d+  \d{4}-", line)]
    assert ids == [h["id"] for h in hits]  # the table shows ids, what `scraper show` takes


@pytest.mark.parametrize(
    ("args", "old", "new"),
    [
        (["search", "الصناعة"], "json", "--nl"),
        (["search", "الصناعة"], "csv", "--csv"),
        (["runs"], "json", "--nl"),
        (["stats"], "json", "--json"),
        (["stories"], "json", "--nl"),
    ],
)
def test_the_old_format_option_still_works_with_a_note(
    demo_db: Path, args: list[str], old: str, new: str
) -> None:
    legacy = cli(*args, "--db", demo_db, "--format", old)
    assert legacy.exit_code == 0 and legacy.stdout == cli(*args, "--db", demo_db, new).stdout
    assert legacy.stderr == f"scraper: note: --format {old} is deprecated; use {new}\n"
    assert "--format" not in cli(args[0], "--help").output  # hidden from help


def test_runs_has_a_header_utc_times_and_durations(demo_db: Path) -> None:
    lines = cli("runs", "--db", demo_db).stdout.splitlines()
    assert lines[0].split()[:4] == ["id", "started", "(UTC)", "duration"]
    assert re.match(r"^ +2  \d{4}-\d\d-\d\d \d\d:\d\d:\d\d +\d+s  crawl +ok ", lines[1])
    rows = parse("--json", cli("runs", "--db", demo_db, "--json").stdout)
    assert all(r["kind"] == "crawl" and r["seconds"] >= 0 for r in rows)


# ---------------------------------------------------------------------- runs of every kind
def test_backfill_import_and_reextract_are_recorded_as_runs(demo_db: Path, tmp_path: Path) -> None:
    warc = tmp_path / "pages.warc.gz"
    assert cli("export", "--db", demo_db, "-o", warc, "-q").exit_code == 0
    filled, merged = tmp_path / "filled.db", tmp_path / "merged.db"
    assert cli("backfill", warc, "--db", filled, "-q").exit_code == 0
    assert cli("reextract", "--db", filled, "-q", "--site", "sahara.ma").exit_code == 0
    assert cli("import", filled, "--db", merged, "-q").exit_code == 0
    runs = parse("--json", cli("runs", "--db", filled, "--json").stdout)
    assert [(r["kind"], r["status"]) for r in runs] == [("reextract", "ok"), ("backfill", "ok")]
    reextract, backfill = runs
    assert backfill["site"] is None and backfill["articles_new"] == 74
    assert backfill["pages_fetched"] >= 74 and backfill["finished_at"] is not None
    assert reextract["site"] == "sahara.ma" and reextract["pages_fetched"] == 74
    [imported] = parse("--json", cli("runs", "--db", merged, "--json").stdout)
    assert imported["kind"] == "import" and imported["articles_new"] == 74
    with Store(filled, reading=True) as store:  # its content carries the backfill's run
        tagged = store.db.execute("SELECT DISTINCT changed_run FROM articles").fetchall()
    assert tagged == [(backfill["id"],)]
    table = cli("runs", "--db", filled).stdout
    assert "backfill" in table and "(all sites)" in table


def test_the_runs_table_migration_is_idempotent(tmp_path: Path) -> None:
    from scraper.store.schema import _migrate_to_10

    db = tmp_path / "a.db"
    with Store(db) as store:
        site = store.ensure_site("news.example", "https://news.example/")
        store.finish_run(store.start_run(site, {}), "ok", {"articles_new": 3}, None)
    conn = sqlite3.connect(db)  # an archive of schema 8: site_id NOT NULL, no kind
    conn.executescript(
        "ALTER TABLE crawl_runs RENAME TO old; CREATE TABLE crawl_runs (id INTEGER PRIMARY KEY,"
        " site_id INTEGER NOT NULL REFERENCES sites(id), started_at TEXT NOT NULL, finished_at"
        " TEXT, status TEXT NOT NULL DEFAULT 'running', options TEXT, pages_fetched INTEGER NOT"
        " NULL DEFAULT 0, not_modified INTEGER NOT NULL DEFAULT 0, articles_new INTEGER NOT NULL"
        " DEFAULT 0, articles_updated INTEGER NOT NULL DEFAULT 0, articles_unchanged INTEGER NOT"
        " NULL DEFAULT 0, errors INTEGER NOT NULL DEFAULT 0, message TEXT, skipped INTEGER NOT"
        " NULL DEFAULT 0); INSERT INTO crawl_runs SELECT id, site_id, started_at, finished_at,"
        " status, options, pages_fetched, not_modified, articles_new, articles_updated,"
        " articles_unchanged, errors, message, skipped FROM old; DROP TABLE old;"
        " PRAGMA user_version = 8;"
    )
    conn.close()
    with Store(db) as store:
        assert store.runs()[0]["kind"] == "crawl" and store.runs()[0]["articles_new"] == 3
        notnull = {r[1]: r[3] for r in store.db.execute("PRAGMA table_info(crawl_runs)")}
        assert notnull["site_id"] == 0  # a run over several sites has none
        assert _migrate_to_10(store.db) is False  # again: nothing to do
        store.start_run(None, {}, kind="backfill")
        assert [r["kind"] for r in store.runs()] == ["backfill", "crawl"]


# ---------------------------------------------------------------------- logs
def test_log_file_gets_everything_stderr_would(mirror: MirrorServer, tmp_path: Path) -> None:
    log = tmp_path / "crawl.log"
    base = mirror.base_url + "/ar/"
    args = ["crawl", base, "--profile", "sahara.ma", "--db", tmp_path / "a.db", *FAST]
    result = run(*args, "--delay", "0", "--max-pages", "5", "--log-file", log)
    assert result.returncode == 0 and result.stderr == "" and result.stdout == ""
    lines = log.read_text(encoding="utf-8").splitlines()
    stamp = r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d[+-]\d\d:\d\d "
    assert all(re.match(stamp, line) for line in lines) and len(lines) >= 2
    assert any(re.search(r"\d+ pages fetched, .*\(incomplete\)$", line) for line in lines)
    assert any("URLs pending" in line for line in lines)  # the note, as stderr would have it
    bad = run(*args, "--since", "2025-13", "--log-file", log)
    assert bad.returncode == 2 and bad.stderr.startswith("scraper: error:")  # errors reach stderr


def test_page_lines_show_the_fetch_time_and_the_wait_apart(
    mirror: MirrorServer, tmp_path: Path
) -> None:
    base = mirror.base_url + "/ar/"
    args = ["crawl", base, "--profile", "sahara.ma", "--db", tmp_path / "a.db"]
    result = run(*args, "--delay", "0.3", "--concurrency", "1", "--max-pages", "8", "-v")
    pages = [x for x in result.stderr.splitlines() if x.startswith("scraper: INFO: 200 ")]
    assert len(pages) >= 4, result.stderr
    seconds = [float(x.split()[4].rstrip("s")) for x in pages]
    assert max(seconds) < 0.25  # loopback answers in milliseconds: not the 0.3 s spacing
    waits = [float(m) for x in pages for m in re.findall(r"\(\+(\d+\.\d\d)s wait\)$", x)]
    assert len(waits) >= 3 and max(waits) >= 0.2  # the politeness wait, shown apart


def test_dask_logs_are_quiet_unless_very_verbose(monkeypatch: pytest.MonkeyPatch) -> None:
    import logging
    import os

    from scraper.cli._common import setup_logging

    monkeypatch.delenv("DASK_LOGGING__DISTRIBUTED", raising=False)
    setup_logging(0, True)
    assert os.environ["DASK_LOGGING__DISTRIBUTED"] == "error"
    assert logging.getLogger("distributed").level == logging.ERROR
    setup_logging(0, False)
    assert logging.getLogger("distributed").level == logging.WARNING
    monkeypatch.delenv("DASK_LOGGING__DISTRIBUTED")
    logging.getLogger("distributed").setLevel(logging.NOTSET)
    setup_logging(2, False)
    assert "DASK_LOGGING__DISTRIBUTED" not in os.environ
    assert logging.getLogger("distributed").level == logging.NOTSET


# ---------------------------------------------------------------------- exit codes, inputs
def test_serve_on_a_busy_port_is_one_line_and_exit_5(demo_db: Path) -> None:
    pytest.importorskip("datasette")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run("serve", "--db", demo_db, "--port", port, timeout=60)
    assert result.returncode == 5 and result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith(f"scraper: error: cannot listen on 127.0.0.1:{port}")


def test_an_unknown_article_is_bad_input_like_any_other(demo_db: Path) -> None:
    for command in (["show", "99999"], ["history", "99999"]):
        result = run(*command, "--db", demo_db)
        assert result.returncode == 2, command
        assert result.stderr == f"scraper: error: no article '99999' in {demo_db}\n"


def test_backfill_takes_the_one_date_grammar() -> None:
    from scraper.scale.backfill import make_options

    options = make_options(None, None, "2025", "2025-11")
    assert (options.since, options.until) == ("2025-01-01", "2025-11-30")
    result = cli("backfill", "x.warc.gz", "--since", "2025-13")
    assert result.exit_code == 2 and "2025-13" in result.output


def test_plural_counts_and_the_axis_names_every_month(demo_db: Path, tmp_path: Path) -> None:
    from datetime import date, timedelta

    from scraper.report.stats import _axis

    one = cli("export", "--db", demo_db, "--fields", "id", "--since", "2025-11-25",
              "--until", "2025-11-25", "--lang", "fr", "-o", tmp_path / "one.csv")  # fmt: skip
    count = len((tmp_path / "one.csv").read_text().splitlines()) - 1
    assert one.stderr == f"{count} article{'' if count == 1 else 's'} written to " + str(
        tmp_path / "one.csv"
    ) + "\n"  # fmt: skip
    days = [(date(2025, 11, 25) + timedelta(days=i)).isoformat() for i in range(80)]
    axis = _axis(days, 1, 80)  # starts late in November: December must still be named
    assert axis.split() == ["|2025-12", "|2026-01", "|02"]
    assert axis.index("|2025-12") == 6 and axis.index("|2026-01") == 37


def test_audit_all_prints_every_row(demo_db: Path) -> None:
    every = cli("audit", "--db", demo_db, "--all").stdout
    report = json.loads(cli("audit", "--db", demo_db, "--json").stdout)
    cells = [(c["section"], c["month"]) for c in report["sites"][0]["by_section_month"]]
    assert len(cells) > 40  # more than the 40 rows a table shows by default
    rows = re.findall(r"^  (\S+) +(\d{4}-\d\d) +\d+ ", every, re.M)
    assert sorted(rows) == sorted(cells)


def test_extract_reports_the_site_of_the_url_it_returns(demo_db: Path, tmp_path: Path) -> None:
    with Store(demo_db, reading=True) as store:
        url = next(store.records(language="fr"))["url"]
        html = store.page_html(url)
    page = tmp_path / "page.html"
    page.write_bytes(html)
    record = json.loads(cli("extract", page, "--url", "https://elsewhere.example/x").stdout)
    assert record["url"] == url and record["site"] == "sahara.ma"  # the canonical's site
    shutil.copy(page, tmp_path / "b.html")
    lines = cli("extract", page, tmp_path / "b.html", "--url", "https://elsewhere.example/x")
    assert {json.loads(x)["site"] for x in lines.stdout.splitlines()} == {"sahara.ma"}


def test_very_verbose_says_revisiting_only_for_a_page_seen_before(
    mirror: MirrorServer, tmp_path: Path
) -> None:
    db = tmp_path / "a.db"
    args = ["crawl", mirror.base_url + "/ar/", "--profile", "sahara.ma", "--db", db, *FAST]
    assert run(*args, "--delay", "0").returncode == 0
    with sqlite3.connect(db) as conn:
        known = {row[0] for row in conn.execute("SELECT url FROM frontier")}
    again = run(*args, "--delay", "0", "--full", "-vv")
    said = re.findall(r"DEBUG: (queued|revisiting) (\w+) page (\S+) \(next after", again.stderr)
    assert any(word == "queued" for word, _, _ in said)  # pages no run had seen
    for word, _kind, url in said:
        assert (word == "revisiting") == (canonical(url) in known), (word, url)
