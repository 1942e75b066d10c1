"""A collection on Dask: its sites spread over the workers of a cluster
(``scraper crawl --sites FILE --engine dask [--scheduler tcp://HOST:8786]``).

The sites are dealt round-robin into one group per worker. A site is in one group only and no
two sites share a host (checked first), so a host is crawled by one worker only and politeness
holds across the cluster. Each group is one task: its worker crawls the group as a collection
(:func:`scraper.crawler.collection.crawl_collection`) into its own *shard* archive and returns the
summaries; this process, the client and the archive's only writer, merges each shard into the
archive as its task finishes (``scraper import``'s code: :func:`scraper.scale.merge.merge_archive`)
and records a run per site and the collection's.

A shard is named after its sites and kept after the merge: it holds the group's frontier, so
the next run with the same sites and workers is incremental, and a task whose worker dies is
run again by Dask on another worker and resumes from the shard (the crawl's own resume: the
frontier is in the shard, every article one transaction). Shards live in ``shards`` (default
``<archive>.shards/`` beside the archive): a folder every worker can write and the client can
read, i.e. the local disk for a LocalCluster, a shared file system (home, scratch) on a cluster.

Needs ``pip install 'scraper[scale]'``.
"""

from __future__ import annotations

import hashlib
import logging
import time
from pathlib import Path
from typing import Any

from .._config import Settings
from .._exceptions import UsageError
from ..crawler.collection import (
    CollectionSummary,
    Plan,
    check_distinct,
    crawl_collection,
    finish_record,
    plan_site,
    site_summary,
)
from ..crawler.sitelist import SiteSpec
from ..crawler.summary import CrawlSummary
from ..store import DEFAULT_DB, Store
from ..store.lock import ArchiveLock
from .merge import merge_archive

__all__ = ["crawl_collection_dask", "crawl_shard", "groups_of"]

log = logging.getLogger(__name__)


def groups_of(specs: list[SiteSpec], count: int) -> list[list[SiteSpec]]:
    """``specs`` dealt round-robin into at most ``count`` non-empty groups, in order."""
    count = max(1, min(count, len(specs)))
    return [specs[start::count] for start in range(count)]


def shard_name(specs: list[SiteSpec]) -> str:
    """A stable file name for the shard of a group: the same sites, the same shard."""
    key = "\n".join(sorted(spec.target for spec in specs))
    return f"shard-{hashlib.sha1(key.encode()).hexdigest()[:12]}.db"


def crawl_shard(specs: list[SiteSpec], shard: str, settings: Settings) -> CollectionSummary:
    """On a worker: crawl a group of sites into its shard archive. No parser processes: the
    cluster's workers are the processes (and a daemonic worker may not start children)."""
    Path(shard).parent.mkdir(parents=True, exist_ok=True)
    return crawl_collection(specs, shard, settings=settings.replace(parsers=0))


def crawl_collection_dask(
    sites: list[str | SiteSpec],
    db: str | Path = DEFAULT_DB,
    *,
    settings: Settings | None = None,
    workers: int = 2,
    scheduler: str | None = None,
    shards: str | Path | None = None,
) -> CollectionSummary:
    """Crawl a collection on Dask (a LocalCluster of ``workers`` processes, or the cluster
    at ``scheduler``) into ``db``; returns the same :class:`CollectionSummary` as a local run.
    Bad input raises before any worker starts; a group whose task fails (its worker died
    more often than Dask retries) ends its sites as ``failed``, the others go on."""
    from .cluster import client_of

    base = settings or Settings()
    specs = [s if isinstance(s, SiteSpec) else SiteSpec(s, where=f"site {s!r}") for s in sites]
    if not specs:
        raise UsageError("no site to crawl")
    plans = [plan_site(spec, base) for spec in specs]
    check_distinct(plans)
    path = Path(db)
    folder = Path(shards) if shards is not None else path.with_name(path.name + ".shards")
    started = time.monotonic()
    with Store(path) as store, ArchiveLock(path):
        client, cluster = client_of(workers, scheduler)
        try:
            count = len(client.scheduler_info().get("workers", {})) or workers
            groups = groups_of(specs, count)
            names = [plan.site.name for plan in plans]
            result = CollectionSummary(run_id=store.start_collection(names, base.to_dict()))
            by_target = {plan.spec.target: plan for plan in plans}
            futures = {}
            for group in groups:
                shard = (folder / shard_name(group)).resolve()
                future = client.submit(crawl_shard, group, str(shard), base, pure=False)
                futures[future] = (group, shard)
            summaries: dict[str, CrawlSummary] = {}
            from distributed import as_completed

            for future in as_completed(list(futures)):
                group, shard = futures[future]
                summaries.update(_merge_group(store, future, group, shard, by_target))
                future.release()
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
        result.sites = [summaries[plan.site.name] for plan in plans]
        finish_record(store, result, started)
    return result


def _merge_group(
    store: Store,
    future: Any,
    group: list[SiteSpec],
    shard: Path,
    by_target: dict[str, Plan],
) -> dict[str, CrawlSummary]:
    """A finished group: merge its shard, record its sites' runs; their summaries by name."""
    try:
        done: CollectionSummary | BaseException = future.result()
    except Exception as exc:  # the task failed for good (a worker died too often, a bug)
        done = exc
    if shard.exists():
        merged = merge_archive(shard, store)
        log.info("merged %s: %d new, %d updated", shard.name, merged.new, merged.updated)
    out = {}
    for n, spec in enumerate(group):
        plan = by_target[spec.target]
        outcome = done.sites[n] if isinstance(done, CollectionSummary) else done
        summary = site_summary(plan.site, outcome)
        profile = plan.site.profile
        site_id = store.ensure_site(
            plan.site.name,
            plan.site.base_url,
            profile.name if profile else None,
            profile.timezone if profile else None,
        )
        options = {"base_url": plan.site.base_url, **plan.settings.to_dict(), "shard": str(shard)}
        run_id = store.start_run(site_id, options)
        message = "; ".join(summary.messages) or None
        store.finish_run(run_id, summary.status, summary.counts(), message)
        out[plan.site.name] = summary
    return out
