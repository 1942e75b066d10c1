"""``scraper serve``: the archive in Datasette, with a reading room, for analysts who prefer a
browser.

Datasette (an optional extra: ``pip install 'scraper[datasette]'``) gets:

- metadata: a title, table descriptions (read from the ``--`` comments in ``schema.sql``, the
  same text as ``docs/schema.md``; the column descriptions are on the ``/-/docs`` page rather
  than above the data), facets on ``article_list`` (section, tags, authors, month, language,
  site), newest articles first;
- full-text search wired to ``articles_fts`` on the ``articles`` table and the
  ``article_list`` view, so their search box works;
- the ``scraper.web`` plugin: SQL functions applying the archive's own text analysis
  (``scraper.search``): ``scraper_fold(text)``, ``scraper_match(query)`` and
  ``scraper_snippet(text, query)``, with Datasette's ``escape_fts`` (what its search box
  runs) replaced by ``scraper_match``, so a search typed without diacritics, with another
  alef form or with a clitic (والاقتصاد) finds the article, exactly like ``scraper search``;
  and the reading room: article pages, a ranked search page, a dashboard (see
  :mod:`scraper.web`);
- a canned query, "search", ranking results with bm25 and showing snippets.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

from .._exceptions import AddressInUse, ServeError
from ..store import RANKED_SEARCH_SQL
from .metadata import schema_descriptions

PLUGIN_NAME = "scraper-archive"

# Columns of the article_list view that are not article columns.


def metadata(db_path: Path) -> dict[str, Any]:
    """Datasette metadata for the archive at ``db_path``.

    Tables get their description (and a link to the docs page); their columns' descriptions
    are served by ``/-/docs`` instead of being listed above the data."""
    described = schema_descriptions()
    tables: dict[str, Any] = {}
    for name, (description, _columns) in described.items():
        tables[name] = {
            "description_html": (
                f'{escape(description)} <a href="/-/docs#{name}">What each column holds</a>.'
            ),
        }
    for name in ("sites", "categories", "tags", "authors"):
        tables[name]["label_column"] = "name"
    tables["articles"].update(
        {
            "label_column": "title",
            "fts_table": "articles_fts",
            "fts_pk": "search_key",
            "facets": ["site_id", "language", "date_source"],
            "sort_desc": "published_at",
        }
    )
    tables["article_list"].update(
        {
            "fts_table": "articles_fts",
            "fts_pk": "search_key",
            "facets": [
                "site",
                "language",
                "section",
                {"array": "tags"},
                {"array": "authors"},
                "month",
            ],
            "sort_desc": "published_at",
            "size": 50,
        }
    )
    for index in ("articles_fts", "articles_text"):  # searched through articles
        tables[index]["hidden"] = True
    return {
        "title": f"News archive: {db_path.name}",
        "description_html": (
            'Articles crawled by scraper. Start with the <a href="/-/search">search</a> (ranked,'
            ' with snippets and filters), the <a href="/-/dashboard">dashboard</a> (articles'
            f' per day per section) or <a href="/{_database_name(db_path)}/article_list">every'
            " article</a>. Search boxes fold Arabic (diacritics, alef forms, ta marbuta) and"
            ' clitics (<bdi dir="rtl">و ب ل ف ك ال</bdi>), and Latin accents; in SQL use'
            " articles_fts MATCH scraper_match('your words'). See <a href=\"/-/docs\">the docs</a>."
        ),
        "databases": {
            _database_name(db_path): {
                "tables": tables,
                "queries": {
                    "search": {
                        "title": "Ranked search",
                        "description": (
                            "Best matches first (bm25, title weighted), with a snippet. "
                            'Phrases in "quotes", prefix*, -exclude, OR. The search page '
                            "(/-/search) adds filters and pages."
                        ),
                        "sql": RANKED_SEARCH_SQL,
                    }
                },
            }
        },
    }


def _database_name(db_path: Path) -> str:
    return db_path.stem


def register_plugin() -> None:
    """Register the ``scraper.web`` plugin (SQL functions, reading room) once per process."""
    from datasette.plugins import pm

    import scraper.web as web

    if pm.has_plugin(PLUGIN_NAME) or pm.is_registered(web):
        return
    pm.register(web, name=PLUGIN_NAME)


def make_app(db_path: Path) -> Any:
    """A Datasette instance serving the archive (with our plugin registered)."""
    try:
        from datasette.app import Datasette
    except ImportError:
        raise ServeError(
            "scraper serve needs Datasette: pip install 'scraper[datasette]'"
            " (or pip install datasette)"
        ) from None
    register_plugin()
    return Datasette(
        [str(db_path)],
        metadata=metadata(db_path),
        settings={
            "facet_time_limit_ms": 1000,
            "default_facet_size": 10,  # the facets leave the data on the first screen
            "sql_time_limit_ms": 5000,
            "default_page_size": 50,
            "max_returned_rows": 5000,
        },
    )


def check_address(host: str, port: int) -> None:
    """:class:`AddressInUse` when ``host:port`` cannot be listened on (as uvicorn would bind
    it), so the command says so in one line before it starts."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise ServeError(f"cannot listen on {host}: {exc.strerror or exc}") from None
    family, kind, proto, _name, address = infos[0]
    with socket.socket(family, kind, proto) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(address)
        except OSError as exc:
            raise AddressInUse(
                f"cannot listen on {host}:{port}: {exc.strerror or exc} (another server runs"
                " there? try --port with another number)"
            ) from None


def serve(db_path: Path, *, host: str = "127.0.0.1", port: int = 8001) -> None:
    """Run Datasette on ``host:port`` until interrupted."""
    import asyncio

    datasette = make_app(db_path)
    try:
        import uvicorn
    except ImportError:
        raise ServeError("scraper serve needs uvicorn (installed with datasette)") from None
    asyncio.run(datasette.invoke_startup())
    uvicorn.run(datasette.app(), host=host, port=port, log_level="warning")
