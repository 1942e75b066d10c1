"""A real HTTP server for the mirror: ``ThreadingHTTPServer`` on loopback, in a daemon thread.

Routing follows WordPress with Polylang (editions as path prefixes) and the JNews theme:
articles ``/<lang>/<slug>/``, archives ``/<lang>/category|tag|author/<slug>/[page/N/]``,
``/<lang>/feed/``, core sitemaps, ``/wp-json/wp/v2/...``, uploads, ``robots.txt``; anything
else is the theme's 404 page. Percent-escapes are accepted in either case and a path without
its trailing slash is redirected (301) to the slash form.
"""

from __future__ import annotations

import hashlib
import socketserver
import threading
import time
from collections.abc import Callable
from datetime import datetime
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, NamedTuple, Self
from urllib.parse import parse_qs, unquote, urlsplit

from scraper.mirror import endpoints, frame, render
from scraper.mirror.site import EDITIONS, LANGS, UPLOADS, Article, Site, default_site, to_utc

HTML = "text/html; charset=UTF-8"
IMAGE_MTIME = datetime(2025, 1, 1)


JPEG = endpoints.tiny_jpeg()


class RequestRecord(NamedTuple):
    """One served request: (monotonic time, method, path, status, user-agent)."""

    time: float
    method: str
    path: str
    status: int
    user_agent: str


class Response(NamedTuple):
    status: int
    headers: list[tuple[str, str]]
    body: bytes


Intercept = Callable[[str, str], Response | None]


def _html(status: int, text: str, extra: list[tuple[str, str]] | None = None) -> Response:
    return Response(status, [("Content-Type", HTML), *(extra or [])], text.encode("utf-8"))


def _redirect(status: int, location: str) -> Response:
    return Response(
        status,
        [("Location", location), ("Content-Type", HTML)],
        b"",
    )


def _json(status: int, value: Any, extra: list[tuple[str, str]] | None = None) -> Response:
    body = frame.wp_json(value).encode("utf-8")
    return Response(
        status, [("Content-Type", "application/json; charset=UTF-8"), *(extra or [])], body
    )


def _rest_error(status: int, code: str, message: str) -> Response:
    return _json(status, {"code": code, "message": message, "data": {"status": status}})


class Router:
    """Turns a request target into a response, from the site's current data."""

    def __init__(self, site: Site):
        self.site = site
        self._cache: dict[tuple[int, str, str], Response] = {}
        self._cache_lock = threading.Lock()

    def respond(self, target: str, host: str) -> Response:
        base = f"http://{host}"
        with self.site.lock:
            key = (self.site.version, host, target)
            with self._cache_lock:
                cached = self._cache.get(key)
            if cached is not None:
                return cached
            response = self._route(target, base)
            with self._cache_lock:
                if len(self._cache) > 4000:
                    self._cache.clear()
                self._cache[key] = response
            return response

    # -- routing -----------------------------------------------------------------------------

    def _route(self, target: str, base: str) -> Response:
        parts = urlsplit(target)
        raw_path = parts.path or "/"
        query = parse_qs(parts.query)
        path = unquote(raw_path, errors="replace")

        if path == "/":
            post_id = (query.get("p") or [""])[0]
            if post_id.isdigit():
                article = self.site.get(int(post_id))
                if article is not None:
                    return _redirect(301, base + article.path())
            return _redirect(302, f"{base}/{LANGS[0]}/")
        if path == "/robots.txt":
            return Response(
                200,
                [("Content-Type", "text/plain; charset=utf-8")],
                endpoints.render_robots(base).encode(),
            )
        if path.startswith("/wp-json"):
            return self._rest(path, query, base)
        if path.startswith(UPLOADS):
            if self.site.known_upload(path):
                return Response(
                    200,
                    [
                        ("Content-Type", "image/jpeg"),
                        ("Last-Modified", frame.http_date(IMAGE_MTIME)),
                        ("Cache-Control", "max-age=31536000"),
                    ],
                    JPEG,
                )
            return _html(404, render.render_not_found(self.site, LANGS[0], base))
        if path.endswith(".xml"):
            return self._sitemap(path, base)
        if path in ("/feed", "/feed/"):
            return _redirect(301, f"{base}/{LANGS[0]}/feed/")

        if not path.endswith("/"):
            found = self._page(path + "/", base, query)
            if found.status in (200, 301):
                location = base + raw_path + "/" + (f"?{parts.query}" if parts.query else "")
                return _redirect(301, location)
            return found
        return self._page(path, base, query)

    def _not_found(self, segments: list[str], base: str) -> Response:
        lang = segments[0] if segments and segments[0] in EDITIONS else LANGS[0]
        return _html(404, render.render_not_found(self.site, lang, base))

    def _page(self, path: str, base: str, query: dict[str, list[str]]) -> Response:
        segments = [s for s in path.split("/") if s]
        if not segments or segments[0] not in EDITIONS:
            return self._not_found(segments, base)
        lang, rest = segments[0], segments[1:]
        site = self.site
        if not rest:
            return _html(200, render.render_home(site, lang, base))
        if rest == ["feed"]:
            return _feed(endpoints.render_feed(site, lang, base))
        if len(rest) == 1:
            article = site.by_slug(lang, rest[0])
            if article is None:
                return self._not_found(segments, base)
            return self._article(article, base)
        kind = rest[0]
        if kind in ("category", "tag", "author") and len(rest) >= 2:
            archive = render.find_archive(site, lang, kind, rest[1])
            if archive is None:
                return self._not_found(segments, base)
            tail = rest[2:]
            if not tail:
                page_html = render.render_archive(site, archive, 1, base)
            elif tail == ["feed"] and kind == "category":
                return _feed(endpoints.render_feed(site, lang, base, category=archive.name))
            elif len(tail) == 2 and tail[0] == "page" and tail[1].isdigit():
                number = int(tail[1])
                if number == 1:
                    return _redirect(301, base + archive.path())
                page_html = render.render_archive(site, archive, number, base)
            else:
                page_html = None
            if page_html is None:
                return self._not_found(segments, base)
            return _html(200, page_html)
        return self._not_found(segments, base)

    def _article(self, article: Article, base: str) -> Response:
        text = render.render_article(self.site, article, base)
        body = text.encode("utf-8")
        etag = '"' + hashlib.sha1(body).hexdigest()[:24] + '"'
        headers = [
            ("Content-Type", HTML),
            ("ETag", etag),
            ("Last-Modified", frame.http_date(article.last_changed)),
            ("Link", f'<{base}/wp-json/>; rel="https://api.w.org/"'),
            ("Link", f"<{base}/?p={article.id}>; rel=shortlink"),
        ]
        return Response(200, headers, body)

    def _sitemap(self, path: str, base: str) -> Response:
        site = self.site
        xml: str | None = None
        if path == "/sitemap.xml":
            return _redirect(301, f"{base}/wp-sitemap.xml")
        if path == "/wp-sitemap.xml":
            xml = endpoints.render_sitemap_index(site, base)
        elif path.startswith("/wp-sitemap-posts-post-"):
            number = path.removeprefix("/wp-sitemap-posts-post-").removesuffix(".xml")
            if number.isdigit():
                xml = endpoints.render_posts_sitemap(site, int(number), base)
        elif path == "/wp-sitemap-taxonomies-category-1.xml":
            xml = endpoints.render_taxonomy_sitemap(site, "category", base)
        elif path == "/wp-sitemap-taxonomies-post_tag-1.xml":
            xml = endpoints.render_taxonomy_sitemap(site, "post_tag", base)
        if xml is None:
            return _html(404, render.render_not_found(site, LANGS[0], base))
        return Response(200, [("Content-Type", "application/xml; charset=UTF-8")], xml.encode())

    # -- REST API ----------------------------------------------------------------------------

    def _rest(self, path: str, query: dict[str, list[str]], base: str) -> Response:
        route = path.removeprefix("/wp-json").rstrip("/")
        if route == "":
            return _json(
                200,
                {
                    "name": "sahara.ma",
                    "description": "",
                    "url": base,
                    "home": f"{base}/{LANGS[0]}/",
                    "namespaces": ["oembed/1.0", "wp/v2"],
                    "routes": {"/wp/v2/posts": {}, "/wp/v2/categories": {}, "/wp/v2/tags": {}},
                },
            )
        if route == "/wp/v2/posts":
            return self._rest_posts(query, base)
        if route.startswith("/wp/v2/posts/"):
            ident = route.removeprefix("/wp/v2/posts/")
            article = self.site.get(int(ident)) if ident.isdigit() else None
            if article is None:
                return _rest_error(404, "rest_post_invalid_id", "Invalid post ID.")
            return _json(200, endpoints.rest_post(self.site, article, base))
        if route in ("/wp/v2/categories", "/wp/v2/tags"):
            taxonomy = "category" if route.endswith("categories") else "post_tag"
            return self._rest_terms(taxonomy, query, base)
        return _rest_error(
            404, "rest_no_route", "No route was found matching the URL and request method."
        )

    @staticmethod
    def _paging(query: dict[str, list[str]]) -> tuple[int, int] | Response:
        try:
            per_page = int((query.get("per_page") or ["10"])[0])
            page = int((query.get("page") or ["1"])[0])
        except ValueError:
            return _rest_error(400, "rest_invalid_param", "Invalid parameter(s): per_page, page")
        if not 1 <= per_page <= 100:
            return _rest_error(
                400,
                "rest_invalid_param",
                "Invalid parameter(s): per_page (must be between 1 and 100)",
            )
        if page < 1:
            return _rest_error(400, "rest_invalid_param", "Invalid parameter(s): page")
        return per_page, page

    def _paged(
        self, items: list[Any], query: dict[str, list[str]], route: str, base: str, invalid: str
    ) -> Response:
        paging = self._paging(query)
        if isinstance(paging, Response):
            return paging
        per_page, page = paging
        total = len(items)
        pages = max(1, -(-total // per_page)) if total else 0
        if page > max(pages, 1):
            return _rest_error(
                400,
                invalid,
                "The page number requested is larger than the number of pages available.",
            )
        chunk = items[(page - 1) * per_page : page * per_page]
        headers = [("X-WP-Total", str(total)), ("X-WP-TotalPages", str(pages))]
        others = "&".join(f"{k}={v[0]}" for k, v in sorted(query.items()) if k != "page" and v)
        prefix = f"{base}/wp-json{route}?" + (others + "&" if others else "")
        links = []
        if page > 1:
            links.append(f'<{prefix}page={page - 1}>; rel="prev"')
        if page < pages:
            links.append(f'<{prefix}page={page + 1}>; rel="next"')
        if links:
            headers.append(("Link", ", ".join(links)))
        return _json(200, chunk, headers)

    def _rest_posts(self, query: dict[str, list[str]], base: str) -> Response:
        site = self.site
        lang = (query.get("lang") or [""])[0]
        if lang and lang not in EDITIONS:
            return _rest_error(400, "rest_invalid_param", "Invalid parameter(s): lang")
        posts = site.newest(lang or None)
        for param, getter in (("categories", _post_categories), ("tags", _post_tags)):
            wanted = _ids(query.get(param))
            if wanted:
                posts = [a for a in posts if wanted & getter(site, a)]
        for param, attr, after in (
            ("after", "published", True),
            ("before", "published", False),
            ("modified_after", "last_changed", True),
            ("modified_before", "last_changed", False),
        ):
            raw = (query.get(param) or [""])[0]
            if raw:
                try:
                    limit = _parse_rest_date(raw)
                except ValueError:
                    return _rest_error(400, "rest_invalid_param", f"Invalid parameter(s): {param}")
                posts = [
                    a
                    for a in posts
                    if (getattr(a, attr) > limit if after else getattr(a, attr) < limit)
                ]
        orderby = (query.get("orderby") or ["date"])[0]
        order = (query.get("order") or ["desc"])[0]
        keys: dict[str, Callable[[Article], Any]] = {
            "date": lambda a: a.sort_key,
            "modified": lambda a: (a.last_changed, a.id),
            "id": lambda a: a.id,
            "title": lambda a: a.title,
        }
        if orderby not in keys or order not in ("asc", "desc"):
            return _rest_error(400, "rest_invalid_param", "Invalid parameter(s): orderby, order")
        posts = sorted(posts, key=keys[orderby], reverse=order == "desc")
        records = [endpoints.rest_post(site, a, base) for a in posts]
        return self._paged(records, query, "/wp/v2/posts", base, "rest_post_invalid_page_number")

    def _rest_terms(self, taxonomy: str, query: dict[str, list[str]], base: str) -> Response:
        site = self.site
        lang = (query.get("lang") or [""])[0]
        langs = [lang] if lang in EDITIONS else list(LANGS)
        terms: list[dict[str, Any]] = []
        for code in langs:
            names = site.categories(code) if taxonomy == "category" else site.tags(code)
            terms += [endpoints.rest_term(site, code, taxonomy, name, base) for name in names]
        if (query.get("hide_empty") or ["false"])[0] in ("1", "true"):
            terms = [t for t in terms if t["count"]]
        route = "/wp/v2/categories" if taxonomy == "category" else "/wp/v2/tags"
        return self._paged(terms, query, route, base, "rest_invalid_page_number")


def _feed(xml: str) -> Response:
    return Response(200, [("Content-Type", "application/rss+xml; charset=UTF-8")], xml.encode())


def _ids(values: list[str] | None) -> set[int]:
    out: set[int] = set()
    for value in values or []:
        out.update(int(v) for v in value.split(",") if v.strip().isdigit())
    return out


def _post_categories(site: Site, article: Article) -> set[int]:
    return {site.category_id(article.lang, c) for c in article.categories}


def _post_tags(site: Site, article: Article) -> set[int]:
    return {site.tag_id(article.lang, t) for t in article.tags}


def _parse_rest_date(raw: str) -> datetime:
    """REST date filters: ISO 8601; without an offset it is site-local time."""
    value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    if value.tzinfo is not None:
        from scraper.mirror.site import TIMEZONE

        value = value.astimezone(TIMEZONE).replace(tzinfo=None)
    return value


def _etag_matches(header: str, etag: str) -> bool:
    if header.strip() == "*":
        return True
    tags = [t.strip().removeprefix("W/") for t in header.split(",")]
    return etag in tags


def _not_modified(request_headers: Any, response: Response) -> bool:
    headers = dict(response.headers)
    etag = headers.get("ETag")
    last_modified = headers.get("Last-Modified")
    inm = request_headers.get("If-None-Match")
    if inm is not None and etag is not None:
        return _etag_matches(inm, etag)
    ims = request_headers.get("If-Modified-Since")
    if ims and last_modified:
        try:
            since = parsedate_to_datetime(ims)
            changed = parsedate_to_datetime(last_modified)
        except (TypeError, ValueError):
            return False
        if since.tzinfo is None or changed.tzinfo is None:
            return False
        return changed <= since
    return False


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in separate writes
    server_version = "nginx"
    sys_version = ""
    mirror: MirrorServer  # set on the subclass made per server

    def do_GET(self) -> None:
        self._serve(head=False)

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def _serve(self, *, head: bool) -> None:
        mirror = self.mirror
        host = self.headers.get("Host") or f"{mirror.host}:{mirror.port}"
        response = moved_response(self.path, host, mirror.moved)
        if response is None and mirror.intercept is not None:
            response = mirror.intercept(self.command, self.path)
        if response is None:
            try:
                response = mirror.router.respond(self.path, host)
            except Exception as exc:  # a template bug must not kill the connection silently
                response = Response(
                    500,
                    [("Content-Type", "text/plain; charset=utf-8")],
                    f"mirror error: {exc!r}".encode(),
                )
        status, headers, body = response
        if status == 200 and _not_modified(self.headers, response):
            status, body = 304, b""
            headers = [(k, v) for k, v in headers if k in ("ETag", "Last-Modified")]
        mirror._log(self.command, self.path, status, self.headers.get("User-Agent") or "")
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head and status != 304:
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        if not self.mirror.quiet:
            super().log_message(format, *args)


def moved_response(target: str, host: str, moved: dict[str, str]) -> Response | None:
    """A site that moved to another host: a request for one of ``moved``'s hosts (``www.``
    and port ignored; the target may be a proxy's absolute URL) gets a 301 to the same path
    on the host it moved to, the way a site announces ``sahara.ma -> news.sahara.ma``."""
    name = host.split(":")[0].lower().removeprefix("www.")
    new_host = moved.get(name)
    if new_host is None:
        return None
    parts = urlsplit(target)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return _redirect(301, f"http://{new_host}{path}")


def serve_in_thread(httpd: socketserver.BaseServer, name: str) -> threading.Thread:
    """Start serving ``httpd`` from a daemon thread (the mirror and the test servers)."""
    thread = threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, name=name, daemon=True
    )
    thread.start()
    return thread


def stop_serving(
    httpd: socketserver.BaseServer, thread: threading.Thread | None, timeout: float = 5
) -> None:
    """Stop a server started by :func:`serve_in_thread` (or never started) and close it."""
    if thread is not None:
        httpd.shutdown()
        thread.join(timeout=timeout)
    httpd.server_close()


class Serving:
    """``with server: ...`` starts a server and stops it, for classes with start and stop."""

    def start(self) -> Self:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class MirrorServer(Serving):
    """Serve a :class:`Site` over HTTP on loopback.

    ``with MirrorServer(site) as srv: httpx.get(srv.base_url + "/ar/")``; or ``start()`` /
    ``stop()``; or ``serve_forever()`` to block (``scraper demo``, ``python -m scraper.mirror``).
    ``requests`` is a snapshot of the request log; ``intercept``, when set, may answer a
    request before the site does (``(method, path) -> Response | None``), e.g. to inject errors.
    ``moved`` (``{"sahara.ma": "news.sahara.ma"}``) answers every request for a host with a 301
    to the host it moved to (seen through a proxy, as ``scraper demo --moved`` shows).
    """

    def __init__(
        self,
        site: Site | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        quiet: bool = True,
        moved: dict[str, str] | None = None,
    ):
        if site is None:
            site = default_site()
        self.site = site
        self.router = Router(site)
        self.quiet = quiet
        self.intercept: Intercept | None = None
        self.moved = dict(moved or {})  # host -> the host it answers 301 to (a moved site)
        self._requests: list[RequestRecord] = []
        self._log_lock = threading.Lock()
        handler = type("MirrorHandler", (_Handler,), {"mirror": self})
        self.httpd = ThreadingHTTPServer((host, port), handler)
        self.httpd.daemon_threads = True
        self.host = host
        self.port = int(self.httpd.server_address[1])
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def requests(self) -> list[RequestRecord]:
        with self._log_lock:
            return list(self._requests)

    def clear_requests(self) -> None:
        with self._log_lock:
            self._requests.clear()

    def _log(self, method: str, path: str, status: int, user_agent: str) -> None:
        with self._log_lock:
            self._requests.append(RequestRecord(time.monotonic(), method, path, status, user_agent))

    def start(self) -> Self:
        if self._thread is None:
            self._thread = serve_in_thread(self.httpd, f"mirror-{self.port}")
        return self

    def stop(self) -> None:
        thread, self._thread = self._thread, None
        stop_serving(self.httpd, thread)

    def serve_forever(self) -> None:
        """Block serving requests until interrupted."""
        try:
            self.httpd.serve_forever(poll_interval=0.2)
        finally:
            self.httpd.server_close()


def last_modified(article: Article) -> datetime:
    """The article's Last-Modified instant (aware, UTC)."""
    return to_utc(article.last_changed)


__all__ = [
    "JPEG",
    "MirrorServer",
    "RequestRecord",
    "Response",
    "Router",
    "Serving",
    "last_modified",
    "serve_in_thread",
    "stop_serving",
]
