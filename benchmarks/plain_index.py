"""What the plain-text index (``articles_text``, for sqlite-utils and Datasette) costs.

    python benchmarks/plain_index.py                  # 20,000 articles
    python benchmarks/plain_index.py --n 100000 --timed 3000

The same synthetic Arabic/French articles (``benchmarks/corpus.py``) are written through
``Store.save_article`` into two archives: one **with** ``articles_text`` (the default) and one
**without** it (turned off, ``Store.set_plain_index(False)``). All but the last ``--timed``
articles go in transactions of 2,000; the last ones one transaction each, as a crawl writes,
alternating between the two archives so both see the same machine load. Printed:

- **write**: CPU ms per ``save_article`` with the search text prepared beforehand (the store's
  own work: article row, relations, both search indexes, story clustering), and
  **insert**: the same plus ``prepare`` (folding, stemming, fingerprint: what a crawl pays per
  article beyond extraction); each with the ratio with/without;
- **size**: the archive file per article (no raw pages), with and without, and the bytes of
  ``articles_text``'s own tables per article;
- **fill**: the time to fill the index from the articles (``'rebuild'``: what migration 16 and
  turning it back on cost), per 100,000 articles;
- **search**: p50/p95 ms of ``sqlite-utils search``'s query for single words.

Times are CPU time of this process (``time.process_time``; the machine may be shared).
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from corpus import Doc, Generator
from search import to_article  # the same articles as the search benchmark writes

from scraper.article import Article
from scraper.store import Store
from scraper.store.articles import Prepared, prepare

BULK_BATCH = 2000


class Target:
    """One of the two archives, and the CPU time of its timed writes."""

    def __init__(self, path: Path, plain: bool) -> None:
        self.store = Store(path)
        self.store.set_plain_index(plain)
        self.sites: dict[str, int] = {}
        self.write: list[float] = []
        self.insert: list[float] = []

    def site_id(self, doc: Doc) -> int:
        if doc.site not in self.sites:
            self.sites[doc.site] = self.store.ensure_site(doc.site, f"https://{doc.site}/")
        return self.sites[doc.site]

    def save(self, doc: Doc, article: Article, prepared: Prepared) -> None:
        self.store.save_article(self.site_id(doc), article, prepared=prepared)


def build(n: int, timed: int, folder: Path, seed: int) -> dict[str, Target]:
    targets = {
        "with": Target(folder / "with.db", True),
        "without": Target(folder / "without.db", False),
    }
    docs = Generator(seed).docs(n)
    bulk = max(0, n - timed)
    print(f"Writing {n:,} articles into two archives ({bulk:,} in bulk) ...", flush=True)
    head = itertools.islice(docs, bulk)
    while chunk := list(itertools.islice(head, BULK_BATCH)):
        items = [(doc, to_article(doc)) for doc in chunk]
        prepared = [prepare(article) for _, article in items]
        for target in targets.values():
            with target.store.db.atomic():
                for (doc, article), ready in zip(items, prepared, strict=True):
                    target.save(doc, article, ready)
    order = list(targets.values())
    for doc in docs:  # one transaction each, alternating which archive goes first
        order.reverse()
        for target in order:
            article = to_article(doc)
            start = time.process_time()
            ready = prepare(article)
            middle = time.process_time()
            target.save(doc, article, ready)
            end = time.process_time()
            target.write.append(end - middle)
            target.insert.append(end - start)
    for target in targets.values():
        target.store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return targets


def index_bytes(store: Store) -> int | None:
    """Bytes of articles_text's shadow tables (None without SQLite's dbstat)."""
    try:
        row = store.db.execute(
            "SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'articles\\_text\\_%' ESCAPE '\\'"
        ).fetchone()
    except sqlite3.OperationalError:
        return None
    return int(row[0] or 0)


def fill_seconds(store: Store) -> float:
    """CPU seconds of filling articles_text from the articles (rolled back)."""
    conn = store.db.conn
    conn.execute("BEGIN")
    start = time.process_time()
    conn.execute("INSERT INTO articles_text (articles_text) VALUES ('rebuild')")
    elapsed = time.process_time() - start
    conn.execute("ROLLBACK")
    return elapsed


def search_ms(store: Store, words: list[str]) -> tuple[float, float]:
    """p50/p95 CPU ms of sqlite-utils' search SQL (all columns, by rank, limit 20)."""
    import sqlite_utils

    db = sqlite_utils.Database(store.db.conn, execute_plugins=False)
    sql = db.table("articles").search_sql(limit=20)
    samples = []
    for word in words:
        start = time.process_time()
        db.execute(sql, {"query": word}).fetchall()
        samples.append((time.process_time() - start) * 1000)
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[round(0.95 * (len(ordered) - 1))]


def report(targets: dict[str, Target], n: int, queries: int, seed: int) -> dict[str, Any]:
    out: dict[str, Any] = {"n": n, "timed": len(targets["with"].write)}
    for kind in ("write", "insert"):
        with_ms = statistics.mean(targets["with"].__dict__[kind]) * 1000
        without_ms = statistics.mean(targets["without"].__dict__[kind]) * 1000
        out[kind] = {"with_ms": with_ms, "without_ms": without_ms, "ratio": with_ms / without_ms}
        print(
            f"{kind:<7} {with_ms:6.2f} ms/article with, {without_ms:6.2f} without:"
            f" x{with_ms / without_ms:.2f} (CPU, {out['timed']:,} single-article transactions)"
        )
    sizes = {k: t.store.path.stat().st_size / n / 1024 for k, t in targets.items()}
    own = index_bytes(targets["with"].store)
    out["size"] = {"with_kib": sizes["with"], "without_kib": sizes["without"]}
    print(
        f"size    {sizes['with']:6.2f} KiB/article with, {sizes['without']:6.2f} without:"
        f" x{sizes['with'] / sizes['without']:.2f} (no raw pages)"
        + (f"; articles_text's tables {own / n / 1024:.2f} KiB/article" if own else "")
    )
    store = targets["with"].store
    fill = fill_seconds(store)
    out["fill_s_per_100k"] = fill / n * 100_000
    print(f"fill    {fill:6.2f} s for {n:,} articles: {out['fill_s_per_100k']:.1f} s per 100,000")
    rng = random.Random(seed)
    bodies = [r[0] for r in store.db.execute("SELECT body FROM articles LIMIT 2000")]
    words = [rng.choice(re.findall(r"\w+", rng.choice(bodies))) for _ in range(queries)]
    p50, p95 = search_ms(store, words)
    out["search_ms"] = {"p50": p50, "p95": p95}
    print(f"search  p50 {p50:6.2f} ms, p95 {p95:6.2f} ms (sqlite-utils search, one word, limit 20)")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=20_000, help="articles (default 20000)")
    parser.add_argument("--timed", type=int, default=2000, help="timed single inserts")
    parser.add_argument("--queries", type=int, default=200, help="search queries timed")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true", help="also print the results as JSON")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="plain-index-") as folder:
        targets = build(args.n, min(args.timed, args.n), Path(folder), args.seed)
        results = report(targets, args.n, args.queries, args.seed)
        for target in targets.values():
            target.store.close()
    if args.json:
        print(json.dumps(results))


if __name__ == "__main__":
    main()
