"""The truth file: what a perfect crawl of the mirror extracts, computed from the data.

``python -m scraper.mirror.truth [PATH]`` writes ``tests/fixtures/sahara/truth.jsonl`` (one JSON
object per article, sorted by id). Nothing here parses HTML: the records come from the same
:class:`~scraper.mirror.site.Site` queries the templates use.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from scraper.mirror import default_site, site_root
from scraper.mirror.site import Article, Site, to_aware


def record(site: Site, article: Article) -> dict[str, Any]:
    """The truth record of one article."""
    prev, nxt = site.prev_next(article)
    related: list[dict[str, str]] = []
    seen: set[str] = set()
    for other in site.inline_related(article) + site.related(article):
        path = other.path()
        if path not in seen:
            seen.add(path)
            related.append({"path": path, "title": other.title})
    return {
        "id": article.id,
        "path": article.path(),
        "language": article.lang,
        "title": article.title,
        "subtitle": article.subtitle,
        "authors": [article.author] if article.author else [],
        "published_at": to_aware(article.published).isoformat(),
        "modified_at": to_aware(article.last_changed).isoformat(),
        "categories": list(article.categories),
        "tags": list(article.tags),
        "body": article.body,
        "related": related,
        "next_path": nxt.path() if nxt else None,
        "prev_path": prev.path() if prev else None,
        "image": article.image_path,
    }


def truth_lines(site: Site) -> list[str]:
    return [json.dumps(record(site, a), ensure_ascii=False) for a in site]


def truth_text(site: Site) -> str:
    return "\n".join(truth_lines(site)) + "\n"


def default_path() -> Path:
    return site_root() / "truth.jsonl"


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    target = Path(args[0]) if args else default_path()
    site = default_site()
    target.write_text(truth_text(site), encoding="utf-8")
    print(f"wrote {len(site)} records to {target}")


if __name__ == "__main__":
    main()
