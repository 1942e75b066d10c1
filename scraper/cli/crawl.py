"""``scraper crawl`` and ``scraper demo``: thin wrappers over :func:`scraper.crawl`.

The command builds :class:`~scraper.Settings` from its options, shows progress on a terminal,
prints the summary and maps it to the exit code (documented in README.md).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from .._config import Settings
from .._exceptions import EXIT_BLOCKED, EXIT_OK, EXIT_PARTIAL
from ..crawl import CrawlSummary, Progress
from ..job import crawl as run_crawl
from ._common import (
    EXIT_INTERRUPTED,
    db_option,
    open_store,
    settings_from,
    settings_options,
    setup_logging,
)


@click.command()
@click.argument("target")
@click.option(
    "--profile",
    "profile_name",
    help="Site profile to apply: a name (see 'scraper profiles') or a TOML file.",
)
@db_option
@settings_options
@click.option(
    "--log-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Append log lines to this file instead of stderr.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option("-v", "--verbose", count=True, help="More log output (-vv: debug).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors.")
@click.pass_context
def crawl(
    ctx: click.Context, target: str, profile_name: str | None, db_path: Path, **kw: Any
) -> None:
    """Crawl TARGET (a profile name like sahara.ma, or a URL) into the archive.

    \b
    Examples:
      scraper crawl sahara.ma
      scraper crawl --profile sahara.ma http://127.0.0.1:8000/ar/
      scraper crawl https://news.example.org/ --db news.db
    """
    setup_logging(kw["verbose"], kw["quiet"], kw["log_file"])
    settings = settings_from(ctx, kw)
    with progress_display(enabled=not kw["quiet"] and sys.stderr.isatty()) as progress:
        summary = run_crawl(
            target, db_path, settings=settings, profile=profile_name, progress=progress
        )
    sys.exit(report(summary, as_json=kw["as_json"], quiet=kw["quiet"]))


def exit_code(summary: CrawlSummary) -> int:
    """The documented exit code for a finished crawl."""
    if summary.status == "interrupted":
        return EXIT_INTERRUPTED.get(summary.interrupted_by or "", EXIT_OK)
    codes = {"ok": EXIT_OK, "partial": EXIT_PARTIAL, "blocked": EXIT_BLOCKED}
    return codes.get(summary.status, EXIT_PARTIAL)


def report(summary: CrawlSummary, *, as_json: bool, quiet: bool, always: bool = False) -> int:
    """Print the end-of-crawl summary; return the exit code it implies.

    Off a terminal (cron) the summary is printed only when something went wrong, or with
    ``--json``; ``-q`` silences it unless the crawl failed.
    """
    code = exit_code(summary)
    if summary.pages_fetched == 0 and summary.failures and summary.status != "blocked":
        click.echo(f"scraper: error: cannot crawl {summary.failures[0]}", err=True)
        return EXIT_PARTIAL
    if as_json:
        click.echo(json.dumps(summary.to_dict(), ensure_ascii=False))
    elif always or code or (not quiet and sys.stdout.isatty()):
        click.echo(
            f"{summary.site}: {summary.pages_fetched} pages fetched, "
            f"{summary.articles_new} new, {summary.articles_updated} updated, "
            f"{summary.articles_unchanged} unchanged, {summary.not_modified} not modified, "
            f"{summary.errors} errors in {summary.seconds:.1f}s ({summary.status})",
            err=not always and code != 0,
        )
        for failure in summary.failures[:5]:
            click.echo(f"  failed: {failure}", err=True)
    for message in summary.messages:
        click.echo(f"scraper: error: {message}", err=True)
    return code


@contextmanager
def progress_display(enabled: bool) -> Iterator[Progress | None]:
    """A rich progress bar on a terminal; nothing otherwise (log lines say what matters)."""
    if not enabled:
        yield None
        return
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    bar = Progress(
        TextColumn("[bold]crawl"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} pages"),
        TextColumn("{task.fields[detail]}"),
        TimeElapsedColumn(),
        transient=True,
        console=None,
    )
    task = bar.add_task("crawl", total=1, detail="")

    def update(summary: CrawlSummary, frontier: dict[str, int]) -> None:
        done = sum(v for k, v in frontier.items() if k not in ("pending", "active"))
        detail = (
            f"new {summary.articles_new} · updated {summary.articles_updated} · "
            f"errors {summary.errors}"
        )
        bar.update(task, completed=done, total=max(sum(frontier.values()), 1), detail=detail)

    with bar:
        yield update


# ---------------------------------------------------------------------- demo
DEMO_SETTINGS = Settings(delay=0.0, concurrency=4, workers=8)


@click.command()
@db_option
@click.option(
    "--port",
    default=8765,
    show_default=True,
    help="Loopback port for the mirror (0: any free port).",
)
def demo(db_path: Path, port: int) -> None:
    """Crawl the bundled sahara.ma mirror over a real loopback server into the archive."""
    from ..mirror import default_site
    from ..mirror.server import MirrorServer
    from .archive import print_hits

    setup_logging(0, False)
    try:
        server = MirrorServer(default_site(), port=port)
        server.start()
    except OSError:
        server = MirrorServer(default_site(), port=0)
        server.start()
    try:
        base = server.base_url.rstrip("/") + "/ar/"
        click.echo(f"Serving the sahara.ma mirror at {base} (loopback only)")
        summary = run_crawl(base, db_path, settings=DEMO_SETTINGS, profile="sahara.ma")
    finally:
        server.stop()
    code = report(summary, as_json=False, quiet=False, always=True)
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
        "\nTry: scraper search ...  |  scraper show <url>  |  scraper export -o articles.jsonl"
    )
    sys.exit(code)
