"""The archive's schema: ``schema.sql`` (documented in ``docs/schema.md``) and its migrations.

The schema is versioned with ``PRAGMA user_version``. Opening an older archive runs the steps
in :data:`MIGRATIONS` and then ``schema.sql`` (whose statements all say IF NOT EXISTS) in one
transaction, so a migration is applied entirely or not at all.
"""

from __future__ import annotations

import logging
import re
import sqlite3
from collections.abc import Callable, Iterator
from importlib import resources

from .._exceptions import StoreError
from ..search import BM25_WEIGHTS
from .database import Database
from .fulltext import FulltextMixin, fill_impacts

log = logging.getLogger(__name__)

#: A migration that rebuilds the search index says so first from this many articles on.
LOUD_REINDEX = 10_000

SCHEMA_VERSION = 21

#: FTS5's automerge for both indexes (FTS5's default is 4): how many segments of one size an
#: index gathers before merging them into one of the next size. Each word's entry is rewritten
#: once per level, so 16 writes it about half as often (log16 against log4 of the index) for a
#: few more segments a query looks up. Measured at 1M articles (one article per transaction,
#: ``save_article``): 5.0 -> 3.4 CPU-ms an article; README's Measuring section has the queries.
FTS_AUTOMERGE = 16


class OlderSchema(StoreError):
    """An archive opened read-only has another schema version than this scraper's."""


def schema_sql() -> str:
    """The text of ``schema.sql``: every table, view and index, each column described."""
    return resources.files(__package__ or "scraper.store").joinpath("schema.sql").read_text("utf-8")


def _statements(script: str) -> Iterator[str]:
    buffer = ""
    for line in script.splitlines(keepends=True):
        if line.lstrip().startswith("--"):
            continue
        buffer += line
        if sqlite3.complete_statement(buffer):
            yield buffer.strip()
            buffer = ""


def _migrate_to_2(db: Database) -> bool:
    """1 -> 2: a search index of light stems (clitic search) keyed by publication date
    (articles.search_key), its delete trigger, the article_list view, more indexes.
    schema.sql creates the new objects afterwards."""
    db.execute("DROP TABLE IF EXISTS articles_fts")
    for index in ("articles_language", "article_categories_category", "article_tags_tag"):
        db.execute(f"DROP INDEX IF EXISTS {index}")  # recreated with more columns
    db.execute("ALTER TABLE articles ADD COLUMN search_key INTEGER")
    return True  # the search index must be rebuilt (it also fills search_key)


def _migrate_to_3(db: Database) -> bool:
    """2 -> 3: the frontier keeps the dates the WordPress REST API listed for a URL."""
    for column in ("listed_published", "listed_modified", "listed_raw", "listed_source"):
        db.execute(f"ALTER TABLE frontier ADD COLUMN {column} TEXT")
    return False


def _migrate_to_4(db: Database) -> bool:
    """3 -> 4: the article_list view gains authors and month (facets of the reading room);
    schema.sql recreates it."""
    db.execute("DROP VIEW IF EXISTS article_list")
    return False


def _migrate_to_5(db: Database) -> bool:
    """4 -> 5: crawl runs count the pages skipped by choice (robots.txt, scope)."""
    db.execute("ALTER TABLE crawl_runs ADD COLUMN skipped INTEGER NOT NULL DEFAULT 0")
    return False


def _migrate_to_6(db: Database) -> bool:
    """5 -> 6: a page may live in a WARC file (pages.warc_file/offset/length, html NULL);
    schema.sql then creates warc_progress (what a backfill has read of each file)."""
    for column, kind in (("warc_file", "TEXT"), ("warc_offset", "INTEGER")):
        db.execute(f"ALTER TABLE pages ADD COLUMN {column} {kind}")
    db.execute("ALTER TABLE pages ADD COLUMN warc_length INTEGER")
    return False


#: published_at values that carry a UTC offset (or Z): their instant is known.
_WITH_OFFSET = "published_at GLOB '*T*[+-][0-9][0-9]:[0-9][0-9]' OR published_at GLOB '*T*Z'"


def _migrate_to_7(db: Database) -> bool:
    """6 -> 7: articles.published_utc, published_at in UTC (NULL without an offset), and
    articles.changed_run, the crawl run that archived the content (NULL for older rows)."""
    db.execute("ALTER TABLE articles ADD COLUMN published_utc TEXT")
    db.execute("ALTER TABLE articles ADD COLUMN changed_run INTEGER")
    db.execute(
        "UPDATE articles SET published_utc = strftime('%Y-%m-%dT%H:%M:%S+00:00', published_at)"
        f" WHERE {_WITH_OFFSET}"
    )
    return False


def _migrate_to_9(db: Database) -> bool:
    """8 -> 9: sites.hosts (other hosts the site was found to live on) and
    sites.timezone_source (how sites.timezone was learned). Idempotent: a column that exists
    is left alone, so branches adding their own steps merge in any order."""
    present = {row[1] for row in db.execute("PRAGMA table_info(sites)").fetchall()}
    for column in ("hosts", "timezone_source"):
        if column not in present:
            db.execute(f"ALTER TABLE sites ADD COLUMN {column} TEXT")
    return False


def _migrate_to_10(db: Database) -> bool:
    """-> 10: crawl_runs records every run that writes the archive: ``kind`` (crawl, backfill,
    import, reextract) and a ``site_id`` that may be NULL (a run over several sites). SQLite
    cannot drop a NOT NULL, so the table is rebuilt from its own definition without it (its
    other columns, whatever steps added them, as they are); skipped when it has ``kind``
    already (idempotent: branches merge in any order)."""
    columns = [row[1] for row in db.execute("PRAGMA table_info(crawl_runs)").fetchall()]
    if "kind" in columns:
        return False
    create = db.execute("SELECT sql FROM sqlite_master WHERE name = 'crawl_runs'").fetchone()[0]
    nullable = re.sub(r"(site_id\s+INTEGER)\s+NOT\s+NULL", r"\1", create, count=1, flags=re.I)
    if nullable != create:
        db.execute("DROP INDEX IF EXISTS crawl_runs_site")  # schema.sql creates it again
        db.execute("ALTER TABLE crawl_runs RENAME TO crawl_runs_before_10")
        db.execute(nullable)
        names = ", ".join(columns)
        db.execute(f"INSERT INTO crawl_runs ({names}) SELECT {names} FROM crawl_runs_before_10")
        db.execute("DROP TABLE crawl_runs_before_10")
    db.execute("ALTER TABLE crawl_runs ADD COLUMN kind TEXT NOT NULL DEFAULT 'crawl'")
    return False


def _migrate_to_11(db: Database) -> bool:
    """-> 11: articles.provenance (where each field came from, JSON) and articles.quality
    (the extraction's quality estimate); NULL for articles archived before (a re-extraction
    fills them). Idempotent: a column another branch's step already added is left alone."""
    columns = {row[1] for row in db.execute("PRAGMA table_info(articles)").fetchall()}
    for column, kind in (("provenance", "TEXT"), ("quality", "REAL")):
        if column not in columns:
            db.execute(f"ALTER TABLE articles ADD COLUMN {column} {kind}")
    return False


def _migrate_to_12(db: Database) -> bool:
    """-> 12: articles.credit and credit_raw (the agency a story credits); schema.sql then
    creates story_members and story_keys (story clusters), empty until ``scraper stories
    --rebuild``. Idempotent (other branches may bring 9-11 in any order)."""
    have = {row[1] for row in db.execute("PRAGMA table_info(articles)").fetchall()}
    for column in ("credit", "credit_raw"):
        if column not in have:
            db.execute(f"ALTER TABLE articles ADD COLUMN {column} TEXT")
    return False


def _migrate_to_15(db: Database) -> bool:
    """-> 15: crawl_runs.collection_run, the collection run a site's run was part of;
    schema.sql then creates collection_runs. Idempotent (the column may be there)."""
    columns = {row[1] for row in db.execute("PRAGMA table_info(crawl_runs)")}
    if "collection_run" not in columns:
        db.execute("ALTER TABLE crawl_runs ADD COLUMN collection_run INTEGER")
    return False


#: The objects of the plain-text index (``articles_text``, for sqlite-utils and Datasette).
PLAIN_INDEX_OBJECTS = (
    "articles_text",
    "articles_text_insert",
    "articles_text_delete",
    "articles_text_update",
)


def _created(statement: str) -> str | None:
    """The name of what a ``CREATE ... IF NOT EXISTS name`` statement creates."""
    found = re.match(r"CREATE\s+(?:VIRTUAL\s+)?\w+\s+IF\s+NOT\s+EXISTS\s+(\w+)", statement)
    return found.group(1) if found else None


def _has(db: Database, name: str) -> bool:
    return db.execute("SELECT 1 FROM sqlite_master WHERE name = ?", [name]).fetchone() is not None


def _create_plain_index(db: Database) -> None:
    """Create ``articles_text`` and its triggers (from ``schema.sql``) and fill it from the
    articles: its triggers keep it in step from then on."""
    for statement in _statements(schema_sql()):
        if _created(statement) in PLAIN_INDEX_OBJECTS:
            db.execute(statement)
    db.execute("INSERT INTO articles_text (articles_text) VALUES ('rebuild')")


def _migrate_to_16(db: Database) -> bool:
    """-> 16: ``articles_text``, a full-text index of the text as written that sqlite-utils'
    ``search`` and Datasette's table search find (``content="articles"``), with the triggers
    keeping it in step, filled from the articles. Idempotent: one that has it is left alone."""
    if not _has(db, "articles_text"):
        _create_plain_index(db)
    return False


# SQLite divides integers toward zero; a week is floored, as sketch.week_of() does.
_WEEK_SQL = "CASE WHEN day >= 0 THEN day / 7 ELSE (day - 6) / 7 END"


def _migrate_to_17(db: Database) -> bool:
    """-> 17: story_keys ordered by publication week first (``week``, then key, day,
    article): an article's lookups and inserts touch the pages of the weeks around its date,
    not pages all over the index. The keys are copied in their new order, not recomputed.
    Skipped when there is no story_keys yet (schema.sql creates it) or it has ``week``."""
    columns = {row[1] for row in db.execute("PRAGMA table_info(story_keys)")}
    if not columns or "week" in columns:
        return False
    db.execute("ALTER TABLE story_keys RENAME TO story_keys_before_17")
    create = "CREATE TABLE IF NOT EXISTS story_keys "
    db.execute(next(s for s in _statements(schema_sql()) if s.startswith(create)))
    db.execute(
        f"INSERT INTO story_keys (week, key, day, article_id) SELECT {_WEEK_SQL}, key, day,"
        f" article_id FROM story_keys_before_17 ORDER BY 1, 2, 3, 4"
    )
    db.execute("DROP TABLE story_keys_before_17")
    return False


def _migrate_to_18(db: Database) -> bool:
    """-> 18: ``articles_fts`` also holds each two adjacent words as one pair term, which
    phrases are searched by (``search.with_pairs``): the index is rebuilt."""
    return True


def _migrate_to_19(db: Database) -> bool:
    """-> 19: both indexes merge their segments 16 at a time (:data:`FTS_AUTOMERGE`), set by
    ``_configure_indexes`` after every migration; nothing to rebuild, the existing segments
    are merged under the new setting as writes go on."""
    return False


def _migrate_to_20(db: Database) -> bool:
    """-> 20: ``search_impacts``, the impact lists a one-word search ranks from
    (:mod:`scraper.ranking`); ``schema.sql`` creates it, and ``SchemaMixin._migrate`` fills
    it from the index's columns as written (unless the index is rebuilt, which fills it)."""
    return False


#: version -> step bringing an archive of the previous version to it; returns whether the
#: search index must be rebuilt. Run in one transaction, before schema.sql.
MIGRATIONS: dict[int, Callable[[Database], bool]] = {
    2: _migrate_to_2,
    3: _migrate_to_3,
    4: _migrate_to_4,
    5: _migrate_to_5,
    6: _migrate_to_6,
    7: _migrate_to_7,
    9: _migrate_to_9,
    10: _migrate_to_10,
    11: _migrate_to_11,
    12: _migrate_to_12,
    15: _migrate_to_15,
    16: _migrate_to_16,
    17: _migrate_to_17,
    18: _migrate_to_18,
    19: _migrate_to_19,
    20: _migrate_to_20,
}


class SchemaMixin(FulltextMixin):
    """Creating the schema of a new archive, migrating an older one."""

    @property
    def schema_version(self) -> int:
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    def _announce(self, version: int, work: str, per_minute: int) -> None:
        """A warning before a long step of a migration (``work``, about ``per_minute``
        articles a minute), so that a big archive's first open after an upgrade is not taken
        for a hang."""
        count = self.db.execute("SELECT count(*) FROM articles").fetchone()[0]
        if count >= LOUD_REINDEX:
            log.warning(
                "%s: schema %d -> %d %s of %s articles once (about %d min); the archive is"
                " unchanged until it ends",
                self.path,
                version,
                SCHEMA_VERSION,
                work,
                f"{count:,}",
                max(1, round(count / per_minute)),
            )

    def _check_archive(self) -> None:
        """For a file opened read-only: :class:`StoreError` unless it is an archive of this
        version (nothing is created or migrated in it)."""
        try:
            version = self.schema_version
            tables = {r[0] for r in self.db.execute("SELECT name FROM sqlite_master")}
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path} is not a scraper archive: {exc}") from None
        if version == 0 or not {"articles", "sites", "pages"} <= tables:
            raise StoreError(f"{self.path} is not a scraper archive (no archive tables)")
        if version != SCHEMA_VERSION:
            raise OlderSchema(
                f"{self.path} has schema {version}; this scraper reads {SCHEMA_VERSION}"
            )

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
            # An archive of version 16 or later without articles_text had it turned off.
            skip = PLAIN_INDEX_OBJECTS if version >= 16 and not self.plain_index else ()
            reindex = False
            for target in range(version + 1, SCHEMA_VERSION + 1):
                if version > 0 and target in MIGRATIONS:
                    reindex |= MIGRATIONS[target](self.db)
            for statement in _statements(schema_sql()):
                if _created(statement) not in skip:
                    self.db.execute(statement)
            if reindex:  # about 1 ms an article, the plain index aside
                self._announce(version, "rebuilds the search index", 50_000)
                # articles_text: kept in step by its triggers since 16, filled by the step to 16
                self.rebuild_search_index(plain_too=False)
            elif 0 < version < 21:  # 1,000,000 articles: 191-219 s (185-203 CPU-s) at 1.9
                self._announce(version, "builds the search index's impact lists", 250_000)
                fill_impacts(self.db)  # 21: the lists' floor rose (ranking.IMPACT_FLOOR)
            self._configure_indexes()
            self.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            conn.execute("COMMIT")
        except BaseException as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.DatabaseError):
                action = "migrate" if version else "create the schema of"
                raise StoreError(f"cannot {action} the archive {self.path}: {exc}") from exc
            raise

    @property
    def plain_index(self) -> bool:
        """Whether the archive has ``articles_text``, the index sqlite-utils' ``search`` and
        Datasette's table search use (on by default; see :meth:`set_plain_index`)."""
        return _has(self.db, "articles_text")

    def set_plain_index(self, enabled: bool) -> bool:
        """Turn ``articles_text`` (and its triggers) on, filled from the articles, or off,
        dropped; returns whether anything changed. Off saves its size and its share of each
        article's write (``benchmarks/plain_index.py``); the scraper's own search
        (``articles_fts``) is the same either way, and a later migration keeps it off."""
        if enabled == self.plain_index:
            return False
        with self.db.atomic():
            if enabled:
                _create_plain_index(self.db)
                self._configure_indexes()
            else:
                for name in reversed(PLAIN_INDEX_OBJECTS):
                    kind = "TABLE" if name == "articles_text" else "TRIGGER"
                    self.db.execute(f"DROP {kind} IF EXISTS {name}")
        return True

    def _configure_indexes(self) -> None:
        """Make FTS5's ``rank`` column bm25 with our column weights (title over the rest), in
        both indexes (sqlite-utils' ``search`` orders by ``rank``), and set their automerge
        (:data:`FTS_AUTOMERGE`)."""
        title, text = BM25_WEIGHTS
        for table, weights in (
            ("articles_fts", BM25_WEIGHTS),
            ("articles_text", (title, text, text)),
        ):
            if table == "articles_text" and not self.plain_index:
                continue
            rank = "bm25({})".format(", ".join(str(w) for w in weights))
            row = self.db.execute(f"SELECT v FROM {table}_config WHERE k = 'rank'").fetchone()
            if row is None or row[0] != rank:
                self.db.execute(f"INSERT INTO {table} ({table}, rank) VALUES ('rank', ?)", [rank])
            row = self.db.execute(f"SELECT v FROM {table}_config WHERE k = 'automerge'").fetchone()
            if row is None or row[0] != FTS_AUTOMERGE:
                self.db.execute(
                    f"INSERT INTO {table} ({table}, rank) VALUES ('automerge', ?)", [FTS_AUTOMERGE]
                )
