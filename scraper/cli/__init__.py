"""The ``scraper`` command line: one click group, each command a thin wrapper over one
library function (crawl commands in :mod:`.crawl`, archive commands in :mod:`.archive`,
single pages in :mod:`.extract`; shared options and the error style in :mod:`._common`).

A command's module is imported only when that command runs (:class:`._group.LazyGroup`):
``scraper --version`` and ``scraper --help`` import click and nothing else of weight.

Errors a user can cause (bad path, unknown profile, unreachable site, malformed query) print
one line on stderr (``scraper: error: ...``) and exit non-zero; never a traceback.
"""

from __future__ import annotations

import click

from .._version import __version__
from ._group import LazyGroup

#: Every command: name -> (import path of its click command, the summary ``scraper --help``
#: shows: the first sentence of its docstring, checked by tests/test_startup.py).
COMMANDS: dict[str, tuple[str, str]] = {
    "audit": (
        "scraper.cli.audit:audit",
        "Is the archive complete? What each site declares (sitemaps, feeds, REST totals,"
        " section listings) against what the archive holds, per section and month: archived,"
        " failed (with the reason), skipped, not yet fetched; and unusual publication gaps.",
    ),
    "backfill": (
        "scraper.cli.scale:backfill_command",
        "Read web-archive captures (WARC/WARC.gz files, folders or globs) into the archive.",
    ),
    "crawl": (
        "scraper.cli.crawl:crawl",
        "Crawl TARGET (a profile name like sahara.ma, or a URL) into the archive.",
    ),
    "demo": (
        "scraper.cli.crawl:demo",
        "Crawl the bundled sahara.ma mirror over a real loopback server into the archive.",
    ),
    "export": (
        "scraper.cli.archive:export",
        "Export articles in the record format, oldest first (streams: any archive size).",
    ),
    "extract": (
        "scraper.cli.extract:extract_cmd",
        "Extract pages to records: one SOURCE (a file, a URL, or - for stdin) prints the"
        " record as JSON; several files or --input-dir print one record per line (JSONL, with"
        " 'source').",
    ),
    "history": (
        "scraper.cli.archive:history",
        "List the versions of an article (by URL or id), or diff two of them.",
    ),
    "import": (
        "scraper.cli.scale:import_command",
        "Merge SOURCE into the archive: a Parquet folder written by 'backfill --output"
        " parquet:DIR' or another archive file (articles with their revisions and pages).",
    ),
    "profiles": ("scraper.cli.extract:list_profiles", "List the bundled site profiles."),
    "reextract": (
        "scraper.cli.archive:reextract",
        "Re-run extraction on the stored raw pages (no network), after an extractor change.",
    ),
    "runs": (
        "scraper.cli.archive:runs",
        "The crawl runs, newest first: when, which site, status, counts and message.",
    ),
    "search": (
        "scraper.cli.archive:search",
        "Full-text search over titles and bodies, best matches first.",
    ),
    "serve": (
        "scraper.cli.archive:serve",
        "Browse, facet and search the archive in Datasette (needs: pip install"
        " 'scraper[datasette]').",
    ),
    "show": (
        "scraper.cli.archive:show",
        "Print one archived article (by id or URL) as JSON, its URLs decoded for reading,"
        " with the same story elsewhere (its copies and editions: site, time, delay, kind).",
    ),
    "stories": (
        "scraper.cli.stories:stories",
        "The largest stories: copies of one text across sites and within a site (verbatim,"
        " rewrite, excerpt) and its language editions, with the first appearance, the sites,"
        " each copy's delay after the first and its kind.",
    ),
    "stats": (
        "scraper.cli.archive:stats",
        "Per site, language and section: articles, first/last dates, articles per month, and"
        " gaps (days without an article where the series' own volume makes that unlikely: the"
        " gaps 'scraper audit' flags).",
    ),
}


@click.group(
    cls=LazyGroup,
    lazy=COMMANDS,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(__version__, prog_name="scraper")
def main() -> None:
    """Crawl news sites into a clean, searchable SQLite archive.

    \b
    Quick start (offline, bundled mirror of sahara.ma):
      scraper demo
      scraper search "الصناعة التقليدية"
    """


__all__ = ["COMMANDS", "main"]
