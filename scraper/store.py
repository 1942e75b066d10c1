"""The archive: the one module that writes SQL.

Everything the crawler learns goes through :class:`Store` into one SQLite file (WAL mode).
An article, its categories, tags, links, raw page, search-index row, any older revision and
its frontier entry are written in one transaction, so a crash never leaves half an article.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import sqlite_utils

from .article import Article
from .text import fold

SCHEMA_VERSION = 1
DEFAULT_DB = "archive.db"


class StoreError(Exception):
    """The archive cannot be opened or written; the message is fit for a user."""


def now_iso() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


@dataclass(frozen=True)
class FrontierEntry:
    """A URL waiting to be fetched, and what we expect it to be."""

    url: str
    kind: str  # home | section | listing | article | sitemap | feed
    priority: int = 50
    depth: int = 0
    found_on: str | None = None
    lastmod: str | None = None


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


class Store:
    """An open archive. Use as a context manager, or call :meth:`close`."""

    def __init__(self, path: str | Path = DEFAULT_DB) -> None:
        self.path = Path(path)
        self.db = _connect(self.path)
        self._migrate()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.db.conn.close()

    def _migrate(self) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path} was written by a newer scraper (schema {version} > "
                f"{SCHEMA_VERSION}); upgrade scraper to use it"
            )
        if version == SCHEMA_VERSION:
            return
        script = resources.files("scraper").joinpath("schema.sql").read_text(encoding="utf-8")
        try:
            with self.db.atomic():
                for statement in _statements(script):
                    self.db.execute(statement)
                self.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot create the archive schema in {self.path}: {exc}") from exc

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
        returns how many were queued."""
        stamp = now_iso()
        rows = [
            (e.url, site_id, e.kind, e.priority, e.depth, e.found_on, e.lastmod, stamp, stamp)
            for e in entries
        ]
        if not rows:
            return 0
        conflict = (
            " ON CONFLICT(url) DO UPDATE SET state = 'pending', updated_at = excluded.updated_at"
            " WHERE state IN ('done', 'failed', 'skipped')"
            if revisit
            else " ON CONFLICT(url) DO NOTHING"
        )
        before = self.db.conn.total_changes
        with self.db.atomic():
            self.db.conn.executemany(
                "INSERT INTO frontier (url, site_id, kind, priority, depth, found_on,"
                " lastmod, added_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)" + conflict,
                rows,
            )
        return self.db.conn.total_changes - before

    def frontier_claim(self, site_id: int, limit: int = 1) -> list[dict[str, Any]]:
        """Take up to ``limit`` pending URLs (lowest priority number first) and mark them active."""
        with self.db.atomic():
            rows = list(
                self.db.query(
                    "SELECT url, kind, depth, found_on, attempts, lastmod FROM frontier"
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
    def page_validators(self, url: str) -> tuple[str | None, str | None]:
        """(ETag, Last-Modified) of the stored page, for a conditional GET."""
        row = self.db.execute(
            "SELECT etag, last_modified FROM pages WHERE url = ?", [url]
        ).fetchone()
        return (row[0], row[1]) if row else (None, None)

    def save_page(
        self, site_id: int, page: PageRecord, *, frontier_state: str | None = None
    ) -> None:
        """Keep a fetched page that is not an article (listing, sitemap...), raw body compressed."""
        with self.db.atomic():
            self._upsert_page(site_id, page, None)
            if frontier_state:
                self._finish(page.url, frontier_state, None)

    def _upsert_page(self, site_id: int, page: PageRecord, article_id: int | None) -> None:
        self.db["pages"].upsert(
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
                "html": zlib.compress(page.content, 6),
            },
            pk="url",
        )

    def save_article(
        self,
        site_id: int,
        article: Article,
        page: PageRecord | None = None,
        *,
        frontier_url: str | None = None,
    ) -> str:
        """Insert or update one article with everything attached; returns
        ``"new"``, ``"updated"`` (content changed: the old version became a revision)
        or ``"unchanged"``. One transaction."""
        if not article.url:
            raise StoreError("an article needs a URL")
        stamp = (page.fetched_at if page else None) or now_iso()
        digest = content_hash(article)
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
                self.db.execute(
                    "UPDATE articles SET fetched_at = ? WHERE id = ?", [stamp, article_id]
                )
            else:
                outcome = "updated"
                article_id = old[0]
                self._keep_revision(article_id, old[2], old[3], stamp)
                self._update_article(article_id, site_id, article, digest, stamp, old[2] + 1)
            if outcome != "unchanged":
                self._write_relations(site_id, article_id, article)
                self._index(article_id, article)
            if page is not None:
                self._upsert_page(site_id, page, article_id)
            if frontier_url:
                self._finish(frontier_url, "done", None)
        return outcome

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
        return int(self.db["articles"].insert(row).last_pk)

    def _update_article(
        self, article_id: int, site_id: int, a: Article, digest: str, stamp: str, revision: int
    ) -> None:
        row = self._article_row(site_id, a, digest)
        row.update(fetched_at=stamp, changed_at=stamp, revision=revision)
        self.db["articles"].update(article_id, row)

    def _keep_revision(self, article_id: int, revision: int, fetched_at: str, stamp: str) -> None:
        current = self.record(article_id)
        assert current is not None
        self.db["revisions"].insert(
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
            }
        )

    def _write_relations(self, site_id: int, article_id: int, a: Article) -> None:
        for table in ("article_authors", "article_categories", "article_tags", "links"):
            self.db.execute(f"DELETE FROM {table} WHERE article_id = ?", [article_id])
        for pos, name in enumerate(a.authors):
            author_id = self._lookup("authors", {"name": name})
            self.db["article_authors"].insert(
                {"article_id": article_id, "author_id": author_id, "position": pos}, ignore=True
            )
        for table, join, key, names in (
            ("categories", "article_categories", "category_id", a.categories),
            ("tags", "article_tags", "tag_id", a.tags),
        ):
            for pos, name in enumerate(names):
                term_id = self._lookup(table, {"site_id": site_id, "name": name})
                self.db[join].insert(
                    {"article_id": article_id, key: term_id, "position": pos}, ignore=True
                )
        link_rows = [
            {"article_id": article_id, "kind": link.kind, "url": link.url, "title": link.title}
            for link in a.related
        ]
        link_rows += [
            {"article_id": article_id, "kind": kind, "url": url, "title": None}
            for kind, url in (("next", a.next_url), ("prev", a.prev_url))
            if url
        ]
        link_rows += [
            {"article_id": article_id, "kind": "translation", "url": url, "title": lang}
            for lang, url in a.translations.items()
        ]
        for pos, row in enumerate(link_rows):
            row["position"] = pos
        if link_rows:
            self.db["links"].insert_all(link_rows)

    def _lookup(self, table: str, values: dict[str, Any]) -> int:
        where = " AND ".join(f"{k} = ?" for k in values)
        row = self.db.execute(
            f"SELECT id FROM {table} WHERE {where}", list(values.values())
        ).fetchone()
        if row:
            return int(row[0])
        return int(self.db[table].insert(values).last_pk)

    def _index(self, article_id: int, a: Article) -> None:
        self.db.execute("DELETE FROM articles_fts WHERE rowid = ?", [article_id])
        self.db.execute(
            "INSERT INTO articles_fts (rowid, title, body) VALUES (?, ?, ?)",
            [article_id, fold(a.title or ""), fold(a.body)],
        )

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
        self, *, site: str | None = None, ids: list[int] | None = None
    ) -> Iterator[dict[str, Any]]:
        """Articles in the record format, oldest first; streams (constant memory)."""
        where, params = [], []
        if site:
            where.append("s.name = ?")
            params.append(site)
        if ids is not None:
            where.append("a.id IN ({})".format(",".join("?" * len(ids))))
            params += ids
        sql = (
            "SELECT a.*, s.name AS site FROM articles a JOIN sites s ON s.id = a.site_id"
            + (" WHERE " + " AND ".join(where) if where else "")
            + " ORDER BY a.published_at, a.id"
        )
        cursor = self.db.conn.execute(sql, params)
        names = [d[0] for d in cursor.description]
        reader = self.db.conn
        for values in cursor:
            row = dict(zip(names, values, strict=True))
            yield _record(reader, row)

    def search(self, query: str, *, limit: int = 20) -> list[dict[str, Any]]:
        """Articles matching ``query`` (FTS5 syntax, folded like the index), best first."""
        sql = (
            "SELECT a.id, a.url, a.title, a.published_at, s.name AS site,"
            " snippet(articles_fts, 1, '[', ']', ' … ', 12) AS snippet"
            " FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid"
            " JOIN sites s ON s.id = a.site_id"
            " WHERE articles_fts MATCH ? ORDER BY bm25(articles_fts, 5.0, 1.0) LIMIT ?"
        )
        try:
            return list(self.db.query(sql, [fold(query), limit]))
        except sqlite3.OperationalError as exc:
            raise StoreError(f"bad search query {query!r}: {exc}") from exc

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


def _record(conn: sqlite3.Connection, row: dict[str, Any]) -> dict[str, Any]:
    aid = row["id"]

    def names(sql: str) -> list[str]:
        return [r[0] for r in conn.execute(sql, [aid])]

    related = [
        {"url": u, "title": t}
        for u, t in conn.execute(
            "SELECT url, title FROM links WHERE article_id = ?"
            " AND kind IN ('related', 'inline_related') ORDER BY position",
            [aid],
        )
    ]
    return {
        "id": aid,
        "url": row["url"],
        "site": row["site"],
        "language": row["language"],
        "title": row["title"],
        "subtitle": row["subtitle"],
        "authors": names(
            "SELECT au.name FROM article_authors x JOIN authors au ON au.id = x.author_id"
            " WHERE x.article_id = ? ORDER BY x.position"
        ),
        "published_at": row["published_at"],
        "modified_at": row["modified_at"],
        "date_source": row["date_source"],
        "categories": names(
            "SELECT c.name FROM article_categories x JOIN categories c ON c.id = x.category_id"
            " WHERE x.article_id = ? ORDER BY x.position"
        ),
        "tags": names(
            "SELECT t.name FROM article_tags x JOIN tags t ON t.id = x.tag_id"
            " WHERE x.article_id = ? ORDER BY x.position"
        ),
        "body": row["body"],
        "related": related,
        "next_url": row["next_url"],
        "prev_url": row["prev_url"],
        "image": row["image"],
        "word_count": row["word_count"],
        "first_seen_at": row["first_seen_at"],
        "fetched_at": row["fetched_at"],
        "revision": row["revision"],
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


def _connect(path: Path) -> sqlite_utils.Database:
    if path.is_dir():
        raise StoreError(f"--db {path} is a directory, not an archive file")
    if not path.parent.exists():
        raise StoreError(f"cannot create {path}: folder {path.parent} does not exist")
    try:
        conn = sqlite3.connect(str(path), timeout=30)
        db = sqlite_utils.Database(conn)
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("PRAGMA synchronous = NORMAL")
        db.execute("PRAGMA busy_timeout = 30000")
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"cannot open {path} as an SQLite archive: {exc}") from exc
    return db
