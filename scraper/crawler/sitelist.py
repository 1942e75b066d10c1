"""What a collection crawls: the sites of ``scraper crawl --sites FILE``, parsed and checked.

Two forms of file. A plain list, one target a line (what ``scraper crawl`` takes: a profile
name, a host or a URL); blank lines and ``#`` comments are skipped::

    sahara.ma
    https://www.hespress.com/
    https://le360.com/   # a comment

A TOML collection (a file ending in ``.toml``), one ``[[site]]`` table per site::

    [[site]]
    url = "sahara.ma"                 # required: profile name, host or start URL
    languages = ["ar", "fr"]

    [[site]]
    url = "https://www.hespress.com/"
    profile = "./hespress.toml"       # a bundled profile's name or a TOML file
    timezone = "Africa/Casablanca"    # for dates the site gives without an offset
    delay = 3                         # seconds between requests to this site's hosts
    since = "2025-01"                 # any per-site crawl setting (see SITE_SETTINGS)

Every key is checked when the file is read; a typo is an error naming the file, the site and
the key, never a setting silently ignored (``include``/``exclude`` regular expressions and
``timezone`` are checked as the settings of the same names). Pure: reads a file or text,
returns :class:`SiteSpec` values.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .._config import Settings
from .._exceptions import ConfigError, UsageError

__all__ = ["SITE_SETTINGS", "SiteSpec", "parse_lines", "parse_toml", "read_sites"]

#: Crawl settings a site of a collection may set for itself. The others (concurrency,
#: timeouts, retries, robots, User-Agent, WARC) belong to the one shared fetcher: they are
#: the run's (``--config`` or the options), the same for every site.
SITE_SETTINGS = frozenset(
    {
        "languages", "since", "until", "max_pages", "max_articles", "refresh", "full",
        "revisit_days", "max_listing_depth", "max_hops", "max_query_variants", "include",
        "exclude", "timezone", "allow_hosts", "workers",
    }
)  # fmt: skip
#: Keys of a ``[[site]]`` table besides the settings.
SITE_KEYS = frozenset({"url", "profile", "delay"})


@dataclass(frozen=True)
class SiteSpec:
    """One site of a collection: its target (profile name, host or URL), an optional
    profile, and what it sets for itself (``settings``: names of :class:`Settings` fields;
    ``delay``: the pace of its hosts on the shared fetcher)."""

    target: str
    profile: str | None = None
    delay: float | None = None
    settings: dict[str, Any] = field(default_factory=dict)
    where: str = ""  # "file:line" or "file [[site]] #n", for error messages

    def crawl_settings(self, base: Settings) -> Settings:
        """``base`` with this site's own settings (and delay) applied."""
        changes = dict(self.settings)
        if self.delay is not None:
            changes["delay"] = self.delay
        try:
            return base.replace(**changes) if changes else base
        except UsageError as exc:
            raise ConfigError(f"{self.where}: {exc}") from None


def read_sites(path: str | Path) -> list[SiteSpec]:
    """The sites listed in ``path``: TOML when it ends in ``.toml``, else one a line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read sites file {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"sites file {path} is not UTF-8 text") from None
    specs = parse_toml(text, str(path)) if path.suffix == ".toml" else parse_lines(text, str(path))
    if not specs:
        raise ConfigError(f"no site in {path}")
    return specs


def parse_lines(text: str, source: str = "<sites>") -> list[SiteSpec]:
    """One target a line; blank lines and ``#`` comments (whole or trailing) skipped."""
    specs = []
    for number, line in enumerate(text.splitlines(), 1):
        target = line.split(" #", 1)[0].strip()
        if not target or target.startswith("#"):
            continue
        if len(target.split()) > 1:
            raise ConfigError(
                f"{source}:{number}: one target a line, not {target!r} "
                "(per-site options need a TOML collection file)"
            )
        specs.append(SiteSpec(target, where=f"{source}:{number}"))
    return specs


def parse_toml(text: str, source: str = "<sites>") -> list[SiteSpec]:
    """The ``[[site]]`` tables of a TOML collection file, each checked."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"sites file {source} is not valid TOML: {exc}") from None
    unknown = sorted(set(data) - {"site"})
    if unknown:
        raise ConfigError(f"{source}: unknown key {unknown[0]!r} (sites go in [[site]] tables)")
    tables = data.get("site", [])
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        raise ConfigError(f"{source}: 'site' must be [[site]] tables")
    return [_site(table, f"{source} [[site]] #{n}") for n, table in enumerate(tables, 1)]


def _site(table: dict[str, Any], where: str) -> SiteSpec:
    url = table.get("url")
    if not isinstance(url, str) or not url.strip():
        raise ConfigError(f"{where}: 'url' (a profile name, host or URL) is required")
    where = f"{where} ({url.strip()})"
    known = SITE_KEYS | SITE_SETTINGS
    for key in table:
        if key not in known:
            raise ConfigError(f"{where}: unknown key {key!r} (known: {', '.join(sorted(known))})")
    profile = _string(table, "profile", where)
    delay = table.get("delay")
    if delay is not None and (
        isinstance(delay, bool) or not isinstance(delay, int | float) or delay < 0
    ):
        raise ConfigError(f"{where}: 'delay' wants a number of seconds >= 0, not {delay!r}")
    settings = {k: v for k, v in table.items() if k in SITE_SETTINGS}
    spec = SiteSpec(url.strip(), profile, None if delay is None else float(delay), settings, where)
    spec.crawl_settings(Settings())  # every value checked now, not when its turn comes
    return spec


def _string(table: dict[str, Any], key: str, where: str) -> str | None:
    value = table.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where}: {key!r} wants a non-empty string, not {value!r}")
    return value.strip()
