"""The record that extraction produces and the archive stores.

An :class:`Article` is plain data: extraction fills it from one HTML page, the store adds the
archive's bookkeeping (``first_seen_at``, ``fetched_at``, ``revision``). ``to_dict`` gives the
documented record format used by ``scraper export``, ``scraper extract`` and the tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

DATE_SOURCES = ("profile", "rest", "jsonld", "meta", "time", "text", "url")


@dataclass(frozen=True, slots=True)
class Link:
    """A link an article points to, with its anchor text and why we kept it."""

    url: str
    title: str
    kind: str = "related"  # related | inline_related | next | prev | translation


@dataclass(slots=True)
class Article:
    """Everything we know about one article page."""

    url: str | None = None
    site: str | None = None
    language: str | None = None
    title: str | None = None
    subtitle: str | None = None
    authors: list[str] = field(default_factory=list)
    published_at: datetime | None = None
    modified_at: datetime | None = None
    date_source: str | None = None
    date_raw: str | None = None
    categories: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    body: str = ""
    related: list[Link] = field(default_factory=list)
    next_url: str | None = None
    prev_url: str | None = None
    image: str | None = None
    translations: dict[str, str] = field(default_factory=dict)
    is_article: bool = True
    first_seen_at: str | None = None
    fetched_at: str | None = None
    revision: int | None = None

    @property
    def word_count(self) -> int:
        return len(self.body.split())

    def to_dict(self) -> dict[str, Any]:
        """The record format: JSON-ready, dates as ISO 8601 strings."""
        return {
            "url": self.url,
            "site": self.site,
            "language": self.language,
            "title": self.title,
            "subtitle": self.subtitle,
            "authors": list(self.authors),
            "published_at": _iso(self.published_at),
            "modified_at": _iso(self.modified_at),
            "date_source": self.date_source,
            "categories": list(self.categories),
            "tags": list(self.tags),
            "body": self.body,
            "related": [
                {"url": link.url, "title": link.title}
                for link in self.related
                if link.kind in ("related", "inline_related")
            ],
            "next_url": self.next_url,
            "prev_url": self.prev_url,
            "image": self.image,
            "word_count": self.word_count,
            "first_seen_at": self.first_seen_at,
            "fetched_at": self.fetched_at,
            "revision": self.revision,
        }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None
