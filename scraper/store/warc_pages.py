"""Pages kept in WARC files rather than in the archive, and what a backfill has read of
each file (``scraper.scale.backfill``): saving a capture, reading a page row back, the progress
committed with each batch, and the pages re-extraction reads from their WARC files."""

from __future__ import annotations

import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from .._exceptions import StoreError
from ..article import Article
from ..sketch import Fingerprint
from .articles import PageRecord, Prepared, StoredPage, content_hash, iso, link_triples
from .captures import CapturesMixin
from .connection import now_iso
from .fulltext import IMPACT_INSERT, impact_rows, search_key

#: One capture for :meth:`WarcMixin.save_captures`: site id, article, page (without its
#: content), WARC location (file, offset, length), body size, prepared values.
CaptureRow = tuple[int, Article, PageRecord, tuple[str, int, int] | None, int, Prepared]


@dataclass(frozen=True)
class WarcPage:
    """A kept article page whose raw bytes are in a WARC file (``StoredPage.content`` empty)."""

    page: StoredPage
    file: str
    offset: int
    length: int


class WarcMixin(CapturesMixin):
    """The archive's WARC-backed pages and the backfill's progress."""

    def save_capture(
        self,
        site_id: int,
        article: Article,
        page: PageRecord,
        location: tuple[str, int, int] | None,
        *,
        size: int = 0,
        prepared: Prepared | None = None,
    ) -> str:
        """:meth:`save_article` for a capture read from a WARC file (or imported): without
        ``page.content`` the page row records the ``location`` of the record (file, offset,
        length; None: nowhere) and the body's ``size`` instead of a copy of the page. A capture
        read out of time order takes its place in the article's history, and the same capture
        extracted again updates it in place (:mod:`scraper.store.captures`): outcomes
        ``"new"``, ``"updated"``, ``"unchanged"``, ``"earlier"``, ``"same capture"``."""
        if not article.url:
            raise StoreError("an article needs a URL")
        with self.db.atomic():
            row = self.db.execute("SELECT id FROM articles WHERE url = ?", [article.url]).fetchone()
            if row is not None:
                digest = prepared.content_hash if prepared else content_hash(article)
                placed = self.place_capture(row[0], article, page, digest, size)
                if placed is not None:
                    return placed
            outcome = self.save_article(site_id, article, page, prepared=prepared)
            if not page.content:
                self.db.execute(
                    "UPDATE pages SET html = NULL, size = ?, warc_file = ?, warc_offset = ?,"
                    " warc_length = ? WHERE url = ?",
                    [size, *(location or (None, None, None)), page.url],
                )
        return outcome

    def save_captures(self, captures: Sequence[CaptureRow]) -> list[str]:
        """:meth:`save_capture` of each capture, in order, in one transaction; the outcomes.

        The archive ends up the same as with one call per capture (the same rows, ids and
        search index); a capture of an article new to the archive (and to the batch) is just
        cheaper: its rows are written with one statement per table for the batch, its
        authors', categories' and tags' ids looked up once per batch."""
        outcomes: list[str] = []
        with self.db.atomic():
            known = self.known_articles(row[1].url for row in captures if row[1].url)
            batch = _NewArticles(self)
            for site_id, article, page, location, size, prepared in captures:
                if article.url and article.url not in known and not page.content:
                    batch.add(site_id, article, page, location, size, prepared)
                    outcomes.append("new")
                else:
                    batch.flush()  # the batch's rows first, in the order of the captures
                    outcome = self.save_capture(
                        site_id, article, page, location, size=size, prepared=prepared
                    )
                    outcomes.append(outcome)
                known.add(article.url or "")
            batch.flush()
        return outcomes

    def site_rows(self) -> list[dict[str, Any]]:
        """Every site: id, name, base_url, profile, timezone (``scraper import``, the audit)."""
        keys = ("id", "name", "base_url", "profile", "timezone")
        rows = self.db.execute(f"SELECT {', '.join(keys)} FROM sites ORDER BY id")
        return [dict(zip(keys, r, strict=True)) for r in rows]

    def page_row(self, url: str) -> dict[str, Any] | None:
        """The page row of ``url`` with its body decompressed (``content``; b"" if none)."""
        cursor = self.db.execute("SELECT * FROM pages WHERE url = ?", [url])
        row = cursor.fetchone()
        if row is None:
            return None
        page = dict(zip([d[0] for d in cursor.description], row, strict=True))
        page["content"] = zlib.decompress(page["html"]) if page["html"] is not None else b""
        return page

    def warc_progress(self, file: str, selection: str = "") -> tuple[int, str] | None:
        """(next offset, state) a backfill with ``selection`` recorded for ``file``, or None."""
        row = self.db.execute(
            "SELECT next_offset, state FROM warc_progress WHERE file = ? AND selection = ?",
            [file, selection],
        ).fetchone()
        return (int(row[0]), str(row[1])) if row else None

    def set_warc_progress(
        self,
        file: str,
        next_offset: int,
        state: str,
        counts: dict[str, int] | None = None,
        selection: str = "",
    ) -> None:
        """Record that ``file`` was read up to ``next_offset`` (``state`` 'running' or 'done');
        inside the transaction of the batch it closes, so the two are committed together."""
        added = counts or {}
        with self.db.atomic():
            self.db.execute(
                "INSERT INTO warc_progress (file, selection, next_offset, state, records, stored,"
                " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT(file, selection) DO UPDATE SET"
                " next_offset = excluded.next_offset, state = excluded.state,"
                " records = records + excluded.records, stored = stored + excluded.stored,"
                " updated_at = excluded.updated_at",
                [file, selection, next_offset, state, added.get("records", 0),
                 added.get("stored", 0), now_iso()],
            )  # fmt: skip

    def warc_pages(self, site: str | None = None, batch: int = 100) -> Iterator[WarcPage]:
        """Article pages kept in WARC files (no copy in the archive), for re-extraction."""
        where = "p.html IS NULL AND p.warc_file IS NOT NULL"
        columns = ("p.warc_file", "p.warc_offset", "p.warc_length")
        for page, (file, offset, length) in self._kept_pages(where, columns, site, batch):
            yield WarcPage(page, file, int(offset), int(length or 0))


class _NewArticles:
    """Rows of new articles, written a table at a time (:meth:`WarcMixin.save_captures`): what
    ``save_capture`` writes for each, in the same order per table, so the same rowids. An
    article's id is the one SQLite would give it (the largest id + 1), known before its row is
    written, so the row is inserted with its search key."""

    def __init__(self, store: WarcMixin) -> None:
        self.store = store
        self.ids: dict[tuple[str, Any, str], int] = {}  # (table, site id, name) -> id
        self.clear()

    def clear(self) -> None:
        self.articles: list[tuple[Any, ...]] = []
        self.authors: list[tuple[int, int, int]] = []
        self.terms: dict[str, list[tuple[int, int, int]]] = {"categories": [], "tags": []}
        self.links: list[tuple[int, str, str, str | None, int]] = []
        self.search: list[tuple[int, str, str]] = []
        self.pages: list[tuple[Any, ...]] = []
        self.stories: list[tuple[int, Fingerprint | None]] = []
        self.next_id: int | None = None
        self.columns: tuple[str, ...] = ()

    def _lookup(self, table: str, site_id: int | None, name: str) -> int:
        key = (table, site_id, name)
        found = self.ids.get(key)
        if found is None:
            values = {"name": name} if site_id is None else {"site_id": site_id, "name": name}
            found = self.ids[key] = self.store._lookup(table, values)
        return found

    def add(
        self,
        site_id: int,
        a: Article,
        page: PageRecord,
        location: tuple[str, int, int] | None,
        size: int,
        prepared: Prepared,
    ) -> None:
        if self.next_id is None:
            row = self.store.db.execute("SELECT max(id) FROM articles").fetchone()
            self.next_id = int(row[0] or 0) + 1
        article_id = self.next_id
        self.next_id += 1
        stamp = page.fetched_at or now_iso()
        key = search_key(iso(a.published_at), article_id)
        row = self.store._article_row(site_id, a, prepared.content_hash)
        row.update(first_seen_at=stamp, fetched_at=stamp, changed_at=stamp, revision=1)
        row.update(changed_run=self.store.run_id, id=article_id, search_key=key)
        self.articles.append(tuple(row.values()))
        for pos, name in enumerate(a.authors):
            self.authors.append((article_id, self._lookup("authors", None, name), pos))
        for table, names in (("categories", a.categories), ("tags", a.tags)):
            for pos, name in enumerate(names):
                self.terms[table].append((article_id, self._lookup(table, site_id, name), pos))
        self.links += [
            (article_id, kind, url, title, pos)
            for pos, (kind, url, title) in enumerate(link_triples(a))
        ]
        self.search.append((key, prepared.search_title, prepared.search_body))
        self.stories.append((article_id, prepared.fingerprint))
        file, offset, length = location or (None, None, None)
        self.pages.append(
            (page.url, site_id, article_id, page.final_url, page.status, page.content_type,
             page.encoding, page.etag, page.last_modified, page.fetched_at or stamp, size,
             None, file, offset, length)
        )  # fmt: skip
        self.columns = tuple(row)

    def flush(self) -> None:
        """Write the rows gathered so far."""
        if not self.articles:
            return
        conn = self.store.db.conn
        columns = self.columns
        conn.executemany(
            f"INSERT INTO articles ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
            self.articles,
        )
        conn.executemany(
            "INSERT OR IGNORE INTO article_authors (article_id, author_id, position)"
            " VALUES (?, ?, ?)",
            self.authors,
        )
        for table, join, column in (
            ("categories", "article_categories", "category_id"),
            ("tags", "article_tags", "tag_id"),
        ):
            conn.executemany(
                f"INSERT OR IGNORE INTO {join} (article_id, {column}, position) VALUES (?, ?, ?)",
                self.terms[table],
            )
        conn.executemany(
            "INSERT INTO links (article_id, kind, url, title, position) VALUES (?, ?, ?, ?, ?)",
            self.links,
        )
        conn.executemany(
            "INSERT INTO articles_fts (rowid, title, body) VALUES (?, ?, ?)", self.search
        )
        conn.executemany(IMPACT_INSERT, [row for s in self.search for row in impact_rows(*s)])
        conn.executemany(
            "INSERT OR REPLACE INTO pages (url, site_id, article_id, final_url, status,"
            " content_type, encoding, etag, last_modified, fetched_at, size, html, warc_file,"
            " warc_offset, warc_length) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            self.pages,
        )
        for article_id, found in self.stories:  # in order, as save_article would
            self.store.cluster_article(article_id, found, computed=True)
        self.clear()
