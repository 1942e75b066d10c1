"""Batch extraction: many saved pages to records, one JSON object per line (JSONL).

``scraper extract a.html b.html`` or ``scraper extract --input-dir pages/`` runs
:func:`scraper.extract` on each file (``.html``/``.htm``, recursively for a folder, in name
order) and writes one record per line with its ``source`` path first. A page that is no
article (a home, listing, tag, author, gallery or error page: :mod:`scraper.extract.pagekind`)
is counted and left out, unless ``all_pages`` asks for every page (each line then says its
``page_kind``). A file that cannot be read is reported and skipped; the others are still
written.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from .._exceptions import UsageError
from ..article import Article
from ..extract import extract
from ..profiles import Profile, site_for
from ..profiles import for_url as profile_for_url

__all__ = ["BatchSummary", "extract_files", "input_files"]

PAGE_SUFFIXES = (".html", ".htm", ".xhtml")


@dataclass
class BatchSummary:
    files: int = 0
    articles: int = 0  # files the extractor saw an article in
    not_articles: int = 0  # files holding another kind of page
    page_kinds: dict[str, int] = field(default_factory=dict)  # not_articles by kind
    failed: int = 0  # files that could not be read
    messages: list[str] = field(default_factory=list)  # one line per file that failed


def input_files(paths: Iterable[str | Path], input_dir: str | Path | None = None) -> list[Path]:
    """The files to extract: ``paths`` as given, then the pages under ``input_dir``."""
    files = [Path(p) for p in paths]
    if input_dir is not None:
        folder = Path(input_dir)
        if not folder.is_dir():
            raise UsageError(f"not a folder: {folder}")
        files += sorted(
            p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in PAGE_SUFFIXES
        )
    return files


def extract_files(
    files: Iterable[Path],
    out: TextIO,
    *,
    profile: Profile | None = None,
    url: str | None = None,
    all_pages: bool = False,
) -> BatchSummary:
    """Extract each file and write its record as one JSON line to ``out``: the articles, or
    with ``all_pages`` every page (with its ``page_kind``)."""
    summary = BatchSummary()
    for path, article, record in _articles(files, profile, url, summary):
        head: dict[str, str] = {"source": str(path)}
        if all_pages:
            head["page_kind"] = article.page_kind
        elif not article.is_article:
            continue
        line = {**head, **record}
        out.write(json.dumps(line, ensure_ascii=False) + "\n")
    return summary


def _articles(
    files: Iterable[Path], profile: Profile | None, url: str | None, summary: BatchSummary
) -> Iterator[tuple[Path, Article, dict]]:
    for path in files:
        summary.files += 1
        try:
            html = path.read_bytes()
        except OSError as exc:
            summary.failed += 1
            summary.messages.append(f"cannot read {path}: {exc.strerror}")
            continue
        chosen = profile or (profile_for_url(url) if url else None)
        try:
            article = extract(html, url, chosen)
            article.site = site_for(article.url, chosen)  # the site of its own URL
            record = article.to_dict()
        except Exception as exc:  # one bad file is that file's failure, never the batch's
            summary.failed += 1
            summary.messages.append(f"cannot extract {path}: {type(exc).__name__}: {exc}")
            continue
        if article.is_article:
            summary.articles += 1
        else:
            summary.not_articles += 1
            kind = article.page_kind
            summary.page_kinds[kind] = summary.page_kinds.get(kind, 0) + 1
        yield path, article, record
