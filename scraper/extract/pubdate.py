"""Finding when an article was published (and last modified) in its page.

Evidence is ranked, most trusted first, and every date keeps the name of its source
(``meta``, ``jsonld``, ``time``, ``profile``, ``text``, ``url``):

1. ``article:published_time`` and its kin in ``<meta>``, when the value carries an offset;
2. the JSON-LD article object's ``datePublished`` / ``dateModified``;
3. other publication ``<meta>`` (``dc.date``, ``pubdate``, values without offset), then the
   dates of a JSON-LD ``WebPage`` or ``VideoObject``;
4. ``<time>`` and ``itemprop="datePublished"`` elements of the headline's article;
5. the visible date a site profile points at (``text_selector``);
6. date lines near the headline: byline, date and meta elements, the lines around it;
7. the URL (``/2025/11/25/``, ``/20251125/``, ``?date=2025-11-25``), then the page title;
8. last resorts: dates further from the headline, a side column's date (only when it shows
   one day, not a list), the first date of the article text, the lead image's URL;
9. relative text ("منذ ساعتين", "2 hours ago"), which needs ``now``.

The headline anchors the page. A date element counts as the article's unless a region
between it and the headline's is a comment thread, a related-articles box, an embedded post,
navigation (dropped) or a sidebar or the site's header/footer (last resort). The publisher's
structured statements win, except that when they disagree with each other the one the page
(or the URL) shows is taken, a date the page labels "Published ..." near the headline wins
over a structured date of another day, a UTC timestamp yields to the local date and time the
page shows for the same instant (or to the URL's adjacent day across midnight), and a URL
date wins over a structured date days apart. A day shown without a time is completed by a
same-day timestamp. Published and modified dates are kept apart: a modified date never
stands in for a missing published one here. ``FoundDates.shown_modified`` tells the caller
when the reader sees the modified date next to the headline; :func:`scraper.extract.extract`
uses it, with ``date_source`` "updated", for a page that shows no other date.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Any

from selectolax.lexbor import LexborHTMLParser, LexborNode

from .dates import ParsedDate, fold, iter_dates, parse_date, parse_iso
from .pubdate_evidence import (
    BODY,
    BODY_CHARS,
    DATE_ELEMENTS,
    FAR_AWAY,
    HARD_OUT,
    IMAGE,
    IN_URL,
    LABELLED_CHARS,
    MAX_TEXT,
    META_NAIVE,
    META_OFFSET,
    MODIFIED_CLASS,
    MODIFIED_WORDS,
    OK,
    PROFILE,
    PUBLISHED_CLASS,
    PUBLISHED_WORDS,
    RELATIVE,
    RELATIVE_HINT,
    SIDE,
    SKIP_TEXT_PARENTS,
    STRUCTURED,
    TEXT,
    TEXT_ELEMENTS,
    TIME,
    TITLE,
    URL_COMPACT,
    URL_QUERY,
    URL_YMD,
    YEARISH,
    Candidate,
    Found,
    FoundDates,
    before_of,
)
from .pubdate_layout import (
    Layout,
    Seen,
    add_seen,
)
from .pubdate_meta import (
    from_jsonld,
    from_meta,
    has_offset,
    machine_of,
    page_lang,
)
from .structured import first_meta

__all__ = ["FoundDates", "find_dates"]

_TEXT_NODE = 2  # lexbor's tag id of a text node (tag name "-text")


def find_dates(
    tree: LexborHTMLParser,
    *,
    url: str | None,
    objects: list[dict[str, Any]],
    meta: dict[str, list[str]],
    tz: tzinfo | None = None,
    now: datetime | None = None,
    text_selector: str | None = None,
) -> FoundDates:
    """The published and modified dates of the page in ``tree``.

    ``objects`` and ``meta`` are :func:`structured.jsonld_objects` and
    :func:`structured.meta_map` of the same tree. ``tz`` is the site's zone: naive dates
    get it and aware ones are shown in it. ``now`` discards future dates and anchors relative
    ones. ``text_selector`` is a site profile's selector for the visible date.
    """
    found = Found(tz, now, [], [], page_lang(tree, meta))
    from_meta(meta, found)
    from_jsonld(objects, url, found)
    layout = Layout(tree, _titles(tree, meta))
    _from_elements(tree, layout, found)
    if text_selector:
        _from_profile(tree, text_selector, found)
    found.add(_url_date(url or ""), "url", IN_URL, visible=True)
    _from_title(layout.titles, found)
    if _unconfirmed(found):
        # Date lines of the headline's article first; the rest of the page only if needed.
        scope = layout.scope
        _from_text(scope if scope is not None else tree, layout, found, near_only=False)
        if scope is not None and found.best_rank() >= FAR_AWAY:
            _from_text(tree, layout, found, near_only=True)
    if found.best_rank() >= FAR_AWAY:
        _from_body(tree, layout, found)
        image = first_meta(meta, "og:image", "og:image:url", "twitter:image")
        found.add(_url_date(image or ""), "url", IMAGE)
    _drop_lists(found.published)
    published = _choose(found.published)
    modified = _choose(found.modified)
    pub_value = _present(published, tz)
    mod_value = _present(modified, tz)
    if pub_value is not None and mod_value is not None and before_of(mod_value, pub_value):
        mod_value = None
    shown = modified is not None and any(
        c.visible and c.rank <= TEXT and c.day == modified.day for c in found.modified
    )
    return FoundDates(
        published=pub_value,
        modified=mod_value,
        source=published.source if published else None,
        raw=published.parsed.raw if published else None,
        shown_modified=mod_value if shown else None,
        shown_modified_raw=modified.parsed.raw if shown and modified else None,
        support=len({c.source for c in found.published if published and c.day == published.day}),
        dissent=len({c.source for c in found.published if published and c.day != published.day}),
    )


def _drop_lists(candidates: list[Candidate]) -> None:
    """Dates from sidebars and the site's header/footer count only when they agree: a
    side column may carry the article's date line, but several days there are a list of
    other articles ("latest news")."""
    side_days = {c.day for c in candidates if c.rank == SIDE}
    if len(side_days) > 1:
        candidates[:] = [c for c in candidates if c.rank != SIDE]


def _unconfirmed(found: Found) -> bool:
    """Whether the page's date text is still worth reading: no date yet, or the best one is
    a structured date that no visible date confirms."""
    if not found.published:
        return True
    best = min(found.published, key=lambda c: (c.rank, c.order))
    if best.rank > TIME:
        return True
    if best.rank not in STRUCTURED:
        return False
    return best.day not in {c.day for c in found.published if c.visible}


# --------------------------------------------------------------------------- page elements


def _element_value(node: LexborNode) -> str:
    attrs = node.attributes
    for attr in ("datetime", "content", "title", "data-datetime", "data-date"):
        value = attrs.get(attr)
        if value and any(c.isdigit() for c in value):
            return value
    return _text(node) or ""


def _text(node: LexborNode) -> str | None:
    """The node's visible text with whitespace collapsed, or None when it is too long to be
    a date line."""
    raw = node.text_content if node.tag == "-text" else node.text(deep=True, separator=" ")
    if not raw:
        return None
    if len(raw) > MAX_TEXT:
        if len(raw) > 20 * MAX_TEXT:
            return None
        raw = " ".join(raw.split())
        return raw if len(raw) <= MAX_TEXT else None
    return " ".join(raw.split())


def _is_modified(node: LexborNode) -> bool | None:
    """True when markup says the node is the modified date, None when only its class says
    so (hAtom themes mark the one date they show as "updated"), else False."""
    attrs = node.attributes
    prop = (attrs.get("itemprop") or "").lower()
    if prop == "datemodified":
        return True
    if prop in ("datepublished", "datecreated") or "pubdate" in attrs:
        return False
    names = f"{attrs.get('class') or ''} {attrs.get('id') or ''}"
    if MODIFIED_CLASS.search(names) and not PUBLISHED_CLASS.search(names):
        return None
    return False


def _label_before(node: LexborNode) -> str | None:
    """The label, "modified" or "published", that the words just before an element give
    it ("Updated: <time>")."""
    prev = node.prev
    text = ""
    while prev is not None and len(text) < 40:
        piece = prev.text(deep=True) if prev.tag != "-text" else prev.text_content
        text = (piece or "") + text
        prev = prev.prev
    if not text.strip():
        return None
    folded = fold(text[-60:]).rstrip()
    if MODIFIED_WORDS.search(folded):
        return "modified"
    if PUBLISHED_WORDS.search(folded):
        return "published"
    return None


def _walk(
    root: LexborHTMLParser | LexborNode, layout: Layout, selector: str
) -> Iterable[tuple[LexborNode, bool, int]]:
    """Nodes under ``root`` matching ``selector`` in page order, with (after the headline?,
    index)."""
    headline = layout.headline
    headline_id = headline.mem_id if headline is not None else None
    query = f"{headline.tag}, {selector}" if headline is not None else selector
    after = False
    for index, node in enumerate(root.css(query)):
        if node.mem_id == headline_id:
            after = True
            continue
        yield node, after, index


def _from_elements(tree: LexborHTMLParser, layout: Layout, found: Found) -> None:
    seen: list[Seen] = []
    for node, after, index in _walk(tree, layout, DATE_ELEMENTS):
        verdict, level = layout.place(node)
        if verdict == HARD_OUT:
            continue
        value = _element_value(node).strip()
        if not value or len(value) > MAX_TEXT:
            continue
        parsed = parse_iso(value, found.tz) or parse_date(value, tz=found.tz, lang=found.lang)
        if node.tag == "meta" and parsed is not None and _in_head(node):
            # <meta itemprop="datePublished"> in <head> is page metadata like any other.
            rank = META_OFFSET if parsed.has_time and has_offset(value) else META_NAIVE
            found.add(parsed, "meta", rank, modified=_is_modified(node) is True)
            continue
        text = _text(node) if node.tag != "meta" else None
        shown = (
            parse_date(text, tz=found.tz, lang=found.lang)
            if text and YEARISH.search(text)
            else None
        )
        # What the reader sees wins over a machine value of another day.
        if shown is not None and (parsed is None or abs((shown.day - parsed.day).days) > 1):
            parsed = shown
        if parsed is None:
            continue
        label = _label_before(node)
        modified = label == "modified" or (label is None and _is_modified(node))
        seen.append(
            Seen(
                parsed,
                modified,
                level,
                after,
                index,
                verdict,
                shown is not None,
                label == "published",
            )
        )
    add_seen(seen, layout, found, "time", TIME)


def _in_head(node: LexborNode) -> bool:
    parent = node.parent
    return parent is not None and parent.tag == "head"


def _from_profile(tree: LexborHTMLParser, selector: str, found: Found) -> None:
    try:
        nodes = tree.css(selector)
    except Exception:  # a bad selector in a profile must not stop extraction
        return
    for node in nodes[:3]:
        text = _element_value(node)
        parsed = machine_of(text, found.tz) if text else None
        if parsed is None and text and found.now is not None:
            parsed = parse_date(text, tz=found.tz, now=found.now)
        if parsed is not None:
            found.add(parsed, "profile", PROFILE, visible=True)
            return


def _from_text(
    root: LexborHTMLParser | LexborNode, layout: Layout, found: Found, *, near_only: bool
) -> None:
    """Dates in date-like elements under ``root`` and around the headline (with
    ``near_only``, only those outside the headline's article: a second pass)."""
    seen: list[Seen] = []
    relative: list[ParsedDate] = []
    texts: set[str] = set()
    nodes = list(_walk(root, layout, TEXT_ELEMENTS))
    if not near_only:
        nodes.extend(_around_headline(layout))
    for node, after, index in nodes:
        if node.tag in ("html", "body", "script", "style", "meta", "link", "time"):
            continue
        text = _text(node)
        if not text or text in texts:
            continue
        texts.add(text)
        has_year = YEARISH.search(text) is not None
        if not has_year and found.now is None:
            continue
        holder = node if node.tag != "-text" else node.parent
        if holder is None:
            continue
        verdict, level = layout.place(holder)
        if verdict == HARD_OUT or (near_only and verdict == OK and layout.near(level)):
            continue
        dates = _labelled_dates(text, found.tz, found.lang) if has_year else []
        if not dates:
            if (
                found.now is not None
                and verdict == OK
                and layout.near(level)
                and RELATIVE_HINT.search(text)
            ):
                rel = parse_date(text, tz=found.tz, now=found.now)
                if rel is not None:
                    relative.append(rel)
            continue
        class_modified = _is_modified(node) if node.tag != "-text" else False
        for parsed, label in dates:
            if label == "modified":
                modified: bool | None = True
            else:
                modified = class_modified if label is None else False
            seen.append(
                Seen(parsed, modified, level, after, index, verdict, True, label == "published")
            )
    add_seen(seen, layout, found, "text", TEXT)
    for parsed in relative:
        found.add(parsed, "text", RELATIVE)


def _around_headline(layout: Layout) -> Iterable[tuple[LexborNode, bool, int]]:
    """The few nodes right before and after the headline, and after its container."""
    headline = layout.headline
    if headline is None:
        return
    # Indexes sort these before the selector matches at the same level: right after the
    # headline first, then after its container; before it, the closest first.
    for start, index0 in ((headline, -2000), (headline.parent, -1000)):
        if start is None:
            continue
        node, steps = start.next, 0
        while node is not None and steps < 5:
            if node.tag == "-text" or not (node.tag or "-").startswith("-"):
                steps += 1
                yield node, True, index0 + steps
            node = node.next
    node, steps = headline.prev, 0
    while node is not None and steps < 3:
        if node.tag == "-text" or not (node.tag or "-").startswith("-"):
            steps += 1
            yield node, False, 1_000_000 - steps
        node = node.prev


def _labelled_dates(
    text: str, tz: tzinfo | None, lang: str | None = None
) -> list[tuple[ParsedDate, str | None]]:
    """The dates in a short text, each labelled "published", "modified" or None by the words
    right before it ("Updated: ...", "Publié le ...")."""
    out: list[tuple[ParsedDate, str | None]] = []
    for lead, parsed in iter_dates(text, tz=tz, lang=lang):
        label: str | None = None
        if MODIFIED_WORDS.search(lead):
            label = "modified"
        elif PUBLISHED_WORDS.search(lead):
            label = "published"
        out.append((parsed, label))
    return out


def _titles(tree: LexborHTMLParser, meta: dict[str, list[str]]) -> list[str]:
    title = tree.css_first("title")
    return [*meta.get("og:title", ())[:1], title.text() if title is not None else ""]


def _from_title(titles: list[str], found: Found) -> None:
    for text in titles:
        if text and len(text) < 400 and YEARISH.search(text):
            parsed = parse_date(text, tz=found.tz, lang=found.lang)
            if parsed is not None:
                found.add(parsed, "text", TITLE, visible=True)
                return


def _from_body(tree: LexborHTMLParser, layout: Layout, found: Found) -> None:
    """Last resort, in the text after the headline: a short date line or a labelled date
    ("Publié le ...") in its first part, else a labelled date further on (a blog post's
    "Posted on ..." footer), else the first date inside a sentence, else the nearest date
    just before the headline."""
    body = tree.body
    if body is None:
        return
    headline_id = layout.headline_id
    after = headline_id is None
    chars = 0
    previous = ""
    before: ParsedDate | None = None
    in_sentence: ParsedDate | None = None
    for node in body.traverse(include_text=True):
        if node.tag_id != _TEXT_NODE:  # not text (cheaper than reading the tag name)
            if not after and node.mem_id == headline_id:
                after, chars = True, 0
            continue
        text = node.text_content or ""
        if not text or text.isspace():
            continue
        chars += len(text)
        if after and chars > LABELLED_CHARS:
            break
        context, previous = previous, text
        if len(text) > 2000 or not YEARISH.search(text):
            continue
        parent = node.parent
        if parent is None or parent.tag in SKIP_TEXT_PARENTS:
            continue
        verdict = layout.place(parent)[0]
        if verdict == HARD_OUT:
            continue
        window = not after or chars <= BODY_CHARS
        if not YEARISH.search(context):  # "Veröffentlicht:" in the element before
            text = f"{context[-40:]} {text}"
        for parsed, label in _labelled_dates(text, found.tz, found.lang):
            if label == "modified":
                found.add(parsed, "text", BODY, modified=True)
            elif after and label == "published":
                found.add(parsed, "text", BODY)
                return
            elif verdict != OK or not window:
                continue
            elif not after:
                before, chars = parsed, 0
            elif len(text.strip()) <= 80:
                found.add(parsed, "text", BODY)
                return
            elif in_sentence is None:
                in_sentence = parsed
        if not after and chars > 600:
            before = None
    chosen = in_sentence or before
    if chosen is not None:
        found.add(chosen, "text", BODY)


def _url_date(url: str) -> ParsedDate | None:
    if not url:
        return None
    path = url.split("://", 1)[-1]
    path = path[path.find("/") :] if "/" in path else ""
    for pattern in (URL_YMD, URL_QUERY, URL_COMPACT):
        m = pattern.search(path)
        if m is None:
            continue
        try:
            value = datetime(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            continue
        if value.year >= 1990:
            return ParsedDate(value, False, True, m.group(0).strip("/?&"))
    return None


# --------------------------------------------------------------------------- choice


def _choose(candidates: list[Candidate]) -> Candidate | None:
    if not candidates:
        return None
    ordered = sorted(candidates, key=lambda c: (c.rank, c.order))
    best = ordered[0]
    if best.rank in STRUCTURED:
        best = _check_structured(best, ordered)
    if not best.parsed.has_time:
        same_day = [c for c in ordered if c.parsed.has_time and c.day == best.day]
        if same_day:
            best = same_day[0]
    return best


def _check_structured(best: Candidate, ordered: list[Candidate]) -> Candidate:
    """The structured date to keep, given what the page shows."""
    value = best.parsed.value
    in_url = [c for c in ordered if c.source == "url"]
    if in_url and best.parsed.has_time and value.utcoffset() == timedelta(0):
        # A UTC timestamp late (early) in the day, and the URL names the next (previous)
        # day: the URL has the local day the site published on.
        step = (in_url[0].day - best.day).days
        if (step == 1 and value.hour >= _LATE_UTC) or (step == -1 and value.hour < _EARLY_UTC):
            return in_url[0]
    shown = {c.day for c in ordered if c.visible}
    if best.day in shown:
        return best
    # The page says "Published <day>" next to the headline, and the structured date is
    # another day (often the last edit): the reader's label wins.
    labelled = [c for c in ordered if c.labelled and c.visible and c.rank <= TEXT]
    if labelled:
        return labelled[0]
    confirmed = [c for c in ordered if c.rank in STRUCTURED and c.day in shown]
    if confirmed:
        return confirmed[0]
    value = best.parsed.value
    if best.parsed.has_time and value.utcoffset() == timedelta(0):
        # A UTC timestamp, while the page shows the local day.
        local = _local_rendering(best, ordered)
        if local is not None:
            return local
        if value.hour >= _LATE_UTC:
            wanted = best.day + timedelta(days=1)
        elif value.hour < _EARLY_UTC:
            wanted = best.day - timedelta(days=1)
        else:
            return best
        near = [c for c in ordered if c.visible and c.rank <= TITLE and c.day == wanted]
        return near[0] if near else best
    # A date in the URL is fixed when the article is created; a structured date of
    # another day is then a later edit.
    in_url = [c for c in ordered if c.source == "url"]
    if in_url and abs((in_url[0].day - best.day).days) > 1:
        return in_url[0]
    return best


# A UTC time this late (early) is the next (previous) day for sites from UTC+4 to UTC-8.
_LATE_UTC, _EARLY_UTC = 20, 8


def _local_rendering(utc: Candidate, ordered: list[Candidate]) -> Candidate | None:
    """A shown date and time that is ``utc`` in some zone's local time, as that instant
    with its local offset."""
    instant = utc.parsed.value.replace(tzinfo=None)
    for c in ordered:
        if c.rank in STRUCTURED or not c.parsed.has_time or not c.parsed.naive:
            continue
        if c.day == utc.day or abs((c.day - utc.day).days) > 1:
            continue
        offset = c.parsed.value - instant
        quarters = round(offset / timedelta(minutes=15))
        if abs(offset - quarters * timedelta(minutes=15)) > timedelta(minutes=2):
            continue
        if not -48 <= quarters <= 56:  # UTC-12 to UTC+14
            continue
        zone = timezone(quarters * timedelta(minutes=15))
        value = utc.parsed.value.astimezone(zone)
        parsed = ParsedDate(value, True, False, c.parsed.raw)
        return Candidate(parsed, c.source, c.rank, c.order, c.visible)
    return None


def _present(candidate: Candidate | None, tz: tzinfo | None) -> datetime | None:
    if candidate is None:
        return None
    value = candidate.parsed.value
    if tz is not None:
        value = value.astimezone(tz) if value.tzinfo is not None else value.replace(tzinfo=tz)
    return value
