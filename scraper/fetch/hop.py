"""One hop of a fetch, in parts: per-host politeness state, one hop's outcome, the exceptions
that drive retries, URL helpers and the record of an exchange."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import ssl
import urllib.request
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

import httpx

from .results import Exchange


@functools.cache
def ssl_context() -> ssl.SSLContext:
    """One verifying TLS context for all fetchers (loading the CA bundle takes ~50 ms)."""
    return httpx.create_ssl_context()


@dataclass
class HostState:
    """Politeness state of one host (name plus non-default port)."""

    name: str
    semaphore: asyncio.Semaphore
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    next_start: float = 0.0  # event-loop time before which no request may start
    last_start: float = 0.0  # event-loop time the latest request started
    base_delay: float = 0.0  # max(configured delay, robots Crawl-delay)
    refusals: int = 0  # recent 429/503 answers: +1 each, halved by each success
    pace: float = 0.0  # the delay last logged, so a change of pace is logged once
    answered: int = 0  # answers that were not a refusal
    refused: int = 0  # 403/429/503 answers
    streak: int = 0  # consecutive 403/429/503 answers
    streak_statuses: Counter[int] = field(default_factory=Counter)
    blocked: str | None = None

    def pace_now(self, backoff_base: float, backoff_max: float) -> float:
        """Seconds between request starts on this host now: the configured delay (or
        robots Crawl-delay), doubled for each recent refusal (429/503) up to
        ``backoff_max``. A success halves the refusal count, so a host is back at its pace
        after a few."""
        if self.refusals == 0:
            return self.base_delay
        first = max(self.base_delay, backoff_base)  # a host without delay slows down too
        return max(self.base_delay, min(first * 2**self.refusals, backoff_max))


@dataclass
class HopResponse:
    """The outcome of one hop (after its retries)."""

    url: str
    status: int
    headers: dict[str, str]
    content: bytes
    error: str | None


class Retryable(Exception):
    """An attempt failed in a way worth retrying."""

    def __init__(
        self,
        reason: str,
        *,
        status: int = 0,
        headers: dict[str, str] | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.headers = headers or {}
        self.retry_after = retry_after


class BadURL(Exception):
    """A URL we cannot or will not fetch; the message says why."""


class TooLarge(Exception):
    def __init__(self, status: int, headers: dict[str, str]) -> None:
        super().__init__(status)
        self.status = status
        self.headers = headers


def failure_reason(exc: BaseException) -> str:
    """An exception's message, or its kind when it has none (a reset says nothing)."""
    text = str(exc) or str(exc.__cause__ or exc.__context__ or "")
    return text or ("connection reset" if "Read" in type(exc).__name__ else type(exc).__name__)


def host_key(url: httpx.URL) -> str:
    default = {"http": 80, "https": 443}.get(url.scheme)
    port = url.port
    name = url.host.lower()
    return name if port in (None, default) else f"{name}:{port}"


def origin_of(url: httpx.URL) -> str:
    port = url.port
    default = {"http": 80, "https": 443}.get(url.scheme)
    netloc = url.host if port in (None, default) else f"{url.host}:{port}"
    if ":" in url.host:  # IPv6 literal
        netloc = f"[{url.host}]" if port in (None, default) else f"[{url.host}]:{port}"
    return f"{url.scheme}://{netloc}"


def parse_url(url: str) -> httpx.URL:
    """``url`` parsed once for the whole hop; :class:`BadURL` if it cannot be fetched."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise BadURL(f"invalid URL: {exc}") from None
    if parsed.scheme not in ("http", "https"):
        raise BadURL(f"unsupported URL scheme: {parsed.scheme or '(none)'}")
    if not parsed.host:
        raise BadURL("invalid URL: no host")
    return parsed


def environment_proxies() -> dict[str, str]:
    """Proxy URLs by scheme ("http", "https", "all") from the environment, as curl reads them."""
    found = urllib.request.getproxies_environment()
    return {scheme: found[scheme] for scheme in ("http", "https", "all") if found.get(scheme)}


def without_fragment(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, ""))


def lower_headers(headers: httpx.Headers) -> dict[str, str]:
    return {key.lower(): value for key, value in headers.items()}


def make_exchange(
    request: httpx.Request, response: httpx.Response, body: bytes, sent: float
) -> Exchange:
    """What a recorder gets of one request and its response."""
    peer: str | None = None
    stream = response.extensions.get("network_stream")
    with contextlib.suppress(Exception):  # not every transport tells the address
        address = stream.get_extra_info("server_addr") if stream is not None else None
        peer = str(address[0]) if address else None
    version = response.extensions.get("http_version", b"HTTP/1.1")
    reason = response.extensions.get("reason_phrase", b"")
    return Exchange(
        method=request.method,
        url=str(request.url),
        request_headers=[
            (k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw
        ],
        status=response.status_code,
        reason=reason.decode("latin-1") if isinstance(reason, bytes) else str(reason),
        http_version=version.decode("ascii") if isinstance(version, bytes) else str(version),
        response_headers=[
            (k.decode("latin-1"), v.decode("latin-1")) for k, v in response.headers.raw
        ],
        body=body,
        peer=peer,
        started=sent,
    )


def refusing(hosts: Iterable[HostState]) -> dict[str, str]:
    """Of ``hosts``, those that refused every request they answered (403/429/503), with a
    one-line reason."""
    out: dict[str, str] = {}
    for host in hosts:
        if host.refused and not host.answered:
            counts = ", ".join(
                f"{count}x HTTP {code}" for code, count in sorted(host.streak_statuses.items())
            )
            out[host.name] = f"every answer was a refusal ({counts})"
    return out
