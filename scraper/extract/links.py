"""Links an article points to: related stories, next/previous article, translations."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from ..article import Link
from ..urls import navigable
from .metadata import clean

# Boxes whose class or id says they hold related stories: their links are related links.
GENERIC_RELATED = (
    '[class*="related"]',
    '[id*="related"]',
    '[class*="more-stories"]',
    '[class*="read-more"]',
)


def anchors(tree: LexborHTMLParser, selector: str, base: str | None, kind: str) -> list[Link]:
    """Links matched by ``selector`` with their anchor text, absolute, duplicates removed."""
    found = (_link(node, base, kind) for node in tree.css(selector))
    return unique_links(link for link in found if link)


def unique_links(links: Iterable[Link]) -> list[Link]:
    """``links`` without repeated URLs, first occurrence kept, order kept."""
    seen: dict[str, Link] = {}
    for link in links:
        seen.setdefault(link.url, link)
    return list(seen.values())


def _link(node: LexborNode, base: str | None, kind: str) -> Link | None:
    href = (node.attributes.get("href") or "").strip()
    if not navigable(href):
        return None
    url = urljoin(base or "", href)
    if urlsplit(url).scheme not in ("http", "https"):
        return None
    return Link(url=url, title=clean(node.text()), kind=kind)


def generic_related(tree: LexborHTMLParser, base: str | None) -> list[Link]:
    """Related-story links from blocks whose class or id says so, same host only."""
    host = urlsplit(base or "").hostname
    out: list[Link] = []
    seen: set[str] = set()
    for selector in GENERIC_RELATED:
        found = (_link(node, base, "related") for node in _inside(tree, selector))
        for link in unique_links(link for link in found if link):
            if link.url in seen or len(link.title) < 15:
                continue
            if host and urlsplit(link.url).hostname != host:
                continue
            seen.add(link.url)
            out.append(link)
    return out[:30]


def _inside(tree: LexborHTMLParser, selector: str) -> list[LexborNode]:
    """The links (``a[href]``) inside the elements matching ``selector``, in page order,
    each once: what ``f"{selector} a[href]"`` selects. Boxes first, then their links: the
    descendant query tests every link's ancestors, which costs several times more."""
    out: list[LexborNode] = []
    seen: set[int] = set()
    for box in tree.css(selector):
        own = box.mem_id  # a box's own css() matches the box itself too
        for node in box.css("a[href]"):
            key = node.mem_id
            if key != own and key not in seen:
                seen.add(key)
                out.append(node)
    return out


def first_href(tree: LexborHTMLParser, selector: str, base: str | None) -> str | None:
    found = anchors(tree, selector, base, "link")
    return found[0].url if found else None


def translations(tree: LexborHTMLParser, base: str | None) -> dict[str, str]:
    """``hreflang`` alternates declared in the head: language -> URL."""
    out: dict[str, str] = {}
    for node in tree.css('link[rel="alternate"][hreflang]'):
        lang = (node.attributes.get("hreflang") or "").split("-")[0].lower()
        href = node.attributes.get("href")
        if lang and lang != "x" and href:
            out.setdefault(lang, urljoin(base or "", href))
    return out
