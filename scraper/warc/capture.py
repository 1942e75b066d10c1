"""What the WARC reader yields: a :class:`Capture` per record, or a :class:`Problem`; and the
small helpers both of its paths (warcio's and :mod:`.members`) share."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlsplit

from .._config import MAX_BODY_BYTES

__all__ = ["MAX_BODY", "TOO_LARGE", "Capture", "Problem", "date_of", "digest_matches", "one_line"]

MAX_BODY = MAX_BODY_BYTES  # a record's body is read up to this, after decompression
TOO_LARGE = f"body over {MAX_BODY // 2**20} MB after decompression"  # a skip reason


@dataclass(frozen=True, slots=True)
class Capture:
    """One WARC record. ``payload`` is the HTTP body (decoded) of a selected response; else
    empty. ``skip`` is why ``select`` did not want it (None: selected)."""

    file: str
    offset: int
    length: int
    record_type: str
    url: str
    date: datetime | None
    record_id: str | None = None
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)  # HTTP headers, lower-case names
    payload: bytes = b""
    ip: str | None = None
    payload_digest: str | None = None
    refers_to: str | None = None  # revisit: WARC-Refers-To-Target-URI
    refers_to_date: str | None = None
    skip: str | None = None

    @property
    def content_type(self) -> str | None:
        return self.headers.get("content-type")

    @property
    def host(self) -> str:
        return urlsplit(self.url).netloc.lower().removeprefix("www.")


@dataclass(frozen=True, slots=True)
class Problem:
    """A record that could not be used: ``kind`` is truncated, malformed or digest."""

    file: str
    offset: int
    kind: str
    reason: str


def digest_matches(digest: str, data: bytes) -> bool | None:
    """Whether ``data`` has the WARC digest ``digest`` (``sha1:BASE32``; base16 and other
    hashlib algorithms too); None when the algorithm is unknown."""
    algorithm, _, value = digest.partition(":")
    try:
        computed = hashlib.new(algorithm.strip().lower().replace("-", ""), data).digest()
    except ValueError:
        return None
    value = value.strip()
    if len(value) == 2 * len(computed):
        return value.lower() == computed.hex()
    return value.upper().rstrip("=") == base64.b32encode(computed).decode().rstrip("=")


def date_of(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:200]
