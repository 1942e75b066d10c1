"""Finding when an article was published (and last modified) in its page.

Evidence is ranked, most trusted first, and every date keeps the name of its source
(``meta``, ``jsonld``, ``time``, ``profile``, ``text``, ``url``):

1. ``article:published_time`` and its kin in ``<meta>``, when the value carries an offset;
2. the JSON-LD article object's ``datePublished`` / ``dateModified``;
3. other publication ``<meta>`` (``dc.date``, ``pubdate``, values without offset), then the
   dates of a JSON-LD ``WebPage`` or ``VideoObject``;
4. ``<time>`` and ``itemprop="datePublished"`` elements of the headline's article;
5. the visible date a site profile points at (``text_selector``);
6. date lines near the headline: byline, date and meta elements, the lines around it;
7. the URL (``/2025/11/25/``, ``/20251125/``, ``?date=2025-11-25``), then the page title;
8. last resorts: dates further from the headline, a side column's date (only when it shows
   one day, not a list), the first date of the article text, the lead image's URL;
9. relative text ("منذ ساعتين", "2 hours ago"), which needs ``now``.

The headline anchors the page. A date element counts as the article's unless a region
between it and the headline's is a comment thread, a related-articles box, an embedded post,
navigation (dropped) or a sidebar or the site's header/footer (last resort). The publisher's
structured statements win, except that when they disagree with each other the one the page
(or the URL) shows is taken, a date the page labels "Published ..." near the headline wins
over a structured date of another day, a UTC timestamp yields to the local date and time the
page shows for the same instant (or to the URL's adjacent day across midnight), and a URL
date wins over a structured date days apart. A day shown without a time is completed by a
same-day timestamp. Published and modified dates are kept apart: a modified date never
stands in for a missing published one here. ``FoundDates.shown_modified`` tells the caller
when the reader sees the modified date next to the headline; :func:`scraper.extract.extract`
uses it, with ``date_source`` "updated", for a page that shows no other date.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone, tzinfo
from typing import Any

from selectolax.lexbor import LexborHTMLParser, LexborNode

from .dates import ParsedDate, fold, iter_dates, parse_date, parse_iso
from .structured import ARTICLE_TYPES, first_meta, types_of

__all__ = ["FoundDates", "find_dates"]


@dataclass(frozen=True, slots=True)
class FoundDates:
    """The page's publication and modification dates, and where the published one came from."""

    published: datetime | None
    modified: datetime | None
    source: str | None
    raw: str | None
    # The modified date when the reader sees it next to the headline ("Updated 5 May
    # 2025"): on a page that shows no publication date, the only day it gives for itself.
    shown_modified: datetime | None = None
    shown_modified_raw: str | None = None


# Ranks: lower is more trusted.
_META_OFFSET = 0
_JSONLD = 1
_META_NAIVE = 2
_JSONLD_OTHER = 3
_TIME = 4
_PROFILE = 5
_TEXT = 6
_URL = 7
_TITLE = 8
_FAR = 9
_SIDE = 10
_BODY = 11
_IMAGE = 12
_RELATIVE = 13
_STRUCTURED = (_META_OFFSET, _JSONLD, _META_NAIVE, _JSONLD_OTHER)

_META_PUBLISHED = (
    "article:published_time",
    "og:article:published_time",
    "og:published_time",
    "article:published",
    "published_time",
    "publishdate",
    "publish-date",
    "publish_date",
    "published-date",
    "published_date",
    "date_published",
    "pubdate",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date.created",
    "dcterms.created",
    "dc.date.published",
    "dc.date",
    "dcterms.date",
    "citation_publication_date",
    "citation_date",
    "prism.publicationdate",
    "sailthru.date",
    "parsely-pub-date",
    "article.published",
    "article_date_original",
    "originalpublicationdate",
    "original-publish-date",
    "cxenseparse:recs:publishtime",
    "rnews:datepublished",
    "bt:pubdate",
    "release_date",
    "date",
    "displaydate",
    "created",
)
_META_MODIFIED = (
    "article:modified_time",
    "og:article:modified_time",
    "article:modified",
    "og:updated_time",
    "modified_time",
    "updated_time",
    "dc.date.modified",
    "dcterms.modified",
    "article.updated",
    "last-modified",
    "lastmod",
    "revised",
)

_HEADLINE_MARKUP = "[itemprop=headline], .entry-title, .post-title, .article-title"
# Elements holding a machine date (or a visible one) of the article.
_DATE_ELEMENTS = (
    "time, [itemprop=datePublished], [itemprop=dateModified], [itemprop=dateCreated],"
    " abbr.published, abbr.updated, [pubdate]"
)
# Elements whose text is likely a visible date line.
_TEXT_ELEMENTS = (
    "[class*=date i], [id*=date i], [class*=time i], [class*=publi i], [class*=datum i],"
    " [class*=fecha i], [class*=byline i], [class*=meta i], [class*=info i], [class*=author i]"
)
_MAX_TEXT = 250
_BODY_CHARS = 2500
_LABELLED_CHARS = 30000
_YEARISH = re.compile(r"\d{4}")

# Class/id words of regions whose dates are not the article's: comments, teasers, sidebars,
# site chrome. Matched at the start of a word ("sidebar-left", not "with-sidebar").
_HARD = re.compile(
    r"(?<![a-z])(?:comment|disqus|respond|repl(?:y|ies)|related|recommend|similar|teaser"
    r"|popular|trending|most-?read|most-?viewed|read-?more|read-?next"
    r"|more-?(?:stories|news|articles|posts)|also-|outbrain|taboola|newsletter|ticker|breaking"
    r"|navbar|nav-|menu|promo(?![a-z])|yarpp|crp_|jp-relatedposts|cookie|weather|embed"
    r"|instagram|twitter-tweet)",
    re.IGNORECASE,
)
# ... and regions that are usually not the article's: sidebars, widgets, site chrome.
_SOFT = re.compile(
    r"(?<![a-z])(?:sidebar|side-bar|widget|masthead|top-?bar|site-?header|latest|recent"
    r"|archive|calendar|rail|footer)",
    re.IGNORECASE,
)
_HARD_TAGS = frozenset({"nav", "figcaption", "blockquote"})
_OK, _SOFT_OUT, _HARD_OUT = 0, 1, 2
_CONTENT_TAGS = frozenset({"article", "main"})
_SKIP_TEXT_PARENTS = frozenset({"script", "style", "noscript", "textarea", "template", "title"})

_MODIFIED_CLASS = re.compile(r"updat|modif|revis|edited|aktualis|actualiz", re.IGNORECASE)
_PUBLISHED_CLASS = re.compile(r"publi|entry-date|post-date|created", re.IGNORECASE)
_MODIFIED_WORDS = re.compile(
    r"(?:updated?|last\s+modified|modified|edited|revised|mis\s+a\s+jour|modifie|actualizad[oa]"
    r"|actualizacion|aktualisiert|zuletzt|geandert|atualizad[oa]|aggiornat[oa]|تحديث|حدث|تعديل)"
    r"[^0-9\ue001-\ue00c]{0,25}$"
)
_PUBLISHED_WORDS = re.compile(
    r"(?:published|posted|publie|publicad[oa]|veroffentlicht|erschienen|pubblicat[oa]|نشر"
    r"|بتاريخ|created|erstellt|mise?\s+en\s+ligne|(?:artikel|beitrag|eintrag)\s+wurde\s+am)"
    r"[^0-9\ue001-\ue00c]{0,25}$"
)

_URL_YMD = re.compile(r"(?<!\d)((?:19|20)\d{2})[/_-](\d{1,2})[/_-](\d{1,2})(?=$|[/_.\-?#])")
_URL_COMPACT = re.compile(r"(?<![\d])((?:19|20)\d{2})(\d{2})(\d{2})(?=$|[/_.\-?#])")
_URL_QUERY = re.compile(r"[?&](?:date|d|pubdate|published)=((?:19|20)\d{2})-?(\d{2})-?(\d{2})")
# Words of relative dates ("2 hours ago", "منذ ساعتين", "hier"): only such texts are parsed
# as relative dates.
_RELATIVE_HINT = re.compile(
    r"ago|il y a|hace|vor |há |ha |منذ|قبل|yesterday|hier|ayer|gestern|ontem|أمس|امس|إمس"
    r"|البارحة|today|aujourd|hoy|heute|hoje|اليوم",
    re.IGNORECASE,
)
_PARSELY_DATE = re.compile(r'"pub_date"\s*:\s*"([^"]+)"')


@dataclass(slots=True)
class _Candidate:
    parsed: ParsedDate
    source: str
    rank: int
    order: int
    visible: bool
    labelled: bool = False  # the page's words call it the publication date ("Published ...")

    @property
    def day(self) -> date:
        return self.parsed.value.date()


@dataclass(slots=True)
class _Found:
    tz: tzinfo | None
    now: datetime | None
    published: list[_Candidate]
    modified: list[_Candidate]
    lang: str | None = None  # the page's language tag: "en-US" reads 3/4/2025 as March 4

    def add(
        self,
        parsed: ParsedDate | None,
        source: str,
        rank: int,
        *,
        modified: bool = False,
        visible: bool = False,
        labelled: bool = False,
    ) -> None:
        if parsed is None or self._future(parsed.value):
            return
        target = self.modified if modified else self.published
        target.append(_Candidate(parsed, source, rank, len(target), visible, labelled))

    def _future(self, value: datetime) -> bool:
        if self.now is None:
            return False
        return _before(self.now + timedelta(days=1), value)

    def best_rank(self) -> int:
        return min((c.rank for c in self.published), default=99)


def find_dates(
    tree: LexborHTMLParser,
    *,
    url: str | None,
    objects: list[dict[str, Any]],
    meta: dict[str, list[str]],
    tz: tzinfo | None = None,
    now: datetime | None = None,
    text_selector: str | None = None,
) -> FoundDates:
    """The published and modified dates of the page in ``tree``.

    ``objects`` and ``meta`` are :func:`structured.jsonld_objects` and
    :func:`structured.meta_map` of the same tree. ``tz`` is the site's zone: naive dates
    get it and aware ones are shown in it. ``now`` discards future dates and anchors relative
    ones. ``text_selector`` is a site profile's selector for the visible date.
    """
    found = _Found(tz, now, [], [], _page_lang(tree, meta))
    _from_meta(meta, found)
    _from_jsonld(objects, url, found)
    layout = _Layout(tree, _titles(tree, meta))
    _from_elements(tree, layout, found)
    if text_selector:
        _from_profile(tree, text_selector, found)
    found.add(_url_date(url or ""), "url", _URL, visible=True)
    _from_title(layout.titles, found)
    if _unconfirmed(found):
        # Date lines of the headline's article first; the rest of the page only if needed.
        scope = layout.scope
        _from_text(scope if scope is not None else tree, layout, found, near_only=False)
        if scope is not None and found.best_rank() >= _FAR:
            _from_text(tree, layout, found, near_only=True)
    if found.best_rank() >= _FAR:
        _from_body(tree, layout, found)
        image = first_meta(meta, "og:image", "og:image:url", "twitter:image")
        found.add(_url_date(image or ""), "url", _IMAGE)
    _drop_lists(found.published)
    published = _choose(found.published)
    modified = _choose(found.modified)
    pub_value = _present(published, tz)
    mod_value = _present(modified, tz)
    if pub_value is not None and mod_value is not None and _before(mod_value, pub_value):
        mod_value = None
    shown = modified is not None and any(
        c.visible and c.rank <= _TEXT and c.day == modified.day for c in found.modified
    )
    return FoundDates(
        published=pub_value,
        modified=mod_value,
        source=published.source if published else None,
        raw=published.parsed.raw if published else None,
        shown_modified=mod_value if shown else None,
        shown_modified_raw=modified.parsed.raw if shown and modified else None,
    )


def _drop_lists(candidates: list[_Candidate]) -> None:
    """Dates from sidebars and the site's header/footer count only when they agree: a
    side column may carry the article's date line, but several days there are a list of
    other articles ("latest news")."""
    side_days = {c.day for c in candidates if c.rank == _SIDE}
    if len(side_days) > 1:
        candidates[:] = [c for c in candidates if c.rank != _SIDE]


def _unconfirmed(found: _Found) -> bool:
    """Whether the page's date text is still worth reading: no date yet, or the best one is
    a structured date that no visible date confirms."""
    if not found.published:
        return True
    best = min(found.published, key=lambda c: (c.rank, c.order))
    if best.rank > _TIME:
        return True
    if best.rank not in _STRUCTURED:
        return False
    return best.day not in {c.day for c in found.published if c.visible}


# --------------------------------------------------------------------------- structured data


def _machine(value: str, tz: tzinfo | None) -> ParsedDate | None:
    return parse_iso(value, tz) or parse_date(value, tz=tz)


def _from_meta(meta: dict[str, list[str]], found: _Found) -> None:
    for keys, modified in ((_META_PUBLISHED, False), (_META_MODIFIED, True)):
        for key in keys:
            for value in meta.get(key, ())[:3]:
                parsed = _machine(value, found.tz)
                if parsed is None:
                    continue
                own_offset = parsed.has_time and _has_offset(value)
                rank = _META_OFFSET if own_offset else _META_NAIVE
                found.add(parsed, "meta", rank, modified=modified)
    parsely = meta.get("parsely-page")
    if parsely:
        match = _PARSELY_DATE.search(parsely[0])
        if match:
            found.add(_machine(match.group(1), found.tz), "meta", _META_NAIVE)
    if not found.published:
        # A publication date under a name of the site's own ("x-published-date",
        # "page.publishDate"): trusted below the standard names and the JSON-LD.
        for key, values in meta.items():
            if _META_PUBLISHED_LIKE.search(key) and not _META_MODIFIED_LIKE.search(key):
                found.add(_machine(values[0], found.tz), "meta", _JSONLD_OTHER)


_META_PUBLISHED_LIKE = re.compile(
    r"publi(?:sh|cation)\w*?[-_.:]?(?:date|time|on)|(?:date|time)[-_.:]?publi|pubdate"
    r"|first[-_.:]?published|release[-_.:]?date",
    re.IGNORECASE,
)
_META_MODIFIED_LIKE = re.compile(r"modif|updat|revis|edit|expir", re.IGNORECASE)
_OFFSET = re.compile(r"(?:[+-]\d{2}:?\d{2}|[+-]\d{2}|Z|UTC|GMT)\s*$", re.IGNORECASE)


def _page_lang(tree: LexborHTMLParser, meta: dict[str, list[str]]) -> str | None:
    """The page's language tag with its region when it gives one (``<html lang>``, else
    ``og:locale``): only the region decides how 3/4/2025 reads."""
    root = tree.css_first("html")
    lang = root.attributes.get("lang") if root is not None else None
    if not lang or "-" not in lang:
        lang = first_meta(meta, "og:locale") or lang
    return lang.strip() if lang else None


def _has_offset(value: str) -> bool:
    return bool(_OFFSET.search(value.strip()))


def _from_jsonld(objects: list[dict[str, Any]], url: str | None, found: _Found) -> None:
    articles = [o for o in objects if types_of(o) & ARTICLE_TYPES]
    main = _main_object(articles, url)
    if main is not None:
        published = _jsonld_date(main.get("datePublished"), found.tz) or _jsonld_date(
            main.get("dateCreated"), found.tz
        )
        found.add(published, "jsonld", _JSONLD)
        modified = _jsonld_date(main.get("dateModified"), found.tz)
        found.add(modified, "jsonld", _JSONLD, modified=True)
        return
    for obj in objects:  # a WebPage or VideoObject describing this page
        value = obj.get("datePublished") or obj.get("uploadDate")
        if value:
            found.add(_jsonld_date(value, found.tz), "jsonld", _JSONLD_OTHER)
            modified = _jsonld_date(obj.get("dateModified"), found.tz)
            found.add(modified, "jsonld", _JSONLD_OTHER, modified=True)
            return


def _main_object(articles: list[dict[str, Any]], url: str | None) -> dict[str, Any] | None:
    if not articles:
        return None
    if len(articles) > 1 and url:
        wanted = _url_key(url)
        for obj in articles:
            ref = obj.get("mainEntityOfPage") or obj.get("url")
            if isinstance(ref, dict):
                ref = ref.get("@id") or ref.get("url")
            if isinstance(ref, str) and _url_key(ref) == wanted:
                return obj
    return max(articles, key=lambda o: len(str(o.get("articleBody") or "")))


def _url_key(url: str) -> str:
    return url.split("#")[0].split("?")[0].rstrip("/").split("://")[-1].removeprefix("www.")


def _jsonld_date(value: Any, tz: tzinfo | None) -> ParsedDate | None:
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str)), None)
    if isinstance(value, dict):
        value = value.get("@value")
    if not isinstance(value, str) or not value.strip():
        return None
    return _machine(value, tz)


# --------------------------------------------------------------------------- page layout


class _Layout:
    """The page seen from its headline.

    ``place(node)`` tells whether a node's dates may be the article's, judging the regions
    between the node and the smallest region it shares with the headline (a comment thread,
    a teaser box, a sidebar, site chrome), and how far up from the headline they meet.
    """

    FAR = 99

    def __init__(self, tree: LexborHTMLParser, titles: list[str]) -> None:
        self.titles = titles
        self.headline = _headline(tree, titles)
        self.levels: dict[int, int] = {}
        self.article_level: int | None = None
        node = self.headline
        level = 0
        while node is not None and node.tag not in ("html", "-document"):
            self.levels[node.mem_id] = level
            if self.article_level is None and node.tag in _CONTENT_TAGS:
                self.article_level = level
            node = node.parent
            level += 1
        # Regions that join the headline's only at <body> or its outermost wrapper are the
        # page's, not the article's.
        self.page_level = level - 2
        self._cache: dict[int, tuple[int, int, bool]] = {}

    @property
    def scope(self) -> LexborNode | None:
        """The region holding everything that counts as near the headline."""
        if self.headline is None:
            return None
        top = self.article_level if self.article_level is not None else 0
        top = max(top, self.page_level - 1)
        node: LexborNode | None = self.headline
        for _ in range(top):
            if node is None or node.parent is None:
                break
            node = node.parent
        return node

    @property
    def headline_id(self) -> int | None:
        return self.headline.mem_id if self.headline is not None else None

    def place(self, node: LexborNode) -> tuple[int, int]:
        """(verdict, level): verdict is _OK, _SOFT_OUT (a sidebar, the site header or
        footer) or _HARD_OUT (comments, teasers, navigation); level is where the node's
        region meets the headline's (``FAR`` when it never does)."""
        state = self._state(node)
        return state[0], state[1]

    def _state(self, node: LexborNode) -> tuple[int, int, bool]:
        """(verdict, level, inside an article) of ``node``, computed top-down along the path
        from the region shared with the headline, with every step cached."""
        path: list[LexborNode] = []
        top: tuple[int, int, bool] | None = None
        current: LexborNode | None = node
        while current is not None:
            key = current.mem_id
            cached = self._cache.get(key)
            if cached is not None:
                top = cached
                break
            joined = self.levels.get(key)
            if joined is not None:
                in_article = self.article_level is not None and joined <= self.article_level
                top = (_OK, joined, in_article)
                break
            if current.tag in ("body", "html", "-document"):
                break
            path.append(current)
            current = current.parent
        verdict, level, in_article = top if top is not None else (_OK, self.FAR, False)
        # Right next to the headline, a class name ("teaser-meta") says nothing.
        by_class = level > 1
        for step in reversed(path):  # from the outermost region down to the node
            if verdict != _HARD_OUT:
                verdict = max(verdict, _judge(step, in_article, by_class))
            if step.tag in _CONTENT_TAGS:
                in_article = True
            self._cache[step.mem_id] = (verdict, level, in_article)
        return verdict, level, in_article

    def near(self, level: int) -> bool:
        """Whether a region meeting the headline at ``level`` is the headline's article."""
        if self.headline is None:
            return True
        if self.article_level is not None and level <= self.article_level:
            return True
        return level < self.page_level


def _judge(node: LexborNode, in_article: bool, by_class: bool) -> int:
    """What one region says about the dates inside it."""
    tag = node.tag or ""
    if tag in _HARD_TAGS:
        return _HARD_OUT
    verdict = _OK
    if tag == "aside" or (tag in ("footer", "header") and not in_article):
        verdict = _SOFT_OUT
    if not by_class:
        return verdict
    attrs = node.attributes
    names = f"{attrs.get('class') or ''} {attrs.get('id') or ''}"
    if len(names) < 3 or _OWN.search(names):
        return verdict
    if _HARD.search(names):
        return _HARD_OUT
    if _SOFT.search(names):
        return _SOFT_OUT
    return verdict


_OWN = re.compile(
    r"entry-(?:meta|date|header)|post-(?:meta|date|info)|article-(?:meta|date|header|info)",
    re.IGNORECASE,
)


def _headline(tree: LexborHTMLParser, titles: list[str]) -> LexborNode | None:
    """The article's headline: an <h1> inside <article>/<main>, else the <h1> with the
    longest text (a logo's <h1> is short), else a marked-up headline, else the h2/h3 that
    repeats the page title."""
    h1s = [(h, _length(h)) for h in tree.css("h1")[:8]]
    h1s = [(h, n) for h, n in h1s if n]
    if h1s:
        for h, _ in h1s:
            if _inside(h, _CONTENT_TAGS):
                return h
        return max(h1s, key=lambda item: min(item[1], 40))[0]
    marked = [h for h in tree.css(_HEADLINE_MARKUP)[:4] if _length(h)]
    return marked[0] if marked else _titled_heading(tree, titles)


def _length(node: LexborNode) -> int:
    return len((node.text(deep=True) or "").strip())


def _titled_heading(tree: LexborHTMLParser, titles: list[str]) -> LexborNode | None:
    """Without an <h1>: the first h2/h3 whose text is the page's title."""
    wanted = [" ".join(t.split()).casefold() for t in titles if t]
    if not wanted:
        return None
    for node in tree.css("h2, h3")[:40]:
        text = " ".join((node.text(deep=True) or "").split()).casefold()
        if len(text) >= 10 and any(text in title for title in wanted):
            return node
    return None


def _inside(node: LexborNode, tags: frozenset[str]) -> bool:
    current = node.parent
    while current is not None:
        if current.tag in tags:
            return True
        current = current.parent
    return False


@dataclass(slots=True)
class _Seen:
    parsed: ParsedDate
    modified: bool | None  # None: only a class name says "updated"
    level: int
    after: bool
    index: int
    verdict: int
    shown: bool = True
    labelled: bool = False  # "Published ..." right before it


def _ordered(seen: list[_Seen]) -> list[_Seen]:
    """Closest to the headline first: smallest shared region, then right after it, then
    right before it."""
    return sorted(seen, key=lambda s: (s.level, not s.after, s.index if s.after else -s.index))


def _add_seen(seen: list[_Seen], layout: _Layout, found: _Found, source: str, rank: int) -> None:
    """Adds page-element dates closest-first: ``rank`` near the headline, lower further
    away or in a side region."""
    for item in _ordered(seen):
        if item.verdict == _SOFT_OUT:
            item_rank = _SIDE
        else:
            item_rank = rank if layout.near(item.level) else _FAR
        visible = item.shown and item.verdict == _OK
        if item.modified is None:  # "updated" by class only: modified, and a last resort
            found.add(item.parsed, source, item_rank, modified=True, visible=visible)
            found.add(item.parsed, source, _BODY, visible=visible)
            continue
        found.add(
            item.parsed,
            source,
            item_rank,
            modified=item.modified,
            visible=visible,
            labelled=item.labelled and not item.modified,
        )


# --------------------------------------------------------------------------- page elements


def _element_value(node: LexborNode) -> str:
    attrs = node.attributes
    for attr in ("datetime", "content", "title", "data-datetime", "data-date"):
        value = attrs.get(attr)
        if value and any(c.isdigit() for c in value):
            return value
    return _text(node) or ""


def _text(node: LexborNode) -> str | None:
    """The node's visible text with whitespace collapsed, or None when it is too long to be
    a date line."""
    raw = node.text_content if node.tag == "-text" else node.text(deep=True, separator=" ")
    if not raw:
        return None
    if len(raw) > _MAX_TEXT:
        if len(raw) > 20 * _MAX_TEXT:
            return None
        raw = " ".join(raw.split())
        return raw if len(raw) <= _MAX_TEXT else None
    return " ".join(raw.split())


def _is_modified(node: LexborNode) -> bool | None:
    """True when markup says the node is the modified date, None when only its class says
    so (hAtom themes mark the one date they show as "updated"), else False."""
    attrs = node.attributes
    prop = (attrs.get("itemprop") or "").lower()
    if prop == "datemodified":
        return True
    if prop in ("datepublished", "datecreated") or "pubdate" in attrs:
        return False
    names = f"{attrs.get('class') or ''} {attrs.get('id') or ''}"
    if _MODIFIED_CLASS.search(names) and not _PUBLISHED_CLASS.search(names):
        return None
    return False


def _label_before(node: LexborNode) -> str | None:
    """The label, "modified" or "published", that the words just before an element give
    it ("Updated: <time>")."""
    prev = node.prev
    text = ""
    while prev is not None and len(text) < 40:
        piece = prev.text(deep=True) if prev.tag != "-text" else prev.text_content
        text = (piece or "") + text
        prev = prev.prev
    if not text.strip():
        return None
    folded = fold(text[-60:]).rstrip()
    if _MODIFIED_WORDS.search(folded):
        return "modified"
    if _PUBLISHED_WORDS.search(folded):
        return "published"
    return None


def _walk(
    root: LexborHTMLParser | LexborNode, layout: _Layout, selector: str
) -> Iterable[tuple[LexborNode, bool, int]]:
    """Nodes under ``root`` matching ``selector`` in page order, with (after the headline?,
    index)."""
    headline = layout.headline
    headline_id = headline.mem_id if headline is not None else None
    query = f"{headline.tag}, {selector}" if headline is not None else selector
    after = False
    for index, node in enumerate(root.css(query)):
        if node.mem_id == headline_id:
            after = True
            continue
        yield node, after, index


def _from_elements(tree: LexborHTMLParser, layout: _Layout, found: _Found) -> None:
    seen: list[_Seen] = []
    for node, after, index in _walk(tree, layout, _DATE_ELEMENTS):
        verdict, level = layout.place(node)
        if verdict == _HARD_OUT:
            continue
        value = _element_value(node).strip()
        if not value or len(value) > _MAX_TEXT:
            continue
        parsed = parse_iso(value, found.tz) or parse_date(value, tz=found.tz, lang=found.lang)
        if node.tag == "meta" and parsed is not None and _in_head(node):
            # <meta itemprop="datePublished"> in <head> is page metadata like any other.
            rank = _META_OFFSET if parsed.has_time and _has_offset(value) else _META_NAIVE
            found.add(parsed, "meta", rank, modified=_is_modified(node) is True)
            continue
        text = _text(node) if node.tag != "meta" else None
        shown = (
            parse_date(text, tz=found.tz, lang=found.lang)
            if text and _YEARISH.search(text)
            else None
        )
        # What the reader sees wins over a machine value of another day.
        if shown is not None and (parsed is None or abs((shown.day - parsed.day).days) > 1):
            parsed = shown
        if parsed is None:
            continue
        label = _label_before(node)
        modified = label == "modified" or (label is None and _is_modified(node))
        seen.append(
            _Seen(
                parsed,
                modified,
                level,
                after,
                index,
                verdict,
                shown is not None,
                label == "published",
            )
        )
    _add_seen(seen, layout, found, "time", _TIME)


def _in_head(node: LexborNode) -> bool:
    parent = node.parent
    return parent is not None and parent.tag == "head"


def _from_profile(tree: LexborHTMLParser, selector: str, found: _Found) -> None:
    try:
        nodes = tree.css(selector)
    except Exception:  # a bad selector in a profile must not stop extraction
        return
    for node in nodes[:3]:
        text = _element_value(node)
        parsed = _machine(text, found.tz) if text else None
        if parsed is None and text and found.now is not None:
            parsed = parse_date(text, tz=found.tz, now=found.now)
        if parsed is not None:
            found.add(parsed, "profile", _PROFILE, visible=True)
            return


def _from_text(
    root: LexborHTMLParser | LexborNode, layout: _Layout, found: _Found, *, near_only: bool
) -> None:
    """Dates in date-like elements under ``root`` and around the headline (with
    ``near_only``, only those outside the headline's article: a second pass)."""
    seen: list[_Seen] = []
    relative: list[ParsedDate] = []
    texts: set[str] = set()
    nodes = list(_walk(root, layout, _TEXT_ELEMENTS))
    if not near_only:
        nodes.extend(_around_headline(layout))
    for node, after, index in nodes:
        if node.tag in ("html", "body", "script", "style", "meta", "link", "time"):
            continue
        text = _text(node)
        if not text or text in texts:
            continue
        texts.add(text)
        has_year = _YEARISH.search(text) is not None
        if not has_year and found.now is None:
            continue
        holder = node if node.tag != "-text" else node.parent
        if holder is None:
            continue
        verdict, level = layout.place(holder)
        if verdict == _HARD_OUT or (near_only and verdict == _OK and layout.near(level)):
            continue
        dates = _labelled_dates(text, found.tz, found.lang) if has_year else []
        if not dates:
            if (
                found.now is not None
                and verdict == _OK
                and layout.near(level)
                and _RELATIVE_HINT.search(text)
            ):
                rel = parse_date(text, tz=found.tz, now=found.now)
                if rel is not None:
                    relative.append(rel)
            continue
        class_modified = _is_modified(node) if node.tag != "-text" else False
        for parsed, label in dates:
            if label == "modified":
                modified: bool | None = True
            else:
                modified = class_modified if label is None else False
            seen.append(
                _Seen(parsed, modified, level, after, index, verdict, True, label == "published")
            )
    _add_seen(seen, layout, found, "text", _TEXT)
    for parsed in relative:
        found.add(parsed, "text", _RELATIVE)


def _around_headline(layout: _Layout) -> Iterable[tuple[LexborNode, bool, int]]:
    """The few nodes right before and after the headline, and after its container."""
    headline = layout.headline
    if headline is None:
        return
    # Indexes sort these before the selector matches at the same level: right after the
    # headline first, then after its container; before it, the closest first.
    for start, index0 in ((headline, -2000), (headline.parent, -1000)):
        if start is None:
            continue
        node, steps = start.next, 0
        while node is not None and steps < 5:
            if node.tag == "-text" or not (node.tag or "-").startswith("-"):
                steps += 1
                yield node, True, index0 + steps
            node = node.next
    node, steps = headline.prev, 0
    while node is not None and steps < 3:
        if node.tag == "-text" or not (node.tag or "-").startswith("-"):
            steps += 1
            yield node, False, 1_000_000 - steps
        node = node.prev


def _labelled_dates(
    text: str, tz: tzinfo | None, lang: str | None = None
) -> list[tuple[ParsedDate, str | None]]:
    """The dates in a short text, each labelled "published", "modified" or None by the words
    right before it ("Updated: ...", "Publié le ...")."""
    out: list[tuple[ParsedDate, str | None]] = []
    for lead, parsed in iter_dates(text, tz=tz, lang=lang):
        label: str | None = None
        if _MODIFIED_WORDS.search(lead):
            label = "modified"
        elif _PUBLISHED_WORDS.search(lead):
            label = "published"
        out.append((parsed, label))
    return out


def _titles(tree: LexborHTMLParser, meta: dict[str, list[str]]) -> list[str]:
    title = tree.css_first("title")
    return [*meta.get("og:title", ())[:1], title.text() if title is not None else ""]


def _from_title(titles: list[str], found: _Found) -> None:
    for text in titles:
        if text and len(text) < 400 and _YEARISH.search(text):
            parsed = parse_date(text, tz=found.tz, lang=found.lang)
            if parsed is not None:
                found.add(parsed, "text", _TITLE, visible=True)
                return


def _from_body(tree: LexborHTMLParser, layout: _Layout, found: _Found) -> None:
    """Last resort, in the text after the headline: a short date line or a labelled date
    ("Publié le ...") in its first part, else a labelled date further on (a blog post's
    "Posted on ..." footer), else the first date inside a sentence, else the nearest date
    just before the headline."""
    body = tree.body
    if body is None:
        return
    headline_id = layout.headline_id
    after = headline_id is None
    chars = 0
    previous = ""
    before: ParsedDate | None = None
    in_sentence: ParsedDate | None = None
    for node in body.traverse(include_text=True):
        if node.tag != "-text":
            if not after and node.mem_id == headline_id:
                after, chars = True, 0
            continue
        text = node.text_content or ""
        if not text or text.isspace():
            continue
        chars += len(text)
        if after and chars > _LABELLED_CHARS:
            break
        context, previous = previous, text
        if len(text) > 2000 or not _YEARISH.search(text):
            continue
        parent = node.parent
        if parent is None or parent.tag in _SKIP_TEXT_PARENTS:
            continue
        verdict = layout.place(parent)[0]
        if verdict == _HARD_OUT:
            continue
        window = not after or chars <= _BODY_CHARS
        if not _YEARISH.search(context):  # "Veröffentlicht:" in the element before
            text = f"{context[-40:]} {text}"
        for parsed, label in _labelled_dates(text, found.tz, found.lang):
            if label == "modified":
                found.add(parsed, "text", _BODY, modified=True)
            elif after and label == "published":
                found.add(parsed, "text", _BODY)
                return
            elif verdict != _OK or not window:
                continue
            elif not after:
                before, chars = parsed, 0
            elif len(text.strip()) <= 80:
                found.add(parsed, "text", _BODY)
                return
            elif in_sentence is None:
                in_sentence = parsed
        if not after and chars > 600:
            before = None
    chosen = in_sentence or before
    if chosen is not None:
        found.add(chosen, "text", _BODY)


def _url_date(url: str) -> ParsedDate | None:
    if not url:
        return None
    path = url.split("://", 1)[-1]
    path = path[path.find("/") :] if "/" in path else ""
    for pattern in (_URL_YMD, _URL_QUERY, _URL_COMPACT):
        m = pattern.search(path)
        if m is None:
            continue
        try:
            value = datetime(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            continue
        if value.year >= 1990:
            return ParsedDate(value, False, True, m.group(0).strip("/?&"))
    return None


# --------------------------------------------------------------------------- choice


def _choose(candidates: list[_Candidate]) -> _Candidate | None:
    if not candidates:
        return None
    ordered = sorted(candidates, key=lambda c: (c.rank, c.order))
    best = ordered[0]
    if best.rank in _STRUCTURED:
        best = _check_structured(best, ordered)
    if not best.parsed.has_time:
        same_day = [c for c in ordered if c.parsed.has_time and c.day == best.day]
        if same_day:
            best = same_day[0]
    return best


def _check_structured(best: _Candidate, ordered: list[_Candidate]) -> _Candidate:
    """The structured date to keep, given what the page shows."""
    value = best.parsed.value
    in_url = [c for c in ordered if c.source == "url"]
    if in_url and best.parsed.has_time and value.utcoffset() == timedelta(0):
        # A UTC timestamp late (early) in the day, and the URL names the next (previous)
        # day: the URL has the local day the site published on.
        step = (in_url[0].day - best.day).days
        if (step == 1 and value.hour >= _LATE_UTC) or (step == -1 and value.hour < _EARLY_UTC):
            return in_url[0]
    shown = {c.day for c in ordered if c.visible}
    if best.day in shown:
        return best
    # The page says "Published <day>" next to the headline, and the structured date is
    # another day (often the last edit): the reader's label wins.
    labelled = [c for c in ordered if c.labelled and c.visible and c.rank <= _TEXT]
    if labelled:
        return labelled[0]
    confirmed = [c for c in ordered if c.rank in _STRUCTURED and c.day in shown]
    if confirmed:
        return confirmed[0]
    value = best.parsed.value
    if best.parsed.has_time and value.utcoffset() == timedelta(0):
        # A UTC timestamp, while the page shows the local day.
        local = _local_rendering(best, ordered)
        if local is not None:
            return local
        if value.hour >= _LATE_UTC:
            wanted = best.day + timedelta(days=1)
        elif value.hour < _EARLY_UTC:
            wanted = best.day - timedelta(days=1)
        else:
            return best
        near = [c for c in ordered if c.visible and c.rank <= _TITLE and c.day == wanted]
        return near[0] if near else best
    # A date in the URL is fixed when the article is created; a structured date of
    # another day is then a later edit.
    in_url = [c for c in ordered if c.source == "url"]
    if in_url and abs((in_url[0].day - best.day).days) > 1:
        return in_url[0]
    return best


# A UTC time this late (early) is the next (previous) day for sites from UTC+4 to UTC-8.
_LATE_UTC, _EARLY_UTC = 20, 8


def _local_rendering(utc: _Candidate, ordered: list[_Candidate]) -> _Candidate | None:
    """A shown date and time that is ``utc`` in some zone's local time, as that instant
    with its local offset."""
    instant = utc.parsed.value.replace(tzinfo=None)
    for c in ordered:
        if c.rank in _STRUCTURED or not c.parsed.has_time or not c.parsed.naive:
            continue
        if c.day == utc.day or abs((c.day - utc.day).days) > 1:
            continue
        offset = c.parsed.value - instant
        quarters = round(offset / timedelta(minutes=15))
        if abs(offset - quarters * timedelta(minutes=15)) > timedelta(minutes=2):
            continue
        if not -48 <= quarters <= 56:  # UTC-12 to UTC+14
            continue
        zone = timezone(quarters * timedelta(minutes=15))
        value = utc.parsed.value.astimezone(zone)
        parsed = ParsedDate(value, True, False, c.parsed.raw)
        return _Candidate(parsed, c.source, c.rank, c.order, c.visible)
    return None


def _present(candidate: _Candidate | None, tz: tzinfo | None) -> datetime | None:
    if candidate is None:
        return None
    value = candidate.parsed.value
    if tz is not None:
        value = value.astimezone(tz) if value.tzinfo is not None else value.replace(tzinfo=tz)
    return value


def _before(a: datetime, b: datetime) -> bool:
    if (a.tzinfo is None) != (b.tzinfo is None):
        a, b = a.replace(tzinfo=None), b.replace(tzinfo=None)
    return a < b
