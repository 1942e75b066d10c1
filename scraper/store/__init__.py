"""The archive: the one package that writes SQL.

Everything the crawler learns goes through :class:`Store` into one SQLite file (WAL mode).
An article, its categories, tags, links, raw page, search-index row, any older revision and
its frontier entry are written in one transaction, so a crash never leaves half an article.

One module per job, each a part of :class:`Store` over its one connection:

- :mod:`.connection`: opening the file (pragmas, search functions), the shared base;
- :mod:`.schema`: ``schema.sql`` (documented in ``docs/schema.md``) and the migrations;
- :mod:`.frontier`: the URLs to fetch (:class:`FrontierEntry`, :class:`Claim`, :class:`PageKind`);
- :mod:`.articles`: saving articles, revisions, pages and their relations; re-extraction;
- :mod:`.runs`: sites and crawl runs;
- :mod:`.query`: records, histories, counts and the filters;
- :mod:`.fulltext`: the search index and the search planner;
- :mod:`.warc`: pages kept in WARC files, and a backfill's progress;
- :mod:`.inventory`: what each site declares (sitemaps, feeds, REST, listings), for the audit;
- :mod:`.stories`: story clusters (copies and editions of one text), kept as articles arrive.

The record format is :func:`scraper.article.build_record`.
"""

from __future__ import annotations

from pathlib import Path

from .._exceptions import StoreError
from .articles import PageRecord, Prepared, StoredPage, content_hash, prepare
from .connection import DEFAULT_DB, connect, is_archive_failure, is_disk_full, now_iso
from .frontier import (
    CLAIM_COLUMNS,
    OUTSIDE_WINDOW,
    TRAP_BOUND,
    Claim,
    Frontier,
    FrontierEntry,
    Known,
    PageKind,
    Reread,
    window_date,
    window_reason,
)
from .fulltext import RANK_WINDOW, RANKED_SEARCH_SQL, search_key
from .inventory import Declared, DeclaredUrl, InventoryMixin
from .query import RECORD_FIELDS, REVISION_FIELDS, Filters, date_bound
from .runs import RunsMixin
from .schema import MIGRATIONS, SCHEMA_VERSION, SchemaMixin, schema_sql
from .stories import StoriesMixin, StoryMember
from .warc_pages import WarcMixin, WarcPage

__all__ = [
    "CLAIM_COLUMNS",
    "DEFAULT_DB",
    "MIGRATIONS",
    "OUTSIDE_WINDOW",
    "RANKED_SEARCH_SQL",
    "RANK_WINDOW",
    "RECORD_FIELDS",
    "REVISION_FIELDS",
    "SCHEMA_VERSION",
    "TRAP_BOUND",
    "Claim",
    "Declared",
    "DeclaredUrl",
    "Filters",
    "Frontier",
    "FrontierEntry",
    "Known",
    "PageKind",
    "PageRecord",
    "Prepared",
    "Reread",
    "Store",
    "StoreError",
    "StoredPage",
    "StoriesMixin",
    "StoryMember",
    "WarcPage",
    "content_hash",
    "date_bound",
    "is_archive_failure",
    "is_disk_full",
    "now_iso",
    "prepare",
    "schema_sql",
    "search_key",
    "window_date",
    "window_reason",
]


class Store(WarcMixin, RunsMixin, InventoryMixin, SchemaMixin):
    """An open archive. Use as a context manager, or call :meth:`close`.

    ``reading=True`` opens it for searches, exports and statistics: a 64 MB page cache and
    memory-mapped reads. A crawl leaves both at SQLite's defaults, so its memory does not grow
    with the archive.

    One connection, used by one thread at a time. Every public method that writes is one
    transaction (``self.db.atomic()``, nested ones join the outer); opening runs the schema's
    creation or migration in its own.
    """

    def __init__(
        self, path: str | Path = DEFAULT_DB, *, reading: bool = False, read_only: bool = False
    ) -> None:
        self.path = Path(path)
        self.db = connect(self.path, reading=reading or read_only, read_only=read_only)
        try:
            if read_only:
                self._check_archive()
            else:
                self._migrate()
        except BaseException:
            self.db.conn.close()
            raise

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.db.conn.close()
