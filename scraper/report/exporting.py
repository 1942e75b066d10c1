"""Exports of the archive in the record format: JSON Lines, JSON, CSV and Parquet.

All of them stream: records are read from the archive one at a time (``Store.records``) and
written as they come (Parquet in row groups of ``BATCH`` records), so memory stays flat on an
archive of any size.

- JSONL: one JSON object per line, exactly the record format.
- JSON: one array of those objects (``json.load``, ``pd.read_json``), written as it streams.
- CSV: one row per record, the record's fields as columns (``RECORD_FIELDS`` order); list
  fields (authors, categories, tags, related) and ``provenance`` are JSON text in their cell.
- Parquet: typed columns: list<string> for authors/categories/tags, list<struct<url, title>>
  for related, int64 for id/word_count/revision, float64 for quality, ``provenance`` a struct
  of one string per field of ``PROVENANCE_FIELDS``, and the dates as ``timestamp[us, UTC]``
  (the instant). The local UTC offset the site gave for the publication and update dates is
  kept in columns of their own, ``published_offset`` and ``modified_offset`` ('+01:00'; null
  when the site gave none), and their local wall-clock time in ``published_local`` and
  ``modified_local`` ('2025-07-09T20:30:00', as the site shows it). A date the site gave
  without an offset has no known instant: its timestamp is null (never a wall-clock time
  read as UTC), its ``*_local`` column keeps it.
  Needs pyarrow (``pip install 'scraper[parquet]'``).

Every format writes the record's URLs in their canonical, percent-encoded form (what the
archive stores and what ``scraper show`` accepts); tables meant for people print them decoded.
``fields`` picks and orders the columns. The format follows the output file's extension
(:func:`format_for`) unless it is given; a ``.gz`` after a text format's extension
(``a.csv.gz``, ``a.jsonl.gz``, ``a.json.gz``) writes it gzip-compressed, as pandas, DuckDB and
sqlite-utils read it. The same writers export revisions (``Store.revision_records``: one row per
version of every article, with ``REVISION_FIELDS``).

Every string written is valid text (:mod:`scraper.clean`): an archive written before that rule,
or by another tool, exports with its surrogates and control characters replaced by U+FFFD.

CSV cells are exact: a title that begins with ``=`` is written as it is. Spreadsheets read
such a cell as a formula (CSV injection: ``=HYPERLINK(...)`` in a headline runs when the file
is opened), so ``excel=True``, the variant meant for a spreadsheet, writes a ``'`` before a
cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return (:func:`excel_cell`).

NULL and empty: in JSONL and Parquet a missing value is ``null``; in CSV it is an empty cell,
and a field that is never null (url, site, body, first_seen_at, fetched_at) may be the empty
string; list fields are ``[]`` when empty, never null.
"""

from __future__ import annotations

import csv
import gzip
import json
import os
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, TextIO

from .._exceptions import DiskFull, ExportError
from ..article import PROVENANCE_FIELDS
from ..clean import valid_value
from ..store import RECORD_FIELDS, is_disk_full
from ..urls import display

FORMATS = ("jsonl", "json", "csv", "parquet")
EXTENSIONS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json", ".csv": "csv",
              ".parquet": "parquet", ".pq": "parquet"}  # fmt: skip
#: The text formats may be gzip-compressed by naming the file ``.gz`` (``a.csv.gz``).
GZIP = ".gz"
TIME_FIELDS = ("published_at", "modified_at", "published_utc", "modified_utc", "first_seen_at",
               "fetched_at", "seen_from", "replaced_at")  # fmt: skip
#: Parquet keeps the site's own UTC offset of these dates in a column of its own.
OFFSET_FIELDS = {"published_at": "published_offset", "modified_at": "modified_offset"}
#: ... and its local wall-clock time, known even when the offset is not.
LOCAL_FIELDS = {"published_at": "published_local", "modified_at": "modified_local"}
LIST_FIELDS = ("authors", "categories", "tags", "related")
INT_FIELDS = ("id", "story_id", "word_count", "revision", "article_id")
BOOL_FIELDS = ("current",)
FLOAT_FIELDS = ("quality",)
JSON_FIELDS = (*LIST_FIELDS, "provenance")  # JSON text in a CSV cell
NOT_NULL = ("url", "site", "body", "first_seen_at", "fetched_at")  # empty cell = ''""
#: ``--excel`` adds this column after ``url``: the URL decoded, readable in a spreadsheet.
DECODED_URL = "url_decoded"
MAX_CELL = 2**31 - 1  # characters of one CSV cell read back
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet reads these as formulas
BATCH = 1000


def format_for(path: str | Path | None, fmt: str | None = None) -> str:
    """The export format: ``fmt`` if given, else the one ``path``'s extension names (a
    ``.gz`` after it compresses: ``.csv.gz``, ``.jsonl.gz``, ``.json.gz``), else JSON Lines
    (stdout). :class:`ExportError` for an extension it cannot tell."""
    if fmt:
        if fmt not in (*FORMATS, "warc"):
            raise ExportError(f"unknown export format {fmt!r} (formats: {', '.join(FORMATS)})")
        if fmt == "parquet" and is_gzip(path):
            raise ExportError("Parquet is compressed already: name the file .parquet, not .gz")
        return fmt
    if path is None or str(path) == "-":
        return "jsonl"
    if str(path).lower().endswith((".warc", ".warc.gz")):
        return "warc"  # the raw pages (scraper.report.warc_export), not records
    name = Path(path).name.lower()
    suffix = Path(name.removesuffix(GZIP)).suffix
    if suffix not in EXTENSIONS or (is_gzip(path) and EXTENSIONS[suffix] == "parquet"):
        raise ExportError(
            f"cannot tell the format of {path} from its extension; name it .jsonl, .json, .csv"
            " (each optionally .gz) or .parquet, or give the format"
        )
    return EXTENSIONS[suffix]


def is_gzip(path: str | Path | None) -> bool:
    """Whether the export to ``path`` is gzip-compressed (its name ends in ``.gz``)."""
    return path is not None and str(path).lower().endswith(GZIP)


def check_fields(
    fields: Iterable[str] | None, known: tuple[str, ...] = RECORD_FIELDS
) -> tuple[str, ...]:
    """The fields to export (of ``known``), in the order given (all of them by default)."""
    if not fields:
        return tuple(known)
    chosen = tuple(dict.fromkeys(f.strip() for f in fields if f.strip()))
    unknown = [f for f in chosen if f not in known]
    if unknown or not chosen:
        raise ExportError(
            f"unknown field {unknown[0] if unknown else ''!r} (fields: {', '.join(known)})"
        )
    return chosen


def export(
    records: Iterable[dict[str, Any]],
    fmt: str,
    output: TextIO | IO[bytes] | Path,
    *,
    fields: Iterable[str] | None = None,
    excel: bool = False,
    known: tuple[str, ...] = RECORD_FIELDS,
) -> int:
    """Write ``records`` in ``fmt`` to ``output`` (a path, a text stream for jsonl/json/csv,
    a binary stream for parquet); returns how many. A path ending in ``.gz`` is written
    gzip-compressed. ``excel``: CSV with a UTF-8 byte-order mark, CRLF line ends and a
    decoded URL column (``url_decoded``), so Excel opens Arabic text correctly. ``known``:
    the fields records have (``RECORD_FIELDS``, or ``REVISION_FIELDS`` for revisions).
    A file left half-written by an error is removed."""
    names = check_fields(fields, known)
    records = (valid_value(r) for r in records)
    if excel and fmt != "csv":
        raise ExportError("the Excel variant is a CSV option")
    if excel and "url" in names:
        at = names.index("url") + 1
        names = (*names[:at], DECODED_URL, *names[at:])
        records = ({**r, DECODED_URL: display(r["url"])} for r in records)
    if fmt == "parquet":
        parquet_schema(names)  # pyarrow missing: say so before anything is written
    if not isinstance(output, Path):
        try:
            return _write(records, fmt, output, names, excel)
        except OSError as exc:
            if is_disk_full(exc):
                raise DiskFull("the export", exc) from None
            raise
    # A file is written beside its name and renamed when complete: a failure (a full disk,
    # an interruption) leaves no partial file, and an earlier file of that name as it was.
    # A device or a pipe (/dev/stdout) is written directly.
    direct = output.exists() and not output.is_file()
    target = output if direct else output.with_name(output.name + ".partial")
    try:
        count = _write_file(records, fmt, target, names, excel, gzipped=is_gzip(output))
        if not direct:
            os.replace(target, output)
        return count
    except BaseException as exc:
        if not direct:
            target.unlink(missing_ok=True)
        if isinstance(exc, OSError) and is_disk_full(exc):
            raise DiskFull(f"the export to {output}", exc) from None
        if isinstance(exc, OSError):
            raise ExportError(f"cannot write {output}: {exc.strerror or exc}") from None
        raise


def _write_file(
    records: Iterable[dict[str, Any]],
    fmt: str,
    path: Path,
    names: tuple[str, ...],
    excel: bool,
    *,
    gzipped: bool = False,
) -> int:
    if fmt == "parquet":
        return write_parquet(records, path, names)
    encoding = "utf-8-sig" if excel else "utf-8"
    if gzipped:
        with gzip.open(path, "wt", encoding=encoding, newline="") as zipped:
            return _write(records, fmt, zipped, names, excel)
    with path.open("w", encoding=encoding, newline="") as stream:
        return _write(records, fmt, stream, names, excel)


def _write(
    records: Iterable[dict[str, Any]], fmt: str, out: Any, names: tuple[str, ...], excel: bool
) -> int:
    if fmt == "parquet":
        return write_parquet(records, out, names)
    if fmt == "csv":
        if excel and getattr(out, "encoding", "").lower().replace("-", "") != "utf8sig":
            out.write("\ufeff")
        return write_csv(records, out, names, excel=excel)
    if fmt == "json":
        return write_json(records, out, names)
    return write_jsonl(records, out, names)


def write_jsonl(
    records: Iterable[dict[str, Any]], stream: TextIO, fields: Iterable[str] | None = None
) -> int:
    names = tuple(fields or RECORD_FIELDS)
    count = 0
    for record in records:
        stream.write(json.dumps({n: record[n] for n in names}, ensure_ascii=False) + "\n")
        count += 1
    return count


def write_json(
    records: Iterable[dict[str, Any]], stream: TextIO, fields: Iterable[str] | None = None
) -> int:
    """One JSON array of the records, written as they come (one record a line)."""
    names = tuple(fields or RECORD_FIELDS)
    count = 0
    stream.write("[")
    for record in records:
        stream.write(",\n" if count else "\n")
        stream.write(json.dumps({n: record[n] for n in names}, ensure_ascii=False))
        count += 1
    stream.write("\n]\n" if count else "]\n")
    return count


def write_csv(
    records: Iterable[dict[str, Any]],
    stream: TextIO,
    fields: Iterable[str] | None = None,
    *,
    excel: bool = False,
) -> int:
    names = tuple(fields or RECORD_FIELDS)
    # Rows end in CRLF for Excel, LF otherwise; the writer is told CRLF either way, since it
    # quotes a cell holding a character of its line end, and a lone CR must be quoted too.
    writer = csv.writer(stream if excel else _LineFeedRows(stream), lineterminator="\r\n")
    writer.writerow(names)
    count = 0
    for record in records:
        cells = [_cell(name, record[name]) for name in names]
        writer.writerow([excel_cell(c) for c in cells] if excel else cells)
        count += 1
    return count


class _LineFeedRows:
    """A text stream for :func:`csv.writer` whose rows end in LF: the writer ends each row
    (written in one call) with CRLF, replaced here."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def write(self, row: str) -> int:
        return self.stream.write(row[:-2] + "\n" if row.endswith("\r\n") else row)


def _cell(name: str, value: Any) -> Any:
    if name in JSON_FIELDS:
        return json.dumps(value, ensure_ascii=False)
    return "" if value is None else value


def excel_cell(value: Any) -> Any:
    """A cell a spreadsheet shows as text: a ``'`` before a string that begins like a formula
    (the OWASP rule for CSV injection); anything else unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def read_csv(stream: TextIO) -> Iterator[dict[str, Any]]:
    """Records back from ``write_csv`` output: lists parsed, numbers as int, an empty cell
    None (or '' for the fields that are never null)."""
    # A cell may hold a whole article (up to 8 MB of text): past csv's 128 KB default.
    csv.field_size_limit(max(csv.field_size_limit(), MAX_CELL))
    for row in csv.DictReader(line.lstrip("\ufeff") for line in stream):
        record: dict[str, Any] = {}
        for name, value in row.items():
            if name in JSON_FIELDS:
                record[name] = json.loads(value)
            elif name in INT_FIELDS:
                record[name] = int(value) if value else None
            elif name in FLOAT_FIELDS:
                record[name] = float(value) if value else None
            elif name in BOOL_FIELDS:
                record[name] = value == "True" if value else None
            else:
                record[name] = value if value != "" or name in NOT_NULL else None
        yield record


def load_pyarrow() -> Any:
    try:
        import pyarrow
        import pyarrow.parquet
    except ImportError:
        raise ExportError(
            "Parquet export needs pyarrow: pip install 'scraper[parquet]' (or pip install pyarrow)"
        ) from None
    return pyarrow


def parquet_schema(fields: Iterable[str] | None = None) -> Any:
    """The Parquet schema of an export of ``fields`` (all by default), each date of
    :data:`OFFSET_FIELDS` followed by its offset column."""
    pa = load_pyarrow()
    strings = pa.list_(pa.string())
    instant = pa.timestamp("us", tz="UTC")
    types = {
        "authors": strings,
        "categories": strings,
        "tags": strings,
        "related": pa.list_(pa.struct([("url", pa.string()), ("title", pa.string())])),
        **{name: pa.int64() for name in INT_FIELDS},
        **{name: pa.bool_() for name in BOOL_FIELDS},
        **{name: pa.float64() for name in FLOAT_FIELDS},
        "provenance": pa.struct([(name, pa.string()) for name in PROVENANCE_FIELDS]),
        **{name: instant for name in TIME_FIELDS},
    }
    columns = []
    for name in fields or RECORD_FIELDS:
        columns.append((name, types.get(name, pa.string())))
        if name in OFFSET_FIELDS:
            columns.append((OFFSET_FIELDS[name], pa.string()))
            columns.append((LOCAL_FIELDS[name], pa.string()))
    return pa.schema(columns)


def parquet_row(record: dict[str, Any], names: Iterable[str]) -> dict[str, Any]:
    """A record as a Parquet row: dates as UTC instants, the publication's offset apart."""
    row: dict[str, Any] = {}
    for name in names:
        value = record[name]
        if name in TIME_FIELDS:
            row[name] = _instant(value, local=name in OFFSET_FIELDS)
        else:
            row[name] = value
        if name in OFFSET_FIELDS:
            row[OFFSET_FIELDS[name]] = utc_offset(value)
            row[LOCAL_FIELDS[name]] = wall_clock(value)
    return row


def _instant(value: str | None, *, local: bool = False) -> datetime | None:
    """The instant of an ISO 8601 date; a site's date (``local``) without an offset has
    none (None); our own bookkeeping times are UTC, written so or not."""
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        return None
    if when.tzinfo is None:
        return None if local else when.replace(tzinfo=UTC)
    return when.astimezone(UTC)


def wall_clock(value: str | None) -> str | None:
    """The local time an ISO 8601 date shows, without its offset: '2025-07-09T20:30:00'."""
    if not value:
        return None
    try:
        return datetime.fromisoformat(value).replace(tzinfo=None).isoformat()
    except ValueError:
        return None


def utc_offset(value: str | None) -> str | None:
    """'+01:00' for '2025-11-25T10:15:00+01:00'; None without an offset."""
    if not value:
        return None
    try:
        offset = datetime.fromisoformat(value).utcoffset()
    except ValueError:
        return None
    if offset is None:
        return None
    minutes = int(offset.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def write_parquet(
    records: Iterable[dict[str, Any]], path: Path | IO[bytes], fields: Iterable[str] | None = None
) -> int:
    """Write ``records`` to a Parquet file (a path or a binary stream) in row groups of
    ``BATCH`` records."""
    pa = load_pyarrow()
    names = tuple(fields or RECORD_FIELDS)
    schema = parquet_schema(names)
    count = 0
    batch: list[dict[str, Any]] = []
    target = str(path) if isinstance(path, Path) else path
    with pa.parquet.ParquetWriter(target, schema, compression="zstd") as writer:
        for record in records:
            batch.append(parquet_row(record, names))
            if len(batch) >= BATCH:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                count += len(batch)
                batch = []
        if batch or count == 0:
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))
            count += len(batch)
    return count


def read_parquet(path: Path) -> Iterator[dict[str, Any]]:
    """Records back from a Parquet export, one row group at a time: dates as the ISO 8601
    strings of the record format again (in their offset)."""
    pa = load_pyarrow()
    reader = pa.parquet.ParquetFile(str(path))
    for group in range(reader.num_row_groups):
        for row in reader.read_row_group(group).to_pylist():
            offsets = {name: row.pop(column, None) for name, column in OFFSET_FIELDS.items()}
            walls = {name: row.pop(column, None) for name, column in LOCAL_FIELDS.items()}
            for name in TIME_FIELDS:
                if name in row:
                    row[name] = _iso(row[name], offsets.get(name), local=name in OFFSET_FIELDS)
                    if row[name] is None and walls.get(name):  # no offset: the wall clock
                        row[name] = walls[name]
            yield row


def _iso(value: datetime | None, offset: str | None, *, local: bool) -> str | None:
    if value is None:
        return None
    if local and offset is None:  # the site gave no offset: the naive local time it gave
        return value.replace(tzinfo=None).isoformat()
    if offset is not None:
        zone = datetime.fromisoformat(f"2000-01-01T00:00{offset}").tzinfo
        return value.astimezone(zone).isoformat()
    return value.astimezone(UTC).isoformat()
