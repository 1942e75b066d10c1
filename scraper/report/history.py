"""Revision history of an article: list its versions and diff any two.

Versions come from ``Store.history`` (older ones from the ``revisions`` table, the last one is
the current article). A version is compared as text: its title, subtitle, dates, categories
and tags, then its body one paragraph per line.
"""

from __future__ import annotations

import difflib
from typing import Any

from .._exceptions import HistoryError

CURRENT = ("current", "latest", "head")


def resolve(versions: list[dict[str, Any]], label: str) -> dict[str, Any]:
    """The version called ``label``: a revision number, or current/latest."""
    if label.strip().lower() in CURRENT:
        return versions[-1]
    try:
        number = int(label)
    except ValueError:
        raise HistoryError(f"not a revision: {label!r} (a number or 'current')") from None
    if number < 0:  # -1 = the one before the current version, like a list index
        if -number >= len(versions):  # len(versions) - 1 versions come before the current
            earlier = len(versions) - 1
            raise HistoryError(
                f"no revision {number}: {earlier} earlier version{'s' * (earlier != 1)}"
            )
        return versions[number - 1]
    for version in versions:
        if version["revision"] == number:
            return version
    known = ", ".join(str(v["revision"]) for v in versions)
    raise HistoryError(f"no revision {number} (known: {known})")


def version_lines(version: dict[str, Any]) -> list[str]:
    """A version as lines of text, for a diff."""
    lines = [
        f"title: {version.get('title') or ''}",
        f"subtitle: {version.get('subtitle') or ''}",
        f"published_at: {version.get('published_at') or ''}",
        f"modified_at: {version.get('modified_at') or ''}",
        f"categories: {', '.join(version.get('categories') or [])}",
        f"tags: {', '.join(version.get('tags') or [])}",
        "",
    ]
    body = version.get("body") or ""
    lines += [p.strip() for p in body.split("\n") if p.strip()]
    return lines


def diff(versions: list[dict[str, Any]], old: str, new: str, *, context: int = 3) -> str:
    """Unified diff from version ``old`` to version ``new`` ('' when they are equal)."""
    a, b = resolve(versions, old), resolve(versions, new)
    return "".join(
        line + ("\n" if not line.endswith("\n") else "")
        for line in difflib.unified_diff(
            version_lines(a),
            version_lines(b),
            fromfile=_label(a),
            tofile=_label(b),
            n=context,
            lineterm="",
        )
    )


def _label(version: dict[str, Any]) -> str:
    state = "current" if version["current"] else f"until {version['until']}"
    return f"revision {version['revision']} ({state})"


def render(url: str, versions: list[dict[str, Any]]) -> str:
    """The version list as text."""
    lines = [f"{url}: {len(versions)} version{'s' if len(versions) != 1 else ''}"]
    for v in versions:
        words = len((v.get("body") or "").split())
        until = "current" if v["current"] else f"until {v['until']}"
        lines.append(
            f"  {v['revision']:>3}  from {v['from']}  {until:<31} {words:>6} words  "
            f"{v['content_hash'][:10]}  {v.get('title') or ''}"
        )
    return "\n".join(lines) + "\n"
