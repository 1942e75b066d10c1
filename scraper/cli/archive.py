"""Commands for working with the archive: search, export, history, reextract, stats, serve.

Each command parses its options and calls one library function. Like every command, an error
the user can cause (a malformed query, an unknown revision, a missing optional
dependency) prints one line on stderr and exits non-zero, never a traceback.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from .._exceptions import UsageError
from ..store import RANK_WINDOW, RECORD_FIELDS, REVISION_FIELDS, Filters
from ..urls import canonical, display, readable
from ._common import (
    check_day,
    db_option,
    fail,
    flush_stdout,
    open_store,
    plural,
    setup_logging,
    verbosity_options,
)
from ._output import chosen_format, emit, output_options

# ---------------------------------------------------------------------- shared options


def filter_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """--site --lang --category --tag --since --until --min-quality."""
    options = [
        click.option("--site", help="Only this site (e.g. sahara.ma)."),
        click.option("--lang", "language", help="Only this language (ar also matches ar-MA)."),
        click.option(
            "--category", help="Only articles filed under this category, main or not (folded)."
        ),
        click.option("--tag", help="Only this tag."),
        click.option(
            "--since",
            callback=check_day,
            help="Published on or after (YYYY, YYYY-MM, YYYY-MM-DD or an ISO datetime).",
        ),
        click.option("--until", callback=check_day, help="Published on or before (same forms)."),
        click.option(
            "--min-quality",
            type=click.FloatRange(0, 1),
            help="Only articles whose extraction quality estimate is at least this (0-1;"
            " below 0.6 is worth a look).",
        ),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def _filters(kw: dict[str, Any]) -> dict[str, Any]:
    keys = ("site", "language", "category", "tag", "since", "until", "min_quality")
    return {k: kw.get(k) for k in keys}


def check_run_or_day(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A crawl run id (digits) or a date in the one grammar."""
    if value is None or value.strip().isdigit():
        return value
    return check_day(ctx, param, value)


# ---------------------------------------------------------------------- search
@click.command(short_help="Full-text search, best matches first.")
@click.argument("query")
@db_option
@filter_options
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 10_000))
@click.option("--offset", default=0, type=click.IntRange(0), help="Skip the first N results.")
@output_options(legacy={"json": "nl", "csv": "csv"})
@click.option(
    "--exact",
    is_flag=True,
    help=f"Rank every match (by default a query matching over {RANK_WINDOW:,} articles"
    " ranks the most recent of them). A one-word query is ranked from the index's impact"
    " lists, fast at any size; other queries score every match.",
)
def search(
    query: str, db_path: Path, limit: int, offset: int, fmt: str, exact: bool, **kw: Any
) -> None:
    """Full-text search over titles and bodies, best matches first.

    \b
    Arabic is folded (diacritics, alef/ya/ta marbuta forms) and clitics are handled:
    والاقتصاد, الاقتصاد and اقتصاد find each other. Latin accents fold (economie = économie).
    \b
    Syntax: words (all must match)   "exact phrase"   prefix*   a OR b   -excluded   ( )
    \b
    The table shows each hit's id (for 'scraper show ID'); --json, --nl, --csv and --tsv
    print the same columns: id, url, site, language, published_at, title, score, snippet,
    quality, capped (true when over 10,000 articles matched and the newest were ranked).
    \b
    Examples:
      scraper search "الصناعة التقليدية" --site sahara.ma --since 2025-01
      scraper search '"التنمية المستدامة" -رياضة' --json
      scraper search 'économ*' --lang fr --limit 5 --csv
    """
    fmt = chosen_format(fmt)
    bold = fmt == "table" and sys.stdout.isatty()
    marks = ("\x1b[1m", "\x1b[0m") if bold else ("[", "]")
    with open_store(db_path, must_exist=True, reading=True) as store:
        window = None if exact else RANK_WINDOW
        hits = store.search(
            query, limit=limit, offset=offset, marks=marks, window=window, **_filters(kw)
        )
    if hits and hits[0]["capped"]:
        click.echo(
            f"scraper: more than {RANK_WINDOW:,} articles match; ranked the {RANK_WINDOW:,}"
            " most recent (add words or filters, or use --exact)",
            err=True,
        )
    if fmt != "table":
        emit(hits, fmt, SEARCH_COLUMNS)
    else:
        print_results(hits)


#: The columns of a search hit, in every machine format.
SEARCH_COLUMNS = (
    "id", "url", "site", "language", "published_at", "title", "score", "snippet", "quality",
    "capped",
)  # fmt: skip


def print_results(hits: list[dict[str, Any]]) -> None:
    """Hits for a person, best first: each with its id (what 'scraper show' takes)."""
    if not hits:
        click.echo("no match")
    for hit in hits:
        day = (hit["published_at"] or "")[:10] or "----------"
        click.echo(
            f"{hit['id']:>5}  {day}  {hit['site']}  [{hit['language'] or '?'}]  {hit['title']}"
        )
        if hit["snippet"]:
            click.echo(f"       {hit['snippet']}")
        click.echo(f"       {display(hit['url'])}")  # readable; `scraper show` takes it as is


# ---------------------------------------------------------------------- export
@click.command(short_help="Export articles (JSONL, JSON, CSV, Parquet, WARC).")
@db_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "json", "csv", "parquet", "warc"]),
    help="Default: the -o file's extension (.jsonl .json .csv, each also .gz; .parquet"
    " .warc.gz), else jsonl.",
)
@filter_options
@click.option(
    "--fields",
    help="Record fields to write, comma-separated, in order (default: all).",
)
@click.option(
    "--excel",
    is_flag=True,
    help="CSV for Excel: UTF-8 with a byte-order mark, CRLF lines, a decoded url_decoded column.",
)
@click.option(
    "--revisions",
    is_flag=True,
    help="Every version of every article, one row each (with its fetch time and hash).",
)
@click.option(
    "--changed-since",
    metavar="RUN|DATE",
    callback=check_run_or_day,
    help="Only articles new or changed after crawl run RUN (see 'scraper runs'; a number)"
    " or since DATE (a year as 2025-01).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="File (default: stdout; Parquet only when stdout is not a terminal).",
)
@verbosity_options(log_file=False)
def export(
    db_path: Path,
    fmt: str | None,
    fields: str | None,
    excel: bool,
    revisions: bool,
    changed_since: str | None,
    output: Path | None,
    verbose: int,
    quiet: bool,
    **kw: Any,
) -> None:
    """Export articles in the record format, oldest first (streams: any archive size).

    \b
    jsonl: one record per line.   json: one array.   csv: one row per record, list
    fields as JSON text.   A .gz file name compresses them (a.csv.gz, a.jsonl.gz).
    parquet: typed columns, dates as UTC timestamps (needs pip install 'scraper[parquet]').
    warc: the raw pages as WARC response records (-o FILE.warc.gz).
    --revisions: one row per version of each article (article_id, revision, current,
    seen_from, replaced_at, fetched_at, content_hash, the content fields).
    URLs are written in their canonical (percent-encoded) form.
    \b
    Examples:
      scraper export -o articles.jsonl
      scraper export --site sahara.ma --since 2025-11 -o nov.csv --excel
      scraper export --lang ar --fields url,title,published_utc -o ar.parquet
      scraper export --changed-since 12 -o new.jsonl.gz  # after crawl run 12
      scraper export --revisions -o history.csv
    """
    from ..report import exporting

    setup_logging(verbose, quiet)
    fmt = exporting.format_for(output, fmt)
    if fmt == "warc" and revisions:
        fail("--revisions exports records, not WARC (only the latest raw page is kept)")
    if fmt == "warc":
        from ..report.warc_export import export_warc

        if output is None:
            fail("--format warc needs -o FILE (e.g. pages.warc.gz)")
        with open_store(db_path, must_exist=True, reading=True) as store:
            count = export_warc(store, store.records(**_filters(kw)), output)
        if not quiet:
            click.echo(f"{plural(count, 'page')} written to {output}", err=True)
        return
    if fmt == "parquet" and output is None and sys.stdout.isatty():
        fail("Parquet is binary and is not written to a terminal: use -o FILE or redirect stdout")
    known = REVISION_FIELDS if revisions else RECORD_FIELDS
    names = exporting.check_fields(fields.split(",") if fields is not None else None, known)
    with open_store(db_path, must_exist=True, reading=True) as store:
        if revisions:
            records = store.revision_records(Filters(**_filters(kw)), changed_since)
        else:
            records = store.records(**_filters(kw), changed_since=changed_since)
        target: Any = output
        if output is None:
            target = sys.stdout.buffer if fmt == "parquet" else sys.stdout
        count = exporting.export(records, fmt, target, fields=names, excel=excel, known=known)
        if output is None:
            flush_stdout()
    if output and not quiet:
        what = plural(count, "revision" if revisions else "article")
        click.echo(f"{what} written to {output}", err=True)


# ---------------------------------------------------------------------- history
@click.command(short_help="An article's versions, or a diff of two.")
@click.argument("key")
@db_option
@click.option(
    "--diff",
    "diff_pair",
    nargs=2,
    metavar="A B",
    help="Unified diff between revisions A and B (numbers, or 'current').",
)
@output_options()
def history(key: str, db_path: Path, diff_pair: tuple[str, str] | None, fmt: str) -> None:
    """List the versions of an article (by URL or id), or diff two of them.

    \b
    Examples:
      scraper history https://sahara.ma/ar/some-story/
      scraper history 42 --diff 1 current
    """
    from ..report import history as hist

    with open_store(db_path, must_exist=True, reading=True) as store:
        record = store.record(article_key(key))
        versions = store.history(record["id"]) if record else None
    if record is None or versions is None:
        fail(f"no article {key!r} in {db_path}")
    if diff_pair:
        text = hist.diff(versions, *diff_pair)
        click.echo(text or f"revisions {diff_pair[0]} and {diff_pair[1]} are identical", nl=False)
        if not text:
            click.echo()
    elif fmt != "table":
        emit(versions, fmt)
    else:
        click.echo(hist.render(display(record["url"]), versions), nl=False)


# ---------------------------------------------------------------------- reextract
@click.command(short_help="Re-run extraction on the stored pages.")
@db_option
@click.option("--site", help="Only this site's pages.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as one JSON object.")
@click.option(
    "--engine",
    default="local",
    show_default=True,
    type=click.Choice(["local", "dask"]),
    help="dask: a local cluster of --workers processes, or --scheduler.",
)
@click.option("--workers", default=2, show_default=True, help="Dask workers (LocalCluster).")
@click.option("--scheduler", help="An existing Dask cluster, e.g. tcp://HOST:8786.")
@verbosity_options()
def reextract(
    db_path: Path,
    site: str | None,
    as_json: bool,
    engine: str = "local",
    workers: int = 2,
    scheduler: str | None = None,
    verbose: int = 0,
    quiet: bool = False,
    log_file: Path | None = None,
) -> None:
    """Re-run extraction on the stored raw pages (no network), after an extractor change.

    Articles whose content changed get a new revision (see 'scraper history'); fields outside
    the content (authors, image, links) are updated in place; the rest is left untouched.
    """
    from ..scale.reextract import reextract_archive

    setup_logging(verbose, quiet, log_file)
    if not db_path.exists():
        fail(f"no archive at {db_path} (run 'scraper crawl' or 'scraper demo' first)")
    summary = reextract_archive(db_path, site, engine=engine, workers=workers, scheduler=scheduler)
    for message in summary.messages:
        click.echo(f"scraper: {message}", err=True)
    if as_json:
        click.echo(json.dumps(summary.counts()))
    elif not quiet:
        click.echo(
            f"re-extracted {plural(summary.pages, 'page')}: {summary.updated} changed"
            " (new revision), "
            f"{summary.refreshed} refreshed in place, {summary.unchanged} unchanged, "
            f"{summary.not_articles} no longer seen as articles (kept)"
        )


# ---------------------------------------------------------------------- stats
@click.command(short_help="Articles per site, section and month; gaps.")
@db_option
@filter_options
@click.option(
    "--min-gap",
    default=1,
    show_default=True,
    type=click.IntRange(1),
    help="Only report gaps of at least this many days.",
)
@click.option("--no-months", is_flag=True, help="Leave out the articles-per-month lines.")
@click.option(
    "--plot",
    is_flag=True,
    help="Draw articles per day per section, gaps marked (the numbers of the serve dashboard).",
)
@output_options(legacy={"json": "json"})
def stats(
    db_path: Path,
    min_gap: int,
    no_months: bool,
    plot: bool,
    fmt: str,
    **kw: Any,
) -> None:
    """Per site, language and section: articles, first/last dates, articles per month, and
    gaps (days without an article where the series' own volume makes that unlikely: the
    gaps 'scraper audit' flags).

    A section is an article's main category (the first on its page): each article counts
    once, in its main section, as in the Datasette facet 'section'.
    With --plot: articles per day per section as a chart (--json: its numbers, one object).
    --json, --nl, --csv, --tsv: one record per site, language and section."""
    from ..report import stats as st

    fmt = chosen_format(fmt)
    if plot and fmt not in ("table", "json"):
        fail("--plot prints one object: use --json (or no flag for the chart)")
    filters = Filters(**_filters(kw))
    if plot:
        _plot(db_path, filters, min_gap, fmt)
        return
    with open_store(db_path, must_exist=True, reading=True) as store:
        series = st.series(store, filters, min_gap=min_gap)
    if fmt != "table":
        emit((s.to_dict() for s in series), fmt)
    else:
        click.echo(st.render(series, months=not no_months), nl=False)


def _plot(db_path: Path, filters: Filters, min_gap: int, fmt: str) -> None:
    import shutil

    from ..report import stats as st
    from ..report.stats import day_timeline

    with open_store(db_path, must_exist=True, reading=True) as store:
        tl = day_timeline(store, filters, min_gap=min_gap)
    if fmt == "json":
        click.echo(json.dumps(tl.to_dict(), ensure_ascii=False, indent=2))
        return
    text = st.plot(tl, width=shutil.get_terminal_size((120, 24)).columns)
    click.echo(text.replace(st.GAP_MARK, click.style(st.GAP_MARK, fg="red")), nl=False)


# ---------------------------------------------------------------------- runs
@click.command(short_help="The runs that wrote the archive.")
@db_option
@click.option("--site", help="Only this site's runs.")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1), help="Newest N.")
@output_options(legacy={"json": "nl"})
def runs(db_path: Path, site: str | None, limit: int, fmt: str) -> None:
    """The runs that wrote to the archive, newest first: crawls, backfills, imports and
    re-extractions, with when (UTC), how long, which site, status, counts and message."""
    fmt = chosen_format(fmt)
    with open_store(db_path, must_exist=True, reading=True) as store:
        rows = store.runs(site=site, limit=limit)
    if fmt != "table":
        emit(({**r, "seconds": run_duration(r)} for r in rows), fmt)
        return
    if not rows:
        click.echo("no run recorded")
        return
    click.echo(
        f"{'id':>4}  {'started (UTC)':<19}  {'duration':>8}  {'kind':<9} {'status':<11} "
        f"{'pages':>6} {'new':>5} {'updated':>7} {'errors':>6}  site  message"
    )
    for r in rows:
        seconds = run_duration(r)
        took = "-" if seconds is None else _duration(seconds)
        started = r["started_at"][:19].replace("T", " ")
        counts = (
            f"{r['pages_fetched'] or 0:>6} {r['articles_new'] or 0:>5} "
            f"{r['articles_updated'] or 0:>7} {r['errors'] or 0:>6}"
        )
        line = (
            f"{r['id']:>4}  {started:<19}  {took:>8}  {r.get('kind') or 'crawl':<9} "
            f"{r['status']:<11} {counts}  {r['site'] or '(all sites)'}"
        )
        if r.get("collection_run"):
            line += f"  (collection {r['collection_run']})"
        click.echo(line + (f"  {r['message']}" if r["message"] else ""))


def run_duration(run: dict[str, Any]) -> float | None:
    """Seconds from a run's start to its end (None while it runs or after a hard kill)."""
    from datetime import datetime

    if not run.get("finished_at"):
        return None
    try:
        end = datetime.fromisoformat(run["finished_at"])
        return round((end - datetime.fromisoformat(run["started_at"])).total_seconds(), 1)
    except ValueError:
        return None


def _duration(seconds: float) -> str:
    """'42s', '3m05s', '2h04m'."""
    whole = round(seconds)
    if whole < 60:
        return f"{whole}s"
    if whole < 3600:
        return f"{whole // 60}m{whole % 60:02d}s"
    return f"{whole // 3600}h{whole % 3600 // 60:02d}m"


# ---------------------------------------------------------------------- serve
@click.command(short_help="Browse and search the archive in Datasette.")
@db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8001, show_default=True, type=click.IntRange(0, 65535))
def serve(db_path: Path, host: str, port: int) -> None:
    """Browse, facet and search the archive in Datasette (needs: pip install 'scraper[datasette]').

    A reading room: article pages (/-/article/ID), ranked search with snippets and filters
    (/-/search, and .json), articles per day per section (/-/dashboard), the completeness
    report of 'scraper audit' (/-/audit, and .json). Search folds Arabic and handles clitics
    like 'scraper search'; the SQL functions scraper_fold(), scraper_match() and
    scraper_snippet() are available in queries. See docs/reading-room.md.
    A port in use: one line and exit 5.
    """
    from ..web.serve import check_address
    from ..web.serve import serve as run

    if not db_path.exists():
        fail(f"no archive at {db_path} (run 'scraper crawl' or 'scraper demo' first)")
    with open_store(db_path):
        pass  # migrates an older archive first (Datasette opens it read-only)
    check_address(host, port)
    click.echo(f"Serving {db_path} at http://{host}:{port}/ (Ctrl-C to stop)", err=True)
    run(db_path, host=host, port=port)


# ---------------------------------------------------------------------- show
@click.command(short_help="One article as JSON (by id or URL).")
@click.argument("key")
@db_option
def show(key: str, db_path: Path) -> None:
    """Print one archived article (by id or URL) as JSON, its URLs decoded for reading,
    with the same story elsewhere (its copies and editions: site, time, delay, kind).

    The URL may be given decoded or percent-encoded, with or without the trailing slash,
    tracking parameters or fragment."""
    with open_store(db_path, must_exist=True, reading=True) as store:
        record = store.record(article_key(key))
        if record is not None:
            elsewhere = [readable(c) for c in store.story_copies(record["id"])]
    if record is None:
        fail(f"no article {key!r} in {db_path}")
    shown = readable(record) | {"same_story_elsewhere": elsewhere}
    click.echo(json.dumps(shown, ensure_ascii=False, indent=2))


def print_hits(hits: list[dict[str, Any]]) -> None:
    """Search hits for a person: id, day, title, highlighted snippet, readable URL."""
    if not hits:
        click.echo("no match")
    for hit in hits:
        day = (hit["published_at"] or "")[:10]
        click.echo(f"{hit['id']:>5}  {day}  {hit['title']}")
        click.echo(f"       {hit['snippet']}\n       {display(hit['url'])}")


def article_key(key: str) -> int | str:
    """An article id (digits that fit SQLite's integers) or a URL, canonicalized."""
    key = key.strip()
    if key.isdigit() and len(key) < 19:
        return int(key)
    try:
        return canonical(key)
    except ValueError as exc:  # e.g. "http://[::1": an IPv6 host not closed
        raise UsageError(f"not an article id or URL: {key!r} ({exc})") from None
