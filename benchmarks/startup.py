"""Start-up cost of the ``scraper`` command: CPU, wall time and peak memory per invocation.

Cron runs ``scraper crawl`` every hour for months and Dask workers start processes too, so
what a command costs before it does anything is paid thousands of times. This benchmark runs
each command below in a fresh process, ``--repeat`` times, and prints the median CPU seconds
(user + system), wall seconds and peak RSS (``ru_maxrss`` from ``wait4``), with the cost
above the floor, ``python -c pass`` in the same environment:

- ``scraper --version``, ``scraper --help``, ``scraper crawl --help``;
- a first crawl of the bundled sahara.ma mirror (``python -m scraper.mirror`` on loopback,
  started once per environment; its CPU does not count), then a no-op re-run of it (what an
  hourly cron run of an unchanged site costs);
- ``scraper search`` (one word, the default table) and ``scraper export`` (jsonl) of the
  archive the crawl built.

In two environments the benchmark creates (editable installs of this checkout, so they follow
the working tree; kept under ``--venvs`` and reused):

- ``plain``: ``pip install -e .``;
- ``analyst``: the same plus pandas, pyarrow, dask and datasette, which is where analysts run
  it (sqlite-utils imports pandas when it is installed).

Commands run with bytecode caching on (``PYTHONDONTWRITEBYTECODE`` removed from their
environment, the checkout compiled once), as an installed program runs for its user.

Usage::

    python benchmarks/startup.py                 # both environments, 5 runs each, ~3 min
    python benchmarks/startup.py --env analyst --repeat 3
    python benchmarks/startup.py --rebuild       # recreate the environments

Flags:

--source DIR    the checkout to install (default: this one); to measure "before", extract
                another commit (``git archive main | tar -x -C /tmp/before``) and give it
                with its own --venvs
--venvs DIR     where the environments live (default /tmp/scraper-startup-venvs)
--env NAME      only this environment (plain or analyst; default both)
--repeat N      runs per command; the median is printed (default 5)
--rebuild       delete and recreate the environments first
--json          also print every result as one JSON object
--scrapy        also run the baseline: a hand-written Scrapy spider
                (``benchmarks/scrapy_spider.py``) crawling the same mirror, from an
                environment with Scrapy only (``pip install scrapy``)
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENVS: dict[str, list[str]] = {
    "plain": [],
    "analyst": ["pandas", "pyarrow", "dask", "datasette"],
}


@dataclass
class Run:
    """One command's median cost over the repeats."""

    env: str
    name: str
    cpu_s: float
    wall_s: float
    rss_mb: float
    exit_code: int


#: What the commands run with: this environment, but with bytecode caching on, as a user's
#: (a shell or cron with PYTHONDONTWRITEBYTECODE set would compile every module every run).
CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def measure(argv: list[str], *, cwd: Path | None = None) -> tuple[float, float, float, int]:
    """CPU seconds, wall seconds, peak RSS (MB) and exit code of one fresh process."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        argv,
        cwd=cwd,
        env=CHILD_ENV,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    cpu = usage.ru_utime + usage.ru_stime
    return cpu, wall, usage.ru_maxrss / 1024, proc.returncode


def median_run(env: str, name: str, argv: list[str], repeat: int, cwd: Path | None = None) -> Run:
    return _median(env, name, [measure(argv, cwd=cwd) for _ in range(repeat)])


def _first_crawl(crawl: list[str], work: Path) -> tuple[float, float, float, int]:
    for stale in work.glob("archive.db*"):
        stale.unlink()
    return measure(crawl, cwd=work)


def _median(env: str, name: str, samples: list[tuple[float, float, float, int]]) -> Run:
    return Run(
        env=env,
        name=name,
        cpu_s=statistics.median(s[0] for s in samples),
        wall_s=statistics.median(s[1] for s in samples),
        rss_mb=statistics.median(s[2] for s in samples),
        exit_code=max(s[3] for s in samples),
    )


def ensure_env(
    venvs: Path, env: str, source: Path, *, rebuild: bool, packages: list[str] | None = None
) -> Path:
    """The environment's folder, created (and the checkout installed into it, or only
    ``packages`` when given) if missing."""
    path = venvs / env
    if rebuild and path.exists():
        shutil.rmtree(path)
    marker = path / ".installed"
    if marker.exists():
        return path
    print(f"creating the {env} environment in {path} ...", file=sys.stderr, flush=True)
    subprocess.run([sys.executable, "-m", "venv", str(path)], check=True)
    pip = [str(path / "bin" / "python"), "-m", "pip", "install", "-q"]
    wanted = packages if packages is not None else ["-e", str(source), *ENVS[env]]
    done = subprocess.run([*pip, *wanted], capture_output=True, text=True, check=False)
    if done.returncode:
        sys.exit(f"pip failed for the {env} environment:\n{done.stderr}")
    marker.write_text("ok\n")
    return path


class Mirror:
    """The bundled mirror on a free loopback port, in its own process."""

    def __init__(self, python: Path) -> None:
        self.proc = subprocess.Popen(
            [str(python), "-m", "scraper.mirror", "--port", "0"],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()  # "sahara.ma mirror on http://127.0.0.1:N/ar/ ..."
        self.url = next(w for w in line.split() if w.startswith("http://"))

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)


def bench_env(venvs: Path, env: str, source: Path, repeat: int, rebuild: bool) -> list[Run]:
    path = ensure_env(venvs, env, source, rebuild=rebuild)
    python, scraper = path / "bin" / "python", str(path / "bin" / "scraper")
    # the checkout's bytecode, compiled once (an editable install is not compiled by pip)
    subprocess.run(
        [str(python), "-m", "compileall", "-q", str(source / "scraper")], env=CHILD_ENV, check=True
    )
    runs = [median_run(env, "python -c pass", [str(python), "-c", "pass"], repeat)]
    for name, args in (
        ("--version", ["--version"]),
        ("--help", ["--help"]),
        ("crawl --help", ["crawl", "--help"]),
    ):
        runs.append(median_run(env, name, [scraper, *args], repeat))
    mirror = Mirror(python)
    try:
        with tempfile.TemporaryDirectory(prefix="startup-") as tmp:
            work = Path(tmp)
            crawl = [scraper, "crawl", "--profile", "sahara.ma", mirror.url, "--delay", "0", "-q"]
            crawl += ["--db", str(work / "archive.db")]
            # first crawls into fresh archives (the last one stays for the re-runs)
            first = [_first_crawl(crawl, work) for _ in range(repeat)]
            runs.append(_median(env, "first crawl", first))
            runs.append(median_run(env, "no-op re-run crawl", crawl, repeat, cwd=work))
            db = ["--db", str(work / "archive.db")]
            search = [scraper, "search", "الصناعة", *db]
            runs.append(median_run(env, "search", search, repeat, cwd=work))
            export = [scraper, "export", *db, "-o", str(work / "out.jsonl")]
            runs.append(median_run(env, "export", export, repeat, cwd=work))
    finally:
        mirror.close()
    return runs


def bench_scrapy(venvs: Path, mirror_python: Path, repeat: int, rebuild: bool) -> list[Run]:
    """The baseline: a hand-written Scrapy spider (``benchmarks/scrapy_spider.py``) crawling
    the same mirror, in an environment of its own (Scrapy only), ``repeat`` fresh runs."""
    path = ensure_env(venvs, "scrapy", ROOT, rebuild=rebuild, packages=["scrapy"])
    python, scrapy = path / "bin" / "python", str(path / "bin" / "scrapy")
    runs = [median_run("scrapy", "python -c pass", [str(python), "-c", "pass"], repeat)]
    mirror = Mirror(mirror_python)
    try:
        with tempfile.TemporaryDirectory(prefix="startup-scrapy-") as tmp:
            out = Path(tmp) / "items.jsonl"
            spider = [scrapy, "runspider", str(ROOT / "benchmarks" / "scrapy_spider.py")]
            spider += ["-a", f"start={mirror.url}", "-O", str(out)]
            runs.append(median_run("scrapy", "spider crawl", spider, repeat, cwd=Path(tmp)))
            items = out.read_text(encoding="utf-8").splitlines() if out.exists() else []
            print(f"scrapy spider: {len(items)} articles per run", file=sys.stderr)
    finally:
        mirror.close()
    return runs


def print_table(runs: list[Run]) -> None:
    floor = {r.env: r for r in runs if r.name == "python -c pass"}
    print(
        f"{'env':8} {'command':22} {'CPU s':>7} {'+floor':>7} {'wall s':>7} {'RSS MB':>7} "
        f"{'+floor':>7} {'exit':>4}"
    )
    for r in runs:
        f = floor[r.env]
        print(
            f"{r.env:8} {r.name:22} {r.cpu_s:7.3f} {r.cpu_s - f.cpu_s:7.3f} {r.wall_s:7.3f} "
            f"{r.rss_mb:7.1f} {r.rss_mb - f.rss_mb:7.1f} {r.exit_code:4}"
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, default=ROOT)
    parser.add_argument("--venvs", type=Path, default=Path("/tmp/scraper-startup-venvs"))
    parser.add_argument("--env", choices=sorted(ENVS), action="append")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--scrapy", action="store_true")
    args = parser.parse_args(argv)
    args.venvs.mkdir(parents=True, exist_ok=True)
    runs: list[Run] = []
    for env in args.env or list(ENVS):
        runs += bench_env(args.venvs, env, args.source.resolve(), args.repeat, args.rebuild)
    if args.scrapy:
        mirror_python = args.venvs / (args.env or list(ENVS))[0] / "bin" / "python"
        runs += bench_scrapy(args.venvs, mirror_python, args.repeat, args.rebuild)
    print_table(runs)
    if args.json:
        print(json.dumps([asdict(r) for r in runs]))


if __name__ == "__main__":
    main()
