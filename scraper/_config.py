"""One typed settings object for a crawl: every default is written here, once.

:class:`Settings` holds what a crawl and its fetcher need (pace, politeness, retries, bounds,
what to archive). The library takes it as is (``scraper.crawl(url, settings=Settings(delay=2))``),
the command line builds it from its options (and shows these defaults in ``--help``), and a
user may keep it in a TOML file with the same names::

    # crawl.toml  (scraper crawl sahara.ma --config crawl.toml)
    delay = 2.0
    concurrency = 1
    languages = ["ar", "fr"]
    contact = "ops@example.org"

Values are checked when the object is made: a bad one raises :class:`UsageError` (or
:class:`ConfigError` naming the file and the key, for a settings file).
"""

from __future__ import annotations

import calendar
import re
import tomllib
import types
from dataclasses import MISSING, Field, asdict, dataclass, field, fields, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any, Self, get_args, get_origin, get_type_hints

from ._exceptions import ConfigError, UsageError

__all__ = ["DEFAULT_USER_AGENT", "Settings", "day_bound", "load_settings"]

PROJECT_URL = "https://github.com/scraper-archiver/scraper"
DEFAULT_USER_AGENT = f"scraper/0.1 (+{PROJECT_URL}; research archiver)"


def _opt(default: Any, help: str, *, minimum: float | None = None) -> Any:
    """A settings field: its default, its one-line help, and its lower bound if any."""
    meta = {"help": help, "minimum": minimum}
    if isinstance(default, list | dict):
        return field(default_factory=lambda: default, metadata=meta)
    return field(default=default, metadata=meta)


#: The largest body read, after decompression: a crawl's default (``max_bytes``) and the cap
#: of a WARC record's body in a backfill or a re-extraction (a gzip bomb stops there).
MAX_BODY_BYTES = 10 * 2**20


@dataclass(frozen=True)
class Settings:
    """How a crawl runs. Every field has a default; see ``scraper crawl --help``."""

    # -- what to crawl and archive
    languages: tuple[str, ...] | None = _opt(
        None, "Editions to crawl, e.g. ar,fr (default: all the site offers)."
    )
    since: str | None = _opt(
        None,
        "Only archive articles published on or after this date: 2025, 2025-11, 2025-11-25 or"
        " an ISO datetime (a period covers its whole span).",
    )
    until: str | None = _opt(
        None, "Only archive articles published on or before this date (same forms)."
    )
    max_pages: int | None = _opt(
        None, "Stop after fetching this many pages (of every kind; articles first).", minimum=1
    )
    max_articles: int | None = _opt(
        None, "Stop once this many articles are archived (a small trial).", minimum=1
    )
    refresh: bool = _opt(False, "Re-fetch archived articles (conditional GET).")
    full: bool = _opt(False, "Walk every listing page, not just until nothing is new.")
    revisit_days: float = _opt(
        3.0, "Re-fetch articles published this many days ago or less, to catch edits.", minimum=0
    )
    max_listing_depth: int = _opt(2000, "Listing pages followed per section.", minimum=1)
    max_hops: int = _opt(
        3,
        "Article-to-article link hops followed away from a listing, sitemap or feed.",
        minimum=0,
    )
    max_query_variants: int = _opt(
        30, "URLs with the same path and different query strings (calendars, sorts).", minimum=1
    )
    include: tuple[str, ...] | None = _opt(
        None, "Only fetch article URLs matching one of these regular expressions."
    )
    exclude: tuple[str, ...] | None = _opt(
        None, "Never fetch URLs matching one of these regular expressions."
    )
    timezone: str | None = _opt(
        None,
        "The site's time zone (IANA name or +HH:MM) for dates it gives without an offset"
        " (default: the profile's, else learned from the site's own dates).",
    )
    allow_hosts: tuple[str, ...] | None = _opt(
        None, "Other hosts the crawl may follow redirects to (e.g. cdn.example.org)."
    )
    # -- pace and politeness
    workers: int = _opt(4, "Pages processed at once.", minimum=1)
    parsers: int | None = _opt(
        None,
        "Processes parsing article pages (default: one per CPU core for several sites, "
        "none for one; 0: parse in the crawl's own process).",
        minimum=0,
    )
    concurrency: int = _opt(2, "Requests in flight per host.", minimum=1)
    global_concurrency: int = _opt(16, "Requests in flight over all hosts.", minimum=1)
    backlog: int = _opt(
        64,
        "Fetched pages waiting to be parsed and archived, over all hosts; more wait to be"
        " fetched (bounds memory when many hosts outpace one archive writer).",
        minimum=1,
    )
    delay: float = _opt(1.0, "Seconds between request starts to one host.", minimum=0)
    obey_robots: bool = _opt(True, "Obey robots.txt (rules and Crawl-delay).")
    user_agent: str = _opt(DEFAULT_USER_AGENT, "User-Agent header.")
    contact: str | None = _opt(None, "Contact URL or e-mail added to the User-Agent.")
    # -- web archive
    warc: str | None = _opt(
        None, "Also write every request and response as WARC files into this folder."
    )
    warc_size: int = _opt(1000, "Megabytes per WARC file before the next one starts.", minimum=1)
    # -- faults
    timeout: float = _opt(20.0, "Seconds for one attempt, connect to last byte.", minimum=0)
    retries: int = _opt(4, "Retries of a failed request after the first attempt.", minimum=0)
    backoff_base: float = _opt(0.5, "First retry wait in seconds (doubles, jittered).", minimum=0)
    backoff_max: float = _opt(
        60.0, "Longest wait between two retries or requests to a refusing host.", minimum=0
    )
    retry_after_max: float = _opt(
        600.0,
        "Longest Retry-After honoured; a host asking for more is left for the next run.",
        minimum=0,
    )
    block_after: int = _opt(
        8, "Consecutive refusals (403/429/503) after which a host is given up.", minimum=1
    )
    max_bytes: int = _opt(MAX_BODY_BYTES, "Largest response body read, in bytes.", minimum=1)
    max_redirects: int = _opt(5, "Redirect hops followed per request.", minimum=0)

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            object.__setattr__(self, f.name, _checked(f, value, _hint(f.name)))
        since = day_bound(self.since, end=False, what="since") if self.since else None
        until = day_bound(self.until, end=True, what="until") if self.until else None
        if since and until and since > until:
            raise UsageError(f"since ({since}) is after until ({until})")
        object.__setattr__(self, "since", since)
        object.__setattr__(self, "until", until)
        if self.timezone:
            from .timezones import zone

            try:
                zone(self.timezone)
            except ValueError as exc:
                raise UsageError(str(exc)) from None
        for name in ("include", "exclude"):
            for pattern in getattr(self, name) or ():
                try:
                    re.compile(pattern)
                except re.error as exc:
                    message = f"{name}: not a regular expression: {pattern!r} ({exc})"
                    raise UsageError(message) from None

    def in_window(self, day: str | None) -> bool:
        """Whether a date (ISO 8601: its first ten characters are its day) is inside
        ``since``/``until``, both included; an unknown date is."""
        if not day:
            return True
        since, until = self.since, self.until
        return not ((since and day[:10] < since) or (until and day[:10] > until))

    def replace(self, **changes: Any) -> Self:
        """A copy with ``changes`` applied (and checked)."""
        unknown = set(changes) - {f.name for f in fields(self)}
        if unknown:
            raise UsageError(f"unknown setting {sorted(unknown)[0]!r}")
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        if self.languages is not None:
            data["languages"] = list(self.languages)
        return data

    @classmethod
    def field_help(cls) -> dict[str, tuple[Any, str]]:
        """name -> (default, help) for each setting, in declaration order (for the CLI)."""
        out: dict[str, tuple[Any, str]] = {}
        for f in fields(cls):
            default = f.default if f.default is not MISSING else None
            out[f.name] = (default, f.metadata["help"])
        return out


def load_settings(path: str | Path, base: Settings | None = None) -> Settings:
    """Settings from a TOML file (same names as :class:`Settings`), over ``base``."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read settings file {path}: {exc.strerror}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"settings file {path} is not valid TOML: {exc}") from None
    known = {f.name for f in fields(Settings)}
    for key in data:
        if key not in known:
            raise ConfigError(f"{path}: unknown setting {key!r}")
    try:
        return (base or Settings()).replace(**data)
    except UsageError as exc:
        raise ConfigError(f"{path}: {exc}") from None


def day_bound(value: str, *, end: bool, what: str | None = None) -> str:
    """One date grammar for every bound: ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD`` or an ISO
    datetime -> the first (``end=False``) or last (``end=True``) day it covers, ``YYYY-MM-DD``.

    >>> day_bound("2025-11", end=True)
    '2025-11-30'
    """
    text = str(value).strip()
    try:
        if len(text) == 4 and text.isdigit():
            year = int(text)
            return date(year, 12, 31).isoformat() if end else date(year, 1, 1).isoformat()
        if len(text) == 7 and text[4] == "-":
            year, month = int(text[:4]), int(text[5:])
            last = calendar.monthrange(year, month)[1]
            return date(year, month, last if end else 1).isoformat()
        if len(text) == 10:
            return date.fromisoformat(text).isoformat()
        return datetime.fromisoformat(text).date().isoformat()
    except ValueError:
        prefix = f"{what}: " if what else ""
        raise UsageError(
            f"{prefix}not a date: {value!r} (use 2025, 2025-11, 2025-11-25 or 2025-11-25T08:00)"
        ) from None


# ---------------------------------------------------------------------- checking
def _hint(name: str) -> Any:
    return _HINTS[name]


def _checked(f: Field[Any], value: Any, hint: Any) -> Any:
    """``value`` converted to the field's type, or :class:`UsageError` naming the setting."""
    optional = get_origin(hint) in (types.UnionType,) and type(None) in get_args(hint)
    if value is None:
        if optional:
            return None
        raise UsageError(f"setting {f.name!r} must have a value")
    kind = next(a for a in get_args(hint) if a is not type(None)) if optional else hint
    if get_origin(kind) is tuple:  # a list of strings; "ar,fr" also accepted
        if isinstance(value, str):
            value = [v for v in (x.strip() for x in value.split(",")) if v]
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise UsageError(f"setting {f.name!r} wants a list of strings, not {value!r}")
        return tuple(value) or None if optional else tuple(value)
    if kind is bool:
        if not isinstance(value, bool):
            raise UsageError(f"setting {f.name!r} wants true or false, not {value!r}")
        return value
    if kind in (int, float):
        number = _number(f.name, value, kind)
        minimum = f.metadata.get("minimum")
        if minimum is not None and number < minimum:
            raise UsageError(f"setting {f.name!r} must be at least {minimum:g}, not {value!r}")
        return number
    if not isinstance(value, str):
        raise UsageError(f"setting {f.name!r} wants a string, not {value!r}")
    return value


def _number(name: str, value: Any, kind: type) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise UsageError(f"setting {name!r} wants a number, not {value!r}")
    try:
        number = kind(value)
    except (TypeError, ValueError, OverflowError):
        raise UsageError(f"setting {name!r} wants a number, not {value!r}") from None
    if kind is int and isinstance(value, float) and value != number:
        raise UsageError(f"setting {name!r} wants a whole number, not {value!r}")
    if number != number or number in (float("inf"), float("-inf")):
        raise UsageError(f"setting {name!r} wants a finite number, not {value!r}")
    return number


_HINTS = get_type_hints(Settings)
