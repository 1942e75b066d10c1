"""Site profiles: what we know about one site, as TOML data shipped with the package.

A profile names a site's hosts, base URL, timezone and languages, and the CSS selectors of its
theme. Profiles contain no code, so adding a site is adding a file.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

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


# What a profile file may hold: a typo is an error naming the file and the key, not a
# selector silently ignored.
TOP_KEYS: dict[str, type] = {
    "name": str, "title": str, "base_url": str, "timezone": str,
    "hosts": list, "languages": list, "discover": dict, "article": dict,
}  # fmt: skip
DISCOVER_KEYS = frozenset({"sections", "listing_items", "next_page", "editions"})
ARTICLE_KEYS = frozenset({
    "is_article", "title", "subtitle", "authors", "date", "categories", "tags", "image",
    "body", "body_remove", "inline_related", "related", "next", "prev",
})  # fmt: skip


@cache
def load(name: str) -> Profile:
    """The bundled profile called ``name``, the profile whose hosts include ``name``, or the
    profile in the TOML file at path ``name`` (``./mysite.toml``).

    ``name`` may also be a URL: its host picks the profile.
    """
    if name.endswith(".toml") or ("/" in name and "://" not in name):
        path = Path(name)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ProfileError(f"cannot read profile file {path}: {exc}") from None
        return parse(text, str(path), default_name=path.stem)
    key = name.strip().lower()
    if "://" in key:
        key = urlsplit(key).hostname or key
    for candidate in available():
        profile = _read(candidate)
        if candidate == key or profile.matches_host(key):
            return profile
    known = ", ".join(available()) or "none"
    raise ProfileError(f"unknown profile {name!r} (known: {known})")


def site_for(url: str | None, profile: Profile | None) -> str | None:
    """The site a record of ``url`` belongs to, named as the archive names sites: the
    profile's name when ``profile`` covers the URL's host, else the host (lower case, no
    ``www.``, with its port); None without a URL. So a record's ``url`` and ``site`` always
    agree, even when a page's canonical URL leaves the host it was fetched from."""
    try:
        parts = urlsplit(url or "")
        host = parts.hostname or ""
    except ValueError:
        return None
    if not host:
        return None
    if profile is not None and profile.matches_host(host):
        return profile.name
    return parts.netloc.lower().rsplit("@", 1)[-1].removeprefix("www.")


def for_url(url: str) -> Profile | None:
    """The bundled profile for the host of ``url``, if any."""
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return None
    return next((p for p in map(_read, available()) if p.matches_host(host)), None)


@cache
def _read(name: str) -> Profile:
    raw = resources.files(__name__).joinpath(f"{name}.toml").read_text(encoding="utf-8")
    return parse(raw, f"profile {name}.toml", default_name=name)


def parse(text: str, source: str, *, default_name: str) -> Profile:
    """A profile from TOML ``text``; :class:`ProfileError` naming ``source`` and the key."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"{source}: not valid TOML: {exc}") from None
    _check(data, TOP_KEYS, source, "")
    if "base_url" not in data:
        raise ProfileError(f"{source}: missing key 'base_url'")
    for table, allowed in (("discover", DISCOVER_KEYS), ("article", ARTICLE_KEYS)):
        section = data.get(table, {})
        for key, value in section.items():
            if key not in allowed:
                raise ProfileError(f"{source}: unknown key '{table}.{key}'")
            ok = isinstance(value, str) or (
                key == "body_remove"
                and isinstance(value, list)
                and all(isinstance(v, str) for v in value)
            )
            if not ok:
                raise ProfileError(f"{source}: '{table}.{key}' must be a CSS selector string")
    for key in ("hosts", "languages"):
        if not all(isinstance(v, str) for v in data.get(key, ())):
            raise ProfileError(f"{source}: '{key}' must be a list of strings")
    timezone = data.get("timezone")
    if timezone:
        try:
            ZoneInfo(timezone)
        except (ValueError, ZoneInfoNotFoundError):
            raise ProfileError(f"{source}: unknown timezone {timezone!r}") from None
    return Profile(
        name=data.get("name", default_name),
        base_url=data["base_url"],
        hosts=tuple(data.get("hosts", ())),
        title=data.get("title", ""),
        timezone=timezone,
        languages=tuple(data.get("languages", ())),
        discover=dict(data.get("discover", {})),
        article=dict(data.get("article", {})),
    )


def _check(data: dict[str, Any], allowed: Mapping[str, type], source: str, prefix: str) -> None:
    for key, value in data.items():
        if key not in allowed:
            raise ProfileError(f"{source}: unknown key '{prefix}{key}'")
        if not isinstance(value, allowed[key]):
            wanted = {"str": "a string", "list": "a list", "dict": "a table"}[allowed[key].__name__]
            raise ProfileError(f"{source}: '{prefix}{key}' must be {wanted}")
