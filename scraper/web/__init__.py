"""The reading room: a Datasette plugin that ``scraper serve`` registers.

Hooks:

- ``prepare_connection``: the archive's SQL functions (``scraper_fold``, ``scraper_match``,
  ``scraper_snippet``) and a folding ``escape_fts`` for Datasette's search box;
- ``register_routes``: the pages of :mod:`scraper.web.views`: ``/-/article/<id>`` (an
  article that reads like one, with ``/raw`` and ``/diff``), ``/-/search`` (ranked, filtered,
  highlighted), ``/-/dashboard`` (articles per day per section, gaps marked), ``/-/audit``
  (``scraper audit``: declared against archived, the missing with their reasons) and ``/-/docs``
  (what every table and column means);
- ``render_cell``: URLs shown decoded (IRIs), titles linking to their article page, tag,
  author and category lists as links to their facet, text cells with ``dir="auto"`` so
  Arabic reads right to left;
- ``extra_css_urls`` and ``menu_links``: the plugin's stylesheet, and the reading room in
  Datasette's menu.

Templates (``templates/``) and the stylesheet (``static/``) ship in this package; Datasette
finds them because the plugin is registered as this module.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from datasette import hookimpl
from markupsafe import Markup, escape

from ..search import register_functions
from ..urls import display
from .views import ROUTES

PLUGIN = __name__  # Datasette serves static files under /-/static-plugins/<module name>/

URL_COLUMNS = frozenset(
    {"url", "next_url", "prev_url", "final_url", "image", "found_on", "base_url"}
)
#: JSON list columns of article_list and the facet filter each value links to
LIST_COLUMNS = {"tags": "tags", "authors": "authors", "categories": "categories"}
ARTICLE_TABLES = frozenset({"articles", "article_list"})
#: a body cell shows this many characters, and a link to the article page to read on
BODY_EXCERPT = 240


@hookimpl(trylast=True)  # after Datasette's own prepare_connection, so our escape_fts wins
def prepare_connection(conn: Any) -> None:
    register_functions(conn, datasette=True)


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    return ROUTES


@hookimpl
def extra_css_urls(datasette: Any) -> list[str]:
    return [datasette.urls.static_plugins(PLUGIN, "reading.css")]


@hookimpl
def menu_links(datasette: Any) -> list[dict[str, str]]:
    db = datasette.get_database()
    return [
        {"href": datasette.urls.table(db.name, "article_list"), "label": "Articles"},
        {"href": datasette.urls.path("/-/search"), "label": "Search"},
        {"href": datasette.urls.path("/-/dashboard"), "label": "Dashboard"},
        {"href": datasette.urls.path("/-/audit"), "label": "Audit"},
        {"href": datasette.urls.path("/-/docs"), "label": "Docs: tables and columns"},
    ]


@hookimpl
def render_cell(
    row: Any, value: Any, column: str, table: str | None, database: str, datasette: Any
) -> Markup | None:
    if not isinstance(value, str) or not value:
        return None
    if table in ARTICLE_TABLES and column in ("title", "id") and _has(row, "id"):
        href = datasette.urls.path(f"/-/article/{row['id']}")
        return Markup(f'<a class="reading" href="{escape(href)}" dir="auto">{escape(value)}</a>')
    if column == "body" and len(value) > BODY_EXCERPT:
        return _excerpt(datasette, row, value, table)
    if table == "article_list" and column in LIST_COLUMNS and value.startswith("["):
        return _list_links(datasette, database, column, value)
    if column in URL_COLUMNS and value.startswith(("http://", "https://")):
        return Markup(
            f'<a class="iri" href="{escape(value)}" dir="ltr" title="{escape(display(value))}">'
            f"{escape(display(value))}</a>"
        )
    if _rtl(value):
        limit = datasette.setting("truncate_cells_html") or 0
        shown = value if not limit or len(value) <= limit else value[:limit] + "…"
        return Markup(f'<div dir="auto">{escape(shown)}</div>')
    return None


def _excerpt(datasette: Any, row: Any, value: str, table: str | None) -> Markup:
    """The opening of a long body, so one body does not make its row a page tall."""
    cut = value[:BODY_EXCERPT].rsplit(" ", 1)[0]
    key = "id" if table == "articles" else "article_id" if table == "revisions" else None
    more = ""
    if key and _has(row, key):
        href = datasette.urls.path(f"/-/article/{row[key]}")
        more = f' <a class="read-on" href="{escape(href)}" dir="ltr">read the article</a>'
    return Markup(f'<div class="excerpt" dir="auto">{escape(cut)} …{more}</div>')


def _has(row: Any, key: str) -> bool:
    try:
        return key in row.keys()  # noqa: SIM118 (an sqlite3.Row: `in` looks at values)
    except AttributeError:
        return False


def _list_links(datasette: Any, database: str, column: str, value: str) -> Markup | None:
    try:
        names = json.loads(value)
    except ValueError:
        return None
    if not isinstance(names, list):
        return None
    base = datasette.urls.table(database, "article_list")
    links = [
        f'<a href="{escape(base + "?" + urlencode({column + "__arraycontains": str(n)}))}" '
        f'dir="auto">{escape(str(n))}</a>'
        for n in names
    ]
    if _rtl(value):
        return Markup('<span class="terms" dir="rtl">' + "، ".join(links) + "</span>")
    return Markup('<span class="terms">' + ", ".join(links) + "</span>")


def _rtl(text: str) -> bool:
    return any("\u0590" <= ch <= "\u08ff" or "\ufb1d" <= ch <= "\ufefc" for ch in text[:200])
