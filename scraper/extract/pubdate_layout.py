"""Where a date sits on the page: the headline, the article, furniture around them, and
the order in which dates seen near the headline are taken."""

from __future__ import annotations

import re
from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser, LexborNode

from .dates import ParsedDate
from .pubdate_evidence import (
    BODY,
    CONTENT_TAGS,
    FAR_AWAY,
    HARD,
    HARD_OUT,
    HARD_TAGS,
    HEADLINE_MARKUP,
    OK,
    SIDE,
    SOFT,
    SOFT_OUT,
    Found,
)

# --------------------------------------------------------------------------- page layout


class Layout:
    """The page seen from its headline.

    ``place(node)`` tells whether a node's dates may be the article's, judging the regions
    between the node and the smallest region it shares with the headline (a comment thread,
    a teaser box, a sidebar, site chrome), and how far up from the headline they meet.
    """

    FAR = 99

    def __init__(self, tree: LexborHTMLParser, titles: list[str]) -> None:
        self.titles = titles
        self.headline = _headline(tree, titles)
        self.levels: dict[int, int] = {}
        self.article_level: int | None = None
        node = self.headline
        level = 0
        while node is not None and node.tag not in ("html", "-document"):
            self.levels[node.mem_id] = level
            if self.article_level is None and node.tag in CONTENT_TAGS:
                self.article_level = level
            node = node.parent
            level += 1
        # Regions that join the headline's only at <body> or its outermost wrapper are the
        # page's, not the article's.
        self.page_level = level - 2
        self._cache: dict[int, tuple[int, int, bool]] = {}

    @property
    def scope(self) -> LexborNode | None:
        """The region holding everything that counts as near the headline."""
        if self.headline is None:
            return None
        top = self.article_level if self.article_level is not None else 0
        top = max(top, self.page_level - 1)
        node: LexborNode | None = self.headline
        for _ in range(top):
            if node is None or node.parent is None:
                break
            node = node.parent
        return node

    @property
    def headline_id(self) -> int | None:
        return self.headline.mem_id if self.headline is not None else None

    def place(self, node: LexborNode) -> tuple[int, int]:
        """(verdict, level): verdict is OK, SOFT_OUT (a sidebar, the site header or
        footer) or HARD_OUT (comments, teasers, navigation); level is where the node's
        region meets the headline's (``FAR`` when it never does)."""
        state = self._state(node)
        return state[0], state[1]

    def _state(self, node: LexborNode) -> tuple[int, int, bool]:
        """(verdict, level, inside an article) of ``node``, computed top-down along the path
        from the region shared with the headline, with every step cached."""
        path: list[LexborNode] = []
        top: tuple[int, int, bool] | None = None
        current: LexborNode | None = node
        while current is not None:
            key = current.mem_id
            cached = self._cache.get(key)
            if cached is not None:
                top = cached
                break
            joined = self.levels.get(key)
            if joined is not None:
                in_article = self.article_level is not None and joined <= self.article_level
                top = (OK, joined, in_article)
                break
            if current.tag in ("body", "html", "-document"):
                break
            path.append(current)
            current = current.parent
        verdict, level, in_article = top if top is not None else (OK, self.FAR, False)
        # Right next to the headline, a class name ("teaser-meta") says nothing.
        by_class = level > 1
        for step in reversed(path):  # from the outermost region down to the node
            if verdict != HARD_OUT:
                verdict = max(verdict, _judge(step, in_article, by_class))
            if step.tag in CONTENT_TAGS:
                in_article = True
            self._cache[step.mem_id] = (verdict, level, in_article)
        return verdict, level, in_article

    def near(self, level: int) -> bool:
        """Whether a region meeting the headline at ``level`` is the headline's article."""
        if self.headline is None:
            return True
        if self.article_level is not None and level <= self.article_level:
            return True
        return level < self.page_level


def _judge(node: LexborNode, in_article: bool, by_class: bool) -> int:
    """What one region says about the dates inside it."""
    tag = node.tag or ""
    if tag in HARD_TAGS:
        return HARD_OUT
    verdict = OK
    if tag == "aside" or (tag in ("footer", "header") and not in_article):
        verdict = SOFT_OUT
    if not by_class:
        return verdict
    attrs = node.attributes
    names = f"{attrs.get('class') or ''} {attrs.get('id') or ''}"
    if len(names) < 3 or _OWN.search(names):
        return verdict
    if HARD.search(names):
        return HARD_OUT
    if SOFT.search(names):
        return SOFT_OUT
    return verdict


_OWN = re.compile(
    r"entry-(?:meta|date|header)|post-(?:meta|date|info)|article-(?:meta|date|header|info)",
    re.IGNORECASE,
)


def _headline(tree: LexborHTMLParser, titles: list[str]) -> LexborNode | None:
    """The article's headline: an <h1> inside <article>/<main>, else the <h1> with the
    longest text (a logo's <h1> is short), else a marked-up headline, else the h2/h3 that
    repeats the page title."""
    h1s = [(h, _length(h)) for h in tree.css("h1")[:8]]
    h1s = [(h, n) for h, n in h1s if n]
    if h1s:
        for h, _ in h1s:
            if _inside(h, CONTENT_TAGS):
                return h
        return max(h1s, key=lambda item: min(item[1], 40))[0]
    marked = [h for h in tree.css(HEADLINE_MARKUP)[:4] if _length(h)]
    return marked[0] if marked else _titled_heading(tree, titles)


def _length(node: LexborNode) -> int:
    return len((node.text(deep=True) or "").strip())


def _titled_heading(tree: LexborHTMLParser, titles: list[str]) -> LexborNode | None:
    """Without an <h1>: the first h2/h3 whose text is the page's title."""
    wanted = [" ".join(t.split()).casefold() for t in titles if t]
    if not wanted:
        return None
    for node in tree.css("h2, h3")[:40]:
        text = " ".join((node.text(deep=True) or "").split()).casefold()
        if len(text) >= 10 and any(text in title for title in wanted):
            return node
    return None


def _inside(node: LexborNode, tags: frozenset[str]) -> bool:
    current = node.parent
    while current is not None:
        if current.tag in tags:
            return True
        current = current.parent
    return False


@dataclass(slots=True)
class Seen:
    parsed: ParsedDate
    modified: bool | None  # None: only a class name says "updated"
    level: int
    after: bool
    index: int
    verdict: int
    shown: bool = True
    labelled: bool = False  # "Published ..." right before it


def _ordered(seen: list[Seen]) -> list[Seen]:
    """Closest to the headline first: smallest shared region, then right after it, then
    right before it."""
    return sorted(seen, key=lambda s: (s.level, not s.after, s.index if s.after else -s.index))


def add_seen(seen: list[Seen], layout: Layout, found: Found, source: str, rank: int) -> None:
    """Adds page-element dates closest-first: ``rank`` near the headline, lower further
    away or in a side region."""
    for item in _ordered(seen):
        near = rank if layout.near(item.level) else FAR_AWAY
        item_rank = SIDE if item.verdict == SOFT_OUT else near
        visible = item.shown and item.verdict == OK
        if item.modified is None:  # "updated" by class only: modified, and a last resort
            found.add(item.parsed, source, item_rank, modified=True, visible=visible)
            found.add(item.parsed, source, BODY, visible=visible)
            continue
        found.add(
            item.parsed,
            source,
            item_rank,
            modified=item.modified,
            visible=visible,
            labelled=item.labelled and not item.modified,
        )
