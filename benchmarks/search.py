"""Search benchmark: a synthetic Arabic/French archive, insert throughput, size, query latency.

    python benchmarks/search.py                 # 200,000 articles (a few minutes)
    python benchmarks/search.py --n 20000       # quick run
    python benchmarks/search.py --n 1000000     # the 1M-article archive
    python benchmarks/search.py --compare 20000 # light stemmer vs trigram index, side by side
    python benchmarks/search.py --db a.db --reuse  # time queries again on a kept archive

The default run writes through ``Store.save_article`` exactly as a crawl does (one transaction
per article, categories, tags, authors, links, search index) and then times ``Store.search``
(ranking, filters and snippets included) for word, phrase, prefix and filtered queries.

``--compare`` builds bare FTS5 indexes over the same corpus for four designs and scores them
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
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

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
from scraper.store import RANK_WINDOW, Store
from scraper.text import fold, light_stem, tokens

TARGET_P95_MS = 50.0


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def timed(run: Callable[[str], object], queries: Iterable[str]) -> list[float]:
    out = []
    for q in queries:
        start = time.perf_counter()
        run(q)
        out.append((time.perf_counter() - start) * 1000)
    return out


def report_latency(name: str, ms: list[float]) -> tuple[float, float]:
    p50, p95 = percentile(ms, 50), percentile(ms, 95)
    flag = "" if p95 < TARGET_P95_MS else f"  (over the {TARGET_P95_MS:.0f} ms target)"
    print(f"  {name:<12} n={len(ms):<4} p50 {p50:7.2f} ms   p95 {p95:7.2f} ms{flag}")
    return p50, p95


def to_article(doc: Doc) -> Article:
    return Article(
        url=f"https://{doc.site}/{doc.language}/{doc.published_at:%Y/%m/%d}/{doc.index}/",
        site=doc.site,
        language=doc.language,
        title=doc.title,
        subtitle=doc.subtitle,
        authors=doc.authors,
        published_at=doc.published_at,
        date_source="jsonld",
        categories=doc.categories,
        tags=doc.tags,
        body=doc.body,
    )


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
def build(n: int, path: Path, seed: int) -> list[str]:
    """Write ``n`` generated articles through ``Store.save_article``; return a sample of
    bodies (for phrase queries)."""
    gen = Generator(seed)
    rng = random.Random(seed + 1)
    sample: list[str] = []
    print(f"Building a synthetic archive of {n:,} articles in {path} ...")
    elapsed = 0.0  # time spent in Store.save_article only (not in generating text)
    with Store(path) as store:
        site_ids: dict[str, int] = {}
        for doc in gen.docs(n):
            if doc.site not in site_ids:
                site_ids[doc.site] = store.ensure_site(doc.site, f"https://{doc.site}/")
            article = to_article(doc)
            start = time.perf_counter()
            store.save_article(site_ids[doc.site], article)
            elapsed += time.perf_counter() - start
            if len(sample) < 2000 and rng.random() < 2000 / n:
                sample.append(doc.body)
            if doc.index and doc.index % 50_000 == 0:
                print(f"  {doc.index:>9,} articles, {doc.index / elapsed:,.0f}/s", flush=True)
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = path.stat().st_size
    print(
        f"Inserted {n:,} articles in {elapsed:.1f} s of Store.save_article:"
        f" {n / elapsed:,.0f} articles/s (one transaction each)"
    )
    print(f"Database {size / 1e6:,.1f} MB: {size / n / 1024:.2f} KiB per article (no raw pages)")
    return sample


def measure(path: Path, queries: int, seed: int, sample: list[str] | None = None) -> None:
    """Time ``Store.search`` for word, phrase, prefix and filtered queries."""
    gen = Generator(seed)
    rng = random.Random(seed + 2)
    with Store(path) as store:
        n = store.counts()["articles"]
        if sample is None:  # an existing archive: phrases from some of its articles
            ids = rng.sample(range(1, n + 1), min(n, 2000))
            sample = [r["body"] for r in store.records(ids=ids)]
        sites = [r["site"] for r in store.records(ids=[1, 2, 3])]

        def search(q: str, **kw: str) -> list:
            return store.search(q, limit=20, **kw)

        words = word_queries(rng, gen, queries)
        phrases = phrase_queries(rng, sample, queries)
        prefixes = prefix_queries(rng, gen, queries)
        filters = []
        for q in word_queries(rng, gen, queries):
            month = rng.randint(1, 12)
            kind = rng.random()
            arabic = any("\u0600" <= c <= "\u06ff" for c in q)
            if kind < 0.4:
                kw = {"site": rng.choice(sites), "since": f"2024-{month:02d}", "until": "2024-12"}
            elif kind < 0.7:
                kw = {"language": "ar" if arabic else "fr", "since": f"2025-{month:02d}-01"}
            else:  # a section in the query's language
                kw = {
                    "category": rng.choice(["اقتصاد", "رياضة"] if arabic else ["Économie", "Sport"])
                }
            filters.append((q, kw))
        search(words[0])  # warm the page cache once
        print(f"Query latency over {n:,} articles (Store.search, limit 20, with snippets):")
        results = {
            "word": timed(search, words),
            "phrase": timed(search, phrases),
            "prefix": timed(search, prefixes),
            "filtered": [
                t for q, kw in filters for t in timed(lambda text, kw=kw: search(text, **kw), [q])
            ],
        }
        results["word, exact"] = timed(lambda q: store.search(q, limit=20, window=None), words)
        for name, ms in results.items():
            report_latency(name, ms)
        capped = sum(1 for q in words if (hits := search(q)) and hits[0]["capped"])
        print(
            f"  ({capped} of {len(words)} word queries match more than {RANK_WINDOW:,} articles"
            " and rank the most recent of them; 'word, exact' ranks every match)"
        )


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
            word_ms = timed(top, latency_queries)
            phrase_ms = timed(top, phrases)
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
    parser.add_argument("--db", type=Path, help="archive file to build (default: a temporary file)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary archive")
    parser.add_argument(
        "--reuse", action="store_true", help="only time queries on an existing --db archive"
    )
    parser.add_argument(
        "--compare", type=int, metavar="N", help="compare index designs on N articles"
    )
    args = parser.parse_args()
    if args.compare:
        compare(args.compare, args.seed, args.queries)
        return
    if args.reuse:
        if not args.db or not args.db.exists():
            sys.exit("--reuse needs --db pointing to an archive built by this benchmark")
        measure(args.db, args.queries, args.seed)
        return
    folder = tempfile.mkdtemp(prefix="scraper-bench-")
    path = args.db or Path(folder) / "bench.db"
    if path.exists():
        sys.exit(f"{path} exists; give a new --db path (or --reuse it)")
    try:
        measure(path, args.queries, args.seed, build(args.n, path, args.seed))
    finally:
        if not args.db and not args.keep:
            for suffix in ("", "-wal", "-shm"):
                Path(str(path) + suffix).unlink(missing_ok=True)
            os.rmdir(folder)
        elif not args.db:
            print(f"kept {path}")


if __name__ == "__main__":
    main()
