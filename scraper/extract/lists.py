"""Lists in the body: a list of things (some of them linked) is content; a list of links is
a box of related links. Pure, over a flattened page."""

from __future__ import annotations

from .flatten import LIST_ITEM, MIXED_PLAIN, MIXED_SHARE, Page


def list_of(page: Page, el: int) -> int:
    """The list (``ul``/``ol``) a list item's block is in, or -1."""
    tag, parent = page.e_tag, page.e_parent
    for _ in range(3):  # the item's text may sit in a paragraph or two inside the li
        if el < 0:
            return -1
        if tag[el] == "li":
            up = parent[el]
            return up if up >= 0 and tag[up] in ("ul", "ol") else -1
        el = parent[el]
    return -1


def mixed_lists(page: Page, blocks: list[int]) -> set[int]:
    """Lists whose items are partly plain text: a checklist or a reading list where some
    entries are linked, not a box of links. There the linked entries are content too."""
    plain: dict[int, int] = {}
    total: dict[int, int] = {}
    for b in blocks:
        if page.b_kind[b] != LIST_ITEM:
            continue
        lst = list_of(page, page.b_elem[b])
        if lst >= 0:
            total[lst] = total.get(lst, 0) + 1
            if page.links[b] * 2 <= len(page.texts[b]):
                plain[lst] = plain.get(lst, 0) + 1
    return {
        lst for lst, n in total.items() if plain.get(lst, 0) >= max(MIXED_PLAIN, MIXED_SHARE * n)
    }
