"""Writing WARC/1.1 files with warcio: one gzip member per record, digests, rotation by size.

:class:`WarcWriter` writes records into a folder of files named so that they sort by time
(``scraper-20261204101500123456-00000-host-pid.warc.gz``); a file is written as ``NAME.open``
and renamed when it is closed, and a new one is started once a file reaches ``max_size``
bytes. Each file begins with a ``warcinfo`` record naming the software, its version and the
crawl's robots policy. warcio computes ``WARC-Block-Digest`` and ``WARC-Payload-Digest`` (SHA-1,
base32) and compresses each record on its own, so any record can be read at its offset.

What is recorded of a response: its status line and headers as the server sent them, and its
body as the fetcher read it, that is with Content-Encoding undone (httpx decodes gzip and
deflate while reading). Headers that would no longer be true of the stored body are kept under
``X-Archive-Orig-`` (``Content-Encoding``, ``Transfer-Encoding``, ``Content-Length``) and a
correct ``Content-Length`` is written, as pywb and other replay tools expect.

:class:`WarcRecorder` is what ``scraper crawl --warc DIR`` hands the fetcher: it takes each
:class:`~scraper.fetch.Exchange` on the event loop and writes it from a thread of its own, so the
loop never waits on compression or the disk.
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import socket
import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Self
from urllib.parse import quote, urlsplit

from warcio.recordbuilder import RecordBuilder
from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date
from warcio.warcwriter import WARCWriter

from .._exceptions import UsageError
from ..fetch import Exchange

__all__ = [
    "DEFAULT_MAX_SIZE",
    "WarcRecorder",
    "WarcWriter",
    "recording",
    "software_name",
    "warc_date",
]

log = logging.getLogger(__name__)

DEFAULT_MAX_SIZE = 1_000_000_000  # bytes per file, as Common Crawl and Heritrix do
WARC_VERSION = "WARC/1.1"
CONFORMS_TO = "http://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"
# Headers that describe the bytes on the wire, not the (decoded) body the WARC keeps.
_WIRE_HEADERS = ("content-encoding", "transfer-encoding", "content-length")


def software_name() -> str:
    """``scraper/VERSION (warcio/VERSION)``, for the ``warcinfo`` record."""
    from importlib.metadata import PackageNotFoundError, version

    from .._version import __version__

    try:
        warcio_version = version("warcio")
    except PackageNotFoundError:  # pragma: no cover - warcio is a dependency
        warcio_version = "?"
    return f"scraper/{__version__} (warcio/{warcio_version})"


def warc_date(when: datetime | float | str | None = None) -> str:
    """A WARC/1.1 date (UTC, microseconds) from a datetime, a POSIX time or an ISO string."""
    if when is None:
        moment = datetime.now(UTC)
    elif isinstance(when, int | float):
        moment = datetime.fromtimestamp(when, UTC)
    elif isinstance(when, str):
        moment = datetime.fromisoformat(when.replace("Z", "+00:00"))
    else:
        moment = when
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    moment = moment.astimezone(UTC).replace(tzinfo=None)
    return str(datetime_to_iso_date(moment, use_micros=True))


class WarcWriter:
    """A rotating WARC writer into ``directory`` (created if needed).

    ``info`` fields are added to each file's ``warcinfo`` record (``robots``, ``operator``,
    ``http-header-user-agent``, ``isPartOf``...). ``max_size`` is the size (compressed bytes)
    after which the next record goes into a new file. With ``name``, one file of that name
    (gzip per record if it ends with ``.gz``), never rotated. Not thread-safe: one writer per thread
    (:class:`WarcRecorder` gives a crawl one).
    """

    def __init__(
        self,
        directory: str | Path,
        *,
        prefix: str = "scraper",
        max_size: int = DEFAULT_MAX_SIZE,
        info: Mapping[str, str | None] | None = None,
        gzip: bool = True,
        name: str | None = None,
    ) -> None:
        if max_size <= 0:
            raise UsageError(f"a WARC file size must be positive, not {max_size}")
        self.directory = Path(directory)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UsageError(f"cannot create the WARC folder {directory}: {exc.strerror}") from None
        if not self.directory.is_dir():
            raise UsageError(f"{directory} is not a folder")
        self.prefix = prefix
        self.max_size = max_size
        self.gzip = gzip if name is None else name.endswith(".gz")
        self.name = name  # one file of this name, never rotated (an export)
        self.info = dict(info or {})
        self.files: list[Path] = []  # files finished (renamed), in order
        self.records = 0
        self._builder = RecordBuilder(warc_version=WARC_VERSION)
        self._serial = 0
        self._stream: IO[bytes] | None = None
        self._writer: WARCWriter | None = None
        self._path: Path | None = None
        self._host = socket.gethostname().split(".")[0] or "host"

    # -- lifecycle -------------------------------------------------------------------------
    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Finish the current file (rename ``NAME.open`` to ``NAME``)."""
        if self._stream is None or self._path is None:
            return
        self._stream.close()
        final = self._path.with_name(self._path.name.removesuffix(".open"))
        os.replace(self._path, final)
        self.files.append(final)
        self._stream = self._writer = self._path = None

    def discard(self) -> None:
        """Drop the file being written (``NAME.open``): an export that failed leaves nothing."""
        if self._stream is None or self._path is None:
            return
        with contextlib.suppress(OSError):  # a full disk: what was not flushed goes too
            self._stream.close()
        self._path.unlink(missing_ok=True)
        self._stream = self._writer = self._path = None

    @property
    def current(self) -> Path | None:
        """The file being written (``NAME.open``), if any."""
        return self._path

    def _file(self) -> WARCWriter:
        """The writer of the current file, rotated first when the file is full."""
        if self._stream is not None and self._stream.tell() >= self.max_size and not self.name:
            self.close()
        if self._writer is None:
            stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S%f")
            suffix = ".warc.gz" if self.gzip else ".warc"
            name = f"{self.prefix}-{stamp}-{self._serial:05d}-{self._host}-{os.getpid()}{suffix}"
            name = self.name or name
            self._serial += 1
            self._path = self.directory / (name + ".open")
            self._stream = self._path.open("wb")
            self._writer = WARCWriter(self._stream, gzip=self.gzip, warc_version=WARC_VERSION)
            fields = {
                "software": software_name(),
                "format": "WARC File Format 1.1",
                "conformsTo": CONFORMS_TO,
                "hostname": socket.gethostname(),
                **self.info,
            }
            record = self._writer.create_warcinfo_record(name, fields)
            self._writer.write_record(record)
            self.records += 1
        return self._writer

    # -- records ---------------------------------------------------------------------------
    def write_exchange(self, exchange: Exchange) -> None:
        """A request record and its response record (``WARC-Concurrent-To`` each other)."""
        parts = urlsplit(exchange.url)
        target = parts.path or "/"
        if parts.query:
            target += "?" + parts.query
        date = warc_date(exchange.started)
        request = self.request_record(
            exchange.url,
            method=exchange.method,
            target=target,
            headers=exchange.request_headers,
            date=date,
            http_version=exchange.http_version,
        )
        response = self.response_record(
            exchange.url,
            status=exchange.status,
            reason=exchange.reason,
            headers=exchange.response_headers,
            body=exchange.body,
            date=date,
            ip=exchange.peer,
            http_version=exchange.http_version,
        )
        writer = self._file()
        writer.write_request_response_pair(request, response)
        self.records += 2

    def write(self, record: Any) -> None:
        """Write one warcio record (from :meth:`response_record` and the like)."""
        self._file().write_record(record)
        self.records += 1

    def response_record(
        self,
        url: str,
        *,
        status: int,
        headers: Iterable[tuple[str, str]],
        body: bytes,
        reason: str = "",
        date: str | None = None,
        ip: str | None = None,
        http_version: str = "HTTP/1.1",
        extra: Mapping[str, str] | None = None,
    ) -> Any:
        """A ``response`` record of an HTTP response whose body was read (and decoded)."""
        http = StatusAndHeaders(
            f"{status} {reason or _REASONS.get(status, '')}".strip(),
            _stored_headers(headers, len(body)),
            protocol=http_version,
        )
        warc_headers = {"WARC-Date": date or warc_date(), **(extra or {})}
        if ip:
            warc_headers["WARC-IP-Address"] = ip
        return self._builder.create_warc_record(
            url,
            "response",
            payload=BytesIO(body),
            length=len(body),
            http_headers=http,
            warc_headers_dict=warc_headers,
        )

    def request_record(
        self,
        url: str,
        *,
        method: str = "GET",
        target: str = "/",
        headers: Iterable[tuple[str, str]] = (),
        date: str | None = None,
        http_version: str = "HTTP/1.1",
    ) -> Any:
        """A ``request`` record (no body: the crawler only sends GET)."""
        http = StatusAndHeaders(
            f"{method} {target} {http_version}", list(headers), is_http_request=True
        )
        return self._builder.create_warc_record(
            url,
            "request",
            payload=BytesIO(b""),
            length=0,
            http_headers=http,
            warc_headers_dict={"WARC-Date": date or warc_date()},
        )

    def revisit_record(
        self,
        url: str,
        *,
        payload_digest: str,
        refers_to_url: str,
        refers_to_date: str,
        status: int = 200,
        headers: Iterable[tuple[str, str]] = (),
        date: str | None = None,
    ) -> Any:
        """A ``revisit`` record (identical-payload-digest profile): headers, no body."""
        http = StatusAndHeaders(
            f"{status} {_REASONS.get(status, '')}".strip(), list(headers), protocol="HTTP/1.1"
        )
        return self._builder.create_revisit_record(
            url,
            payload_digest,
            refers_to_url,
            refers_to_date,
            http_headers=http,
            warc_headers_dict={"WARC-Date": date or warc_date()},
        )

    def metadata_record(
        self, url: str, fields: Mapping[str, str], *, date: str | None = None
    ) -> Any:
        """A ``metadata`` record (``application/warc-fields``)."""
        body = "".join(f"{k}: {v}\r\n" for k, v in fields.items()).encode("utf-8")
        return self._builder.create_warc_record(
            url,
            "metadata",
            payload=BytesIO(body),
            length=len(body),
            warc_content_type="application/warc-fields",
            warc_headers_dict={"WARC-Date": date or warc_date()},
        )


_ASCII_SAFE = "".join(chr(c) for c in range(32, 127) if chr(c) != "%")


def _stored_headers(headers: Iterable[tuple[str, str]], size: int) -> list[tuple[str, str]]:
    """The response headers true of the stored body: wire-level ones renamed ``X-Archive-Orig-``
    and a ``Content-Length`` of the stored body."""
    kept: list[tuple[str, str]] = []
    length: str | None = None
    for name, value in headers:
        lower = name.lower()
        if lower == "content-length" and value.strip() == str(size) and length is None:
            length = value.strip()  # still true of the stored body
        elif lower in _WIRE_HEADERS:
            kept.append((f"X-Archive-Orig-{name}", value))
        else:
            kept.append((name, value))
    # warcio percent-encodes a value it cannot write in ASCII, but not every one (a value with
    # ";" and U+FFFD still fails): such values are percent-encoded here, as RFC 8187 would.
    # A line end inside a value would end the header: it becomes a space.
    kept = [(n, " ".join(v.splitlines())) for n, v in kept]
    kept = [(n, v if v.isascii() else quote(v, safe=_ASCII_SAFE)) for n, v in kept]
    encoded = any(n.lower().startswith("x-archive-orig-content-encoding") for n, _ in kept)
    if length is not None and not encoded:
        kept.append(("Content-Length", length))
    else:
        if length is not None:
            kept.append(("X-Archive-Orig-Content-Length", length))
        kept.append(("Content-Length", str(size)))
    return kept


_REASONS = {
    200: "OK",
    206: "Partial Content",
    301: "Moved Permanently",
    302: "Found",
    303: "See Other",
    304: "Not Modified",
    307: "Temporary Redirect",
    308: "Permanent Redirect",
    403: "Forbidden",
    404: "Not Found",
    410: "Gone",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


_STOP = object()


class WarcRecorder:
    """A fetcher's recorder that writes every exchange to WARC files from its own thread.

    Use as a context manager around the crawl; :meth:`close` writes what is queued and
    finishes the last file. A write error stops the recording (logged once) but not the crawl.
    """

    def __init__(self, directory: str | Path, **writer_options: Any) -> None:
        self.writer = WarcWriter(directory, **writer_options)
        self.error: str | None = None
        self._queue: queue.SimpleQueue[object] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="scraper-warc", daemon=True)
        self._thread.start()

    def __call__(self, exchange: Exchange) -> None:
        if self.error is None:
            self._queue.put(exchange)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._thread.is_alive():
            self._queue.put(_STOP)
            self._thread.join()
        self.writer.close()

    @property
    def files(self) -> list[Path]:
        return self.writer.files

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is _STOP:
                return
            if self.error is not None or not isinstance(item, Exchange):
                continue
            try:
                self.writer.write_exchange(item)
            except OSError as exc:
                self.error = f"WARC recording stopped: {exc}"
                log.error("%s", self.error)


@contextmanager
def recording(
    directory: str | Path | None,
    *,
    max_size: int = DEFAULT_MAX_SIZE,
    site: str | None = None,
    user_agent: str | None = None,
    contact: str | None = None,
    obey_robots: bool = True,
) -> Iterator[WarcRecorder | None]:
    """A :class:`WarcRecorder` into ``directory`` for one crawl (None without a directory);
    its ``warcinfo`` names the site, the User-Agent, the contact and the robots policy."""
    if directory is None:
        yield None
        return
    info = {
        "isPartOf": site,
        "http-header-user-agent": user_agent,
        "operator": contact,
        "robots": "obey" if obey_robots else "ignore",
        "description": f"scraper crawl of {site}" if site else None,
    }
    with WarcRecorder(directory, max_size=max_size, info=info) as recorder:
        yield recorder
