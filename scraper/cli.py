"""The ``scraper`` command line.

Errors a user can cause (bad path, unknown profile, unreachable site, malformed query) print
one line on stderr and exit non-zero; they never print a traceback.
"""

from __future__ import annotations

import asyncio
import json
import logging
import signal
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import urlsplit

import click

from . import profiles
from ._exceptions import ScraperError
from .crawl import Crawler, CrawlOptions, CrawlSummary, Site
from .fetch import DEFAULT_USER_AGENT, Fetcher, make_user_agent
from .lock import ArchiveLock, LockError, LockHeld
from .profiles import Profile, ProfileError
from .store import DEFAULT_DB, Store, StoreError

EXIT_OK, EXIT_PARTIAL, EXIT_USAGE, EXIT_LOCKED, EXIT_BLOCKED = 0, 1, 2, 3, 4
log = logging.getLogger("scraper")


class UserError(click.ClickException):
    """A one-line error for the user; ``exit_code`` says which kind."""

    def __init__(self, message: str, exit_code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.exit_code = exit_code

    def show(self, file: Any = None) -> None:
        click.echo(f"scraper: error: {self.format_message()}", err=True)


def fail(message: str, exit_code: int = EXIT_USAGE) -> NoReturn:
    raise UserError(message, exit_code)


db_option = click.option(
    "--db",
    "db_path",
    default=DEFAULT_DB,
    envvar="SCRAPER_DB",
    show_default=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Archive file (env SCRAPER_DB).",
)


@contextmanager
def open_store(path: Path, *, must_exist: bool = False, reading: bool = False) -> Iterator[Store]:
    """The archive at ``path`` (``reading``: tuned for searches and exports), or exit 2."""
    if must_exist and not path.exists():
        fail(f"no archive at {path} (run 'scraper crawl' or 'scraper demo' first)")
    try:
        store = Store(path, reading=reading)
    except StoreError as exc:
        fail(str(exc))
    try:
        yield store
    except StoreError as exc:
        fail(str(exc))
    except sqlite3.Error as exc:  # e.g. disk full: what was written stays (one transaction each)
        fail(f"cannot write {path}: {exc}", EXIT_PARTIAL)
    finally:
        store.close()


def setup_logging(verbose: int, quiet: bool, log_file: Path | None = None) -> None:
    """Warnings and errors by default, only errors with -q, progress with -v, debug with -vv."""
    level = logging.ERROR if quiet else logging.WARNING if verbose == 0 else logging.INFO
    if verbose > 1:
        level = logging.DEBUG
    fmt = "scraper: %(levelname)s: %(message)s"
    handler: logging.Handler
    if log_file:
        fmt = "%(asctime)s " + fmt
        try:
            handler = logging.FileHandler(log_file, encoding="utf-8")
        except OSError as exc:
            fail(f"cannot write log file {log_file}: {exc.strerror}")
    else:
        handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(fmt))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("httpx").setLevel(max(level, logging.WARNING))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="scraper")
def main() -> None:
    """Crawl news sites into a clean, searchable SQLite archive.

    \b
    Quick start (offline, bundled mirror of sahara.ma):
      scraper demo
      scraper search "الصناعة التقليدية"
    """


# ---------------------------------------------------------------------- crawl
def resolve_site(target: str, profile_name: str | None) -> Site:
    """``sahara.ma`` (profile name or host) or a URL, optionally with an explicit profile."""
    profile: Profile | None = None
    try:
        if profile_name:
            profile = profiles.load(profile_name)
        elif "://" not in target:
            profile = profiles.load(target)
        else:
            profile = profiles.for_url(target)
    except ProfileError as exc:
        fail(str(exc))
    if "://" in target:
        base_url = target
    elif profile and (
        profile_name is None or profile.matches_host(target) or target == profile.name
    ):
        base_url = profile.base_url
    else:
        fail(f"{target!r} is neither a URL nor a known profile")
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        fail(f"not an http(s) URL: {base_url}")
    name = parts.netloc.lower().removeprefix("www.")
    return Site(name=name, base_url=base_url, profile=profile)


def crawl_options(f: Any) -> Any:
    options = [
        click.option(
            "--profile", "profile_name", help="Site profile to apply (see 'scraper profiles')."
        ),
        db_option,
        click.option("--lang", "languages", help="Editions to crawl, e.g. ar,fr (default: all)."),
        click.option("--workers", default=4, show_default=True, help="Pages processed at once."),
        click.option(
            "--concurrency", default=2, show_default=True, help="Requests in flight per host."
        ),
        click.option(
            "--delay", default=1.0, show_default=True, help="Seconds between requests to a host."
        ),
        click.option("--max-pages", type=int, help="Stop after fetching this many pages."),
        click.option(
            "--refresh", is_flag=True, help="Re-fetch archived articles (conditional GET)."
        ),
        click.option("--full", is_flag=True, help="Walk every listing page, not just new ones."),
        click.option("--since", help="Only archive articles published on or after this date."),
        click.option("--until", help="Only archive articles published on or before this date."),
        click.option(
            "--revisit-days",
            default=3.0,
            show_default=True,
            help="Re-fetch articles published this recently, to catch edits.",
        ),
        click.option("--contact", help="Contact URL or e-mail added to the User-Agent."),
        click.option(
            "--log-file",
            type=click.Path(dir_okay=False, path_type=Path),
            help="Append log lines to this file instead of stderr.",
        ),
        click.option(
            "--user-agent",
            default=DEFAULT_USER_AGENT,
            show_default=False,
            help="User-Agent header.",
        ),
        click.option(
            "--warc",
            type=click.Path(path_type=Path),
            help="Also write every request and response as WARC files into this folder.",
        ),
        click.option(
            "--warc-size", default=1000, show_default=True, help="MB per WARC file (rotation)."
        ),
        click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON."),
        click.option("-v", "--verbose", count=True, help="More log output (-vv: debug)."),
        click.option("-q", "--quiet", is_flag=True, help="Only errors."),
    ]
    for option in reversed(options):
        f = option(f)
    return f


@main.command()
@click.argument("target")
@crawl_options
def crawl(target: str, profile_name: str | None, db_path: Path, **kw: Any) -> None:
    """Crawl TARGET (a profile name like sahara.ma, or a URL) into the archive.

    \b
    Examples:
      scraper crawl sahara.ma
      scraper crawl --profile sahara.ma http://127.0.0.1:8000/ar/
      scraper crawl https://news.example.org/ --db news.db
    """
    setup_logging(kw["verbose"], kw["quiet"], kw.pop("log_file"))
    site = resolve_site(target, profile_name)
    for key in ("since", "until"):
        kw[key] = check_day(kw[key], f"--{key}")
    with open_store(db_path):  # a bad --db path is reported before anything else
        pass
    try:
        with ArchiveLock(db_path):
            summary = run_crawl(site, db_path, **kw)
    except LockHeld as exc:
        fail(str(exc), EXIT_LOCKED)
    except ScraperError as exc:  # a lock file that cannot be made, a bad --warc folder
        fail(str(exc))
    sys.exit(report(summary, as_json=kw["as_json"], quiet=kw["quiet"]))


def check_day(value: str | None, option: str) -> str | None:
    """``2025-11-25`` (or a longer ISO timestamp) -> ``2025-11-25``; else a usage error."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value[:10]).isoformat()
    except ValueError:
        fail(f"{option} wants a date like 2025-11-25, not {value!r}")


def run_crawl(
    site: Site,
    db_path: Path,
    *,
    languages: str | None = None,
    workers: int = 4,
    concurrency: int = 2,
    delay: float = 1.0,
    max_pages: int | None = None,
    refresh: bool = False,
    full: bool = False,
    since: str | None = None,
    until: str | None = None,
    revisit_days: float = 3.0,
    user_agent: str = DEFAULT_USER_AGENT,
    contact: str | None = None,
    quiet: bool = False,
    warc: Path | None = None,
    warc_size: int = 1000,
    **_: Any,
) -> CrawlSummary:
    options = CrawlOptions(
        workers=workers,
        languages=tuple(x.strip() for x in languages.split(",")) if languages else None,
        max_pages=max_pages,
        refresh=refresh,
        full=full,
        since=since,
        until=until,
        revisit_days=revisit_days,
    )
    from .warc.writer import recording

    agent = make_user_agent(contact, base=user_agent)
    with (
        open_store(db_path) as store,
        recording(
            warc, max_size=warc_size * 1_000_000, site=site.name, user_agent=agent, contact=contact
        ) as recorder,
    ):
        fetcher = Fetcher(
            user_agent=agent, per_host_concurrency=concurrency, delay=delay, recorder=recorder
        )
        with progress_display(enabled=not quiet and sys.stderr.isatty()) as progress:
            crawler = Crawler(store, fetcher, site, options, progress)
            return asyncio.run(_run(crawler, fetcher))


async def _run(crawler: Crawler, fetcher: Fetcher) -> CrawlSummary:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, crawler.stop)
    try:
        async with fetcher:
            return await crawler.run()
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)


@contextmanager
def progress_display(enabled: bool) -> Iterator[Any]:
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


def report(summary: CrawlSummary, *, as_json: bool, quiet: bool, always: bool = False) -> int:
    """Print the end-of-crawl summary; return the exit code it implies.

    Off a terminal (cron) the summary is printed only when something went wrong, or with
    ``--json``; ``-q`` silences it unless the crawl failed.
    """
    codes = {
        "ok": EXIT_OK,
        "interrupted": EXIT_OK,
        "partial": EXIT_PARTIAL,
        "blocked": EXIT_BLOCKED,
    }
    exit_code = codes.get(summary.status, EXIT_PARTIAL)
    if summary.pages_fetched == 0 and summary.failures and summary.status != "blocked":
        click.echo(f"scraper: error: cannot crawl {summary.failures[0]}", err=True)
        return EXIT_PARTIAL
    if as_json:
        click.echo(json.dumps(summary.to_dict(), ensure_ascii=False))
    elif always or exit_code or (not quiet and sys.stdout.isatty()):
        click.echo(
            f"{summary.site}: {summary.pages_fetched} pages fetched, "
            f"{summary.articles_new} new, {summary.articles_updated} updated, "
            f"{summary.articles_unchanged} unchanged, {summary.not_modified} not modified, "
            f"{summary.errors} errors in {summary.seconds:.1f}s ({summary.status})",
            err=not always and exit_code != 0,
        )
        for failure in summary.failures[:5]:
            click.echo(f"  failed: {failure}", err=True)
    for message in summary.messages:
        click.echo(f"scraper: error: {message}", err=True)
    return exit_code


# ---------------------------------------------------------------------- demo
@main.command()
@db_option
@click.option(
    "--port",
    default=8765,
    show_default=True,
    help="Loopback port for the mirror (0: any free port).",
)
def demo(db_path: Path, port: int) -> None:
    """Crawl the bundled sahara.ma mirror over a real loopback server into the archive."""
    from .mirror import MirrorServer, default_site

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
        site = resolve_site(base, "sahara.ma")
        with ArchiveLock(db_path):
            summary = run_crawl(site, db_path, delay=0.0, concurrency=4, workers=8)
    except LockHeld as exc:
        fail(str(exc), EXIT_LOCKED)
    except LockError as exc:
        fail(str(exc))
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


# ---------------------------------------------------------------------- reading
def print_hits(hits: list[dict[str, Any]]) -> None:
    """Search hits for a person: id, day, title, highlighted snippet, readable URL."""
    from .urls import display

    if not hits:
        click.echo("no match")
    for hit in hits:
        day = (hit["published_at"] or "")[:10]
        click.echo(f"{hit['id']:>5}  {day}  {hit['title']}")
        click.echo(f"       {hit['snippet']}\n       {display(hit['url'])}")


@main.command()
@click.argument("key")
@db_option
def show(key: str, db_path: Path) -> None:
    """Print one archived article (by URL or id) as JSON."""
    from .urls import canonical

    with open_store(db_path, must_exist=True, reading=True) as store:
        record = store.record(int(key)) if key.isdigit() else store.record(canonical(key))
    if record is None:
        fail(f"no article {key!r} in {db_path}", EXIT_PARTIAL)
    click.echo(json.dumps(record, ensure_ascii=False, indent=2))


@main.command("extract")
@click.argument("source")
@click.option("--url", help="The page's URL (resolves links, helps dating).")
@click.option("--profile", "profile_name", help="Site profile to apply.")
def extract_cmd(source: str, url: str | None, profile_name: str | None) -> None:
    """Extract one page (a file, a URL, or - for stdin) and print the record as JSON."""
    from .extract import extract as run_extract

    profile = None
    try:
        profile = profiles.load(profile_name) if profile_name else None
    except ProfileError as exc:
        fail(str(exc))
    if source == "-":
        html: bytes = sys.stdin.buffer.read()
    elif "://" in source:
        html, url = _fetch_one(source), url or source
    else:
        try:
            html = Path(source).read_bytes()
        except OSError as exc:
            fail(f"cannot read {source}: {exc.strerror}")
    if profile is None and url:
        profile = profiles.for_url(url)
    article = run_extract(html, url, profile)
    click.echo(json.dumps(article.to_dict(), ensure_ascii=False, indent=2))


def _fetch_one(url: str) -> bytes:
    async def go() -> bytes:
        async with Fetcher(delay=0) as fetcher:
            result = await fetcher.fetch(url)
        if not result.ok:
            fail(f"cannot fetch {url}: {result.error or result.status}", EXIT_PARTIAL)
        return result.content

    return asyncio.run(go())


@main.command("profiles")
def list_profiles() -> None:
    """List the bundled site profiles."""
    for name in profiles.available():
        p = profiles.load(name)
        click.echo(f"{p.name:<16} {p.base_url:<28} {p.timezone or '-':<20} {','.join(p.languages)}")


from . import cli_archive, cli_scale  # noqa: E402,F401  (they register their commands)
