"""Where an article's write goes at an archive's size: each part of ``save_article`` switched
off in turn, in the same run.

    python benchmarks/write_cost.py                       # search.py's 200,000-article archive
    python benchmarks/write_cost.py --n 1000000           # its million-article archive
    python benchmarks/write_cost.py --db ARCHIVE          # an archive that benchmark built
    python benchmarks/write_cost.py --code OLD --db OLD.db --build 1000000  # another version
    python benchmarks/write_cost.py --code OLD --db OLD.db                  # ... timed

New articles of the search benchmark's corpus (``benchmarks/corpus.py``), dated in the last week
of the archive's two years (a crawl adding today's news to a full week), are written through
``Store.save_article`` one transaction each, the text prepared on the writer (a site's crawl),
in blocks of ``--per``, ``--rounds`` times, the variants' blocks in random order so that all
of them see the same machine and archive:

- ``all``: everything, as a crawl writes;
- ``-stories``: no story clustering (``cluster_article``: candidate lookup, membership);
- ``-impacts``: no impact lists (``search_impacts``, the one-word exact ranking's);
- ``-plain``: no plain index (``articles_text``, for sqlite-utils and Datasette; its
  triggers dropped for the block);
- ``-pairs``: no phrase pairs in ``articles_fts`` (the words only);
- ``none``: all four off.

Printed: per variant, articles/s wall and per CPU-second of this process, CPU ms an article and
what switching the part off saves. The articles written are deleted at the end (the archive
keeps its size; FTS5 keeps their deletions as markers until merged).

``--code DIR`` imports ``scraper`` from another checkout (say the commit before a change): only
``all`` is timed, as that version has none of the switches; ``--build N`` first builds its
archive of ``N`` articles of the same corpus (transactions of 500).
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(
    0,
    sys.argv[sys.argv.index("--code") + 1]
    if "--code" in sys.argv[:-1]
    else str(Path(__file__).resolve().parents[1]),
)

from corpus import Doc, Generator

from scraper.article import Article
from scraper.store import Store

PARTS = ("stories", "impacts", "plain", "pairs")
VARIANTS = ("all", *(f"-{part}" for part in PARTS), "none")
#: Day of the corpus's two years the new articles start on (its last week).
LAST_WEEK_DAY = 726
#: Index of the first new article (the archive's run from 0).
FIRST_NEW = 9_000_000


def to_article(doc: Doc) -> Article:
    """The search benchmark's article, built by whichever scraper ``--code`` imported."""
    return Article(**doc.article_fields())


def new_articles(count: int) -> list[Article]:
    """``count`` articles the archive does not have, 30 s apart from its last week on."""
    start = Generator(7).start + timedelta(days=LAST_WEEK_DAY)
    return [
        to_article(
            dataclasses.replace(
                doc, index=FIRST_NEW + doc.index, published_at=start + timedelta(seconds=30 * i)
            )
        )
        for i, doc in enumerate(Generator(99).docs(count))
    ]


class Switches:
    """Turns parts of ``save_article`` off (this checkout's internals) and back on."""

    def __init__(self, store: Store) -> None:
        import scraper.search as search_module
        import scraper.store.articles as articles_module
        from scraper.store.schema import _statements, schema_sql

        self.store = store
        self.search_module = search_module
        self.articles_module = articles_module
        self.pairs = search_module.with_pairs
        self.impact_rows = articles_module.impact_rows
        self.cluster = type(store).cluster_article
        self.triggers = [
            s for s in _statements(schema_sql()) if "TRIGGER IF NOT EXISTS articles_text_" in s
        ]

    def plain(self, on: bool) -> None:
        if on:
            for statement in self.triggers:
                self.store.db.execute(statement)
        else:
            for event in ("insert", "delete", "update"):
                self.store.db.execute(f"DROP TRIGGER IF EXISTS articles_text_{event}")

    def set(self, variant: str) -> None:
        off = set(PARTS) if variant == "none" else {variant[1:]} if variant != "all" else set()
        no_pairs: Callable[[str], str] = lambda column: column  # noqa: E731
        self.search_module.with_pairs = no_pairs if "pairs" in off else self.pairs  # type: ignore[assignment]
        self.articles_module.impact_rows = (
            (lambda *args: []) if "impacts" in off else self.impact_rows
        )
        type(self.store).cluster_article = (  # type: ignore[method-assign]
            (lambda *args, **kwargs: 0) if "stories" in off else self.cluster
        )
        self.plain("plain" not in off)


def site_of(store: Store, cache: dict[str, int], article: Article) -> int:
    host = article.site or ""
    if host not in cache:
        cache[host] = store.ensure_site(host, f"https://{host}/")
    return cache[host]


def run(
    store: Store, variants: tuple[str, ...], per: int, rounds: int
) -> dict[str, list[tuple[float, float]]]:
    """{variant: (wall s, CPU s) of each article} over alternating blocks."""
    switches = Switches(store) if variants != ("all",) else None
    articles = iter(new_articles(per * rounds * len(variants)))
    times: dict[str, list[tuple[float, float]]] = {v: [] for v in variants}
    written: list[str] = []
    without_plain: list[str] = []
    sites: dict[str, int] = {}
    order = random.Random(5)
    try:
        for _ in range(rounds):
            for variant in order.sample(variants, len(variants)):
                if switches is not None:
                    switches.set(variant)
                for article in itertools.islice(articles, per):
                    site = site_of(store, sites, article)
                    wall, cpu = time.perf_counter(), time.process_time()
                    store.save_article(site, article)
                    times[variant].append((time.perf_counter() - wall, time.process_time() - cpu))
                    plain = variant not in ("-plain", "none")
                    (written if plain else without_plain).append(article.url or "")
    finally:
        if switches is not None:
            switches.set("all")
        remove_new(store, switches, written, without_plain)
    return times


def remove_new(
    store: Store, switches: Switches | None, written: list[str], without_plain: list[str]
) -> None:
    """Delete the articles written (those not in the plain index with its triggers off)."""
    with store.db.atomic():
        if switches is not None and without_plain:
            switches.plain(False)
            for url in without_plain:
                store.db.execute("DELETE FROM articles WHERE url = ?", [url])
            switches.plain(True)
        for url in written:
            store.db.execute("DELETE FROM articles WHERE url = ?", [url])
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def report(times: dict[str, list[tuple[float, float]]]) -> None:
    """Per variant: throughput, mean CPU ms an article (index merges and checkpoints
    included: a few articles pay a merge of hundreds of ms, so blocks of a few hundred vary
    by a few tenths of a ms) and the median (an article without them), each with what
    switching the part off saves against ``all``."""

    def mean_median(each: list[tuple[float, float]]) -> tuple[float, float]:
        cpus = [c for _, c in each]
        return sum(cpus) / len(cpus) * 1000, statistics.median(cpus) * 1000

    base_mean, base_median = mean_median(times["all"])
    print("  variant      wall/s  CPU/s   mean CPU ms (saves)   median CPU ms (saves)")
    for variant, each in times.items():
        count, wall, cpu = len(each), sum(w for w, _ in each), sum(c for _, c in each)
        mean, median = mean_median(each)
        line = f"  {variant:9s} {count / wall:8.0f} {count / cpu:6.0f}   {mean:5.2f}"
        line += f" ({base_mean - mean:+.2f})" if variant != "all" else " " * 8
        line += f"          {median:5.2f}"
        line += f" ({base_median - median:+.2f})" if variant != "all" else ""
        print(line)


def build(path: Path, n: int) -> None:
    """An archive of the corpus's first ``n`` articles, in transactions of 500."""
    docs = Generator(7).docs(n)
    started = time.perf_counter()
    with Store(path) as store:
        sites: dict[str, int] = {}
        while batch := list(itertools.islice(docs, 500)):
            with store.db.atomic():
                for doc in batch:
                    article = to_article(doc)
                    store.save_article(site_of(store, sites, article), article)
            if (batch[-1].index + 1) % 100_000 == 0:
                print(f"  {batch[-1].index + 1:>9,} articles", flush=True)
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    print(f"Built {n:,} articles in {time.perf_counter() - started:.0f} s: {path}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=200_000, help="search.py's archive of N")
    parser.add_argument("--db", type=Path, help="an archive built by benchmarks/search.py")
    parser.add_argument("--code", type=Path, help="import scraper from this checkout")
    parser.add_argument("--build", type=int, metavar="N", help="with --code: build --db first")
    parser.add_argument("--per", type=int, default=300, help="articles a block (default 300)")
    parser.add_argument("--rounds", type=int, default=4, help="blocks a variant (default 4)")
    args = parser.parse_args()
    if args.build:
        if not (args.code and args.db) or args.db.exists():
            parser.error("--build needs --code and a new --db")
        build(args.db, args.build)
    if args.db is not None:
        path = args.db
    else:
        from search import cached_archive

        path, _ = cached_archive(args.n, 7, rebuild=False)
    variants = ("all",) if args.code else VARIANTS
    with Store(path) as store:
        count = store.db.execute("SELECT count(*) FROM articles").fetchone()[0]
        print(
            f"{path}: {count:,} articles; {args.per} a block, {args.rounds} blocks a variant,"
            " one transaction each, text prepared on the writer"
        )
        times = run(store, variants, args.per, args.rounds)
    report(times)


if __name__ == "__main__":
    main()
