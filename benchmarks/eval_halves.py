#!/usr/bin/env python3
"""The shared dev set scored on two halves and against two trafilatura baselines.

    python benchmarks/eval_halves.py                      # every body corpus + date set
    python benchmarks/eval_halves.py --corpus news5 --worst 10 --against default
    python benchmarks/eval_halves.py --dates --json /tmp/after.json --diff /tmp/before.json
    python benchmarks/eval_halves.py --kinds               # share of pages seen as articles

It reuses the scoring of ``../shared/eval/run.py`` (imported, not copied) and adds what
that runner does not show: trafilatura with its *default* settings
(``bare_extraction(html, url=url)``, as some judges score news pages) next to the
runner's ``favor_precision`` baseline, and every number on the even and the odd half of
each set (by position in ``truth.jsonl``), so a change tuned on one half is confirmed on
the other. The baselines' outputs never change, so they are kept in a cache file
(``--cache``, outside the project) and computed once.
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import json
import logging
import sys
import time
from collections import Counter
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scraper.extract import extract  # noqa: E402

EVAL = ROOT.parent / "shared" / "eval"
HALVES = ("all", "even", "odd")


def load_runner(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("eval_run", path)
    if spec is None or spec.loader is None:
        sys.exit(f"eval_halves: cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def rows_of(folder: Path, limit: int | None) -> list[dict[str, Any]]:
    with open(folder / "truth.jsonl", encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    rows = rows[:limit] if limit else rows
    for i, r in enumerate(rows):
        r["half"] = "even" if i % 2 == 0 else "odd"
        with gzip.open(folder / "pages" / f"{r['id']}.html.gz", "rb") as g:
            r["html"] = g.read().decode("utf-8")
    return rows


class Cache:
    """Baseline outputs by (set, baseline, page id), in one JSON file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.data: dict[str, Any] = json.loads(path.read_text()) if path.exists() else {}
        self.dirty = False

    def get(self, key: str, fn: Any, html: str, url: str | None) -> Any:
        """``fn(html, url)``, computed once (None when it fails)."""
        if key not in self.data:
            self.data[key] = safe(fn, html, url)
            self.dirty = True
        return self.data[key]

    def save(self) -> None:
        if self.dirty:
            self.path.write_text(json.dumps(self.data))


def body_baselines() -> dict[str, Any]:
    import trafilatura

    def precision(html: str, url: str | None) -> str:
        out = trafilatura.extract(html, url=url, favor_precision=True, include_comments=False)
        return out or ""

    def default(html: str, url: str | None) -> str:
        doc = trafilatura.bare_extraction(html, url=url)
        if doc is None:
            return ""
        text = doc.get("text") if isinstance(doc, dict) else getattr(doc, "text", None)
        return text or ""

    return {"precision": precision, "default": default}


def date_baseline(html: str, url: str | None) -> str | None:
    import htmldate

    return htmldate.find_date(html, url=url, original_date=True, extensive_search=True)


def safe(fn: Any, *args: Any) -> Any:
    try:
        return fn(*args)
    except Exception:  # a baseline failing on a page scores as empty
        return None


def summarize(runner: ModuleType, scores: list[dict[str, Any]]) -> dict[str, float]:
    s = runner.body_summary([{**x, "seconds": 0.0, "error": None} for x in scores])
    return {"f1": s["f1"], "page_f1": s["mean_page_f1"], "empty": s["empty"]}


def eval_body(runner: ModuleType, args: argparse.Namespace, cache: Cache) -> dict[str, Any]:
    bases = body_baselines()
    result: dict[str, Any] = {}
    print(f"\nBODY F1 (corpus P/R F1 as run.py; page-F1 in brackets), halves {'/'.join(HALVES)}")
    for corpus in args.corpora:
        rows = rows_of(EVAL / "body" / corpus, args.limit)
        per: dict[str, list[dict[str, Any]]] = {"ours": []}
        seconds = 0.0
        for r in rows:
            start = time.perf_counter()
            article = extract(r["html"], r["url"])
            seconds += time.perf_counter() - start
            per["ours"].append({"id": r["id"], **runner.score_body(r["body"], article.body)})
        for name, fn in bases.items():
            per[name] = []
            for r in rows:
                text = cache.get(f"{corpus}/{name}/{r['id']}", fn, r["html"], r["url"])
                per[name].append({"id": r["id"], **runner.score_body(r["body"], text or "")})
        table = {}
        for half in HALVES:
            pick = [i for i, r in enumerate(rows) if half in ("all", r["half"])]
            table[half] = {n: summarize(runner, [p[i] for i in pick]) for n, p in per.items()}
        result[corpus] = {"table": table, "pages": per["ours"], "seconds": seconds}
        for half in HALVES:
            t = table[half]
            o, p, d = t["ours"], t["precision"], t["default"]
            print(
                f"  {corpus:6} {half:4}  ours {o['f1']:.3f} ({o['page_f1']:.3f})  "
                f"fp {p['f1']:.3f} ({p['page_f1']:.3f})  default {d['f1']:.3f} "
                f"({d['page_f1']:.3f})  ours/fp {o['f1'] / p['f1']:.3f}  "
                f"ours/default {o['f1'] / d['f1']:.3f}"
            )
        if args.worst:
            worst_body(rows, per, args)
    means = {
        n: sum(result[c]["table"]["all"][n]["f1"] for c in args.corpora) / len(args.corpora)
        for n in ("ours", "precision", "default")
    }
    print(
        f"  mean F1 ours {means['ours']:.3f}  fp {means['precision']:.3f}  default "
        f"{means['default']:.3f}  ->  ours/fp {means['ours'] / means['precision']:.3f}  "
        f"ours/default {means['ours'] / means['default']:.3f}"
    )
    return result


def worst_body(rows: list[dict[str, Any]], per: dict[str, Any], args: argparse.Namespace) -> None:
    base = per[args.against]
    order = sorted(range(len(rows)), key=lambda i: per["ours"][i]["f1"] - base[i]["f1"])
    print(f"    worst {args.worst} against {args.against} (ours / base, half, id):")
    for i in order[: args.worst]:
        ours, theirs = per["ours"][i]["f1"], base[i]["f1"]
        print(f"      {ours:.3f} / {theirs:.3f}  {rows[i]['half']}  {rows[i]['id']}")


def eval_dates(runner: ModuleType, args: argparse.Namespace, cache: Cache) -> dict[str, Any]:
    result: dict[str, Any] = {}
    print("\nDATES exact day, halves all/even/odd (ours / htmldate)")
    for name in args.date_sets:
        rows = rows_of(EVAL / name, args.limit)
        ours, base = [], []
        for r in rows:
            got = extract(r["html"], r["url"]).published_at
            ours.append(runner.score_date(r["date"], got)["outcome"])
            value = cache.get(f"{name}/htmldate/{r['id']}", date_baseline, r["html"], r["url"])
            base.append(runner.score_date(r["date"], value)["outcome"])
        parts = []
        for half in HALVES:
            pick = [i for i, r in enumerate(rows) if half in ("all", r["half"])]
            o = sum(ours[i] == "exact" for i in pick) / len(pick)
            b = sum(base[i] == "exact" for i in pick) / len(pick)
            parts.append(f"{half} {100 * o:.1f}% / {100 * b:.1f}%")
        print(f"  {name:9} " + "   ".join(parts))
        result[name] = {
            "pages": [{"id": r["id"], "outcome": o} for r, o in zip(rows, ours, strict=True)]
        }
        if args.worst:
            bad = [(r, o, b) for r, o, b in zip(rows, ours, base, strict=True) if o != "exact"]
            bad.sort(key=lambda x: x[2] != "exact")
            for r, o, b in bad[: args.worst]:
                print(f"      {r['id']}  {r['date']}  ours {o}  htmldate {b}  {r['half']}")
    return result


def eval_kinds(args: argparse.Namespace) -> None:
    """Every dev-set page is an article: the share the page classifier agrees."""
    print("\nPAGE KIND (every page here is an article): share classified as article")
    total = Counter[str]()
    folders = [EVAL / "body" / c for c in args.corpora] + [EVAL / d for d in args.date_sets]
    for folder in folders:
        corpus = folder.name
        rows = rows_of(folder, args.limit)
        got = [extract(r["html"], r["url"]).page_kind for r in rows]
        kinds = Counter(got)
        total.update(kinds)
        share = kinds["article"] / len(rows)
        others = ", ".join(f"{k} {n}" for k, n in kinds.most_common() if k != "article")
        halves = "  ".join(f"{h} {100 * _share(got, rows, h):.1f}%" for h in ("even", "odd"))
        print(f"  {corpus:9} {len(rows):4} pages  article {100 * share:.1f}%  ({halves})  {others}")
        if args.worst:
            for r, k in zip(rows, got, strict=True):
                if k != "article":
                    print(f"      {r['id']}  {k}  {r['half']}")
    n = sum(total.values())
    print(f"  all    {n:4} pages  article {100 * total['article'] / n:.1f}%")


def _share(kinds: list[str], rows: list[dict[str, Any]], half: str) -> float:
    picked = [k for k, r in zip(kinds, rows, strict=True) if r["half"] == half]
    return sum(k == "article" for k in picked) / max(1, len(picked))


def diff(now: dict[str, Any], before_path: Path) -> None:
    before = json.loads(before_path.read_text())
    print(f"\nDIFF against {before_path} (pages whose F1 moved by > 0.05)")
    for corpus, res in now.get("body", {}).items():
        old = {p["id"]: p["f1"] for p in before.get("body", {}).get(corpus, {}).get("pages", [])}
        for p in res["pages"]:
            if p["id"] in old and abs(p["f1"] - old[p["id"]]) > 0.05:
                print(f"  {corpus} {p['id']}  {old[p['id']]:.3f} -> {p['f1']:.3f}")
    for name, res in now.get("dates", {}).items():
        pages = before.get("dates", {}).get(name, {}).get("pages", [])
        old = {p["id"]: p["outcome"] for p in pages}
        for p in res["pages"]:
            if p["id"] in old and old[p["id"]] != p["outcome"]:
                print(f"  {name} {p['id']}  {old[p['id']]} -> {p['outcome']}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--body", action="store_true")
    ap.add_argument("--dates", action="store_true")
    ap.add_argument("--kinds", action="store_true", help="page classifier on the body corpora")
    ap.add_argument("--corpus", action="append", help="body corpus (repeatable; default all)")
    ap.add_argument("--date-set", action="append", help="date set (repeatable; default all)")
    ap.add_argument("--limit", type=int)
    ap.add_argument("--worst", type=int, default=0)
    ap.add_argument("--against", choices=("default", "precision"), default="default")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--diff", type=Path, help="a --json file of an earlier run")
    ap.add_argument("--cache", type=Path, default=Path("/tmp/scraper-eval-baselines.json"))
    ap.add_argument("--runner", type=Path, default=EVAL / "run.py")
    args = ap.parse_args()
    if not (args.body or args.dates or args.kinds):
        args.body = args.dates = True
    runner = load_runner(args.runner)
    args.corpora = args.corpus or list(runner.CORPORA)
    args.date_sets = args.date_set or list(runner.DATE_SETS)
    logging.disable(logging.ERROR)
    cache = Cache(args.cache)
    out: dict[str, Any] = {}
    try:
        if args.body:
            out["body"] = eval_body(runner, args, cache)
        if args.dates:
            out["dates"] = eval_dates(runner, args, cache)
        if args.kinds:
            eval_kinds(args)
    finally:
        cache.save()
    if args.json:
        args.json.write_text(json.dumps(out))
    if args.diff:
        diff(out, args.diff)
    return 0


if __name__ == "__main__":
    sys.exit(main())
