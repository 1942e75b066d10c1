"""Structured data embedded in a page: JSON-LD, OpenGraph / ``article:*`` and other meta tags.

These are the publisher's own statements about the article, so they rank above anything we
infer from the layout. Parsing is tolerant: real pages ship JSON-LD with comments, trailing
commas, raw newlines in strings and several objects in one script.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

from selectolax.lexbor import LexborHTMLParser

ARTICLE_TYPES = frozenset(
    {
        "article",
        "newsarticle",
        "blogposting",
        "reportagenewsarticle",
        "analysisnewsarticle",
        "opinionnewsarticle",
        "backgroundnewsarticle",
        "reviewnewsarticle",
        "socialmediaposting",
        "liveblogposting",
        "scholarlyarticle",
        "techarticle",
        "report",
        "posting",
    }
)

_TRAILING_COMMA = re.compile(r",\s*([}\]])")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def jsonld_objects(tree: LexborHTMLParser) -> list[dict[str, Any]]:
    """Every JSON-LD object on the page, with ``@graph`` containers and lists flattened."""
    found: list[dict[str, Any]] = []
    for node in tree.css('script[type="application/ld+json"]'):
        data = _loads(node.text(deep=True) or "")
        if data is not None:
            found.extend(_flatten(data))
    return found


def _loads(raw: str) -> Any:
    raw = raw.strip().removeprefix("<!--").removesuffix("-->").strip()
    raw = raw.removeprefix("//<![CDATA[").removesuffix("//]]>").strip()
    if not raw:
        return None
    for candidate in (raw, _TRAILING_COMMA.sub(r"\1", _CONTROL.sub(" ", raw))):
        try:
            return json.loads(candidate, strict=False)
        except (ValueError, RecursionError):
            continue
    return None


def _flatten(data: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    if depth > 4:
        return
    if isinstance(data, list):
        for item in data:
            yield from _flatten(item, depth + 1)
    elif isinstance(data, dict):
        graph = data.get("@graph")
        if isinstance(graph, list):
            yield from _flatten(graph, depth + 1)
        if "@type" in data:
            yield data
            main = data.get("mainEntity")
            if isinstance(main, dict | list):
                yield from _flatten(main, depth + 1)


def types_of(obj: dict[str, Any]) -> set[str]:
    """Lower-cased ``@type`` names of an object (``@type`` may be a string or a list)."""
    value = obj.get("@type")
    values = value if isinstance(value, list) else [value]
    return {v.rsplit("/", 1)[-1].lower() for v in values if isinstance(v, str)}


def article_object(objects: Iterable[dict[str, Any]]) -> dict[str, Any] | None:
    """The JSON-LD object describing the article itself, if any.

    When a page has several (a main story and teasers), the one with the most text wins.
    """
    candidates = [o for o in objects if types_of(o) & ARTICLE_TYPES]
    if not candidates:
        return None
    return max(candidates, key=lambda o: len(str(o.get("articleBody") or "")))


def breadcrumb_names(objects: Iterable[dict[str, Any]]) -> list[str]:
    """Names of a BreadcrumbList's items, in order, without the first (home) item."""
    for obj in objects:
        if "breadcrumblist" not in types_of(obj):
            continue
        items = obj.get("itemListElement")
        if not isinstance(items, list):
            continue
        ordered = sorted(
            (i for i in items if isinstance(i, dict)), key=lambda i: _as_int(i.get("position"))
        )
        names = [_item_name(i) for i in ordered]
        return [n for n in names[1:] if n]
    return []


def _item_name(item: dict[str, Any]) -> str:
    name = item.get("name")
    inner = item.get("item")
    if not name and isinstance(inner, dict):
        name = inner.get("name")
    return text_value(name)


def _as_int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def text_value(value: Any) -> str:
    """A JSON-LD value as one clean string (first item of a list, ``name`` of an object)."""
    if isinstance(value, list):
        return next((s for s in (text_value(v) for v in value) if s), "")
    if isinstance(value, dict):
        return text_value(value.get("name") or value.get("@value") or value.get("url"))
    if isinstance(value, str | int | float):
        return " ".join(str(value).split())
    return ""


def text_list(value: Any) -> list[str]:
    """A JSON-LD value as a list of strings (``keywords`` may be one comma-separated string)."""
    if isinstance(value, str):
        parts = value.split(",") if "," in value else [value]
        return [p.strip() for p in parts if p.strip()]
    if isinstance(value, list):
        out: list[str] = []
        for item in value:
            out.extend(text_list(item) if isinstance(item, str) else [text_value(item)])
        return [s for s in out if s]
    single = text_value(value)
    return [single] if single else []


def meta_map(tree: LexborHTMLParser) -> dict[str, list[str]]:
    """``<meta>`` contents keyed by lower-cased ``property``/``name``/``itemprop``, page order."""
    out: dict[str, list[str]] = {}
    for node in tree.css("meta"):
        attrs = node.attributes
        content = attrs.get("content")
        if content is None:
            continue
        content = " ".join(content.split())
        for key_attr in ("property", "name", "itemprop"):
            key = attrs.get(key_attr)
            if key:
                out.setdefault(key.strip().lower(), []).append(content)
    return out


def first_meta(meta: dict[str, list[str]], *keys: str) -> str | None:
    """The first non-empty value among ``keys``, tried in order."""
    for key in keys:
        for value in meta.get(key, ()):
            if value:
                return value
    return None
