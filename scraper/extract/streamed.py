"""Pages streamed in pieces: put each piece where the page's script would.

React's streaming server rendering (Next.js and others) sends a page's shell first, with a
placeholder (``<template id="B:0">``, or ``P:0`` inside a part) where a part is not ready,
and the part later, at the end of the body, in a hidden element (``<div hidden id="S:0">``)
that a tiny script moves into place (``$RC("B:0","S:0")``, ``$RS("S:1","P:1")``). A browser
shows the article in order; the raw HTML has its sections at the end, hidden, and out of
order. :func:`resolve` does the script's work
on the parsed tree, so extraction reads the page as it is shown. Pure, in place.
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser, LexborNode

MARKER = 'id="S:'  # a page without it has nothing streamed: the check costs one scan
_BOUNDARY = re.compile(r"""\$RC\(\s*["'](B:[0-9a-zA-Z]+)["']\s*,\s*["'](S:[0-9a-zA-Z]+)["']""")
_SEGMENT = re.compile(r"""\$RS\(\s*["'](S:[0-9a-zA-Z]+)["']\s*,\s*["'](P:[0-9a-zA-Z]+)["']""")
MAX_PIECES = 2000


def resolve(tree: LexborHTMLParser, html: str) -> int:
    """Move each streamed piece into its placeholder; returns how many were moved. The
    pairs come from the page's ``$RC`` calls, else by number (``S:n`` into ``B:n``)."""
    if MARKER not in html:
        return 0
    pairs = {s: b for b, s in _BOUNDARY.findall(html)}
    pairs.update(_SEGMENT.findall(html))
    waiting = tree.css('div[hidden][id^="S:"]')[:MAX_PIECES]
    moved = 0
    while waiting:  # a piece's placeholder may be inside a piece still waiting
        left = []
        for piece in waiting:
            ident = piece.attributes.get("id") or ""
            placeholder = _placeholder(tree, pairs.get(ident), ident[2:])
            if placeholder is None:
                left.append(piece)
                continue
            for child in list(piece.iter(include_text=True)):
                placeholder.insert_before(child)
            placeholder.decompose()
            piece.decompose()
            moved += 1
        if len(left) == len(waiting):
            break
        waiting = left
    return moved


def _placeholder(tree: LexborHTMLParser, named: str | None, number: str) -> LexborNode | None:
    """Where a piece goes: the placeholder its script names, else the boundary (``B:n``)
    or segment (``P:n``) placeholder of the same number."""
    for target in (named, "B:" + number, "P:" + number):
        if target:
            found = tree.css_first(f'template[id="{target}"]')
            if found is not None:
                return found
    return None
