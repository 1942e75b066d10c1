"""Fingerprints of article texts and how two of them compare: the pure half of story
clustering (the archive's half, candidates and clusters, is ``scraper.store.stories``; the
reports are ``scraper.report.stories``, the whole-archive rebuild ``scraper.scale.stories``).

A text is reduced to its **shingles**: every run of :data:`SHINGLE` consecutive words, the
words folded and light-stemmed as the search index holds them (``scraper.text``), so that
harakat, alef forms, accents and attached articles do not make two copies differ. Each
shingle is hashed to 64 bits.

Candidates are found with Broder's MOD-m sketch (a MinHash variant): the shingles whose hash
is 0 modulo :data:`SAMPLE` are the text's **keys**. Because the choice depends on the shingle
alone, a passage two texts share brings the same keys in both, whatever else each text
holds, so the sketch finds a lead cut from a long dispatch (containment) as well as a full
copy (resemblance), which the banded signatures of MIN-k LSH cannot do at once. Keys are
looked up among the articles published within :data:`WINDOW_DAYS` days. The key index is
ordered by publication **week** first (:func:`week_of`), then key: the lookups and inserts of
one article touch the index pages of the few weeks around its date (:func:`window_weeks`),
not pages spread over the whole archive, so the cost of one article does not grow with it.

A candidate is compared only when the keys suggest it can match: every kind of copy below
has a containment of at least :data:`REWRITE_CONTAINMENT` (a Jaccard of 0.25 implies a
containment of 0.4), and the share of the shorter text's keys found in the other estimates
the containment without bias; :func:`worth_comparing` asks for a third of that share
(:data:`MIN_KEY_SHARE`), far below where a real copy lands, far above what two unrelated
texts sharing a dateline reach. Each comparison costs the candidate's shingles, read back
from its body when not cached.

A candidate is then compared exactly, on all shingles: the Jaccard similarity ``J`` (shared
over all) and the containment ``C`` (shared over the shorter text's). The verdict,
with the thresholds measured in ``tests/test_stories.py`` and ``docs/schema.md``:

- ``verbatim``: J >= :data:`VERBATIM`;
- ``excerpt``: C >= :data:`EXCERPT_CONTAINMENT` and the shorter text has at most
  :data:`EXCERPT_RATIO` of the longer's shingles (a copy cut to its lead);
- ``rewrite``: J >= :data:`REWRITE_JACCARD` or C >= :data:`REWRITE_CONTAINMENT`;
- otherwise no match: two dispatches on one topic with one dateline share a few phrases
  (J and C well under 0.15 on the test sites), never a third of their shingles.
"""

from __future__ import annotations

import hashlib
import math
from array import array
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from .text import indexed

__all__ = [
    "EXCERPT_CONTAINMENT",
    "EXCERPT_RATIO",
    "MIN_SHINGLES",
    "REWRITE_CONTAINMENT",
    "REWRITE_JACCARD",
    "SAMPLE",
    "SHINGLE",
    "VERBATIM",
    "WEEK_DAYS",
    "WINDOW_DAYS",
    "Fingerprint",
    "Match",
    "compare",
    "day_number",
    "fingerprint",
    "pack",
    "unpack",
    "week_of",
    "window_weeks",
    "worth_comparing",
]

SHINGLE = 3  # words per shingle
SAMPLE = 8  # one shingle in SAMPLE (by hash) is a key
MIN_SHINGLES = 20  # shorter texts (a caption, a brief) are never clustered
WINDOW_DAYS = 7  # copies are looked for among articles published this many days apart
WEEK_DAYS = 7  # days per week of the key index (story_keys.week): changing it needs a migration
VERBATIM = 0.9
EXCERPT_CONTAINMENT = 0.8
EXCERPT_RATIO = 0.6
REWRITE_JACCARD = 0.25
REWRITE_CONTAINMENT = 0.4
#: A candidate is compared when it shares at least this share of the fewer keys (and 2).
MIN_KEY_SHARE = REWRITE_CONTAINMENT / 3

_EPOCH = date(1970, 1, 1)


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """The shingle hashes of one text and its keys (the sampled ones, sorted)."""

    shingles: frozenset[int]
    keys: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Match:
    """How two texts compare: Jaccard ``similarity``, ``containment`` of the shorter in the
    longer, and the ``kind`` of copy (``verbatim``, ``rewrite``, ``excerpt``) or None."""

    similarity: float
    containment: float
    kind: str | None
    shorter_is_first: bool = False  # the first text given to compare() is the shorter


# Shingle hashes combine per-word hashes (a word is hashed once per process, cached):
# h(a, b, c) = ((a * K1 + b) * K2 + c) mod 2^64, shifted into SQLite's signed range. Changing
# this (or the folding) changes every key: it needs a schema version that rebuilds stories.
_K1 = 0x9E3779B97F4A7C15
_K2 = 0xC2B2AE3D27D4EB4F
_MASK = (1 << 64) - 1
_SIGNED = 1 << 63


@lru_cache(maxsize=400_000)
def _word(word: str) -> int:
    digest = hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def fingerprint(body: str | None, *, form: str | None = None) -> Fingerprint | None:
    """The fingerprint of an article body; None when it has fewer than
    :data:`MIN_SHINGLES` shingles (too short to tell a copy from a coincidence). ``form``
    is ``scraper.text.indexed(body)`` when the caller has it already."""
    words = (indexed(body) if form is None else form).split()
    if len(words) - SHINGLE + 1 < MIN_SHINGLES:
        return None
    hashes = [_word(w) for w in words]
    shingles = frozenset(
        (((a * _K1 + b) * _K2 + c) & _MASK) - _SIGNED
        for a, b, c in zip(hashes, hashes[1:], hashes[2:], strict=False)
    )
    if len(shingles) < MIN_SHINGLES:
        return None
    keys = sorted(h for h in shingles if (h >> 24) % SAMPLE == 0)
    return Fingerprint(shingles, tuple(keys))


def worth_comparing(shared: int, mine: int, theirs: int) -> bool:
    """Whether a candidate sharing ``shared`` keys, of ``mine`` and ``theirs``, can be a copy.

    The keys two texts share are a sample (one shingle in :data:`SAMPLE`) of the shingles
    they share, so ``shared / min(mine, theirs)`` estimates the containment. Texts of up to
    15 keys need 2 shared keys, as before this rule. At the least containment any kind of
    copy has (0.4), a copy of 20 keys is missed in 1% of cases, one of 40 in 0.08%, a longer
    one almost never (binomial odds; at a containment of 0.8, never); two unrelated texts
    sharing a dateline or a stock phrase (containment 0.02-0.05) are not compared."""
    fewer = min(mine, theirs)
    return shared >= max(min(2, fewer), math.ceil(MIN_KEY_SHARE * fewer))


def compare(a: frozenset[int], b: frozenset[int]) -> Match:
    """Compare two texts by their shingles (see the module's thresholds)."""
    shared = len(a & b)
    if not shared:
        return Match(0.0, 0.0, None, len(a) <= len(b))
    small, large = sorted((len(a), len(b)))
    similarity = shared / (len(a) + len(b) - shared)
    containment = shared / small
    kind: str | None = None
    if similarity >= VERBATIM:
        kind = "verbatim"
    elif containment >= EXCERPT_CONTAINMENT and small <= EXCERPT_RATIO * large:
        kind = "excerpt"
    elif similarity >= REWRITE_JACCARD or containment >= REWRITE_CONTAINMENT:
        kind = "rewrite"
    return Match(round(similarity, 4), round(containment, 4), kind, len(a) <= len(b))


def day_number(published: str | None, fallback: str | None = None) -> int:
    """The local publication day of an ISO date (days since 1970-01-01), else the day of
    ``fallback`` (the first fetch), else 0."""
    for value in (published, fallback):
        if value:
            try:
                return (date.fromisoformat(value[:10]) - _EPOCH).days
            except ValueError:
                continue
    return 0


def week_of(day: int) -> int:
    """The week of a day number (``story_keys.week``): weeks start on day 0, a Thursday;
    a day before 1970 belongs to a negative week (floor division, as SQL's must match)."""
    return day // WEEK_DAYS


def window_weeks(day: int) -> list[int]:
    """The weeks holding the days within :data:`WINDOW_DAYS` of ``day`` (three for 7 and 7)."""
    return list(range(week_of(day - WINDOW_DAYS), week_of(day + WINDOW_DAYS) + 1))


def pack(keys: tuple[int, ...]) -> bytes:
    """Keys as a BLOB of 8-byte integers (``story_members.sketch``)."""
    return array("q", keys).tobytes()


def unpack(blob: bytes | None) -> tuple[int, ...]:
    if not blob:
        return ()
    values = array("q")
    values.frombytes(blob)
    return tuple(values)
