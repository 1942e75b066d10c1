"""How sure an extraction is: a 0-1 estimate of how well a record's body matches the article.

:func:`signals` gathers what the extractor already knows about a page once the fields are
chosen (the body's length, how much of it reads as sentences, how much is short labels or the
text of the page's links, how it compares with the body the publisher declares in JSON-LD,
whether trafilatura's second opinion was needed, whether the headline agrees with the declared
title, whether the date evidence agrees, whether the page looks like one article);
:func:`estimate` turns them into one number. Both are pure; :func:`estimate` is a plain
function of :class:`Signals` and :class:`Weights`, so it can be re-tuned without re-reading
pages. Cost: about 1.5 ms a page (a few per cent of ``extract``), mostly one regex pass over
the source for the link texts.

The weights were tuned on one half of the development corpora and checked on the other
(``benchmarks/quality_calibration.py``; the table is in ``docs/quality.md``): a page below
:data:`THRESHOLD` is one to look at before trusting its body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import unescape
from typing import Any

from selectolax.lexbor import LexborHTMLParser

from ..article import Article

__all__ = ["THRESHOLD", "WEIGHTS", "Signals", "Weights", "estimate", "signals"]

#: Below this, a record is listed for review (``scraper audit``) and counted by ``stats``.
THRESHOLD = 0.6

_SENTENCE = re.compile(r"[.!?؟。…]['\"”’»)]?(\s|$)")
_WORD = re.compile(r"\w+")
LINK_MIN = 12  # characters of a link text that can pass for a paragraph
LINK_MAX = 300  # characters of the longest link text looked for
SHORT_WORDS = 5  # a body paragraph under this many words is a label, not prose
MAX_HTML = 2_000_000  # characters of source searched for links (a huge page: its start)
_ANCHOR = re.compile(rf"<a\b[^>]*>([^<]{{{LINK_MIN},{LINK_MAX}}})</a>", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Signals:
    """What one extraction tells about its own quality."""

    words: int  # words in the body
    short_share: float  # share of body paragraphs under SHORT_WORDS words
    link_share: float  # share of body characters in lines (no sentence) that are a link's text
    sentence_share: float  # share of body characters in paragraphs that read as sentences
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
    html: str,
    article: Article,
    obj: dict[str, Any] | None,
    date_support: int = 0,
    date_dissent: int = 0,
) -> Signals:
    """The signals of ``article``, extracted from ``tree`` parsed from ``html`` (its JSON-LD
    article ``obj``; the date evidence for and against the chosen day)."""
    body = article.body
    words = count = short = chars = linked = sentences = 0
    links: set[str] | None = None  # read only when a paragraph is short enough to be one
    for block in body.split("\n\n"):
        text = block.strip()
        if not text:
            continue
        n = len(text.split())
        words += n
        count += 1
        chars += len(text)
        short += n < SHORT_WORDS
        if _SENTENCE.search(text):
            sentences += len(text)
        elif len(text) <= LINK_MAX:  # a headline-like line: is it a link's text?
            links = link_texts(html) if links is None else links
            linked += len(text) if " ".join(text.split()) in links else 0
    declared = obj.get("articleBody") if obj is not None else None
    source = article.provenance.get("title")
    return Signals(
        words=words,
        short_share=short / count if count else 1.0,
        link_share=linked / max(1, chars),
        sentence_share=sentences / max(1, chars),
        declared_cover=_cover(declared, body) if isinstance(declared, str) else None,
        title_agrees=_title_agrees(tree, article.title, source),
        fallback=article.provenance.get("body") == "trafilatura-fallback",
        profile=article.provenance.get("body") == "profile",
        dated=article.published_at is not None,
        date_support=date_support,
        date_dissent=date_dissent,
        is_article=article.is_article,
    )


def link_texts(html: str) -> set[str]:
    """The texts of the page's links that could pass for a paragraph: plain-text anchors of
    LINK_MIN characters or more, read from the source in one regex pass (a third of the cost
    of walking the tree's anchors; an anchor holding markup is not seen)."""
    found = set()
    for raw in _ANCHOR.findall(html, 0, MAX_HTML):
        text = " ".join((unescape(raw) if "&" in raw else raw).split())
        if len(text) >= LINK_MIN:
            found.add(text)
    return found


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
    link: float = 0.25  # per share of the body in lines that are link texts
    sentence: float = 0.9  # per share of the body that does not read as sentences
    short: float = 0.5  # per share of label-like paragraphs past 20 %
    declared: float = 0.0  # per share of the declared articleBody's words left out (tuned
    # to no weight: publishers' articleBody often differs from the page's text)
    fallback: float = 0.5  # factor: trafilatura's body was taken
    # Record-level factors: a headline no declared title confirms, no publication date, more
    # evidence for another day than for the chosen one. The body's F1 cannot tune them
    # (tuning leaves them at 1.0); they are priors about the record's other fields, kept
    # mild: together they cost 0.02 of the mean rho on half A (0.44 -> 0.42).
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
