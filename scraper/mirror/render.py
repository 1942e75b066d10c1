"""Templates of the mirror's pages, written as Python: single posts, home, archives, 404.

The class names and nesting follow the JNews theme's own templates (``single-post-1``,
``meta-post-1``, the block views 21/22, ``prev-next-post``, ``popup-post``, the header builder,
``footer-1``, ``category.php``, ``404.php``), so a site profile written for the real sahara.ma
selects the same elements here. Every link is absolute, built from the request's host.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from scraper.mirror.blocks import (
    breadcrumbs,
    card_large,
    card_medium,
    card_small,
    jnews_block,
    module_id,
    page_count,
    pagination,
    thumb_img,
)
from scraper.mirror.frame import (
    HOME_LATEST,
    HOME_PER_SECTION,
    INLINE_AD_AFTER,
    PER_PAGE,
    Ctx,
    Head,
    breadcrumb_list,
    document,
    excerpt,
    h,
    local_iso,
    organization,
    search_form,
    website,
)
from scraper.mirror.site import (
    EDITIONS,
    LANGS,
    LOGO_FILE,
    SITE_NAME,
    Article,
    Site,
    encode_segment,
    slugify,
    thumbnail,
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
    cards = "".join(card_small(ctx, other) for other in related)
    block = jnews_block(
        ctx,
        21,
        "jeg_col_1o3",
        module_id(ctx, str(article.id), 0),
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
    cards = "".join(card_medium(ctx, other) for other in related)
    block = jnews_block(
        ctx,
        22,
        "jeg_col_2o3",
        module_id(ctx, str(article.id), 1),
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
        f'<a href="{href}">{thumb_img(ctx, nxt, 75, 75, 1000)}</a></div>'
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
        jsonld=[organization(ctx), website(ctx), news, breadcrumb_list(crumbs)],
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
        + breadcrumbs(ctx, trail)
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
    return document(ctx, head, main, body_class=body_class, languages=languages)


# ---------------------------------------------------------------------------------------------
# Home, archives, 404
# ---------------------------------------------------------------------------------------------


def render_home(site: Site, lang: str, base: str) -> str:
    """An edition's front page: latest posts, then one block per section."""
    ctx = Ctx(site, base, lang)
    edition = ctx.edition
    latest = site.newest(lang)[:HOME_LATEST]
    blocks = [
        jnews_block(
            ctx,
            5,
            "jeg_col_2o3",
            module_id(ctx, "home", 0),
            None,
            '<div class="jeg_posts jeg_load_more_flag">'
            + "".join(card_large(ctx, a) for a in latest)
            + "</div>",
        )
    ]
    for i, (name, _slug) in enumerate(edition.categories, start=1):
        posts = site.in_category(lang, name)[:HOME_PER_SECTION]
        if not posts:
            continue
        blocks.append(
            jnews_block(
                ctx,
                22,
                "jeg_col_2o3",
                module_id(ctx, "home", i),
                (name, ""),
                '<div class="jeg_posts_wrap"><div class="jeg_posts jeg_load_more_flag">'
                + "".join(card_medium(ctx, a) for a in posts)
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
        jsonld=[organization(ctx), website(ctx)],
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
    return document(
        ctx,
        head,
        main,
        body_class="home blog",
        languages=languages,
        current=ctx.home(),
        is_home=True,
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
    cards = "".join(card_large(ctx, a, upper=upper) for a in chunk)
    block = jnews_block(
        ctx,
        5,
        "jeg_col_2o3",
        module_id(ctx, f"{archive.kind}-{archive.slug}", page),
        None,
        f'<div class="jeg_posts jeg_load_more_flag">{cards}</div>',
        navigation=pagination(ctx, first_url, page, total),
        pagination="nav_1",
    )
    label = {"category": "Category", "tag": "Tag", "author": "Author"}[archive.kind]
    trail: list[tuple[str, str | None]] = [(label, None), (archive.name, first_url)]
    header = (
        '<div class="jnews_category_header_bottom"><div class="jeg_cat_header jeg_cat_header_1">'
        + breadcrumbs(ctx, trail)
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
            organization(ctx),
            website(ctx),
            breadcrumb_list([(ctx.edition.home_label, ctx.home()), (archive.name, first_url)]),
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
    return document(
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
        jsonld=[organization(ctx), website(ctx)],
    )
    main = (
        '<div class="jeg_main"><div class="jeg_container"><div class="jeg_content">'
        '<div class="jeg_section"><div class="container"><div class="jeg_404_content row">'
        '<div class="jeg_main_content col-sm-8"><div class="jeg_inner_content">'
        '<div class="jeg_archive_header">'
        + breadcrumbs(ctx, [("Page Not Found", None)])
        + '<h1 class="jeg_archive_title">Page Not Found</h1>'
        "<p>Sorry the page you were looking for cannot be found. Try searching for the best "
        "match or browse the links below:</p>"
        f'<div class="jeg_archive_search">{search_form(ctx)}</div></div>'
        '<div class="jnews_404_content_wrapper"></div></div></div>'
        + _sidebar()
        + "</div></div></div></div></div></div>"
    )
    return document(ctx, head, main, body_class="error404")
