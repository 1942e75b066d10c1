"""URL canonicalization, so one article is one row whatever link led to it.

WordPress percent-encodes Arabic slugs in lower or upper case, links carry tracking parameters,
fragments and sometimes no trailing slash. ``canonical`` folds all of these to one spelling.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlencode, urljoin, urlsplit, urlunsplit

TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "igshid", "yclid",
        "_ga", "_gl", "ref", "ref_src", "amp", "share", "utm", "sessionid", "phpsessid",
        "sid", "jsessionid", "replytocom",
    }
)  # fmt: skip
_PERCENT = re.compile(r"%[0-9a-fA-F]{2}")
_SAFE_PATH = "/:@!$&'()*+,;=-._~"


def canonical(url: str, base: str | None = None) -> str:
    """One spelling of ``url`` (see :func:`_canonical`); memoized, as links repeat across
    every page of a site (menus, footers, related boxes)."""
    return _canonical(url, base)


@lru_cache(maxsize=4096)  # bounded: memory must not grow with the site
def _canonical(url: str, base: str | None = None) -> str:
    """One spelling of ``url``.

    Absolute (joined to ``base``), lower-case scheme and host, no default port, no fragment,
    no tracking or session parameters, sorted query, and upper-case percent escapes of the
    UTF-8 bytes of non-ASCII path characters. The trailing slash is kept as given: whether
    ``/a`` and ``/a/`` are the same page is the site's business (its redirect tells us).
    """
    if base:
        url = urljoin(base, url)
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    if ":" in host:  # an IPv6 address keeps its brackets
        host = f"[{host}]"
    port = parts.port
    netloc = host if port in (None, 80 if scheme == "http" else 443) else f"{host}:{port}"
    if scheme not in ("http", "https"):
        netloc = parts.netloc
    path = _normalize_path(parts.path) or "/"
    query = urlencode(
        sorted(
            (k, v)
            for k, v in parse_qsl(parts.query, keep_blank_values=True)
            if k.lower() not in TRACKING_PARAMS and not k.lower().startswith("utm_")
        )
    )
    return urlunsplit((scheme, netloc, path, query, ""))


def _normalize_path(path: str) -> str:
    # Decode, then re-encode: %d8%aa, %D8%AA and the raw character all become %D8%AA.
    return quote(unquote(path), safe=_SAFE_PATH)


NOT_NAVIGABLE = ("#", "javascript:", "mailto:", "tel:", "whatsapp:", "data:")


def navigable(href: str | None) -> bool:
    """True for an ``href`` that names a page (not a fragment, script, mail or phone link)."""
    return bool(href) and not str(href).lower().startswith(NOT_NAVIGABLE)


def same_page(a: str | None, b: str | None) -> bool:
    """True when two URLs name the same page as far as a site's own redirects go: equal but
    for the scheme, a leading ``www.`` and a trailing slash (after :func:`canonical`)."""
    if not a or not b:
        return False
    return _page_key(a) == _page_key(b)


def _page_key(url: str) -> tuple[str, str, str]:
    parts = urlsplit(canonical(url))
    return (parts.netloc.removeprefix("www."), parts.path.rstrip("/"), parts.query)


def page_variants(url: str) -> list[str]:
    """``url`` canonicalized, then the spellings :func:`same_page` treats as the same page
    (other trailing slash, with or without ``www.``, other scheme), for finding an archived
    article by a URL as a person typed it."""
    first = canonical(url)
    parts = urlsplit(first)
    if parts.scheme not in ("http", "https"):
        return [first]
    bare = parts.netloc.removeprefix("www.")
    path = parts.path.rstrip("/") or "/"
    paths = [parts.path] + [p for p in (path, path + "/") if p != parts.path and p != "//"]
    hosts = [parts.netloc] + [h for h in (bare, "www." + bare) if h != parts.netloc]
    schemes = [parts.scheme, "https" if parts.scheme == "http" else "http"]
    out = [
        urlunsplit((scheme, host, p, parts.query, ""))
        for scheme in schemes
        for host in hosts
        for p in paths
    ]
    return list(dict.fromkeys(out))


MAX_HOST = 253  # characters of a DNS name
_IGNORED_IN_URL = re.compile("[\t\n\r]")  # browsers drop these anywhere in a URL
_C0_OR_SPACE = "".join(map(chr, range(33)))  # and these at both ends


def web_url(url: str | None, base: str | None = None) -> str | None:
    """``url`` (joined to ``base``) in its canonical form when it is an http(s) URL with a
    valid host, else None: the one check every URL a page gives passes before it is stored
    as a link, an image, a translation, a canonical or a declared URL. A browser reads
    ``java\tscript:`` and `` JaVaScRiPt:`` as scripts; so does this, and refuses them."""
    if not url:
        return None
    url = _IGNORED_IN_URL.sub("", url).strip(_C0_OR_SPACE)
    try:
        if base:
            url = urljoin(base, url)
        parts = urlsplit(url)
        parts.port  # noqa: B018 - a port out of range or not a number raises here
    except ValueError:  # e.g. "http://[::1" (an IPv6 host not closed)
        return None
    host = parts.hostname or ""
    if parts.scheme.lower() not in ("http", "https") or not _valid_host(host):
        return None
    return canonical(url)


def _valid_host(host: str) -> bool:
    if not host or len(host) > MAX_HOST or host.startswith("."):
        return False
    if any(c.isspace() or c in '<>"{}|\\^`%' or ord(c) < 32 for c in host):
        return False
    return all(0 < len(label) <= 63 for label in host.rstrip(".").split("."))


def display(url: str) -> str:
    """``url`` with percent escapes decoded, for humans (logs, tables): an IRI. The archive
    and the exports keep the canonical, percent-encoded form; both are accepted as input."""
    return unquote(url)


URL_FIELDS = ("url", "next_url", "prev_url", "image")


def readable(record: dict[str, Any]) -> dict[str, Any]:
    """A record with its URLs decoded (:func:`display`), for a person to read."""
    out = dict(record)
    for name in URL_FIELDS:
        if out.get(name):
            out[name] = display(out[name])
    if isinstance(out.get("related"), list):
        out["related"] = [
            {**link, "url": display(link["url"])} if link.get("url") else link
            for link in out["related"]
        ]
    return out


def internal_host(host: str) -> bool:
    """True for a host a crawl must not be led to: a loopback, private, link-local or
    otherwise non-public IP literal, or a ``localhost`` name.

    >>> internal_host("127.0.0.2"), internal_host("[::1]"), internal_host("example.org")
    (True, True, False)
    """
    name = host.strip().strip("[]").lower().rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False
    return not address.is_global


def request_scope(
    start_url: str, hosts: set[str], allowed: Iterable[str] = ()
) -> Callable[[str], bool]:
    """The addresses a crawl started at ``start_url`` may request: its own ``hosts`` and the
    ``allowed`` ones, and never an internal address (:func:`internal_host`) unless the start
    URL itself is on one (a crawl of a loopback mirror, an intranet site)."""
    names = {h.lower().removeprefix("www.") for h in (*hosts, *allowed)}
    start_internal = internal_host(urlsplit(start_url).hostname or "")

    def in_scope(url: str) -> bool:
        try:
            parts = urlsplit(url)
            host = (parts.hostname or "").lower()
            port = parts.port
        except ValueError:
            return False
        if internal_host(host) and not start_internal:
            return False
        bare = host.removeprefix("www.")
        with_port = f"{bare}:{port}" if port else bare
        return bare in names or with_port in names

    return in_scope


# Second-level labels under which ccTLDs register names (example.co.uk, site.com.ma): a host's
# registrable domain then keeps three labels. A short, conservative list: a host it misses
# only narrows what a redirect may re-root a crawl to, it never widens it.
_SECOND_LEVEL = frozenset(
    "ac co com edu gob gouv gov govt net nic org press info ne or go mil ltd plc sch".split()  # noqa: SIM905
)


def registrable_domain(host: str) -> str | None:
    """The name a site registered for ``host`` (``news.sahara.ma`` -> ``sahara.ma``,
    ``www.bbc.co.uk`` -> ``bbc.co.uk``); None for an IP literal, ``localhost`` or a bare
    label, which no other host shares.

    >>> registrable_domain("news.sahara.ma"), registrable_domain("127.0.0.1")
    ('sahara.ma', None)
    """
    name = host.strip().strip("[]").lower().rstrip(".").split(":")[0]
    if not name or internal_host(name):
        return None
    try:
        ipaddress.ip_address(name)
        return None
    except ValueError:
        pass
    labels = name.split(".")
    if len(labels) < 2:
        return None
    keep = 3 if len(labels) >= 3 and labels[-2] in _SECOND_LEVEL and len(labels[-1]) == 2 else 2
    return ".".join(labels[-keep:])


def same_registrable_domain(url: str, hosts: Iterable[str]) -> bool:
    """True when ``url``'s host belongs to the same registered domain as one of ``hosts``
    (another subdomain, ``www.``, the bare domain): the same site moved within its name."""
    try:
        domain = registrable_domain(urlsplit(url).hostname or "")
    except ValueError:
        return False
    return domain is not None and any(registrable_domain(h) == domain for h in hosts)
