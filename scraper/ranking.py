"""Exact top results of a one-word search without scoring every match: impact lists.

FTS5 ranks with bm25, about 0.9 µs for each matching article, so a common word (half of a
million articles) takes half a second to rank in full. For one term, bm25 orders articles by

    f(w, D) = w (k1 + 1) / (w + k1 (1 - b + b D / avgdl))

(times the term's idf, the same for every article), where ``w`` is the term's weighted count
in the article (a title hit counts ``BM25_WEIGHTS[0]``, a body hit ``BM25_WEIGHTS[1]``) and
``D`` the article's length in index terms. ``f`` grows with ``w`` toward ``k1 + 1`` and falls
with ``D``: the best articles for a word are the few where it is near that ceiling.

So each article lists, in ``search_impacts``, the words whose ``f`` (with a fixed reference
length :data:`REFERENCE_AVGDL` for ``avgdl``) is at least :data:`IMPACT_FLOOR`, with ``w`` and
``D``: about 16 of an article's words. A one-word search reads the word's list from the top,
scores each entry exactly with the archive's real ``avgdl``, and stops once the last result it
needs beats :func:`bound`: the most any article not yet read (listed lower, or not listed)
can score, whatever the archive's ``avgdl`` has become. When no such proof comes (a rare word:
few listed articles), the search scores every match as before, which is cheap then.

Pure functions; the store writes the lists and runs the search (``scraper.store``).
"""

from __future__ import annotations

from collections import defaultdict

from .search import BM25_WEIGHTS, PAIR_JOINER, All, Query, Term

#: FTS5's bm25 constants.
K1 = 1.2
B = 0.75

#: The ``avgdl`` an article's impacts are computed with when it is written (index terms, word
#: pairs included: ~2x the words). Any value gives exact results (:func:`bound` accounts for
#: the archive's real one); near the real one the lists are short and proofs come early.
REFERENCE_AVGDL = 1000.0

#: An article lists a word when its ``f`` (at :data:`REFERENCE_AVGDL`) is at least this; the
#: ceiling is ``K1 + 1`` = 2.2. At 1.9, ~8.4 words an article in the search benchmark's corpus
#: (1.8 listed 16: each row lands on its own page of the table; at 1M the lists cost 0.43-0.48
#: CPU-ms an article written at 1.8, 0.19-0.30 at 1.9, for a rank-all p95 of 12.9 ms against
#: 14.5-17.2; schema 21).
IMPACT_FLOOR = 1.9

#: Relative slack on every comparison with a bound, above floating-point rounding.
_SLACK = 1e-9

#: Counts :func:`bound` tries one by one; past them the most is monotone in the count.
_W_SCAN = 200


def term_factor(w: float, length: float, avgdl: float) -> float:
    """bm25's factor for one term, as FTS5 computes it (same operations, same order), so the
    score -(idf * factor) is FTS5's to the last bit."""
    return (w * (K1 + 1.0)) / (w + K1 * (1 - B + B * length / avgdl))


def impacts(title: str, body: str) -> list[tuple[str, float, int, int]]:
    """The words an article lists (an ``articles_fts`` row's two columns, as written): each
    (term, impact, weighted count, length), impact = :func:`term_factor` at the reference
    length. The length counts every index term of both columns, word pairs included, as
    FTS5's document size does; pairs themselves are not listed."""
    title_terms, body_terms = title.split(), body.split()
    length = len(title_terms) + len(body_terms)
    title_weight, body_weight = BM25_WEIGHTS
    counts: defaultdict[str, float] = defaultdict(float)
    for terms, weight in ((title_terms, title_weight), (body_terms, body_weight)):
        for term in terms:
            if PAIR_JOINER not in term:
                counts[term] += weight
    listed = []
    for term, w in counts.items():
        impact = term_factor(w, length, REFERENCE_AVGDL)
        if impact >= IMPACT_FLOOR:
            listed.append((term, impact, int(w), length))
    return listed


def bound(impact: float, avgdl: float) -> float:
    """The most :func:`term_factor` can be, at the archive's ``avgdl``, for an article whose
    factor at :data:`REFERENCE_AVGDL` is at most ``impact`` (any count w >= 1, any length).

    For a given w the constraint is a least length; the factor falls with length, so its
    most is at that length (or at length 1 when w is too small to reach ``impact`` at all).
    Over w, that most falls once w passes the point where the least length exceeds 1 when
    ``avgdl`` <= the reference, and rises toward a limit when it is above: so the largest
    of w = 1..``_W_SCAN`` and of that limit bounds every w."""
    ceiling = K1 + 1.0
    if impact >= ceiling:
        return ceiling
    best = least = 0.0
    for w in range(1, _W_SCAN + 1):
        # least length with term_factor(w, length, REFERENCE_AVGDL) <= impact
        least = (w * ceiling / impact - w - K1 * (1 - B)) * REFERENCE_AVGDL / (K1 * B)
        best = max(best, term_factor(w, max(1.0, least), avgdl))
    if least <= 1.0:  # the most lies past the scan (an impact next to the ceiling)
        return ceiling
    if avgdl > REFERENCE_AVGDL:
        best = max(best, ceiling / (1 + (REFERENCE_AVGDL / avgdl) * (ceiling / impact - 1)))
    return best * (1 + _SLACK)


def proven(kth_best: float, next_impact: float, avgdl: float) -> bool:
    """Whether a result of factor ``kth_best`` outranks every article not yet read, when the
    next listed one has impact ``next_impact`` (:data:`IMPACT_FLOOR` once the list is read)."""
    return kth_best > bound(max(next_impact, IMPACT_FLOOR), avgdl)


def single_term(query: Query) -> str | None:
    """The one index term a query is (a word, one spelling, no prefix), else None: the
    queries an impact list can rank."""
    node = query.tree
    if isinstance(node, All) and len(node.include) == 1 and not node.exclude:
        node = node.include[0]
    if isinstance(node, Term) and len(node.forms) == 1 and not node.prefix:
        return node.forms[0]
    return None
