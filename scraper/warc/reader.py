"""Reading WARC files: files, folders and globs; captures with their location.

:func:`warc_files` expands what a user names (files, folders searched recursively for
``*.warc`` and ``*.warc.gz``, glob patterns) into a sorted list of files. :func:`read_warc`
iterates the records of one file (or of a byte range of it, see :func:`shards`) and yields a
:class:`Capture` per record with the file, offset and length that find it again
(:func:`read_capture`), or a :class:`Problem` for a record that cannot be used: cut short
(``truncated``), unreadable (``malformed``: the rest of the file is skipped) or whose payload
digest does not match (``digest``: checked for the payloads read). Nothing is raised for a bad
record.

Record types: ``response`` (an HTTP response, ``application/http``), ``revisit`` (a capture
whose payload was identical to an earlier one: headers only), ``request``, ``metadata``,
``resource``, ``warcinfo``, ``conversion``... All are yielded; the payload (the HTTP body, with
chunking and Content-Encoding undone) is read only for responses that ``select`` accepts.

A gzip-per-record file is read by :mod:`.members` (zlib and ``bytes`` methods) for as long as
its records are clean, and by warcio from the first one that is not: the same records either
way, several times faster on the common case.
"""

from __future__ import annotations

import io
import itertools
import os
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeadersParserException

from .._exceptions import UsageError
from .capture import MAX_BODY, TOO_LARGE, Capture, Problem, date_of, digest_matches, one_line
from .members import fast_records

__all__ = [
    "Capture",
    "Problem",
    "RecordSkipped",
    "check_warc",
    "read_capture",
    "read_warc",
    "shards",
    "warc_files",
]

SUFFIXES = (".warc", ".warc.gz")
GZIP_MAGIC = b"\x1f\x8b\x08"
_GLOB_CHARS = frozenset("*?[")


Select = Callable[[Capture], str | None]


class RecordSkipped(UsageError):
    """The record at an offset is there but its body is not read (over :data:`MAX_BODY`)."""


def warc_files(paths: Iterable[str | Path]) -> list[Path]:
    """The WARC files that ``paths`` name: files as given, folders searched recursively,
    glob patterns expanded (``**`` included); sorted within a folder or pattern, duplicates
    dropped. :class:`UsageError` for a path that names nothing."""
    found: dict[Path, None] = {}
    for raw in paths:
        text = str(raw)
        if any(c in text for c in _GLOB_CHARS) and not Path(text).exists():
            matches = _glob(text)
            files = [Path(m) for m in matches if Path(m).is_file() and _is_warc(Path(m))]
            if not files:
                raise UsageError(f"no WARC file matches {text}")
        else:
            path = Path(text)
            if path.is_dir():
                files = sorted(p for p in path.rglob("*") if p.is_file() and _is_warc(p))
                if not files:
                    raise UsageError(f"no .warc or .warc.gz file in {text}")
            elif path.is_file():
                files = [path]
            else:
                raise UsageError(f"no such file or folder: {text}")
        for file in files:
            found.setdefault(file.resolve(), None)
    return list(found)


def check_warc(path: str | Path) -> None:
    """:class:`UsageError` ("not a WARC file") unless ``path`` begins with a WARC record,
    plain or in a gzip member: a text file named ``.warc.gz`` is refused in one line."""
    try:
        with open(path, "rb") as stream:
            head = stream.read(4096)
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    if head.startswith(GZIP_MAGIC):
        try:
            head = zlib.decompressobj(31).decompress(head, 16)
        except zlib.error:
            head = b""
    if not head.lstrip(b"\r\n").startswith(b"WARC/"):
        raise UsageError(f"{path} is not a WARC file (it does not begin with a WARC record)")


def _glob(pattern: str) -> list[str]:
    """The paths ``pattern`` matches, sorted; ``**`` never enters a symbolic link to a folder
    (a link back to a parent would loop for ever): pathlib's glob from the pattern's fixed
    leading folders, where :func:`glob.glob` would follow links."""
    parts = Path(pattern).parts
    fixed = next(i for i, part in enumerate(parts) if any(c in part for c in _GLOB_CHARS))
    base = Path(*parts[:fixed]) if fixed else Path()
    rest = "/".join(parts[fixed:])
    try:
        return sorted(str(p) for p in base.glob(rest))
    except (OSError, ValueError):  # an unreadable folder, a pattern pathlib refuses
        return []


def _is_warc(path: Path) -> bool:
    return path.name.lower().endswith(SUFFIXES)


def shards(path: str | Path, size: int, start: int = 0) -> list[tuple[int, int]]:
    """Byte ranges ``[begin, end)`` of about ``size`` bytes covering ``path`` from ``start``.

    A range holds the records that *begin* in it; :func:`read_warc` finds the first record of
    a range itself (in a gzip-per-record file, the next gzip member that holds a WARC header),
    so ranges can be cut anywhere. An uncompressed file is one range: its record starts cannot
    be told from a payload that quotes a WARC header."""
    total = os.path.getsize(path)
    if start >= total:
        return []
    if not str(path).lower().endswith(".gz") or size <= 0:
        return [(start, total)]
    cuts = [*range(start, total, size), total]
    return list(itertools.pairwise(cuts))


def _sync(stream: Any, position: int) -> int:
    """The offset of the first gzip member at or after ``position`` that begins a WARC record
    (the file size if none)."""
    chunk = 1 << 16
    while True:
        stream.seek(position)
        data = stream.read(chunk + 64)
        if not data:
            return position
        at = data.find(GZIP_MAGIC)
        while 0 <= at < chunk:
            try:
                head = zlib.decompressobj(31).decompress(data[at : at + 4096], 16)
            except zlib.error:
                head = b""
            if head.startswith(b"WARC/"):
                return position + at
            at = data.find(GZIP_MAGIC, at + 1)
        if len(data) <= chunk:
            return position + len(data)
        position += chunk


def read_warc(
    path: str | Path,
    *,
    start: int = 0,
    end: int | None = None,
    select: Select | None = None,
    check_digests: bool = True,
) -> Iterator[Capture | Problem]:
    """The records of ``path`` that begin in ``[start, end)``, in order (see the module doc).

    ``select(capture)`` sees each response (no payload yet) and returns None to have its payload
    read, or the reason it is not wanted (set as ``skip``)."""
    name = str(path)
    with open(path, "rb") as stream:
        if start > 0 and name.lower().endswith(".gz"):
            start = _sync(stream, start)
        if end is not None and start >= end:
            return
        known = None
        if name.lower().endswith(".gz"):  # clean gzip members fast; the rest with warcio
            resume = yield from fast_records(stream, name, start, end, select, check_digests)
            if resume is None:
                return
            known = "warc" if resume > start else None  # as warcio would know by now
            start = resume
        stream.seek(start)
        # Digests are checked here for the payloads read (see _payload), not by warcio for
        # every record: a backfill skips most records unread (requests, images, errors).
        # HTTP headers are parsed here for responses and revisits only (see _capture).
        records = ArchiveIterator(stream, no_record_parse=True)
        records.known_format = known
        offset = start
        while True:
            try:
                record = next(records, None)
            except (ArchiveLoadFailed, zlib.error, ValueError, EOFError) as exc:
                yield Problem(name, records.offset, "malformed", one_line(exc))
                return
            if record is None:
                return
            offset = records.offset
            if end is not None and offset >= end:
                return
            try:
                if record.rec_type in ("response", "revisit") and record.length:
                    uri = record.rec_headers.get_header("WARC-Target-URI") or ""
                    try:
                        record.http_headers = records.loader.load_http_headers(
                            record.rec_type, uri, record.raw_stream, record.length
                        )
                    except EOFError:  # a revisit with no HTTP headers, or a cut record
                        record.http_headers = None
                    except StatusAndHeadersParserException as exc:
                        bad: Capture | Problem = Problem(
                            name, offset, "malformed", f"bad HTTP headers: {one_line(exc)}"
                        )
                        records.read_to_end()
                        yield bad
                        continue
                item = _capture(name, offset, record, select, check_digests)
                records.read_to_end()
                length = records.get_record_length()
            except (ArchiveLoadFailed, zlib.error, ValueError, EOFError) as exc:
                yield Problem(name, offset, "malformed", one_line(exc))
                return
            if isinstance(item, Problem):
                yield item
                continue
            left = getattr(record.raw_stream, "limit", 0) or 0
            if left > 0 or not item.record_type:
                declared = record.length or 0
                reason = f"record cut short: {declared - left} of {declared} bytes"
                yield Problem(name, offset, "truncated", reason)
                continue
            yield replace(item, length=length)


def _capture(
    name: str, offset: int, record: Any, select: Select | None, check_digests: bool = True
) -> Capture | Problem:
    """A :class:`Capture` of ``record``, its payload read when it is a selected response."""
    warc = record.rec_headers
    kind = record.rec_type or ""
    http = record.http_headers
    status: int | None = None
    headers: dict[str, str] = {}
    if http is not None and kind in ("response", "revisit"):
        try:
            status = int(http.get_statuscode() or 0) or None
        except (TypeError, ValueError):
            status = None
        headers = {k.lower(): v for k, v in http.headers}
    item = Capture(
        file=name,
        offset=offset,
        length=0,
        record_type=kind,
        url=(warc.get_header("WARC-Target-URI") or "").strip("<>") if warc else "",
        date=date_of(warc.get_header("WARC-Date")) if warc else None,
        record_id=warc.get_header("WARC-Record-ID") if warc else None,
        status=status,
        headers=headers,
        ip=warc.get_header("WARC-IP-Address") if warc else None,
        payload_digest=warc.get_header("WARC-Payload-Digest") if warc else None,
        refers_to=warc.get_header("WARC-Refers-To-Target-URI") if warc else None,
        refers_to_date=warc.get_header("WARC-Refers-To-Date") if warc else None,
    )
    if kind != "response":
        return item
    skip = select(item) if select is not None else None
    if skip is not None:
        return replace(item, skip=skip)
    try:
        raw = record.raw_stream.read(MAX_BODY + 1)  # a bomb inflates no further than this
        if len(raw) > MAX_BODY:
            return replace(item, skip=TOO_LARGE)
        left = getattr(record.raw_stream, "limit", 0) or 0
        if left > 0:
            declared = record.length or 0
            reason = f"record cut short: {declared - left} of {declared} bytes"
            return Problem(name, offset, "truncated", reason)
        if check_digests and item.payload_digest and not digest_matches(item.payload_digest, raw):
            return Problem(name, offset, "digest", f"payload digest failed: {item.payload_digest}")
        record.raw_stream = io.BytesIO(raw)  # undo chunking and Content-Encoding, as warcio does
        payload = record.content_stream().read(MAX_BODY + 1)
    except (zlib.error, OSError, ValueError) as exc:
        return Problem(name, offset, "malformed", f"unreadable body: {one_line(exc)}")
    if len(payload) > MAX_BODY:
        return replace(item, skip=TOO_LARGE)
    return replace(item, payload=payload)


def read_capture(file: str | Path, offset: int, length: int | None = None) -> Capture:
    """The record at ``offset`` of ``file`` (with its payload). :class:`UsageError` if there is
    no readable response record there."""
    try:
        for item in read_warc(file, start=offset):
            if isinstance(item, Problem):
                raise UsageError(f"{file} at {offset}: {item.reason}")
            if item.offset != offset:
                break
            if item.skip is not None:
                raise RecordSkipped(f"{file} at {offset}: {item.skip}")
            return item
    except OSError as exc:
        raise UsageError(f"cannot read {file}: {exc.strerror or exc}") from None
    raise UsageError(f"no WARC record at offset {offset} of {file}")
