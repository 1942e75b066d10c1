"""Pages kept in WARC files rather than in the archive, and what a backfill has read of
each file (``scraper.backfill``): saving a capture, reading a page row back, the progress
committed with each batch, and the pages re-extraction reads from their WARC files."""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .._exceptions import StoreError
from ..article import Article
from .articles import ArticlesMixin, PageRecord, Prepared, StoredPage
from .connection import now_iso


@dataclass(frozen=True)
class WarcPage:
    """A kept article page whose raw bytes are in a WARC file (``StoredPage.content`` empty)."""

    page: StoredPage
    file: str
    offset: int
    length: int


class WarcMixin(ArticlesMixin):
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
        older than the stored version of its article changes nothing: ``"stale"``."""
        if not article.url:
            raise StoreError("an article needs a URL")
        with self.db.atomic():
            row = self.db.execute(
                "SELECT fetched_at FROM articles WHERE url = ?", [article.url]
            ).fetchone()
            if row is not None and page.fetched_at and row[0] > page.fetched_at:
                return "stale"
            outcome = self.save_article(site_id, article, page, prepared=prepared)
            if not page.content:
                self.db.execute(
                    "UPDATE pages SET html = NULL, size = ?, warc_file = ?, warc_offset = ?,"
                    " warc_length = ? WHERE url = ?",
                    [size, *(location or (None, None, None)), page.url],
                )
        return outcome

    def site_rows(self) -> list[dict[str, Any]]:
        """Every site: name, base_url, profile, timezone (for ``scraper import``)."""
        rows = self.db.execute("SELECT name, base_url, profile, timezone FROM sites ORDER BY id")
        return [
            dict(zip(("name", "base_url", "profile", "timezone"), r, strict=True)) for r in rows
        ]

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
