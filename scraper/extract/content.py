"""The article body: turning a content node into clean paragraphs, and finding that node.

``node_text`` is shared by every extraction path (site profile and generic): block elements
become paragraphs separated by one blank line, headings and list items are their own
paragraphs, a double ``<br>`` starts a paragraph, and images, scripts and forms contribute
nothing.

``main_text`` finds the body of a page without a profile:

1. The page is flattened once, in document order, into text blocks (one per paragraph-like
   element) while a table of elements keeps, for each element, its parent, the range of
   blocks and elements below it, and what its markup says about it (class/id/role/itemprop
   hints, see :mod:`.boilerplate`).
2. Each block gets a weight: prose counts for its length, links and short labels count
   against, link lists, leaked script source and binary junk count against more.
3. The container is the element whose blocks weigh most (a maximum-weight subtree with a
   decay per level, so a tight container beats the page wrapper), with a bonus for markup
   that names an article body and a penalty below furniture (much stronger below reader
   comments). Furniture names are overruled where furniture holds most of the page's
   prose (an issue of a newsletter). A paragraph is never the container; a body-named
   ancestor close above wins; other body-named pieces next to the container join it.
4. The content root: from the container, a few levels up while a parent adds a paragraph
   or more of sentences past an image, an ad slot or an empty box (a lead before the
   picture, the next block of a long read), and nothing that looks like teasers, link
   lists or labels.
5. Inside, furniture subtrees (related boxes, share bars, captions, newsletter forms),
   link-heavy blocks, stock phrases ("Advertisement", "Read more"), repeated blocks and the
   headline are dropped. Wrappers that are weak only by a layout name (accordions,
   "hidden" FAQ answers, page-builder widgets, "section-head") keep their prose.
6. Completeness: when next to nothing is found, or the page holds much more sentence
   prose outside furniture than we took (or its JSON-LD ``articleBody`` is much longer),
   trafilatura gets a say; its text is taken only when clearly longer and holding most of
   ours. This touches a few pages in a hundred.

Everything is iterative and linear: no recursion, and a page of any depth or size is one
pass. ``main_text`` never raises and does not modify the tree.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from selectolax.lexbor import LexborHTMLParser, LexborNode

from .boilerplate import (
    BODY,
    DISCUSSION,
    NEGATIVE,
    NEUTRAL,
    POSITIVE,
    WEAK,
    attr_hint,
    is_chrome_line,
    layout_weak,
    named_only,
)

BLOCK_TAGS = frozenset(
    {
        "p", "div", "section", "article", "main", "header", "footer", "aside", "nav",
        "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd",
        "blockquote", "pre", "table", "tr", "td", "th", "caption", "figure", "figcaption",
        "hr", "address", "details", "summary", "form", "fieldset", "legend", "center",
        "menu", "dir", "body", "html", "tbody", "thead", "tfoot", "hgroup", "dialog",
    }
)  # fmt: skip
SKIP_TAGS = frozenset(
    {
        "script", "style", "noscript", "template", "svg", "img", "picture", "video",
        "audio", "iframe", "object", "embed", "canvas", "button", "input", "select",
        "textarea", "option", "head", "title", "meta", "link", "math", "map", "frameset",
        "frame", "noembed", "source", "track", "datalist", "optgroup", "output", "progress",
        "meter", "slot",
    }
)  # fmt: skip
# Inline tags that neither start a paragraph nor carry a useful hint: not tracked.
_INLINE = frozenset(
    {
        "a", "b", "i", "em", "strong", "u", "small", "sup", "sub", "font", "abbr", "code",
        "time", "mark", "cite", "q", "s", "strike", "big", "tt", "kbd", "var", "bdi", "bdo",
        "nobr", "dfn", "samp", "wbr", "label", "acronym", "ruby", "rt", "rp", "data",
    }
)  # fmt: skip
# Furniture by tag name, whatever its class (weak: some sites wrap whole pages in a form).
_NEG_TAGS = frozenset({"nav", "aside", "footer", "figcaption", "menu", "dialog"})
_WEAK_TAGS = frozenset(
    {"header", "form", "figure", "address", "fieldset", "legend", "caption", "details",
     "summary"}
)  # fmt: skip
# Of those, the ones that only fold or group content (an accordion, a page-builder form).
_SOFT_TAGS = frozenset({"details", "summary", "header"})
_MEDIA_TAGS = frozenset({"img", "picture", "video", "iframe"})
_TEXT_FIELDS = frozenset({"text", "email", "tel", "search"})
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_LIST_ITEM = 7
_ITEM_TAGS = frozenset({"li", "dd", "dt"})
_TEXT_UNITS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "blockquote", "span"})
_TAG_NAMES: dict[int, str] = {}  # lexbor tag id -> tag name, filled as tags are seen
_ROOT_TAGS = frozenset({"html", "body"})  # their classes describe the page, not a part
_TEXT = 2  # lexbor tag_id of a text node
_COMMENT = 4

# Weights (measured on news pages of several eras; see tests and the eval notes).
NEG_FACTOR = 0.5  # share of a subtree's furniture weight counted against it
BODY_BONUS = 2.0  # candidacy bonus: markup names the article body (itemprop=articleBody ...)
POS_BONUS = 1.15  # candidacy bonus: <article>, "post", "entry", "content" ...
NEG_PENALTY = 0.15  # candidacy factor for each furniture ancestor
DISCUSSION_PENALTY = 0.03  # the same inside reader comments
OWN_NEG_PENALTY = 0.2  # candidacy factor for being furniture oneself
WEAK_PENALTY = 0.8  # the same for weak furniture hints (bylines, meta, hidden ...)
WEAK_KEEP = 150.0  # weak furniture holding more prose than this stays in the body
LINK_CAP = 80.0  # most a single block can count against its container
LINK_MULT = 1.0  # link characters inside a prose block count against it this much
DECAY = 0.85  # a block's weight shrinks by this per level on its way up the tree
WIDEN_RATIO = 2.0  # an article-body ancestor may hold this much more prose ...
WIDEN_ADD = 200.0  # ... plus this, and be at most WIDEN_STEPS levels up
WIDEN_STEPS = 4
# Inside the body, a linked item with words of its own ("<a>Title</a> by Author, $12")
# is content (a deals list, a reading list); a bare linked title is a related link.
LINKED_ITEM_MIN = 50
LINKED_ITEM_OWN = 0.2
_SEPARATORS = re.compile(r"[|•·»]")
BOX_BLOCKS = 4  # a sign-up box around a form holds at most this many lines ...
BOX_TEXT = 400  # ... and this much text
CAPTION_TEXT = 200  # an image with at most this much text is a picture and its caption ...
GALLERY_RUN = 3  # ... and this many side by side are a gallery
SENT_WORDS = 6  # a linked paragraph with this many spaces and a full stop is prose
FRAGMENT_STEPS = 3  # other article-body pieces are looked for this many levels up
FRAGMENT_MIN = 50.0  # ... and count when they hold this much prose
ASSEMBLE_STEPS = 3  # the content root is at most this many levels above the container ...
ASSEMBLE_MIN = 80.0  # ... each level adding at least this much prose ...
ASSEMBLE_AGAINST = 0.25  # ... and at most this share of it in weight against
ASSEMBLE_HEADING = 1000.0  # a heading among the added blocks (not the headline): stop
FALLBACK_CHARS = 100  # below this our text is doubtful: ask trafilatura
# Completeness: when the page holds much more prose (sentence paragraphs outside furniture)
# than we took, or the publisher's JSON-LD articleBody is much longer, ask for a second
# opinion and take it if it is longer and holds most of our words.
MISSED_SHARE = 0.6  # we took less than this share of the page's prose ...
MISSED_CHARS = 1800  # ... and left out more than this many characters of it
SECOND_LONGER = 1.3  # the second opinion must be this much longer ...
SECOND_COVER = 0.8  # ... and hold this share of our distinct words
FALLBACK_MAX_HTML = 1_000_000
OVERRULE_SHARE = 0.5  # furniture-named element holding this share of the page's prose ...
OVERRULE_MIN = 3000.0  # ... on a page with this much: not furniture
MAX_NODES = 400_000  # beyond this a page is not an article; stop flattening


@dataclass(slots=True)
class _Page:
    """A flattened page: text blocks in document order and the elements above them."""

    texts: list[str] = field(default_factory=list)
    links: list[int] = field(default_factory=list)  # chars of the block inside <a>
    b_elem: list[int] = field(default_factory=list)  # innermost tracked element
    b_kind: list[int] = field(default_factory=list)  # 1-6 heading level, 7 list item, 0
    e_tag: list[str] = field(default_factory=list)
    e_parent: list[int] = field(default_factory=list)
    e_hint: list[int] = field(default_factory=list)
    e_bstart: list[int] = field(default_factory=list)
    e_bend: list[int] = field(default_factory=list)
    e_eend: list[int] = field(default_factory=list)  # index after the last descendant
    e_soft: set[int] = field(default_factory=set)  # weak only by layout names (see below)
    e_named: set[int] = field(default_factory=set)  # furniture by class/id names alone
    e_media: set[int] = field(default_factory=set)  # holds an image or a video itself
    e_fields: set[int] = field(default_factory=set)  # holds a form field itself


def _flatten(root: LexborNode, analyse: bool) -> _Page:
    """One iterative pass over ``root``'s subtree into a :class:`_Page`.

    With ``analyse``, element hints are read, and an inline element hinted as furniture (a
    ``span`` named after a share button or a caption) becomes a block of its own so that its
    text can be dropped without its neighbours'.
    """
    page = _Page()
    texts, links, b_elem, b_kind = page.texts, page.links, page.b_elem, page.b_kind
    e_tag, e_parent, e_hint = page.e_tag, page.e_parent, page.e_hint
    e_bstart, e_bend, e_eend = page.e_bstart, page.e_bend, page.e_eend
    e_block: list[bool] = []
    media, fields = page.e_media, page.e_fields
    code_top = -1  # the <pre> element we are in, if any
    parts: list[str] = []
    link_chars = 0
    link_depth = 0
    last_br = False
    open_el: list[int] = []
    kinds: list[int] = []  # heading/list-item kind of open block elements

    def flush() -> None:
        nonlocal link_chars
        text = " ".join("".join(parts).split())
        parts.clear()
        if text:
            texts.append(text)
            links.append(min(link_chars, len(text)))
            b_elem.append(open_el[-1] if open_el else -1)
            b_kind.append(kinds[-1] if kinds else 0)
        link_chars = 0

    # Stack items: a node to visit, or an int marking the end of an element: >= 0 a
    # tracked element's index, -1 the end of a link.
    stack: list[LexborNode | int] = []
    node: LexborNode | None = root
    first = True
    budget = MAX_NODES
    while True:
        if node is None:
            if not stack:
                break
            item = stack.pop()
            if type(item) is int:
                if item >= 0:
                    if e_block[item]:
                        if parts:
                            flush()
                        kinds.pop()
                    open_el.pop()
                    e_bend[item] = len(texts)
                    e_eend[item] = len(e_tag)
                    if item == code_top:
                        code_top = -1
                else:
                    link_depth -= 1
                continue
            node = item  # type: ignore[assignment]
        budget -= 1
        if budget < 0:
            break
        if first:
            first = False
        else:
            nxt = node.next  # type: ignore[union-attr]
            if nxt is not None:
                stack.append(nxt)
        tag_id = node.tag_id  # type: ignore[union-attr]
        if tag_id == _TEXT:
            text = node.text_content  # type: ignore[union-attr]
            if text:
                parts.append(text)
                if link_depth:
                    link_chars += len(text.strip())
                if last_br and not text.isspace():
                    last_br = False
            node = None
            continue
        if tag_id == _COMMENT:
            node = None
            continue
        tag = _TAG_NAMES.get(tag_id)  # a dict lookup is cheaper than the property
        if tag is None:
            tag = node.tag or ""  # type: ignore[union-attr]
            if tag_id < 4096:  # lexbor's fixed ids; custom elements get pointer-sized ones
                _TAG_NAMES[tag_id] = tag
        if tag in _INLINE:
            if tag == "a":
                link_depth += 1
                stack.append(-1)
            node = node.child  # type: ignore[union-attr]
            continue
        if tag in SKIP_TAGS or tag[:1] == "-":
            if tag in _MEDIA_TAGS and open_el:
                media.add(open_el[-1])
            elif tag == "input" and open_el and analyse:
                kind = (node.attrs.get("type") or "text").lower()  # type: ignore[union-attr]
                if kind in _TEXT_FIELDS:  # not a checkbox, a hidden value or a button
                    fields.add(open_el[-1])
            node = None
            continue
        if tag == "br":
            if last_br:
                if parts:
                    flush()
            else:
                parts.append(" ")
            last_br = True
            node = None
            continue
        hint = 0
        is_block = tag in BLOCK_TAGS
        if analyse and tag not in _ROOT_TAGS and code_top < 0:
            attrs = node.attributes  # type: ignore[union-attr]
            hint = attr_hint(attrs) if attrs else 0
            if hint != BODY:
                if tag in _NEG_TAGS:
                    hint = NEGATIVE
                elif tag in _WEAK_TAGS and hint > WEAK:
                    hint = WEAK
                    if tag in _SOFT_TAGS:
                        page.e_soft.add(len(e_tag))
                elif tag == "article" and hint == NEUTRAL:
                    hint = POSITIVE
                elif hint == WEAK and attrs and layout_weak(attrs):
                    page.e_soft.add(len(e_tag))
                elif hint == NEGATIVE and attrs and named_only(attrs):
                    page.e_named.add(len(e_tag))
            if hint < 0:
                is_block = True  # its text must not mix with its neighbours'
        if is_block:
            if parts:
                flush()
            last_br = False
            kinds.append(_HEADINGS.get(tag, _LIST_ITEM if tag in _ITEM_TAGS else 0))
        index = len(e_tag)
        if tag == "pre" and code_top < 0:
            code_top = index  # highlighted source below: its spans' classes are tokens
        e_tag.append(tag)
        e_block.append(is_block)
        e_parent.append(open_el[-1] if open_el else -1)
        e_hint.append(hint)
        n_texts = len(texts)
        e_bstart.append(n_texts)
        e_bend.append(n_texts)
        e_eend.append(index + 1)
        open_el.append(index)
        stack.append(index)
        node = node.child  # type: ignore[union-attr]
    if parts:
        flush()
    # Elements left open by the node budget end where the text ends.
    for index in open_el:
        e_bend[index] = len(texts)
        e_eend[index] = len(e_tag)
    return page


def node_text(node: LexborNode) -> str:
    """Plain text of ``node``: one paragraph per block, paragraphs joined by a blank line."""
    try:
        return "\n\n".join(_flatten(node, analyse=False).texts)
    except Exception:  # never fail a page over its text
        return ""


# --------------------------------------------------------------------------- main text
_SENTENCE_END = re.compile(r"[.!?…。！？؟][\"”'’»)\]]*$")


# Scripts written without spaces between words (Chinese, Japanese, Thai, Lao, Khmer...).
_UNSPACED = re.compile(r"[\u0e00-\u0eff\u1780-\u17ff\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]")
UNSPACED_CHARS = 25  # in those scripts, a sentence is at least this long ...
UNSPACED_WEIGHT = 3.0  # ... and a character weighs as much as this many Latin ones


def _is_sentence(text: str) -> bool:
    """Prose rather than a headline or a label: several words and a full stop at the end."""
    if _SENTENCE_END.search(text) is None:
        return False
    if text.count(" ") >= SENT_WORDS:
        return True
    return len(text) >= UNSPACED_CHARS and _UNSPACED.search(text) is not None


_TEASER_END = re.compile(r"(?:\.\.\.|…|\bmore\W*)$", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffd]")


def _is_junk(text: str) -> bool:
    """Binary or mis-decoded bytes: a tenth or more control or replacement characters."""
    return not text.isprintable() and len(_CONTROL.findall(text)) * 10 > len(text)


def _looks_like_code(text: str) -> bool:
    """Script or style source that leaked into the text (a broken comment, a bad tag)."""
    code = text.count("{") + text.count("}") + text.count("=")
    return code >= 4 and (code + text.count(";")) * 25 > len(text)


def _mark_boxes(page: _Page) -> None:
    """Furniture that no class name announces, told by its shape:

    * a sign-up box: the widest wrapper around a text or email field that holds only a
      few short lines ("Get the morning briefing", the field, a button);
    * a gallery: three or more wrappers side by side, each an image with a short caption.

    Linear: one pass up from each form, one pass over the image holders.
    """
    hint, parent, tag = page.e_hint, page.e_parent, page.e_tag
    bstart, bend, texts = page.e_bstart, page.e_bend, page.texts

    def small(i: int) -> bool:
        n = bend[i] - bstart[i]
        return n <= BOX_BLOCKS and sum(len(texts[b]) for b in range(bstart[i], bend[i])) < BOX_TEXT

    done: set[int] = set()
    for i in page.e_fields:
        box = -1
        while (
            i >= 0 and i not in done and hint[i] != BODY and tag[i] not in _ROOT_TAGS and small(i)
        ):
            done.add(i)
            box, i = i, parent[i]
        if box >= 0 and bend[box] > bstart[box]:  # words around the field: a box
            hint[box] = NEGATIVE
    holders: dict[int, list[int]] = {}
    for i in page.e_media:
        if tag[i] in _TEXT_UNITS or hint[i] == BODY:
            continue  # an image inside a paragraph (an emoji, an inline figure)
        n = bend[i] - bstart[i]
        if 1 <= n <= 2 and sum(len(texts[b]) for b in range(bstart[i], bend[i])) < CAPTION_TEXT:
            holders.setdefault(parent[i], []).append(i)
    for items in holders.values():
        if len(items) >= GALLERY_RUN:
            for i in items:
                hint[i] = NEGATIVE


def _weights(page: _Page) -> list[float]:
    """Per block: how much it looks like article prose (negative: furniture)."""
    out: list[float] = []
    for text, link, kind in zip(page.texts, page.links, page.b_kind, strict=True):
        n = len(text)
        if kind and kind < _LIST_ITEM:
            out.append(0.0)
        elif link * 2 > n:
            if kind == 0 and _is_sentence(text):
                out.append(0.0)
            else:
                out.append(-min(0.6 * n + 10, LINK_CAP))
        elif (n > 40 and _looks_like_code(text)) or _is_junk(text):
            out.append(-min(0.6 * n + 10, LINK_CAP))
        else:
            prose = float(n - link)
            if prose > 8 and not text.isascii() and _UNSPACED.search(text):
                prose *= UNSPACED_WEIGHT  # a character there carries about a word's worth
            w = prose - LINK_MULT * link - 25
            if kind == _LIST_ITEM and link:
                w -= 10
            out.append(float(max(w, -LINK_CAP)))
    return out


def _choose(page: _Page, weights: list[float]) -> tuple[int, list[float]]:
    """The container element (index) and every element's prose weight.

    The container is the element with the best weighted subtree, hints considered.
    """
    n_el = len(page.e_tag)
    hint, parent = page.e_hint, page.e_parent
    pos = [0.0] * n_el
    neg = [0.0] * n_el
    for w, e in zip(weights, page.b_elem, strict=True):
        if e >= 0:
            if w > 0:
                pos[e] += w
            else:
                neg[e] += w
    _overrule(page, pos)
    # Children come after their parent in pre-order: summing backwards sees every child
    # complete before its parent. Furniture passes up only its negative part.
    raw = pos[:]
    for i in range(n_el - 1, 0, -1):
        p = parent[i]
        if p >= 0:
            if hint[i] > NEGATIVE:
                pos[p] += DECAY * pos[i]
                raw[p] += raw[i]
            neg[p] += DECAY * neg[i]
    # Candidacy: bonus for article-body markup, penalty under each furniture ancestor.
    best, best_score = -1, 0.0
    factor = [1.0] * n_el  # penalty inherited from furniture ancestors
    for i in range(n_el):
        p = parent[i]
        f = factor[p] if p >= 0 else 1.0
        h = hint[i]
        if h == WEAK:
            f *= WEAK_PENALTY
            factor[i] = f
        elif h == NEGATIVE:
            factor[i] = f * NEG_PENALTY
            f *= OWN_NEG_PENALTY
        elif h == DISCUSSION:
            f *= DISCUSSION_PENALTY
            factor[i] = f
        else:
            factor[i] = f
        s = pos[i] + NEG_FACTOR * neg[i]
        if s <= 0:
            continue
        if h == BODY:
            s *= BODY_BONUS
        elif h == POSITIVE:
            s *= POS_BONUS
        s *= f
        if s > best_score:
            best, best_score = i, s
    return best, raw


def _overrule(page: _Page, own: list[float]) -> None:
    """Furniture names do not hold the article: an element named as furniture (not as
    comments) that holds most of the page's prose is the article after all (an issue of
    a newsletter, a post in a "promo" layout). Its hint, and that of furniture-named
    wrappers around it, becomes neutral. ``own`` is each element's own block weight.
    Only names are overruled: tags (``<footer>``, ``<aside>``), hidden elements and
    landmark roles stay furniture."""
    hint, parent = page.e_hint, page.e_parent
    n_el = len(hint)
    total = [0.0] * n_el
    for i in range(n_el - 1, -1, -1):
        total[i] += own[i]
        p = parent[i]
        if p >= 0:
            total[p] += total[i]
    page_prose = sum(total[i] for i in range(n_el) if parent[i] < 0)
    if page_prose < OVERRULE_MIN:
        return
    # Only where furniture holds most of the prose: otherwise the article is elsewhere.
    under = bytearray(n_el)
    free = 0.0
    for i in range(n_el):
        p = parent[i]
        under[i] = 1 if hint[i] <= NEGATIVE or (p >= 0 and under[p]) else 0
        if not under[i]:
            free += own[i]
    if free >= (1 - OVERRULE_SHARE) * page_prose:
        return
    for i in range(n_el):
        if (
            hint[i] == NEGATIVE
            and i in page.e_named  # not a <footer>, a hidden copy or a landmark role
            and total[i] >= OVERRULE_SHARE * page_prose
        ):
            hint[i] = NEUTRAL


def _widen(page: _Page, core: int, pos: list[float]) -> int:
    """The nearest article-body ancestor of ``core`` if there is one close above it.

    The best-weighted subtree can be one paragraph of an article whose other parts are
    lists of links (a deals roundup, a list of headlines): markup that names the article
    body knows better.
    """
    hint, parent, tag = page.e_hint, page.e_parent, page.e_tag
    # A paragraph is a unit of text, not a container: its siblings belong to the story.
    while tag[core] in _TEXT_UNITS and parent[core] >= 0 and hint[parent[core]] >= 0:
        core = parent[core]
    if hint[core] == BODY or hint[core] < 0:
        return core
    limit = WIDEN_RATIO * pos[core] + WIDEN_ADD
    i = parent[core]
    steps = 0
    while i >= 0 and steps < WIDEN_STEPS and hint[i] > NEGATIVE:
        if pos[i] > limit:
            break
        if hint[i] == BODY:
            return i
        i = parent[i]
        steps += 1
    return core


def _head_title(tree: LexborHTMLParser) -> str:
    """The page's own title (og:title, else <title>), lowercased, to spot the headline."""
    head = tree.head
    if head is None:
        return ""
    for selector in ('meta[property="og:title"]', "title"):
        node = head.css_first(selector)
        if node is not None:
            value = node.attributes.get("content") if selector[0] == "m" else node.text()
            if value and value.strip():
                return " ".join(value.split()).lower()[:2000]
    return ""


def _assemble(page: _Page, core: int, under: bytearray, title: str) -> int:
    """The content root: ``core``, or the ancestor a few levels up whose other children
    are more of the article (a lead or standfirst before an image or an ad slot, the next
    block of a long read, a section of a guide) rather than teasers, link lists or labels.

    A parent is taken while what it adds outside furniture (``under``) is at least a
    paragraph of sentences and what speaks against it there stays small next to that:
    headings other than the headline (``title``: a list of teasers, a box of its own),
    link lists, "Read more" teasers, short labels (dates, "Written by"). Sections of a
    story under their headings need no assembly: they weigh together in their container.
    Each level looks only at the blocks it adds: linear in the page.
    """
    hint, parent, tag, eend = page.e_hint, page.e_parent, page.e_tag, page.e_eend
    bstart, bend, b_elem = page.e_bstart, page.e_bend, page.b_elem
    for _ in range(ASSEMBLE_STEPS):
        up = parent[core]
        if up < 0 or tag[up] in _ROOT_TAGS or hint[up] < NEUTRAL:
            break
        prose = cost = 0.0
        side_prose = [0.0, 0.0]  # before and after the core
        next_to_core = [-1, -1]  # the siblings right before and right after it
        i, after = up + 1, 0
        while i < eend[up]:
            if i == core:
                after = 1
            else:
                if not after:
                    next_to_core[0] = i  # the last one before the core
                elif next_to_core[1] < 0:
                    next_to_core[1] = i  # the first one after it
                p, c = _added(page, range(bstart[i], bend[i]), under, title)
                prose += p
                cost += c
                side_prose[after] += p
            i = eend[i]
        # Text of ``up`` itself, outside its child elements.
        own = [b for b in range(bstart[up], bend[up]) if b_elem[b] == up]
        p, c = _added(page, own, under, title)
        prose, cost = prose + p, cost + c
        if prose < ASSEMBLE_MIN or cost > ASSEMBLE_AGAINST * prose:
            break
        # The story goes on past an image, an ad slot or a box: something without text
        # of its own stands between the core and the prose it takes in.
        if any(side_prose[k] > 0 and not _is_gap(page, next_to_core[k], under) for k in (0, 1)):
            break
        core = up
    return core


def _is_gap(page: _Page, el: int, under: bytearray) -> bool:
    """Whether element ``el`` shows no text outside furniture (an image, an ad slot)."""
    b_elem = page.b_elem
    return el >= 0 and all(under[b_elem[b]] for b in range(page.e_bstart[el], page.e_bend[el]))


def _added(page: _Page, blocks: Iterable[int], under: bytearray, title: str) -> tuple[float, float]:
    """(prose, cost) of blocks that assembly would add: sentences for, and against them
    headings other than the headline, link lists, "Read more" teasers, short labels."""
    texts, links, kinds, b_elem = page.texts, page.links, page.b_kind, page.b_elem
    prose = cost = 0.0
    for b in blocks:
        if under[b_elem[b]]:
            continue
        text, n, kind = texts[b], len(texts[b]), kinds[b]
        if 0 < kind < _LIST_ITEM:
            if not (title and n < 300 and text.lower() in title):
                cost += ASSEMBLE_HEADING
        elif links[b] * 2 > n:
            cost += min(n, LINK_CAP)
        elif links[b] and _TEASER_END.search(text):
            cost += min(n, LINK_CAP)  # "... Read more"
        elif _is_sentence(text):
            prose += n * UNSPACED_WEIGHT if _UNSPACED.search(text) else n
        elif n < 60:
            cost += 10  # a date, a byline, a label
    return prose, cost


def _fragments(page: _Page, container: int, pos: list[float]) -> list[int]:
    """The container, plus the other article-body fragments next to it.

    Sites split a body into several marked-up pieces (``p[itemprop=articleBody]`` each, or
    ``div.article-body`` sections between ad slots); when the container is such a piece,
    its marked-up siblings and cousins a few levels around it belong to the story too.
    """
    hint, parent, eend = page.e_hint, page.e_parent, page.e_eend
    if hint[container] != BODY:
        return [container]
    top = container
    for _ in range(FRAGMENT_STEPS):
        up = parent[top]
        if up < 0 or hint[up] <= NEGATIVE:
            break
        top = up
    found = [container]
    i, end = top + 1, eend[top]
    while i < end:
        if i == container:
            i = eend[i]
            continue
        h = hint[i]
        if h <= NEGATIVE:
            i = eend[i]
        elif h == BODY and not (i < container < eend[i]) and pos[i] >= FRAGMENT_MIN:
            found.append(i)
            i = eend[i]
        else:
            i += 1
    return sorted(found)


def _select(page: _Page, containers: list[int], pos: list[float], title: str) -> list[int]:
    """The containers' blocks minus furniture, in order (block indexes)."""
    tag, hint = page.e_tag, page.e_hint
    eend = page.e_eend
    # Furniture below a container: mark its elements (pre-order ranges). Weak furniture
    # that holds real prose (a "post-meta" div around the whole post) stays.
    pruned = bytearray(len(tag))
    soft = page.e_soft
    blocks: list[int] = []
    for container in containers:
        keep_weak = max(WEAK_KEEP, 0.25 * pos[container])
        i, el_end = container + 1, eend[container]
        while i < el_end:
            h = hint[i]
            if h <= NEGATIVE or (
                h == WEAK
                and pos[i] < (WEAK_KEEP if i in soft else keep_weak)
                and not _holds_table(page, i)
                and not (i in soft and _only_headings(page, i))  # a "section-head"
            ):
                j = eend[i]
                pruned[i:j] = b"\x01" * (j - i)
                i = j
            else:
                i += 1
        blocks.extend(range(page.e_bstart[container], page.e_bend[container]))
    keep: list[int] = []
    seen: set[str] = set()
    texts, links, kinds, b_elem = page.texts, page.links, page.b_kind, page.b_elem
    for b in blocks:
        e = b_elem[b]
        if pruned[e]:
            continue
        text = texts[b]
        n = len(text)
        if (
            links[b] * 2 > n
            and not (links[b] < 20 and n < 40 and kinds[b] != _LIST_ITEM)
            and not (kinds[b] == 0 and _is_sentence(text))
            and not (
                n >= LINKED_ITEM_MIN
                and n - links[b] >= LINKED_ITEM_OWN * n
                and _SEPARATORS.search(text) is None  # "Home | News | Sport", "Source | date"
            )
        ):
            continue
        if is_chrome_line(text) or (n > 40 and _looks_like_code(text)) or _is_junk(text):
            continue
        if text in seen:
            continue
        seen.add(text)
        keep.append(b)
    # The headline (and anything else before the first real paragraph that repeats the
    # page title) is not body.
    out: list[int] = []
    started = False
    for b in keep:
        text = texts[b]
        kind = kinds[b]
        if not started:
            if kind == 1:
                continue
            if title and len(text) < 300 and text.lower() in title:
                continue
            if kind == 0 and len(text) >= 120:
                started = True
        out.append(b)
    # Headings with nothing after them (a "Related" title whose list went) go too.
    while out and 0 < kinds[out[-1]] < _LIST_ITEM:
        out.pop()
    return out


def _under_furniture(page: _Page) -> bytearray:
    """Per element: 1 if it or an ancestor is furniture (one pass in pre-order)."""
    hint, parent = page.e_hint, page.e_parent
    under = bytearray(len(hint))
    for i, h in enumerate(hint):
        p = parent[i]
        under[i] = 1 if h <= NEGATIVE or (p >= 0 and under[p]) else 0
    return under


def _holds_table(page: _Page, el: int) -> bool:
    """Whether element ``el`` is a figure around a table (a data table is content)."""
    tag = page.e_tag
    return tag[el] == "figure" and "table" in tag[el + 1 : page.e_eend[el]]


def _only_headings(page: _Page, el: int) -> bool:
    """Whether element ``el`` holds text and all of it is headings."""
    kinds = page.b_kind
    start, end = page.e_bstart[el], page.e_bend[el]
    return start < end and all(0 < kinds[b] < _LIST_ITEM for b in range(start, end))


def _prose_missed(page: _Page, weights: list[float], taken: list[int], under: bytearray) -> bool:
    """Whether the page holds much more article-like prose than ``taken``: sentence
    paragraphs of positive weight outside furniture (one linear pass)."""
    total = 0
    prose = bytearray(len(page.texts))
    seen: set[str] = set()  # a page may hold hidden copies of its article (mobile, print)
    for b, text in enumerate(page.texts):
        if (
            weights[b] > 0
            and page.b_kind[b] == 0
            and not under[page.b_elem[b]]
            and text not in seen
            and _is_sentence(text)
        ):
            seen.add(text)
            prose[b] = 1
            total += len(text)
    took = sum(len(page.texts[b]) for b in taken if prose[b])
    return total - took > MISSED_CHARS and took < MISSED_SHARE * total


def main_text(
    tree: LexborHTMLParser,
    *,
    url: str | None = None,
    title: str | None = None,
    expected_chars: int = 0,
    html: str | None = None,
) -> str:
    """The body text of an article page without a profile (generic heuristics).

    ``title`` (the headline, when the caller knows it) keeps the headline out of the body;
    without it the page's og:title / <title> serves. ``expected_chars`` is the length of
    the body the publisher declares (JSON-LD ``articleBody``), if any: a body much shorter
    than that is checked against a second opinion. ``html``, the source ``tree`` was
    parsed from, spares serializing it again for that. Never raises. Does not modify
    ``tree`` (the caller may run it last either way).
    """
    incomplete = False
    try:
        found = _main_text(tree, title)
        if found is None:  # the page swallowed by an unclosed <title>: read it again
            swallowed = _swallowed_page(tree)
            found = _main_text(swallowed, title) if swallowed is not None else None
        text, incomplete = found if found is not None else (None, False)
    except Exception:  # the contract: never raise over a bad page
        text = ""
    if text is None:  # no readable text at all: nothing to ask a second opinion about
        return ""
    if len(text) < FALLBACK_CHARS:
        other = _second_opinion(tree, url, html)
        if len(other) > len(text):
            return other
        return text
    if incomplete or len(text) < MISSED_SHARE * expected_chars:
        other = _second_opinion(tree, url, html, fast=True)
        if len(other) > SECOND_LONGER * len(text) and _covers(other, text):
            return other
    return text


_WORD = re.compile(r"\w+")


def _covers(other: str, text: str) -> bool:
    """Whether ``other`` holds most of the distinct words of ``text``."""
    ours = set(_WORD.findall(text.lower()))
    if not ours:
        return True
    theirs = set(_WORD.findall(other.lower()))
    return len(ours & theirs) >= SECOND_COVER * len(ours)


def _main_text(tree: LexborHTMLParser, title: str | None = None) -> tuple[str, bool] | None:
    """Our own analysis: the body text ("" if the page has no article text) and whether
    the page holds much more prose than it; None if the page has no readable text at all
    (nothing, or only binary junk)."""
    root = tree.body or tree.root
    if root is None:
        return None
    page = _flatten(root, analyse=True)
    if not page.texts or all(map(_is_junk, page.texts)):
        return None
    _mark_boxes(page)
    weights = _weights(page)
    container, pos = _choose(page, weights)
    if container < 0:
        return "", False
    container = _widen(page, container, pos)
    under = _under_furniture(page)
    headline = " ".join(title.split()).lower() if title else _head_title(tree)
    content_root = _assemble(page, container, under, headline)
    containers = [content_root] if content_root != container else _fragments(page, container, pos)
    taken = _select(page, containers, pos, headline)
    text = "\n\n".join(page.texts[b] for b in taken)
    return text, _prose_missed(page, weights, taken, under)


def _swallowed_page(tree: LexborHTMLParser) -> LexborHTMLParser | None:
    """A ``<title>`` left open turns the rest of the document into title text (browsers
    agree). When the body is empty and the title holds markup, parse that markup."""
    title = tree.css_first("title")
    raw = title.text() if title is not None else ""
    if len(raw) < 1000 or "<" not in raw:
        return None
    return LexborHTMLParser(raw[raw.find("<") :])


def _second_opinion(
    tree: LexborHTMLParser, url: str | None, html: str | None = None, *, fast: bool = False
) -> str:
    """trafilatura's body, for the rare page where our own analysis finds next to nothing
    (an article that is one list of links, a page without prose) or much less than the
    page holds. Costly: used sparingly. ``html`` is the page's source when the caller has
    it (serializing the tree again costs time); ``fast`` skips trafilatura's own fallbacks."""
    try:
        import trafilatura  # imported here: most pages never need it

        html = html or tree.html or ""
        if not html or len(html) > FALLBACK_MAX_HTML:
            return ""
        found = trafilatura.extract(
            html,
            url=url,
            favor_precision=True,
            include_comments=False,
            include_tables=True,
            fast=fast,
        )
    except Exception:
        return ""
    if not found:
        return ""
    out: list[str] = []
    seen: set[str] = set()
    for raw in found.splitlines():
        line = " ".join(raw.split())
        if line and line not in seen and not _is_junk(line):
            seen.add(line)
            out.append(line)
    return "\n\n".join(out)
