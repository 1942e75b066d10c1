"""The store's typed boundaries: page kinds and claims."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import fields, replace
from pathlib import Path

import pytest

from scraper.crawl import ARTICLE_KINDS, LISTING_KINDS, PRIORITY, SOURCE_KINDS
from scraper.store import (
    CLAIM_COLUMNS,
    Claim,
    FrontierEntry,
    PageKind,
    Store,
    schema_sql,
)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "archive.db") as s:
        yield s


def frontier_column_comment(column: str) -> str:
    table = re.search(r"CREATE TABLE IF NOT EXISTS frontier \((.*?)\n\);", schema_sql(), re.S)
    assert table is not None
    line = next(x for x in table.group(1).splitlines() if x.strip().startswith(column + " "))
    return line.split("--", 1)[1].strip()


def test_page_kinds_are_the_kinds_the_frontier_table_documents() -> None:
    documented = frontier_column_comment("kind").split("|")
    assert sorted(k.value for k in PageKind) == sorted(documented)
    assert PageKind("article") is PageKind.ARTICLE and PageKind.ARTICLE == "article"


def test_the_crawl_groups_every_page_kind_once_and_gives_each_a_priority() -> None:
    groups = (*LISTING_KINDS, *SOURCE_KINDS, *ARTICLE_KINDS)
    assert sorted(groups) == sorted(PageKind) and len(groups) == len(PageKind)
    assert set(PRIORITY) == set(PageKind)


def test_a_frontier_entry_takes_a_kind_by_name_and_refuses_an_unknown_one() -> None:
    entry = FrontierEntry("https://news.example/", "home", 0)  # type: ignore[arg-type]
    assert entry.kind is PageKind.HOME
    with pytest.raises(ValueError):
        FrontierEntry("https://news.example/", "homepage", 0)  # type: ignore[arg-type]


def test_a_claim_carries_what_the_entry_queued(store: Store) -> None:
    site = store.ensure_site("news.example", "https://news.example/")
    entry = FrontierEntry(
        "https://news.example/ar/a/",
        PageKind.ARTICLE,
        30,
        depth=2,
        found_on="https://news.example/wp-json/wp/v2/posts?page=1",
        lastmod="2025-11-25T09:15:00+00:00",
        listed_published="2025-11-25T10:15:00+01:00",
        listed_modified="2025-11-26T08:00:00+01:00",
        listed_raw='{"date": "2025-11-25T10:15:00"}',
        listed_source="rest",
    )
    store.frontier_add(site, [entry])
    [claim] = store.frontier_claim(site, 5)
    assert isinstance(claim, Claim) and claim.kind is PageKind.ARTICLE
    expected = {f.name: getattr(entry, f.name) for f in fields(entry) if f.name != "priority"}
    assert {name: getattr(claim, name) for name in expected} == expected
    assert (claim.attempts, claim.etag, claim.last_modified) == (0, None, None)
    # claims are values: the crawl adds the page's validators to a copy
    with pytest.raises(AttributeError):
        claim.etag = '"v1"'  # type: ignore[misc]
    assert replace(claim, etag='"v1"').etag == '"v1"' and claim.etag is None
    # a claim is read from exactly the frontier columns it names
    columns = {r[1] for r in store.db.execute("PRAGMA table_info(frontier)")}
    assert set(CLAIM_COLUMNS) <= columns
    assert set(CLAIM_COLUMNS) == {f.name for f in fields(Claim)} - {"etag", "last_modified"}
    # claimed again after a crash: one attempt counted
    store.frontier_requeue(site, states=("active",))
    assert store.frontier_claim(site, 5)[0].attempts == 1
