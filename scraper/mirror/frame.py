"""The mirror's page frame, written as Python: JNews's <head>, header (desktop, sticky,
mobile), footer and mobile drawer, and the helpers every template uses (escaping, WordPress
JSON, dates). Class names and nesting follow the JNews theme's header builder and
``footer-1``, so a site profile written for the real sahara.ma selects the same elements
here. Every link is absolute, built from the request's host.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from html import escape
from typing import Any

from scraper.mirror.site import (
    COPYRIGHT,
    EDITIONS,
    LANGS,
    LOGO_FILE,
    SITE_NAME,
    UPLOADS,
    Article,
    Edition,
    Site,
    encode_segment,
    slugify,
    to_utc,
)

PER_PAGE = 6  # posts per listing page
FEED_ITEMS = 10
SITEMAP_MAX_URLS = 50  # WordPress's wp_sitemaps_max_urls filter, lowered to exercise paging
HOME_LATEST = 5
HOME_PER_SECTION = 4
EXCERPT_WORDS = 20
INLINE_AD_AFTER = 4  # the in-article ad follows this paragraph (or the last one)


def h(text: object) -> str:
    """HTML-escape text for element content and attribute values."""
    return escape(str(text), quote=True)


def wp_json(value: Any) -> str:
    """JSON as ``wp_json_encode`` prints it: ASCII-only, slashes escaped."""
    return json.dumps(value, ensure_ascii=True, separators=(",", ":")).replace("/", "\\/")


def local_iso(value: datetime) -> str:
    """Site-local time without an offset, as JNews's JSON-LD and WordPress's REST ``date``."""
    return value.strftime("%Y-%m-%dT%H:%M:%S")


def gmt_iso(value: datetime) -> str:
    return to_utc(value).strftime("%Y-%m-%dT%H:%M:%S")


def rfc822(value: datetime) -> str:
    """RSS ``pubDate``: RFC 822 in UTC with ``+0000``, as WordPress prints it."""
    return to_utc(value).strftime("%a, %d %b %Y %H:%M:%S +0000")


def http_date(value: datetime) -> str:
    return format_datetime(to_utc(value), usegmt=True)


def excerpt(article: Article, words: int = EXCERPT_WORDS) -> str:
    tokens = " ".join(article.paragraphs).split()
    if len(tokens) <= words:
        return " ".join(tokens)
    return " ".join(tokens[:words]) + " ..."


@dataclass(frozen=True, slots=True)
class Ctx:
    """What a template needs besides its data: the site, the base URL and the edition."""

    site: Site
    base: str  # "http://127.0.0.1:8123", from the request's Host header
    lang: str

    @property
    def edition(self) -> Edition:
        return EDITIONS[self.lang]

    def url(self, path: str) -> str:
        return self.base + path

    def home(self, lang: str | None = None) -> str:
        return self.url(f"/{lang or self.lang}/")

    def article_url(self, article: Article, *, upper: bool = False) -> str:
        return self.url(article.path(upper=upper))

    def category_url(self, name: str, lang: str | None = None) -> str:
        code = lang or self.lang
        slug = EDITIONS[code].category_slug(name)
        return self.url(f"/{code}/category/{encode_segment(slug)}/")

    def tag_url(self, tag: str, lang: str | None = None) -> str:
        return self.url(f"/{lang or self.lang}/tag/{encode_segment(slugify(tag))}/")

    def author_url(self, author: str, lang: str | None = None) -> str:
        return self.url(f"/{lang or self.lang}/author/{encode_segment(slugify(author))}/")

    def upload(self, file: str) -> str:
        return self.url(UPLOADS + file)


# ---------------------------------------------------------------------------------------------
# Page frame: <head>, header (desktop, sticky, mobile), footer, mobile drawer
# ---------------------------------------------------------------------------------------------


@dataclass(slots=True)
class Head:
    title: str
    canonical: str
    og_type: str = "website"
    og_title: str | None = None
    description: str = ""
    image: str | None = None
    alternates: dict[str, str] | None = None  # hreflang -> URL
    jsonld: list[dict[str, Any]] | None = None
    feed: str | None = None
    rest: str | None = None
    shortlink: str | None = None
    prev: str | None = None
    next: str | None = None
    robots: str = "index, follow, max-image-preview:large, max-snippet:-1, max-video-preview:-1"


def _head(ctx: Ctx, head: Head) -> str:
    edition = ctx.edition
    out = [
        '<meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />',
        "<meta name='viewport' content='width=device-width, initial-scale=1, user-scalable=yes' />",
        '<link rel="profile" href="http://gmpg.org/xfn/11" />',
        f"<title>{h(head.title)}</title>",
        f'<meta name="robots" content="{h(head.robots)}" />',
    ]
    if head.description:
        out.append(f'<meta name="description" content="{h(head.description)}" />')
    out.append(f'<link rel="canonical" href="{h(head.canonical)}" />')
    if head.prev:
        out.append(f'<link rel="prev" href="{h(head.prev)}" />')
    if head.next:
        out.append(f'<link rel="next" href="{h(head.next)}" />')
    out += [
        f'<meta property="og:locale" content="{edition.og_locale}" />',
        f'<meta property="og:type" content="{head.og_type}" />',
        f'<meta property="og:title" content="{h(head.og_title or head.title)}" />',
    ]
    if head.description:
        out.append(f'<meta property="og:description" content="{h(head.description)}" />')
    out += [
        f'<meta property="og:url" content="{h(head.canonical)}" />',
        f'<meta property="og:site_name" content="{SITE_NAME}" />',
    ]
    if head.image:
        out.append(f'<meta property="og:image" content="{h(head.image)}" />')
    out.append('<meta name="twitter:card" content="summary_large_image" />')
    for hreflang, href in (head.alternates or {}).items():
        out.append(f'<link rel="alternate" href="{h(href)}" hreflang="{h(hreflang)}" />')
    feed = head.feed or ctx.url(f"/{ctx.lang}/feed/")
    out.append(
        f'<link rel="alternate" type="application/rss+xml" title="{SITE_NAME} &raquo; Feed" '
        f'href="{h(feed)}" />'
    )
    out.append(f'<link rel="https://api.w.org/" href="{h(ctx.url("/wp-json/"))}" />')
    if head.rest:
        out.append(f'<link rel="alternate" type="application/json" href="{h(head.rest)}" />')
    if head.shortlink:
        out.append(f"<link rel='shortlink' href='{h(head.shortlink)}' />")
    for data in head.jsonld or []:
        out.append(f'<script type="application/ld+json">{wp_json(data)}</script>')
    return "\n".join(out)


def organization(ctx: Ctx) -> dict[str, Any]:
    return {
        "@context": "http://schema.org",
        "@type": "Organization",
        "@id": ctx.url("/#organization"),
        "url": ctx.url("/"),
        "name": SITE_NAME,
        "logo": {"@type": "ImageObject", "url": ctx.upload(LOGO_FILE)},
        "sameAs": ["https://www.facebook.com/saharamarocain", "https://x.com/saharamarocain"],
    }


def website(ctx: Ctx) -> dict[str, Any]:
    return {
        "@context": "http://schema.org",
        "@type": "WebSite",
        "@id": ctx.url("/#website"),
        "url": ctx.home(),
        "name": SITE_NAME,
        "potentialAction": {
            "@type": "SearchAction",
            "target": ctx.home() + "?s={search_term_string}",
            "query-input": "required name=search_term_string",
        },
    }


def breadcrumb_list(items: list[tuple[str, str]]) -> dict[str, Any]:
    return {
        "@context": "http://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": i, "item": {"@id": url, "name": name}}
            for i, (name, url) in enumerate(items, start=1)
        ],
    }


def _logo(ctx: Ctx, heading: bool) -> str:
    tag = "h1" if heading else "div"
    src = h(ctx.upload(LOGO_FILE))
    return (
        f'<{tag} class="site-title"><a href="{h(ctx.home())}" style="padding: 0 0 0 0;">'
        f'<img class="jeg_logo_img" src="{src}" data-light-src="{src}" data-dark-src="{src}" '
        f'alt="{SITE_NAME}" width="240" height="60"></a></{tag}>'
    )


def _menu_items(ctx: Ctx, current: str | None) -> str:
    """The main menu entries: home, then the six sections."""
    items = [(ctx.edition.home_label, ctx.home(), "menu-item-home")]
    for name, _slug in ctx.edition.categories:
        items.append((name, ctx.category_url(name), "menu-item-type-taxonomy"))
    out = []
    for i, (label, href, kind) in enumerate(items):
        item_id = 100 + LANGS.index(ctx.lang) * 10 + i
        active = " current-menu-item" if current == href else ""
        out.append(
            f'<li id="menu-item-{item_id}" class="menu-item {kind} menu-item-{item_id}{active} '
            f'bgnav" data-item-row="default"><a href="{h(href)}">{h(label)}</a></li>'
        )
    return "".join(out)


def _main_menu(ctx: Ctx, current: str | None) -> str:
    return (
        '<div class="jeg_nav_item jeg_main_menu_wrapper"><div class="jeg_mainmenu_wrap">'
        '<ul class="jeg_menu jeg_main_menu jeg_menu_style_1" data-animation="animate">'
        f"{_menu_items(ctx, current)}</ul></div></div>"
    )


def search_form(ctx: Ctx) -> str:
    return (
        f'<form action="{h(ctx.home())}" method="get" class="jeg_search_form" target="_top">'
        '<input name="s" class="jeg_search_input" placeholder="Search..." type="text" value="" '
        'autocomplete="off"><button aria-label="Search Button" type="submit" '
        'class="jeg_search_button btn"><i class="fa fa-search"></i></button></form>'
        "<!-- jeg_search_hide with_result no_result -->"
        '<div class="jeg_search_result jeg_search_hide with_result">'
        '<div class="search-result-wrapper"></div>'
        '<div class="search-link search-noresult">No Result</div>'
        '<div class="search-link search-all-button"><i class="fa fa-search"></i> View All Result'
        "</div></div>"
    )


def _search(ctx: Ctx, kind: str = "jeg_search_popup_expand") -> str:
    return (
        f'<div class="jeg_nav_item jeg_search_wrapper search_icon {kind}">'
        '<a href="#" class="jeg_search_toggle"><i class="fa fa-search"></i></a>'
        f"{search_form(ctx)}</div>"
    )


def _language_items(ctx: Ctx, links: dict[str, str]) -> str:
    """Polylang's switcher: every other language, linking to the translation or its home."""
    out = []
    for i, code in enumerate(LANGS):
        if code == ctx.lang:
            continue
        edition = EDITIONS[code]
        first = " lang-item-first" if i == 0 or (i == 1 and ctx.lang == LANGS[0]) else ""
        href = links.get(code) or ctx.home(code)
        no_translation = "" if code in links else " no-translation"
        out.append(
            f'<li class="lang-item lang-item-{i + 2} lang-item-{code}{no_translation}{first} '
            f'menu-item menu-item-type-custom menu-item-object-custom">'
            f'<a lang="{edition.locale}" hreflang="{edition.locale}" href="{h(href)}">'
            f"{h(edition.native_name)}</a></li>"
        )
    return "".join(out)


def _row(*columns: tuple[str, str, str]) -> str:
    cols = "".join(
        f'<div class="jeg_nav_col jeg_nav_{side} jeg_nav_{grow}">'
        f'<div class="item_wrap jeg_nav_align{side}">{inner}</div></div>'
        for side, grow, inner in columns
    )
    return f'<div class="container"><div class="jeg_nav_row">{cols}</div></div>'


def _header(ctx: Ctx, languages: dict[str, str], current: str | None, is_home: bool) -> str:
    switcher = (
        '<div class="jeg_nav_item jeg_nav_language"><ul class="jeg_menu jeg_top_menu">'
        f"{_language_items(ctx, languages)}</ul></div>"
    )
    desktop = (
        '<div class="jeg_header_wrapper"><div class="jeg_header_instagram_wrapper"></div>'
        '<div class="jeg_header normal">'
        '<div class="jeg_topbar jeg_container jeg_navbar_wrapper dark">'
        + _row(("left", "grow", switcher), ("right", "normal", ""))
        + "</div>"
        '<div class="jeg_midbar jeg_container jeg_navbar_wrapper normal">'
        + _row(
            (
                "left",
                "normal",
                f'<div class="jeg_nav_item jeg_logo jeg_desktop_logo">{_logo(ctx, is_home)}</div>',
            ),
            (
                "right",
                "grow",
                '<div class="jeg_nav_item jeg_ad jeg_ad_top jnews_header_ads">'
                '<div class="ads-wrapper"></div></div>',
            ),
        )
        + "</div>"
        '<div class="jeg_bottombar jeg_navbar jeg_container jeg_navbar_wrapper '
        'jeg_navbar_normal jeg_navbar_normal">'
        + _row(("left", "grow", _main_menu(ctx, current)), ("right", "normal", _search(ctx)))
        + "</div></div></div>"
    )
    sticky = (
        '<div class="jeg_header_sticky"><div class="sticky_blankspace"></div>'
        '<div class="jeg_header normal"><div class="jeg_container">'
        '<div data-mode="scroll" class="jeg_stickybar jeg_navbar jeg_navbar_wrapper '
        'jeg_navbar_normal jeg_navbar_normal">'
        + _row(
            ("left", "normal", f'<div class="jeg_nav_item jeg_logo">{_logo(ctx, False)}</div>'),
            ("center", "grow", _main_menu(ctx, current)),
            ("right", "normal", _search(ctx)),
        )
        + "</div></div></div></div>"
    )
    mobile = (
        '<div class="jeg_navbar_mobile_wrapper"><div class="jeg_navbar_mobile" data-mode="scroll">'
        '<div class="jeg_mobile_bottombar jeg_mobile_midbar jeg_container normal">'
        + _row(
            (
                "left",
                "normal",
                '<div class="jeg_nav_item"><a href="#" class="toggle_btn '
                'jeg_mobile_toggle"><i class="fa fa-bars"></i></a></div>',
            ),
            (
                "center",
                "grow",
                f'<div class="jeg_nav_item jeg_mobile_logo">{_logo(ctx, False)}</div>',
            ),
            ("right", "normal", _search(ctx)),
        )
        + '</div></div><div class="sticky_blankspace" style="height: 60px;"></div></div>'
    )
    return desktop + sticky + mobile


def _footer(ctx: Ctx, languages: dict[str, str]) -> str:
    menu_items = _menu_items(ctx, None)
    footer = (
        '<div class="footer-holder" id="footer" data-id="footer">'
        '<div class="jeg_footer jeg_footer_1 dark"><div class="jeg_footer_container jeg_container">'
        '<div class="jeg_footer_content"><div class="container"><div class="row">'
        '<div class="jeg_footer_primary clearfix">'
        '<div class="col-md-4 footer_column"></div><div class="col-md-4 footer_column"></div>'
        '<div class="col-md-4 footer_column"></div></div></div>'
        '<div class="jeg_footer_secondary clearfix"><div class="footer_right">'
        f'<ul class="jeg_menu_footer">{menu_items}</ul></div>'
        f'<p class="copyright"> {h(COPYRIGHT)} </p></div>'
        "</div></div></div></div></div>"
        '<div class="jscroll-to-top"><a href="#back-to-top" class="jscroll-to-top_link">'
        '<i class="fa fa-angle-up"></i></a></div>'
    )
    drawer = (
        '<div id="jeg_off_canvas" class="normal"><a href="#" class="jeg_menu_close">'
        '<i class="jegicon-cross"></i></a><div class="jeg_bg_overlay"></div>'
        '<div class="jeg_mobile_wrapper"><div class="nav_wrap"><div class="item_main">'
        '<div class="jeg_aside_item jeg_search_wrapper jeg_search_no_expand round">'
        '<a href="#" class="jeg_search_toggle"><i class="fa fa-search"></i></a>'
        f"{search_form(ctx)}</div>"
        f'<div class="jeg_aside_item"><ul class="jeg_mobile_menu">{menu_items}</ul></div>'
        "<div class='jeg_aside_item jeg_mobile_lang_switcher'><ul>"
        f"{_language_items(ctx, languages)}</ul></div>"
        '</div><div class="item_bottom">'
        '<div class="jeg_aside_item socials_widget nobg"></div>'
        f'<div class="jeg_aside_item jeg_aside_copyright"><p>{h(COPYRIGHT)}</p></div>'
        "</div></div></div></div>"
    )
    return footer + "</div>" + drawer  # the </div> closes .jeg_viewport


def document(
    ctx: Ctx,
    head: Head,
    main: str,
    *,
    body_class: str,
    languages: dict[str, str] | None = None,
    current: str | None = None,
    is_home: bool = False,
) -> str:
    edition = ctx.edition
    languages = languages or {}
    direction = ' dir="rtl"' if edition.direction == "rtl" else ""
    rtl = " rtl" if edition.direction == "rtl" else ""
    return (
        "<!doctype html>\n"
        f'<html lang="{edition.locale}"{direction}>\n<head>\n{_head(ctx, head)}\n</head>\n'
        f'<body class="{body_class} jeg_toggle_light jnews jsc_normal wpb-js-composer{rtl}">\n'
        '<div class="jeg_ad jeg_ad_top jnews_header_top_ads"><div class="ads-wrapper"></div>'
        "</div>\n"
        '<div class="jeg_viewport">\n'
        + _header(ctx, languages, current, is_home)
        + "\n"
        + main
        + "\n"
        + _footer(ctx, languages)
        + "\n</body>\n</html>\n"
    )
