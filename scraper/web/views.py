"""The reading room's pages (routes of the ``scraper.web`` Datasette plugin).

- ``/-/article/<id>``: the article as an article: title, subtitle, byline, dates with their
  source, sections and tags linking to their facet, the body in paragraphs (right to left for
  Arabic), related / next / previous / other editions linking to their archived page,
  revisions with diffs, the raw page;
- ``/-/article/<id>/raw``: the stored page, decompressed, sandboxed (no scripts, no requests);
  ``?as=text`` shows its source;
- ``/-/article/<id>/diff?from=N&to=M``: what changed between two versions;
- ``/-/search`` (and ``.json``): ranked search (bm25, title weighted) with highlighted
  snippets, the filters of ``scraper search`` and pages; it runs ``Store.search``, so it folds
  and ranks exactly as the CLI does (``.json``: the hits as ``scraper search --json`` prints
  them, plus their section, and the next page's URL);
- ``/-/dashboard`` (and ``.json``): articles per day per section with gaps marked; the numbers
  of ``scraper stats --plot`` (:func:`scraper.report.stats.day_timeline`);
- ``/-/docs``: every table and column described (the descriptions are kept off the tables).

Every query runs on Datasette's read-only connection of the archive (``execute_fn``).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import urlencode

from datasette import Response
from markupsafe import Markup, escape

from .._exceptions import HistoryError, ScraperError
from ..extract.quality import THRESHOLD as QUALITY_THRESHOLD
from ..report import audit as audit_report
from ..report import history
from ..report.stats import Timeline, day_timeline
from ..search import highlight, parse
from ..store import Filters, Store, date_bound, reading
from ..urls import display, web_url
from .chart import svg
from .metadata import VIEW_COLUMNS, schema_descriptions

T = TypeVar("T")

PAGE_SIZE = 20
MAX_ID = 2**63 - 1  # the largest SQLite integer
MAX_PAGE = 10_000  # search result pages: 200,000 results deep
# The reading room's own pages run no inline script, load nothing from elsewhere but images,
# and cannot be framed: an archived page's text cannot become script here.
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; object-src 'none';"
    " style-src 'self' 'unsafe-inline'; img-src 'self' data: http: https:; base-uri 'none';"
    " form-action 'self'; frame-ancestors 'self'",
    "X-Content-Type-Options": "nosniff",
}
RTL_LANGUAGES = ("ar", "fa", "he", "ur", "ps", "yi", "ckb", "dv")
_OPEN, _CLOSE = "\ue000", "\ue001"  # highlight marks, replaced by <mark> after escaping


def direction(language: str | None, text: str | None = None) -> str:
    """``rtl`` for Arabic (and other right-to-left languages), ``ltr`` for a known other
    language, ``auto`` (the browser decides from the text) when the language is unknown."""
    if language:
        return "rtl" if language.lower().split("-")[0] in RTL_LANGUAGES else "ltr"
    return "auto"


def highlighted(text: str) -> Markup:
    """Text with the highlight marks turned into ``<mark>``, everything else escaped."""
    return Markup(str(escape(text)).replace(_OPEN, "<mark>").replace(_CLOSE, "</mark>"))


def paragraphs(body: str | None) -> list[str]:
    """The body's paragraphs (the archive separates them with blank lines)."""
    return [p.strip() for p in re.split(r"\n\s*\n|\n", body or "") if p.strip()]


def when(value: str | None) -> str:
    """An ISO date as 'YYYY-MM-DD HH:MM (+01:00)' (or as given when it is not one)."""
    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    shown = moment.strftime("%Y-%m-%d %H:%M")
    offset = moment.strftime("%z")
    if offset:
        shown += f" ({offset[:3]}:{offset[3:]})"
    return shown


async def _run(datasette: Any, fn: Callable[[Store], T]) -> T:
    db = datasette.get_database()
    return await db.execute_fn(lambda conn: fn(reading.ConnectionStore(conn, db.path or "")))


_CHOICES: dict[tuple[str, int], tuple[float, dict[str, list[str]]]] = {}
CHOICES_TTL = 60.0  # seconds: the form's lists change only when a crawl adds articles


async def _choices(datasette: Any, *, tags: int = 300) -> dict[str, list[str]]:
    """The search form's lists (``reading.search_choices``), kept a minute: on a big archive
    counting tags takes a while, and they change only with a crawl."""
    key = (str(datasette.get_database().path), tags)
    cached = _CHOICES.get(key)
    if cached and time.monotonic() - cached[0] < CHOICES_TTL:
        return cached[1]
    value = await _run(datasette, lambda s: reading.search_choices(s, tags=tags))
    _CHOICES[key] = (time.monotonic(), value)
    return value


async def _page(datasette: Any, request: Any, template: str, context: dict[str, Any]) -> Response:
    db = datasette.get_database()
    base = {
        "database": db.name,
        "article_list_url": datasette.urls.table(db.name, "article_list"),
        "search_url": datasette.urls.path("/-/search"),
        "dashboard_url": datasette.urls.path("/-/dashboard"),
        "audit_url": datasette.urls.path("/-/audit"),
        "docs_url": datasette.urls.path("/-/docs"),
        "display": display,
        "web_href": web_href,
        "direction": direction,
        "when": when,
    }
    html = await datasette.render_template([template], {**base, **context}, request=request)
    return Response.html(html, headers=PAGE_HEADERS)


def _article_id(request: Any) -> int | None:
    """The article id of the URL, None when it cannot be one (SQLite ids are 64-bit)."""
    try:
        value = int(request.url_vars["id"])
    except ValueError:  # over Python's 4300 digits
        return None
    return value if 0 < value <= MAX_ID else None


def web_href(url: str | None) -> str | None:
    """``url`` when it is an http(s) URL, else None: an archive written before that rule (or by
    another tool) may hold a ``javascript:`` image or edition; it is shown, never linked."""
    return url if url and web_url(url) else None


def _not_found(message: str) -> Response:
    return Response.html(
        f"<h1>Not found</h1><p>{escape(message)}</p>", status=404, headers=PAGE_HEADERS
    )


def _bad_request(message: str) -> Response:
    return Response.html(
        f"<h1>Bad request</h1><p>{escape(message)}</p>", status=400, headers=PAGE_HEADERS
    )


# ---------------------------------------------------------------------- article
async def article(datasette: Any, request: Any) -> Response:
    article_id = _article_id(request)
    if article_id is None:
        return _not_found(f"no article {request.url_vars['id'][:40]} in the archive")

    def load(store: Store) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
        page = reading.article_page(store, article_id)
        versions = (store.history(article_id) or []) if page else []
        return page, versions

    page, versions = await _run(datasette, load)
    if page is None:
        return _not_found(f"no article {article_id} in the archive")
    db = datasette.get_database()
    listing = datasette.urls.table(db.name, "article_list")

    def facet(column: str, value: str) -> str:
        return listing + "?" + urlencode({f"{column}__arraycontains": value})

    return await _page(
        datasette,
        request,
        "scraper_article.html",
        {
            "a": page,
            "dir": direction(page["language"], page["title"]),
            "paragraphs": paragraphs(page["body"]),
            "sections": [(c, facet("categories", c)) for c in page["categories"]],
            "tags": [(t, facet("tags", t)) for t in page["tags"]],
            "authors": [(n, facet("authors", n)) for n in page["authors"]],
            "versions": versions,
            "row_url": datasette.urls.row(db.name, "articles", str(article_id)),
            "article_url": lambda i: datasette.urls.path(f"/-/article/{i}"),
            "quality_threshold": QUALITY_THRESHOLD,
        },
    )


async def raw(datasette: Any, request: Any) -> Response:
    article_id = _article_id(request)
    if article_id is None:
        return _not_found(f"no stored page for article {request.url_vars['id'][:40]}")
    found = await _run(datasette, lambda s: reading.raw_page(s, article_id))
    if found is None:
        return _not_found(f"no stored page for article {article_id}")
    _url, body, content_type, encoding = found
    charset = encoding or "utf-8"
    if request.args.get("as") == "text":
        return Response(body, content_type=f"text/plain; charset={charset}")
    kind = (content_type or "text/html").split(";")[0].strip() or "text/html"
    return Response(
        body,
        content_type=f"{kind}; charset={charset}",
        headers={
            # the archived page's scripts never run, and it fetches nothing
            "Content-Security-Policy": "sandbox; default-src 'none'; style-src 'unsafe-inline';"
            " img-src data:",
            "X-Content-Type-Options": "nosniff",
        },
    )


async def diff(datasette: Any, request: Any) -> Response:
    article_id = _article_id(request)
    if article_id is None:
        return _not_found(f"no article {request.url_vars['id'][:40]} in the archive")
    versions = await _run(datasette, lambda s: s.history(article_id))
    if not versions:
        return _not_found(f"no article {article_id} in the archive")
    old = request.args.get("from") or (
        str(versions[-2]["revision"]) if len(versions) > 1 else "current"
    )
    new = request.args.get("to") or "current"
    error = None
    lines: list[tuple[str, str]] = []
    try:
        text = history.diff(versions, old, new)
    except HistoryError as exc:  # an unknown revision
        error, text = str(exc), ""
    for line in text.splitlines():
        kind = "add" if line.startswith("+") else "del" if line.startswith("-") else "ctx"
        if line.startswith(("+++", "---")):
            kind = "file"
        elif line.startswith("@@"):
            kind = "hunk"
        lines.append((kind, line))
    current = versions[-1]
    response = await _page(
        datasette,
        request,
        "scraper_diff.html",
        {
            "article_id": article_id,
            "title": current.get("title"),
            "dir": direction(None, current.get("title")),
            "lines": lines,
            "error": error,
            "versions": versions,
            "old": old,
            "new": new,
            "article_href": datasette.urls.path(f"/-/article/{article_id}"),
        },
    )
    if error is not None:  # an unknown revision: the page says which, with the choices
        response.status = 400
    return response


# ---------------------------------------------------------------------- search
FILTER_FIELDS = ("site", "language", "section", "tag", "since", "until", "min_quality")


async def search(datasette: Any, request: Any) -> Response:
    args = {k: (request.args.get(k) or "").strip() for k in ("q", *FILTER_FIELDS)}
    try:
        page = max(1, int(request.args.get("page") or 1))
    except ValueError:
        page = 1
    if page > MAX_PAGE:
        return _bad_request(f"page {page} is past the last one a search shows ({MAX_PAGE:,})")

    as_json = request.url_vars.get("format") == "json"

    def run(store: Store) -> tuple[list[dict[str, Any]], dict[int, str]]:
        if not args["q"]:
            return [], {}
        hits = store.search(
            args["q"],
            limit=PAGE_SIZE + 1,
            offset=(page - 1) * PAGE_SIZE,
            marks=("[", "]") if as_json else (_OPEN, _CLOSE),
            **asdict(_form_filters(args)),
        )
        return hits, reading.sections_of(store, [h["id"] for h in hits])

    error = None
    hits: list[dict[str, Any]] = []
    sections: dict[int, str] = {}
    try:
        for bound in ("since", "until"):
            if args[bound]:
                date_bound(args[bound], end=bound == "until")
        hits, sections = await _run(datasette, run)
    except ScraperError as exc:  # a bad date, an unknown site, a broken query
        error = str(exc)
    more = len(hits) > PAGE_SIZE
    hits = hits[:PAGE_SIZE]

    def page_url(n: int, suffix: str = "") -> str:
        kept = {k: v for k, v in args.items() if v}
        return datasette.urls.path("/-/search" + suffix) + "?" + urlencode({**kept, "page": n})

    if as_json:
        if error:
            return Response.json({"error": error}, status=400)
        return Response.json(
            {
                "query": args["q"],
                "page": page,
                "hits": [{**hit, "section": sections.get(hit["id"])} for hit in hits],
                "next_url": page_url(page + 1, ".json") if more else None,
            }
        )
    choices = await _choices(datasette)
    query = parse(args["q"]) if hits else None
    results = []
    for hit in hits:
        title = hit["title"] or ""
        marked = highlight(title, query, marks=(_OPEN, _CLOSE)) if query else ""
        results.append(
            {
                **hit,
                "title_html": highlighted(marked or title or hit["url"]),
                "snippet_html": highlighted(hit["snippet"]),
                "section": sections.get(hit["id"]),
                "dir": direction(hit["language"], title),
                "href": datasette.urls.path(f"/-/article/{hit['id']}"),
            }
        )

    return await _page(
        datasette,
        request,
        "scraper_search.html",
        {
            "args": args,
            "choices": choices,
            "results": results,
            "error": error,
            "page": page,
            "first": (page - 1) * PAGE_SIZE + 1,
            "previous_url": page_url(page - 1) if page > 1 else None,
            "next_url": page_url(page + 1) if more else None,
            "capped": any(h["capped"] for h in hits),
            "json_url": page_url(page, ".json") if args["q"] else None,
        },
    )


# ---------------------------------------------------------------------- dashboard
def _dashboard_args(request: Any) -> tuple[dict[str, str], Filters, int]:
    args = {k: (request.args.get(k) or "").strip() for k in FILTER_FIELDS}
    try:
        min_gap = max(1, int(request.args.get("min_gap") or 1))
    except ValueError:
        min_gap = 1
    return args, _form_filters(args), min_gap


def _form_filters(args: dict[str, str]) -> Filters:
    """The filters the search and dashboard forms give (their ``section`` is a category)."""
    return Filters(
        site=args["site"] or None,
        language=args["language"] or None,
        category=args["section"] or None,
        tag=args["tag"] or None,
        since=args["since"] or None,
        until=args["until"] or None,
        min_quality=_quality_bound(args["min_quality"]),
    )


def _quality_bound(value: str) -> float | None:
    """The form's minimum quality: a number from 0 to 1, else no bound (the form's number
    field keeps a browser from sending anything else)."""
    try:
        bound = float(value)
    except ValueError:
        return None
    return bound if 0 <= bound <= 1 else None


async def dashboard(datasette: Any, request: Any) -> Response:
    args, filters, min_gap = _dashboard_args(request)
    error = None

    def run(store: Store) -> Timeline:
        return day_timeline(store, filters, min_gap=min_gap)

    tl: Timeline | None = None
    agencies = await _run(datasette, lambda store: store.agency_share())
    try:
        for bound in ("since", "until"):
            if args[bound]:
                date_bound(args[bound], end=bound == "until")
        tl = await _run(datasette, run)
    except ScraperError as exc:  # a bad date, an unknown site, a broken query
        error = str(exc)
    if request.url_vars.get("format") == "json":
        if tl is None:
            return Response.json({"error": error}, status=400)
        return Response.json(tl.to_dict())
    kept = {k: v for k, v in args.items() if v}
    choices = await _choices(datasette, tags=0)
    return await _page(
        datasette,
        request,
        "scraper_dashboard.html",
        {
            "args": args,
            "choices": choices,
            "error": error,
            "timeline": tl,
            "chart": svg(tl) if tl is not None else "",
            "agencies": agencies,
            "min_gap": min_gap,
            "json_url": datasette.urls.path("/-/dashboard.json")
            + ("?" + urlencode(kept) if kept else ""),
        },
    )


# ---------------------------------------------------------------------- docs
async def docs(datasette: Any, request: Any) -> Response:
    described = schema_descriptions()
    tables = []
    for name, (description, columns) in described.items():
        if name == "article_list":
            article = described["articles"][1]
            db = datasette.get_database()
            names = await db.execute("SELECT name FROM pragma_table_info('article_list')")
            columns = {r[0]: VIEW_COLUMNS.get(r[0]) or article.get(r[0], "") for r in names.rows}
        tables.append((name, description, columns))
    return await _page(datasette, request, "scraper_docs.html", {"tables": tables})


# ---------------------------------------------------------------------- audit
async def audit(datasette: Any, request: Any) -> Response:
    """``scraper audit`` in the browser: per site, what it declares against what the archive
    holds, the missing URLs with their reasons, the gaps (``.json``: the CLI's --json)."""
    site = (request.args.get("site") or "").strip() or None
    error = None
    result: audit_report.Audit | None = None
    try:
        result = await _run(datasette, lambda store: audit_report.audit(store, site))
    except ScraperError as exc:  # an unknown site
        error = str(exc)
    if request.url_vars.get("format") == "json":
        if result is None:
            return Response.json({"error": error}, status=400)
        return Response.json(result.to_dict())
    query = urlencode({"site": site}) if site else ""
    return await _page(
        datasette,
        request,
        "scraper_audit.html",
        {
            "result": result,
            "error": error,
            "site": site or "",
            "every": request.args.get("all") == "1",
            "max_rows": AUDIT_ROWS,
            "json_url": datasette.urls.path("/-/audit.json") + ("?" + query if query else ""),
            "quality_threshold": QUALITY_THRESHOLD,
            "article_url": lambda i: datasette.urls.path(f"/-/article/{i}"),
        },
    )


AUDIT_ROWS = 200  # failed and missing URLs listed per site on the page (the JSON has all)

ROUTES: list[tuple[str, Any]] = [
    (r"^/-/article/(?P<id>\d+)$", article),
    (r"^/-/article/(?P<id>\d+)/raw$", raw),
    (r"^/-/article/(?P<id>\d+)/diff$", diff),
    (r"^/-/search(\.(?P<format>json))?$", search),
    (r"^/-/dashboard(\.(?P<format>json))?$", dashboard),
    (r"^/-/audit(\.(?P<format>json))?$", audit),
    (r"^/-/docs$", docs),
]
