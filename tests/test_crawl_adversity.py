"""The crawler under faults, traps and hostile pages, with the default backoff settings.

Every test crawls real HTTP servers on 127.0.0.1 (the sahara.ma mirror behind the fault
server, or small hostile sites written here) through ``scraper.crawl``, as a user would. Only
the politeness delay is set to 0 (our own server); retries, backoff and Retry-After handling
run with the defaults a user gets.
"""

from __future__ import annotations

import json
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote, unquote

import scraper
from scraper.cli.crawl import exit_code
from scraper.mirror import MirrorServer, default_site
from scraper.mirror.server import Router
from scraper.store import Store

from .faultserver import (
    RESET,
    SERVICE_UNAVAILABLE,
    TOO_MANY_REQUESTS,
    TRUNCATE,
    FaultPlan,
    FaultServer,
)
from .test_crawl_faults import count_articles, mirror_app, start_crawl, wait_for

DEFAULTS = scraper.Settings(delay=0)  # the user's defaults, minus the politeness delay
App = Callable[[str, str, Mapping[str, str]], tuple[int, list[tuple[str, str]], bytes]]
HTML = [("Content-Type", "text/html; charset=utf-8")]


def crawl(base: str, db: Path, profile: str | None = "sahara.ma", **changes: object):
    return scraper.crawl(base, db, settings=DEFAULTS.replace(**changes), profile=profile)


def frontier(db: Path) -> dict[str, tuple[str, str | None]]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT url, state, last_error FROM frontier").fetchall()
    return {unquote(url): (state, error) for url, state, error in rows}


def mirror_with(overrides: Callable[[str], tuple[int, list, bytes] | None]) -> App:
    """The mirror, except for the paths ``overrides`` answers."""
    router = Router(default_site())

    def app(method: str, path: str, headers: Mapping[str, str]):
        answer = overrides(unquote(path))
        if answer is not None:
            return answer
        return router.respond(path, headers.get("host", "127.0.0.1"))

    return app


# -- faults ------------------------------------------------------------------------------------


def crawl_with_faults(seed: int, db: Path) -> tuple[scraper.CrawlSummary, int]:
    plan = FaultPlan(
        rate=0.2,
        seed=seed,
        kinds=(SERVICE_UNAVAILABLE, TOO_MANY_REQUESTS, RESET, TRUNCATE),
        retry_after="1",
    )
    with FaultServer(mirror_app(Router(default_site())), faults=plan) as server:
        summary = crawl(server.base_url + "/ar/", db)
        return summary, sum(1 for e in server.log if e.fault)


def test_twenty_percent_faults_with_the_default_backoff_yield_every_article_once(
    tmp_path: Path, truth: list[dict]
) -> None:
    """503/429 with Retry-After 1, resets and truncated bodies on 20% of the responses,
    three seeds crawled side by side: every article once, no error, in bounded time."""
    started = time.monotonic()
    with ThreadPoolExecutor(3) as pool:
        runs = list(pool.map(lambda s: crawl_with_faults(s, tmp_path / f"{s}.db"), (1, 2, 3)))
    elapsed = time.monotonic() - started
    for seed, (summary, faults) in zip((1, 2, 3), runs, strict=True):
        assert faults >= 15, f"seed {seed}: the plan must inject faults"
        assert (summary.status, summary.errors) == ("ok", 0), (seed, summary.failures)
        with Store(tmp_path / f"{seed}.db") as store:
            urls = [r["url"] for r in store.records()]
        assert len(urls) == len(set(urls)) == len(truth), seed
    assert elapsed < 120, f"the three faulted crawls took {elapsed:.0f} s"


def test_a_backlog_of_one_page_still_archives_every_article(
    tmp_path: Path, truth: list[dict]
) -> None:
    """Eight workers, one place for a fetched page, 20% of the answers 503/429 with
    Retry-After or a reset connection: each worker gives its place back once its page is
    handled and while it waits for a retry, so the crawl neither stalls nor loses a page."""
    plan = FaultPlan(
        rate=0.2, seed=4, kinds=(SERVICE_UNAVAILABLE, TOO_MANY_REQUESTS, RESET), retry_after="1"
    )
    with FaultServer(mirror_app(Router(default_site())), faults=plan) as server:
        summary = crawl(server.base_url + "/ar/", tmp_path / "a.db", backlog=1, workers=8)
        assert sum(1 for e in server.log if e.fault) >= 15
    assert (summary.status, summary.errors) == ("ok", 0)
    with Store(tmp_path / "a.db") as store:
        urls = sorted(r["url"] for r in store.records())
    assert len(urls) == len(set(urls)) == len(truth)


# -- hostile pages -----------------------------------------------------------------------------


def test_a_200k_deep_page_is_given_up_with_a_reason_while_the_crawl_goes_on(
    tmp_path: Path, truth: list[dict]
) -> None:
    site = default_site()
    deep, nested = unquote(site.get(1002).path()), unquote(site.get(1003).path())
    trap = ("<html><body>" + "<div>" * 200_000 + "x" + "</div>" * 200_000).encode()
    deep_but_parsable = ("<html><body>" + "<div>" * 30_000 + "x" + "</div>" * 30_000).encode()

    def overrides(path: str):
        if path == deep:
            return 200, HTML, trap
        if path == nested:
            return 200, HTML, deep_but_parsable
        return None

    with FaultServer(mirror_with(overrides)) as server:
        started = time.monotonic()
        summary = crawl(server.base_url + "/ar/", tmp_path / "a.db")
        elapsed = time.monotonic() - started
        asked = [unquote(e.path) for e in server.log]
    states = frontier(tmp_path / "a.db")
    state, reason = next(v for k, v in states.items() if k.endswith(deep))
    assert state == "failed" and re.search(r"nested 200,0\d\d deep", reason or "")
    assert next(v for k, v in states.items() if k.endswith(nested))[0] == "skipped"
    assert summary.articles_new == len(truth) - 2  # every other article, in one run
    assert asked.index(deep) < len(asked) - 10  # fetching went on after the trap
    assert elapsed < 30


def story(n: int) -> bytes:
    """An article of an endless chain: each one links rel=next to the following one."""
    paragraphs = "".join(
        f"<p>Paragraph {i} of story {n}: the council met again to discuss the harbour "
        f"works, the budget and the schedule of the new quay, and residents spoke.</p>"
        for i in range(6)
    )
    ld = json.dumps(
        {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": f"Story number {n}",
            "datePublished": "2025-11-20T10:00:00+01:00",
        }
    )
    return (
        f'<html><head><title>Story {n}</title><meta property="og:type" content="article">'
        f'<script type="application/ld+json">{ld}</script></head><body><article>'
        f"<h1>Story number {n}</h1>{paragraphs}"
        f'<a rel="next" href="/story/{n + 1}/">Next story</a></article></body></html>'
    ).encode()


def chain_site(method: str, path: str, headers: Mapping[str, str]):
    base = f"http://{headers.get('host')}"
    if path == "/robots.txt":
        return 200, [("Content-Type", "text/plain")], f"Sitemap: {base}/sitemap.xml\n".encode()
    if path == "/sitemap.xml":
        xml = (
            '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"<url><loc>{base}/story/1/</loc></url></urlset>"
        )
        return 200, [("Content-Type", "application/xml")], xml.encode()
    if match := re.fullmatch(r"/story/(\d+)/", path):
        return 200, HTML, story(int(match.group(1)))
    if path == "/":
        return 200, HTML, b'<html><body><a href="/story/1/">Story 1</a></body></html>'
    return 404, HTML, b"not here"


def test_an_endless_next_chain_stops_at_the_hop_bound(tmp_path: Path) -> None:
    with FaultServer(chain_site) as server:
        summary = crawl(server.base_url + "/", tmp_path / "a.db", profile=None)
        stories = sorted(
            int(m.group(1)) for e in server.log if (m := re.fullmatch(r"/story/(\d+)/", e.path))
        )
    assert stories == [1, 2, 3, 4]  # the listed story, then max_hops (3) hops
    assert summary.articles_new == 4 and summary.bounded == {"max_hops": 1}
    with FaultServer(chain_site) as server:
        deeper = crawl(server.base_url + "/", tmp_path / "b.db", profile=None, max_hops=6)
    assert deeper.articles_new == 7


# -- robots.txt (RFC 9309) ---------------------------------------------------------------------


def test_robots_txt_500_means_no_page_of_the_host_is_fetched(tmp_path: Path) -> None:
    def overrides(path: str):
        return (500, HTML, b"oops") if path == "/robots.txt" else None

    with FaultServer(mirror_with(overrides)) as server:
        summary = crawl(server.base_url + "/ar/", tmp_path / "a.db")
        asked = {e.path for e in server.log}
    assert asked == {"/robots.txt"}  # asked again with backoff, nothing else
    assert summary.status == "blocked" and exit_code(summary) == 4
    assert "robots.txt unavailable (HTTP 500" in " ".join(summary.messages)
    assert summary.pending >= 1  # the work waits for the next run


def test_robots_txt_401_means_no_rules(tmp_path: Path, truth: list[dict]) -> None:
    def overrides(path: str):
        return (401, HTML, b"who are you") if path == "/robots.txt" else None

    with FaultServer(mirror_with(overrides)) as server:
        summary = crawl(server.base_url + "/ar/", tmp_path / "a.db")
    assert summary.status == "ok" and summary.articles_new == len(truth)


def test_a_disallowed_link_is_skipped_quietly_and_cron_exits_0(tmp_path: Path) -> None:
    site = default_site()
    banned = site.get(1002).path()
    rules = f"User-agent: *\nDisallow: {banned}\n"

    def overrides(path: str):
        return (
            (200, [("Content-Type", "text/plain")], rules.encode())
            if path == "/robots.txt"
            else None
        )

    with FaultServer(mirror_with(overrides)) as server:
        args = [sys.executable, "-m", "scraper", "crawl", server.base_url + "/ar/", "--profile",
                "sahara.ma", "--db", str(tmp_path / "a.db"), "--delay", "0", "-q"]  # fmt: skip
        first = subprocess.run(args, capture_output=True, text=True, timeout=120)
        again = subprocess.run(args, capture_output=True, text=True, timeout=120)
        asked = {unquote(e.path) for e in server.log}
    assert (first.returncode, again.returncode) == (0, 0), first.stderr
    assert first.stderr == again.stderr == ""  # quiet: nothing went wrong
    assert unquote(banned) not in asked
    state, reason = next(
        v for k, v in frontier(tmp_path / "a.db").items() if k.endswith(unquote(banned))
    )
    assert (state, reason) == ("skipped", "disallowed by robots.txt")


# -- scope -------------------------------------------------------------------------------------


def test_redirects_to_another_host_or_address_are_never_requested(tmp_path: Path) -> None:
    site = default_site()
    away, inside = unquote(site.get(1002).path()), unquote(site.get(1003).path())
    with FaultServer({"/": b"<html>elsewhere</html>"}) as other:
        targets = {
            away: f"http://localhost:{other.port}/",
            inside: f"http://127.0.0.2:{other.port}/internal",
        }

        def overrides(path: str):
            if path in targets:
                return 302, [("Location", targets[path]), ("Content-Length", "0")], b""
            return None

        with FaultServer(mirror_with(overrides)) as server:
            summary = crawl(server.base_url + "/ar/", tmp_path / "a.db")
        assert other.log == []
    states = frontier(tmp_path / "a.db")
    for path, target in targets.items():
        state, reason = next(v for k, v in states.items() if k.endswith(path))
        assert state == "skipped" and reason == f"out of the crawl's scope: redirect {target}"
    assert summary.errors == 0 and summary.skipped == 2 and exit_code(summary) == 0


# -- refusals ----------------------------------------------------------------------------------


def test_a_host_that_answers_429_to_everything_ends_with_exit_4(tmp_path: Path) -> None:
    def refuse(method: str, path: str, headers: Mapping[str, str]):
        if path == "/robots.txt":
            return 200, [("Content-Type", "text/plain")], b"User-agent: *\nAllow: /\n"
        return 429, [("Retry-After", "1"), ("Content-Type", "text/plain")], b"slow down"

    with FaultServer(refuse) as server:
        started = time.monotonic()
        summary = crawl(server.base_url + "/ar/", tmp_path / "a.db")
        elapsed = time.monotonic() - started
        requests = len(server.log)
    assert summary.status == "blocked" and exit_code(summary) == 4
    assert requests <= 12 and elapsed < 30  # given up after the streak, not hammered
    assert any("refusal" in m and "429" in m for m in summary.messages), summary.messages


# -- runs --------------------------------------------------------------------------------------


def test_a_killed_run_is_marked_interrupted_by_the_next_one(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    with MirrorServer(default_site()) as server:
        proc = start_crawl(server.base_url + "/ar/", db)
        wait_for(db, 10, proc)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        assert count_articles(db) >= 10
        with Store(db) as store:
            assert store.last_run_status(1) == "running"  # nobody could record the kill
        crawl(server.base_url + "/ar/", db)
    with sqlite3.connect(db) as conn:
        runs = conn.execute("SELECT status, message FROM crawl_runs ORDER BY id").fetchall()
    assert runs[0][0] == "interrupted" and "killed" in runs[0][1]
    assert runs[1][0] == "ok"


# -- incremental -------------------------------------------------------------------------------


def test_three_overnight_edits_give_exactly_three_revisions(tmp_path: Path) -> None:
    """One edited article was found through a listing first (the sitemap did not list it
    yet), and the site's clock runs behind ours: its lastmod is earlier than our fetch."""
    site = default_site()
    newest = max((a for a in site if a.lang == "ar"), key=lambda a: a.published)
    hidden = {quote(newest.path()), newest.path()}
    router = Router(site)
    hide = {"on": True}

    def app(method: str, path: str, headers: Mapping[str, str]):
        status, head, body = router.respond(path, headers.get("host", "127.0.0.1"))
        kind = dict(head).get("Content-Type", "")
        if hide["on"] and "xml" in kind:  # sitemaps and feeds do not list it yet
            text = body.decode()
            for form in hidden:
                for element in ("url", "item", "entry"):
                    pattern = rf"<{element}>(?:(?!</{element}>).)*{re.escape(form)}.*?</{element}>"
                    text = re.sub(pattern, "", text, flags=re.DOTALL)
            body = text.encode()
        return status, head, body

    db = tmp_path / "a.db"
    with FaultServer(app) as server:
        first = crawl(server.base_url + "/ar/", db, revisit_days=0)
        assert first.articles_new == len(site)
        with sqlite3.connect(db) as conn:
            rows = conn.execute("SELECT url, lastmod FROM frontier").fetchall()
        lastmods = {unquote(url): lastmod for url, lastmod in rows}
        found = [k for k in lastmods if k.endswith(unquote(newest.path()))]
        assert len(found) == 1 and lastmods[found[0]] is None  # found on a listing only
        hide["on"] = False
        others = [a for a in site if a.lang == "ar" and a.id != newest.id][:2]
        behind = newest.last_changed + timedelta(minutes=5)  # long before our first fetch
        site.edit(newest.id, paragraphs=[*newest.paragraphs, "فقرة مضافة."],
                  modified=behind.isoformat())  # fmt: skip
        for article in others:
            site.edit(article.id, paragraphs=[*article.paragraphs, "فقرة مضافة."])
        second = crawl(server.base_url + "/ar/", db, revisit_days=0)
    assert second.articles_updated == 3 and second.articles_new == 0
    with Store(db) as store:
        assert store.db.count("revisions") == 3


def test_a_page_that_fails_every_retry_gets_one_last_try_before_the_run_ends(
    tmp_path: Path, truth: list[dict]
) -> None:
    """Five faults in a row on one URL (a 20% fault rate meets that now and then) spend its
    retries; the last pass, when nothing else is left, fetches it once more."""
    site = default_site()
    unlucky = site.get(1002).path(upper=True)  # as the crawler asks for it (canonical)
    with FaultServer(mirror_app(Router(site)), faults=FaultPlan(retry_after="1")) as server:
        server.fail_first(unlucky, SERVICE_UNAVAILABLE, 5)
        summary = crawl(server.base_url + "/ar/", tmp_path / "a.db")
        tries = [e for e in server.log if e.path == unlucky]
    assert len(tries) == 6 and tries[-1].status == 200
    assert (summary.status, summary.errors, summary.articles_new) == ("ok", 0, len(truth))
