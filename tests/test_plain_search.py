"""The plain-text index ``articles_text``: sqlite-utils' ``search`` command and Datasette's
table search work on the archive as they are, stay right after every write (the scraper's,
and direct ones with sqlite-utils), an archive of schema 15 gets the index, and it can be
turned off. ``scraper search`` keeps its own folded, stemmed index (``articles_fts``)."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
import unicodedata
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from click.testing import CliRunner
from sqlite_utils.cli import cli as sqlite_utils_cli

import scraper
import scraper.store.schema as schema_module
from scraper.article import Article
from scraper.cli import main
from scraper.store import SCHEMA_VERSION, Store, StoredPage
from scraper.store.schema import PLAIN_INDEX_OBJECTS

pytestmark = pytest.mark.network  # the demo archive is a crawl of the loopback mirror

ARABIC = "الداخلة"  # Dakhla: in several titles and bodies of the demo archive
FRENCH = "dessalement"  # in the French article on the Agadir forum


@pytest.fixture
def archive(demo_db: Path, tmp_path: Path) -> Path:
    """A copy of the demo archive to write to."""
    return copy_archive(demo_db, tmp_path / "archive.db")


def copy_archive(source: Path, target: Path) -> Path:
    with sqlite3.connect(source) as reader, sqlite3.connect(target) as writer:
        reader.backup(writer)
    reader.close()
    writer.close()
    return target


# ---------------------------------------------------------------------- helpers
def _words(text: str | None) -> set[str]:
    """The words FTS5's unicode61 tokenizer (remove_diacritics 2) makes of ``text``: runs of
    letters and digits, lower case, Latin accents dropped."""
    plain = re.sub("[\u0300-\u036f]", "", unicodedata.normalize("NFD", text or ""))
    return set(re.findall(r"[^\W_]+", plain.casefold()))


def containing(db: Path, word: str) -> set[int]:
    """Ids of the articles whose title, subtitle or body has ``word``, read from the rows."""
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT id, title, subtitle, body FROM articles").fetchall()
    conn.close()
    wanted = next(iter(_words(word)))
    return {row[0] for row in rows if any(wanted in _words(text) for text in row[1:])}


def sqlite_utils(*args: object) -> str:
    """sqlite-utils' own command line (its click entry point), as a user runs it."""
    result = CliRunner().invoke(sqlite_utils_cli, [str(a) for a in args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def search(db: Path, query: str) -> list[dict[str, Any]]:
    """``sqlite-utils search DB articles QUERY -c id -c title``: the rows, best first."""
    return json.loads(sqlite_utils("search", db, "articles", query, "-c", "id", "-c", "title"))


def ids(db: Path, query: str) -> set[int]:
    return {row["id"] for row in search(db, query)}


def assert_in_step(db: Path) -> None:
    """FTS5's own check of articles_text against the articles it reads (rank 1: the
    content too): a row indexed with other text than it has fails it."""
    with sqlite3.connect(db) as conn:
        conn.execute(
            "INSERT INTO articles_text (articles_text, rank) VALUES ('integrity-check', 1)"
        )
    conn.close()


def scraper_search(db: Path, query: str) -> set[int]:
    """The ids ``scraper search`` finds (its own index, articles_fts)."""
    return {hit["id"] for hit in json.loads(cli("search", query, "--db", db, "--json").output)}


def cli(*args: object) -> Any:
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    assert result.exit_code in (0, 1), result.output
    return result


# ---------------------------------------------------------------------- as the tools are
def test_the_sqlite_utils_command_searches_articles(demo_db: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "sqlite_utils", "search", str(demo_db), "articles", ARABIC,
         "-c", "id", "-c", "title", "-c", "language"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    expected = containing(demo_db, ARABIC)
    assert len(expected) >= 3 and {r["id"] for r in rows} == expected
    assert all(r["language"] == "ar" for r in rows)
    assert ARABIC in rows[0]["title"]  # titles weigh more (bm25 5:1:1, as articles_fts)
    french = search(demo_db, FRENCH)
    assert {r["id"] for r in french} == containing(demo_db, FRENCH) != set()
    assert "dessalement" in french[0]["title"]
    # accents and case do not matter; words are the text's own (no clitic folding here)
    assert ids(demo_db, "EDITION") == containing(demo_db, "édition") != set()
    assert ids(demo_db, "و" + ARABIC) == containing(demo_db, "و" + ARABIC)
    assert_in_step(demo_db)


def test_plain_datasette_searches_the_articles_table(demo_db: Path) -> None:
    pytest.importorskip("datasette", reason="Datasette (the datasette extra) is not installed")
    query = urlencode({"_search": ARABIC, "_shape": "array", "_col": "title", "_size": "max"})
    done = subprocess.run(
        [sys.executable, "-m", "datasette", str(demo_db), "--get",
         f"/archive/articles.json?{query}"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-800:]
    rows = json.loads(done.stdout)
    assert {r["id"] for r in rows} == containing(demo_db, ARABIC)


# ---------------------------------------------------------------------- direct writes
def test_direct_writes_with_sqlite_utils_keep_it_right(archive: Path, tmp_path: Path) -> None:
    dakhla = sorted(containing(archive, ARABIC))
    first, second = dakhla[0], dakhla[1]
    # UPDATE: the new words are found, the old ones no longer find the row
    sqlite_utils("query", archive, "UPDATE articles SET title = :t, body = :b WHERE id = :id",
                 "-p", "t", "Zanzibar", "-p", "b", "texte remplacé", "-p", "id", first)  # fmt: skip
    assert ids(archive, "zanzibar") == {first} and ids(archive, "remplace") == {first}
    assert ids(archive, ARABIC) == set(dakhla) - {first} == containing(archive, ARABIC)
    # INSERT of a new row, then an upsert of it, then a REPLACE of another
    row = {
        "site_id": 1, "url": "https://sahara.ma/fr/tombouctou/", "language": "fr",
        "title": "Tombouctou", "body": "Les manuscrits de Tombouctou", "content_hash": "x",
        "first_seen_at": "2025-01-01T00:00:00+00:00", "fetched_at": "2025-01-01T00:00:00+00:00",
        "changed_at": "2025-01-01T00:00:00+00:00",
    }  # fmt: skip
    (tmp_path / "row.json").write_text(json.dumps(row), encoding="utf-8")
    sqlite_utils("insert", archive, "articles", tmp_path / "row.json")
    [new] = ids(archive, "tombouctou")
    # (sqlite-utils 4 upserts with INSERT ... ON CONFLICT DO UPDATE: a whole row)
    (tmp_path / "up.json").write_text(json.dumps({**row, "id": new, "body": "Manuscrits de Gao"}))
    sqlite_utils("upsert", archive, "articles", tmp_path / "up.json", "--pk", "id")
    assert ids(archive, "gao") == {new} and ids(archive, "manuscrits") == {new}
    assert ids(archive, "tombouctou") == {new}  # still in its title
    with sqlite3.connect(archive) as conn:
        conn.row_factory = sqlite3.Row
        replaced = dict(conn.execute("SELECT * FROM articles WHERE id = ?", [second]).fetchone())
    conn.close()
    replaced["title"], replaced["body"] = "Essaouira", "Le festival gnaoua"
    (tmp_path / "replace.json").write_text(json.dumps(replaced), encoding="utf-8")
    sqlite_utils("insert", archive, "articles", tmp_path / "replace.json", "--replace")
    assert ids(archive, "gnaoua") == {second} and second not in ids(archive, ARABIC)
    # DELETE
    sqlite_utils("query", archive, "DELETE FROM articles WHERE id = :id", "-p", "id", new)
    assert ids(archive, "gao") == set() and ids(archive, "tombouctou") == set()
    assert ids(archive, ARABIC) == containing(archive, ARABIC) == set(dakhla) - {first, second}
    assert_in_step(archive)
    # sqlite-utils' own repair command rebuilds it from the rows
    sqlite_utils("rebuild-fts", archive, "articles")
    assert ids(archive, "zanzibar") == {first}
    assert_in_step(archive)


# ---------------------------------------------------------------------- the scraper's writes
def test_every_store_write_keeps_it_in_step(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    with Store(db) as s:
        site = s.ensure_site("news.example", "https://news.example/")
        a = Article(url="https://news.example/1/", title="Marrakech", body="le souk de la ville")
        assert s.save_article(site, a) == "new"
        assert ids(db, "souk") == {1}
        a.body = "la place Jemaa el-Fna"
        assert s.save_article(site, a) == "updated"  # a revision: the row is rewritten
        assert ids(db, "souk") == set() and ids(db, "fna") == {1}
        assert s.save_article(site, a) == "unchanged"  # only fetched_at and such change
        a.subtitle = "Un sous-titre"
        page = StoredPage("https://news.example/1/", None, "2025-01-01T00:00:00+00:00", b"", 1,
                          a.url, site, "news.example", None)  # fmt: skip
        assert s.save_reextracted(page, a) == "updated"
        assert ids(db, "titre") == {1}
        a.image = "https://news.example/1.jpg"
        assert s.save_reextracted(page, a) == "refreshed"
        assert_in_step(db)
        b = Article(url="https://news.example/2/", title="Fès", body="la médina")
        s.save_article(site, b)
        assert ids(db, "medina") == {2} and ids(db, "fes") == {2}
        assert s.delete_article(b.url) and ids(db, "medina") == set()
        assert s.rebuild_search_index() == 1
        assert ids(db, "fna") == {1}
    assert_in_step(db)


def test_crawl_reextract_backfill_import_and_stories_keep_it_in_step(
    archive: Path, tmp_path: Path
) -> None:
    assert_in_step(archive)  # two crawls, one article corrected (a revision) in between
    cli("reextract", "--db", archive, "-q")
    cli("stories", "--rebuild", "--db", archive)
    assert_in_step(archive)
    warc = tmp_path / "pages.warc.gz"
    cli("export", "--format", "warc", "-o", warc, "--db", archive)
    copy = tmp_path / "copy.db"
    cli("backfill", warc, "--db", copy, "-q")  # new articles written a batch at a time
    assert_in_step(copy)
    assert ids(copy, ARABIC) == containing(copy, ARABIC) != set()
    merged = copy_archive(archive, tmp_path / "merged.db")
    cli("import", copy, "--db", merged, "-q")  # the same captures: rewritten in place
    cli("import", archive, "--db", tmp_path / "fresh.db", "-q")  # into a new archive
    for db in (merged, tmp_path / "fresh.db"):
        assert_in_step(db)
        assert ids(db, ARABIC) == containing(db, ARABIC)
        assert len(containing(db, ARABIC)) == len(containing(archive, ARABIC))


# ---------------------------------------------------------------------- migration, setting
def downgrade_to_15(db: Path) -> None:
    """Make ``db`` what schema 15 was: no articles_text, its triggers or rank setting."""
    with sqlite3.connect(db) as conn:
        for name in reversed(PLAIN_INDEX_OBJECTS):
            kind = "TABLE" if name == "articles_text" else "TRIGGER"
            conn.execute(f"DROP {kind} {name}")
        conn.execute("PRAGMA user_version = 15")
    conn.close()


def test_an_archive_of_schema_15_gets_the_index(archive: Path) -> None:
    downgrade_to_15(archive)
    result = CliRunner().invoke(sqlite_utils_cli, ["search", str(archive), "articles", ARABIC])
    assert result.exit_code == 1 and "not configured for full-text search" in result.output
    before = scraper_search(archive, ARABIC)
    with Store(archive) as s:  # migrates
        assert s.schema_version == SCHEMA_VERSION == 21 and s.plain_index
    assert_in_step(archive)
    assert ids(archive, ARABIC) == containing(archive, ARABIC) != set()
    assert search(archive, ARABIC)[0]["title"].count(ARABIC)  # its rank is configured
    assert scraper_search(archive, ARABIC) == before >= containing(archive, ARABIC)


def test_the_index_can_be_turned_off_and_stays_off(
    archive: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = scraper_search(archive, ARABIC)
    with scraper.Archive(archive) as library:  # as docs/schema.md shows it
        assert library.plain_index and library.set_plain_index(False) and not library.plain_index
    with Store(archive) as s:
        assert not s.set_plain_index(False)  # off already
        site = s.ensure_site("news.example", "https://news.example/")
        s.save_article(site, Article(url="https://news.example/1/", title="Ifrane", body="x"))
    with sqlite3.connect(archive) as conn:
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    conn.close()
    assert not names & set(PLAIN_INDEX_OBJECTS)
    assert not {n for n in names if n.startswith("articles_text")}
    result = CliRunner().invoke(sqlite_utils_cli, ["search", str(archive), "articles", "x"])
    assert result.exit_code == 1 and "not configured for full-text search" in result.output
    assert scraper_search(archive, ARABIC) == before >= containing(archive, ARABIC)
    # a later migration does not bring it back
    monkeypatch.setattr(schema_module, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    with Store(archive) as s:
        assert s.schema_version == SCHEMA_VERSION + 1 and not s.plain_index
    monkeypatch.undo()
    with sqlite3.connect(archive) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    conn.close()
    with Store(archive) as s:
        assert s.set_plain_index(True) and s.plain_index
    assert_in_step(archive)
    assert ids(archive, "ifrane") == containing(archive, "ifrane") != set()
    assert ids(archive, ARABIC) == containing(archive, ARABIC)
