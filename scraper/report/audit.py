"""Is the archive complete? What each site declares against what the archive holds.

A site declares its articles in its post and news sitemaps, its feeds, its WordPress REST API
(with the total it announces) and its section listings; crawls record every declaration in
the archive's inventory (``scraper.store.inventory``). The audit reads it back, offline, and
sorts each declared URL into one of:

- **archived**: its article is in the archive;
- **failed**: fetched and given up, with the last reason (HTTP status or error, parse failure)
  and the number of tries;
- **skipped** by choice, with the reason: robots.txt, out of scope, a redirect off the site;
- **not an article**: fetched, and the page is not an article (a home or section page a
  sitemap lists, a page without article markup): never missing;
- **outside the window**: dated outside the ``--since/--until`` window of the last crawl
  (by its declared date, or by the date on the page once fetched); the first crawl whose
  window holds that date (or that has none) fetches it;
- **not fetched**: declared but not (yet) fetched: queued, parked, never queued, or cut by a
  trap bound (the setting to raise is named).

Failed and not-fetched URLs are the *missing* ones (``--missing-urls`` lists them for
``scraper crawl SITE --urls FILE``). Counts are given per section and month: an archived
article counts in its own categories and the month of its publication date; a URL not
archived in the sections whose listings gave it and the month of the date its declaration
gives (the publication date when the list has one, else its last modification), in the
site's time zone. A site (or, read by ``--refresh``, a category) whose REST API announces
more posts than the archive and inventory can account for is short by the difference.
Publication gaps (:mod:`scraper.report.gaps`) are flagged per site and
section: they may be real pauses, so they are reported but do not make the archive
incomplete. Neither do the archived articles whose extraction quality estimate is below
:data:`~scraper.extract.quality.THRESHOLD`: they are listed for review, worst first.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..extract.quality import THRESHOLD as QUALITY_THRESHOLD
from ..store import OUTSIDE_WINDOW, TRAP_BOUND, Filters, PageKind
from ..urls import display
from .gaps import UnusualGap
from .stats import series

if TYPE_CHECKING:
    from ..store import DeclaredUrl, Store

ARCHIVED, FAILED, SKIPPED, NOT_FETCHED = "archived", "failed", "skipped", "not fetched"
NOT_ARTICLE, OUTSIDE = "not an article", "outside window"
STATUSES = (ARCHIVED, FAILED, SKIPPED, NOT_ARTICLE, OUTSIDE, NOT_FETCHED)
NOT_AN_ARTICLE_PAGE = "not an article page"  # the crawl's skip reason for such a page
ARTICLE_KINDS = (PageKind.ARTICLE, PageKind.LINK)
NO_SECTION = ""  # a URL no section listing gave
UNDATED = "undated"
OUTSIDE_WINDOW_REASON = "dated outside the last crawl's since/until window"
WAITING = {
    "pending": "queued",
    "active": "queued",
    "parked": "host parked",
    None: "never queued",
}


@dataclass(frozen=True)
class Judged:
    """One declared URL, sorted."""

    url: str
    status: str  # one of STATUSES
    sections: tuple[str, ...]
    month: str  # YYYY-MM, or 'undated'
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "sections": list(self.sections)}


@dataclass
class Cell:
    """Counts of one section and month."""

    section: str
    month: str
    declared: int = 0
    archived: int = 0
    failed: int = 0
    skipped: int = 0
    not_an_article: int = 0
    outside_window: int = 0
    not_fetched: int = 0

    @property
    def missing(self) -> int:
        return self.failed + self.not_fetched

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class TotalCheck:
    """A total the site announces (all posts, or one section's) against what we know.

    ``known``: the URLs of it the archive and inventory know; ``unplaced``: URLs known but
    not archived whose section no listing told (they may belong to it). The site is
    ``short`` by what even those cannot account for: a sound lower bound of the posts no
    list we read gave. A section whose name matches nothing known is ``matched`` False and
    never short (its name may be spelled otherwise on the pages)."""

    section: str
    source: str
    total: int
    known: int
    url: str | None
    unplaced: int = 0

    @property
    def matched(self) -> bool:
        return not self.section or self.known > 0

    @property
    def short(self) -> int:
        return max(0, self.total - self.known - self.unplaced) if self.matched else 0

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "short": self.short, "matched": self.matched}


@dataclass(frozen=True)
class SeriesGap:
    """A gap of one language of a site, in one section (None: all its sections)."""

    language: str
    section: str | None
    gap: UnusualGap

    def to_dict(self) -> dict[str, Any]:
        return {"language": self.language, "section": self.section, **self.gap.to_dict()}


@dataclass
class SiteAudit:
    site: str
    counts: Counter[str] = field(default_factory=Counter)
    cells: list[Cell] = field(default_factory=list)
    missing: list[Judged] = field(default_factory=list)
    skipped_reasons: Counter[str] = field(default_factory=Counter)
    totals: list[TotalCheck] = field(default_factory=list)
    undeclared_archived: int = 0
    unread_listings: dict[str, int] = field(default_factory=dict)  # bound -> pages cut
    gaps: list[SeriesGap] = field(default_factory=list)
    # archived articles below the quality threshold, worst first: id, url, site, title,
    # quality, word_count, body_source
    low_quality: list[dict[str, Any]] = field(default_factory=list)

    @property
    def declared(self) -> int:
        return sum(self.counts.values())

    @property
    def complete(self) -> bool:
        """Something was declared, and nothing declared is missing or unaccounted for."""
        return self.declared > 0 and not self.missing and not any(t.short for t in self.totals)

    def to_dict(self) -> dict[str, Any]:
        return {
            "site": self.site,
            "complete": self.complete,
            "declared": self.declared,
            **{_field(k): self.counts[k] for k in STATUSES},
            "archived_not_declared": self.undeclared_archived,
            "listings_not_read": self.unread_listings,
            "skipped_reasons": dict(self.skipped_reasons.most_common()),
            "totals": [t.to_dict() for t in self.totals],
            "by_section_month": [c.to_dict() for c in self.cells],
            "missing": [m.to_dict() for m in self.missing],
            "gaps": [g.to_dict() for g in self.gaps],
            "quality_threshold": QUALITY_THRESHOLD,
            "low_quality": self.low_quality,
        }


@dataclass
class Audit:
    sites: list[SiteAudit]

    @property
    def complete(self) -> bool:
        return bool(self.sites) and all(s.complete for s in self.sites)

    def missing_urls(self) -> list[str]:
        return [m.url for s in self.sites for m in s.missing]

    def to_dict(self) -> dict[str, Any]:
        return {"complete": self.complete, "sites": [s.to_dict() for s in self.sites]}


# ---------------------------------------------------------------------- computing
def audit(store: Store, site: str | None = None) -> Audit:
    """The audit of every site of the archive, or of ``site``."""
    wanted = store.check_site(site) if site else None
    return Audit(
        [
            audit_site(store, row["id"], row["name"], row["timezone"])
            for row in sorted(store.site_rows(), key=lambda row: row["name"])
            if wanted is None or row["name"] == wanted
        ]
    )


def audit_site(store: Store, site_id: int, name: str, timezone: str | None) -> SiteAudit:
    result = SiteAudit(name)
    zone = _zone(timezone)
    window = store.last_run_window(site_id)
    categories = store.article_sections(site_id)
    cells: dict[tuple[str, str], Cell] = {}
    placed: Counter[str] = Counter(_key(n) for names in categories.values() for n in names)
    unplaced = 0
    for declared in store.declared_urls(site_id):
        judged = judge(declared, categories, zone, window)
        result.counts[judged.status] += 1
        if judged.status != ARCHIVED:
            placed.update(_key(n) for n in judged.sections)
            unplaced += not judged.sections
        if judged.status in (FAILED, NOT_FETCHED):
            result.missing.append(judged)
        elif judged.status == SKIPPED:
            result.skipped_reasons[judged.reason or "skipped"] += 1
        for section in judged.sections or (NO_SECTION,):
            cell = cells.setdefault((section, judged.month), Cell(section, judged.month))
            cell.declared += 1
            setattr(cell, _field(judged.status), getattr(cell, _field(judged.status)) + 1)
    result.cells = [cells[k] for k in sorted(cells)]
    result.undeclared_archived = store.undeclared_articles(site_id)
    result.unread_listings = store.bounded_listings(site_id)
    everything = result.declared + result.undeclared_archived
    result.totals = [
        TotalCheck(t["section"], t["source"], t["total"], everything, t["url"])
        if not t["section"]
        else TotalCheck(
            t["section"], t["source"], t["total"], placed[_key(t["section"])], t["url"], unplaced
        )
        for t in store.declared_totals(site_id)
    ]
    result.gaps = publication_gaps(store, name)
    result.low_quality = store.low_quality(QUALITY_THRESHOLD, site=name)
    return result


def judge(
    declared: DeclaredUrl,
    categories: dict[int, list[str]],
    zone: ZoneInfo | None,
    window: tuple[str | None, str | None],
) -> Judged:
    """Sort one declared URL (see the module docstring). Pure."""
    d = declared
    if d.article_id is None and (
        (d.kind is not None and d.kind not in ARTICLE_KINDS)
        or (d.state == "skipped" and d.last_error == NOT_AN_ARTICLE_PAGE)
    ):
        return Judged(d.url, NOT_ARTICLE, d.sections, _month(d, zone), d.kind or d.last_error)
    if d.article_id is not None or d.state == "done":
        sections = tuple(categories.get(d.article_id, ())) if d.article_id else d.sections
        month = d.article_published[:7] if d.article_published else _month(d, zone)
        return Judged(d.url, ARCHIVED, sections, month)
    month = _month(d, zone)
    if d.state == "failed":
        tries = f" (after {d.attempts} {'try' if d.attempts == 1 else 'tries'})"
        return Judged(d.url, FAILED, d.sections, month, (d.last_error or "failed") + tries)
    if d.state == "skipped" and (d.last_error or "").startswith(TRAP_BOUND):
        name = (d.last_error or "").removeprefix(TRAP_BOUND).strip()
        bound = f"cut by the trap bound {name} (raise --{name.replace('_', '-')} if wrong)"
        return Judged(d.url, NOT_FETCHED, d.sections, month, bound)
    if d.state == "skipped" and (d.last_error or "").startswith(OUTSIDE_WINDOW):
        return Judged(d.url, OUTSIDE, d.sections, month, d.last_error)
    if d.state == "skipped":
        return Judged(d.url, SKIPPED, d.sections, month, d.last_error or "skipped")
    if _outside(d, zone, window):
        return Judged(d.url, OUTSIDE, d.sections, month, OUTSIDE_WINDOW_REASON)
    reason: str | None = WAITING.get(d.state, d.state)
    if d.state == "parked" and d.last_error:
        reason = f"host parked: {d.last_error}"
    return Judged(d.url, NOT_FETCHED, d.sections, month, reason)


def _key(section: str) -> str:
    """A section name as totals and pages are matched: case and spacing ignored."""
    return " ".join(section.casefold().split())


def _field(status: str) -> str:
    return status.replace(" ", "_")


def _zone(name: str | None) -> ZoneInfo | None:
    try:
        return ZoneInfo(name) if name else None
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _local_day(value: str | None, zone: ZoneInfo | None) -> str | None:
    """The day of an ISO 8601 date in the site's time zone (as written when naive)."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value[:10] if len(value) >= 10 else None
    if zone is not None and moment.tzinfo is not None:
        moment = moment.astimezone(zone)
    return moment.date().isoformat()


def _month(d: DeclaredUrl, zone: ZoneInfo | None) -> str:
    day = _local_day(d.published or d.lastmod, zone)
    return day[:7] if day else UNDATED


def _outside(d: DeclaredUrl, zone: ZoneInfo | None, window: tuple[str | None, str | None]) -> bool:
    """Whether a URL not archived is outside the crawl's window by its declared dates: as
    the crawl judged it when it did not queue it (publication date, else last change); once
    queued, surely outside only (a post last changed before ``since`` was published before
    it; only its publication date can be after ``until``)."""
    since, until = window
    if d.state is None:
        day = _local_day(d.published or d.lastmod, zone)
        return day is not None and bool((since and day < since) or (until and day > until))
    published, changed = _local_day(d.published, zone), _local_day(d.lastmod, zone)
    before = since is not None and any(x is not None and x < since for x in (published, changed))
    return before or bool(until and published and published > until)


def publication_gaps(store: Store, site: str) -> list[SeriesGap]:
    """The site's unusual silences, per language and per section: the gaps ``scraper stats``,
    its ``--plot`` and the reading room's dashboard mark (one computation)."""
    return [
        SeriesGap(s.language, s.section, g)
        for s in series(store, Filters(site=site))
        for g in s.gaps
    ]


# ---------------------------------------------------------------------- the report
MAX_ROWS = 40  # rows of a table shown in the text report (--json has them all)


def render(result: Audit, *, every_cell: bool = False, max_rows: int = MAX_ROWS) -> str:
    """The text report: per site its counts, the section/month cells with something
    missing (``every_cell``: all), the failed URLs with their reasons, and the gaps."""
    if not result.sites:
        return "the archive has no site yet (run 'scraper crawl' first)\n"
    return "".join(_render_site(s, every_cell, max_rows) for s in result.sites)


def _render_site(s: SiteAudit, every_cell: bool, max_rows: int) -> str:
    lines = [_headline(s)]
    if not s.declared:
        lines.append("  nothing declared yet: crawl the site, or run 'scraper audit --refresh'")
    lines += _totals_lines(s)
    lines += _coverage_lines(s)
    cells = [c for c in s.cells if every_cell or c.missing]
    if cells:
        lines.append(_cell_table(cells, max_rows))
    lines += _missing_lines(s, max_rows)
    lines += _gap_lines(s, max_rows)
    lines += _quality_lines(s, max_rows)
    if s.missing:
        lines.append(
            "  fetch the missing: scraper audit --missing-urls FILE, then "
            "scraper crawl SITE --urls FILE"
        )
    return "\n".join(lines) + "\n"


def _totals_lines(s: SiteAudit) -> list[str]:
    """What the site's REST API announces against the URLs known."""
    lines = []
    for t in s.totals:
        if not t.section or t.short:
            where = f"section {t.section}" if t.section else "the site"
            short = f": at least {t.short} not listed anywhere read" if t.short else ""
            lines.append(
                f"  {where} announces {t.total} posts ({t.source}); {t.known} known{short}"
            )
    sections = [t for t in s.totals if t.section]
    if sections:
        fine = sum(1 for t in sections if not t.short and (t.matched or not t.total))
        unmatched = [f"{t.section} ({t.total})" for t in sections if not t.matched and t.total]
        lines.append(f"  section totals (REST): {fine} of {len(sections)} account for their posts")
        if unmatched:
            lines.append(f"  sections announced, none of their posts known: {', '.join(unmatched)}")
    return lines


def _coverage_lines(s: SiteAudit) -> list[str]:
    """What is archived beyond the declarations, what a bound left unread, what was skipped."""
    lines = []
    if s.undeclared_archived:
        lines.append(
            f"  also archived, not declared: {s.undeclared_archived} (found through links)"
        )
    for bound, count in s.unread_listings.items():
        lines.append(
            f"  {count} listing page(s) not read, cut by the trap bound {bound}: what they list"
            f" is not counted (raise --{bound.replace('_', '-')} if the site is that deep)"
        )
    for reason, count in s.skipped_reasons.most_common():
        lines.append(f"  skipped {count}: {reason}")
    if s.counts[NOT_ARTICLE]:
        lines.append(
            f"  not an article {s.counts[NOT_ARTICLE]}: declared, but the page is not an"
            " article (a home, section or other page)"
        )
    if s.counts[OUTSIDE]:
        lines.append(
            f"  outside the last window {s.counts[OUTSIDE]}: dated outside the last crawl's"
            " --since/--until; the next crawl whose window holds them fetches them"
        )
    return lines


def _missing_lines(s: SiteAudit, max_rows: int) -> list[str]:
    """The failed URLs with their reasons, and why the others were not fetched."""
    lines = []
    failed = [m for m in s.missing if m.status == FAILED]
    if failed:
        lines.append("  failed:")
        lines += [f"    {display(m.url)}  {m.reason}" for m in failed[:max_rows]]
        lines += _more(len(failed), max_rows)
    waiting = Counter(m.reason for m in s.missing if m.status == NOT_FETCHED)
    if waiting:
        why = ", ".join(f"{n} {reason}" for reason, n in waiting.most_common())
        lines.append(f"  not fetched: {why}")
    return lines


def _gap_lines(s: SiteAudit, max_rows: int) -> list[str]:
    lines = []
    for found in s.gaps[:max_rows]:
        g, where = found.gap, found.language or "?"
        where += f" section {found.section}" if found.section else " (all sections)"
        span = g.first if g.days == 1 else f"{g.first} .. {g.last}"
        lines.append(
            f"  gap in {where}: {span} ({g.days} d without an article, "
            f"about {g.expected:.0f} expected)"
        )
    return lines + _more(len(s.gaps), max_rows)


def _quality_lines(s: SiteAudit, max_rows: int) -> list[str]:
    if not s.low_quality:
        return []
    lines = [
        f"  {len(s.low_quality)} article(s) below quality {QUALITY_THRESHOLD}, to review"
        " (scraper show ID):"
    ]
    lines += [
        f"    {a['id']:>6}  {a['quality']:.2f}  {a['word_count']:>5} words"
        f"  {a['body_source'] or '?':<10}  {display(a['url'])}"
        for a in s.low_quality[:max_rows]
    ]
    return lines + _more(len(s.low_quality), max_rows)


def _headline(s: SiteAudit) -> str:
    state = "complete" if s.complete else "incomplete"
    if s.complete and s.counts[OUTSIDE]:
        state = "complete within the last window"
    counts = ", ".join(f"{s.counts[k]} {k}" for k in STATUSES if k in MAIN or s.counts[k])
    missing = f" -> {len(s.missing)} missing" if s.missing else ""
    return f"{s.site}: {state}: {s.declared} declared: {counts}{missing}"


MAIN = (ARCHIVED, FAILED, SKIPPED, NOT_FETCHED)  # always in the headline; the others when any


def _cell_table(cells: list[Cell], max_rows: int) -> str:
    width = min(30, max(len("section"), *(len(c.section or "(none)") for c in cells)))
    head = (
        f"  {'section':<{width}}  {'month':<7}  {'declared':>8}  {'archived':>8}  "
        f"{'failed':>6}  {'skipped':>7}  {'not article':>11}  {'outside':>7}  {'not fetched':>11}"
    )
    rows = [head]
    for c in cells[:max_rows]:
        name = (c.section or "(none)")[:width]
        rows.append(
            f"  {name:<{width}}  {c.month:<7}  {c.declared:>8}  {c.archived:>8}  "
            f"{c.failed:>6}  {c.skipped:>7}  {c.not_an_article:>11}  {c.outside_window:>7}  "
            f"{c.not_fetched:>11}"
        )
    rows += _more(len(cells), max_rows)
    return "\n".join(rows)


def _more(count: int, shown: int) -> list[str]:
    return [f"    ... {count - shown} more (--json lists all)"] if count > shown else []
