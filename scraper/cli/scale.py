"""Commands for web-archive scale: ``backfill`` (WARC files into the archive) and ``import``
(Parquet output or another archive into the archive).

Each is a thin wrapper over one library function (:func:`scraper.scale.backfill.backfill`,
:func:`scraper.scale.merge.import_into`). Like every command, an error the user can cause prints
one line on stderr and exits 2 (3 when the archive is locked); exit 1 means some records
could not be read.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from ._common import check_day, db_option, fail, setup_logging, verbosity_options

__all__ = ["backfill_command", "import_command"]


@contextmanager
def _bar(enabled: bool, label: str, console: Any = None) -> Iterator[Callable[[Any], None] | None]:
    """A rich progress bar on a terminal (bytes of WARC read; records read/kept/stored and
    the rate); nothing otherwise."""
    if not enabled:
        yield None
        return
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    bar = Progress(
        TextColumn(f"[bold]{label}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TextColumn("{task.fields[detail]}"),
        TimeElapsedColumn(),
        transient=True,
        console=console,
    )
    task = bar.add_task(label, total=1, detail="")

    def update(summary: Any) -> None:
        rate = summary.records / summary.seconds if summary.seconds else 0.0
        detail = (
            f"read {summary.records:,} · kept {summary.kept:,} · stored {summary.stored:,}"
            f" · {rate:,.0f} records/s"
        )
        bar.update(
            task,
            completed=summary.bytes_read,
            total=max(summary.bytes_total, 1),
            detail=detail,
        )

    with bar:
        yield update


@click.command("backfill", short_help="Read WARC captures into the archive.")
@click.argument("paths", nargs=-1, required=True)
@db_option
@click.option("--host", "hosts", multiple=True, help="Keep only this host (repeatable).")
@click.option("--profile", help="Site profile for the kept hosts (see 'scraper profiles').")
@click.option(
    "--since",
    callback=check_day,
    help="Only captures made on or after this date (UTC; 2025, 2025-11, 2025-11-25 or an ISO"
    " datetime).",
)
@click.option("--until", callback=check_day, help="Only captures made on or before (same forms).")
@click.option(
    "--engine",
    default="local",
    show_default=True,
    type=click.Choice(["local", "dask"]),
    help="dask: a local cluster of --workers processes, or --scheduler.",
)
@click.option("--workers", default=2, show_default=True, help="Dask workers (LocalCluster).")
@click.option("--scheduler", help="An existing Dask cluster, e.g. tcp://HOST:8786.")
@click.option("--output", help="parquet:DIR writes Parquet (by site and month) instead of --db.")
@click.option("--shard-size", default=8, show_default=True, help="MB of WARC per task.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as one JSON object.")
@verbosity_options()
def backfill_command(
    paths: tuple[str, ...],
    db_path: Path,
    hosts: tuple[str, ...],
    profile: str | None,
    since: str | None,
    until: str | None,
    engine: str,
    workers: int,
    scheduler: str | None,
    output: str | None,
    shard_size: int,
    as_json: bool,
    verbose: int,
    quiet: bool,
    log_file: Path | None,
) -> None:
    """Read web-archive captures (WARC/WARC.gz files, folders or globs) into the archive.

    Keeps HTTP 200 HTML responses, extracts them as a crawl would and stores them (a later
    capture with other content becomes a revision). Pages stay in the WARC files: the archive
    records where. An interrupted backfill resumes where it stopped.

    \b
    Examples:
      scraper backfill crawl-data/*.warc.gz --db news.db
      scraper backfill warcs/ --host sahara.ma --since 2024-01-01 --engine dask --workers 8
    """
    from ..scale.backfill import backfill

    setup_logging(verbose, quiet, log_file)
    if shard_size <= 0:
        fail(f"--shard-size must be a positive number of MB, not {shard_size}")
    with _bar(not quiet and not as_json and sys.stderr.isatty(), "backfill") as progress:
        summary = backfill(
            paths,
            db_path,
            hosts=hosts or None,
            profile=profile,
            since=since,
            until=until,
            engine=engine,
            workers=workers,
            scheduler=scheduler,
            output=output,
            shard_size=shard_size * 1_000_000,
            progress=progress,
            explain=verbose > 0,
        )
    if as_json:
        click.echo(json.dumps(summary.to_dict(), ensure_ascii=False))
    elif not quiet or summary.exit_code:
        click.echo(backfill_line(summary), err=summary.exit_code != 0)
        for failure in summary.failures[:5]:
            click.echo(f"  unreadable: {failure}", err=True)
    for message in summary.messages:
        click.echo(f"scraper: {message}", err=True)
    sys.exit(summary.exit_code)


@click.command("import", short_help="Merge a Parquet folder or an archive.")
@click.argument("source", type=click.Path(path_type=Path))
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print the summary as one JSON object.")
@verbosity_options()
def import_command(
    source: Path, db_path: Path, as_json: bool, verbose: int, quiet: bool, log_file: Path | None
) -> None:
    """Merge SOURCE into the archive: a Parquet folder written by 'backfill --output parquet:DIR'
    or another archive file (articles with their revisions and pages).

    \b
    Examples:
      scraper import parquet-out/ --db news.db
      scraper import machine2/archive.db --db news.db
    """
    from ..scale.merge import import_into

    setup_logging(verbose, quiet, log_file)
    summary = import_into(source, db_path)
    if as_json:
        click.echo(json.dumps(summary.to_dict(), ensure_ascii=False))
    elif not quiet:
        click.echo(
            f"import {summary.source} ({summary.kind}): {summary.records:,} read, "
            f"{summary.new:,} new, {summary.updated:,} updated, {summary.unchanged:,} unchanged, "
            f"{summary.earlier:,} earlier versions placed in the history, "
            f"{summary.same_capture:,} already archived (updated in place) "
            f"in {summary.seconds:.1f}s"
        )


def backfill_line(summary: Any) -> str:
    """The backfill's summary, whose numbers add up: records = responses + other records +
    unreadable; responses = kept + not articles + skipped + failed to parse; kept = new +
    updated + unchanged + earlier + same capture."""
    s = summary
    line = (
        f"backfill: {s.records:,} records read ({s.responses:,} responses, "
        f"{s.other_records:,} other records, {s.unreadable:,} unreadable); of the responses "
        f"{s.kept:,} articles kept ({s.new:,} new, {s.updated:,} updated, {s.unchanged:,} "
        f"unchanged, {s.earlier:,} earlier versions, {s.same_capture:,} already archived), "
        f"{s.not_articles:,} not an article, {s.skipped_responses:,} skipped, "
        f"{s.parse_errors:,} failed to parse "
        f"in {s.seconds:.1f}s ({s.status})"
    )
    if s.files_done_before:
        line += f"; {s.files_done_before} files done before"
    return line
