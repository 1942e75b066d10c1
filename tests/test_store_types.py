"""The store's typed boundaries: page kinds, claims, the record format, the reread rule."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import fields, replace
from pathlib import Path

import pytest

from scraper.article import RECORD_FIELDS, Article, Link, build_record
from scraper.crawler.engine import ARTICLE_KINDS, LISTING_KINDS, SOURCE_KINDS
from scraper.crawler.parse import PRIORITY
from scraper.crawler.revisit import reread_listed
from scraper.store import (
    CLAIM_COLUMNS,
    Claim,
    Frontier,
    FrontierEntry,
    Known,
    PageKind,
    PageRecord,
    Store,
    schema_sql,
)

from .test_store import sample


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
    Frontier(store).add(site, [entry])
    [claim] = Frontier(store).claim(site, 5)
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
    Frontier(store).requeue(site, states=("active",))
    assert Frontier(store).claim(site, 5)[0].attempts == 1


def test_the_archive_and_extraction_build_the_same_record(store: Store) -> None:
    article = sample(
        related=[
            Link("https://news.example/ar/b/", "خبر آخر", "related"),
            Link("https://news.example/ar/d/", "في النص", "inline_related"),
            Link("https://news.example/fr/a/", "fr", "translation"),
        ],
        subtitle="عنوان فرعي",
        image="https://news.example/a.jpg",
    )
    site = store.ensure_site("news.example", "https://news.example/")
    page = PageRecord(article.url or "", article.url or "", 200, b"<html></html>")
    store.save_article(site, article, replace(page, fetched_at="2025-11-25T12:00:00+00:00"))
    record = store.record(article.url or "")
    assert record is not None
    assert tuple(record) == RECORD_FIELDS
    extracted = Article(**{f: getattr(article, f) for f in Article.__slots__})  # type: ignore[attr-defined]
    extracted.site = "news.example"
    extracted.first_seen_at = extracted.fetched_at = "2025-11-25T12:00:00+00:00"
    extracted.revision = 1
    as_extracted = extracted.to_dict()
    assert tuple(as_extracted) == RECORD_FIELDS[1:]  # no id before the archive gives one
    assert record == {"id": record["id"], **as_extracted}


def test_the_record_builder_needs_every_field_but_the_id() -> None:
    values = dict.fromkeys(RECORD_FIELDS[1:])
    assert tuple(build_record(values)) == RECORD_FIELDS[1:]
    assert tuple(build_record({**values, "id": 7, "extra": 1})) == RECORD_FIELDS
    del values["body"]
    with pytest.raises(KeyError):
        build_record(values)


DONE = Known("u", "done", None, archived=True, date_source="jsonld")
REST = FrontierEntry("u", PageKind.ARTICLE, listed_published="2025-11-25", listed_source="rest")


@pytest.mark.parametrize(
    ("known", "entry", "reread"),
    [
        (DONE, REST, True),  # archived with lesser dates: read again
        (replace(DONE, date_source="rest"), REST, False),  # already dated by the listing
        (replace(DONE, listed_published="2025-11-25"), REST, False),  # listed so before: once
        (replace(DONE, listed_published="2025-11-24"), REST, True),  # the listing changed
        (replace(DONE, state="pending"), REST, False),  # will be read anyway
        (replace(DONE, state="failed"), REST, False),
        (replace(DONE, archived=False), REST, False),  # no article from it
        (DONE, replace(REST, listed_published=None, listed_modified="x"), False),
    ],
)
def test_the_reread_rule(known: Known, entry: FrontierEntry, reread: bool) -> None:
    assert reread_listed(known, entry) is reread


def test_the_store_applies_the_reread_rule_it_is_given(store: Store) -> None:
    site = store.ensure_site("news.example", "https://news.example/")
    url = "https://news.example/ar/a/"
    store.save_article(site, sample(url=url))
    Frontier(store).add(site, [FrontierEntry(url, PageKind.ARTICLE, 30, 1)])
    Frontier(store).finish(url, "done")
    listed = FrontierEntry(url, PageKind.ARTICLE, 30, 1, listed_published="2025-11-25")
    seen: list[Known] = []

    def rule(known: Known, entry: FrontierEntry) -> bool:
        seen.append(known)
        return True

    assert Frontier(store).add(site, [listed]) == 0  # without a rule: dates recorded only
    assert Frontier(store).state(url) == "done"
    listed = replace(listed, listed_published="2025-11-26")
    assert Frontier(store).add(site, [listed], reread=rule) == 0  # requeued is not queued
    (known,) = seen
    assert (known.url, known.state, known.listed_published) == (url, "done", "2025-11-25")
    assert (known.archived, known.date_source) == (True, "jsonld")
    assert known.fetched_at is not None  # what the lastmod rule compares with
    assert Frontier(store).state(url) == "pending"
