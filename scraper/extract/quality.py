"""How sure an extraction is: a 0-1 estimate of how well a record's body matches the article.

:func:`signals` gathers what the extractor already knows about a page once the fields are
chosen (how the body compares with the page's visible prose and with the body the publisher
declares in JSON-LD, how much of it is link text or short labels, whether trafilatura's
second opinion was needed, whether the headline and the dates agree across the evidence);
:func:`estimate` turns them into one number. Both are pure; :func:`estimate` is a plain
function of :class:`Signals`, so it can be re-tuned without re-reading pages.

The weights were tuned on one half of the development corpora and checked on the other
(``benchmarks/quality_calibration.py``; the table is in ``docs/quality.md``): a page below
:data:`THRESHOLD` is one to look at before trusting its body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from selectolax.lexbor import LexborHTMLParser

from ..article import Article

__all__ = ["THRESHOLD", "WEIGHTS", "Signals", "Weights", "estimate", "signals"]

#: Below this, a record is listed for review (``scraper audit``) and counted by ``stats``.
THRESHOLD = 0.6

_SENTENCE = re.compile(r"[.!?؟。…]['\"”’»)]?(\s|$)")
_WORD = re.compile(r"\w+")
PROSE_MIN = 80  # characters of a <p> that count as visible prose
LINK_MIN = 12  # characters of a link text that can pass for a paragraph
KEY = 60  # characters of a paragraph looked up in the body
SHORT_WORDS = 5  # a body paragraph under this many words is a label, not prose
MAX_NODES = 3000  # paragraphs and links looked at (a huge page is judged on its first ones)


@dataclass(frozen=True, slots=True)
class Signals:
    """What one extraction tells about its own quality."""

    words: int  # words in the body
    short_share: float  # share of body paragraphs under SHORT_WORDS words
    link_share: float  # share of body characters in paragraphs that are a link's text
    sentence_share: float  # share of body characters in paragraphs that read as sentences
    prose_chars: int  # characters of sentence prose the page shows in <p> elements
    prose_missed: float  # share of that prose the body does not hold
    declared_cover: float | None  # share of the JSON-LD articleBody's words in the body
    title_agrees: bool | None  # the <h1> matches the declared title (None: nothing to compare)
    fallback: bool  # the body is trafilatura's second opinion
    profile: bool  # the body came from a site profile's selector
    dated: bool  # a publication date was found
    date_support: int  # kinds of evidence naming the publication day
    date_dissent: int  # kinds of evidence naming another day
    is_article: bool  # the page looks like one article


def signals(
    tree: LexborHTMLParser,
    article: Article,
    obj: dict[str, Any] | None,
    date_support: int = 0,
    date_dissent: int = 0,
) -> Signals:
    """The signals of ``article``, extracted from ``tree`` (its JSON-LD article ``obj``)."""
    body = article.body
    flat = " ".join(body.split())
    paragraphs = [" ".join(p.split()) for p in body.split("\n\n") if p.strip()]
    links = {
        t for a in tree.css("a")[:MAX_NODES] if len(t := " ".join(a.text().split())) >= LINK_MIN
    }
    linked = sum(len(p) for p in paragraphs if p in links)
    short = sum(1 for p in paragraphs if len(p.split()) < SHORT_WORDS)
    sentences = sum(len(p) for p in paragraphs if _SENTENCE.search(p))
    prose = missed = 0
    seen: set[str] = set()
    for node in tree.css("p")[:MAX_NODES]:
        text = " ".join(node.text().split())
        if len(text) < PROSE_MIN or text in seen or not _SENTENCE.search(text):
            continue
        seen.add(text)
        prose += len(text)
        if text[:KEY] not in flat:
            missed += len(text)
    declared = obj.get("articleBody") if obj is not None else None
    source = article.provenance.get("title")
    return Signals(
        words=len(body.split()),
        short_share=short / len(paragraphs) if paragraphs else 1.0,
        link_share=linked / max(1, sum(map(len, paragraphs))),
        sentence_share=sentences / max(1, sum(map(len, paragraphs))),
        prose_chars=prose,
        prose_missed=missed / prose if prose else 0.0,
        declared_cover=_cover(declared, body) if isinstance(declared, str) else None,
        title_agrees=_title_agrees(tree, article.title, source),
        fallback=article.provenance.get("body") == "trafilatura-fallback",
        profile=article.provenance.get("body") == "profile",
        dated=article.published_at is not None,
        date_support=date_support,
        date_dissent=date_dissent,
        is_article=article.is_article,
    )


def _cover(declared: str, body: str) -> float | None:
    """The share of the declared body's distinct words that the body holds (None when the
    declaration is too short to judge: a teaser, not the text)."""
    wanted = set(_WORD.findall(declared.lower()))
    if len(wanted) < 20:
        return None
    return len(wanted & set(_WORD.findall(body.lower()))) / len(wanted)


def _title_agrees(tree: LexborHTMLParser, title: str | None, source: str | None) -> bool | None:
    """Whether the page's headline and its declared title agree: an ``<h1>`` confirmed by
    JSON-LD or meta (the title's source says so), or not."""
    if not title or source in (None, "profile"):
        return None
    if source in ("json-ld", "meta"):
        h1 = tree.css_first("h1")
        return h1 is not None and " ".join(h1.text().split()) == title
    return False  # only a layout guess or the <title>: nothing declared agreed


@dataclass(frozen=True, slots=True)
class Weights:
    """The estimate's constants (tuned by ``benchmarks/quality_calibration.py`` on one half of
    the development corpora, checked on the other)."""

    words_full: float = 100  # a body this long gets no length penalty
    words_power: float = 0.375
    link: float = 1.0  # per share of the body that is link text
    sentence: float = 0.75  # per share of the body that does not read as sentences
    short: float = 0.35  # per share of label-like paragraphs past 20 %
    missed: float = 0.0  # per share of the page's prose left out (tuned to no weight)
    declared: float = 0.0  # per share of the declared articleBody's words left out (idem)
    fallback: float = 0.5  # factor: trafilatura's body was taken
    # Record-level factors: a headline no declared title confirms, no publication date, more
    # evidence for another day than for the chosen one. The body's F1 cannot tune them
    # (tuning leaves them at 1.0); they are priors about the record's other fields, kept
    # mild: together they cost 0.03 of the mean rho on half A (0.45 -> 0.42).
    title: float = 0.98
    undated: float = 0.95
    dissent: float = 0.98
    not_article: float = 0.95  # factor: the page does not look like one article


WEIGHTS = Weights()


def estimate(s: Signals, w: Weights = WEIGHTS) -> float:
    """The quality estimate of an extraction, 0 (no article text) to 1 (sure of it),
    rounded to 3 decimals. Every signal scales the estimate down; none can raise it past
    what the body's length allows."""
    if s.words == 0:
        return 0.0
    q = min(1.0, s.words / w.words_full) ** w.words_power
    q *= 1 - w.link * s.link_share
    q *= 1 - w.sentence * (1 - s.sentence_share)
    q *= 1 - w.short * max(0.0, s.short_share - 0.2)
    q *= 1 - w.missed * s.prose_missed
    if s.declared_cover is not None:
        q *= 1 - w.declared * (1 - s.declared_cover)
    if s.fallback:
        q *= w.fallback
    if s.title_agrees is False:
        q *= w.title
    if not s.dated:
        q *= w.undated
    elif s.date_dissent > s.date_support:
        q *= w.dissent
    if not s.is_article:
        q *= w.not_article
    return round(max(0.0, min(1.0, q)), 3)
