"""When the crawl fetches an archived URL again: crawl rules, as pure functions over what the
archive holds. The crawl hands them to the store, which applies them without deciding
(``Store.frontier_add(..., reread=reread_listed)``)."""

from __future__ import annotations

from .store import FrontierEntry, Known


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
