"""Backfill throughput benchmark: a generated WARC set through ``scraper.scale.backfill``.

Generates a set of WARC files (gzip per record, written with the project's own
:class:`scraper.warc.WarcWriter`) in a temporary folder: synthetic news articles from
``benchmarks/synthetic_site.py`` on several hosts, each capture as a request + response pair,
with non-article records mixed in (listing pages, 404s, images, robots.txt, revisits,
metadata). Then, on the same files:

1. **baseline** (this process): pure extraction, ``scraper.extract(html, url)`` on every
   article page, the HTML already decoded in memory, timed around the call only;
2. **local**: ``backfill(engine="local")`` into a fresh archive: reading, digests, extraction,
   the archive writes;
3. **dask**: ``backfill(engine="dask", workers=2)`` on a LocalCluster of two process workers, at
   half the input and at the full input (peak RSS per worker at both sizes: flat means memory
   does not grow with the input).

Prints a table: records, wall seconds, records/s, CPU seconds, peak RSS and the load average
before each run, and the ratios: the overhead of reading + storing over pure extraction (target
<= 15 %): by CPU within the local run itself (its CPU time against the CPU time spent inside
``extract`` during that run: the same moment, so other jobs on the machine skew it least), and
against the separate baseline by CPU and by wall time; the
dask speed-up over one process (wall-clock on this machine, and what the CPU times give on idle
cores: the client's CPU plus the workers' over the cores; target >= 1.7x on two cores).

Usage::

    python benchmarks/backfill.py                 # 50,000 records, about 4 minutes on 2 cores
    python benchmarks/backfill.py --records 100000 --hosts 8 --json

Flags: ``--records N`` (50000) · ``--hosts N`` (4) · ``--workers N`` dask workers (2) ·
``--shard-mb N`` (8) · ``--file-mb N`` WARC file size (100) · ``--keep DIR`` keep the files ·
``--skip-dask`` · ``--json``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from synthetic_site import SiteSpec  # noqa: E402

from scraper import extract  # noqa: E402
from scraper.scale.backfill import backfill  # noqa: E402
from scraper.warc import WarcWriter, warc_date  # noqa: E402

HTML = [("Content-Type", "text/html; charset=utf-8"), ("Server", "bench")]
START = datetime(2024, 6, 1, tzinfo=UTC)


def captures(records: int, hosts: int, seed: int = 7) -> Iterator[tuple[str, Any]]:
    """(kind, data) of every record to write, about ``records`` of them in all."""
    spec = SiteSpec(articles=10**7, seed=seed)
    rng = random.Random(seed)
    written = 0
    n = 0
    while written < records:
        host = f"news{n % hosts}.example"
        i = n // hosts
        when = START + timedelta(seconds=30 * n)
        path = spec.article_path(i)
        url = f"https://{host}{path}"
        yield "pair", (url, path, 200, HTML, spec.render(path)[2], when)
        written += 2
        roll = rng.random()
        if roll < 0.25:  # a listing page: HTML, not an article
            listing = spec.listing_path(i % spec.sections, 1 + i % 5)
            body = spec.render(listing)[2]
            yield "pair", (f"https://{host}{listing}", listing, 200, HTML, body, when)
            written += 2
        elif roll < 0.35:
            yield "response", (f"https://{host}/gone-{i}/", 404, HTML, b"<h1>Not found</h1>", when)
            written += 1
        elif roll < 0.45:
            image = [("Content-Type", "image/jpeg")]
            jpeg = rng.randbytes(2000)
            yield "response", (f"https://{host}/img/{i}.jpg", 200, image, jpeg, when)
            written += 1
        elif roll < 0.50:
            yield "revisit", (url, when)
            written += 1
        elif roll < 0.53:
            yield "metadata", (url, when)
            written += 1
        if n < hosts:
            robots = b"User-agent: *\nAllow: /\n"
            text = [("Content-Type", "text/plain")]
            yield "response", (f"https://{host}/robots.txt", 200, text, robots, when)
            written += 1
        n += 1


def generate(folder: Path, records: int, hosts: int, file_mb: int) -> tuple[list[Path], int]:
    """Write the WARC set; returns the files and the number of records written."""
    count = 0
    with WarcWriter(folder, prefix="bench", max_size=file_mb * 1_000_000) as writer:
        for kind, data in captures(records, hosts):
            if kind == "pair":
                url, path, status, headers, body, when = data
                date = warc_date(when)
                writer.write(writer.request_record(url, target=path, date=date))
                writer.write(
                    writer.response_record(
                        url, status=status, headers=headers, body=body, date=date
                    )
                )
                count += 2
            elif kind == "response":
                url, status, headers, body, when = data
                record = writer.response_record(
                    url, status=status, headers=headers, body=body, date=warc_date(when)
                )
                writer.write(record)
                count += 1
            elif kind == "revisit":
                url, when = data
                record = writer.revisit_record(
                    url,
                    payload_digest="sha1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                    refers_to_url=url,
                    refers_to_date=warc_date(when),
                    headers=HTML,
                    date=warc_date(when + timedelta(days=1)),
                )
                writer.write(record)
                count += 1
            else:
                url, when = data
                writer.write(writer.metadata_record(url, {"via": url}, date=warc_date(when)))
                count += 1
    return writer.files, count


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def baseline(records: int, hosts: int) -> dict[str, Any]:
    """Pure extraction of every article page of the set, in this process (wall and CPU time
    around the call only)."""
    spent = cpu = 0.0
    pages = 0
    for kind, data in captures(records, hosts):
        if kind != "pair":
            continue
        url, _path, _status, _headers, body, when = data
        if "/section/" in url:  # listing pages are extracted too (and found not articles)
            pass
        text = body.decode("utf-8")
        started, thread = time.perf_counter(), time.thread_time()
        extract(text, url, None, fetched_at=when)
        spent += time.perf_counter() - started
        cpu += time.thread_time() - thread
        pages += 1
    return {"pages": pages, "seconds": spent, "cpu": cpu}


class ExtractTimer:
    """Wraps the ``extract`` the backfill calls (``scraper.crawler.parse.extract``) to add up
    the CPU
    time spent inside it: the pure-extraction share of the very same run."""

    def __init__(self) -> None:
        import importlib

        self.module = importlib.import_module("scraper.crawler.parse")
        self.inner = self.module.extract
        self.cpu = 0.0

    def __enter__(self) -> ExtractTimer:
        self.module.extract = self  # type: ignore[assignment]
        return self

    def __exit__(self, *exc: object) -> None:
        self.module.extract = self.inner

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        started = time.thread_time()
        try:
            return self.inner(*args, **kwargs)
        finally:
            self.cpu += time.thread_time() - started


def timed_backfill(files: list[Path], db: Path | None, **options: Any) -> dict[str, Any]:
    load = os.getloadavg()[0]
    started, cpu = time.perf_counter(), cpu_seconds()
    summary = backfill(files, db, **options)
    seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    return {
        "client_cpu": cpu,
        "shard_cpu": summary.shard_cpu_seconds,
        "load_before": load,
        "records": summary.records,
        "kept": summary.kept,
        "stored": summary.stored,
        "seconds": seconds,
        "records_per_s": summary.records / seconds,
        "peak_worker_rss_mb": summary.peak_worker_rss / 2**20,
        "status": summary.status,
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Backfill throughput (see the docstring).")
    parser.add_argument("--records", type=int, default=50_000)
    parser.add_argument("--hosts", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--shard-mb", type=int, default=8)
    parser.add_argument("--file-mb", type=int, default=100)
    parser.add_argument("--keep", type=Path)
    parser.add_argument("--skip-dask", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="scraper-backfill-bench-") as tmp:
        root = args.keep or Path(tmp)
        root.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        half_files, half_count = generate(
            root / "half", args.records // 2, args.hosts, args.file_mb
        )
        files, count = generate(root / "full", args.records, args.hosts, args.file_mb)
        size = sum(f.stat().st_size for f in files) / 1e6
        print(
            f"generated {count:,} records ({size:.0f} MB in {len(files)} files, {args.hosts} hosts)"
            f" + a half set of {half_count:,} in {time.perf_counter() - started:.0f}s",
            file=sys.stderr,
        )
        shard = args.shard_mb * 1_000_000
        rows: dict[str, dict[str, Any]] = {}
        base = baseline(args.records, args.hosts)
        print(
            f"baseline: {base['pages']:,} pages extracted in {base['seconds']:.1f}s",
            file=sys.stderr,
        )
        with ExtractTimer() as timer:
            rows["local"] = timed_backfill(files, root / "local.db", shard_size=shard)
        rows["local"]["extract_cpu"] = timer.cpu
        rows["local"]["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"local: {rows['local']['seconds']:.1f}s", file=sys.stderr)
        if not args.skip_dask:
            dask = {"engine": "dask", "workers": args.workers, "shard_size": shard}
            rows["dask_half"] = timed_backfill(half_files, root / "dask-half.db", **dask)
            rows["dask"] = timed_backfill(files, root / "dask.db", **dask)
            print(f"dask: {rows['dask']['seconds']:.1f}s", file=sys.stderr)

    local = rows["local"]
    overhead_wall = local["seconds"] / base["seconds"] - 1
    overhead_cpu = local["client_cpu"] / base["cpu"] - 1
    overhead_in_run = local["client_cpu"] / local["extract_cpu"] - 1
    result: dict[str, Any] = {
        "records": local["records"],
        "article_pages": local["kept"],
        "baseline_extract_s": round(base["seconds"], 2),
        "baseline_extract_cpu_s": round(base["cpu"], 2),
        "local_s": round(local["seconds"], 2),
        "local_cpu_s": round(local["client_cpu"], 2),
        "local_records_per_s": round(local["records_per_s"], 1),
        "overhead_cpu": round(overhead_cpu, 3),
        "overhead_in_run": round(overhead_in_run, 3),
        "local_extract_cpu_s": round(local["extract_cpu"], 2),
        "overhead_wall": round(overhead_wall, 3),
        "local_peak_rss_mb": round(local["peak_rss_mb"], 1),
        "load_average": round(os.getloadavg()[0], 2),
    }
    head = f"{'run':<30}{'records':>8}{'wall s':>8}{'rec/s':>7}{'ratio':>7}{'CPU s':>8}"
    print(head + f"{'peak MB':>9}{'load':>6}")
    n = local["records"]
    print(
        f"{'baseline: extraction only':<30}{n:>8,}{base['seconds']:>8.1f}"
        f"{n / base['seconds']:>7.0f}{1.0:>7.2f}{base['cpu']:>8.1f}{'-':>9}{'-':>6}"
    )
    print(
        f"{'local (1 process)':<30}{n:>8,}{local['seconds']:>8.1f}{local['records_per_s']:>7.0f}"
        f"{base['seconds'] / local['seconds']:>7.2f}{local['client_cpu']:>8.1f}"
        f"{local['peak_rss_mb']:>9.0f}{local['load_before']:>6.1f}"
    )
    if "dask" in rows:
        for name in ("dask_half", "dask"):
            row = rows[name]
            label = f"dask {args.workers} workers" + (
                " (half input)" if name == "dask_half" else ""
            )
            speedup = row["records_per_s"] / local["records_per_s"]
            cpu = row["client_cpu"] + row["shard_cpu"]
            print(
                f"{label:<30}{row['records']:>8,}{row['seconds']:>8.1f}"
                f"{row['records_per_s']:>7.0f}{speedup:>7.2f}{cpu:>8.1f}"
                f"{row['peak_worker_rss_mb']:>9.0f}{row['load_before']:>6.1f}"
            )
        dask = rows["dask"]
        # On idle cores the run takes at least max(client CPU, all CPU / cores).
        cores = min(args.workers, os.cpu_count() or 1)
        floor = max(dask["client_cpu"], (dask["client_cpu"] + dask["shard_cpu"]) / cores)
        result.update(
            dask_s=round(dask["seconds"], 2),
            dask_records_per_s=round(dask["records_per_s"], 1),
            dask_speedup=round(dask["records_per_s"] / local["records_per_s"], 2),
            dask_client_cpu_s=round(dask["client_cpu"], 2),
            dask_worker_cpu_s=round(dask["shard_cpu"], 2),
            dask_speedup_on_idle_cores=round(local["client_cpu"] / floor, 2),
            dask_peak_worker_rss_mb=round(dask["peak_worker_rss_mb"], 1),
            dask_half_peak_worker_rss_mb=round(rows["dask_half"]["peak_worker_rss_mb"], 1),
        )
    print(
        f"overhead of reading + storing over pure extraction: {overhead_in_run:.1%} of CPU"
        f" within the local run ({local['client_cpu']:.1f} s, of which {local['extract_cpu']:.1f} s"
        f" inside extract); against the separate baseline: {overhead_cpu:.1%} of CPU,"
        f" {overhead_wall:.1%} of wall time (target <= 15%)"
    )
    if "dask_speedup" in result:
        print(
            f"dask speed-up over local: {result['dask_speedup']:.2f}x wall-clock on this machine"
            f" (load average {result['load_average']}); {result['dask_speedup_on_idle_cores']:.2f}x"
            f" from the CPU times on {args.workers} idle cores (target >= 1.7x)"
        )
        print(
            f"peak RSS per worker: {result['dask_half_peak_worker_rss_mb']:.0f} MB at half the"
            f" input, {result['dask_peak_worker_rss_mb']:.0f} MB at the full input"
        )
    if args.json:
        print(json.dumps(result))


if __name__ == "__main__":
    main()
