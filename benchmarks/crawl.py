"""Crawl throughput benchmark: the real crawler against a large synthetic site on loopback.

Starts ``benchmarks/synthetic_site.py`` in a subprocess (its CPU does not count against the
crawler), then crawls it with the project's own :class:`scraper.crawler.engine.Crawler`,
:class:`scraper.fetch.Fetcher` and :class:`scraper.store.Store` into temporary archives, at
two crawl sizes, and a plain sequential ``httpx`` loop over the same URLs as a baseline.
Each measurement runs in a fresh Python process, because peak RSS (``ru_maxrss``) is a
per-process high-water mark.

Printed per run: pages/s; the politeness bound and the ratio to it; CPU ms per page outside
extraction (process CPU time minus the CPU time spent inside ``scraper.extract.extract``,
measured by wrapping it) and inside it; the CPU of the event-loop thread alone (the crawler
keeps parsing and archive writes on its processing thread, so this is what stands between a
response and the next request); the CPU of the parser processes (``--parsers``: article pages
parsed beside the crawl; read from /proc) and all CPU together per page; peak RSS and its
growth over the RSS before the crawl; and how many URLs the crawl knew of. The politeness bound is::

    hosts x min(per-host concurrency / latency, 1 / max(delay, Crawl-delay))

(also capped by the fetcher's global concurrency / latency). The sequential baseline's own
bound is 1 / latency.

Usage::

    python benchmarks/crawl.py                    # defaults below, about 70 s
    python benchmarks/crawl.py --hosts 1 --latency 0.1 --max-pages 1000

Flags:

--articles N         articles on the synthetic site, all hosts together (default 20000)
--hosts N            synthetic hosts: loopback ports, one complete site each (articles / hosts
                     articles), crawled at the same time with one shared Fetcher (default 4)
--per-page N         articles per listing page (default 50; the crawler walks listings before
                     articles, so this sets how soon a bounded crawl reaches articles)
--latency S          server delay before every response, in seconds (default 0.05)
--concurrency N      fetcher per-host concurrency (default 2, the crawler's default)
--delay S            fetcher minimum delay between request starts per host (default 0)
--crawl-delay S      Crawl-delay line in the synthetic robots.txt (default: none)
--max-pages N        pages in the large crawl, all hosts together (default 3000)
--small-pages N      pages in the small crawl (default max-pages / 4)
--small-articles N   articles on the site of the small crawl (default articles / 5): the two
                     crawls differ in pages and in URLs known, to show memory stays flat
--baseline-pages N   pages of the large baseline run; the small one does a quarter (default 200)
--workers N          crawler workers per host (default 2 x concurrency)
--parsers N          parser processes for article pages (default: one per core, as a crawl of
                     several sites has; 0: parse on the processing thread, the engine before
                     it had parser processes); their CPU is read from /proc and counted
--generic            crawl without a site profile (profile-less discovery); by default a
                     profile with the synthetic site's selectors is used
--same-content       every host serves the same articles (each story on every host, so the
                     archive clusters every article with one copy per host); by default
                     each host is a site of its own, as in a collection
--archive-per-host   one archive file per host (a connection and page cache each); by
                     default every host writes one archive, as a collection does
--no-baseline        skip the baseline runs
--json               also print all results as one JSON object
--keep DIR           keep the archives and fetched-URL lists in DIR (default: a temporary
                     directory, removed at the end)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, cast

import httpx

HERE = Path(__file__).resolve().parent
SERVER = HERE / "synthetic_site.py"
USER_AGENT = "scraper-benchmark/0.1 (+loopback)"


# ---------------------------------------------------------------------------------- helpers


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def current_rss_mb() -> float:
    try:
        with open("/proc/self/statm") as handle:
            pages = int(handle.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return peak_rss_mb()


def politeness_bound(args: argparse.Namespace) -> float:
    """Pages/s the politeness rules allow at best (inf when nothing bounds it)."""
    per_host = args.concurrency / args.latency if args.latency > 0 else float("inf")
    delay = max(args.delay, args.crawl_delay or 0.0)
    if delay > 0:
        per_host = min(per_host, 1 / delay)
    total = args.hosts * per_host
    if args.latency > 0:
        total = min(total, global_concurrency(args) / args.latency)
    return total


def global_concurrency(args: argparse.Namespace) -> int:
    return max(16, args.hosts * args.concurrency)


class ExtractTimer:
    """Wraps ``extract`` to add up the thread CPU time spent inside it."""

    def __init__(self, inner: Callable[..., Any]) -> None:
        self.inner = inner
        self.cpu = 0.0
        self.calls = 0

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        started = time.thread_time()
        try:
            return self.inner(*args, **kwargs)
        finally:
            self.cpu += time.thread_time() - started
            self.calls += 1


# ---------------------------------------------------------------------------------- children


def synthetic_profile(base_url: str) -> Any:
    """A site profile naming the synthetic site's selectors (what a real profile would)."""
    from scraper.profiles import Profile

    return Profile(
        name="synthetic",
        base_url=base_url,
        title="Synthetic Daily",
        timezone="Europe/Paris",
        discover={
            "sections": "nav.sections a",
            "listing_items": "article.card h2 a",
            "next_page": 'a[rel="next"]',
        },
        article={
            "is_article": "article.post",
            "title": "article.post h1",
            "authors": '.byline a[rel="author"]',
            "date": "article.post time",
            "body": "article.post .body",
            "related": "aside.related a",
        },
    )


async def crawl_child(args: argparse.Namespace) -> dict[str, Any]:
    from scraper import Settings
    from scraper.crawler.collection import SharedArchive
    from scraper.crawler.engine import Crawler, Site
    from scraper.fetch import Fetcher
    from scraper.store import Frontier, Store

    # ``scraper.extract`` the attribute may be the function re-exported by the package, so
    # reach the modules themselves; parse.py imported the name, so patch it there too.
    extract_module = importlib.import_module("scraper.extract")
    crawl_module = importlib.import_module("scraper.crawler.parse")
    from scraper.crawler.parsers import parser_pool

    timer = ExtractTimer(extract_module.extract)
    extract_module.extract = timer
    crawl_module.extract = timer

    workdir = Path(tempfile.mkdtemp(prefix="crawl-", dir=args.workdir))
    ports: list[int] = args.ports
    per_host = max(1, args.pages // len(ports))
    url_log = open(args.url_file, "w", encoding="utf-8")  # noqa: SIM115
    settings = Settings(
        user_agent=USER_AGENT,
        concurrency=args.concurrency,
        global_concurrency=global_concurrency(args),
        delay=args.delay,
        timeout=30.0,
        workers=args.workers,
        max_pages=per_host,
    )
    fetcher = Fetcher(settings)
    real_fetch = fetcher.fetch

    async def logged_fetch(url: str, **kwargs: Any) -> Any:
        url_log.write(url + "\n")  # streamed to disk: the log must not grow the heap
        return await real_fetch(url, **kwargs)

    fetcher.fetch = logged_fetch  # type: ignore[method-assign]
    stores, crawlers = [], []
    # One processing thread for the whole process, as one crawl has: the crawlers share it.
    processing = ThreadPoolExecutor(1, "scraper-processing")
    pool_context = parser_pool(args.parsers)
    parsers = pool_context.__enter__()
    # One archive for every host, as a collection (`crawl --sites`) writes it; or, with
    # --archive-per-host, one each (a connection and page cache per host).
    shared = None if args.archive_per_host else SharedArchive(Store(workdir / "archive.db"))
    for port in ports:
        base = f"http://127.0.0.1:{port}/"
        store = Store(workdir / f"archive-{port}.db") if shared is None else shared.store
        view = store if shared is None else cast(Store, shared.view())
        site = Site(f"synthetic-{port}", base, None if args.generic else synthetic_profile(base))
        stores.append(view)
        crawler = Crawler(view, fetcher, site, settings, processing=processing, parsers=parsers)
        if shared is not None:
            shared.share_frontier(crawler)
        crawlers.append(crawler)

    rss_before = current_rss_mb()
    cpu0, wall0, loop0 = time.process_time(), time.perf_counter(), time.thread_time()
    async with fetcher:
        summaries = await asyncio.gather(*(c.run() for c in crawlers))
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    loop_cpu = time.thread_time() - loop0  # this thread runs the event loop
    parser_cpu = children_cpu(parsers)
    pool_context.__exit__(None, None, None)
    processing.shutdown()
    url_log.close()

    known = 0
    for crawler, store in zip(crawlers, stores, strict=True):
        site_id = getattr(crawler, "_site_id", None)  # no public accessor yet
        if site_id:
            known += sum(Frontier(store).counts(site_id).values())
        if shared is None:
            store.close()
    if shared is not None:
        shared.store.close()
    pages = sum(s.pages_fetched for s in summaries)
    return {
        "pages": pages,
        "requests": fetcher.stats.requests,
        "articles": sum(s.articles_new + s.articles_updated for s in summaries),
        "not_articles": sum(s.not_articles for s in summaries),
        "errors": sum(s.errors for s in summaries),
        "status": sorted({s.status for s in summaries}),
        "seconds": wall,
        "cpu": cpu,
        "extract_cpu": timer.cpu,
        "extract_calls": timer.calls,
        "loop_cpu": loop_cpu,
        "parser_cpu": parser_cpu,
        "parsers": args.parsers,
        "urls_known": known,
        "rss_before_mb": rss_before,
        "peak_rss_mb": peak_rss_mb(),
    }


def baseline_child(args: argparse.Namespace) -> dict[str, Any]:
    with open(args.url_file, encoding="utf-8") as handle:
        urls = [line.strip() for _, line in zip(range(args.pages), handle, strict=False)]
    rss_before = current_rss_mb()
    cpu0, wall0 = time.process_time(), time.perf_counter()
    ok = 0
    with httpx.Client(headers={"User-Agent": USER_AGENT}, timeout=30.0) as client:
        for url in urls:
            ok += client.get(url).status_code == 200
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    return {
        "pages": len(urls),
        "requests": len(urls),
        "ok": ok,
        "seconds": wall,
        "cpu": cpu,
        "extract_cpu": 0.0,
        "urls_known": len(urls),
        "rss_before_mb": rss_before,
        "peak_rss_mb": peak_rss_mb(),
    }


def children_cpu(pool: Any) -> float:
    """CPU seconds (user + system) the pool's worker processes used so far, from /proc."""
    if pool is None:
        return 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in list(getattr(pool, "_processes", {}) or {}):
        try:
            with open(f"/proc/{pid}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return total


def run_child(args: argparse.Namespace, kind: str, pages: int, **extra: Any) -> dict[str, Any]:
    """Run one measurement in a fresh interpreter and return its JSON result."""
    command = [
        sys.executable, __file__, "--child", kind, "--pages", str(pages),
        "--workdir", args.workdir, "--ports", ",".join(map(str, args.ports)),
        "--hosts", str(args.hosts), "--latency", str(args.latency),
        "--concurrency", str(args.concurrency), "--delay", str(args.delay),
        "--workers", str(args.workers), "--parsers", str(args.parsers),
    ]  # fmt: skip
    if args.crawl_delay is not None:
        command += ["--crawl-delay", str(args.crawl_delay)]
    if args.generic:
        command.append("--generic")
    if args.archive_per_host:
        command.append("--archive-per-host")
    if extra.get("url_file"):
        command += ["--url-file", str(extra["url_file"])]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"benchmark child failed ({kind} {pages}):\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------------------------- main


def server_stats(ports: Sequence[int], reset: bool = False) -> list[dict[str, Any]]:
    query = "?reset=1" if reset else ""
    return httpx.get(f"http://127.0.0.1:{ports[0]}/__stats{query}", timeout=10).json()


def describe(name: str, result: dict[str, Any], bound: float) -> dict[str, Any]:
    pages = max(1, result["pages"])
    rate = result["pages"] / result["seconds"] if result["seconds"] else 0.0
    row = {
        "run": name,
        "pages": result["pages"],
        "seconds": round(result["seconds"], 2),
        "pages_per_s": round(rate, 1),
        "bound": round(bound, 1),
        "ratio": round(rate / bound, 3) if bound not in (0, float("inf")) else None,
        "cpu_ms_per_page_outside_extract": round(
            (result["cpu"] - result["extract_cpu"]) * 1000 / pages, 2
        ),
        "extract_ms_per_page": round(result["extract_cpu"] * 1000 / pages, 2),
        "loop_ms_per_page": (
            round(result["loop_cpu"] * 1000 / pages, 2) if "loop_cpu" in result else None
        ),
        "parsers_ms_per_page": round(result.get("parser_cpu", 0.0) * 1000 / pages, 2),
        "cpu_total_ms_per_page": round(
            (result["cpu"] + result.get("parser_cpu", 0.0)) * 1000 / pages, 2
        ),
        "cpu_busy": (
            round((result["cpu"] + result.get("parser_cpu", 0.0)) / result["seconds"], 2)
            if result["seconds"]
            else None
        ),
        "peak_rss_mb": round(result["peak_rss_mb"], 1),
        "rss_growth_mb": round(result["peak_rss_mb"] - result["rss_before_mb"], 1),
        "urls_known": result["urls_known"],
    }
    return row | {k: v for k, v in result.items() if k not in row and k != "pages"}


def print_table(rows: list[dict[str, Any]]) -> None:
    columns = [
        ("run", "run", 22),
        ("pages", "pages", 6),
        ("seconds", "secs", 6),
        ("pages_per_s", "pages/s", 8),
        ("bound", "bound", 7),
        ("ratio", "ratio", 6),
        ("cpu_ms_per_page_outside_extract", "cpu ms/pg", 10),
        ("extract_ms_per_page", "extract ms/pg", 14),
        ("loop_ms_per_page", "loop ms/pg", 10),
        ("parsers_ms_per_page", "parsers ms/pg", 13),
        ("cpu_total_ms_per_page", "all ms/pg", 9),
        ("cpu_busy", "CPU/wall", 8),
        ("peak_rss_mb", "peak MB", 8),
        ("rss_growth_mb", "growth MB", 10),
        ("urls_known", "URLs known", 10),
    ]
    print("  ".join(f"{title:>{width}}" for _, title, width in columns))
    for row in rows:
        cells = []
        for key, _, width in columns:
            value = row[key]
            text = "-" if value is None else f"{value}"
            cells.append(f"{text:>{width}}")
        print("  ".join(cells))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description="Crawl throughput benchmark (see the module docstring for details)."
    )
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--per-page", type=int, default=50)
    parser.add_argument("--hosts", type=int, default=4)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--delay", type=float, default=0.0)
    parser.add_argument("--crawl-delay", type=float, default=None)
    parser.add_argument("--max-pages", type=int, default=3000)
    parser.add_argument("--small-pages", type=int, default=None)
    parser.add_argument("--small-articles", type=int, default=None)
    parser.add_argument("--baseline-pages", type=int, default=200)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--parsers", type=int, default=None)
    parser.add_argument("--generic", action="store_true")
    parser.add_argument("--same-content", action="store_true")
    parser.add_argument("--archive-per-host", action="store_true")
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--keep", default=None)
    # internal: one measurement in a child process
    parser.add_argument("--child", choices=("crawl", "baseline"), help=argparse.SUPPRESS)
    parser.add_argument("--pages", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    parser.add_argument("--ports", help=argparse.SUPPRESS)
    parser.add_argument("--url-file", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.workers = args.workers or 2 * args.concurrency
    if args.parsers is None:
        from scraper.crawler.parsers import default_parsers

        args.parsers = default_parsers()

    if args.child:
        args.ports = [int(p) for p in args.ports.split(",")]
        crawling = args.child == "crawl"
        result = asyncio.run(crawl_child(args)) if crawling else baseline_child(args)
        print(json.dumps(result))
        return

    small_pages = args.small_pages or max(args.hosts, args.max_pages // 4)
    small_articles = args.small_articles or max(args.hosts, args.articles // 5)
    with tempfile.TemporaryDirectory(prefix="scraper-bench-") as tmp:
        args.workdir = args.keep or tmp
        Path(args.workdir).mkdir(parents=True, exist_ok=True)
        rows = measure(args, [(small_articles, small_pages), (args.articles, args.max_pages)])
    if args.json:
        options = vars(args) | {"small_pages": small_pages, "small_articles": small_articles}
        print(json.dumps({"options": options, "runs": rows}))


@contextlib.contextmanager
def synthetic_server(args: argparse.Namespace, articles: int) -> Iterator[list[int]]:
    """The synthetic site in a subprocess; yields its ports (one per host)."""
    command = [
        sys.executable, str(SERVER), "--articles", str(max(1, articles // args.hosts)),
        "--hosts", str(args.hosts), "--latency", str(args.latency),
        "--per-page", str(args.per_page),
    ]  # fmt: skip
    if args.crawl_delay is not None:
        command += ["--crawl-delay", str(args.crawl_delay)]
    if args.same_content:
        command.append("--same-content")
    server = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        yield json.loads(server.stdout.readline())["ports"]
    finally:
        if server.stdin:
            server.stdin.close()  # the server stops at end of stdin
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def measure(args: argparse.Namespace, sizes: list[tuple[int, int]]) -> list[dict[str, Any]]:
    bound = politeness_bound(args)
    delay = max(args.delay, args.crawl_delay or 0.0)
    print(
        f"synthetic site: {args.articles} articles on {args.hosts} host(s) "
        f"(small run: {sizes[0][0]}), {args.per_page} per listing page, "
        f"latency {args.latency * 1000:.0f} ms, "
        f"robots Crawl-delay {args.crawl_delay if args.crawl_delay is not None else 'none'}"
    )
    print(
        f"crawler: per-host concurrency {args.concurrency}, delay {args.delay:g} s, "
        f"{args.workers} workers per host, {'no profile' if args.generic else 'profile'}, "
        f"{args.parsers} parser process(es)"
    )
    limits = f"{args.hosts} hosts x {args.concurrency} / {args.latency:g} s"
    if delay > 0:
        limits += f", at most 1/{delay:g} s starts per host"
    print(f"politeness bound: {limits} = {bound:.1f} pages/s")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}\n")

    rows: list[dict[str, Any]] = []
    for index, (articles, pages) in enumerate(sizes):
        with synthetic_server(args, articles) as ports:
            args.ports = ports
            url_file = Path(args.workdir) / f"urls-{index}.txt"
            result = run_child(args, "crawl", pages, url_file=url_file)
            seen = server_stats(ports)
            result["server_max_in_flight_per_host"] = max(s["max_in_flight"] for s in seen)
            result["server_requests"] = sum(s["requests"] for s in seen)
            rows.append(describe(f"crawl {pages} of {articles}", result, bound))
            if index == len(sizes) - 1 and not args.no_baseline:
                for count in (max(1, args.baseline_pages // 4), args.baseline_pages):
                    result = run_child(args, "baseline", count, url_file=url_file)
                    rows.append(describe(f"baseline seq. {count}", result, bound))
    print_table(rows)
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")

    crawls = [r for r in rows if r["run"].startswith("crawl")]
    print()
    for row in crawls:
        print(
            f"{row['run']}: {row['articles']} articles, {row['not_articles']} non-articles, "
            f"{row['errors']} errors, status {'/'.join(row['status'])}; "
            f"{row['requests']} requests incl. robots.txt; server saw at most "
            f"{row['server_max_in_flight_per_host']} in flight per host "
            f"(limit {args.concurrency})"
        )
    if len(crawls) == 2:
        a, b = crawls
        print(
            f"memory: peak RSS {a['peak_rss_mb']} MB at {a['urls_known']} URLs known, "
            f"{b['peak_rss_mb']} MB at {b['urls_known']} URLs known "
            f"({b['urls_known'] / max(1, a['urls_known']):.1f}x the URLs, "
            f"{b['peak_rss_mb'] / max(1e-9, a['peak_rss_mb']):.2f}x the memory)"
        )
    baselines = [r for r in rows if r["run"].startswith("baseline")]
    if baselines and args.latency > 0:
        own = 1 / args.latency
        rate = baselines[-1]["pages_per_s"]
        print(
            f"baseline: one connection, bound 1/latency = {own:.1f} pages/s, reached "
            f"{rate / own:.0%}; the crawler ran {crawls[-1]['pages_per_s'] / max(rate, 1e-9):.1f}x "
            "faster with extraction and storage"
        )
    return rows


if __name__ == "__main__":
    main()
