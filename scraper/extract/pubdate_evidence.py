"""Publication-date evidence: the sources ranked by trust, a candidate date and what a page
yielded (:class:`FoundDates`), and the patterns every evidence reader shares."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from .dates import ParsedDate


@dataclass(frozen=True, slots=True)
class FoundDates:
    """The page's publication and modification dates, and where the published one came from."""

    published: datetime | None
    modified: datetime | None
    source: str | None
    raw: str | None
    # The modified date when the reader sees it next to the headline ("Updated 5 May
    # 2025"): on a page that shows no publication date, the only day it gives for itself.
    shown_modified: datetime | None = None
    shown_modified_raw: str | None = None
    # How many kinds of evidence (sources) name the published day, and how many another
    # day: what the quality estimate reads as the dates agreeing.
    support: int = 0
    dissent: int = 0


# Ranks: lower is more trusted.
META_OFFSET = 0
JSONLD = 1
META_NAIVE = 2
JSONLD_OTHER = 3
TIME = 4
PROFILE = 5
TEXT = 6
IN_URL = 7
TITLE = 8
FAR_AWAY = 9
SIDE = 10
BODY = 11
IMAGE = 12
RELATIVE = 13
STRUCTURED = (META_OFFSET, JSONLD, META_NAIVE, JSONLD_OTHER)


HEADLINE_MARKUP = "[itemprop=headline], .entry-title, .post-title, .article-title"
# Elements holding a machine date (or a visible one) of the article.
DATE_ELEMENTS = (
    "time, [itemprop=datePublished], [itemprop=dateModified], [itemprop=dateCreated],"
    " abbr.published, abbr.updated, [pubdate]"
)
# Elements whose text is likely a visible date line.
TEXT_ELEMENTS = (
    "[class*=date i], [id*=date i], [class*=time i], [class*=publi i], [class*=datum i],"
    " [class*=fecha i], [class*=byline i], [class*=meta i], [class*=info i], [class*=author i]"
)
MAX_TEXT = 250
BODY_CHARS = 2500
LABELLED_CHARS = 30000
# A text worth parsing for an absolute date: a four-digit year, or a dotted date with a
# two-digit year (read only next to a time, see dates.py).
YEARISH = re.compile(r"\d{4}|\d\.\d{1,2}\.\d{2}(?![\d.])")

# Class/id words of regions whose dates are not the article's: comments, teasers, sidebars,
# site chrome. Matched at the start of a word ("sidebar-left", not "with-sidebar").
HARD = re.compile(
    r"(?<![a-z])(?:comment|disqus|respond|repl(?:y|ies)|related|recommend|similar|teaser"
    r"|popular|trending|most-?read|most-?viewed|read-?more|read-?next"
    r"|more-?(?:stories|news|articles|posts)|also-|outbrain|taboola|newsletter|ticker|breaking"
    r"|navbar|nav-|menu|promo(?![a-z])|yarpp|crp_|jp-relatedposts|cookie|weather|embed"
    r"|instagram|twitter-tweet)",
    re.IGNORECASE,
)
# ... and regions that are usually not the article's: sidebars, widgets, site chrome.
SOFT = re.compile(
    r"(?<![a-z])(?:sidebar|side-bar|widget|masthead|top-?bar|site-?header|latest|recent"
    r"|archive|calendar|rail|footer)",
    re.IGNORECASE,
)
HARD_TAGS = frozenset({"nav", "figcaption", "blockquote"})
OK, SOFT_OUT, HARD_OUT = 0, 1, 2
CONTENT_TAGS = frozenset({"article", "main"})
SKIP_TEXT_PARENTS = frozenset({"script", "style", "noscript", "textarea", "template", "title"})

MODIFIED_CLASS = re.compile(r"updat|modif|revis|edited|aktualis|actualiz", re.IGNORECASE)
PUBLISHED_CLASS = re.compile(r"publi|entry-date|post-date|created", re.IGNORECASE)
MODIFIED_WORDS = re.compile(
    r"(?:updated?|last\s+modified|modified|edited|revised|mis\s+a\s+jour|modifie|actualizad[oa]"
    r"|actualizacion|aktualisiert|zuletzt|geandert|atualizad[oa]|aggiornat[oa]|تحديث|حدث|تعديل)"
    r"[^0-9\ue001-\ue00c]{0,25}$"
)
PUBLISHED_WORDS = re.compile(
    r"(?:published|posted|publie|publicad[oa]|veroffentlicht|erschienen|pubblicat[oa]|نشر"
    r"|بتاريخ|created|erstellt|mise?\s+en\s+ligne|(?:artikel|beitrag|eintrag)\s+wurde\s+am)"
    r"[^0-9\ue001-\ue00c]{0,25}$"
)

URL_YMD = re.compile(r"(?<!\d)((?:19|20)\d{2})[/_-](\d{1,2})[/_-](\d{1,2})(?=$|[/_.\-?#])")
URL_COMPACT = re.compile(r"(?<![\d])((?:19|20)\d{2})(\d{2})(\d{2})(?=$|[/_.\-?#])")
URL_QUERY = re.compile(r"[?&](?:date|d|pubdate|published)=((?:19|20)\d{2})-?(\d{2})-?(\d{2})")
# Words of relative dates ("2 hours ago", "منذ ساعتين", "hier"): only such texts are parsed
# as relative dates.
RELATIVE_HINT = re.compile(
    r"ago|il y a|hace|vor |há |ha |منذ|قبل|yesterday|hier|ayer|gestern|ontem|أمس|امس|إمس"
    r"|البارحة|today|aujourd|hoy|heute|hoje|اليوم",
    re.IGNORECASE,
)
PARSELY_DATE = re.compile(r'"pub_date"\s*:\s*"([^"]+)"')


@dataclass(slots=True)
class Candidate:
    parsed: ParsedDate
    source: str
    rank: int
    order: int
    visible: bool
    labelled: bool = False  # the page's words call it the publication date ("Published ...")

    @property
    def day(self) -> date:
        return self.parsed.value.date()


@dataclass(slots=True)
class Found:
    tz: tzinfo | None
    now: datetime | None
    published: list[Candidate]
    modified: list[Candidate]
    lang: str | None = None  # the page's language tag: "en-US" reads 3/4/2025 as March 4

    def add(
        self,
        parsed: ParsedDate | None,
        source: str,
        rank: int,
        *,
        modified: bool = False,
        visible: bool = False,
        labelled: bool = False,
    ) -> None:
        if parsed is None or self._future(parsed.value):
            return
        target = self.modified if modified else self.published
        target.append(Candidate(parsed, source, rank, len(target), visible, labelled))

    def _future(self, value: datetime) -> bool:
        if self.now is None:
            return False
        return before_of(self.now + timedelta(days=1), value)

    def best_rank(self) -> int:
        return min((c.rank for c in self.published), default=99)


def before_of(a: datetime, b: datetime) -> bool:
    if (a.tzinfo is None) != (b.tzinfo is None):
        a, b = a.replace(tzinfo=None), b.replace(tzinfo=None)
    return a < b
