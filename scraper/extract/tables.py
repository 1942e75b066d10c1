"""Tables in the body: which ones hold data, and how they read as text.

A data table (a few short lines a cell, or several rows) is content whatever its cells'
class names say; it reads one row a line, its cells apart by a tab. A page laid out in a
table (a cell holding whole paragraphs) reads as paragraphs.
"""

from __future__ import annotations

from .flatten import DATA_CELL_BLOCKS, Page

TABLE_PARTS = frozenset({"tr", "td", "th", "tbody", "thead", "tfoot"})
DATA_TABLE_ROWS = 3  # a table of this many rows or more holds data, not a page's layout


def in_data_table(page: Page, el: int, memo: dict[int, bool]) -> bool:
    """Whether ``el`` is a row or cell of a table of several rows (its names style it);
    ``memo`` keeps the answer per table."""
    tag, parent = page.e_tag, page.e_parent
    if tag[el] not in TABLE_PARTS:
        return False
    table = el
    while table >= 0 and tag[table] != "table":
        table = parent[table]
    if table < 0:
        return False
    if table not in memo:
        rows = tag[table + 1 : page.e_eend[table]].count("tr")
        memo[table] = rows >= DATA_TABLE_ROWS
    return memo[table]


def body_text(page: Page, taken: list[int]) -> str:
    """The blocks as text: paragraphs apart by a blank line; a table's rows one line each,
    its cells apart by a tab (the blocks of one cell by a space)."""
    if "td" not in page.e_tag and "th" not in page.e_tag:  # most pages: no table at all
        return "\n\n".join(page.texts[b] for b in taken)
    parts: list[str] = []
    last = (-1, -1, -1)
    for b in taken:
        table, row, cell = where = cell_of(page, page.b_elem[b])
        text = page.texts[b]
        if table >= 0 and table == last[0]:  # the same cell, the same row, the next row
            sep = " " if cell == last[2] else "\t" if row == last[1] else "\n"
            parts[-1] += sep + text
        else:
            parts.append(text)
        last = where
    return "\n\n".join(filter(None, unique_rows(parts)))


def unique_rows(parts: list[str]) -> list[str]:
    """Each table row of several cells once: a page showing one table twice (one copy for
    narrow screens) keeps the first."""
    seen: set[str] = set()
    out = []
    for part in parts:
        if "\t" in part:
            lines = []
            for line in part.split("\n"):
                if "\t" not in line or line not in seen:
                    seen.add(line)
                    lines.append(line)
            part = "\n".join(lines)
        out.append(part)
    return out


def cell_of(page: Page, el: int) -> tuple[int, int, int]:
    """The table, row and cell (element indexes) a block's element is in, when the table
    holds data: a cell of a few lines, not a page laid out in a table; else -1s."""
    tag, parent = page.e_tag, page.e_parent
    for _ in range(4):  # a cell's text sits at most a few elements deep in it
        if el < 0:
            break
        if tag[el] in ("td", "th"):
            row = parent[el]
            if page.e_bend[el] - page.e_bstart[el] > DATA_CELL_BLOCKS or row < 0:
                break
            table = parent[row] if tag[row] == "tr" else -1
            if table >= 0 and tag[table] in ("tbody", "thead", "tfoot"):
                table = parent[table]
            return (table, row, el) if table >= 0 and tag[table] == "table" else (-1, -1, -1)
        el = parent[el]
    return -1, -1, -1
