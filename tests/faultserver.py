"""A loopback HTTP server for tests, with seeded fault injection.

::

    def app(method: str, path: str, headers: Mapping[str, str]) -> tuple[int, Headers, bytes]:
        ...

    with FaultServer(app, faults=FaultPlan(rate=0.2, seed=1)) as server:
        url = server.url("/page")          # http://127.0.0.1:<port>/page
        ...
        server.log                         # [LogEntry(time, method, path, headers, fault, status)]

``app`` is any callable with that signature: a :class:`Routes` table of canned responses, a
WSGI application wrapped by :func:`from_wsgi`, a site mirror, or a function that forwards to
an upstream. The fault injector sits in front of it and, per request, either passes the
request through or answers with one of :data:`FAULT_KINDS`. Random faults are drawn from a
seeded generator; ``fail_first`` makes a path fail its first N requests and then succeed, so
tests stay deterministic whatever the request order.

Bounded by design: it listens on 127.0.0.1 only, every sleep it does is shorter than 2 s,
idle keep-alive connections time out after a few seconds, and leaving the ``with`` block (or
:meth:`FaultServer.stop`) shuts it down.
"""

from __future__ import annotations

import contextlib
import io
import random
import socket
import socketserver
import struct
import sys
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import urlsplit

from scraper.mirror.server import Serving, serve_in_thread, stop_serving

Headers = Mapping[str, str] | Iterable[tuple[str, str]]
Reply = tuple[int, Headers, bytes]
App = Callable[[str, str, Mapping[str, str]], Reply]
RouteSpec = bytes | str | Reply | App

SERVICE_UNAVAILABLE = "503"  # 503 with Retry-After
TOO_MANY_REQUESTS = "429"  # 429 with Retry-After
RESET = "reset"  # read the request, then close the socket with RST, no response
SLOW = "slow"  # sleep slow_seconds, then answer normally (pair with a short client timeout)
TRUNCATE = "truncate"  # Content-Length of the full body, half of it sent, then close
NO_CHARSET = "no-charset"  # charset parameter removed from Content-Type
WRONG_CHARSET = "wrong-charset"  # charset parameter replaced by iso-8859-1
FAULT_KINDS = (
    SERVICE_UNAVAILABLE,
    TOO_MANY_REQUESTS,
    RESET,
    SLOW,
    TRUNCATE,
    NO_CHARSET,
    WRONG_CHARSET,
)
MAX_SLEEP = 1.9


@dataclass(frozen=True)
class FaultPlan:
    """Which requests fail, and how.

    ``rate`` is the chance that a request gets a random fault from ``kinds`` (drawn from a
    ``random.Random(seed)``). ``fail_first`` maps a request path (with its query string) to
    ``(kind, n)``: its first ``n`` requests get that fault, whatever ``rate`` says. Paths in
    ``exempt`` never get random faults.
    """

    rate: float = 0.0
    seed: int = 1
    kinds: tuple[str, ...] = (SERVICE_UNAVAILABLE, TOO_MANY_REQUESTS, RESET, TRUNCATE)
    retry_after: str | None = "1"
    slow_seconds: float = 0.5
    fail_first: Mapping[str, tuple[str, int]] = field(default_factory=dict)
    exempt: tuple[str, ...] = ("/robots.txt",)

    def __post_init__(self) -> None:
        unknown = set(self.kinds) | {kind for kind, _ in self.fail_first.values()}
        unknown -= set(FAULT_KINDS)
        if unknown:
            raise ValueError(f"unknown fault kinds: {sorted(unknown)}")
        if not 0.0 <= self.rate <= 1.0:
            raise ValueError("rate must be between 0 and 1")
        if not 0.0 <= self.slow_seconds <= MAX_SLEEP:
            raise ValueError(f"slow_seconds must be between 0 and {MAX_SLEEP}")


@dataclass
class LogEntry:
    """One request as the server saw it, logged on arrival (``time.monotonic()``).

    ``status`` is filled in when the answer is chosen; it stays None for a reset connection
    (and while the app or a slow fault is still working on the answer).
    """

    time: float
    method: str
    path: str
    headers: dict[str, str]  # lower-case names
    fault: str | None
    status: int | None


def _header_list(headers: Headers) -> list[tuple[str, str]]:
    items = headers.items() if isinstance(headers, Mapping) else headers
    return [(str(name), str(value)) for name, value in items]


class Routes:
    """A routing table of canned responses, usable as an ``app``.

    A route maps an exact path (query string included, or the bare path as a fallback) to
    ``bytes`` (200, text/html without charset), ``str`` (200, UTF-8 HTML), a
    ``(status, headers, body)`` tuple, or an ``app`` callable. Unknown paths get 404.
    """

    def __init__(self, table: Mapping[str, RouteSpec] | None = None) -> None:
        self._table: dict[str, RouteSpec] = dict(table or {})
        self._lock = threading.Lock()

    def __setitem__(self, path: str, spec: RouteSpec) -> None:
        with self._lock:
            self._table[path] = spec

    def __call__(self, method: str, path: str, headers: Mapping[str, str]) -> Reply:
        with self._lock:
            spec = self._table.get(path)
            if spec is None:
                spec = self._table.get(urlsplit(path).path)
        if spec is None:
            return 404, {"Content-Type": "text/plain"}, b"not found"
        if isinstance(spec, bytes):
            return 200, {"Content-Type": "text/html"}, spec
        if isinstance(spec, str):
            return 200, {"Content-Type": "text/html; charset=utf-8"}, spec.encode("utf-8")
        if isinstance(spec, tuple):
            return spec
        return spec(method, path, headers)


def from_wsgi(wsgi_app: Callable[..., Iterable[bytes]], *, host: str = "127.0.0.1") -> App:
    """Adapt a WSGI application to the ``app(method, path, headers)`` signature."""

    def app(method: str, path: str, headers: Mapping[str, str]) -> Reply:
        parts = urlsplit(path)
        environ: dict[str, Any] = {
            "REQUEST_METHOD": method,
            "SCRIPT_NAME": "",
            "PATH_INFO": parts.path,
            "QUERY_STRING": parts.query,
            "SERVER_NAME": host,
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(b""),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }
        for name, value in headers.items():
            key = name.upper().replace("-", "_")
            if key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
                environ[key] = value
            else:
                environ[f"HTTP_{key}"] = value
        started: dict[str, Any] = {}

        def start_response(
            status: str, response_headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Callable[[bytes], None]:
            started["status"] = int(status.split(" ", 1)[0])
            started["headers"] = response_headers
            return lambda data: None

        chunks = wsgi_app(environ, start_response)
        try:
            body = b"".join(chunks)
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                close()
        return started["status"], started["headers"], body

    return app


def _set_charset(headers: list[tuple[str, str]], charset: str | None) -> list[tuple[str, str]]:
    result: list[tuple[str, str]] = []
    for name, value in headers:
        if name.lower() == "content-type":
            params = [p.strip() for p in value.split(";")]
            kept = [params[0]] + [p for p in params[1:] if not p.lower().startswith("charset=")]
            if charset:
                kept.append(f"charset={charset}")
            value = "; ".join(kept)
        result.append((name, value))
    return result


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 5  # idle keep-alive connections close after this many seconds
    server: _Server

    def do_GET(self) -> None:
        self._serve()

    do_HEAD = do_POST = do_PUT = do_DELETE = do_OPTIONS = do_PATCH = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _serve(self) -> None:
        owner = self.server.owner
        arrived = time.monotonic()
        length = self.headers.get("Content-Length", "")
        if length.isdigit() and int(length):
            self.rfile.read(int(length))
        headers = {name.lower(): value for name, value in self.headers.items()}
        owner._enter()
        try:
            fault = owner._draw_fault(self.path)
            entry = LogEntry(arrived, self.command, self.path, headers, fault, None)
            owner._record(entry)
            self._respond(owner, entry)
        finally:
            owner._leave()

    def _respond(self, owner: FaultServer, entry: LogEntry) -> None:
        plan = owner.faults
        fault = entry.fault
        if fault == RESET:
            self._reset()
            return
        if fault in (SERVICE_UNAVAILABLE, TOO_MANY_REQUESTS):
            entry.status = int(fault)
            extra = [("Retry-After", plan.retry_after)] if plan.retry_after is not None else []
            self._send(entry.status, [("Content-Type", "text/plain"), *extra], b"try again later")
            return
        if fault == SLOW:
            time.sleep(min(plan.slow_seconds, MAX_SLEEP))
        try:
            status, raw_headers, body = owner.app(self.command, self.path, entry.headers)
        except Exception as exc:  # a broken app answers 500, like a real server would
            status, raw_headers, body = 500, [("Content-Type", "text/plain")], repr(exc).encode()
        response_headers = _header_list(raw_headers)
        if fault == NO_CHARSET:
            response_headers = _set_charset(response_headers, None)
        elif fault == WRONG_CHARSET:
            response_headers = _set_charset(response_headers, "iso-8859-1")
        entry.status = status
        if fault == TRUNCATE:
            self._send(status, response_headers, body, send_bytes=len(body) // 2)
            self.close_connection = True
            return
        self._send(status, response_headers, body)

    def _send(
        self,
        status: int,
        headers: list[tuple[str, str]],
        body: bytes,
        *,
        send_bytes: int | None = None,
    ) -> None:
        self.send_response(status)
        names = {name.lower() for name, _ in headers}
        for name, value in headers:
            self.send_header(name, value)
        if "content-length" not in names and status not in (204, 304):
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD" and status not in (204, 304):
            self.wfile.write(body if send_bytes is None else body[:send_bytes])
        self.wfile.flush()

    def _reset(self) -> None:
        """Close the connection abruptly: SO_LINGER 0 makes close() send RST."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            linger = struct.pack("ii", 1, 0)
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
        self.rfile.close()
        self.wfile.close()
        self.connection.close()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, owner: FaultServer, address: tuple[str, int]) -> None:
        self.owner = owner
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks up the host's FQDN, which can stall without DNS.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = str(host)
        self.server_port = int(port)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients that hang up mid-response (timeouts, size caps) are expected in these tests,
        # and so is the flush http.server does after a RESET fault closed the connection.
        exc = sys.exc_info()[1]
        closed = isinstance(exc, ValueError) and "closed file" in str(exc)
        if not isinstance(exc, OSError) and not closed:
            super().handle_error(request, client_address)


class FaultServer(Serving):
    """A ``ThreadingHTTPServer`` on 127.0.0.1 (free port) in a daemon thread.

    Use as a context manager, or call :meth:`start` / :meth:`stop`. ``app`` may also be a
    mapping, which is wrapped in :class:`Routes`.
    """

    def __init__(
        self,
        app: App | Mapping[str, RouteSpec] | None = None,
        *,
        faults: FaultPlan | None = None,
    ) -> None:
        if app is None or isinstance(app, Mapping):
            app = Routes(app)
        self.app: App = app
        self.faults = faults or FaultPlan()
        self._rng = random.Random(self.faults.seed)
        self._remaining = {path: [kind, n] for path, (kind, n) in self.faults.fail_first.items()}
        self._lock = threading.Lock()
        self._log: list[LogEntry] = []
        self._in_flight = 0
        self._max_in_flight = 0
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> Self:
        if self._server is not None:
            return self
        self._server = _Server(self, ("127.0.0.1", 0))
        self._thread = serve_in_thread(self._server, f"faultserver-{self.port}")
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is not None:
            stop_serving(server, thread, timeout=2)

    # -- addresses -------------------------------------------------------------------------

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("server not started")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str = "/") -> str:
        return self.base_url + (path if path.startswith("/") else f"/{path}")

    def route(self, path: str, spec: RouteSpec) -> None:
        """Add or replace a canned response (only when ``app`` is a :class:`Routes` table)."""
        if not isinstance(self.app, Routes):
            raise TypeError("route() needs a Routes app")
        self.app[path] = spec

    # -- faults ----------------------------------------------------------------------------

    def fail_first(self, path: str, kind: str, times: int) -> None:
        """Make the next ``times`` requests for ``path`` get fault ``kind``."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind: {kind}")
        with self._lock:
            self._remaining[path] = [kind, times]

    def _draw_fault(self, path: str) -> str | None:
        with self._lock:
            pending = self._remaining.get(path)
            if pending is not None and pending[1] > 0:
                pending[1] -= 1
                return str(pending[0])
            plan = self.faults
            if plan.rate <= 0 or not plan.kinds or urlsplit(path).path in plan.exempt:
                return None
            if self._rng.random() < plan.rate:
                return self._rng.choice(plan.kinds)
            return None

    # -- request log and in-flight counting ------------------------------------------------

    def _enter(self) -> None:
        with self._lock:
            self._in_flight += 1
            self._max_in_flight = max(self._max_in_flight, self._in_flight)

    def _leave(self) -> None:
        with self._lock:
            self._in_flight -= 1

    def _record(self, entry: LogEntry) -> None:
        with self._lock:
            self._log.append(entry)

    @property
    def log(self) -> list[LogEntry]:
        """A copy of the request log, in order of arrival."""
        with self._lock:
            return sorted(self._log, key=lambda entry: entry.time)

    def requests(self, path: str | None = None) -> list[LogEntry]:
        """Logged requests, optionally only those for ``path`` (query string included)."""
        return [entry for entry in self.log if path is None or entry.path == path]

    def times(self, path: str | None = None) -> list[float]:
        return [entry.time for entry in self.requests(path)]

    @property
    def in_flight(self) -> int:
        with self._lock:
            return self._in_flight

    @property
    def max_in_flight(self) -> int:
        """The most requests the server was handling at once."""
        with self._lock:
            return self._max_in_flight

    def clear(self) -> None:
        """Forget the log and the in-flight maximum (not the pending faults)."""
        with self._lock:
            self._log.clear()
            self._max_in_flight = self._in_flight
