"""Templates of the mirror, written as Python: JNews markup for pages, WordPress XML and JSON.

The class names and nesting follow the JNews theme's own templates (``single-post-1``,
``meta-post-1``, the block views 21/22, ``prev-next-post``, ``popup-post``, the header builder,
``footer-1``, ``category.php``, ``404.php``), so a site profile written for the real sahara.ma
selects the same elements here. Every link is absolute, built from the request's host.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from html import escape
from typing import Any
from urllib.parse import quote

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
    thumbnail,
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


def _organization(ctx: Ctx) -> dict[str, Any]:
    return {
        "@context": "http://schema.org",
        "@type": "Organization",
        "@id": ctx.url("/#organization"),
        "url": ctx.url("/"),
        "name": SITE_NAME,
        "logo": {"@type": "ImageObject", "url": ctx.upload(LOGO_FILE)},
        "sameAs": ["https://www.facebook.com/saharamarocain", "https://x.com/saharamarocain"],
    }


def _website(ctx: Ctx) -> dict[str, Any]:
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


def _breadcrumb_list(items: list[tuple[str, str]]) -> dict[str, Any]:
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


def _search_form(ctx: Ctx) -> str:
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
        f"{_search_form(ctx)}</div>"
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
        f"{_search_form(ctx)}</div>"
        f'<div class="jeg_aside_item"><ul class="jeg_mobile_menu">{menu_items}</ul></div>'
        "<div class='jeg_aside_item jeg_mobile_lang_switcher'><ul>"
        f"{_language_items(ctx, languages)}</ul></div>"
        '</div><div class="item_bottom">'
        '<div class="jeg_aside_item socials_widget nobg"></div>'
        f'<div class="jeg_aside_item jeg_aside_copyright"><p>{h(COPYRIGHT)}</p></div>'
        "</div></div></div></div>"
    )
    return footer + "</div>" + drawer  # the </div> closes .jeg_viewport


def _document(
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


# ---------------------------------------------------------------------------------------------
# Blocks and cards (JNews block views)
# ---------------------------------------------------------------------------------------------


def _thumb_img(ctx: Ctx, article: Article, width: int, height: int, size: int) -> str:
    if not article.image_file:
        return ""
    src = h(ctx.upload(thumbnail(article.image_file, width, height)))
    return (
        f'<div class="thumbnail-container animate-lazy size-{size}">'
        f'<img width="{width}" height="{height}" src="{src}" '
        f'class="attachment-jnews-{width}x{height} size-jnews-{width}x{height} wp-post-image" '
        f'alt="{h(article.image_alt)}" decoding="async" loading="lazy" /></div>'
    )


def _primary_category(ctx: Ctx, article: Article) -> str:
    if not article.categories:
        return ""
    name = article.categories[0]
    slug = ctx.edition.category_slug(name)
    return f'<a href="{h(ctx.category_url(name))}" class="category-{h(slug)}">{h(name)}</a>'


def _meta_date(ctx: Ctx, href: str, article: Article) -> str:
    return (
        f'<div class="jeg_meta_date"><a href="{h(href)}"><i class="fa fa-clock-o"></i> '
        f"{h(ctx.edition.format_date(article.published))}</a></div>"
    )


def _card_small(ctx: Ctx, article: Article, upper: bool = False) -> str:
    """Block 21 item (``jeg_pl_sm``): thumbnail, title, date."""
    href = ctx.article_url(article, upper=upper)
    return (
        f'<article class="jeg_post jeg_pl_sm format-standard">'
        f'<div class="jeg_thumb"><a href="{h(href)}">{_thumb_img(ctx, article, 120, 86, 715)}'
        "</a></div>"
        f'<div class="jeg_postblock_content"><h3 class="jeg_post_title">'
        f'<a href="{h(href)}">{h(article.title)}</a></h3>'
        f'<div class="jeg_post_meta">{_meta_date(ctx, href, article)}</div></div></article>'
    )


def _card_medium(ctx: Ctx, article: Article, upper: bool = False) -> str:
    """Block 22 item (``jeg_pl_md_5``): thumbnail with category label, title, date."""
    href = ctx.article_url(article, upper=upper)
    return (
        f'<article class="jeg_post jeg_pl_md_5 format-standard">'
        f'<div class="jeg_thumb"><a href="{h(href)}">{_thumb_img(ctx, article, 350, 250, 715)}'
        f'</a><div class="jeg_post_category"><span>{_primary_category(ctx, article)}</span></div>'
        "</div>"
        f'<div class="jeg_postblock_content"><h3 class="jeg_post_title">'
        f'<a href="{h(href)}">{h(article.title)}</a></h3>'
        f'<div class="jeg_post_meta">{_meta_date(ctx, href, article)}</div></div></article>'
    )


def _card_large(ctx: Ctx, article: Article, upper: bool = False) -> str:
    """Block 5 item (``jeg_pl_lg_2``), used by archives: meta with author, excerpt."""
    href = ctx.article_url(article, upper=upper)
    author = ""
    if article.author:
        author = (
            '<div class="jeg_meta_author"><span class="by">by</span> '
            f'<a href="{h(ctx.author_url(article.author))}">{h(article.author)}</a></div>'
        )
    return (
        f'<article class="jeg_post jeg_pl_lg_2 format-standard">'
        f'<div class="jeg_thumb"><a href="{h(href)}">{_thumb_img(ctx, article, 350, 250, 715)}'
        f'</a><div class="jeg_post_category"><span>{_primary_category(ctx, article)}</span></div>'
        "</div>"
        f'<div class="jeg_postblock_content"><h3 class="jeg_post_title">'
        f'<a href="{h(href)}">{h(article.title)}</a></h3>'
        f'<div class="jeg_post_meta">{author}{_meta_date(ctx, href, article)}'
        f'<div class="jeg_meta_comment"><a href="{h(href)}#comments"><i class="fa fa-comment-o">'
        "</i> 0 </a></div></div>"
        f'<div class="jeg_post_excerpt"><p>{h(excerpt(article))}</p>'
        f'<a href="{h(href)}" class="jeg_readmore">Read more</a></div></div></article>'
    )


def _module_id(ctx: Ctx, seed: str, index: int) -> str:
    digest = hashlib.sha1(f"{ctx.lang}:{seed}:{index}".encode()).hexdigest()[:13]
    return f"jnews_module_{seed}_{index}_{digest}"


def _block(
    ctx: Ctx,
    number: int,
    column: str,
    module: str,
    title: tuple[str, str] | None,
    inner: str,
    *,
    title_url: str | None = None,
    navigation: str = "",
    pagination: str = "disable",
) -> str:
    """A JNews post block: heading, container of posts, navigation."""
    heading = ""
    if title is not None:
        first, second = title
        strong = f"<strong>{h(second)}</strong>" if second else ""
        span = f"<span>{h(first)}{strong}</span>"
        if title_url:
            span = f"<a href='{h(title_url)}'>{span}</a>"
        heading = (
            '<div class="jeg_block_heading jeg_block_heading_6 jeg_subcat_right">'
            f'<h3 class="jeg_block_title">{span}</h3></div>'
        )
    return (
        f'<div class="jeg_postblock_{number} jeg_postblock jeg_module_hook '
        f'jeg_pagination_{pagination} {column} {module} normal" data-unique="{module}">'
        f"{heading}"
        f'<div class="jeg_block_container">{inner}</div>'
        f'<div class="jeg_block_navigation">{navigation}</div></div>'
    )


def _breadcrumbs(ctx: Ctx, trail: list[tuple[str, str | None]]) -> str:
    """``» section » title`` after a home icon; the last item is not a link."""
    parts = [
        f'<span><a href="{h(ctx.home())}" aria-label="{h(ctx.edition.home_label)}">'
        '<i class="fa fa-home"></i></a></span>'
    ]
    for i, (label, url) in enumerate(trail):
        last = i == len(trail) - 1
        css = ' class="breadcrumb_last_link"' if last else ""
        inner = f'<a href="{h(url)}">{h(label)}</a>' if url and not last else h(label)
        parts.append(f"<span{css}>{inner}</span>")
    return (
        '<div class="jeg_breadcrumbs jeg_breadcrumb_container"><div id="breadcrumbs">'
        + " » ".join(parts)
        + "</div></div>"
    )


# ---------------------------------------------------------------------------------------------
# Single post
# ---------------------------------------------------------------------------------------------


def _share_bar(ctx: Ctx, article: Article) -> str:
    url = quote(ctx.article_url(article), safe="")
    title = quote(article.title, safe="")
    buttons = [
        (
            "facebook",
            "fa-facebook-official",
            f"http://www.facebook.com/sharer.php?u={url}",
            "Share on Facebook",
        ),
        (
            "twitter",
            "fa-twitter",
            f"https://twitter.com/intent/tweet?text={title}&url={url}",
            "Share on X",
        ),
        (
            "whatsapp",
            "fa-whatsapp",
            f"//api.whatsapp.com/send?text={title}%0A{url}",
            "Share on whatsapp",
        ),
        (
            "linkedin",
            "fa-linkedin",
            f"https://www.linkedin.com/shareArticle?url={url}&title={title}",
            "Share on linkedin",
        ),
    ]
    links = "".join(
        f'<a href="{h(href)}" rel="nofollow" class="jeg_btn-{name} expanded">'
        f'<i class="fa {icon}"></i><span>{label}</span></a>'
        for name, icon, href, label in buttons
    )
    return (
        '<div class="jeg_share_top_container"><div class="jeg_share_button clearfix">'
        '<div class="jeg_share_stats"></div>'
        f'<div class="jeg_sharelist">{links}<div class="share-secondary"></div></div>'
        "</div></div>"
    )


def _meta(ctx: Ctx, article: Article) -> str:
    author = ""
    if article.author:
        author = (
            '<div class="jeg_meta_author"><span class="meta_text">by</span> '
            f'<a href="{h(ctx.author_url(article.author))}">{h(article.author)}</a></div>'
        )
    categories = ", ".join(
        f'<a href="{h(ctx.category_url(name))}" rel="category tag">{h(name)}</a>'
        for name in article.categories
    )
    return (
        '<div class="jeg_meta_container"><div class="jeg_post_meta jeg_post_meta_1">'
        f'<div class="meta_left">{author}'
        f'<div class="jeg_meta_date"><a href="{h(ctx.article_url(article))}">'
        f"{h(ctx.edition.format_date(article.published))}</a></div>"
        '<div class="jeg_meta_category"><span><span class="meta_text">in</span> '
        f"{categories}</span></div></div>"
        '<div class="meta_right"></div></div></div>'
    )


def _featured(ctx: Ctx, article: Article) -> str:
    if not article.image_file:
        return '<div class="jeg_featured featured_image"></div>'
    full = h(ctx.upload(article.image_file))
    srcset = ", ".join(
        f"{h(ctx.upload(thumbnail(article.image_file, w, hh)))} {w}w"
        for w, hh in ((750, 375), (360, 180), (1140, 570))
    )
    return (
        f'<div class="jeg_featured featured_image"><a href="{full}">'
        '<div class="thumbnail-container animate-lazy" style="padding-bottom:50%">'
        f'<img width="1140" height="570" src="{full}" '
        'class="attachment-jnews-1140x570 size-jnews-1140x570 wp-post-image" '
        f'alt="{h(article.image_alt)}" decoding="async" fetchpriority="high" '
        f'srcset="{srcset}" sizes="(max-width: 1140px) 100vw, 1140px" /></div></a></div>'
    )


def _inline_related(ctx: Ctx, article: Article, related: list[Article]) -> str:
    cards = "".join(_card_small(ctx, other) for other in related)
    block = _block(
        ctx,
        21,
        "jeg_col_1o3",
        _module_id(ctx, str(article.id), 0),
        ("You might also like", ""),
        f'<div class="jeg_posts jeg_load_more_flag">{cards}</div>',
    )
    return (
        "<div class='jnews_inline_related_post_wrapper left half'>"
        f"<div class='jnews_inline_related_post'>{block}</div></div>"
    )


def _inline_ad() -> str:
    return (
        '<div class="jeg_ad jeg_ad_article jnews_content_inline_ads">'
        "<div class='ads-wrapper align-right '><div class='ads_code'>"
        '<ins class="adsbygoogle" style="display:inline-block;width:300px;height:250px" '
        'data-ad-client="ca-pub-0000000000000000" data-ad-slot="0000000000"></ins>'
        "</div></div></div>"
    )


def _content_inner(ctx: Ctx, article: Article) -> str:
    paragraphs = article.paragraphs
    inline = ctx.site.inline_related(article)
    box_after = article.inline_related_after
    if box_after is not None:
        box_after = max(0, min(box_after, len(paragraphs)))
    ad_after = min(INLINE_AD_AFTER, len(paragraphs))
    parts: list[str] = []
    for n in range(len(paragraphs) + 1):
        if n > 0:
            parts.append(f"<p>{h(paragraphs[n - 1])}</p>")
        if n == box_after and inline:
            parts.append(_inline_related(ctx, article, inline))
        if n == ad_after:
            parts.append(_inline_ad())
    if article.tags:
        tags = "".join(
            f'<a href="{h(ctx.tag_url(tag))}" rel="tag">{h(tag)}</a>' for tag in article.tags
        )
        parts.append(f'<div class="jeg_post_tags"><span>Tags:</span> {tags}</div>')
    return '<div class="content-inner ">' + "\n".join(parts) + "</div>"


def _prev_next(ctx: Ctx, prev: Article | None, nxt: Article | None) -> str:
    links = ""
    if prev is not None:
        links += (
            f'<a href="{h(ctx.article_url(prev))}" class="post prev-post">'
            f'<span class="caption">{h(ctx.edition.prev_caption)}</span>'
            f'<h3 class="post-title">{h(prev.title)}</h3></a>'
        )
    if nxt is not None:
        links += (
            f'<a href="{h(ctx.article_url(nxt))}" class="post next-post">'
            f'<span class="caption">{h(ctx.edition.next_caption)}</span>'
            f'<h3 class="post-title">{h(nxt.title)}</h3></a>'
        )
    inner = f'<div class="jeg_prevnext_post">{links}</div>'
    return f'<div class="jnews_prev_next_container">{inner}</div>'


def _author_box(ctx: Ctx, article: Article) -> str:
    if not article.author:
        return '<div class="jnews_author_box_container"></div>'
    digest = hashlib.md5(article.author.encode()).hexdigest()
    return (
        '<div class="jnews_author_box_container"><div class="jeg_authorbox">'
        f'<div class="jeg_author_image"><img alt="{h(article.author)}" '
        f'src="https://secure.gravatar.com/avatar/{digest}?s=80&amp;d=mm&amp;r=g" '
        'class="avatar avatar-80 photo" height="80" width="80" loading="lazy" /></div>'
        '<div class="jeg_author_content"><h3 class="jeg_author_name">'
        f'<a href="{h(ctx.author_url(article.author))}">{h(article.author)}</a></h3>'
        '<p class="jeg_author_desc"></p><div class="jeg_author_socials"></div></div>'
        "</div></div>"
    )


def _related(ctx: Ctx, article: Article) -> str:
    related = ctx.site.related(article)
    if not related:
        return '<div class="jnews_related_post_container"></div>'
    cards = "".join(_card_medium(ctx, other) for other in related)
    block = _block(
        ctx,
        22,
        "jeg_col_2o3",
        _module_id(ctx, str(article.id), 1),
        ("Related", " Stories"),
        f'<div class="jeg_posts_wrap"><div class="jeg_posts jeg_load_more_flag">{cards}'
        "</div></div>",
    )
    return f'<div class="jnews_related_post_container">{block}</div>'


def _popup(ctx: Ctx, nxt: Article | None) -> str:
    if nxt is None:
        return '<div class="jnews_popup_post_container"></div>'
    href = h(ctx.article_url(nxt))
    return (
        '<div class="jnews_popup_post_container"><section class="jeg_popup_post">'
        f'<span class="caption">{h(ctx.edition.next_caption)}</span>'
        '<div class="jeg_popup_content"><div class="jeg_thumb">'
        f'<a href="{href}">{_thumb_img(ctx, nxt, 75, 75, 1000)}</a></div>'
        f'<h3 class="post-title"><a href="{href}">{h(nxt.title)}</a></h3></div>'
        '<a href="#" class="jeg_popup_close"><i class="fa fa-close"></i></a>'
        "</section></div>"
    )


def _comments() -> str:
    return (
        '<div class="jnews_comment_container">'
        '<div id="comments" class="comment-area comments-closed"></div></div>'
    )


def _sidebar() -> str:
    return (
        '<div class="jeg_sidebar jeg_sticky_sidebar col-md-4"><div class="jegStickyHolder">'
        '<div class="theiaStickySidebar"><div class="widget widget_jnews_module_element_ads">'
        '<div class="jeg_ad jnews_module_ads"><div class="ads-wrapper"></div></div></div>'
        "</div></div></div>"
    )


def article_languages(ctx: Ctx, article: Article) -> dict[str, str]:
    return {lang: ctx.article_url(other) for lang, other in ctx.site.translations(article).items()}


def render_article(site: Site, article: Article, base: str) -> str:
    """The single-post page (JNews template 1, right sidebar)."""
    ctx = Ctx(site, base, article.lang)
    edition = ctx.edition
    canonical = ctx.article_url(article)
    prev, nxt = site.prev_next(article)
    first_cat = article.categories[0] if article.categories else None
    trail: list[tuple[str, str | None]] = []
    if first_cat:
        trail.append((first_cat, ctx.category_url(first_cat)))
    trail.append((article.title, canonical))
    image = ctx.upload(article.image_file) if article.image_file else None
    news: dict[str, Any] = {
        "@context": "http://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": canonical},
        "dateCreated": local_iso(article.published),
        "datePublished": local_iso(article.published),
        "dateModified": local_iso(article.last_changed),
        "url": canonical,
        "headline": article.title,
        "name": article.title,
        "articleBody": article.body,
        "articleSection": list(article.categories),
        "inLanguage": edition.locale,
    }
    if image:
        news["image"] = {"@type": "ImageObject", "url": image, "width": 1140, "height": 570}
    if article.author:
        news["author"] = {
            "@type": "Person",
            "url": ctx.author_url(article.author),
            "name": article.author,
        }
    news["publisher"] = {
        "@type": "Organization",
        "name": SITE_NAME,
        "url": ctx.url("/"),
        "logo": {"@type": "ImageObject", "url": ctx.upload(LOGO_FILE)},
    }
    crumbs = [(edition.home_label, ctx.home())] + [(n, u or canonical) for n, u in trail]
    languages = article_languages(ctx, article)
    head = Head(
        title=f"{article.title} - {SITE_NAME}",
        canonical=canonical,
        og_type="article",
        og_title=article.title,
        description=excerpt(article, 30),
        image=image,
        alternates={EDITIONS[lang].locale: url for lang, url in languages.items()}
        if len(languages) > 1
        else None,
        jsonld=[_organization(ctx), _website(ctx), news, _breadcrumb_list(crumbs)],
        rest=ctx.url(f"/wp-json/wp/v2/posts/{article.id}"),
        shortlink=ctx.url(f"/?p={article.id}"),
    )
    subtitle = (
        f'<h2 class="jeg_post_subtitle">{h(article.subtitle)}</h2>' if article.subtitle else ""
    )
    main = (
        '<div class="post-wrapper"><div class="post-wrap">'
        '<div class="jeg_main jeg_sidebar_right"><div class="jeg_container">'
        '<div class="jeg_content jeg_singlepage"><div class="container">'
        '<div class="jeg_ad jeg_article jnews_article_top_ads"><div class="ads-wrapper"></div>'
        "</div>"
        '<div class="row"><div class="jeg_main_content col-md-8"><div class="jeg_inner_content">'
        + _breadcrumbs(ctx, trail)
        + '<div class="entry-header">'
        f'<h1 class="jeg_post_title">{h(article.title)}</h1>{subtitle}'
        + _meta(ctx, article)
        + "</div>"
        + _featured(ctx, article)
        + _share_bar(ctx, article)
        + '<div class="jeg_ad jeg_article jnews_content_top_ads "><div class="ads-wrapper"></div>'
        "</div>"
        '<div class="entry-content no-share">'
        '<div class="jeg_share_button share-float jeg_sticky_share clearfix share-monocrhome">'
        '<div class="jeg_share_float_container"></div></div>'
        + _content_inner(ctx, article)
        + '<div class="jeg_share_bottom_container"></div>'
        '<div class="jeg_ad jeg_article jnews_content_bottom_ads "><div class="ads-wrapper">'
        "</div></div></div>"
        + _prev_next(ctx, prev, nxt)
        + _author_box(ctx, article)
        + _related(ctx, article)
        + _popup(ctx, nxt)
        + _comments()
        + "</div></div>"
        + _sidebar()
        + "</div>"
        '<div class="jeg_ad jeg_article jnews_article_bottom_ads"><div class="ads-wrapper"></div>'
        "</div></div></div></div></div></div></div>"
    )
    cats = " ".join(f"category-{h(edition.category_slug(c))}" for c in article.categories)
    body_class = (
        f"wp-singular post-template-default single single-post postid-{article.id} "
        f"single-format-standard {cats} jeg_single_tpl_1"
    )
    return _document(ctx, head, main, body_class=body_class, languages=languages)


# ---------------------------------------------------------------------------------------------
# Home, archives, 404
# ---------------------------------------------------------------------------------------------


def render_home(site: Site, lang: str, base: str) -> str:
    """An edition's front page: latest posts, then one block per section."""
    ctx = Ctx(site, base, lang)
    edition = ctx.edition
    latest = site.newest(lang)[:HOME_LATEST]
    blocks = [
        _block(
            ctx,
            5,
            "jeg_col_2o3",
            _module_id(ctx, "home", 0),
            None,
            '<div class="jeg_posts jeg_load_more_flag">'
            + "".join(_card_large(ctx, a) for a in latest)
            + "</div>",
        )
    ]
    for i, (name, _slug) in enumerate(edition.categories, start=1):
        posts = site.in_category(lang, name)[:HOME_PER_SECTION]
        if not posts:
            continue
        blocks.append(
            _block(
                ctx,
                22,
                "jeg_col_2o3",
                _module_id(ctx, "home", i),
                (name, ""),
                '<div class="jeg_posts_wrap"><div class="jeg_posts jeg_load_more_flag">'
                + "".join(_card_medium(ctx, a) for a in posts)
                + "</div></div>",
                title_url=ctx.category_url(name),
            )
        )
    head = Head(
        title=SITE_NAME,
        canonical=ctx.home(),
        alternates={
            **{EDITIONS[code].locale: ctx.home(code) for code in LANGS},
            "x-default": ctx.home(LANGS[0]),
        },
        jsonld=[_organization(ctx), _website(ctx)],
    )
    main = (
        '<div class="jeg_main"><div class="jeg_container"><div class="jeg_content">'
        '<div class="jeg_vc_content"><div class="container"><div class="row">'
        '<div class="jeg_main_content col-md-8">'
        + "".join(blocks)
        + "</div>"
        + _sidebar()
        + "</div></div></div></div></div></div>"
    )
    languages = {code: ctx.home(code) for code in LANGS}
    return _document(
        ctx,
        head,
        main,
        body_class="home blog",
        languages=languages,
        current=ctx.home(),
        is_home=True,
    )


def page_count(total: int, per_page: int = PER_PAGE) -> int:
    return max(1, math.ceil(total / per_page))


def _pagination(ctx: Ctx, base_url: str, current: int, total: int) -> str:
    """WordPress ``paginate_links`` (end_size 1, mid_size 1) in JNews's nav_1 markup."""
    if total < 2:
        return ""

    def link(n: int) -> str:
        return base_url if n == 1 else f"{base_url}page/{n}/"

    parts: list[str] = []
    if current > 1:
        parts.append(
            f'<a class="page_nav prev" href="{h(link(current - 1))}">'
            '<span class="navtext">Prev</span></a>'
        )
    dots = False
    for n in range(1, total + 1):
        if n == current:
            parts.append(f"<span class='page_number active'>{n}</span>")
            dots = True
        elif n <= 1 or abs(n - current) <= 1 or n > total - 1:
            parts.append(f"<a class='page_number' href='{h(link(n))}'>{n}</a>")
            dots = True
        elif dots:
            parts.append('<span class="page_number dots">&hellip;</span>')
            dots = False
    if current < total:
        parts.append(
            f'<a class="page_nav next" href="{h(link(current + 1))}">'
            '<span class="navtext">Next</span></a>'
        )
    joined = "\n".join(parts)
    return (
        '<div class="jeg_navigation jeg_pagination jeg_pagenav_1 jeg_aligncenter no_navtext '
        f'no_pageinfo"><span class="page_info">Page {current} of {total}</span>\n{joined}</div>'
    )


@dataclass(frozen=True, slots=True)
class Archive:
    """A listing: a category, a tag or an author of one edition."""

    kind: str  # category | tag | author
    lang: str
    name: str
    slug: str

    def path(self) -> str:
        return f"/{self.lang}/{self.kind}/{encode_segment(self.slug)}/"


def archive_posts(site: Site, archive: Archive) -> list[Article]:
    if archive.kind == "category":
        return site.in_category(archive.lang, archive.name)
    if archive.kind == "tag":
        return site.with_tag(archive.lang, archive.name)
    return [a for a in site.newest(archive.lang) if a.author == archive.name]


def find_archive(site: Site, lang: str, kind: str, slug: str) -> Archive | None:
    """The archive behind ``/<lang>/<kind>/<slug>/`` (slug decoded), if it exists."""
    name: str | None = None
    if kind == "category":
        name = site.category_by_slug(lang, slug)
    elif kind == "tag":
        name = site.tag_by_slug(lang, slug)
    elif kind == "author":
        name = next(
            (a.author for a in site.newest(lang) if a.author and slugify(a.author) == slug), None
        )
    return Archive(kind, lang, name, slug) if name is not None else None


def render_archive(site: Site, archive: Archive, page: int, base: str) -> str | None:
    """A listing page, newest first; ``None`` when ``page`` is past the last one."""
    ctx = Ctx(site, base, archive.lang)
    posts = archive_posts(site, archive)
    total = page_count(len(posts))
    if page < 1 or page > total:
        return None
    chunk = posts[(page - 1) * PER_PAGE : page * PER_PAGE]
    # Real WordPress installs print percent-escapes in either case; even pages and tag
    # archives use uppercase here so that crawlers must canonicalize.
    upper = archive.kind == "tag" or page % 2 == 0
    first_url = ctx.url(archive.path())
    canonical = first_url if page == 1 else f"{first_url}page/{page}/"
    cards = "".join(_card_large(ctx, a, upper=upper) for a in chunk)
    block = _block(
        ctx,
        5,
        "jeg_col_2o3",
        _module_id(ctx, f"{archive.kind}-{archive.slug}", page),
        None,
        f'<div class="jeg_posts jeg_load_more_flag">{cards}</div>',
        navigation=_pagination(ctx, first_url, page, total),
        pagination="nav_1",
    )
    label = {"category": "Category", "tag": "Tag", "author": "Author"}[archive.kind]
    trail: list[tuple[str, str | None]] = [(label, None), (archive.name, first_url)]
    header = (
        '<div class="jnews_category_header_bottom"><div class="jeg_cat_header jeg_cat_header_1">'
        + _breadcrumbs(ctx, trail)
        + f'<h1 class="jeg_cat_title">{h(archive.name)}</h1></div></div>'
    )
    title = archive.name if page == 1 else f"{archive.name} - Page {page} of {total}"
    languages: dict[str, str] = {}
    if archive.kind == "category" and archive.name in [n for n, _ in ctx.edition.categories]:
        index = [n for n, _ in ctx.edition.categories].index(archive.name)
        for code in LANGS:
            languages[code] = ctx.category_url(EDITIONS[code].categories[index][0], code)
    head = Head(
        title=f"{title} - {SITE_NAME}",
        canonical=canonical,
        alternates={EDITIONS[c].locale: u for c, u in languages.items()} or None,
        jsonld=[
            _organization(ctx),
            _website(ctx),
            _breadcrumb_list([(ctx.edition.home_label, ctx.home()), (archive.name, first_url)]),
        ],
        feed=f"{first_url}feed/" if archive.kind == "category" else None,
        prev=(first_url if page == 2 else f"{first_url}page/{page - 1}/") if page > 1 else None,
        next=f"{first_url}page/{page + 1}/" if page < total else None,
    )
    main = (
        f'<div class="jeg_main"><div class="jeg_container"><div class="jeg_content">'
        '<div class="jnews_category_header_top"></div>'
        '<div class="jeg_section"><div class="container">'
        '<div class="jnews_category_hero_container"></div>'
        '<div class="jeg_cat_content row"><div class="jeg_main_content jeg_column col-sm-8">'
        f'<div class="jeg_inner_content">{header}'
        f'<div class="jnews_category_content_wrapper">{block}</div></div></div>'
        + _sidebar()
        + "</div></div></div></div></div></div>"
    )
    body_class = f"archive {archive.kind} {archive.kind}-{h(archive.slug)}"
    if page > 1:
        body_class += " paged paged-" + str(page)
    return _document(
        ctx,
        head,
        main,
        body_class=body_class,
        languages=languages,
        current=first_url if archive.kind == "category" else None,
    )


def render_not_found(site: Site, lang: str, base: str) -> str:
    """The theme's 404 page."""
    ctx = Ctx(site, base, lang)
    head = Head(
        title=f"Page not found - {SITE_NAME}",
        canonical=ctx.home(),
        robots="noindex, follow",
        jsonld=[_organization(ctx), _website(ctx)],
    )
    main = (
        '<div class="jeg_main"><div class="jeg_container"><div class="jeg_content">'
        '<div class="jeg_section"><div class="container"><div class="jeg_404_content row">'
        '<div class="jeg_main_content col-sm-8"><div class="jeg_inner_content">'
        '<div class="jeg_archive_header">'
        + _breadcrumbs(ctx, [("Page Not Found", None)])
        + '<h1 class="jeg_archive_title">Page Not Found</h1>'
        "<p>Sorry the page you were looking for cannot be found. Try searching for the best "
        "match or browse the links below:</p>"
        f'<div class="jeg_archive_search">{_search_form(ctx)}</div></div>'
        '<div class="jnews_404_content_wrapper"></div></div></div>'
        + _sidebar()
        + "</div></div></div></div></div></div>"
    )
    return _document(ctx, head, main, body_class="error404")


# ---------------------------------------------------------------------------------------------
# Machine-readable endpoints: robots.txt, core sitemaps, RSS, REST API
# ---------------------------------------------------------------------------------------------


def render_robots(base: str) -> str:
    return (
        "User-agent: *\n"
        "Disallow: /wp-admin/\n"
        "Allow: /wp-admin/admin-ajax.php\n"
        "\n"
        f"Sitemap: {base}/wp-sitemap.xml\n"
    )


_XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'
_SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def sitemap_names(site: Site) -> list[str]:
    """File names listed by ``/wp-sitemap.xml``."""
    pages = page_count(len(site), SITEMAP_MAX_URLS)
    names = [f"wp-sitemap-posts-post-{n}.xml" for n in range(1, pages + 1)]
    names.append("wp-sitemap-taxonomies-category-1.xml")
    if any(site.tags(lang) for lang in LANGS):
        names.append("wp-sitemap-taxonomies-post_tag-1.xml")
    return names


def render_sitemap_index(site: Site, base: str) -> str:
    entries = "".join(
        f"<sitemap><loc>{h(base)}/{name}</loc></sitemap>" for name in sitemap_names(site)
    )
    return f'{_XML_HEAD}<sitemapindex xmlns="{_SITEMAP_NS}">{entries}</sitemapindex>\n'


def render_posts_sitemap(site: Site, page: int, base: str) -> str | None:
    posts = sorted(site, key=lambda a: a.id)
    if page < 1 or page > page_count(len(posts), SITEMAP_MAX_URLS):
        return None
    chunk = posts[(page - 1) * SITEMAP_MAX_URLS : page * SITEMAP_MAX_URLS]
    urls = "".join(
        f"<url><loc>{h(base + a.path())}</loc>"
        f"<lastmod>{gmt_iso(a.last_changed)}+00:00</lastmod></url>"
        for a in chunk
    )
    return f'{_XML_HEAD}<urlset xmlns="{_SITEMAP_NS}">{urls}</urlset>\n'


def render_taxonomy_sitemap(site: Site, taxonomy: str, base: str) -> str | None:
    ctx_urls: list[str] = []
    for lang in LANGS:
        ctx = Ctx(site, base, lang)
        if taxonomy == "category":
            ctx_urls += [
                ctx.category_url(name)
                for name in site.categories(lang)
                if site.in_category(lang, name)
            ]
        elif taxonomy == "post_tag":
            ctx_urls += [ctx.tag_url(tag) for tag in site.tags(lang) if site.with_tag(lang, tag)]
        else:
            return None
    urls = "".join(f"<url><loc>{h(u)}</loc></url>" for u in ctx_urls)
    return f'{_XML_HEAD}<urlset xmlns="{_SITEMAP_NS}">{urls}</urlset>\n'


def _cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def content_html(article: Article) -> str:
    return "\n".join(f"<p>{escape(p, quote=False)}</p>" for p in article.paragraphs) + "\n"


def render_feed(site: Site, lang: str, base: str, category: str | None = None) -> str:
    """RSS 2.0 for an edition or one of its categories: the ten newest posts."""
    ctx = Ctx(site, base, lang)
    posts = site.in_category(lang, category) if category else site.newest(lang)
    posts = posts[:FEED_ITEMS]
    if category:
        link = ctx.category_url(category)
        title = f"{category} - {SITE_NAME}"
    else:
        link = ctx.home()
        title = SITE_NAME
    self_url = f"{link}feed/"
    newest_change = max((a.last_changed for a in posts), default=None)
    items = []
    for a in posts:
        url = ctx.article_url(a)
        creator = f"<dc:creator>{_cdata(a.author)}</dc:creator>" if a.author else ""
        cats = "".join(f"<category>{_cdata(c)}</category>" for c in a.categories + a.tags)
        items.append(
            f"<item><title>{h(a.title)}</title><link>{h(url)}</link>"
            f"<comments>{h(url)}#respond</comments>{creator}"
            f"<pubDate>{rfc822(a.published)}</pubDate>{cats}"
            f'<guid isPermaLink="false">{h(ctx.url(f"/?p={a.id}"))}</guid>'
            f"<description>{_cdata(excerpt(a, 55))}</description>"
            f"<content:encoded>{_cdata(content_html(a))}</content:encoded></item>"
        )
    build = f"<lastBuildDate>{rfc822(newest_change)}</lastBuildDate>" if newest_change else ""
    return (
        f'{_XML_HEAD}<rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:wfw="http://wellformedweb.org/CommentAPI/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:atom="http://www.w3.org/2005/Atom" '
        'xmlns:sy="http://purl.org/rss/1.0/modules/syndication/" '
        'xmlns:slash="http://purl.org/rss/1.0/modules/slash/">\n<channel>'
        f"<title>{h(title)}</title>"
        f'<atom:link href="{h(self_url)}" rel="self" type="application/rss+xml" />'
        f"<link>{h(link)}</link><description></description>{build}"
        f"<language>{ctx.edition.locale}</language>"
        "<sy:updatePeriod>hourly</sy:updatePeriod><sy:updateFrequency>1</sy:updateFrequency>"
        "<generator>https://wordpress.org/?v=6.8.3</generator>"
        + "".join(items)
        + "</channel>\n</rss>\n"
    )


def rest_post(site: Site, article: Article, base: str) -> dict[str, Any]:
    """A post as ``/wp-json/wp/v2/posts`` returns it (the fields crawlers use)."""
    ctx = Ctx(site, base, article.lang)
    return {
        "id": article.id,
        "date": local_iso(article.published),
        "date_gmt": gmt_iso(article.published),
        "guid": {"rendered": ctx.url(f"/?p={article.id}")},
        "modified": local_iso(article.last_changed),
        "modified_gmt": gmt_iso(article.last_changed),
        "slug": encode_segment(article.slug),
        "status": "publish",
        "type": "post",
        "link": ctx.article_url(article),
        "title": {"rendered": escape(article.title, quote=False)},
        "content": {"rendered": content_html(article), "protected": False},
        "excerpt": {
            "rendered": f"<p>{escape(excerpt(article, 55), quote=False)}</p>\n",
            "protected": False,
        },
        "author": 1,
        "featured_media": article.id + 100000 if article.image_file else 0,
        "comment_status": "closed",
        "format": "standard",
        "categories": [site.category_id(article.lang, c) for c in article.categories],
        "tags": [site.tag_id(article.lang, t) for t in article.tags],
        "lang": article.lang,
        "translations": {lang: a.id for lang, a in site.translations(article).items()},
    }


def rest_term(site: Site, lang: str, taxonomy: str, name: str, base: str) -> dict[str, Any]:
    ctx = Ctx(site, base, lang)
    if taxonomy == "category":
        term_id = site.category_id(lang, name)
        slug = ctx.edition.category_slug(name)
        link = ctx.category_url(name)
        count = len(site.in_category(lang, name))
    else:
        term_id = site.tag_id(lang, name)
        slug = slugify(name)
        link = ctx.tag_url(name)
        count = len(site.with_tag(lang, name))
    term: dict[str, Any] = {
        "id": term_id,
        "count": count,
        "description": "",
        "link": link,
        "name": name,
        "slug": encode_segment(slug),
        "taxonomy": taxonomy,
    }
    if taxonomy == "category":
        term["parent"] = 0
    term["meta"] = []
    term["lang"] = lang
    return term
