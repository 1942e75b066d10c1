"""The article body: turning a content node into clean paragraphs, and finding that node.

``node_text`` is shared by every extraction path (site profile and generic): block elements
become paragraphs separated by one blank line, headings and list items are their own
paragraphs, a double ``<br>`` starts a paragraph, and images, scripts and forms contribute
nothing.

``main_text`` finds the body of a page without a profile:

1. The page is flattened once, in document order, into text blocks (one per paragraph-like
   element) while a table of elements keeps, for each element, its parent, the range of
   blocks and elements below it, and what its markup says about it (class/id/role/itemprop
   hints, see :mod:`.boilerplate`; a block element without text weighs nothing, and its
   markup is not read).
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

from selectolax.lexbor import LexborHTMLParser

from .boilerplate import (
    BODY,
    DISCUSSION,
    NEGATIVE,
    NEUTRAL,
    POSITIVE,
    WEAK,
    is_chrome_line,
)
from .flatten import (
    ASSEMBLE_AGAINST,
    ASSEMBLE_HEADING,
    ASSEMBLE_MIN,
    ASSEMBLE_STEPS,
    BODY_BONUS,
    DECAY,
    DISCUSSION_PENALTY,
    FALLBACK_CHARS,
    FRAGMENT_MIN,
    FRAGMENT_STEPS,
    LINK_CAP,
    LINKED_ITEM_MIN,
    LINKED_ITEM_OWN,
    LIST_ITEM,
    MISSED_CHARS,
    MISSED_SHARE,
    NEG_FACTOR,
    NEG_PENALTY,
    OVERRULE_MIN,
    OVERRULE_SHARE,
    OWN_NEG_PENALTY,
    POS_BONUS,
    ROOT_TAGS,
    SECOND_LONGER,
    SEPARATORS,
    TEASER_END,
    TEXT_UNITS,
    UNSPACED,
    UNSPACED_WEIGHT,
    WEAK_KEEP,
    WEAK_PENALTY,
    WIDEN_ADD,
    WIDEN_RATIO,
    WIDEN_STEPS,
    Page,
    flatten_page,
    is_junk,
    is_sentence,
    looks_like_code,
    mark_boxes,
    node_text,
    weights_of,
)
from .lists import list_of, mixed_lists
from .second_opinion import covers, second_opinion, swallowed_page
from .tables import body_text, cell_of, in_data_table

__all__ = ["main_text", "node_text"]

# Float sums of the same non-negative weights in another order differ by less than this
# share (n * 2**-52 for n elements, n < MAX_NODES).
ROUNDING = 1e-9


# --------------------------------------------------------------------------- main text
def _choose(page: Page, weights: list[float]) -> tuple[int, list[float]]:
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


def _overrule(page: Page, own: list[float]) -> None:
    """Furniture names do not hold the article: an element named as furniture (not as
    comments) that holds most of the page's prose is the article after all (an issue of
    a newsletter, a post in a "promo" layout). Its hint, and that of furniture-named
    wrappers around it, becomes neutral. ``own`` is each element's own block weight.
    Only names are overruled: tags (``<footer>``, ``<aside>``), hidden elements and
    landmark roles stay furniture."""
    hint, parent = page.e_hint, page.e_parent
    n_el = len(hint)
    # Only where furniture holds most of the prose: otherwise the article is elsewhere.
    under = bytearray(n_el)
    free = 0.0
    for i in range(n_el):
        p = parent[i]
        under[i] = 1 if hint[i] <= NEGATIVE or (p >= 0 and under[p]) else 0
        if not under[i]:
            free += own[i]
    # The page's prose is the sum of the elements' own weights (summed in another order
    # below): where that settles the question, the subtree sums are not needed.
    rough = sum(own) * (1 + ROUNDING)
    if rough < OVERRULE_MIN or free >= (1 - OVERRULE_SHARE) * rough:
        return
    total = [0.0] * n_el
    for i in range(n_el - 1, -1, -1):
        total[i] += own[i]
        p = parent[i]
        if p >= 0:
            total[p] += total[i]
    page_prose = sum(total[i] for i in range(n_el) if parent[i] < 0)
    if page_prose < OVERRULE_MIN or free >= (1 - OVERRULE_SHARE) * page_prose:
        return
    for i in range(n_el):
        if (
            hint[i] == NEGATIVE
            and i in page.e_named  # not a <footer>, a hidden copy or a landmark role
            and total[i] >= OVERRULE_SHARE * page_prose
        ):
            hint[i] = NEUTRAL


def _widen(page: Page, core: int, pos: list[float]) -> int:
    """The nearest article-body ancestor of ``core`` if there is one close above it.

    The best-weighted subtree can be one paragraph of an article whose other parts are
    lists of links (a deals roundup, a list of headlines): markup that names the article
    body knows better.
    """
    hint, parent, tag = page.e_hint, page.e_parent, page.e_tag
    # A paragraph is a unit of text, not a container: its siblings belong to the story.
    while tag[core] in TEXT_UNITS and parent[core] >= 0 and hint[parent[core]] >= 0:
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


def _assemble(page: Page, core: int, under: bytearray, title: str) -> int:
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
        if up < 0 or tag[up] in ROOT_TAGS or hint[up] < NEUTRAL:
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


def _is_gap(page: Page, el: int, under: bytearray) -> bool:
    """Whether element ``el`` shows no text outside furniture (an image, an ad slot)."""
    b_elem = page.b_elem
    return el >= 0 and all(under[b_elem[b]] for b in range(page.e_bstart[el], page.e_bend[el]))


def _added(page: Page, blocks: Iterable[int], under: bytearray, title: str) -> tuple[float, float]:
    """(prose, cost) of blocks that assembly would add: sentences for, and against them
    headings other than the headline, link lists, "Read more" teasers, short labels."""
    texts, links, kinds, b_elem = page.texts, page.links, page.b_kind, page.b_elem
    prose = cost = 0.0
    for b in blocks:
        if under[b_elem[b]]:
            continue
        text, n, kind = texts[b], len(texts[b]), kinds[b]
        if 0 < kind < LIST_ITEM:
            if not (title and n < 300 and text.lower() in title):
                cost += ASSEMBLE_HEADING
        elif links[b] * 2 > n:
            cost += min(n, LINK_CAP)
        elif links[b] and TEASER_END.search(text):
            cost += min(n, LINK_CAP)  # "... Read more"
        elif is_sentence(text):
            prose += n * UNSPACED_WEIGHT if UNSPACED.search(text) else n
        elif n < 60:
            cost += 10  # a date, a byline, a label
    return prose, cost


def _fragments(page: Page, container: int, pos: list[float], chosen: int) -> list[int]:
    """The container, plus the other article-body fragments next to it.

    Sites split a body into several marked-up pieces (``p[itemprop=articleBody]`` each, or
    ``div.article-body`` sections between ad slots); when the container is such a piece (or
    was ``chosen`` as one before being widened to its wrapper), its marked-up siblings and
    cousins a few levels around it belong to the story too.
    """
    hint, parent, eend, tag = page.e_hint, page.e_parent, page.e_eend, page.e_tag
    piece = container if hint[container] == BODY else chosen
    if hint[piece] != BODY:
        return [container]
    top = piece
    # A wrapper named like furniture around a body piece ("sidebar-grid__container") is
    # layout: climbed through, and its siblings of the same tag are looked into as well.
    layout: set[tuple[int, str]] = set()
    for _ in range(FRAGMENT_STEPS):
        up = parent[top]
        if up < 0 or hint[up] < NEGATIVE:
            break
        if hint[up] == NEGATIVE:
            if up not in page.e_named:
                break
            layout.add((parent[up], tag[up]))
        top = up
    found = [container]
    i, end = top + 1, eend[top]
    while i < end:
        if i in (container, piece):
            i = eend[i]
            continue
        h = hint[i]
        if h <= NEGATIVE:
            named_layout = h == NEGATIVE and (parent[i], tag[i]) in layout and i in page.e_named
            i = i + 1 if named_layout else eend[i]
        elif h == BODY and not (i < container < eend[i]) and pos[i] >= FRAGMENT_MIN:
            found.append(i)
            i = eend[i]
        else:
            i += 1
    return sorted(found)


def _select(page: Page, containers: list[int], pos: list[float], title: str) -> list[int]:
    """The containers' blocks minus furniture, in order (block indexes)."""
    tag, hint = page.e_tag, page.e_hint
    eend = page.e_eend
    # Furniture below a container: mark its elements (pre-order ranges). Weak furniture
    # that holds real prose (a "post-meta" div around the whole post) stays.
    pruned = bytearray(len(tag))
    soft = page.e_soft
    tables: dict[int, bool] = {}
    blocks: list[int] = []
    for container in containers:
        keep_weak = max(WEAK_KEEP, 0.25 * pos[container])
        i, el_end = container + 1, eend[container]
        while i < el_end:
            h = hint[i]
            if h <= NEGATIVE or (
                h == WEAK
                and not in_data_table(page, i, tables)  # a weak name on a cell styles it
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
    mixed = mixed_lists(page, blocks)
    for b in blocks:
        e = b_elem[b]
        if pruned[e]:
            continue
        text = texts[b]
        n = len(text)
        if (
            links[b] * 2 > n
            and not (links[b] < 20 and n < 40 and kinds[b] != LIST_ITEM)
            and not (kinds[b] == LIST_ITEM and list_of(page, e) in mixed)
            and not (kinds[b] == 0 and is_sentence(text))
            and not (
                n >= LINKED_ITEM_MIN
                and n - links[b] >= LINKED_ITEM_OWN * n
                and SEPARATORS.search(text) is None  # "Home | News | Sport", "Source | date"
            )
        ):
            continue
        if is_chrome_line(text) or (n > 40 and looks_like_code(text)) or is_junk(text):
            continue
        if text in seen and cell_of(page, e)[0] < 0:  # a table repeats values, a page not
            continue
        seen.add(text)
        keep.append(b)
    # The headline (and anything else before the first real paragraph that repeats the
    # page title, quoted or punctuated otherwise) is not body.
    out: list[int] = []
    started = False
    plain_title = _plain(title)
    for b in keep:
        text = texts[b]
        kind = kinds[b]
        if not started:
            if kind == 1:
                continue
            if title and len(text) < 300 and _repeats(text, title, plain_title):
                continue
            if kind == 0 and len(text) >= 120:
                started = True
        out.append(b)
    # Headings with nothing after them (a "Related" title whose list went) go too.
    while out and 0 < kinds[out[-1]] < LIST_ITEM:
        out.pop()
    return out


_NOT_WORD = re.compile(r"[\W_]+")


def _plain(text: str) -> str:
    """Lowercase words only, one space apart: a headline with other quotes or dashes."""
    return " ".join(_NOT_WORD.sub(" ", text.lower()).split())


def _repeats(text: str, title: str, plain_title: str) -> bool:
    """Whether a block's ``text`` is (part of) the page's title."""
    if text.lower() in title:
        return True
    plain = _plain(text)  # whole words of it, two at least: not a "Q." of "Q&A: ..."
    return " " in plain and f" {plain} " in f" {plain_title} "


def _under_furniture(page: Page) -> bytearray:
    """Per element: 1 if it or an ancestor is furniture (one pass in pre-order)."""
    hint, parent = page.e_hint, page.e_parent
    under = bytearray(len(hint))
    for i, h in enumerate(hint):
        p = parent[i]
        under[i] = 1 if h <= NEGATIVE or (p >= 0 and under[p]) else 0
    return under


def _holds_table(page: Page, el: int) -> bool:
    """Whether element ``el`` is a figure, or a folded box (``<details>``), around a table:
    a data table is content, whatever folds it away."""
    tag = page.e_tag
    return tag[el] in ("figure", "details") and "table" in tag[el + 1 : page.e_eend[el]]


def _only_headings(page: Page, el: int) -> bool:
    """Whether element ``el`` holds text and all of it is headings."""
    kinds = page.b_kind
    start, end = page.e_bstart[el], page.e_bend[el]
    return start < end and all(0 < kinds[b] < LIST_ITEM for b in range(start, end))


def _prose_missed(page: Page, weights: list[float], taken: list[int], under: bytearray) -> bool:
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
            and is_sentence(text)
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
    prov: dict[str, str] | None = None,
) -> str:
    """The body text of an article page without a profile (generic heuristics).

    ``title`` (the headline, when the caller knows it) keeps the headline out of the body;
    without it the page's og:title / <title> serves. ``expected_chars`` is the length of
    the body the publisher declares (JSON-LD ``articleBody``), if any: a body much shorter
    than that is checked against a second opinion. ``html``, the source ``tree`` was
    parsed from, spares serializing it again for that. Never raises. Does not modify
    ``tree`` (the caller may run it last either way). ``prov["body"]`` gets the source:
    ``heuristic``, or ``trafilatura-fallback`` when the second opinion was taken.
    """
    if prov is not None:
        prov["body"] = "heuristic"
    incomplete = False
    try:
        found = _main_text(tree, title)
        if found is None:  # the page swallowed by an unclosed <title>: read it again
            swallowed = swallowed_page(tree)
            found = _main_text(swallowed, title) if swallowed is not None else None
        text, incomplete = found if found is not None else (None, False)
    except Exception:  # the contract: never raise over a bad page
        text = ""
    if text is None:  # no readable text at all: nothing to ask a second opinion about
        return ""
    if len(text) < FALLBACK_CHARS:
        other = second_opinion(tree, url, html)
        if len(other) > len(text):
            return _fallback(prov, other)
        return text
    if incomplete or len(text) < MISSED_SHARE * expected_chars:
        other = second_opinion(tree, url, html, fast=True)
        if len(other) > SECOND_LONGER * len(text) and covers(other, text):
            return _fallback(prov, other)
    return text


def _fallback(prov: dict[str, str] | None, text: str) -> str:
    if prov is not None:
        prov["body"] = "trafilatura-fallback"
    return text


def _main_text(tree: LexborHTMLParser, title: str | None = None) -> tuple[str, bool] | None:
    """Our own analysis: the body text ("" if the page has no article text) and whether
    the page holds much more prose than it; None if the page has no readable text at all
    (nothing, or only binary junk)."""
    root = tree.body or tree.root
    if root is None:
        return None
    page = flatten_page(root, analyse=True)
    if not page.texts or all(map(is_junk, page.texts)):
        return None
    mark_boxes(page)
    weights = weights_of(page)
    container, pos = _choose(page, weights)
    if container < 0:
        return "", False
    chosen, container = container, _widen(page, container, pos)
    under = _under_furniture(page)
    headline = " ".join(title.split()).lower() if title else _head_title(tree)
    content_root = _assemble(page, container, under, headline)
    containers = (
        [content_root] if content_root != container else _fragments(page, container, pos, chosen)
    )
    taken = _select(page, containers, pos, headline)
    return body_text(page, taken), _prose_missed(page, weights, taken, under)
