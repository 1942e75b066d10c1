"""The archive's SQL functions, for SQLite clients other than ``scraper``.

``scraper`` and ``scraper serve`` register them on their own connections
(:func:`scraper.search.register_functions`). Elsewhere:

- Python: ``register_functions(conn)`` on a ``sqlite3`` connection, or
  ``db.register_function(f, name=...)`` for each name of ``__all__`` with sqlite-utils;
- the sqlite-utils CLI: ``sqlite-utils query archive.db "..." --functions
  'from scraper.sql_functions import *'`` (it registers every public callable);
- Datasette without ``scraper serve``: a plugins-dir file, see ``docs/reading-room.md``.

A query must go through ``scraper_match`` to find anything in ``articles_fts``: the index
holds folded, light-stemmed words, and so must the query.
"""

from __future__ import annotations

from .search import sql_match, sql_snippet
from .text import fold

__all__ = ["scraper_fold", "scraper_match", "scraper_snippet"]


def scraper_fold(text: str | None) -> str | None:
    """The index's normalization of ``text``: Arabic diacritics, alef forms, ta marbuta,
    tatweel, Arabic-Indic digits; Latin case and accents."""
    return None if text is None else fold(text)


def scraper_match(query: str | None) -> str:
    """A user's query (``scraper search`` syntax) as an FTS5 expression for
    ``articles_fts MATCH``; a query with nothing to search matches nothing."""
    return sql_match(query)


def scraper_snippet(text: str | None, query: str | None) -> str | None:
    """About 24 words of ``text`` around the query's hits, each in [brackets]."""
    return sql_snippet(text, query)
