"""Crawl pace under faults: the real crawler against a faulty loopback news site.

What it does
------------
A synthetic news site (:class:`synthetic_site.SiteSpec`: home, section listings with
``rel="next"``, articles with JSON-LD ``NewsArticle``) gets what the crawler reads first on a
real site: a ``robots.txt`` with a ``Sitemap:`` line, a WordPress-style sitemap index and
post sitemaps listing every article. It is served on 127.0.0.1 by ``tests/faultserver.py``'s
:class:`FaultServer`, whose seeded :class:`FaultPlan` answers a share of the requests
(``--rates``) with a fault drawn from: 503 with ``Retry-After``, 429 with ``Retry-After``
(``--retry-after``, 1 s by default), a connection reset, or a body cut in half
(``robots.txt`` is exempt). The same seed gives the same sequence of faults by request
order; which URL gets which fault still depends on the order the crawler asks in.

Each run crawls the whole site with the library API, ``scraper.crawl(base_url, db,
settings=scraper.Settings(delay=DELAY))``: the default settings except the delay (so the
default ``backoff_base``, ``retries``, ``block_after``, concurrency...), into a fresh
temporary archive, in a fresh Python process (the server stays in this one, so the crawler's
CPU time is its own). Runs: one clean (no faults), then every rate x every seed.

Then one *waiting* run on a small site: for ``--wait-window`` seconds from the first request
after ``robots.txt``, every answer is 429 with ``Retry-After: --wait-retry-after``, so the
only host waits the whole time; the crawling process's CPU time (user + system, all its
threads: what ``time.process_time()`` returns in it, read from ``/proc/<pid>/stat``) over
that window, divided by the window, is the CPU seconds per wall second spent waiting.

How to read the table
---------------------
``wall``: seconds inside ``scraper.crawl()`` (process start and imports excluded).
``ratio``: wall / clean wall. ``RA sum``: the ``Retry-After`` seconds the server sent,
added up over every 503/429 it answered (from the server's request log). ``RA host``: the
same waits as the host lives them: each 503/429 asks the whole host to pause from that
answer for ``Retry-After`` seconds, and pauses that overlap (two requests in flight refused
at once) count once: the length of the union of the intervals ``[t, t + Retry-After]``.
With one host this is the time the server asked the crawl to stand still.
``net ratio`` = (wall - RA host) / clean wall: what the faults cost beyond the waits the
server asked for; the target is <= 1.5 (the clean time, plus half of it for the retried
requests, resets and truncations; plus the waits). ``net raw`` uses ``RA sum`` instead
(never larger: a looser figure, shown for comparison). ``articles``: distinct articles
archived / articles on the site (each must be archived, once). ``requests``: requests the
server saw (all attempts, ``robots.txt`` included); ``faults``: how many were 503 / 429 /
reset / truncated. ``idle s``: the time the server saw no request, summed over the gaps of
0.5 s or more between two requests; a crawler that pauses exactly as asked shows about
``RA host`` here, one that adds its own backoff on top shows more. ``max gap``: the longest
of those gaps (a host left slowed down for good shows here). ``cpu/s``: crawler CPU
seconds per wall second over the run.
``status``: the crawl summary's status (``killed`` when ``--run-timeout`` ran out).

The process exits 1 when a run did not archive every article (or was killed), so it can be
used as a check; with ``--strict`` also when a target (net ratio, CPU while waiting) is
missed.

Usage::

    python benchmarks/faults.py                      # 7 to 13 minutes, see below
    python benchmarks/faults.py --articles 60 --seeds 1 --rates 0.2 --wait-window 8
    PYTHONPATH=/path/to/other/tree python benchmarks/faults.py   # another tree's crawler

With the defaults the Retry-After waits alone add up to about 290 s (500 articles, 10% and
20% faults, a quarter of them 503 and a quarter 429, 1 s each, three seeds): a crawler that
pauses just as asked needs about 7 minutes in all, one that doubles every pause about 13.
``--articles 60 --seeds 1`` takes well under a minute.

Flags: ``--articles N`` (500) · ``--seeds 1,2,3`` · ``--rates 0.1,0.2`` · ``--delay S``
(0.02, the only setting changed) · ``--retry-after S`` (1) · ``--clean-runs N`` (1; the
median is the reference) · ``--wait-window S`` (15; 0 skips the waiting run) ·
``--wait-retry-after S`` (5) · ``--wait-articles N`` (30) · ``--run-timeout S`` (240) ·
``--json`` · ``--keep DIR`` (archives and crawler logs) · ``--strict``.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import os
import shlex
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

# The crawler measured is the ``scraper`` package the environment gives (PYTHONPATH, else the
# installed one); the harness (synthetic site, fault server) is the one next to this file, so
# one harness can measure several trees. ``scraper`` is imported first: the fault server's
# own ``scraper.mirror`` import then resolves inside that same package.
HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
import scraper  # noqa: E402

sys.path[:0] = [str(HERE), str(ROOT)]
try:
    from synthetic_site import SiteSpec

    from tests.faultserver import (
        RESET,
        SERVICE_UNAVAILABLE,
        TOO_MANY_REQUESTS,
        TRUNCATE,
        FaultPlan,
        FaultServer,
        LogEntry,
    )
finally:
    del sys.path[:2]

Reply = tuple[int, list[tuple[str, str]], bytes]
SITEMAP_SIZE = 200  # URLs per post sitemap, as a WordPress SEO plugin splits them
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XML = "application/xml; charset=utf-8"
NET_RATIO_TARGET = 1.5
CPU_TARGET = 0.02
IDLE_GAP = 0.5  # seconds without a request that count as the crawl standing still
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


# ------------------------------------------------------------------------------- the site


class NewsSite:
    """A FaultServer app: the synthetic site plus robots.txt with a Sitemap line and a
    sitemap index of post sitemaps (every article, newest first, with its lastmod)."""

    def __init__(self, spec: SiteSpec) -> None:
        self.spec = spec
        newest_first = range(spec.articles - 1, -1, -1)
        self.chunks = [
            list(newest_first[i : i + SITEMAP_SIZE]) for i in range(0, spec.articles, SITEMAP_SIZE)
        ]

    def __call__(self, method: str, path: str, headers: Mapping[str, str]) -> Reply:
        origin = f"http://{headers.get('host', '127.0.0.1')}"
        target = urlsplit(path).path
        if target == "/robots.txt":
            text = f"User-agent: *\nAllow: /\n\nSitemap: {origin}/sitemap_index.xml\n"
            return 200, [("Content-Type", "text/plain; charset=utf-8")], text.encode()
        if target == "/sitemap_index.xml":
            return 200, [("Content-Type", XML)], self._index(origin)
        if target.startswith("/post-sitemap") and target.endswith(".xml"):
            number = target.removeprefix("/post-sitemap").removesuffix(".xml") or "1"
            if number.isdigit() and 1 <= int(number) <= len(self.chunks):
                return 200, [("Content-Type", XML)], self._urlset(origin, int(number))
        status, content_type, body = self.spec.render(path)
        return status, [("Content-Type", content_type)], body

    def _lastmod(self, i: int) -> str:
        return self.spec.published(i).isoformat()

    def _index(self, origin: str) -> bytes:
        items = "".join(
            f"<sitemap><loc>{origin}/post-sitemap{n}.xml</loc>"
            f"<lastmod>{self._lastmod(chunk[0])}</lastmod></sitemap>"
            for n, chunk in enumerate(self.chunks, 1)
        )
        xml = f'<?xml version="1.0"?><sitemapindex xmlns="{SITEMAP_NS}">{items}</sitemapindex>'
        return xml.encode()

    def _urlset(self, origin: str, number: int) -> bytes:
        items = "".join(
            f"<url><loc>{origin}{self.spec.article_path(i)}</loc>"
            f"<lastmod>{self._lastmod(i)}</lastmod></url>"
            for i in self.chunks[number - 1]
        )
        return f'<?xml version="1.0"?><urlset xmlns="{SITEMAP_NS}">{items}</urlset>'.encode()

    def article_paths(self) -> set[str]:
        return {self.spec.article_path(i) for i in range(self.spec.articles)}


class WaitingSite:
    """Wraps an app: for ``window`` seconds from the first request other than robots.txt,
    every answer is 429 with ``Retry-After: retry_after``; then the site answers again."""

    def __init__(self, app: NewsSite, window: float, retry_after: float) -> None:
        self.app = app
        self.window = window
        self.retry_after = retry_after
        self.started = threading.Event()
        self.start = 0.0
        self._lock = threading.Lock()

    @property
    def end(self) -> float:
        return self.start + self.window

    def __call__(self, method: str, path: str, headers: Mapping[str, str]) -> Reply:
        if urlsplit(path).path != "/robots.txt":
            with self._lock:
                if not self.started.is_set():
                    self.start = time.monotonic()
                    self.started.set()
            if time.monotonic() < self.end:
                extra = [("Retry-After", f"{self.retry_after:g}")]
                return 429, [("Content-Type", "text/plain"), *extra], b"slow down"
        return self.app(method, path, headers)


# ----------------------------------------------------------------------- one crawl process


def child_main(base_url: str, db: str, delay: float, log_path: str) -> None:
    """The crawling process: one ``scraper.crawl()``; prints one JSON line about it."""
    import logging

    handler = logging.FileHandler(log_path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(relativeCreated)9.0f %(levelname)s %(message)s"))
    root = logging.getLogger("scraper")
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    settings = scraper.Settings(delay=delay)
    cpu, wall = time.process_time(), time.monotonic()
    summary = scraper.crawl(base_url, db, settings=settings)
    cpu, wall = time.process_time() - cpu, time.monotonic() - wall
    out = {
        "wall": wall,
        "cpu": cpu,
        "status": summary.status,
        "pages_fetched": summary.pages_fetched,
        "errors": summary.errors,
        "articles_new": summary.articles_new,
        "messages": summary.messages,
        "failures": summary.failures[:5],
        "requests_by_kind": summary.requests_by_kind,
        "scraper": scraper.__file__,
    }
    print(json.dumps(out), flush=True)


def process_cpu(pid: int) -> float:
    """User + system CPU seconds of process ``pid``, all threads (``/proc/<pid>/stat``)."""
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime (fields 14, 15)


@dataclass
class Run:
    """One crawl and what the server saw of it."""

    name: str
    rate: float
    seed: int | None
    wall: float = 0.0
    cpu: float = 0.0
    status: str = ""
    articles: int = 0
    expected: int = 0
    duplicates: int = 0
    requests: int = 0
    faults: dict[str, int] = field(default_factory=dict)
    ra_sum: float = 0.0
    ra_host: float = 0.0
    max_gap: float = 0.0
    idle: float = 0.0
    pace_changes: int = 0
    max_pace: float = 0.0
    messages: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    wait_cpu: float | None = None  # the waiting run: crawler CPU-s over the window
    wait_wall: float | None = None

    @property
    def complete(self) -> bool:
        return self.status != "killed" and self.articles == self.expected and not self.duplicates


def crawl_process(
    base_url: str,
    workdir: Path,
    name: str,
    delay: float,
    timeout: float,
    during: Callable[[int], None] | None = None,
) -> tuple[dict[str, Any], Path, Path]:
    """Run one crawl in a fresh process; ``during(pid)`` runs meanwhile in this one."""
    db, log = workdir / f"{name}.db", workdir / f"{name}.log"
    command = [
        sys.executable, str(Path(__file__).resolve()), "--child",
        base_url, str(db), repr(delay), str(log),
    ]  # fmt: skip
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as process:
        if during is not None:
            threading.Thread(target=during, args=(process.pid,), daemon=True).start()
        try:
            out, err = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            return {"status": "killed", "wall": timeout, "cpu": 0.0}, db, log
    lines = [line for line in out.splitlines() if line.startswith("{")]
    if process.returncode != 0 or not lines:
        sys.stderr.write(err[-3000:])
        return {"status": f"crashed ({process.returncode})", "wall": 0.0, "cpu": 0.0}, db, log
    return json.loads(lines[-1]), db, log


def archived_paths(db: Path) -> tuple[set[str], int]:
    """Paths of the archived articles, and how many rows repeat one."""
    if not db.exists():
        return set(), 0
    with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as connection:
        urls = [row[0] for row in connection.execute("SELECT url FROM articles")]
    paths = [urlsplit(url).path for url in urls]
    return set(paths), len(paths) - len(set(paths))


def union_length(intervals: Iterable[tuple[float, float]]) -> float:
    """Total length covered by ``(start, end)`` intervals, overlaps counted once."""
    total, reach = 0.0, float("-inf")
    for start, end in sorted(intervals):
        if end <= reach:
            continue
        total += end - max(start, reach)
        reach = end
    return total


def retry_after_of(entry: LogEntry, plan: FaultPlan) -> float | None:
    """The Retry-After the server sent with ``entry``'s answer, if any (in seconds)."""
    if entry.fault in (SERVICE_UNAVAILABLE, TOO_MANY_REQUESTS) and plan.retry_after is not None:
        return float(plan.retry_after)
    return None


def pace_lines(log: Path) -> list[float]:
    """The paces (seconds between requests) the crawler logged a change to."""
    paces: list[float] = []
    if not log.exists():
        return paces
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        head, sep, _ = line.partition(" s between requests now")
        if sep:
            with contextlib.suppress(ValueError):
                paces.append(float(head.rsplit(" ", 1)[-1]))
    return paces


def measure(
    spec: SiteSpec,
    plan: FaultPlan,
    name: str,
    args: argparse.Namespace,
    workdir: Path,
    seed: int | None,
) -> Run:
    """One crawl of ``spec`` behind ``plan``'s faults."""
    site = NewsSite(spec)
    with FaultServer(site, faults=plan) as server:
        data, db, log = crawl_process(server.base_url, workdir, name, args.delay, args.run_timeout)
        entries = server.log
    return summarize(name, plan.rate, seed, data, db, log, entries, site, plan)


def summarize(
    name: str,
    rate: float,
    seed: int | None,
    data: Mapping[str, Any],
    db: Path,
    log: Path,
    entries: Sequence[LogEntry],
    site: NewsSite,
    plan: FaultPlan,
) -> Run:
    expected = site.article_paths()
    archived, duplicates = archived_paths(db)
    waits = [
        (entry.time, entry.time + ra)
        for entry in entries
        if (ra := retry_after_of(entry, plan)) is not None
    ]
    if log.parent.exists():  # the server's view, next to the crawler's log
        first = entries[0].time if entries else 0.0
        lines = [
            f"{e.time - first:.3f}\t{e.fault or ''}\t{e.status or ''}\t{e.path}" for e in entries
        ]
        log.with_suffix(".requests.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    times = [entry.time for entry in entries]
    gaps = [b - a for a, b in itertools.pairwise(times)]
    faults = {kind: 0 for kind in (SERVICE_UNAVAILABLE, TOO_MANY_REQUESTS, RESET, TRUNCATE)}
    for entry in entries:
        if entry.fault is not None:
            faults[entry.fault] = faults.get(entry.fault, 0) + 1
    paces = pace_lines(log)
    return Run(
        name=name,
        rate=rate,
        seed=seed,
        wall=float(data.get("wall", 0.0)),
        cpu=float(data.get("cpu", 0.0)),
        status=str(data.get("status", "")),
        articles=len(archived & expected),
        expected=len(expected),
        duplicates=duplicates,
        requests=len(entries),
        faults=faults,
        ra_sum=sum(end - start for start, end in waits),
        ra_host=union_length(waits),
        max_gap=max(gaps, default=0.0),
        idle=sum(gap for gap in gaps if gap >= IDLE_GAP),
        pace_changes=len(paces),
        max_pace=max(paces, default=0.0),
        messages=list(data.get("messages", [])),
        failures=list(data.get("failures", [])),
    )


def measure_waiting(args: argparse.Namespace, workdir: Path) -> Run:
    """The small site, every answer 429 for ``--wait-window`` s; CPU over that window."""
    spec = SiteSpec(articles=args.wait_articles)
    site = NewsSite(spec)
    app = WaitingSite(site, args.wait_window, args.wait_retry_after)
    sample: dict[str, float] = {}

    def watch(pid: int) -> None:
        if not app.started.wait(args.run_timeout):
            return
        with contextlib.suppress(OSError):
            sample["cpu0"], sample["t0"] = process_cpu(pid), time.monotonic()
            time.sleep(max(0.0, app.end - time.monotonic()))
            sample["cpu1"], sample["t1"] = process_cpu(pid), time.monotonic()

    with FaultServer(app) as server:
        data, db, log = crawl_process(
            server.base_url, workdir, "waiting", args.delay, args.run_timeout, watch
        )
        entries = server.log
    # The 429s are the app's, not the fault plan's: count them as the plan would.
    plan = FaultPlan(retry_after=f"{args.wait_retry_after:g}")
    for entry in entries:
        if entry.status == 429:
            entry.fault = TOO_MANY_REQUESTS
    run = summarize("waiting", 0.0, None, data, db, log, entries, site, plan)
    if "t1" in sample:
        run.wait_cpu = sample["cpu1"] - sample["cpu0"]
        run.wait_wall = sample["t1"] - sample["t0"]
    return run


# --------------------------------------------------------------------------------- report


def fmt_faults(run: Run) -> str:
    f = run.faults
    return "/".join(
        str(f.get(k, 0)) for k in (SERVICE_UNAVAILABLE, TOO_MANY_REQUESTS, RESET, TRUNCATE)
    )


def print_table(runs: Sequence[Run], clean: float) -> None:
    header = (
        f"{'run':<12}{'wall s':>8}{'ratio':>7}{'RA sum':>8}{'RA host':>8}{'net ratio':>10}"
        f"{'net raw':>8}{'articles':>10}{'requests':>9}{'faults 503/429/rst/trunc':>26}"
        f"{'idle s':>8}{'max gap':>8}{'cpu/s':>7}  status"
    )
    print(header)
    print("-" * len(header))
    for run in runs:
        ratio = run.wall / clean if clean else float("nan")
        net = (run.wall - run.ra_host) / clean if clean else float("nan")
        raw = (run.wall - run.ra_sum) / clean if clean else float("nan")
        cpu = run.cpu / run.wall if run.wall else float("nan")
        mark = "" if run.complete else "  INCOMPLETE"
        print(
            f"{run.name:<12}{run.wall:>8.1f}{ratio:>7.2f}{run.ra_sum:>8.0f}{run.ra_host:>8.1f}"
            f"{net:>10.2f}{raw:>8.2f}{f'{run.articles}/{run.expected}':>10}{run.requests:>9}"
            f"{fmt_faults(run):>26}{run.idle:>8.1f}{run.max_gap:>8.1f}{cpu:>7.3f}"
            f"  {run.status}{mark}"
        )


def progress(run: Run) -> None:
    print(
        f"  {run.name}: {run.wall:.1f} s, {run.articles}/{run.expected} articles, "
        f"{run.requests} requests, {run.status}",
        flush=True,
    )


def describe_code() -> str:
    """Which scraper package is measured, and its git commit when it is in a work tree."""
    where = Path(scraper.__file__).resolve().parent.parent
    commit = dirty = ""
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        commit = subprocess.run(
            ["git", "-C", str(where), "log", "-1", "--format=%h %s"],
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(where), "status", "--porcelain", "--", "scraper"],
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
        if commit and dirty:
            commit += ", with uncommitted changes to scraper/"
    return f"{where} ({commit[:120]})" if commit else str(where)


def floats(text: str) -> list[float]:
    return [float(x) for x in text.split(",") if x.strip()]


def ints(text: str) -> list[int]:
    return [int(x) for x in text.split(",") if x.strip()]


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Crawl pace under faults (see the docstring).")
    parser.add_argument("--articles", type=int, default=500, help="articles on the site")
    parser.add_argument("--seeds", type=ints, default=[1, 2, 3], help="fault seeds, e.g. 1,2,3")
    parser.add_argument("--rates", type=floats, default=[0.1, 0.2], help="fault rates")
    parser.add_argument("--delay", type=float, default=0.02, help="Settings.delay (seconds)")
    parser.add_argument("--retry-after", type=float, default=1.0, help="Retry-After of faults")
    parser.add_argument("--clean-runs", type=int, default=1, help="clean runs (median used)")
    parser.add_argument("--wait-window", type=float, default=15.0, help="0: no waiting run")
    parser.add_argument("--wait-retry-after", type=float, default=5.0)
    parser.add_argument("--wait-articles", type=int, default=30)
    parser.add_argument("--run-timeout", type=float, default=240.0, help="kill a crawl after")
    parser.add_argument("--json", action="store_true", help="also print the runs as JSON")
    parser.add_argument("--keep", type=Path, help="keep archives and crawler logs here")
    parser.add_argument("--strict", action="store_true", help="exit 1 on a missed target too")
    args = parser.parse_args(argv)
    if args.articles < 1 or args.clean_runs < 1 or args.delay < 0:
        parser.error("--articles and --clean-runs must be positive, --delay not negative")
    if not all(0 <= r <= 1 for r in args.rates):
        parser.error("--rates are between 0 and 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    command = shlex.join(["python", *sys.argv]) if argv is None else shlex.join(argv)
    env = f"PYTHONPATH={os.environ['PYTHONPATH']} " if os.environ.get("PYTHONPATH") else ""
    print(f"command: {env}{command}")
    print(f"crawler: {describe_code()}")
    print(
        f"site: {args.articles} articles; settings: defaults, delay={args.delay:g}; "
        f"faults: 503/429 (Retry-After {args.retry_after:g} s), reset, truncate"
    )
    load = os.getloadavg()
    print(f"load before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} CPUs")
    sys.stdout.flush()
    started = time.monotonic()
    spec = SiteSpec(articles=args.articles)
    ra = f"{args.retry_after:g}"
    runs: list[Run] = []
    with contextlib.ExitStack() as stack:
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            workdir = args.keep
        else:
            workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="faults-")))
        for n in range(args.clean_runs):
            plan = FaultPlan(rate=0.0, retry_after=ra)
            runs.append(measure(spec, plan, f"clean-{n + 1}", args, workdir, None))
            progress(runs[-1])
        for rate in args.rates:
            for seed in args.seeds:
                plan = FaultPlan(rate=rate, seed=seed, retry_after=ra)
                name = f"{rate:.0%}-s{seed}"
                runs.append(measure(spec, plan, name, args, workdir, seed))
                progress(runs[-1])
        waiting = measure_waiting(args, workdir) if args.wait_window > 0 else None
    clean = statistics.median(r.wall for r in runs if r.rate == 0)
    print()
    print_table(runs, clean)
    print(
        "RA sum: Retry-After seconds sent with 503/429 answers; RA host: the union of the "
        "intervals [answer, answer + Retry-After] (one host: overlapping pauses count once); "
        "net ratio: (wall - RA host) / clean; net raw: (wall - RA sum) / clean; idle s: "
        f"gaps of >= {IDLE_GAP:g} s between requests, summed"
    )
    faulted = [r for r in runs if r.rate > 0]
    worst = max(
        ((r.wall - r.ra_host) / clean if r.status != "killed" else float("inf") for r in faulted),
        default=0.0,
    )
    print(
        f"\nclean: {clean:.1f} s (median of {args.clean_runs}); worst net ratio "
        f"(wall - RA host) / clean = {worst:.2f} (target <= {NET_RATIO_TARGET})"
    )
    missed = worst > NET_RATIO_TARGET
    if waiting is not None:
        if waiting.wait_cpu is not None and waiting.wait_wall:
            per_wall = waiting.wait_cpu / waiting.wait_wall
            missed |= per_wall > CPU_TARGET
            print(
                f"waiting ({args.wait_articles} articles, every answer 429 with Retry-After "
                f"{args.wait_retry_after:g} s for {args.wait_window:g} s): crawler CPU "
                f"{waiting.wait_cpu:.3f} s in {waiting.wait_wall:.1f} s = {per_wall:.4f} CPU-s "
                f"per s (target <= {CPU_TARGET}); {waiting.faults[TOO_MANY_REQUESTS]} x 429; "
                f"then {waiting.articles}/{waiting.expected} articles, {waiting.status}, "
                f"{waiting.wall:.1f} s in all"
            )
        else:
            print("waiting run: the window never started (no request reached the site)")
    for run in [*runs, *([waiting] if waiting else [])]:
        if not run.complete or run.messages:
            detail = "; ".join(run.messages + run.failures[:3])
            print(f"  {run.name}: {run.status}, {run.articles}/{run.expected}. {detail}")
    load = os.getloadavg()
    total = time.monotonic() - started
    print(f"load after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; total {total:.0f} s")
    if args.json:
        print(json.dumps([asdict(r) for r in [*runs, *([waiting] if waiting else [])]]))
    incomplete = [r for r in [*runs, *([waiting] if waiting else [])] if not r.complete]
    if incomplete:
        print(f"FAIL: not every article archived in {', '.join(r.name for r in incomplete)}")
        return 1
    if missed and args.strict:
        print("FAIL: a target was missed")
        return 1
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 6 and sys.argv[1] == "--child":
        child_main(sys.argv[2], sys.argv[3], float(sys.argv[4]), sys.argv[5])
    else:
        sys.exit(main())
