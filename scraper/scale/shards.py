"""What a backfill's work is cut into and what comes back: a :class:`Shard` of a WARC file,
the :class:`Kept` captures and counts of a :class:`ShardResult`, and the run's
:class:`BackfillSummary`. Shared by the backfill, its sinks (the archive, Parquet) and the
Dask engine, so none of them imports another."""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from .._exceptions import EXIT_OK, EXIT_PARTIAL
from ..article import Article
from ..store import PageRecord, Prepared
from ..warc.reader import shards

MAX_FAILURES = 20
#: Why a response is left out by the selection (hosts, profile, since/until).
SELECTION_REASONS = ("host not selected", "capture date outside since/until", "no capture date")
log = logging.getLogger("scraper.scale.backfill")


@dataclass(frozen=True)
class Shard:
    """Records of ``file`` that begin in ``[begin, end)``; ``last``: the file's last shard."""

    index: int
    file: str
    begin: int
    end: int
    last: bool


@dataclass(frozen=True, slots=True)
class Kept:
    """One capture that extraction saw as an article, ready for the store."""

    site: str
    base_url: str
    profile: str | None
    timezone: str | None
    article: Article
    page: PageRecord  # without its body: the WARC file keeps it
    prepared: Prepared
    location: tuple[str, int, int]  # WARC file, offset, length
    size: int  # body bytes


@dataclass(frozen=True, slots=True)
class BadRecord:
    """A capture whose page could not be parsed or stored: the archive records its URL as
    failed, with the reason (``scraper audit`` lists it; the next crawl fetches it)."""

    site: str
    base_url: str
    url: str
    reason: str
    file: str
    offset: int


@dataclass
class ShardResult:
    shard: Shard
    kept: list[Kept]
    counts: Counter[str]
    failures: list[str]
    seconds: float
    peak_rss: int  # bytes: peak resident memory of the process that read the shard
    cpu_seconds: float = 0.0  # CPU time the shard took where it ran
    dropped: list[tuple[str, str]] = field(default_factory=list)  # (URL, why) with explain
    bad: list[BadRecord] = field(default_factory=list)  # records whose parse raised


@dataclass
class BackfillSummary:
    """What a backfill did. ``status``: ok | partial (some records unreadable) | interrupted |
    nothing selected (the hosts, profile or dates matched no response: exit 1)."""

    status: str = "ok"
    engine: str = "local"
    output: str = "archive"
    files: int = 0  # WARC files named
    files_done_before: int = 0  # finished by an earlier run: not read again
    shards: int = 0
    records: int = 0  # WARC records read
    responses: int = 0
    kept: int = 0  # captures extracted as articles
    new: int = 0
    updated: int = 0  # a revision was recorded
    unchanged: int = 0
    earlier: int = 0  # read after a later capture: placed in the history as an earlier revision
    same_capture: int = 0  # the stored capture again (URL, fetch time, size), re-extracted
    not_articles: int = 0  # HTML pages that are no article (home, listing, tag, error page...)
    page_kinds: dict[str, int] = field(default_factory=dict)  # not_articles by kind of page
    skipped: dict[str, int] = field(default_factory=dict)  # reason -> records
    problems: dict[str, int] = field(default_factory=dict)  # truncated|malformed|digest -> n
    failures: list[str] = field(default_factory=list)  # the first few "file @offset: reason"
    bytes_read: int = 0
    bytes_total: int = 0
    peak_worker_rss: int = 0
    shard_cpu_seconds: float = 0.0  # CPU time of reading + extraction, all workers together
    seconds: float = 0.0
    messages: list[str] = field(default_factory=list)
    other_hosts: dict[str, int] = field(default_factory=dict)  # hosts the selection left out

    @property
    def stored(self) -> int:
        return self.new + self.updated

    @property
    def other_records(self) -> int:
        """Records that are not responses (requests, warcinfo, metadata, ...)."""
        return sum(n for reason, n in self.skipped.items() if reason.endswith(" record"))

    @property
    def unreadable(self) -> int:
        """Records that could not be read (truncated, malformed, digest)."""
        return sum(self.problems.values()) - self.parse_errors

    @property
    def parse_errors(self) -> int:
        """Responses read whose extraction raised (``problems['error']``)."""
        return self.problems.get("error", 0)

    @property
    def skipped_responses(self) -> int:
        return sum(n for reason, n in self.skipped.items() if not reason.endswith(" record"))

    @property
    def selected(self) -> int:
        """Responses the selection (hosts, profile, since/until) kept."""
        return self.responses - sum(self.skipped.get(r, 0) for r in SELECTION_REASONS)

    def balance(self) -> list[str]:
        """The summary's sums that do not add up (none: every record is accounted for):
        records = responses + other records + unreadable; responses = articles kept + not
        articles + skipped + failed to parse; kept = new + updated + unchanged + earlier +
        same capture (for Parquet output every kept one is new)."""
        wrong = []
        if self.records != self.responses + self.other_records + self.unreadable:
            wrong.append("records")
        kept_or_not = self.kept + self.not_articles + self.skipped_responses + self.parse_errors
        if self.responses != kept_or_not:
            wrong.append("responses")
        placed = self.new + self.updated + self.unchanged + self.earlier + self.same_capture
        if self.status != "interrupted" and self.kept != placed:
            wrong.append("kept")
        return wrong

    @property
    def exit_code(self) -> int:
        return {"ok": EXIT_OK, "interrupted": EXIT_OK, "partial": EXIT_PARTIAL}.get(
            self.status, EXIT_PARTIAL
        )

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["stored"] = self.stored
        data.update(other_records=self.other_records, unreadable=self.unreadable,
                    skipped_responses=self.skipped_responses, selected=self.selected)  # fmt: skip
        data["records_per_second"] = round(self.records / self.seconds, 1) if self.seconds else 0
        return data

    def add(self, result: ShardResult) -> None:
        """Count what a shard's reading and extraction found (storing counts itself)."""
        counts = result.counts
        self.shards += 1
        self.records += counts["records"]
        self.responses += counts["responses"]
        self.kept += len(result.kept)
        self.not_articles += counts["not_articles"]
        self.bytes_read += result.shard.end - result.shard.begin
        self.peak_worker_rss = max(self.peak_worker_rss, result.peak_rss)
        self.shard_cpu_seconds += result.cpu_seconds
        for key, value in counts.items():
            kind, _, name = key.partition(":")
            if kind == "skip":
                self.skipped[name] = self.skipped.get(name, 0) + value
            elif kind == "problem":
                self.problems[name] = self.problems.get(name, 0) + value
            elif kind == "host":
                self.other_hosts[name] = self.other_hosts.get(name, 0) + value
            elif kind == "kind":
                self.page_kinds[name] = self.page_kinds.get(name, 0) + value
        room = MAX_FAILURES - len(self.failures)
        self.failures.extend(result.failures[: max(room, 0)])
        for url, reason in result.dropped:
            log.info("left out %s: %s", url, reason)


def plan_shards(starts: dict[str, int], shard_size: int) -> list[Shard]:
    """Shards of each file from its start offset, in file order."""
    plan: list[Shard] = []
    for file, start in starts.items():
        ranges = shards(file, shard_size, start)
        for number, (begin, end) in enumerate(ranges):
            plan.append(Shard(len(plan), file, begin, end, number == len(ranges) - 1))
    return plan
