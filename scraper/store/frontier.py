"""The frontier: URLs waiting to be fetched, claimed by workers, finished with a state.

The store keeps the frontier as plain data: which URLs, of what :class:`PageKind`, in which
state. *When* an archived URL is read again is the crawl's decision (``scraper.crawler``); the
frontier only applies it (:meth:`Frontier.requeue`, the ``reread`` rule of :meth:`Frontier.add`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from enum import StrEnum
from typing import Any

import sqlite_utils

from .connection import StoreBase, now_iso


class PageKind(StrEnum):
    """What a frontier URL is expected to be. The values are the frontier's ``kind`` column."""

    HOME = "home"  # the home page of a language edition
    SECTION = "section"  # a section (category) named in a home page's menu
    LISTING = "listing"  # a further page of a section, or a listing reached by a link
    SITEMAP = "sitemap"  # an XML sitemap (or sitemap index)
    FEED = "feed"  # an RSS/Atom feed
    REST = "rest"  # a page of the WordPress REST API's post list
    ARTICLE = "article"  # an article found on a listing, a sitemap, a feed or the REST API
    LINK = "link"  # a related / next / previous link of an article


@dataclass(frozen=True)
class FrontierEntry:
    """A URL waiting to be fetched, and what we expect it to be.

    The ``listed_*`` fields are the dates an authoritative listing (the WordPress REST API,
    ``listed_source`` 'rest') gave for the URL: ISO 8601 with the site's offset, and the raw
    values; they win over the dates extraction finds on the page."""

    url: str
    kind: PageKind
    priority: int = 50
    depth: int = 0
    found_on: str | None = None
    lastmod: str | None = None
    listed_published: str | None = None
    listed_modified: str | None = None
    listed_raw: str | None = None
    listed_source: str | None = None

    def __post_init__(self) -> None:
        if type(self.kind) is not PageKind:
            object.__setattr__(self, "kind", PageKind(self.kind))  # ValueError if unknown


@dataclass(frozen=True, slots=True)
class Claim:
    """A frontier URL a worker took (:meth:`Frontier.claim`), with what the
    frontier knows of it. ``attempts`` counts the claims before this one. ``etag`` and
    ``last_modified`` are the stored page's validators for a conditional GET, which the
    crawl adds (``dataclasses.replace``) when it wants one."""

    url: str
    kind: PageKind
    depth: int = 0
    found_on: str | None = None
    attempts: int = 0
    lastmod: str | None = None
    listed_published: str | None = None
    listed_modified: str | None = None
    listed_raw: str | None = None
    listed_source: str | None = None
    etag: str | None = None
    last_modified: str | None = None

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Claim:
        """The claim of a frontier row (the columns of :data:`CLAIM_COLUMNS`)."""
        values = {name: row[name] for name in CLAIM_COLUMNS}
        values["kind"] = PageKind(values["kind"])
        return cls(**values)


#: The frontier columns a claim carries (all its fields but the page validators).
CLAIM_COLUMNS = tuple(f.name for f in fields(Claim) if f.name not in ("etag", "last_modified"))


@dataclass(frozen=True, slots=True)
class Known:
    """A URL the frontier knew before a listing named it again, as the archive holds it then:
    the input of a ``reread`` rule (see :meth:`Frontier.add`)."""

    url: str
    state: str  # pending | active | done | failed | skipped
    listed_published: str | None  # the publication date a listing gave before, if any
    archived: bool  # an article was archived from it
    date_source: str | None  # where that article's stored dates came from
    lastmod: str | None = None  # the latest lastmod a sitemap/feed/REST gave before (UTC)
    modified_at: str | None = None  # the archived article's own modification date
    fetched_at: str | None = None  # when we last fetched the archived article (UTC)


#: The reason a URL cut by a trap bound was skipped with starts so (:meth:`Frontier.skip`).
TRAP_BOUND = "trap bound"

#: The reason a URL dated outside a crawl's ``--since/--until`` window was skipped with starts
#: so, followed by the date in parentheses (:func:`window_reason`): a later run whose window
#: holds that date fetches it (:meth:`Frontier.window_skipped`).
OUTSIDE_WINDOW = "outside the window"


def window_reason(date: str, what: str = "published") -> str:
    """The skip reason of a URL dated ``date`` outside the crawl's window."""
    return f"{OUTSIDE_WINDOW} ({what} {date})"


def window_date(reason: str | None) -> str | None:
    """The date a :func:`window_reason` names; None for any other reason."""
    if not reason or not reason.startswith(OUTSIDE_WINDOW + " (") or not reason.endswith(")"):
        return None
    words = reason[len(OUTSIDE_WINDOW) + 2 : -1].split()
    return words[-1] if words else None


#: Whether a known URL, listed again by ``entry``, must be fetched again.
Reread = Callable[[Known, FrontierEntry], bool]


class Frontier:
    """The crawl's queue, kept in the archive so that a killed crawl resumes: what the crawler
    holds (``Frontier(store)``) to add URLs, claim them, finish, retry and requeue them, and
    count them. Each public method is one transaction on the store's connection (the article
    writes that finish a URL join theirs, see :func:`finish_url`)."""

    def __init__(self, store: StoreBase) -> None:
        self.db = store.db

    def add(
        self,
        site_id: int,
        entries: Iterable[FrontierEntry],
        *,
        revisit: bool = False,
        reread: Reread | None = None,
    ) -> int:
        """Queue URLs not seen before (and, with ``revisit``, finished ones again);
        returns how many were queued.

        An entry's listed dates are recorded whether or not its URL was known (a URL found on
        a listing page first may be listed by the REST API later); each listed column is
        only overwritten by a value, never by NULL. A known URL goes back to pending when
        ``reread(known, entry)`` says so (asked of entries that list a publication date;
        the crawl's rule): it is not counted as queued. A URL a trap bound once cut
        (:meth:`skip`) is queued when offered again."""
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
            else " ON CONFLICT(url) DO UPDATE SET state = 'pending', last_error = NULL,"
            " updated_at = excluded.updated_at WHERE state = 'skipped'"
            f" AND last_error LIKE '{TRAP_BOUND}%'"  # cut by a bound once, allowed now
        )
        with self.db.atomic():
            again: list[tuple[str]] = []
            if reread is not None:  # decided on the rows as they were before this listing
                dated = [e for e in entries if e.listed_published is not None]
                known = self._known([e.url for e in dated])
                again = [(e.url,) for e in dated if e.url in known and reread(known[e.url], e)]
            before = self.db.conn.total_changes
            self.db.conn.executemany(
                "INSERT INTO frontier (url, site_id, kind, priority, depth, found_on, lastmod,"
                " listed_published, listed_modified, listed_raw, listed_source, added_at,"
                " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)" + conflict,
                rows,
            )
            queued = self.db.conn.total_changes - before
            if listed:  # URLs known before: fill or update their listed dates
                self.db.conn.executemany(
                    "UPDATE frontier SET listed_published = coalesce(?1, listed_published),"
                    " listed_modified = coalesce(?2, listed_modified),"
                    " listed_raw = coalesce(?3, listed_raw),"
                    " listed_source = coalesce(?4, listed_source) WHERE url = ?5",
                    listed,
                )
            if again:
                self.db.conn.executemany(
                    "UPDATE frontier SET state = 'pending' WHERE url = ?", again
                )
        return queued

    def _known(self, urls: list[str]) -> dict[str, Known]:
        """What the frontier and the archive hold of those of ``urls`` the frontier knows."""
        known: dict[str, Known] = {}
        for i in range(0, len(urls), 500):
            chunk = urls[i : i + 500]
            rows = self.db.execute(
                "SELECT f.url, f.state, f.listed_published, a.id IS NOT NULL, a.date_source,"
                " f.lastmod, a.modified_at, a.fetched_at"
                " FROM frontier f LEFT JOIN articles a ON a.url = f.url"
                " WHERE f.url IN ({})".format(",".join("?" * len(chunk))),
                chunk,
            )
            for url, state, published, archived, source, *dates in rows:
                known[url] = Known(url, state, published, bool(archived), source, *dates)
        return known

    def known(self, urls: Iterable[str]) -> dict[str, Known]:
        """What the frontier and the archive hold of those of ``urls`` the frontier knows."""
        return self._known(list(urls))

    def claim(
        self,
        site_id: int,
        limit: int = 1,
        *,
        urls: Sequence[str] | None = None,
        skip_kinds: Sequence[str] = (),
        first_kinds: Sequence[str] = (),
    ) -> list[Claim]:
        """Take up to ``limit`` pending URLs (lowest priority number first) and mark them
        active: only those of ``urls`` when given, none of ``skip_kinds``; those of
        ``first_kinds`` before any other (a small trial wants articles, not listings)."""
        where = "site_id = ? AND state = 'pending'"
        params: list[object] = [site_id]
        if urls is not None:
            where += " AND url IN (SELECT value FROM json_each(?))"
            params.append(json.dumps(list(urls)))
        if skip_kinds:
            where += " AND kind NOT IN ({})".format(",".join("?" * len(skip_kinds)))
            params += list(skip_kinds)
        order = "priority, depth, rowid"
        if first_kinds:
            order = "kind NOT IN ({}), ".format(",".join("?" * len(first_kinds))) + order
        with self.db.atomic():
            rows = list(
                self.db.query(
                    f"SELECT {', '.join(CLAIM_COLUMNS)} FROM frontier WHERE {where}"
                    f" ORDER BY {order} LIMIT ?",
                    [*params, *first_kinds, limit],
                )
            )
            self.db.conn.executemany(
                "UPDATE frontier SET state = 'active', attempts = attempts + 1, updated_at = ?"
                " WHERE url = ?",
                [(now_iso(), r["url"]) for r in rows],
            )
        return [Claim.from_row(r) for r in rows]

    def skip(self, site_id: int, url: str, kind: str, reason: str) -> None:
        """Record a URL a trap bound kept out of the queue (``reason`` starts with
        :data:`TRAP_BOUND`), unless already known."""
        stamp = now_iso()
        with self.db.atomic():
            self.db.execute(
                "INSERT INTO frontier (url, site_id, kind, state, last_error, added_at,"
                " updated_at) VALUES (?, ?, ?, 'skipped', ?, ?, ?) ON CONFLICT(url) DO NOTHING",
                [url, site_id, kind, reason, stamp, stamp],
            )

    def skip_many(self, site_id: int, skips: Iterable[tuple[str, str, str]]) -> int:
        """Record ``(url, kind, reason)`` URLs not queued by choice (dated outside the
        window), unless already known; returns how many were recorded."""
        stamp = now_iso()
        rows = [(url, site_id, kind, reason, stamp, stamp) for url, kind, reason in skips]
        with self.db.atomic():
            before = self.db.conn.total_changes
            self.db.conn.executemany(
                "INSERT INTO frontier (url, site_id, kind, state, last_error, added_at,"
                " updated_at) VALUES (?, ?, ?, 'skipped', ?, ?, ?) ON CONFLICT(url) DO NOTHING",
                rows,
            )
            return self.db.conn.total_changes - before

    def window_skipped(self, site_id: int, reason: str = OUTSIDE_WINDOW) -> list[tuple[str, str]]:
        """``(url, reason)`` of the URLs skipped as dated outside a crawl's window (or with
        another ``reason`` prefix)."""
        rows = self.db.execute(
            "SELECT url, last_error FROM frontier WHERE site_id = ? AND state = 'skipped'"
            " AND substr(last_error, 1, length(?)) = ?",
            [site_id, reason, reason],
        )
        return [(url, why) for url, why in rows.fetchall()]

    def release(self, urls: Iterable[str]) -> int:
        """Put skipped ``urls`` back to pending; returns how many were skipped."""
        with self.db.atomic():
            before = self.db.conn.total_changes
            self.db.conn.executemany(
                "UPDATE frontier SET state = 'pending', last_error = NULL, updated_at = ?"
                " WHERE url = ? AND state = 'skipped'",
                [(now_iso(), u) for u in urls],
            )
            return self.db.conn.total_changes - before

    def fail(self, site_id: int, url: str, kind: str, reason: str) -> None:
        """Record a URL whose page could not be read or stored outside a crawl (a WARC
        record in a backfill): failed with ``reason``, so the audit lists it and the next
        crawl of the site fetches it. A URL already archived (``done``) keeps its state."""
        stamp = now_iso()
        with self.db.atomic():
            self.db.execute(
                "INSERT INTO frontier (url, site_id, kind, state, attempts, last_error,"
                " added_at, updated_at) VALUES (?1, ?2, ?3, 'failed', 1, ?4, ?5, ?5)"
                " ON CONFLICT(url) DO UPDATE SET state = 'failed', last_error = ?4,"
                " attempts = frontier.attempts + 1, updated_at = ?5"
                " WHERE frontier.state != 'done'",
                [url, site_id, kind, reason, stamp],
            )

    def finish(self, url: str, state: str, error: str | None = None) -> None:
        with self.db.atomic():
            finish_url(self.db, url, state, error)

    def requeue(
        self,
        site_id: int,
        kinds: Iterable[str] = (),
        states: Iterable[str] = ("active",),
        below: str | None = None,
    ) -> int:
        """Put URLs back to pending: ``active`` ones after a crash, or all of ``kinds``
        (``below``: only URLs starting with it, a section's)."""
        kinds, states = list(kinds), list(states)
        where, params = (
            "site_id = ? AND state IN ({})".format(",".join("?" * len(states))),
            [site_id, *states],
        )
        if below is not None:
            where += " AND substr(url, 1, length(?)) = ?"
            params += [below, below]
        if kinds:
            where += " AND kind IN ({})".format(",".join("?" * len(kinds)))
            params += kinds
        with self.db.atomic():
            cursor = self.db.execute(
                f"UPDATE frontier SET state = 'pending', updated_at = ? WHERE {where}",
                [now_iso(), *params],
            )
        return cursor.rowcount

    def counts(self, site_id: int) -> dict[str, int]:
        rows = self.db.execute(
            "SELECT state, count(*) FROM frontier WHERE site_id = ? GROUP BY state", [site_id]
        )
        return dict(rows.fetchall())

    def state(self, url: str) -> str | None:
        row = self.db.execute("SELECT state FROM frontier WHERE url = ?", [url]).fetchone()
        return row[0] if row else None

    def lastmod(self, changes: Iterable[tuple[str, str]], requeue: Iterable[str] = ()) -> int:
        """Record the latest ``lastmod`` a sitemap/feed/REST gave for each known URL (never
        an older one), and put the ``requeue`` URLs (the crawl's decision) back to pending;
        returns how many were requeued."""
        stamp = now_iso()
        with self.db.atomic():
            self.db.conn.executemany(
                "UPDATE frontier SET lastmod = ?1 WHERE url = ?2"
                " AND (lastmod IS NULL OR lastmod < ?1)",
                [(m, u) for u, m in changes],
            )
            before = self.db.conn.total_changes
            self.db.conn.executemany(
                "UPDATE frontier SET state = 'pending', updated_at = ? WHERE url = ?"
                " AND state IN ('done', 'skipped')",
                [(stamp, u) for u in requeue],
            )
            return self.db.conn.total_changes - before

    def retry(self, urls: Iterable[str]) -> int:
        """Put failed ``urls`` back to pending; returns how many were failed."""
        with self.db.atomic():
            before = self.db.conn.total_changes
            self.db.conn.executemany(
                "UPDATE frontier SET state = 'pending', updated_at = ? WHERE url = ?"
                " AND state = 'failed'",
                [(now_iso(), u) for u in urls],
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


def finish_url(db: sqlite_utils.Database, url: str, state: str, error: str | None) -> None:
    """Set a frontier URL's final state, inside the caller's transaction."""
    db.execute(
        "UPDATE frontier SET state = ?, last_error = ?, updated_at = ? WHERE url = ?",
        [state, error, now_iso(), url],
    )
