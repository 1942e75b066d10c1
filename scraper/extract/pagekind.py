"""What kind of page this is, from the page alone: one article, or a listing, home, section,
tag, author, gallery, error or other page.

A crawl knows how it reached a page; a backfill or ``scraper extract`` only has the page. The
evidence, strongest first:

- **error text**: a title or heading saying "page not found" (in several languages) over
  little prose: a soft 404 served with status 200;
- **the page's prose**: an article has one block of running paragraphs; the paragraphs of a
  listing are teaser summaries, one per card. :func:`prose_words` measures the largest run of
  paragraphs under one parent;
- **repeated teasers**: headline links (a heading holding a link, or a link holding a
  heading) to other pages, one per card;
- **the publisher's declaration**: JSON-LD types (``NewsArticle`` vs ``CollectionPage``,
  ``ProfilePage``, ``ImageGallery``, ...), ``og:type``;
- **the URL**: a site's or edition's root, ``/tag/``, ``/author/``, ``/category/``, ``/page/2``.

Declarations and URLs never decide alone against the layout: publishers stamp
``og:type=article`` on every page, and article URLs may hold ``/topics/``. Pure: reads the
parsed tree, never changes it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from .structured import ARTICLE_TYPES, first_meta, types_of

__all__ = ["PAGE_KINDS", "PageEvidence", "classify", "gather", "page_kind"]

#: Every kind :func:`page_kind` returns; only ``article`` is archived as an article.
PAGE_KINDS = ("article", "home", "listing", "section", "tag", "author", "gallery", "error", "other")

LISTING_TYPES = frozenset(
    {"collectionpage", "searchresultspage", "itemlist", "blog", "periodical", "newspaper"}
)
AUTHOR_TYPES = frozenset({"profilepage"})
GALLERY_TYPES = frozenset({"imagegallery", "mediagallery", "videogallery"})

# Path segments naming a page about many articles (lower-case, folded).
_SEGMENTS = {
    "tag": {"tag", "tags", "topic", "topics", "thema", "themen", "schlagwort", "schlagworte",
            "stichwort", "sujet", "sujets", "etiqueta", "etiquetas", "tema", "temas", "keyword",
            "keywords", "hashtag", "dossier"},
    "author": {"author", "authors", "auteur", "auteurs", "autor", "autoren", "autores",
               "journalist", "journalists", "journalisten", "contributor", "contributors",
               "writer", "writers", "byline", "redakteur", "kolumnist", "columnist"},
    "section": {"category", "categories", "categorie", "rubrique", "rubriques", "section",
                "sections", "ressort", "kategorie", "categoria", "categorias", "archive",
                "archives", "archiv"},
    "gallery": {"gallery", "galleries", "galerie", "galerien", "bildergalerie", "fotostrecke",
                "fotogalerie", "photos", "galeria", "diaporama", "slideshow"},
}  # fmt: skip
# The whole last path segment (without extension) of a site's utility pages.
_UTILITY = frozenset(
    {"impressum", "imprint", "mentions-legales", "mentions-legales-et-cgu", "legal",
     "legal-notice", "legal-notices", "privacy", "privacy-policy", "datenschutz",
     "datenschutzerklaerung", "terms", "terms-of-use", "terms-of-service", "terms-and-conditions",
     "agb", "cgu", "cgv", "contact", "contact-us", "kontakt", "about", "about-us", "ueber-uns",
     "a-propos", "qui-sommes-nous", "cookies", "cookie-policy", "disclaimer", "faq", "help",
     "hilfe", "sitemap", "login", "register", "subscribe", "abo", "newsletter",
     "politica-de-privacidad", "aviso-legal", "contacto", "chi-siamo", "note-legali"}
)  # fmt: skip
_PAGED = re.compile(r"/(?:page|seite|pagina|p)/\d+/?$", re.IGNORECASE)
_PAGE_QUERY = re.compile(r"(?:^|&)(?:page|p|pg|seite|pagina|paged)=\d+", re.IGNORECASE)
_EDITION_ROOT = re.compile(
    r"^/(?:[a-z]{2}(?:[-_][a-z]{2})?/?|index\.\w+|home/?|start/?|accueil/?)?$", re.IGNORECASE
)
_NOT_FOUND = re.compile(
    r"^\s*(?:404|410)\b|\b(?:404|410)\s*(?:error|fehler|erreur|errore|not found|[-:|–])"
    r"|(?:error|fehler|erreur|errore|erro)\s*(?:404|410)\b|page not found|not be found"
    r"|does ?n[o']t exist|no longer (?:exists|available)"
    r"|nicht gefunden|existiert nicht|nicht mehr verf[uü]gbar|introuvable|n'existe (?:pas|plus)"
    r"|page non trouv[ée]e|no encontrad[ao]|no existe|non trovat[ao]|n[ãa]o encontrad[ao]"
    r"|niet gevonden|bulunamad[ıi]|nie znaleziono|غير موجودة|غير موجود|لم يتم العثور",
    re.IGNORECASE,
)
_WORD = re.compile(r"\w+")
# Scripts written without spaces: about two characters make a word.
_UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\u0e00-\u0e7f]")
_FURNITURE = frozenset({"nav", "header", "footer"})
_TEASER_LINKS = "h1 a[href], h2 a[href], h3 a[href], h4 a[href], a[href] h2, a[href] h3, a[href] h4"

# Thresholds, in words of running prose and counts of teasers.
ARTICLE_PROSE = 150  # a run of paragraphs this long is an article's body
SHORT_PROSE = 80  # below this, a page with many teasers is a listing
MANY_TEASERS = 6
ERROR_PROSE = 120


@dataclass(frozen=True, slots=True)
class PageEvidence:
    """What :func:`classify` decides from (kept for tests and tuning)."""

    declared: str | None  # article | listing | author | gallery | other | None
    url_kind: str | None  # home | tag | author | section | gallery | listing | utility | None
    prose: int  # words in the largest run of paragraphs under one parent
    teasers: int  # distinct headline links outside navigation
    body_teasers: int  # lines of the extracted body that are teaser headlines or summaries
    body_lines: int  # distinct lines of the extracted body
    article_objects: int  # distinct JSON-LD article objects (a listing may declare many)
    error_text: bool  # the title or main heading says "not found"
    images: int  # counted on a page declared a gallery only
    body_words: int
    has_date: bool
    has_title: bool


def page_kind(
    tree: LexborHTMLParser,
    url: str | None,
    objects: list[dict[str, Any]],
    meta: dict[str, list[str]],
    *,
    body: str,
    has_date: bool,
    has_title: bool,
) -> str:
    """The kind of page (one of :data:`PAGE_KINDS`) ``tree`` is, given the ``body`` the
    extractor found in it."""
    if _declared_article(objects, url, body) and not _error_text(tree):
        return "article"  # the common case, decided without reading the layout
    evidence = gather(tree, url, objects, meta, body=body, has_date=has_date, has_title=has_title)
    return classify(evidence)


def _declared_article(objects: list[dict[str, Any]], url: str | None, body: str) -> bool:
    """One JSON-LD article object and a body of an article's length: the publisher and the
    page agree (a theme's ``og:type`` alone is not enough, nor several article objects)."""
    return (
        _article_objects(objects) == 1
        and count_words(body) >= ARTICLE_PROSE
        and url_kind(url) != "home"
    )


def gather(
    tree: LexborHTMLParser,
    url: str | None,
    objects: list[dict[str, Any]],
    meta: dict[str, list[str]],
    *,
    body: str,
    has_date: bool,
    has_title: bool,
) -> PageEvidence:
    """Collect the evidence :func:`classify` weighs."""
    headlines = teaser_texts(tree)
    # Teaser text in the body matters only where there are teasers (see classify).
    many = len(headlines) >= 3
    prose, summaries = _paragraphs(tree, with_summaries=many)
    lines = {_norm(line) for line in body.splitlines() if line.strip()} if many else set()
    declared = declared_kind(objects, meta)
    return PageEvidence(
        declared=declared,
        url_kind=url_kind(url),
        prose=prose,
        teasers=len(headlines),
        body_teasers=len(lines & (set(headlines.values()) | summaries)),
        body_lines=len(lines),
        article_objects=_article_objects(objects),
        error_text=_error_text(tree),
        images=len(tree.css("img")) if declared == "gallery" else 0,
        body_words=count_words(body),
        has_date=has_date,
        has_title=has_title,
    )


def classify(e: PageEvidence) -> str:
    """The decision, evidence first by strength (see the module's docstring)."""
    if e.error_text and e.prose < ERROR_PROSE and e.body_words < 2 * ERROR_PROSE:
        return "error"
    if e.url_kind == "home" and e.prose < 2 * ARTICLE_PROSE:
        return "home"
    if e.article_objects >= 3 and e.prose < ARTICLE_PROSE:
        return _named(e, "listing")  # a JSON-LD article per teaser
    if e.teasers >= 3 and e.body_teasers >= 3 and e.body_teasers * 2 >= e.body_lines:
        return _named(e, "listing")  # what reads as the body is a run of teasers
    if e.url_kind == "utility" and e.article_objects == 0:
        return "other"  # a legal notice, a contact or privacy page
    if e.prose >= ARTICLE_PROSE:
        return "article"
    if e.declared in ("listing", "author", "gallery"):
        return _named(e, e.declared)
    # Teasers, or a listing's address, over little text of the page's own. (A listing whose
    # teaser summaries read as a body was caught above.) A short story the publisher
    # declares in JSON-LD, dated, stays one: a brief under many related teasers.
    stated = e.article_objects == 1 and e.has_date
    few_words = e.prose < SHORT_PROSE and e.body_words < ARTICLE_PROSE and not stated
    if few_words and e.teasers >= MANY_TEASERS:
        return _named(e, "listing")
    if few_words and e.url_kind in ("tag", "author", "section", "listing", "gallery"):
        return _named(e, e.url_kind)
    if e.declared == "article":
        return "article"
    if e.declared == "other":  # og:type website, video...: believed, unless a dated text
        dated = e.has_date and (e.prose >= 40 or e.body_words >= 80)
        return "article" if dated else "other"
    # Nothing declared: a dated text, or prose, or a body of some length is an article.
    if (e.has_date and e.body_words >= 20) or e.prose >= 60 or e.body_words >= ARTICLE_PROSE:
        return "article"
    return "other"


def _named(e: PageEvidence, kind: str) -> str:
    """A listing named by what its URL says it lists (a tag, an author, a section)."""
    if kind == "listing" and e.url_kind in ("tag", "author", "section", "home"):
        return e.url_kind
    if kind == "gallery" and e.url_kind is None and e.images < 4:
        return "listing"
    return kind


def declared_kind(objects: Iterable[dict[str, Any]], meta: dict[str, list[str]]) -> str | None:
    """What the publisher says the page is: JSON-LD types first, then ``og:type``."""
    types: set[str] = set()
    for obj in objects:
        types |= types_of(obj)
    if types & ARTICLE_TYPES:
        return "article"
    if types & AUTHOR_TYPES:
        return "author"
    if types & GALLERY_TYPES:
        return "gallery"
    if types & LISTING_TYPES:
        return "listing"
    og_type = (first_meta(meta, "og:type") or "").strip().lower()
    if og_type.startswith("article") or og_type in ("news", "blog", "post"):
        return "article"
    if og_type == "profile":
        return "author"
    return "other" if og_type else None


def url_kind(url: str | None) -> str | None:
    """What the URL's path says: a site's or edition's root, a tag/author/section path, a
    later page of a listing."""
    if not url:
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    path = parts.path or "/"
    if _EDITION_ROOT.match(path) and not parts.query:
        return "home"
    segments = [s.lower() for s in path.split("/") if s]
    # Only leading segments name a listing: /tag/x, /de/autor/y; /news/2025/tag-line is not.
    for segment in segments[:2]:
        for kind, names in _SEGMENTS.items():
            if segment in names and len(segments) <= 3:
                return kind
    if _PAGED.search(path) or _PAGE_QUERY.search(parts.query):
        return "listing"
    if segments and segments[-1].rsplit(".", 1)[0] in _UTILITY:
        return "utility"
    return None


def prose_words(tree: LexborHTMLParser) -> int:
    """Words in the largest run of paragraphs that share a parent.

    A paragraph alone in a wrapper element counts with its wrapper's siblings (``<div
    class="para"><p>``); a paragraph mostly made of links, or inside a link, is not prose.
    Teaser summaries each sit in their own card, so a listing's largest run stays short.
    """
    return _paragraphs(tree)[0]


def _paragraphs(tree: LexborHTMLParser, with_summaries: bool = True) -> tuple[int, set[str]]:
    """:func:`prose_words`, and the (normalized) teaser summaries: the paragraph of a card (a
    parent with one or two paragraphs and a headline link)."""
    runs: dict[int, int] = {}
    per_parent: dict[int, int] = {}
    short: list[tuple[LexborNode, str]] = []
    linked: dict[int, int] = {}  # words inside links, per paragraph (one query for all)
    for a in tree.css("p a"):
        up = a.parent
        while up is not None and up.tag != "p":
            up = up.parent
        if up is not None:
            linked[up.mem_id] = linked.get(up.mem_id, 0) + count_words(a.text(deep=True))
    for p in tree.css("p"):
        text = p.text(deep=True)
        words = count_words(text)
        if words < 6 or linked.get(p.mem_id, 0) * 2 > words or _in_link(p):
            continue
        parent = p.parent
        if parent is not None:
            per_parent[parent.mem_id] = per_parent.get(parent.mem_id, 0) + 1
            if words < SHORT_PROSE:
                short.append((parent, text))
        key = _run_key(p)
        if key is not None:
            runs[key] = runs.get(key, 0) + words
    if max(runs.values(), default=0) < ARTICLE_PROSE:
        for br in tree.css("br"):  # text set apart by line breaks, not paragraphs
            parent = br.parent
            if parent is not None and parent.tag != "p" and parent.mem_id not in runs:
                runs[parent.mem_id] = count_words(parent.text(deep=False))
    summaries = set()
    if with_summaries:
        summaries = {
            _norm(text)
            for parent, text in short
            if per_parent[parent.mem_id] <= 2 and parent.css_first(_TEASER_LINKS) is not None
        }
    return max(runs.values(), default=0), summaries


def _in_link(node: LexborNode) -> bool:
    """Inside a link (a card made one big link), within three levels."""
    up = node.parent
    for _ in range(3):
        if up is None:
            return False
        if up.tag == "a":
            return True
        up = up.parent
    return False


def _run_key(p: LexborNode) -> int | None:
    parent = p.parent
    if parent is None:
        return None
    if _only_child(p) and parent.parent is not None and parent.tag in ("div", "section", "span"):
        return parent.parent.mem_id
    return parent.mem_id


def _only_child(node: LexborNode) -> bool:
    parent = node.parent
    if parent is None:
        return False
    count = 0
    child = parent.child
    while child is not None:
        if child.is_element_node:
            count += 1
            if count > 1:
                return False
        child = child.next
    return True


def count_words(text: str) -> int:
    """Words in ``text``; in scripts written without spaces, two characters count as one."""
    words = len(text.split())
    if text.isascii():  # no script without spaces (known without reading the text)
        return words
    return words + len(_UNSPACED.findall(text)) // 2


def _norm(text: str) -> str:
    return " ".join(_WORD.findall(text.lower()))


def teaser_texts(tree: LexborHTMLParser) -> dict[str, str]:
    """Headline links (a heading holding a link or a link holding a heading) with a few words
    of text, outside navigation, header and footer: {href: normalized text}."""
    hrefs: dict[str, str] = {}
    for node in tree.css(_TEASER_LINKS):
        link = node if node.tag == "a" else _link_above(node)
        if link is None:
            continue
        href = (link.attributes.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:")):
            continue
        text = node.text(deep=True)
        if count_words(text) < 3 or _in_furniture(link):
            continue
        hrefs[href] = _norm(text)
    return hrefs


def _link_above(node: LexborNode) -> LexborNode | None:
    up = node.parent
    for _ in range(4):
        if up is None:
            return None
        if up.tag == "a":
            return up
        up = up.parent
    return None


def _in_furniture(node: LexborNode) -> bool:
    up = node.parent
    while up is not None and up.tag not in ("body", "html"):
        if up.tag in _FURNITURE:
            return True
        up = up.parent
    return False


def _article_objects(objects: Iterable[dict[str, Any]]) -> int:
    """Distinct JSON-LD article objects (by URL or headline): a listing may declare each of
    its teasers as a ``NewsArticle``."""
    keys = set()
    for obj in objects:
        if types_of(obj) & ARTICLE_TYPES:
            key = obj.get("url") or obj.get("@id") or obj.get("headline")
            keys.add(str(key))
    return len(keys)


def _error_text(tree: LexborHTMLParser) -> bool:
    title = tree.css_first("title")
    heading = tree.css_first("h1")
    for node in (title, heading):
        if node is not None and _NOT_FOUND.search(node.text(deep=True)[:200]):
            return True
    return False
