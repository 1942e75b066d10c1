"""The archive's connection: one SQLite file in WAL mode, opened the same way everywhere."""

from __future__ import annotations

import errno
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from .._exceptions import StoreError
from ..search import register_functions
from .database import Database

DEFAULT_DB = "archive.db"


def now_iso() -> str:
    """Now, UTC, to the second, ISO 8601: the archive's bookkeeping times."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


#: Pages of write-ahead log after which a commit copies them into the file (SQLite: 1,000).
WAL_CHECKPOINT_PAGES = 10_000


def connect(path: Path, *, reading: bool = False, read_only: bool = False) -> Database:
    """Open (or create) the archive file with the archive's pragmas and search functions;
    ``reading`` adds a 64 MB page cache and memory-mapped reads; ``read_only`` opens an
    existing file that SQLite itself will not let us change (``mode=ro``)."""
    if path.is_dir():
        raise StoreError(f"{path} is a directory, not an archive file")
    if not path.parent.exists():
        raise StoreError(f"cannot create {path}: folder {path.parent} does not exist")
    if read_only and not path.is_file():
        raise StoreError(f"no archive at {path}")
    try:
        # A crawl writes from its processing thread; a Store is used by one thread at a time.
        target = f"file:{quote(str(path.absolute()))}?mode=ro" if read_only else str(path)
        # Autocommit mode: transactions are explicit (Database.atomic, BEGIN IMMEDIATE).
        conn = sqlite3.connect(
            target, timeout=30, check_same_thread=False, uri=read_only, isolation_level=None
        )
        # Text another tool wrote as invalid UTF-8 is read with U+FFFD, not refused: an
        # export or a search must not fail on one bad cell (costs ~5% of a full scan).
        conn.text_factory = _text
        db = Database(conn)
        if not read_only:
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = NORMAL")
            # Checkpoint every ~40 MB of log, not every 4 MB: an article's write dirties
            # tens of pages (index segments, story keys), so the default moved them into the
            # file, with an fsync, every 20 articles or so. At 1M articles: 2.4-2.6 ms of wall
            # an article instead of 3.4-3.6 (benchmarks/search.py's archive, 500-article runs).
            db.execute(f"PRAGMA wal_autocheckpoint = {WAL_CHECKPOINT_PAGES}")
        db.execute("PRAGMA foreign_keys = ON")
        # A REPLACE that deletes a row fires its delete triggers (the search index's).
        db.execute("PRAGMA recursive_triggers = ON")
        db.execute("PRAGMA busy_timeout = 30000")
        if reading:  # searches and exports touch many pages
            db.execute("PRAGMA cache_size = -65536")
            db.execute("PRAGMA mmap_size = 1073741824")
        register_functions(conn)
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"cannot open {path} as an SQLite archive: {exc}") from exc
    return db


FULL_ERRNOS = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)  # no space, quota, file size limit


def is_disk_full(exc: BaseException) -> bool:
    """True when ``exc`` says the disk is full: SQLite's "database or disk is full", an
    OS error of no space, quota or file size limit (pyarrow's say so only in words)."""
    if isinstance(exc, sqlite3.OperationalError):
        return "full" in str(exc).lower()
    if not isinstance(exc, OSError):
        return False
    text = str(exc).lower()
    return exc.errno in FULL_ERRNOS or "no space left" in text or "file too large" in text


def is_archive_failure(exc: BaseException) -> bool:
    """True when ``exc`` means the archive itself cannot be written or read (disk full, I/O
    error, a corrupt or locked file): a crawl must stop. Any other error while handling
    one page (a constraint, a value SQLite cannot bind, a bug) is that page's failure."""
    if is_disk_full(exc):
        return True
    if isinstance(exc, sqlite3.IntegrityError | sqlite3.DataError | sqlite3.ProgrammingError):
        return False
    return isinstance(exc, sqlite3.DatabaseError)


def _text(value: bytes) -> str:
    return value.decode("utf-8", "replace")


_INSERTS: dict[tuple[str, str, tuple[str, ...]], str] = {}


class StoreBase:
    """What every part of :class:`~scraper.store.Store` shares: the open database and its path.

    Each public method that writes runs in one transaction (``self.db.atomic()``); the
    private helpers (``_write``, ``_finish``, ...) run inside the caller's."""

    path: Path
    db: Database
    #: The crawl run in progress on this connection (set by ``start_run``): the content an
    #: article gets meanwhile records it (``articles.changed_run``).
    run_id: int | None = None

    def _write(self, table: str, row: dict[str, Any], *, replace: bool = False) -> int:
        """INSERT (or REPLACE) one row; returns its rowid. Faster than sqlite-utils' insert,
        which matters on the per-article path."""
        verb = "INSERT OR REPLACE" if replace else "INSERT"
        sql = _INSERTS.get((verb, table, tuple(row)))
        if sql is None:
            sql = f"{verb} INTO {table} ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})"
            _INSERTS[(verb, table, tuple(row))] = sql
        cursor = self.db.conn.execute(sql, list(row.values()))
        return int(cursor.lastrowid or 0)
