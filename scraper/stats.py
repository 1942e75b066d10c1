"""Completeness statistics: per site, language and section, how much the archive holds and
where it has holes.

For each series (a site and language, overall and per section) the stats give the article
count, the first and last publication dates, articles per month, and, when the series
normally publishes daily, its **gaps**: runs of days with no article. A gap in a daily
section usually means a crawl missed something (or the site was down); a researcher can see
whether the archive is complete for the period they study.

"Normally publishes daily" means at least ``daily_share`` of the days between its first and
last article have an article, over a span of at least ``MIN_SPAN_DAYS`` days.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .store import Filters, Store

MIN_SPAN_DAYS = 14
ALL_SECTIONS = None


@dataclass(frozen=True)
class Gap:
    first: str  # first day without an article
    last: str  # last day without an article
    days: int


@dataclass
class Series:
    """Counts for one site/language (``section`` None: all sections)."""

    site: str
    language: str
    section: str | None
    articles: int = 0
    first: str | None = None
    last: str | None = None
    active_days: int = 0
    span_days: int = 0
    months: dict[str, int] = field(default_factory=dict)
    daily: bool = False
    gaps: list[Gap] = field(default_factory=list)
    longest_gap: int = 0
    undated: int = 0

    @property
    def active_share(self) -> float:
        return self.active_days / self.span_days if self.span_days else 0.0

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["active_share"] = round(self.active_share, 3)
        return out


def compute(
    day_counts: Iterable[tuple[str, str, str | None, str, int]],
    *,
    min_gap: int = 2,
    daily_share: float = 0.6,
) -> list[Series]:
    """Series from ``(site, language, section, day, articles)`` rows sorted by series then
    day (``Store.day_counts``)."""
    out: list[Series] = []
    current: Series | None = None
    days: list[date] = []
    for site, language, section, day, count in day_counts:
        key = (site, language, section)
        if current is None or key != (current.site, current.language, current.section):
            if current is not None:
                _finish(current, days, min_gap, daily_share)
            current, days = Series(site, language, section), []
            out.append(current)
        current.articles += count
        current.months[day[:7]] = current.months.get(day[:7], 0) + count
        try:
            days.append(date.fromisoformat(day))
        except ValueError:
            continue  # a malformed date string: counted, but not placed on the calendar
    if current is not None:
        _finish(current, days, min_gap, daily_share)
    return out


def _finish(series: Series, days: list[date], min_gap: int, daily_share: float) -> None:
    if not days:
        return
    days = sorted(set(days))
    series.first, series.last = days[0].isoformat(), days[-1].isoformat()
    series.active_days = len(days)
    series.span_days = (days[-1] - days[0]).days + 1
    holes = find_gaps(days, 1)
    series.longest_gap = max((g.days for g in holes), default=0)
    series.daily = series.span_days >= MIN_SPAN_DAYS and series.active_share >= daily_share
    if series.daily:
        series.gaps = [g for g in holes if g.days >= min_gap]


def find_gaps(days: list[date], min_gap: int) -> list[Gap]:
    """Runs of at least ``min_gap`` consecutive missing days between sorted, distinct days."""
    gaps = []
    for before, after in itertools.pairwise(days):
        missing = (after - before).days - 1
        if missing >= min_gap:
            first, last = before + timedelta(days=1), after - timedelta(days=1)
            gaps.append(Gap(first.isoformat(), last.isoformat(), missing))
    return gaps


def render(series: list[Series], *, months: bool = True, max_gaps: int = 5) -> str:
    """A plain-text report: one block per site and language."""
    if not series:
        return "no dated articles"
    lines: list[str] = []
    blocks: dict[tuple[str, str], list[Series]] = {}
    for s in series:
        blocks.setdefault((s.site, s.language), []).append(s)
    for (site, language), group in blocks.items():
        overall = next((s for s in group if s.section is ALL_SECTIONS), group[0])
        undated = f", {overall.undated} undated" if overall.undated else ""
        lines.append(
            f"{site} · {language or '?'}: {overall.articles} articles{undated}, "
            f"{overall.first} → {overall.last}"
        )
        if months:
            cells = [f"{m} {n:>5}" for m, n in sorted(overall.months.items())]
            for i in range(0, len(cells), 6):
                lines.append("  " + "   ".join(cells[i : i + 6]))
        lines.append(
            f"  {'section':<24} {'articles':>8}  {'first':<10}  {'last':<10}  {'active':>6}  gaps"
        )
        for s in sorted(group, key=lambda s: (s.section is not ALL_SECTIONS, -s.articles)):
            name = "(all sections)" if s.section is ALL_SECTIONS else (s.section or "(none)")
            lines.append(
                f"  {_clip(name, 24):<24} {s.articles:>8}  {s.first or '':<10}  "
                f"{s.last or '':<10}  {s.active_share:>6.0%}  {_gap_text(s, max_gaps)}"
            )
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _gap_text(s: Series, max_gaps: int) -> str:
    if not s.daily:
        return f"(not daily; longest pause {s.longest_gap} d)" if s.longest_gap else "-"
    if not s.gaps:
        return "none"
    shown = ", ".join(
        f"{g.first}…{g.last} ({g.days} d)" if g.days > 1 else f"{g.first} (1 d)"
        for g in s.gaps[:max_gaps]
    )
    more = f" +{len(s.gaps) - max_gaps} more" if len(s.gaps) > max_gaps else ""
    return shown + more


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def series(
    store: Store, filters: Filters | None = None, *, min_gap: int = 2, daily_share: float = 0.6
) -> list[Series]:
    """Per site and language, then per section: the series :func:`render` prints."""
    overall = compute(
        store.day_counts(by_section=False, filters=filters),
        min_gap=min_gap,
        daily_share=daily_share,
    )
    sections = compute(
        store.day_counts(by_section=True, filters=filters),
        min_gap=min_gap,
        daily_share=daily_share,
    )
    undated = store.undated_counts(filters)
    for s in overall:
        s.undated = undated.pop((s.site, s.language), 0)
    for (site, language), count in undated.items():  # sites with only undated articles
        overall.append(Series(site, language, None, undated=count))
    by_key: dict[tuple[str, str], list[Series]] = {}
    for s in overall + sections:
        by_key.setdefault((s.site, s.language), []).append(s)
    return [s for key in sorted(by_key) for s in by_key[key]]
