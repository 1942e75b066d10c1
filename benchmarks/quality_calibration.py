#!/usr/bin/env python3
"""How well the extraction quality estimate predicts a page's body F1, per dev corpus.

    python benchmarks/quality_calibration.py                   # the table (docs/quality.md)
    python benchmarks/quality_calibration.py --tune            # re-tune the weights on half A
    python benchmarks/quality_calibration.py --cache /tmp/q.json --corpus news1 --limit 50

Reads ``../shared/eval/body/<corpus>/`` next to the project when it is there (pages and
``truth.jsonl``; nothing of it is copied anywhere). For every page: ``scraper.extract`` (its
quality :class:`~scraper.extract.quality.Signals` recorded on the way), and the word F1 of the
body against the truth (``\\w+`` tokens, lower-cased, as multisets; an empty body scores 0).
Pages are split into two halves by a hash of their id: half A tunes (``--tune``: a coordinate
search of :class:`~scraper.extract.quality.Weights` maximizing Spearman's rho over all half-A
pages), half B confirms. Reported per corpus and half: Spearman's rho between quality and F1,
and the mean F1 of the pages below and at or above :data:`~scraper.extract.quality.THRESHOLD`.
"""

from __future__ import annotations

import argparse
import dataclasses
import gzip
import json
import logging
import re
import sys
import zlib
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scraper.extract import extract  # noqa: E402
from scraper.extract import quality as q  # noqa: E402

EVAL = ROOT.parent / "shared" / "eval" / "body"
WORD = re.compile(r"\w+")


def word_f1(truth: str, pred: str) -> float:
    """Word-level F1 of ``pred`` against ``truth`` (multisets of lower-cased tokens)."""
    want, got = Counter(WORD.findall(truth.lower())), Counter(WORD.findall(pred.lower()))
    if not want or not got:
        return 0.0
    shared = sum((want & got).values())
    if not shared:
        return 0.0
    precision, recall = shared / sum(got.values()), shared / sum(want.values())
    return 2 * precision * recall / (precision + recall)


def half(page_id: str) -> str:
    """'A' (tuning) or 'B' (confirmation), stable for a page id."""
    return "A" if zlib.crc32(page_id.encode()) % 2 == 0 else "B"


def pages(corpus: Path, limit: int | None) -> Iterator[tuple[str, str | None, str, str]]:
    """(id, url, html, truth body) of a corpus's pages."""
    with (corpus / "truth.jsonl").open(encoding="utf-8") as lines:
        for n, line in enumerate(lines):
            if limit is not None and n >= limit:
                return
            row = json.loads(line)
            path = corpus / "pages" / f"{row['id']}.html.gz"
            if path.exists():
                html = gzip.decompress(path.read_bytes()).decode("utf-8", errors="replace")
                yield str(row["id"]), row.get("url"), html, row.get("body") or ""


def measure(corpora: list[str], limit: int | None) -> list[dict[str, Any]]:
    """One row per page: corpus, id, half, F1 and the quality signals."""
    recorded: list[q.Signals] = []
    original = q.signals

    def recording(*args: Any, **kwargs: Any) -> q.Signals:
        found = original(*args, **kwargs)
        recorded.append(found)
        return found

    q.signals = recording  # type: ignore[assignment]  # extract reads it from the module
    rows = []
    try:
        for name in corpora:
            for page_id, url, html, truth in pages(EVAL / name, limit):
                recorded.clear()
                article = extract(html, url)
                if not recorded:
                    continue  # extraction failed before the estimate: no signals to judge
                rows.append(
                    {
                        "corpus": name,
                        "id": page_id,
                        "half": half(page_id),
                        "f1": word_f1(truth, article.body),
                        "signals": dataclasses.asdict(recorded[-1]),
                    }
                )
    finally:
        q.signals = original  # type: ignore[assignment]
    return rows


def ranks(values: list[float]) -> list[float]:
    order = sorted(range(len(values)), key=values.__getitem__)
    out = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            out[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return out


def spearman(xs: list[float], ys: list[float]) -> float:
    if len(xs) < 3:
        return float("nan")
    rx, ry = ranks(xs), ranks(ys)
    mx, my = sum(rx) / len(rx), sum(ry) / len(ry)
    cov = sum((a - mx) * (b - my) for a, b in zip(rx, ry, strict=True))
    vx = sum((a - mx) ** 2 for a in rx) ** 0.5
    vy = sum((b - my) ** 2 for b in ry) ** 0.5
    return cov / (vx * vy) if vx and vy else float("nan")


def scores(rows: list[dict[str, Any]], weights: q.Weights) -> list[float]:
    return [q.estimate(q.Signals(**r["signals"]), weights) for r in rows]


def tune(rows: list[dict[str, Any]], rounds: int = 3) -> q.Weights:
    """Coordinate search: each weight in turn over a few multiples of its value, kept when
    the mean of the per-corpus rho on these rows rises."""

    def fitness(w: q.Weights) -> float:
        by: dict[str, list[int]] = {}
        for i, r in enumerate(rows):
            by.setdefault(r["corpus"], []).append(i)
        est = scores(rows, w)
        rhos = [spearman([est[i] for i in ix], [rows[i]["f1"] for i in ix]) for ix in by.values()]
        return sum(rhos) / len(rhos)

    best, best_fit = q.WEIGHTS, fitness(q.WEIGHTS)
    factor_fields = {"fallback", "title", "undated", "dissent", "not_article"}
    for _ in range(rounds):
        for f in dataclasses.fields(q.Weights):
            value = getattr(best, f.name)
            if f.name in factor_fields:
                options = [0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 1.0]
            else:
                options = [value * m for m in (0, 0.5, 0.75, 1.25, 1.5, 2)] if value else [0.2, 0.5]
                if f.name == "words_full":
                    options = [10, 25, 50, 100, 150, 200, 300, 500]
            for option in options:
                if f.name in ("link", "sentence", "short", "missed", "declared") and option > 1:
                    continue
                candidate = dataclasses.replace(best, **{f.name: option})
                fit = fitness(candidate)
                if fit > best_fit + 1e-4:
                    best, best_fit = candidate, fit
        print(f"tuning: mean rho on half A {best_fit:.3f}", file=sys.stderr)
    return best


def table(rows: list[dict[str, Any]], weights: q.Weights) -> str:
    est = scores(rows, weights)
    lines = [
        f"| corpus | half | pages | rho | F1 below {q.THRESHOLD} (pages) | F1 at or above |",
        "|---|---|---:|---:|---:|---:|",
    ]
    groups: dict[tuple[str, str], list[int]] = {}
    for i, r in enumerate(rows):
        groups.setdefault((r["corpus"], r["half"]), []).append(i)
        groups.setdefault((r["corpus"], "A+B"), []).append(i)
    for (corpus, part), ix in sorted(groups.items()):
        f1 = [rows[i]["f1"] for i in ix]
        qs = [est[i] for i in ix]
        low = [f for f, e in zip(f1, qs, strict=True) if e < q.THRESHOLD]
        high = [f for f, e in zip(f1, qs, strict=True) if e >= q.THRESHOLD]
        mean = lambda xs: f"{sum(xs) / len(xs):.3f}" if xs else "-"  # noqa: E731
        lines.append(
            f"| {corpus} | {part} | {len(ix)} | {spearman(qs, f1):.3f} |"
            f" {mean(low)} ({len(low)}) | {mean(high)} ({len(high)}) |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--corpus", action="append", help="one corpus (repeatable); default all")
    parser.add_argument("--limit", type=int, help="pages per corpus")
    parser.add_argument("--cache", type=Path, help="keep the measured rows in this JSON file")
    parser.add_argument("--tune", action="store_true", help="tune the weights on half A")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    if not EVAL.is_dir():
        print(f"no dev corpora at {EVAL}: nothing to calibrate on", file=sys.stderr)
        return 2
    corpora = args.corpus or sorted(p.name for p in EVAL.iterdir() if (p / "truth.jsonl").exists())
    if args.cache and args.cache.exists():
        rows = [r for r in json.loads(args.cache.read_text()) if r["corpus"] in corpora]
    else:
        rows = measure(corpora, args.limit)
        if args.cache:
            args.cache.write_text(json.dumps(rows))
    weights = q.WEIGHTS
    if args.tune:
        weights = tune([r for r in rows if r["half"] == "A"])
        print(weights, file=sys.stderr)
    print(table(rows, weights))
    return 0


if __name__ == "__main__":
    sys.exit(main())
