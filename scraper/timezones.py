"""A site's time zone: named by a profile or ``--timezone``, or learned from the site's own
dates that carry a UTC offset; and applied to the dates it gave without one. Pure.

Learning: the offsets of the dates the site wrote with one (JSON-LD, meta, ``<time>``) are
counted. One offset: that fixed
offset (``+01:00``). Several (summer time, Ramadan time): the first IANA zone (in name order)
that gives every observed local time its observed offset; when none does and some are
``+00:00``, those are set aside (content systems often write UTC in their structured data
while the page shows local time) and the rest decide. Only ``+00:00`` seen: nothing is
learned (it may be the system's UTC, not the site's clock).

Applying (:func:`in_zone`; to an article: ``scraper.crawler.zones.apply_zone``): a date
without an offset gets the zone's offset for that
local time, and ``date_source`` gains :data:`ZONE_MARK`; a date written in UTC by a site
whose zone is elsewhere is shown in the site's zone (the same instant: its first ten
characters are then the site's local day).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone, tzinfo
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

ZONE_MARK = "+site-tz"  # appended to date_source when the site's zone gave a date its offset
MIN_EARLY = 5  # offset-bearing dates needed to learn a zone during a crawl
MAX_OBSERVED = 500  # dates looked at before learning is given up
_OFFSET = re.compile(r"^([+-])(\d{2}):?(\d{2})$")


def zone(name: str | None) -> tzinfo | None:
    """The tzinfo of an IANA name or a fixed offset ('+01:00'); None for None.
    :class:`ValueError` for anything else."""
    if not name:
        return None
    match = _OFFSET.match(name.strip())
    if match:
        sign, hours, minutes = match.groups()
        delta = timedelta(hours=int(hours), minutes=int(minutes))
        if delta >= timedelta(hours=24):
            raise ValueError(f"not a UTC offset: {name!r}")
        return timezone(-delta if sign == "-" else delta)
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r} (an IANA name or +HH:MM)") from None


def offset_name(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def learn_zone(dates: Iterable[datetime], minimum: int = 1) -> str | None:
    """The zone the site's offset-bearing ``dates`` show (see the module docstring), or
    None when fewer than ``minimum`` count or they do not agree on one."""
    observed = [d for d in dates if d.utcoffset() is not None]
    offsets = Counter(d.utcoffset() for d in observed)
    if len(observed) < minimum or not offsets or set(offsets) == {timedelta(0)}:
        return None
    only = next(iter(offsets))
    if len(offsets) == 1 and only is not None:
        return offset_name(only)
    found = _consistent_zone(_pairs(observed))  # summer time, Ramadan time, ...
    if found is not None or timedelta(0) not in offsets:
        return found
    # The +00:00 ones may be the system's UTC, not the site's clock: without them.
    rest = [d for d in observed if d.utcoffset() != timedelta(0)]
    return learn_zone(rest, minimum)


def _pairs(dates: list[datetime]) -> frozenset[tuple[datetime, timedelta | None]]:
    return frozenset((d.replace(tzinfo=None), d.utcoffset()) for d in dates[:200])


@cache
def _consistent_zone(pairs: frozenset[tuple[datetime, timedelta | None]]) -> str | None:
    for name in sorted(available_timezones()):
        if "/" not in name or name.startswith(("Etc/", "SystemV/", "US/")):
            continue
        here = ZoneInfo(name)
        if all(local.replace(tzinfo=here).utcoffset() == off for local, off in pairs):
            return name
    return None


def in_zone(value: datetime | None, tz: tzinfo) -> tuple[datetime | None, bool]:
    """The date in ``tz``, and whether it had no offset before (the zone gave it one)."""
    if value is None:
        return None, False
    if value.utcoffset() is None:
        return value.replace(tzinfo=tz), True
    if value.utcoffset() == timedelta(0) and value.astimezone(tz).utcoffset() != timedelta(0):
        return value.astimezone(tz), False
    return value, False


def has_offset(value: datetime | None) -> bool:
    return value is not None and value.utcoffset() is not None


class ZoneLearner:
    """A crawl's knowledge of its site's zone: given (profile, setting, an earlier crawl)
    or learned from the offset-bearing dates of the articles it archives.

    While no zone is known, an article dated without an offset is held back (up to
    ``max_held``) so that it is archived with the zone once learned; :meth:`give_up` ends
    the learning (the held ones are then archived as dated)."""

    def __init__(
        self, name: str | None, observed: Iterable[datetime] = (), max_held: int = 200
    ) -> None:
        self.name = name
        self.tz = zone(name)
        self.learning = name is None
        self.learned_from = 0
        self.observed = [d for d in observed if has_offset(d)][:MAX_OBSERVED]
        self.max_held = max_held
        if self.learning:
            self._try(MIN_EARLY)

    def hold(self, date: datetime | None, held: int) -> bool:
        """Whether to hold back an article published at ``date`` (``held`` are held)."""
        return (
            self.learning and date is not None and not has_offset(date) and (held < self.max_held)
        )

    def observe(self, date: datetime | None) -> bool:
        """Count an archived article's publication date; True when this taught the zone."""
        if not self.learning:
            return False
        if date is None or not has_offset(date):
            return False
        self.observed.append(date)
        count = len(self.observed)
        if count >= MAX_OBSERVED:
            return self._try(1) or self.give_up()
        # Tried at 5, 10, 20, 40, ... dates: learning costs a scan of the zones.
        return (
            count >= MIN_EARLY
            and (count // MIN_EARLY) & (count // MIN_EARLY - 1) == 0
            and (count % MIN_EARLY == 0)
            and self._try(MIN_EARLY)
        )

    def observe_listed(self, stated: Iterable[str | None]) -> bool:
        """Count the dates a sitemap, feed or REST listing states with an offset (ISO 8601),
        all of them before trying: a listing's first few dates may all fall on one side of a
        seasonal change. True when they taught the zone."""
        if not self.learning:
            return False
        before = len(self.observed)
        for text in stated:
            if len(self.observed) >= MAX_OBSERVED:
                break
            try:
                date = datetime.fromisoformat(text) if text else None
            except ValueError:
                continue
            if date is not None and has_offset(date):
                self.observed.append(date)
        if len(self.observed) == before:
            return False
        if len(self.observed) >= MAX_OBSERVED:
            return self._try(1) or self.give_up()
        return self._try(MIN_EARLY)

    def finish(self) -> bool:
        """At the end of a crawl: learn from whatever was seen (one date is enough)."""
        return self.learning and (self._try(1) or self.give_up())

    def give_up(self) -> bool:
        self.learning = False
        return False

    def _try(self, minimum: int) -> bool:
        name = learn_zone(self.observed, minimum)
        if name is None:
            return False
        self.name, self.tz, self.learning = name, zone(name), False
        self.learned_from = len(self.observed)
        return True
