"""Dates an authoritative listing gave for a URL, laid over the dates read from its page.

The WordPress REST API says when a post was published and last modified, to the second and
with the site's UTC offset at that moment (:func:`scraper.discover.feeds.rest_date`); a page often
says
less (JNews's JSON-LD has no zone, visible dates no time). The crawler keeps those dates in
the frontier and lays them over the extracted article here, before the article's content hash
is computed. Extraction itself does not change; this is a pure step after it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from ..article import Article

__all__ = ["ListedDates", "with_listed_dates"]

#: How much later a page's own modification date must be to count as a newer version.
NEWER_THAN = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class ListedDates:
    """What a listing said about one URL: ISO 8601 dates with an offset, and its raw text."""

    url: str  # the URL the listing named
    published: str | None = None
    modified: str | None = None
    raw: str | None = None  # becomes the article's date_raw
    source: str = "rest"  # becomes the article's date_source


def with_listed_dates(article: Article, listed: ListedDates) -> Article:
    """``article`` with the listed dates: ``published_at`` (with ``date_source`` and
    ``date_raw``) and ``modified_at`` taken from ``listed`` where it has them.

    One exception: when the page declares a modification later than the listed one (later by
    its wall clock *and* as a moment, so a page date with a missing or wrong offset cannot
    pass for one), the listing predates this version of the page and the page's
    ``modified_at`` is kept. Values that are not ISO dates with an offset are ignored.
    Returns a new Article (or ``article`` itself when nothing applies).
    """
    published = _aware(listed.published)
    modified = _aware(listed.modified)
    if modified is not None and _newer(article.modified_at, modified):
        modified = None
    if published is None and modified is None:
        return article
    if published is None:
        return replace(article, modified_at=modified)
    return replace(
        article,
        published_at=published,
        modified_at=modified or article.modified_at,
        date_source=listed.source,
        date_raw=listed.raw or listed.published,
    )


def _aware(value: str | None) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value) if value else None
    except ValueError:
        return None
    return parsed if parsed is not None and parsed.tzinfo is not None else None


def _newer(page: datetime | None, listed: datetime) -> bool:
    """Is the page's modification date later than the listed one?"""
    if page is None:
        return False
    clock = page.replace(tzinfo=None) - listed.replace(tzinfo=None) > NEWER_THAN
    if page.tzinfo is None:
        return clock
    return clock and page - listed > NEWER_THAN
