"""The command line a cron operator and an analyst can trust (issue 14): what a crawl says and
how it exits, the inputs every command accepts, and the data the exports give to analysts'
tools. Crawls run over loopback (the mirror, small canned servers); commands run through
``click.testing`` or a subprocess, as a user would run them."""

from __future__ import annotations

import csv
import io
import json
import logging
import socket
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from scraper import demo as demo_mod
from scraper.cli import main
from scraper.crawl import CrawlSummary
from scraper.mirror import MirrorServer
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


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh demo archive (the mirror crawled through :func:`scraper.demo.run_demo`)."""
    db = tmp_path_factory.mktemp("demo") / "archive.db"
    result = demo_mod.run_demo(db, port=0)
    assert [s.status for s in result.summaries] == ["ok", "ok"]
    return db


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
    assert all(x.split()[2] == "200" and x.split()[4].endswith("s") for x in pages)
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
        console.print(progress_display.__name__)  # force a refresh of the live display
    text = out.getvalue()
    setup_logging(0, False)
    assert "3/10 pages" in text and "pages/s" in text and "a log line" in text
    assert "97/" not in text
    assert "scraper: INFO: a log line" in text  # a line of its own, not glued to the bar


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
    assert result.returncode == 0
    lines = result.stderr.splitlines()
    assert "0 new" in lines[0]
    [hint] = [x for x in lines if "no article found" in x]
    assert "pages fetched (" in hint and "section's URL or a sitemap" in hint
