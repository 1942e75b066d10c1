"""Finding when an article was published (and last modified) in its page.

Evidence is ranked, most trusted first, and every date keeps the name of its source:

1. ``meta``: ``article:published_time`` and its kin, when the value carries an offset;
2. ``jsonld``: the article object's ``datePublished`` / ``dateModified``;
3. ``meta`` without an offset (``dc.date``, ``pubdate``, ...);
4. ``time``: ``<time datetime>`` and ``itemprop="datePublished"`` elements of the article;
5. ``profile``: the visible date a site profile points at;
6. ``text``: date text in the article header, near the headline or byline;
7. ``url``: ``/2025/11/25/``, ``/20251125/``, ``?date=2025-11-25``;
8. relative text ("منذ ساعتين", "2 hours ago"), which needs ``now``.

Dates in comments, related-article teasers, sidebars and site footers never count. A day
shown without a time is completed by a same-day date with a time from another source.
Published and modified dates are kept apart: a modified date never stands in for a missing
published one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from selectolax.lexbor import LexborHTMLParser, LexborNode

from .dates import ParsedDate, fold, iter_dates, parse_date, parse_iso
from .structured import ARTICLE_TYPES, types_of

__all__ = ["FoundDates", "find_dates"]


@dataclass(frozen=True, slots=True)
class FoundDates:
    """The page's publication and modification dates, and where the published one came from."""

    published: datetime | None
    modified: datetime | None
    source: str | None
    raw: str | None


# Ranks: lower is more trusted.
_META_OFFSET, _JSONLD, _META_NAIVE, _TIME, _PROFILE, _TEXT, _JSONLD_OTHER, _URL, _RELATIVE = range(
    9
)

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

# Elements that hold a machine date (or a visible one) for the article itself.
_DATE_ELEMENTS = (
    "h1, time, [itemprop=datePublished], [itemprop=dateModified], [itemprop=dateCreated],"
    " abbr.published, abbr.updated, [pubdate]"
)
# Elements whose text is likely a visible date line.
_TEXT_ELEMENTS = (
    "h1, [class*=date i], [id*=date i], [class*=time i], [class*=publi i], [class*=posted i],"
    " [class*=datum i], [class*=fecha i], [class*=byline i], [class*=dateline i],"
    " [class*=meta i], [class*=info i], [class*=author i], [class*=data i], [class*=zeit i],"
    " [class*=tarih i], [itemprop=datePublished]"
)
_MAX_TEXT = 250

# Class/id words of regions that are not the article's own header: comments, teasers,
# sidebars, site chrome.
_EXCLUDED = re.compile(
    r"comment|disqus|respond|repl(?:y|ies)|related|recommend|similar|teaser|sidebar|side-bar"
    r"|widget|footer|popular|trending|most-?read|most-?viewed|read-?more|read-?next"
    r"|more-?(?:stories|news|articles|posts)|also|outbrain|taboola|newsletter|ticker|breaking"
    r"|masthead|top-?bar|site-?header|navbar|nav-|menu|promo|yarpp|crp_|jp-relatedposts"
    r"|latest|recent|archive|calendar|weather|cookie|banner",
    re.IGNORECASE,
)
_EXCLUDED_TAGS = frozenset({"aside", "nav", "footer", "form", "noscript"})
_CONTENT_TAGS = frozenset({"article", "main"})

_MODIFIED_CLASS = re.compile(r"updat|modif|revis|edited|aktualis|actualiz", re.IGNORECASE)
_MODIFIED_WORDS = re.compile(
    r"(?:updated?|last\s+modified|modified|edited|revised|mis\s+a\s+jour|modifie|actualizad[oa]"
    r"|actualizacion|aktualisiert|zuletzt|geandert|atualizad[oa]|aggiornat[oa]|تحديث|حدث|تعديل)"
    r"[^0-9\ue001-\ue00c]{0,25}$"
)
_PUBLISHED_WORDS = re.compile(
    r"(?:published|posted|publie|publicad[oa]|veroffentlicht|erschienen|pubblicat[oa]|نشر"
    r"|بتاريخ|created|erstellt)[^0-9\ue001-\ue00c]{0,25}$"
)

_URL_YMD = re.compile(r"(?<!\d)((?:19|20)\d{2})[/_-](\d{1,2})[/_-](\d{1,2})(?=$|[/_.\-?#])")
_URL_COMPACT = re.compile(r"(?<![\d])((?:19|20)\d{2})(\d{2})(\d{2})(?=$|[/_.\-?#])")
_URL_QUERY = re.compile(r"[?&](?:date|d|pubdate|published)=((?:19|20)\d{2})-?(\d{2})-?(\d{2})")
_URL_YM = re.compile(r"/((?:19|20)\d{2})/(\d{1,2})/")


@dataclass(slots=True)
class _Candidate:
    parsed: ParsedDate
    source: str
    rank: int
    order: int


@dataclass(slots=True)
class _Found:
    tz: tzinfo | None
    now: datetime | None
    published: list[_Candidate]
    modified: list[_Candidate]

    def add(self, parsed: ParsedDate | None, source: str, rank: int, modified: bool) -> None:
        if parsed is None or self._future(parsed.value):
            return
        target = self.modified if modified else self.published
        target.append(_Candidate(parsed, source, rank, len(target)))

    def _future(self, value: datetime) -> bool:
        if self.now is None:
            return False
        now = self.now
        if (value.tzinfo is None) != (now.tzinfo is None):
            value, now = value.replace(tzinfo=None), now.replace(tzinfo=None)
        return value > now + timedelta(days=1)

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
    found = _Found(tz, now, [], [])
    _from_meta(meta, found)
    _from_jsonld(objects, url, found)
    _from_elements(tree, found)
    if text_selector:
        _from_profile(tree, text_selector, found)
    url_day = _url_date(url or "")
    if url_day is not None:
        found.add(url_day, "url", _URL, False)
    if found.best_rank() > _TEXT:
        _from_text(tree, found)
    published = _choose(found.published, url_day)
    modified = _choose(found.modified, None)
    pub_value = _present(published, tz)
    mod_value = _present(modified, tz)
    if pub_value is not None and mod_value is not None and _before(mod_value, pub_value):
        mod_value = None
    return FoundDates(
        published=pub_value,
        modified=mod_value,
        source=published.source if published else None,
        raw=published.parsed.raw if published else None,
    )


# --------------------------------------------------------------------------- sources


def _machine(value: str, tz: tzinfo | None) -> ParsedDate | None:
    return parse_iso(value, tz) or parse_date(value, tz=tz)


def _from_meta(meta: dict[str, list[str]], found: _Found) -> None:
    for keys, modified in ((_META_PUBLISHED, False), (_META_MODIFIED, True)):
        for key in keys:
            for value in meta.get(key, ()):
                parsed = _machine(value, found.tz)
                if parsed is None:
                    continue
                aware = parsed.has_time and not _naive_source(value, parsed, found.tz)
                found.add(parsed, "meta", _META_OFFSET if aware else _META_NAIVE, modified)
                break
    parsely = meta.get("parsely-page")
    if parsely:
        match = re.search(r'"pub_date"\s*:\s*"([^"]+)"', parsely[0])
        if match:
            found.add(_machine(match.group(1), found.tz), "meta", _META_NAIVE, False)


def _naive_source(value: str, parsed: ParsedDate, tz: tzinfo | None) -> bool:
    """Whether ``parsed`` got its zone from ``tz`` rather than from ``value`` itself."""
    return parsed.naive or (tz is not None and parsed.value.tzinfo is tz)


def _from_jsonld(objects: list[dict[str, Any]], url: str | None, found: _Found) -> None:
    articles = [o for o in objects if types_of(o) & ARTICLE_TYPES]
    main = _main_object(articles, url)
    if main is not None:
        for key, modified in (("datePublished", False), ("dateCreated", False)):
            parsed = _jsonld_date(main.get(key), found.tz)
            if parsed is not None:
                found.add(parsed, "jsonld", _JSONLD, modified)
                break
        found.add(_jsonld_date(main.get("dateModified"), found.tz), "jsonld", _JSONLD, True)
        return
    for obj in objects:  # a WebPage or VideoObject describing this page
        if obj.get("datePublished") or obj.get("uploadDate"):
            value = obj.get("datePublished") or obj.get("uploadDate")
            found.add(_jsonld_date(value, found.tz), "jsonld", _JSONLD_OTHER, False)
            found.add(_jsonld_date(obj.get("dateModified"), found.tz), "jsonld", _JSONLD, True)
            break


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


class _Zones:
    """Tells whether a node sits in a region whose dates are not the article's."""

    def __init__(self) -> None:
        self._cache: dict[int, bool] = {}

    def excluded(self, node: LexborNode) -> bool:
        path: list[int] = []
        verdict = False
        in_footer = False
        current: LexborNode | None = node
        while current is not None:
            key = current.mem_id
            cached = self._cache.get(key)
            if cached is not None:
                verdict = cached
                break
            path.append(key)
            tag = current.tag or ""
            if tag in ("body", "html"):
                break
            if tag in _CONTENT_TAGS and in_footer:
                in_footer = False  # a footer inside the article holds its byline
                verdict = False
                break
            if tag in _EXCLUDED_TAGS:
                if tag == "footer":
                    in_footer = True
                else:
                    verdict = True
                    break
            attrs = current.attributes
            names = f"{attrs.get('class') or ''} {attrs.get('id') or ''}"
            if len(names) > 1 and _EXCLUDED.search(names) and not _is_own_meta(names):
                verdict = True
                break
            current = current.parent
        verdict = verdict or in_footer
        for key in path:
            self._cache[key] = verdict
        return verdict


_OWN = re.compile(r"entry-(?:meta|date|header)|post-(?:meta|date)|article-(?:meta|date|header)")


def _is_own_meta(names: str) -> bool:
    return bool(_OWN.search(names))


def _element_value(node: LexborNode) -> str:
    attrs = node.attributes
    for attr in ("datetime", "content", "title", "data-datetime", "data-date"):
        value = attrs.get(attr)
        if value and any(c.isdigit() for c in value):
            return value
    return node.text(deep=True, separator=" ") or ""


def _is_modified(node: LexborNode) -> bool:
    attrs = node.attributes
    prop = (attrs.get("itemprop") or "").lower()
    if prop == "datemodified":
        return True
    if prop in ("datepublished", "datecreated") or "pubdate" in attrs:
        return False
    return bool(_MODIFIED_CLASS.search(f"{attrs.get('class') or ''} {attrs.get('id') or ''}"))


def _from_elements(tree: LexborHTMLParser, found: _Found) -> None:
    zones = _Zones()
    seen_h1 = False
    before_h1: list[tuple[ParsedDate, bool]] = []
    after_h1: list[tuple[ParsedDate, bool]] = []
    for node in tree.css(_DATE_ELEMENTS):
        if node.tag == "h1":
            seen_h1 = seen_h1 or not zones.excluded(node)
            continue
        if zones.excluded(node):
            continue
        value = _element_value(node).strip()
        if not value or len(value) > _MAX_TEXT:
            continue
        parsed = parse_iso(value, found.tz) or parse_date(value, tz=found.tz)
        if parsed is None:
            continue
        (after_h1 if seen_h1 else before_h1).append((parsed, _is_modified(node)))
    # The article's own date is the first after its headline, else the last before it.
    ordered = after_h1 + before_h1[::-1]
    for parsed, modified in ordered:
        found.add(parsed, "time", _TIME, modified)


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
            found.add(parsed, "profile", _PROFILE, False)
            return


def _from_text(tree: LexborHTMLParser, found: _Found) -> None:
    zones = _Zones()
    seen_h1 = False
    before_h1: list[tuple[ParsedDate, bool]] = []
    after_h1: list[tuple[ParsedDate, bool]] = []
    relative: list[ParsedDate] = []
    seen_text: set[str] = set()
    for node in tree.css(_TEXT_ELEMENTS):
        if node.tag == "h1":
            if not seen_h1 and not zones.excluded(node):
                seen_h1 = True
                _near_headline(node, after_h1, found)
            continue
        if node.tag in ("html", "body", "script", "style", "meta", "link"):
            continue
        text = node.text(deep=True, separator=" ")
        if not text or len(text) > _MAX_TEXT or text in seen_text:
            continue
        seen_text.add(text)
        if not any(c.isdigit() for c in text) or zones.excluded(node):
            if found.now is not None and not zones.excluded(node):
                rel = parse_date(text, tz=found.tz, now=found.now)
                if rel is not None:
                    relative.append(rel)
            continue
        dates = _labelled_dates(text, found.tz)
        if not dates and found.now is not None:
            rel = parse_date(text, tz=found.tz, now=found.now)
            if rel is not None:
                relative.append(rel)
            continue
        class_modified = _is_modified(node)
        for parsed, label in dates:
            modified = label == "modified" or (label is None and class_modified)
            (after_h1 if seen_h1 else before_h1).append((parsed, modified))
    for parsed, modified in after_h1 + before_h1[::-1]:
        found.add(parsed, "text", _TEXT, modified)
    for parsed in relative:
        found.add(parsed, "text", _RELATIVE, False)


def _near_headline(h1: LexborNode, out: list[tuple[ParsedDate, bool]], found: _Found) -> None:
    """Dates in the few elements right after the headline (and after its container)."""
    steps = 0
    for start in (h1, h1.parent):
        node = start.next if start is not None else None
        while node is not None and steps < 6:
            if node.tag and not node.tag.startswith("-") or node.tag == "-text":
                steps += 1
                text = node.text(deep=True, separator=" ") if node.tag != "-text" else node.text()
                if text and len(text) <= _MAX_TEXT and any(c.isdigit() for c in text):
                    for parsed, label in _labelled_dates(text, found.tz):
                        out.append((parsed, label == "modified"))
            node = node.next


def _labelled_dates(text: str, tz: tzinfo | None) -> list[tuple[ParsedDate, str | None]]:
    """The dates in a short text, each labelled "published", "modified" or None by the words
    right before it ("Updated: ...", "Publié le ...")."""
    out: list[tuple[ParsedDate, str | None]] = []
    folded: str | None = None
    for position, parsed in iter_dates(text, tz=tz):
        if folded is None:
            folded = fold(text)
        head = folded[max(0, position - 40) : position]
        label: str | None = None
        if _MODIFIED_WORDS.search(head):
            label = "modified"
        elif _PUBLISHED_WORDS.search(head):
            label = "published"
        out.append((parsed, label))
    return out


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


def _choose(candidates: list[_Candidate], url_day: ParsedDate | None) -> _Candidate | None:
    if not candidates:
        return None
    ordered = sorted(candidates, key=lambda c: (c.rank, c.order))
    best = ordered[0]
    if url_day is not None and best.source != "url":
        wanted = url_day.value.date()
        if abs((_day(best) - wanted).days) > 1:
            agreeing = [c for c in ordered if _day(c) == wanted and c.source != "url"]
            best = agreeing[0] if agreeing else next(c for c in ordered if c.source == "url")
    if not best.parsed.has_time:
        same_day = [c for c in ordered if c.parsed.has_time and _day(c) == _day(best)]
        if same_day:
            best = same_day[0]
    return best


def _day(candidate: _Candidate) -> date:
    return candidate.parsed.value.date()


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
