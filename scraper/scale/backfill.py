"""Backfill: web-archive captures (WARC files) into the archive, as a crawl would have stored them.

``backfill(paths, db=...)`` reads WARC/WARC.gz files, folders or globs (:mod:`scraper.warc`),
keeps HTTP 200 HTML responses of the selected hosts and capture dates, extracts each one with
the crawl's own code (:func:`scraper.crawler.engine.parse_article`: the same canonical URL, the same
profile rules) and stores it through the same archive code: a later capture with different
content becomes a revision, an identical one changes nothing, and one read after a later one
takes its place in the history (an earlier revision): the history does not depend on the
order captures are read in (files, shards, workers). The raw page is not copied: the page row
records the WARC file, offset and length, and ``scraper reextract`` reads it from there.

The work is cut in *shards* (byte ranges of about ``shard_size`` of one file, see
:func:`scraper.warc.shards`). A shard is read and extracted by :func:`process_shard` (pure: no
archive), in this process (``engine="local"``) or on Dask workers (``engine="dask"``,
:mod:`scraper.scale.cluster`); the results are written by this process, one transaction per shard,
together with the file's progress (table ``warc_progress``). So a backfill killed at any moment
resumes after the last shard it committed, and a re-run skips the files it has finished.
``output="parquet:DIR"`` writes the records as Parquet instead (:mod:`scraper.scale.cluster`).

What each selection means:

- ``hosts``: keep only these hosts (``www.`` ignored, ``host:port`` for a port);
- ``profile``: a site profile applied to every kept host (with ``hosts``), or to the hosts the
  profile names (without); other hosts get the bundled profile for their host, if any, else
  generic extraction. Each host is its own site row, named like a crawl's (host, no ``www.``);
- ``since`` / ``until``: capture dates (``WARC-Date``, UTC), both days included.
"""

from __future__ import annotations

import functools
import itertools
import json
import logging
import resource
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

from .._config import day_bound
from .._exceptions import UsageError
from ..clean import valid_text
from ..crawler.parse import parse_article
from ..crawler.summary import Site
from ..discover import pages as discover
from ..encoding import decode_html, is_text_content, looks_like_html
from ..fetch import FetchResult
from ..profiles import Profile
from ..profiles import for_url as profile_for_url
from ..profiles import load as load_profile
from ..store import Declared, Frontier, PageKind, Store, is_archive_failure
from ..urls import canonical, web_url
from ..warc.reader import Capture, Problem, check_warc, read_warc, warc_files
from .shards import (
    MAX_FAILURES,
    BackfillSummary,
    BadRecord,
    Kept,
    Shard,
    ShardResult,
    plan_shards,
)

__all__ = [
    "ENGINES",
    "BackfillOptions",
    "BackfillSummary",
    "Kept",
    "Shard",
    "ShardResult",
    "backfill",
    "plan_shards",
    "process_shard",
]

log = logging.getLogger(__name__)

ENGINES = ("local", "dask")
DEFAULT_SHARD_SIZE = 8_000_000  # compressed bytes of WARC per shard: ~500-1000 captures
MAX_REASON = 300  # characters of an unexpected error kept as a record's failure reason
MIN_DASK_SHARD = 1_000_000
READ_AHEAD = 128  # records read before their pages are extracted
SHARDS_PER_WORKER = 32  # small last shards: the workers finish close together


@dataclass(frozen=True)
class BackfillOptions:
    """What to keep of the captures (sent to every worker: small and picklable)."""

    hosts: tuple[str, ...] | None = None
    profile: str | None = None
    since: str | None = None  # YYYY-MM-DD, capture date (UTC), included
    until: str | None = None
    check_digests: bool = True
    explain: bool = False  # name each record left out, and why (logged by the caller)


Progress = Callable[[BackfillSummary], None]


# ---------------------------------------------------------------------- the library call
def backfill(
    paths: Iterable[str | Path],
    db: str | Path | None = None,
    *,
    hosts: Iterable[str] | None = None,
    profile: str | None = None,
    since: str | None = None,
    until: str | None = None,
    engine: str = "local",
    workers: int = 2,
    scheduler: str | None = None,
    output: str | None = None,
    shard_size: int = DEFAULT_SHARD_SIZE,
    check_digests: bool = True,
    progress: Progress | None = None,
    explain: bool = False,
) -> BackfillSummary:
    """Read the WARC captures under ``paths`` into the archive ``db`` (see the module doc).

    ``engine`` "local" (this process) or "dask" (a LocalCluster of ``workers`` processes, or
    the cluster at ``scheduler``). ``output`` "parquet:DIR" writes Parquet instead of ``db``.
    Raises a :class:`~scraper.ScraperError` for bad input; problems with single records are
    counted in the summary, never raised."""
    options = replace(make_options(hosts, profile, since, until, check_digests), explain=explain)
    if engine not in ENGINES:
        raise UsageError(f"unknown engine {engine!r} (choose from {', '.join(ENGINES)})")
    if workers < 1:
        raise UsageError(f"workers must be at least 1, not {workers}")
    if shard_size <= 0:
        raise UsageError(f"a shard size must be positive, not {shard_size}")
    parquet_dir = parse_output(output)
    if parquet_dir is None and db is None:
        raise UsageError("an archive file (db) is needed unless the output is Parquet")
    files = warc_files(paths)
    for file in files:  # a file that is no WARC at all stops the backfill before it starts
        check_warc(file)
    if engine == "dask":  # enough shards to keep every worker busy to the end
        total = sum(f.stat().st_size for f in files)
        shard_size = min(shard_size, max(MIN_DASK_SHARD, total // (workers * SHARDS_PER_WORKER)))
    summary = BackfillSummary(engine=engine, output=output or "archive", files=len(files))
    started = time.monotonic()
    if parquet_dir is not None:
        from .parquet import ParquetSink

        sink: _Sink = ParquetSink(parquet_dir)
    else:
        assert db is not None
        sink = _ArchiveSink(Path(db), options)
    try:
        plan = sink.plan(files, shard_size, summary)
        summary.bytes_total = sum(s.end - s.begin for s in plan)
        results = _run(plan, options, engine=engine, workers=workers, scheduler=scheduler)
        try:
            for result in results:
                summary.add(result)
                sink.write(result, summary)
                summary.seconds = time.monotonic() - started
                if progress is not None:
                    progress(summary)
        except KeyboardInterrupt:
            summary.status = "interrupted"
            summary.messages.append("interrupted: the shards committed so far are kept")
        finally:
            close = getattr(results, "close", None)
            if close is not None:
                close()
    finally:
        sink.close(summary)
    summary.seconds = time.monotonic() - started
    if summary.status == "ok" and summary.problems:
        summary.status = "partial"
    _check_selection(summary, options)
    wrong = summary.balance()
    if wrong:  # a bug, not bad input: said, never silent
        summary.messages.append(f"the counts of {', '.join(wrong)} do not add up (a bug)")
    return summary


def _check_selection(summary: BackfillSummary, options: BackfillOptions) -> None:
    """A selection (hosts, profile, since/until) that matched no response is an error: it
    most likely names the wrong host, profile or dates."""
    chosen = options.hosts or options.profile or options.since or options.until
    if not chosen or summary.responses == 0 or summary.selected > 0:
        return
    wanted = []
    if options.hosts or options.profile:
        wanted.append("hosts " + ", ".join(options.hosts) if options.hosts else
                      f"profile {options.profile}")  # fmt: skip
    if options.since or options.until:
        wanted.append(f"capture dates {options.since or '...'} to {options.until or '...'}")
    seen = sorted(summary.other_hosts, key=lambda h: -summary.other_hosts[h])
    hosts = f" (hosts in them: {', '.join(seen[:5])}{', ...' if len(seen) > 5 else ''})"
    summary.status = "nothing selected"
    summary.messages.append(
        f"no capture matches {' and '.join(wanted)}: {summary.responses} responses read"
        + (hosts if seen else "")
    )


def make_options(
    hosts: Iterable[str] | None,
    profile: str | None,
    since: str | None,
    until: str | None,
    check_digests: bool = True,
) -> BackfillOptions:
    """Checked options: known profile, dates in the one grammar (2025, 2025-11, 2025-11-25, an
    ISO datetime) as the days they start or end, hosts lower-case without www."""
    if profile is not None:
        load_profile(profile)  # ProfileError (a ScraperError) when unknown
    chosen = tuple(_host(h) for h in hosts) if hosts else None
    first = day_bound(since, end=False, what="since") if since else None
    last = day_bound(until, end=True, what="until") if until else None
    return BackfillOptions(chosen or None, profile, first, last, check_digests)


def parse_output(output: str | None) -> Path | None:
    """The Parquet folder of ``output`` "parquet:DIR" (None for the archive)."""
    if output is None or output in ("archive", "sqlite"):
        return None
    kind, _, where = output.partition(":")
    if kind != "parquet" or not where:
        raise UsageError(f"unknown output {output!r} (use parquet:DIR)")
    return Path(where)


def _host(value: str) -> str:
    value = value.strip().lower()
    if "://" in value:
        value = urlsplit(value).netloc.lower()
    if not value or "/" in value:
        raise UsageError(f"not a host name: {value!r}")
    return value.removeprefix("www.")


def _run(
    plan: list[Shard],
    options: BackfillOptions,
    *,
    engine: str,
    workers: int,
    scheduler: str | None,
) -> Iterator[ShardResult]:
    if engine == "dask":
        from .cluster import dask_map

        return dask_map(process_shard, plan, options, workers=workers, scheduler=scheduler)
    return (process_shard(shard, options) for shard in plan)


# ---------------------------------------------------------------------- where results go
class _Sink(Protocol):
    """Where shard results go: the archive, or Parquet
    (:class:`scraper.scale.parquet.ParquetSink`)."""

    def plan(
        self, files: list[Path], shard_size: int, summary: BackfillSummary
    ) -> list[Shard]: ...  # the shards still to do

    def write(self, result: ShardResult, summary: BackfillSummary) -> None: ...

    def close(self, summary: BackfillSummary) -> None: ...


class _ArchiveSink:
    """The archive: one transaction per shard, with the file's progress in it."""

    def __init__(self, db: Path, options: BackfillOptions) -> None:
        from ..store.lock import ArchiveLock

        self.selection = selection_key(options)
        self.lock = ArchiveLock(db)
        self.lock.__enter__()  # LockHeld while a crawl or another backfill writes the archive
        try:
            self.store = Store(db)
        except BaseException:
            self.lock.__exit__(None, None, None)
            raise
        self.site_ids: dict[str, int] = {}
        self.store.interrupt_stale_runs(None)
        self.run = self.store.start_run(None, asdict(options), kind="backfill")

    def plan(self, files: list[Path], shard_size: int, summary: BackfillSummary) -> list[Shard]:
        starts: dict[str, int] = {}
        for file in files:
            done = self.store.warc_progress(str(file), self.selection)
            if done is not None and done[1] == "done" and done[0] >= file.stat().st_size:
                summary.files_done_before += 1
            else:
                starts[str(file)] = done[0] if done is not None else 0
        return plan_shards(starts, shard_size)

    def write(self, result: ShardResult, summary: BackfillSummary) -> None:
        store = self.store
        outcomes: Counter[str] = Counter()
        shard = result.shard
        with store.db.atomic():
            rows = []
            for kept in result.kept:
                site_id = self.site_ids.get(kept.site)
                if site_id is None:
                    site_id = store.ensure_site(
                        kept.site, kept.base_url, kept.profile, kept.timezone
                    )
                    self.site_ids[kept.site] = site_id
                rows.append(
                    (site_id, kept.article, kept.page, kept.location, kept.size, kept.prepared)
                )
            bad = list(result.bad)
            try:
                with store.db.atomic():  # a savepoint: undone alone if one capture breaks it
                    outcomes.update(store.save_captures(rows))
            except Exception as exc:
                if is_archive_failure(exc):
                    raise
                outcomes.update(self._one_by_one(rows, result.kept, bad))
            for record in bad:
                self._record_bad(record, summary)
            counts = {"records": result.counts["records"], "stored": outcomes["new"]}
            counts["stored"] += outcomes["updated"]
            state = "done" if shard.last else "running"
            store.set_warc_progress(shard.file, shard.end, state, counts, self.selection)
        summary.new += outcomes["new"]
        summary.updated += outcomes["updated"]
        summary.unchanged += outcomes["unchanged"]
        summary.earlier += outcomes["earlier"]
        summary.same_capture += outcomes["same capture"]

    def _one_by_one(self, rows: list[Any], kept: list[Kept], bad: list[BadRecord]) -> Counter[str]:
        """Store a shard's captures one at a time, after one of them broke the batch: each
        one that raises is rolled back alone and becomes a :class:`BadRecord`."""
        outcomes: Counter[str] = Counter()
        for row, item in zip(rows, kept, strict=True):
            try:
                with self.store.db.atomic():
                    outcomes.update(self.store.save_captures([row]))
            except Exception as exc:
                if is_archive_failure(exc):
                    raise
                file, offset, _ = item.location
                reason = error_reason(exc)
                bad.append(
                    BadRecord(item.site, item.base_url, row[1].url or "", reason, file, offset)
                )
        return outcomes

    def _record_bad(self, record: BadRecord, summary: BackfillSummary) -> None:
        """A record that failed: its URL failed in the frontier and declared by its WARC
        file, so the audit lists it with the reason; counted as a problem."""
        site_id = self.site_ids.get(record.site)
        if site_id is None:
            site_id = self.store.ensure_site(record.site, record.base_url, None, None)
            self.site_ids[record.site] = site_id
        Frontier(self.store).fail(site_id, record.url, PageKind.ARTICLE, record.reason)
        self.store.declare(site_id, [Declared(record.url, "warc", record.file)])

    def close(self, summary: BackfillSummary) -> None:
        """Record the run (``scraper runs``), then let the archive go."""
        try:
            error = sys.exc_info()[1]  # closed while an error goes up: the run failed
            status = summary.status
            if error is not None and status == "ok":
                status = "interrupted" if isinstance(error, KeyboardInterrupt) else "failed"
            elif status == "ok" and summary.problems:
                status = "partial"
            counts = {
                "pages_fetched": summary.records,
                "articles_new": summary.new,
                "articles_updated": summary.updated,
                "articles_unchanged": summary.unchanged,
                "errors": sum(summary.problems.values()),
                "skipped": sum(summary.skipped.values()),
            }
            message = "; ".join(summary.messages) or (str(error) if error else None)
            self.store.finish_run(self.run, status, counts, message)
        finally:
            self.store.close()
            self.lock.__exit__(None, None, None)


def error_reason(exc: BaseException) -> str:
    """An unexpected error as a record's one-line failure reason."""
    text = " ".join(f"parse error: {type(exc).__name__}: {exc}".split())
    return valid_text(text)[:MAX_REASON]


def selection_key(options: BackfillOptions) -> str:
    """What a backfill keeps, as the key of its progress: '' when it keeps everything."""
    chosen = {
        "hosts": sorted(options.hosts) if options.hosts else None,
        "profile": options.profile,
        "since": options.since,
        "until": options.until,
    }
    kept = {k: v for k, v in chosen.items() if v}
    return json.dumps(kept, sort_keys=True) if kept else ""


# ---------------------------------------------------------------------- one shard (workers)
def process_shard(shard: Shard, options: BackfillOptions) -> ShardResult:
    """Read and extract the records of one shard. Pure: touches no archive, so it runs on
    any worker; the caller stores the result."""
    started, cpu = time.perf_counter(), time.process_time()
    counts: Counter[str] = Counter()
    kept: list[Kept] = []
    failures: list[str] = []
    dropped: list[tuple[str, str]] = []
    bad: list[BadRecord] = []
    select = functools.partial(_select, options=options)
    captures = read_warc(
        shard.file,
        start=shard.begin,
        end=shard.end,
        select=select,
        check_digests=options.check_digests,
    )
    for item in _batched(captures, READ_AHEAD):
        counts["records"] += 1
        if isinstance(item, Problem):
            counts[f"problem:{item.kind}"] += 1
            if len(failures) < MAX_FAILURES:
                failures.append(f"{item.file} @{item.offset}: {item.kind}: {item.reason}")
            continue
        if item.record_type != "response":
            counts[f"skip:{item.record_type or 'unknown'} record"] += 1
            continue
        counts["responses"] += 1
        if item.skip is not None:
            counts[f"skip:{item.skip}"] += 1
            if item.skip == "host not selected":
                counts[f"host:{urlsplit(item.url).netloc.lower()}"] += 1
            if options.explain:
                dropped.append((item.url, item.skip))
            continue
        try:
            reason, found = _extract(item, options)
        except Exception as exc:  # one bad record is that record's failure, never the run's
            log.warning("%s @%d could not be parsed: %s", item.file, item.offset, exc)
            counts["problem:error"] += 1
            why = error_reason(exc)
            if len(failures) < MAX_FAILURES:
                failures.append(f"{item.file} @{item.offset}: error: {why}")
            if (record := _bad_record(item, why, options)) is not None:
                bad.append(record)
            continue
        if found is not None:
            kept.append(found)
            continue
        if reason.startswith("not_articles:"):
            counts["not_articles"] += 1
            counts[f"kind:{reason.partition(':')[2]}"] += 1
            reason = "not an article"
        else:
            counts[f"skip:{reason}"] += 1
        if options.explain:
            dropped.append((item.url, reason))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return ShardResult(shard, kept, counts, failures, seconds, peak, cpu, dropped, bad)


def _bad_record(capture: Capture, reason: str, options: BackfillOptions) -> BadRecord | None:
    """What the archive records of a capture whose parse raised (None: not even its site
    can be told)."""
    try:
        parts = urlsplit(capture.url)
        site, _ = _site(parts.scheme.lower(), parts.netloc.lower(), options.profile)
        url = canonical(capture.url)
    except Exception:
        return None
    return BadRecord(site.name, site.base_url, url, reason, capture.file, capture.offset)


def _batched(items: Iterator[Capture | Problem], size: int) -> Iterator[Capture | Problem]:
    """``items``, read ``size`` at a time: reading, then extracting, a batch of records at a
    time keeps each one's code and data in the CPU caches (reading between two extractions
    costs nearly twice as much), at the memory of ``size`` payloads."""
    while batch := list(itertools.islice(items, size)):
        yield from batch


def _select(capture: Capture, *, options: BackfillOptions) -> str | None:
    """Why a response is not wanted (None: read its body and extract it). The selection
    (host, capture date) is asked first, so what it leaves out is counted as such."""
    parts = urlsplit(capture.url)
    if parts.scheme not in ("http", "https") or not parts.netloc or not web_url(capture.url):
        return "not an http(s) URL"  # a 100,000-character host included
    host = parts.netloc.lower().removeprefix("www.")  # capture.host, without a second split
    if not _host_selected(host, options):
        return "host not selected"
    if options.since or options.until:
        day = capture.date.date().isoformat() if capture.date else None
        if day is None:
            return "no capture date"
        if (options.since and day < options.since) or (options.until and day > options.until):
            return "capture date outside since/until"
    if capture.status != 200:
        return "not HTTP 200"
    declared = capture.content_type
    if declared and not looks_like_html(declared, b""):
        mime = declared.split(";", 1)[0].strip().lower()
        if mime not in ("application/octet-stream", ""):
            return "not HTML"
    return None


def _host_selected(host: str, options: BackfillOptions) -> bool:
    if options.hosts is not None:
        return host in options.hosts
    if options.profile is not None:
        return _profile(options.profile).matches_host(host.split(":")[0])
    return True


@functools.cache
def _profile(name: str) -> Profile:
    return load_profile(name)


@functools.lru_cache(maxsize=1024)
def _site(scheme: str, netloc: str, profile_name: str | None) -> tuple[Site, frozenset[str]]:
    """The site of a host, as a crawl of it names it, and the hosts it stays on."""
    base_url = f"{scheme}://{netloc}/"
    profile = _profile(profile_name) if profile_name else profile_for_url(base_url)
    site = Site(netloc.removeprefix("www."), base_url, profile)
    return site, frozenset(discover.site_hosts(base_url, profile))


def _extract(capture: Capture, options: BackfillOptions) -> tuple[str, Kept | None]:
    """A capture's article (or why there is none: 'not HTML', 'not_articles:<page kind>')."""
    content_type = capture.content_type
    payload = capture.payload
    if not looks_like_html(content_type, payload[:1024]):
        return "not HTML", None
    text, encoding = (None, None)
    if payload and is_text_content(content_type, payload[:1024]):
        text, encoding = decode_html(payload, content_type)
    if not text:
        return "empty body", None
    parts = urlsplit(capture.url)
    netloc = parts.netloc.lower()
    site, hosts = _site(parts.scheme.lower(), netloc, options.profile)
    when = (capture.date or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    headers = capture.headers
    result = FetchResult(
        url=capture.url,
        final_url=capture.url,
        status=capture.status or 200,
        headers=headers,
        content=b"",  # the page is not copied into the archive: the WARC file keeps it (so
        # the page record and prepare()'s compressed copy are empty too)
        text=text,
        encoding=encoding,
        etag=headers.get("etag"),
        last_modified=headers.get("last-modified"),
        elapsed=0.0,
        attempts=1,
        error=None,
    )
    url = canonical(capture.url)
    done = parse_article(result, url, when, site.name, site.profile, set(hosts), False)
    if done.page is None or done.prepared is None:
        return f"not_articles:{done.article.page_kind}", None
    page = done.page  # without content: the FetchResult had none
    location = (capture.file, capture.offset, capture.length)
    profile = site.profile
    kept = Kept(
        site.name,
        site.base_url,
        profile.name if profile else None,
        profile.timezone if profile else None,
        done.article,
        page,
        done.prepared,
        location,
        len(payload),
    )
    return "kept", kept


# ---------------------------------------------------------------------- re-extraction
