"""The page as the content analysis sees it: one pass over the DOM flattens it into arrays
(tags, depths, parents, text and link lengths, furniture hints per element), and the
constants that tune the analysis, what counts as prose or junk, sign-up boxes and galleries
told by shape, and each element's weight. :mod:`scraper.extract.content` chooses the
container and assembles the article from it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from selectolax.lexbor import LexborNode

from .boilerplate import (
    BODY,
    NEGATIVE,
    NEUTRAL,
    POSITIVE,
    WEAK,
    attr_hint,
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
LIST_ITEM = 7
_ITEM_TAGS = frozenset({"li", "dd", "dt"})
TEXT_UNITS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "blockquote", "span"})
ROOT_TAGS = frozenset({"html", "body"})  # their classes describe the page, not a part
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
# A list with this many plain (unlinked) items, and this share of its items plain, is a list
# of things (a checklist), some of them linked: its linked items stay too.
MIXED_PLAIN = 2
MIXED_SHARE = 0.3
SEPARATORS = re.compile(r"[|•·»]")
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
DATA_CELL_BLOCKS = 3  # a table cell of at most this many lines holds data, not a page part


@dataclass(slots=True)
class Page:
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


# What the walk does with an element, by tag: known tags are classified once per process.
_ELEMENT, _LINK, _INLINE_EL, _BR, _SKIP, _SKIP_MEDIA, _SKIP_INPUT = range(7)
_LINK_END, _INLINE_END = -1, -2  # stack marks for the end of a link, of another inline
_TagInfo = tuple[int, str, bool, int]  # action, tag name, block, heading/list-item kind
_TAG_INFO: dict[int, _TagInfo] = {}  # lexbor tag id -> what the tag is


def _tag_info(tag: str) -> _TagInfo:
    if tag in _INLINE:
        action = _LINK if tag == "a" else _INLINE_EL
    elif tag in SKIP_TAGS or tag[:1] == "-":
        action = _SKIP_MEDIA if tag in _MEDIA_TAGS else _SKIP_INPUT if tag == "input" else _SKIP
    else:
        action = _BR if tag == "br" else _ELEMENT
    kind = _HEADINGS.get(tag, LIST_ITEM if tag in _ITEM_TAGS else 0)
    return action, tag, tag in BLOCK_TAGS, kind


def flatten_page(root: LexborNode, analyse: bool) -> Page:
    """One iterative pass over ``root``'s subtree into a :class:`Page`.

    With ``analyse``, element hints are read, and an inline element hinted as furniture (a
    ``span`` named after a share button or a caption) becomes a block of its own so that its
    text can be dropped without its neighbours'.
    """
    page = Page()
    texts, links, b_elem, b_kind = page.texts, page.links, page.b_elem, page.b_kind
    e_tag, e_parent, e_hint = page.e_tag, page.e_parent, page.e_hint
    e_bstart, e_bend, e_eend = page.e_bstart, page.e_bend, page.e_eend
    e_block: list[bool] = []
    media, fields = page.e_media, page.e_fields
    code_top = -1  # the <pre> element we are in, if any
    parts: list[str] = []  # text of the block being read
    add_part = parts.append
    link_chars = 0
    link_depth = 0
    last_br = False
    current = -1  # the innermost open tracked element (its parent is the next one out)
    kinds: list[int] = [0]  # heading/list-item kind of open block elements, innermost last
    pending: list[tuple[int, str, dict[str, str | None]]] = []  # block elements to hint

    # A block ends where a block element starts or ends (and at a double <br>): its text
    # is the parts read since, whitespace collapsed. Written out at each place (a function
    # call per block costs a tenth of the walk).
    # The elements being read, innermost last: what ends with each (a tracked element's
    # index, or a mark) and the node to go on with after it. The stack is empty only at
    # ``root``, whose siblings are not read.
    stack: list[tuple[int, LexborNode | None]] = []
    node: LexborNode | None = root
    budget = MAX_NODES
    while True:
        if node is None:
            if not stack:
                break
            item, node = stack.pop()
            if item >= 0:
                if e_block[item]:
                    if parts:
                        text = " ".join("".join(parts).split())
                        parts.clear()
                        if text:
                            texts.append(text)
                            links.append(min(link_chars, len(text)))
                            b_elem.append(item)
                            b_kind.append(kinds[-1])
                        link_chars = 0
                    kinds.pop()
                current = e_parent[item]
                e_bend[item] = len(texts)
                e_eend[item] = len(e_tag)
                if item == code_top:
                    code_top = -1
            elif item == _LINK_END:
                link_depth -= 1
            continue
        budget -= 1
        if budget < 0:
            break
        tag_id = node.tag_id
        if tag_id == _TEXT:
            content = node.text_content
            if content:
                if not content.isspace():
                    add_part(content)
                    if link_depth:
                        link_chars += len(content.strip())
                    last_br = False
                elif parts:  # white space between words; before any it changes nothing
                    add_part(content)
            node = node.next if stack else None
            continue
        if tag_id == _COMMENT:
            node = node.next if stack else None
            continue
        info = _TAG_INFO.get(tag_id)
        if info is None:
            info = _tag_info(node.tag or "")
            if tag_id < 4096:  # lexbor's fixed ids; custom elements get pointer-sized ones
                _TAG_INFO[tag_id] = info
        action, tag, is_block, kind = info
        if action in (_LINK, _INLINE_EL):
            child = node.child
            if action == _LINK:
                link_depth += 1
                stack.append((_LINK_END, node.next if stack else None))
            elif child is not None:
                stack.append((_INLINE_END, node.next if stack else None))
            else:
                child = node.next if stack else None
            node = child
            continue
        if action != _ELEMENT:
            if action == _BR:
                if last_br:
                    if parts:
                        _flush(page, parts, link_chars, current, kinds[-1])
                        link_chars = 0
                else:
                    add_part(" ")
                last_br = True
            elif action == _SKIP_MEDIA and current >= 0:
                media.add(current)
            elif action == _SKIP_INPUT and current >= 0 and analyse:
                field_type = (node.attrs.get("type") or "text").lower()
                if field_type in _TEXT_FIELDS:  # not a checkbox, a hidden value or a button
                    fields.add(current)
            node = node.next if stack else None
            continue
        hint = 0
        index = len(e_tag)
        if analyse and code_top < 0 and tag not in ROOT_TAGS:
            if is_block:  # read later, and only if it holds text (see _hints_of_blocks)
                pending.append((index, tag, node.attributes))
            else:
                hint = _hint(page, index, tag, node.attributes)
                if hint < 0:
                    is_block = True  # its text must not mix with its neighbours'
        if is_block:
            if parts:
                text = " ".join("".join(parts).split())
                parts.clear()
                if text:
                    texts.append(text)
                    links.append(min(link_chars, len(text)))
                    b_elem.append(current)
                    b_kind.append(kinds[-1])
                link_chars = 0
            last_br = False
            kinds.append(kind)
        if tag == "pre" and code_top < 0:
            code_top = index  # highlighted source below: its spans' classes are tokens
        e_tag.append(tag)
        e_block.append(is_block)
        e_parent.append(current)
        e_hint.append(hint)
        n_texts = len(texts)
        e_bstart.append(n_texts)
        e_bend.append(n_texts)
        e_eend.append(index + 1)
        current = index
        stack.append((index, node.next if stack else None))
        node = node.child
    if parts:
        _flush(page, parts, link_chars, current, kinds[-1])
    # Elements left open by the node budget end where the text ends.
    while current >= 0:
        e_bend[current] = len(texts)
        e_eend[current] = len(e_tag)
        current = e_parent[current]
    _hints_of_blocks(page, pending)
    return page


def _hint(page: Page, index: int, tag: str, attrs: dict[str, str | None]) -> int:
    """What element ``index`` (``tag``, ``attrs``) is: its markup's hint, its tag's."""
    hint = attr_hint(attrs) if attrs else 0
    if hint != BODY:
        if tag in _NEG_TAGS:
            hint = NEGATIVE
        elif tag in _WEAK_TAGS and hint > WEAK:
            hint = WEAK
            if tag in _SOFT_TAGS:
                page.e_soft.add(index)
        elif tag == "article" and hint == NEUTRAL:
            hint = POSITIVE
        elif hint == WEAK and attrs and layout_weak(attrs):
            page.e_soft.add(index)
        elif hint == NEGATIVE and attrs and named_only(attrs):
            page.e_named.add(index)
    return hint


def _hints_of_blocks(page: Page, pending: list[tuple[int, str, dict[str, str | None]]]) -> None:
    """The hints of block elements, read after the walk: a block element's hint does not
    change how the text is cut into blocks, and one without text (an icon's wrapper, an
    empty ad slot: a sixth of the elements) weighs nothing either way, so its hint stays
    neutral unpeeked. Boxes around form fields are judged by shape (mark_boxes), text or
    not: theirs are read."""
    e_hint, e_bstart, e_bend, parent = page.e_hint, page.e_bstart, page.e_bend, page.e_parent
    boxes: set[int] = set()
    for i in page.e_fields:
        while i >= 0 and i not in boxes:
            boxes.add(i)
            i = parent[i]
    for index, tag, attrs in pending:
        if e_bend[index] > e_bstart[index] or index in boxes:
            e_hint[index] = _hint(page, index, tag, attrs)


def _flush(page: Page, parts: list[str], link_chars: int, element: int, kind: int) -> None:
    """The block of ``parts`` (see :func:`flatten_page`), if it holds text."""
    text = " ".join("".join(parts).split())
    parts.clear()
    if text:
        page.texts.append(text)
        page.links.append(min(link_chars, len(text)))
        page.b_elem.append(element)
        page.b_kind.append(kind)


def node_text(node: LexborNode) -> str:
    """Plain text of ``node``: one paragraph per block, paragraphs joined by a blank line."""
    try:
        return "\n\n".join(flatten_page(node, analyse=False).texts)
    except Exception:  # never fail a page over its text
        return ""


# --------------------------------------------------------------------------- prose, junk, weights
_SENTENCE_END = re.compile(r"[.!?…。！？؟][\"”'’»)\]]*$")


# Scripts written without spaces between words (Chinese, Japanese, Thai, Lao, Khmer...).
UNSPACED = re.compile(r"[\u0e00-\u0eff\u1780-\u17ff\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]")
UNSPACED_CHARS = 25  # in those scripts, a sentence is at least this long ...
UNSPACED_WEIGHT = 3.0  # ... and a character weighs as much as this many Latin ones


def is_sentence(text: str) -> bool:
    """Prose rather than a headline or a label: several words and a full stop at the end."""
    if _SENTENCE_END.search(text) is None:
        return False
    if text.count(" ") >= SENT_WORDS:
        return True
    return len(text) >= UNSPACED_CHARS and UNSPACED.search(text) is not None


TEASER_END = re.compile(r"(?:\.\.\.|…|\bmore\W*)$", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffd]")


def is_junk(text: str) -> bool:
    """Binary or mis-decoded bytes: a tenth or more control or replacement characters."""
    return not text.isprintable() and len(_CONTROL.findall(text)) * 10 > len(text)


def looks_like_code(text: str) -> bool:
    """Script or style source that leaked into the text (a broken comment, a bad tag)."""
    code = text.count("{") + text.count("}") + text.count("=")
    return code >= 4 and (code + text.count(";")) * 25 > len(text)


def mark_boxes(page: Page) -> None:
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
        while i >= 0 and i not in done and hint[i] != BODY and tag[i] not in ROOT_TAGS and small(i):
            done.add(i)
            box, i = i, parent[i]
        if box >= 0 and bend[box] > bstart[box]:  # words around the field: a box
            hint[box] = NEGATIVE
    holders: dict[int, list[int]] = {}
    for i in page.e_media:
        if tag[i] in TEXT_UNITS or hint[i] == BODY:
            continue  # an image inside a paragraph (an emoji, an inline figure)
        n = bend[i] - bstart[i]
        if 1 <= n <= 2 and sum(len(texts[b]) for b in range(bstart[i], bend[i])) < CAPTION_TEXT:
            holders.setdefault(parent[i], []).append(i)
    for items in holders.values():
        if len(items) >= GALLERY_RUN:
            for i in items:
                hint[i] = NEGATIVE


def weights_of(page: Page) -> list[float]:
    """Per block: how much it looks like article prose (negative: furniture)."""
    out: list[float] = []
    for text, link, kind in zip(page.texts, page.links, page.b_kind, strict=True):
        n = len(text)
        if kind and kind < LIST_ITEM:
            out.append(0.0)
        elif link * 2 > n:
            if kind == 0 and is_sentence(text):
                out.append(0.0)
            else:
                out.append(-min(0.6 * n + 10, LINK_CAP))
        elif (n > 40 and looks_like_code(text)) or is_junk(text):
            out.append(-min(0.6 * n + 10, LINK_CAP))
        else:
            prose = float(n - link)
            if prose > 8 and not text.isascii() and UNSPACED.search(text):
                # A character of a script without spaces carries about a word's worth; only
                # those characters weigh more (a Japanese footer with an English copyright
                # line is not three times its length).
                unspaced = len(UNSPACED.findall(text))
                prose += (UNSPACED_WEIGHT - 1) * min(unspaced, prose)
            w = prose - LINK_MULT * link - 25
            if kind == LIST_ITEM and link:
                w -= 10
            out.append(float(max(w, -LINK_CAP)))
    return out
