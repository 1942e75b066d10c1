"""Writing articles: the article row, its revisions, its raw page and its relations
(authors, categories, tags, links), in one transaction per article; and re-extraction's
writes over kept pages."""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from .._exceptions import StoreError
from ..article import Article
from ..clean import valid_fields
from ..search import index_columns
from ..sketch import Fingerprint, fingerprint
from ..text import indexed
from .connection import now_iso
from .frontier import finish_url
from .fulltext import IMPACT_INSERT, FulltextMixin, impact_rows, search_key
from .stories import StoriesMixin


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
    fingerprint: Fingerprint | None = None  # the body's shingles and keys (story clusters)


def prepare(article: Article, page: PageRecord | None = None) -> Prepared:
    """The derived values of ``article`` (and ``page``) for :meth:`Store.save_article`;
    ``article``'s text is made valid first (:mod:`scraper.clean`), in place."""
    valid_fields(article)
    if page is not None:
        valid_fields(page)  # its headers: what a server sent
    body_form = indexed(article.body)  # folded and stemmed once, for the index and the sketch
    title, body = index_columns(article.title, article.subtitle, article.body, body_form=body_form)
    html = zlib.compress(page.content, 6) if page is not None else None
    found = fingerprint(article.body, form=body_form)
    return Prepared(content_hash(article), title, body, html, found)


def content_hash(a: Article) -> str:
    """What counts as a change: title, subtitle, body, dates, categories and tags."""
    payload = json.dumps(
        [
            a.title,
            a.subtitle,
            a.body,
            iso(a.published_at),
            iso(a.modified_at),
            a.categories,
            a.tags,
        ],
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def link_triples(a: Article) -> list[tuple[str, str, str | None]]:
    """(kind, url, title) of every link an article's row in ``links`` keeps, in order."""
    triples: list[tuple[str, str, str | None]] = [(x.kind, x.url, x.title) for x in a.related]
    triples += [
        (kind, url, None) for kind, url in (("next", a.next_url), ("prev", a.prev_url)) if url
    ]
    triples += [("translation", url, lang) for lang, url in a.translations.items()]
    return triples


def _provenance_json(a: Article) -> str:
    return json.dumps(a.provenance, ensure_ascii=False, sort_keys=True)


def _extras_of(a: Article) -> tuple[Any, ...]:
    row = (
        a.language, a.image, a.date_source, a.date_raw, a.next_url, a.prev_url, a.credit,
        a.credit_raw,
    )  # fmt: skip
    return (
        (*row, _provenance_json(a), a.quality),
        tuple(a.authors),
        tuple(link_triples(a)),
    )


class ArticlesMixin(FulltextMixin, StoriesMixin):
    """Pages and articles: what a crawl or a re-extraction writes, and the kept pages."""

    def page_validators(
        self, url: str, *, dated_by: str | None = None
    ) -> tuple[str | None, str | None]:
        """(ETag, Last-Modified) of the stored page, for a conditional GET. None when
        ``dated_by`` (a listing's date source) is not yet the stored article's date source:
        the page must be read again, a 304 would keep the old dates. None too when the
        page's article is not in the archive (deleted since): a 304 would archive nothing."""
        row = self.db.execute(
            "SELECT p.etag, p.last_modified, a.date_source FROM pages p"
            " JOIN articles a ON a.id = p.article_id WHERE p.url = ?",
            [url],
        ).fetchone()
        if row is None or (dated_by is not None and row[2] != dated_by):
            return None, None
        return row[0], row[1]

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
        if prepared is None:
            derived = prepare(article, page)  # which makes their text valid
        else:  # as prepare() did (what extract() returns is valid already)
            valid_fields(article)
            if page is not None:
                valid_fields(page)
            derived = prepared
        stamp = (page.fetched_at if page else None) or now_iso()
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
                # Provenance and quality are this extraction's, as the content is.
                self.db.execute(
                    "UPDATE articles SET fetched_at = ?, date_source = ?, date_raw = ?,"
                    " provenance = ?, quality = ? WHERE id = ?",
                    [
                        stamp,
                        article.date_source,
                        article.date_raw,
                        _provenance_json(article),
                        article.quality,
                        article_id,
                    ],
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
                self.cluster_article(article_id, derived.fingerprint, computed=True)
            if page is not None:
                self._upsert_page(site_id, page, article_id, derived.page_html)
            if frontier_url:
                finish_url(self.db, frontier_url, "done", None)
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
            self.cluster_article(page.article_id)
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
            "published_at": iso(a.published_at),
            "published_utc": a.published_utc,
            "modified_at": iso(a.modified_at),
            "date_source": a.date_source,
            "date_raw": a.date_raw,
            "body": a.body,
            "image": a.image,
            "word_count": a.word_count,
            "content_hash": digest,
            "next_url": a.next_url,
            "prev_url": a.prev_url,
            "credit": a.credit,
            "credit_raw": a.credit_raw,
            "provenance": _provenance_json(a),
            "quality": a.quality,
        }

    def _insert_article(self, site_id: int, a: Article, digest: str, stamp: str) -> int:
        row = self._article_row(site_id, a, digest)
        row.update(first_seen_at=stamp, fetched_at=stamp, changed_at=stamp, revision=1)
        row["changed_run"] = self.run_id
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
            row["changed_run"] = self.run_id  # None for a re-extraction
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
                for pos, (kind, url, title) in enumerate(link_triples(a))
            ],
        )

    def _extras(self, article_id: int) -> tuple[Any, ...]:
        """What an article has outside its content hash, as stored (compare: ``_extras_of``)."""
        row = self.db.execute(
            "SELECT language, image, date_source, date_raw, next_url, prev_url, credit,"
            " credit_raw, provenance, quality FROM articles WHERE id = ?",
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
                conn.execute("DELETE FROM search_impacts WHERE key = ?", [old[0]])
        key = search_key(iso(a.published_at), article_id)
        conn.execute("UPDATE articles SET search_key = ? WHERE id = ?", [key, article_id])
        if prepared is not None:
            columns = (prepared.search_title, prepared.search_body)
        else:
            columns = index_columns(a.title, a.subtitle, a.body)
        conn.execute(
            "INSERT INTO articles_fts (rowid, title, body) VALUES (?, ?, ?)", [key, *columns]
        )
        conn.executemany(IMPACT_INSERT, impact_rows(key, *columns))

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

    def page_html(self, url: str) -> bytes | None:
        row = self.db.execute("SELECT html FROM pages WHERE url = ?", [url]).fetchone()
        return zlib.decompress(row[0]) if row and row[0] is not None else None

    def article_pages(self, site: str | None = None, batch: int = 100) -> Iterator[StoredPage]:
        """Kept pages that produced an article (for re-extraction), in batches: bounded memory."""
        for page, (html,) in self._kept_pages("p.html IS NOT NULL", ("p.html",), site, batch):
            yield replace(page, content=zlib.decompress(html))

    def _kept_pages(
        self, where: str, columns: tuple[str, ...], site: str | None, batch: int
    ) -> Iterator[tuple[StoredPage, tuple[Any, ...]]]:
        """Article pages matching ``where`` (of ``site``, or all), paged by rowid, each as a
        :class:`StoredPage` without content and the values of the extra ``columns``."""
        last = 0
        site_sql = " AND s.name = ?" if site else ""
        extra = [site.lower().removeprefix("www.")] if site else []
        wanted = "".join(f", {c}" for c in columns)
        while True:
            rows = self.db.execute(
                "SELECT p.rowid, p.url, p.final_url, p.fetched_at, a.id, a.url, s.id, s.name,"
                f" s.profile, a.published_at, a.modified_at, a.date_source, a.date_raw{wanted}"
                " FROM pages p JOIN articles a ON a.id = p.article_id"
                " JOIN sites s ON s.id = a.site_id"
                f" WHERE p.rowid > ? AND {where}{site_sql} ORDER BY p.rowid LIMIT ?",
                [last, *extra, batch],
            ).fetchall()
            if not rows:
                return
            for r in rows:
                page = StoredPage(
                    url=r[1], final_url=r[2], fetched_at=r[3], content=b"", article_id=r[4],
                    article_url=r[5], site_id=r[6], site=r[7], profile=r[8],
                    published_at=r[9], modified_at=r[10], date_source=r[11], date_raw=r[12],
                )  # fmt: skip
                yield page, tuple(r[13:])
            last = rows[-1][0]
