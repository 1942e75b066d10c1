#!/usr/bin/env python3
"""Pages per second: ``scraper.extract`` against ``trafilatura.extract`` on the same pages.

    python benchmarks/extract_speed.py                       # dev-set pages + test fixtures
    python benchmarks/extract_speed.py --pages DIR --limit 100 --repeat 3
    python benchmarks/extract_speed.py --interleave          # both per page, in turn

Pages are every ``*.html`` / ``*.html.gz`` under ``--pages`` (default: ``../shared/eval/body``
next to the project, when it exists) and under ``tests/fixtures``. Both extractors run in
this process, one after the other, after a warm-up; only the time inside the calls counts.
The generic body step (``content.main_text`` on an already parsed tree) is timed as well,
since it is the part of ``extract`` that competes with trafilatura's job.
"""

from __future__ import annotations

import argparse
import gc
import gzip
import logging
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from selectolax.lexbor import LexborHTMLParser  # noqa: E402

from scraper.extract import extract  # noqa: E402
from scraper.extract.content import main_text  # noqa: E402

DEFAULT_PAGES = ROOT.parent / "shared" / "eval" / "body"


def load_pages(folders: list[Path], limit: int | None) -> list[str]:
    files: list[Path] = []
    for folder in folders:
        if folder.is_dir():
            files.extend(sorted(folder.rglob("*.html")))
            files.extend(sorted(folder.rglob("*.html.gz")))
    pages = []
    for path in files[:limit] if limit else files:
        raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
        pages.append(raw.decode("utf-8", errors="replace"))
    return pages


def timed(fn: Callable[[str], object], pages: list[str], repeat: int) -> float:
    """Best of ``repeat`` passes: seconds for one pass over ``pages``."""
    fn(pages[0])  # warm-up: imports, regex compilation, caches
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        total = 0.0
        for html in pages:
            start = time.perf_counter()
            fn(html)
            total += time.perf_counter() - start
        best = min(best, total)
    return best


def interleaved(pages: list[str]) -> int:
    """``extract`` and trafilatura on each page in turn; prints both rates and the ratio."""
    import trafilatura

    def baseline(html: str) -> object:
        return trafilatura.extract(html, favor_precision=True, include_comments=False)

    extract(pages[0])
    baseline(pages[0])
    gc.collect()
    ours = base = 0.0
    for html in pages:
        start = time.perf_counter()
        extract(html)
        middle = time.perf_counter()
        baseline(html)
        ours += middle - start
        base += time.perf_counter() - middle
    n = len(pages)
    print(f"  scraper.extract          {n / ours:8.1f} pages/s  ({1000 * ours / n:.2f} ms/page)")
    print(f"  trafilatura.extract      {n / base:8.1f} pages/s  ({1000 * base / n:.2f} ms/page)")
    print(f"  ratio extract / trafilatura (interleaved): {base / ours:.2f}x")
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pages", type=Path, default=DEFAULT_PAGES, help="folder of pages")
    ap.add_argument("--limit", type=int, help="at most N pages")
    ap.add_argument("--repeat", type=int, default=1, help="passes per extractor (best counts)")
    ap.add_argument(
        "--interleave",
        action="store_true",
        help="time both extractors page by page, alternately: on a shared machine the ratio"
        " then sees the same load for both",
    )
    args = ap.parse_args(argv)
    logging.disable(logging.ERROR)

    pages = load_pages([args.pages, ROOT / "tests" / "fixtures"], args.limit)
    if not pages:
        print(f"no pages under {args.pages} or tests/fixtures", file=sys.stderr)
        return 2
    n, size = len(pages), sum(map(len, pages)) / 1e6
    print(f"{n} pages, {size:.1f} MB of HTML, best of {args.repeat} pass(es)")

    if args.interleave:
        return interleaved(pages)
    try:  # imported before any timing: extract imports it lazily for its second opinion,
        import trafilatura  # and a one-time import is no page's time (the baseline's isn't)
    except ImportError:
        trafilatura = None
    ours = timed(lambda html: extract(html), pages, args.repeat)
    body = timed(lambda html: main_text(LexborHTMLParser(html)), pages, args.repeat)
    print(f"  scraper.extract          {n / ours:8.1f} pages/s  ({1000 * ours / n:.2f} ms/page)")
    print(f"  parse + content.main_text {n / body:7.1f} pages/s  ({1000 * body / n:.2f} ms/page)")
    if trafilatura is None:
        print("  trafilatura not installed: no baseline")
        return 0

    def baseline(html: str) -> object:
        return trafilatura.extract(html, favor_precision=True, include_comments=False)

    base = timed(baseline, pages, args.repeat)
    print(f"  trafilatura.extract      {n / base:8.1f} pages/s  ({1000 * base / n:.2f} ms/page)")
    print(f"  ratio extract / trafilatura: {base / ours:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
