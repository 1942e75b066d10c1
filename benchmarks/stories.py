"""Story clustering benchmark: cost per article as the archive grows, and the rebuild time.

    python benchmarks/stories.py                   # 10,000 and 100,000 articles
    python benchmarks/stories.py --sizes 1000000 --fast-fill --dir /tmp/st   # 1M articles
    python benchmarks/stories.py --sizes 1000000 --dir /tmp/st --reuse       # incremental again
    python benchmarks/stories.py --sizes 20000 --engine dask --workers 2

For each size, a synthetic archive (``benchmarks/corpus.py``: Arabic and French articles
on shared topics, so unrelated articles share words and phrases) is written through
``Store.save_article`` as a crawl does (or, with ``--fast-fill``, straight into the articles
table: only what clustering reads), at a constant **300 articles a day** (a large national
site, or several smaller ones), with one article in five a copy of a recent one on another
site: verbatim, rewritten (words dropped and added) or cut to its lead. Then:

Times are CPU time of this process (``time.process_time``: the machine may be shared; with
``--engine dask`` the workers' time is not in it, the wall time is), ms per article.

- **rebuild**: ``scraper stories --rebuild`` of the whole archive, total seconds, ms per
  article over the first and the last tenth of the run and over each 100,000 (flat means
  the cost of an article does not grow with what is already clustered);
- **quality**: pairwise precision and recall of the clusters against the copies injected;
- **incremental**: on top of the full, clustered archive, 2,000 new articles saved with
  ``save_article`` as a crawl does, and 2,000 saved without clustering (the baseline: what
  an archive write costs anyway), in alternating blocks; ``clustering_ms`` is the
  difference, the cost clustering adds to one article (flat means it does not grow with
  the archive).

Numbers go to stdout as a table and, with ``--json FILE``, as JSON.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from corpus import Generator

from scraper.article import Article
from scraper.scale.stories import rebuild
from scraper.store import Store

PER_DAY = 300
COPY_SHARE = 0.2
START = datetime(2024, 1, 1, 6, 0, tzinfo=timezone(timedelta(hours=1)))
SITES = [f"site{i}.example" for i in range(8)]


class _NoClustering(Store):
    """The archive without story clustering: the baseline write."""

    def cluster_article(self, article_id: int, found: Any = None, *, computed: bool = False) -> int:
        return 0


class _Switch(Store):
    """The archive with story clustering turned on and off (``clustering``)."""

    clustering = True

    def cluster_article(self, article_id: int, found: Any = None, *, computed: bool = False) -> int:
        if not self.clustering:
            return 0
        return super().cluster_article(article_id, found, computed=computed)


def _rewrite(body: str, rng: random.Random) -> str:
    out = []
    for word in body.split(" "):
        roll = rng.random()
        if roll < 0.06:
            continue
        out.append(word)
        if roll > 0.93:
            out.append("أيضا")
    return " ".join(out)


def _docs(n: int, seed: int, distinct: int | None) -> Iterator[Any]:
    """``n`` generated docs; with ``distinct``, that many generated and then repeated (the
    repeats land ``distinct / PER_DAY`` days later, far outside the copy window)."""
    if distinct is None or distinct >= n:
        yield from Generator(seed).docs(n)
        return
    pool = list(Generator(seed).docs(distinct))
    for i in range(n):
        yield pool[i % distinct]


def articles(
    n: int, seed: int = 7, offset: int = 0, distinct: int | None = None
) -> Iterator[tuple[Article, str, int]]:
    """(article, site, truth story) for ``n`` articles at PER_DAY a day; one in five is a
    copy of one of the last 300 on another site."""
    rng = random.Random(seed + offset)
    recent: list[tuple[Article, int]] = []
    for i, doc in enumerate(_docs(n, seed + offset, distinct)):
        index = offset + i
        when = START + timedelta(seconds=index * 86400 // PER_DAY)
        site = SITES[index % len(SITES)]
        story = index
        body, title = doc.body, doc.title
        if recent and rng.random() < COPY_SHARE:
            source, story = rng.choice(recent)
            roll = rng.random()
            if roll < 0.4:
                body = source.body
            elif roll < 0.7:
                body = _rewrite(source.body, rng)
            else:
                body = source.body.split("\n\n")[0]
            title = source.title or ""
        article = Article(
            url=f"https://{site}/{index}/",
            language=doc.language,
            title=title,
            body=body,
            published_at=when,
            categories=doc.categories,
            tags=doc.tags,
            authors=doc.authors,
        )
        recent.append((article, story))
        if len(recent) > 300:
            recent.pop(0)
        yield article, site, story


def fill(db: Path, n: int, cls: type[Store], offset: int = 0) -> tuple[float, dict[str, int]]:
    """Write ``n`` articles; CPU seconds of the writes alone (not of generating the
    articles), and url -> truth story."""
    truth: dict[str, int] = {}
    spent = 0.0
    with cls(db) as store:
        ids = {s: store.ensure_site(s, f"https://{s}/") for s in SITES}
        for article, site, story in articles(n, offset=offset):
            started = time.process_time()
            store.save_article(ids[site], article)
            spent += time.process_time() - started
            truth[article.url or ""] = story
        return spent, truth


def incremental(db: Path, extra: int = 2000, rounds: int = 10) -> tuple[float, float]:
    """CPU ms per article of ``save_article`` without clustering (the baseline) and with it,
    on top of the archive in ``db``: ``extra`` articles each, in alternating blocks of
    ``extra / rounds`` (a shared machine's slow moments fall on both alike). The clustered
    ones follow the archive's last day, as a crawl's do; the baseline's are dated far later
    and are not clustered, so they are no candidates."""
    store = _Switch(db)
    with store:
        ids = {s: store.ensure_site(s, f"https://{s}/") for s in SITES}
        have = store.db.count("articles")
        clustered = articles(extra, offset=have)
        plain = articles(extra, offset=2 * have + 10 * extra)
        spent = {True: 0.0, False: 0.0}
        block = max(1, extra // rounds)
        for _ in range(0, extra, block):
            for on, source in ((False, plain), (True, clustered)):
                store.clustering = on
                for article, site, _story in itertools.islice(source, block):
                    started = time.process_time()
                    store.save_article(ids[site], article)
                    spent[on] += time.process_time() - started
    return 1000 * spent[False] / extra, 1000 * spent[True] / extra


def _mark(marks: list[tuple[int, float]], done: int, started: float, steps: list[float]) -> None:
    """Keep a progress mark; every 100,000 articles, print the cost of the last ones (a run
    stopped early still tells the cost per article at the sizes it reached) and keep it in
    ``steps``."""
    now = time.process_time()
    if marks and done // 100_000 > marks[-1][0] // 100_000:
        back = [m for m in marks if m[0] <= done - 100_000] or [(0, started)]
        d0, t0 = back[-1]
        steps.append(round(1000 * (now - t0) / (done - d0), 3))
        print(
            json.dumps({"clustered": done, "cpu_s": round(now - started, 1),
                        "ms_per_article_last": steps[-1]}),
            file=sys.stderr, flush=True,
        )  # fmt: skip
    marks.append((done, now))


def fast_fill(db: Path, n: int) -> tuple[float, dict[str, int]]:
    """Write ``n`` article rows straight into ``articles`` (no search index, no relations,
    no pages: only what clustering reads), for the 1M-article run: 100,000 generated texts,
    repeated every 333 days; CPU seconds, truth."""
    truth: dict[str, int] = {}
    with Store(db) as store:
        ids = {s: store.ensure_site(s, f"https://{s}/") for s in SITES}
        rows = []
        conn = store.db.conn
        for article, site, story in articles(n, distinct=100_000):
            stamp = article.published_utc
            rows.append((ids[site], article.url, article.language, article.title,
                         article.published_at.isoformat() if article.published_at else None,
                         stamp, article.body, "x", stamp, stamp, stamp))  # fmt: skip
            truth[article.url or ""] = story
            if len(rows) == 10_000:
                _insert(conn, rows)
                rows = []
        _insert(conn, rows)
    return 0.0, truth


def _insert(conn: Any, rows: list[tuple[Any, ...]]) -> None:
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO articles (site_id, url, language, title, published_at, published_utc, body,"
        " content_hash, first_seen_at, fetched_at, changed_at) VALUES"
        " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    conn.execute("COMMIT")


def quality(db: Path, truth: dict[str, int]) -> tuple[float, float]:
    with Store(db) as store:
        found = {
            url: story
            for url, story in store.db.execute(
                "SELECT a.url, m.story_id FROM articles a JOIN story_members m"
                " ON m.article_id = a.id"
            )
        }
    groups: dict[int, list[str]] = {}
    for url, story in truth.items():
        groups.setdefault(story, []).append(url)
    tp = fn = fp = 0
    for members in groups.values():
        for u, v in itertools.combinations(members, 2):
            if found.get(u) == found.get(v):
                tp += 1
            else:
                fn += 1
    clusters: dict[int, list[str]] = {}
    for url, story in found.items():
        clusters.setdefault(story, []).append(url)
    for members in clusters.values():
        for u, v in itertools.combinations(members, 2):
            if truth.get(u) != truth.get(v):
                fp += 1
    return tp / max(1, tp + fp), tp / max(1, tp + fn)


def build(db: Path, n: int, engine: str, workers: int, fast: bool = False) -> dict[str, Any]:
    """Fill an archive of ``n`` articles, rebuild its stories; the rebuild's numbers."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    seconds, truth = fast_fill(db, n) if fast else fill(db, n, _NoClustering)
    marks: list[tuple[int, float]] = []
    steps: list[float] = []
    with Store(db) as store:
        started = time.process_time()
        wall = time.perf_counter()
        rebuild(
            store,
            engine=engine,
            workers=workers,
            progress=lambda done: _mark(marks, done, started, steps),
        )
        rebuild_s = time.process_time() - started
        rebuild_wall = time.perf_counter() - wall
    tenth = max(1, n // 10)
    first_done, first_time = next((d, t) for d, t in marks if d >= tenth)
    from_done, from_time = [(d, t) for d, t in marks if d <= n - tenth][-1]
    end_done, end_time = marks[-1]
    precision, recall = quality(db, truth)
    return {
        "fill_save_ms": None if fast else round(1000 * seconds / n, 3),
        "rebuild_cpu_s": round(rebuild_s, 1),
        "rebuild_wall_s": round(rebuild_wall, 1),
        "rebuild_ms_per_article": round(1000 * rebuild_s / n, 3),
        "first_tenth_ms": round(1000 * (first_time - started) / first_done, 3),
        "last_tenth_ms": round(1000 * (end_time - from_time) / max(1, end_done - from_done), 3),
        "rebuild_ms_per_100k": steps,
        "precision": round(precision, 4),
        "recall": round(recall, 4),
    }


def run(
    n: int, engine: str, workers: int, folder: Path, fast: bool = False, reuse: bool = False
) -> dict[str, Any]:
    db = folder / f"stories-{n}.db"
    result: dict[str, Any] = {"articles": n}
    if not (reuse and _clustered(db)):
        result |= build(db, n, engine, workers, fast)
    save_ms, clustered_ms = incremental(db)
    with Store(db) as store:
        keys = store.db.count("story_keys")
        total = store.story_counts()["clustered"]
    result |= {
        "save_ms": round(save_ms, 3),
        "incremental_save_ms": round(clustered_ms, 3),
        "clustering_ms": round(clustered_ms - save_ms, 3),
        "overhead_vs_save": round(clustered_ms / save_ms, 2),
        "story_keys": keys,
        "keys_per_article": round(keys / total, 1),
        "archive_mb": round(db.stat().st_size / 1e6, 1),
    }
    return result


def _clustered(db: Path) -> bool:
    """Whether ``db`` is an archive whose stories were built (by an earlier run)."""
    if not db.is_file():
        return False
    with Store(db) as store:
        return bool(store.story_counts()["clustered"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--engine", choices=["local", "dask"], default="local")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--dir", type=Path, help="keep the archives here (default: a temp dir)")
    parser.add_argument("--json", type=Path)
    parser.add_argument(
        "--fast-fill",
        action="store_true",
        help="write the archive's article rows directly (for 1M): no search index, no"
        " relations, 100,000 distinct texts repeated every 333 days",
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="with --dir: measure the incremental cost again on the archives an earlier run"
        " built and clustered there (no fill, no rebuild)",
    )
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.dir or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        for n in (int(s) for s in args.sizes.split(",")):
            result = run(n, args.engine, args.workers, folder, args.fast_fill, args.reuse)
            results.append(result)
            print(json.dumps(result), flush=True)
    if len(results) > 1:
        a, b = results[0], results[-1]
        print(
            f"clustering cost per article at {b['articles']:,} / at {a['articles']:,}:"
            f" {b['clustering_ms'] / a['clustering_ms']:.2f}"
        )
        if "rebuild_ms_per_article" in a and "rebuild_ms_per_article" in b:
            print(
                f"per-article rebuild cost at {b['articles']:,} / at {a['articles']:,}:"
                f" {b['rebuild_ms_per_article'] / a['rebuild_ms_per_article']:.2f}"
                f" (last tenth: {b['last_tenth_ms'] / a['last_tenth_ms']:.2f})"
            )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
