"""An offline mirror of sahara.ma (WordPress + JNews + Polylang), rendered from fixture data.

``default_site()`` loads the bundled data; ``MirrorServer`` serves a site on loopback; the
truth file (``python -m scraper.mirror.truth``) says what a perfect crawl must extract.
"""

from __future__ import annotations

from scraper.mirror.site import Article, Site, default_site, site_root


def __getattr__(name: str) -> object:
    # The server module is imported lazily so that ``import scraper.mirror`` stays cheap.
    if name in ("MirrorServer", "RequestRecord"):
        from scraper.mirror import server

        return getattr(server, name)
    raise AttributeError(name)


__all__ = ["Article", "MirrorServer", "RequestRecord", "Site", "default_site", "site_root"]
