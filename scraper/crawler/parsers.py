"""Parser processes: article pages parsed beside the crawl, on the other cores.

Extraction is pure (HTML and URL in, an :class:`~scraper.crawler.parse.Parsed` out), so it can
run in worker processes while the crawl's processing thread keeps the one archive writer. One core
parses about 140 article pages a second; a collection of a few hundred hosts at one request a
second each needs more. :func:`parser_pool` starts a small
:class:`~concurrent.futures.ProcessPoolExecutor`; the crawler sends it article pages
(:meth:`scraper.crawler.engine.Crawler._parse_apart`) and writes what comes back.

Workers start from a fork server that has imported the parser once (no re-import per
worker, no fork of a process with running threads), where the platform has one.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from multiprocessing.context import BaseContext

__all__ = ["default_parsers", "parser_pool", "resolve_parsers"]


def default_parsers() -> int:
    """One parser process per CPU core this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def resolve_parsers(setting: int | None, *, sites: int) -> int:
    """The parser processes a crawl of ``sites`` sites uses: the ``parsers`` setting when
    given (0: none, parse on the processing thread); else one per core for a collection and
    none for one site (one site at its politeness delay never keeps a core busy)."""
    if setting is not None:
        return setting
    return default_parsers() if sites > 1 else 0


@contextmanager
def parser_pool(processes: int) -> Iterator[ProcessPoolExecutor | None]:
    """A pool of ``processes`` parser processes (None for 0), shut down on exit."""
    if processes <= 0:
        yield None
        return
    context: BaseContext = multiprocessing.get_context("spawn")
    if "forkserver" in multiprocessing.get_all_start_methods():
        server = multiprocessing.get_context("forkserver")
        server.set_forkserver_preload(["scraper.crawler.parse"])
        context = server
    pool = ProcessPoolExecutor(processes, mp_context=context)
    try:
        yield pool
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
