"""End to end: crawl the sahara.ma mirror over loopback and compare with the truth file."""

from __future__ import annotations

import subprocess
import sys
from urllib.parse import urlsplit

import pytest

from scraper.urls import canonical

from .conftest import crawl_mirror

CHROME = (
    "Share on Facebook", "Share on X", "Share on whatsapp", "Share on linkedin",
    "You might also like", "Related Stories", "المقالة التالية", "المقالة السابقة",
    "No Result", "View All Result", "©", "Tags:",
)  # fmt: skip
SEED_TITLE = "تدشين القطب المندمج للصناعة التقليدية بكلميم لدعم الحرفيين وتعزيز برامج تكوين الشباب"


def path_of(url: str | None) -> str | None:
    return urlsplit(canonical(url)).path if url else None


def by_path(records: list[dict]) -> dict[str, dict]:
    return {path_of(r["url"]): r for r in records}


def test_every_article_is_archived_exactly_once(crawled, truth):
    paths = [path_of(r["url"]) for r in crawled["records"]]
    assert len(paths) == len(set(paths))
    assert sorted(paths) == sorted(path_of("http://x" + t["path"]) for t in truth)
    assert crawled["summary"].errors == 0
    assert crawled["summary"].articles_new == len(truth) >= 60


@pytest.mark.parametrize(
    "field", ["language", "title", "subtitle", "authors", "published_at", "modified_at",
              "categories", "tags", "body"]
)  # fmt: skip
def test_fields_match_the_truth(crawled, truth, field):
    records = by_path(crawled["records"])
    wrong = []
    for t in truth:
        got = records[path_of("http://x" + t["path"])][field]
        if got != t[field]:
            wrong.append((t["id"], field, got, t[field]))
    assert wrong == []


def test_links_match_the_truth(crawled, truth):
    records = by_path(crawled["records"])
    for t in truth:
        r = records[path_of("http://x" + t["path"])]
        assert [(path_of(x["url"]), x["title"]) for x in r["related"]] == [
            (path_of("http://x" + x["path"]), x["title"]) for x in t["related"]
        ], t["id"]
        assert path_of(r["next_url"]) == (t["next_path"] and path_of("http://x" + t["next_path"]))
        assert path_of(r["prev_url"]) == (t["prev_path"] and path_of("http://x" + t["prev_path"]))
        assert path_of(r["image"]) == (t["image"] and path_of("http://x" + t["image"]))


def test_no_body_contains_chrome(crawled):
    for record in crawled["records"]:
        for chrome in CHROME:
            assert chrome not in record["body"], (record["url"], chrome)


def test_the_seed_article_comes_out_exactly(crawled):
    [seed] = [r for r in crawled["records"] if r["title"] == SEED_TITLE]
    assert seed["published_at"].startswith("2025-11-25T")
    assert seed["published_at"].endswith("+01:00")
    assert seed["categories"] == ["اقتصاد", "مجتمع"]
    assert seed["language"] == "ar"
    assert seed["image"].endswith(".jpg")
    paragraphs = seed["body"].split("\n\n")
    assert len(paragraphs) == 11
    assert paragraphs[0].startswith("أشرف كاتب الدولة المكلف بالصناعة التقليدية")
    assert paragraphs[-1] == "(ومع: 25 نونبر 2025)"
    assert "Guelmim" not in seed["body"] and "Laâyoune" not in seed["body"]
    titles = [x["title"] for x in seed["related"]]
    assert titles[0] == "انطلاق فعاليات المحطة الثانية للعيون عاصمة المجتمع المدني للمغرب لعام 2025"
    assert len(titles) == 3
    assert seed["prev_url"] is None and seed["next_url"]


def test_ramadan_dates_carry_the_utc_offset(crawled, truth):
    ramadan = [t for t in truth if "2026-02-20" <= t["published_at"][:10] <= "2026-03-10"]
    assert ramadan, "the mirror must have articles published during Ramadan 2026"
    records = by_path(crawled["records"])
    for t in ramadan:
        assert records[path_of("http://x" + t["path"])]["published_at"].endswith("+00:00")


def test_a_second_crawl_adds_no_duplicates(crawled, mirror, tmp_path):
    db = tmp_path / "twice.db"
    first = crawl_mirror(mirror.base_url + "/ar/", db)
    second = crawl_mirror(mirror.base_url + "/ar/", db)
    assert first.articles_new == len(crawled["records"])
    assert second.articles_new == 0 and second.errors == 0
    from scraper.store import Store

    with Store(db) as store:
        assert store.counts()["articles"] == len(crawled["records"])


def scraper_cli(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "scraper", *args],
        capture_output=True, text=True, timeout=60, cwd=cwd,
    )  # fmt: skip


def assert_one_line_error(result: subprocess.CompletedProcess) -> None:
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("scraper: error:")
    assert "Traceback" not in result.stderr


def test_bad_db_path_is_a_one_line_error(tmp_path, mirror):
    result = scraper_cli("crawl", "--profile", "sahara.ma", mirror.base_url + "/ar/",
                         "--db", str(tmp_path / "no" / "such" / "dir.db"))  # fmt: skip
    assert_one_line_error(result)
    assert "does not exist" in result.stderr


def test_unknown_profile_is_a_one_line_error(tmp_path):
    result = scraper_cli("crawl", "--profile", "nope.example", "http://127.0.0.1:9/",
                         "--db", str(tmp_path / "a.db"))  # fmt: skip
    assert_one_line_error(result)
    assert result.returncode == 2
    assert "unknown profile" in result.stderr


def test_unreachable_url_is_a_one_line_error(tmp_path):
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = scraper_cli("crawl", f"http://127.0.0.1:{port}/", "--db", str(tmp_path / "a.db"),
                         "--delay", "0", "-q")  # fmt: skip
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "scraper: error:" in result.stderr


def test_export_writes_one_record_per_article(crawled, tmp_path):
    out = tmp_path / "articles.jsonl"
    result = scraper_cli("export", "--db", str(crawled["db"]), "-o", str(out))
    assert result.returncode == 0, result.stderr
    import json

    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == len(crawled["records"])
    keys = {"url", "site", "language", "title", "subtitle", "authors", "published_at",
            "modified_at", "date_source", "categories", "tags", "body", "related", "next_url",
            "prev_url", "image", "word_count", "first_seen_at", "fetched_at",
            "revision"}  # fmt: skip
    assert keys <= set(rows[0])


def test_lang_option_limits_the_crawl_to_those_editions(mirror, truth, tmp_path):
    db = tmp_path / "fr.db"
    summary = crawl_mirror(mirror.base_url + "/fr/", db, languages=("fr",))
    from scraper.store import Store

    with Store(db) as store:
        languages = {r["language"] for r in store.records()}
    assert languages == {"fr"}
    assert summary.articles_new == sum(t["language"] == "fr" for t in truth)


def test_targets_resolve_to_a_profile_and_a_base_url():
    from scraper.crawler.job import resolve_site

    real = resolve_site("sahara.ma", None)
    assert real.base_url == "https://sahara.ma/ar/" and real.profile.name == "sahara.ma"
    assert resolve_site("https://www.sahara.ma/fr/", None).profile.name == "sahara.ma"
    staging = resolve_site("http://127.0.0.1:8000/ar/", "sahara.ma")
    assert staging.name == "127.0.0.1:8000" and staging.profile.timezone == "Africa/Casablanca"
    assert resolve_site("https://news.example.org/", None).profile is None
