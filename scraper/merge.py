"""Parquet output of a backfill, and ``import``: Parquet output or another archive into an archive.

**Parquet output** (``backfill(..., output="parquet:DIR")``), for runs too large for one SQLite
file and for DuckDB or Spark: one row per capture kept as an article, in the record format of
``scraper export`` (:data:`scraper.store.RECORD_FIELDS`; ``id`` and ``revision`` are null: an
archive assigns them) plus ``base_url``, ``profile``, ``timezone``, ``date_raw`` and the capture's
``warc_file``, ``warc_offset``, ``warc_length``. Files are partitioned hive-style by site and
month of publication: ``DIR/site=<site>/month=<YYYY-MM or undated>/part-<file>-<offset>.parquet``
(the site URL-quoted; the files hold no ``site`` column: the partition gives it, and ``month``),
one per shard and partition. ``DIR/_manifest.json`` lists every part with its site, month and
row count; ``DIR/_progress.jsonl`` records the finished shards, so an interrupted run resumes.
Both start with ``_``, which pyarrow and DuckDB skip: ``pd.read_parquet('DIR')`` and DuckDB's
``SELECT site, month, count(*) FROM read_parquet('DIR/*/*/*.parquet') GROUP BY 1, 2`` read the
folder as one table with ``site`` and ``month`` columns.

**Import** (:func:`import_into`) merges into an archive either such a folder (rows in
manifest order: later captures of an article become revisions) or another archive file (each
article with its revisions, oldest first, and its page: a copy, or its WARC location). So
crawls or backfills sharded by host over several machines merge into one archive. An article
version older than the one already in the target is left out (``stale``).
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote

from ._exceptions import UsageError
from .article import Article, Link
from .store import RECORD_FIELDS, PageRecord, Store

if TYPE_CHECKING:
    from .backfill import BackfillSummary, Shard, ShardResult

__all__ = ["EXTRA_FIELDS", "ImportSummary", "ParquetSink", "import_into", "record_to_article"]

EXTRA_FIELDS: tuple[str, ...] = ("base_url", "profile", "timezone", "date_raw")
EXTRA_FIELDS += ("warc_file", "warc_offset", "warc_length")
MANIFEST = "_manifest.json"
OLD_MANIFEST = "manifest.json"  # folders written before the hive layout
PROGRESS = "_progress.jsonl"


def _pyarrow() -> Any:
    from .exporting import _pyarrow as load

    try:
        return load()
    except Exception as exc:  # ExportError: pyarrow missing
        raise UsageError(str(exc)) from None


def parquet_schema() -> Any:
    """The record format's Parquet schema (as ``scraper export``) plus the capture columns,
    without ``site`` (a partition of the folder)."""
    from .exporting import parquet_schema as records

    pa = _pyarrow()
    schema = records([name for name in RECORD_FIELDS if name != "site"])
    for name in EXTRA_FIELDS:
        kind = pa.int64() if name in ("warc_offset", "warc_length") else pa.string()
        schema = schema.append(pa.field(name, kind))
    return schema


def _row(kept: Any) -> dict[str, Any]:
    article: Article = kept.article
    row = article.to_dict()
    stamp = kept.page.fetched_at
    row.update(
        id=None,
        site=kept.site,
        first_seen_at=stamp,
        fetched_at=stamp,
        revision=None,
        base_url=kept.base_url,
        profile=kept.profile,
        timezone=kept.timezone,
        date_raw=article.date_raw,
        warc_file=kept.location[0],
        warc_offset=kept.location[1],
        warc_length=kept.location[2],
    )
    from .exporting import parquet_row

    record = {name: row.get(name) for name in (*RECORD_FIELDS, *EXTRA_FIELDS)}
    out = parquet_row(record, RECORD_FIELDS)  # dates as UTC instants, offsets apart
    out.update((name, record[name]) for name in EXTRA_FIELDS)
    del out["site"]  # the partition's
    return out


class ParquetSink:
    """Where a backfill writes with ``output="parquet:DIR"`` (see the module doc)."""

    def __init__(self, folder: Path) -> None:
        self.pa = _pyarrow()
        self.schema = parquet_schema()
        self.folder = folder
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UsageError(f"cannot create {folder}: {exc.strerror}") from None
        if not folder.is_dir():
            raise UsageError(f"{folder} is not a folder")
        self.done: dict[tuple[str, int, int], dict[str, Any]] = {}
        progress = folder / PROGRESS
        if progress.exists():
            for line in progress.read_text(encoding="utf-8").splitlines():
                try:
                    entry = json.loads(line)
                except json.JSONDecodeError:  # a line cut by a kill: its shard is redone
                    continue
                self.done[(entry["file"], entry["begin"], entry["end"])] = entry

    def plan(self, files: list[Path], shard_size: int, summary: BackfillSummary) -> list[Shard]:
        from .backfill import plan_shards

        plan = plan_shards({str(f): 0 for f in files}, shard_size)
        todo = [s for s in plan if (s.file, s.begin, s.end) not in self.done]
        pending = {s.file for s in todo}
        summary.files_done_before = sum(str(f) not in pending for f in files)
        return todo

    def write(self, result: ShardResult, summary: BackfillSummary) -> None:
        shard = result.shard
        groups: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
        for kept in result.kept:
            row = _row(kept)
            published = kept.article.published_at
            month = published.isoformat()[:7] if published else "undated"
            groups[(kept.site, month)].append(row)
        tag = hashlib.sha1(shard.file.encode()).hexdigest()[:10]
        parts = []
        for (site, month), rows in sorted(groups.items()):
            folder = self.folder / f"site={quote(site, safe='')}" / f"month={month}"
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"part-{tag}-{shard.begin:013d}.parquet"
            temporary = path.with_suffix(".tmp")
            table = self.pa.Table.from_pylist(rows, schema=self.schema)
            self.pa.parquet.write_table(table, str(temporary), compression="zstd")
            os.replace(temporary, path)
            relative = str(path.relative_to(self.folder))
            parts.append({"path": relative, "site": site, "month": month, "records": len(rows)})
        entry = {"file": shard.file, "begin": shard.begin, "end": shard.end, "parts": parts}
        with (self.folder / PROGRESS).open("a", encoding="utf-8") as stream:
            stream.write(json.dumps(entry, ensure_ascii=False) + "\n")
            stream.flush()
            os.fsync(stream.fileno())
        self.done[(shard.file, shard.begin, shard.end)] = entry
        summary.new += len(result.kept)

    def close(self, summary: BackfillSummary) -> None:
        """Write the manifest: every part of every finished shard, in input order."""
        entries = sorted(self.done.values(), key=lambda e: (e["file"], e["begin"]))
        parts = [part for entry in entries for part in entry["parts"]]
        manifest = {
            "format": "scraper-records",
            "version": 1,
            "fields": [*RECORD_FIELDS, *EXTRA_FIELDS],
            "partitioning": "site=<site, URL-quoted>/month=<YYYY-MM of published_at, or undated>",
            "records": sum(p["records"] for p in parts),
            "parts": parts,
            "sources": sorted({e["file"] for e in entries}),
            "written_at": datetime.now(UTC).replace(microsecond=0).isoformat(),
        }
        temporary = self.folder / (MANIFEST + ".tmp")
        temporary.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), "utf-8")
        os.replace(temporary, self.folder / MANIFEST)


# ---------------------------------------------------------------------- import
@dataclass
class ImportSummary:
    source: str = ""
    kind: str = ""  # parquet | archive
    records: int = 0  # rows or article versions read
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    stale: int = 0
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
    from .lock import ArchiveLock

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
    with ArchiveLock(db), Store(db) as store:
        sites: dict[str, int] = {}
        store.interrupt_stale_runs(None)
        run = store.start_run(None, {"source": str(source.resolve())}, kind="import")
        status, message = "failed", None
        try:
            if source.is_dir():
                _import_parquet(source, store, sites, summary, progress)
            else:
                _import_archive(source, store, sites, summary, progress)
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
    summary.seconds = time.monotonic() - started
    return summary


def _count(summary: ImportSummary, outcome: str) -> None:
    setattr(summary, outcome, getattr(summary, outcome) + 1)


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
    pa = _pyarrow()
    try:
        reader = pa.parquet.ParquetFile(str(path))
    except (OSError, pa.ArrowException) as exc:
        raise UsageError(f"cannot read {path}: {exc}") from None
    reader.close()
    from .exporting import read_parquet

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
        with store.db.atomic():  # one transaction per part
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


def _import_archive(
    path: Path,
    store: Store,
    sites: dict[str, int],
    summary: ImportSummary,
    progress: Callable[[ImportSummary], None] | None,
) -> None:
    with Store(path, reading=True) as source:
        known = {row["name"]: row for row in source.site_rows()}
        for record in source.records():
            versions = source.history(record["id"]) or []
            row = {**known.get(record["site"], {}), **record}
            site_id = _site_id(store, sites, row)
            page_row = source.page_row(record["url"]) or {}
            with store.db.atomic():  # one transaction per article and its history
                for version in versions:
                    summary.records += 1
                    article = record_to_article({**record, **version})
                    current = version["current"]
                    outcomes = []
                    for stamp in dict.fromkeys([version["from"], version["fetched_at"]]):
                        page = PageRecord(record["url"], record["url"], 200, b"")
                        location = None
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
                        page = _stamped(page, stamp, page.content)
                        size = int(page_row.get("size") or 0) if location else 0
                        outcomes.append(
                            store.save_capture(site_id, article, page, location, size=size)
                        )
                    _count(summary, outcomes[0])  # the later stamp only updates fetched_at
            if progress is not None:
                progress(summary)
        for name, row in known.items():  # what each site declared, for `scraper audit`
            found = source.declarations(row["id"])
            store.add_declarations(_site_id(store, sites, {**row, "site": name}), found)
