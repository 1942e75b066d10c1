"""What a fetch gives back and the values around it: results, exchanges for a recorder,
counters, robots.txt rules, the User-Agent, ``Retry-After``. No network here."""

from __future__ import annotations

import email.utils
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC
from typing import Any

from protego import Protego

from .._config import DEFAULT_USER_AGENT
from ..encoding import decode_html, is_text_content, looks_like_html

ROBOTS_MAX_BYTES = 512 * 1024  # RFC 9309 asks crawlers to read at least 500 KiB
ROBOTS_MAX_REDIRECTS = 5
ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
ACCEPT_ENCODING = "gzip, deflate"  # what httpx decodes without optional packages

RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
SLOWDOWN_STATUSES = frozenset({429, 503})
REFUSAL_STATUSES = frozenset({403, 429, 503})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
ROBOTS_UNAVAILABLE = "robots.txt unavailable"
DISALLOWED = "disallowed by robots.txt"
OUT_OF_SCOPE = "out of the crawl's scope"


def make_user_agent(contact: str | None = None, *, base: str = DEFAULT_USER_AGENT) -> str:
    """The User-Agent string, with an optional contact URL or e-mail address added.

    >>> make_user_agent("ops@example.org")
    'scraper/0.1 (+https://github.com/scraper-archiver/scraper; research archiver; ops@example.org)'
    """
    if not contact:
        return base
    contact = " ".join(contact.split())
    if base.endswith(")"):
        return f"{base[:-1]}; {contact})"
    return f"{base} ({contact})"


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delta-seconds or HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if seconds == seconds else None  # NaN -> None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)


@dataclass(frozen=True)
class FetchResult:
    """What one :meth:`Fetcher.fetch` call got. ``error`` is None on success and on 304.
    ``elapsed``: seconds from the call to its end; ``waited``: the part of it spent waiting
    for a request slot (politeness delay, concurrency), so ``elapsed - waited`` is the time
    the exchanges took (:attr:`fetch_seconds`)."""

    url: str
    final_url: str
    status: int
    headers: dict[str, str]
    content: bytes
    text: str | None
    encoding: str | None
    etag: str | None
    last_modified: str | None
    elapsed: float
    attempts: int
    error: str | None
    waited: float = 0.0

    @property
    def fetch_seconds(self) -> float:
        """The time the request(s) took, without waiting for a slot."""
        return max(0.0, self.elapsed - self.waited)

    @property
    def ok(self) -> bool:
        """A 2xx response whose body was read completely."""
        return self.error is None and 200 <= self.status < 300

    @property
    def not_modified(self) -> bool:
        """The server answered 304 to a conditional GET: the stored copy is current."""
        return self.status == 304 and self.error is None

    @property
    def is_html(self) -> bool:
        return self.ok and looks_like_html(self.headers.get("content-type"), self.content[:1024])

    @property
    def content_type(self) -> str | None:
        return self.headers.get("content-type")

    @property
    def transient(self) -> bool:
        """Failed in a way another try may not meet: no answer, a cut body, a server error,
        a 408/429; not a 4xx the site means."""
        return self.error is not None and (
            self.status == 0 or self.status >= 500 or self.status in (408, 429)
        )

    @property
    def refused_by_policy(self) -> bool:
        """Not fetched because robots.txt disallows it or it is out of the crawl's scope:
        a choice, not a failure."""
        return self.error is not None and self.error.startswith((DISALLOWED, OUT_OF_SCOPE))


@dataclass(frozen=True)
class Exchange:
    """One HTTP request and its response, as a recorder (``Fetcher(recorder=...)``) gets it.

    ``body`` is the body as read: Content-Encoding already undone, empty for redirects, errors
    and retried statuses (their bodies are not read). ``peer`` is the server's IP address when
    the connection tells it; ``started`` the wall-clock time the request was sent."""

    method: str
    url: str
    request_headers: list[tuple[str, str]]
    status: int
    reason: str
    http_version: str
    response_headers: list[tuple[str, str]]
    body: bytes
    peer: str | None
    started: float


Recorder = Callable[[Exchange], None]


@dataclass
class FetchStats:
    """Counters since the fetcher was created."""

    requests: int = 0  # HTTP requests sent (every attempt and redirect hop, robots.txt too)
    retries: int = 0
    bytes: int = 0  # body bytes received, after decompression
    by_status: Counter[int] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)  # failed fetch() calls by reason
    robots_fetched: int = 0
    disallowed: int = 0
    not_modified: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "retries": self.retries,
            "bytes": self.bytes,
            "by_status": dict(sorted(self.by_status.items())),
            "errors": dict(self.errors.most_common()),
            "robots_fetched": self.robots_fetched,
            "disallowed": self.disallowed,
            "not_modified": self.not_modified,
        }


@dataclass(frozen=True)
class RobotsInfo:
    """The robots.txt rules of one origin, as they apply to our user agent."""

    origin: str
    status: int  # HTTP status of robots.txt; 0 when unreachable
    user_agent: str
    parser: Protego | None = None  # None: no usable file
    allow_all: bool = True  # used when parser is None
    note: str | None = None  # why the file was ignored or why everything is disallowed
    unavailable: bool = False  # 5xx, 429 or unreachable: nothing may be fetched (RFC 9309)

    def can_fetch(self, url: str) -> bool:
        if self.unavailable:
            return False
        if self.parser is None:
            return self.allow_all
        return bool(self.parser.can_fetch(url, self.user_agent))

    @property
    def crawl_delay(self) -> float | None:
        """Seconds between requests asked for by ``Crawl-delay`` or ``Request-rate``."""
        if self.parser is None:
            return None
        delays: list[float] = []
        delay = self.parser.crawl_delay(self.user_agent)
        if delay is not None:
            delays.append(float(delay))
        rate = self.parser.request_rate(self.user_agent)
        if rate is not None and rate.requests:
            delays.append(float(rate.seconds) / float(rate.requests))
        return max(delays) if delays else None

    @property
    def sitemaps(self) -> list[str]:
        return list(self.parser.sitemaps) if self.parser is not None else []


def fetch_result(
    url: str,
    final_url: str,
    status: int,
    headers: dict[str, str],
    content: bytes,
    error: str | None,
    *,
    elapsed: float,
    attempts: int,
    waited: float,
    stats: FetchStats,
) -> FetchResult:
    """What one fetch gives its caller: the body decoded when it is text, counted in
    ``stats`` (errors by reason, 304s)."""
    text: str | None = None
    encoding: str | None = None
    content_type = headers.get("content-type")
    if error is None and content and is_text_content(content_type, content[:1024]):
        text, encoding = decode_html(content, content_type)
    if error is not None:
        stats.errors[error.split(" (", 1)[0]] += 1
    elif status == 304:
        stats.not_modified += 1
    return FetchResult(
        url=url,
        final_url=final_url,
        status=status,
        headers=headers,
        content=content if error is None else b"",
        text=text,
        encoding=encoding,
        etag=headers.get("etag"),
        last_modified=headers.get("last-modified"),
        elapsed=elapsed,
        attempts=attempts,
        error=error,
        waited=waited,
    )
