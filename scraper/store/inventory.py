"""What each site declares it has, and what the audit reads of it against the archive.

Crawls record every URL a sitemap, feed, REST page or listing gives (:meth:`declare`), with
the section whose listing gave it and the dates the declaration carries, and the totals a
site announces (:meth:`declare_total`). :mod:`scraper.report.audit` reads them back with what
became of each URL (:meth:`declared_urls`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from .connection import StoreBase, now_iso

SECTION_SEPARATOR = "\x1f"


@dataclass(frozen=True, slots=True)
class Declared:
    """One URL a site lists: where, in which section ('' when the list names none), dated how."""

    url: str
    source: str  # sitemap|feed|rest|listing
    declared_on: str | None = None
    section: str = ""
    published: str | None = None
    lastmod: str | None = None


@dataclass(frozen=True, slots=True)
class DeclaredUrl:
    """A declared URL with what the frontier and the archive hold of it."""

    url: str
    sections: tuple[str, ...]  # the sections whose listings gave it (none: no listing did)
    source: str
    published: str | None
    lastmod: str | None
    state: str | None  # frontier state; None when never queued
    last_error: str | None
    attempts: int
    article_published: str | None  # the archived article's publication date
    article_id: int | None
    kind: str | None = None  # the frontier's kind of page (article, home, section, ...)


class InventoryMixin(StoreBase):
    """The inventory's writes (the crawl's) and reads (the audit's)."""

    def declare(self, site_id: int, entries: Iterable[Declared]) -> None:
        """Record declared URLs: new ones added, known ones seen again (their newest
        ``lastmod`` and first known publication date kept)."""
        stamp = now_iso()
        rows = [
            (e.url, site_id, e.section, e.source, e.declared_on, e.published, e.lastmod, stamp)
            for e in entries
        ]
        if not rows:
            return
        with self.db.atomic():
            self.db.conn.executemany(
                "INSERT INTO inventory (url, site_id, section, source, declared_on, published,"
                " lastmod, first_seen, last_seen) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)"
                " ON CONFLICT(url, section) DO UPDATE SET last_seen = excluded.last_seen,"
                " published = coalesce(inventory.published, excluded.published),"
                " lastmod = CASE WHEN excluded.lastmod > coalesce(inventory.lastmod, '')"
                " THEN excluded.lastmod ELSE inventory.lastmod END",
                rows,
            )

    def declare_totals(
        self, site_id: int, totals: Iterable[tuple[str, int]], url: str, source: str = "rest"
    ) -> None:
        """Record how many posts the site says it has: ``(section, total)`` pairs, section
        '' for the whole site."""
        stamp = now_iso()
        with self.db.atomic():
            self.db.conn.executemany(
                "INSERT OR REPLACE INTO declared_totals (site_id, section, source, total, url,"
                " seen_at) VALUES (?, ?, ?, ?, ?, ?)",
                [(site_id, section, source, total, url, stamp) for section, total in totals],
            )

    def declared_totals(self, site_id: int) -> list[dict[str, Any]]:
        return [
            dict(r)
            for r in self.db.query(
                "SELECT section, source, total, url, seen_at FROM declared_totals"
                " WHERE site_id = ? ORDER BY section, source",
                [site_id],
            )
        ]

    def declared_urls(self, site_id: int) -> Iterator[DeclaredUrl]:
        """Every URL the site declared, with its frontier state and archived article."""
        sql = (
            "SELECT i.url, group_concat(nullif(i.section, ''), char(31)), min(i.source),"
            " max(i.published), max(i.lastmod), f.state, f.last_error, coalesce(f.attempts, 0),"
            " a.published_at, a.id, f.kind FROM inventory i"
            " LEFT JOIN frontier f ON f.url = i.url LEFT JOIN articles a ON a.url = i.url"
            " WHERE i.site_id = ? GROUP BY i.url ORDER BY i.url"
        )
        for row in self.db.conn.execute(sql, [site_id]):
            url, sections, source, published, lastmod, *rest = row
            names = tuple(sorted(set(sections.split(SECTION_SEPARATOR)))) if sections else ()
            yield DeclaredUrl(url, names, source, published, lastmod, *rest)

    def article_sections(self, site_id: int) -> dict[int, list[str]]:
        """Each archived article's categories, in page order."""
        out: dict[int, list[str]] = {}
        rows = self.db.conn.execute(
            "SELECT x.article_id, c.name FROM article_categories x"
            " JOIN categories c ON c.id = x.category_id WHERE c.site_id = ?"
            " ORDER BY x.article_id, x.position",
            [site_id],
        )
        for article_id, name in rows:
            out.setdefault(article_id, []).append(name)
        return out

    def undeclared_articles(self, site_id: int) -> int:
        """Archived articles no declaration lists (found through links, or backfilled)."""
        row = self.db.execute(
            "SELECT count(*) FROM articles a WHERE a.site_id = ?"
            " AND NOT EXISTS (SELECT 1 FROM inventory i WHERE i.url = a.url)",
            [site_id],
        ).fetchone()
        return int(row[0])

    def declarations(self, site_id: int) -> dict[str, list[tuple[Any, ...]]]:
        """What the audit knows of a site beyond its articles, to carry into another archive
        (``scraper import``): its inventory, announced totals, and the frontier rows of URLs
        not archived (failed, skipped, waiting, with their reasons)."""
        inventory = self.db.execute(
            "SELECT url, section, source, declared_on, published, lastmod, first_seen,"
            " last_seen FROM inventory WHERE site_id = ?",
            [site_id],
        ).fetchall()
        totals = self.db.execute(
            "SELECT section, source, total, url, seen_at FROM declared_totals WHERE site_id = ?",
            [site_id],
        ).fetchall()
        frontier = self.db.execute(
            "SELECT url, kind, state, priority, depth, found_on, attempts, last_error, lastmod,"
            " added_at, updated_at FROM frontier f WHERE site_id = ? AND state != 'done'"
            " AND NOT EXISTS (SELECT 1 FROM articles a WHERE a.url = f.url)",
            [site_id],
        ).fetchall()
        return {"inventory": inventory, "totals": totals, "frontier": frontier}

    def add_declarations(self, site_id: int, found: dict[str, list[tuple[Any, ...]]]) -> None:
        """Merge :meth:`declarations` of another archive into this one's site ``site_id``:
        inventory rows seen again keep the earliest first and latest last sighting; a URL
        this archive's frontier knows keeps its own state."""
        with self.db.atomic():
            self.db.conn.executemany(
                "INSERT INTO inventory (url, site_id, section, source, declared_on, published,"
                " lastmod, first_seen, last_seen) VALUES (?1, ?9, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
                " ON CONFLICT(url, section) DO UPDATE SET"
                " first_seen = min(inventory.first_seen, excluded.first_seen),"
                " last_seen = max(inventory.last_seen, excluded.last_seen),"
                " published = coalesce(inventory.published, excluded.published),"
                " lastmod = max(coalesce(inventory.lastmod, ''), coalesce(excluded.lastmod, ''))",
                [(*row, site_id) for row in found.get("inventory", [])],
            )
            self.db.conn.executemany(
                "INSERT INTO declared_totals (section, source, total, url, seen_at, site_id)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(site_id, section, source) DO UPDATE SET"
                " total = excluded.total, url = excluded.url, seen_at = excluded.seen_at"
                " WHERE excluded.seen_at > declared_totals.seen_at",
                [(*row, site_id) for row in found.get("totals", [])],
            )
            self.db.conn.executemany(
                "INSERT INTO frontier (url, kind, state, priority, depth, found_on, attempts,"
                " last_error, lastmod, added_at, updated_at, site_id) VALUES"
                " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(url) DO NOTHING",
                [(*row, site_id) for row in found.get("frontier", [])],
            )

    def bounded_listings(self, site_id: int) -> dict[str, int]:
        """Listing, REST and sitemap pages a trap bound kept the crawl from reading, by bound
        (what they list is not in the inventory)."""
        rows = self.db.execute(
            "SELECT last_error, count(*) FROM frontier WHERE site_id = ? AND state = 'skipped'"
            " AND kind NOT IN ('article', 'link') AND last_error LIKE 'trap bound%'"
            " GROUP BY last_error",
            [site_id],
        )
        return {reason.removeprefix("trap bound").strip(): n for reason, n in rows.fetchall()}

    def last_run_window(self, site_id: int) -> tuple[str | None, str | None]:
        """The since/until window of the site's last crawl of everything (None, None: no
        window); runs that read declarations only or fetched given URLs do not count."""
        rows = self.db.execute(
            "SELECT options FROM crawl_runs WHERE site_id = ? ORDER BY id DESC", [site_id]
        )
        for (text,) in rows:
            try:
                options = json.loads(text) if text else {}
            except ValueError:
                continue
            if isinstance(options, dict) and not (
                options.get("declarations_only") or options.get("urls")
            ):
                return options.get("since"), options.get("until")
        return None, None
