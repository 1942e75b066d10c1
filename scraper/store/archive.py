"""The archive as a user sees it: :class:`Archive` (``scraper.Archive``).

It offers what a person or a program reads, and the few writes one makes on purpose (deleting
an article, rebuilding the search index, turning the plain-text index off or on), over a
:class:`~scraper.store.Store` opened for reading. What a crawl or a backfill does to an
archive (claiming frontier URLs, saving captures, recording runs and declarations) is not on
it: those are the :class:`~scraper.store.Store`'s and the :class:`~scraper.store.Frontier`'s,
used by ``scraper.crawler`` and ``scraper.scale``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Concatenate, ParamSpec, TypeVar

from . import Store
from .connection import DEFAULT_DB

if TYPE_CHECKING:
    import sqlite_utils

P = ParamSpec("P")
R = TypeVar("R")


def _forward(method: Callable[Concatenate[Store, P], R]) -> Callable[Concatenate[Archive, P], R]:
    """``Archive.name`` calls ``Store.name`` with the same signature and documentation."""

    @functools.wraps(method)
    def call(self: Archive, *args: P.args, **kwargs: P.kwargs) -> R:
        return method(self.store, *args, **kwargs)

    return call


class Archive:
    """An open archive: search it, read its records, histories, counts, sites and runs.

    Use as a context manager, or call :meth:`close`. ``archive.db`` is the open
    ``sqlite_utils.Database`` for SQL of your own (``docs/schema.md`` describes every table;
    sqlite-utils is imported when it is first used)."""

    def __init__(self, path: str | Path = DEFAULT_DB) -> None:
        self.store = Store(path, reading=True)

    @property
    def path(self) -> Path:
        return self.store.path

    @functools.cached_property
    def db(self) -> sqlite_utils.Database:
        import sqlite_utils  # here: it imports pandas when installed (a second at start-up)

        return sqlite_utils.Database(self.store.db.conn, execute_plugins=False)

    search = _forward(Store.search)
    record = _forward(Store.record)
    records = _forward(Store.records)
    history = _forward(Store.history)
    counts = _forward(Store.counts)
    day_counts = _forward(Store.day_counts)
    sites = _forward(Store.sites)
    runs = _forward(Store.runs)
    delete_article = _forward(Store.delete_article)
    rebuild_search_index = _forward(Store.rebuild_search_index)
    set_plain_index = _forward(Store.set_plain_index)

    @property
    def plain_index(self) -> bool:
        """Whether the archive has ``articles_text`` (sqlite-utils' and Datasette's search)."""
        return self.store.plain_index

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
