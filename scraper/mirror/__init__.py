"""An offline mirror of sahara.ma (WordPress + JNews + Polylang), rendered from fixture data.

``default_site()`` loads the bundled data; ``MirrorServer`` serves a site on loopback; the
truth file (``python -m scraper.mirror.truth``) says what a perfect crawl must extract.
"""

from __future__ import annotations

from pathlib import Path

from scraper.mirror.site import Article, Site


def site_root() -> Path:
    """Where the mirror's data lives: ``site/`` next to this package in a wheel, else the
    repository's ``tests/fixtures/sahara``."""
    packaged = Path(__file__).parent / "site"
    if packaged.exists():
        return packaged
    return Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "sahara"


def default_site() -> Site:
    """A fresh, mutable copy of the bundled sahara.ma data."""
    return Site.load(site_root())


def __getattr__(name: str) -> object:
    # The server module is imported lazily so that ``import scraper.mirror`` stays cheap.
    if name in ("MirrorServer", "RequestRecord"):
        from scraper.mirror import server

        return getattr(server, name)
    raise AttributeError(name)


__all__ = ["Article", "MirrorServer", "RequestRecord", "Site", "default_site", "site_root"]
