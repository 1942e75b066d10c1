"""Hints that a page element or a short text is page furniture rather than article text.

Two kinds of evidence, both cheap and language-light:

* ``attr_hint``: what the markup says about an element (class, id, role, itemprop, hidden).
  Themes name their share bars, related boxes, newsletter forms and comment threads in
  English whatever the page language, so a small vocabulary goes a long way.
* ``is_chrome_line``: short lines that are furniture whatever their markup ("Advertisement",
  "Share this article", "Read more", "اقرأ أيضا"), in the languages we crawl.
"""

from __future__ import annotations

import re

NEGATIVE = -1
NEUTRAL = 0
POSITIVE = 1
BODY = 2  # strong evidence: itemprop=articleBody and the usual article-body class names

# Words (matched at the start of a class/id word) naming furniture. A class such as
# "has-sidebar" or "no-comments" describes a wrapper's layout, so those are skipped below.
_NEG_WORDS = (
    "share",
    "sharing",
    "sharer",
    "sharedaddy",
    "social",
    "sociable",
    "related",
    "relacionad",
    "recommend",
    "newsletter",
    "subscri",
    "signup",
    "sign-up",
    "promo",
    "advert",
    "adsense",
    "adslot",
    "adunit",
    "ad-slot",
    "ad-unit",
    "ad-container",
    "ad-wrap",
    "sponsor",
    "comment",
    "disqus",
    "respond",
    "reply",
    "sidebar",
    "widget",
    "breadcrumb",
    "crumbs",
    "navbar",
    "navigation",
    "menu",
    "footer",
    "masthead",
    "cookie",
    "consent",
    "gdpr",
    "popup",
    "modal",
    "overlay",
    "byline",
    "author",
    "caption",
    "credit",
    "copyright",
    "toolbar",
    "pagination",
    "pager",
    "more-stories",
    "more-articles",
    "more-news",
    "morestories",
    "read-more",
    "readmore",
    "read-also",
    "see-also",
    "also-",
    "trending",
    "popular",
    "most-read",
    "mostread",
    "most-viewed",
    "outbrain",
    "taboola",
    "zergnet",
    "teaser",
    "rail",
    "dateline",
    "timestamp",
    "published",
    "posted",
    "entry-meta",
    "post-meta",
    "article-meta",
    "meta-",
    "screen-reader",
    "sr-only",
    "visually-hidden",
    "visuallyhidden",
    "skip",
    "login",
    "signin",
    "paywall",
    "donate",
    "follow",
    "email",
    "mail-",
    "rating",
    "poll",
    "tagcloud",
    "tag-list",
    "taglist",
    "post-tags",
    "entry-tags",
    "article-tags",
    "tags-",
    "categories",
    "prev-next",
    "nextprev",
    "next-post",
    "prev-post",
    "previous-post",
    "post-nav",
    "slideshow",
    "carousel",
    "gallery",
    "thumbnail",
    "banner",
    "jump",
    "upsell",
    "cta",
    "nocontent",
    "disclaimer",
    "bio",
    "about-the",
    "profile",
    "contact",
    "search",
    "interstitial",
)
# Whole words only (too short or too common to match as a prefix).
_NEG_EXACT = (
    "ad",
    "ads",
    "adv",
    "advt",
    "nav",
    "tags",
    "tag",
    "meta",
    "date",
    "time",
    "header",
    "head",
    "foot",
    "aside",
    "side",
    "tools",
    "links",
    "more",
    "hide",
    "hidden",
    "print",
    "photo",
    "media",
    "video",
    "figure",
    "subscribe",
    "extra",
    "utility",
    "utilities",
    "widgets",
)
_BODY_NAMES = (
    "articlebody",
    "article-body",
    "article_body",
    "articletext",
    "article-text",
    "article-content",
    "articlecontent",
    "article__body",
    "article__content",
    "story-body",
    "storybody",
    "story-text",
    "story-content",
    "storycontent",
    "post-body",
    "postbody",
    "post-content",
    "postcontent",
    "post-text",
    "post-entry",
    "entry-content",
    "entrycontent",
    "entry-body",
    "entry-text",
    "body-text",
    "bodytext",
    "main-text",
    "maintext",
    "news-text",
    "news-body",
    "news-content",
    "text-body",
    "content-body",
    "the-content",
    "rich-text",
    "richtext",
    "single-content",
    "td-post-content",
    "field-body",
    "field-name-body",
    "blog-content",
    "blog-post-body",
    "content-inner",
)
# A class that is exactly one of these names the element as the article, whatever else it has.
_POS_NAMES = frozenset(
    {"entry", "hentry", "post", "article", "story", "blog-post", "single-post", "type-post",
     "articlebody", "article-body", "entry-content", "post-content", "post-body", "story-body"}
)  # fmt: skip
_POS_WORDS = ("article", "content", "entry", "post", "story", "text", "body", "main", "blog")
_LAYOUT_PREFIXES = (
    "has-",
    "has_",
    "with-",
    "with_",
    "no-",
    "no_",
    "show-",
    "enable-",
    "is-",
    "hide-",
    "layout-",
    "page-",
    "template-",
    "single-",
    "sidebar-left",
    "sidebar-right",
    "right-sidebar",
    "left-sidebar",
    "col-",
    "container",
    "wrap",
)

_CAMEL = re.compile(r"([a-z0-9])([A-Z])")
_NEG_RE = re.compile(
    r"(?:^|[^a-z0-9])(?:"
    + "|".join(re.escape(w) for w in _NEG_WORDS)
    + r")|(?:^|[^a-z0-9])(?:"
    + "|".join(re.escape(w) for w in _NEG_EXACT)
    + r")(?:$|[^a-z0-9])"
)
_BODY_RE = re.compile(
    r"(?:^|[^a-z0-9])(?:" + "|".join(re.escape(w) for w in _BODY_NAMES) + r")(?:$|[^a-z0-9])"
)
_POS_RE = re.compile(r"(?:^|[^a-z0-9])(?:" + "|".join(_POS_WORDS) + r")")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)

_cache: dict[str, int] = {}


def names_hint(names: str) -> int:
    """NEGATIVE / NEUTRAL / POSITIVE / BODY for a class + id string."""
    hint = _cache.get(names)
    if hint is not None:
        return hint
    neg = pos = body = False
    for name in _CAMEL.sub(r"\1-\2", names).lower().split():
        if name in _POS_NAMES:
            body = body or name in _BODY_NAMES
            pos = True
            neg = False
            break
        if _BODY_RE.search(name):
            body = True
            continue
        if name.startswith(_LAYOUT_PREFIXES) and "wrap" not in name[:4]:
            if _POS_RE.search(name) and not _NEG_RE.search(name):
                pos = True
            continue
        if _NEG_RE.search(name):
            neg = True
        elif _POS_RE.search(name):
            pos = True
    hint = BODY if body else NEGATIVE if neg else POSITIVE if pos else NEUTRAL
    if len(_cache) > 20_000:
        _cache.clear()
    _cache[names] = hint
    return hint


_NEG_ROLES = frozenset(
    {
        "navigation",
        "complementary",
        "banner",
        "contentinfo",
        "menu",
        "menubar",
        "search",
        "dialog",
        "alertdialog",
        "toolbar",
        "tablist",
        "button",
    }
)


def attr_hint(attrs: dict[str, str | None]) -> int:
    """What an element's attributes say about it (see ``names_hint``)."""
    if not attrs:
        return NEUTRAL
    prop = attrs.get("itemprop")
    if prop:
        prop = prop.lower()
        if "articlebody" in prop or prop == "text" or prop == "reviewbody":
            return BODY
        if "comment" in prop or prop in ("author", "datepublished", "publisher", "caption"):
            return NEGATIVE
    if "hidden" in attrs or attrs.get("aria-hidden") == "true":
        return NEGATIVE
    style = attrs.get("style")
    if style and _HIDDEN_STYLE.search(style):
        return NEGATIVE
    role = attrs.get("role")
    if role and role.lower() in _NEG_ROLES:
        return NEGATIVE
    names = (attrs.get("class") or "") + " " + (attrs.get("id") or "")
    if names == " ":
        return POSITIVE if role in ("main", "article") else NEUTRAL
    return names_hint(names)


# Short lines that are furniture in any markup. Matched against a whole paragraph, lowercased,
# so "Read more" is dropped but a sentence that contains the words is not.
_CHROME_LINE = re.compile(
    r"^\W*(?:"
    r"advertisement|advertising|sponsored(?: content)?|anzeige|publicité|publicidad|إعلان"
    r"|share(?: this(?: article| story| post)?| on \w+)?|tweet|print|email|e-mail|comments?"
    r"|(?:read|see|view) (?:more|also|next|the full story)|continue reading(?: below)?"
    r"|related(?: articles| stories| posts| news| content| coverage)?|more (?:from|on|stories)\b.*"
    r"|you (?:might|may) also like|recommended(?: for you)?|most (?:read|popular|viewed)"
    r"|(?:sign up|subscribe)(?: now| today| for| to)?\b.{0,60}"
    r"|follow us(?: on)?\b.{0,40}|click here\b.{0,40}"
    r"|lire aussi|à lire aussi|lire la suite|voir aussi|partager|ver también|leer más|compartir"
    r"|اقرأ أيضا|اقرأ أيضاً|اقرأ ايضا|إقرأ أيضا|اقرأ المزيد|شارك|مشاركة|المزيد"
    r"|(?:photo|image|picture|video|source|credit|foto)s?\s*[:|].{0,80}"
    r"|(?:all rights reserved|copyright|©).{0,120}|.{0,120}(?:all rights reserved)\W*"
    r"|tags?\s*:.*|filed under\s*:?.*|posted in\s*:?.*|categor(?:y|ies)\s*:.*"
    r"|loading\W*|please wait\W*|(?:previous|next)(?: article| post| story)?"
    r")\W*$"
)


def is_chrome_line(text: str) -> bool:
    """True for a short paragraph that is page furniture ("Advertisement", "Share this")."""
    return len(text) <= 160 and _CHROME_LINE.match(text.lower()) is not None
