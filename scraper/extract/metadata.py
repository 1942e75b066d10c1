"""Article metadata from structured data and generic markup: title, authors, language,
canonical URL, lead image, categories and tags.

Each function takes the parsed page plus the already-parsed JSON-LD objects and meta tags, and
returns the best value it can justify, or an empty value. No function guesses from layout
alone when the publisher said something explicit.
"""

from __future__ import annotations

import re
from typing import Any, TypeVar
from urllib.parse import urljoin

from selectolax.lexbor import LexborHTMLParser

from ..urls import navigable
from .structured import breadcrumb_names, first_meta, text_list, text_value

_TITLE_SEPARATORS = re.compile(r"\s+[|\-–—·•:«»]\s+|\s+[|–—·•]|[|–—·•]\s+")
_LANG = re.compile(r"^[a-zA-Z]{2,3}")


_T = TypeVar("_T")
Sources = dict[str, str]  # field -> where its value came from (scraper.article.SOURCES)


def clean(text: str | None) -> str:
    return " ".join((text or "").split())


def noted(prov: Sources | None, name: str, source: str, value: _T) -> _T:
    """``value``, with ``source`` recorded as its origin in ``prov`` when it is not empty."""
    if prov is not None and value:
        prov[name] = source
    return value


def title(
    tree: LexborHTMLParser,
    obj: dict[str, Any] | None,
    meta: dict[str, list[str]],
    site_names: tuple[str, ...] = (),
    prov: Sources | None = None,
) -> str | None:
    """The headline: the ``<h1>`` that agrees with the publisher's og:title / JSON-LD
    headline; else that declared title; else the page's single (or article's first)
    ``<h1>``; else ``<title>``, with " - Site name" suffixes removed. ``prov`` gets its
    source (an ``<h1>`` agreeing with a declared title counts as that declaration)."""
    declared = [
        clean(first_meta(meta, "og:title", "twitter:title")),
        clean(text_value((obj or {}).get("headline"))),
    ]
    title_node = tree.css_first("title")
    page_title = clean(title_node.text() if title_node else "")
    names = {n.lower() for n in site_names if n} | {
        clean(first_meta(meta, "og:site_name", "application-name")).lower()
    }
    h1s = [clean(h.text()) for h in tree.css("h1")[:5]]
    sources = ("meta", "json-ld", "markup")
    for h1 in h1s:
        agreed = [
            s
            for d, s in zip([*declared, page_title], sources, strict=True)
            if d and _similar(h1, d)
        ]
        if h1 and agreed:
            return noted(prov, "title", "json-ld" if "json-ld" in agreed else agreed[0], h1)
    for value, source in zip(declared, sources, strict=False):
        if value:
            return noted(prov, "title", source, strip_site_name(value, names))
    main_h1 = tree.css_first("article h1, main h1")
    h1 = clean(main_h1.text()) if main_h1 is not None else (h1s[0] if len(h1s) == 1 else "")
    if h1:
        return noted(prov, "title", "heuristic", h1)
    return noted(
        prov, "title", "markup", strip_site_name(page_title, names) if page_title else None
    )


def _similar(a: str, b: str) -> bool:
    a, b = a.lower(), b.lower()
    return a == b or (len(a) > 10 and a in b) or (len(b) > 10 and b in a)


def strip_site_name(value: str, names: set[str]) -> str:
    """``"Headline - Site"`` -> ``"Headline"`` (also ``"Site | Headline"``)."""
    parts = [p for p in _TITLE_SEPARATORS.split(value) if p.strip()]
    if len(parts) < 2:
        return value
    kept = [p for p in parts if p.strip().lower() not in names]
    if len(kept) < len(parts):
        return clean(" - ".join(kept)) or value
    # Unknown site name: drop a short last (or first) segment that looks like a brand.
    if len(parts[-1]) <= 30 and len(parts[-1]) < len(parts[0]) / 2:
        return clean(value[: value.rfind(parts[-1])].rstrip(" |-–—·•:"))
    return value


def subtitle(
    obj: dict[str, Any] | None, meta: dict[str, list[str]], prov: Sources | None = None
) -> str | None:
    value = clean(text_value((obj or {}).get("alternativeHeadline")))
    return noted(prov, "subtitle", "json-ld", value or None)


def authors(
    tree: LexborHTMLParser,
    obj: dict[str, Any] | None,
    meta: dict[str, list[str]],
    prov: Sources | None = None,
) -> list[str]:
    names: list[str] = []
    source = "json-ld"
    raw = (obj or {}).get("author")
    for item in raw if isinstance(raw, list) else [raw]:
        name = clean(text_value(item))
        if name and not name.startswith("http"):
            names.append(name)
    if not names:
        source = "meta"
        for key in ("author", "article:author", "parsely-author", "sailthru.author", "dc.creator"):
            names.extend(clean(v) for v in meta.get(key, ()) if v and not v.startswith("http"))
    if not names:
        nodes = tree.css('[rel="author"], [itemprop="author"]')[:3]
        names = [clean(n.text()) for n in nodes]
        source = "microdata" if nodes and "itemprop" in nodes[0].attributes else "markup"
    return noted(prov, "authors", source, _unique(n for n in names if n and len(n) < 80))


def language(
    tree: LexborHTMLParser,
    obj: dict[str, Any] | None,
    meta: dict[str, list[str]],
    prov: Sources | None = None,
) -> str | None:
    """Two-letter language code from ``<html lang>``, og:locale, JSON-LD or content-language."""
    html = tree.css_first("html")
    candidates = [
        html.attributes.get("lang") if html else None,
        text_value((obj or {}).get("inLanguage")),
        first_meta(meta, "og:locale", "content-language", "language", "dc.language"),
    ]
    for value, source in zip(candidates, ("markup", "json-ld", "meta"), strict=True):
        match = _LANG.match((value or "").strip())
        if match:
            return noted(prov, "language", source, match.group(0).lower())
    return None


def canonical_url(
    tree: LexborHTMLParser,
    meta: dict[str, list[str]],
    url: str | None,
    prov: Sources | None = None,
) -> str | None:
    node = tree.css_first('link[rel="canonical"]')
    href = (node.attributes.get("href") or "").strip() if node else ""
    source = "markup" if href else "meta"
    href = href or (first_meta(meta, "og:url") or "")
    if navigable(href):
        return noted(prov, "url", source, urljoin(url or "", href))
    return noted(prov, "url", "url", url)


def image(
    tree: LexborHTMLParser,
    obj: dict[str, Any] | None,
    meta: dict[str, list[str]],
    url: str | None,
    prov: Sources | None = None,
) -> str | None:
    value = first_meta(meta, "og:image", "og:image:url", "twitter:image", "twitter:image:src")
    source = "meta"
    if not value and obj:
        source = "json-ld"
        value = text_value(
            (obj.get("image") or {}) if not isinstance(obj.get("image"), str) else obj["image"]
        )
    return noted(prov, "image", source, urljoin(url or "", value) if value else None)


def categories(
    tree: LexborHTMLParser,
    objects: list[dict[str, Any]],
    obj: dict[str, Any] | None,
    meta: dict[str, list[str]],
    prov: Sources | None = None,
) -> list[str]:
    declared = text_list((obj or {}).get("articleSection"))
    source = "json-ld" if declared else "meta"
    declared = declared or [clean(v) for v in meta.get("article:section", ()) if v]
    shown = header_sections(tree)
    shown_source = "markup" if tree.css_first('a[rel~="category"]') is not None else "heuristic"
    if shown and set(declared) <= set(shown):
        # the page shows all the declared sections, and maybe more (those are the layout's)
        same = bool(declared) and set(declared) == set(shown)
        return noted(prov, "categories", source if same else shown_source, shown)
    if not declared:
        source = shown_source if shown else "json-ld"  # else: the breadcrumb's
    return noted(
        prov, "categories", source, _unique(declared or shown or breadcrumb_names(objects)[:-1])
    )


NAV_LINKS = "nav a[href], header a[href], [class*='menu'] a[href]"


def header_sections(tree: LexborHTMLParser) -> list[str]:
    """Section links shown above the headline (kicker, "in X, Y" line, breadcrumb) that
    also appear in the site's navigation, or that WordPress marks ``rel="category"``."""
    marked = [clean(a.text()) for a in tree.css('a[rel~="category"]')]
    if marked:
        return _unique(marked)
    h1 = tree.css_first("h1")
    if h1 is None:
        return []
    container = h1.parent
    for _ in range(2):  # the headline's block, or the one around it
        if container is None or container.parent is None:
            break
        if container.css_first("a[href]") is not None:
            break
        container = container.parent
    candidates: list[tuple[str, str]] = []
    for node in container.traverse() if container is not None else ():
        if node.mem_id == h1.mem_id:
            break
        if node.tag == "a":
            candidates.append((_path(node.attributes.get("href")), clean(node.text())))
    if not candidates:
        return []
    nav = {_path(a.attributes.get("href")) for a in tree.css(NAV_LINKS)[:400]} - {"", "/"}
    return _unique(name for path, name in candidates if path in nav and 0 < len(name) < 60)


def _path(href: str | None) -> str:
    """The path of a link, without host or trailing slash, for comparing links."""
    if not href:
        return ""
    path = href.split("#", 1)[0].split("?", 1)[0]
    if "://" in path:
        path = "/" + path.split("://", 1)[1].partition("/")[2]
    return path.rstrip("/") or "/"


def tags(
    tree: LexborHTMLParser,
    obj: dict[str, Any] | None,
    meta: dict[str, list[str]],
    prov: Sources | None = None,
) -> list[str]:
    found = [clean(v) for v in meta.get("article:tag", ()) if v]
    source = "meta" if found else "json-ld"
    found = found or text_list((obj or {}).get("keywords"))
    if not found:
        source = "markup"
        found = [clean(a.text()) for a in tree.css('a[rel="tag"]')]
    return noted(prov, "tags", source, _unique(t for t in found if t and len(t) < 80))


def _unique(items: Any) -> list[str]:
    seen: dict[str, None] = {}
    for item in items:
        if item and item not in seen:
            seen[item] = None
    return list(seen)
