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

from ._config import Settings
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
from .article import Article, Link
from .crawler.collection import crawl
from .crawler.summary import CrawlSummary
from .extract import extract
from .store.archive import Archive

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
