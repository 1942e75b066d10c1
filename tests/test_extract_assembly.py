"""The article as a reader sees it: body assembly, furniture between paragraphs, dates.

Hand-written pages (no real site's markup or text). Each test is one class of page where a
generic extractor goes wrong: a body spread over many sibling blocks or sections, a lead cut
off by an image or an ad slot, a related-articles stream or a newsletter box between
paragraphs, gallery captions, and pages with several dates.
"""

from __future__ import annotations

from datetime import datetime

from selectolax.lexbor import LexborHTMLParser

from scraper.extract import extract
from scraper.extract.content import main_text

URL = "https://valley.example/features/2023/the-last-ferry"
TITLE = "The last ferry across the Orrin"

# Our own prose: a feature about a river ferry, in paragraphs of ordinary length.
PARAS = [
    "For ninety-one years a flat wooden ferry has carried cars, cattle and schoolchildren "
    "across the Orrin at the village of Daleford, pulled along a steel cable by a diesel "
    "winch that the ferryman restarts each morning with a hand crank.",
    "This autumn the county will open a concrete bridge two kilometres upstream, and the "
    "ferry, which costs more to insure each year than it earns in fares, will make its last "
    "crossing on the first Sunday of November.",
    "The ferryman, Tomas Reyl, took over the boat from his uncle in 1989 and has missed only "
    "eleven days of service since then, nine of them during the flood that carried away the "
    "landing stage on the eastern bank.",
    "He keeps a ledger of every crossing in a cupboard in the winch house, and the ledgers "
    "now fill four shelves, each line recording the time, the weather, the number of "
    "passengers and, in the early years, the animals.",
    "Residents of the eastern bank say the bridge will add twenty minutes to the drive to "
    "the school in Daleford, because the new road follows the river before it turns back "
    "towards the village through the orchards.",
    "The parish council has asked the county to keep the landing stages as a place to fish "
    "and launch canoes, and a local trust hopes to buy the ferry itself and moor it as a "
    "small museum of the river crossing.",
    "Engineers who surveyed the hull last spring found the oak planks sound below the "
    "waterline, although the deck will need new boards and the winch a replacement gearbox "
    "before the boat can be opened to visitors.",
    "On the last day, Reyl says, he will run the ferry from dawn to dusk for anyone who "
    "wants a final crossing, and he will not charge a fare; the ledger, he adds, will "
    "record every one of them.",
]
HEADINGS = ["A cable and a crank", "Four shelves of ledgers", "After the bridge"]


def shell(inner: str, *, head: str = "", before: str = "", after: str = "") -> str:
    """A page around ``inner`` (the article element's content): menu, sidebar, footer.
    No class in it names an article body, so the extractor has to find it by its text."""
    menu = "".join(f'<li><a href="/{w}/">{w.title()}</a></li>' for w in ("news", "sport", "arts"))
    latest = "".join(
        f'<li><a href="/news/{i}">Short item number {i} from the valley</a></li>' for i in range(6)
    )
    return f"""<!doctype html><html lang="en"><head><title>{TITLE} - Valley Weekly</title>
<meta property="og:title" content="{TITLE}">{head}</head><body>
<div class="top"><a href="/">Valley Weekly</a><ul class="menu">{menu}</ul></div>
{before}<div class="layout"><div class="col-a"><h1>{TITLE}</h1>{inner}</div>
<div class="col-b"><h3>Latest</h3><ul>{latest}</ul></div></div>{after}
<div class="bottom"><p>Valley Weekly, 3 Mill Lane, Daleford.</p></div></body></html>"""


def body_of(html: str) -> list[str]:
    return main_text(LexborHTMLParser(html), url=URL, title=TITLE).split("\n\n")


def figure(n: int) -> str:
    return (
        f'<figure class="image"><img src="/img/{n}.jpg" alt="">'
        f"<figcaption>The ferry at the eastern landing, picture {n}. Photo: K. Amsel"
        "</figcaption></figure>"
    )


AD_SLOT = '<div class="ad-slot"><div id="gpt-ad-1"></div><span>Advertisement</span></div>'


# --------------------------------------------------------------------------- assembly
def test_body_split_over_many_sibling_blocks_comes_out_whole_and_in_order() -> None:
    # A long read wrapped two paragraphs at a time in plain blocks, with pictures and an
    # ad slot between them; no block is the article on its own.
    blocks = []
    for i in range(0, len(PARAS), 2):
        blocks.append(f'<div class="c-block"><p>{PARAS[i]}</p><p>{PARAS[i + 1]}</p></div>')
        blocks.append(figure(i) if i % 4 == 0 else AD_SLOT)
    assert body_of(shell("".join(blocks))) == PARAS


def test_deeply_wrapped_blocks_are_assembled() -> None:
    # Every paragraph in its own three-deep wrapper: a single best node would be one of them.
    wrapped = "".join(
        f'<div class="row"><div class="col"><div class="rich"><p>{p}</p></div></div></div>'
        for p in PARAS
    )
    assert body_of(shell(wrapped)) == PARAS


def test_sections_with_headings_come_out_whole_with_their_headings() -> None:
    sections = [PARAS[0:2], PARAS[2:5], PARAS[5:8]]
    inner = '<p class="intro">' + PARAS[0] + "</p>"
    inner = ""
    expected: list[str] = []
    for heading, paras in zip(HEADINGS, sections, strict=True):
        inner += (
            f'<section class="guide-section"><div class="section-head"><h2>{heading}</h2></div>'
            f'<div class="section-text">{"".join(f"<p>{p}</p>" for p in paras)}</div>'
            "</section>"
        )
        expected += [heading, *paras]
    assert body_of(shell(inner)) == expected


def test_lead_cut_off_by_an_image_and_an_ad_slot_is_kept() -> None:
    inner = (
        f'<div class="standfirst"><p>{PARAS[0]}</p></div>'
        + figure(1)
        + AD_SLOT
        + '<div class="rest">'
        + "".join(f"<p>{p}</p>" for p in PARAS[1:])
        + "</div>"
    )
    assert body_of(shell(inner)) == PARAS


# --------------------------------------------------------------------------- precision
def test_related_stream_between_paragraphs_stays_out() -> None:
    cards = "".join(
        f'<div class="card"><h3><a href="/features/{i}">Another valley feature, part {i}</a>'
        f"</h3><p>A summary of another story that a reader might open next, number {i}.</p>"
        "</div>"
        for i in range(5)
    )
    stream = f'<div class="related-stream"><h2>More from the valley</h2>{cards}</div>'
    inner = (
        "".join(f"<p>{p}</p>" for p in PARAS[:4])
        + stream
        + "".join(f"<p>{p}</p>" for p in PARAS[4:])
    )
    body = body_of(shell(inner))
    assert body == PARAS
    assert not any("Another valley feature" in line or "summary" in line for line in body)


def test_teaser_stream_after_the_article_stays_out_even_when_long() -> None:
    # A business page whose "more stories" stream holds more text than the article.
    teasers = "".join(
        f'<article class="teaser"><h3><a href="/markets/{i}">Markets story {i}</a></h3>'
        f"<p>{PARAS[i % len(PARAS)][:150]}</p></article>"
        for i in range(12)
    )
    inner = "".join(f"<p>{p}</p>" for p in PARAS[:5])
    html = shell(inner, after=f'<div class="more-stories">{teasers}</div>')
    assert body_of(html) == PARAS[:5]


def test_promo_and_newsletter_boxes_between_paragraphs_are_dropped() -> None:
    newsletter = (
        '<div class="newsletter-signup"><h4>Get the Valley Weekly briefing</h4>'
        "<p>Every Friday morning, the week's stories from the valley in your inbox.</p>"
        '<form><input type="email"><button>Sign up</button></form></div>'
    )
    promo = (
        '<div class="promo-box"><p>Subscribe today and read every feature for one euro a '
        'week for the first three months of your subscription.</p><a href="/subscribe">'
        "Subscribe</a></div>"
    )
    inner = (
        "".join(f"<p>{p}</p>" for p in PARAS[:3])
        + newsletter
        + "".join(f"<p>{p}</p>" for p in PARAS[3:6])
        + promo
        + "".join(f"<p>{p}</p>" for p in PARAS[6:])
    )
    body = body_of(shell(inner))
    assert body == PARAS


def test_gallery_captions_are_not_body() -> None:
    gallery = '<div class="gallery">' + "".join(figure(i) for i in range(6)) + "</div>"
    inner = "".join(f"<p>{p}</p>" for p in PARAS[:4]) + gallery
    inner += "".join(f"<p>{p}</p>" for p in PARAS[4:])
    body = body_of(shell(inner))
    assert body == PARAS
    assert not any("Photo:" in line for line in body)


def test_article_inside_furniture_named_wrapper_is_found() -> None:
    # A newsletter issue published as a page: the article sits in a "newsletter-content"
    # element, and the page has a small newsletter sign-up box of its own.
    inner = (
        '<div class="newsletter-cta"><p>Join the list to get each issue.</p></div>'
        '<div class="newsletter-content">' + "".join(f"<p>{p}</p>" for p in PARAS) + "</div>"
    )
    assert body_of(shell(inner)) == PARAS


def test_accordion_sections_of_a_guide_are_kept() -> None:
    items = "".join(
        f'<details class="faq"><summary>{h}</summary><div class="answer hidden">'
        f"<p>{PARAS[i]}</p><p>{PARAS[i + 1]}</p></div></details>"
        for i, h in zip((2, 4, 6), HEADINGS, strict=True)
    )
    inner = f"<p>{PARAS[0]}</p><p>{PARAS[1]}</p>" + items
    body = body_of(shell(inner))
    assert body[:2] == PARAS[:2]
    for p in PARAS[2:]:
        assert p in body


def test_author_box_and_caption_with_long_text_stay_out() -> None:
    bio = (
        '<div class="author-bio"><p>Mira Lenz has written about the rivers and villages of '
        "the valley for twenty years, and is the author of two books about the old mills "
        "and the people who ran them along the Orrin and its tributaries.</p></div>"
    )
    inner = "".join(f"<p>{p}</p>" for p in PARAS) + bio
    body = body_of(shell(inner))
    assert body == PARAS


def test_assembly_cost_is_linear() -> None:
    # Ten thousand sibling blocks: must stay fast (a quadratic step would take minutes).
    blocks = "".join(f'<div class="c-block"><p>{PARAS[i % 8]} {i}.</p></div>' for i in range(10000))
    text = main_text(LexborHTMLParser(shell(blocks)), url=URL, title=TITLE)
    assert text.count("\n\n") >= 9000


# --------------------------------------------------------------------------- dates
def _dated(meta: str = "", byline: str = "", footer: str = "") -> str:
    return shell(
        f'<div class="byline">{byline}</div>' + "".join(f"<p>{p}</p>" for p in PARAS[:4]),
        head=meta,
        after=footer,
    )


def test_published_and_updated_dates_each_in_their_place() -> None:
    html = _dated(
        byline='Published <time datetime="2023-10-02T08:00:00+02:00">2 October 2023</time>, '
        'updated <time datetime="2023-10-05T17:30:00+02:00">5 October 2023</time>'
    )
    article = extract(html, URL)
    assert article.published_at is not None and article.modified_at is not None
    assert article.published_at.date().isoformat() == "2023-10-02"
    assert article.modified_at.date().isoformat() == "2023-10-05"


def test_published_and_updated_in_structured_data_each_in_their_place() -> None:
    meta = (
        '<meta property="article:published_time" content="2023-10-02T08:00:00+02:00">'
        '<meta property="article:modified_time" content="2023-11-20T09:15:00+01:00">'
    )
    article = extract(_dated(meta=meta, byline="By Mira Lenz"), URL)
    assert article.published_at == datetime.fromisoformat("2023-10-02T08:00:00+02:00")
    assert article.modified_at == datetime.fromisoformat("2023-11-20T09:15:00+01:00")


def test_last_updated_and_copyright_dates_are_not_the_publication_date() -> None:
    html = _dated(
        byline="By Mira Lenz | Published 14 March 2022 | Last updated 2 February 2024",
        footer='<div class="site-footer"><p>© 2025 Valley Weekly. Page generated '
        "1 December 2025.</p></div>",
    )
    article = extract(html, URL)
    assert article.published_at is not None
    assert article.published_at.date().isoformat() == "2022-03-14"
    assert article.modified_at is not None
    assert article.modified_at.date().isoformat() == "2024-02-02"


def test_visible_published_label_beats_a_structured_date_of_another_day() -> None:
    # The JSON-LD datePublished is the day of the last edit; the page says when it was
    # published.
    jsonld = (
        '<script type="application/ld+json">{"@type": "Article", "headline": "x", '
        '"datePublished": "2024-06-30", "dateModified": "2024-06-30"}</script>'
    )
    html = _dated(meta=jsonld, byline="Published 12 April 2021 · Updated 30 June 2024")
    article = extract(html, URL)
    assert article.published_at is not None
    assert article.published_at.date().isoformat() == "2021-04-12"


def test_only_an_update_date_is_used_and_marked_as_such() -> None:
    html = _dated(byline="By Mira Lenz · Updated 7 May 2024")
    article = extract(html, URL)
    assert article.published_at is not None
    assert article.published_at.date().isoformat() == "2024-05-07"
    assert article.date_source == "updated"
    assert article.modified_at is not None


def test_machine_only_modified_date_is_not_a_publication_date() -> None:
    meta = '<meta property="article:modified_time" content="2025-01-09T10:00:00+00:00">'
    article = extract(_dated(meta=meta, byline="By Mira Lenz"), URL.replace("/2023", ""))
    assert article.published_at is None
    assert article.modified_at is not None


def test_utc_timestamp_after_midnight_takes_the_day_in_the_url() -> None:
    meta = '<meta property="article:published_time" content="2023-10-03T02:40:00+00:00">'
    url = "https://valley.example/2023/10/02/the-last-ferry/"
    article = extract(_dated(meta=meta, byline="By Mira Lenz"), url)
    assert article.published_at is not None
    assert article.published_at.date().isoformat() == "2023-10-02"


def test_component_names_of_script_front_ends_are_read() -> None:
    # A page built from components: no class names, only data-component / data-testid.
    blocks = "".join(
        f'<div data-component="text-block"><p>{p}</p></div>'
        + ('<div data-component="image-block"><img src="/x.jpg" alt=""></div>' if i == 1 else "")
        for i, p in enumerate(PARAS[:6])
    )
    related = (
        '<div data-testid="related-stories"><h2>Read next</h2>'
        + "".join(
            f'<div><a href="/s/{i}"><p>A different story from the valley, told in a long '
            f"teaser sentence number {i}, to tempt a reader.</p></a></div>"
            for i in range(4)
        )
        + "</div>"
    )
    html = shell(f'<article data-component="story">{blocks}{related}</article>')
    assert body_of(html) == PARAS[:6]


def test_linked_items_with_words_of_their_own_are_kept_bare_titles_are_not() -> None:
    reading = "".join(
        f'<li><a href="/b/{i}">{title}</a> by {author}, a review of the book</li>'
        for i, (title, author) in enumerate(
            (("Rivers of the North", "A. Holm"), ("Ferries and Fords", "B. Castel"))
        )
    )
    related = "".join(
        f'<li><a href="/f/{i}">Another long linked title of a feature about the valley {i}</a></li>'
        for i in range(3)
    )
    inner = (
        "".join(f"<p>{p}</p>" for p in PARAS[:4])
        + f"<ul>{reading}</ul>"
        + "".join(f"<p>{p}</p>" for p in PARAS[4:])
        + f"<ul>{related}</ul>"
    )
    body = body_of(shell(inner))
    assert "Rivers of the North by A. Holm, a review of the book" in body
    assert "Ferries and Fords by B. Castel, a review of the book" in body
    assert not any("Another long linked title" in line for line in body)
    assert body[-1] == PARAS[-1]


def test_lead_past_an_image_in_a_script_without_spaces() -> None:
    # Japanese prose has no spaces between words: its sentences still count as prose.
    paras = [
        "川の渡し船は九十一年にわたり、村の子どもたちや牛や車を対岸へ運んできた。",
        "この秋、二キロ上流に新しい橋が開通し、渡し船は十一月の最初の日曜日に最後の航行を行う。",
        "船頭は一九八九年に叔父から船を引き継ぎ、それ以来休んだのはわずか十一日だけだという。",
        "地元の団体は船を買い取り、川の渡しの小さな博物館として残したいと考えている。",
    ]
    inner = (
        f'<div class="standfirst"><p>{paras[0]}</p></div>'
        + figure(1)
        + AD_SLOT
        + '<div class="rest">'
        + "".join(f"<p>{p}</p>" for p in paras[1:])
        + "</div>"
    )
    assert body_of(shell(inner)) == paras


def test_unnamed_sign_up_box_and_gallery_are_dropped_by_their_shape() -> None:
    # No class name gives them away: a box of short lines around an email field, and
    # pictures with one-line captions side by side.
    box = (
        "<div><h3>Sign up for the morning briefing</h3><p>Get the best stories from the "
        'valley in your inbox every morning, free of charge.</p><form><input type="email">'
        "<button>Sign up</button></form></div>"
    )
    slides = "".join(
        f'<div><img src="/{i}.jpg" alt=""><p>The ferry at dawn seen from the eastern bank, '
        f"picture {i} of six.</p></div>"
        for i in range(6)
    )
    inner = (
        "".join(f"<p>{p}</p>" for p in PARAS[:3])
        + box
        + "".join(f"<p>{p}</p>" for p in PARAS[3:6])
        + f"<div>{slides}</div>"
        + "".join(f"<p>{p}</p>" for p in PARAS[6:])
    )
    assert body_of(shell(inner)) == PARAS


def test_checklist_with_checkboxes_and_steps_with_pictures_stay() -> None:
    # Form fields and images that are part of the article: a checklist of ticks, and a
    # how-to whose steps each have a picture and a paragraph.
    checklist = "".join(
        f'<li><input type="checkbox"> {item}</li>'
        for item in ("Book the ferry museum visit", "Bring a warm coat", "Check the tide table")
    )
    steps = "".join(
        f'<div><img src="/step{i}.jpg" alt=""><p>{PARAS[i]}</p></div>' for i in range(4, 8)
    )
    inner = "".join(f"<p>{p}</p>" for p in PARAS[:4]) + f"<ul>{checklist}</ul>" + steps
    body = body_of(shell(inner))
    assert body[:4] == PARAS[:4]
    assert "Bring a warm coat" in body
    assert body[-4:] == PARAS[4:]


def test_highlighted_code_and_tables_in_figures_stay() -> None:
    # Syntax highlighting names its spans "comment" or "c1"; a block editor wraps tables
    # in a <figure>. Neither is furniture.
    code = (
        '<pre class="highlight"><code><span class="comment"># winch log for the morning'
        ' crossing</span>\n<span class="kw">start</span> winch --crank</code></pre>'
    )
    rows = "".join(
        f"<tr><td>{day}</td><td>{n} crossings and a long note about the weather</td></tr>"
        for day, n in (("Monday", 14), ("Tuesday", 11), ("Wednesday", 16))
    )
    table = f'<figure class="wp-block-table"><table><tbody>{rows}</tbody></table></figure>'
    inner = (
        "".join(f"<p>{p}</p>" for p in PARAS[:4])
        + code
        + "".join(f"<p>{p}</p>" for p in PARAS[4:6])
        + table
        + "".join(f"<p>{p}</p>" for p in PARAS[6:])
    )
    body = body_of(shell(inner))
    assert any("# winch log for the morning crossing" in line for line in body)
    [table_text] = [part for part in body if "Tuesday" in part]
    assert table_text.split("\n") == [
        f"{day}\t{n} crossings and a long note about the weather"
        for day, n in (("Monday", 14), ("Tuesday", 11), ("Wednesday", 16))
    ]
    assert [line for line in body if line in PARAS] == PARAS


def test_a_data_table_keeps_every_cell_one_row_a_line() -> None:
    """Repeated values stay (a table is not boilerplate repeating itself); a second copy
    of the same table (for narrow screens) does not; an article laid out inside a table
    cell keeps its paragraphs."""
    rows = "".join(
        f"<tr><td>{month}</td><td>+13.1%</td></tr>" for month in ("1/2013", "2/2013", "3/2013")
    )
    head = "<thead><tr><th>Month</th><th>Change</th></tr></thead>"
    table = f"<figure><table>{head}{rows}</table></figure>"
    inner = (
        "".join(f"<p>{p}</p>" for p in PARAS[:4])
        + table
        + f'<div class="mobile-only">{table}</div>'
        + "".join(f"<p>{p}</p>" for p in PARAS[4:])
    )
    body = body_of(shell(inner))
    assert [part for part in body if "Month" in part] == [
        "Month\tChange\n1/2013\t+13.1%\n2/2013\t+13.1%\n3/2013\t+13.1%"
    ]
    assert [line for line in body if line in PARAS] == PARAS
    laid_out = "<table><tr><td>" + "".join(f"<p>{p}</p>" for p in PARAS) + "</td></tr></table>"
    assert body_of(shell(laid_out)) == PARAS


def test_a_data_tables_cells_styled_with_furniture_words_stay() -> None:
    """Design systems name cells after their type scale ("font-utility-2"): in a table of
    several rows that styles a cell, it does not make it furniture."""
    cell = '<td class="border-b font-utility-2">{}</td>'
    rows = "".join(
        "<tr>" + cell.format(week) + cell.format(f"Easy run of {week * 3} miles") + "</tr>"
        for week in range(1, 6)
    )
    inner = "".join(f"<p>{p}</p>" for p in PARAS) + f"<h3>The plan</h3><table>{rows}</table>"
    body = body_of(shell(inner))
    assert body[-1].split("\n") == [f"{w}\tEasy run of {w * 3} miles" for w in range(1, 6)]


def test_numeric_dates_read_in_the_page_region_order() -> None:
    for lang, expected in (("en-US", "2025-03-04"), ("en-GB", "2025-04-03")):
        html = _dated(byline="By Mira Lenz · 3/4/2025").replace(
            '<html lang="en">', f'<html lang="{lang}">'
        )
        article = extract(html, URL.replace("/2023", ""))
        assert article.published_at is not None
        assert article.published_at.date().isoformat() == expected, lang


def test_a_page_streamed_in_pieces_reads_in_the_order_it_shows() -> None:
    """React streaming: the shell holds placeholders, the sections come last in hidden
    elements, one nested in another; extraction reads them where the script puts them."""
    from scraper import extract

    inner = (
        f'<p>{PARAS[0]}</p><!--$?--><template id="B:0"></template>'
        '<div class="skeleton">Loading…</div><!--/$-->'
    )
    streamed = (
        f'<div hidden id="S:0"><p>{PARAS[1]}</p><p>{PARAS[2]}</p>'
        f'<template id="P:3"></template><p>{PARAS[5]}</p></div>'
        f'<div hidden id="S:3"><p>{PARAS[3]}</p><p>{PARAS[4]}</p></div>'
        '<script>$RC("B:0","S:0")</script>'
    )
    html = shell(inner, after=streamed)
    body = extract(html, URL).body.split("\n\n")
    assert [line for line in body if line in PARAS] == PARAS[:6]


def test_collapsed_panels_are_content_hidden_modals_are_not() -> None:
    """An accordion's answers are hidden until a click (``display:none`` on a labelled
    region): they are the article. A hidden sign-up dialog is not."""
    steps = "".join(
        f'<div class="acc"><a role="button" aria-controls="p{i}" id="h{i}">Step {i + 1}</a>'
        f'<div id="p{i}" role="region" aria-labelledby="h{i}" style="display:none;">'
        f"<p>{PARAS[i]}</p></div></div>"
        for i in range(2, 6)
    )
    modal = (
        '<div role="dialog" style="display:none"><p>Join thousands of readers who get our'
        " weekly letter about the valley, its ferries and its orchards in their inbox.</p></div>"
    )
    inner = f"<p>{PARAS[0]}</p><p>{PARAS[1]}</p>{steps}{modal}<p>{PARAS[6]}</p>"
    body = body_of(shell(inner))
    assert [line for line in body if line in PARAS] == PARAS[:7]
    assert not any("Join thousands" in line for line in body)


def test_a_checklist_keeps_its_linked_items_a_link_box_goes() -> None:
    """A list of things, some linked to a review, is content; a list of links is not."""
    gear = ["Tent", "Rainfly", "Stakes", "Headlamp", "Water filter", "Spare socks"]
    linked = {"Tent", "Stakes", "Water filter"}
    checklist = "".join(
        f'<li><a href="/review/{g.lower()}">{g}</a></li>' if g in linked else f"<li>{g}</li>"
        for g in gear
    )
    links = "".join(f'<li><a href="/news/{i}">Ferry story {i}</a></li>' for i in range(5))
    inner = (
        "".join(f"<p>{p}</p>" for p in PARAS[:4])
        + f"<h3>What to pack</h3><ul>{checklist}</ul>"
        + "".join(f"<p>{p}</p>" for p in PARAS[4:])
        + f"<ul>{links}</ul>"
    )
    body = body_of(shell(inner))
    assert {line.lstrip("- ") for line in body} >= set(gear)
    assert not any("Ferry story" in line for line in body)
