"""The fetcher: the only module that touches the network.

Each host gets a small httpx connection pool (:class:`httpx.AsyncHTTPTransport`, HTTP/1.1),
direct or through the proxy the environment names (``HTTP_PROXY``, ``HTTPS_PROXY``,
``ALL_PROXY``, ``NO_PROXY``). The fetcher talks to the transport directly rather than through
``httpx.AsyncClient``: it follows redirects itself (robots.txt is checked on every hop), keeps
no cookies (a crawl is stateless), and so skips the client's per-request work, which was a
third of the crawler's network CPU. Around it:

- **politeness per host**: at most ``concurrency`` requests in flight, request
  *starts* spaced by at least the host's delay (``max(delay, robots Crawl-delay)``, doubled
  after each 429/503 and decaying back on successes), plus a global cap across hosts;
- **a backlog bound** (``backlog.py``): at most ``backlog`` pages fetched and not yet handled
  by the caller, over all hosts; a place is taken after the politeness wait and held only
  while a page is in hand (not across retries, redirects or robots.txt);
- **robots.txt** fetched once per origin and checked on every redirect hop;
- **retries** with tenacity (exponential backoff, full jitter, ``Retry-After`` honoured);
- **caps** on body size (after decompression), redirects and time per attempt;
- **conditional GET** (``If-None-Match`` / ``If-Modified-Since``);
- **decoding** of text bodies with :func:`scraper.encoding.decode_html`.

:meth:`Fetcher.fetch` never raises for a problem with one URL: it returns a
:class:`FetchResult` whose ``error`` says what went wrong. Only :class:`HostBlocked` (a host
that keeps refusing us) and programming errors propagate.
"""

from __future__ import annotations

from .._config import DEFAULT_USER_AGENT
from .._exceptions import HostBlocked
from . import _lean  # noqa: F401  (before httpx)
from .backlog import Backlog, Ticket
from .client import Fetcher
from .results import (
    DISALLOWED,
    OUT_OF_SCOPE,
    ROBOTS_UNAVAILABLE,
    Exchange,
    FetchResult,
    FetchStats,
    Recorder,
    RobotsInfo,
    make_user_agent,
    parse_retry_after,
)

__all__ = [
    "DEFAULT_USER_AGENT",
    "DISALLOWED",
    "OUT_OF_SCOPE",
    "ROBOTS_UNAVAILABLE",
    "Backlog",
    "Exchange",
    "FetchResult",
    "FetchStats",
    "Fetcher",
    "HostBlocked",
    "Recorder",
    "RobotsInfo",
    "Ticket",
    "make_user_agent",
    "parse_retry_after",
]
