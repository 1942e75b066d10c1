"""decode_html: BOM > HTTP header > meta/XML declaration > detection; plus content sniffing."""

from __future__ import annotations

import codecs

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scraper.encoding import (
    charset_from_content_type,
    decode_html,
    is_text_content,
    looks_like_html,
    normalize_label,
)

ARABIC = "الصحراء المغربية: أخبار اليوم في المغرب والعالم، السبت 25 نونبر 2025"
FRENCH = "Le Maroc célèbre la fête de l'Indépendance à Rabat, où l'été fut très chaud."
PAGE = "<html><head><title>{t}</title></head><body><p>{t}</p></body></html>"


def page(text: str, head: str = "") -> str:
    return PAGE.format(t=text).replace("<head>", f"<head>{head}", 1)


# -- declared encodings and their precedence ------------------------------------------------


def test_windows_1256_without_any_declaration() -> None:
    body = page(ARABIC).encode("cp1256")
    text, encoding = decode_html(body)
    assert encoding == "windows-1256"
    assert ARABIC in text
    text, encoding = decode_html(body, "text/html")
    assert (encoding, ARABIC in text) == ("windows-1256", True)


def test_header_beats_meta() -> None:
    body = page(ARABIC, '<meta charset="utf-8">').encode("cp1256")
    text, encoding = decode_html(body, "text/html; charset=windows-1256")
    assert encoding == "windows-1256"
    assert ARABIC in text
    utf8 = page(ARABIC, '<meta charset="windows-1256">').encode("utf-8")
    assert decode_html(utf8, "text/html; charset=UTF-8") == (utf8.decode(), "utf-8")


def test_bom_beats_header_and_meta() -> None:
    body = codecs.BOM_UTF8 + page(ARABIC, '<meta charset="windows-1256">').encode("utf-8")
    text, encoding = decode_html(body, "text/html; charset=windows-1256")
    assert encoding == "utf-8"
    assert ARABIC in text
    assert not text.startswith("\ufeff")
    utf16 = codecs.BOM_UTF16_LE + page(FRENCH).encode("utf-16-le")
    text, encoding = decode_html(utf16, "text/html; charset=iso-8859-1")
    assert (encoding, FRENCH in text) == ("utf-16le", True)


@pytest.mark.parametrize(
    "head",
    [
        '<meta charset="windows-1256">',
        "<meta charset=cp1256>",
        '<meta http-equiv="Content-Type" content="text/html; charset=windows-1256">',
        "<META CONTENT='text/html; charset=Windows-1256' HTTP-EQUIV='content-type'>",
    ],
)
def test_meta_declarations(head: str) -> None:
    text, encoding = decode_html(page(ARABIC, head).encode("cp1256"))
    assert encoding == "windows-1256"
    assert ARABIC in text


def test_meta_only_read_in_first_4kb() -> None:
    late = "<!--" + "x" * 5000 + '--><meta charset="windows-1251">'
    body = page(ARABIC, late).encode("cp1256")
    # Had the late meta been read, the Arabic would have come out as Cyrillic.
    assert decode_html(body)[1] == "windows-1256"


def test_xml_declaration() -> None:
    body = f'<?xml version="1.0" encoding="windows-1256"?><rss><title>{ARABIC}</title></rss>'
    text, encoding = decode_html(body.encode("cp1256"), "application/rss+xml")
    assert (encoding, ARABIC in text) == ("windows-1256", True)


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("iso-8859-1", "cp1252"),
        ("ISO_8859-1", "cp1252"),
        ("latin-1", "cp1252"),
        ("us-ascii", "cp1252"),
        ("utf8", "utf-8"),
        ('"UTF-8"', "utf-8"),
        ("windows-1256", "cp1256"),
        ("x-no-such-charset", None),
        ("utf-7", None),
        ("", None),
        (None, None),
    ],
)
def test_label_aliases(label: str | None, expected: str | None) -> None:
    assert normalize_label(label) == expected


def test_latin1_label_decodes_as_windows_1252() -> None:
    body = page("l\x92\xe9t\xe9 \x80 5").encode("latin-1")  # 0x92 and 0x80 exist in 1252 only
    text, encoding = decode_html(body, "text/html; charset=ISO-8859-1")
    assert encoding == "windows-1252"
    assert "l’été € 5" in text


def test_unknown_label_is_ignored() -> None:
    text, encoding = decode_html(page(ARABIC).encode("cp1256"), "text/html; charset=x-bogus")
    assert (encoding, ARABIC in text) == ("windows-1256", True)


def test_meta_utf16_means_utf8() -> None:
    body = page(FRENCH, '<meta charset="utf-16">').encode("utf-8")
    assert decode_html(body) == (body.decode("utf-8"), "utf-8")


def test_wrong_declaration_gives_way() -> None:
    # A server-wide Latin-1 default on a UTF-8 page.
    utf8 = page(ARABIC).encode("utf-8")
    assert decode_html(utf8, "text/html; charset=iso-8859-1")[1] == "utf-8"
    # A Latin-1 header on a page whose meta says windows-1256.
    body = page(ARABIC, '<meta charset="windows-1256">').encode("cp1256")
    assert decode_html(body, "text/html; charset=iso-8859-1")[1] == "windows-1256"
    # A Latin-1 header, no meta, plainly Arabic bytes.
    assert decode_html(page(ARABIC).encode("cp1256"), "text/html; charset=latin1")[1] == (
        "windows-1256"
    )
    # A UTF-8 header that cannot decode the bytes.
    text, encoding = decode_html(page(ARABIC).encode("cp1256"), "text/html; charset=utf-8")
    assert (encoding, ARABIC in text) == ("windows-1256", True)


def test_real_latin1_page_keeps_its_header() -> None:
    body = page(FRENCH).encode("cp1252")
    assert decode_html(body, "text/html; charset=iso-8859-1") == (page(FRENCH), "windows-1252")


# -- detection ------------------------------------------------------------------------------


def test_detects_utf8_and_ascii() -> None:
    assert decode_html(page(ARABIC).encode("utf-8")) == (page(ARABIC), "utf-8")
    assert decode_html(b"<p>plain</p>") == ("<p>plain</p>", "utf-8")
    assert decode_html(b"") == ("", "utf-8")


def test_detects_western_european_single_byte() -> None:
    for sample in (FRENCH, "Ñandú — señor, ¿qué pasó?", "café"):
        assert decode_html(sample.encode("cp1252")) == (sample, "windows-1252")


def test_detects_other_scripts_via_charset_normalizer() -> None:
    pytest.importorskip("charset_normalizer")
    russian = "Привет, мир! Как дела сегодня в нашем городе? Погода прекрасная."
    assert decode_html(russian.encode("cp1251")) == (russian, "windows-1251")


def test_mostly_utf8_with_a_stray_byte() -> None:
    body = page(ARABIC * 3).encode("utf-8").replace(b"</p>", b"\xff</p>")
    text, encoding = decode_html(body)
    assert encoding == "utf-8"
    assert ARABIC in text


def test_mixed_arabic_and_markup_in_1256() -> None:
    html = page(ARABIC, "<style>body{font-family:Tahoma}</style>") + "<p>(ومع: 25 نونبر 2025)</p>"
    text, encoding = decode_html(html.encode("cp1256"))
    assert (encoding, "نونبر" in text) == ("windows-1256", True)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=600), st.sampled_from([None, "text/html", "text/html; charset=zz"]))
def test_never_raises(body: bytes, content_type: str | None) -> None:
    text, encoding = decode_html(body, content_type)
    assert isinstance(text, str)
    assert encoding


# -- headers and sniffing -------------------------------------------------------------------


def test_charset_from_content_type() -> None:
    assert charset_from_content_type('text/html; charset="windows-1256"') == "windows-1256"
    assert charset_from_content_type("text/html;charset=UTF-8") == "UTF-8"
    assert charset_from_content_type("text/html") is None
    assert charset_from_content_type(None) is None


@pytest.mark.parametrize(
    ("content_type", "start", "expected"),
    [
        ("text/html; charset=utf-8", b"", True),
        ("application/xhtml+xml", b"<?xml", True),
        (None, b"\n  <!DOCTYPE html><html>", True),
        (None, codecs.BOM_UTF8 + b"<html lang=ar>", True),
        ("application/octet-stream", b"<!-- x --><html>", True),
        (None, b"\x89PNG\r\n", False),
        (None, b'{"a": 1}', False),
        ("image/png", b"<html>", False),
        ("application/json", b"<html>", False),
        ("text/plain", b"<html>", False),
    ],
)
def test_looks_like_html(content_type: str | None, start: bytes, expected: bool) -> None:
    assert looks_like_html(content_type, start) is expected


@pytest.mark.parametrize(
    ("content_type", "start", "expected"),
    [
        ("text/html", b"", True),
        ("text/plain", b"", True),
        ("application/json", b"{}", True),
        ("application/rss+xml", b"<?xml", True),
        ("application/ld+json", b"{}", True),
        ("image/jpeg", b"\xff\xd8\xff", False),
        ("application/pdf", b"%PDF-", False),
        (None, b"\x89PNG\r\n\x1a\n", False),
        (None, b"GIF89a\x00\x00", False),
        (None, b"\x00\x01\x02", False),
        (None, b"<p>hi</p>", True),
    ],
)
def test_is_text_content(content_type: str | None, start: bytes, expected: bool) -> None:
    assert is_text_content(content_type, start) is expected
