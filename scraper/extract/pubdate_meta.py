"""Dates from the page's machine data: ``<meta>`` names and JSON-LD, for the article the
page is about (not another entity in its graph)."""

from __future__ import annotations

import re
from datetime import tzinfo
from typing import Any

from selectolax.lexbor import LexborHTMLParser

from .dates import ParsedDate, parse_date, parse_iso
from .pubdate_evidence import (
    JSONLD,
    JSONLD_OTHER,
    META_NAIVE,
    META_OFFSET,
    PARSELY_DATE,
    Found,
)
from .structured import ARTICLE_TYPES, first_meta, types_of

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


# --------------------------------------------------------------------------- structured data


def machine_of(value: str, tz: tzinfo | None) -> ParsedDate | None:
    return parse_iso(value, tz) or parse_date(value, tz=tz)


def from_meta(meta: dict[str, list[str]], found: Found) -> None:
    for keys, modified in ((_META_PUBLISHED, False), (_META_MODIFIED, True)):
        for key in keys:
            for value in meta.get(key, ())[:3]:
                parsed = machine_of(value, found.tz)
                if parsed is None:
                    continue
                own_offset = parsed.has_time and has_offset(value)
                rank = META_OFFSET if own_offset else META_NAIVE
                found.add(parsed, "meta", rank, modified=modified)
    parsely = meta.get("parsely-page")
    if parsely:
        match = PARSELY_DATE.search(parsely[0])
        if match:
            found.add(machine_of(match.group(1), found.tz), "meta", META_NAIVE)
    if not found.published:
        # A publication date under a name of the site's own ("x-published-date",
        # "page.publishDate"): trusted below the standard names and the JSON-LD.
        for key, values in meta.items():
            if _META_PUBLISHED_LIKE.search(key) and not _META_MODIFIED_LIKE.search(key):
                found.add(machine_of(values[0], found.tz), "meta", JSONLD_OTHER)


_META_PUBLISHED_LIKE = re.compile(
    r"publi(?:sh|cation)\w*?[-_.:]?(?:date|time|on)|(?:date|time)[-_.:]?publi|pubdate"
    r"|first[-_.:]?published|release[-_.:]?date",
    re.IGNORECASE,
)
_META_MODIFIED_LIKE = re.compile(r"modif|updat|revis|edit|expir", re.IGNORECASE)
_OFFSET = re.compile(r"(?:[+-]\d{2}:?\d{2}|[+-]\d{2}|Z|UTC|GMT)\s*$", re.IGNORECASE)


def page_lang(tree: LexborHTMLParser, meta: dict[str, list[str]]) -> str | None:
    """The page's language tag with its region when it gives one (``<html lang>``, else
    ``og:locale``): only the region decides how 3/4/2025 reads."""
    root = tree.css_first("html")
    lang = root.attributes.get("lang") if root is not None else None
    if not lang or "-" not in lang:
        lang = first_meta(meta, "og:locale") or lang
    return lang.strip() if lang else None


def has_offset(value: str) -> bool:
    return bool(_OFFSET.search(value.strip()))


def from_jsonld(objects: list[dict[str, Any]], url: str | None, found: Found) -> None:
    articles = [o for o in objects if types_of(o) & ARTICLE_TYPES]
    main = _main_object(articles, url)
    if main is not None:
        published = _jsonld_date(main.get("datePublished"), found.tz) or _jsonld_date(
            main.get("dateCreated"), found.tz
        )
        found.add(published, "jsonld", JSONLD)
        modified = _jsonld_date(main.get("dateModified"), found.tz)
        found.add(modified, "jsonld", JSONLD, modified=True)
        return
    for obj in objects:  # a WebPage or VideoObject describing this page
        value = obj.get("datePublished") or obj.get("uploadDate")
        if value:
            found.add(_jsonld_date(value, found.tz), "jsonld", JSONLD_OTHER)
            modified = _jsonld_date(obj.get("dateModified"), found.tz)
            found.add(modified, "jsonld", JSONLD_OTHER, modified=True)
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
    return machine_of(value, tz)
