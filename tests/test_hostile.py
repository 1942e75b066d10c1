"""One bad page never stops an archive: hostile pages, records and files, on loopback.

A crawl and a backfill read what strangers wrote. A page that breaks the parser or the store
is that page's failure (failed in the frontier with its reason, counted, listed by
``scraper audit``, retried by the next run), never the run's; text from the web is valid
Unicode before anything stores or exports it (:mod:`scraper.clean`).
"""

from __future__ import annotations

import csv
import json
import os
import re
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner

import scraper
import scraper.crawler.parse
import scraper.scale.backfill
from scraper.clean import REPLACEMENT, valid_text, valid_value
from scraper.cli import main
from scraper.store import Store
from scraper.warc.capture import TOO_LARGE

from .faultserver import FaultServer

DEFAULTS = scraper.Settings(delay=0)
DEFAULT_DELAYLESS = DEFAULTS
WORDS = " ".join(["la commune a voté le budget annuel de la ville"] * 6)
POISON = "/articles/4"  # the page the test hook makes the parse step raise on
SURROGATE = "/articles/7"  # its JSON-LD headline holds a lone surrogate and a NUL


def cli(*args: object) -> tuple[int, str]:
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    return result.exit_code, result.output


def page(title: str, main: str, og_type: str = "website", head: str = "") -> str:
    return (
        f'<!doctype html><html lang="fr"><head><title>{title}</title>'
        f'<meta property="og:type" content="{og_type}">{head}</head><body>'
        f"<main>{main}</main></body></html>"
    )


def ten_article_site() -> dict[str, str]:
    """A home page listing ten articles; the seventh dated and titled only by JSON-LD whose
    headline holds a lone surrogate and a NUL (valid JSON: the web has such pages)."""
    cards = "".join(
        f'<article><h2><a href="/articles/{n}">Nouvelle numéro {n} du jour</a></h2></article>'
        for n in range(1, 11)
    )
    routes = {"/": page("La Gazette", cards)}
    for n in range(1, 11):
        stamp = f"2025-11-{n:02d}T08:00:00+01:00"
        if f"/articles/{n}" == SURROGATE:
            data = '{"@type": "NewsArticle", "headline": "Titre \\ud800 sale\\u0000 ici",'
            data += f' "datePublished": "{stamp}", "author": {{"name": "Nom\\udc00"}}}}'
            head = f'<script type="application/ld+json">{data}</script>'
            routes[f"/articles/{n}"] = page(
                "", f"<article><p>{WORDS}</p></article>", "article", head
            )
            continue
        body = f"<article><h1>Nouvelle {n}</h1><time datetime='{stamp}'>le jour</time>"
        routes[f"/articles/{n}"] = page(
            f"Nouvelle {n}", f"{body}<p>{WORDS}</p></article>", "article"
        )
    return routes


@pytest.fixture
def poisoned_parse(monkeypatch: pytest.MonkeyPatch) -> None:
    """A test hook: the parse step raises inside, for the page at :data:`POISON` only."""
    real = scraper.crawler.parse.prepare

    def prepare(article: Any, page: Any = None) -> Any:
        if urlsplit(article.url or "").path == POISON:
            raise RuntimeError("poisoned page for the test")
        return real(article, page)

    monkeypatch.setattr(scraper.crawler.parse, "prepare", prepare)


def test_a_page_that_breaks_the_parser_fails_alone_and_the_audit_lists_it(
    tmp_path: Path, poisoned_parse: None
) -> None:
    db = tmp_path / "archive.db"
    with FaultServer(ten_article_site()) as server:
        code, output = cli("crawl", server.base_url + "/", "--db", db, "--delay", 0)
        base = server.base_url
    assert code == 1, output
    assert "Traceback" not in output
    with Store(db) as store:
        records = {urlsplit(r["url"]).path: r for r in store.records()}
    assert set(records) == {f"/articles/{n}" for n in range(1, 11)} - {POISON}
    # The surrogate page is archived, its text made valid (U+FFFD), not the run's end.
    dirty = records[SURROGATE]
    assert dirty["title"] == f"Titre {REPLACEMENT} sale{REPLACEMENT} ici"
    assert dirty["authors"] == [f"Nom{REPLACEMENT}"]
    assert dirty["published_at"] == "2025-11-07T08:00:00+01:00"
    assert records["/articles/3"]["title"] == "Nouvelle 3"
    with sqlite3.connect(db) as conn:
        state, reason = conn.execute(
            "SELECT state, last_error FROM frontier WHERE url = ?", [base + POISON]
        ).fetchone()
    assert state == "failed"
    assert reason == "parse error: RuntimeError: poisoned page for the test"
    code, text = cli("audit", "--db", db, "--json")
    site = json.loads(text)["sites"][0]
    missing = [(m["url"], m["status"], m["reason"]) for m in site["missing"]]
    assert missing == [(base + POISON, "failed", reason + " (after 1 try)")]
    code, text = cli("audit", "--db", db)
    assert "poisoned page for the test" in text


def test_a_later_run_retries_the_failed_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "archive.db"
    real = scraper.crawler.parse.prepare

    def broken(article: Any, page: Any = None) -> Any:
        if urlsplit(article.url or "").path == POISON:
            raise RecursionError("maximum recursion depth exceeded")
        return real(article, page)

    with FaultServer(ten_article_site()) as server:
        monkeypatch.setattr(scraper.crawler.parse, "prepare", broken)
        first = scraper.crawl(server.base_url + "/", db, settings=DEFAULTS)
        monkeypatch.setattr(scraper.crawler.parse, "prepare", real)  # the bug is fixed
        second = scraper.crawl(server.base_url + "/", db, settings=DEFAULTS)
    assert (first.status, first.errors, first.articles_new) == ("partial", 1, 9)
    assert (second.status, second.errors, second.articles_new) == ("ok", 0, 1)
    with Store(db) as store:
        assert len(list(store.records())) == 10


# -- valid text at the door ---------------------------------------------------------------------


def test_valid_text_replaces_surrogates_and_controls_and_keeps_the_rest() -> None:
    assert valid_text("a\ud800b\x00c\x1fd\x7f") == "a\ufffdb\ufffdc\ufffdd\ufffd"
    clean = "tab\tline\ncr\r عربي ✓ 😀"
    assert valid_text(clean) is clean
    nested = {"k\udc80": ["x\x00", ("y", "z\ud801")], "n": 3}
    assert valid_value(nested) == {"k\ufffd": ["x\ufffd", ("y", "z\ufffd")], "n": 3}


def test_extract_gives_valid_text_for_a_page_full_of_invalid_characters() -> None:
    data = '{"@type":"NewsArticle","headline":"A \\ud800 B","articleBody":"b\\udfff\\u0001"}'
    html = f'<script type="application/ld+json">{data}</script><p>x\x00y\x08z</p>'
    article = scraper.extract(html, "http://example.com/a")
    assert article.title == "A \ufffd B"
    for value in (article.title, article.body, *article.authors):
        value.encode("utf-8")  # would raise on a surrogate
        assert not any(ch in value for ch in "\x00\x01\x08")


# -- backfill: one poisoned record among good ones ----------------------------------------------


def poisoned_warc(folder: Path) -> tuple[Path, list[str]]:
    """Ten article captures; the sixth has a lone surrogate in its JSON-LD headline (an
    escape: valid JSON) and a character reference to one in its HTML title."""
    from scraper.warc import WarcWriter

    from .warc_samples import T0, article_html, response

    urls = [f"https://news.example/2025/11/0{n}/story-{n}/" for n in range(10)]
    with WarcWriter(folder, prefix="poisoned") as writer:
        for n, url in enumerate(urls):
            title = f"Story number {n} of the poisoned file"
            if n == 5:
                title = "Story XSURX with a lone surrogate"
            html = article_html(url, title, f"Fact {n} of the day.", f"2025-11-0{n}")
            head, _, data = html.partition(b'application/ld+json">')
            html = head.replace(b"XSURX", b"&#xD800;") + b'application/ld+json">'
            html += data.replace(b"XSURX", b"\\ud800", 1).replace(b"XSURX", b"&#xD800;")
            writer.write(response(writer, url, html, T0))
    return writer.files[0], urls


def test_a_backfill_stores_every_good_record_and_the_audit_lists_the_poisoned_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    warc, urls = poisoned_warc(tmp_path)
    poison = urls[3]
    real = scraper.crawler.parse.prepare

    def prepare(article: Any, page: Any = None) -> Any:
        if article.url == poison:
            raise ValueError("poisoned record for the test")
        return real(article, page)

    monkeypatch.setattr(scraper.crawler.parse, "prepare", prepare)
    db = tmp_path / "archive.db"
    code, output = cli("backfill", warc, "--db", db, "--json")
    assert code == 1, output
    summary = json.loads(next(x for x in output.splitlines() if x.startswith("{")))
    assert summary["status"] == "partial"
    assert (summary["new"], summary["problems"]) == (9, {"error": 1})
    with Store(db) as store:
        records = {r["url"]: r for r in store.records()}
    assert set(records) == set(urls) - {poison}
    assert records[urls[5]]["title"] == f"Story {REPLACEMENT} with a lone surrogate"
    code, text = cli("audit", "--db", db, "--json")
    site = json.loads(text)["sites"][0]
    missing = [(m["url"], m["status"], m["reason"]) for m in site["missing"]]
    reason = "parse error: ValueError: poisoned record for the test (after 1 try)"
    assert missing == [(poison, "failed", reason)]


def test_scraper_extract_writes_a_page_with_a_lone_surrogate_as_valid_json(tmp_path: Path) -> None:
    page_file = tmp_path / "dirty.html"
    page_file.write_bytes(
        b'<script type="application/ld+json">{"@type": "NewsArticle",'
        b' "headline": "A \\ud800 B\\u0000"}</script><p>x</p>'
    )
    code, output = cli("extract", page_file)
    assert code == 0, output
    assert json.loads(output)["title"] == f"A {REPLACEMENT} B{REPLACEMENT}"


# -- a gzip bomb in a WARC record ---------------------------------------------------------------

BOMB_SCRIPT = r"""
import io, json, resource, struct, sys, zlib
from pathlib import Path
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter
from scraper.scale.backfill import backfill
from scraper.warc.reader import RecordSkipped, read_capture, read_warc
from tests.warc_samples import article_html

def bomb(megabytes):
    # A gzip stream of zeros built from one compressed MB repeated: ~1 KB per inflated MB.
    chunk = b"\0" * (1 << 20)
    deflate = zlib.compressobj(9, zlib.DEFLATED, 31, 9, zlib.Z_RLE)
    first = deflate.compress(chunk) + deflate.flush(zlib.Z_FULL_FLUSH)
    again = deflate.compress(chunk) + deflate.flush(zlib.Z_FULL_FLUSH)
    end = deflate.flush(zlib.Z_FINISH)[:-8]
    crc = 0
    for _ in range(megabytes):
        crc = zlib.crc32(chunk, crc)
    size = (megabytes << 20) & 0xFFFFFFFF
    return first + again * (megabytes - 1) + end + struct.pack("<II", crc, size)

def peak_mb():
    # VmHWM: the peak of this program's memory (ru_maxrss would count the forking parent's).
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

folder = Path(sys.argv[1])
good = "https://news.example/2025/11/01/good/"
path = folder / "bomb.warc.gz"
with path.open("wb") as stream:  # as wget and other crawlers write it: the body as sent
    writer = WARCWriter(stream, gzip=True)
    headers = [("Content-Type", "text/html"), ("Content-Encoding", "gzip")]
    http = StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1")
    body = io.BytesIO(bomb(1024))
    writer.write_record(writer.create_warc_record(
        "https://news.example/bomb/", "response", payload=body, http_headers=http))
    page = article_html(good, "A good story next to a bomb", "Facts.", "2025-11-01")
    http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
    writer.write_record(writer.create_warc_record(
        good, "response", payload=io.BytesIO(page), http_headers=http))
summary = backfill([path], folder / "archive.db")
bombs = [c for c in read_warc(path) if c.url.endswith("/bomb/")]
try:
    read_capture(path, bombs[0].offset)  # what reextract reads
    reread = "read"
except RecordSkipped as exc:
    reread = str(exc)
print(json.dumps({
    "file": path.stat().st_size, "skipped": summary.skipped, "new": summary.new,
    "reread": reread, "bomb_skip": bombs[0].skip, "bomb_payload": len(bombs[0].payload),
    "rss_mb": peak_mb(),
}))
"""


def test_a_gzip_bomb_in_a_warc_record_is_skipped_in_bounded_memory(tmp_path: Path) -> None:
    """A few-KB WARC file whose response inflates to 1 GB (Content-Encoding: gzip): backfill
    and the re-extraction's reader stop at the crawler's 10 MB, skip the record with the
    reason, keep the good one, and the process stays under 200 MB (measured in its own)."""
    root = Path(__file__).parent.parent
    done = subprocess.run(
        [sys.executable, "-c", BOMB_SCRIPT, str(tmp_path)],
        capture_output=True, text=True, timeout=300, cwd=root,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["file"] < 20_000  # a few KB on disk
    assert result["skipped"] == {TOO_LARGE: 1}
    assert result["new"] == 1
    assert (result["bomb_skip"], result["bomb_payload"]) == (TOO_LARGE, 0)
    assert result["reread"].endswith(TOO_LARGE)
    assert result["rss_mb"] < 200, result


# -- globs and folders with a symbolic link loop ------------------------------------------------


def test_globs_and_folders_never_follow_a_link_back_to_a_parent(tmp_path: Path) -> None:
    from scraper.scale.batch import input_files
    from scraper.warc.reader import warc_files

    deep = tmp_path / "warcs" / "2025" / "11"
    deep.mkdir(parents=True)
    files = [tmp_path / "warcs" / "a.warc.gz", deep / "b.warc.gz"]
    for file in files:
        file.write_bytes(b"")
    (deep / "page.html").write_text("<p>x</p>")
    (deep / "loop").symlink_to(tmp_path / "warcs", target_is_directory=True)
    expected = sorted(f.resolve() for f in files)
    started = time.monotonic()
    for pattern in (f"{tmp_path}/warcs/**/*.warc.gz", f"{tmp_path}/**/*.warc.gz"):
        assert sorted(warc_files([pattern])) == expected
    relative = os.path.relpath(tmp_path / "warcs", Path.cwd())
    assert sorted(warc_files([f"{relative}/**/*.warc.gz"])) == expected
    assert sorted(warc_files([tmp_path / "warcs"])) == expected  # the folder form
    assert input_files([], tmp_path / "warcs") == [deep / "page.html"]
    assert time.monotonic() - started < 10


# -- the reading room ---------------------------------------------------------------------------


def _old_archive(db: Path) -> None:
    """An archive written before URLs were checked: ``javascript:`` in every URL field."""
    from scraper.article import Article, Link
    from scraper.store import Declared, PageRecord

    url = "https://news.example/2025/11/01/story/"
    with Store(db) as store:
        site = store.ensure_site("news.example", "https://news.example/")
        article = Article(
            url=url, title="A story", body="Words of the story.", language="en",
            image="javascript:alert(1)", translations={"fr": "JaVaScRiPt:alert(2)"},
            related=[Link("java\tscript:alert(3)", "related story title")],
        )  # fmt: skip
        page = PageRecord(url, url, 200, b"<p>x</p>", "text/html", "utf-8")
        store.save_article(site, article, page)
        article.title = "A story, edited"
        store.save_article(site, article, page)
        store.declare(site, [Declared("javascript:alert(4)", "sitemap")])


def test_the_reading_room_links_no_script_and_sends_a_csp(tmp_path: Path) -> None:
    pytest.importorskip("datasette")
    import asyncio

    from scraper.web.serve import make_app

    db = tmp_path / "archive.db"
    _old_archive(db)
    app = make_app(db)
    pages = ["/-/article/1", "/-/article/1/diff", "/-/search?q=story", "/-/dashboard",
             "/-/audit", "/-/docs"]  # fmt: skip
    bad = [
        "/-/article/99999999999999999999999",
        "/-/article/99999999999999999999999/raw",
        "/-/article/99999999999999999999999/diff",
        "/-/search?q=story&page=99999999999999999999",
        "/-/article/1/diff?from=-1",
        "/-/article/1/diff?from=-5",
        "/-/search?q=" + "word%20" * 300,
        "/archive/article_list?_search=" + "story%20" * 1500,
    ]

    async def fetch() -> list[Any]:
        return [await app.client.get(p) for p in pages + bad]

    responses = asyncio.run(fetch())
    for path, response in zip(pages, responses, strict=False):
        assert response.status_code == 200, path
        csp = response.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("style-src")[0]
        hrefs = re.findall(r'href="([^"]*)"', response.text)
        assert not [h for h in hrefs if "script:" in h.lower().replace("\t", "")], (path, hrefs)
    article = responses[0].text
    assert "related story title" in article  # shown, not linked
    assert "javascript:alert(4)" in responses[4].text  # the audit lists it as text
    statuses = [r.status_code for r in responses[len(pages) :]]
    assert statuses == [404, 404, 404, 400, 200, 400, 200, 200], statuses
    assert "no revision -5" in responses[len(pages) + 5].text
    assert "at most 1,000 characters" in responses[-2].text  # the search page says why
    assert "A story, edited" in responses[-1].text  # Datasette's box: cut to 1,000, searched


# -- exports ------------------------------------------------------------------------------------

FORMULAS = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\tTab", "\rCR"]


def test_excel_csv_neutralises_formulas_and_plain_csv_stays_exact(tmp_path: Path) -> None:
    from scraper.article import Article
    from scraper.report.exporting import read_csv

    db = tmp_path / "archive.db"
    with Store(db) as store:
        site = store.ensure_site("news.example", "https://news.example/")
        for n, title in enumerate(FORMULAS):
            url = f"https://news.example/{n}/"
            store.save_article(site, Article(url=url, title=title, body="-body", authors=["@me"]))
    assert cli("export", "--db", db, "-o", tmp_path / "plain.csv")[0] == 0
    assert cli("export", "--db", db, "-o", tmp_path / "excel.csv", "--excel")[0] == 0
    with (tmp_path / "plain.csv").open(encoding="utf-8", newline="") as stream:
        plain = list(read_csv(stream))
    assert [r["title"] for r in plain] == FORMULAS  # exact
    assert {r["body"] for r in plain} == {"-body"}
    with (tmp_path / "excel.csv").open(encoding="utf-8-sig", newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert [r["title"] for r in rows] == ["'" + t for t in FORMULAS]
    assert {r["body"] for r in rows} == {"'-body"}
    assert {r["authors"] for r in rows} == {'["@me"]'}  # a JSON list begins with [
    assert {r["url"][:8] for r in rows} == {"https://"}


# -- import of a file that is not an archive ----------------------------------------------------


def test_importing_an_sqlite_file_that_is_no_archive_changes_nothing(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE notes (text TEXT)")
        conn.execute("INSERT INTO notes VALUES ('mine')")
    conn.close()
    before = other.read_bytes()
    db = tmp_path / "archive.db"
    result = CliRunner().invoke(main, ["import", str(other), "--db", str(db)])
    assert result.exit_code == 2
    assert (
        result.output.strip()
        == f"scraper: error: {other} is not a scraper archive (no archive tables)"
    )
    assert other.read_bytes() == before  # opened read-only: not even the schema written
    assert not db.exists()  # and no empty archive left behind


def test_importing_an_archive_leaves_the_source_file_unchanged(tmp_path: Path) -> None:
    source, db = tmp_path / "source.db", tmp_path / "archive.db"
    _old_archive(source)
    with sqlite3.connect(source) as conn:  # checkpointed: the file alone holds it all
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    before = source.read_bytes()
    code, output = cli("import", source, "--db", db)
    assert code == 0, output
    assert source.read_bytes() == before
    with Store(db) as store:
        assert [r["title"] for r in store.records()] == ["A story, edited"]


# -- a full disk --------------------------------------------------------------------------------
# A process whose files may not grow past ``limit`` bytes (RLIMIT_FSIZE, with SIGXFSZ ignored)
# meets exactly what a full disk gives: SQLite's "database or disk is full", EFBIG on a write.


def run_limited(limit: int, *args: object, cwd: Path) -> subprocess.CompletedProcess:
    import resource
    import signal

    def limit_files() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    root = Path(__file__).parent.parent
    return subprocess.run(
        [sys.executable, "-m", "scraper", *map(str, args)], capture_output=True, text=True,
        timeout=120, cwd=cwd, preexec_fn=limit_files, env={**os.environ, "PYTHONPATH": str(root)},
    )  # fmt: skip


def big_site(count: int = 12) -> dict[str, str]:
    """Articles of ~60 KB of words that do not compress away: a few fill a small disk."""
    import random

    rng = random.Random(7)
    cards = "".join(
        f'<article><h2><a href="/articles/{n}">Nouvelle numéro {n} du jour</a></h2></article>'
        for n in range(1, count + 1)
    )
    routes = {"/": page("La Gazette", cards)}
    for n in range(1, count + 1):
        words = " ".join("".join(rng.choices("abcdefghij", k=7)) for _ in range(7500))
        stamp = f"2025-11-{n:02d}T08:00:00+01:00"
        body = f"<article><h1>Nouvelle {n}</h1><time datetime='{stamp}'>le jour</time>"
        routes[f"/articles/{n}"] = page(
            f"Nouvelle {n}", f"{body}<p>{words}</p></article>", "article"
        )
    return routes


def test_a_crawl_on_a_full_disk_says_so_in_one_line_and_resumes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The archive may grow by ~1 MB (SQLite's max_page_count: it then answers "database
    or disk is full", as on a full disk); the crawl stops, the archive is whole, and the next
    run, with room, archives the rest."""
    import scraper.store

    real = scraper.store.connect

    def small_disk(path: Path, **kw: Any) -> Any:
        db = real(path, **kw)
        pages = db.execute("PRAGMA page_count").fetchone()[0]
        db.execute(f"PRAGMA max_page_count = {max(pages, 60) + 250}")
        return db

    db = tmp_path / "archive.db"
    with FaultServer(big_site()) as server:
        monkeypatch.setattr(scraper.store, "connect", small_disk)
        code, output = cli("crawl", server.base_url + "/", "--db", db, "--delay", 0)
        monkeypatch.setattr(scraper.store, "connect", real)
        with sqlite3.connect(db) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            kept = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        conn.close()
        again, _ = cli("crawl", server.base_url + "/", "--db", db, "--delay", 0)
    assert code == 1, output
    assert "Traceback" not in output
    errors = [line for line in output.splitlines() if line.startswith("scraper: error:")]
    assert len(errors) == 1 and "the disk is full" in errors[0], output
    assert "the archive is intact" in errors[0] and "resumes when run again" in errors[0]
    assert 0 < kept < 12  # what was committed before the disk filled is there, whole
    assert again == 0
    with Store(db) as store:
        assert len(list(store.records())) == 12


def test_exports_on_a_full_disk_leave_no_partial_file(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    with FaultServer(big_site(4)) as server:
        crawled = scraper.crawl(server.base_url + "/", db, settings=DEFAULT_DELAYLESS)
    assert crawled.articles_new == 4
    before = {p.name for p in tmp_path.iterdir()}
    for name in ("out.jsonl", "out.csv", "out.parquet", "out.warc.gz"):
        done = run_limited(100_000, "export", "--db", db, "-o", tmp_path / name, cwd=tmp_path)
        assert done.returncode == 1, (name, done.stderr)
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and "the disk is full" in lines[0], (name, done.stderr)
        assert "archive is intact" in lines[0]
        left = {p.name for p in tmp_path.iterdir()} - before - {"archive.db-shm", "archive.db-wal"}
        assert left == set(), (name, left)  # no partial output, no .open or .partial file
    with Store(db) as store:
        assert len(list(store.records())) == 4


def test_an_export_to_a_full_stdout_is_one_line(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    _old_archive(db)
    for fmt in ("jsonl", "csv", "parquet"):
        with open("/dev/full", "wb") as full:  # the device, as stdout: never a path to -o
            done = subprocess.run(
                [sys.executable, "-m", "scraper", "export", "--db", db, "--format", fmt],
                stdout=full, stderr=subprocess.PIPE, text=True, timeout=60,
            )  # fmt: skip
        lines = done.stderr.strip().splitlines()
        assert done.returncode == 1 and len(lines) == 1, (fmt, done.stderr)
        assert "the disk is full" in lines[0]


def test_a_warc_export_refuses_to_replace_what_is_not_a_file(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    _old_archive(db)
    fifo = tmp_path / "pipe.warc.gz"
    os.mkfifo(fifo)
    code, output = cli("export", "--db", db, "-o", fifo)
    assert code == 2 and "a WARC export is written to a regular file" in output
    assert fifo.exists() and not fifo.is_file()


# -- bad input: one line, never a traceback -----------------------------------------------------


def test_bad_values_on_the_command_line_are_one_line_errors(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    _old_archive(db)  # one article, two versions
    text = tmp_path / "notes.warc.gz"
    text.write_text("hello\nthis is text, not a web archive\n" * 50)
    cases = [
        (("export", "--db", db, "--changed-since", "99999999999999999999"),
         "no crawl run 99999999999999999999 (not a run id)"),
        (("show", "http://[::1", "--db", db), "not an article id or URL: 'http://[::1'"),
        (("backfill", text, "--db", tmp_path / "b.db"),
         f"{text.resolve()} is not a WARC file (it does not begin with a WARC record)"),
        (("history", "1", "--diff", "-2", "current", "--db", db),
         "no revision -2: 1 earlier version"),
    ]  # fmt: skip
    for args, message in cases:
        result = CliRunner().invoke(main, [str(a) for a in args])
        assert result.exit_code == 2, (args, result.output)
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"scraper: error: {message}"), lines
    code, output = cli("history", "1", "--diff", "-1", "current", "--db", db)
    assert code == 0 and "+title: A story, edited" in output


def test_an_archive_with_invalid_utf8_in_a_column_still_exports(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    _old_archive(db)
    with sqlite3.connect(db) as conn:  # as another tool may have written it
        conn.execute("UPDATE articles SET title = CAST(x'41ff42' AS TEXT)")
    conn.close()
    for fmt in ("jsonl", "csv"):
        code, output = cli("export", "--db", db, "--format", fmt)
        assert code == 0, output
        assert "A\ufffdB" in output
    code, output = cli("export", "--db", db, "-o", tmp_path / "x.parquet")
    assert code == 0, output


def test_a_warc_record_of_a_huge_host_is_not_a_site(tmp_path: Path) -> None:
    from scraper.warc import WarcWriter

    from .warc_samples import T0, article_html, response

    good = "https://news.example/2025/11/01/story/"
    huge = f"https://{'a' * 100_000}.example/2025/11/01/story/"
    with WarcWriter(tmp_path, prefix="hosts") as writer:
        for url in (huge, good):
            writer.write(
                response(writer, url, article_html(url, "A story", "Facts.", "2025-11-01"), T0)
            )
    db = tmp_path / "archive.db"
    summary = scraper.scale.backfill.backfill(writer.files, db)
    assert (summary.new, summary.skipped) == (1, {"warcinfo record": 1, "not an http(s) URL": 1})
    with Store(db) as store:
        assert [row["name"] for row in store.site_rows()] == ["news.example"]


def test_only_web_urls_are_listed_by_sitemaps_feeds_and_rest() -> None:
    from scraper.discover import feeds

    sitemap = (
        b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        b"<url><loc>javascript:alert(1)</loc></url><url><loc> JaVaScRiPt:alert(2)</loc></url>"
        b"<url><loc>java&#9;script:alert(3)</loc></url><url><loc>data:text/html,x</loc></url>"
        b"<url><loc>https://news.example/a/</loc></url></urlset>"
    )
    assert [e.url for e in feeds.parse_sitemap(sitemap).pages] == ["https://news.example/a/"]
    rest = json.dumps([{"link": "javascript:alert(1)"}, {"link": "https://news.example/b/"}])
    assert [e.url for e in feeds.parse_rest_posts(rest.encode())] == ["https://news.example/b/"]
    atom = (
        b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><link href="javascript:x"/></entry>'
        b'<entry><link href="https://news.example/c/"/></entry></feed>'
    )
    assert [e.url for e in feeds.parse_feed(atom)] == ["https://news.example/c/"]


def test_scraper_extract_of_many_files_fails_the_bad_one_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A test hook makes extraction raise on one file of three: the other two are written,
    the bad one is one line, exit 1."""
    import scraper.scale.batch

    real = scraper.scale.batch.extract

    def extract(html: Any, url: Any = None, profile: Any = None, **kw: Any) -> Any:
        if b"poison" in html:
            raise RuntimeError("poisoned file for the test")
        return real(html, url, profile, **kw)

    monkeypatch.setattr(scraper.scale.batch, "extract", extract)
    for name in ("a", "b", "c"):
        body = "poison" if name == "b" else f"page {name}"
        (tmp_path / f"{name}.html").write_text(f"<h1>Title {name}</h1><p>{body}</p>")
    # --all-pages: these stubs are no articles, and would otherwise be counted, not written.
    argv = ["extract", "--input-dir", str(tmp_path), "--all-pages"]
    result = CliRunner().invoke(main, argv)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    records = [json.loads(line) for line in lines if line.startswith("{")]
    assert [Path(r["source"]).name for r in records] == ["a.html", "c.html"]
    bad = tmp_path / "b.html"
    assert (
        f"scraper: error: cannot extract {bad}: RuntimeError: poisoned file for the test" in lines
    )
