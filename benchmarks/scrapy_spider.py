"""A hand-written Scrapy spider for the bundled sahara.ma mirror: the baseline the start-up
benchmark (``benchmarks/startup.py --scrapy``) runs beside ``scraper crawl``.

It does what a researcher's own spider for a JNews WordPress site does: start at the site's
home, follow every link on its host (robots.txt obeyed, no delay, two requests at a time),
and for each article page (``og:type`` article) yield its URL, title, publication date,
categories, tags and body paragraphs, written as JSON lines. It is a fair floor, not a rival:
no sitemaps, feeds or REST, no archive, no incremental re-runs.

    scrapy runspider benchmarks/scrapy_spider.py -a start=http://127.0.0.1:PORT/ar/ -o out.jsonl
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, ClassVar
from urllib.parse import urlsplit

import scrapy  # type: ignore[import-not-found]
from scrapy.linkextractors import LinkExtractor  # type: ignore[import-not-found]


class MirrorSpider(scrapy.Spider):
    name = "mirror"
    custom_settings: ClassVar[dict[str, Any]] = {
        "ROBOTSTXT_OBEY": True,
        "DOWNLOAD_DELAY": 0,
        "CONCURRENT_REQUESTS": 2,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 2,
        "LOG_LEVEL": "ERROR",
        "TELNETCONSOLE_ENABLED": False,
    }

    def __init__(self, start: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.start_urls = [start]
        root = re.escape(f"{urlsplit(start).scheme}://{urlsplit(start).netloc}/")
        self.links = LinkExtractor(
            allow=(f"^{root}",), deny=(r"/feed/", r"/wp-json/", r"/wp-content/", r"\?")
        )

    def parse(self, response: Any) -> Iterator[Any]:
        if response.css('meta[property="og:type"]::attr(content)').get() == "article":
            yield self.article(response)
        for link in self.links.extract_links(response):
            yield response.follow(link, callback=self.parse)

    def article(self, response: Any) -> dict[str, Any]:
        paragraphs = response.css(".content-inner p ::text").getall()
        return {
            "url": response.url,
            "title": response.css("h1.jeg_post_title::text").get(default="").strip(),
            "published": response.css(
                'meta[property="article:published_time"]::attr(content)'
            ).get(),
            "categories": response.css(".jeg_meta_category a::text").getall(),
            "tags": response.css(".jeg_post_tags a::text").getall(),
            "body": "\n".join(p.strip() for p in paragraphs if p.strip()),
        }
