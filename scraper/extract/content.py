"""The article body: turning a content node into clean paragraphs, and finding that node.

``node_text`` is shared by every extraction path (site profile and generic): block elements
become paragraphs separated by one blank line, headings and list items are their own
paragraphs, and images, scripts and forms contribute nothing.
"""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser, LexborNode

BLOCK_TAGS = frozenset(
    {
        "p", "div", "section", "article", "main", "header", "footer", "aside", "nav",
        "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd",
        "blockquote", "pre", "table", "tr", "figure", "figcaption", "hr", "address",
        "details", "summary", "form", "fieldset",
    }
)  # fmt: skip
SKIP_TAGS = frozenset(
    {
        "script", "style", "noscript", "template", "svg", "img", "picture", "video",
        "audio", "iframe", "object", "embed", "canvas", "button", "input", "select",
        "textarea", "option", "head", "title", "meta", "link",
    }
)  # fmt: skip


def node_text(node: LexborNode) -> str:
    """Plain text of ``node``: one paragraph per block, paragraphs joined by a blank line."""
    paragraphs: list[str] = []
    current: list[str] = []

    def flush() -> None:
        text = " ".join("".join(current).split())
        if text:
            paragraphs.append(text)
        current.clear()

    stack: list[tuple[LexborNode, bool]] = [(node, True)]
    while stack:
        item, entering = stack.pop()
        tag = item.tag or ""
        if not entering:
            flush()
            continue
        if tag == "-text":
            current.append(item.text_content or "")
            continue
        if tag in SKIP_TAGS or tag.startswith("-"):
            continue
        if tag == "br":
            current.append("\n")
            continue
        if tag in BLOCK_TAGS:
            flush()
            stack.append((item, False))
        children = list(item.iter(include_text=True))
        stack.extend((child, True) for child in reversed(children))
    flush()
    return "\n\n".join(paragraphs)


def main_text(tree: LexborHTMLParser, *, url: str | None = None) -> str:
    """The body text of an article page without a profile (generic heuristics).

    May modify ``tree``: the caller runs it last.
    """
    for selector in ("article", "main", "[itemprop=articleBody]", "body"):
        node = tree.css_first(selector)
        if node is not None:
            for junk in node.css("nav, aside, footer, header, form, script, style"):
                junk.decompose()
            text = node_text(node)
            if text:
                return text
    return ""
