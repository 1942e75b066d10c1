"""``scraper crawl`` and ``scraper demo``: thin wrappers over :func:`scraper.crawl`.

The command builds :class:`~scraper.Settings` from its options, shows progress on a terminal,
prints the summary and maps it to the exit code (documented in README.md).
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

import click

from .._config import Settings
from .._exceptions import EXIT_BLOCKED, EXIT_OK, EXIT_PARTIAL, ScraperError
from ..crawler.collection import CollectionSummary, crawl_collection
from ..crawler.job import crawl as run_crawl
from ..crawler.sitelist import SiteSpec, read_sites
from ..crawler.summary import CrawlSummary, Progress
from ..urls import display
from ._common import (
    EXIT_INTERRUPTED,
    db_option,
    fail,
    open_store,
    settings_from,
    settings_options,
    setup_logging,
)


@click.command(short_help="Crawl one site, or several, into the archive.")
@click.argument("targets", metavar="[TARGET]...", nargs=-1)
@click.option(
    "--sites",
    "sites_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Crawl the sites listed in this file (one target a line, or a TOML collection).",
)
@click.option(
    "--profile",
    "profile_name",
    help="Site profile to apply: a name (see 'scraper profiles') or a TOML file.",
)
@db_option
@settings_options
@click.option(
    "--urls",
    "urls_file",
    type=click.File(encoding="utf-8"),
    help="Fetch exactly the article URLs in this file (one a line, '-': stdin), nothing else.",
)
@click.option(
    "--engine",
    type=click.Choice(["local", "dask"]),
    default="local",
    show_default=True,
    help="dask: spread the sites over a Dask cluster's workers (needs scraper[scale]).",
)
@click.option("--scheduler", help="With --engine dask: a running cluster, e.g. tcp://HOST:8786.")
@click.option(
    "--dask-workers",
    default=2,
    show_default=True,
    type=click.IntRange(1),
    help="With --engine dask and no --scheduler: worker processes of a local cluster.",
)
@click.option(
    "--shards",
    "shards_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="With --engine dask: the folder of the workers' shard archives "
    "(default: <archive>.shards; on a cluster, a folder every worker and this machine see).",
)
@click.option(
    "--log-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Append everything stderr would get (log lines, summary, failures) to FILE, with"
    " times; errors still reach stderr.",
)
@click.option(
    "--json", "as_json", is_flag=True, help="Print the summary as one JSON object on stdout."
)
@click.option(
    "-v",
    "--verbose",
    count=True,
    help="-v one line per page, -vv the crawler's decisions, -vvv also httpx internals.",
)
@click.option("-q", "--quiet", is_flag=True, help="Only errors (no summary line unless it failed).")
@click.pass_context
def crawl(
    ctx: click.Context,
    targets: tuple[str, ...],
    sites_file: Path | None,
    profile_name: str | None,
    db_path: Path,
    **kw: Any,
) -> None:
    """Crawl TARGET (a profile name like sahara.ma, or a URL) into the archive.

    Several TARGETs, or --sites FILE, crawl a collection in one run: every site at once on
    one shared fetcher (politeness per host), one summary line per site and a total.

    Ends with one summary line on stderr (unless -q) and the exit code: 0 done (also when
    --max-pages left URLs pending), 1 some pages failed, no article archived or the start URL
    led to another site, 2 bad input, 3 archive locked, 4 blocked by the site, 130/143
    stopped by Ctrl-C/SIGTERM; a collection exits with the highest code of its sites.

    \b
    Examples:
      scraper crawl sahara.ma
      scraper crawl --profile sahara.ma http://127.0.0.1:8000/ar/
      scraper crawl https://news.example.org/ --db news.db
      scraper crawl sahara.ma --urls missing.txt   (from 'scraper audit --missing-urls')
      scraper crawl sahara.ma https://le360.com/ https://www.hespress.com/
      scraper crawl --sites press.toml --db press.db
    """
    settings = settings_from(ctx, kw)
    if kw["engine"] != "dask" and (kw["scheduler"] or kw["shards_dir"]):
        fail("--scheduler and --shards need --engine dask")
    if sites_file is not None or len(targets) != 1 or kw["engine"] == "dask":
        specs = collection_specs(targets, sites_file, profile_name, kw["urls_file"])
        run_collection(specs, db_path, settings, kw)
        return
    target = targets[0]
    urls = read_urls(kw["urls_file"]) if kw["urls_file"] is not None else None
    bar = not kw["quiet"] and not kw["log_file"] and sys.stderr.isatty()
    try:
        with progress_display(enabled=bar) as (progress, console):
            setup_logging(kw["verbose"], kw["quiet"], kw["log_file"], console)
            summary = run_crawl(
                target, db_path, settings=settings, profile=profile_name, progress=progress,
                urls=urls,
            )  # fmt: skip
    except ScraperError as exc:  # no crawl at all (locked archive, unknown profile, ...)
        if kw["as_json"]:
            failed = {"site": target, "status": "error", "messages": [str(exc)]}
            click.echo(json.dumps({**failed, "exit_code": exc.exit_code}, ensure_ascii=False))
        raise
    sys.exit(report(summary, as_json=kw["as_json"], quiet=kw["quiet"]))


def collection_specs(
    targets: tuple[str, ...],
    sites_file: Path | None,
    profile_name: str | None,
    urls_file: TextIO | None,
) -> list[SiteSpec]:
    """The sites of a collection: the TARGETs, then those of ``--sites``."""
    if not targets and sites_file is None:
        fail("missing TARGET (a profile name or URL), or --sites FILE")
    if profile_name is not None:
        fail("--profile applies to one TARGET; give each site its profile in a TOML sites file")
    if urls_file is not None:
        fail("--urls applies to one TARGET, not a collection")
    specs = [SiteSpec(t, where=f"site {t!r}") for t in targets]
    return specs + (read_sites(sites_file) if sites_file is not None else [])


def run_collection(specs: list[SiteSpec], db_path: Path, settings: Settings, kw: Any) -> None:
    """Crawl a collection; print its report; exit with the worst site's code."""
    bar = not kw["quiet"] and sys.stderr.isatty()
    try:
        with progress_display(enabled=bar) as (progress, console):
            setup_logging(kw["verbose"], kw["quiet"], kw["log_file"], console)
            if kw["engine"] == "dask":
                from ..scale.collection import crawl_collection_dask

                result = crawl_collection_dask(
                    list(specs), db_path, settings=settings, workers=kw["dask_workers"],
                    scheduler=kw["scheduler"], shards=kw["shards_dir"],
                )  # fmt: skip
            else:
                result = crawl_collection(specs, db_path, settings=settings, progress=progress)
    except ScraperError as exc:
        if kw["as_json"]:
            failed = {"status": "error", "messages": [str(exc)], "exit_code": exc.exit_code}
            click.echo(json.dumps(failed, ensure_ascii=False))
        raise
    sys.exit(report_collection(result, as_json=kw["as_json"], quiet=kw["quiet"]))


def report_collection(result: CollectionSummary, *, as_json: bool, quiet: bool) -> int:
    """One line per site (and its failures and messages), then the total; returns the exit
    code: the highest of the sites' (130/143 > 4 blocked > 1 failed pages > 0)."""
    codes = [exit_code(summary) for summary in result.sites]
    code = max(codes, default=EXIT_OK)
    if as_json:
        data = {**result.to_dict(), "exit_code": code}
        for site, site_code in zip(data["sites"], codes, strict=True):
            site["exit_code"] = site_code
        click.echo(json.dumps(data, ensure_ascii=False))
        return code
    if code or not quiet:
        for summary, site_code in zip(result.sites, codes, strict=True):
            report(summary, as_json=False, quiet=quiet and not site_code)
        click.echo(total_line(result), err=True)
    return code


def total_line(result: CollectionSummary) -> str:
    """The last line of a collection: the sum over its sites, and their statuses."""
    total = result.total()
    statuses = ", ".join(f"{n} {status}" for status, n in sorted(result.by_status().items()))
    return (
        f"total: {len(result.sites)} sites, {total['pages_fetched']} pages fetched, "
        f"{total['articles_new']} new, {total['articles_updated']} updated, "
        f"{total['articles_unchanged']} unchanged, {total['not_modified']} not modified, "
        f"{total['errors']} errors in {result.seconds:.1f}s ({statuses})"
    )


def read_urls(stream: TextIO) -> list[str]:
    """The URLs of a ``--urls`` file: one a line; blank lines and ``#`` comments skipped."""
    try:
        lines = [line.strip() for line in stream]
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"cannot read {stream.name}: {exc}")
    urls = [line for line in lines if line and not line.startswith("#")]
    if not urls:
        fail(f"no URL in {stream.name}")
    return urls


def exit_code(summary: CrawlSummary) -> int:
    """The documented exit code for a finished crawl."""
    if summary.status == "interrupted":
        return EXIT_INTERRUPTED.get(summary.interrupted_by or "", EXIT_OK)
    if summary.pages_fetched == 0 and summary.failures and summary.status != "blocked":
        return EXIT_PARTIAL  # nothing could be fetched at all
    codes = {"ok": EXIT_OK, "incomplete": EXIT_OK, "partial": EXIT_PARTIAL, "blocked": EXIT_BLOCKED}
    return codes.get(summary.status, EXIT_PARTIAL)


def summary_line(summary: CrawlSummary) -> str:
    """The one line a crawl ends with."""
    line = (
        f"{summary.site}: {summary.pages_fetched} pages fetched, "
        f"{summary.articles_new} new, {summary.articles_updated} updated, "
        f"{summary.articles_unchanged} unchanged, {summary.not_modified} not modified, "
        f"{summary.errors} errors"
    )
    if summary.not_articles:
        line += f", {summary.not_articles} not an article"
    if summary.skipped:
        line += f", {summary.skipped} skipped"
    if summary.outside_window:
        line += f", {summary.outside_window} outside the window"
    if summary.other_language:
        line += f", {summary.other_language} in other languages"
    if summary.pending:
        line += f", {summary.pending} URLs pending"
    return f"{line} in {summary.seconds:.1f}s ({summary.status})"


def report(summary: CrawlSummary, *, as_json: bool, quiet: bool, stdout: bool = False) -> int:
    """Print the end of a crawl; return the exit code it implies.

    One summary line on stderr (``stdout``: on stdout, for the demo), unless ``quiet`` and
    the crawl went well; ``as_json`` prints the summary object on stdout instead, always (also
    when the crawl failed). Then the failures and messages, one line each.
    """
    code = exit_code(summary)
    if summary.pages_fetched == 0 and summary.failures and summary.status != "blocked":
        click.echo(f"scraper: error: cannot crawl {summary.failures[0]}", err=True)
    if as_json:
        data = {**summary.to_dict(), "exit_code": code}
        click.echo(json.dumps(data, ensure_ascii=False))
    elif code or not quiet:
        click.echo(summary_line(summary), err=not stdout)
    if code or not quiet:
        for failure in summary.failures[:5]:
            click.echo(f"  failed: {display(failure)}", err=True)
        for message in summary.messages:
            kind = "error" if code else "note"
            click.echo(f"scraper: {kind}: {message}", err=True)
    if not quiet and not as_json:
        for note in summary.notes:
            click.echo(f"scraper: note: {note}", err=True)
    return code


@contextmanager
def progress_display(enabled: bool, console: Any = None) -> Iterator[tuple[Progress | None, Any]]:
    """On a terminal: a rich progress bar of this run's pages (done/known, rate, ETA) and the
    console log lines must go through (so they print above the bar). Else (None, None)."""
    if not enabled:
        yield None, None
        return
    from rich.console import Console
    from rich.progress import BarColumn, TextColumn, TimeRemainingColumn
    from rich.progress import Progress as Bar

    console = console or Console(stderr=True)
    bar = Bar(
        TextColumn("[bold]crawl"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} pages"),
        TextColumn("{task.fields[rate]}"),
        TimeRemainingColumn(),
        TextColumn("{task.fields[detail]}"),
        console=console,
        transient=True,
    )
    task = bar.add_task("crawl", total=1, detail="", rate="")
    started = time.monotonic()

    def update(summary: CrawlSummary, frontier: dict[str, int]) -> None:
        # This run's work: what it fetched, out of that plus what is still queued.
        done = summary.pages_fetched
        left = frontier.get("pending", 0) + frontier.get("active", 0)
        elapsed = max(time.monotonic() - started, 1e-6)
        detail = (
            f"new {summary.articles_new} · updated {summary.articles_updated} · "
            f"errors {summary.errors}"
        )
        bar.update(
            task,
            completed=done,
            total=max(done + left, 1),
            detail=detail,
            rate=f"{done / elapsed:.1f} pages/s",
        )

    with bar:
        yield update, console


# ---------------------------------------------------------------------- demo
@click.command(short_help="Crawl the bundled mirror (offline demo).")
@db_option
@click.option(
    "--port",
    default=8765,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Loopback port for the mirror (0: any free port; a busy port picks another).",
)
@click.option(
    "--moved",
    is_flag=True,
    help="Show a moved site: the mirror answers sahara.ma with a 301 to news.sahara.ma.",
)
def demo(db_path: Path, port: int, moved: bool) -> None:
    """Crawl the bundled sahara.ma mirror over a real loopback server into the archive.

    The mirror answers for http://sahara.ma/ (nothing leaves the machine); after the first
    crawl it corrects one article and a second crawl records the revision. Running the demo
    again adds nothing twice. --moved: sahara.ma answers 301 to news.sahara.ma and the
    crawl follows the site there.
    """
    from ..mirror import demo as dm
    from .archive import print_hits

    setup_logging(0, False)
    result = dm.run_demo(db_path, port, moved=moved)
    if result.port_busy:
        click.echo(f"scraper: note: port {port} is busy; the mirror used {result.port}", err=True)
    click.echo(
        f"Crawled the sahara.ma mirror (127.0.0.1:{result.port}, answering for "
        f"{dm.DEMO_BASE}; loopback only)"
    )
    codes = []
    for number, summary in enumerate(result.summaries):
        if number:
            click.echo("The mirror corrected an article; crawling again records the revision:")
        codes.append(report(summary, as_json=False, quiet=False, stdout=True))
    with open_store(db_path) as store:
        counts = store.counts()
        click.echo(
            f"Archive {db_path}: {counts['articles']} articles, "
            f"{counts['categories']} categories, {counts['tags']} tags"
        )
        query = "الصناعة التقليدية"
        click.echo(f"\nscraper search {query!r}")
        print_hits(store.search(query, limit=3))
    click.echo(
        f"\nTry: scraper show 1  |  scraper history {display(dm.corrected_url(moved))} --diff 1 2"
        "  |  scraper export -o articles.csv\n     scraper audit (is it complete?)"
        "  |  scraper serve (the reading room)"
    )
    sys.exit(max(codes, default=0))
