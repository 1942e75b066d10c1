"""Read-only queries of the reading room (``scraper serve``) and of ``scraper stats --plot``.

The SQL the web pages need beyond :class:`~scraper.store.Store`'s own readers (``record``,
``history``, ``search``, ``day_counts``): an article's page metadata, which linked URLs are
archived, the choices of the search form. Every function takes a :class:`Store`; inside
Datasette that is a :class:`ConnectionStore` over Datasette's own (read-only) connection, so
the pages share its threads and connections.
"""

from __future__ import annotations

import sqlite3
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlite_utils

from ..scope import section_prefix
from . import Store


class ConnectionStore(Store):
    """A :class:`Store` over a connection someone else opened and owns (Datasette's).

    Nothing is migrated or configured: the archive was opened by ``scraper`` before (``scraper
    serve`` migrates it first), and Datasette's connections are read-only."""

    def __init__(self, conn: sqlite3.Connection, path: str | Path = "") -> None:
        self.path = Path(path)
        self.db = sqlite_utils.Database(conn, recursive_triggers=False, execute_plugins=False)

    def close(self) -> None:
        """The connection is its owner's to close."""


@dataclass(frozen=True)
class Linked:
    """A URL an article links to, and the archived article at that URL (if any)."""

    url: str
    title: str | None  # anchor text (for a translation: its language code)
    article_id: int | None = None
    article_title: str | None = None
    language: str | None = None


def article_page(store: Store, article_id: int) -> dict[str, Any] | None:
    """Everything the article page shows: the record (``Store.record``) plus ``date_raw``,
    ``changed_at``, ``raw_page`` (URL of the stored page, or None), and the links as
    :class:`Linked` under ``related``, ``next``, ``prev`` and ``translations`` (other language
    editions: the links the page declares, and archived articles that declare this one)."""
    record = store.record(article_id)
    if record is None:
        return None
    extra = store.db.execute(
        "SELECT date_raw, changed_at FROM articles WHERE id = ?", [article_id]
    ).fetchone()
    page = store.db.execute(
        "SELECT url FROM pages WHERE article_id = ? AND html IS NOT NULL"
        " ORDER BY fetched_at DESC LIMIT 1",
        [article_id],
    ).fetchone()
    links = store.db.execute(
        "SELECT kind, url, title FROM links WHERE article_id = ? ORDER BY position, id",
        [article_id],
    ).fetchall()
    # editions that point at this one (a page may only declare the link one way)
    back = store.db.execute(
        "SELECT a.url, a.language FROM links l JOIN articles a ON a.id = l.article_id"
        " WHERE l.kind = 'translation' AND l.url = ? AND a.id != ?",
        [record["url"], article_id],
    ).fetchall()
    targets = archived(store, [r[1] for r in links] + [r[0] for r in back])

    def linked(url: str, title: str | None) -> Linked:
        hit = targets.get(url)
        if hit is None:
            return Linked(url, title)
        return Linked(url, title, hit["id"], hit["title"], hit["language"])

    by_kind: dict[str, list[Linked]] = {"related": [], "next": [], "prev": [], "translations": []}
    not_articles = known_non_articles(store, [u for k, u, _ in links if k == "translation"])
    seen_editions = {u for u in not_articles if u not in targets}  # only articles are editions
    for kind, url, title in links:
        if kind in ("related", "inline_related"):
            by_kind["related"].append(linked(url, title))
        elif kind in ("next", "prev"):
            by_kind[kind].append(linked(url, title))
        elif kind == "translation" and url != record["url"] and url not in seen_editions:
            seen_editions.add(url)
            by_kind["translations"].append(linked(url, title))
    for url, language in back:
        if url not in seen_editions:
            seen_editions.add(url)
            by_kind["translations"].append(linked(url, language))
    for kind, field in (("next", "next_url"), ("prev", "prev_url")):
        if not by_kind[kind] and record.get(field):
            by_kind[kind].append(linked(record[field], None))
    return {
        **record,
        "date_raw": extra[0] if extra else None,
        "changed_at": extra[1] if extra else None,
        "raw_page": page[0] if page else None,
        **by_kind,
    }


def known_non_articles(store: Store, urls: list[str]) -> set[str]:
    """Those of ``urls`` that are not articles: a site's root or an edition's home (``/fr/``)
    and pages the crawl read as a home, section or listing, or found not to be an article."""
    out = {u for u in urls if section_prefix(u) is None}
    rest = [u for u in dict.fromkeys(urls) if u not in out]
    for i in range(0, len(rest), 500):
        chunk = rest[i : i + 500]
        marks = ",".join("?" * len(chunk))
        rows = store.db.execute(
            f"SELECT url FROM frontier WHERE url IN ({marks}) AND (kind IN"
            " ('home', 'section', 'listing') OR last_error = 'not an article page')",
            chunk,
        )
        out.update(r[0] for r in rows)
    return out


def archived(store: Store, urls: list[str]) -> dict[str, dict[str, Any]]:
    """url -> {id, title, language} of the archived articles among ``urls``."""
    out: dict[str, dict[str, Any]] = {}
    unique = list(dict.fromkeys(u for u in urls if u))
    for i in range(0, len(unique), 500):
        chunk = unique[i : i + 500]
        marks = ",".join("?" * len(chunk))
        for row in store.db.execute(
            f"SELECT url, id, title, language FROM articles WHERE url IN ({marks})", chunk
        ):
            out[row[0]] = {"id": row[1], "title": row[2], "language": row[3]}
    return out


def raw_page(store: Store, article_id: int) -> tuple[str, bytes, str | None, str | None] | None:
    """The stored page an article was extracted from: (url, decompressed body, Content-Type,
    encoding), or None when no page is kept."""
    row = store.db.execute(
        "SELECT url, html, content_type, encoding FROM pages"
        " WHERE article_id = ? AND html IS NOT NULL ORDER BY fetched_at DESC LIMIT 1",
        [article_id],
    ).fetchone()
    if row is None:
        return None
    return row[0], zlib.decompress(row[1]), row[2], row[3]


def search_choices(store: Store, *, tags: int = 300) -> dict[str, list[str]]:
    """The values offered by the search form: sites, languages, sections (category names,
    most used first) and the ``tags`` most used tags."""

    def names(sql: str) -> list[str]:
        return [r[0] for r in store.db.execute(sql) if r[0]]

    return {
        "sites": names("SELECT name FROM sites ORDER BY name"),
        "languages": names(
            "SELECT language FROM articles WHERE language IS NOT NULL"
            " GROUP BY language ORDER BY count(*) DESC"
        ),
        "sections": names(
            "SELECT c.name FROM categories c JOIN article_categories x ON x.category_id = c.id"
            " GROUP BY c.name ORDER BY count(*) DESC, c.name"
        ),
        "tags": names(
            "SELECT t.name FROM tags t JOIN article_tags x ON x.tag_id = t.id"
            f" GROUP BY t.name ORDER BY count(*) DESC, t.name LIMIT {int(tags)}"
        ),
    }


def sections_of(store: Store, article_ids: list[int]) -> dict[int, str]:
    """article id -> its main section (category at position 0)."""
    if not article_ids:
        return {}
    marks = ",".join("?" * len(article_ids))
    rows = store.db.execute(
        "SELECT x.article_id, c.name FROM article_categories x"
        f" JOIN categories c ON c.id = x.category_id WHERE x.article_id IN ({marks})"
        " AND x.position = 0",
        article_ids,
    )
    return {r[0]: r[1] for r in rows}
