"""What the reading room says about the archive's tables and columns: the descriptions written
as ``--`` comments in ``schema.sql`` (the same text as ``docs/schema.md``) and the columns of
the ``article_list`` view, read by Datasette's metadata (``serve``) and the ``/-/docs`` page."""

from __future__ import annotations

import re

from ..store import schema_sql

VIEW_COLUMNS = {
    "site": "host of the site (sites.name)",
    "section": "main category (the first one on the page)",
    "categories": "all category names, a JSON list (facet: array)",
    "tags": "tag names, a JSON list (facet: array)",
    "authors": "author names in byline order, a JSON list (facet: array)",
    "month": "publication month, YYYY-MM (the site's local time)",
}


def schema_descriptions() -> dict[str, tuple[str, dict[str, str]]]:
    """table -> (description, {column: description}) from the comments in schema.sql."""
    text = schema_sql()
    out: dict[str, tuple[str, dict[str, str]]] = {}
    pending = ""
    table: str | None = None
    for line in text.splitlines():
        if line.startswith("-- table:"):
            pending = line.removeprefix("-- table:").strip()
            continue
        created = re.match(r"CREATE (?:VIRTUAL )?(?:TABLE|VIEW) IF NOT EXISTS (\w+)", line)
        if created:
            table = created.group(1)
            out[table] = (pending, {})
            pending = ""
            continue
        if table and line.startswith((")", ");")):
            table = None
            continue
        column = re.match(r"\s+(\w+)\b[^-]*?(?:,)?\s*-- (.+)$", line)
        if table and column and column.group(1).upper() not in ("PRIMARY", "UNIQUE"):
            out[table][1][column.group(1)] = column.group(2).strip()
    return out
