"""The fast path of :func:`scraper.warc.reader.read_warc`: a gzip-per-record WARC file read
member by member with zlib, in the common, clean case only.

warcio parses every header line through layers of buffered Python readers, which costs more
than the decompression itself. Here a gzip member is inflated in one go and taken apart with
``bytes`` methods, when it is exactly one record: ``WARC/1.0`` or ``WARC/1.1``, plain
``Name: value`` header lines, the block of ``Content-Length`` bytes and the closing CRLF CRLF;
and, for a response or revisit, plain HTTP/1.x headers. The result is what warcio gives for
such a record (same header decoding and stripping, first value of a repeated WARC header,
Content-Encoding and chunking undone by warcio's own readers).

Anything else (a member cut short or unreadable, several records in one member, folded or
odd header lines, a Target-URI warcio rewrites, an uncompressed file) is left to warcio:
:func:`fast_records` stops before that record and returns its offset, and ``read_warc`` reads
on from there with warcio. So a record gives the very same Capture or Problem either way.
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Callable, Generator
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO

from warcio.bufferedreaders import BufferedReader, ChunkedDataReader

from .capture import MAX_BODY, TOO_LARGE, Capture, Problem, date_of, digest_matches, one_line

__all__ = ["fast_records"]

CHUNK = 1 << 20  # bytes read from the file at a time
FIRST_PIECE = 4096  # compressed bytes fed to zlib first: most records fit
PIECE = 1 << 16
MAX_MEMBER = 1 << 26  # bytes a member may inflate to here; warcio streams bigger ones
_WARC_LINES = (b"WARC/1.0", b"WARC/1.1")
_HTTP_TYPES = ("HTTP/1.0", "HTTP/1.1")
_HTTP_SCHEMES = ("http:", "https:")
_HTTP_RECORDS = ("response", "revisit")
_END = b"\r\n\r\n"

Select = Callable[[Capture], str | None]
Records = Generator[Capture | Problem, None, int | None]


class _Ahead:
    """The bytes of a file from offset ``base`` on, read ahead in large chunks."""

    def __init__(self, stream: BinaryIO, position: int) -> None:
        stream.seek(position)
        self.stream = stream
        self.base = position
        self.data = b""
        self.eof = False

    def view(self, position: int, size: int) -> memoryview:
        """Up to ``size`` bytes at ``position`` (fewer at the end of the file)."""
        at = position - self.base
        if at + size > len(self.data) and not self.eof:
            more = self.stream.read(max(CHUNK, size))
            self.eof = not more
            self.data = self.data[at:] + more
            self.base, at = position, 0
        return memoryview(self.data)[at : at + size]


def _inflate(ahead: _Ahead, position: int) -> tuple[bytes, int] | None:
    """The content of the gzip member at ``position`` and its compressed size; None when the
    member is cut short or inflates past ``MAX_MEMBER`` (a whole file in one gzip stream).
    :class:`zlib.error` when it is not gzip."""
    inflater = zlib.decompressobj(31)
    parts: list[bytes] = []
    at, size, room = position, FIRST_PIECE, MAX_MEMBER
    while not inflater.eof:
        piece = ahead.view(at, size)
        if not piece or room <= 0:
            return None
        part = inflater.decompress(piece, room)
        if inflater.unconsumed_tail:
            return None
        parts.append(part)
        room -= len(part)
        at += len(piece)
        size = PIECE
    return b"".join(parts), at - position - len(inflater.unused_data)


def fast_records(
    stream: BinaryIO,
    name: str,
    start: int,
    end: int | None,
    select: Select | None,
    check_digests: bool,
) -> Records:
    """The records of a gzip-per-record file from ``start`` (a member boundary) while they
    are clean; returns None at the end of the file or of ``[start, end)``, else the offset of
    the first record left to warcio."""
    ahead = _Ahead(stream, start)
    position = start
    while ahead.view(position, 1):
        try:
            member = _inflate(ahead, position)
        except zlib.error:
            return position
        if member is None:
            return position
        content, length = member
        # The first record past the range is read too: warcio reports it when it is
        # unreadable (here: it is left to warcio, which does).
        past = end is not None and position >= end
        item = _record(content, name, position, length, _past if past else select, check_digests)
        if item is None:
            return position
        if past:
            return None
        yield item
        position += length
    return None


def _past(capture: Capture) -> str:
    return "past the end of the range"


def _fields(block: bytes) -> list[tuple[str, str]] | None:
    """Header lines (CRLF-separated) as warcio reads them; None when one is not a plain UTF-8
    ``Name: value`` line (warcio reads those)."""
    try:
        text = block.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if text.count("\n") != text.count("\r\n"):
        return None
    found: list[tuple[str, str]] = []
    for line in text.split("\r\n"):
        key, colon, value = line.rstrip().partition(":")
        if not colon or line[0] in " \t":
            return None
        found.append((key.rstrip(" \t"), value.lstrip()))
    return found


def _first(fields: list[tuple[str, str]]) -> dict[str, str]:
    """Lower-case name -> first value (warcio's ``get_header``)."""
    return {key.lower(): value for key, value in reversed(fields)}


def _http(block: bytes) -> tuple[int | None, list[tuple[str, str]], int] | None:
    """(status, headers, where the payload begins) of a block with plain HTTP/1.x headers."""
    end = block.find(_END)
    if end < 0:
        return None
    status_line, _, lines = block[:end].partition(b"\r\n")
    if b"\n" in status_line:
        return None
    try:
        line = status_line.decode("utf-8")
    except UnicodeDecodeError:
        line = status_line.decode("iso-8859-1")
    line = line.rstrip()
    if not line or not line.upper().startswith(_HTTP_TYPES):
        return None
    headers = _fields(lines) if lines else []
    if headers is None:
        return None
    code = line[8:].strip().split(" ", 1)[0]
    try:
        status = int(code or 0) or None
    except ValueError:
        status = None
    return status, headers, end + 4


def _record(
    content: bytes,
    name: str,
    offset: int,
    length: int,
    select: Select | None,
    check_digests: bool,
) -> Capture | Problem | None:
    """The record of one member, or None when warcio should read it."""
    parts = _parts(content)
    if parts is None:
        return None
    warc, block = parts
    kind, uri = warc["warc-type"], warc.get("warc-target-uri")
    status: int | None = None
    http: list[tuple[str, str]] = []
    body = 0
    if kind in _HTTP_RECORDS and block and (uri or "").startswith(_HTTP_SCHEMES):
        parsed = _http(block)
        if parsed is None:
            return None
        status, http, body = parsed
    headers = {k.lower(): v for k, v in http}
    url, date = (uri or "").strip("<>"), date_of(warc.get("warc-date"))
    made = _Made(name, offset, length, warc, url, date, status, headers)
    if kind != "response":
        return made.capture()
    skip = select(made.capture(0)) if select is not None else None
    if skip is not None:
        return made.capture(skip=skip)
    return _response(made, block[body:], _first(http) if http else None, check_digests)


def _parts(content: bytes) -> tuple[dict[str, str], bytes] | None:
    """The WARC header fields and the block of a clean member, or None for warcio."""
    head = content.find(_END)
    if head < 0:
        return None
    first_line, _, lines = content[:head].partition(b"\r\n")
    if first_line not in _WARC_LINES or not lines:
        return None
    fields = _fields(lines)
    if fields is None:
        return None
    warc = _first(fields)
    size, uri = warc.get("content-length"), warc.get("warc-target-uri")
    if not warc.get("warc-type") or size is None or not (size.isascii() and size.isdigit()):
        return None
    if uri is not None and (" " in uri or (uri.startswith("<") and uri.endswith(">"))):
        return None
    begin, stop = head + 4, head + 4 + int(size)
    if content[stop:] != _END:
        return None
    return warc, content[begin:stop]


@dataclass(frozen=True, slots=True)
class _Made:
    """What a member's :class:`Capture` is made of, before its payload is read."""

    name: str
    offset: int
    length: int
    warc: dict[str, str]
    url: str
    date: datetime | None
    status: int | None
    headers: dict[str, str]

    def capture(
        self, length: int | None = None, skip: str | None = None, payload: bytes = b""
    ) -> Capture:
        warc = self.warc
        return Capture(
            file=self.name,
            offset=self.offset,
            length=self.length if length is None else length,
            record_type=warc["warc-type"],
            url=self.url,
            date=self.date,
            record_id=warc.get("warc-record-id"),
            status=self.status,
            headers=self.headers,
            payload=payload,
            ip=warc.get("warc-ip-address"),
            payload_digest=warc.get("warc-payload-digest"),
            refers_to=warc.get("warc-refers-to-target-uri"),
            refers_to_date=warc.get("warc-refers-to-date"),
            skip=skip,
        )


def _response(
    made: _Made, raw: bytes, http: dict[str, str] | None, check_digests: bool
) -> Capture | Problem:
    """A response's capture with its payload decoded (capped at ``MAX_BODY``), or the problem."""
    if len(raw) > MAX_BODY:
        return made.capture(skip=TOO_LARGE)
    digest = made.warc.get("warc-payload-digest")
    if check_digests and digest and not digest_matches(digest, raw):
        return Problem(made.name, made.offset, "digest", f"payload digest failed: {digest}")
    try:
        payload = _decoded(raw, http) if http is not None else raw
    except (zlib.error, OSError, ValueError) as exc:
        return Problem(made.name, made.offset, "malformed", f"unreadable body: {one_line(exc)}")
    if len(payload) > MAX_BODY:
        return made.capture(skip=TOO_LARGE)
    return made.capture(payload=payload)


def _decoded(raw: bytes, headers: dict[str, str]) -> bytes:
    """The payload with chunking and Content-Encoding undone, as warcio's ``content_stream``;
    no more than ``MAX_BODY + 1`` bytes of it (a gzip bomb stops there)."""
    encoding = headers.get("content-encoding")
    if encoding:
        encoding = encoding.lower()
        if encoding not in BufferedReader.get_supported_decompressors():
            encoding = None
    if headers.get("transfer-encoding") == "chunked":
        return bytes(ChunkedDataReader(io.BytesIO(raw), decomp_type=encoding).read(MAX_BODY + 1))
    if encoding:
        return bytes(BufferedReader(io.BytesIO(raw), decomp_type=encoding).read(MAX_BODY + 1))
    return raw
