"""A second opinion on an article's body: trafilatura's, asked for the rare page where our own
analysis (:mod:`scraper.extract.content`) finds next to nothing or much less than the page
holds, and the checks that decide whether to take it."""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser

from .flatten import FALLBACK_MAX_HTML, SECOND_COVER, is_junk

_WORD = re.compile(r"\w+")


def covers(other: str, text: str) -> bool:
    """Whether ``other`` holds most of the distinct words of ``text``."""
    ours = set(_WORD.findall(text.lower()))
    if not ours:
        return True
    theirs = set(_WORD.findall(other.lower()))
    return len(ours & theirs) >= SECOND_COVER * len(ours)


def swallowed_page(tree: LexborHTMLParser) -> LexborHTMLParser | None:
    """A ``<title>`` left open turns the rest of the document into title text (browsers
    agree). When the body is empty and the title holds markup, parse that markup."""
    title = tree.css_first("title")
    raw = title.text() if title is not None else ""
    if len(raw) < 1000 or "<" not in raw:
        return None
    return LexborHTMLParser(raw[raw.find("<") :])


def second_opinion(
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
        if line and line not in seen and not is_junk(line):
            seen.add(line)
            out.append(line)
    return "\n\n".join(out)
