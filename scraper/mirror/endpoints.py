"""The mirror's machine-readable endpoints, written as Python: robots.txt, WordPress core
sitemaps, RSS feeds and REST API records."""

from __future__ import annotations

from html import escape
from typing import Any

from scraper.mirror.blocks import page_count
from scraper.mirror.frame import (
    FEED_ITEMS,
    SITEMAP_MAX_URLS,
    Ctx,
    excerpt,
    gmt_iso,
    h,
    local_iso,
    rfc822,
)
from scraper.mirror.site import (
    LANGS,
    SITE_NAME,
    Article,
    Site,
    encode_segment,
    slugify,
)

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


def tiny_jpeg() -> bytes:
    """An 8x8 mid-grey baseline JPEG, built from its segments (valid for any decoder)."""

    def segment(marker: int, payload: bytes) -> bytes:
        return bytes([0xFF, marker]) + (len(payload) + 2).to_bytes(2, "big") + payload

    jfif = segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
    dqt = segment(0xDB, b"\x00" + b"\x01" * 64)
    sof = segment(0xC0, b"\x08\x00\x08\x00\x08\x01\x01\x11\x00")
    one_code = b"\x01" + b"\x00" * 15  # a single 1-bit Huffman code
    dht_dc = segment(0xC4, b"\x00" + one_code + b"\x00")  # DC: category 0 only
    dht_ac = segment(0xC4, b"\x10" + one_code + b"\x00")  # AC: end-of-block only
    sos = segment(0xDA, b"\x01\x01\x00\x00\x3f\x00")
    scan = b"\x3f"  # DC diff 0, EOB, padded with ones
    return b"\xff\xd8" + jfif + dqt + sof + dht_dc + dht_ac + sos + scan + b"\xff\xd9"
