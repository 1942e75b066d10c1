"""The command line a cron operator and an analyst can trust (issue 14): what a crawl says and
how it exits, the inputs every command accepts, and the data the exports give to analysts'
tools. Crawls run over loopback (the mirror, small canned servers); commands run through
``click.testing`` or a subprocess, as a user would run them."""

from __future__ import annotations

import csv
import io
import json
import logging
import re
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from scraper.cli import main
from scraper.crawler.summary import CrawlSummary
from scraper.mirror import MirrorServer
from scraper.mirror import demo as demo_mod
from tests.faultserver import FaultServer

ROOT = Path(__file__).resolve().parents[1]
FAST = ["--delay", "0", "--concurrency", "4", "--workers", "8", "--backoff-base", "0.01"]


def cli(*args: object, input: str | None = None) -> object:
    """``scraper ARGS`` through click's runner (stdout and stderr apart)."""
    return CliRunner().invoke(main, [str(a) for a in args], input=input, catch_exceptions=False)


def run(*args: object, timeout: float = 120, **kw: object) -> subprocess.CompletedProcess:
    """``python -m scraper ARGS`` in a subprocess: the real process, streams and exit code."""
    return subprocess.run(
        [sys.executable, "-m", "scraper", *map(str, args)],
        capture_output=True, text=True, timeout=timeout, **kw,
    )  # fmt: skip


# ====================================================================== crawl output
def test_a_crawl_off_a_terminal_prints_one_summary_line_unless_quiet(
    mirror: MirrorServer, tmp_path: Path
) -> None:
    base = mirror.base_url + "/ar/"
    result = run("crawl", base, "--profile", "sahara.ma", "--db", tmp_path / "a.db", *FAST)
    assert result.returncode == 0 and result.stdout == ""
    [line] = result.stderr.splitlines()  # `>> crawl.log 2>&1` gets exactly this
    assert line.startswith("127.0.0.1:") and "74 new" in line and line.endswith("(ok)")
    quiet = run("crawl", base, "--profile", "sahara.ma", "--db", tmp_path / "a.db", *FAST, "-q")
    assert quiet.returncode == 0 and quiet.stdout == quiet.stderr == ""


def test_json_prints_a_summary_object_also_when_the_crawl_fails(tmp_path: Path) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = run("crawl", f"http://127.0.0.1:{port}/", "--db", tmp_path / "a.db", "--json",
                 "--retries", "0")  # fmt: skip
    assert result.returncode == 4  # nothing answers, not even robots.txt: the host is given up
    summary = json.loads(result.stdout)
    assert summary["pages_fetched"] == 0 and summary["status"] == "blocked"
    assert summary["exit_code"] == 4 and "robots.txt unavailable" in summary["messages"][0]
    assert "scraper: error: host 127.0.0.1" in result.stderr and "Traceback" not in result.stderr


def test_verbosity_one_line_per_page_then_decisions_then_library_internals(
    mirror: MirrorServer, tmp_path: Path
) -> None:
    base = mirror.base_url + "/ar/"
    args = ["crawl", base, "--profile", "sahara.ma", "--db", tmp_path / "a.db", *FAST]
    plain = run(*args, "--max-pages", "10")
    assert len(plain.stderr.splitlines()) == 2  # the summary and the pending note
    one = run(*args, "-v", "--json")
    pages = [x for x in one.stderr.splitlines() if x.startswith("scraper: INFO: ")]
    # one per page: status, kind, seconds, outcome, URL
    assert len(pages) == json.loads(one.stdout)["pages_fetched"] > 50
    # pages the first run archived may be revisited with a conditional GET and answer 304
    assert all(x.split()[2] in ("200", "304") and x.split()[4].endswith("s") for x in pages)
    assert all("not modified" in x for x in pages if x.split()[2] == "304")
    assert any(" new " in x for x in pages)
    assert "httpcore" not in one.stderr and "DEBUG" not in one.stderr
    fresh = ["crawl", base, "--profile", "sahara.ma", "--db", tmp_path / "b.db", *FAST]
    two = run(*fresh, "--max-pages", "5", "-vv")  # why each URL was queued, skipped, revisited
    assert "scraper: DEBUG: queued " in two.stderr and "httpcore" not in two.stderr
    assert "scraper: DEBUG: no complete crawl" in two.stderr
    three = run(*args, "--max-pages", "2", "-vvv")
    assert "httpcore" in three.stderr or "httpx" in three.stderr


def test_the_progress_bar_counts_this_run_with_rate_and_eta_and_logs_above_it() -> None:
    from rich.console import Console

    from scraper.cli._common import setup_logging
    from scraper.cli.crawl import progress_display

    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=150)
    with progress_display(True, console) as (update, handler_console):
        assert update is not None and handler_console is console
        setup_logging(1, False, None, console)
        summary = CrawlSummary(site="x", pages_fetched=3, articles_new=2)
        # a re-run: 97 URLs done by earlier runs do not count; 3 fetched now, 7 left
        update(summary, {"done": 97, "pending": 6, "active": 1})
        logging.getLogger("scraper.crawl").info("a log line")
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", out.getvalue())  # without terminal codes
    setup_logging(0, False)
    assert "3/10 pages" in text and "pages/s" in text and "97/" not in text
    [line] = [x for x in re.split(r"[\r\n]", text) if "a log line" in x]
    assert line.strip() == "scraper: INFO: a log line"  # a line of its own, not on the bar


def test_exit_codes_are_documented_including_signals() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for code in ("`0`", "`1`", "`2`", "`3`", "`4`", "`130`", "`143`"):
        assert code in readme, code
    assert "incomplete" in readme


def test_max_pages_ends_incomplete_and_says_how_many_urls_are_pending(
    mirror: MirrorServer, tmp_path: Path
) -> None:
    db = tmp_path / "a.db"
    base = mirror.base_url + "/ar/"
    result = run("crawl", base, "--profile", "sahara.ma", "--db", db, *FAST, "--max-pages", "5",
                 "--json")  # fmt: skip
    summary = json.loads(result.stdout)
    assert result.returncode == 0
    assert summary["status"] == "incomplete" and summary["pending"] > 20
    assert f"{summary['pending']} URLs pending" in result.stderr
    with sqlite3.connect(db) as conn:
        [(status, message)] = conn.execute("SELECT status, message FROM crawl_runs").fetchall()
    assert status == "incomplete" and "URLs pending" in message
    final = run("crawl", base, "--profile", "sahara.ma", "--db", db, *FAST, "--json")
    assert json.loads(final.stdout)["status"] == "ok" and json.loads(final.stdout)["pending"] == 0


def test_lang_is_checked_against_the_editions_or_iso_codes(
    mirror: MirrorServer, tmp_path: Path
) -> None:
    base = mirror.base_url + "/ar/"
    bad = run("crawl", base, "--profile", "sahara.ma", "--db", tmp_path / "a.db", "--lang", "xx")
    assert bad.returncode == 2
    assert bad.stderr.startswith("scraper: error: 127.0.0.1:") and bad.stderr.endswith(
        " has no 'xx' edition (editions: ar, fr, en, es)\n"
    )
    generic = run("crawl", "http://127.0.0.1:9/", "--db", tmp_path / "a.db", "--lang", "zz")
    assert generic.returncode == 2 and "not a language code: 'zz'" in generic.stderr
    good = run("crawl", base, "--profile", "sahara.ma", "--db", tmp_path / "b.db", *FAST,
               "--lang", "fr", "--json")  # fmt: skip
    summary = json.loads(good.stdout)
    assert good.returncode == 0 and summary["articles_new"] > 0


def test_a_crawl_that_finds_no_article_says_what_it_found_and_what_to_try(
    tmp_path: Path,
) -> None:
    home = (
        "<html><head><title>Club</title></head><body><nav><a href='/about'>About</a>"
        "<a href='/contact'>Contact</a></nav><p>Welcome to the club.</p></body></html>"
    )
    page = "<html><body><p>Call us.</p></body></html>"
    with FaultServer({"/": home, "/about": page, "/contact": page}) as server:
        result = run("crawl", server.base_url + "/", "--db", tmp_path / "a.db", *FAST)
    assert result.returncode == 1  # a crawl that leaves the site with no article is not ok
    lines = result.stderr.splitlines()
    assert "0 new" in lines[0] and lines[0].endswith("(empty)")
    [hint] = [x for x in lines if "no article found" in x]
    assert "pages fetched (" in hint and "section's URL or a sitemap" in hint


# ====================================================================== commands and inputs
@pytest.mark.parametrize(
    ("name", "args", "magic"),
    [
        ("out.csv", [], b"id,url,"),
        ("out.parquet", [], b"PAR1"),
        ("out.jsonl", [], b'{"id": '),
        ("out.csv", ["--format", "jsonl"], b'{"id": '),  # --format wins over the extension
    ],
)
def test_the_export_format_follows_the_extension(
    demo_db: Path, tmp_path: Path, name: str, args: list[str], magic: bytes
) -> None:
    out = tmp_path / name
    result = cli("export", "--db", demo_db, "-o", out, *args)
    assert result.exit_code == 0 and result.stderr == f"74 articles written to {out}\n"
    assert out.read_bytes().startswith(magic)


def test_an_unknown_extension_is_one_line_error(demo_db: Path, tmp_path: Path) -> None:
    result = run("export", "--db", demo_db, "-o", tmp_path / "out.txt")
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert "cannot tell the format of" in result.stderr and not (tmp_path / "out.txt").exists()


def test_parquet_goes_to_stdout_when_it_is_redirected_not_to_a_terminal(
    demo_db: Path, tmp_path: Path
) -> None:
    import pyarrow.parquet as pq

    out = tmp_path / "redirected.parquet"
    with out.open("wb") as stream:
        result = subprocess.run(
            [sys.executable, "-m", "scraper", "export", "--db", str(demo_db), "--format",
             "parquet", "--lang", "fr"],
            stdout=stream, stderr=subprocess.PIPE, text=True, timeout=60,
        )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert pq.read_table(out).num_rows == 4


def test_a_second_demo_on_a_busy_port_never_duplicates_the_archive(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        first = run("demo", "--db", db, "--port", 0, cwd=tmp_path)
        second = run("demo", "--db", db, "--port", port, cwd=tmp_path)
    assert first.returncode == 0 and second.returncode == 0, second.stderr
    assert "74 new" in first.stdout and "1 updated" in first.stdout  # the correction
    assert f"port {port} is busy" in second.stderr
    assert "0 new, 0 updated" in second.stdout
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT name, base_url FROM sites").fetchall() == [
            ("sahara.ma", "http://sahara.ma/ar/")
        ]
        assert conn.execute("SELECT count(*), max(revision) FROM articles").fetchone() == (74, 2)
    hits = cli("search", "الصناعة التقليدية", "--db", db, "--nl").output
    urls = [json.loads(line)["url"] for line in hits.splitlines()]
    assert len(urls) == len(set(urls)) > 0  # every hit once


def test_the_demo_does_not_mix_into_an_archive_of_the_real_site(tmp_path: Path) -> None:
    from scraper.store import Store

    db = tmp_path / "real.db"
    with Store(db) as store:
        store.ensure_site("sahara.ma", "https://sahara.ma/ar/", "sahara.ma", None)
    result = run("demo", "--db", db, "--port", 0)
    assert result.returncode == 2
    assert result.stderr.startswith("scraper: error: ") and "another archive" in result.stderr


def test_the_demo_does_not_add_a_second_copy_of_an_older_demo(tmp_path: Path) -> None:
    from scraper.store import Store

    db = tmp_path / "old-demo.db"
    with Store(db) as store:  # what the demo wrote before it answered for sahara.ma
        store.ensure_site("127.0.0.1:8765", "http://127.0.0.1:8765/ar/", "sahara.ma", None)
    result = run("demo", "--db", db, "--port", 0)
    assert result.returncode == 2 and "would archive its articles twice" in result.stderr


def test_the_demo_shows_a_revision(demo_db: Path) -> None:
    url = demo_mod.CORRECTED_URL.rstrip("/")  # as a person types it: decoded, no slash
    result = cli("history", url, "--db", demo_db, "--diff", "1", "2")
    assert result.exit_code == 0
    assert "-وتندرج هذه المنشأة، التي رصد لإنجازها غلاف مالي يناهز 50" in result.output
    assert "+وتندرج هذه المنشأة، التي رصد لإنجازها غلاف مالي يناهز 52" in result.output


DATE_COMMANDS = [
    ["export", "--since", "{d}"],
    ["search", "الصناعة", "--since", "{d}"],
    ["stats", "--until", "{d}"],
]


@pytest.mark.parametrize("day", ["2025", "2025-11", "2025-11-25", "2025-11-25T08:00"])
@pytest.mark.parametrize("command", DATE_COMMANDS)
def test_one_date_grammar_everywhere(demo_db: Path, command: list[str], day: str) -> None:
    result = cli(*[a.format(d=day) for a in command], "--db", demo_db)
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    "command",
    [*DATE_COMMANDS, ["crawl", "http://127.0.0.1:9/", "--since", "{d}"]],
)
def test_one_error_style_for_a_bad_date(demo_db: Path, command: list[str]) -> None:
    result = run(*[a.format(d="2025-13") for a in command], "--db", demo_db)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith("scraper: error: ") and result.stderr.count("\n") == 1
    assert "not a date: '2025-13' (use 2025, 2025-11, 2025-11-25 or 2025-11-25T08:00)" in (
        result.stderr
    )


def test_a_crawl_takes_a_month_as_since(mirror: MirrorServer, tmp_path: Path) -> None:
    result = run("crawl", mirror.base_url + "/ar/", "--profile", "sahara.ma", "--db",
                 tmp_path / "a.db", *FAST, "--since", "2026-03", "--json")  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert 0 < json.loads(result.stdout)["articles_new"] < 74


def test_urls_are_printed_decoded_where_a_person_reads_them(demo_db: Path) -> None:
    encoded = "http://sahara.ma/ar/%D8%AA%D8%AF%D8%B4%D9%8A%D9%86"
    shown = json.loads(cli("show", demo_mod.CORRECTED_URL, "--db", demo_db).output)
    assert shown["url"] == demo_mod.CORRECTED_URL
    assert all("%D8" not in link["url"] for link in shown["related"])
    history = cli("history", demo_mod.CORRECTED_URL, "--db", demo_db).output
    assert history.startswith(demo_mod.CORRECTED_URL + ": 2 versions")
    table = cli("search", "القطب المندمج", "--db", demo_db).output
    assert demo_mod.CORRECTED_URL in table and "%D8" not in table
    exported = cli("export", "--db", demo_db, "--fields", "url").output  # exports: canonical
    assert encoded in exported and demo_mod.CORRECTED_URL not in exported


def test_a_phrase_hit_snippet_shows_the_phrase(demo_db: Path) -> None:
    hits = cli("search", '"التنمية المستدامة"', "--db", demo_db, "--nl").output
    snippets = [json.loads(line)["snippet"] for line in hits.splitlines()]
    assert len(snippets) >= 2
    for snippet in snippets:  # the two words, side by side, whatever their clitics
        assert "] [" in snippet and "مستدام" in snippet.split("] [")[1][:12], snippet


# ====================================================================== data for analysts
def test_parquet_dates_are_utc_timestamps_with_the_local_offset_apart(
    demo_db: Path, tmp_path: Path
) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from scraper.report import exporting

    out = tmp_path / "a.parquet"
    assert cli("export", "--db", demo_db, "-o", out).exit_code == 0
    table = pq.read_table(out)
    for name in ("published_at", "modified_at", "first_seen_at", "fetched_at"):
        assert table.schema.field(name).type == pa.timestamp("us", tz="UTC"), name
    assert table.schema.field("published_offset").type == pa.string()
    offsets = set(table.column("published_offset").to_pylist())
    assert offsets <= {"+00:00", "+01:00", None} and offsets
    records = list(exporting.read_parquet(out))  # back to the record format, exactly
    assert records == [json.loads(x) for x in cli("export", "--db", demo_db).output.splitlines()]


def test_csv_for_excel_starts_with_a_byte_order_mark(demo_db: Path, tmp_path: Path) -> None:
    from scraper.report import exporting

    out = tmp_path / "excel.csv"
    assert cli("export", "--db", demo_db, "-o", out, "--excel").exit_code == 0
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfid,url,") and b"\r\n" in data
    text = data.decode("utf-8-sig")
    assert any("التقليدية" in row["title"] for row in csv.DictReader(io.StringIO(text)))
    with out.open(encoding="utf-8", newline="") as stream:
        assert len(list(exporting.read_csv(stream))) == 74
    plain = tmp_path / "plain.csv"
    cli("export", "--db", demo_db, "-o", plain)
    assert not plain.read_bytes().startswith(b"\xef\xbb\xbf")
    bad = run("export", "--db", demo_db, "--excel", "-o", tmp_path / "x.jsonl")
    assert bad.returncode == 2 and "CSV option" in bad.stderr


def test_export_fields_picks_and_orders_columns(demo_db: Path, tmp_path: Path) -> None:
    lines = cli("export", "--db", demo_db, "--fields", "title,url", "--lang", "fr").output
    rows = [json.loads(x) for x in lines.splitlines()]
    assert len(rows) == 4 and all(list(r) == ["title", "url"] for r in rows)
    out = tmp_path / "f.csv"
    cli("export", "--db", demo_db, "--fields", "url,language", "-o", out)
    assert out.read_text(encoding="utf-8").splitlines()[0] == "url,language"
    bad = run("export", "--db", demo_db, "--fields", "url,titel")
    assert bad.returncode == 2 and "unknown field 'titel' (fields: id, url," in bad.stderr


def test_batch_extraction_of_a_folder_or_files_writes_jsonl(
    mirror: MirrorServer, tmp_path: Path, truth: list[dict]
) -> None:
    import httpx

    pages = tmp_path / "pages"
    (pages / "fr").mkdir(parents=True)
    chosen = [t for t in truth if t["language"] == "fr"][:2] + truth[:1]
    with httpx.Client(base_url=mirror.base_url) as client:
        for n, t in enumerate(chosen):
            folder = pages / "fr" if n < 2 else pages
            (folder / f"page{n}.html").write_bytes(client.get(t["path"]).content)
    (pages / "notes.txt").write_text("not a page")
    result = cli("extract", "--input-dir", pages)
    assert result.exit_code == 0
    assert result.stderr == "3 files, 3 articles, 0 not an article, 0 unreadable\n"
    records = [json.loads(x) for x in result.stdout.splitlines()]
    assert [Path(r["source"]).name for r in records] == ["page0.html", "page1.html", "page2.html"]
    assert {r["title"] for r in records} == {t["title"] for t in chosen}
    files = cli("extract", pages / "page2.html", pages / "fr" / "page0.html", pages / "gone.html")
    assert files.exit_code == 1 and "cannot read" in files.stderr
    assert len(files.stdout.splitlines()) == 2
    single = cli("extract", pages / "page2.html")  # one file: the record as indented JSON
    assert json.loads(single.stdout)["title"] == chosen[2]["title"]


def test_shell_completion_is_documented_and_works() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "_SCRAPER_COMPLETE=bash_source scraper" in readme
    result = subprocess.run(
        [sys.executable, "-c", "from scraper.cli import main; main()"],
        env={**__import__("os").environ, "_SCRAPER_COMPLETE": "bash_source"},
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0 and "complete -o nosort -F" in result.stdout


# ====================================================================== the archive's side
@pytest.mark.parametrize(
    "command",
    [["reextract"], ["stats"], ["search", "الصناعة"], ["export"], ["runs"]],
)
def test_a_site_that_is_not_in_the_archive_is_one_line_naming_the_sites(
    demo_db: Path, command: list[str]
) -> None:
    result = run(*command, "--site", "sahara.com", "--db", demo_db)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == "scraper: error: no site named 'sahara.com'; sites: sahara.ma\n"


@pytest.mark.parametrize(
    "spelling",
    [
        demo_mod.CORRECTED_URL,  # decoded, as printed
        demo_mod.CORRECTED_URL.rstrip("/"),  # without the trailing slash
        demo_mod.CORRECTED_URL.rstrip("/") + "?utm_source=x#top",
        "http://www.sahara.ma/ar/%d8%aa%d8%af%d8%b4%d9%8a%d9%86-%d8%a7%d9%84%d9%82%d8%b7%d8%a8-"
        "%d8%a7%d9%84%d9%85%d9%86%d8%af%d9%85%d8%ac-%d9%84%d9%84%d8%b5%d9%86%d8%a7%d8%b9%d8%a9-"
        "%d8%a7%d9%84%d8%aa%d9%82%d9%84%d9%8a%d8%af%d9%8a%d8%a9-%d8%a8%d9%83%d9%84%d9%85%d9%8a%d9%85",
    ],
)
def test_show_finds_an_article_however_its_url_is_spelled(demo_db: Path, spelling: str) -> None:
    result = cli("show", spelling, "--db", demo_db)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["url"] == demo_mod.CORRECTED_URL
    assert cli("history", spelling, "--db", demo_db).exit_code == 0


def test_a_section_is_the_main_category_in_stats_as_in_the_facet(demo_db: Path) -> None:
    series = json.loads(cli("stats", "--db", demo_db, "--json").output)
    for total in (s for s in series if s["section"] is None):
        parts = [
            s for s in series
            if (s["site"], s["language"]) == (total["site"], total["language"]) and s["section"]
        ]  # fmt: skip
        assert sum(s["articles"] for s in parts) == total["articles"], total["language"]
    with sqlite3.connect(demo_db) as conn:
        facet = dict(
            conn.execute(
                "SELECT section, count(*) FROM article_list WHERE language = 'ar' GROUP BY 1"
            ).fetchall()
        )
    ar = {s["section"]: s["articles"] for s in series if s["language"] == "ar" and s["section"]}
    assert ar == facet


@pytest.fixture
def mixed_offsets(tmp_path: Path) -> Path:
    """An archive whose articles were published in two UTC offsets (winter/summer time)."""
    from datetime import datetime, timedelta, timezone

    from scraper import Article
    from scraper.store import Store

    db = tmp_path / "mixed.db"
    with Store(db) as store:
        site = store.ensure_site("news.example", "https://news.example/")
        for n, hours in enumerate((0, 1)):
            zone = timezone(timedelta(hours=hours))
            store.save_article(site, Article(
                url=f"https://news.example/{n}/", language="fr", title=f"Titre {n}", body="x",
                published_at=datetime(2025, 3, 30 + n, 10, 15, tzinfo=zone),
            ))  # fmt: skip
        store.save_article(site, Article(url="https://news.example/undated/", title="Sans date"))
    return db


def test_published_utc_is_in_the_archive_and_the_exports(mixed_offsets: Path) -> None:
    with sqlite3.connect(mixed_offsets) as conn:
        rows = conn.execute(
            "SELECT published_at, published_utc FROM articles ORDER BY id"
        ).fetchall()
    assert rows == [
        ("2025-03-30T10:15:00+00:00", "2025-03-30T10:15:00+00:00"),
        ("2025-03-31T10:15:00+01:00", "2025-03-31T09:15:00+00:00"),
        (None, None),
    ]
    records = [json.loads(x) for x in cli("export", "--db", mixed_offsets).output.splitlines()]
    assert [r["published_utc"] for r in records] == [
        None, "2025-03-30T10:15:00+00:00", "2025-03-31T09:15:00+00:00",
    ]  # fmt: skip
    doc = (ROOT / "docs" / "schema.md").read_text(encoding="utf-8")
    assert "`published_utc`" in doc and "published_utc" in (ROOT / "README.md").read_text()


def test_an_older_archive_gets_published_utc(tmp_path: Path) -> None:
    from scraper.store import SCHEMA_VERSION, Store

    db = tmp_path / "v3.db"
    conn = sqlite3.connect(db)
    conn.executescript((ROOT / "tests" / "fixtures" / "archive_v2.sql").read_text("utf-8"))
    conn.close()
    Store(db).close()  # migrates 2 -> 3 -> 4 -> 5 -> 6
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION >= 6
        rows = conn.execute("SELECT published_at, published_utc FROM articles").fetchall()
    assert rows and all((utc is None) == (at is None or at[-6] not in "+-") for at, utc in rows), (
        rows
    )
    assert any(utc for _, utc in rows)


def test_runs_lists_the_crawl_runs(demo_db: Path) -> None:
    table = cli("runs", "--db", demo_db).output.splitlines()
    assert table[0].split()[:2] == ["id", "started"]  # a header row, times in UTC
    assert len(table) == 3 and table[1].split()[0] == "2" and "crawl" in table[1]
    rows = [json.loads(x) for x in cli("runs", "--db", demo_db, "--nl").output.split("\n") if x]
    assert [(r["id"], r["status"], r["articles_new"]) for r in rows] == [
        (2, "ok", 0),
        (1, "ok", 74),
    ]
    assert {"started_at", "finished_at", "site", "pages_fetched", "errors", "message"} <= set(
        rows[0]
    )


def test_export_changed_since_a_run_or_a_date(demo_db: Path) -> None:
    def urls(*args: str) -> list[str]:
        result = cli("export", "--db", demo_db, "--fields", "url", *args)
        assert result.exit_code == 0, result.output
        return [json.loads(x)["url"] for x in result.stdout.splitlines()]

    from scraper.urls import canonical

    assert urls("--changed-since", "1") == [canonical(demo_mod.CORRECTED_URL)]
    assert urls("--changed-since", "2") == []
    assert len(urls("--changed-since", "2025-01")) == 74  # a bare number is a run id
    assert urls("--changed-since", "2999-01-01T00:00") == []
    bad = run("export", "--db", demo_db, "--changed-since", "99")
    assert bad.returncode == 2 and bad.stderr == "scraper: error: no crawl run 99 (runs: 1-2)\n"


def test_json_prints_an_object_when_no_crawl_could_start(tmp_path: Path) -> None:
    from scraper.store import Store
    from scraper.store.lock import ArchiveLock

    db = tmp_path / "a.db"
    Store(db).close()
    with ArchiveLock(db):
        result = run("crawl", "http://127.0.0.1:9/", "--db", db, "--json")
    assert result.returncode == 3
    data = json.loads(result.stdout)
    assert data["status"] == "error" and data["exit_code"] == 3 and data["messages"]
    assert result.stderr.startswith("scraper: error: ") and result.stderr.count("\n") == 1


MORE_BAD_INPUTS = [
    ["stats", "--since", "last week"],
    ["runs", "--limit", "0"],
    ["extract", "--input-dir", "/no/such/folder"],
    ["extract"],
    ["export", "--fields", ""],
    ["export", "--changed-since", "yesterday"],
    ["export", "--format", "xml"],
    ["search", "x", "--until", "2025-02-30"],
    ["demo", "--port", "70000"],
    ["show"],
    ["history", "1", "--diff", "1"],
    ["crawl", "sahara.ma", "--lang", "xx"],
]


@pytest.mark.parametrize("args", MORE_BAD_INPUTS, ids=lambda a: " ".join(a))
def test_every_command_has_one_error_style(demo_db: Path, args: list[str]) -> None:
    result = run(*args, "--db", demo_db)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("scraper: error: ") and result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_the_reading_room_says_which_sites_there_are_too(demo_db: Path) -> None:
    import asyncio

    from scraper.web.serve import make_app

    async def go() -> list[object]:
        datasette = make_app(demo_db)
        await datasette.invoke_startup()
        paths = ("/-/search?q=الصناعة&site=sahara.com", "/-/dashboard?site=sahara.com")
        return [await datasette.client.get(p) for p in paths]

    for page in asyncio.run(go()):
        assert page.status_code == 200  # type: ignore[attr-defined]
        assert "no site named &#39;sahara.com&#39;; sites: sahara.ma" in page.text  # type: ignore[attr-defined]
