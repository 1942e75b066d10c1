"""``scraper stories``: the same story across sites (copies and editions), and the agencies
each site credits."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..report.stories import largest, story_lines
from ..scale.stories import rebuild
from ._common import db_option, fail, open_store
from ._output import chosen_format, emit, output_options


@click.command(short_help="The same story across sites: copies, editions.")
@db_option
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1), help="Stories.")
@click.option("--site", help="Only stories that ran on this site.")
@click.option(
    "--min-size", default=2, show_default=True, type=click.IntRange(1), help="Smallest story."
)
@click.option("--rebuild", "do_rebuild", is_flag=True, help="Cluster the whole archive again.")
@click.option(
    "--catch-up", is_flag=True, help="Cluster only the articles in no story yet (an import)."
)
@click.option(
    "--engine",
    type=click.Choice(["local", "dask"]),
    default="local",
    show_default=True,
    help="With --rebuild: fingerprints in this process or on Dask (pip install 'scraper[scale]').",
)
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1))
@click.option(
    "--agencies", is_flag=True, help="Per site: the share of articles crediting an agency."
)
@output_options(legacy={"json": "nl"})
def stories(
    db_path: Path,
    limit: int,
    site: str | None,
    min_size: int,
    do_rebuild: bool,
    catch_up: bool,
    engine: str,
    workers: int,
    agencies: bool,
    fmt: str,
) -> None:
    """The largest stories: copies of one text across sites and within a site (verbatim,
    rewrite, excerpt) and its language editions, with the first appearance, the sites, each
    copy's delay after the first and its kind. Stories are kept up to date as articles are
    archived; --rebuild clusters the whole archive again (after an upgrade or an import)."""
    fmt = chosen_format(fmt)
    with open_store(db_path, must_exist=True) as store:
        if site and site.lower().removeprefix("www.") not in list(store.sites()):
            known = ", ".join(list(store.sites())) or "none"
            fail(f"no site {site!r} in {db_path} (sites: {known})")
        if do_rebuild or catch_up:
            count = rebuild(store, engine=engine, workers=workers, fresh=do_rebuild)
            click.echo(f"clustered {count} articles", err=True)
        if agencies:
            rows = store.agency_share()
            if fmt != "table":
                emit(rows, fmt)
                return
            for row in rows:
                share = row["credited"] / row["articles"] if row["articles"] else 0
                top = ", ".join(f"{k} {v}" for k, v in row["agencies"].items())
                click.echo(f"{row['site']}: {row['credited']}/{row['articles']} credited"
                           f" ({share:.0%}){': ' + top if top else ''}")  # fmt: skip
            return
        found = largest(store, limit=limit, site=site, min_size=min_size)
        counts = store.story_counts()
    if fmt != "table":
        emit(found, fmt)
        return
    if counts["clustered"] < counts["articles"]:
        click.echo(
            f"{counts['articles'] - counts['clustered']} articles are in no story yet:"
            " run 'scraper stories --catch-up'",
            err=True,
        )
    if not found:
        click.echo("no story with copies")
    for story in found:
        sys.stdout.write("\n".join(story_lines(story)) + "\n\n")
