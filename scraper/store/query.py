"""Reading the archive: records, an article's history, the counts behind the statistics,
and the filters (site, language, category, tag, dates) they share with search."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from .._config import day_bound
from .._exceptions import StoreError, UsageError
from ..article import RECORD_FIELDS, RELATED_KINDS, build_record, utc_text
from ..text import fold
from ..urls import page_variants
from .connection import StoreBase

__all__ = ["RECORD_FIELDS", "REVISION_FIELDS", "Filters", "QueryMixin", "date_bound"]

#: The fields of a revision row (``scraper export --revisions``), in order: every version of an
#: article, the current one included (``current`` true). ``seen_from``: the first fetch that saw
#: it; ``replaced_at``: when a newer version replaced it (None for the current one);
#: ``fetched_at``: the last fetch that saw it; ``content_hash``: SHA-256 of its content.
REVISION_FIELDS = (
    "article_id",
    "revision",
    "current",
    "url",
    "site",
    "language",
    "title",
    "subtitle",
    "published_at",
    "published_utc",
    "modified_at",
    "modified_utc",
    "section",
    "categories",
    "tags",
    "body",
    "word_count",
    "content_hash",
    "seen_from",
    "replaced_at",
    "fetched_at",
)


MAX_ROWID = 2**63 - 1  # the largest id SQLite stores


#: Category and tag filters whose article ids a connection keeps (a set of 140,000 ids is
#: ~8 MB).
TAGGED_CACHE = 4


@dataclass(frozen=True)
class Filters:
    """Which articles a search, an export or the stats look at (``None``: any).

    ``category`` and ``tag`` match names folded like search text (اقتصاد = إقتصاد);
    ``language`` 'ar' also matches 'ar-MA'; ``since``/``until`` are dates (YYYY, YYYY-MM,
    YYYY-MM-DD, or an ISO datetime) compared with the local date of ``published_at``,
    both ends included. ``min_quality`` keeps the articles whose quality estimate is at
    least that (0-1; an article without an estimate, archived before version 11, is left
    out).
    """

    site: str | None = None
    language: str | None = None
    category: str | None = None
    tag: str | None = None
    since: str | None = None
    until: str | None = None
    min_quality: float | None = None


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
      FROM links WHERE article_id = a.id AND kind IN ({})
      ORDER BY position)) AS related_json,
    (SELECT story_id FROM story_members WHERE article_id = a.id) AS story_id""".format(
    ", ".join(f"'{k}'" for k in RELATED_KINDS)
)


def _record(row: dict[str, Any]) -> dict[str, Any]:
    """The record of a row of ``articles a JOIN sites s`` with :data:`_RECORD_LISTS`."""
    lists = ("authors", "categories", "tags", "related")
    values = row | {name: json.loads(row[f"{name}_json"]) for name in lists}
    values["provenance"] = json.loads(row["provenance"]) if row.get("provenance") else None
    return build_record(values)


def _revision(row: dict[str, Any], seen_from: str | None) -> dict[str, Any]:
    """A row of :meth:`QueryMixin.revision_records` in :data:`REVISION_FIELDS`."""
    categories = json.loads(row["categories"] or "[]")
    body = row["body"] or ""
    out = {
        **row,
        "current": bool(row["current"]),
        "categories": categories,
        "tags": json.loads(row["tags"] or "[]"),
        "body": body,
        "section": categories[0] if categories else None,
        "published_utc": utc_text(row["published_at"]),
        "modified_utc": utc_text(row["modified_at"]),
        "word_count": len(body.split()),
        "seen_from": seen_from,
    }
    return {name: out[name] for name in REVISION_FIELDS}


_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def date_bound(value: str, *, end: bool, day: bool = False) -> str:
    """A comparable bound for ``published_at``: '2025-11' starts at '2025-11' and, as an
    end, stops before '2025-12'. ISO datetimes are used as given (an end includes them).
    With ``day``, the bound is a full date: the first day, or the day after the end."""
    value = value.strip()
    try:
        day_bound(value, end=end)  # the one date grammar, with its message
    except UsageError as exc:
        raise StoreError(str(exc)) from None
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


# The fields of an article that a revision keeps.
_VERSION_FIELDS = (
    "title",
    "subtitle",
    "published_at",
    "modified_at",
    "categories",
    "tags",
    "body",
)


class QueryMixin(StoreBase):
    """Reading articles: records, histories, counts; the filters' SQL."""

    def record(self, key: int | str) -> dict[str, Any] | None:
        """One article in the record format, by id or URL. A URL is canonicalized and may
        differ from the archived one by its trailing slash, a leading ``www.`` or its scheme
        (the differences a site's own redirects settle: :func:`~scraper.urls.same_page`)."""
        if isinstance(key, int):
            row = self.db.execute("SELECT id FROM articles WHERE id = ?", [key]).fetchone()
        else:
            row = None
            for url in page_variants(key):
                row = self.db.execute("SELECT id FROM articles WHERE url = ?", [url]).fetchone()
                if row:
                    break
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
        changed_since: int | str | None = None,
        min_quality: float | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Articles in the record format, oldest first; streams (constant memory).

        ``changed_since``: only the articles whose content was archived or changed (a new
        revision, a re-extraction) by a crawl run after run ``changed_since`` (an id, or its
        digits), or after it ended; or on or after a date (UTC)."""
        filters = Filters(site, language, category, tag, since, until, min_quality)
        where, params = self._filter_sql(filters)
        if changed_since is not None:
            clause, values = self._changed_since(changed_since)
            where.append(clause)
            params += values
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

    def revision_records(
        self, filters: Filters | None = None, changed_since: int | str | None = None
    ) -> Iterator[dict[str, Any]]:
        """Every version of every article (``filters``, ``changed_since`` as for
        :meth:`records`, on the article), by article id then revision; streams. Each a dict
        of :data:`REVISION_FIELDS`, the versions :meth:`history` lists."""
        where, params = self._filter_sql(filters or Filters())
        if changed_since is not None:
            clause, values = self._changed_since(changed_since)
            where.append(clause)
            params += values
        cond = " WHERE " + " AND ".join(where) if where else ""
        head = "a.id AS article_id, a.url, s.name AS site, a.language, a.first_seen_at"
        sql = (
            f"SELECT {head}, r.revision, 0 AS current, r.title, r.subtitle, r.published_at,"
            " r.modified_at, r.categories, r.tags, r.body, r.content_hash, r.fetched_at,"
            " r.replaced_at, NULL AS changed_at"
            " FROM revisions r JOIN articles a ON a.id = r.article_id"
            f" JOIN sites s ON s.id = a.site_id{cond}"
            f" UNION ALL SELECT {head}, a.revision, 1, a.title, a.subtitle, a.published_at,"
            " a.modified_at, (SELECT json_group_array(name) FROM (SELECT c.name FROM"
            " article_categories x JOIN categories c ON c.id = x.category_id"
            " WHERE x.article_id = a.id ORDER BY x.position)),"
            " (SELECT json_group_array(name) FROM (SELECT t.name FROM article_tags x"
            " JOIN tags t ON t.id = x.tag_id WHERE x.article_id = a.id ORDER BY x.position)),"
            " a.body, a.content_hash, a.fetched_at, NULL, a.changed_at"
            f" FROM articles a JOIN sites s ON s.id = a.site_id{cond}"
            " ORDER BY article_id, revision"
        )
        cursor = self.db.conn.execute(sql, params + params)
        names = [d[0] for d in cursor.description]
        article, since = None, None
        for values in cursor:
            row = dict(zip(names, values, strict=True))
            if row["article_id"] != article:  # an article's first version
                article, since = row["article_id"], row["first_seen_at"]
            elif row["current"]:
                since = row["changed_at"] or since
            yield _revision(row, since)
            since = row["replaced_at"]

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

    def day_counts(
        self, *, by_section: bool, filters: Filters | None = None
    ) -> Iterator[tuple[str, str, str | None, str, int]]:
        """(site, language, section, local day, articles) for dated articles, sorted.

        With ``by_section`` an article counts once, in its section: its main category, the
        first on its page (section '' when it has none), as ``article_list.section``;
        without, ``section`` is None."""
        where, params = self._filter_sql(filters or Filters())
        where.append("a.published_at IS NOT NULL")
        section = "coalesce(c.name, '')" if by_section else "NULL"
        joins = (
            " LEFT JOIN article_categories x ON x.article_id = a.id AND x.position = 0"
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

    def offset_dates(self, site_id: int, limit: int) -> list[datetime]:
        """Up to ``limit`` publication dates of the site's articles that carry a UTC offset,
        newest first (what a site's time zone is learned from)."""
        rows = self.db.execute(
            "SELECT published_at FROM articles WHERE site_id = ? AND ("
            "published_at GLOB '*T*[+-][0-9][0-9]:[0-9][0-9]' OR published_at GLOB '*T*Z')"
            " ORDER BY published_at DESC LIMIT ?",
            [site_id, limit],
        )
        out = []
        for (value,) in rows:
            try:
                out.append(datetime.fromisoformat(value.replace("Z", "+00:00")))
            except ValueError:
                continue
        return out

    def has_articles(self, site_id: int) -> bool:
        """True when the archive holds at least one article of the site."""
        sql = "SELECT 1 FROM articles WHERE site_id = ? LIMIT 1"
        return self.db.execute(sql, [site_id]).fetchone() is not None

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
        return {t: self.db.count(t) for t in tables}

    def low_quality_counts(
        self, threshold: float, filters: Filters | None = None
    ) -> dict[tuple[str, str], int]:
        """Articles whose quality estimate is below ``threshold``, per (site, language)."""
        where, params = self._filter_sql(filters or Filters())
        where.append("a.quality < ?")
        rows = self.db.execute(
            "SELECT s.name, coalesce(a.language, ''), count(*) FROM articles a"
            " JOIN sites s ON s.id = a.site_id WHERE " + " AND ".join(where) + " GROUP BY 1, 2",
            [*params, threshold],
        ).fetchall()
        return {(r[0], r[1]): r[2] for r in rows}

    def low_quality(
        self, threshold: float, *, site: str | None = None, limit: int | None = None
    ) -> list[dict[str, Any]]:
        """The articles whose quality estimate is below ``threshold``, worst first: id, url,
        site, title, quality, word_count and where the body came from."""
        where, params = self._filter_sql(Filters(site=site))
        where.append("a.quality < ?")
        sql = (
            "SELECT a.id, a.url, s.name AS site, a.title, a.quality, a.word_count,"
            " json_extract(a.provenance, '$.body') AS body_source"
            " FROM articles a JOIN sites s ON s.id = a.site_id WHERE "
            + " AND ".join(where)
            + " ORDER BY a.quality, a.id"
            + (" LIMIT ?" if limit is not None else "")
        )
        args = [*params, threshold] + ([limit] if limit is not None else [])
        return [dict(r) for r in self.db.query(sql, args)]

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

    def no_offset_counts(self, filters: Filters | None = None) -> dict[tuple[str, str], int]:
        """Articles whose publication date has no known UTC offset (a local time the site
        gave without one, its zone unknown), per (site, language)."""
        where, params = self._filter_sql(filters or Filters())
        where.append("a.published_at IS NOT NULL AND a.published_utc IS NULL")
        rows = self.db.execute(
            "SELECT s.name, coalesce(a.language, ''), count(*) FROM articles a"
            " JOIN sites s ON s.id = a.site_id WHERE " + " AND ".join(where) + " GROUP BY 1, 2",
            params,
        )
        return {(r[0], r[1]): r[2] for r in rows}

    def _tagged_ids(self, category: str | None, tag: str | None) -> frozenset[int] | None:
        """Ids of the articles in ``category`` and with ``tag`` (names folded), or None when
        neither is asked for. Kept for the next searches on this connection until the
        archive changes (its own writes or another connection's commits): a section of
        140,000 articles takes ~20 ms to read, and an analyst filtering by a section tries
        query after query in it."""
        if not category and not tag:
            return None
        version = (self.db.conn.total_changes, self.db.execute("PRAGMA data_version").fetchone()[0])
        cache = self.__dict__.setdefault("_tagged_cache", {})
        found = cache.get((category, tag))
        if found is not None and found[0] == version:
            return found[1]
        ids = frozenset(self._read_tagged_ids(category, tag) or ())
        cache.pop((category, tag), None)
        cache[(category, tag)] = (version, ids)
        while len(cache) > TAGGED_CACHE:
            del cache[next(iter(cache))]  # the oldest
        return ids

    def _read_tagged_ids(self, category: str | None, tag: str | None) -> set[int] | None:
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

    def sites(self) -> dict[str, str]:
        """name -> base URL of every site in the archive."""
        rows = self.db.execute("SELECT name, base_url FROM sites ORDER BY name").fetchall()
        return {name: base for name, base in rows}

    def check_site(self, name: str) -> str:
        """The archive's name for site ``name`` (``www.`` and case ignored), or
        :class:`UsageError` naming the sites there are."""
        key = name.strip().lower().removeprefix("www.")
        known = self.sites()
        if key not in known:
            listed = ", ".join(known) or "none yet"
            raise UsageError(f"no site named {name!r}; sites: {listed}")
        return key

    def runs(self, *, site: str | None = None, limit: int | None = None) -> list[dict[str, Any]]:
        """The runs that wrote the archive, newest first: id, kind (crawl, backfill, import,
        reextract), site (None for a run over several sites), started/finished, status,
        counts, message."""
        where, params = "", []
        if site:
            where, params = " WHERE s.name = ?", [self.check_site(site)]
        sql = (
            "SELECT r.id, r.kind, s.name AS site, r.started_at, r.finished_at, r.status,"
            " r.pages_fetched, r.not_modified, r.articles_new, r.articles_updated,"
            " r.articles_unchanged, r.errors, r.message, r.collection_run"
            f" FROM crawl_runs r LEFT JOIN sites s ON s.id = r.site_id{where}"
            " ORDER BY r.id DESC"
        )
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        cursor = self.db.conn.execute(sql, params)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor]

    def _changed_since(self, since: int | str) -> tuple[str, list[Any]]:
        """The WHERE clause of ``changed_since``: a run id (exact: ``changed_run``; content
        without one, from a re-extraction or an older archive, by time, to the second), or
        a date."""
        if isinstance(since, int) or str(since).strip().isdigit():
            digits = str(since).strip()
            if len(digits) > 19 or int(digits) > MAX_ROWID:  # no id SQLite can hold
                raise UsageError(f"no crawl run {digits[:30]} (not a run id)")
            run = int(digits)
            row = self.db.execute(
                "SELECT coalesce(finished_at, started_at) FROM crawl_runs WHERE id = ?", [run]
            ).fetchone()
            if row is None:
                first, last = self.db.execute("SELECT min(id), max(id) FROM crawl_runs").fetchone()
                known = f"runs: {first}-{last}" if first else "no crawl run yet"
                raise UsageError(f"no crawl run {run} ({known})")
            clause = "(a.changed_run > ? OR (a.changed_run IS NULL AND a.changed_at >= ?))"
            return clause, [run, row[0]]
        return "a.changed_at >= ?", [day_bound(str(since), end=False, what="changed_since")]

    def _filter_sql(self, f: Filters, article_id: str = "a.id") -> tuple[list[str], list[Any]]:
        """WHERE clauses (on ``articles a``; categories and tags on the ``article_id``
        expression) and their parameters for ``f``."""
        where: list[str] = []
        params: list[Any] = []
        if f.site:
            where.append("a.site_id IN (SELECT id FROM sites WHERE name = ?)")
            params.append(self.check_site(f.site))
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
        if f.min_quality is not None:
            where.append("a.quality >= ?")
            params.append(f.min_quality)
        return where, params
