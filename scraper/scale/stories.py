"""Clustering a whole archive again: ``scraper stories --rebuild`` (and ``--catch-up``, for
the articles in no story yet, e.g. after an import or an upgrade from schema 11).

Articles are taken in publication order, in batches of one transaction each, and clustered
exactly as at archive time (:meth:`scraper.store.Store.cluster_article`). With the Dask
engine the fingerprints (folding, stemming, hashing: the CPU-bound half) are computed on the
workers and the archive's one writer does the candidate lookups and comparisons; a killed
rebuild resumes with ``--catch-up``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from ..sketch import Fingerprint, fingerprint

if TYPE_CHECKING:
    from ..store import Store

__all__ = ["fingerprints", "rebuild"]


def fingerprints(batch: list[tuple[int, str]]) -> list[Fingerprint | None]:
    """The fingerprints of a batch of (id, body) (on a worker)."""
    return [fingerprint(body) for _, body in batch]


def rebuild(
    store: Store,
    *,
    engine: str = "local",
    workers: int = 2,
    scheduler: str | None = None,
    fresh: bool = True,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Cluster the archive's articles (all of them when ``fresh``, else those in no story
    yet); returns how many were clustered."""
    if fresh:
        store.clear_stories()
    if engine == "local":
        return store.cluster_pending(progress)
    from .cluster import dask_map

    done = 0
    batches: list[list[tuple[int, str]]] = []

    def source() -> Iterator[list[tuple[int, str]]]:
        for batch in store.unclustered():
            batches.append(batch)
            yield batch

    with store.clustering_cache():
        for found in dask_map(fingerprints, source(), workers=workers, scheduler=scheduler):
            batch = batches.pop(0)
            store.cluster_batch(batch, found)
            done += len(batch)
            if progress is not None:
                progress(done)
    return done
