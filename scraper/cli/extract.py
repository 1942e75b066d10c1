"""``scraper extract`` (one page to a record) and ``scraper profiles``."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import click

from .._exceptions import EXIT_PARTIAL, FetchError
from ..extract import extract as run_extract
from ..fetch import Fetcher
from ..profiles import Profile, site_for
from ..profiles import available as available_profiles
from ..profiles import for_url as profile_for_url
from ..profiles import load as load_profile
from ._common import fail, plural


@click.command("extract", short_help="Extract saved pages or a URL to records.")
@click.argument("sources", nargs=-1)
@click.option(
    "--input-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Extract every .html/.htm page under this folder (JSONL out).",
)
@click.option("--url", help="The page's URL (resolves links, helps dating).")
@click.option("--profile", "profile_name", help="Site profile to apply (name or TOML file).")
@click.option(
    "--all-pages",
    is_flag=True,
    help="Also write pages that are no article (listing, home, tag, error...), with page_kind.",
)
def extract_cmd(
    sources: tuple[str, ...],
    input_dir: Path | None,
    url: str | None,
    profile_name: str | None,
    all_pages: bool,
) -> None:
    """Extract pages to records: one SOURCE (a file, a URL, or - for stdin) prints the record
    as JSON; several files or --input-dir print one record per line (JSONL, with 'source').

    \b
    Examples:
      scraper extract page.html --url https://sahara.ma/ar/some-story/
      scraper extract --input-dir saved-pages/ > records.jsonl
    """
    from ..scale.batch import extract_files, input_files

    profile = load_profile(profile_name) if profile_name else None
    if input_dir is None and len(sources) == 1:
        print_one(sources[0], url, profile)
        return
    if not sources and input_dir is None:
        fail("give a file, a URL, - (stdin) or --input-dir DIR")
    if any(s == "-" or "://" in s for s in sources):
        fail("several sources must all be files (one URL or - at a time)")
    files = input_files(sources, input_dir)
    summary = extract_files(files, sys.stdout, profile=profile, url=url, all_pages=all_pages)
    for message in summary.messages:
        click.echo(f"scraper: error: {message}", err=True)
    kinds = ", ".join(f"{kind} {n}" for kind, n in sorted(summary.page_kinds.items()))
    left = f" ({kinds}{'' if all_pages else '; left out'})" if kinds else ""
    click.echo(
        f"{plural(summary.files, 'file')}, {plural(summary.articles, 'article')}, "
        f"{summary.not_articles} not an article{left}, {summary.failed} unreadable",
        err=True,
    )
    if summary.failed:
        sys.exit(EXIT_PARTIAL)


def print_one(source: str, url: str | None, profile: Profile | None) -> None:
    """One page's record as indented JSON."""
    if source == "-":
        html: bytes = sys.stdin.buffer.read()
    elif "://" in source:
        html, url = fetch_one(source), url or source
    else:
        try:
            html = Path(source).read_bytes()
        except OSError as exc:
            fail(f"cannot read {source}: {exc.strerror}")
    if profile is None and url:
        profile = profile_for_url(url)
    article = run_extract(html, url, profile)
    article.site = site_for(article.url, profile)  # the site of the URL it reports
    click.echo(json.dumps(article.to_dict(), ensure_ascii=False, indent=2))
    if not article.is_article:
        click.echo(f"scraper: note: not an article ({article.page_kind} page)", err=True)


def fetch_one(url: str) -> bytes:
    """One page's body, politely (robots.txt obeyed); :class:`FetchError` if it fails."""

    async def go() -> bytes:
        async with Fetcher(delay=0) as fetcher:
            result = await fetcher.fetch(url)
        if not result.ok:
            raise FetchError(f"cannot fetch {url}: {result.error or result.status}")
        return result.content

    return asyncio.run(go())


@click.command("profiles", short_help="List the bundled site profiles.")
def list_profiles() -> None:
    """List the bundled site profiles."""
    for name in available_profiles():
        p = load_profile(name)
        click.echo(f"{p.name:<16} {p.base_url:<28} {p.timezone or '-':<20} {','.join(p.languages)}")
