"""An article's dates in its site's time zone (:mod:`scraper.timezones` says which zone and
how it was learned). Pure."""

from __future__ import annotations

from dataclasses import replace
from datetime import tzinfo

from ..article import Article
from ..timezones import ZONE_MARK, in_zone

__all__ = ["apply_zone"]


def apply_zone(article: Article, tz: tzinfo | None) -> Article:
    """``article`` with its dates in the site's zone ``tz`` (:func:`scraper.timezones.in_zone`)."""
    if tz is None:
        return article
    published, changed_p = in_zone(article.published_at, tz)
    modified, _ = in_zone(article.modified_at, tz)
    source = article.date_source
    if changed_p and source and not source.endswith(ZONE_MARK):
        source += ZONE_MARK
    if published is article.published_at and modified is article.modified_at:
        return article
    return replace(article, published_at=published, modified_at=modified, date_source=source)
