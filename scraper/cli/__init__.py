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
from ._output import exit_codes_help

#: Every command: name -> (import path of its click command, the one-line summary
#: ``scraper --help`` shows: the command's ``short_help``, checked by tests/test_startup.py).
COMMANDS: dict[str, tuple[str, str]] = {
    "audit": ("scraper.cli.audit:audit", "Is the archive complete? Declared vs archived."),
    "backfill": ("scraper.cli.scale:backfill_command", "Read WARC captures into the archive."),
    "crawl": ("scraper.cli.crawl:crawl", "Crawl one site, or several, into the archive."),
    "demo": ("scraper.cli.crawl:demo", "Crawl the bundled mirror (offline demo)."),
    "export": ("scraper.cli.archive:export", "Export articles (JSONL, JSON, CSV, Parquet, WARC)."),
    "extract": ("scraper.cli.extract:extract_cmd", "Extract saved pages or a URL to records."),
    "history": ("scraper.cli.archive:history", "An article's versions, or a diff of two."),
    "import": ("scraper.cli.scale:import_command", "Merge a Parquet folder or an archive."),
    "profiles": ("scraper.cli.extract:list_profiles", "List the bundled site profiles."),
    "reextract": ("scraper.cli.archive:reextract", "Re-run extraction on the stored pages."),
    "runs": ("scraper.cli.archive:runs", "The runs that wrote the archive."),
    "search": ("scraper.cli.archive:search", "Full-text search, best matches first."),
    "serve": ("scraper.cli.archive:serve", "Browse and search the archive in Datasette."),
    "show": ("scraper.cli.archive:show", "One article as JSON (by id or URL)."),
    "stories": ("scraper.cli.stories:stories", "The same story across sites: copies, editions."),
    "stats": ("scraper.cli.archive:stats", "Articles per site, section and month; gaps."),
}


@click.group(
    cls=LazyGroup,
    lazy=COMMANDS,
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog=exit_codes_help(),
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
