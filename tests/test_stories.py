"""Agency credits and story clusters: the pure parts directly, the whole on three loopback
sites that run the same dispatches verbatim, rewritten, cut to the lead and in French, among
stories of their own on the same topics (``tests/sites/wire.py``)."""

from __future__ import annotations

import itertools
import json
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import scraper
from scraper.article import Article
from scraper.cli import main
from scraper.extract.credit import AGENCIES, agency_of, find_credit
from scraper.sketch import (
    MIN_SHINGLES,
    REWRITE_CONTAINMENT,
    REWRITE_JACCARD,
    SAMPLE,
    compare,
    fingerprint,
    worth_comparing,
)
from scraper.store import Store
from tests.sites.wire import Page, WireSites, build_pages

ROOT = Path(__file__).resolve().parent.parent


# ---------------------------------------------------------------------- credits (pure)
@pytest.mark.parametrize(
    ("body", "agency", "raw"),
    [
        ("نص الخبر.\n\n(ومع: 25 نونبر 2025)", "MAP", "(ومع: 25 نونبر 2025)"),
        ("نص الخبر.\n\n(و.م.ع)", "MAP", "(و.م.ع)"),
        ("Le texte de la dépêche. (MAP)", "MAP", "(MAP)"),
        ("Le texte.\n\n(avec AFP)", "AFP", "(avec AFP)"),
        ("نص.\n\n(أ ف ب)", "AFP", "(أ ف ب)"),
        ("The text of the story - Reuters", "Reuters", "- Reuters"),
        ("Le texte.\n\nSource : APS", "APS", "Source : APS"),
        ("نص.\n\nالمصدر: الأناضول", "Anadolu", "المصدر: الأناضول"),
        ("RABAT (AFP) - Le roi a reçu", "AFP", "RABAT (AFP) -"),
        ("الرباط (ومع) - أكد الوزير", "MAP", "الرباط (ومع) -"),
        ("Madrid, 3 dic (EFE).- El Gobierno", "EFE", "Madrid, 3 dic (EFE).-"),
        ("Texte. (AFP/Reuters)", "AFP, Reuters", "(AFP/Reuters)"),
        ("(Reuters) — The central bank held", "Reuters", "(Reuters) —"),
        ("LISBON (AP) -- The port reopened", "AP", "LISBON (AP) --"),
        ("OSLO (AP) Ministers agreed on Monday", "AP", "OSLO (AP)"),
        ("Ports reopen\n\nTUNIS, 3 mars (TAP) - Le port", "TAP", "TUNIS, 3 mars (TAP) -"),
        ("By our correspondent\nDAKAR, May 2 (AFP)\nThe vote was", "AFP", "DAKAR, May 2 (AFP)"),
    ],
)
def test_credit_forms(body: str, agency: str, raw: str) -> None:
    credit = find_credit(body)
    assert credit is not None and (credit.agency, credit.raw) == (agency, raw)


@pytest.mark.parametrize(
    "body",
    [
        "Le prix du blé a baissé (photo)",
        "ارتفع الإنتاج بنسبة 5 في المائة (2025)",
        "Le litre coûte 12 dirhams - 25 dh",
        "La maison (AP) de la rue",  # a parenthesis inside the text, not a trailer
        "",
    ],
)
def test_no_credit_without_a_known_agency(body: str) -> None:
    assert find_credit(body) is None


def test_credit_from_byline_and_structured_data() -> None:
    byline = find_credit("نص", authors=["و.م.ع"])
    assert byline is not None and (byline.agency, byline.source) == ("MAP", "byline")
    assert find_credit("text", authors=["AP"]) is None  # two letters: too ambiguous alone
    data = {"sourceOrganization": {"@type": "Organization", "name": "Agence France-Presse"}}
    structured = find_credit("texte", data)
    assert structured is not None and (structured.agency, structured.source) == ("AFP", "jsonld")
    assert find_credit("texte", {"publisher": {"name": "Le Journal du Sud"}}) is None


def test_every_agency_alias_names_its_agency() -> None:
    for agency, names in AGENCIES.items():
        for name in names:
            assert agency_of(f"({name})") == agency, name


def test_credits_of_the_mirror_articles() -> None:
    """The sahara.ma mirror's articles: every MAP trailer found, nothing else invented."""
    rows = [json.loads(line) for line in (ROOT / "tests/fixtures/sahara/truth.jsonl").open()]
    right = 0
    for row in rows:
        tail = row["body"].rstrip()[-40:]
        expected = "MAP" if "(ومع" in tail or tail.endswith("(MAP)") else None
        credit = find_credit(row["body"], None, row["authors"])
        right += (credit.agency if credit else None) == expected
    assert sum("(ومع" in r["body"][-40:] for r in rows) >= 30
    assert right / len(rows) >= 0.95


# ---------------------------------------------------------------------- sketches (pure)
def test_fingerprint_folds_and_skips_short_texts() -> None:
    text = " ".join(f"كلمة{i}" for i in range(40))
    a, b = fingerprint(text), fingerprint(text.replace("كلمة", "كَلِمَة"))
    assert a is not None and b is not None and a.shingles == b.shingles
    assert set(a.keys) <= a.shingles
    assert fingerprint(" ".join(f"w{i}" for i in range(MIN_SHINGLES))) is None


def test_worth_comparing_keeps_copies_and_drops_coincidences() -> None:
    # Short texts: two shared keys, as always.
    assert worth_comparing(2, 10, 12) and not worth_comparing(1, 10, 12)
    assert worth_comparing(1, 1, 30)  # a one-key text sharing its key
    # Longer texts need a share of the fewer keys: 40 keys -> 6.
    assert not worth_comparing(5, 40, 90) and worth_comparing(6, 90, 40)
    # Real texts: a copy cut to 45% of a long dispatch is compared; two dispatches that
    # share only a dateline and a stock sentence are not.
    words = [f"كلمة{i}" for i in range(1200)]
    stock = "وأوضح المصدر ذاته في بلاغ توصلت به وكالة المغرب العربي للأنباء اليوم"
    long_text = " ".join(words[:600])
    excerpt = " ".join(words[:270]) + " " + " ".join(f"خبر{i}" for i in range(330))
    other = stock + " " + " ".join(words[600:1200])
    mine = fingerprint(stock + " " + long_text)
    assert mine is not None
    for text, expected in ((excerpt, True), (other, False)):
        theirs = fingerprint(text)
        assert theirs is not None
        shared = len(set(mine.keys) & set(theirs.keys))
        assert worth_comparing(shared, len(mine.keys), len(theirs.keys)) is expected
        assert (compare(mine.shingles, theirs.shingles).kind is not None) is expected
    # Over many random copies at the least containment a match has, few are missed.
    missed = 0
    for seed in range(200):
        base = [f"w{seed}x{i}" for i in range(400)]
        copy = base[:160] + [f"z{seed}x{i}" for i in range(240)]
        a, b = fingerprint(" ".join(base)), fingerprint(" ".join(copy))
        assert a is not None and b is not None
        assert compare(a.shingles, b.shingles).containment >= REWRITE_CONTAINMENT - 0.01
        missed += not worth_comparing(len(set(a.keys) & set(b.keys)), len(a.keys), len(b.keys))
    assert len(a.keys) > 400 / SAMPLE / 2 and missed <= 2


def test_the_verdicts_on_the_test_corpus() -> None:
    """Same-story pairs clear the thresholds by their kind; pairs of different stories
    (same sections, same dateline and date for the siblings) stay far below them."""
    pages = [p for p in build_pages() if p.language == "ar"]
    prints = {id(p): fingerprint(p.body) for p in pages}
    worst_other = 0.0
    for p, q in itertools.combinations(pages, 2):
        a, b = prints[id(p)], prints[id(q)]
        assert a is not None and b is not None
        match = compare(a.shingles, b.shingles)
        if p.story != q.story:
            worst_other = max(worst_other, match.similarity, match.containment)
            assert match.kind is None, (p.path, q.path)
        elif {p.kind, q.kind} == {"original", "verbatim"}:
            assert match.kind == "verbatim"
        elif "excerpt" in (p.kind, q.kind) and "rewrite" not in (p.kind, q.kind):
            assert match.kind == "excerpt"
        else:
            assert match.kind == "rewrite"
    assert worst_other < min(REWRITE_JACCARD, REWRITE_CONTAINMENT) / 2


# ---------------------------------------------------------------------- on three sites
@pytest.fixture(scope="module")
def wire(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, Page]]]:
    db = tmp_path_factory.mktemp("wire") / "wire.db"
    with WireSites() as sites:
        for site in sites.sites:
            summary = scraper.crawl(site.base_url, db, settings=scraper.Settings(delay=0))
            assert summary.status == "ok" and summary.articles_new == len(site.pages)
        yield db, sites.truth()


def _scores(stories: dict[str, int], truth: dict[str, Page]) -> tuple[float, float, int]:
    tp = fp = fn = 0
    for u, v in itertools.combinations(sorted(truth), 2):
        same_truth = truth[u].story == truth[v].story
        same_found = stories[u] == stories[v]
        tp += same_truth and same_found
        fp += same_found and not same_truth
        fn += same_truth and not same_found
    return tp / (tp + fp), tp / (tp + fn), tp


def test_clusters_match_the_truth(wire: tuple[Path, dict[str, Page]]) -> None:
    db, truth = wire
    with Store(db) as store:
        records = {r["url"]: r for r in store.records()}
    assert set(records) == set(truth)
    stories = {url: records[url]["story_id"] for url in truth}
    precision, recall, pairs = _scores(stories, truth)
    assert pairs >= 60 and precision >= 0.95 and recall >= 0.95
    # no story merges two dispatches, though siblings share section, dateline, date, credit
    for story in set(stories.values()):
        assert len({truth[u].story for u in truth if stories[u] == story}) == 1


def test_kinds_and_similarity_to_the_first(wire: tuple[Path, dict[str, Page]]) -> None:
    db, truth = wire
    with Store(db) as store:
        ids = {r["url"]: r["id"] for r in store.records()}
        rows = dict(
            ((a, (k, s)) for a, k, s in store.db.execute(
                "SELECT article_id, kind, similarity FROM story_members"
            ))
        )  # fmt: skip
    expected = {"original": "first", "verbatim": "verbatim", "rewrite": "rewrite",
                "excerpt": "excerpt", "edition": "edition", "unique": "single"}  # fmt: skip
    right = sum(rows[ids[u]][0] == expected[p.kind] for u, p in truth.items())
    assert right / len(truth) >= 0.95
    for url, page in truth.items():
        kind, similarity = rows[ids[url]]
        if kind == "verbatim":
            assert similarity is not None and similarity >= 0.9
        if kind == "edition":
            assert similarity is None and page.language == "fr"


def test_credits_on_the_three_sites(wire: tuple[Path, dict[str, Page]]) -> None:
    db, truth = wire
    with Store(db) as store:
        found = {r["url"]: (r["credit"], r["credit_raw"]) for r in store.records()}
    right = sum(found[u][0] == p.credit for u, p in truth.items())
    assert right / len(truth) >= 0.95
    invented = [u for u, p in truth.items() if p.credit is None and found[u][0] is not None]
    assert not invented
    raws = {found[u][1] for u, p in truth.items() if p.credit == "MAP" and found[u][1]}
    assert any(raw.startswith("(ومع: ") for raw in raws) and "(و.م.ع)" in raws


@pytest.mark.parametrize("engine", ["local", "dask"])
def test_rebuild_gives_the_same_stories(
    wire: tuple[Path, dict[str, Page]], tmp_path: Path, engine: str
) -> None:
    if engine == "dask":
        pytest.importorskip("distributed")
    db, truth = wire
    copy = tmp_path / "copy.db"
    with sqlite3.connect(db) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    with Store(copy) as store:
        before = {r["url"]: r["story_id"] for r in store.records()}
        store.db.execute("DELETE FROM story_members")  # as after an import: none clustered
    args = ["stories", "--rebuild", "--engine", engine, "--workers", "1", "--db", str(copy)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    with Store(copy) as store:
        after = {r["url"]: r["story_id"] for r in store.records()}
        keys = store.db.execute("SELECT count(DISTINCT article_id) FROM story_keys").fetchone()[0]
    groups = lambda m: {frozenset(u for u in m if m[u] == s) for s in m.values()}  # noqa: E731
    assert groups(before) == groups(after)
    assert keys == sum(1 for p in truth.values() if fingerprint(p.body) is not None)


def test_stories_command_lists_copies(wire: tuple[Path, dict[str, Page]]) -> None:
    db, truth = wire
    runner = CliRunner()
    result = runner.invoke(main, ["stories", "--db", str(db), "--nl", "--limit", "5"])
    assert result.exit_code == 0, result.output
    stories = [json.loads(line) for line in result.output.splitlines()]
    assert len(stories) == 5 and stories[0]["size"] >= stories[-1]["size"] >= 3
    for story in stories:
        members = story["members"]
        assert members[0]["kind"] == "first" and members[0]["delay_hours"] == 0
        assert all(m["delay_hours"] >= 0 for m in members)
        assert len({truth[m["url"]].story for m in members}) == 1
        assert story["sites"] == sorted({m["site"] for m in members})
    table = runner.invoke(main, ["stories", "--db", str(db), "--limit", "2"]).output
    assert "first" in table and "story " in table and "+" in table
    agencies = runner.invoke(main, ["stories", "--db", str(db), "--agencies"]).output
    assert "MAP" in agencies and "credited" in agencies
    bad = runner.invoke(main, ["stories", "--db", str(db), "--site", "nowhere.example"])
    assert bad.exit_code == 2 and "no site" in bad.output and "Traceback" not in bad.output


def test_show_and_export_carry_the_story(wire: tuple[Path, dict[str, Page]]) -> None:
    db, truth = wire
    original = next(u for u, p in truth.items() if p.kind == "original" and p.story == "d0")
    runner = CliRunner()
    shown = json.loads(runner.invoke(main, ["show", original, "--db", str(db)]).output)
    copies = shown["same_story_elsewhere"]
    kinds = sorted(c["kind"] for c in copies)
    expected = sorted(
        {"verbatim": "verbatim", "excerpt": "excerpt", "rewrite": "rewrite",
         "edition": "edition"}[p.kind]
        for u, p in truth.items() if p.story == "d0" and u != original
    )  # fmt: skip
    assert kinds == expected and shown["credit"] == "MAP"
    exported = runner.invoke(main, ["export", "--db", str(db), "--fields", "url,credit,story_id"])
    rows = [json.loads(line) for line in exported.output.splitlines()]
    assert {r["story_id"] for r in rows if truth[r["url"]].story == "d0"} == {shown["story_id"]}
    assert sum(r["credit"] == truth[r["url"]].credit for r in rows) / len(rows) >= 0.95


def test_an_earlier_copy_archived_later_becomes_the_first(tmp_path: Path) -> None:
    """Incremental: a copy published earlier but archived after its reprint takes the
    story's first place; the reprint becomes its verbatim copy."""
    from datetime import datetime

    body = "\n\n".join(
        " ".join(f"{w}{i}{j}" for w in ("الرباط", "أكد", "الوزير", "مشروع"))
        for i in range(6)
        for j in range(2)
    )
    with Store(tmp_path / "a.db") as store:
        a = store.ensure_site("a.example", "https://a.example/")
        b = store.ensure_site("b.example", "https://b.example/")
        when = datetime.fromisoformat
        late = Article(url="https://b.example/copy", title="نسخة", body=body,
                       published_at=when("2025-11-25T12:00:00+01:00"))  # fmt: skip
        early = Article(url="https://a.example/wire", title="أصل", body=body,
                        published_at=when("2025-11-25T09:00:00+01:00"))  # fmt: skip
        store.save_article(b, late)
        store.save_article(a, early)
        members = store.story_members(store.story_of(1) or 0)
    assert [(m.url, m.kind) for m in members] == [
        ("https://a.example/wire", "first"),
        ("https://b.example/copy", "verbatim"),
    ]


def test_the_reading_room_shows_the_same_story_elsewhere(
    wire: tuple[Path, dict[str, Page]],
) -> None:
    pytest.importorskip("datasette", reason="Datasette (the datasette extra) is not installed")
    import asyncio

    from scraper.web.serve import make_app

    db, truth = wire
    with Store(db) as store:
        ids = {r["url"]: r["id"] for r in store.records()}
    original = next(u for u, p in truth.items() if p.kind == "original" and p.story == "d0")
    copies = [u for u, p in truth.items() if p.story == "d0" and u != original]
    unrelated = next(u for u, p in truth.items() if p.kind == "unique")
    datasette = make_app(db)

    async def go() -> list[Any]:
        await datasette.invoke_startup()
        paths = [f"/-/article/{ids[u]}" for u in (original, unrelated)] + ["/-/dashboard"]
        return [await datasette.client.get(path) for path in paths]

    page, alone, dashboard = asyncio.run(go())
    assert page.status_code == 200 and "The same story elsewhere" in page.text
    section = page.text.split("The same story elsewhere")[1].split("</ul>")[0]
    for url in copies:
        assert f'href="/-/article/{ids[url]}"' in section
    assert "excerpt" in section and "verbatim" in section and "edition" in section
    assert "<dt>Credit</dt>" in page.text and "(ومع: " in page.text
    assert "The same story elsewhere" not in alone.text
    # the dashboard counts agency copy per site
    share = dashboard.text.split("Agency copy per site")[1]
    site_a = truth[original].site
    credited = sum(1 for p in truth.values() if p.site == site_a and p.credit)
    total = sum(1 for p in truth.values() if p.site == site_a)
    host = original.split("/")[2]
    row = re.search(rf"<tr><td>{re.escape(host)}</td>(.*?)</tr>", share)
    assert row is not None
    cells = re.findall(r'<td class="n">(\d+)', row.group(1))
    assert cells[:2] == [str(total), str(credited)] and "MAP" in row.group(1)


def test_an_older_archive_gets_credits_and_stories_by_catch_up(tmp_path: Path) -> None:
    """An archive of schema 2 migrates to 12 (credit columns, empty story tables) with its
    data; 'scraper stories' says what is not clustered; --catch-up clusters it; a second
    migration step on the same file is a no-op (idempotent)."""
    from scraper.store.schema import _migrate_to_12

    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    conn.executescript((ROOT / "tests/fixtures/archive_v2.sql").read_text("utf-8"))
    conn.close()
    with Store(path) as store:
        columns = {r[1] for r in store.db.execute("PRAGMA table_info(articles)")}
        assert {"credit", "credit_raw"} <= columns
        assert store.story_counts() == {
            "articles": 2,
            "clustered": 0,
            "in_stories": 0,
            "stories": 0,
        }
        _migrate_to_12(store.db)  # again: nothing to add, no error
    runner = CliRunner()
    listed = runner.invoke(main, ["stories", "--db", str(path)])
    assert listed.exit_code == 0 and "2 articles are in no story yet" in listed.output
    caught = runner.invoke(main, ["stories", "--catch-up", "--db", str(path)])
    assert caught.exit_code == 0 and "clustered 2 articles" in caught.output
    with Store(path) as store:
        assert store.story_counts()["clustered"] == 2
        records = list(store.records())
        cache = store.db.execute("PRAGMA cache_size").fetchone()[0]
        store.clear_stories()
        assert store.cluster_pending() == 2  # with a bigger page cache, restored after
        assert store.db.execute("PRAGMA cache_size").fetchone()[0] == cache
    assert all(r["story_id"] is not None for r in records)
    missing = runner.invoke(main, ["stories", "--db", str(tmp_path / "none.db")])
    assert missing.exit_code == 2 and "no archive" in missing.output


def _dispatch(seed: int) -> str:
    return "\n\n".join(
        " ".join(f"{w}{seed}{i}{j}" for w in ("الرباط", "أكد", "الوزير", "مشروع", "ميناء"))
        for i in range(6)
        for j in range(2)
    )


def test_copies_are_found_across_a_week_of_the_key_index(tmp_path: Path) -> None:
    """The key index is ordered by publication week: a copy published 6 days later, in the
    next week, joins its story; one 8 days after that copy (outside the 7-day window of
    both) founds its own, and so does one 20 days earlier; every key is in its week."""
    from datetime import date, datetime, timedelta

    from scraper.sketch import day_number, week_of

    start = date(2025, 11, 26)  # a Wednesday: weeks of the index start on Thursdays
    assert week_of(day_number(start.isoformat())) + 1 == week_of(
        day_number((start + timedelta(days=1)).isoformat())
    )
    body = _dispatch(1)
    with Store(tmp_path / "a.db") as store:
        site = store.ensure_site("a.example", "https://a.example/")
        for offset in (0, 6, 14, -20):
            when = datetime.combine(start + timedelta(days=offset), datetime.min.time())
            store.save_article(
                site, Article(url=f"https://a.example/{offset}", body=body, published_at=when)
            )
        stories = {r["url"].rstrip("/").rsplit("/", 1)[1]: r["story_id"] for r in store.records()}
        rows = store.db.execute("SELECT week, day FROM story_keys").fetchall()
    assert stories["0"] == stories["6"] != stories["14"]
    assert len({stories["0"], stories["14"], stories["-20"]}) == 3
    assert rows and all(week == week_of(day) for week, day in rows)


def test_schema_17_orders_the_key_index_by_week(tmp_path: Path) -> None:
    """An archive of schema 15 (story_keys ordered by key) migrates to 17 with every key
    kept, each in its publication week (before 1970: a negative week, floored as in Python);
    a copy archived after the migration still joins its story."""
    from datetime import datetime

    from scraper.sketch import week_of

    path = tmp_path / "a.db"
    when = datetime.fromisoformat
    with Store(path) as store:
        site = store.ensure_site("a.example", "https://a.example/")
        for url, body, published in (
            ("https://a.example/wire", _dispatch(1), "2025-11-25T09:00:00+01:00"),
            ("https://a.example/old", _dispatch(2), "1969-12-24T09:00:00+01:00"),
        ):
            store.save_article(site, Article(url=url, body=body, published_at=when(published)))
        before = sorted(store.db.execute("SELECT key, day, article_id FROM story_keys"))
    conn = sqlite3.connect(path)
    conn.executescript(
        "ALTER TABLE story_keys RENAME TO k; CREATE TABLE story_keys (key INTEGER NOT NULL,"
        " day INTEGER NOT NULL, article_id INTEGER NOT NULL, PRIMARY KEY (key, day,"
        " article_id)) WITHOUT ROWID; INSERT INTO story_keys SELECT key, day, article_id"
        " FROM k; DROP TABLE k; PRAGMA user_version = 15;"
    )
    conn.close()
    with Store(path) as store:
        assert store.schema_version == 21
        after = store.db.execute("SELECT week, key, day, article_id FROM story_keys").fetchall()
        copy = Article(url="https://a.example/copy", body=_dispatch(1),
                       published_at=when("2025-11-27T09:00:00+01:00"))  # fmt: skip
        store.save_article(site, copy)
        stories = {r["url"]: r["story_id"] for r in store.records()}
    assert sorted((k, d, a) for _, k, d, a in after) == before
    assert all(w == week_of(d) for w, _, d, _ in after)
    assert {w for w, *_ in after} == {week_of(-8), week_of(20417)} and week_of(-8) == -2
    assert stories["https://a.example/copy"] == stories["https://a.example/wire"]
