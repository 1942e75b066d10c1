"""Extraction: one HTML page and its URL in, one :class:`~scraper.article.Article` out.

Pure and total: no network, no database, and no input makes it raise. Evidence is taken in
order of trust: the site profile's selectors, then the publisher's structured data (JSON-LD,
OpenGraph / ``article:*`` meta, ``<time>``), then generic content analysis of the DOM.
"""

from __future__ import annotations

import itertools
import logging
import re
import string
from datetime import UTC, datetime

from selectolax.lexbor import LexborHTMLParser

from ..article import Article
from ..clean import valid_fields, valid_utf8
from ..encoding import decode_html
from ..profiles import Profile
from ..urls import canonical, web_url
from . import content, credit, links, metadata, pagekind, quality, streamed, structured
from . import profile as profile_rules
from .pubdate import find_dates

__all__ = ["extract", "limit_nesting", "nesting_bound"]

log = logging.getLogger(__name__)
MAX_HTML_CHARS = 8_000_000


def extract(
    html: str | bytes,
    url: str | None = None,
    profile: Profile | None = None,
    *,
    fetched_at: datetime | None = None,
) -> Article:
    """Extract an article from ``html`` (``url`` resolves relative links and helps dating).

    ``fetched_at`` anchors relative dates ("منذ ساعتين", "yesterday") and bounds future ones;
    it defaults to now. Never raises: a page we cannot read gives an empty Article. Every
    string of the result is valid text (:mod:`scraper.clean`), whatever the page held.
    """
    try:
        if isinstance(html, bytes | bytearray):
            html = decode_html(bytes(html))[0]
        html, data = valid_utf8(html[:MAX_HTML_CHARS])
        article = _extract(html, data, url, profile, fetched_at or datetime.now(UTC))
    except Exception:  # the contract: a bad page never stops a crawl
        log.warning("extraction failed for %s", url, exc_info=True)
        article = Article(url=url, is_article=False, page_kind="other")
    return valid_fields(article)  # JSON-LD escapes ("\\ud800") make text the page had not


def _extract(
    html: str, data: bytes, url: str | None, profile: Profile | None, now: datetime
) -> Article:
    """The article of ``html`` (``data`` is its UTF-8 encoding: the parser reads bytes)."""
    limited = limit_nesting(html)
    if limited is not html:
        html, data = limited, limited.encode("utf-8")
    tree = LexborHTMLParser(data)
    streamed.resolve(tree, html)  # a page streamed in pieces, read in the order it shows
    objects = structured.jsonld_objects(tree)
    meta = structured.meta_map(tree)
    obj = structured.article_object(objects)
    site_names = (profile.name, profile.title) if profile else ()
    prov: dict[str, str] = {}  # where each field came from, noted where it is chosen

    article = Article(
        url=metadata.canonical_url(tree, meta, url, prov),
        site=profile.name if profile else None,
        language=metadata.language(tree, obj, meta, prov),
        title=metadata.title(tree, obj, meta, site_names, prov),
        subtitle=metadata.subtitle(obj, meta, prov),
        authors=metadata.authors(tree, obj, meta, prov),
        categories=metadata.categories(tree, objects, obj, meta, prov),
        tags=metadata.tags(tree, obj, meta, prov),
        image=metadata.image(tree, obj, meta, url, prov),
        provenance=prov,
        related=links.generic_related(tree, url),
        next_url=links.first_href(tree, 'a[rel="next"]', url),
        prev_url=links.first_href(tree, 'a[rel="prev"]', url),
        translations=links.translations(tree, url),
    )
    dates = find_dates(
        tree,
        url=url,
        objects=objects,
        meta=meta,
        tz=profile.tz if profile else None,
        now=now,
        text_selector=profile.selector("article", "date") if profile else None,
    )
    article.published_at, article.modified_at = dates.published, dates.modified
    article.date_source, article.date_raw = dates.source, dates.raw
    if dates.published is None and dates.shown_modified is not None:
        # The page dates itself only as "Updated ...": that day stands for the article,
        # and the source says it is an update date.
        article.published_at = dates.shown_modified
        article.date_source, article.date_raw = "updated", dates.shown_modified_raw

    body: str | None = None
    # A profile without article rules (one naming only a timezone, hosts, editions) leaves
    # the article to the generic rules.
    ruled = profile is not None and bool(profile.selector("article", "is_article"))
    if profile is not None and ruled:
        article.is_article = profile_rules.is_article(tree, profile)
    if profile is not None:
        profile_rules.apply_fields(tree, profile, article, url)
        body = profile_rules.body(tree, profile)
        if body is not None:
            prov["body"] = "profile"
    if body is None:
        declared = obj.get("articleBody") if obj is not None else None
        body = content.main_text(
            tree,
            url=url,
            title=article.title,
            expected_chars=len(declared) if isinstance(declared, str) else 0,
            html=html,
            prov=prov,
        )
    article.body = body
    stated = credit.find_credit(body, obj, article.authors)
    if stated is not None:
        article.credit, article.credit_raw = stated.agency, stated.raw
    kind = pagekind.page_kind(
        tree,
        url,
        objects,
        meta,
        body=body,
        has_date=article.published_at is not None,
        has_title=bool(article.title),
    )
    if not ruled:  # no profile rule says what an article is: the page tells
        article.is_article = kind == "article"
    elif kind == "article" and not article.is_article:
        kind = "other"  # the profile says it is no article: its word stands
    article.page_kind = "article" if article.is_article else kind
    _canonicalize_links(article, url)
    article.quality = _quality(tree, html, article, obj, dates.support, dates.dissent)
    return article


def _quality(
    tree: LexborHTMLParser,
    html: str,
    article: Article,
    obj: dict | None,
    support: int,
    dissent: int,
) -> float | None:
    """The quality estimate (:mod:`.quality`); None if it cannot be made (never raises)."""
    try:
        return quality.estimate(quality.signals(tree, html, article, obj, support, dissent))
    except Exception:
        log.warning("quality estimate failed for %s", article.url, exc_info=True)
        return None


_TAG = re.compile(r"<(/?)([a-zA-Z][\w:-]*)[^>]*>")
VOID_TAGS = frozenset(
    {
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
        "source", "track", "wbr",
    }
)  # fmt: skip
MAX_UNCLOSED = 3000
MAX_DEPTH = 1500


# Letters as re.IGNORECASE matches them (it also folds "İ", "ı", "ſ" and the Kelvin sign),
# written out: the same pattern without the flag runs faster.
_LETTERS = string.ascii_letters + "\u0130\u0131\u017f\u212a"


def _any_case(word: str) -> str:
    return "".join(
        "[" + "".join(c for c in _LETTERS if re.fullmatch(char, c, re.IGNORECASE)) + "]"
        for char in word
    )


_START_OR_END = re.compile(
    r"<(/?)(?!(?:" + "|".join(map(_any_case, sorted(VOID_TAGS))) + r")\b)"
    "[" + _LETTERS + "]"
)
_STEP = {"": 1, "/": -1}.__getitem__  # a start tag opens one level, an end tag closes one


def nesting_bound(html: str) -> int:
    """An upper bound of the nesting depth, in C-speed loops (~0.2 ms for 200 KB): every
    start tag counts +1 and every end tag -1, so open and closed trees both show."""
    marks = _START_OR_END.findall(html)  # '' for a start tag, '/' for an end tag
    if len(marks) <= MAX_DEPTH:
        return len(marks)
    return max(itertools.accumulate(map(_STEP, marks)), default=0)


def limit_nesting(html: str) -> str:
    """``html`` with elements nested deeper than :data:`MAX_DEPTH` unwrapped.

    The HTML parser's cost grows with the square of the nesting depth (5 MB of unclosed
    ``<div>`` would take minutes); real pages never nest that deep, so their text is kept
    and only the surplus tags go. A cheap count rules out the rewrite for normal pages.
    """
    # Fewer "<" than the limit: fewer tags (a count costs a fifth of the pattern's scan).
    if html.count("<") <= MAX_DEPTH or nesting_bound(html) <= MAX_DEPTH:
        return html
    depth = 0
    out: list[str] = []
    last = 0
    for match in _TAG.finditer(html):
        name = match.group(2).lower()
        if name in VOID_TAGS:
            continue
        keep = depth < MAX_DEPTH if not match.group(1) else depth <= MAX_DEPTH
        depth = depth - 1 if match.group(1) else depth + 1
        depth = max(depth, 0)
        if not keep:
            out.append(html[last : match.start()])
            last = match.end()
    out.append(html[last:])
    return "".join(out)


def _canonicalize_links(article: Article, url: str | None) -> None:
    """Every URL of the article canonical, and only http(s) ones (:func:`web_url`): a
    ``javascript:`` image, edition or canonical link is dropped here, once for all."""
    declared = web_url(article.url)
    if declared is None and url and article.url != url:  # the page's own: no web address
        article.provenance["url"] = "url"
    elif declared is None:
        article.provenance.pop("url", None)
    article.url = declared or (canonical(url) if url else None)
    related = ((web_url(r.url), r) for r in article.related)
    article.related = [type(r)(u, r.title, r.kind) for u, r in related if u]
    article.next_url = web_url(article.next_url)
    article.prev_url = web_url(article.prev_url)
    article.image = web_url(article.image)
    if article.image is None:
        article.provenance.pop("image", None)
    editions = ((k, web_url(v)) for k, v in article.translations.items())
    article.translations = {k: v for k, v in editions if v}
