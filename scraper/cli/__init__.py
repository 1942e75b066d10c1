"""The ``scraper`` command line: one click group, each command a thin wrapper over one
library function (crawl commands in :mod:`.crawl`, archive commands in :mod:`.archive`,
single pages in :mod:`.extract`; shared options and the error style in :mod:`._common`).

Errors a user can cause (bad path, unknown profile, unreachable site, malformed query) print
one line on stderr (``scraper: error: ...``) and exit non-zero; never a traceback.
"""

from __future__ import annotations

import click

from . import archive, audit, crawl, extract, scale
from ._common import ScraperGroup
from ._output import exit_codes_help


@click.group(
    cls=ScraperGroup,
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog=exit_codes_help(),
)
@click.version_option(package_name="scraper")
def main() -> None:
    """Crawl news sites into a clean, searchable SQLite archive.

    \b
    Quick start (offline, bundled mirror of sahara.ma):
      scraper demo
      scraper search "الصناعة التقليدية"
    """


for command in (
    crawl.crawl,
    crawl.demo,
    archive.search,
    archive.show,
    archive.export,
    archive.history,
    archive.reextract,
    archive.stats,
    audit.audit,
    archive.runs,
    archive.serve,
    scale.backfill_command,
    scale.import_command,
    extract.extract_cmd,
    extract.list_profiles,
):
    main.add_command(command)

__all__ = ["main"]
