"""What a crawl does with a fetched article page: keep it, skip it or fail it.

A part of :class:`~scraper.crawler.engine.Crawler` (its base class), on the processing thread:
the window, language and budget checks, the site's time zone (given, learned from the
offset-bearing dates the site gives on its pages and in its sitemaps, feeds and REST
listings, and applied to its naive ones; articles held until it is
known), the archive write, and the failures and skips recorded in the frontier with their
reasons.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC, datetime

from ..clean import valid_text
from ..discover import feeds
from ..fetch import FetchResult
from ..store import Claim, PageKind, content_hash, window_reason
from ..timezones import MAX_OBSERVED, ZoneLearner
from ..urls import display
from . import parse
from .parse import listed_dates, parse_article
from .queueing import Queueing
from .zones import apply_zone

log = logging.getLogger("scraper.crawler.engine")

OTHER_LANGUAGE = "in a language --lang did not ask for"  # followed by "(xx)"
NOT_AN_ARTICLE = "not an article page"  # the skip reason of a fetched page that is not one
MAX_REASON = 300  # characters of an unexpected error kept as a page's failure reason


class Archiving(Queueing):
    """Archiving of a :class:`~scraper.crawler.engine.Crawler`'s article pages."""

    _retry_later: set[str]
    _zone: ZoneLearner
    _held: list[tuple[parse.Parsed, str]]
    _budget_used: int

    def _archive(
        self, result: FetchResult, url: str, final: str, entry: Claim, parsed: parse.Parsed | None
    ) -> None:
        done = parsed  # parsed in the parser pool, or here:
        if done is None:
            fetched_at = datetime.now(UTC).replace(microsecond=0)
            near = entry.depth <= 2  # a listing reached by a link is read, but only near
            listed = listed_dates(entry)
            done = parse_article(
                result, final, fetched_at, self.site.name, self.site.profile, self.hosts, near,
                listed,
            )  # fmt: skip
        if done.error is not None:
            self._failed(url, done.error)
            return
        if done.page is None or done.prepared is None:
            self.summary.not_articles += 1
            if done.found is not None and self._only is None:
                self._walk_listing(done.found, final, replace(entry, kind=PageKind.LISTING))
            self._skip(url, NOT_AN_ARTICLE)
            return
        article = done.article
        published = article.published_at.isoformat() if article.published_at else None
        if not self.options.in_window(published):
            self.summary.outside_window += 1
            self._skip(url, window_reason(str(published)))
            return
        if not self._wanted_language(article.language):
            self.summary.other_language += 1
            self._skip(url, f"{OTHER_LANGUAGE} ({article.language})")
            return
        if self._articles_spent():  # pages in flight when --max-articles was reached
            self.frontier.finish(url, "pending")  # the next run archives it
            return
        if self._zone.hold(article.published_at, len(self._held)):  # until the zone is known
            self._held.append((done, url))
        else:
            self._save(done, url)
        self._follow_links(article, final, entry)

    def _save(self, done: parse.Parsed, url: str) -> None:
        """Archive a parsed article, its dates in the site's zone; learn the zone from it."""
        assert done.page is not None and done.prepared is not None
        article, prepared = done.article, done.prepared
        zoned = apply_zone(article, self._zone.tz)
        if zoned is not article:
            article, prepared = zoned, replace(prepared, content_hash=content_hash(zoned))
        outcome = self.store.save_article(
            self._site_id, article, done.page, frontier_url=url, prepared=prepared
        )
        name = f"articles_{outcome}"
        setattr(self.summary, name, getattr(self.summary, name) + 1)
        if article.published_at is not None and article.published_at.utcoffset() is None:
            self.summary.no_offset += 1
        if self._zone.observe(article.published_at):
            self._zone_learned()

    def _offer(self, entries: list[feeds.Entry], found_on: str) -> int:
        """Queue what a list gives (:meth:`Queueing._offer`), learning the site's zone from
        the dates it states with an offset (sitemaps, feeds, the REST API)."""
        if self._zone.observe_listed(e.stated for e in entries):
            self._zone_learned()
        return super()._offer(entries, found_on)

    def _zone_learned(self) -> None:
        """The site's zone was just learned: recorded, said once; held articles archived."""
        zone = self._zone
        assert zone.name is not None
        self.store.set_site_timezone(self._site_id, zone.name, "learned")
        note = f"time zone of {self.site.name} learned: {zone.name} (from {zone.learned_from}"
        note += " dates the site gave with an offset); applied to its dates given without one"
        log.info("%s", note)
        self.summary.notes.append(note)
        self._release_held()

    def _release_held(self) -> None:
        held, self._held = self._held, []
        for done, url in held:
            self._save(done, url)

    def _site_zone(self) -> ZoneLearner:
        """The zone given (setting, profile), learned by an earlier crawl, or to learn now
        from the offset-bearing dates archived so far and those this crawl reads."""
        name, _source = self.store.site_timezone(self._site_id)
        if name:
            return ZoneLearner(name)
        return ZoneLearner(None, self.store.offset_dates(self._site_id, MAX_OBSERVED))

    def _end_zone(self) -> None:
        """Archive the articles held for the zone: in it when it can be learned now. After a
        failure (a full disk, a bug) they are left: still active, the next run fetches them."""
        if self.summary.status == "failed":
            return
        if self._zone.finish():
            self._zone_learned()
        self._release_held()
        if self.summary.no_offset:
            self.summary.notes.append(
                f"{self.summary.no_offset} article date(s) without a known UTC offset: the"
                f" site gave none and its time zone is unknown (give it with --timezone)"
            )

    def _page_failed(self, url: str, exc: Exception) -> None:
        """An unexpected error while parsing or storing one page (its writes were rolled
        back): the page is failed with the error as its reason, a later run retries it."""
        log.warning("%s could not be parsed or stored: %s: %s", display(url), type(exc).__name__,
                    exc, exc_info=log.isEnabledFor(logging.DEBUG))  # fmt: skip
        reason = valid_text(f"parse error: {type(exc).__name__}: {exc}")
        self._failed(url, reason[:MAX_REASON])

    def _skip(self, url: str, reason: str) -> None:
        log.debug("skipped %s: %s", display(url), reason)
        self.frontier.finish(url, "skipped", reason)

    def _failed(self, url: str, result: FetchResult | str) -> None:
        """Record a failed page (``result``: the fetch, or why its parse was given up)."""
        if isinstance(result, str):
            reason = result
        elif result.ok:
            return self._skip(url, f"not HTML ({result.headers.get('content-type')})")
        else:
            reason = result.error or f"HTTP {result.status}"
        self.summary.errors += 1
        if isinstance(result, FetchResult) and result.transient:
            self._retry_later.add(url)
        if len(self.summary.failures) < 20:
            self.summary.failures.append(f"{url}: {reason}")
        log.info("failed %s: %s", url, reason)
        self.frontier.finish(url, "failed", reason)

    def _budget_spent(self) -> bool:
        """``--max-pages``: page fetches started (claimed by a worker: the count cannot
        overshoot); ``--max-articles``: articles this run archived (new or updated)."""
        pages = self.options.max_pages
        return (pages is not None and self._budget_used >= pages) or self._articles_spent()

    def _articles_spent(self) -> bool:
        limit = self.options.max_articles
        archived = self.summary.articles_new + self.summary.articles_updated
        return limit is not None and archived >= limit

    def _budget_name(self) -> str:
        if self._articles_spent():
            return f"max_articles={self.options.max_articles}"
        return f"max_pages={self.options.max_pages}"
