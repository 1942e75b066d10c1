"""Stories for people: the largest clusters with each copy's site, delay and kind
(``scraper stories``), and "the same story elsewhere" of one article (``scraper show``,
the reading room's article page)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ..urls import display

if TYPE_CHECKING:
    from ..store import Store
    from ..store.stories import StoryMember

__all__ = ["copies_of", "delay", "largest", "story_lines"]


def _instant(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def delay(first: str | None, then: str | None) -> float | None:
    """Hours from ``first`` to ``then`` (ISO instants), None when either is unknown."""
    a, b = _instant(first), _instant(then)
    if a is None or b is None:
        return None
    return round((b - a).total_seconds() / 3600, 2)


def _member(member: StoryMember, first: StoryMember) -> dict[str, Any]:
    return {
        "id": member.article_id,
        "site": member.site,
        "url": member.url,
        "language": member.language,
        "title": member.title,
        "published_at": member.published_at,
        "delay_hours": delay(first.when, member.when),
        "kind": member.kind,
        "similarity": member.similarity,
        "containment": member.containment,
        "credit": member.credit,
    }


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
                "members": [_member(m, first) for m in members],
            }
        )
    return out


def copies_of(store: Store, article_id: int) -> list[dict[str, Any]]:
    """The other articles of an article's story ("the same story elsewhere"), earliest
    first, each with its site, time, delay after the story's first and kind."""
    story = store.story_of(article_id)
    if story is None:
        return []
    members = store.story_members(story)
    if len(members) < 2:
        return []
    return [_member(m, members[0]) for m in members if m.article_id != article_id]


def _hours(value: float | None) -> str:
    if value is None:
        return "    ?"
    sign = "-" if value < 0 else "+"
    minutes = round(abs(value) * 60)
    if minutes >= 48 * 60:
        return f"{sign}{minutes // 1440}d"
    return f"{sign}{minutes // 60}:{minutes % 60:02d}"


def story_lines(story: dict[str, Any]) -> list[str]:
    """A story as text lines: a heading, then one line per member."""
    credit = f" · {story['credit']}" if story["credit"] else ""
    head = (
        f"story {story['story_id']} · {story['size']} articles · {len(story['sites'])} sites"
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
