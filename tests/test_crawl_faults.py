"""A crawl against a hostile network: faults, robots rules, locks, exit codes, kills.

Every test talks to real HTTP servers on 127.0.0.1: the sahara.ma mirror, alone or behind the
fault-injecting server. Nothing is mocked.
"""

from __future__ import annotations

import itertools
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import unquote

import pytest

from scraper.cli.crawl import report
from scraper.mirror import MirrorServer, default_site
from scraper.mirror.server import Response, Router
from scraper.store import Store
from scraper.store.lock import ArchiveLock

from .conftest import crawl_mirror
from .faultserver import (
    RESET,
    SERVICE_UNAVAILABLE,
    SLOW,
    TOO_MANY_REQUESTS,
    TRUNCATE,
    FaultPlan,
    FaultServer,
)

STABLE_FIELDS = (
    "url", "title", "subtitle", "authors", "published_at", "modified_at", "categories", "tags",
    "body", "related", "next_url", "prev_url", "image",
)  # fmt: skip


def mirror_app(router: Router):
    """The mirror's pages as a FaultServer app."""

    def app(method: str, path: str, headers: Mapping[str, str]):
        status, head, body = router.respond(path, headers.get("host", "127.0.0.1"))
        return status, head, body

    return app


def stable(records: list[dict]) -> list[tuple]:
    """Records without the fields that depend on when they were fetched."""
    return sorted(tuple(str(r[f]) for f in STABLE_FIELDS) for r in records)


def records_of(db: Path) -> list[dict]:
    with Store(db) as store:
        return list(store.records())


def test_a_faulty_network_still_yields_every_article_once(tmp_path, truth):
    plan = FaultPlan(
        rate=0.2,
        seed=7,
        kinds=(SERVICE_UNAVAILABLE, TOO_MANY_REQUESTS, RESET, TRUNCATE, SLOW),
        retry_after="1",
        slow_seconds=1.5,
    )
    with FaultServer(mirror_app(Router(default_site())), faults=plan) as server:
        summary = crawl_mirror(server.base_url + "/ar/", tmp_path / "a.db", timeout=0.75)
        faults = [e for e in server.log if e.fault]
    records = records_of(tmp_path / "a.db")
    assert len(faults) >= 20, "the plan must actually inject faults"
    assert {f.fault for f in faults} == {
        SERVICE_UNAVAILABLE,
        TOO_MANY_REQUESTS,
        RESET,
        TRUNCATE,
        SLOW,
    }
    urls = [r["url"] for r in records]
    assert len(urls) == len(set(urls)) == len(truth)
    assert summary.errors == 0


def robots_router(site, robots: str) -> Router:
    router = Router(site)
    original = router.respond

    def respond(target: str, host: str) -> Response:
        if target == "/robots.txt":
            return Response(200, [("Content-Type", "text/plain")], robots.encode())
        return original(target, host)

    router.respond = respond  # type: ignore[method-assign]
    return router


def test_robots_disallow_and_crawl_delay_are_obeyed(tmp_path):
    site = default_site()
    sport = site.category_slug("ar", "رياضة") if hasattr(site, "category_slug") else "رياضة"
    robots = f"User-agent: *\nDisallow: /ar/category/{sport}/\nCrawl-delay: 0.25\n"
    with FaultServer(mirror_app(robots_router(site, robots))) as server:
        crawl_mirror(server.base_url + "/ar/", tmp_path / "a.db", max_pages=12)
        log = [e for e in server.log if e.path != "/robots.txt"]
    paths = [unquote(e.path) for e in log]
    assert not [p for p in paths if p.startswith(f"/ar/category/{sport}/")]
    starts = [e.time for e in log]
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert len(starts) >= 8
    assert min(gaps) >= 0.25 * 0.85, gaps  # arrival times jitter on a loaded machine


def run_cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "scraper", *args], capture_output=True, text=True, timeout=timeout
    )


def test_a_second_crawl_of_the_same_archive_exits_at_once_with_code_3(tmp_path):
    db = tmp_path / "a.db"
    Store(db).close()
    with ArchiveLock(db):
        started = time.monotonic()
        result = run_cli("crawl", "http://127.0.0.1:9/", "--db", str(db))
        elapsed = time.monotonic() - started
    assert result.returncode == 3
    assert "another crawl" in result.stderr
    assert elapsed < 10


def test_exit_code_4_when_the_site_keeps_rate_limiting(tmp_path, capsys):
    plan = FaultPlan(rate=1.0, kinds=(TOO_MANY_REQUESTS,), retry_after="0")
    with FaultServer(mirror_app(Router(default_site())), faults=plan) as server:
        summary = crawl_mirror(server.base_url + "/ar/", tmp_path / "a.db")
        requests = len(server.log)
    assert summary.status == "blocked"
    assert requests < 20, "a refusing host must stop the crawl, not loop"
    assert report(summary, as_json=False, quiet=True) == 4
    err = capsys.readouterr().err
    assert "blocked" in err and "127.0.0.1" in err


def test_exit_code_1_when_some_pages_fail(tmp_path):
    site = default_site()
    broken = site.get(1002).path()
    router = Router(site)

    def app(method: str, path: str, headers: Mapping[str, str]):
        if unquote(path).lower() == unquote(broken).lower():
            return 404, [("Content-Type", "text/html")], b"<h1>gone</h1>"
        return router.respond(path, headers.get("host", ""))

    with FaultServer(app) as server:
        result = run_cli("crawl", "--profile", "sahara.ma", server.base_url + "/ar/",
                         "--db", str(tmp_path / "a.db"), "--delay", "0", "--json")  # fmt: skip
    assert result.returncode == 1, result.stderr
    assert '"errors": 1' in result.stdout


def test_an_archive_that_cannot_be_written_stops_the_crawl_cleanly(tmp_path, monkeypatch, truth):
    """A write error in the processing thread (here: disk full on the 10th article) stops
    every worker with a one-line reason; what was written stays, and the next run finishes."""
    db = tmp_path / "a.db"
    real_save = Store.save_article
    calls = itertools.count(1)

    def failing_save(self, *args, **kwargs):
        if next(calls) == 10:
            raise sqlite3.OperationalError("database or disk is full")
        return real_save(self, *args, **kwargs)

    with MirrorServer(default_site()) as server:
        monkeypatch.setattr(Store, "save_article", failing_save)
        broken = crawl_mirror(server.base_url + "/ar/", db)
        monkeypatch.setattr(Store, "save_article", real_save)
        assert broken.status == "failed"
        assert broken.messages == [
            "the disk is full (database or disk is full): the crawl stopped; the archive is"
            " intact, nothing is half-written; it resumes when run again"
        ]
        assert report(broken, as_json=False, quiet=True) == 1
        with Store(db) as store:
            assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            kept = len(list(store.records()))  # 9, plus the pages other workers had in hand
            assert 9 <= kept < len(truth)
            states = dict(store.db.execute("SELECT state, count(*) FROM frontier GROUP BY 1"))
            assert "active" not in states  # claimed URLs went back to pending
        again = crawl_mirror(server.base_url + "/ar/", db)
    assert again.status == "ok" and again.articles_new == len(truth) - kept


def test_a_windows_1256_article_decodes_right(tmp_path):
    site = default_site()
    target = site.get(1003)
    router = Router(site)

    def app(method: str, path: str, headers: Mapping[str, str]):
        status, head, body = router.respond(path, headers.get("host", ""))
        if unquote(path) == unquote(target.path()):
            text = body.decode("utf-8").replace('charset="UTF-8"', "").replace("charset=UTF-8", "")
            body = text.encode("windows-1256", errors="ignore")
            head = [(k, "text/html" if k.lower() == "content-type" else v) for k, v in head]
        return status, head, body

    with FaultServer(app) as server:
        crawl_mirror(server.base_url + "/ar/", tmp_path / "a.db", max_pages=200)
    [record] = [r for r in records_of(tmp_path / "a.db") if r["title"] == target.title]
    assert record["body"].split("\n\n")[0] == target.paragraphs[0]


def count_articles(db: Path) -> int:
    try:
        with sqlite3.connect(db, timeout=5) as conn:
            return conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    except sqlite3.Error:
        return 0


def start_crawl(base: str, db: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "scraper", "crawl", "--profile", "sahara.ma", base,
         "--db", str(db), "--delay", "0.02", "--concurrency", "2", "-q"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip


def wait_for(db: Path, count: int, proc: subprocess.Popen, limit: float = 60) -> None:
    deadline = time.monotonic() + limit
    while count_articles(db) < count and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)


def test_sigkill_at_several_points_then_resume_equals_a_clean_crawl(tmp_path, crawled):
    with MirrorServer(default_site()) as server:
        base = server.base_url + "/ar/"
        db = tmp_path / "killed.db"
        for point in (0, 10, 35, 60):
            proc = start_crawl(base, db)
            wait_for(db, point, proc)
            if point == 0:
                time.sleep(0.3)  # killed while still walking listings
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=10)
        final = run_cli("crawl", "--profile", "sahara.ma", base, "--db", str(db),
                        "--delay", "0", "-q")  # fmt: skip
        assert final.returncode == 0, final.stderr
        clean = tmp_path / "clean.db"
        crawl_mirror(base, clean)
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    got, want = records_of(db), records_of(clean)
    assert len(got) == len({r["url"] for r in got}) == len(crawled["records"])
    assert stable(got) == stable(want)


def test_sigterm_stops_cleanly_and_the_next_run_finishes(tmp_path, crawled):
    with MirrorServer(default_site()) as server:
        base = server.base_url + "/ar/"
        db = tmp_path / "a.db"
        proc = start_crawl(base, db)
        wait_for(db, 15, proc)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 143  # 128 + SIGTERM, as shells report it
        with Store(db) as store:
            status = store.db.execute("SELECT status, message FROM crawl_runs").fetchall()
            assert status == [("interrupted", "interrupted by SIGTERM")]
            assert (
                store.db.execute("SELECT count(*) FROM frontier WHERE state = 'active'").fetchone()[
                    0
                ]
                == 0
            )
        final = run_cli("crawl", "--profile", "sahara.ma", base, "--db", str(db), "--delay", "0")
        assert final.returncode == 0, final.stderr
    assert len(records_of(db)) == len(crawled["records"])


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs POSIX signals")
def test_lock_is_released_when_the_holder_is_killed(tmp_path):
    db = tmp_path / "a.db"
    Store(db).close()
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys,time; from scraper.store.lock import ArchiveLock\n"
         f"with ArchiveLock({str(db)!r}):\n print('held', flush=True); time.sleep(60)"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert holder.stdout.readline().strip() == "held"
    holder.kill()
    holder.wait(timeout=10)
    with ArchiveLock(db):
        pass
