"""The record that extraction produces and the archive stores.

An :class:`Article` is plain data: extraction fills it from one HTML page, the store adds the
archive's bookkeeping (``first_seen_at``, ``fetched_at``, ``revision``). ``to_dict`` gives the
documented record format used by ``scraper export``, ``scraper extract`` and the tests;
:func:`build_record` defines it, for extracted and archived articles alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

DATE_SOURCES = ("profile", "rest", "jsonld", "meta", "time", "text", "url")

#: The fields whose origin a record's ``provenance`` names (``url``: the canonical URL).
PROVENANCE_FIELDS = (
    "url",
    "language",
    "title",
    "subtitle",
    "authors",
    "published_at",
    "categories",
    "tags",
    "body",
    "image",
)
#: Where a field's value came from, most explicit first: the site profile's selectors, the
#: WordPress REST API, JSON-LD, microdata (``itemprop``), ``<meta>`` tags (OpenGraph,
#: ``article:*``, Dublin Core...), the HTML's own semantics (``<html lang>``, ``<link
#: rel=canonical>``, ``rel=author|tag|category``, ``<title>``), layout analysis, trafilatura's
#: second opinion on the body, the page's URL. Dates keep their finer ``date_source``
#: (``time``, ``text``, ``updated``; ``jsonld`` spelled ``json-ld``).
SOURCES = (
    "profile",
    "rest",
    "json-ld",
    "microdata",
    "meta",
    "markup",
    "heuristic",
    "trafilatura-fallback",
    "url",
)
#: The sources that are the publisher's own statements (not our inference from the layout).
STRUCTURED_SOURCES = frozenset({"profile", "rest", "json-ld", "microdata", "meta", "markup"})

#: The fields of a record, in order: the record format of ``scraper export``, ``scraper show``
#: and ``scraper extract``. ``id`` is the archive's: an article not archived has none.
RECORD_FIELDS = (
    "id",
    "url",
    "site",
    "language",
    "title",
    "subtitle",
    "authors",
    "published_at",
    "published_utc",
    "modified_at",
    "modified_utc",
    "date_source",
    "section",
    "categories",
    "tags",
    "body",
    "related",
    "next_url",
    "prev_url",
    "image",
    "credit",
    "credit_raw",
    "story_id",
    "word_count",
    "quality",
    "provenance",
    "first_seen_at",
    "fetched_at",
    "revision",
)
#: The kinds of :class:`Link` a record lists under ``related`` (as {url, title} objects).
RELATED_KINDS = ("related", "inline_related")


def build_record(values: Mapping[str, Any]) -> dict[str, Any]:
    """The record of an article whose fields ``values`` holds, JSON-ready: dates as ISO 8601
    strings, ``authors``/``categories``/``tags`` lists of names, ``related`` a list of
    {url, title}. The one place that decides a record's fields and their order; every
    field but ``id`` and the derived ones is required (KeyError otherwise).

    Derived when not given: ``section``, the main category (the first one, as the
    ``article_list`` view and ``scraper stats`` count it; None without categories), and
    ``modified_utc``, ``modified_at`` in UTC (None without an offset)."""
    derived = {
        "section": lambda: (values["categories"] or [None])[0],
        "modified_utc": lambda: utc_text(values["modified_at"]),
    }
    record = {
        name: values[name] if name in values else derived[name]()
        for name in RECORD_FIELDS
        if name != "id" or name in values
    }
    record["provenance"] = provenance_record(values["provenance"], values["date_source"])
    return record


def provenance_record(found: Mapping[str, str] | None, date_source: str | None) -> dict[str, Any]:
    """A record's ``provenance``: every field of :data:`PROVENANCE_FIELDS` with the source of
    its value (None: no value, or an archive older than provenance). The publication date's
    is its ``date_source`` (with ``jsonld`` spelled ``json-ld``)."""
    found = found or {}
    out: dict[str, Any] = {name: found.get(name) for name in PROVENANCE_FIELDS}
    out["published_at"] = "json-ld" if date_source == "jsonld" else date_source
    return out


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
    credit: str | None = None  # the agency the story credits, normalized ("MAP", "AFP")
    credit_raw: str | None = None  # the credit as printed ("(ومع: 25 نونبر 2025)")
    translations: dict[str, str] = field(default_factory=dict)
    is_article: bool = True
    page_kind: str = "article"  # extract.pagekind.PAGE_KINDS: what the page is, if no article
    #: field -> where its value came from (:data:`SOURCES`); dates: ``date_source``.
    provenance: dict[str, str] = field(default_factory=dict)
    #: the extraction's own estimate of how right it is, 0-1 (:mod:`scraper.extract.quality`).
    quality: float | None = None
    first_seen_at: str | None = None
    fetched_at: str | None = None
    revision: int | None = None

    @property
    def published_utc(self) -> str | None:
        """``published_at`` in UTC (ISO 8601), None without a UTC offset."""
        return utc_iso(self.published_at)

    @property
    def word_count(self) -> int:
        return len(self.body.split())

    def to_dict(self) -> dict[str, Any]:
        """The record format (:func:`build_record`), without an ``id``."""
        # fields the article does not carry (the derived ones, the story) are left to
        # build_record, which derives them or leaves them empty
        values = {name: getattr(self, name) for name in RECORD_FIELDS[1:] if hasattr(self, name)}
        values.setdefault("story_id", None)
        values.update(
            authors=list(self.authors),
            published_at=_iso(self.published_at),
            published_utc=utc_iso(self.published_at),
            modified_at=_iso(self.modified_at),
            categories=list(self.categories),
            tags=list(self.tags),
            provenance=dict(self.provenance),
            related=[
                {"url": link.url, "title": link.title}
                for link in self.related
                if link.kind in RELATED_KINDS
            ],
        )
        return build_record(values)


def utc_text(value: str | None) -> str | None:
    """An ISO 8601 date text in UTC (:func:`utc_iso`); None when it has no offset or is not
    a date."""
    if not value:
        return None
    try:
        return utc_iso(datetime.fromisoformat(value))
    except ValueError:
        return None


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def utc_iso(value: datetime | None) -> str | None:
    """``value`` in UTC, to the second (``2025-11-25T09:15:00+00:00``); None when it has no
    UTC offset (the instant is unknown) or is None. The archive's ``published_utc``."""
    if value is None or value.utcoffset() is None:
        return None
    return value.astimezone(UTC).replace(microsecond=0).isoformat()
