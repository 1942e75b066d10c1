"""What part of a site a crawl keeps to: the section its start URL names, and the
``--include`` / ``--exclude`` URL patterns. Pure.

A start URL whose path is not the site's root (nor a language edition's home such as
``/ar/`` or ``/en-us/``) scopes the crawl to that path, the way Heritrix keeps to a seed's
prefix: listings, feeds and related-article links are followed only below it (``/sport/``,
``/sport/page/2/``, ``/sport/feed/``), while the articles its listings link to are fetched
wherever they live (``/2025/07/09/match.html``); the site's sitemaps and REST API, which
list the whole site, are not read. ``--exclude`` patterns (regular expressions searched in
the full URL) keep any URL out; ``--include`` patterns, when given, are what an article URL
must match to be fetched (listings are still walked to find them).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

_EDITION = re.compile(r"^[a-z]{2}(?:[-_][a-z]{2,4})?$", re.IGNORECASE)


def section_prefix(start_url: str) -> str | None:
    """The path a crawl started at ``start_url`` keeps to (ending with ``/``), or None for
    a whole-site crawl (the root, or an edition home: one language-code segment).

    >>> section_prefix("https://x.ma/sport/"), section_prefix("https://x.ma/ar/")
    ('/sport/', None)
    """
    path = urlsplit(start_url).path or "/"
    segments = [s for s in path.split("/") if s]
    if not segments or (len(segments) == 1 and _EDITION.match(segments[0])):
        return None
    return "/" + "/".join(segments) + "/"


def compile_patterns(patterns: Iterable[str] | None) -> tuple[re.Pattern[str], ...]:
    """Regular expressions; :class:`ValueError` names one that does not compile."""
    out = []
    for pattern in patterns or ():
        try:
            out.append(re.compile(pattern))
        except re.error as exc:
            raise ValueError(f"not a regular expression: {pattern!r} ({exc})") from None
    return tuple(out)


@dataclass(frozen=True)
class Scope:
    """The section prefix and the URL patterns of one crawl."""

    prefix: str | None = None
    include: tuple[re.Pattern[str], ...] = ()
    exclude: tuple[re.Pattern[str], ...] = ()

    @classmethod
    def of(
        cls, start_url: str, include: Iterable[str] | None, exclude: Iterable[str] | None
    ) -> Scope:
        return cls(section_prefix(start_url), compile_patterns(include), compile_patterns(exclude))

    @property
    def whole_site(self) -> bool:
        """True when the crawl may read the site's sitemaps and REST API (no section)."""
        return self.prefix is None

    def in_section(self, url: str) -> bool:
        """Below the section's path (or the section page itself); always without one."""
        if self.prefix is None:
            return True
        path = urlsplit(url).path or "/"
        return path.startswith(self.prefix) or path == self.prefix[:-1]

    def allows(self, url: str, *, article: bool, linked: bool = False) -> bool:
        """Whether the crawl may queue ``url``: never an excluded one; an article only when
        it matches ``include`` (if any), and, when reached by an article-to-article link
        (``linked``), only inside the section; any other page only inside the section."""
        if any(p.search(url) for p in self.exclude):
            return False
        if article:
            if self.include and not any(p.search(url) for p in self.include):
                return False
            return not linked or self.in_section(url)
        return self.in_section(url)
