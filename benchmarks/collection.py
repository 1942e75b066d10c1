"""Collection benchmark: one process against a 2-worker Dask cluster, when one process is
CPU-bound.

Starts ``benchmarks/synthetic_site.py`` (``--hosts`` sites, one loopback port each) in a
subprocess, then crawls all of them as one collection (``crawl_collection`` in
``scraper.crawler.collection``: every site at once on one fetcher, no delay, so the CPU is
the bound) three ways, each into a fresh archive, each in a fresh Python process:

- ``local, parsing in-process``: one process, ``parsers=0`` (the engine before parser processes);
- ``local, N parser processes``: one process, article pages parsed in a process pool (default);
- ``dask, 2 workers``: the sites split over a 2-worker LocalCluster, each worker crawling its
  group into a shard that the client merges (``scraper crawl --engine dask``).

Printed per run: pages, wall seconds, pages/s, its ratio to the in-process run, the CPU seconds
of the whole process tree (the benchmark's children: crawl process, parser processes, Dask
workers; the synthetic server excluded) and the load average before it. Usage::

    python benchmarks/collection.py                      # 8 hosts x 150 pages, about 2 min
    python benchmarks/collection.py --hosts 16 --pages 100 --runs local,dask

Flags: ``--hosts N`` (8), ``--pages N`` pages per host (150), ``--articles N`` per host (400),
``--latency S`` server latency (0.01), ``--runs`` (``inline,local,dask``), ``--json``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SERVER = HERE / "synthetic_site.py"


def child(args: argparse.Namespace) -> dict[str, Any]:
    """One measurement, in this (fresh) process."""
    from scraper import Settings
    from scraper.crawler.collection import crawl_collection
    from scraper.scale.collection import crawl_collection_dask

    settings = Settings(delay=0, concurrency=2, workers=4, max_pages=args.pages, timeout=30.0)
    sites: list[str | Any] = list(args.urls)
    db = Path(args.workdir) / f"{args.child}.db"
    started = time.perf_counter()
    if args.child == "dask":
        result = crawl_collection_dask(sites, db, settings=settings, workers=2)
    else:
        parsers = 0 if args.child == "inline" else None
        result = crawl_collection(sites, db, settings=settings.replace(parsers=parsers))
    wall = time.perf_counter() - started
    total = result.total()
    return {
        "pages": total["pages_fetched"],
        "articles": total["articles_new"] + total["articles_updated"],
        "seconds": wall,
        "status": result.status,
    }


def tree_cpu() -> float:
    """CPU seconds of this process and its waited-for children."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def measure(args: argparse.Namespace, kind: str, urls: list[str], workdir: str) -> dict[str, Any]:
    """Run one measurement in a child process; its CPU counts every process it started."""
    command = [sys.executable, __file__, "--child", kind, "--workdir", workdir,
               "--pages", str(args.pages), "--urls", ",".join(urls)]  # fmt: skip
    load = os.getloadavg()[0]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"benchmark child failed ({kind}):\n{done.stderr[-4000:]}")
    row = json.loads(done.stdout.strip().splitlines()[-1])
    row["cpu"] = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    row["load"] = load
    return row


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Collection benchmark (see the docstring).")
    parser.add_argument("--hosts", type=int, default=8)
    parser.add_argument("--same-content", action="store_true", help="every host the same articles")
    parser.add_argument("--pages", type=int, default=150)
    parser.add_argument("--articles", type=int, default=400)
    parser.add_argument("--latency", type=float, default=0.01)
    parser.add_argument("--runs", default="inline,local,dask")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    parser.add_argument("--urls", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        args.urls = args.urls.split(",")
        print(json.dumps(child(args)))
        return
    command = [sys.executable, str(SERVER), "--articles", str(args.articles),
               "--hosts", str(args.hosts), "--latency", str(args.latency)]  # fmt: skip
    if args.same_content:
        command.append("--same-content")
    server = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    rows = []
    try:
        assert server.stdout is not None
        urls = json.loads(server.stdout.readline())["base_urls"]
        latency = f"{args.latency * 1000:.0f} ms"
        print(f"{args.hosts} synthetic sites, {args.pages} pages each, no delay, latency "
              f"{latency}: the CPU is the bound; {os.cpu_count()} cores")  # fmt: skip
        for kind in args.runs.split(","):
            with tempfile.TemporaryDirectory(prefix="scraper-collection-") as workdir:
                rows.append({"run": kind, **measure(args, kind, urls, workdir)})
    finally:
        assert server.stdin is not None
        server.stdin.close()
        server.wait(timeout=10)
    names = {"inline": "local, parsing in-process", "local": "local, parser processes",
             "dask": "dask, 2 workers"}  # fmt: skip
    first = rows[0]["pages"] / rows[0]["seconds"]
    print(f"{'run':<28} {'pages':>6} {'wall s':>7} {'pages/s':>8} {'ratio':>6} {'CPU s':>6} "
          f"{'load':>5}")  # fmt: skip
    for row in rows:
        rate, name = row["pages"] / row["seconds"], names.get(row["run"], row["run"])
        print(f"{name:<28} {row['pages']:>6} {row['seconds']:>7.1f} {rate:>8.1f} "
              f"{rate / first:>6.2f} {row['cpu']:>6.1f} {row['load']:>5.2f}")  # fmt: skip
    if args.json:
        print(json.dumps({"options": vars(args), "runs": rows}))


if __name__ == "__main__":
    main()
