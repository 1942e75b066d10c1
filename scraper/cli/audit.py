"""``scraper audit``: a thin wrapper over :func:`scraper.report.audit.audit`.

Offline by default (what crawls recorded); ``--refresh`` first re-reads what each site
declares, with the crawl's politeness, through :func:`scraper.crawl`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .._config import Settings, load_settings
from .._exceptions import EXIT_OK, EXIT_PARTIAL
from ..crawler.job import crawl as run_crawl
from ..report import audit as au
from ._common import db_option, fail, open_store, setup_logging, verbosity_options


@click.command(short_help="Is the archive complete? Declared vs archived.")
@db_option
@click.option("--site", help="Only this site (default: every site of the archive).")
@click.option("--json", "as_json", is_flag=True, help="The whole report as one JSON object.")
@click.option(
    "--missing-urls",
    type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
    help="Write the missing URLs there, one a line, for 'crawl --urls' ('-': on stdout, and"
    " the report on stderr).",
)
@click.option(
    "--all",
    "every_cell",
    is_flag=True,
    help="Every section and month, not only holes; every row (the default shows 40 a table).",
)
@click.option(
    "--refresh",
    is_flag=True,
    help="First re-read what the sites declare (sitemaps, feeds, REST, every listing page).",
)
@click.option(
    "--delay",
    type=click.FloatRange(0),
    default=None,
    help=f"With --refresh: seconds between requests to a host [default: {Settings().delay}].",
)
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="With --refresh: the crawl settings file (user agent, contact, pace) to use.",
)
@verbosity_options()
def audit(
    db_path: Path,
    site: str | None,
    as_json: bool,
    missing_urls: Path | None,
    every_cell: bool,
    refresh: bool,
    delay: float | None,
    config_file: Path | None,
    verbose: int,
    quiet: bool,
    log_file: Path | None,
) -> None:
    """Is the archive complete? What each site declares (sitemaps, feeds, REST totals,
    section listings) against what the archive holds, per section and month: archived,
    failed (with the reason), skipped, not yet fetched; and unusual publication gaps.

    Exit 0 when every declared article is archived (or skipped by choice), 1 when some are
    missing: a cron job can alert on it.

    \b
    Examples:
      scraper audit
      scraper audit --site sahara.ma --json
      scraper audit --missing-urls missing.txt || scraper crawl sahara.ma --urls missing.txt
    """
    setup_logging(verbose, quiet, log_file)
    if refresh:
        settings = load_settings(config_file) if config_file else Settings()
        if delay is not None:
            settings = settings.replace(delay=delay)
        _refresh(db_path, site, settings.replace(full=True))
    with open_store(db_path, must_exist=True, reading=True) as store:
        result = au.audit(store, site)
    if missing_urls is not None:
        _write_urls(missing_urls, result.missing_urls())
    to_stderr = missing_urls is not None and str(missing_urls) == "-"  # stdout has the URLs
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2), err=to_stderr)
    else:
        rows = sys.maxsize if every_cell else au.MAX_ROWS  # --all: every row, not 40
        text = au.render(result, every_cell=every_cell, max_rows=rows)
        click.echo(text, nl=False, err=to_stderr)
    sys.exit(EXIT_OK if result.complete else EXIT_PARTIAL)


def _refresh(db_path: Path, site: str | None, settings: Settings) -> None:
    """Re-read each site's declarations: a crawl that fetches no article."""
    with open_store(db_path, must_exist=True, reading=True) as store:
        wanted = store.check_site(site) if site else None
        sites = [r for r in store.site_rows() if wanted is None or r["name"] == wanted]
    for row in sites:
        name = row["name"]
        summary = run_crawl(
            row["base_url"], db_path, settings=settings, profile=row["profile"],
            declarations_only=True,
        )  # fmt: skip
        if summary.status not in ("ok", "incomplete"):
            messages = "; ".join(summary.messages) or summary.status
            click.echo(f"scraper: note: refreshing {name}: {messages}", err=True)


def _write_urls(path: Path, urls: list[str]) -> None:
    text = "".join(f"{u}\n" for u in urls)
    if str(path) == "-":
        click.echo(text, nl=False)
        return
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        fail(f"cannot write {path}: {exc.strerror or exc}")
