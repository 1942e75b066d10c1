"""A site without a profile: Le Journal du Sud (semantic HTML5, ?page=N, no sitemap)."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from scraper.store import Store

from .conftest import crawl_mirror
from .sites.lejournal import LeJournalServer

TRUTH_FILE = "tests/fixtures/lejournal/truth.jsonl"


@pytest.fixture(scope="module")
def crawl(tmp_path_factory):
    db = tmp_path_factory.mktemp("lejournal") / "archive.db"
    with LeJournalServer() as server:
        summary = crawl_mirror(server.base_url + "/", db, profile=None)
        requests = server.requests
    with Store(db) as store:
        records = list(store.records())
    lines = Path(TRUTH_FILE).read_text(encoding="utf-8").splitlines()
    truth = [json.loads(line) for line in lines]
    return {"summary": summary, "records": records, "requests": requests, "truth": truth}


def by_path(records: list[dict]) -> dict[str, dict]:
    return {unquote(urlsplit(r["url"]).path): r for r in records}


def test_all_articles_and_nothing_else_are_archived(crawl):
    got = set(by_path(crawl["records"]))
    want = {t["path"] for t in crawl["truth"]}
    assert got == want
    assert len(crawl["records"]) == len(want) == 30


def test_fields_come_out_right_without_a_profile(crawl):
    records = by_path(crawl["records"])
    for t in crawl["truth"]:
        r = records[t["path"]]
        assert r["title"] == t["title"]
        assert r["published_at"] == t["published_at"]
        assert r["authors"] == t["authors"]
        assert r["tags"] == t["tags"]
        assert r["categories"] == t["categories"]
        assert r["body"] == t["body"], t["path"]


def test_utility_pages_and_traps_are_bounded(crawl):
    paths = [r.path for r in crawl["requests"]]
    assert not [p for p in paths if p.startswith("/recherche")], "robots.txt disallows it"
    assert sum(p.startswith("/agenda") for p in paths) <= 35, "the calendar trap is bounded"
    assert len(paths) < 200
