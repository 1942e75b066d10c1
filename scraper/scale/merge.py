"""``scraper import``: a backfill's Parquet output (:mod:`scraper.scale.parquet`) or another
archive into an archive.

**Import** (:func:`import_into`) merges into an archive either such a folder (rows in
manifest order: later captures of an article become revisions) or another archive file (each
article with its revisions, oldest first, and its page: a copy, or its WARC location). So
crawls or backfills sharded by host over several machines merge into one archive. An article
version older than the one already in the target takes its place in the history before it
(``earlier``); a version the target already has (same URL and fetch time: the same capture,
perhaps extracted otherwise) is updated in place, not added again (``same_capture``), so
importing the same captures twice adds nothing.
"""

from __future__ import annotations

import itertools
import json
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from .._exceptions import UsageError
from ..article import Article, Link
from ..store import PageRecord, Store, prepare
from ..store.schema import OlderSchema
from .parquet import MANIFEST, OLD_MANIFEST, pyarrow_module

#: Articles imported from an archive in one transaction.
IMPORT_BATCH = 200

__all__ = ["ImportSummary", "import_into", "merge_archive", "record_to_article"]


@dataclass
class ImportSummary:
    source: str = ""
    kind: str = ""  # parquet | archive
    records: int = 0  # rows or article versions read
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    earlier: int = 0  # older than the archived version: placed in its history before it
    same_capture: int = 0  # a version already archived (URL, fetch time), updated in place
    seconds: float = 0.0
    messages: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def record_to_article(record: dict[str, Any]) -> Article:
    """An :class:`Article` from a record (export, Parquet output or an archive's record)."""
    return Article(
        url=record["url"],
        site=record.get("site"),
        language=record.get("language"),
        title=record.get("title"),
        subtitle=record.get("subtitle"),
        authors=list(record.get("authors") or []),
        published_at=_when(record.get("published_at")),
        modified_at=_when(record.get("modified_at")),
        date_source=record.get("date_source"),
        date_raw=record.get("date_raw"),
        categories=list(record.get("categories") or []),
        tags=list(record.get("tags") or []),
        body=record.get("body") or "",
        related=[Link(r["url"], r.get("title") or "") for r in record.get("related") or []],
        next_url=record.get("next_url"),
        prev_url=record.get("prev_url"),
        image=record.get("image"),
        credit=record.get("credit"),
        credit_raw=record.get("credit_raw"),
        provenance={
            k: v for k, v in (record.get("provenance") or {}).items() if v and k != "published_at"
        },
        quality=record.get("quality"),
    )


def _when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def import_into(
    source: str | Path,
    db: str | Path,
    *,
    progress: Callable[[ImportSummary], None] | None = None,
) -> ImportSummary:
    """Merge ``source`` (a Parquet output folder, or an archive file) into the archive ``db``."""
    from ..store.lock import ArchiveLock

    source, db = Path(source), Path(db)
    if not source.exists():
        raise UsageError(f"no such file or folder: {source}")
    if source.is_file():
        if db.exists() and source.resolve() == db.resolve():
            raise UsageError(f"cannot import {source} into itself")
        with source.open("rb") as stream:
            if stream.read(16) != b"SQLite format 3\x00":
                raise UsageError(f"{source} is neither a Parquet folder nor an archive file")
    started = time.monotonic()
    summary = ImportSummary(str(source), "parquet" if source.is_dir() else "archive")
    sites: dict[str, int] = {}
    if source.is_dir():
        with ArchiveLock(db), Store(db) as store, _import_run(store, source, summary):
            _import_parquet(source, store, sites, summary, progress)
    else:  # the source first: a file that is no archive leaves no empty archive behind
        with (
            _source_archive(source) as archive,
            ArchiveLock(db),
            Store(db) as store,
            _import_run(store, source, summary),
        ):
            _import_archive(archive, store, sites, summary, progress)
    summary.seconds = time.monotonic() - started
    return summary


@contextmanager
def _import_run(store: Store, source: Path, summary: ImportSummary) -> Iterator[None]:
    """The import recorded as a run of the archive (``scraper runs``), with its outcome."""
    store.interrupt_stale_runs(None)
    run = store.start_run(None, {"source": str(source.resolve())}, kind="import")
    status, message = "failed", None
    try:
        yield
        status = "ok"
    except KeyboardInterrupt:
        status, message = "interrupted", "interrupted: the parts committed so far are kept"
        raise
    except Exception as exc:
        message = str(exc)
        raise
    finally:
        counts = {
            "pages_fetched": summary.records,
            "articles_new": summary.new,
            "articles_updated": summary.updated,
            "articles_unchanged": summary.unchanged,
        }
        store.finish_run(run, status, counts, message)


def merge_archive(source: Path, store: Store) -> ImportSummary:
    """Merge the archive file ``source`` (e.g. a worker's shard) into the open ``store``,
    whose caller holds its lock: what :func:`import_into` does for an archive file."""
    started = time.monotonic()
    summary = ImportSummary(str(source), "archive")
    with _source_archive(Path(source)) as archive:
        _import_archive(archive, store, {}, summary, None)
    summary.seconds = time.monotonic() - started
    return summary


@contextmanager
def _counted_with(summary: ImportSummary) -> Iterator[None]:
    """Around one transaction: when it does not commit, its counts are taken back, so a run
    record counts what the archive holds."""
    counted, committed = replace(summary), False
    try:
        yield
        committed = True
    finally:
        if not committed:
            for name in ("records", "new", "updated", "unchanged", "earlier", "same_capture"):
                setattr(summary, name, getattr(counted, name))


def _count(summary: ImportSummary, outcome: str) -> None:
    name = outcome.replace(" ", "_")
    setattr(summary, name, getattr(summary, name) + 1)


def _parts(folder: Path) -> list[tuple[Path, str | None]]:
    """The part files of a Parquet folder with their site (from the manifest, else from a
    ``site=`` folder; None when the rows hold it)."""
    for name in (MANIFEST, OLD_MANIFEST):
        manifest = folder / name
        if not manifest.exists():
            continue
        try:
            listed = json.loads(manifest.read_text(encoding="utf-8"))["parts"]
            return [(folder / part["path"], part.get("site")) for part in listed]
        except (ValueError, KeyError, TypeError) as exc:
            raise UsageError(f"unreadable manifest {manifest}: {exc}") from None
    parts = sorted(folder.rglob("*.parquet"))
    if not parts:
        raise UsageError(f"no Parquet files in {folder}")
    return [(path, _partition_site(path)) for path in parts]


def _partition_site(path: Path) -> str | None:
    for segment in path.parts:
        if segment.startswith("site="):
            return unquote(segment.removeprefix("site="))
    return None


def _rows(path: Path) -> Iterator[dict[str, Any]]:
    pa = pyarrow_module()
    try:
        reader = pa.parquet.ParquetFile(str(path))
    except (OSError, pa.ArrowException) as exc:
        raise UsageError(f"cannot read {path}: {exc}") from None
    reader.close()
    from ..report.exporting import read_parquet

    yield from read_parquet(path)  # dates back to the record format's ISO strings


def _site_id(store: Store, sites: dict[str, int], row: dict[str, Any]) -> int:
    name = row["site"]
    if name not in sites:
        base = row.get("base_url") or f"https://{name}/"
        sites[name] = store.ensure_site(name, base, row.get("profile"), row.get("timezone"))
    return sites[name]


def _import_parquet(
    folder: Path,
    store: Store,
    sites: dict[str, int],
    summary: ImportSummary,
    progress: Callable[[ImportSummary], None] | None,
) -> None:
    for path, site in _parts(folder):
        with _counted_with(summary), store.db.atomic():  # one transaction per part
            for row in _rows(path):
                if row.get("site") is None:
                    row["site"] = site
                summary.records += 1
                article = record_to_article(row)
                page = PageRecord(article.url or "", article.url or "", 200, b"")
                page = _stamped(page, row["fetched_at"])
                location = None
                if row.get("warc_file"):
                    location = (row["warc_file"], row["warc_offset"], row["warc_length"])
                outcome = store.save_capture(_site_id(store, sites, row), article, page, location)
                _count(summary, outcome)
        if progress is not None:
            progress(summary)


def _stamped(page: PageRecord, fetched_at: str | None, content: bytes = b"") -> PageRecord:
    return PageRecord(
        page.url, page.final_url, page.status, content, page.content_type, page.encoding,
        page.etag, page.last_modified, fetched_at,
    )  # fmt: skip


@contextmanager
def _source_archive(path: Path) -> Iterator[Store]:
    """The archive to import from, opened read-only: the file is never changed. One of an
    older schema is copied (SQLite's backup) and the copy migrated; :class:`StoreError`
    ("not a scraper archive") for an SQLite file without the archive's tables."""
    try:
        store = Store(path, read_only=True)
    except OlderSchema:
        with tempfile.TemporaryDirectory(prefix="scraper-import-") as folder:
            copy = Path(folder) / "source.db"
            reader = sqlite3.connect(f"file:{quote(str(path.absolute()))}?mode=ro", uri=True)
            try:
                with sqlite3.connect(copy) as writer:
                    reader.backup(writer)
                writer.close()
            finally:
                reader.close()
            with Store(copy, reading=True) as migrated:
                yield migrated
        return
    with store:
        yield store


def _import_archive(
    source: Store,
    store: Store,
    sites: dict[str, int],
    summary: ImportSummary,
    progress: Callable[[ImportSummary], None] | None,
) -> None:
    known = {row["name"]: row for row in source.site_rows()}
    records = source.records()
    while batch := list(itertools.islice(records, IMPORT_BATCH)):
        # One transaction per batch (each article a savepoint in it): a commit per article
        # cost a third of an import's time, mostly in writing the log.
        with _counted_with(summary), store.db.atomic():
            for record in batch:
                _import_record(source, store, sites, known, record, summary)
        if progress is not None:
            progress(summary)
    for name, row in known.items():  # what each site declared, for `scraper audit`
        found = source.declarations(row["id"])
        store.add_declarations(_site_id(store, sites, {**row, "site": name}), found)


def _import_record(
    source: Store,
    store: Store,
    sites: dict[str, int],
    known: dict[str, dict[str, Any]],
    record: dict[str, Any],
    summary: ImportSummary,
) -> None:
    """One article and its history."""
    versions = source.history(record["id"]) or []
    row = {**known.get(record["site"], {}), **record}
    site_id = _site_id(store, sites, row)
    page_row = source.page_row(record["url"]) or {}
    with store.db.atomic():
        for version in versions:
            summary.records += 1
            article = record_to_article({**record, **version})
            current = version["current"]
            outcomes = []
            for stamp in dict.fromkeys([version["from"], version["fetched_at"]]):
                page = PageRecord(record["url"], record["url"], 200, b"")
                location = None
                prepared = None
                if current and stamp == version["fetched_at"] and page_row:
                    page = PageRecord(
                        record["url"],
                        page_row.get("final_url") or record["url"],
                        page_row.get("status") or 200,
                        page_row["content"],
                        page_row.get("content_type"),
                        page_row.get("encoding"),
                        page_row.get("etag"),
                        page_row.get("last_modified"),
                    )
                    if page_row.get("warc_file"):
                        location = (
                            page_row["warc_file"],
                            page_row["warc_offset"],
                            page_row["warc_length"],
                        )
                    if page_row.get("html") is not None and not store.known_articles(
                        [record["url"]]
                    ):
                        # A new article's page as the source keeps it, compressed: not
                        # compressed again (a quarter of an import's CPU). An article the
                        # archive has may be unchanged: nothing to prepare then.
                        prepared = replace(prepare(article), page_html=page_row["html"])
                page = _stamped(page, stamp, page.content)
                size = int(page_row.get("size") or 0) if location else 0
                outcomes.append(
                    store.save_capture(
                        site_id, article, page, location, size=size, prepared=prepared
                    )
                )
            _count(summary, outcomes[0])  # the later stamp only updates fetched_at
