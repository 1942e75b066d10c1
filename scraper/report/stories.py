"""Stories for people: the largest clusters with each copy's site, delay and kind
(``scraper stories``). "The same story elsewhere" of one article (``scraper show``, the
reading room) is ``Store.story_copies``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..store.stories import member_dict
from ..urls import display

if TYPE_CHECKING:
    from ..store import Store

__all__ = ["largest", "story_lines"]


def largest(
    store: Store, *, limit: int = 20, site: str | None = None, min_size: int = 2
) -> list[dict[str, Any]]:
    """The largest stories, JSON-ready: id, size, sites, first appearance, credit, and each
    member with its site, delay after the first (hours), kind and similarity."""
    out = []
    for story in store.largest_stories(limit=limit, site=site, min_size=min_size):
        members = story["members"]
        first = members[0]
        credits = [m.credit for m in members if m.credit]
        out.append(
            {
                "story_id": story["story_id"],
                "size": story["size"],
                "sites": sorted({m.site for m in members}),
                "first_published": first.published_at,
                "first_site": first.site,
                "title": first.title,
                "credit": max(set(credits), key=credits.count) if credits else None,
                "members": [member_dict(m, first) for m in members],
            }
        )
    return out


def _hours(value: float | None) -> str:
    if value is None:
        return "    ?"
    sign = "-" if value < 0 else "+"
    minutes = round(abs(value) * 60)
    if minutes >= 48 * 60:
        return f"{sign}{minutes // 1440}d"
    return f"{sign}{minutes // 60}:{minutes % 60:02d}"


def _sites(count: int) -> str:
    return f"{count} site" if count == 1 else f"{count} sites"


def story_lines(story: dict[str, Any]) -> list[str]:
    """A story as text lines: a heading, then one line per member."""
    credit = f" · {story['credit']}" if story["credit"] else ""
    head = (
        f"story {story['story_id']} · {story['size']} articles · {_sites(len(story['sites']))}"
        f"{credit} · first {(story['first_published'] or '?')[:16]} on {story['first_site']}"
    )
    lines = [head, f"  {story['title'] or ''}"]
    for m in story["members"]:
        similarity = f"{m['similarity']:.2f}" if m["similarity"] is not None else "    "
        lines.append(
            f"  {_hours(m['delay_hours']):>7}  {m['kind']:<9} {similarity}  {m['site']}"
            f"  {display(m['url'])}"
        )
    return lines
