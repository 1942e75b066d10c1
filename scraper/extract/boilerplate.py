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

DISCUSSION = -3  # reader comments: never the article, however much text they hold
NEGATIVE = -2  # furniture: share bars, related boxes, menus, ads
WEAK = -1  # usually furniture (bylines, captions, meta lines), but sometimes a wrapper
NEUTRAL = 0
POSITIVE = 1
BODY = 2  # strong evidence: itemprop=articleBody and the usual article-body class names

# Words matched at the start of a class/id word. A class such as "has-sidebar" or
# "no-comments" describes a wrapper's layout, so those are skipped below.
_NEG_WORDS = (
    "share", "sharing", "sharer", "sharedaddy", "social", "sociable", "related",
    "relacionad", "recommend", "newsletter", "subscri", "signup", "sign-up", "promo",
    "advert", "adsense", "adslot", "adunit", "ad-slot", "ad-unit", "ad-container", "ad-wrap",
    "sponsor", "comment", "disqus", "respond", "reply", "sidebar", "breadcrumb",
    "crumbs", "navbar", "navigation", "menu", "footer", "masthead", "cookie", "consent",
    "gdpr", "popup", "modal", "pagination", "pager", "more-stories", "more-articles",
    "more-news", "morestories", "read-more", "readmore", "read-also", "see-also", "trending",
    "popular", "most-read", "mostread", "most-viewed", "outbrain", "taboola", "zergnet",
    "screen-reader", "sr-only", "visually-hidden", "visuallyhidden", "login", "signin",
    "donate", "follow", "tagcloud", "tag-list", "taglist", "post-tags",
    "entry-tags", "article-tags", "tags-", "prev-next", "nextprev", "next-post", "prev-post",
    "previous-post", "post-nav", "toolbar", "interstitial", "skip-link", "also-",
    "author-box", "authorbox", "author-bio", "authorbio", "author-info", "about-author",
    "about-the-author", "author-description", "author-details", "author-card",
    "author-profile", "author-about", "bio-box", "biobox",
)  # fmt: skip
_NEG_EXACT = ("ad", "ads", "adv", "advt", "nav", "tags", "tag", "subscribe")
_WEAK_WORDS = (
    "overlay", "byline", "author", "caption", "credit", "copyright", "dateline",
    "timestamp", "published", "posted", "entry-meta", "post-meta", "article-meta", "meta-",
    "skip", "email", "mail-", "rating", "poll", "categories", "slideshow", "carousel",
    "gallery", "thumbnail", "banner", "jump", "upsell", "cta", "nocontent", "disclaimer",
    "bio", "about-the", "profile", "contact", "search", "teaser", "rail", "widget",
    "paywall",
)  # fmt: skip
_WEAK_EXACT = (
    "meta", "date", "time", "header", "head", "foot", "aside", "side", "tools", "links",
    "hide", "hidden", "print", "photo", "media", "video", "figure", "extra", "utility",
    "utilities", "more",
)  # fmt: skip
# Weak names that say only how a block is shown (collapsed, in a widget, behind a "jump"
# link), not what it holds: accordions, FAQ answers and page-builder wrappers carry them
# around whole sections of the article. Such a block stays in the body when it holds prose.
# "paywall" marks the paragraphs a subscriber sees: the article's own text when they are
# in the page (a paywall box with a sign-up pitch holds no prose and stays weak).
_LAYOUT_WEAK_WORDS = ("overlay", "skip", "jump", "nocontent", "widget", "paywall")
_LAYOUT_WEAK_EXACT = ("hide", "hidden", "extra", "more", "header", "head")
_BODY_NAMES = (
    "articlebody", "article-body", "article_body", "articletext", "article-text",
    "article-content", "articlecontent", "article__body", "article__content", "story-body",
    "storybody", "story-text", "story-content", "storycontent", "post-body", "postbody",
    "post-content", "postcontent", "post-text", "post-entry", "entry-content",
    "entrycontent", "entry-body", "entry-text", "body-text", "bodytext", "main-text",
    "maintext", "news-text", "news-body", "news-content", "text-body", "content-body",
    "the-content", "rich-text", "richtext", "single-content", "td-post-content",
    "field-body", "field-name-body", "blog-content", "blog-post-body", "content-inner",
)  # fmt: skip
# A class that is exactly one of these names the element as the article, whatever else it has.
_POS_NAMES = frozenset(
    {"entry", "hentry", "post", "article", "story", "blog-post", "single-post", "type-post",
     "articlebody", "article-body", "entry-content", "post-content", "post-body", "story-body"}
)  # fmt: skip
_POS_WORDS = ("article", "content", "entry", "post", "story", "text", "body", "main", "blog")
_LAYOUT_PREFIXES = (
    "has-", "has_", "with-", "with_", "no-", "no_", "show-", "enable-", "is-", "hide-",
    "layout-", "page-", "template-", "single-", "sidebar-left", "sidebar-right",
    "right-sidebar", "left-sidebar", "col-", "container", "wrap", "non-", "not-", "one-",
    "two-", "three-", "sidebar-first", "sidebar-second",
)  # fmt: skip
_LAYOUT_SUFFIX = re.compile(r"(?:wrap|wrapper|container|inner|outer|holder|area|layout)$")

_CAMEL = re.compile(r"([a-z0-9])([A-Z])")


def _trie(words: tuple[str, ...]) -> str:
    """A pattern matching exactly ``words``, as a trie: the regex engine tries alternatives
    one by one, so "s(?:hare|ocial)" is much cheaper to fail than "share|social"."""
    root: dict[str, dict] = {}
    for word in words:
        node = root
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def pattern(node: dict[str, dict]) -> str:
        branches = [re.escape(c) + pattern(child) for c, child in sorted(node.items()) if c]
        if not branches:
            return ""
        alternatives = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{alternatives})?" if "" in node else alternatives

    return pattern(root)


def _words(prefixes: tuple[str, ...], exact: tuple[str, ...]) -> re.Pattern[str]:
    """Any of ``prefixes`` at the start of a word, or any of ``exact`` as a whole word."""
    alternatives = []
    if prefixes:
        alternatives.append(_trie(prefixes))
    if exact:
        alternatives.append(f"{_trie(exact)}(?:$|[^a-z0-9])")
    return re.compile(r"(?:^|[^a-z0-9])(?:" + "|".join(alternatives) + ")")


_NEG_RE = _words(_NEG_WORDS, _NEG_EXACT)
_DISCUSSION_RE = _words(("comment", "disqus", "respond", "reply", "replies", "discussion"), ())
_WEAK_RE = _words(_WEAK_WORDS, _WEAK_EXACT)
_PLAIN_WEAK_RE = _words(
    tuple(w for w in _WEAK_WORDS if w not in _LAYOUT_WEAK_WORDS),
    tuple(w for w in _WEAK_EXACT if w not in _LAYOUT_WEAK_EXACT),
)
_BODY_RE = _words((), _BODY_NAMES)
_POS_RE = _words(_POS_WORDS, ())
# Any of the words above: a name matching none of them says nothing (most names).
_ANY_RE = _words(
    (*_NEG_WORDS, *_WEAK_WORDS, *_POS_WORDS),
    (*_NEG_EXACT, *_WEAK_EXACT, *_BODY_NAMES, *sorted(_POS_NAMES)),
)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)

# What class/id words say, as bits of one int. A string of words (a class attribute, an id)
# folds its words' bits into a state (``_state``), and a class state and an id state make the
# hint (``_combine``, ``_HINT_OF``). Words and strings repeat across elements and pages, so
# both are cached; a word's digits do not change what it says ("menu-item-4711" is
# "menu-item-0"), so words that differ only in numbers share one entry.
_B_STOP = 1  # a word naming the element as the article ("post", "hentry"): later words moot
_B_BODY = 2  # names the article body
_B_NEG = 4  # furniture
_B_DISCUSSION = 8  # reader comments (with _B_NEG)
_B_WEAK = 16  # usually furniture
_B_POS = 32  # sounds like content
_HINT_BITS = _B_STOP | _B_BODY | _B_NEG | _B_DISCUSSION | _B_WEAK | _B_POS
_DIGITS = re.compile(r"[0-9]+")
_CACHE_MAX = 50_000
_word_cache: dict[str, int] = {}
_state_cache: dict[str, int] = {}


def _word_bits(word: str) -> int:
    """What one class/id word says (bits above), uncached."""
    name = word if word.islower() else _CAMEL.sub(r"\1-\2", word).lower()
    if ":" in name or "[" in name:  # a utility class ("xl:hidden", "w-[--sidebar-w]")
        return 0  # styles a breakpoint or sets a value: says nothing about the content
    if _ANY_RE.search(name) is None:
        return 0
    if name.startswith("ctl"):  # ASP.NET control path: only the last part is its name
        name = name.rsplit("_", 1)[-1]
    if name in _POS_NAMES:
        return _B_STOP | _B_POS | (_B_BODY if name in _BODY_NAMES else 0)
    if _BODY_RE.search(name):
        return _B_BODY
    is_pos = _POS_RE.search(name) is not None
    if (
        name.startswith(_LAYOUT_PREFIXES)
        or (is_pos and _LAYOUT_SUFFIX.search(name))
        or ("-and-" in name)
    ):
        return 0  # "has-sidebar", "content-sidebar-wrap": a layout wrapper
    # "read_more", "author_box", "prev_next": the two-word names, written with "_" for "-".
    words = name.replace("_", "-") if "_" in name else name
    if _NEG_RE.search(words):
        return _B_NEG | (_B_DISCUSSION if _DISCUSSION_RE.search(words) else 0)
    if _WEAK_RE.search(words):
        return _B_WEAK
    return _B_POS if is_pos else 0


def _word_kind(word: str) -> int:
    """:func:`_word_bits`, cached by the word and by the word with its numbers folded."""
    bits = _word_cache.get(word)
    if bits is None:
        folded = _DIGITS.sub("0", word)
        bits = _word_cache.get(folded)
        if bits is None:
            bits = _word_bits(folded)
        if len(_word_cache) > _CACHE_MAX:
            _word_cache.clear()
        _word_cache[word] = _word_cache[folded] = bits
    return bits


def _scan(names: str) -> int:
    """The state of a string of words read in order: a word naming the article stops the
    reading and clears the furniture seen before it (not the body evidence)."""
    state = 0
    for word in names.split():
        bits = _word_cache.get(word)
        if bits is None:
            bits = _word_kind(word)
        if bits & _B_STOP:
            return _B_STOP | _B_POS | ((state | bits) & _B_BODY)
        state |= bits
    return state


def _state(names: str) -> int:
    state = _state_cache.get(names)
    if state is None:
        state = _scan(names)
        if len(_state_cache) > _CACHE_MAX:
            _state_cache.clear()
        _state_cache[names] = state
    return state


def _combine(first: int, then: int) -> int:
    """The state of two strings read one after the other (a class, then an id)."""
    if first & _B_STOP:
        return first
    if then & _B_STOP:
        return _B_STOP | _B_POS | ((first | then) & _B_BODY)
    return first | then


def _hint_of(state: int) -> int:
    if state & _B_BODY:
        return BODY
    if state & _B_NEG:
        return DISCUSSION if state & _B_DISCUSSION else NEGATIVE
    if state & _B_WEAK:
        return WEAK
    return POSITIVE if state & _B_POS else NEUTRAL


_HINT_OF = [_hint_of(state) for state in range(_HINT_BITS + 1)]


def names_hint(names: str) -> int:
    """DISCUSSION / NEGATIVE / WEAK / NEUTRAL / POSITIVE / BODY for a class + id string."""
    return _HINT_OF[_state(names)]


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


_NAME_ATTRS = ("data-component", "data-testid", "data-test-id", "data-module", "name")
# Every attribute but class and id that attr_hint reads: most elements have none of them.
_SPEAKING = frozenset((*_NAME_ATTRS, "itemprop", "style", "hidden", "aria-hidden", "role"))


def attr_hint(attrs: dict[str, str | None]) -> int:
    """What an element's attributes say about it (see ``names_hint``)."""
    cls = attrs.get("class")
    ident = attrs.get("id")
    if not _SPEAKING.isdisjoint(attrs):
        # Component names of JavaScript front ends say what a block is, as classes do
        # ("text-block", "related-stories", section name="articleBody").
        for key in _NAME_ATTRS:
            value = attrs.get(key)
            if value and len(value) < 80:
                ident = f"{ident or ''} {value}"
        prop = attrs.get("itemprop")
        if prop:
            prop = prop.lower()
            if "articlebody" in prop or prop == "text" or prop == "reviewbody":
                return BODY
            if "comment" in prop:
                return DISCUSSION
            if prop in ("author", "datepublished", "publisher", "caption", "datemodified"):
                return WEAK
        style = attrs.get("style")
        if (
            "hidden" in attrs
            or attrs.get("aria-hidden") == "true"
            or (style and _HIDDEN_STYLE.search(style))
        ):
            # A collapsed panel (an accordion's answer, a tab) is content shown on a click;
            # anything else hidden (a modal, a menu for small screens) is not.
            return WEAK if _is_panel(attrs) else NEGATIVE
        role = attrs.get("role")
        if role:
            role = role.lower()
            if role in _NEG_ROLES:
                return NEGATIVE
            if not (cls or ident) and role in ("main", "article"):
                return POSITIVE
    if not (cls or ident):
        return NEUTRAL
    state = 0
    if cls:
        cached = _state_cache.get(cls)
        state = _state(cls) if cached is None else cached
    if ident:
        state = _combine(state, _state(ident))
    return _HINT_OF[state]


def _is_panel(attrs: dict[str, str | None]) -> bool:
    """A region or tab panel, or an element another one labels (the button opening it)."""
    role = (attrs.get("role") or "").lower()
    return role in ("region", "tabpanel") or (not role and bool(attrs.get("aria-labelledby")))


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
    r"|weiterlesen|mehr zum thema|lesen sie (?:auch|mehr)|auch interessant|werbung|teilen"
    r"|leggi anche|leggi (?:di )?più|pubblicità|condividi|leia (?:também|mais)|veja também"
    r"|publicidade|compartilhe|lees (?:ook|meer)|advertentie|delen|lee también"
    r"|te puede interesar|czytaj (?:też|także|więcej)|reklama|udostępnij|читайте также"
    r"|реклама|поделиться|baca juga|ayrıca okuyun|reklam|paylaş"
    r"|(?:photo|image|picture|video|source|credit|foto)s?\s*[:|].{0,80}"
    r"|(?:all rights reserved|copyright|©).{0,120}|.{0,120}(?:all rights reserved)\W*"
    r"|tags?\s*:.*|filed under\s*:?.*|posted in\s*:?.*|categor(?:y|ies)\s*:.*"
    r"|loading\W*|please wait\W*|(?:previous|next)(?: article| post| story)?"
    r")\W*$"
)


# Openings of the meta lines blog engines print under a post, at any length.
_CHROME_START = re.compile(
    r"(?:this entry was posted|this (?:entry|post) was filed under|posted in\b|filed under\b"
    r"|bookmark the permalink|you can follow any responses|about these ads)"
)


def is_chrome_line(text: str) -> bool:
    """True for a paragraph that is page furniture ("Advertisement", "Share this")."""
    low = text.lower()
    if len(text) <= 160 and _CHROME_LINE.match(low) is not None:
        return True
    return _CHROME_START.match(low) is not None


def layout_weak(attrs: dict[str, str | None]) -> bool:
    """For an element hinted WEAK: is it weak only for a name about presentation
    ("hidden", "widget-wrap", "jump-section"), not for one about bylines, captions or meta?"""
    if attrs.get("itemprop"):
        return False
    cls, ident = attrs.get("class"), attrs.get("id")
    return not ((cls and _plain_weak(cls)) or (ident and _plain_weak(ident)))


_plain_cache: dict[str, bool] = {}


def _plain_weak(names: str) -> bool:
    """Whether a word of ``names`` is weak for what it holds (a byline, a caption)."""
    found = _plain_cache.get(names)
    if found is None:
        found = False
        for name in _CAMEL.sub(r"\1-\2", names).lower().split():
            if ":" not in name and "[" not in name and _PLAIN_WEAK_RE.search(name):
                found = True
                break
        if len(_plain_cache) > _CACHE_MAX:
            _plain_cache.clear()
        _plain_cache[names] = found
    return found


def named_only(attrs: dict[str, str | None]) -> bool:
    """For an element hinted NEGATIVE: is that only its class/id speaking (not ``hidden``,
    ``aria-hidden``, a hiding style or a landmark role, which are not to be argued with)?"""
    if "hidden" in attrs or attrs.get("aria-hidden") == "true":
        return False
    style = attrs.get("style")
    if style and _HIDDEN_STYLE.search(style):
        return False
    role = attrs.get("role")
    return not (role and role.lower() in _NEG_ROLES)
