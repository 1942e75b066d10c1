"""The mirror's blocks and cards (JNews block views 21/22, small/medium/large cards),
written as Python."""

from __future__ import annotations

import hashlib
import math

from scraper.mirror.frame import PER_PAGE, Ctx, excerpt, h
from scraper.mirror.site import (
    Article,
    thumbnail,
)

# ---------------------------------------------------------------------------------------------
# Blocks and cards (JNews block views)
# ---------------------------------------------------------------------------------------------


def thumb_img(ctx: Ctx, article: Article, width: int, height: int, size: int) -> str:
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


def card_small(ctx: Ctx, article: Article, upper: bool = False) -> str:
    """Block 21 item (``jeg_pl_sm``): thumbnail, title, date."""
    return _card(ctx, article, upper, "jeg_pl_sm", (120, 86), "")


def card_medium(ctx: Ctx, article: Article, upper: bool = False) -> str:
    """Block 22 item (``jeg_pl_md_5``): thumbnail with category label, title, date."""
    label = f'<div class="jeg_post_category"><span>{_primary_category(ctx, article)}</span></div>'
    return _card(ctx, article, upper, "jeg_pl_md_5", (350, 250), label)


def _card(
    ctx: Ctx, article: Article, upper: bool, kind: str, size: tuple[int, int], label: str
) -> str:
    """A block item: thumbnail (``label`` after its link), title and date."""
    href = ctx.article_url(article, upper=upper)
    return (
        f'<article class="jeg_post {kind} format-standard">'
        f'<div class="jeg_thumb"><a href="{h(href)}">{thumb_img(ctx, article, *size, 715)}'
        f"</a>{label}</div>"
        f'<div class="jeg_postblock_content"><h3 class="jeg_post_title">'
        f'<a href="{h(href)}">{h(article.title)}</a></h3>'
        f'<div class="jeg_post_meta">{_meta_date(ctx, href, article)}</div></div></article>'
    )


def card_large(ctx: Ctx, article: Article, upper: bool = False) -> str:
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
        f'<div class="jeg_thumb"><a href="{h(href)}">{thumb_img(ctx, article, 350, 250, 715)}'
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


def module_id(ctx: Ctx, seed: str, index: int) -> str:
    digest = hashlib.sha1(f"{ctx.lang}:{seed}:{index}".encode()).hexdigest()[:13]
    return f"jnews_module_{seed}_{index}_{digest}"


def jnews_block(
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


def breadcrumbs(ctx: Ctx, trail: list[tuple[str, str | None]]) -> str:
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


def page_count(total: int, per_page: int = PER_PAGE) -> int:
    return max(1, math.ceil(total / per_page))


def pagination(ctx: Ctx, base_url: str, current: int, total: int) -> str:
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
