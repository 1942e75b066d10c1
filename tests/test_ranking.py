"""Impact lists: a one-word search ranked from its list is FTS5's full bm25 ranking, to the
last bit of the score, and the lists follow every write, delete, rebuild and migration."""

from __future__ import annotations

import logging
import random
import sqlite3
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from scraper import ranking
from scraper.article import Article
from scraper.ranking import (
    IMPACT_FLOOR,
    REFERENCE_AVGDL,
    bound,
    impacts,
    single_term,
    term_factor,
)
from scraper.search import index_columns, parse
from scraper.store import Store, schema
from scraper.store.fulltext import FulltextMixin

TZ = timezone(timedelta(hours=1))
START = datetime(2025, 1, 1, 9, 0, tzinfo=TZ)

AR_WORDS = ["اقتصاد", "حكومة", "مغرب", "رياضة", "فلاحة", "تنمية", "برلمان", "ميزانية"]
FR_WORDS = ["économie", "gouvernement", "sécheresse", "élection", "football", "budget"]
CLITICS = ["", "ال", "وال", "بال", "لل"]
ODD = ["l'État", "d’Agadir", "2025", "٢٠٢٥", "COVID-19", "e-mail", "rock'n'roll", "ﬁnance"]


def _text(rng: random.Random, words: int, long_tail: int) -> str:
    out = []
    for _ in range(words):
        roll = rng.random()
        if roll < 0.45:
            out.append(rng.choice(CLITICS) + rng.choice(AR_WORDS[: rng.randint(1, 8)]))
        elif roll < 0.7:
            out.append(rng.choice(FR_WORDS[: rng.randint(1, 6)]))
        elif roll < 0.75:
            out.append(rng.choice(ODD))
        else:
            out.append(f"mot{rng.randrange(long_tail)}")
    return " ".join(out)


def articles(n: int, seed: int, body_words: tuple[int, int] = (20, 400)) -> Iterator[Article]:
    rng = random.Random(seed)
    for i in range(n):
        yield Article(
            url=f"https://news.example/{seed}/{i}/",
            title=_text(rng, rng.randint(3, 9), 50),
            subtitle=_text(rng, rng.randint(0, 12), 500) or None,
            body=_text(rng, rng.randint(*body_words), 3000),
            published_at=START + timedelta(hours=7 * i),
        )


def archive(path: Path, n: int, seed: int, **kw: Any) -> Store:
    store = Store(path)
    site = store.ensure_site("news.example", "https://news.example/")
    with store.db.atomic():
        for article in articles(n, seed, **kw):
            store.save_article(site, article)
    return store


def full_ranking(store: Store, query: str, limit: int, offset: int) -> list[dict]:
    """The search with every match scored by FTS5 (the impact lists not asked)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(FulltextMixin, "_rank_by_impacts", lambda *a: None)
        return store.search(query, window=None, limit=limit, offset=offset)


def ranked(hits: list[dict]) -> list[tuple[str, float]]:
    return [(h["url"], h["score"]) for h in hits]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    s = archive(tmp_path_factory.mktemp("ranking") / "a.db", 400, 1)
    yield s
    s.close()


# ---------------------------------------------------------------------- pure functions
@pytest.mark.parametrize("avgdl", [40.0, 300.0, 686.5, REFERENCE_AVGDL, 1500.0, 5000.0])
@pytest.mark.parametrize("impact", [1.8, IMPACT_FLOOR, 2.05, 2.15, 2.199])
def test_the_bound_holds_for_every_count_and_length(impact: float, avgdl: float) -> None:
    limit = bound(impact, avgdl)
    rng = random.Random(f"{impact}{avgdl}")
    worst = 0.0
    for _ in range(20_000):
        w = rng.choice([rng.randint(1, 12), rng.randint(1, 5000)])
        least = max(1, w // 5)  # a title hit counts 5: at least w / 5 terms
        length = rng.choice([rng.randint(least, least + 60), rng.randint(least, 30_000)])
        if term_factor(w, length, REFERENCE_AVGDL) <= impact:
            worst = max(worst, term_factor(w, length, avgdl))
    assert worst <= limit <= ranking.K1 + 1.0
    assert limit - worst < 0.02  # and it is close: a loose bound would prove nothing


def test_the_bound_is_the_impact_itself_at_the_reference_length() -> None:
    for impact in (IMPACT_FLOOR, 2.0, 2.1):
        assert bound(impact, REFERENCE_AVGDL) == pytest.approx(impact, rel=1e-6)
    assert bound(1.8, 686.5) < 1.8 < bound(1.8, 1500.0)  # shorter archive, longer archive


FILLER = " ".join(f"w{i}" for i in range(60))


def test_impacts_list_the_words_near_the_ceiling_with_count_and_length() -> None:
    title, body = index_columns("Le budget", None, "budget budget budget vote " + FILLER)
    rows = {term: (impact, w, length) for term, impact, w, length in impacts(title, body)}
    length = len(title.split()) + len(body.split())  # pairs included, as FTS5 counts
    assert rows["budget"][1:] == (5 + 3, length)
    assert rows["budget"][0] == term_factor(8, length, REFERENCE_AVGDL) >= IMPACT_FLOOR
    assert "vote" not in rows and "w1" not in rows  # once in a long body: far from it
    assert rows["le"][1] == 5  # a title word: near the ceiling at once
    assert not any("\ue000" in term for term in rows)  # pairs are not listed


def test_single_term_queries_are_the_ones_ranked_from_lists() -> None:
    assert single_term(parse("والاقتصاد")) == "اقتصاد"
    assert single_term(parse("Économie")) == "economie"
    for query in ("اقتصاد*", '"taux de chômage"', "budget vote", "budget OR vote", "a -b"):
        assert single_term(parse(query)) is None, query


# ---------------------------------------------------------------------- against FTS5
def test_lengths_and_counts_are_fts5s_own(store: Store) -> None:
    """What the lists hold is what FTS5 counts (its document sizes, its hits per column),
    odd words included (apostrophes, hyphens, ligatures, Eastern digits)."""
    conn = store.db.conn
    conn.execute("CREATE VIRTUAL TABLE temp.v USING fts5vocab(main, articles_fts, instance)")
    counts: dict[tuple[int, str], float] = {}
    for key, term, column in conn.execute("SELECT doc, term, col FROM temp.v"):
        counts[(key, term)] = counts.get((key, term), 0) + (5 if column == "title" else 1)
    sizes = {}
    for key, blob in conn.execute("SELECT id, sz FROM articles_fts_docsize"):
        sizes[key] = sum(_varints(blob))
    listed = conn.execute("SELECT key, term, weight, length FROM search_impacts").fetchall()
    assert len(listed) > 2000
    for key, term, w, length in listed:
        assert counts[(key, term)] == w and sizes[key] == length, (key, term)
    for key, title, body in conn.execute("SELECT id, c0, c1 FROM articles_fts_content"):
        expected = {(t, w, n) for t, _, w, n in impacts(title, body)}
        assert {(t, w, n) for _, t, w, n in listed if _ == key} == expected


def _varints(blob: bytes) -> list[int]:
    from scraper.store.fulltext import _varints as decode

    return decode(blob)


def test_our_score_is_fts5s_bm25_to_the_bit(store: Store) -> None:
    rows, avgdl = store._index_totals()
    assert rows == 400
    conn = store.db.conn
    for term in ("اقتصاد", "economie", "budget"):
        hits = conn.execute(
            "SELECT rowid, bm25(articles_fts, 5.0, 1.0) FROM articles_fts"
            " WHERE articles_fts MATCH ?",
            [f'"{term}"'],
        ).fetchall()
        listed = dict(
            conn.execute(
                "SELECT key, weight * 1000000 + length FROM search_impacts WHERE term = ?",
                [term],
            ).fetchall()
        )
        assert listed
        scored = dict(store._scored(term, _factors(listed, avgdl), rows, len(listed)))
        for key, score in hits:
            if key in scored:
                assert scored[key] == score  # exactly, not approximately


def _factors(listed: dict[int, int], avgdl: float) -> list[tuple[float, int]]:
    return [(term_factor(v // 1_000_000, v % 1_000_000, avgdl), k) for k, v in listed.items()]


@pytest.mark.parametrize("limit,offset", [(20, 0), (5, 0), (10, 7), (1, 0), (50, 30)])
def test_one_word_searches_rank_as_fts5_does(store: Store, limit: int, offset: int) -> None:
    proved = 0
    for word in [*AR_WORDS, *FR_WORDS, "وال" + AR_WORDS[0], "mot3", "mot2999", "nothing"]:
        term = single_term(parse(word))
        assert term is not None
        if store._rank_by_impacts(term, limit + offset) is not None:
            proved += 1
        fast = store.search(word, window=None, limit=limit, offset=offset)
        assert ranked(fast) == ranked(full_ranking(store, word, limit, offset)), word
    assert proved >= len(AR_WORDS) + len(FR_WORDS) - 4  # common words: ranked from lists


def test_long_articles_longer_than_the_reference_length_rank_right(tmp_path: Path) -> None:
    """An archive whose articles average well above REFERENCE_AVGDL: the bound widens; the
    results are still FTS5's, proved from the lists or not."""
    with archive(tmp_path / "long.db", 120, 2, body_words=(900, 1400)) as s:
        assert s._index_totals()[1] > 1.5 * REFERENCE_AVGDL
        for word in (*AR_WORDS[:4], *FR_WORDS[:3]):
            fast = s.search(word, window=None, limit=10)
            assert fast and ranked(fast) == ranked(full_ranking(s, word, 10, 0)), word


def test_default_and_filtered_searches_do_not_use_the_lists(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    real = FulltextMixin._rank_by_impacts

    def spy(self: Store, term: str, count: int) -> Any:
        calls.append(term)
        return real(self, term, count)

    monkeypatch.setattr(FulltextMixin, "_rank_by_impacts", spy)
    store.search("budget")  # the newest matches, ranked (the default window)
    store.search("budget", window=None, since="2025-03-01")
    store.search("budget", window=None, site="news.example")
    store.search("budget vote", window=None)
    assert calls == []
    store.search("budget", window=None)
    assert calls == ["budget"]


# ---------------------------------------------------------------------- kept in step
def listed_keys(store: Store) -> set[int]:
    return {k for (k,) in store.db.execute("SELECT DISTINCT key FROM search_impacts")}


def indexed_keys(store: Store) -> set[int]:
    return {k for (k,) in store.db.execute("SELECT rowid FROM articles_fts")}


def test_lists_follow_updates_deletes_and_rebuilds(tmp_path: Path) -> None:
    with archive(tmp_path / "a.db", 60, 3) as s:
        site = s.ensure_site("news.example", "https://news.example/")
        before = s.db.execute("SELECT * FROM search_impacts ORDER BY 1, 2, 3").fetchall()
        assert listed_keys(s) <= indexed_keys(s) and len(before) > 300
        first = next(articles(1, 3))
        moved = Article(
            url=first.url, title="budget budget", body="budget", published_at=START.replace(2026)
        )
        assert s.save_article(site, moved) == "updated"  # new text, new date: a new key
        [(key,)] = s.db.execute("SELECT search_key FROM articles WHERE url = ?", [first.url])
        assert s.db.execute(
            "SELECT term, weight FROM search_impacts WHERE key = ?", [key]
        ).fetchall() == [("budget", 11)]
        assert listed_keys(s) <= indexed_keys(s)
        s.db.execute("DELETE FROM articles WHERE url = ?", [first.url])  # any SQL client
        assert key not in listed_keys(s) and listed_keys(s) <= indexed_keys(s)
        after_delete = s.db.execute("SELECT * FROM search_impacts ORDER BY 1, 2, 3").fetchall()
        s.rebuild_search_index()
        assert (
            s.db.execute("SELECT * FROM search_impacts ORDER BY 1, 2, 3").fetchall() == after_delete
        )
        assert s.search("budget", window=None) == full_ranking(s, "budget", 20, 0)


def test_an_archive_of_schema_19_gets_its_lists_on_open(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "v19.db"
    with archive(path, 80, 4) as s:
        expected = s.db.execute("SELECT * FROM search_impacts ORDER BY 1, 2, 3").fetchall()
        for statement in ("DROP TRIGGER search_impacts_delete", "DROP TABLE search_impacts"):
            s.db.execute(statement)
        s.db.execute("PRAGMA user_version = 19")
    monkeypatch.setattr(schema, "LOUD_REINDEX", 50)  # a big archive's: it says so first
    caplog.set_level(logging.WARNING, logger="scraper")
    with Store(path) as s:
        assert s.schema_version == schema.SCHEMA_VERSION
        [warning] = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
        assert "schema 19 -> 21 builds the search index's impact lists of 80 articles" in warning
        assert s.db.execute("SELECT * FROM search_impacts ORDER BY 1, 2, 3").fetchall() == expected
        triggers = "SELECT 1 FROM sqlite_master WHERE name = 'search_impacts_delete'"
        assert s.db.execute(triggers).fetchone() == (1,)
        assert ranked(s.search("budget", window=None)) == ranked(full_ranking(s, "budget", 20, 0))


def test_an_archive_of_schema_20_lists_fewer_words_on_open(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Schema 20 listed the words of f >= 1.8; 21 lists those of f >= IMPACT_FLOOR (1.9):
    the lists are filled again on open, as a new archive's, and rank as before."""
    assert IMPACT_FLOOR == 1.9
    fresh = tmp_path / "v21.db"
    with archive(fresh, 80, 4) as s:
        expected = s.db.execute("SELECT * FROM search_impacts ORDER BY 1, 2, 3").fetchall()
    path = tmp_path / "v20.db"
    monkeypatch.setattr(ranking, "IMPACT_FLOOR", 1.8)
    with archive(path, 80, 4) as s:
        older = s.db.execute("SELECT count(*), min(impact) FROM search_impacts").fetchone()
        s.db.execute("PRAGMA user_version = 20")
    monkeypatch.undo()
    assert older[0] > len(expected) and older[1] < IMPACT_FLOOR
    with Store(path) as s:
        assert s.schema_version == schema.SCHEMA_VERSION == 21
        assert s.db.execute("SELECT * FROM search_impacts ORDER BY 1, 2, 3").fetchall() == expected
        assert ranked(s.search("budget", window=None)) == ranked(full_ranking(s, "budget", 20, 0))


def test_an_archive_without_the_lists_table_is_refused_no_further(tmp_path: Path) -> None:
    """A plain sqlite3 client deleting articles needs nothing of ours (the trigger is SQL)."""
    path = tmp_path / "a.db"
    archive(path, 20, 5).close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA recursive_triggers = ON")
    conn.execute("DELETE FROM articles WHERE id <= 10")
    conn.commit()
    conn.close()
    with Store(path) as s:
        assert listed_keys(s) <= indexed_keys(s) and len(indexed_keys(s)) == 10
