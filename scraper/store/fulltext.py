"""The full-text index: each article's key in it, and the search planner over it."""

from __future__ import annotations

import contextlib
import math
import sqlite3
from datetime import date
from typing import Any

from .._exceptions import StoreError
from ..ranking import IMPACT_FLOOR, impacts, proven, single_term, term_factor
from ..search import BM25_WEIGHTS, QueryError, best_snippet, index_columns, parse
from .database import Database
from .query import Filters, QueryMixin, date_bound

#: Searches matching more articles than this rank the most recently published ones.
RANK_WINDOW = 10_000


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


_KEY_EPOCH = date(1900, 1, 1)

IMPACT_INSERT = (
    "INSERT OR REPLACE INTO search_impacts (term, impact, key, weight, length)"
    " VALUES (?, ?, ?, ?, ?)"
)

#: Impact-list entries a one-word search reads at most before it scores every match instead.
IMPACT_READ_LIMIT = 20_000


def impact_rows(key: int, title: str, body: str) -> list[tuple[str, float, int, int, int]]:
    """The ``search_impacts`` rows of the article indexed under ``key`` with these columns."""
    return [(term, impact, key, w, length) for term, impact, w, length in impacts(title, body)]


def _quoted(term: str) -> str:
    """An index term as an FTS5 string (index terms hold letters and digits only)."""
    return f'"{term}"'


def fill_impacts(db: Database) -> int:
    """Write ``search_impacts`` again from what ``articles_fts`` holds (its columns as
    written: nothing is folded or stemmed again); returns the number of articles read.
    The rows are gathered in a temporary table and written in the list's order: written
    article by article, each would land on another page of the table."""
    db.execute("DELETE FROM search_impacts")
    db.execute("DROP TABLE IF EXISTS temp.impacts_fill")
    db.execute("CREATE TEMP TABLE impacts_fill (term, impact, key, weight, length)")
    cursor = db.conn.execute("SELECT id, c0, c1 FROM articles_fts_content")
    count = 0
    while batch := cursor.fetchmany(2000):
        rows = [row for key, title, body in batch for row in impact_rows(key, title, body)]
        db.conn.executemany("INSERT INTO temp.impacts_fill VALUES (?, ?, ?, ?, ?)", rows)
        count += len(batch)
    db.execute(
        "INSERT OR REPLACE INTO search_impacts (term, impact, key, weight, length)"
        " SELECT term, impact, key, weight, length FROM temp.impacts_fill"
        " ORDER BY term, impact, key"
    )
    db.execute("DROP TABLE temp.impacts_fill")
    return count


def _varints(blob: bytes) -> list[int]:
    """The varints of an FTS5 record (SQLite's format: 7 bits a byte, big-endian, the
    ninth byte whole)."""
    out, i = [], 0
    while i < len(blob):
        value = 0
        for j in range(9):
            byte = blob[i]
            i += 1
            if j == 8:
                value = (value << 8) | byte
                break
            value = (value << 7) | (byte & 0x7F)
            if not byte & 0x80:
                break
        out.append(value)
    return out


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


class FulltextMixin(QueryMixin):
    """Searching the archive, and rebuilding its index."""

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
        min_quality: float | None = None,
    ) -> list[dict[str, Any]]:
        """Articles matching ``query`` (see :mod:`scraper.search` for the syntax), best first
        (bm25, title weighted over body), each with a highlighted snippet of its text.

        bm25 costs about 0.9 µs per matching article, so when more than ``window`` articles
        match, the ``window`` most recently published of them are ranked (each hit then says
        ``capped``): one pass over the index, newest first, scoring as it reads.
        ``window=None`` ranks every match. Equal scores: the newer article first.
        ``since``/``until`` work by day. Snippets are cut for the hits returned only."""
        try:
            parsed = parse(query)
        except QueryError as exc:
            raise StoreError(f"bad search query {query!r}: {exc}") from exc
        # Dates are rowid ranges of the index (search_key); categories and tags a set of
        # article ids checked in Python (cheaper per row than an SQL IN list); site and
        # language are read from a small covering index of articles.
        article_id = f"(articles_fts.rowid & {_ID_MASK})"
        where, params = self._filter_sql(Filters(site, language, min_quality=min_quality))
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
            if site or language or min_quality is not None
            else ""
        )
        base = f"FROM articles_fts{join} WHERE " + " AND ".join(conditions + where)
        args += params
        # FTS5's rank is bm25 with our weights (see _configure_indexes); named explicitly so
        # that, with filters, only the rows that pass them are scored.
        weights = ", ".join(str(w) for w in BM25_WEIGHTS)
        scored = f"SELECT articles_fts.rowid AS key, bm25(articles_fts, {weights}) AS score {base}"
        capped = False
        try:
            if window:
                # One pass over the index, newest first (it is in publication order): the
                # `window` most recent matches (and one more, to know there are more) are
                # scored as they are read, then sorted. No count, no second evaluation of
                # the query: a phrase is checked once per article.
                recent = self.db.execute(
                    f"WITH recent AS MATERIALIZED ({scored}"
                    " ORDER BY articles_fts.rowid DESC LIMIT ?)"
                    " SELECT key, score, (SELECT count(*) FROM recent) FROM"
                    " (SELECT key, score FROM recent ORDER BY key DESC LIMIT ?)"
                    " ORDER BY score, key DESC LIMIT ? OFFSET ?",
                    [*args, window + 1, window, limit, offset],
                ).fetchall()
                capped = bool(recent) and recent[0][2] > window
                ranked = [(key, score) for key, score, _ in recent]
            else:
                term = None if len(args) > 1 or wanted is not None else single_term(parsed)
                best = None if term is None else self._rank_by_impacts(term, limit + offset)
                if best is not None:
                    ranked = best[offset : offset + limit]
                else:
                    ranked = self.db.execute(
                        f"{scored} ORDER BY score, key DESC LIMIT ? OFFSET ?",
                        [*args, limit, offset],
                    ).fetchall()
        except sqlite3.OperationalError as exc:
            raise StoreError(f"bad search query {query!r}: {exc}") from exc
        if not ranked:
            return []
        # Which of the shown articles match in the body column (subtitle and body): only
        # those are scanned for a snippet; the others matched in the title alone. Not asked
        # for prefixes: FTS5 would merge the lists of every matching term a second time.
        keys = [key for key, _ in ranked]
        in_text = {key & _ID_MASK for key in keys}
        # (A column filter FTS5 refused would leave them all to be scanned.)
        with contextlib.suppress(sqlite3.OperationalError):
            if not parsed.prefixes:
                in_text = {
                    key & _ID_MASK
                    for (key,) in self.db.execute(
                        "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?"
                        f" AND rowid IN ({','.join('?' * len(keys))})",
                        [f"{{body}} : ({parsed.match})", *keys],
                    )
                }
        ranked = [(key & _ID_MASK, score) for key, score in ranked]
        marks_sql = ",".join("?" * len(ranked))
        rows = {
            r["id"]: r
            for r in self.db.query(
                "SELECT a.id, a.url, a.title, a.subtitle, a.published_at, a.language, a.body,"
                " a.quality, s.name AS site FROM articles a JOIN sites s ON s.id = a.site_id"
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
                    "quality": row["quality"],
                    # from the body, or the subtitle when only it matches
                    "snippet": best_snippet(
                        [body, row["subtitle"]], parsed, marks=marks, scan=article_id in in_text
                    ),
                    "capped": capped,
                }
            )
        return hits

    def _index_totals(self) -> tuple[int, float]:
        """(articles, average length in index terms) of ``articles_fts``, from FTS5's own
        record of them: what its bm25 uses."""
        row = self.db.execute("SELECT block FROM articles_fts_data WHERE id = 1").fetchone()
        numbers = _varints(row[0]) if row and row[0] else []
        if not numbers or numbers[0] == 0:
            return 0, 0.0
        return numbers[0], sum(numbers[1:]) / numbers[0]

    def _rank_by_impacts(self, term: str, count: int) -> list[tuple[int, float]] | None:
        """The best ``count`` articles for one index term, (key, bm25 score) as FTS5 ranks
        them (score, then newer first), read from the term's impact list; None when the list
        cannot prove them (the caller then scores every match). See :mod:`scraper.ranking`."""
        rows, avgdl = self._index_totals()
        if rows == 0 or count <= 0:
            return None
        read: list[tuple[float, int]] = []  # (factor, key)
        chunk = 4 * count + 64
        while len(read) < IMPACT_READ_LIMIT:
            batch = self.db.execute(
                "SELECT impact, key, weight, length FROM search_impacts WHERE term = ?"
                " ORDER BY impact DESC, key DESC LIMIT ? OFFSET ?",
                [term, chunk, len(read)],
            ).fetchall()
            read += [(term_factor(w, length, avgdl), key) for _, key, w, length in batch]
            ended = len(batch) < chunk
            if len(read) >= count:
                kth = sorted((f for f, _ in read), reverse=True)[count - 1]
                if proven(kth, IMPACT_FLOOR if ended else batch[-1][0], avgdl):
                    return self._scored(term, read, rows, count)
            if ended:
                return None
            chunk *= 4
        return None

    def _scored(
        self, term: str, read: list[tuple[float, int]], rows: int, count: int
    ) -> list[tuple[int, float]]:
        """The best ``count`` of ``read`` with FTS5's bm25 score: -(idf * factor), the idf
        from the number of articles with the term, as FTS5 computes it."""
        hits = self.db.execute(
            "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ?", [_quoted(term)]
        ).fetchone()[0]
        idf = math.log((rows - hits + 0.5) / (hits + 0.5))
        if idf <= 0.0:
            idf = 1e-6
        scored = [(-1.0 * (0.0 + idf * factor), key) for factor, key in read]
        scored.sort(key=lambda item: (item[0], -item[1]))
        return [(key, score) for score, key in scored[:count]]

    def rebuild_search_index(self, *, plain_too: bool = True) -> int:
        """Re-index every article (after a change of the text analyzer) in ``articles_fts``
        and, when the archive has it and ``plain_too``, ``articles_text``; returns the count."""
        count = 0
        with self.db.atomic():
            self._empty_search_index()
            self.db.execute("UPDATE articles SET search_key = NULL")
            cursor = self.db.conn.execute(
                "SELECT id, published_at, title, subtitle, body FROM articles"
            )
            while batch := cursor.fetchmany(500):
                keys = [(search_key(p, i), i) for i, p, *_ in batch]
                self.db.conn.executemany("UPDATE articles SET search_key = ? WHERE id = ?", keys)
                columns = [
                    (key, *index_columns(t, s, b))
                    for (key, _), (_, _, t, s, b) in zip(keys, batch, strict=True)
                ]
                self.db.conn.executemany(
                    "INSERT INTO articles_fts (rowid, title, body) VALUES (?, ?, ?)", columns
                )
                count += len(batch)
            self.db.execute("INSERT INTO articles_fts (articles_fts) VALUES ('optimize')")
            fill_impacts(self.db)
            plain = "SELECT 1 FROM sqlite_master WHERE name = 'articles_text'"
            if plain_too and self.db.execute(plain).fetchone():  # mends writes it missed
                self.db.execute("INSERT INTO articles_text (articles_text) VALUES ('rebuild')")
        return count

    def _empty_search_index(self) -> None:
        """``articles_fts`` emptied: dropped and created again as it was, with its settings
        (ranking, automerge; a DELETE would read back and tokenize every row to unlist it:
        0.5 ms an article)."""
        create = self.db.execute(
            "SELECT sql FROM sqlite_master WHERE name = 'articles_fts'"
        ).fetchone()[0]
        settings = self.db.execute(
            "SELECT k, v FROM articles_fts_config WHERE k != 'version'"
        ).fetchall()
        self.db.execute("DROP TABLE articles_fts")
        self.db.execute(create)
        for key, value in settings:
            self.db.execute(
                "INSERT INTO articles_fts (articles_fts, rank) VALUES (?, ?)", [key, value]
            )
