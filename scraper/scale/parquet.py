"""Parquet output of a backfill (``backfill(..., output="parquet:DIR")``), for runs too large for
one SQLite file and for DuckDB or Spark: one row per capture kept as an article, in the record
format of ``scraper export`` (:data:`scraper.store.RECORD_FIELDS`; ``id`` and ``revision`` are
null: an archive assigns them) plus ``base_url``, ``profile``, ``timezone``, ``date_raw`` and the
capture's ``warc_file``, ``warc_offset``, ``warc_length``. Files are partitioned hive-style by
site and month of publication:
``DIR/site=<site>/month=<YYYY-MM or undated>/part-<file>-<offset>.parquet`` (the site
URL-quoted; the files hold no ``site`` column: the partition gives it, and ``month``), one per
shard and partition. ``DIR/_manifest.json`` lists every part with its site, month and row count;
``DIR/_progress.jsonl`` records the finished shards, so an interrupted run resumes. Both start
with ``_``, which pyarrow and DuckDB skip: ``pd.read_parquet('DIR')`` and DuckDB's ``SELECT
site, month, count(*) FROM read_parquet('DIR/*/*/*.parquet') GROUP BY 1, 2`` read the folder as
one table with ``site`` and ``month`` columns.
``scraper import`` (:mod:`scraper.scale.merge`) reads such a folder into an archive.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from .._exceptions import UsageError
from ..article import Article
from ..store import RECORD_FIELDS
from .shards import BackfillSummary, Shard, ShardResult, plan_shards

EXTRA_FIELDS: tuple[str, ...] = ("base_url", "profile", "timezone", "date_raw")
EXTRA_FIELDS += ("warc_file", "warc_offset", "warc_length")


MANIFEST = "_manifest.json"
OLD_MANIFEST = "manifest.json"  # folders written before the hive layout


PROGRESS = "_progress.jsonl"


def pyarrow_module() -> Any:
    from ..report.exporting import load_pyarrow as load

    try:
        return load()
    except Exception as exc:  # ExportError: pyarrow missing
        raise UsageError(str(exc)) from None


def parquet_schema() -> Any:
    """The record format's Parquet schema (as ``scraper export``) plus the capture columns,
    without ``site`` (a partition of the folder)."""
    from ..report.exporting import parquet_schema as records

    pa = pyarrow_module()
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
    from ..report.exporting import parquet_row

    record = {name: row.get(name) for name in (*RECORD_FIELDS, *EXTRA_FIELDS)}
    out = parquet_row(record, RECORD_FIELDS)  # dates as UTC instants, offsets apart
    out.update((name, record[name]) for name in EXTRA_FIELDS)
    del out["site"]  # the partition's
    return out


class ParquetSink:
    """Where a backfill writes with ``output="parquet:DIR"`` (see the module doc)."""

    def __init__(self, folder: Path) -> None:
        self.pa = pyarrow_module()
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
