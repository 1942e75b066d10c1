"""Site profiles: what we know about one site, as TOML data shipped with the package.

A profile names a site's hosts, base URL, timezone and languages, and the CSS selectors of its
theme. Profiles contain no code, so adding a site is adding a file.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from .._exceptions import ProfileError


@dataclass(frozen=True)
class Profile:
    """A site profile. ``article`` and ``discover`` map field names to CSS selectors."""

    name: str
    base_url: str
    hosts: tuple[str, ...] = ()
    title: str = ""
    timezone: str | None = None
    languages: tuple[str, ...] = ()
    discover: dict[str, Any] = field(default_factory=dict)
    article: dict[str, Any] = field(default_factory=dict)

    @property
    def tz(self) -> ZoneInfo | None:
        return ZoneInfo(self.timezone) if self.timezone else None

    def selector(self, section: str, key: str) -> str | None:
        value = (self.discover if section == "discover" else self.article).get(key)
        return value if isinstance(value, str) and value else None

    def matches_host(self, host: str) -> bool:
        host = host.lower().removeprefix("www.")
        return any(host == h.lower().removeprefix("www.") for h in self.hosts)


def available() -> list[str]:
    """Names of the bundled profiles."""
    files = resources.files(__name__).iterdir()
    return sorted(f.name.removesuffix(".toml") for f in files if f.name.endswith(".toml"))


@cache
def load(name: str) -> Profile:
    """The bundled profile called ``name``, or the profile whose hosts include ``name``.

    ``name`` may also be a URL: its host picks the profile.
    """
    key = name.strip().lower()
    if "://" in key:
        key = urlsplit(key).hostname or key
    for candidate in available():
        profile = _read(candidate)
        if candidate == key or profile.matches_host(key):
            return profile
    known = ", ".join(available()) or "none"
    raise ProfileError(f"unknown profile {name!r} (known: {known})")


def for_url(url: str) -> Profile | None:
    """The bundled profile for the host of ``url``, if any."""
    host = urlsplit(url).hostname or ""
    return next((p for p in map(_read, available()) if p.matches_host(host)), None)


@cache
def _read(name: str) -> Profile:
    raw = resources.files(__name__).joinpath(f"{name}.toml").read_text(encoding="utf-8")
    try:
        data = tomllib.loads(raw)
        return Profile(
            name=data.get("name", name),
            base_url=data["base_url"],
            hosts=tuple(data.get("hosts", ())),
            title=data.get("title", ""),
            timezone=data.get("timezone"),
            languages=tuple(data.get("languages", ())),
            discover=dict(data.get("discover", {})),
            article=dict(data.get("article", {})),
        )
    except (tomllib.TOMLDecodeError, KeyError, TypeError) as exc:
        raise ProfileError(f"profile {name!r} is malformed: {exc}") from exc
