"""One exception tree for everything the library raises on purpose.

Every error a caller can cause or meet (a bad archive path, a malformed query, an unknown
profile, a locked archive, a host that refuses us) is a :class:`ScraperError`; ``str()`` is
one line that speaks of values, never of command-line flags. The CLI turns any of them into
``scraper: error: <message>`` and the exit code in :attr:`ScraperError.exit_code`.

::

    ScraperError
    ├── UsageError            a value the caller passed is invalid (dates, numbers, URLs)
    ├── ConfigError           a settings file or site profile is invalid
    │   └── ProfileError      unknown profile, or a profile file with a bad key or type
    ├── StoreError            the archive cannot be opened, read or written
    │   ├── DiskFull          the disk is full: nothing half-written, the archive intact
    │   └── ExportError       an export cannot be written
    ├── QueryError            a search query with a broken structure
    ├── HistoryError          an unknown revision label
    ├── LockError             the archive's lock file cannot be created
    │   └── LockHeld          another crawl holds the archive
    ├── FetchError            a page could not be fetched (one-off fetches, not crawls)
    │   └── HostBlocked       a host refuses us: stop crawling it
    └── ServeError            the web view cannot start
        └── AddressInUse      its port is taken (exit 5)
"""

from __future__ import annotations

# Exit codes of the command line, documented in README.md. The library never exits; each
# error carries the code the CLI should use.
EXIT_OK = 0
EXIT_PARTIAL = 1
EXIT_USAGE = 2
EXIT_LOCKED = 3
EXIT_BLOCKED = 4
EXIT_UNAVAILABLE = 5  # scraper serve cannot listen (the port is in use)

#: Every exit code of the command line and its meaning: the table of README.md and of
#: ``scraper --help``.
EXIT_CODES = {
    EXIT_OK: "success (also nothing new; a --max-pages run that left URLs pending)",
    EXIT_PARTIAL: "finished, but some pages or records failed, the site still has no article,"
    " or the start URL led to another site (audit: something is missing)",
    EXIT_USAGE: "bad usage or input (an unknown option, date, site, article or file)",
    EXIT_LOCKED: "another process (a crawl, backfill, import) holds the archive's lock",
    EXIT_BLOCKED: "stopped because the site blocked or rate-limited us",
    EXIT_UNAVAILABLE: "scraper serve cannot listen: the address or port is in use",
    130: "stopped by Ctrl-C (SIGINT); the next run resumes",
    143: "stopped by SIGTERM; the next run resumes",
}


class ScraperError(Exception):
    """Base of every error the library raises on purpose; ``str()`` is one line."""

    exit_code = EXIT_USAGE


class UsageError(ScraperError, ValueError):
    """A value the caller passed is invalid (a date, a number, a URL)."""


class ConfigError(ScraperError, ValueError):
    """A settings file or a profile is invalid; the message names the file and the key."""


class ProfileError(ConfigError):
    """An unknown profile, or a profile whose file has an unknown key or a wrong type."""


class StoreError(ScraperError):
    """The archive cannot be opened, read or written."""


class DiskFull(StoreError):
    """The disk filled up: the write in progress was undone (the archive is as it was before
    it) and no partial output is left; a crawl resumes when run again."""

    exit_code = EXIT_PARTIAL

    def __init__(self, what: str, cause: BaseException | None = None) -> None:
        why = f" ({' '.join(str(cause).split())})" if cause is not None else ""
        super().__init__(
            f"the disk is full{why}: {what} stopped; the archive is intact, nothing is half-written"
        )


class ExportError(StoreError):
    """An export cannot be written."""


class QueryError(ScraperError, ValueError):
    """A search query whose structure is broken."""


class HistoryError(ScraperError, ValueError):
    """An unknown revision label."""


class LockError(ScraperError):
    """The lock file beside the archive cannot be created (a bad path, a read-only folder)."""


class LockHeld(LockError):
    """Another process holds the archive's crawl lock."""

    exit_code = EXIT_LOCKED


class FetchError(ScraperError):
    """A page could not be fetched (one-off fetches such as ``scraper extract URL``)."""

    exit_code = EXIT_PARTIAL


class HostBlocked(FetchError):
    """A host keeps refusing us (a streak of 429/503/403): stop crawling it."""

    exit_code = EXIT_BLOCKED

    def __init__(self, host: str, reason: str) -> None:
        super().__init__(f"host {host} blocked: {reason}")
        self.host = host
        self.reason = reason


class ServeError(ScraperError):
    """The web view cannot start (Datasette missing, a port in use)."""


class AddressInUse(ServeError):
    """The address and port the web view should listen on are taken."""

    exit_code = EXIT_UNAVAILABLE
