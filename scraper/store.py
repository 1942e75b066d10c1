"""The archive: the one module that writes SQL.

Everything the crawler learns goes through :class:`Store` into one SQLite file (WAL mode).
An article, its categories, tags, links, raw page, search-index row, any older revision and
its frontier entry are written in one transaction, so a crash never leaves half an article.

The schema (``schema.sql``, documented in ``docs/schema.md``) is versioned with
``PRAGMA user_version``. Opening an older archive runs the steps in :data:`MIGRATIONS` and then
``schema.sql`` (whose statements all say IF NOT EXISTS) in one transaction, so a migration is
applied entirely or not at all.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

import sqlite_utils

from ._exceptions import StoreError
from .article import Article
from .search import (
    BM25_WEIGHTS,
    QueryError,
    best_snippet,
    index_columns,
    parse,
    register_functions,
)
from .text import fold

SCHEMA_VERSION = 4
DEFAULT_DB = "archive.db"
#: Searches matching more articles than this rank the most recently published ones.
RANK_WINDOW = 10_000


def now_iso() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


@dataclass(frozen=True)
class FrontierEntry:
    """A URL waiting to be fetched, and what we expect it to be.

    The ``listed_*`` fields are the dates an authoritative listing (the WordPress REST API,
    ``listed_source`` 'rest') gave for the URL: ISO 8601 with the site's offset, and the raw
    values; they win over the dates extraction finds on the page."""

    url: str
    kind: str  # home | section | listing | article | sitemap | feed | rest | link
    priority: int = 50
    depth: int = 0
    found_on: str | None = None
    lastmod: str | None = None
    listed_published: str | None = None
    listed_modified: str | None = None
    listed_raw: str | None = None
    listed_source: str | None = None


@dataclass(frozen=True)
class PageRecord:
    """A fetched page as the archive keeps it."""

    url: str
    final_url: str
    status: int
    content: bytes
    content_type: str | None = None
    encoding: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    fetched_at: str | None = None


@dataclass(frozen=True)
class Filters:
    """Which articles a search, an export or the stats look at (``None``: any).

    ``category`` and ``tag`` match names folded like search text (اقتصاد = إقتصاد);
    ``language`` 'ar' also matches 'ar-MA'; ``since``/``until`` are dates (YYYY, YYYY-MM,
    YYYY-MM-DD, or an ISO datetime) compared with the local date of ``published_at``,
    both ends included.
    """

    site: str | None = None
    language: str | None = None
    category: str | None = None
    tag: str | None = None
    since: str | None = None
    until: str | None = None


@dataclass(frozen=True)
class StoredPage:
    """A kept article page, for re-extraction."""

    url: str
    final_url: str | None
    fetched_at: str
    content: bytes
    article_id: int
    article_url: str
    site_id: int
    site: str
    profile: str | None
    # The stored article's dates, which a re-extraction may have to keep (date_source 'rest').
    published_at: str | None = None
    modified_at: str | None = None
    date_source: str | None = None
    date_raw: str | None = None


@dataclass(frozen=True)
class Prepared:
    """What :meth:`Store.save_article` derives from an article and its page before it writes
    them: the content hash, the search-index text and the compressed page. Computing it is
    pure CPU work, so a crawler does it off its event loop (:func:`prepare`) and hands it in."""

    content_hash: str
    search_title: str
    search_body: str
    page_html: bytes | None  # zlib-compressed page content; None without a page


def prepare(article: Article, page: PageRecord | None = None) -> Prepared:
    """The derived values of ``article`` (and ``page``) for :meth:`Store.save_article`."""
    title, body = index_columns(article.title, article.subtitle, article.body)
    html = zlib.compress(page.content, 6) if page is not None else None
    return Prepared(content_hash(article), title, body, html)


class Store:
    """An open archive. Use as a context manager, or call :meth:`close`.

    ``reading=True`` opens it for searches, exports and statistics: a 64 MB page cache and
    memory-mapped reads. A crawl leaves both at SQLite's defaults, so its memory does not grow
    with the archive.
    """

    def __init__(self, path: str | Path = DEFAULT_DB, *, reading: bool = False) -> None:
        self.path = Path(path)
        self.db = _connect(self.path, reading=reading)
        try:
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

    @property
    def schema_version(self) -> int:
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        """Create the schema, or bring an older archive forward, in one transaction."""
        if self.schema_version == SCHEMA_VERSION:
            return
        conn = self.db.conn
        version = 0
        try:
            conn.execute("BEGIN IMMEDIATE")  # another process may be migrating the same file
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot open {self.path} as an SQLite archive: {exc}") from exc
        try:
            version = self.schema_version
            if version > SCHEMA_VERSION:
                raise StoreError(
                    f"{self.path} was written by a newer scraper (schema {version} > "
                    f"{SCHEMA_VERSION}); upgrade scraper to use it"
                )
            reindex = False
            for target in range(version + 1, SCHEMA_VERSION + 1):
                if version > 0 and target in MIGRATIONS:
                    reindex |= MIGRATIONS[target](self.db)
            script = resources.files("scraper").joinpath("schema.sql").read_text("utf-8")
            for statement in _statements(script):
                self.db.execute(statement)
            if reindex:
                self.rebuild_search_index()
            self._configure_rank()
            self.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            conn.execute("COMMIT")
        except BaseException as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.DatabaseError):
                action = "migrate" if version else "create the schema of"
                raise StoreError(f"cannot {action} the archive {self.path}: {exc}") from exc
            raise

    def _configure_rank(self) -> None:
        """Make FTS5's ``rank`` column bm25 with our column weights (title over body)."""
        rank = "bm25({})".format(", ".join(str(w) for w in BM25_WEIGHTS))
        row = self.db.execute("SELECT v FROM articles_fts_config WHERE k = 'rank'").fetchone()
        if row is None or row[0] != rank:
            self.db.execute(
                "INSERT INTO articles_fts (articles_fts, rank) VALUES ('rank', ?)", [rank]
            )

    # ------------------------------------------------------------------ sites
    def ensure_site(
        self, name: str, base_url: str, profile: str | None = None, timezone: str | None = None
    ) -> int:
        """The id of site ``name``, created (or its base URL/profile updated) as needed."""
        with self.db.atomic():
            row = self.db.execute("SELECT id FROM sites WHERE name = ?", [name]).fetchone()
            if row:
                self.db["sites"].update(
                    row[0], {"base_url": base_url, "profile": profile, "timezone": timezone}
                )
                return int(row[0])
            record = {
                "name": name,
                "base_url": base_url,
                "profile": profile,
                "timezone": timezone,
                "created_at": now_iso(),
            }
            return int(self.db["sites"].insert(record).last_pk)

    # ------------------------------------------------------------------ frontier
    def frontier_add(
        self, site_id: int, entries: Iterable[FrontierEntry], *, revisit: bool = False
    ) -> int:
        """Queue URLs not seen before (and, with ``revisit``, finished ones again);
        returns how many were queued.

        An entry's listed dates are recorded whether or not its URL was known (a URL found on
        a listing page first may be listed by the REST API later); each listed column is
        only overwritten by a value, never by NULL."""
        stamp = now_iso()
        entries = list(entries)
        rows = [
            (
                *(e.url, site_id, e.kind, e.priority, e.depth, e.found_on, e.lastmod),
                *(e.listed_published, e.listed_modified, e.listed_raw, e.listed_source),
                *(stamp, stamp),
            )
            for e in entries
        ]
        if not rows:
            return 0
        listed = [
            (e.listed_published, e.listed_modified, e.listed_raw, e.listed_source, e.url)
            for e in entries
            if e.listed_published or e.listed_modified
        ]
        conflict = (
            " ON CONFLICT(url) DO UPDATE SET state = 'pending', updated_at = excluded.updated_at"
            " WHERE state IN ('done', 'failed', 'skipped')"
            if revisit
            else " ON CONFLICT(url) DO NOTHING"
        )
        with self.db.atomic():
            before = self.db.conn.total_changes
            self.db.conn.executemany(
                "INSERT INTO frontier (url, site_id, kind, priority, depth, found_on, lastmod,"
                " listed_published, listed_modified, listed_raw, listed_source, added_at,"
                " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)" + conflict,
                rows,
            )
            queued = self.db.conn.total_changes - before
            if listed:  # URLs known before: fill or update their listed dates
                # An article archived before its listing said when it was published is read
                # again, once: its stored dates came from a lesser source. (SET expressions
                # see the row's old values.)
                self.db.conn.executemany(
                    "UPDATE frontier SET state = CASE WHEN state = 'done' AND ?1 IS NOT NULL"
                    " AND listed_published IS NOT ?1 AND EXISTS (SELECT 1 FROM articles a"
                    " WHERE a.url = frontier.url AND a.date_source IS NOT ?4)"
                    " THEN 'pending' ELSE state END,"
                    " listed_published = coalesce(?1, listed_published),"
                    " listed_modified = coalesce(?2, listed_modified),"
                    " listed_raw = coalesce(?3, listed_raw),"
                    " listed_source = coalesce(?4, listed_source) WHERE url = ?5",
                    listed,
                )
        return queued

    def frontier_claim(self, site_id: int, limit: int = 1) -> list[dict[str, Any]]:
        """Take up to ``limit`` pending URLs (lowest priority number first) and mark them active."""
        with self.db.atomic():
            rows = list(
                self.db.query(
                    "SELECT url, kind, depth, found_on, attempts, lastmod, listed_published,"
                    " listed_modified, listed_raw, listed_source FROM frontier"
                    " WHERE site_id = ? AND state = 'pending'"
                    " ORDER BY priority, depth, rowid LIMIT ?",
                    [site_id, limit],
                )
            )
            self.db.conn.executemany(
                "UPDATE frontier SET state = 'active', attempts = attempts + 1, updated_at = ?"
                " WHERE url = ?",
                [(now_iso(), r["url"]) for r in rows],
            )
        return rows

    def frontier_finish(self, url: str, state: str, error: str | None = None) -> None:
        with self.db.atomic():
            self._finish(url, state, error)

    def _finish(self, url: str, state: str, error: str | None) -> None:
        self.db.execute(
            "UPDATE frontier SET state = ?, last_error = ?, updated_at = ? WHERE url = ?",
            [state, error, now_iso(), url],
        )

    def frontier_requeue(
        self, site_id: int, kinds: Iterable[str] = (), states: Iterable[str] = ("active",)
    ) -> int:
        """Put URLs back to pending: ``active`` ones after a crash, or all of ``kinds``."""
        kinds, states = list(kinds), list(states)
        where, params = (
            "site_id = ? AND state IN ({})".format(",".join("?" * len(states))),
            [site_id, *states],
        )
        if kinds:
            where += " AND kind IN ({})".format(",".join("?" * len(kinds)))
            params += kinds
        with self.db.atomic():
            cursor = self.db.execute(
                f"UPDATE frontier SET state = 'pending', updated_at = ? WHERE {where}",
                [now_iso(), *params],
            )
        return cursor.rowcount

    def frontier_counts(self, site_id: int) -> dict[str, int]:
        rows = self.db.execute(
            "SELECT state, count(*) FROM frontier WHERE site_id = ? GROUP BY state", [site_id]
        )
        return dict(rows.fetchall())

    def frontier_state(self, url: str) -> str | None:
        row = self.db.execute("SELECT state FROM frontier WHERE url = ?", [url]).fetchone()
        return row[0] if row else None

    def frontier_refresh(self, site_id: int, changes: Iterable[tuple[str, str]]) -> int:
        """Requeue done URLs whose sitemap/feed/REST ``lastmod`` (UTC ISO) is newer than what we
        saw before or than our last fetch of the article; returns how many were requeued."""
        stamp = now_iso()
        before = self.db.conn.total_changes
        with self.db.atomic():
            self.db.conn.executemany(
                "UPDATE frontier SET state = 'pending', lastmod = :lastmod, updated_at = :stamp"
                " WHERE url = :url AND site_id = :site AND state = 'done' AND ("
                " (lastmod IS NOT NULL AND lastmod < :lastmod) OR EXISTS ("
                " SELECT 1 FROM articles a WHERE a.url = :url AND a.fetched_at < :lastmod))",
                [{"url": u, "lastmod": m, "stamp": stamp, "site": site_id} for u, m in changes],
            )
        return self.db.conn.total_changes - before

    def requeue_recent(self, site_id: int, since: str) -> int:
        """Requeue archived articles published at or after ``since`` (to catch their edits)."""
        with self.db.atomic():
            cursor = self.db.execute(
                "UPDATE frontier SET state = 'pending', updated_at = ? WHERE site_id = ?"
                " AND state = 'done' AND url IN (SELECT url FROM articles WHERE site_id = ?"
                " AND published_at >= ?)",
                [now_iso(), site_id, site_id, since],
            )
        return cursor.rowcount

    # ------------------------------------------------------------------ pages and articles
    def page_validators(
        self, url: str, *, dated_by: str | None = None
    ) -> tuple[str | None, str | None]:
        """(ETag, Last-Modified) of the stored page, for a conditional GET. None when
        ``dated_by`` (a listing's date source) is not yet the stored article's date source:
        the page must be read again, a 304 would keep the old dates."""
        row = self.db.execute(
            "SELECT p.etag, p.last_modified, a.date_source FROM pages p"
            " LEFT JOIN articles a ON a.id = p.article_id WHERE p.url = ?",
            [url],
        ).fetchone()
        if row is None or (dated_by is not None and row[2] != dated_by):
            return None, None
        return row[0], row[1]

    def save_page(
        self, site_id: int, page: PageRecord, *, frontier_state: str | None = None
    ) -> None:
        """Keep a fetched page that is not an article (listing, sitemap...), raw body compressed."""
        with self.db.atomic():
            self._upsert_page(site_id, page, None)
            if frontier_state:
                self._finish(page.url, frontier_state, None)

    def _upsert_page(
        self,
        site_id: int,
        page: PageRecord,
        article_id: int | None,
        compressed: bytes | None = None,
    ) -> None:
        self._write(
            "pages",
            {
                "url": page.url,
                "site_id": site_id,
                "article_id": article_id,
                "final_url": page.final_url,
                "status": page.status,
                "content_type": page.content_type,
                "encoding": page.encoding,
                "etag": page.etag,
                "last_modified": page.last_modified,
                "fetched_at": page.fetched_at or now_iso(),
                "size": len(page.content),
                "html": compressed if compressed is not None else zlib.compress(page.content, 6),
            },
            replace=True,
        )

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

    def save_article(
        self,
        site_id: int,
        article: Article,
        page: PageRecord | None = None,
        *,
        frontier_url: str | None = None,
        prepared: Prepared | None = None,
    ) -> str:
        """Insert or update one article with everything attached; returns
        ``"new"``, ``"updated"`` (content changed: the old version became a revision)
        or ``"unchanged"``. One transaction. ``prepared`` is ``prepare(article, page)``
        when the caller computed it already."""
        if not article.url:
            raise StoreError("an article needs a URL")
        stamp = (page.fetched_at if page else None) or now_iso()
        derived = prepared or prepare(article, page)
        digest = derived.content_hash
        with self.db.atomic():
            old = self.db.execute(
                "SELECT id, content_hash, revision, fetched_at FROM articles WHERE url = ?",
                [article.url],
            ).fetchone()
            if old is None:
                outcome = "new"
                article_id = self._insert_article(site_id, article, digest, stamp)
            elif old[1] == digest:
                outcome = "unchanged"
                article_id = old[0]
                # Same dates, but perhaps from a better source now (the REST API): say so.
                self.db.execute(
                    "UPDATE articles SET fetched_at = ?, date_source = ?, date_raw = ?"
                    " WHERE id = ?",
                    [stamp, article.date_source, article.date_raw, article_id],
                )
            else:
                outcome = "updated"
                article_id = old[0]
                self._keep_revision(article_id, old[2], old[3], stamp)
                self._update_article(
                    article_id, site_id, article, digest, revision=old[2] + 1, fetched_at=stamp
                )
            if outcome != "unchanged":
                self._write_relations(site_id, article_id, article)
                self._index(article_id, article, derived, new=outcome == "new")
            if page is not None:
                self._upsert_page(site_id, page, article_id, derived.page_html)
            if frontier_url:
                self._finish(frontier_url, "done", None)
        return outcome

    def save_reextracted(self, page: StoredPage, article: Article) -> str:
        """Store what a new extraction of a kept page found, without a fetch: ``"updated"``
        (content changed: a revision is kept), ``"refreshed"`` (only fields outside the content
        hash changed, e.g. authors, image, links: updated in place) or ``"unchanged"``."""
        article.url = page.article_url
        digest = content_hash(article)
        stamp = now_iso()
        with self.db.atomic():
            row = self.db.execute(
                "SELECT content_hash, revision, fetched_at FROM articles WHERE id = ?",
                [page.article_id],
            ).fetchone()
            if row is None:
                raise StoreError(f"article {page.article_url} is no longer in the archive")
            if row[0] != digest:
                self._keep_revision(page.article_id, row[1], row[2], stamp)
                self._update_article(
                    page.article_id,
                    page.site_id,
                    article,
                    digest,
                    revision=row[1] + 1,
                    fetched_at=row[2],
                    changed_at=stamp,
                )
                outcome = "updated"
            elif self._extras(page.article_id) != _extras_of(article):
                self._update_article(
                    page.article_id,
                    page.site_id,
                    article,
                    digest,
                    revision=row[1],
                    fetched_at=row[2],
                    changed_at=None,
                )
                outcome = "refreshed"
            else:
                return "unchanged"
            self._write_relations(page.site_id, page.article_id, article)
            self._index(page.article_id, article)
        return outcome

    def delete_article(self, key: int | str) -> bool:
        """Remove an article with its categories, tags, links, revisions and search entry."""
        column = "id" if isinstance(key, int) else "url"
        with self.db.atomic():
            cursor = self.db.execute(f"DELETE FROM articles WHERE {column} = ?", [key])
        return cursor.rowcount > 0

    def _article_row(self, site_id: int, a: Article, digest: str) -> dict[str, Any]:
        return {
            "site_id": site_id,
            "url": a.url,
            "language": a.language,
            "title": a.title,
            "subtitle": a.subtitle,
            "published_at": _iso(a.published_at),
            "modified_at": _iso(a.modified_at),
            "date_source": a.date_source,
            "date_raw": a.date_raw,
            "body": a.body,
            "image": a.image,
            "word_count": a.word_count,
            "content_hash": digest,
            "next_url": a.next_url,
            "prev_url": a.prev_url,
        }

    def _insert_article(self, site_id: int, a: Article, digest: str, stamp: str) -> int:
        row = self._article_row(site_id, a, digest)
        row.update(first_seen_at=stamp, fetched_at=stamp, changed_at=stamp, revision=1)
        return self._write("articles", row)

    def _update_article(
        self,
        article_id: int,
        site_id: int,
        a: Article,
        digest: str,
        *,
        revision: int,
        fetched_at: str,
        changed_at: str | None = "",
    ) -> None:
        """Rewrite the article row; ``changed_at`` defaults to ``fetched_at``, None keeps it."""
        row = self._article_row(site_id, a, digest)
        row.update(fetched_at=fetched_at, revision=revision)
        if changed_at is not None:
            row["changed_at"] = changed_at or fetched_at
        assignments = ", ".join(f"{k} = ?" for k in row)
        self.db.conn.execute(
            f"UPDATE articles SET {assignments} WHERE id = ?", [*row.values(), article_id]
        )

    def _keep_revision(self, article_id: int, revision: int, fetched_at: str, stamp: str) -> None:
        current = self.record(article_id)
        assert current is not None
        self._write(
            "revisions",
            {
                "article_id": article_id,
                "revision": revision,
                "fetched_at": fetched_at,
                "replaced_at": stamp,
                "title": current["title"],
                "subtitle": current["subtitle"],
                "published_at": current["published_at"],
                "modified_at": current["modified_at"],
                "categories": json.dumps(current["categories"], ensure_ascii=False),
                "tags": json.dumps(current["tags"], ensure_ascii=False),
                "body": current["body"],
                "content_hash": self.db.execute(
                    "SELECT content_hash FROM articles WHERE id = ?", [article_id]
                ).fetchone()[0],
            },
        )

    def _write_relations(self, site_id: int, article_id: int, a: Article) -> None:
        conn = self.db.conn
        for table in ("article_authors", "article_categories", "article_tags", "links"):
            conn.execute(f"DELETE FROM {table} WHERE article_id = ?", [article_id])
        for pos, name in enumerate(a.authors):
            author_id = self._lookup("authors", {"name": name})
            conn.execute(
                "INSERT OR IGNORE INTO article_authors (article_id, author_id, position)"
                " VALUES (?, ?, ?)",
                [article_id, author_id, pos],
            )
        for table, join, key, names in (
            ("categories", "article_categories", "category_id", a.categories),
            ("tags", "article_tags", "tag_id", a.tags),
        ):
            for pos, name in enumerate(names):
                term_id = self._lookup(table, {"site_id": site_id, "name": name})
                conn.execute(
                    f"INSERT OR IGNORE INTO {join} (article_id, {key}, position) VALUES (?, ?, ?)",
                    [article_id, term_id, pos],
                )
        conn.executemany(
            "INSERT INTO links (article_id, kind, url, title, position) VALUES (?, ?, ?, ?, ?)",
            [
                (article_id, kind, url, title, pos)
                for pos, (kind, url, title) in enumerate(_link_triples(a))
            ],
        )

    def _extras(self, article_id: int) -> tuple[Any, ...]:
        """What an article has outside its content hash, as stored (compare: ``_extras_of``)."""
        row = self.db.execute(
            "SELECT language, image, date_source, date_raw, next_url, prev_url FROM articles"
            " WHERE id = ?",
            [article_id],
        ).fetchone()
        authors = self.db.execute(
            "SELECT au.name FROM article_authors x JOIN authors au ON au.id = x.author_id"
            " WHERE x.article_id = ? ORDER BY x.position",
            [article_id],
        ).fetchall()
        links = self.db.execute(
            "SELECT kind, url, title FROM links WHERE article_id = ? ORDER BY position",
            [article_id],
        ).fetchall()
        return (tuple(row), tuple(r[0] for r in authors), tuple(tuple(r) for r in links))

    def _lookup(self, table: str, values: dict[str, Any]) -> int:
        where = " AND ".join(f"{k} = ?" for k in values)
        row = self.db.execute(
            f"SELECT id FROM {table} WHERE {where}", list(values.values())
        ).fetchone()
        if row:
            return int(row[0])
        return self._write(table, values)

    def _index(
        self, article_id: int, a: Article, prepared: Prepared | None = None, *, new: bool = False
    ) -> None:
        """(Re)index an article under its search key (which moves if its date changed)."""
        conn = self.db.conn
        if not new:
            old = conn.execute(
                "SELECT search_key FROM articles WHERE id = ?", [article_id]
            ).fetchone()
            if old and old[0] is not None:
                conn.execute("DELETE FROM articles_fts WHERE rowid = ?", [old[0]])
        key = search_key(_iso(a.published_at), article_id)
        conn.execute("UPDATE articles SET search_key = ? WHERE id = ?", [key, article_id])
        if prepared is not None:
            columns = (prepared.search_title, prepared.search_body)
        else:
            columns = index_columns(a.title, a.subtitle, a.body)
        conn.execute(
            "INSERT INTO articles_fts (rowid, title, body) VALUES (?, ?, ?)", [key, *columns]
        )

    def rebuild_search_index(self) -> int:
        """Re-index every article (after a change of the text analyzer); returns the count."""
        count = 0
        with self.db.atomic():
            self.db.execute("DELETE FROM articles_fts")
            self.db.execute("UPDATE articles SET search_key = NULL")
            cursor = self.db.conn.execute(
                "SELECT id, published_at, title, subtitle, body FROM articles"
            )
            while batch := cursor.fetchmany(500):
                keys = [(search_key(p, i), i) for i, p, *_ in batch]
                self.db.conn.executemany("UPDATE articles SET search_key = ? WHERE id = ?", keys)
                self.db.conn.executemany(
                    "INSERT INTO articles_fts (rowid, title, body) VALUES (?, ?, ?)",
                    [
                        (key, *index_columns(t, s, b))
                        for (key, _), (_, _, t, s, b) in zip(keys, batch, strict=True)
                    ],
                )
                count += len(batch)
            self.db.execute("INSERT INTO articles_fts (articles_fts) VALUES ('optimize')")
        return count

    def known_articles(self, urls: Iterable[str]) -> set[str]:
        """Which of ``urls`` are already archived articles."""
        wanted = list(urls)
        found: set[str] = set()
        for i in range(0, len(wanted), 500):
            chunk = wanted[i : i + 500]
            marks = ",".join("?" * len(chunk))
            rows = self.db.execute(f"SELECT url FROM articles WHERE url IN ({marks})", chunk)
            found.update(r[0] for r in rows)
        return found

    # ------------------------------------------------------------------ runs
    def start_run(self, site_id: int, options: dict[str, Any]) -> int:
        with self.db.atomic():
            return int(
                self.db["crawl_runs"]
                .insert(
                    {
                        "site_id": site_id,
                        "started_at": now_iso(),
                        "status": "running",
                        "options": json.dumps(options, ensure_ascii=False, default=str),
                    }
                )
                .last_pk
            )

    def finish_run(
        self, run_id: int, status: str, counts: dict[str, int], message: str | None
    ) -> None:
        with self.db.atomic():
            self.db["crawl_runs"].update(
                run_id, {**counts, "status": status, "finished_at": now_iso(), "message": message}
            )

    def last_run_status(self, site_id: int) -> str | None:
        row = self.db.execute(
            "SELECT status FROM crawl_runs WHERE site_id = ? ORDER BY id DESC LIMIT 1", [site_id]
        ).fetchone()
        return row[0] if row else None

    # ------------------------------------------------------------------ reading
    def record(self, key: int | str) -> dict[str, Any] | None:
        """One article in the record format, by id or URL."""
        column = "id" if isinstance(key, int) else "url"
        row = self.db.execute(f"SELECT id FROM articles WHERE {column} = ?", [key]).fetchone()
        return next(self.records(ids=[row[0]]), None) if row else None

    def records(
        self,
        *,
        site: str | None = None,
        ids: list[int] | None = None,
        language: str | None = None,
        category: str | None = None,
        tag: str | None = None,
        since: str | None = None,
        until: str | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Articles in the record format, oldest first; streams (constant memory)."""
        filters = Filters(site, language, category, tag, since, until)
        where, params = self._filter_sql(filters)
        if ids is not None:
            where.append("a.id IN ({})".format(",".join("?" * len(ids))))
            params += ids
        sql = (
            f"SELECT a.*, s.name AS site, {_RECORD_LISTS}"
            " FROM articles a JOIN sites s ON s.id = a.site_id"
            + (" WHERE " + " AND ".join(where) if where else "")
            + " ORDER BY a.published_at, a.id"
        )
        cursor = self.db.conn.execute(sql, params)
        names = [d[0] for d in cursor.description]
        for values in cursor:
            yield _record(dict(zip(names, values, strict=True)))

    def search(
        self,
        query: str,
        *,
        limit: int = 20,
        offset: int = 0,
        site: str | None = None,
        language: str | None = None,
        category: str | None = None,
        tag: str | None = None,
        since: str | None = None,
        until: str | None = None,
        marks: tuple[str, str] = ("[", "]"),
        window: int | None = RANK_WINDOW,
    ) -> list[dict[str, Any]]:
        """Articles matching ``query`` (see :mod:`scraper.search` for the syntax), best first
        (bm25, title weighted over body), each with a highlighted snippet of its text.

        bm25 costs about 1.5 µs per matching article, so when more than ``window`` articles
        match, the ``window`` most recently published of them are ranked (each hit then says
        ``capped``); ``window=None`` ranks every match. ``since``/``until`` work by day."""
        try:
            parsed = parse(query)
        except QueryError as exc:
            raise StoreError(f"bad search query {query!r}: {exc}") from exc
        # Dates are rowid ranges of the index (search_key); categories and tags a set of
        # article ids checked in Python (cheaper per row than an SQL IN list); site and
        # language are read from a small covering index of articles.
        article_id = f"(articles_fts.rowid & {_ID_MASK})"
        where, params = self._filter_sql(Filters(site, language))
        wanted = self._tagged_ids(category, tag)
        if wanted is not None:
            if not wanted:
                return []
            self.db.conn.create_function("scraper_wanted", 1, wanted.__contains__)
            where.append(f"scraper_wanted({article_id})")
        conditions = ["articles_fts MATCH ?"]
        args: list[Any] = [parsed.match]
        if since:
            conditions.append("articles_fts.rowid >= ?")
            args.append(_key_day(date_bound(since, end=False, day=True)) << _KEY_SHIFT)
        if until:
            conditions.append("articles_fts.rowid < ?")
            args.append(_key_day(date_bound(until, end=True, day=True)) << _KEY_SHIFT)
        # CROSS JOIN keeps the full-text index as the outer loop: FTS5 would otherwise
        # recompute its statistics for every article it is asked about.
        join = (
            f" CROSS JOIN articles a INDEXED BY articles_facets ON a.id = {article_id}"
            if site or language
            else ""
        )
        plain = "FROM articles_fts WHERE " + " AND ".join(conditions)
        base = f"FROM articles_fts{join} WHERE " + " AND ".join(conditions + where)
        plain_args = list(args)
        args += params
        capped = False
        try:
            # More than `window` matches? Then rank the `window` newest. With filters, count
            # the unfiltered matches first: that is cheap, and often settles it.
            need = bool(window)
            if need and where:
                small = wanted is not None and len(wanted) <= (window or 0)
                need = not small and (
                    self.db.execute(
                        f"SELECT count(*) FROM (SELECT 1 {plain} LIMIT ?)",
                        [*plain_args, (window or 0) + 1],
                    ).fetchone()[0]
                    > (window or 0)
                )
            if need:
                beyond = self.db.execute(
                    f"SELECT articles_fts.rowid {base} ORDER BY articles_fts.rowid DESC"
                    " LIMIT 1 OFFSET ?",
                    [*args, window],
                ).fetchone()
                if beyond is not None:
                    base += " AND articles_fts.rowid > ?"
                    args.append(beyond[0])
                    capped = True
            # FTS5's rank is bm25 with our weights (see _configure_rank); FTS5 sorts by it
            # itself, fastest, but before any filter: with filters, score only what passes.
            weights = ", ".join(str(w) for w in BM25_WEIGHTS)
            score = f"bm25(articles_fts, {weights})" if where else "articles_fts.rank"
            ranked = self.db.execute(
                f"SELECT articles_fts.rowid, {score} AS score {base}"
                " ORDER BY score LIMIT ? OFFSET ?",
                [*args, limit, offset],
            ).fetchall()
        except sqlite3.OperationalError as exc:
            raise StoreError(f"bad search query {query!r}: {exc}") from exc
        ranked = [(key & _ID_MASK, score) for key, score in ranked]
        if not ranked:
            return []
        marks_sql = ",".join("?" * len(ranked))
        rows = {
            r["id"]: r
            for r in self.db.query(
                "SELECT a.id, a.url, a.title, a.subtitle, a.published_at, a.language, a.body,"
                " s.name AS site FROM articles a JOIN sites s ON s.id = a.site_id"
                f" WHERE a.id IN ({marks_sql})",
                [r[0] for r in ranked],
            )
        }
        hits = []
        for article_id, score in ranked:
            row = rows.get(article_id)
            if row is None:  # deleted behind our back
                continue
            body = row.pop("body")
            hits.append(
                {
                    "id": row["id"],
                    "url": row["url"],
                    "site": row["site"],
                    "language": row["language"],
                    "published_at": row["published_at"],
                    "title": row["title"],
                    "score": round(-score, 4),
                    # from the body, or the subtitle when only it matches
                    "snippet": best_snippet([body, row["subtitle"]], parsed, marks=marks),
                    "capped": capped,
                }
            )
        return hits

    def _tagged_ids(self, category: str | None, tag: str | None) -> set[int] | None:
        """Ids of the articles in ``category`` and with ``tag`` (names folded), or None when
        neither is asked for."""
        wanted: set[int] | None = None
        for value, table, join, key in (
            (category, "categories", "article_categories", "category_id"),
            (tag, "tags", "article_tags", "tag_id"),
        ):
            if not value:
                continue
            marks = ",".join(str(i) for i in self._term_ids(table, value)) or "NULL"
            # one JSON row, parsed in C: several times faster than a row per id
            listed = self.db.execute(
                f"SELECT json_group_array(article_id) FROM {join} WHERE {key} IN ({marks})"
            ).fetchone()[0]
            ids = set(json.loads(listed))
            wanted = ids if wanted is None else wanted & ids
        return wanted

    def _term_ids(self, table: str, name: str) -> list[int]:
        """Ids of the categories or tags called ``name`` (folded: إقتصاد = اقتصاد)."""
        target = " ".join(fold(name).split())
        return [
            int(row[0])
            for row in self.db.execute(f"SELECT id, name FROM {table}")
            if " ".join(fold(row[1]).split()) == target
        ]

    def _filter_sql(self, f: Filters, article_id: str = "a.id") -> tuple[list[str], list[Any]]:
        """WHERE clauses (on ``articles a``; categories and tags on the ``article_id``
        expression) and their parameters for ``f``."""
        where: list[str] = []
        params: list[Any] = []
        if f.site:
            where.append("a.site_id IN (SELECT id FROM sites WHERE name = ?)")
            params.append(f.site.lower().removeprefix("www."))
        if f.language:
            where.append("(a.language = ? OR a.language LIKE ?)")
            params += [f.language, f.language + "-%"]
        for value, table, join, key in (
            (f.category, "categories", "article_categories", "category_id"),
            (f.tag, "tags", "article_tags", "tag_id"),
        ):
            if value:
                marks = ",".join(str(i) for i in self._term_ids(table, value)) or "NULL"
                where.append(
                    f"{article_id} IN (SELECT article_id FROM {join} WHERE {key} IN ({marks}))"
                )
        if f.since:
            where.append("a.published_at >= ?")
            params.append(date_bound(f.since, end=False))
        if f.until:
            where.append("a.published_at < ?")
            params.append(date_bound(f.until, end=True))
        return where, params

    def history(self, key: int | str) -> list[dict[str, Any]] | None:
        """Every version of an article, oldest first; the last one is the current version.

        Each has ``revision``, ``from`` (first fetch that saw it), ``until`` (when it was
        replaced; None for the current one), ``fetched_at`` (last fetch that saw it),
        ``current``, ``content_hash`` and the content fields."""
        current = self.record(key)
        if current is None:
            return None
        row = self.db.execute(
            "SELECT changed_at, content_hash FROM articles WHERE id = ?", [current["id"]]
        ).fetchone()
        versions: list[dict[str, Any]] = []
        start = current["first_seen_at"]
        for rev in self.db.query(
            "SELECT * FROM revisions WHERE article_id = ? ORDER BY revision", [current["id"]]
        ):
            versions.append(
                {
                    "revision": rev["revision"],
                    "from": start,
                    "until": rev["replaced_at"],
                    "fetched_at": rev["fetched_at"],
                    "current": False,
                    **{k: rev[k] for k in _VERSION_FIELDS if k not in ("categories", "tags")},
                    "categories": json.loads(rev["categories"] or "[]"),
                    "tags": json.loads(rev["tags"] or "[]"),
                    "content_hash": rev["content_hash"],
                }
            )
            start = rev["replaced_at"]
        versions.append(
            {
                "revision": current["revision"],
                "from": row[0] if versions else current["first_seen_at"],
                "until": None,
                "fetched_at": current["fetched_at"],
                "current": True,
                **{k: current[k] for k in _VERSION_FIELDS},
                "content_hash": row[1],
            }
        )
        return versions

    def article_pages(self, site: str | None = None, batch: int = 100) -> Iterator[StoredPage]:
        """Kept pages that produced an article (for re-extraction), in batches: bounded memory."""
        last = 0
        where = " AND s.name = ?" if site else ""
        extra = [site.lower().removeprefix("www.")] if site else []
        while True:
            rows = self.db.execute(
                "SELECT p.rowid, p.url, p.final_url, p.fetched_at, p.html, a.id, a.url, s.id,"
                " s.name, s.profile, a.published_at, a.modified_at, a.date_source, a.date_raw"
                " FROM pages p JOIN articles a ON a.id = p.article_id"
                " JOIN sites s ON s.id = a.site_id"
                f" WHERE p.rowid > ? AND p.html IS NOT NULL{where} ORDER BY p.rowid LIMIT ?",
                [last, *extra, batch],
            ).fetchall()
            if not rows:
                return
            for r in rows:
                yield StoredPage(
                    url=r[1],
                    final_url=r[2],
                    fetched_at=r[3],
                    content=zlib.decompress(r[4]),
                    article_id=r[5],
                    article_url=r[6],
                    site_id=r[7],
                    site=r[8],
                    profile=r[9],
                    published_at=r[10],
                    modified_at=r[11],
                    date_source=r[12],
                    date_raw=r[13],
                )
            last = rows[-1][0]

    def day_counts(
        self, *, by_section: bool, filters: Filters | None = None
    ) -> Iterator[tuple[str, str, str | None, str, int]]:
        """(site, language, section, local day, articles) for dated articles, sorted.

        With ``by_section`` an article counts once in each of its categories (section ''
        when it has none); without, ``section`` is None."""
        where, params = self._filter_sql(filters or Filters())
        where.append("a.published_at IS NOT NULL")
        section = "coalesce(c.name, '')" if by_section else "NULL"
        joins = (
            " LEFT JOIN article_categories x ON x.article_id = a.id"
            " LEFT JOIN categories c ON c.id = x.category_id"
            if by_section
            else ""
        )
        sql = (
            f"SELECT s.name, coalesce(a.language, ''), {section}, substr(a.published_at, 1, 10),"
            " count(DISTINCT a.id) FROM articles a JOIN sites s ON s.id = a.site_id"
            + joins
            + " WHERE "
            + " AND ".join(where)
            + " GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4"
        )
        for row in self.db.conn.execute(sql, params):
            yield row[0], row[1], row[2], row[3], row[4]

    def counts(self) -> dict[str, int]:
        tables = (
            "sites",
            "articles",
            "categories",
            "tags",
            "links",
            "revisions",
            "pages",
            "frontier",
        )
        return {t: self.db[t].count for t in tables}

    def page_html(self, url: str) -> bytes | None:
        row = self.db.execute("SELECT html FROM pages WHERE url = ?", [url]).fetchone()
        return zlib.decompress(row[0]) if row and row[0] is not None else None

    def undated_counts(self, filters: Filters | None = None) -> dict[tuple[str, str], int]:
        """Articles without a publication date, per (site, language)."""
        where, params = self._filter_sql(filters or Filters())
        where.append("a.published_at IS NULL")
        rows = self.db.execute(
            "SELECT s.name, coalesce(a.language, ''), count(*) FROM articles a"
            " JOIN sites s ON s.id = a.site_id WHERE " + " AND ".join(where) + " GROUP BY 1, 2",
            params,
        )
        return {(r[0], r[1]): r[2] for r in rows}


_INSERTS: dict[tuple[str, str, tuple[str, ...]], str] = {}

# The list-valued fields of a record, gathered in the same query as the article row.
_RECORD_LISTS = """
    (SELECT json_group_array(name) FROM (SELECT au.name FROM article_authors x
      JOIN authors au ON au.id = x.author_id WHERE x.article_id = a.id ORDER BY x.position))
      AS authors_json,
    (SELECT json_group_array(name) FROM (SELECT c.name FROM article_categories x
      JOIN categories c ON c.id = x.category_id WHERE x.article_id = a.id ORDER BY x.position))
      AS categories_json,
    (SELECT json_group_array(name) FROM (SELECT t.name FROM article_tags x
      JOIN tags t ON t.id = x.tag_id WHERE x.article_id = a.id ORDER BY x.position))
      AS tags_json,
    (SELECT json_group_array(json_object('url', url, 'title', title)) FROM (SELECT url, title
      FROM links WHERE article_id = a.id AND kind IN ('related', 'inline_related')
      ORDER BY position)) AS related_json"""

#: The fields of a record, in order (the record format of ``scraper export``).
RECORD_FIELDS = (
    "id",
    "url",
    "site",
    "language",
    "title",
    "subtitle",
    "authors",
    "published_at",
    "modified_at",
    "date_source",
    "categories",
    "tags",
    "body",
    "related",
    "next_url",
    "prev_url",
    "image",
    "word_count",
    "first_seen_at",
    "fetched_at",
    "revision",
)
_VERSION_FIELDS = (
    "title",
    "subtitle",
    "published_at",
    "modified_at",
    "categories",
    "tags",
    "body",
)

# A ranked search in plain SQL, with the functions ``search.register_functions`` adds
# (used by ``scraper serve`` as Datasette's "search" query).
RANKED_SEARCH_SQL = """SELECT a.id, a.published_at, s.name AS site, a.language, a.title,
  scraper_snippet(a.body, :q) AS snippet, a.url
FROM articles_fts
CROSS JOIN articles a ON a.search_key = articles_fts.rowid
JOIN sites s ON s.id = a.site_id
WHERE articles_fts MATCH scraper_match(:q)
ORDER BY articles_fts.rank
LIMIT 50"""


def _record(row: dict[str, Any]) -> dict[str, Any]:
    lists = {
        "authors": json.loads(row["authors_json"]),
        "categories": json.loads(row["categories_json"]),
        "tags": json.loads(row["tags_json"]),
        "related": json.loads(row["related_json"]),
    }
    return {name: lists[name] if name in lists else row[name] for name in RECORD_FIELDS}


def _link_triples(a: Article) -> list[tuple[str, str, str | None]]:
    """(kind, url, title) of every link an article's row in ``links`` keeps, in order."""
    triples: list[tuple[str, str, str | None]] = [(x.kind, x.url, x.title) for x in a.related]
    triples += [
        (kind, url, None) for kind, url in (("next", a.next_url), ("prev", a.prev_url)) if url
    ]
    triples += [("translation", url, lang) for lang, url in a.translations.items()]
    return triples


def _extras_of(a: Article) -> tuple[Any, ...]:
    row = (a.language, a.image, a.date_source, a.date_raw, a.next_url, a.prev_url)
    return (row, tuple(a.authors), tuple(_link_triples(a)))


_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_KEY_EPOCH = date(1900, 1, 1)
_KEY_SHIFT = 32
_ID_MASK = (1 << _KEY_SHIFT) - 1


def search_key(published_at: str | None, article_id: int) -> int:
    """An article's rowid in ``articles_fts``: its local publication day (days since 1900;
    0 when undated) times 2^32, plus its id. The index is thereby in publication order, so a
    date filter is a rowid range and "the newest matches" a rowid bound."""
    return (_key_day(published_at) << _KEY_SHIFT) | article_id


def _key_day(value: str | None) -> int:
    try:
        return max(0, (date.fromisoformat((value or "")[:10]) - _KEY_EPOCH).days)
    except ValueError:
        return 0


def date_bound(value: str, *, end: bool, day: bool = False) -> str:
    """A comparable bound for ``published_at``: '2025-11' starts at '2025-11' and, as an
    end, stops before '2025-12'. ISO datetimes are used as given (an end includes them).
    With ``day``, the bound is a full date: the first day, or the day after the end."""
    value = value.strip()
    if not _DATE.match(value):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise StoreError(f"not a date: {value!r} (use YYYY-MM-DD)") from None
        if day:
            return (moment.date() + timedelta(days=1 if end else 0)).isoformat()
        return value + "\uffff" if end else value
    parts = [int(p) for p in value.split("-")]
    try:
        first = date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    except ValueError:
        raise StoreError(f"not a date: {value!r} (use YYYY-MM-DD)") from None
    if not end:
        return first.isoformat() if day else first.isoformat()[: len(value)]
    if len(parts) == 3:
        after = first + timedelta(days=1)
    elif len(parts) == 2:
        after = date(parts[0] + parts[1] // 12, parts[1] % 12 + 1, 1)
    else:
        after = date(parts[0] + 1, 1, 1)
    return after.isoformat() if day else after.isoformat()[: len(value)]


def _migrate_to_2(db: sqlite_utils.Database) -> bool:
    """1 -> 2: a search index of light stems (clitic search) keyed by publication date
    (articles.search_key), its delete trigger, the article_list view, more indexes.
    schema.sql creates the new objects afterwards."""
    db.execute("DROP TABLE IF EXISTS articles_fts")
    for index in ("articles_language", "article_categories_category", "article_tags_tag"):
        db.execute(f"DROP INDEX IF EXISTS {index}")  # recreated with more columns
    db.execute("ALTER TABLE articles ADD COLUMN search_key INTEGER")
    return True  # the search index must be rebuilt (it also fills search_key)


def _migrate_to_3(db: sqlite_utils.Database) -> bool:
    """2 -> 3: the frontier keeps the dates the WordPress REST API listed for a URL."""
    for column in ("listed_published", "listed_modified", "listed_raw", "listed_source"):
        db.execute(f"ALTER TABLE frontier ADD COLUMN {column} TEXT")
    return False


def _migrate_to_4(db: sqlite_utils.Database) -> bool:
    """3 -> 4: the article_list view gains authors and month (facets of the reading room);
    schema.sql recreates it."""
    db.execute("DROP VIEW IF EXISTS article_list")
    return False


#: version -> step bringing an archive of the previous version to it; returns whether the
#: search index must be rebuilt. Run in one transaction, before schema.sql.
MIGRATIONS: dict[int, Callable[[sqlite_utils.Database], bool]] = {
    2: _migrate_to_2,
    3: _migrate_to_3,
    4: _migrate_to_4,
}


def content_hash(a: Article) -> str:
    """What counts as a change: title, subtitle, body, dates, categories and tags."""
    payload = json.dumps(
        [
            a.title,
            a.subtitle,
            a.body,
            _iso(a.published_at),
            _iso(a.modified_at),
            a.categories,
            a.tags,
        ],
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _statements(script: str) -> Iterator[str]:
    buffer = ""
    for line in script.splitlines(keepends=True):
        if line.lstrip().startswith("--"):
            continue
        buffer += line
        if sqlite3.complete_statement(buffer):
            yield buffer.strip()
            buffer = ""


def _connect(path: Path, *, reading: bool = False) -> sqlite_utils.Database:
    if path.is_dir():
        raise StoreError(f"--db {path} is a directory, not an archive file")
    if not path.parent.exists():
        raise StoreError(f"cannot create {path}: folder {path.parent} does not exist")
    try:
        # A crawl writes from its processing thread; a Store is used by one thread at a time.
        conn = sqlite3.connect(str(path), timeout=30, check_same_thread=False)
        db = sqlite_utils.Database(conn)
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("PRAGMA synchronous = NORMAL")
        db.execute("PRAGMA busy_timeout = 30000")
        if reading:  # searches and exports touch many pages
            db.execute("PRAGMA cache_size = -65536")
            db.execute("PRAGMA mmap_size = 1073741824")
        register_functions(conn)
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"cannot open {path} as an SQLite archive: {exc}") from exc
    return db
