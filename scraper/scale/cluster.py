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
from itertools import islice
from typing import Any, TypeVar

from .._exceptions import UsageError

__all__ = ["dask_map"]

log = logging.getLogger(__name__)
_In = TypeVar("_In")
_Out = TypeVar("_Out")
QUIET_CLUSTER = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.system-monitor.interval": "2s",
    "distributed.worker.memory.monitor-interval": "1s",
}


def client_of(workers: int, scheduler: str | None) -> tuple[Any, Any]:
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
    client, cluster = client_of(workers, scheduler)
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
