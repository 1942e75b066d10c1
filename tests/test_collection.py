"""Collections: several sites crawled in one run into one archive, over real loopback servers.

Five sites at once: the sahara.ma mirror (with its profile), Le Journal du Sud and the
synthetic site (both without a profile), one answering 503 to everything, one whose
robots.txt disallows everything.
"""

from __future__ import annotations

import itertools
import json
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from click.testing import CliRunner

import scraper
from scraper import ConfigError, Settings, UsageError
from scraper.cli import main
from scraper.crawler.collection import CollectionSummary, worst_status
from scraper.crawler.sitelist import SiteSpec, parse_lines, parse_toml, read_sites
from scraper.mirror import MirrorServer
from scraper.store import Store

from .faultserver import FaultServer, Routes
from .sites.lejournal import LeJournalServer

ROOT = Path(__file__).resolve().parent.parent
SYNTHETIC = ROOT / "benchmarks" / "synthetic_site.py"
SYNTHETIC_ARTICLES = 40
FAST = ["--delay", "0", "--concurrency", "4", "--workers", "8", "--backoff-base", "0.01"]
LEJOURNAL_DELAY = 0.05  # the site's own pace, from the sites file


def cli(*args: object) -> object:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def synthetic() -> Iterator[str]:
    """The benchmark's synthetic site (one host, 40 articles) in a subprocess."""
    command = [sys.executable, str(SYNTHETIC), "--articles", str(SYNTHETIC_ARTICLES),
               "--sections", "2", "--per-page", "10"]  # fmt: skip
    server = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        yield json.loads(server.stdout.readline())["base_urls"][0]
    finally:
        assert server.stdin is not None
        server.stdin.close()  # it stops at end of stdin
        server.wait(timeout=10)


def unavailable_app(method: str, path: str, headers: object) -> tuple[int, dict, bytes]:
    return 503, {"Content-Type": "text/plain"}, b"down for maintenance"


DISALLOW_ALL = Routes(
    {
        "/robots.txt": (200, {"Content-Type": "text/plain"}, b"User-agent: *\nDisallow: /\n"),
        "/": "<html><body><a href='/2025/01/01/story.html'>story</a></body></html>",
    }
)


@pytest.fixture(scope="module")
def collection(
    mirror: MirrorServer, synthetic: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict]:
    """The five sites crawled twice through ``scraper crawl --sites``."""
    tmp = tmp_path_factory.mktemp("collection")
    db = tmp / "press.db"
    with (
        LeJournalServer() as journal,
        FaultServer(unavailable_app) as down,
        FaultServer(DISALLOW_ALL) as closed,
    ):
        sites = tmp / "press.toml"
        sites.write_text(
            f'[[site]]\nurl = "{mirror.base_url}/ar/"\nprofile = "sahara.ma"\n'
            f'timezone = "Africa/Casablanca"\n\n'
            f'[[site]]\nurl = "{journal.base_url}/"\ndelay = {LEJOURNAL_DELAY}\n\n'
            f'[[site]]\nurl = "{synthetic}"\n\n'
            f'[[site]]\nurl = "{down.base_url}/"\n\n'
            f'[[site]]\nurl = "{closed.base_url}/"\n',
            encoding="utf-8",
        )
        first = cli("crawl", "--sites", sites, "--db", db, *FAST, "--json")
        journal_times = [r.time for r in journal.requests if r.path != "/robots.txt"]
        down_requests = len(down.log)
        # The second run, from Python: every site incremental on its own.
        with Store(db) as store:
            before = {r["url"]: r["revision"] for r in store.records()}
        again = scraper.crawl(
            [SiteSpec(f"{mirror.base_url}/ar/", profile="sahara.ma"), f"{journal.base_url}/",
             synthetic, f"{down.base_url}/", f"{closed.base_url}/"],
            db, settings=Settings(delay=0, concurrency=4, workers=8, backoff_base=0.01),
        )  # fmt: skip
        hosts = {
            "mirror": urlsplit(mirror.base_url).netloc,
            "journal": urlsplit(journal.base_url).netloc,
            "synthetic": urlsplit(synthetic).netloc,
            "down": urlsplit(down.base_url).netloc,
            "closed": urlsplit(closed.base_url).netloc,
        }
    with Store(db) as store:
        records = list(store.records())
        runs = store.runs()
    yield {
        "first": first,
        "report": json.loads(first.stdout.strip().splitlines()[-1]),
        "again": again,
        "before": before,
        "records": records,
        "runs": runs,
        "db": db,
        "hosts": hosts,
        "journal_times": journal_times,
        "down_requests": down_requests,
    }


def of_site(records: list[dict], host: str) -> dict[str, dict]:
    return {unquote(urlsplit(r["url"]).path): r for r in records if r["site"] == host}


def test_every_article_of_the_good_sites_is_archived(collection, truth):
    records, hosts = collection["records"], collection["hosts"]
    mirror = of_site(records, hosts["mirror"])
    assert sorted(mirror) == sorted(unquote(t["path"]) for t in truth)
    for t in truth:
        got = mirror[unquote(t["path"])]
        assert (got["title"], got["body"], got["published_at"]) == (
            t["title"], t["body"], t["published_at"]
        ), t["path"]  # fmt: skip
    journal_truth = [
        json.loads(line)
        for line in (ROOT / "tests/fixtures/lejournal/truth.jsonl").read_text("utf-8").splitlines()
    ]
    journal = of_site(records, hosts["journal"])
    assert sorted(journal) == sorted(t["path"] for t in journal_truth)
    for t in journal_truth:
        assert (journal[t["path"]]["title"], journal[t["path"]]["body"]) == (t["title"], t["body"])
    sys.path.insert(0, str(SYNTHETIC.parent))
    try:
        from synthetic_site import SiteSpec as Synthetic
    finally:
        sys.path.remove(str(SYNTHETIC.parent))
    spec = Synthetic(articles=SYNTHETIC_ARTICLES, sections=2, per_page=10)
    synthetic = of_site(records, hosts["synthetic"])
    assert sorted(synthetic) == sorted(spec.article_path(i) for i in range(SYNTHETIC_ARTICLES))
    assert all(len(r["body"]) > 200 and r["title"] for r in synthetic.values())
    assert not of_site(records, hosts["down"]) and not of_site(records, hosts["closed"])


def test_the_summary_has_one_line_per_site_a_total_and_the_worst_code(collection):
    report = collection["report"]
    by_site = {s["site"]: s for s in report["sites"]}
    hosts = collection["hosts"]
    assert list(by_site) == [hosts[k] for k in ("mirror", "journal", "synthetic", "down", "closed")]
    assert [by_site[hosts[k]]["status"] for k in ("mirror", "journal", "synthetic")] == ["ok"] * 3
    down, closed = by_site[hosts["down"]], by_site[hosts["closed"]]
    assert down["status"] == "blocked" and down["exit_code"] == 4
    assert "503" in " ".join(down["messages"])
    assert closed["pages_fetched"] == 0 and closed["skipped"] >= 1
    assert "no article found" in " ".join(closed["messages"])
    assert report["exit_code"] == collection["first"].exit_code == 4  # the worst site's
    # A first crawl that archives nothing is no success ("empty"); the collection's status
    # is its worst site's.
    assert closed["status"] == "empty" and closed["exit_code"] == 1
    assert report["status"] == worst_status([s["status"] for s in report["sites"]]) == "blocked"
    assert report["total"]["articles_new"] == sum(s["articles_new"] for s in report["sites"])
    assert report["total"]["articles_new"] == len(collection["before"]) == 74 + 30 + 40


def test_each_site_has_its_run_and_the_collection_one(collection):
    hosts = collection["hosts"]
    with sqlite3.connect(collection["db"]) as conn:
        rows = conn.execute(
            "SELECT id, status, sites, pages_fetched, articles_new, message FROM collection_runs"
        ).fetchall()
        linked = conn.execute(
            "SELECT r.collection_run, s.name, r.status, r.message FROM crawl_runs r"
            " JOIN sites s ON s.id = r.site_id ORDER BY r.id"
        ).fetchall()
        changed = conn.execute(
            "SELECT s.name, a.changed_run, r.site_id = a.site_id FROM articles a"
            " JOIN sites s ON s.id = a.site_id JOIN crawl_runs r ON r.id = a.changed_run"
        ).fetchall()
    (first_id, status, names, pages, new, message), second = rows
    assert status == "blocked" and json.loads(names) == list(hosts.values())
    assert new == 144 and pages == collection["report"]["total"]["pages_fetched"]
    assert f"{hosts['down']}: blocked" in message and hosts["mirror"] not in message
    assert [run for run, *_ in linked] == [first_id] * 5 + [second[0]] * 5
    by_site = {name: (status, message) for _, name, status, message in linked[:5]}
    assert "robots.txt unavailable" in by_site[hosts["down"]][1]
    assert "no article found" in by_site[hosts["closed"]][1]
    # An article records the run of its own site, not the last run the collection started.
    assert changed and all(same for _, _, same in changed)


def test_a_site_keeps_its_own_pace_on_the_shared_fetcher(collection):
    """Request starts to Le Journal are spaced by its own delay (server-side arrival times
    jitter by a few ms, so: the span of all of them, and the median gap)."""
    times = sorted(collection["journal_times"])
    gaps = sorted(b - a for a, b in itertools.pairwise(times))
    assert len(times) > 30
    assert times[-1] - times[0] >= (len(times) - 1) * LEJOURNAL_DELAY * 0.95
    assert gaps[len(gaps) // 2] >= LEJOURNAL_DELAY * 0.9


def test_a_second_run_is_incremental_per_site(collection):
    again: CollectionSummary = collection["again"]
    assert isinstance(again, CollectionSummary)
    first = {s["site"]: s for s in collection["report"]["sites"]}
    for summary in again.sites:
        assert summary.articles_new == 0, summary.site
        if first[summary.site]["articles_new"]:
            assert summary.pages_fetched < first[summary.site]["pages_fetched"] / 2
    with Store(collection["db"]) as store:
        after = {r["url"]: r["revision"] for r in store.records()}
    assert after == collection["before"]


def test_runs_and_stats_read_per_site(collection):
    runs = cli("runs", "--db", collection["db"], "--limit", "10")
    header, *lines = runs.stdout.strip().splitlines()
    assert header.split()[:2] == ["id", "started"]
    assert len(lines) == 10 and all("collection" in line for line in lines)
    one = cli("runs", "--db", collection["db"], "--site", collection["hosts"]["journal"])
    assert len(one.stdout.strip().splitlines()) == 1 + 2  # the header, then the two runs


# ---------------------------------------------------------------------- input, pure
def test_a_plain_sites_file_is_one_target_a_line(tmp_path):
    specs = parse_lines("# press\nsahara.ma\n\nhttps://le360.com/  # a comment\n", "f.txt")
    got = [(s.target, s.where) for s in specs]
    assert got == [("sahara.ma", "f.txt:2"), ("https://le360.com/", "f.txt:4")]
    with pytest.raises(ConfigError, match=r"f.txt:1: one target a line"):
        parse_lines("sahara.ma --delay 2\n", "f.txt")
    (tmp_path / "empty.txt").write_text("# nothing\n")
    with pytest.raises(ConfigError, match="no site in"):
        read_sites(tmp_path / "empty.txt")


def test_a_toml_collection_is_checked_key_by_key():
    specs = parse_toml(
        '[[site]]\nurl = "sahara.ma"\nlanguages = ["ar"]\ndelay = 2\n'
        'timezone = "Africa/Casablanca"\n'
        '[[site]]\nurl = "https://le360.com/"\nsince = "2025-01"\nmax_pages = 50\n',
        "p.toml",
    )  # fmt: skip
    first = specs[0].crawl_settings(Settings())
    assert specs[0].delay == 2.0 and first.delay == 2.0 and first.timezone == "Africa/Casablanca"
    assert first.languages == ("ar",)
    assert specs[1].crawl_settings(Settings()).since == "2025-01-01"
    bad = {
        'url = "a.ma"\nlanguage = "ar"': r"#1 \(a.ma\): unknown key 'language'",
        "delay = 2": r"'url' .* is required",
        'url = "a.ma"\ndelay = -1': r"'delay' wants a number",
        'url = "a.ma"\ntimezone = "Mars/Olympus"': r"unknown time zone 'Mars/Olympus'",
        'url = "a.ma"\nmax_pages = 0': r"max_pages",
        'url = "a.ma"\ninclude = ["("]': r"#1 \(a.ma\): include: not a regular expression",
    }
    for body, message in bad.items():
        with pytest.raises(ConfigError, match=message):
            parse_toml(f"[[site]]\n{body}\n", "p.toml")
    (video,) = parse_toml('[[site]]\nurl = "a.ma"\nexclude = "/video/"\n', "p.toml")
    assert video.crawl_settings(Settings()).exclude == ("/video/",)
    with pytest.raises(ConfigError, match="unknown key 'sites'"):
        parse_toml('[[sites]]\nurl = "a.ma"\n', "p.toml")
    with pytest.raises(ConfigError, match="not valid TOML"):
        parse_toml("[[site]\n", "p.toml")


def test_worst_status_orders_the_outcomes():
    assert worst_status(["ok", "partial", "ok"]) == "partial"
    assert worst_status(["incomplete", "blocked", "partial"]) == "blocked"
    assert worst_status(["ok", "empty", "partial"]) == "empty"
    assert worst_status(["ok", "interrupted", "failed"]) == "interrupted"
    assert worst_status([]) == "ok"


def test_bad_collections_are_one_line_errors_before_anything_is_opened(tmp_path):
    db = tmp_path / "a.db"
    cases = [
        (["crawl", "sahara.ma", "sahara.ma"], "sahara.ma is listed twice"),
        (["crawl", "sahara.ma", "ftp://x.org/"], "site 'ftp://x.org/': not an http(s) URL"),
        (["crawl", "--profile", "sahara.ma", "a.ma", "b.ma"], "--profile applies to one TARGET"),
        (["crawl"], "missing TARGET"),
        (["crawl", "--sites", tmp_path / "none.txt"], "cannot read sites file"),
    ]
    for args, message in cases:
        done = CliRunner().invoke(main, [*map(str, args), "--db", str(db)])
        assert done.exit_code == 2, (args, done.output)
        assert message in done.stderr and "Traceback" not in done.output
    typo = tmp_path / "typo.toml"
    typo.write_text('[[site]]\nurl = "https://x.org/"\n[[site]]\nurl = "y.org"\nlang = "ar"\n')
    done = CliRunner().invoke(main, ["crawl", "--sites", str(typo), "--db", str(db)])
    assert done.exit_code == 2 and "#2 (y.org): unknown key 'lang'" in done.stderr
    assert not db.exists()
    with pytest.raises(UsageError, match="applies to a crawl of one site"):
        scraper.crawl(["sahara.ma"], db, urls=["http://sahara.ma/x"])


# ---------------------------------------------------------------------- parser processes
def test_a_parser_process_gives_what_the_processing_thread_gives(mirror, truth):
    """Extraction is pure: a page parsed in a parser process is the page parsed here."""
    from datetime import UTC, datetime

    import httpx

    from scraper.crawler.parse import parse_article
    from scraper.crawler.parsers import parser_pool, resolve_parsers
    from scraper.fetch import FetchResult
    from scraper.profiles import load

    t = truth[0]
    html = httpx.get(mirror.base_url + t["path"], timeout=30).content
    url = "http://sahara.ma" + t["path"]
    result = FetchResult(url, url, 200, {"content-type": "text/html; charset=utf-8"}, html,
                         html.decode(), "utf-8", None, None, 0.1, 1, None)  # fmt: skip
    args = (result, url, datetime(2026, 1, 1, tzinfo=UTC), "sahara.ma", load("sahara.ma"),
            {"sahara.ma"}, True, None)  # fmt: skip
    here = parse_article(*args)
    with parser_pool(1) as pool:
        assert pool is not None
        there = pool.submit(parse_article, *args).result(timeout=120)
    assert here.article.title == t["title"] and there == here
    assert resolve_parsers(None, sites=1) == 0 and resolve_parsers(None, sites=5) >= 1
    assert resolve_parsers(0, sites=5) == 0 and resolve_parsers(3, sites=1) == 3
