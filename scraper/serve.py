"""``scraper serve``: the archive in Datasette, for analysts who prefer a browser.

Datasette (an optional extra: ``pip install 'scraper[datasette]'``) gets:

- metadata: a title, every table's and column's description (read from the ``--`` comments in
  ``schema.sql``, the same text as ``docs/schema.md``), facets on site, language and section,
  newest articles first;
- full-text search wired to ``articles_fts`` on the ``articles`` table and the
  ``article_list`` view, so their search box works;
- SQL functions applying the archive's own text analysis (``scraper.search``):
  ``scraper_fold(text)``, ``scraper_match(query)`` and ``scraper_snippet(text, query)``; and
  Datasette's ``escape_fts`` (what its search box runs) is replaced by ``scraper_match``, so a
  search typed without diacritics, with another alef form or with a clitic (والاقتصاد) finds
  the article, exactly like ``scraper search``;
- a canned query, "search", ranking results with bm25 and showing snippets.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ._exceptions import ServeError
from .search import register_functions
from .store import RANKED_SEARCH_SQL, schema_sql

PLUGIN_NAME = "scraper-archive"

# Columns of the article_list view that are not article columns.
VIEW_COLUMNS = {
    "site": "host of the site (sites.name)",
    "section": "main category (the first one on the page)",
    "categories": "all category names, a JSON list (facet: array)",
    "tags": "tag names, a JSON list",
}


def schema_descriptions() -> dict[str, tuple[str, dict[str, str]]]:
    """table -> (description, {column: description}) from the comments in schema.sql."""
    text = schema_sql()
    out: dict[str, tuple[str, dict[str, str]]] = {}
    pending = ""
    table: str | None = None
    for line in text.splitlines():
        if line.startswith("-- table:"):
            pending = line.removeprefix("-- table:").strip()
            continue
        created = re.match(r"CREATE (?:VIRTUAL )?(?:TABLE|VIEW) IF NOT EXISTS (\w+)", line)
        if created:
            table = created.group(1)
            out[table] = (pending, {})
            pending = ""
            continue
        if table and line.startswith((")", ");")):
            table = None
            continue
        column = re.match(r"\s+(\w+)\b[^-]*?(?:,)?\s*-- (.+)$", line)
        if table and column and column.group(1).upper() not in ("PRIMARY", "UNIQUE"):
            out[table][1][column.group(1)] = column.group(2).strip()
    return out


def metadata(db_path: Path) -> dict[str, Any]:
    """Datasette metadata for the archive at ``db_path``."""
    described = schema_descriptions()
    tables: dict[str, Any] = {}
    for name, (description, columns) in described.items():
        tables[name] = {"description": description, "columns": columns}
    for name in ("sites", "categories", "tags", "authors"):
        tables[name]["label_column"] = "name"
    article_columns = described["articles"][1]
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
            "columns": {
                c: VIEW_COLUMNS.get(c) or article_columns.get(c, "")
                for c in (
                    "id",
                    "published_at",
                    "site",
                    "language",
                    "section",
                    "categories",
                    "tags",
                    "title",
                    "subtitle",
                    "word_count",
                    "revision",
                    "url",
                    "search_key",
                )
            },
            "fts_table": "articles_fts",
            "fts_pk": "search_key",
            "facets": ["site", "language", "section", {"array": "categories"}],
            "sort_desc": "published_at",
        }
    )
    tables["articles_fts"]["hidden"] = True
    return {
        "title": f"News archive: {db_path.name}",
        "description": (
            "Articles crawled by scraper. Search boxes fold Arabic (diacritics, alef forms, "
            "ta marbuta) and clitics (و ب ل ف ك ال), and Latin accents; in SQL use "
            "articles_fts MATCH scraper_match('your words'). See docs/schema.md."
        ),
        "databases": {
            _database_name(db_path): {
                "tables": tables,
                "queries": {
                    "search": {
                        "title": "Ranked search",
                        "description": (
                            "Best matches first (bm25, title weighted), with a snippet. "
                            'Phrases in "quotes", prefix*, -exclude, OR.'
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
    """Add our SQL functions to every Datasette connection (once per process)."""
    from datasette import hookimpl
    from datasette.plugins import pm

    if pm.has_plugin(PLUGIN_NAME):
        return

    class ScraperArchive:
        # trylast: run after Datasette's own prepare_connection, so our escape_fts wins.
        @staticmethod
        @hookimpl(trylast=True)
        def prepare_connection(conn: Any) -> None:
            register_functions(conn, datasette=True)

    pm.register(ScraperArchive, name=PLUGIN_NAME)


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
            "sql_time_limit_ms": 5000,
            "default_page_size": 50,
            "max_returned_rows": 5000,
        },
    )


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
