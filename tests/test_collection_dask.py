"""A collection on Dask: a real 2-worker LocalCluster gives the archive the local engine gives,
and a worker killed mid-crawl loses nothing."""

from __future__ import annotations

import json
import os
import signal
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from scraper import Settings
from scraper.cli import main
from scraper.crawler.sitelist import SiteSpec
from scraper.mirror import MirrorServer
from scraper.scale.collection import crawl_collection_dask, groups_of
from scraper.store import Store

from .faultserver import FaultServer
from .sites.lejournal import LeJournalServer
from .test_collection import unavailable_app

pytest.importorskip("distributed")

FAST = ["--delay", "0", "--concurrency", "4", "--workers", "8", "--backoff-base", "0.01"]
FIELDS = ("url", "site", "title", "subtitle", "body", "published_at", "authors", "categories",
          "tags", "language", "revision")  # fmt: skip


def content(db: Path) -> list[tuple]:
    with Store(db) as store:
        return sorted(tuple(json.dumps(r[f]) for f in FIELDS) for r in store.records())


@pytest.fixture(scope="module")
def sites(mirror: MirrorServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    tmp = tmp_path_factory.mktemp("dask-sites")
    with LeJournalServer() as journal, FaultServer(unavailable_app) as down:
        path = tmp / "press.toml"
        path.write_text(
            f'[[site]]\nurl = "{mirror.base_url}/ar/"\nprofile = "sahara.ma"\n\n'
            f'[[site]]\nurl = "{journal.base_url}/"\n\n'
            f'[[site]]\nurl = "{down.base_url}/"\n',
            encoding="utf-8",
        )
        yield path


def test_dask_gives_the_archive_the_local_engine_gives(sites, tmp_path):
    local, spread = tmp_path / "local.db", tmp_path / "dask.db"
    one = CliRunner().invoke(main, ["crawl", "--sites", str(sites), "--db", str(local), *FAST])
    args = ["crawl", "--sites", str(sites), "--db", str(spread), *FAST, "--json"]
    two = CliRunner().invoke(main, [*args, "--engine", "dask", "--dask-workers", "2"])
    assert one.exit_code == two.exit_code == 4, two.output  # the 503 site blocks us in both
    report = json.loads(two.stdout.strip().splitlines()[-1])
    assert [s["status"] for s in report["sites"]] == ["ok", "ok", "blocked"]
    got = content(spread)
    assert got == content(local) and len(got) == 74 + 30
    shards = sorted((tmp_path / "dask.db.shards").glob("shard-*.db"))
    assert len(shards) == 2  # one per worker, each its sites' frontier for the next run
    with Store(spread) as store:
        runs = store.runs()
    assert len(runs) == 3 and {r["collection_run"] for r in runs} == {1}
    # A second run is incremental: the shards hold each group's frontier.
    again = CliRunner().invoke(main, [*args, "--engine", "dask", "--dask-workers", "2"])
    report = json.loads(again.stdout.strip().splitlines()[-1])
    assert report["total"]["articles_new"] == 0 and report["total"]["articles_updated"] == 0
    assert content(spread) == got


def test_groups_never_split_a_site():
    specs = [SiteSpec(f"https://site{n}.example/") for n in range(5)]
    groups = groups_of(specs, 2)
    assert [len(g) for g in groups] == [3, 2]
    assert sorted(s.target for g in groups for s in g) == sorted(s.target for s in specs)
    assert len(groups_of(specs[:1], 4)) == 1


def test_a_worker_killed_mid_crawl_loses_nothing(tmp_path):
    """The worker crawling Le Journal (paced to take a few seconds) is SIGKILLed; Dask runs
    its task again on a fresh worker, which resumes from the shard: every article is there."""
    from distributed import Client, LocalCluster

    db = tmp_path / "killed.db"
    with LeJournalServer() as journal:
        spec = SiteSpec(f"{journal.base_url}/", delay=0.08)
        settings = Settings(delay=0, concurrency=2, workers=4, backoff_base=0.01)
        with LocalCluster(n_workers=1, threads_per_worker=1, dashboard_address=None) as cluster:
            address = cluster.scheduler_address
            with Client(address) as watcher:
                pid = next(iter(watcher.run(os.getpid).values()))
            done, killed = threading.Event(), threading.Event()

            def kill_mid_crawl() -> None:  # once the worker has fetched 15 pages
                while not done.wait(0.02):
                    if len(journal.requests) >= 15:
                        os.kill(pid, signal.SIGKILL)
                        killed.set()
                        return

            killer = threading.Thread(target=kill_mid_crawl)
            killer.start()
            try:
                result = crawl_collection_dask([spec], db, settings=settings, scheduler=address)
            finally:
                done.set()
                killer.join()
        paths = journal.site.article_paths()
    assert killed.is_set()
    assert result.sites[0].status == "ok"
    (shard,) = (tmp_path / "killed.db.shards").glob("shard-*.db")
    with Store(shard) as store:  # the killed run, then the one that resumed from the shard
        assert [r["status"] for r in reversed(store.runs())] == ["interrupted", "ok"]
    with Store(db) as store:
        archived = {r["url"].split("/", 3)[3] for r in store.records()}
    assert archived == {p.lstrip("/") for p in paths}
