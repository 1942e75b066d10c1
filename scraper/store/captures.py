"""Captures that do not come in time order (WARC files, shards, Dask workers, imports):
an article's history must not depend on the order in which its captures are read.

:meth:`CapturesMixin.place_capture` decides, for one capture of an article already in the
archive, what it is:

- the **same capture** as the stored version (same URL, same fetch time, and the same page
  size when both are known), extracted differently (another profile, a newer extractor):
  the version is updated in place, no revision (``"same capture"``; ``"unchanged"`` when it
  extracts the same);
- an **earlier** capture than the stored version (fetched before it): it becomes the earlier
  revision it is, between the versions seen before and after it (``"earlier"``), or, when it
  shows the content of the version current at its time, that version's first (or last)
  sighting moves to it (``"unchanged"``);
- a later capture (``None``): the usual :meth:`save_article` path, a revision when changed.

Versions are kept as ``articles`` (the current one) and ``revisions`` (the earlier ones,
numbered from 1 in time order); a version's start is the previous one's ``replaced_at`` (the
first one's: ``articles.first_seen_at``), its last sighting its ``fetched_at``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from ..article import Article
from .articles import ArticlesMixin, PageRecord, iso


@dataclass(frozen=True)
class _Version:
    revision: int
    digest: str
    start: str  # first fetch that saw it
    last: str  # last fetch that saw it
    current: bool


class CapturesMixin(ArticlesMixin):
    """Placing a capture in an article's history, whatever order captures come in."""

    def place_capture(
        self, article_id: int, article: Article, page: PageRecord, digest: str, size: int
    ) -> str | None:
        """What a capture of an archived article is (see the module docstring); writes the
        same-capture and earlier cases (in the caller's transaction) and returns their
        outcome; None for a capture later than the stored version."""
        stamp = page.fetched_at
        if not stamp:
            return None
        row = self.db.execute(
            "SELECT fetched_at, content_hash FROM articles WHERE id = ?", [article_id]
        ).fetchone()
        if row[0] == stamp and self._same_page(page, size):
            if row[1] == digest:
                return "unchanged"
            self._rewrite_current(article_id, article, digest)
            return "same capture"
        if row[0] < stamp:
            return None
        return self._place_earlier(article_id, article, digest, stamp)

    def _same_page(self, page: PageRecord, size: int) -> bool:
        """The stored page of the article is this capture's (by size, when both are known)."""
        known = self.db.execute("SELECT size FROM pages WHERE url = ?", [page.url]).fetchone()
        incoming = size or len(page.content)
        return known is None or not known[0] or not incoming or known[0] == incoming

    def _rewrite_current(self, article_id: int, article: Article, digest: str) -> None:
        row = self.db.execute(
            "SELECT site_id, revision, fetched_at FROM articles WHERE id = ?", [article_id]
        ).fetchone()
        self._update_article(
            article_id, row[0], article, digest, revision=row[1], fetched_at=row[2],
            changed_at=None,
        )  # fmt: skip
        self._write_relations(row[0], article_id, article)
        self._index(article_id, article)

    def _versions(self, article_id: int) -> list[_Version]:
        current = self.db.execute(
            "SELECT revision, content_hash, first_seen_at, changed_at, fetched_at"
            " FROM articles WHERE id = ?",
            [article_id],
        ).fetchone()
        out: list[_Version] = []
        start = current[2]
        for revision, digest, last, replaced in self.db.execute(
            "SELECT revision, content_hash, fetched_at, replaced_at FROM revisions"
            " WHERE article_id = ? ORDER BY revision",
            [article_id],
        ):
            out.append(_Version(revision, digest, start, last, False))
            start = replaced
        out.append(_Version(current[0], current[1], start, current[4], True))
        return out

    def _place_earlier(self, article_id: int, article: Article, digest: str, stamp: str) -> str:
        versions = self._versions(article_id)
        before = [v for v in versions if v.start <= stamp]
        if not before:  # earlier than every version seen
            first = versions[0]
            if first.digest == digest:
                self._set_start(article_id, first, stamp)
                return "unchanged"
            self._insert_version(article_id, 1, article, digest, stamp, replaced=first.start)
            self._set_first_seen(article_id, stamp, first)
            return "earlier"
        around = before[-1]
        if around.digest == digest:
            if not around.current and stamp > around.last:
                self.db.execute(
                    "UPDATE revisions SET fetched_at = ? WHERE article_id = ? AND revision = ?",
                    [stamp, article_id, around.revision],
                )
            return "unchanged"
        if around.current:  # the current content seen before and after: A, this, A again
            self._keep_revision(article_id, around.revision, around.start, stamp)
            self.db.execute(
                "UPDATE articles SET revision = revision + 1, changed_at = ? WHERE id = ?",
                [stamp, article_id],
            )
            self._insert_version(
                article_id, around.revision + 1, article, digest, stamp, replaced=stamp
            )
            return "earlier"
        following = versions[versions.index(around) + 1]
        if following.digest == digest:  # the next version, seen earlier than known
            self.db.execute(
                "UPDATE revisions SET replaced_at = ? WHERE article_id = ? AND revision = ?",
                [stamp, article_id, around.revision],
            )
            if following.current:
                self.db.execute(
                    "UPDATE articles SET changed_at = ? WHERE id = ?", [stamp, article_id]
                )
            return "unchanged"
        self._insert_version(
            article_id, around.revision + 1, article, digest, stamp, replaced=following.start
        )
        self.db.execute(
            "UPDATE revisions SET replaced_at = ? WHERE article_id = ? AND revision = ?",
            [stamp, article_id, around.revision],
        )
        return "earlier"

    def _insert_version(
        self, article_id: int, number: int, a: Article, digest: str, stamp: str, replaced: str
    ) -> None:
        """A revision ``number`` (the later ones, and the current version, move up one)."""
        # Two steps, so that UNIQUE (article_id, revision) holds after each statement.
        self.db.execute(
            "UPDATE revisions SET revision = -(revision + 1) WHERE article_id = ?"
            " AND revision >= ?",
            [article_id, number],
        )
        self.db.execute(
            "UPDATE revisions SET revision = -revision WHERE article_id = ? AND revision < 0",
            [article_id],
        )
        self.db.execute("UPDATE articles SET revision = revision + 1 WHERE id = ?", [article_id])
        self._write(
            "revisions",
            {
                "article_id": article_id,
                "revision": number,
                "fetched_at": stamp,
                "replaced_at": replaced,
                "title": a.title,
                "subtitle": a.subtitle,
                "published_at": iso(a.published_at),
                "modified_at": iso(a.modified_at),
                "categories": json.dumps(a.categories, ensure_ascii=False),
                "tags": json.dumps(a.tags, ensure_ascii=False),
                "body": a.body,
                "content_hash": digest,
            },
        )

    def _set_start(self, article_id: int, first: _Version, stamp: str) -> None:
        """The first version was seen earlier than known: from ``stamp``."""
        self.db.execute("UPDATE articles SET first_seen_at = ? WHERE id = ?", [stamp, article_id])
        if first.current:
            self.db.execute("UPDATE articles SET changed_at = ? WHERE id = ?", [stamp, article_id])

    def _set_first_seen(self, article_id: int, stamp: str, old_first: _Version) -> None:
        """A version before every other: the article was first seen at ``stamp``; the old
        first version, when current, now starts where it did."""
        self.db.execute("UPDATE articles SET first_seen_at = ? WHERE id = ?", [stamp, article_id])
        if old_first.current:
            self.db.execute(
                "UPDATE articles SET changed_at = ? WHERE id = ?", [old_first.start, article_id]
            )
