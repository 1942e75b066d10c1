"""The archive's connection wrapper: the few conveniences the store uses over ``sqlite3``.

The store once held a ``sqlite_utils.Database``; sqlite-utils imports pandas when pandas is
installed (+0.6 s and +85 MB for every command, ``scraper --version`` included), and the
store used only ``execute``, ``query`` and ``atomic`` of it. Those three are here.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from itertools import count
from typing import Any

Params = Sequence[Any] | dict[str, Any] | None

_savepoints = count()


class Database:
    """One ``sqlite3`` connection (``conn``) in autocommit mode: every statement outside
    :meth:`atomic` is its own transaction; inside it, part of the enclosing one."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def execute(self, sql: str, params: Params = None) -> sqlite3.Cursor:
        """Run one statement; a write outside :meth:`atomic` is committed at once."""
        was_in_transaction = self.conn.in_transaction
        try:
            cursor = self.conn.execute(sql, () if params is None else params)
        except Exception:
            # A failed statement that opened an implicit transaction (a connection in
            # Python's legacy mode, Datasette's) must not leave it open for the next writes.
            if not was_in_transaction and self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise
        if (
            not was_in_transaction
            and self.conn.in_transaction
            and cursor.description is None
            and not sql.lstrip()[:5].upper().startswith(("BEGIN", "SAVEP"))
        ):
            self.conn.execute("COMMIT")  # an implicit transaction of the legacy mode
        return cursor

    def query(self, sql: str, params: Params = None) -> Iterator[dict[str, Any]]:
        """The rows of a query as dicts (column name -> value), fetched lazily."""
        cursor = self.execute(sql, params)
        names = [d[0] for d in cursor.description or ()]
        for row in cursor:
            yield dict(zip(names, row, strict=True))

    def count(self, table: str) -> int:
        """The number of rows of ``table`` (a name of the schema, never user input)."""
        return int(self.conn.execute(f"SELECT count(*) FROM [{table}]").fetchone()[0])

    @contextmanager
    def atomic(self) -> Iterator[Database]:
        """One transaction around the block; a nested block is a savepoint of the outer one
        (rolled back alone when it raises)."""
        if self.conn.in_transaction:
            name = f"scraper_{next(_savepoints)}"
            self.conn.execute(f"SAVEPOINT {name}")
            try:
                yield self
            except BaseException:
                # An error such as RAISE(ROLLBACK) may have ended the whole transaction.
                if self.conn.in_transaction:
                    self.conn.execute(f"ROLLBACK TO SAVEPOINT {name}")
                    self.conn.execute(f"RELEASE SAVEPOINT {name}")
                raise
            self.conn.execute(f"RELEASE SAVEPOINT {name}")
            return
        self.conn.execute("BEGIN")
        try:
            yield self
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise
        try:
            self.conn.execute("COMMIT")
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise
