"""``scraper extract`` (one page to a record) and ``scraper profiles``."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import click

from .. import profiles
from .._exceptions import FetchError
from ..extract import extract as run_extract
from ..fetch import Fetcher
from ._common import fail


@click.command("extract")
@click.argument("source")
@click.option("--url", help="The page's URL (resolves links, helps dating).")
@click.option("--profile", "profile_name", help="Site profile to apply (name or TOML file).")
def extract_cmd(source: str, url: str | None, profile_name: str | None) -> None:
    """Extract one page (a file, a URL, or - for stdin) and print the record as JSON."""
    profile = profiles.load(profile_name) if profile_name else None
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
        profile = profiles.for_url(url)
    article = run_extract(html, url, profile)
    click.echo(json.dumps(article.to_dict(), ensure_ascii=False, indent=2))


def fetch_one(url: str) -> bytes:
    """One page's body, politely (robots.txt obeyed); :class:`FetchError` if it fails."""

    async def go() -> bytes:
        async with Fetcher(delay=0) as fetcher:
            result = await fetcher.fetch(url)
        if not result.ok:
            raise FetchError(f"cannot fetch {url}: {result.error or result.status}")
        return result.content

    return asyncio.run(go())


@click.command("profiles")
def list_profiles() -> None:
    """List the bundled site profiles."""
    for name in profiles.available():
        p = profiles.load(name)
        click.echo(f"{p.name:<16} {p.base_url:<28} {p.timezone or '-':<20} {','.join(p.languages)}")
