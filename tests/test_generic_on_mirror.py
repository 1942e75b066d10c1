"""Without its profile, the sahara.ma mirror still extracts well through the generic path."""

from __future__ import annotations

import re
from collections import Counter

import httpx
import pytest

from scraper import extract
from scraper.urls import canonical

WORD = re.compile(r"\w+")


def f1(truth: str, got: str) -> float:
    """4-word-shingle F1, the metric of the shared evaluation."""

    def shingles(text: str) -> Counter:
        toks = WORD.findall(text)
        return Counter(tuple(toks[i : i + 4]) for i in range(max(len(toks) - 3, 1)))

    t, g = shingles(truth), shingles(got)
    common = sum((t & g).values())
    if not common:
        return 0.0
    p, r = common / sum(g.values()), common / sum(t.values())
    return 2 * p * r / (p + r)


@pytest.fixture(scope="module")
def pages(mirror, truth) -> list[tuple[dict, str, str]]:
    with httpx.Client(base_url=mirror.base_url) as client:
        return [(t, str(client.base_url) + t["path"], client.get(t["path"]).text) for t in truth]


def test_generic_path_gets_title_date_and_body(pages):
    scores, wrong = [], []
    for t, url, html in pages:
        article = extract(html, url)
        scores.append(f1(t["body"], article.body))
        if article.title != t["title"]:
            wrong.append(("title", t["id"], article.title))
        if (
            not article.published_at
            or article.published_at.date().isoformat() != t["published_at"][:10]
        ):
            wrong.append(("date", t["id"], article.published_at))
        if canonical(article.url or "") != canonical(url):
            wrong.append(("url", t["id"], article.url))
    assert wrong == []
    assert sum(scores) / len(scores) >= 0.95, sorted(scores)[:5]
    assert min(scores) >= 0.85
