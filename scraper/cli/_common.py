"""What every command shares: the error style, the ``--db`` option, opening the archive,
logging, and the crawl options generated from :class:`~scraper.Settings`.

Errors: any :class:`~scraper.ScraperError` (and click's own usage errors) becomes one line,
``scraper: error: <message>``, and its exit code; never a traceback.
"""

from __future__ import annotations

import io
import logging
import os
import sqlite3
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

import click

from .._config import Settings, day_bound, load_settings
from .._exceptions import (
    EXIT_PARTIAL,
    DiskFull,
    StoreError,
    UsageError,
)
from ..store import DEFAULT_DB, Store, is_disk_full
from ._group import CommandError as CommandError  # where the command group needs them
from ._group import fail as fail

EXIT_INTERRUPTED = {"SIGINT": 130, "SIGTERM": 143}


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
        fail(str(exc), exc.exit_code)
    except sqlite3.Error as exc:  # what was written stays (one transaction each)
        if is_disk_full(exc):
            fail(str(DiskFull(f"the work on {path}", exc)), EXIT_PARTIAL)
        fail(f"cannot read or write {path}: {exc}", EXIT_PARTIAL)
    finally:
        store.close()


def flush_stdout() -> None:
    """Flush standard output; a full disk (``> /dev/full``) is one line, exit 1, and the
    interpreter's own last flush is kept from printing a traceback of it."""
    try:
        sys.stdout.flush()
    except OSError as exc:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        if is_disk_full(exc):
            fail(str(DiskFull("the output", exc)), EXIT_PARTIAL)
        fail(f"cannot write the output: {exc.strerror or exc}", EXIT_PARTIAL)


class ConsoleHandler(logging.Handler):
    """Log lines through a rich console, so they print above a progress bar, never on it."""

    def __init__(self, console: Any) -> None:
        super().__init__()
        self.console = console

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.console.print(self.format(record), markup=False, highlight=False, soft_wrap=True)
        except Exception:  # pragma: no cover - logging must never break a crawl
            self.handleError(record)


def setup_logging(
    verbose: int, quiet: bool, log_file: Path | None = None, console: Any = None
) -> None:
    """How much a command says on stderr (or in ``log_file``):

    -q only errors; default warnings; -v one line per page (INFO); -vv the crawler's decisions
    (DEBUG) and Dask's own logs; -vvv also the internals of httpx/httpcore. ``console`` (a
    rich Console) carries the lines when a progress bar is drawn. With ``log_file``,
    everything the command would print on stderr (log lines, the summary, failures, errors)
    is appended to the file instead, each line with its time; errors also reach stderr.
    """
    level = logging.ERROR if quiet else (logging.WARNING, logging.INFO)[min(verbose, 1)]
    if verbose >= 2 and not quiet:
        level = logging.DEBUG
    fmt = "scraper: %(levelname)s: %(message)s"
    handler: logging.Handler
    if log_file:
        try:
            stream = LogFileStream(log_file, sys.stderr)
        except OSError as exc:
            fail(f"cannot write log file {log_file}: {exc.strerror}")
        sys.stderr = stream  # click.echo(err=True) writes here too
        handler = logging.StreamHandler(stream)
    elif console is not None:
        handler = ConsoleHandler(console)
    else:
        handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(fmt))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    # Other libraries (httpx, httpcore, ...) speak only at -vvv, or when something is wrong.
    root.setLevel(logging.DEBUG if verbose >= 3 and not quiet else max(level, logging.WARNING))
    logging.getLogger("scraper").setLevel(level)
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.NOTSET)
    quiet_dask(verbose, quiet)


def quiet_dask(verbose: int, quiet: bool) -> None:
    """Dask's scheduler and workers log INFO lines of their own (dozens per cluster): only
    warnings (errors with -q) unless -vv. Set through Dask's config in the environment, so
    worker processes inherit it, and on the loggers, in case Dask is loaded already."""
    if verbose >= 2 and not quiet:
        return
    level = "error" if quiet else "warning"
    os.environ["DASK_LOGGING__DISTRIBUTED"] = level
    for name in ("distributed", "dask"):
        logging.getLogger(name).setLevel(level.upper())


class LogFileStream(io.TextIOBase):
    """What ``--log-file`` puts in place of stderr: every line appended to the file with its
    time; lines that report an error go to the real stderr as well."""

    def __init__(self, path: Path, stderr: TextIO) -> None:
        self.file = path.open("a", encoding="utf-8")
        self.stderr = stderr
        self.pending = ""

    def write(self, text: str) -> int:
        self.pending += text
        *lines, self.pending = self.pending.split("\n")
        for line in lines:
            stamp = datetime.now().astimezone().isoformat(sep=" ", timespec="seconds")
            self.file.write(f"{stamp} {line}\n")
            if line.startswith("scraper: error") or line.startswith("scraper: ERROR"):
                self.stderr.write(line + "\n")
        self.file.flush()
        return len(text)

    def isatty(self) -> bool:
        return False

    def writable(self) -> bool:
        return True

    def flush(self) -> None:
        self.file.flush()
        self.stderr.flush()


Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]


def verbosity_options(*, log_file: bool = True) -> Decorator:
    """``-v`` (repeatable), ``-q`` and ``--log-file FILE``: the same on every command that
    does work (see :func:`setup_logging`)."""

    def decorate(f: Callable[..., Any]) -> Callable[..., Any]:
        options = [
            click.option(
                "-v",
                "--verbose",
                count=True,
                help="More: -v one line per page/record, -vv decisions and Dask's logs,"
                " -vvv library internals.",
            ),
            click.option("-q", "--quiet", is_flag=True, help="Only errors."),
        ]
        if log_file:
            options.append(
                click.option(
                    "--log-file",
                    type=click.Path(dir_okay=False, path_type=Path),
                    help="Append everything stderr would get (log lines, summary, failures)"
                    " to FILE, with times; errors still reach stderr.",
                )
            )
        for option in reversed(options):
            f = option(f)
        return f

    return decorate


def plural(count: int, noun: str) -> str:
    """'1 article', '2 articles': a count with its noun."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def check_day(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A date option in the one grammar (YYYY, YYYY-MM, YYYY-MM-DD, ISO datetime)."""
    if value is None:
        return None
    try:
        day_bound(value, end=False)
    except UsageError as exc:
        raise click.BadParameter(str(exc)) from None
    return value


# ---------------------------------------------------------------------- settings options
# The crawl options are made from the Settings fields: one default, one help text each.
_FLAGS = {"obey_robots": "--obey-robots/--ignore-robots", "languages": "--lang"}
_HIDDEN = {"global_concurrency", "max_bytes", "max_redirects", "block_after", "backoff_max"}


def settings_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """One option per :class:`Settings` field (``--max-pages`` for ``max_pages``), plus
    ``--config FILE``. Defaults shown in ``--help`` are the Settings defaults."""
    options = [
        click.option(
            "--config",
            "config_file",
            type=click.Path(dir_okay=False, path_type=Path),
            help="Settings file (TOML, same names as the options: delay = 2.0).",
        )
    ]
    for name, (default, help_text) in Settings.field_help().items():
        flag = _FLAGS.get(name, "--" + name.replace("_", "-"))
        kwargs: dict[str, Any] = {"help": help_text, "hidden": name in _HIDDEN}
        if isinstance(default, bool):
            if "/" not in flag:
                kwargs["is_flag"] = True
            kwargs["default"] = default
            kwargs["show_default"] = "/" in flag  # which side is on by default
        elif default is not None:
            kwargs["default"] = default
            kwargs["show_default"] = True
            kwargs["type"] = type(default)
        if name in ("since", "until"):
            kwargs["callback"] = check_day
        if name in ("max_pages", "max_articles", "parsers"):  # int or None (none shown)
            kwargs["type"] = int
        if name == "warc":
            kwargs["type"] = click.Path(file_okay=False)
            kwargs["metavar"] = "DIR"
        options.append(click.option(flag, name, **kwargs))
    for option in reversed(options):
        f = option(f)
    return f


def settings_from(ctx: click.Context, kw: dict[str, Any], base: Settings | None = None) -> Settings:
    """The Settings a command's options say: defaults < ``--config`` file < options given.
    Pops the settings options out of ``kw``."""
    config = kw.pop("config_file", None)
    settings = load_settings(config, base) if config else base or Settings()
    given: dict[str, Any] = {}
    for name in Settings.field_help():
        value = kw.pop(name)
        source = ctx.get_parameter_source(name)
        if source not in (click.core.ParameterSource.DEFAULT, None):
            given[name] = value
    return settings.replace(**given)
