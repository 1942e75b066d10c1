"""What valid text at the door costs: :func:`scraper.clean.valid_text` on real pages.

Every page a crawl, a backfill or ``scraper extract`` reads goes through ``valid_text`` (the
page) and ``valid_fields`` (the article). On the sahara.ma mirror's article pages, in this
process, best of ``--repeat`` rounds:

1. **baseline**: one regex search of the characters ``valid_text`` replaces (the obvious way);
2. **valid_text**: what ships (UTF-8 encode + ``bytes.translate``: both at C speed);
3. **valid_fields** on the extracted article;
4. **extract** of the page, for scale.

Prints milliseconds per page and the ratios: ``valid_text`` against the baseline (target
<= 0.5x) and both checks against extraction (target <= 2 %).

Usage::

    python benchmarks/valid_text.py             # 40 pages, 20 rounds: a few seconds
    python benchmarks/valid_text.py --pages 74 --repeat 50 --json
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from typing import Any

from scraper.clean import _INVALID, valid_fields, valid_text
from scraper.extract import extract
from scraper.mirror import default_site
from scraper.mirror.server import Router


def best_ms(work: Callable[[], Any], pages: int, repeat: int) -> float:
    """The fastest of ``repeat`` rounds of ``work``, in milliseconds per page."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - started)
    return best * 1000 / pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    site = default_site()
    router = Router(site)
    pages = [router.respond(a.path(), "127.0.0.1")[2].decode() for a in list(site)[: args.pages]]
    articles = [extract(p, "http://127.0.0.1/a") for p in pages]
    n = len(pages)
    result = {
        "pages": n,
        "chars_per_page": sum(map(len, pages)) // n,
        "baseline_regex_ms": best_ms(lambda: [_INVALID.search(p) for p in pages], n, args.repeat),
        "valid_text_ms": best_ms(lambda: [valid_text(p) for p in pages], n, args.repeat),
        "valid_fields_ms": best_ms(lambda: [valid_fields(a) for a in articles], n, args.repeat),
        "extract_ms": best_ms(lambda: [extract(p, "http://127.0.0.1/a") for p in pages], n, 2),
    }
    result["ratio_vs_baseline"] = result["valid_text_ms"] / result["baseline_regex_ms"]
    checks = result["valid_text_ms"] + result["valid_fields_ms"]
    result["share_of_extract"] = checks / result["extract_ms"]
    if args.json:
        print(json.dumps(result))
        return
    print(f"{n} pages, {result['chars_per_page']:,} characters each")
    for key in ("baseline_regex_ms", "valid_text_ms", "valid_fields_ms", "extract_ms"):
        print(f"  {key.removesuffix('_ms'):<15} {result[key]:8.3f} ms/page")
    print(f"  valid_text / baseline: {result['ratio_vs_baseline']:.2f}x (target <= 0.5x)")
    print(f"  checks / extract:      {result['share_of_extract']:.1%} (target <= 2 %)")


if __name__ == "__main__":
    main()
