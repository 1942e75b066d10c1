"""Dask as the engine past one process: backfill and re-extraction on a cluster.

Workers do the CPU work (read a WARC shard and extract its pages, or re-extract a batch of
stored pages) and send the results back; this process, the client, is the archive's only writer
and stores them in the order of the input, in batched transactions, so a run on a cluster gives
the same archive as a run in one process. ``workers`` starts a :class:`distributed.LocalCluster`
of that many single-threaded processes on this machine; ``scheduler`` connects to a running
cluster instead (``dask scheduler`` + ``dask worker tcp://HOST:8786`` on each machine, or
dask-jobqueue on SLURM/PBS): every worker must have ``scraper`` installed and read the WARC files
at the same paths (a shared file system).

Needs ``pip install 'scraper[scale]'`` (dask and distributed).
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from itertools import islice
from typing import Any, TypeVar

from ._exceptions import UsageError
from .article import Article
from .extract import extract
from .reextract import ReextractSummary, _profile, _when, kept_dates
from .store import Store, StoredPage
from .warc.reader import read_capture

__all__ = ["dask_map", "reextract_dask"]

log = logging.getLogger(__name__)
_In = TypeVar("_In")
_Out = TypeVar("_Out")
REEXTRACT_BATCH = 200  # pages per task
QUIET_CLUSTER = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.system-monitor.interval": "2s",
    "distributed.worker.memory.monitor-interval": "1s",
}


def _client(workers: int, scheduler: str | None) -> tuple[Any, Any]:
    """A Dask client and the LocalCluster it owns (None with ``scheduler``)."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise UsageError("the dask engine needs dask: pip install 'scraper[scale]'") from None
    if scheduler:
        try:
            return Client(scheduler, timeout="20s"), None
        except (OSError, TimeoutError, ValueError) as exc:
            raise UsageError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
    if workers < 1:
        raise UsageError(f"workers must be at least 1, not {workers}")
    import dask

    # The cluster shares this machine's cores with the work: no statistical profiler in the
    # workers, and the event-loop watchdogs, system and memory monitors (in this process and
    # each worker) wake up a second or two apart rather than many times a second.
    with dask.config.set(QUIET_CLUSTER):
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        )
        return Client(cluster), cluster


def dask_map(
    function: Callable[..., _Out],
    items: Iterable[_In],
    *args: Any,
    workers: int = 2,
    scheduler: str | None = None,
    window: int | None = None,
) -> Iterator[_Out]:
    """``function(item, *args)`` for each item on Dask workers, yielded in the order of
    ``items``; at most ``window`` tasks are in flight (default: 3 per worker), so memory stays
    bounded however many items there are."""
    client, cluster = _client(workers, scheduler)
    try:
        size = window or max(2, 3 * len(client.scheduler_info().get("workers", {}) or [0]))
        pending: deque[Any] = deque()
        source = iter(items)
        for item in islice(source, size):
            pending.append(client.submit(function, item, *args, pure=False))
        while pending:
            future = pending.popleft()
            result = future.result()
            future.release()
            for item in islice(source, 1):
                pending.append(client.submit(function, item, *args, pure=False))
            yield result
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


# ---------------------------------------------------------------------- re-extraction
@dataclass(frozen=True)
class _Job:
    """One stored page to re-extract; ``location`` when its bytes are in a WARC file."""

    page: StoredPage
    location: tuple[str, int] | None = None


_Outcome = tuple[StoredPage | None, Article | None, list[str]]


def _reextract_batch(jobs: list[_Job]) -> list[_Outcome]:
    """Re-extract a batch of pages (on a worker): (page, article or None, notes) each; the
    page is None when its WARC file cannot be read."""
    out: list[_Outcome] = []
    for job in jobs:
        page = job.page
        notes = ReextractSummary()
        if job.location is not None:
            try:
                content = read_capture(*job.location).payload
            except UsageError as exc:
                out.append((None, None, [f"pages in {job.location[0]} left as they are: {exc}"]))
                continue
            page = replace(page, content=content)
        url = page.final_url or page.url
        article = extract(page.content, url, _profile(page, notes), fetched_at=_when(page))
        if article.is_article:
            article = kept_dates(page, article)
            article.site = page.site
            out.append((replace(page, content=b""), article, notes.messages))
        else:
            out.append((replace(page, content=b""), None, notes.messages))
    return out


def _jobs(store: Store, site: str | None) -> Iterator[list[_Job]]:
    batch: list[_Job] = []
    for page in store.article_pages(site):
        batch.append(_Job(page))
        if len(batch) >= REEXTRACT_BATCH:
            yield batch
            batch = []
    for kept in store.warc_pages(site):
        batch.append(_Job(kept.page, (kept.file, kept.offset)))
        if len(batch) >= REEXTRACT_BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def reextract_dask(
    store: Store,
    site: str | None = None,
    *,
    workers: int = 2,
    scheduler: str | None = None,
    progress: Callable[[ReextractSummary], None] | None = None,
) -> ReextractSummary:
    """:func:`scraper.reextract.reextract` with the extraction on Dask workers: the same
    outcome, written by this process in the order of the pages, one transaction per batch.

    The pages are read in batches while results come back (each batch is a fresh query by
    rowid, so the writes in between do not disturb the reading)."""
    summary = ReextractSummary()
    batches = _jobs(store, site)
    for results in dask_map(_reextract_batch, batches, workers=workers, scheduler=scheduler):
        with store.db.atomic():
            for page, article, notes in results:
                for note in notes:
                    if note not in summary.messages:
                        summary.messages.append(note)
                if page is None:  # its WARC file is gone
                    continue
                summary.pages += 1
                if article is None:
                    summary.not_articles += 1
                    continue
                outcome = store.save_reextracted(page, article)
                setattr(summary, outcome, getattr(summary, outcome) + 1)
        if progress is not None:
            progress(summary)
    return summary
