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
_META_OFFSET = 0
_JSONLD = 1
_META_NAIVE = 2
_JSONLD_OTHER = 3
_TIME = 4
_PROFILE = 5
_TEXT = 6
_URL = 7
_TITLE = 8
_FAR = 9
_SIDE = 10
_BODY = 11
_IMAGE = 12
_RELATIVE = 13
_STRUCTURED = (_META_OFFSET, _JSONLD, _META_NAIVE, _JSONLD_OTHER)


_HEADLINE_MARKUP = "[itemprop=headline], .entry-title, .post-title, .article-title"
# Elements holding a machine date (or a visible one) of the article.
_DATE_ELEMENTS = (
    "time, [itemprop=datePublished], [itemprop=dateModified], [itemprop=dateCreated],"
    " abbr.published, abbr.updated, [pubdate]"
)
# Elements whose text is likely a visible date line.
_TEXT_ELEMENTS = (
    "[class*=date i], [id*=date i], [class*=time i], [class*=publi i], [class*=datum i],"
    " [class*=fecha i], [class*=byline i], [class*=meta i], [class*=info i], [class*=author i]"
)
_MAX_TEXT = 250
_BODY_CHARS = 2500
_LABELLED_CHARS = 30000
_YEARISH = re.compile(r"\d{4}")

# Class/id words of regions whose dates are not the article's: comments, teasers, sidebars,
# site chrome. Matched at the start of a word ("sidebar-left", not "with-sidebar").
_HARD = re.compile(
    r"(?<![a-z])(?:comment|disqus|respond|repl(?:y|ies)|related|recommend|similar|teaser"
    r"|popular|trending|most-?read|most-?viewed|read-?more|read-?next"
    r"|more-?(?:stories|news|articles|posts)|also-|outbrain|taboola|newsletter|ticker|breaking"
    r"|navbar|nav-|menu|promo(?![a-z])|yarpp|crp_|jp-relatedposts|cookie|weather|embed"
    r"|instagram|twitter-tweet)",
    re.IGNORECASE,
)
# ... and regions that are usually not the article's: sidebars, widgets, site chrome.
_SOFT = re.compile(
    r"(?<![a-z])(?:sidebar|side-bar|widget|masthead|top-?bar|site-?header|latest|recent"
    r"|archive|calendar|rail|footer)",
    re.IGNORECASE,
)
_HARD_TAGS = frozenset({"nav", "figcaption", "blockquote"})
_OK, _SOFT_OUT, _HARD_OUT = 0, 1, 2
_CONTENT_TAGS = frozenset({"article", "main"})
_SKIP_TEXT_PARENTS = frozenset({"script", "style", "noscript", "textarea", "template", "title"})

_MODIFIED_CLASS = re.compile(r"updat|modif|revis|edited|aktualis|actualiz", re.IGNORECASE)
_PUBLISHED_CLASS = re.compile(r"publi|entry-date|post-date|created", re.IGNORECASE)
_MODIFIED_WORDS = re.compile(
    r"(?:updated?|last\s+modified|modified|edited|revised|mis\s+a\s+jour|modifie|actualizad[oa]"
    r"|actualizacion|aktualisiert|zuletzt|geandert|atualizad[oa]|aggiornat[oa]|تحديث|حدث|تعديل)"
    r"[^0-9\ue001-\ue00c]{0,25}$"
)
_PUBLISHED_WORDS = re.compile(
    r"(?:published|posted|publie|publicad[oa]|veroffentlicht|erschienen|pubblicat[oa]|نشر"
    r"|بتاريخ|created|erstellt|mise?\s+en\s+ligne|(?:artikel|beitrag|eintrag)\s+wurde\s+am)"
    r"[^0-9\ue001-\ue00c]{0,25}$"
)

_URL_YMD = re.compile(r"(?<!\d)((?:19|20)\d{2})[/_-](\d{1,2})[/_-](\d{1,2})(?=$|[/_.\-?#])")
_URL_COMPACT = re.compile(r"(?<![\d])((?:19|20)\d{2})(\d{2})(\d{2})(?=$|[/_.\-?#])")
_URL_QUERY = re.compile(r"[?&](?:date|d|pubdate|published)=((?:19|20)\d{2})-?(\d{2})-?(\d{2})")
# Words of relative dates ("2 hours ago", "منذ ساعتين", "hier"): only such texts are parsed
# as relative dates.
_RELATIVE_HINT = re.compile(
    r"ago|il y a|hace|vor |há |ha |منذ|قبل|yesterday|hier|ayer|gestern|ontem|أمس|امس|إمس"
    r"|البارحة|today|aujourd|hoy|heute|hoje|اليوم",
    re.IGNORECASE,
)
_PARSELY_DATE = re.compile(r'"pub_date"\s*:\s*"([^"]+)"')


@dataclass(slots=True)
class _Candidate:
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
class _Found:
    tz: tzinfo | None
    now: datetime | None
    published: list[_Candidate]
    modified: list[_Candidate]
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
        target.append(_Candidate(parsed, source, rank, len(target), visible, labelled))

    def _future(self, value: datetime) -> bool:
        if self.now is None:
            return False
        return _before(self.now + timedelta(days=1), value)

    def best_rank(self) -> int:
        return min((c.rank for c in self.published), default=99)


def _before(a: datetime, b: datetime) -> bool:
    if (a.tzinfo is None) != (b.tzinfo is None):
        a, b = a.replace(tzinfo=None), b.replace(tzinfo=None)
    return a < b
