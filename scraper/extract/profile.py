"""Extraction with a site profile: the theme's own selectors, applied to one page.

Profile answers override generic ones field by field; a selector that matches nothing leaves
the generic value in place, so a theme change degrades to the generic path instead of blanks.
"""

from __future__ import annotations

from urllib.parse import urljoin

from selectolax.lexbor import LexborHTMLParser

from ..article import Article, Link
from ..profiles import Profile
from .content import node_text
from .links import anchors, first_href, unique_links
from .metadata import clean


def is_article(tree: LexborHTMLParser, profile: Profile) -> bool:
    selector = profile.selector("article", "is_article")
    return bool(selector and tree.css_first(selector) is not None)


def apply_fields(
    tree: LexborHTMLParser, profile: Profile, article: Article, base: str | None
) -> None:
    """Fill ``article`` from the profile's selectors (not the body: see ``body``)."""
    for key in ("title", "subtitle"):
        if value := _text(tree, profile, key):
            setattr(article, key, value)
            article.provenance[key] = "profile"
    for key in ("authors", "categories", "tags"):
        if values := _texts(tree, profile, key):
            setattr(article, key, values)
            article.provenance[key] = "profile"
    if src := _image(tree, profile, base):
        article.image = src
        article.provenance["image"] = "profile"
    related: list[Link] = []
    for key, kind in (("inline_related", "inline_related"), ("related", "related")):
        if selector := profile.selector("article", key):
            related.extend(anchors(tree, selector, base, kind))
    if related:
        article.related = unique_links(related)
    for key in ("next", "prev"):
        selector = profile.selector("article", key)
        url = first_href(tree, selector, base) if selector else None
        setattr(article, f"{key}_url", url)


def body(tree: LexborHTMLParser, profile: Profile) -> str | None:
    """The body text inside the profile's body node, boilerplate removed. Modifies ``tree``."""
    selector = profile.selector("article", "body")
    node = tree.css_first(selector) if selector else None
    if node is None:
        return None
    for junk_selector in profile.article.get("body_remove", ()):
        for junk in node.css(junk_selector):
            junk.decompose()
    return node_text(node) or None


def _text(tree: LexborHTMLParser, profile: Profile, key: str) -> str | None:
    selector = profile.selector("article", key)
    node = tree.css_first(selector) if selector else None
    return clean(node.text()) or None if node is not None else None


def _texts(tree: LexborHTMLParser, profile: Profile, key: str) -> list[str]:
    selector = profile.selector("article", key)
    if not selector:
        return []
    values = (clean(n.text()) for n in tree.css(selector))
    return list(dict.fromkeys(v for v in values if v))


def _image(tree: LexborHTMLParser, profile: Profile, base: str | None) -> str | None:
    selector = profile.selector("article", "image")
    node = tree.css_first(selector) if selector else None
    if node is None:
        return None
    attrs = node.attributes
    if node.tag == "a":
        src = attrs.get("href")
    else:
        src = attrs.get("data-src") or attrs.get("data-lazy-src") or attrs.get("src")
    return urljoin(base or "", src) if src else None
