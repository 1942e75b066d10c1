"""Batch extraction: many saved pages to records, one JSON object per line (JSONL).

``scraper extract a.html b.html`` or ``scraper extract --input-dir pages/`` runs
:func:`scraper.extract` on each file (``.html``/``.htm``, recursively for a folder, in name
order) and writes one record per line with its ``source`` path first. A file that cannot be
read is reported and skipped; the others are still written.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from .._exceptions import UsageError
from ..extract import extract
from ..profiles import Profile, site_for
from ..profiles import for_url as profile_for_url

__all__ = ["BatchSummary", "extract_files", "input_files"]

PAGE_SUFFIXES = (".html", ".htm", ".xhtml")


@dataclass
class BatchSummary:
    files: int = 0
    articles: int = 0  # files the extractor saw an article in
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
) -> BatchSummary:
    """Extract each file and write its record as one JSON line to ``out``."""
    summary = BatchSummary()
    for path, record in _records(files, profile, url, summary):
        out.write(json.dumps({"source": str(path), **record}, ensure_ascii=False) + "\n")
    return summary


def _records(
    files: Iterable[Path], profile: Profile | None, url: str | None, summary: BatchSummary
) -> Iterator[tuple[Path, dict]]:
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
        yield path, record
