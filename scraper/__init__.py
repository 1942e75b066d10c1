"""scraper: crawl news sites into a clean, searchable SQLite archive.

The library face::

    import scraper

    summary = scraper.crawl("sahara.ma", "archive.db", settings=scraper.Settings(delay=2))
    with scraper.Archive("archive.db") as archive:
        hits = archive.search("الصناعة التقليدية")

    article = scraper.extract(html, "https://example.org/2025/11/25/story/")
    article.title, article.published_at, article.body

Every error raised on purpose is a :class:`ScraperError` (see ``scraper._exceptions``).
"""

import sys
import types
from typing import TYPE_CHECKING, Any

from ._exceptions import (
    ConfigError,
    FetchError,
    HostBlocked,
    LockHeld,
    ProfileError,
    QueryError,
    ScraperError,
    StoreError,
    UsageError,
)
from ._version import __version__

if TYPE_CHECKING:
    from ._config import Settings
    from .article import Article, Link
    from .crawler.collection import crawl
    from .crawler.summary import CrawlSummary
    from .extract import extract
    from .store.archive import Archive

#: The library face beyond the exceptions, imported on first use (``import scraper`` and
#: ``scraper --version`` would otherwise load the crawler, httpx and the extractors): each
#: name -> (module, attribute).
_LAZY = {
    "Settings": ("._config", "Settings"),
    "Article": (".article", "Article"),
    "Link": (".article", "Link"),
    "extract": (".extract", "extract"),
    "crawl": (".crawler.collection", "crawl"),
    "Archive": (".store.archive", "Archive"),
    "CrawlSummary": (".crawler.summary", "CrawlSummary"),
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'scraper' has no attribute {name!r}")
    import importlib

    module, attribute = _LAZY[name]
    value = getattr(importlib.import_module(module, __name__), attribute)
    globals()[name] = value
    return value


class _Package(types.ModuleType):
    """The package's module type: importing the subpackage ``scraper.extract`` would set
    the attribute of that name to the module, hiding the function :func:`extract`; such a
    module is not bound."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _LAZY and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


__all__ = [
    "Archive",
    "Article",
    "ConfigError",
    "CrawlSummary",
    "FetchError",
    "HostBlocked",
    "Link",
    "LockHeld",
    "ProfileError",
    "QueryError",
    "ScraperError",
    "Settings",
    "StoreError",
    "UsageError",
    "__version__",
    "crawl",
    "extract",
]
