"""The fetcher against real HTTP servers on 127.0.0.1 (tests/faultserver.py), never mocks."""

from __future__ import annotations

import asyncio
import gzip
import itertools
import socket
import threading
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping
from email.utils import formatdate
from typing import Any, TypeVar

import pytest

from scraper.fetch import (
    DEFAULT_USER_AGENT,
    Fetcher,
    FetchResult,
    HostBlocked,
    make_user_agent,
    parse_retry_after,
)
from tests.faultserver import (
    NO_CHARSET,
    RESET,
    SERVICE_UNAVAILABLE,
    SLOW,
    TOO_MANY_REQUESTS,
    TRUNCATE,
    WRONG_CHARSET,
    FaultPlan,
    FaultServer,
    Reply,
    Routes,
    from_wsgi,
)

pytestmark = pytest.mark.network

T = TypeVar("T")
EPS = 0.01  # timer slack when comparing request start times
ARABIC = "الصحراء المغربية: أخبار اليوم في المغرب والعالم، السبت 25 نونبر 2025"
HTML = f"<!doctype html><html><head><title>t</title></head><body><p>{ARABIC}</p></body></html>"
FAST: dict[str, Any] = {
    "delay": 0.0,
    "backoff_base": 0.01,
    "backoff_max": 0.2,
    "timeout": 2.0,
    "obey_robots": False,
}


def run(coro: Awaitable[T]) -> T:
    async def bounded() -> T:
        return await asyncio.wait_for(coro, 15)

    return asyncio.run(bounded())


def fetch_all(urls: list[str], **options: Any) -> list[FetchResult]:
    async def go() -> list[FetchResult]:
        async with Fetcher(**{**FAST, **options}) as fetcher:
            return await asyncio.gather(*(fetcher.fetch(url) for url in urls))

    return run(go())


def fetch_one(url: str, **options: Any) -> FetchResult:
    return fetch_all([url], **options)[0]


def gaps(times: list[float]) -> list[float]:
    return [b - a for a, b in itertools.pairwise(times)]


@pytest.fixture
def server() -> Iterator[FaultServer]:
    with FaultServer(Routes({"/": HTML})) as srv:
        yield srv


# -- basics ---------------------------------------------------------------------------------


def test_plain_fetch(server: FaultServer) -> None:
    server.route("/a", HTML)
    result = fetch_one(server.url("/a"))
    assert result.ok and result.error is None
    assert (result.status, result.attempts) == (200, 1)
    assert result.final_url == result.url == server.url("/a")
    assert result.text == HTML and result.encoding == "utf-8" and result.is_html
    assert result.headers["content-type"] == "text/html; charset=utf-8"
    assert all(name == name.lower() for name in result.headers)
    (entry,) = server.requests("/a")
    assert entry.headers["user-agent"] == DEFAULT_USER_AGENT
    assert "if-none-match" not in entry.headers


def test_user_agent_contact() -> None:
    agent = make_user_agent("ops@example.org")
    assert agent.startswith("scraper/0.1 (+") and agent.endswith("; ops@example.org)")
    assert Fetcher(contact="https://example.org/bot").user_agent.endswith("example.org/bot)")


def test_image_has_no_text(server: FaultServer) -> None:
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
    server.route("/i.png", (200, {"Content-Type": "image/png"}, png))
    result = fetch_one(server.url("/i.png"))
    assert result.ok and result.content == png
    assert result.text is None and result.encoding is None and not result.is_html


def test_windows_1256_page_without_charset(server: FaultServer) -> None:
    body = HTML.encode("cp1256")
    server.route("/ar", (200, {"Content-Type": "text/html"}, body))
    result = fetch_one(server.url("/ar"))
    assert result.encoding == "windows-1256"
    assert result.text is not None and ARABIC in result.text


@pytest.mark.parametrize("fault", [NO_CHARSET, WRONG_CHARSET])
def test_charset_faults_still_decode(server: FaultServer, fault: str) -> None:
    server.route("/c", HTML)
    server.fail_first("/c", fault, 1)
    result = fetch_one(server.url("/c"))
    assert result.ok and result.encoding == "utf-8" and result.text == HTML
    assert server.requests("/c")[0].fault == fault


def test_bad_urls_make_no_request() -> None:
    assert fetch_one("ftp://127.0.0.1/x").error == "unsupported URL scheme: ftp"
    result = fetch_one("http:///nohost")
    assert result.error is not None and result.error.startswith("invalid URL")
    assert result.status == 0 and result.attempts == 0


def test_connection_refused_is_retried_then_reported() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = fetch_one(f"http://127.0.0.1:{port}/", retries=2)
    assert result.status == 0 and result.attempts == 3 and not result.ok
    assert result.error is not None and result.error.startswith("connection failed")


# -- retries --------------------------------------------------------------------------------


@pytest.mark.parametrize("fault", [SERVICE_UNAVAILABLE, TOO_MANY_REQUESTS, RESET, TRUNCATE, SLOW])
def test_retries_then_success(fault: str) -> None:
    plan = FaultPlan(retry_after="0", slow_seconds=0.5)
    with FaultServer(Routes({"/p": HTML}), faults=plan) as srv:
        srv.fail_first("/p", fault, 2)

        async def go() -> tuple[FetchResult, int]:
            async with Fetcher(**{**FAST, "timeout": 0.25}) as fetcher:
                return await fetcher.fetch(srv.url("/p")), fetcher.stats.retries

        result, retries = run(go())
        assert result.ok and result.text == HTML, result.error
        assert result.attempts == 3 and retries == 2
        assert [entry.fault for entry in srv.requests("/p")] == [fault, fault, None]


def test_gives_up_after_retries(server: FaultServer) -> None:
    server.fail_first("/", SERVICE_UNAVAILABLE, 10)
    result = fetch_one(server.url("/"), retries=2)
    assert (result.status, result.attempts, result.content) == (503, 3, b"")
    assert result.error == "HTTP 503 (after 3 attempts)"


def test_404_is_not_retried(server: FaultServer) -> None:
    result = fetch_one(server.url("/missing"))
    assert (result.status, result.error, result.attempts) == (404, "HTTP 404", 1)
    assert result.content == b"" and result.text is None
    assert len(server.requests("/missing")) == 1


def test_retry_after_is_honoured_and_slows_the_whole_host() -> None:
    plan = FaultPlan(retry_after="1")
    with FaultServer(Routes({"/a": HTML, "/b": HTML}), faults=plan) as srv:
        srv.fail_first("/a", TOO_MANY_REQUESTS, 1)

        async def go() -> list[FetchResult]:
            async with Fetcher(**{**FAST, "backoff_max": 5.0}) as fetcher:
                first = asyncio.create_task(fetcher.fetch(srv.url("/a")))
                await asyncio.sleep(0.1)  # /a has had its 429 by now
                return [await fetcher.fetch(srv.url("/b")), await first]

        results = run(go())
        assert all(result.ok for result in results)
        refused, retried = srv.times("/a")
        (other,) = srv.times("/b")
        assert retried - refused >= 1.0 - EPS
        assert other - refused >= 1.0 - EPS  # another URL of the same host waited too


def test_retry_after_is_honoured_as_given_with_the_default_settings() -> None:
    """Default backoff settings (only robots off): the server asked for 1 s; we wait 1 s."""
    with FaultServer(Routes({"/a": HTML}), faults=FaultPlan(retry_after="1")) as srv:
        srv.fail_first("/a", SERVICE_UNAVAILABLE, 1)
        started = time.monotonic()
        assert fetch_all([srv.url("/a")], **{"obey_robots": False, "delay": 0.0})[0].ok
        assert 0.95 <= time.monotonic() - started < 3
        retry = [e.time for e in srv.log if e.path == "/a"]
        assert len(retry) == 2 and retry[1] - retry[0] >= 0.95


def test_a_host_asking_to_wait_longer_than_the_ceiling_is_parked() -> None:
    with FaultServer(Routes({"/a": HTML}), faults=FaultPlan(retry_after="3600")) as srv:
        srv.fail_first("/a", SERVICE_UNAVAILABLE, 1)
        started = time.monotonic()
        with pytest.raises(HostBlocked, match=r"asked to wait 3600 s .*next run"):
            fetch_one(srv.url("/a"))  # default ceiling: 10 minutes
        assert time.monotonic() - started < 2
        srv.fail_first("/a", SERVICE_UNAVAILABLE, 1)
        with pytest.raises(HostBlocked, match=r"3600 s .*more than 10 s"):
            fetch_one(srv.url("/a"), retry_after_max=10)


def test_parse_retry_after() -> None:
    assert parse_retry_after("120") == 120
    assert parse_retry_after(" 0 ") == 0
    assert parse_retry_after("-5") == 0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None
    now = time.time()
    assert parse_retry_after(formatdate(now + 30, usegmt=True), now=now) == pytest.approx(30, abs=1)
    assert parse_retry_after(formatdate(now - 30, usegmt=True), now=now) == 0


def test_host_slows_down_after_429() -> None:
    with FaultServer(Routes({"/": HTML}), faults=FaultPlan(retry_after=None)) as srv:
        srv.fail_first("/a", TOO_MANY_REQUESTS, 1)
        for path in ("/a", "/b", "/c"):
            srv.route(path, HTML)

        async def go() -> None:
            async with Fetcher(**{**FAST, "delay": 0.05}) as fetcher:
                for path in ("/a", "/b", "/c"):
                    assert (await fetcher.fetch(srv.url(path))).ok

        run(go())
        starts = [entry.time for entry in srv.log]
        assert [entry.path for entry in srv.log] == ["/a", "/a", "/b", "/c"]
        spacing = gaps(starts)
        assert spacing[0] >= 0.10 - EPS  # delay doubled by the 429
        assert spacing[1] >= 0.10 - EPS  # set when the retry started, before its success
        assert 0.05 - EPS <= spacing[2] < 0.09  # one success: back to the configured pace


def test_host_blocked_after_a_streak() -> None:
    def forbidden(method: str, path: str, headers: Mapping[str, str]) -> Reply:
        return 403, {"Content-Type": "text/plain"}, b"go away"

    with FaultServer(forbidden) as srv:

        async def go() -> None:
            async with Fetcher(**{**FAST, "block_after": 3}) as fetcher:
                for path in ("/1", "/2"):
                    result = await fetcher.fetch(srv.url(path))
                    assert (result.error, result.attempts) == ("HTTP 403", 1)
                with pytest.raises(HostBlocked, match=r"127\.0\.0\.1:\d+ blocked.*3x HTTP 403"):
                    await fetcher.fetch(srv.url("/3"))
                with pytest.raises(HostBlocked):  # no more requests to that host
                    await fetcher.fetch(srv.url("/4"))

        run(go())
        assert [entry.path for entry in srv.log] == ["/1", "/2", "/3"]


def test_host_blocked_during_retries() -> None:
    with FaultServer(faults=FaultPlan(retry_after="0")) as srv:
        srv.fail_first("/busy", SERVICE_UNAVAILABLE, 100)
        with pytest.raises(HostBlocked, match="4x HTTP 503"):
            fetch_one(srv.url("/busy"), retries=10, block_after=4)
        assert len(srv.log) == 4


def test_streak_is_reset_by_a_success(server: FaultServer) -> None:
    answers = iter([429, 429, 200, 403, 429, 200, 503, 429, 200])

    def flaky(method: str, path: str, headers: Mapping[str, str]) -> Reply:
        return next(answers), {"Content-Type": "text/html"}, b"<p>"

    server.route("/f", flaky)

    async def go() -> list[FetchResult]:
        async with Fetcher(**{**FAST, "block_after": 3}) as fetcher:
            return [await fetcher.fetch(server.url("/f")) for _ in range(4)]

    results = run(go())
    assert [result.attempts for result in results] == [3, 1, 2, 3]
    assert [result.error for result in results] == [None, "HTTP 403", None, None]


# -- caps -----------------------------------------------------------------------------------


def test_size_cap_plain(server: FaultServer) -> None:
    server.route("/big", b"<html>" + b"x" * 5000)
    result = fetch_one(server.url("/big"), max_bytes=1000)
    assert result.error == "response too large (> 1000 bytes)"
    assert result.content == b"" and not result.ok and result.attempts == 1
    assert fetch_one(server.url("/big"), max_bytes=6000).ok


def test_size_cap_gzip_bomb(server: FaultServer) -> None:
    bomb = gzip.compress(b"\0" * 20_000_000, 9)
    assert len(bomb) < 100_000
    headers = {"Content-Type": "text/html", "Content-Encoding": "gzip"}
    server.route("/bomb", (200, headers, bomb))
    server.route("/small", (200, headers, gzip.compress(HTML.encode())))
    bombed = fetch_one(server.url("/bomb"), max_bytes=1_000_000)
    assert bombed.error == "response too large (> 1000000 bytes)"
    small = fetch_one(server.url("/small"), max_bytes=1_000_000)
    assert small.ok and small.text == HTML


def test_per_request_timeout(server: FaultServer) -> None:
    def slow(method: str, path: str, headers: Mapping[str, str]) -> Reply:
        time.sleep(0.5)
        return 200, {"Content-Type": "text/html"}, b"late"

    server.route("/slow", slow)
    result = fetch_one(server.url("/slow"), timeout=0.2, retries=1)
    assert (result.status, result.attempts) == (0, 2)
    assert result.error == "timeout (after 2 attempts)"


# -- redirects ------------------------------------------------------------------------------


def redirect(location: str, status: int = 301) -> Reply:
    return status, {"Location": location, "Content-Length": "0"}, b""


def test_relative_redirect(server: FaultServer) -> None:
    server.route("/old/page", redirect("../new/page?x=1#frag", 302))
    server.route("/new/page?x=1", HTML)
    result = fetch_one(server.url("/old/page"))
    assert result.ok and result.text == HTML
    assert result.url == server.url("/old/page")
    assert result.final_url == server.url("/new/page?x=1")
    assert result.attempts == 2


def test_redirect_loop(server: FaultServer) -> None:
    server.route("/l1", redirect("/l2"))
    server.route("/l2", redirect(server.url("/l1")))
    result = fetch_one(server.url("/l1"))
    assert result.error == "redirect loop" and result.status == 301
    assert [entry.path for entry in server.log] == ["/l1", "/l2"]


def test_a_redirect_out_of_scope_is_never_requested(server: FaultServer) -> None:
    """Each hop is checked before it is requested: another host, or an internal address
    when the crawl did not start on one, is refused without a request."""
    from scraper.urls import request_scope

    with FaultServer({"/": HTML}) as other:
        elsewhere = f"http://localhost:{other.port}/"
        server.route("/away", redirect(other.url("/")))
        server.route("/local", redirect(elsewhere))
        server.route("/home", redirect("/"))
        server.route("/", HTML)
        scope = request_scope(server.url("/"), {f"127.0.0.1:{server.port}"})

        async def go() -> list[FetchResult]:
            async with Fetcher(**FAST) as fetcher:
                paths = ("/away", "/local", "/home")
                return [await fetcher.fetch(server.url(p), scope=scope) for p in paths]

        away, local, home = run(go())
        assert other.log == []  # neither the other port nor localhost was asked
    assert away.refused_by_policy and away.error.startswith("out of the crawl's scope")
    assert local.refused_by_policy and elsewhere in (local.error or "")
    assert home.ok and not home.refused_by_policy
    public = request_scope("https://news.example.org/", {"news.example.org"})
    assert not public("http://127.0.0.1/") and not public("http://[::1]/x")
    assert not public("http://10.0.0.8/") and not public("http://localhost/")
    assert public("https://www.news.example.org/a") and not public("https://evil.example/")


def test_too_many_redirects(server: FaultServer) -> None:
    for i in range(10):
        server.route(f"/r{i}", redirect(f"/r{i + 1}", 307))
    result = fetch_one(server.url("/r0"), max_redirects=3)
    assert result.error == "too many redirects"
    assert [entry.path for entry in server.log] == ["/r0", "/r1", "/r2", "/r3"]
    assert fetch_one(server.url("/r7"), max_redirects=3).final_url == server.url("/r10")


# -- robots.txt -----------------------------------------------------------------------------

ROBOTS = "User-agent: *\nDisallow: /private\nSitemap: {base}/sitemap.xml\n"


def test_robots_disallow_makes_no_request(server: FaultServer) -> None:
    robots = ROBOTS.format(base=server.base_url).encode()
    server.route("/robots.txt", (200, {"Content-Type": "text/plain"}, robots))
    server.route("/go", redirect("/private/2", 302))

    async def go() -> list[FetchResult]:
        async with Fetcher(**{**FAST, "obey_robots": True}) as fetcher:
            info = await fetcher.robots(server.url("/"))
            assert info.sitemaps == [server.url("/sitemap.xml")]
            assert not info.can_fetch(server.url("/private/x")) and info.can_fetch(server.url("/"))
            urls = ["/private/1", "/", "/go", "/"]
            return [await fetcher.fetch(server.url(path)) for path in urls]

    blocked, allowed, via_redirect, again = run(go())
    assert (blocked.status, blocked.error, blocked.attempts) == (0, "disallowed by robots.txt", 0)
    assert allowed.ok and again.ok
    assert via_redirect.error == "disallowed by robots.txt"
    assert via_redirect.final_url == server.url("/private/2")
    assert [entry.path for entry in server.log] == ["/robots.txt", "/", "/go", "/"]


def test_robots_crawl_delay_spaces_requests(server: FaultServer) -> None:
    server.route("/robots.txt", "User-agent: *\nCrawl-delay: 0.2\n")
    urls = [server.url(f"/?n={i}") for i in range(4)]
    results = fetch_all(urls, obey_robots=True, delay=0.01, concurrency=1)
    assert all(result.ok for result in results)
    assert server.log[0].path == "/robots.txt"
    spacing = gaps(server.times())
    assert len(spacing) == 4 and min(spacing) >= 0.2 - EPS
    assert max(spacing) < 0.3  # the politeness bound is reached, not overshot


@pytest.mark.parametrize("status", [404, 410, 401, 403])
def test_robots_4xx_means_no_rules(server: FaultServer, status: int) -> None:
    """RFC 9309 2.3.1.3: an unavailable robots.txt (4xx, 401/403 included) is no rules."""
    server.route("/robots.txt", (status, {"Content-Type": "text/plain"}, b"x"))

    async def go() -> bool:
        async with Fetcher(**{**FAST, "retries": 1, "obey_robots": True}) as fetcher:
            info = await fetcher.robots(server.url("/"))
            assert info.status == status and info.crawl_delay is None
            assert (await fetcher.fetch(server.url("/"))).ok
            return info.can_fetch(server.url("/anything"))

    assert run(go()) is True
    assert len(server.requests("/")) == 1


@pytest.mark.parametrize("status", [500, 503, 429])
def test_robots_server_error_disallows_the_whole_host(server: FaultServer, status: int) -> None:
    """RFC 9309 2.3.1.4: a server error means complete disallow; after the retries the
    host is given up (HostBlocked) and no page of it is requested."""
    server.route("/robots.txt", (status, {"Content-Type": "text/plain"}, b"x"))

    async def go() -> None:
        async with Fetcher(**{**FAST, "retries": 2, "obey_robots": True}) as fetcher:
            with pytest.raises(HostBlocked, match=rf"robots.txt unavailable \(HTTP {status}"):
                await fetcher.fetch(server.url("/"))
            with pytest.raises(HostBlocked):  # cached: robots.txt is not asked again
                await fetcher.fetch(server.url("/other"))

    run(go())
    assert len(server.requests("/robots.txt")) == 3  # first try + 2 retries, with backoff
    assert server.requests("/") == [] and server.requests("/other") == []


def test_robots_unreachable_disallows_the_host() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]

    async def go() -> None:
        async with Fetcher(**{**FAST, "retries": 0, "obey_robots": True}) as fetcher:
            with pytest.raises(HostBlocked, match=r"robots\.txt unavailable"):
                await fetcher.robots(f"http://127.0.0.1:{port}/x")

    run(go())


# -- politeness -----------------------------------------------------------------------------


def test_delay_between_starts_is_exact(server: FaultServer) -> None:
    async def go() -> list[FetchResult]:
        async with Fetcher(**{**FAST, "delay": 0.1, "concurrency": 2}) as fetcher:
            # Open both connections first: connection setup would blur the server's timings.
            await asyncio.gather(*(fetcher.fetch(server.url(f"/?warm={i}")) for i in range(2)))
            server.clear()
            urls = [server.url(f"/?n={i}") for i in range(6)]
            return await asyncio.gather(*(fetcher.fetch(url) for url in urls))

    assert all(result.ok for result in run(go()))
    spacing = gaps(server.times())
    assert len(spacing) == 5 and min(spacing) >= 0.1 - EPS
    assert sum(spacing) < 0.5 + 0.05  # five gaps of 0.1 s: ~100% of the politeness bound


def test_per_host_and_global_concurrency() -> None:
    lock = threading.Lock()
    state = {"now": 0, "max": 0}

    def slow(method: str, path: str, headers: Mapping[str, str]) -> Reply:
        with lock:
            state["now"] += 1
            state["max"] = max(state["max"], state["now"])
        time.sleep(0.08)
        with lock:
            state["now"] -= 1
        return 200, {"Content-Type": "text/html"}, b"<html></html>"

    with FaultServer(slow) as one, FaultServer(slow) as two:
        urls = [srv.url(f"/{i}") for i in range(6) for srv in (one, two)]
        results = fetch_all(urls, concurrency=2, global_concurrency=16)
        assert all(result.ok for result in results)
        assert one.max_in_flight == two.max_in_flight == 2
        assert state["max"] == 4
        one.clear()
        two.clear()
        state["max"] = 0
        results = fetch_all(urls, concurrency=3, global_concurrency=2)
        assert all(result.ok for result in results)
        assert state["max"] == 2


# -- conditional GET ------------------------------------------------------------------------


def test_conditional_get_gives_304(server: FaultServer) -> None:
    modified = "Tue, 25 Nov 2025 10:00:00 GMT"

    def page(method: str, path: str, headers: Mapping[str, str]) -> Reply:
        if headers.get("if-none-match") == '"v1"':
            return 304, {"ETag": '"v1"'}, b""
        return 200, {"Content-Type": "text/html", "ETag": '"v1"', "Last-Modified": modified}, b"x"

    server.route("/p", page)

    async def go() -> tuple[FetchResult, FetchResult, int]:
        async with Fetcher(**FAST) as fetcher:
            first = await fetcher.fetch(server.url("/p"))
            second = await fetcher.fetch(
                server.url("/p"), etag=first.etag, last_modified=first.last_modified
            )
            return first, second, fetcher.stats.not_modified

    first, second, not_modified = run(go())
    assert first.ok and (first.etag, first.last_modified) == ('"v1"', modified)
    assert second.not_modified and not second.ok and second.error is None
    assert (second.status, second.content, second.text, not_modified) == (304, b"", None, 1)
    sent = server.requests("/p")[1].headers
    assert (sent["if-none-match"], sent["if-modified-since"]) == ('"v1"', modified)


# -- a noisy host, and the server itself ----------------------------------------------------


def test_random_faults_crawl_recovers() -> None:
    kinds = (SERVICE_UNAVAILABLE, TOO_MANY_REQUESTS, RESET, TRUNCATE)
    plan = FaultPlan(rate=0.3, seed=7, kinds=kinds, retry_after="0")
    with FaultServer(Routes({"/": HTML}), faults=plan) as srv:

        async def go() -> tuple[list[FetchResult], dict[str, Any]]:
            options = {**FAST, "retries": 8, "block_after": 12, "backoff_max": 0.03}
            async with Fetcher(**options) as fetcher:
                urls = [srv.url(f"/?n={i}") for i in range(16)]
                results = await asyncio.gather(*(fetcher.fetch(url) for url in urls))
                return list(results), fetcher.stats.as_dict()

        results, stats = run(go())
        assert all(result.ok and result.text == HTML for result in results)
        faults = [entry.fault for entry in srv.log if entry.fault]
        assert faults and stats["retries"] == len(faults)
        assert stats["requests"] == len(srv.log)


def test_faultserver_wsgi_adapter_and_log() -> None:
    def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        body = f"{environ['REQUEST_METHOD']} {environ['PATH_INFO']}?{environ['QUERY_STRING']}"
        start_response("201 Created", [("Content-Type", "text/plain; charset=utf-8")])
        return [body.encode()]

    with FaultServer(from_wsgi(wsgi)) as srv:
        result = fetch_one(srv.url("/x/y?q=1"))
        assert (result.status, result.text) == (201, "GET /x/y?q=1")
        (entry,) = srv.log
        assert (entry.method, entry.path, entry.status) == ("GET", "/x/y?q=1", 201)
        assert entry.fault is None
    with pytest.raises(ValueError, match="unknown fault"):
        FaultPlan(kinds=("explode",))


# -- proxies --------------------------------------------------------------------------------


def test_environment_proxy_is_used_unless_no_proxy_names_the_host(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)

    def forward_proxy(method: str, target: str, headers: Mapping[str, str]) -> Reply:
        body = f"<html><body><p>via proxy: {method} {target}</p></body></html>".encode()
        return 200, [("Content-Type", "text/html; charset=utf-8")], body

    with FaultServer(forward_proxy) as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url("/").rstrip("/"))
        result = fetch_one("http://news.invalid/a?x=1")
        assert result.ok, result.error
        assert "via proxy: GET http://news.invalid/a?x=1" in (result.text or "")
        (entry,) = proxy.log
        assert entry.path == "http://news.invalid/a?x=1"  # absolute form: a proxy request
        assert entry.headers["user-agent"] == DEFAULT_USER_AGENT

        monkeypatch.setenv("NO_PROXY", "news.invalid")
        direct = fetch_one("http://news.invalid/b", retries=0)
        assert not direct.ok and direct.error  # no such host when asked directly
        assert len(proxy.log) == 1


# -- the backlog: pages fetched and not yet handled -----------------------------------------


def test_the_backlog_holds_at_most_its_size_in_pages_over_all_hosts() -> None:
    async def go(servers: list[FaultServer]) -> tuple[int, int, list[FetchResult], int]:
        async with Fetcher(**FAST, backlog=3, concurrency=4) as fetcher:
            gate, got = asyncio.Event(), []

            async def hold(url: str) -> FetchResult:
                ticket = fetcher.backlog.ticket()
                try:
                    result = await fetcher.fetch(url, ticket=ticket)
                    got.append(result)
                    await gate.wait()  # the caller has not handled the page yet
                    return result
                finally:
                    ticket.release()

            urls = [srv.url(f"/{i}") for i in range(4) for srv in servers]
            tasks = [asyncio.create_task(hold(url)) for url in urls]
            while len(got) < 3:
                await asyncio.sleep(0.01)
            await asyncio.sleep(0.3)  # time enough for more requests, were they allowed
            held = sum(len(srv.requests()) for srv in servers)
            out = fetcher.backlog.out
            gate.set()
            results = await asyncio.gather(*tasks)
            return held, out, results, fetcher.backlog.peak

    def page(method: str, path: str, headers: Mapping[str, str]) -> Reply:
        return 200, {"Content-Type": "text/html"}, HTML.encode()

    with FaultServer(page) as a, FaultServer(page) as b, FaultServer(page) as c:
        held, out, results, peak = run(go([a, b, c]))
    assert held == out == 3  # three pages fetched and held: nothing more was requested
    assert len(results) == 12 and all(r.ok for r in results) and peak == 3


async def page_in_turn(
    fetcher: Fetcher, url: str, done: dict[str, FetchResult], after: float = 0.0
) -> None:
    """Fetch ``url`` (``after`` seconds from now) holding a backlog ticket until it is
    fetched, as a crawl worker holds one until its page is handled; ``done`` gets the
    results in the order the fetches ended."""
    await asyncio.sleep(after)
    ticket = fetcher.backlog.ticket()
    try:
        done[url] = await fetcher.fetch(url, ticket=ticket)
    finally:
        ticket.release()


def test_a_ticket_is_taken_after_the_politeness_wait_not_before(server: FaultServer) -> None:
    """A page waiting for its host's delay holds no place: another host's page goes first."""

    async def go(other: FaultServer) -> list[str]:
        async with Fetcher(**FAST, backlog=1) as fetcher:
            fetcher.pace([f"127.0.0.1:{server.port}"], 1.5)
            done: dict[str, FetchResult] = {}
            # the slow host's first start: its next request waits 1.5 s
            await page_in_turn(fetcher, server.url("/1"), done)
            await asyncio.gather(
                page_in_turn(fetcher, server.url("/2"), done),
                page_in_turn(fetcher, other.url("/x"), done, after=0.1),
            )
            return list(done)

    with FaultServer(Routes({"/": HTML})) as other:
        order = run(go(other))
        assert order == [server.url("/1"), other.url("/x"), server.url("/2")]


@pytest.mark.parametrize("path", ["/moved", "/busy", "/page"])
def test_a_page_waiting_for_a_redirect_hop_a_retry_or_robots_txt_holds_no_place(
    path: str,
) -> None:
    """A redirect's next hop, a retry after 503 + Retry-After, and robots.txt before a page
    each make the page wait for its (slow) host; meanwhile another host's page goes first."""
    busy = {"answered": 0}

    def slow_host(method: str, path: str, headers: Mapping[str, str]) -> Reply:
        if path == "/robots.txt":
            return 200, {"Content-Type": "text/plain"}, b"User-agent: *\nAllow: /\n"
        if path == "/moved":
            return 301, {"Location": "/page"}, b""
        if path == "/busy" and not busy["answered"]:
            busy["answered"] += 1
            return 503, {"Retry-After": "1"}, b""
        return 200, {"Content-Type": "text/html"}, HTML.encode()

    async def go(slow: FaultServer, other: FaultServer) -> list[str]:
        robots = path == "/page"  # robots.txt is read first, then the page waits its turn
        async with Fetcher(**{**FAST, "obey_robots": robots}, backlog=1) as fetcher:
            fetcher.pace([f"127.0.0.1:{slow.port}"], 1.5)
            done: dict[str, FetchResult] = {}
            await asyncio.gather(
                page_in_turn(fetcher, slow.url(path), done),
                page_in_turn(fetcher, other.url("/x"), done, after=0.2),
            )
            assert fetcher.backlog.out == 0
            assert all(result.ok for result in done.values())
            return list(done)

    with FaultServer(slow_host) as slow, FaultServer(slow_host) as other:
        order = run(go(slow, other))
        assert order == [other.url("/x"), slow.url(path)]


def test_a_ticket_taken_before_the_host_was_pushed_back_is_given_back_for_the_wait() -> None:
    """A page takes the one place while its host's other request is being answered 503 +
    Retry-After 3: the host's next start moves 3 s out, and the page waits for it without
    the place, so another host's page is not held up."""

    def app(method: str, path: str, headers: Mapping[str, str]) -> Reply:
        if path == "/busy":
            time.sleep(0.2)
            return 503, {"Retry-After": "3"}, b""
        return 200, {"Content-Type": "text/html"}, HTML.encode()

    async def go(slow: FaultServer, other: FaultServer) -> dict[str, float]:
        async with Fetcher(**FAST, backlog=1, retries=0) as fetcher:
            done: dict[str, FetchResult] = {}
            await asyncio.gather(
                page_in_turn(fetcher, slow.url("/busy"), done),
                page_in_turn(fetcher, slow.url("/b"), done, after=0.05),
                page_in_turn(fetcher, other.url("/x"), done, after=0.4),
            )
            # each fetch's own time from its start (politeness waits included)
            return {url.rsplit("/", 1)[1]: result.elapsed for url, result in done.items()}

    with FaultServer(app) as slow, FaultServer(app) as other:
        took = run(go(slow, other))
    assert took["x"] < 1.5 < 2.9 <= took["b"]  # /x did not wait for /b's 3 s
