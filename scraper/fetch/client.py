"""The :class:`Fetcher`: polite, retrying, capped HTTP fetching (see the package doc)."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import random
import time
import urllib.request
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from types import TracebackType
from typing import Any, Self
from urllib.parse import urljoin

import httpx
from protego import Protego
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    stop_after_attempt,
)

from .._config import Settings
from .._exceptions import HostBlocked
from . import backlog
from .backlog import Backlog, Ticket
from .hop import (
    BadURL,
    HopResponse,
    HostState,
    Retryable,
    TooLarge,
    environment_proxies,
    failure_reason,
    host_key,
    lower_headers,
    make_exchange,
    origin_of,
    parse_url,
    refusing,
    ssl_context,
    without_fragment,
)
from .results import (
    ACCEPT,
    ACCEPT_ENCODING,
    DISALLOWED,
    OUT_OF_SCOPE,
    REDIRECT_STATUSES,
    REFUSAL_STATUSES,
    RETRY_STATUSES,
    ROBOTS_MAX_BYTES,
    ROBOTS_MAX_REDIRECTS,
    ROBOTS_UNAVAILABLE,
    SLOWDOWN_STATUSES,
    FetchResult,
    FetchStats,
    Recorder,
    RobotsInfo,
    fetch_result,
    make_user_agent,
    parse_retry_after,
)

log = logging.getLogger("scraper.fetch")


#: Seconds the current fetch waited for request slots (one cell per fetch's task).
_WAITED: contextvars.ContextVar[list[float]] = contextvars.ContextVar("scraper_fetch_waited")


class Fetcher:
    """Polite, retrying, capped HTTP fetching for a crawl. Use as ``async with Fetcher() as f``.

    ``delay`` is the minimum time between two request starts to one host; robots.txt
    ``Crawl-delay`` (or ``Request-rate``) raises it. ``timeout`` bounds one attempt from
    connect to last body byte. ``retries`` is the number of retries after the first attempt.
    ``block_after`` consecutive 403/429/503 answers from one host raise :class:`HostBlocked`
    (then and on every later fetch of that host). ``recorder``, if given, is called on the
    event loop with every :class:`Exchange` whose response arrived (robots.txt, redirects and
    retries included): it must return quickly (``scraper.warc.WarcRecorder`` queues them).
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        recorder: Recorder | None = None,
        **overrides: Any,
    ) -> None:
        settings = (settings or Settings()).replace(**overrides) if overrides else settings
        self.settings = settings = settings or Settings()
        self.user_agent = make_user_agent(settings.contact, base=settings.user_agent)
        self.per_host_concurrency = settings.concurrency
        self.global_concurrency = settings.global_concurrency
        self.delay = settings.delay
        self.timeout = settings.timeout
        self.max_bytes = settings.max_bytes
        self.max_redirects = settings.max_redirects
        self.retries = settings.retries
        self.backoff_base = settings.backoff_base
        self.backoff_max = settings.backoff_max
        self.obey_robots = settings.obey_robots
        self.block_after = settings.block_after
        self.recorder = recorder
        self.stats = FetchStats()
        self._global = asyncio.Semaphore(settings.global_concurrency)
        self.backlog = Backlog(settings.backlog)  # pages fetched, not yet handled
        self._hosts: dict[str, HostState] = {}
        self._delays: dict[str, float] = {}  # host -> its own delay (a collection's site)
        self._robots: dict[str, RobotsInfo] = {}
        self._robots_locks: dict[str, asyncio.Lock] = {}
        self._headers = {
            "User-Agent": self.user_agent,
            "Accept": ACCEPT,
            "Accept-Encoding": ACCEPT_ENCODING,
        }
        self._timeouts = httpx.Timeout(settings.timeout).as_dict()
        self._limits = httpx.Limits(  # per host: its slots are the only users
            max_connections=settings.concurrency, max_keepalive_connections=settings.concurrency
        )
        self._proxies = environment_proxies()
        self._transports: dict[tuple[str, str | None], httpx.AsyncHTTPTransport] = {}

    # -- lifecycle -------------------------------------------------------------------------

    async def aclose(self) -> None:
        transports, self._transports = list(self._transports.values()), {}
        for transport in transports:
            await transport.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    # -- public API ------------------------------------------------------------------------

    async def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        scope: Callable[[str], bool] | None = None,
        ticket: Ticket | None = None,
    ) -> FetchResult:
        """GET ``url`` politely; never raises for a per-URL problem (see the module doc).

        ``scope`` is asked about every address before it is requested (the URL itself and
        each redirect hop): an address it refuses is never requested, and the result's
        error starts with :data:`OUT_OF_SCOPE`. ``ticket`` (from :attr:`backlog`) is taken
        after the host's politeness wait, before the first request; the caller gives it
        back once the page is handled (see :mod:`scraper.fetch.backlog`)."""
        page = backlog.CURRENT.set(ticket)  # for this fetch only, in whatever task runs it
        try:
            return await self._fetch(url, etag, last_modified, scope, ticket)
        finally:
            backlog.CURRENT.reset(page)

    async def _fetch(
        self,
        url: str,
        etag: str | None,
        last_modified: str | None,
        scope: Callable[[str], bool] | None,
        ticket: Ticket | None,
    ) -> FetchResult:
        started = time.monotonic()
        _WAITED.set([0.0])  # this fetch's slot waits (a fetch runs in one task at a time)
        attempts = 0
        headers: dict[str, str] = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified

        def done(
            final_url: str,
            status: int = 0,
            error: str | None = None,
            response_headers: dict[str, str] | None = None,
            content: bytes = b"",
        ) -> FetchResult:
            return fetch_result(
                url,
                final_url,
                status,
                response_headers or {},
                content,
                error,
                elapsed=time.monotonic() - started,
                attempts=attempts,
                waited=(_WAITED.get(None) or [0.0])[0],
                stats=self.stats,
            )

        current = url
        visited: set[str] = set()
        for hop in range(self.max_redirects + 1):
            try:
                target = parse_url(current)
            except BadURL as exc:
                return done(current, error=str(exc))
            visited.add(without_fragment(current))
            if scope is not None and not scope(current):
                where = "redirect" if hop else "address"
                return done(current, error=f"{OUT_OF_SCOPE}: {where} {current}")
            if self.obey_robots:
                info = await self._robots_for(target)
                if not info.can_fetch(current):
                    self.stats.disallowed += 1
                    return done(current, error=DISALLOWED)
            response, used = await self._get(target, headers, self.max_bytes)
            attempts += used
            if response.status not in REDIRECT_STATUSES or response.error:
                return done(
                    current, response.status, response.error, response.headers, response.content
                )
            if ticket is not None:  # a redirect holds no page: the next hop takes it again
                ticket.release()
            location = response.headers.get("location", "").strip()
            if not location:
                return done(
                    current,
                    response.status,
                    f"HTTP {response.status} without Location",
                    response.headers,
                )
            try:
                following = without_fragment(urljoin(current, location))
            except ValueError as exc:
                error = f"invalid redirect Location: {exc}"
                return done(current, response.status, error, response.headers)
            if following in visited:
                return done(current, response.status, "redirect loop", response.headers)
            if hop == self.max_redirects:
                break
            log.debug("redirect %s %s -> %s", response.status, current, following)
            current = following
        return done(current, response.status, "too many redirects", response.headers)

    def refusing_hosts(self) -> dict[str, str]:
        """Hosts that refused every request they answered (403/429/503, robots.txt aside),
        with a one-line reason: a crawl that got nothing else from a host was blocked."""
        return refusing(self._hosts.values())

    def pace(self, hosts: Iterable[str], delay: float) -> None:
        """Space request starts to these hosts (``name`` or ``name:port``; ``www.`` too) by
        ``delay`` seconds instead of the settings' delay: a site of a collection may ask for
        its own pace (call it before the first fetch). robots.txt ``Crawl-delay`` still
        raises it."""
        for name in hosts:
            name = name.lower().removeprefix("www.")
            self._delays.update({name: delay, f"www.{name}": delay})

    async def robots(self, url: str) -> RobotsInfo:
        """The robots.txt rules for ``url``'s origin, fetched once and cached.

        Raises :class:`HostBlocked` when robots.txt cannot be read (5xx, 429 after retries,
        unreachable): RFC 9309 then asks for a complete disallow."""
        return await self._robots_for(parse_url(url))

    # -- internals: robots -----------------------------------------------------------------

    async def _robots_for(self, parsed: httpx.URL) -> RobotsInfo:
        origin = origin_of(parsed)
        cached = self._robots.get(origin)
        if cached is None:
            lock = self._robots_locks.setdefault(origin, asyncio.Lock())
            async with lock:
                cached = self._robots.get(origin)
                if cached is None:
                    page = backlog.CURRENT.set(None)  # robots.txt takes no page's place
                    try:
                        cached = await self._robots_loaded(parsed, origin)
                    finally:
                        backlog.CURRENT.reset(page)
        if cached.unavailable:
            raise HostBlocked(self._host(parsed).name, cached.note or ROBOTS_UNAVAILABLE)
        return cached

    async def _robots_loaded(self, parsed: httpx.URL, origin: str) -> RobotsInfo:
        """Read, cache and apply (Crawl-delay, block when unavailable) an origin's rules."""
        info = await self._load_robots(origin)
        self._robots[origin] = info
        host = self._host(parsed)
        if info.unavailable:
            host.blocked = host.blocked or info.note
            log.warning("host %s: %s; nothing of it is fetched", host.name, info.note)
        delay = info.crawl_delay
        if delay:
            host.base_delay = max(host.base_delay, delay)
            host.next_start = max(host.next_start, host.last_start + self._pace(host))
            log.info("%s: robots.txt asks for %.3g s between requests", origin, delay)
        return info

    async def _load_robots(self, origin: str) -> RobotsInfo:
        self.stats.robots_fetched += 1
        robots_url = f"{origin}/robots.txt"
        current = robots_url
        response: HopResponse | None = None
        target = httpx.URL(robots_url)
        for _ in range(ROBOTS_MAX_REDIRECTS + 1):
            response, _used = await self._get(target, {}, ROBOTS_MAX_BYTES, truncate=True)
            location = response.headers.get("location")
            if response.status not in REDIRECT_STATUSES or not location or response.error:
                break
            try:
                current = without_fragment(urljoin(current, location))
                target = parse_url(current)
            except (ValueError, BadURL):
                break
        assert response is not None
        status = response.status
        ua = self.user_agent

        def allow_all(note: str) -> RobotsInfo:
            return RobotsInfo(origin, status, ua, None, allow_all=True, note=note)

        if 200 <= status < 300 and response.error is None:
            text = response.content.decode("utf-8", "replace").lstrip("\ufeff")
            try:
                parser = Protego.parse(text)
            except Exception as exc:  # a parser bug must not stop the crawl
                log.warning("%s: unparsable robots.txt (%s); allowing all", origin, exc)
                return allow_all(f"unparsable robots.txt: {exc}")
            return RobotsInfo(origin, status, ua, parser)
        # RFC 9309 2.3.1: 4xx means there are no rules; a server error or no answer means
        # the crawler must assume a complete disallow until the file can be read. A 429
        # that outlasts the retries is a refusal too, not an absence of rules.
        if 400 <= status < 500 and status != 429:
            return allow_all(f"robots.txt HTTP {status}")
        reason = response.error or f"HTTP {status}"
        note = f"{ROBOTS_UNAVAILABLE} ({reason})"
        return RobotsInfo(origin, status, ua, None, allow_all=False, note=note, unavailable=True)

    # -- internals: one hop with retries ---------------------------------------------------

    def _transport(self, url: httpx.URL, host: HostState) -> httpx.AsyncHTTPTransport:
        """The connection pool of ``host``, direct or through the environment's proxy.

        One small pool per host rather than one shared pool: the pool checks every idle
        connection (two system calls each) whenever it hands one out, so a shared pool's cost
        grows with the number of hosts; a host's pool needs only its own request slots."""
        proxy = self._proxies.get(url.scheme) or self._proxies.get("all")
        bypass = urllib.request.proxy_bypass_environment  # type: ignore[attr-defined]
        if proxy and bypass(url.host):
            proxy = None
        key = (host.name, proxy)
        transport = self._transports.get(key)
        if transport is None:
            transport = httpx.AsyncHTTPTransport(
                verify=ssl_context(), http1=True, http2=False, limits=self._limits, proxy=proxy
            )
            self._transports[key] = transport
        return transport

    def _host(self, url: httpx.URL) -> HostState:
        key = host_key(url)
        host = self._hosts.get(key)
        if host is None:
            host = HostState(
                key,
                asyncio.Semaphore(self.per_host_concurrency),
                base_delay=self._delays.get(key, self.delay),
            )
            self._hosts[key] = host
        return host

    def _pace(self, host: HostState) -> float:
        return host.pace_now(self.backoff_base, self.backoff_max)

    def _log_pace(self, host: HostState, why: str) -> None:
        """Log a host's change of pace once, not on every request."""
        pace = self._pace(host)
        if abs(pace - host.pace) > 1e-9:
            log.info("%s: %.3g s between requests now (%s)", host.name, pace, why)
            host.pace = pace

    def _wait(self, state: RetryCallState) -> float:
        """Before retrying one URL: the server's Retry-After as given (up to
        ``retry_after_max``: a longer one parks the host), else full-jitter exponential
        backoff capped at ``backoff_max``."""
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, Retryable) and exc.retry_after is not None:
            return min(exc.retry_after, self.settings.retry_after_max)
        ceiling = min(self.backoff_max, self.backoff_base * 2 ** (state.attempt_number - 1))
        return random.uniform(0.0, ceiling)

    async def _get(
        self, url: httpx.URL, headers: Mapping[str, str], limit: int, *, truncate: bool = False
    ) -> tuple[HopResponse, int]:
        """One hop with retries; returns the response and the number of attempts used."""
        attempts = 0
        try:
            retrying = AsyncRetrying(
                stop=stop_after_attempt(self.retries + 1),
                wait=self._wait,
                retry=retry_if_exception_type(Retryable),
                reraise=True,
            )
            async for attempt in retrying:
                with attempt:
                    attempts += 1
                    if attempts > 1:
                        self.stats.retries += 1
                    try:
                        return await self._attempt(url, headers, limit, truncate), attempts
                    except Retryable:  # no page in hand: the wait before a retry holds no place
                        backlog.give_back()
                        raise
        except Retryable as exc:
            error = exc.reason if attempts == 1 else f"{exc.reason} (after {attempts} attempts)"
            return HopResponse(str(url), exc.status, exc.headers, b"", error), attempts
        raise AssertionError("unreachable: tenacity neither returned nor raised")

    @contextlib.asynccontextmanager
    async def _slot(self, host: HostState) -> AsyncIterator[None]:
        """Wait for a request slot on ``host``: concurrency, spacing of starts, global cap."""
        loop = asyncio.get_running_loop()
        asked = loop.time()
        async with host.semaphore:
            async with host.lock:
                while True:
                    if host.blocked:
                        raise HostBlocked(host.name, host.blocked)
                    wait = host.next_start - loop.time()
                    if wait > 0:
                        backlog.give_back()  # taken below and pushed back since: no place
                        await asyncio.sleep(wait)
                        continue
                    ticket = backlog.CURRENT.get()
                    if ticket is not None and not ticket.held:  # the page's place, once
                        await ticket.take()
                        continue
                    await self._global.acquire()
                    if host.next_start > loop.time():  # pushed back while we waited
                        self._global.release()
                        continue
                    break
                host.last_start = loop.time()
                host.next_start = host.last_start + self._pace(host)
                waited = _WAITED.get(None)
                if waited is not None:
                    waited[0] += host.last_start - asked
            try:
                yield
            finally:
                self._global.release()

    async def _attempt(
        self, url: httpx.URL, headers: Mapping[str, str], limit: int, truncate: bool
    ) -> HopResponse:
        host = self._host(url)
        if host.blocked:
            raise HostBlocked(host.name, host.blocked)
        async with self._slot(host):
            self.stats.requests += 1
            try:
                async with asyncio.timeout(self.timeout or None):
                    return await self._exchange(host, url, headers, limit, truncate)
            except (Retryable, HostBlocked):
                raise
            except (TimeoutError, httpx.TimeoutException):
                raise Retryable("timeout") from None
            except httpx.RemoteProtocolError as exc:
                raise Retryable(f"truncated or malformed response ({exc})") from None
            except httpx.ConnectError as exc:
                raise Retryable(f"connection failed ({failure_reason(exc)})") from None
            except (httpx.NetworkError, httpx.ProxyError) as exc:
                raise Retryable(f"connection error ({failure_reason(exc)})") from None
            except TooLarge as exc:
                error = f"response too large (> {limit} bytes)"
                return HopResponse(str(url), exc.status, exc.headers, b"", error)
            except httpx.DecodingError as exc:
                return HopResponse(str(url), 0, {}, b"", f"content decoding error ({exc})")
            except (httpx.HTTPError, httpx.InvalidURL) as exc:
                return HopResponse(str(url), 0, {}, b"", f"{type(exc).__name__}: {exc}")

    async def _exchange(
        self,
        host: HostState,
        url: httpx.URL,
        headers: Mapping[str, str],
        limit: int,
        truncate: bool,
    ) -> HopResponse:
        request = httpx.Request(
            "GET", url, headers={**self._headers, **headers}, extensions={"timeout": self._timeouts}
        )
        sent = time.time()
        response = await self._transport(url, host).handle_async_request(request)
        response.request = request
        try:
            handled = await self._handle(host, str(url), response, limit, truncate)
        except Retryable as exc:
            if exc.status and self.recorder is not None:  # a retried status: headers only
                self.recorder(make_exchange(request, response, b"", sent))
            raise
        finally:
            await response.aclose()
        if self.recorder is not None:
            self.recorder(make_exchange(request, response, handled.content, sent))
        return handled

    async def _handle(
        self, host: HostState, url: str, response: httpx.Response, limit: int, truncate: bool
    ) -> HopResponse:
        status = response.status_code
        response_headers = lower_headers(response.headers)
        self.stats.by_status[status] += 1
        retry_after = parse_retry_after(response_headers.get("retry-after"))
        # ``truncate`` is asked for robots.txt only: its answer says nothing of the pages.
        self._note_status(host, status, retry_after, page=not truncate)
        if status in RETRY_STATUSES:
            raise Retryable(
                f"HTTP {status}", status=status, headers=response_headers, retry_after=retry_after
            )
        if 300 <= status < 400:
            return HopResponse(url, status, response_headers, b"", None)
        if status >= 400 or status < 200:
            return HopResponse(url, status, response_headers, b"", f"HTTP {status}")
        content = await self._read(response, response_headers, limit, truncate)
        return HopResponse(url, status, response_headers, content, None)

    async def _read(
        self, response: httpx.Response, headers: dict[str, str], limit: int, truncate: bool
    ) -> bytes:
        identity = headers.get("content-encoding", "identity").strip().lower() == "identity"
        declared = headers.get("content-length", "")
        expected = int(declared) if declared.isdigit() else None
        if expected is not None and identity and expected > limit and not truncate:
            raise TooLarge(response.status_code, headers)
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            self.stats.bytes += len(chunk)
            if size > limit:
                if truncate:
                    chunks.append(chunk[: len(chunk) - (size - limit)])
                    return b"".join(chunks)
                raise TooLarge(response.status_code, headers)
            chunks.append(chunk)
        if expected is not None and identity and size != expected:
            raise Retryable(f"truncated body ({size} of {expected} bytes)")
        return b"".join(chunks)

    def _note_status(
        self, host: HostState, status: int, retry_after: float | None, *, page: bool = True
    ) -> None:
        """Follow the server's pace: honour Retry-After for the whole host (park the host
        when it asks for more than ``retry_after_max``), slow down on refusals, speed back
        up on successes, and give the host up after ``block_after`` refusals in a row."""
        loop = asyncio.get_running_loop()
        if retry_after is not None and retry_after > self.settings.retry_after_max:
            host.blocked = (
                f"asked to wait {retry_after:.0f} s (Retry-After), more than "
                f"{self.settings.retry_after_max:.0f} s; left for the next run"
            )
            log.warning("host %s parked: %s", host.name, host.blocked)
            raise HostBlocked(host.name, host.blocked)
        if status in SLOWDOWN_STATUSES and retry_after is not None:
            # The server said when to come back: exactly that, for the whole host.
            host.next_start = max(host.next_start, loop.time() + retry_after)
            if retry_after >= 1:
                log.info("%s: HTTP %s, asked to wait %.3g s", host.name, status, retry_after)
        elif status in SLOWDOWN_STATUSES:  # no word from the server: back off on our own
            host.refusals += 1
            host.next_start = max(host.next_start, loop.time() + self._pace(host))
            self._log_pace(host, f"HTTP {status}")
        elif 200 <= status < 400 and host.refusals:
            host.refusals //= 2
            self._log_pace(host, "answering again")
        if status in REFUSAL_STATUSES:
            host.refused += page
            host.streak += 1
            host.streak_statuses[status] += 1
            if host.streak >= self.block_after and not host.blocked:
                counts = ", ".join(
                    f"{count}x HTTP {code}" for code, count in sorted(host.streak_statuses.items())
                )
                host.blocked = f"{host.streak} refusals in a row ({counts})"
                log.error("host %s blocked: %s", host.name, host.blocked)
            if host.blocked:
                raise HostBlocked(host.name, host.blocked)
        else:
            host.answered += page
            host.streak = 0
            host.streak_statuses.clear()
