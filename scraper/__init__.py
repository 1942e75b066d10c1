"""scraper: crawl news sites into a clean, searchable SQLite archive.

The public API for extraction is :func:`extract`::

    from scraper import extract
    article = extract(html, "https://example.org/2025/11/25/story/")
    article.title, article.published_at, article.body
"""

from .article import Article, Link
from .extract import extract

__all__ = ["Article", "Link", "extract"]
__version__ = "0.1.0"
