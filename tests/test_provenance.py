"""Every field says where it came from, every record how sure it is: provenance and the
quality estimate, from extraction (pages written here) through the archive, its exports,
``show``, ``search``/``export --min-quality``, ``stats``, the audit and the reading room."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from scraper.article import PROVENANCE_FIELDS, SOURCES, Article
from scraper.cli import main
from scraper.extract import extract
from scraper.extract import quality as q
from scraper.report import exporting
from scraper.scale.merge import record_to_article
from scraper.store import Store
from scraper.store.schema import SCHEMA_VERSION, _migrate_to_11

SENTENCES = [
    "The harbour authority said on Tuesday that the new quay would open to cargo ships in May.",
    "Engineers finished the last section of the breakwater after two winters of storms.",
    "Local fishermen, who feared losing their moorings, were given a basin of their own.",
    "The project cost 40 million euros, most of it lent by the regional development bank.",
    "Traders expect the port to handle twice as many containers within three years.",
    "The mayor called it the largest public work the town has seen since the railway came.",
]
BODY = "".join(f"<p>{s} {s}</p>" for s in SENTENCES)
NAV = (
    '<nav><a href="/economy/">Economy</a> <a href="/sport/">Sport</a>'
    ' <a href="/culture/">Culture</a></nav>'
)


def page(head: str, article: str, lang: str = "en") -> str:
    return (
        f'<!doctype html><html lang="{lang}"><head>{head}</head><body><header>{NAV}</header>'
        f"<main><article>{article}</article></main><footer>© News</footer></body></html>"
    )


JSONLD_PAGE = page(
    '<title>Harbour opens - Coast News</title><script type="application/ld+json">'
    + json.dumps(
        {
            "@type": "NewsArticle",
            "headline": "The new quay opens in May",
            "alternativeHeadline": "Cargo first, fishermen get their own basin",
            "author": [{"@type": "Person", "name": "Lena Marsh"}],
            "articleSection": "Economy",
            "keywords": "ports, shipping",
            "image": "https://coast.example/quay.jpg",
            "datePublished": "2025-03-04T08:00:00+01:00",
            "inLanguage": "en",
        }
    )
    + "</script>",
    f'<div class="head"><h1>The new quay opens in May</h1></div>{BODY}',
    lang="",
)
META_PAGE = page(
    '<title>Harbour opens | Coast News</title><link rel="canonical" href="/2025/quay/">'
    '<meta property="og:title" content="The new quay opens in May">'
    '<meta property="og:image" content="/img/quay.jpg">'
    '<meta property="article:author" content="Lena Marsh">'
    '<meta property="article:section" content="Economy">'
    '<meta property="article:tag" content="ports">'
    '<meta property="article:published_time" content="2025-03-04T08:00:00+01:00">',
    f'<div class="head"><h1>The new quay opens in May</h1></div>{BODY}',
)
HEURISTIC_PAGE = page(
    "",
    '<p class="kicker"><a href="/economy/">Economy</a></p>'
    f'<h1>The new quay opens in May</h1><p class="by"><span itemprop="author">Lena Marsh</span>'
    f"</p>{BODY}",
    lang="",
)


def test_a_json_ld_page_says_its_fields_came_from_json_ld() -> None:
    a = extract(JSONLD_PAGE, "https://coast.example/quay/")
    assert a.title == "The new quay opens in May" and a.authors == ["Lena Marsh"]
    record = a.to_dict()["provenance"]
    assert list(record) == list(PROVENANCE_FIELDS)
    for name in ("title", "subtitle", "authors", "published_at", "tags", "image", "language"):
        assert record[name] == "json-ld", name
    assert record["categories"] == "json-ld" and a.categories == ["Economy"]
    assert record["body"] == "heuristic"
    assert record["url"] == "url"  # no canonical link: the address it was read from
    assert set(v for v in record.values() if v) <= set(SOURCES) | {"json-ld"}


def test_a_meta_only_page_says_meta_and_markup() -> None:
    a = extract(META_PAGE, "https://coast.example/quay/?utm_source=x")
    p = a.to_dict()["provenance"]
    assert a.url == "https://coast.example/2025/quay/" and p["url"] == "markup"
    assert (p["title"], p["authors"], p["categories"], p["tags"], p["image"]) == ("meta",) * 5
    assert p["published_at"] == "meta" and p["language"] == "markup"
    assert p["subtitle"] is None and a.subtitle is None  # no value, no source
    assert a.image == "https://coast.example/img/quay.jpg"


def test_a_page_without_structured_data_says_heuristic() -> None:
    a = extract(HEURISTIC_PAGE, "https://coast.example/quay/")
    p = a.to_dict()["provenance"]
    assert a.title == "The new quay opens in May" and p["title"] == "heuristic"
    assert a.categories == ["Economy"] and p["categories"] == "heuristic"
    assert a.authors == ["Lena Marsh"] and p["authors"] == "microdata"
    assert p["body"] == "heuristic" and SENTENCES[0] in a.body
    assert p["language"] is None and p["published_at"] is None


def test_the_body_says_when_trafilatura_gave_it() -> None:
    # Next to no text: our analysis finds too little and trafilatura's longer text is taken.
    a = extract(page("<title>Brief</title>", "<h1>Brief</h1><p>Quay opens.</p>"), None)
    assert "Quay opens." in a.body and a.provenance["body"] == "trafilatura-fallback"
    assert a.to_dict()["provenance"]["body"] == "trafilatura-fallback"
    assert extract(HEURISTIC_PAGE, None).provenance["body"] == "heuristic"


def test_a_profile_page_of_the_mirror_says_profile(crawled: dict) -> None:
    records = crawled["records"]
    assert records
    for record in records:
        p = record["provenance"]
        assert p["title"] == "profile" and p["body"] == "profile", record["url"]
        assert record["quality"] is not None and 0 <= record["quality"] <= 1
    assert sum(r["quality"] >= q.THRESHOLD for r in records) >= 0.9 * len(records)


# ---------------------------------------------------------------------- quality
def test_quality_is_high_for_a_clean_article_and_low_for_a_thin_or_linked_page() -> None:
    clean = extract(JSONLD_PAGE, "https://coast.example/quay/")
    assert clean.quality is not None and clean.quality >= 0.8
    thin = extract(
        page("<title>Brief</title>", "<h1>Brief</h1><p>Harbour opens.</p>"), "https://x.example/"
    )
    assert thin.quality is not None and thin.quality < q.THRESHOLD
    teasers = "".join(
        f'<div class="teaser"><h3><a href="/n/{i}">{s}</a></h3></div>'
        for i, s in enumerate(SENTENCES)
    )
    linked = extract(page("<title>Latest</title>", teasers), "https://x.example/latest/")
    assert linked.quality is not None and linked.quality < q.THRESHOLD, linked.body


def signals(**changes: Any) -> q.Signals:
    base = {
        "words": 600, "short_share": 0.0, "link_share": 0.0, "sentence_share": 1.0,
        "declared_cover": None, "title_agrees": True,
        "fallback": False, "profile": False, "dated": True, "date_support": 2,
        "date_dissent": 0, "is_article": True,
    }  # fmt: skip
    return q.Signals(**{**base, **changes})


def test_every_signal_lowers_the_estimate_and_none_raises_it() -> None:
    best = q.estimate(signals())
    assert best == 1.0 and q.estimate(signals(words=0)) == 0.0
    worse = [
        signals(words=20),
        signals(link_share=0.6),
        signals(sentence_share=0.3),
        signals(short_share=0.8),
        signals(fallback=True),
        signals(title_agrees=False),
        signals(dated=False),
        signals(date_dissent=3, date_support=1),
        signals(is_article=False),
    ]
    for s in worse:
        assert q.estimate(s) < best, s
    assert q.estimate(signals(words=20, link_share=0.6)) < q.estimate(signals(words=20))


# ---------------------------------------------------------------------- the archive
def run(*args: object) -> Any:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    db = tmp_path / "archive.db"
    good = extract(JSONLD_PAGE, "https://coast.example/quay/")
    thin = extract(page("<title>Brief</title>", "<h1>Brief</h1><p>Quay opens.</p>"), None)
    thin.url = "https://coast.example/brief/"
    thin.published_at = datetime(2025, 3, 5, tzinfo=UTC)
    with Store(db) as s:
        site = s.ensure_site("coast.example", "https://coast.example/")
        s.save_article(site, good)
        s.save_article(site, thin)
    return db


def test_provenance_and_quality_are_archived_and_shown(archive: Path) -> None:
    with Store(archive) as s:
        good, thin = list(s.records())
    assert good["provenance"]["title"] == "json-ld" and good["provenance"]["body"] == "heuristic"
    assert good["quality"] >= 0.8 > q.THRESHOLD > thin["quality"]
    shown = json.loads(run("show", "1", "--db", archive).output)
    assert shown["provenance"] == good["provenance"] and shown["quality"] == good["quality"]
    # back into an Article (import) and out again: the same record
    assert record_to_article(good).to_dict()["provenance"] == good["provenance"]


def test_exports_round_trip_provenance_and_quality(archive: Path, tmp_path: Path) -> None:
    with Store(archive) as s:
        records = list(s.records())
    out = tmp_path / "a.jsonl"
    assert run("export", "--db", archive, "-o", out).exit_code == 0
    assert [json.loads(x) for x in out.read_text().splitlines()] == records
    csv_out = tmp_path / "a.csv"
    assert run("export", "--db", archive, "-o", csv_out).exit_code == 0
    with csv_out.open(encoding="utf-8", newline="") as stream:
        assert list(exporting.read_csv(stream)) == records
    assert '""title"": ""json-ld""' in csv_out.read_text()  # JSON text in its cell
    pytest.importorskip("pyarrow", reason="pyarrow (the parquet extra) is not installed")
    pq_out = tmp_path / "a.parquet"
    assert run("export", "--db", archive, "-o", pq_out).exit_code == 0
    assert list(exporting.read_parquet(pq_out)) == records
    import pyarrow.parquet as pq

    table = pq.read_table(pq_out)
    assert str(table.schema.field("quality").type) == "double"
    assert table.schema.field("provenance").type.num_fields == len(PROVENANCE_FIELDS)


def test_min_quality_filters_search_export_and_stats(archive: Path) -> None:
    everything = run("export", "--db", archive).output.splitlines()
    kept = run("export", "--db", archive, "--min-quality", q.THRESHOLD).output.splitlines()
    assert len(everything) == 2 and [json.loads(x)["url"] for x in kept] == [
        "https://coast.example/quay/"
    ]
    hits = run("search", "quay", "--db", archive, "--nl").output.splitlines()
    assert len(hits) == 2 and all("quality" in json.loads(h) for h in hits)
    hits = run("search", "quay", "--db", archive, "--nl", "--min-quality", "0.6")
    assert [json.loads(h)["url"] for h in hits.output.splitlines()] == [
        "https://coast.example/quay/"
    ]
    bad = run("export", "--db", archive, "--min-quality", "2")
    assert bad.exit_code == 2 and "Traceback" not in bad.output
    stats = run("stats", "--db", archive, "--json")
    overall = [s for s in json.loads(stats.output) if s["section"] is None]
    assert sum(s["low_quality"] for s in overall) == 1
    assert f"1 below quality {q.THRESHOLD}" in run("stats", "--db", archive).output


def test_the_audit_lists_the_articles_below_the_threshold(archive: Path) -> None:
    report = run("audit", "--db", archive, "--json")
    (site,) = json.loads(report.output)["sites"]
    assert [a["url"] for a in site["low_quality"]] == ["https://coast.example/brief/"]
    assert site["low_quality"][0]["quality"] < q.THRESHOLD
    text = run("audit", "--db", archive).output
    assert f"1 article(s) below quality {q.THRESHOLD}" in text and "coast.example/brief" in text


def test_migration_to_11_adds_the_columns_once(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    with Store(db) as s:
        site = s.ensure_site("coast.example", "https://coast.example/")
        s.save_article(site, Article(url="https://coast.example/a/", title="a", body="x"))
    conn = sqlite3.connect(db)
    conn.execute("DROP INDEX articles_quality")  # back to an archive of version 8
    conn.execute("ALTER TABLE articles DROP COLUMN quality")
    conn.execute("ALTER TABLE articles DROP COLUMN provenance")
    conn.execute("PRAGMA user_version = 8")
    conn.commit()
    conn.close()
    with Store(db) as s:
        assert s.schema_version == SCHEMA_VERSION >= 11  # every step on from 8 ran
        (record,) = s.records()
        assert record["title"] == "a" and record["quality"] is None
        assert set(record["provenance"].values()) == {None}
        _migrate_to_11(s.db)  # again, as after another branch's step: nothing to add
        columns = [r[1] for r in s.db.execute("PRAGMA table_info(articles)")]
        assert columns.count("provenance") == columns.count("quality") == 1


# ---------------------------------------------------------------------- reading room
def test_the_reading_room_shows_quality_and_sources(archive: Path) -> None:
    pytest.importorskip("datasette", reason="Datasette (the datasette extra) is not installed")
    from scraper.web.serve import make_app

    datasette = make_app(archive)

    async def go() -> list[Any]:
        await datasette.invoke_startup()
        return [await datasette.client.get(p) for p in ("/-/article/1", "/-/article/2", "/-/audit")]

    good, thin, audit = asyncio.run(go())
    assert good.status_code == thin.status_code == audit.status_code == 200
    assert '<table class="provenance">' in good.text
    assert "<th>title</th><td><code>json-ld</code></td>" in good.text
    assert "below 0.6" not in good.text and "below 0.6" in thin.text
    assert 'href="/-/article/2"' in audit.text and "to review" in audit.text


def test_the_reading_room_search_filters_on_quality(archive: Path) -> None:
    pytest.importorskip("datasette", reason="Datasette (the datasette extra) is not installed")
    from scraper.web.serve import make_app

    datasette = make_app(archive)

    async def go() -> list[Any]:
        await datasette.invoke_startup()
        paths = (
            "/-/search?q=quay",
            "/-/search?q=quay&min_quality=0.6",
            "/-/search?q=quay&min_quality=x",
        )
        return [await datasette.client.get(p) for p in paths]

    every, sure, bad = asyncio.run(go())
    assert every.text.count('<li class="result"') == 2 and "quality 0." in every.text
    assert sure.text.count('<li class="result"') == 1 and 'href="/-/article/1"' in sure.text
    assert bad.status_code == 200 and bad.text.count('<li class="result"') == 2


def test_reextract_gives_older_articles_their_provenance_and_quality(tmp_path: Path) -> None:
    from scraper.scale.reextract import reextract
    from scraper.store import PageRecord

    db, url = tmp_path / "a.db", "https://coast.example/quay/"
    page_record = PageRecord(url, url, 200, JSONLD_PAGE.encode(), "text/html", "utf-8")
    with Store(db) as s:
        site = s.ensure_site("coast.example", "https://coast.example/")
        s.save_article(site, extract(JSONLD_PAGE, url), page_record)
        s.db.execute("UPDATE articles SET provenance = NULL, quality = NULL")  # as migrated
        assert s.record(url)["quality"] is None
        assert reextract(s).counts()["refreshed"] == 1
        record = s.record(url)
        assert record["quality"] >= 0.8 and record["provenance"]["title"] == "json-ld"
        assert record["revision"] == 1  # the content did not change: no new revision
