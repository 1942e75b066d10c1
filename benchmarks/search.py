"""Search benchmark: a synthetic Arabic/French archive, insert throughput, size, query latency.

    python benchmarks/search.py                      # 200,000 articles
    python benchmarks/search.py --n 20000            # quick run
    python benchmarks/search.py --n 1000000 --compare  # a million, and the plain FTS5 floor
    python benchmarks/search.py --db A.db --code /tmp/main  # another checkout's queries, same data
    python benchmarks/search.py --designs 20000      # light stemmer vs trigram index, side by side

The archive is written through ``Store.save_article`` (categories, tags, authors, links,
search index): all but the last 2,000 articles in transactions of 2,000, their search text
prepared in worker processes, so a million builds in minutes rather than the better part of
an hour; the last 2,000 one transaction each, as a crawl writes, and timed (inserts/s, wall
and CPU): in alternating blocks of 100, the text prepared on the writer (one site's crawl) or
beforehand (a collection's, whose parser processes prepare it). It is kept under
``/tmp/scraper-search-bench`` per size, seed and code version (a hash of the schema, the index
text and key, and the corpus), so later runs only time queries (``--rebuild`` builds it again).

Then ``Store.search`` (limit 20; ranking, filters and snippets included) is timed for five
kinds of queries, p50/p95 of wall and CPU milliseconds: word, phrase, prefix, filtered (site
and dates, language and dates, or a section) and rank-all (the word queries with every match
ranked, ``window=None``). ``--compare`` runs the same queries on a plain FTS5 index of the
same articles (unicode61, no folding or stemming, bm25 over every match, FTS5's snippet, the
filters as joins): the floor.

``--designs`` builds bare FTS5 indexes over the same corpus for four designs and scores them
on the same queries:

- ``plain``: folded words only (no clitic handling), the baseline;
- ``extra``: folded words plus a third column listing the light stems that differ from their
  word; a query word matches its spelling or its stem in any column;
- ``stemmed``: every word indexed as its light stem, queries stemmed the same way (what the
  archive uses: ``scraper.search``);
- ``trigram``: FTS5's trigram tokenizer over folded text, query words stemmed and matched as
  substrings.

Quality is measured against the generator's ground truth: an Arabic query word, in any clitic
form, should find every article using that word with any clitic, and nothing else; a French
word should find the articles containing it.
"""

from __future__ import annotations

import argparse
import hashlib
import inspect
import itertools
import json
import multiprocessing
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
# --code DIR: time another checkout's scraper (say main's) on the same cached archive.
sys.path.insert(
    0,
    sys.argv[sys.argv.index("--code") + 1]
    if "--code" in sys.argv[:-1]
    else str(Path(__file__).resolve().parents[1]),
)

from corpus import (
    AR_FUNCTION,
    AR_NOUNS,
    AR_PLACES,
    AR_VERBS,
    FR_FUNCTION,
    FR_PLACES,
    FR_VERBS,
    Doc,
    Generator,
)

from scraper.article import Article
from scraper.search import index_columns, parse
from scraper.store import RANK_WINDOW, Store, search_key
from scraper.store.articles import ArticlesMixin, Prepared, prepare
from scraper.text import fold, light_stem, tokens

TARGET_P95_MS = 50.0


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def report_latency(name: str, samples: list[tuple[float, float]]) -> dict[str, float]:
    """Print and return p50/p95 of wall and CPU milliseconds (CPU: the process's own time,
    what a shared, busy machine does not inflate)."""
    ms = [w for w, _ in samples]
    cpu = [c for _, c in samples]
    p50, p95 = percentile(ms, 50), percentile(ms, 95)
    c50, c95 = percentile(cpu, 50), percentile(cpu, 95)
    flag = "" if p95 < TARGET_P95_MS else f"  (over the {TARGET_P95_MS:.0f} ms target)"
    print(
        f"  {name:<10} n={len(ms):<4} p50 {p50:7.2f} ms  p95 {p95:7.2f} ms"
        f"   CPU p50 {c50:7.2f}  p95 {c95:7.2f}{flag}"
    )
    return {"p50": p50, "p95": p95, "cpu_p50": c50, "cpu_p95": c95}


def to_article(doc: Doc) -> Article:
    return Article(**doc.article_fields())


# ---------------------------------------------------------------------- queries
def word_queries(rng: random.Random, gen: Generator, count: int) -> list[str]:
    """Content words across the frequency range: a third common Arabic nouns, a third rarer
    derived Arabic words (both often with a clitic attached), the rest French words and
    places."""
    out = []
    derived = gen.ar_vocab[len(AR_NOUNS) :]
    for _ in range(count):
        roll = rng.random()
        if roll < 0.65:
            word = rng.choice(AR_NOUNS if roll < 0.35 else derived)
            out.append(rng.choice(["", "", "ال", "وال", "بال", "لل"]) + word)
        elif roll < 0.9:
            word = rng.choice(gen.fr_vocab)
            out.append(fold(word) if rng.random() < 0.5 else word)
        else:
            out.append(rng.choice(AR_PLACES + FR_PLACES).replace("_", " "))
    return out


_NOT_CONTENT = {
    light_stem(fold(w))
    for w in AR_FUNCTION + AR_VERBS + FR_FUNCTION + FR_VERBS + ["qu'il", "l'", "d'"]
}


def phrase_queries(rng: random.Random, bodies: list[str], count: int) -> list[str]:
    """Two adjacent content words of a real article (noun + adjective, noun + name ...), the
    kind of phrase an analyst quotes; pairs with a function word or a verb are skipped."""
    out = []
    while len(out) < count:
        words = [w.strip("،.؛,;") for w in rng.choice(bodies).split()]
        i = rng.randrange(max(1, len(words) - 2))
        pair = words[i : i + 2]
        if len(pair) == 2 and all(
            len(w) > 2 and light_stem(fold(w)) not in _NOT_CONTENT for w in pair
        ):
            out.append(f'"{pair[0]} {pair[1]}"')
    return out


def prefix_queries(rng: random.Random, gen: Generator, count: int) -> list[str]:
    """The first letters (at least four) of a word of five letters or more."""
    out: list[str] = []
    while len(out) < count:
        word = rng.choice(gen.ar_vocab) if rng.random() < 0.7 else rng.choice(gen.fr_vocab)
        if len(word) >= 5:
            out.append(word[: max(4, len(word) - 2)] + "*")
    return out


# ---------------------------------------------------------------------- full benchmark
#: Articles written at the end of a build through ``Store.save_article`` one transaction
#: each, exactly as a crawl writes: the insert throughput printed (at the archive's size).
TIMED_INSERTS = 2000
#: Timed inserts alternate between the two ways a crawl prepares text in blocks this long.
TIMED_BLOCK = 100
#: Articles per transaction of the bulk part of a build (each still a ``save_article``).
BULK_BATCH = 2000
CACHE = Path(tempfile.gettempdir()) / "scraper-search-bench"


def _prepared(doc: Doc) -> tuple[Doc, Article, Prepared]:
    article = to_article(doc)
    return doc, article, prepare(article)


def code_version() -> str:
    """A hash of what decides what a built archive holds (schema and the indexes' settings,
    index text and key, the query module that writes its pair terms, corpus): a cached
    archive is reused only while they are unchanged."""
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for source in (index_columns, search_key, ArticlesMixin._index):
        digest.update(inspect.getsource(source).encode())
    parts = (
        "scraper/store/schema.sql",
        "scraper/store/schema.py",  # the indexes' settings (automerge)
        "scraper/text.py",
        "scraper/search.py",
        "benchmarks/corpus.py",
    )
    for part in parts:
        digest.update((root / part).read_bytes())
    return digest.hexdigest()[:12]


def _bounded_imap(pool: Any, docs: Iterable[Doc], block: int = 20_000) -> Iterator[Any]:
    """``pool.imap(_prepared, docs)`` a block at a time: ``imap`` reads its whole input at
    once and keeps every result the writer has not taken yet, which at a million articles
    is more memory than the machine has."""
    it = iter(docs)
    while chunk := list(itertools.islice(it, block)):
        yield from pool.imap(_prepared, chunk, chunksize=64)


def build(n: int, path: Path, seed: int) -> dict[str, float]:
    """Write ``n`` generated articles through ``Store.save_article``; returns the insert
    throughput and size.

    The bulk of them (all but the last ``TIMED_INSERTS``) go in transactions of
    ``BULK_BATCH`` articles, their search text prepared (``store.prepare``) in worker
    processes, so a 1M-article archive builds in minutes; the last ``TIMED_INSERTS`` are
    timed one transaction each, preparation included, as a crawl writes them."""
    gen = Generator(seed)
    print(f"Building a synthetic archive of {n:,} articles in {path} ...", flush=True)
    bulk = max(0, n - TIMED_INSERTS)
    docs = gen.docs(n)
    started = time.perf_counter()
    with Store(path) as store, multiprocessing.Pool(max(1, (os.cpu_count() or 2))) as pool:
        site_ids: dict[str, int] = {}

        def site_id(doc: Doc) -> int:
            if doc.site not in site_ids:
                site_ids[doc.site] = store.ensure_site(doc.site, f"https://{doc.site}/")
            return site_ids[doc.site]

        head = itertools.islice(docs, bulk)
        batch: list[tuple[Doc, Article, Prepared]] = []
        for item in _bounded_imap(pool, head):
            batch.append(item)
            if len(batch) == BULK_BATCH or item[0].index == bulk - 1:
                with store.db.atomic():
                    for doc, article, prepared in batch:
                        store.save_article(site_id(doc), article, prepared=prepared)
                batch = []
                if item[0].index % 50_000 < BULK_BATCH:
                    rate = (item[0].index + 1) / (time.perf_counter() - started)
                    print(f"  {item[0].index + 1:>9,} articles, {rate:,.0f}/s", flush=True)
        # The rest, one transaction each, as a crawl writes: in alternating blocks, the text
        # prepared on the writer (one site's crawl, which parses on its processing thread)
        # or beforehand (a collection's crawl, whose parser processes prepare it).
        wall = {True: 0.0, False: 0.0}
        cpu = {True: 0.0, False: 0.0}
        timed = {True: 0, False: 0}
        for block in iter(lambda: list(itertools.islice(docs, TIMED_BLOCK)), []):
            inline = (block[0].index // TIMED_BLOCK) % 2 == 0
            work = [(d, to_article(d)) for d in block]
            ready = [None if inline else prepare(a) for _, a in work]
            for (doc, article), prepared in zip(work, ready, strict=True):
                sid = site_id(doc)
                start, cpu_start = time.perf_counter(), time.process_time()
                store.save_article(sid, article, prepared=prepared)
                wall[inline] += time.perf_counter() - start
                cpu[inline] += time.process_time() - cpu_start
                timed[inline] += 1
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = path.stat().st_size
    stats = {
        "n": n,
        "inserts_per_s": timed[True] / wall[True] if wall[True] else 0.0,
        "inserts_per_cpu_s": timed[True] / cpu[True] if cpu[True] else 0.0,
        "prepared_inserts_per_s": timed[False] / wall[False] if wall[False] else 0.0,
        "prepared_inserts_per_cpu_s": timed[False] / cpu[False] if cpu[False] else 0.0,
        "kib_per_article": size / n / 1024,
        "build_s": time.perf_counter() - started,
    }
    print_build(stats)
    return stats


def print_build(stats: dict[str, float]) -> None:
    both = "prepared_inserts_per_s" in stats  # an archive cached before: all on the writer
    timed = f"{TIMED_INSERTS // 2:,} of" if both else "all"
    print(
        f"Inserts: {stats['inserts_per_s']:,.0f} articles/s wall,"
        f" {stats['inserts_per_cpu_s']:,.0f}/CPU-s (Store.save_article, one transaction each,"
        f" the text prepared on the writer; {timed} the last {TIMED_INSERTS:,}"
        f" at {stats['n']:,} articles)"
    )
    if both:
        print(
            f"         {stats['prepared_inserts_per_s']:,.0f} articles/s wall,"
            f" {stats['prepared_inserts_per_cpu_s']:,.0f}/CPU-s with the text prepared"
            " beforehand, as a collection's parser processes do (the other half)"
        )
    print(f"Database: {stats['kib_per_article']:.2f} KiB per article (no raw pages)")


def cached_archive(n: int, seed: int, rebuild: bool) -> tuple[Path, dict[str, float]]:
    """The archive of ``n`` articles for this code version, built once and kept under
    ``CACHE`` (the build's statistics beside it)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"n{n}-s{seed}-{code_version()}.db"
    meta = path.with_suffix(".json")
    if path.exists() and meta.exists() and not rebuild:
        stats = json.loads(meta.read_text())
        print(f"Reusing {path} (built in {stats['build_s']:.0f} s)")
        print_build(stats)
        return path, stats
    for old in CACHE.glob(f"n{n}-s{seed}-*"):
        old.unlink()  # an older code version's archive: gigabytes at 1M
    stats = build(n, path, seed)
    meta.write_text(json.dumps(stats))
    return path, stats


KINDS = ("word", "phrase", "prefix", "filtered", "rank-all")


def query_sets(store: Store, queries: int, seed: int) -> dict[str, list[tuple[str, dict]]]:
    """The queries of each kind, the same for every code version and for the floor:
    (query text, filters). rank-all is the word queries with every match ranked."""
    gen = Generator(seed)
    rng = random.Random(seed + 2)
    n = store.counts()["articles"]
    ids = rng.sample(range(1, n + 1), min(n, 2000))
    sample = [r["body"] for r in store.records(ids=ids)]
    sites = [r["site"] for r in store.records(ids=[1, 2, 3])]
    words = word_queries(rng, gen, queries)
    phrases = phrase_queries(rng, sample, queries)
    prefixes = prefix_queries(rng, gen, queries)
    filtered = []
    for q in word_queries(rng, gen, queries):
        month = rng.randint(1, 12)
        kind = rng.random()
        arabic = any("\u0600" <= c <= "\u06ff" for c in q)
        if kind < 0.4:
            kw = {"site": rng.choice(sites), "since": f"2024-{month:02d}", "until": "2024-12"}
        elif kind < 0.7:
            kw = {"language": "ar" if arabic else "fr", "since": f"2025-{month:02d}-01"}
        else:  # a section in the query's language
            kw = {"category": rng.choice(["اقتصاد", "رياضة"] if arabic else ["Économie", "Sport"])}
        filtered.append((q, kw))
    return {
        "word": [(q, {}) for q in words],
        "phrase": [(q, {}) for q in phrases],
        "prefix": [(q, {}) for q in prefixes],
        "filtered": filtered,
        "rank-all": [(q, {"window": None}) for q in words],
    }


Latency = dict[str, dict[str, float]]


def measure(path: Path, sets: dict[str, list[tuple[str, dict]]]) -> Latency:
    """Time ``Store.search`` (limit 20, ranking and snippets included) for every kind."""
    results: Latency = {}
    with Store(path, reading=True) as store:
        n = store.counts()["articles"]

        def search(q: str, kw: dict) -> list:
            return store.search(q, limit=20, **kw)

        search(sets["word"][0][0], {})  # warm the page cache once
        print(f"Store.search over {n:,} articles (limit 20, with snippets):")
        for kind in KINDS:
            results[kind] = report_latency(kind, timed(search, sets[kind]))
        many = sum(1 for q, _ in sets["word"] if len(store.search(q, limit=1)) and _many(store, q))
        print(f"  ({many} of {len(sets['word'])} word queries match over {RANK_WINDOW:,} articles)")
    return results


def _many(store: Store, query: str) -> bool:
    match = parse(query).match
    sql = "SELECT count(*) FROM (SELECT 1 FROM articles_fts WHERE articles_fts MATCH ? LIMIT ?)"
    return store.db.execute(sql, [match, RANK_WINDOW + 1]).fetchone()[0] > RANK_WINDOW


#: Runs of each query; the fastest is kept (``--repeat``: on a shared machine the others
#: measure the neighbours).
REPEAT = [1]


def timed(
    run: Callable[[str, dict], object], queries: Iterable[tuple[str, dict]]
) -> list[tuple[float, float]]:
    """(wall ms, CPU ms) of each query, the fastest of ``REPEAT`` runs."""
    out = []
    for q, kw in queries:
        best = (float("inf"), float("inf"))
        for _ in range(REPEAT[0]):
            start, cpu = time.perf_counter(), time.process_time()
            run(q, kw)
            wall, used = time.perf_counter() - start, time.process_time() - cpu
            best = (min(best[0], wall * 1000), min(best[1], used * 1000))
        out.append(best)
    return out


# ---------------------------------------------------------------------- the plain FTS5 floor
def plain_index(archive: Path) -> Path:
    """A plain FTS5 index (unicode61, diacritics removed, no folding or stemming) over the
    archive's titles and bodies, with the archive's tables attached for filters: the floor."""
    path = archive.with_suffix(".plain.db")
    if path.exists():
        return path
    print(f"Building the plain FTS5 index {path} ...", flush=True)
    tmp = path.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    conn = sqlite3.connect(tmp)
    conn.execute(
        "CREATE VIRTUAL TABLE fts USING fts5(title, body, tokenize='unicode61 remove_diacritics 2')"
    )
    conn.execute("ATTACH ? AS a", [str(archive)])
    with conn:
        conn.execute(
            "INSERT INTO fts (rowid, title, body) SELECT id, title,"
            " coalesce(subtitle || char(10), '') || coalesce(body, '') FROM a.articles"
        )
    conn.close()
    tmp.rename(path)
    return path


def plain_match(query: str) -> str:
    """The FTS5 expression a plain index runs: the folded words, quoted, all required."""
    star = query.endswith("*")
    words = tokens(fold(query.strip('"*')))
    if query.startswith('"'):
        return '"' + " ".join(words) + '"'
    return " AND ".join(f'"{w}"' + (" *" if star else "") for w in words)


def measure_plain(archive: Path, sets: dict[str, list[tuple[str, dict]]]) -> Latency:
    """The same queries on the plain index, bm25-ranked (every match), FTS5 snippets, the
    filters as joins on the archive's tables."""
    conn = sqlite3.connect(plain_index(archive))
    conn.execute("ATTACH ? AS a", [str(archive)])
    conn.execute("PRAGMA cache_size = -65536")
    conn.execute("PRAGMA mmap_size = 1073741824")

    def search(q: str, kw: dict) -> list:
        where, args = ["fts MATCH ?"], [plain_match(q)]
        join = ""
        if "site" in kw:
            join += " JOIN a.articles ar ON ar.id = fts.rowid JOIN a.sites s ON s.id = ar.site_id"
            where.append("s.name = ?")
            args.append(kw["site"])
        if "language" in kw:
            join += " JOIN a.articles ar ON ar.id = fts.rowid" if "ar" not in join else ""
            where.append("ar.language = ?")
            args.append(kw["language"])
        for key, op in (("since", ">="), ("until", "<")):
            if key in kw:
                join += " JOIN a.articles ar ON ar.id = fts.rowid" if "ar " not in join else ""
                where.append(f"ar.published_at {op} ?")
                args.append(kw[key] if key == "since" else kw[key] + "-32")
        if "category" in kw:
            join += (
                " JOIN a.article_categories ac ON ac.article_id = fts.rowid"
                " JOIN a.categories c ON c.id = ac.category_id"
            )
            where.append("c.name = ?")
            args.append(kw["category"])
        return conn.execute(
            "SELECT fts.rowid, snippet(fts, 1, '[', ']', '…', 24), fts.title"
            f" FROM fts{join} WHERE {' AND '.join(where)} ORDER BY fts.rank LIMIT 20",
            args,
        ).fetchall()

    search(sets["word"][0][0], {})
    print("Plain FTS5 (the floor: no folding or stemming, bm25 over every match):")
    results = {kind: report_latency(kind, timed(search, sets[kind])) for kind in KINDS}
    conn.close()
    return results


# ---------------------------------------------------------------------- design comparison
VARIANTS = ("plain", "extra", "stemmed", "trigram")


def variant_columns(variant: str, doc: Doc) -> tuple[str, ...]:
    if variant == "stemmed":
        return index_columns(doc.title, doc.subtitle, doc.body)
    title, body = fold(doc.title), fold(f"{doc.subtitle}\n{doc.body}")
    if variant in ("plain", "trigram"):
        return title, body
    extra = {light_stem(t) for t in tokens(f"{title}\n{body}")} - set(tokens(f"{title} {body}"))
    return title, body, " ".join(sorted(extra))


def variant_match(variant: str, query: str) -> str | None:
    """The FTS5 expression each design runs for a user's query."""
    if variant == "stemmed":
        return parse(query).match
    words = tokens(fold(query))
    if not words:
        return None
    if query.startswith('"'):  # a phrase: exact folded words (the trigram index: a substring)
        phrase = '"' + " ".join(words) + '"'
        return phrase if variant == "trigram" else "{title body} : " + phrase
    if variant == "plain":
        return " AND ".join(f'"{w}"' for w in words)
    if variant == "extra":
        return " AND ".join(
            "(" + " OR ".join(f'"{f}"' for f in dict.fromkeys((w, light_stem(w)))) + ")"
            for w in words
        )
    # trigram: a word is a substring; stem the query so والاقتصاد looks for اقتصاد
    parts = [light_stem(w) for w in words]
    if any(len(p) < 3 for p in parts):
        return None  # the trigram index cannot look up fewer than three characters
    return " AND ".join(f'"{p}"' for p in parts)


def build_variant(
    variant: str, docs: list[Doc], folder: Path
) -> tuple[sqlite3.Connection, float, int]:
    path = folder / f"{variant}.db"
    conn = sqlite3.connect(path)
    cols = "title, body, stems" if variant == "extra" else "title, body"
    tokenizer = "trigram" if variant == "trigram" else "unicode61 remove_diacritics 2"
    conn.execute(f"CREATE VIRTUAL TABLE fts USING fts5({cols}, tokenize = '{tokenizer}')")
    marks = ",".join("?" * (len(cols.split(",")) + 1))
    start = time.perf_counter()
    with conn:
        conn.executemany(
            f"INSERT INTO fts (rowid, {cols}) VALUES ({marks})",
            ((d.index, *variant_columns(variant, d)) for d in docs),
        )
    conn.execute("INSERT INTO fts (fts) VALUES ('optimize')")
    conn.commit()
    seconds = time.perf_counter() - start
    conn.execute("VACUUM")
    return conn, seconds, path.stat().st_size


def compare(n: int, seed: int, queries: int) -> None:
    gen = Generator(seed)
    print(f"Generating {n:,} articles ...")
    docs = list(gen.docs(n))
    rng = random.Random(seed + 2)
    # Ground truth for Arabic nouns: articles using the lemma with any clitic.
    lemmas = rng.sample(AR_NOUNS, 20) + rng.sample(gen.ar_vocab[len(AR_NOUNS) :], 20)
    relevant_ar: dict[str, set[int]] = {lemma: set() for lemma in lemmas}
    ignored_ar: dict[str, set[int]] = {lemma: set() for lemma in lemmas}
    for d in docs:
        for lemma, _clitic in d.lemmas:
            if lemma in relevant_ar:
                relevant_ar[lemma].add(d.index)
        for lemma in d.inflected & ignored_ar.keys():
            ignored_ar[lemma].add(d.index)
    # Ground truth for French nouns: articles containing the folded word.
    fr_words = rng.sample(gen.fr_vocab, 30)
    wanted = {fold(w) for w in fr_words}
    relevant_fr: dict[str, set[int]] = {fold(w): set() for w in fr_words}
    for d in docs:
        for tok in set(tokens(fold(f"{d.title}\n{d.subtitle}\n{d.body}"))) & wanted:
            relevant_fr[tok].add(d.index)
    ar_queries = [
        (clitic + lemma, relevant_ar[lemma], ignored_ar[lemma] - relevant_ar[lemma])
        for lemma in lemmas
        for clitic in ("", "ال", "وال", "بال")
    ]
    fr_queries = [(w, relevant_fr[fold(w)], set()) for w in fr_words]
    latency_queries = word_queries(random.Random(seed + 3), gen, queries)
    phrases = phrase_queries(random.Random(seed + 4), [d.body for d in docs], queries // 2)
    header = (
        f"{'design':<8} {'build s':>8} {'KiB/art':>8} {'AR recall':>10} {'AR prec':>8}"
        f" {'FR recall':>10} {'FR prec':>8} {'word p50':>9} {'p95 ms':>7} {'phrase p95':>11}"
    )
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for variant in VARIANTS:
            conn, seconds, size = build_variant(variant, docs, Path(tmp))

            def matches(q: str, conn: sqlite3.Connection = conn, v: str = variant) -> set[int]:
                expr = variant_match(v, q)
                if expr is None:
                    return set()
                return {
                    r[0] for r in conn.execute("SELECT rowid FROM fts WHERE fts MATCH ?", [expr])
                }

            def top(q: str, conn: sqlite3.Connection = conn, v: str = variant) -> list:
                expr = variant_match(v, q)
                if expr is None:
                    return []
                return conn.execute(
                    "SELECT rowid FROM fts WHERE fts MATCH ? ORDER BY bm25(fts) LIMIT 20", [expr]
                ).fetchall()

            ar = [_scores(matches(q) - ign, rel) for q, rel, ign in ar_queries]
            fr = [_scores(matches(q) - ign, rel) for q, rel, ign in fr_queries]
            word_ms = [
                w for w, _ in timed(lambda q, _kw: top(q), [(q, {}) for q in latency_queries])
            ]
            phrase_ms = [w for w, _ in timed(lambda q, _kw: top(q), [(q, {}) for q in phrases])]
            rows.append(
                f"{variant:<8} {seconds:8.1f} {size / n / 1024:8.2f}"
                f" {_mean(ar, 0):10.3f} {_mean(ar, 1):8.3f}"
                f" {_mean(fr, 0):10.3f} {_mean(fr, 1):8.3f}"
                f" {percentile(word_ms, 50):9.2f} {percentile(word_ms, 95):7.2f}"
                f" {percentile(phrase_ms, 95):11.2f}"
            )
            conn.close()
    print(
        f"\nIndex designs over {n:,} articles ({len(ar_queries)} Arabic and"
        f" {len(fr_queries)} French queries; size = FTS index only):"
    )
    print(header)
    print("\n".join(rows))


def _mean(pairs: list[tuple[float, float]], index: int) -> float:
    return statistics.mean(p[index] for p in pairs)


def _scores(found: set[int], relevant: set[int]) -> tuple[float, float]:
    if not relevant:
        return 1.0, 1.0 if not found else 0.0
    hit = len(found & relevant)
    return hit / len(relevant), (hit / len(found) if found else 1.0)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--n", type=int, default=200_000, help="articles (default 200000; try 1000000)"
    )
    parser.add_argument("--queries", type=int, default=300, help="queries per kind (default 300)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--compare", action="store_true", help="also time the queries on a plain FTS5 index"
    )
    parser.add_argument("--rebuild", action="store_true", help="rebuild the cached archive")
    parser.add_argument(
        "--db", type=Path, help="time queries on this archive (built by this benchmark) instead"
    )
    parser.add_argument(
        "--code", type=Path, help="import scraper from this checkout (time another version)"
    )
    parser.add_argument(
        "--designs", type=int, metavar="N", help="compare index designs on N articles"
    )
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs of each query, the fastest kept (default 1)"
    )
    parser.add_argument("--json", action="store_true", help="also print the results as JSON")
    args = parser.parse_args()
    REPEAT[0] = max(1, args.repeat)
    if args.designs:
        compare(args.designs, args.seed, args.queries)
        return
    if args.db:
        path, stats = args.db, {}
        meta = args.db.with_suffix(".json")
        if meta.exists():
            stats = json.loads(meta.read_text())
            print_build(stats)
    else:
        path, stats = cached_archive(args.n, args.seed, args.rebuild)
    with Store(path, reading=True) as store:
        sets = query_sets(store, args.queries, args.seed)
    results: dict[str, object] = {"build": stats, "search": measure(path, sets)}
    if args.compare:
        results["plain"] = measure_plain(path, sets)
    if args.json:
        print(json.dumps(results))


if __name__ == "__main__":
    main()
