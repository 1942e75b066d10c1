"""What a crawl is given and what it gives back: the :class:`Site` to crawl and the
:class:`CrawlSummary` of a run (``scraper.crawl`` returns it; the CLI maps it to an exit
code; ``crawl_runs`` keeps its counts)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from ..discover import pages as discover
from ..profiles import Profile


@dataclass(frozen=True)
class Site:
    """What to crawl: a name (the archive's key), where to start, and an optional profile."""

    name: str
    base_url: str
    profile: Profile | None = None

    @property
    def hosts(self) -> set[str]:
        return discover.site_hosts(self.base_url, self.profile)

    def wanted_languages(self, chosen: tuple[str, ...] | None) -> set[str] | None:
        """The editions to crawl: those ``chosen`` (``--lang``), else the profile's, else
        every one (None)."""
        if chosen:
            return set(chosen)
        profile = self.profile
        return set(profile.languages) if profile and profile.languages else None


@dataclass
class CrawlSummary:
    site: str = ""
    # ok | incomplete | partial | interrupted | blocked | failed | empty (the site has no
    # article archived after the run: nothing found, or nothing recognised as an article)
    status: str = "ok"
    pages_fetched: int = 0
    not_modified: int = 0
    articles_new: int = 0
    articles_updated: int = 0
    articles_unchanged: int = 0
    not_articles: int = 0
    errors: int = 0
    skipped: int = 0  # not fetched by choice: robots.txt disallows it, or out of scope
    outside_window: int = 0  # articles dated outside --since/--until, kept for a later run
    other_language: int = 0  # articles in a language --lang did not ask for, kept likewise
    no_offset: int = 0  # articles archived with a publication date of unknown UTC offset
    seconds: float = 0.0
    messages: list[str] = field(default_factory=list)
    # what a run learned or did that is no fault: a moved site, a time zone learned, dates of
    # unknown offset (printed as notes, never as errors; recorded with the run's message)
    notes: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)  # the first few "url: reason" lines
    requests_by_kind: dict[str, int] = field(default_factory=dict)
    interrupted_by: str | None = None  # "SIGINT" or "SIGTERM" when a signal stopped the crawl
    bounded: dict[str, int] = field(default_factory=dict)  # trap bound -> URLs it cut
    parked: dict[str, str] = field(default_factory=dict)  # host -> why it was left for later
    pending: int = 0  # URLs left in the frontier for the next run (status "incomplete")

    def counts(self) -> dict[str, int]:
        keys = ("pages_fetched", "not_modified", "articles_new", "articles_updated",
                "articles_unchanged", "errors", "skipped")  # fmt: skip
        return {k: getattr(self, k) for k in keys}

    def outcomes(self) -> dict[str, int]:
        """Pages by what became of them: a page's outcome is the count it raised."""
        return {"new": self.articles_new, "updated": self.articles_updated,
                "unchanged": self.articles_unchanged, "not modified": self.not_modified,
                "failed": self.errors, "not an article": self.not_articles}  # fmt: skip

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def no_article_hint(summary: CrawlSummary, site: Site) -> str:
    """What a crawl that archived no article found, and what to try instead."""
    kinds = ", ".join(f"{n} {k}" for k, n in sorted(summary.requests_by_kind.items()))
    found = f"{summary.pages_fetched} pages fetched ({kinds or 'none'})"
    if summary.not_articles:
        found += f", {summary.not_articles} not recognised as articles"
    tip = "start from a section's URL or a sitemap, or write a site profile for it"
    if site.profile is None:
        tip = "start from a section's URL or a sitemap, or apply a site profile"
    return f"no article found on {site.name}: {found}; {tip}"


Progress = Callable[[CrawlSummary, dict[str, int]], None]
