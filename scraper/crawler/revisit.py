"""When the crawl fetches an archived URL again: crawl rules, as pure functions over what the
archive holds. The crawl hands them to the store, which applies them without deciding
(``Frontier.add(..., reread=reread_listed)``)."""

from __future__ import annotations

from datetime import UTC, datetime

from ..store import FrontierEntry, Known


def reread_listed(known: Known, entry: FrontierEntry) -> bool:
    """An article archived before its listing said when it was published is read again,
    once (until the listed date changes): its stored dates came from a lesser source."""
    return (
        known.state == "done"
        and known.archived
        and entry.listed_published is not None
        and known.listed_published != entry.listed_published
        and known.date_source != entry.listed_source
    )


def edited_since(known: Known, lastmod: str) -> bool:
    """A sitemap/feed/REST ``lastmod`` says an archived URL changed since we read it.

    Compared first with the site's own earlier ``lastmod`` (one clock), else with the
    archived article's declared modification (the site's clock too), else with our fetch
    time (when the site declares nothing else). Only finished URLs are read again: a pending
    one will be fetched anyway."""
    if known.state not in ("done", "skipped"):
        return False
    new = _moment(lastmod)
    if new is None:
        return False
    for earlier in (known.lastmod, known.modified_at, known.fetched_at):
        seen = _moment(earlier)
        if seen is not None:
            return new > seen
    return False


def _moment(value: str | None) -> datetime | None:
    """An ISO date or datetime as an aware UTC datetime (a date: its midnight, UTC)."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
