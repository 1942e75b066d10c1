"""``scraper export --format warc``: the archived raw pages as WARC ``response`` records.

One record per archived article page (its copy in the archive, or the record it came from when
the page is kept in a WARC file), at the URL it was fetched from, dated when it was fetched.
The archive keeps the body, status, Content-Type, ETag and Last-Modified of a page, not every
header: the HTTP headers of the records are rebuilt from those (the ``warcinfo`` says so).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .._exceptions import DiskFull, ExportError, UsageError
from ..store import Store, is_disk_full
from ..warc.reader import read_capture
from ..warc.writer import WarcWriter, warc_date

__all__ = ["export_warc"]


def export_warc(store: Store, records: Iterable[dict[str, Any]], path: Path) -> int:
    """Write the page of each record to the WARC file ``path``; returns the records written.
    Pages whose WARC file is gone are left out."""
    info = {
        "description": "raw pages exported from a scraper archive; HTTP headers rebuilt from"
        " the status, Content-Type, ETag and Last-Modified the archive kept",
        "robots": "obey",
    }
    if path.exists() and not path.is_file():  # written beside, then renamed over it
        raise ExportError(f"cannot write {path}: a WARC export is written to a regular file")
    try:
        writer = WarcWriter(path.parent, name=path.name, info=info)
    except UsageError as exc:
        raise ExportError(str(exc)) from None
    try:
        count = _write_pages(store, records, writer)
        writer.close()  # NAME.open renamed to NAME: only a complete file gets its name
    except BaseException as exc:
        writer.discard()
        if isinstance(exc, OSError) and is_disk_full(exc):
            raise DiskFull(f"the WARC export to {path}", exc) from None
        if isinstance(exc, OSError):
            raise ExportError(f"cannot write {path}: {exc.strerror or exc}") from None
        raise
    return count


def _write_pages(store: Store, records: Iterable[dict[str, Any]], writer: WarcWriter) -> int:
    count = 0
    for record in records:
        page = store.page_row(record["url"])
        if page is None:
            continue
        body: bytes = page["content"]
        headers = [("Content-Type", page["content_type"] or "text/html")]
        if page["warc_file"] and not body:
            try:
                capture = read_capture(page["warc_file"], page["warc_offset"])
            except UsageError:
                continue
            body = capture.payload
            headers = [(k.title(), v) for k, v in capture.headers.items()]
            headers = [h for h in headers if h[0].lower() != "content-length"]
        else:
            for name, key in (("ETag", "etag"), ("Last-Modified", "last_modified")):
                if page[key]:
                    headers.append((name, page[key]))
        url = page["final_url"] or page["url"]
        writer.write(
            writer.response_record(
                url,
                status=int(page["status"] or 200),
                headers=headers,
                body=body,
                date=warc_date(page["fetched_at"]),
            )
        )
        count += 1
    return count
