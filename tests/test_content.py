"""The generic body extractor (``scraper.extract.content``) on hand-written pages."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser

from scraper.extract.boilerplate import (
    DISCUSSION,
    NEGATIVE,
    POSITIVE,
    WEAK,
    attr_hint,
    is_chrome_line,
)
from scraper.extract.content import main_text, node_text

# Our own prose: a small story about a harbour town, long enough to look like an article.
STORY = [
    "The harbour authority of Port Vallin voted on Tuesday to rebuild the old north pier, "
    "which has been closed to the public since a winter storm cracked its foundations three "
    "years ago, ending a long dispute between fishermen and the town council.",
    "Under the plan, the pier will be lengthened by forty metres and fitted with a floating "
    "pontoon for small boats, while the stone warehouse at its root will become a market hall "
    "for the fish auction that now takes place in a car park.",
    "Engineers told the meeting that the work would take two summers, because the divers can "
    "only pour concrete at low tide, and that the bill would be shared between the region, "
    "the port and a fund for coastal towns hit by the decline of the fleet.",
    "Several skippers said they welcomed the decision but feared that the market hall would "
    "raise their fees; the mayor promised that the auction would keep its present rates for "
    "at least five years after the hall opens.",
]
HEADLINE = "Port Vallin will rebuild its north pier"


def paragraphs(items: list[str] = STORY) -> str:
    return "".join(f"<p>{p}</p>" for p in items)


def page(article_inner: str, *, title: str = HEADLINE, extra: str = "") -> str:
    """A typical news page: menu, article, sidebar with teasers, footer."""
    menu = "".join(
        f'<li><a href="/{w.lower()}/">{w}</a></li>'
        for w in ("Home", "World", "Business", "Sport", "Culture", "Weather", "Opinion")
    )
    teasers = "".join(
        f'<li><a href="/story/{i}">Another story about the coast, number {i}</a></li>'
        for i in range(8)
    )
    return f"""<!doctype html><html lang="en"><head><title>{title} | The Coast Daily</title>
<meta property="og:title" content="{title}"></head><body>
<header class="site-header"><a href="/">The Coast Daily</a><nav class="main-nav"><ul>{menu}
</ul></nav></header>
<main><article class="post">
<h1 class="entry-title">{title}</h1>
<div class="entry-meta">By Ana Ferreira | 4 March 2024</div>
<div class="entry-content">{article_inner}</div>
</article>
<aside class="sidebar"><h3>Most read</h3><ul>{teasers}</ul></aside></main>
{extra}
<footer class="site-footer"><p>Copyright 2024 The Coast Daily. All rights reserved.</p>
<ul><li><a href="/about">About us</a></li><li><a href="/contact">Contact</a></li></ul>
</footer></body></html>"""


def extract(html: str) -> str:
    return main_text(LexborHTMLParser(html), url="https://coast.example/2024/03/pier")


def assert_story(text: str, items: list[str] = STORY) -> None:
    assert text.split("\n\n") == items


# --------------------------------------------------------------------------- node_text
def test_node_text_paragraphs_headings_and_lists() -> None:
    html = """<div><h2>Title  here</h2><p>First <b>bold</b>
    paragraph.</p><ul><li>one</li><li>two <a href="#">link</a></li></ul>
    <div>loose text<p>inner</p>tail</div><table><tr><td>a</td><td>b</td></tr></table></div>"""
    text = node_text(LexborHTMLParser(html).css_first("div"))
    assert text == (
        "Title here\n\nFirst bold paragraph.\n\none\n\ntwo link\n\nloose text\n\ninner"
        "\n\ntail\n\na\n\nb"
    )


def test_node_text_drops_media_scripts_forms_and_buttons() -> None:
    html = """<div><p>Kept.<img src="x.jpg" alt="an image"></p><script>var x = 1;</script>
    <style>p {color: red}</style><button>Click</button><form><input value="q">
    <select><option>Pick</option></select></form><svg><text>chart</text></svg>
    <noscript>Enable JavaScript</noscript><!-- a comment --><p>Also kept.</p></div>"""
    assert node_text(LexborHTMLParser(html).css_first("div")) == "Kept.\n\nAlso kept."


def test_node_text_line_breaks() -> None:
    html = "<div>one<br>same paragraph<br><br>new paragraph<br/>\n<br>\nthird</div>"
    text = node_text(LexborHTMLParser(html).css_first("div"))
    assert text == "one same paragraph\n\nnew paragraph\n\nthird"


def test_node_text_empty_and_whitespace() -> None:
    assert node_text(LexborHTMLParser("<div>  \n\t </div>").css_first("div")) == ""
    assert node_text(LexborHTMLParser("<div><p></p><p> </p></div>").css_first("div")) == ""


# --------------------------------------------------------------------------- main_text
def test_plain_article() -> None:
    text = extract(page(paragraphs()))
    assert_story(text)
    assert HEADLINE not in text  # the headline is not body
    assert "Most read" not in text and "Copyright" not in text


def test_headline_given_by_the_caller_is_not_body() -> None:
    html = page(f"<h2>{HEADLINE}</h2>" + paragraphs(), title="The Coast Daily")
    text = main_text(LexborHTMLParser(html), title=HEADLINE)
    assert_story(text)


def test_headline_repeated_with_other_quotes_is_not_body() -> None:
    """The headline repeated above the story with other punctuation (quotes, an ellipsis)
    is not body; a short line sharing one word with it ("Q." of "Q&A: ...") is."""
    quoted = '"Port Vallin" will rebuild... its north pier'
    html = page(f"<p>{quoted}</p><p>Q.</p>" + paragraphs(), title="The Coast Daily")
    text = main_text(LexborHTMLParser(html), title="Q&A: " + HEADLINE)
    assert text.split("\n\n") == ["Q.", *STORY]


def test_related_box_inside_article_removed() -> None:
    related = """<div class="related-posts"><h4>You might also like</h4><ul>
    <li><a href="/a">Ferry timetable changes for the summer season</a></li>
    <li><a href="/b">Lighthouse keeper retires after forty years</a></li>
    <li><a href="/c">New cycle path opens along the bay</a></li></ul></div>"""
    text = extract(page(paragraphs(STORY[:2]) + related + paragraphs(STORY[2:])))
    assert_story(text)


def test_unhinted_link_list_inside_article_removed() -> None:
    links = "<ul>" + "".join(
        f'<li><a href="/s/{i}">Coastal news in brief, item {i}</a></li>' for i in range(5)
    )
    text = extract(page(paragraphs(STORY[:3]) + links + "</ul>" + paragraphs(STORY[3:])))
    assert_story(text)


def test_share_bar_removed() -> None:
    share = """<div class="social-share"><span>Share this article</span>
    <a href="https://facebook.example/share">Facebook</a>
    <a href="https://x.example/intent">X</a><a href="mailto:?body=x">Email</a></div>"""
    text = extract(page(share + paragraphs() + share))
    assert_story(text)


def test_newsletter_box_removed() -> None:
    box = """<div class="newsletter-signup"><h3>Get the morning briefing</h3>
    <p>Sign up for our daily newsletter and receive the most important coastal stories in
    your inbox every morning, free of charge.</p><form><input type="email">
    <button>Subscribe</button></form></div>"""
    text = extract(page(paragraphs(STORY[:2]) + box + paragraphs(STORY[2:])))
    assert_story(text)


def test_captions_and_credits_excluded() -> None:
    figure = """<figure class="wp-caption"><img src="/pier.jpg" alt="The pier">
    <figcaption>The north pier after the storm. Photo: Harbour Authority</figcaption>
    </figure>"""
    credit = '<p class="wp-caption-text">Photograph by the town archive</p>'
    text = extract(page(paragraphs(STORY[:1]) + figure + credit + paragraphs(STORY[1:])))
    assert_story(text)


def test_comments_excluded() -> None:
    comments = "".join(
        f'<li class="comment"><p class="comment-author">Reader {i}</p><p>I have lived in this '
        f"town all my life and I think the pier matters more than anything the council has "
        f"done in a decade, so this is good news for all of us, number {i}.</p></li>"
        for i in range(12)
    )
    extra = f'<section id="comments"><h2>12 comments</h2><ol>{comments}</ol></section>'
    assert_story(extract(page(paragraphs(), extra=extra)))


def test_subheadings_and_lists_inside_the_body_are_paragraphs() -> None:
    inner = (
        paragraphs(STORY[:2])
        + "<h2>What happens next</h2>"
        + "<ul><li>Divers survey the foundations in April.</li>"
        + "<li>The council publishes the tender in June.</li></ul>"
        + paragraphs(STORY[2:])
    )
    text = extract(page(inner))
    expected = [
        *STORY[:2],
        "What happens next",
        "Divers survey the foundations in April.",
        "The council publishes the tender in June.",
        *STORY[2:],
    ]
    assert_story(text, expected)


def test_hidden_copy_not_repeated() -> None:
    hidden = f'<div style="display:none">{" ".join(STORY)}</div>'
    assert_story(extract(page(paragraphs() + hidden)))


def test_ad_and_stock_phrases_removed() -> None:
    inner = (
        paragraphs(STORY[:2])
        + '<div class="ad-slot"><span>Advertisement</span></div>'
        + "<p>Advertisement</p>"
        + paragraphs(STORY[2:])
        + "<p>Read more</p>"
    )
    assert_story(extract(page(inner)))


def test_long_link_list_page_gives_little_text() -> None:
    items = "".join(
        f'<li><a href="/archive/{i}">Archive page {i} of the coastal news index</a></li>'
        for i in range(300)
    )
    html = f"<html><body><h1>Archive</h1><ul>{items}</ul></body></html>"
    assert len(extract(html)) < 200


def test_table_layout_page() -> None:
    nav = "".join(f'<a href="/{i}">Section {i}</a><br>' for i in range(15))
    body = "<br><br>".join(STORY)
    html = f"""<html><body><table><tr><td class="leftnav">{nav}</td>
    <td><font size="4"><b>{HEADLINE}</b></font><br><br>{body}</td>
    <td><a href="/x">Weather</a><br><a href="/y">Classifieds</a></td></tr></table>
    </body></html>"""
    text = extract(html)
    for paragraph in STORY:
        assert paragraph in text
    assert "Section 3" not in text and "Classifieds" not in text


def test_arabic_rtl_page() -> None:
    story = [
        "أعلنت سلطة الميناء يوم الثلاثاء عن خطة لإعادة بناء الرصيف الشمالي القديم الذي أغلق "
        "أمام الجمهور منذ ثلاث سنوات بعد أن ألحقت به عاصفة شتوية أضرارا كبيرة في أساساته.",
        "وبموجب الخطة سيمدد الرصيف أربعين مترا وسيجهز بمرسى عائم للقوارب الصغيرة، بينما يتحول "
        "المستودع الحجري القديم إلى سوق مغطاة لبيع السمك بالمزاد بدلا من موقف السيارات الحالي.",
        "وقال المهندسون إن الأشغال ستستغرق صيفين كاملين، لأن الغواصين لا يستطيعون صب الخرسانة "
        "إلا عند انحسار المد، وإن التكلفة ستوزع بين الجهة والميناء وصندوق دعم المدن الساحلية.",
    ]
    menu = "".join(f'<li><a href="/c/{i}">قسم {i}</a></li>' for i in range(10))
    html = f"""<!doctype html><html lang="ar" dir="rtl"><head><meta charset="utf-8">
    <title>إعادة بناء الرصيف الشمالي</title></head><body>
    <nav><ul>{menu}</ul></nav><article><h1>إعادة بناء الرصيف الشمالي</h1>
    <div class="jeg_share_button"><a href="#">فيسبوك</a><a href="#">تويتر</a></div>
    <div class="content-inner">{paragraphs(story)}
    <div class="jnews_inline_related_post_wrapper"><p>اقرأ أيضا</p><ul>
    <li><a href="/r/1">افتتاح طريق جديد على الشاطئ</a></li>
    <li><a href="/r/2">تقاعد حارس المنارة بعد أربعين عاما</a></li></ul></div>
    </div></article><footer>جميع الحقوق محفوظة</footer></body></html>"""
    text = main_text(LexborHTMLParser(html))
    assert_story(text, story)


def test_deep_nesting_does_not_crash() -> None:
    depth = 20_000
    html = "<div>" * depth + paragraphs() + "</div>" * depth
    tree = LexborHTMLParser(html)
    assert "north pier" in main_text(tree)
    body = tree.body
    assert body is not None
    assert node_text(body).count("\n\n") == len(STORY) - 1


def test_deep_inline_nesting_does_not_crash() -> None:
    html = "<p>" + "<span><b>" * 10_000 + "deep text" + "</b></span>" * 10_000 + "</p>"
    assert isinstance(main_text(LexborHTMLParser(html)), str)


def test_empty_and_garbage_input() -> None:
    for html in ("", "   ", "<html></html>", "<html><body></body></html>", "\x00\x01\x02"):
        assert main_text(LexborHTMLParser(html)) == ""
    binary = bytes(range(256)).decode("latin-1") * 50
    assert main_text(LexborHTMLParser(binary)) == ""
    assert main_text(LexborHTMLParser(f"<html><body><p>{binary}</p></body></html>")) == ""


def test_unclosed_title_swallowing_the_page() -> None:
    html = page(paragraphs()).replace("</title>", "", 1)
    text = extract(html)
    for paragraph in STORY:
        assert paragraph in text


def test_main_text_does_not_modify_the_tree() -> None:
    tree = LexborHTMLParser(page(paragraphs()))
    before = tree.html
    main_text(tree)
    assert tree.html == before


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("<>/=\"' abcdivpspanli\n&;#x0123")), max_size=400))
def test_never_raises_on_random_markup(html: str) -> None:
    assert isinstance(main_text(LexborHTMLParser(html)), str)


# --------------------------------------------------------------------------- hints
def test_attribute_hints() -> None:
    assert attr_hint({"class": "share-buttons"}) == NEGATIVE
    assert attr_hint({"class": "jeg_share_button"}) == NEGATIVE
    assert attr_hint({"id": "relatedPosts"}) == NEGATIVE
    assert attr_hint({"class": "has-sidebar no-comments"}) != NEGATIVE
    assert attr_hint({"class": "entry-meta"}) == WEAK
    assert attr_hint({"class": "post"}) == POSITIVE
    assert attr_hint({"itemprop": "articleBody"}) > POSITIVE
    assert attr_hint({"style": "display: none"}) == NEGATIVE
    assert attr_hint({"role": "navigation"}) == NEGATIVE
    assert attr_hint({"id": "comments"}) == DISCUSSION
    assert attr_hint({"class": "elementor-widget-container"}) == WEAK
    assert attr_hint({"id": "ctl00_MainPlaceHolder_NavBar_Article"}) != NEGATIVE
    # two-word names written with "_": as with "-"; a body's own name is not one of them
    for name in ("article_details_prev_next", "read_more", "author_box", "post_tags"):
        assert attr_hint({"class": name}) == NEGATIVE, name
    assert attr_hint({"class": "post_meta"}) == WEAK
    assert attr_hint({"class": "article__body"}) > POSITIVE


def test_chrome_lines() -> None:
    for line in ("Advertisement", "Share this article", "Read more »", "اقرأ أيضا", "Tags: a, b"):
        assert is_chrome_line(line)
    assert not is_chrome_line("Read more about the pier in our archive, where the plans are.")


def test_pathological_nesting_is_bounded_and_keeps_normal_pages_intact():
    import time

    from scraper import extract
    from scraper.extract import limit_nesting

    normal = "<div>" * 200 + "<p>hello world</p>" + "</div>" * 200
    assert limit_nesting(normal) == normal
    started = time.monotonic()
    article = extract("<div>" * 1_000_000, "https://example.org/x")
    assert time.monotonic() - started < 30
    assert article.body == ""


# -- body fixes measured on the dev set (issue 22), each on a page written here ------------

JA_STORY = [
    "港町の議会は火曜日、三年前の冬の嵐で基礎が割れて以来閉鎖されている北の桟橋を"
    "建て直すことを決めた。漁師と町の長い対立がこれで終わる。",
    "計画では桟橋を四十メートル延ばし、小さな船のための浮き桟橋を設ける。根元の石の倉庫は"
    "魚の競りのための市場に変わる。",
    "技師によると工事は二度の夏にわたる。潜水士は干潮の時にしかコンクリートを流せないからだ。",
]


def test_a_footer_mixing_scripts_does_not_outweigh_a_story_without_spaces() -> None:
    # Only the characters of a script without spaces weigh more, not the English line next
    # to them: a Japanese copyright footer with an English notice used to weigh three times
    # its length and beat the story.
    from scraper.extract.flatten import flatten_page, weights_of

    english = (
        "Copyright © The Harbour Town Press Company. All rights reserved. No reproduction or "
        "republication of any part of this site without written permission of the owner."
    )
    notice = "港町新聞に掲載の記事・写真の無断転載を禁じます。"
    html = f"<html><body><p>{notice}{english}</p><p>{JA_STORY[0]}</p></body></html>"
    tree = LexborHTMLParser(html)
    footer, story = weights_of(flatten_page(tree.body, analyse=True))
    assert footer < 1.5 * len(notice + english)
    assert story > 2.5 * len(JA_STORY[0])
    page_html = (
        "<html lang='ja'><head><title>桟橋</title></head><body><main><div>"
        f"{paragraphs(JA_STORY * 2)}</div></main><div class='copyright'><p>{notice}{english}</p>"
        "</div></body></html>"
    )
    body = extract(page_html)
    assert JA_STORY[0] in body and JA_STORY[2] in body
    assert "All rights reserved" not in body


def test_paragraphs_marked_paywall_are_the_story_when_they_are_in_the_page() -> None:
    inner = f"<p>{STORY[0]}</p>" + "".join(f'<p class="paywall">{p}</p>' for p in STORY[1:])
    body = extract(page(inner))
    assert all(p in body for p in STORY)


def test_a_body_split_across_furniture_named_layout_wrappers_is_read_whole() -> None:
    # Two grid wrappers named after a sidebar layout, each around a piece of the body.
    def piece(items: list[str]) -> str:
        return (
            '<div class="sidebar-grid__container"><div class="article__content">'
            f"{paragraphs(items)}</div><div class='sidebar-grid__rail'></div></div>"
        )

    html = page(piece(STORY[:1]) + '<div class="ad-slot"></div>' + piece(STORY[1:]))
    body = extract(html)
    assert all(p in body for p in STORY)
    assert "Most read" not in body and "Another story" not in body
