"""Re-extraction: run the extractor again on the raw pages the archive kept.

After an extractor improvement, ``scraper reextract`` re-reads every stored article page
(``pages.html``, zlib-compressed) with the site's profile, without any network access, and
updates each article where the result differs: a change of content (title, subtitle, body,
dates, categories, tags) records a revision like a changed fetch would; a change of other
fields only (authors, image, links, language) is updated in place. Dates the WordPress REST API
gave (``date_source`` 'rest') are not on the page: the stored ones are kept
(:func:`kept_dates`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from .._exceptions import LockHeld, StoreError, UsageError
from ..article import Article
from ..extract import extract
from ..extract.listed import ListedDates, with_listed_dates
from ..profiles import Profile, ProfileError
from ..profiles import for_url as profile_for_url
from ..profiles import load as load_profile
from ..store import Store, StoredPage
from ..store.lock import ArchiveLock
from ..warc.reader import RecordSkipped, read_capture
from .cluster import dask_map

log = logging.getLogger(__name__)


@dataclass
class ReextractSummary:
    pages: int = 0
    updated: int = 0  # content changed: a revision was recorded
    refreshed: int = 0  # other fields changed, updated in place
    unchanged: int = 0
    not_articles: int = 0  # the extractor no longer sees an article there: left as is
    messages: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "pages": self.pages,
            "updated": self.updated,
            "refreshed": self.refreshed,
            "unchanged": self.unchanged,
            "not_articles": self.not_articles,
        }


def reextract(
    store: Store,
    site: str | None = None,
    *,
    progress: Callable[[ReextractSummary], None] | None = None,
) -> ReextractSummary:
    """Re-extract the stored article pages (of ``site``, or all) into the archive."""
    summary = ReextractSummary()
    if site:
        site = store.check_site(site)  # an unknown site is an error naming the known ones
    for page in stored_pages(store, site, summary):
        summary.pages += 1
        url = page.final_url or page.url
        article = extract(page.content, url, _profile(page, summary), fetched_at=_when(page))
        if not article.is_article:
            summary.not_articles += 1
            log.info("no article any more in the stored page of %s; kept as is", page.article_url)
        else:
            article = kept_dates(page, article)
            article.site = page.site
            outcome = store.save_reextracted(page, article)
            setattr(summary, outcome, getattr(summary, outcome) + 1)
        if progress is not None:
            progress(summary)
    return summary


def reextract_archive(
    db: str | Path,
    site: str | None = None,
    *,
    engine: str = "local",
    workers: int | None = None,
    scheduler: str | None = None,
    progress: Callable[[ReextractSummary], None] | None = None,
) -> ReextractSummary:
    """:func:`reextract` on the archive at ``db``, holding its lock (no crawl meanwhile);
    ``engine="dask"`` extracts on a Dask cluster (``scraper.scale.cluster``), the archive still
    written here by one writer."""
    path = Path(db)
    if engine not in ("local", "dask"):
        raise UsageError(f"unknown engine {engine!r} (choose from local, dask)")
    if not path.exists():
        raise StoreError(f"no archive at {path}")
    try:
        with ArchiveLock(path), Store(path) as store:
            site_id = store.site_id(store.check_site(site)) if site else None
            store.interrupt_stale_runs(site_id)
            options = {"site": site, "engine": engine}
            run = store.start_run(site_id, options, kind="reextract", tag_changes=False)
            status, message = "failed", None
            summary: ReextractSummary | None = None
            try:
                if engine == "dask":
                    summary = reextract_dask(store, site, workers=workers or 2, scheduler=scheduler)
                else:
                    summary = reextract(store, site, progress=progress)
                status = "ok"
                return summary
            except KeyboardInterrupt:
                status = "interrupted"
                raise
            except Exception as exc:
                message = str(exc)
                raise
            finally:
                counts = {}
                if summary is not None:
                    counts = {
                        "pages_fetched": summary.pages,
                        "articles_updated": summary.updated,
                        "articles_unchanged": summary.unchanged + summary.refreshed,
                    }
                    message = "; ".join(summary.messages) or message
                store.finish_run(run, status, counts, message)
    except LockHeld as exc:
        raise LockHeld(f"a crawl is running on {path} ({exc}); try again when it ends") from None


def stored_pages(store: Store, site: str | None, summary: ReextractSummary) -> Iterator[StoredPage]:
    """The kept article pages: copies in the archive, then pages kept in WARC files
    (``scraper backfill``), read from there when the file is present."""
    yield from store.article_pages(site)
    yield from warc_stored_pages(store, site, summary.messages)


def kept_dates(page: StoredPage, article: Article) -> Article:
    """``article`` (a re-extraction of ``page``) with the stored dates when they came from the
    REST API, which a page cannot give back: laid over it as at the crawl."""
    if page.date_source != "rest":
        return article
    listed = ListedDates(
        page.article_url, page.published_at, page.modified_at, page.date_raw, page.date_source
    )
    return with_listed_dates(article, listed)


def _profile(page: StoredPage, summary: ReextractSummary) -> Profile | None:
    if page.profile:
        try:
            return _load(page.profile)
        except ProfileError:
            note = f"profile {page.profile!r} of {page.site} is gone; extracting without it"
            if note not in summary.messages:
                summary.messages.append(note)
    return profile_for_url(page.final_url or page.url)


@cache
def _load(name: str) -> Profile:
    return load_profile(name)


def _when(page: StoredPage) -> datetime | None:
    """The page's fetch time: relative dates ("منذ ساعتين") are read against it."""
    try:
        when = datetime.fromisoformat(page.fetched_at)
    except (TypeError, ValueError):
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


REEXTRACT_BATCH = 200  # pages per task


@dataclass(frozen=True)
class _Job:
    """One stored page to re-extract; ``location`` when its bytes are in a WARC file."""

    page: StoredPage
    location: tuple[str, int] | None = None


_Outcome = tuple[StoredPage | None, Article | None, list[str]]


def _reextract_batch(jobs: list[_Job]) -> list[_Outcome]:
    """Re-extract a batch of pages (on a worker): (page, article or None, notes) each; the
    page is None when its WARC file cannot be read."""
    out: list[_Outcome] = []
    for job in jobs:
        page = job.page
        notes = ReextractSummary()
        if job.location is not None:
            try:
                content = read_capture(*job.location).payload
            except UsageError as exc:
                out.append((None, None, [f"pages in {job.location[0]} left as they are: {exc}"]))
                continue
            page = replace(page, content=content)
        url = page.final_url or page.url
        article = extract(page.content, url, _profile(page, notes), fetched_at=_when(page))
        if article.is_article:
            article = kept_dates(page, article)
            article.site = page.site
            out.append((replace(page, content=b""), article, notes.messages))
        else:
            out.append((replace(page, content=b""), None, notes.messages))
    return out


def _jobs(store: Store, site: str | None) -> Iterator[list[_Job]]:
    batch: list[_Job] = []
    for page in store.article_pages(site):
        batch.append(_Job(page))
        if len(batch) >= REEXTRACT_BATCH:
            yield batch
            batch = []
    for kept in store.warc_pages(site):
        batch.append(_Job(kept.page, (kept.file, kept.offset)))
        if len(batch) >= REEXTRACT_BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def reextract_dask(
    store: Store,
    site: str | None = None,
    *,
    workers: int = 2,
    scheduler: str | None = None,
    progress: Callable[[ReextractSummary], None] | None = None,
) -> ReextractSummary:
    """:func:`scraper.scale.reextract.reextract` with the extraction on Dask workers: the same
    outcome, written by this process in the order of the pages, one transaction per batch.

    The pages are read in batches while results come back (each batch is a fresh query by
    rowid, so the writes in between do not disturb the reading)."""
    summary = ReextractSummary()
    batches = _jobs(store, site)
    for results in dask_map(_reextract_batch, batches, workers=workers, scheduler=scheduler):
        with store.db.atomic():
            for page, article, notes in results:
                for note in notes:
                    if note not in summary.messages:
                        summary.messages.append(note)
                if page is None:  # its WARC file is gone
                    continue
                summary.pages += 1
                if article is None:
                    summary.not_articles += 1
                    continue
                outcome = store.save_reextracted(page, article)
                setattr(summary, outcome, getattr(summary, outcome) + 1)
        if progress is not None:
            progress(summary)
    return summary


def warc_stored_pages(
    store: Store, site: str | None = None, notes: list[str] | None = None
) -> Iterator[StoredPage]:
    """The archive's article pages kept in WARC files, with their raw bytes read from there
    (for ``scraper reextract``). A page whose file is gone or unreadable is left out, with a
    note per file in ``notes``."""
    missing: set[str] = set()
    for kept in store.warc_pages(site):
        if kept.file in missing:
            continue
        try:
            capture = read_capture(kept.file, kept.offset)
        except RecordSkipped as exc:  # this page only (its body is over the cap)
            if notes is not None:
                notes.append(f"page {kept.page.url} left as it is: {exc}")
            continue
        except UsageError as exc:
            missing.add(kept.file)
            if notes is not None:
                notes.append(f"pages in {kept.file} left as they are: {exc}")
            continue
        yield replace(kept.page, content=capture.payload)
