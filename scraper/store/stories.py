"""Story clusters in the archive: each article's story (copies of one text across sites and
within a site, and its language editions), kept up to date as articles are archived.

The pure half (fingerprints, thresholds, the verdict on two texts) is
:mod:`scraper.sketch`. Here: ``story_keys`` (each clustered article's sampled shingle
hashes, ordered by publication week, then key: an article reads and writes the pages of the
weeks around its date only) finds candidates; their texts are compared exactly; the article
joins the story of what it matches (a verbatim copy or a rewrite merges the stories it
matches; an excerpt, which matches by containment only, joins the best one), or the story of
an archived edition it links to (``links.kind = 'translation'``) or that links to it; else it
founds its own. Then the story's members are rated against its earliest member of their
language: ``first``, ``verbatim``, ``rewrite``, ``excerpt``, ``edition`` (the earliest of
another language), ``single`` (a story of one).

Writes run inside the caller's transaction (``save_article``), or in batches for a rebuild.
"""

from __future__ import annotations

from array import array
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ..sketch import (
    REWRITE_JACCARD,
    WINDOW_DAYS,
    Fingerprint,
    Match,
    compare,
    day_number,
    fingerprint,
    pack,
    unpack,
    week_of,
    window_weeks,
    worth_comparing,
)
from .connection import StoreBase

__all__ = ["StoriesMixin", "StoryMember", "delay_hours", "member_dict"]

#: Candidates compared exactly per article, the most shared keys first.
MAX_CANDIDATES = 40
#: SQLite page cache (KiB) while a whole archive is clustered (a crawl keeps the default).
REBUILD_CACHE_KIB = 65_536
#: Shingle sets kept in memory (a rebuild compares each article with its recent neighbours),
#: about 2.5 KB each.
CACHE_SIZE = 20_000
# The order of a story's members: publication instant, else first fetch; then id.
_WHEN = "coalesce(a.published_utc, a.published_at, a.first_seen_at)"


@dataclass(frozen=True, slots=True)
class StoryMember:
    """One article of a story, as ``scraper stories``, ``show`` and the reading room list it."""

    article_id: int
    url: str
    site: str
    language: str | None
    title: str | None
    published_at: str | None
    when: str | None
    kind: str
    similarity: float | None
    containment: float | None
    credit: str | None


def _instant(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def delay_hours(first: str | None, then: str | None) -> float | None:
    """Hours from ``first`` to ``then`` (ISO instants), None when either is unknown."""
    a, b = _instant(first), _instant(then)
    if a is None or b is None:
        return None
    return round((b - a).total_seconds() / 3600, 2)


def member_dict(member: StoryMember, first: StoryMember) -> dict[str, Any]:
    """A member of a story, JSON-ready, with its delay after the story's ``first``."""
    return {
        "id": member.article_id,
        "site": member.site,
        "url": member.url,
        "language": member.language,
        "title": member.title,
        "published_at": member.published_at,
        "delay_hours": delay_hours(first.when, member.when),
        "kind": member.kind,
        "similarity": member.similarity,
        "containment": member.containment,
        "credit": member.credit,
    }


class StoriesMixin(StoreBase):
    """Story clustering: assignment at archive time, rebuild, and the reading queries."""

    # ------------------------------------------------------------------ assignment
    def _shingles_of(self, article_id: int) -> frozenset[int] | None:
        """An archived article's shingles (None when too short), from a cache of recent
        ones kept compact (8 bytes a shingle), else from its body."""
        cache = self._shingle_cache()
        if article_id in cache:
            cache.move_to_end(article_id)
            kept = cache[article_id]
            return frozenset(kept) if kept is not None else None
        row = self.db.conn.execute(
            "SELECT body FROM articles WHERE id = ?", [article_id]
        ).fetchone()
        found = fingerprint(row[0]) if row else None
        self._remember(article_id, found)
        return found.shingles if found is not None else None

    def _shingle_cache(self) -> OrderedDict[int, array[int] | None]:
        cache: OrderedDict[int, array[int] | None] = self.__dict__.setdefault(
            "_shingles", OrderedDict()
        )
        return cache

    def _remember(self, article_id: int, found: Fingerprint | None) -> None:
        cache = self._shingle_cache()
        cache[article_id] = array("q", found.shingles) if found is not None else None
        cache.move_to_end(article_id)
        if len(cache) > CACHE_SIZE:
            cache.popitem(last=False)

    def _forget_story(self, article_id: int) -> None:
        """Take an article out of its story (before it is clustered again)."""
        conn = self.db.conn
        row = conn.execute(
            "SELECT day, sketch FROM story_members WHERE article_id = ?", [article_id]
        ).fetchone()
        if row is None:
            return
        week = week_of(row[0])
        conn.executemany(
            "DELETE FROM story_keys WHERE week = ? AND key = ? AND day = ? AND article_id = ?",
            [(week, key, row[0], article_id) for key in unpack(row[1])],
        )
        conn.execute("DELETE FROM story_members WHERE article_id = ?", [article_id])
        self._shingle_cache().pop(article_id, None)

    def cluster_article(
        self, article_id: int, found: Fingerprint | None = None, *, computed: bool = False
    ) -> int:
        """Put an archived article in its story (its fingerprint ``found`` when the caller
        ``computed`` it already); returns the story id. Runs in the caller's transaction."""
        conn = self.db.conn
        row = conn.execute(
            "SELECT a.published_at, a.first_seen_at, a.url, a.body FROM articles a WHERE a.id = ?",
            [article_id],
        ).fetchone()
        if row is None:
            return 0
        self._forget_story(article_id)
        if not computed:
            found = fingerprint(row[3])
        self._remember(article_id, found)
        day = day_number(row[0], row[1])
        strong: set[int] = set()
        weak: list[tuple[float, int]] = []
        if found is not None:
            for _other, story, match in self._matches(article_id, found, day):
                if match.kind in ("verbatim", "rewrite") and match.similarity >= REWRITE_JACCARD:
                    strong.add(story)
                elif match.kind is not None:
                    weak.append((match.containment, story))
        strong |= self._edition_stories(article_id, row[2])
        if not strong and weak:
            strong.add(max(weak)[1])
        story = min(strong) if strong else article_id
        merged = strong - {story}
        if merged:
            marks = ",".join("?" * len(merged))
            conn.execute(
                f"UPDATE story_members SET story_id = ? WHERE story_id IN ({marks})",
                [story, *merged],
            )
        keys = found.keys if found is not None else ()
        conn.execute(
            "INSERT INTO story_members (article_id, story_id, kind, day, sketch)"
            " VALUES (?, ?, 'single', ?, ?)",
            [article_id, story, day, pack(keys) if found is not None else None],
        )
        week = week_of(day)
        conn.executemany(
            "INSERT OR IGNORE INTO story_keys (week, key, day, article_id) VALUES (?, ?, ?, ?)",
            [(week, key, day, article_id) for key in keys],
        )
        self._rate_story(story, None if merged else article_id)
        return story

    def _matches(
        self, article_id: int, found: Fingerprint, day: int
    ) -> Iterator[tuple[int, int, Match]]:
        """(article, its story, how it compares) for every candidate sharing keys: one
        seek per key and week of the window, in the index pages of those weeks only."""
        if not found.keys:
            return
        shared: dict[int, int] = {}
        keys = list(found.keys)
        weeks = window_weeks(day)
        marks = ",".join("?" * len(weeks))
        for i in range(0, len(keys), 500):
            chunk = keys[i : i + 500]
            rows = self.db.conn.execute(
                f"SELECT article_id, count(*) FROM story_keys WHERE week IN ({marks}) AND key IN"
                " ({}) AND day BETWEEN ? AND ? GROUP BY article_id".format(
                    ",".join("?" * len(chunk))
                ),
                [*weeks, *chunk, day - WINDOW_DAYS, day + WINDOW_DAYS],
            ).fetchall()
            for other, count in rows:
                if other != article_id:
                    shared[other] = shared.get(other, 0) + count
        if not shared:
            return
        ranked = sorted(shared, key=lambda k: -shared[k])[: MAX_CANDIDATES * 2]
        members = self.db.conn.execute(
            "SELECT article_id, story_id, length(sketch) / 8 FROM story_members"
            " WHERE article_id IN ({})".format(",".join("?" * len(ranked))),
            ranked,
        ).fetchall()
        mine = len(found.keys)
        eligible = [
            (shared[other], other, story)
            for other, story, n_keys in members
            if worth_comparing(shared[other], mine, n_keys or 0)
        ]
        for _, other, story in sorted(eligible, reverse=True)[:MAX_CANDIDATES]:
            theirs = self._shingles_of(other)
            if theirs is not None:
                yield other, story, compare(found.shingles, theirs)

    def _edition_stories(self, article_id: int, url: str) -> set[int]:
        """Stories of the archived editions this article links to, or that link to it."""
        rows = self.db.conn.execute(
            "SELECT m.story_id FROM links l JOIN articles t ON t.url = l.url"
            " JOIN story_members m ON m.article_id = t.id"
            " WHERE l.article_id = ? AND l.kind = 'translation' AND t.id != ?"
            " UNION SELECT m.story_id FROM links l JOIN story_members m"
            " ON m.article_id = l.article_id"
            " WHERE l.url = ? AND l.kind = 'translation' AND l.article_id != ?",
            [article_id, article_id, url, article_id],
        ).fetchall()
        return {r[0] for r in rows}

    def _rate_story(self, story: int, joined: int | None = None) -> None:
        """Rate the members of a story against the earliest member of their language: all
        of them, or only ``joined`` (the article that just joined, no story merged) when it
        changes no member's earliest (it is not the earliest of a language already there)
        and the story had more than one member: a story's cost stays linear in its size."""
        conn = self.db.conn
        members = conn.execute(
            f"SELECT m.article_id, a.language, {_WHEN} AS w FROM story_members m"
            " JOIN articles a ON a.id = m.article_id WHERE m.story_id = ? ORDER BY w, a.id",
            [story],
        ).fetchall()
        if len(members) == 1:
            conn.execute(
                "UPDATE story_members SET kind = 'single', similarity = NULL, containment = NULL"
                " WHERE article_id = ?",
                [members[0][0]],
            )
            return
        earliest: dict[str, int] = {}
        only = joined
        for article_id, language, _ in members:
            lang = (language or "").split("-")[0].lower()
            if lang not in earliest:
                earliest[lang] = article_id
                if article_id == joined and len(members) > 2:
                    joined_lang = {
                        (m[1] or "").split("-")[0].lower() for m in members if m[0] != joined
                    }
                    if lang in joined_lang:
                        only = None  # it displaced the earliest of its language
        if len(members) == 2 or members[0][0] == joined:
            only = None  # the founder turns 'first', or the first turns 'edition'
        updates: list[tuple[str, float | None, float | None, int]] = []
        for index, (article_id, language, _) in enumerate(members):
            if only is not None and article_id != only:
                continue
            lang = (language or "").split("-")[0].lower()
            if earliest[lang] == article_id:
                kind = "first" if index == 0 else "edition"
                updates.append((kind, None, None, article_id))
                continue
            mine = self._shingles_of(article_id)
            first = self._shingles_of(earliest[lang])
            if mine is None or first is None:
                updates.append(("rewrite", None, None, article_id))
                continue
            match = compare(mine, first)
            kind = match.kind or "rewrite"
            if kind == "excerpt" and not match.shorter_is_first:
                kind = "rewrite"  # it contains the earliest member, which was the excerpt
            updates.append((kind, match.similarity, match.containment, article_id))
        conn.executemany(
            "UPDATE story_members SET kind = ?, similarity = ?, containment = ?"
            " WHERE article_id = ?",
            updates,
        )

    # ------------------------------------------------------------------ whole archive
    def clear_stories(self) -> None:
        """Forget every story (before a rebuild)."""
        with self.db.atomic():
            self.db.execute("DELETE FROM story_keys")
            self.db.execute("DELETE FROM story_members")
        self.__dict__["_shingles"] = OrderedDict()

    def unclustered(self, batch: int = 500) -> Iterator[list[tuple[int, str]]]:
        """Batches of (id, body) of the articles in no story yet, in publication order
        (undated ones by first fetch). The ids are read first (8 bytes each), the bodies a
        batch at a time: memory stays small, the order needs no sort of the bodies."""
        ids = array("q")
        for (article_id,) in self.db.conn.execute(
            "SELECT a.id FROM articles a WHERE NOT EXISTS (SELECT 1 FROM story_members m"
            " WHERE m.article_id = a.id) ORDER BY substr(coalesce(a.published_at,"
            " a.first_seen_at), 1, 10), a.id"
        ):
            ids.append(article_id)
        for i in range(0, len(ids), batch):
            chunk = ids[i : i + batch].tolist()
            rows = dict(
                self.db.conn.execute(
                    "SELECT id, body FROM articles WHERE id IN ({})".format(
                        ",".join("?" * len(chunk))
                    ),
                    chunk,
                ).fetchall()
            )
            yield [(k, rows[k]) for k in chunk if k in rows]

    def cluster_batch(
        self,
        batch: list[tuple[int, str]],
        fingerprints: list[Fingerprint | None] | None = None,
    ) -> None:
        """Cluster a batch of articles in one transaction (fingerprints computed by the
        caller, e.g. on Dask workers, or here)."""
        with self.db.atomic():
            for i, (article_id, body) in enumerate(batch):
                found = fingerprints[i] if fingerprints is not None else fingerprint(body)
                self.cluster_article(article_id, found, computed=True)

    @contextmanager
    def clustering_cache(self) -> Iterator[None]:
        """A page cache of :data:`REBUILD_CACHE_KIB` for a rebuild, the previous size after:
        the key index pages of the weeks around the articles being clustered (a few MB at a
        few hundred articles a day) and their texts stay in memory."""
        previous = self.db.execute("PRAGMA cache_size").fetchone()[0]
        self.db.execute(f"PRAGMA cache_size = -{REBUILD_CACHE_KIB}")
        try:
            yield
        finally:
            self.db.execute(f"PRAGMA cache_size = {int(previous)}")

    def cluster_pending(self, progress: Callable[[int], None] | None = None) -> int:
        """Cluster every article that is in no story yet; returns how many."""
        done = 0
        with self.clustering_cache():
            for batch in self.unclustered():
                self.cluster_batch(batch)
                done += len(batch)
                if progress is not None:
                    progress(done)
        return done

    # ------------------------------------------------------------------ reading
    def story_members(self, story: int) -> list[StoryMember]:
        """The articles of a story, earliest first."""
        rows = self.db.conn.execute(
            "SELECT a.id, a.url, s.name, a.language, a.title, a.published_at,"
            f" {_WHEN} AS w, m.kind, m.similarity, m.containment, a.credit FROM story_members m"
            " JOIN articles a ON a.id = m.article_id JOIN sites s ON s.id = a.site_id"
            " WHERE m.story_id = ? ORDER BY w, a.id",
            [story],
        ).fetchall()
        return [StoryMember(*row) for row in rows]

    def story_copies(self, article_id: int) -> list[dict[str, Any]]:
        """The other articles of an article's story ("the same story elsewhere"), earliest
        first, each with its site, time, delay after the story's first (hours), kind and
        similarity; [] when it has none."""
        story = self.story_of(article_id)
        if story is None:
            return []
        members = self.story_members(story)
        if len(members) < 2:
            return []
        return [member_dict(m, members[0]) for m in members if m.article_id != article_id]

    def story_of(self, article_id: int) -> int | None:
        row = self.db.conn.execute(
            "SELECT story_id FROM story_members WHERE article_id = ?", [article_id]
        ).fetchone()
        return int(row[0]) if row else None

    def largest_stories(
        self, *, limit: int = 20, site: str | None = None, min_size: int = 2
    ) -> list[dict[str, Any]]:
        """The largest stories (most articles), each with its size, sites and members."""
        site_sql = ""
        params: list[Any] = []
        if site:
            site_sql = (
                " AND story_id IN (SELECT m2.story_id FROM story_members m2 JOIN articles a2"
                " ON a2.id = m2.article_id JOIN sites s2 ON s2.id = a2.site_id WHERE s2.name = ?)"
            )
            params.append(site.lower().removeprefix("www."))
        rows = self.db.conn.execute(
            "SELECT story_id, count(*) AS n FROM story_members WHERE 1"
            f"{site_sql} GROUP BY story_id HAVING n >= ? ORDER BY n DESC, story_id LIMIT ?",
            [*params, min_size, limit],
        ).fetchall()
        return [{"story_id": r[0], "size": r[1], "members": self.story_members(r[0])} for r in rows]

    def story_counts(self) -> dict[str, int]:
        """How many articles are clustered, in stories of two or more, and stories."""
        row = self.db.conn.execute(
            "SELECT (SELECT count(*) FROM articles), count(*),"
            " sum(kind != 'single'), count(DISTINCT CASE WHEN kind != 'single'"
            " THEN story_id END) FROM story_members"
        ).fetchone()
        return {
            "articles": row[0] or 0,
            "clustered": row[1] or 0,
            "in_stories": row[2] or 0,
            "stories": row[3] or 0,
        }

    def agency_share(self) -> list[dict[str, Any]]:
        """Per site: articles, articles crediting an agency, and the count per agency."""
        rows = self.db.conn.execute(
            "SELECT s.name, a.credit, count(*) FROM articles a JOIN sites s ON s.id = a.site_id"
            " GROUP BY s.name, a.credit ORDER BY s.name, count(*) DESC"
        ).fetchall()
        out: dict[str, dict[str, Any]] = {}
        for site, credit, count in rows:
            entry = out.setdefault(
                site, {"site": site, "articles": 0, "credited": 0, "agencies": {}}
            )
            entry["articles"] += count
            if credit:
                entry["credited"] += count
                entry["agencies"][credit] = entry["agencies"].get(credit, 0) + count
        return list(out.values())
