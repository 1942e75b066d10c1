"""The mirror's data model: articles of the four sahara.ma editions, loaded from JSON.

Everything the mirror serves (pages, feeds, sitemaps, the REST API, the truth file) is computed
from a :class:`Site`. The site is mutable while a server reads it: ``edit``, ``add`` and
``remove`` take the lock and bump :attr:`Site.version`, which invalidates rendered pages.
"""

from __future__ import annotations

import json
import re
import threading
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote
from zoneinfo import ZoneInfo

TIMEZONE = ZoneInfo("Africa/Casablanca")
SITE_NAME = "sahara.ma"
COPYRIGHT = "© 2023 - Sahara Marocain. Tous Droits Réservés"
UPLOADS = "/wp-content/uploads/"
LOGO_FILE = "2023/05/logo-sahara.png"
INLINE_RELATED_COUNT = 2
RELATED_COUNT = 3


@dataclass(frozen=True, slots=True)
class Edition:
    """One language edition (a Polylang language), served under ``/<code>/``."""

    code: str
    locale: str  # <html lang>, hreflang
    og_locale: str
    direction: str
    native_name: str  # label in the language switcher
    home_label: str
    categories: tuple[tuple[str, str], ...]  # (name, slug) in menu order
    prev_caption: str
    next_caption: str
    months: tuple[str, ...]

    def format_date(self, value: datetime) -> str:
        """The visible date as WordPress prints it for this locale."""
        month = self.months[value.month - 1]
        if self.code == "en":
            return f"{month} {value.day}, {value.year}"
        if self.code == "es":
            return f"{value.day} {month}, {value.year}"
        return f"{value.day} {month} {value.year}"

    def category_slug(self, name: str) -> str:
        for cat_name, slug in self.categories:
            if cat_name == name:
                return slug
        return slugify(name)

    def category_name(self, slug: str) -> str | None:
        for cat_name, cat_slug in self.categories:
            if cat_slug == slug:
                return cat_name
        return None


_AR_MONTHS = (
    "يناير",
    "فبراير",
    "مارس",
    "أبريل",
    "مايو",
    "يونيو",
    "يوليو",
    "أغسطس",
    "سبتمبر",
    "أكتوبر",
    "نوفمبر",
    "ديسمبر",
)
_FR_MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
_EN_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_ES_MONTHS = (
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
)

_AR_SECTIONS = ("سياسة", "اقتصاد", "مجتمع", "دولي", "ثقافة", "رياضة")

EDITIONS: dict[str, Edition] = {
    "ar": Edition(
        code="ar",
        locale="ar",
        og_locale="ar_AR",
        direction="rtl",
        native_name="العربية",
        home_label="الرئيسية",
        categories=tuple((name, name) for name in _AR_SECTIONS),
        prev_caption="المقالة السابقة",
        next_caption="المقالة التالية",
        months=_AR_MONTHS,
    ),
    "fr": Edition(
        code="fr",
        locale="fr-FR",
        og_locale="fr_FR",
        direction="ltr",
        native_name="Français",
        home_label="Accueil",
        categories=(
            ("Politique", "politique"),
            ("Économie", "economie"),
            ("Société", "societe"),
            ("Monde", "monde"),
            ("Culture", "culture"),
            ("Sport", "sport"),
        ),
        prev_caption="Article précédent",
        next_caption="Article suivant",
        months=_FR_MONTHS,
    ),
    "en": Edition(
        code="en",
        locale="en-US",
        og_locale="en_US",
        direction="ltr",
        native_name="English",
        home_label="Home",
        categories=(
            ("Politics", "politics"),
            ("Economy", "economy"),
            ("Society", "society"),
            ("World", "world"),
            ("Culture", "culture"),
            ("Sports", "sports"),
        ),
        prev_caption="Previous Post",
        next_caption="Next Post",
        months=_EN_MONTHS,
    ),
    "es": Edition(
        code="es",
        locale="es-ES",
        og_locale="es_ES",
        direction="ltr",
        native_name="Español",
        home_label="Inicio",
        categories=(
            ("Política", "politica"),
            ("Economía", "economia"),
            ("Sociedad", "sociedad"),
            ("Mundo", "mundo"),
            ("Cultura", "cultura"),
            ("Deportes", "deportes"),
        ),
        prev_caption="Artículo anterior",
        next_caption="Siguiente artículo",
        months=_ES_MONTHS,
    ),
}
LANGS: tuple[str, ...] = tuple(EDITIONS)


def slugify(text: str) -> str:
    """A WordPress-like ``sanitize_title``: accents off Latin letters, lowercase, dashes.

    Non-Latin letters (Arabic) are kept as they are; percent-encoding happens in URLs only.
    """
    chars: list[str] = []
    for ch in text:
        if ord(ch) < 0x250:
            decomposed = unicodedata.normalize("NFKD", ch)
            chars.extend(c for c in decomposed if not unicodedata.combining(c))
        else:
            chars.append(ch)
    lowered = "".join(chars).lower()
    return re.sub(r"[^\w]+|_+", "-", lowered).strip("-")


def encode_segment(segment: str, *, upper: bool = False) -> str:
    """Percent-encode one path segment; WordPress prints lowercase escapes."""
    encoded = quote(segment, safe="-_.~")
    if upper:
        return encoded
    return re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), encoded)


def to_utc(local: datetime) -> datetime:
    """Site-local naive time to an aware UTC datetime."""
    return local.replace(tzinfo=TIMEZONE).astimezone(UTC)


def to_aware(local: datetime) -> datetime:
    """Site-local naive time to an aware datetime carrying the Casablanca offset."""
    return local.replace(tzinfo=TIMEZONE)


def now_local() -> datetime:
    """The current site-local time, naive, to the second."""
    return datetime.now(TIMEZONE).replace(tzinfo=None, microsecond=0)


def _parse_local(value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    parsed = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(TIMEZONE).replace(tzinfo=None)
    return parsed.replace(microsecond=0)


@dataclass(slots=True)
class Article:
    """One post of one edition, as the data files describe it."""

    id: int
    lang: str
    slug: str
    title: str
    published: datetime  # site-local, naive
    paragraphs: list[str]
    categories: list[str]
    subtitle: str | None = None
    author: str | None = None
    modified: datetime | None = None
    tags: list[str] = field(default_factory=list)
    image_file: str | None = None
    image_alt: str = ""
    inline_related_after: int | None = None
    translations: dict[str, int] = field(default_factory=dict)
    related_ids: list[int] | None = None
    inline_related_ids: list[int] | None = None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Article:
        lang = str(data["lang"])
        if lang not in EDITIONS:
            raise ValueError(f"article {data.get('id')}: unknown language {lang!r}")
        published = _parse_local(data["published"])
        if published is None:
            raise ValueError(f"article {data.get('id')}: no published date")
        image = data.get("image") or {}
        slug = unquote(str(data["slug"])).strip("/")
        return cls(
            id=int(data["id"]),
            lang=lang,
            slug=slug,
            title=str(data["title"]),
            subtitle=data.get("subtitle") or None,
            author=data.get("author") or None,
            published=published,
            modified=_parse_local(data.get("modified")),
            categories=[str(c) for c in data.get("categories") or []],
            tags=[str(t) for t in data.get("tags") or []],
            image_file=(image.get("file") or None) if isinstance(image, dict) else None,
            image_alt=str(image.get("alt") or "") if isinstance(image, dict) else "",
            paragraphs=[str(p) for p in data.get("paragraphs") or []],
            inline_related_after=data.get("inline_related_after"),
            translations={str(k): int(v) for k, v in (data.get("translations") or {}).items()},
            related_ids=_ids(data.get("related")),
            inline_related_ids=_ids(data.get("inline_related")),
        )

    def to_dict(self) -> dict[str, Any]:
        """The data-file form of this article (inverse of :meth:`from_dict`)."""
        out: dict[str, Any] = {
            "id": self.id,
            "lang": self.lang,
            "slug": self.slug,
            "title": self.title,
            "subtitle": self.subtitle,
            "author": self.author,
            "published": self.published.isoformat(),
            "modified": self.modified.isoformat() if self.modified else None,
            "categories": list(self.categories),
            "tags": list(self.tags),
            "image": {"file": self.image_file, "alt": self.image_alt} if self.image_file else None,
            "paragraphs": list(self.paragraphs),
            "inline_related_after": self.inline_related_after,
        }
        if self.translations:
            out["translations"] = dict(self.translations)
        if self.related_ids is not None:
            out["related"] = list(self.related_ids)
        if self.inline_related_ids is not None:
            out["inline_related"] = list(self.inline_related_ids)
        return out

    @property
    def edition(self) -> Edition:
        return EDITIONS[self.lang]

    @property
    def last_changed(self) -> datetime:
        """Site-local time of the last change (modified, else published)."""
        return self.modified or self.published

    @property
    def sort_key(self) -> tuple[datetime, int]:
        return (self.published, self.id)

    def path(self, *, upper: bool = False) -> str:
        """The article's path; canonical (lowercase escapes) unless ``upper``."""
        return f"/{self.lang}/{encode_segment(self.slug, upper=upper)}/"

    @property
    def image_path(self) -> str | None:
        return f"{UPLOADS}{self.image_file}" if self.image_file else None

    @property
    def body(self) -> str:
        return "\n\n".join(self.paragraphs)


def _ids(value: Any) -> list[int] | None:
    if value is None:
        return None
    return [int(v) for v in value]


_EDITABLE = {
    "slug",
    "title",
    "subtitle",
    "author",
    "published",
    "modified",
    "categories",
    "tags",
    "image",
    "paragraphs",
    "inline_related_after",
    "translations",
    "related",
    "inline_related",
}


class Site:
    """All articles of the mirror, with the queries the templates need. Thread-safe."""

    def __init__(self, articles: Iterable[Article | dict[str, Any]] = (), root: Path | None = None):
        self.root = root
        self.lock = threading.RLock()
        self.version = 0
        self._articles: dict[int, Article] = {}
        self._tag_ids: dict[tuple[str, str], int] = {}
        for item in articles:
            self._insert(item if isinstance(item, Article) else Article.from_dict(item))

    # -- loading -----------------------------------------------------------------------------

    @classmethod
    def load(cls, root: Path | str) -> Site:
        """Load every ``articles/*.json`` under ``root`` (a list, ``{"articles": [...]}`` or one
        article object per file)."""
        root = Path(root)
        items: list[dict[str, Any]] = []
        for path in sorted((root / "articles").glob("*.json")):
            data = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(data, dict) and "articles" in data:
                data = data["articles"]
            if isinstance(data, dict):
                data = [data]
            items.extend(data)
        items.sort(key=lambda d: int(d["id"]))
        return cls(items, root=root)

    def _insert(self, article: Article) -> None:
        if article.id in self._articles:
            raise ValueError(f"duplicate article id {article.id}")
        self._articles[article.id] = article
        for tag in article.tags:
            self._tag_ids.setdefault((article.lang, tag), 1000 + len(self._tag_ids))

    # -- mutation ----------------------------------------------------------------------------

    def edit(self, article_id: int, **fields: Any) -> Article:
        """Change fields of an article (data-file names); bumps ``modified`` unless given."""
        unknown = set(fields) - _EDITABLE
        if unknown:
            raise TypeError(f"cannot edit {sorted(unknown)}")
        with self.lock:
            old = self._articles[article_id]
            data = old.to_dict()
            data.update(fields)
            if "modified" not in fields:
                bumped = now_local()
                if bumped <= old.last_changed:
                    bumped = old.last_changed + timedelta(seconds=1)
                data["modified"] = bumped.isoformat()
            new = Article.from_dict(data)
            self._articles[article_id] = new
            for tag in new.tags:
                self._tag_ids.setdefault((new.lang, tag), 1000 + len(self._tag_ids))
            self.version += 1
            return new

    def add(self, data: dict[str, Any] | Article) -> Article:
        """Publish a new article."""
        article = data if isinstance(data, Article) else Article.from_dict(data)
        with self.lock:
            self._insert(article)
            self.version += 1
            return article

    def remove(self, article_id: int) -> None:
        """Unpublish an article (its URL answers 404 afterwards)."""
        with self.lock:
            del self._articles[article_id]
            self.version += 1

    # -- queries -----------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._articles)

    def __iter__(self) -> Iterator[Article]:
        with self.lock:
            return iter(sorted(self._articles.values(), key=lambda a: a.id))

    def get(self, article_id: int) -> Article | None:
        return self._articles.get(article_id)

    def by_slug(self, lang: str, slug: str) -> Article | None:
        with self.lock:
            for article in self._articles.values():
                if article.lang == lang and article.slug == slug:
                    return article
        return None

    def newest(self, lang: str | None = None) -> list[Article]:
        """Articles of an edition (or all), newest first."""
        with self.lock:
            items = [a for a in self._articles.values() if lang is None or a.lang == lang]
        return sorted(items, key=lambda a: a.sort_key, reverse=True)

    def in_category(self, lang: str, name: str) -> list[Article]:
        return [a for a in self.newest(lang) if name in a.categories]

    def with_tag(self, lang: str, tag: str) -> list[Article]:
        return [a for a in self.newest(lang) if tag in a.tags]

    def categories(self, lang: str) -> list[str]:
        """Category names of an edition: the menu's, then any others the data uses."""
        names = [name for name, _ in EDITIONS[lang].categories]
        for article in self.newest(lang):
            for cat in article.categories:
                if cat not in names:
                    names.append(cat)
        return names

    def category_by_slug(self, lang: str, slug: str) -> str | None:
        for name in self.categories(lang):
            if EDITIONS[lang].category_slug(name) == slug:
                return name
        return None

    def category_id(self, lang: str, name: str) -> int:
        names = self.categories(lang)
        return 2 + LANGS.index(lang) * 100 + names.index(name)

    def tags(self, lang: str) -> list[str]:
        with self.lock:
            return [tag for (tag_lang, tag) in self._tag_ids if tag_lang == lang]

    def tag_by_slug(self, lang: str, slug: str) -> str | None:
        for tag in self.tags(lang):
            if slugify(tag) == slug:
                return tag
        return None

    def tag_id(self, lang: str, tag: str) -> int:
        return self._tag_ids[(lang, tag)]

    def prev_next(self, article: Article) -> tuple[Article | None, Article | None]:
        """Previous (older) and next (newer) post of the same edition, by date."""
        ordered = list(reversed(self.newest(article.lang)))
        index = next(i for i, a in enumerate(ordered) if a.id == article.id)
        prev = ordered[index - 1] if index > 0 else None
        nxt = ordered[index + 1] if index + 1 < len(ordered) else None
        return prev, nxt

    def _pick(self, article: Article, explicit: list[int] | None, count: int) -> list[Article]:
        if explicit is not None:
            return [a for a in (self.get(i) for i in explicit) if a is not None]
        if not article.categories:
            return []
        pool = self.in_category(article.lang, article.categories[0])
        return [a for a in pool if a.id != article.id][:count]

    def inline_related(self, article: Article) -> list[Article]:
        """The "You might also like" box inside the body (none without a position for it)."""
        if article.inline_related_after is None:
            return []
        return self._pick(article, article.inline_related_ids, INLINE_RELATED_COUNT)

    def related(self, article: Article) -> list[Article]:
        """The "Related Stories" block after the body."""
        return self._pick(article, article.related_ids, RELATED_COUNT)

    def translation(self, article: Article, lang: str) -> Article | None:
        target = article.translations.get(lang)
        return self.get(target) if target is not None else None

    def translations(self, article: Article) -> dict[str, Article]:
        """Existing translations, the article itself included, in edition order."""
        out: dict[str, Article] = {article.lang: article}
        for lang in LANGS:
            other = self.translation(article, lang)
            if other is not None and lang != article.lang:
                out[lang] = other
        return {lang: out[lang] for lang in LANGS if lang in out}

    def known_upload(self, path: str) -> bool:
        """Whether ``/wp-content/uploads/...`` names an image of the site (any size variant)."""
        rel = path[len(UPLOADS) :]
        if rel == LOGO_FILE:
            return True
        base = re.sub(r"-\d+x\d+(\.[A-Za-z0-9]+)$", r"\1", rel)
        with self.lock:
            return any(a.image_file in (rel, base) for a in self._articles.values())


def thumbnail(file: str, width: int, height: int) -> str:
    """WordPress's name for a resized copy: ``name-WxH.ext``."""
    stem, dot, ext = file.rpartition(".")
    if not dot:
        return f"{file}-{width}x{height}"
    return f"{stem}-{width}x{height}.{ext}"


def site_root() -> Path:
    """Where the mirror's data lives: ``site/`` next to this package in a wheel, else the
    repository's ``tests/fixtures/sahara``."""
    packaged = Path(__file__).parent / "site"
    if packaged.exists():
        return packaged
    return Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "sahara"


def default_site() -> Site:
    """A fresh, mutable copy of the bundled sahara.ma data."""
    return Site.load(site_root())
