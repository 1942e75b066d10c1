"""Exports of the archive in the record format: JSON Lines, CSV and Parquet.

All three stream: records are read from the archive one at a time (``Store.records``) and
written as they come (Parquet in row groups of ``BATCH`` records), so memory stays flat on an
archive of any size.

- JSONL: one JSON object per line, exactly the record format.
- CSV: one row per record, the record's fields as columns (``RECORD_FIELDS`` order); list
  fields (authors, categories, tags, related) are JSON text in their cell.
- Parquet: typed columns: list<string> for authors/categories/tags, list<struct<url, title>>
  for related, int64 for id/word_count/revision; dates stay ISO 8601 strings (with their UTC
  offset, which a Parquet timestamp would lose). Needs pyarrow (``pip install 'scraper[parquet]'``).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO

from ._exceptions import ExportError
from .store import RECORD_FIELDS

FORMATS = ("jsonl", "csv", "parquet")
LIST_FIELDS = ("authors", "categories", "tags", "related")
INT_FIELDS = ("id", "word_count", "revision")
NOT_NULL = ("url", "site", "body", "first_seen_at", "fetched_at")  # empty cell = ''""
BATCH = 1000


def write_jsonl(records: Iterable[dict[str, Any]], stream: TextIO) -> int:
    count = 0
    for record in records:
        stream.write(json.dumps(record, ensure_ascii=False) + "\n")
        count += 1
    return count


def write_csv(records: Iterable[dict[str, Any]], stream: TextIO) -> int:
    writer = csv.writer(stream)
    writer.writerow(RECORD_FIELDS)
    count = 0
    for record in records:
        writer.writerow([_cell(name, record[name]) for name in RECORD_FIELDS])
        count += 1
    return count


def _cell(name: str, value: Any) -> Any:
    if name in LIST_FIELDS:
        return json.dumps(value, ensure_ascii=False)
    return "" if value is None else value


def read_csv(stream: TextIO) -> Iterator[dict[str, Any]]:
    """Records back from ``write_csv`` output: lists parsed, numbers as int, an empty cell
    None (or '' for the fields that are never null)."""
    for row in csv.DictReader(stream):
        record: dict[str, Any] = {}
        for name in RECORD_FIELDS:
            value = row[name]
            if name in LIST_FIELDS:
                record[name] = json.loads(value)
            elif name in INT_FIELDS:
                record[name] = int(value) if value else None
            else:
                record[name] = value if value != "" or name in NOT_NULL else None
        yield record


def _pyarrow() -> Any:
    try:
        import pyarrow
        import pyarrow.parquet
    except ImportError:
        raise ExportError(
            "Parquet export needs pyarrow: pip install 'scraper[parquet]' (or pip install pyarrow)"
        ) from None
    return pyarrow


def parquet_schema() -> Any:
    pa = _pyarrow()
    strings = pa.list_(pa.string())
    types = {
        "authors": strings,
        "categories": strings,
        "tags": strings,
        "related": pa.list_(pa.struct([("url", pa.string()), ("title", pa.string())])),
        **{name: pa.int64() for name in INT_FIELDS},
    }
    return pa.schema([(name, types.get(name, pa.string())) for name in RECORD_FIELDS])


def write_parquet(records: Iterable[dict[str, Any]], path: Path) -> int:
    """Write ``records`` to a Parquet file at ``path`` in row groups of ``BATCH`` records."""
    pa = _pyarrow()
    schema = parquet_schema()
    count = 0
    batch: list[dict[str, Any]] = []
    with pa.parquet.ParquetWriter(str(path), schema, compression="zstd") as writer:
        for record in records:
            batch.append(record)
            if len(batch) >= BATCH:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                count += len(batch)
                batch = []
        if batch or count == 0:
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))
            count += len(batch)
    return count


def read_parquet(path: Path) -> Iterator[dict[str, Any]]:
    """Records back from a Parquet export, one row group at a time."""
    pa = _pyarrow()
    reader = pa.parquet.ParquetFile(str(path))
    for group in range(reader.num_row_groups):
        yield from reader.read_row_group(group).to_pylist()
