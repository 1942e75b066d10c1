"""The store's connection wrapper (``scraper.store.database``): what it replaced of
sqlite-utils (statements commit at once outside a transaction, nested blocks are savepoints,
rows as dicts) behaves as the store relies on, on a real file and a second connection."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from scraper.store import Store
from scraper.store.database import Database


def other_sees(path: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(path) as conn:
        return conn.execute(sql).fetchall()


def test_statements_outside_a_block_commit_at_once(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    db = Database(sqlite3.connect(path, isolation_level=None))
    db.execute("CREATE TABLE t (x INTEGER)")
    db.execute("INSERT INTO t VALUES (?)", [1])
    assert other_sees(path, "SELECT x FROM t") == [(1,)]
    # a connection in Python's legacy mode (as Datasette opens them) behaves the same
    legacy = Database(sqlite3.connect(path))
    legacy.execute("INSERT INTO t VALUES (2)")
    assert not legacy.conn.in_transaction
    assert other_sees(path, "SELECT count(*) FROM t") == [(2,)]
    with pytest.raises(sqlite3.OperationalError):
        legacy.execute("INSERT INTO nowhere VALUES (1)")
    assert not legacy.conn.in_transaction


def test_nested_blocks_roll_back_alone_and_the_outer_commits(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    db = Database(sqlite3.connect(path, isolation_level=None))
    db.execute("CREATE TABLE t (x INTEGER)")
    with db.atomic():
        db.execute("INSERT INTO t VALUES (1)")
        with pytest.raises(ValueError), db.atomic():
            db.execute("INSERT INTO t VALUES (2)")
            raise ValueError("inner fails")
        with db.atomic():
            db.execute("INSERT INTO t VALUES (3)")
        assert other_sees(path, "SELECT count(*) FROM t") == [(0,)]  # not committed yet
    assert other_sees(path, "SELECT x FROM t ORDER BY x") == [(1,), (3,)]
    with pytest.raises(RuntimeError), db.atomic():
        db.execute("INSERT INTO t VALUES (4)")
        raise RuntimeError("outer fails")
    assert not db.conn.in_transaction
    assert [r["x"] for r in db.query("SELECT x FROM t ORDER BY x")] == [1, 3]
    assert db.count("t") == 2


def test_a_store_needs_no_sqlite_utils_and_archive_db_still_offers_it(tmp_path: Path) -> None:
    import scraper

    with Store(tmp_path / "a.db") as store:
        assert isinstance(store.db, Database)
        assert store.db.execute("PRAGMA recursive_triggers").fetchone() == (1,)
    with scraper.Archive(tmp_path / "a.db") as archive:
        assert archive.db["articles"].count == 0  # sqlite-utils, for users' own SQL


def test_a_writing_store_logs_ahead_and_checkpoints_every_10000_pages(tmp_path: Path) -> None:
    with Store(tmp_path / "a.db") as s:
        pragma = {p: s.db.execute(f"PRAGMA {p}").fetchone()[0] for p in
                  ("journal_mode", "synchronous", "wal_autocheckpoint")}  # fmt: skip
        assert pragma == {"journal_mode": "wal", "synchronous": 1, "wal_autocheckpoint": 10_000}
        s.ensure_site("news.example", "https://news.example/")
    # what was committed is in the file once the store is closed (the last checkpoint)
    assert not (tmp_path / "a.db-wal").exists()
    assert other_sees(tmp_path / "a.db", "SELECT name FROM sites") == [("news.example",)]
