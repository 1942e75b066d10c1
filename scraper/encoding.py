"""Turning fetched bytes into text: pure functions, no network.

:func:`decode_html` picks the encoding from the strongest evidence available:

1. a byte order mark (UTF-8, UTF-16 LE/BE);
2. the ``charset`` parameter of the HTTP ``Content-Type`` header;
3. ``<meta charset>`` / ``<meta http-equiv="Content-Type">`` or an XML declaration in the
   first 4 KB;
4. detection: strict UTF-8, then windows-1256 for Arabic-looking bytes, then
   ``charset_normalizer`` when it is installed, finally UTF-8 with replacement characters.

Labels are normalized the WHATWG way: ``iso-8859-1``, ``latin-1`` and ``us-ascii`` mean
windows-1252, ``utf8`` means UTF-8, a ``<meta>`` claiming UTF-16 means UTF-8, unknown labels
are ignored. Three pragmatic departures from a browser, all because an archive should never
store mojibake when the bytes say otherwise:

- a declared encoding that cannot decode the body strictly gives way to the next piece of
  evidence (it is used with replacement characters only when nothing else fits);
- a declared legacy single-byte charset (e.g. a server-wide ``ISO-8859-1`` default) gives way
  to UTF-8 when the body is valid UTF-8 and contains multi-byte sequences; real legacy text is
  practically never valid UTF-8;
- a ``Content-Type`` charset of ISO-8859-1/windows-1252 (the classic server default) gives way
  to a ``<meta>`` declaration, or to windows-1256 when the bytes are plainly Arabic.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator

__all__ = [
    "charset_from_content_type",
    "decode_html",
    "is_text_content",
    "looks_like_html",
    "normalize_label",
]

META_SCAN_BYTES = 4096
SAMPLE_BYTES = 65_536  # enough bytes to judge a page's script without scanning megabytes

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Labels that WHATWG maps onto another encoding than Python's codec of the same name.
_ALIASES: dict[str, str] = {
    "utf8": "utf-8",
    "unicode-1-1-utf-8": "utf-8",
    "x-unicode20utf8": "utf-8",
    "iso-8859-1": "windows-1252",
    "iso8859-1": "windows-1252",
    "iso_8859-1": "windows-1252",
    "iso88591": "windows-1252",
    "iso_8859-1:1987": "windows-1252",
    "latin1": "windows-1252",
    "latin-1": "windows-1252",
    "l1": "windows-1252",
    "cp819": "windows-1252",
    "ibm819": "windows-1252",
    "csisolatin1": "windows-1252",
    "iso-ir-100": "windows-1252",
    "us-ascii": "windows-1252",
    "ascii": "windows-1252",
    "ansi_x3.4-1968": "windows-1252",
    "x-cp1252": "windows-1252",
    "cp1256": "windows-1256",
    "x-cp1256": "windows-1256",
    "iso-8859-9": "windows-1254",
    "latin5": "windows-1254",
    "iso-8859-11": "windows-874",
    "tis-620": "windows-874",
    "gb2312": "gbk",
    "x-gbk": "gbk",
    "ks_c_5601-1987": "euc-kr",
    "x-sjis": "shift_jis",
}

# Python codec names -> the names we report (WHATWG spelling where one exists).
_REPORTED: dict[str, str] = {
    "utf-8": "utf-8",
    "utf-16-le": "utf-16le",
    "utf-16-be": "utf-16be",
    "cp1250": "windows-1250",
    "cp1251": "windows-1251",
    "cp1252": "windows-1252",
    "cp1253": "windows-1253",
    "cp1254": "windows-1254",
    "cp1255": "windows-1255",
    "cp1256": "windows-1256",
    "cp1257": "windows-1257",
    "cp1258": "windows-1258",
    "cp874": "windows-874",
    "iso8859-6": "iso-8859-6",
    "iso8859-15": "iso-8859-15",
    "iso8859-2": "iso-8859-2",
}

# Encodings that cannot be declared from inside the document (the parser would need the
# encoding to read the declaration) or that we refuse to honour.
_NOT_FROM_META = {"utf-16-le", "utf-16-be", "utf-16", "utf-32", "utf-32-le", "utf-32-be"}
_REFUSED = {"utf-7", "utf_7", "rot-13", "rot13", "base64", "hex", "zlib", "bz2", "quopri", "uu"}

_SINGLE_BYTE_PREFIXES = ("cp", "iso8859", "koi8", "mac", "latin", "windows")

_CHARSET_PARAM = re.compile(rb"charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:+-]+)", re.I)
_META_TAG = re.compile(rb"<meta\b[^>]*>", re.I)
_XML_DECL = re.compile(rb"^\s*<\?xml\b[^>]*\bencoding\s*=\s*[\"']([A-Za-z0-9_.:+-]+)[\"']", re.I)
_ATTRIBUTE = re.compile(rb"""([^\s=/>]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s>]+))?""")


def normalize_label(label: str | None) -> str | None:
    """Map a charset label to a Python codec name, or None when it is unknown or refused."""
    if not label:
        return None
    key = label.strip().strip("\"'").strip().lower()
    if not key:
        return None
    key = _ALIASES.get(key, key)
    if key in _REFUSED:
        return None
    try:
        name = codecs.lookup(key).name
    except LookupError:
        return None
    if name in _REFUSED:
        return None
    return name


def _reported(codec_name: str) -> str:
    return _REPORTED.get(codec_name, codec_name)


def charset_from_content_type(content_type: str | None) -> str | None:
    """The raw ``charset`` label of a Content-Type header value, if any."""
    if not content_type:
        return None
    match = _CHARSET_PARAM.search(content_type.encode("latin-1", "replace"))
    return match.group(1).decode("ascii", "replace") if match else None


def _meta_attributes(tag: bytes) -> dict[bytes, bytes]:
    attributes: dict[bytes, bytes] = {}
    for name, value in _ATTRIBUTE.findall(tag[len(b"<meta") :]):
        key = name.lower()
        if key not in attributes:
            attributes[key] = value.strip(b"\"'").strip()
    return attributes


def _meta_charset(head: bytes) -> str | None:
    """The label declared by an XML declaration or ``<meta>`` element in ``head``."""
    xml = _XML_DECL.match(head)
    if xml:
        return xml.group(1).decode("ascii", "replace")
    for tag_match in _META_TAG.finditer(head):
        attributes = _meta_attributes(tag_match.group(0))
        label = attributes.get(b"charset")
        if not label and attributes.get(b"http-equiv", b"").lower() == b"content-type":
            found = _CHARSET_PARAM.search(attributes.get(b"content", b""))
            label = found.group(1) if found else None
        if label:
            return label.decode("ascii", "replace")
    return None


def _decodes(body: bytes, codec_name: str) -> str | None:
    try:
        return body.decode(codec_name)
    except (UnicodeDecodeError, LookupError):
        return None


def _is_single_byte(codec_name: str) -> bool:
    return codec_name.startswith(_SINGLE_BYTE_PREFIXES)


def _has_non_ascii(body: bytes) -> bool:
    return not body.isascii()


def _isolated_share(sample: bytes) -> float:
    """Share of non-ASCII bytes that stand alone between ASCII bytes.

    Accented Latin letters mostly stand alone (``caf\xe9``, ``se\xf1or``); the letters of a
    single-byte Arabic or Cyrillic text come in runs, one byte per letter of a word.
    """
    high = 0
    isolated = 0
    last = len(sample) - 1
    for i, byte in enumerate(sample):
        if byte < 0x80:
            continue
        high += 1
        before = sample[i - 1] if i > 0 else 0
        after = sample[i + 1] if i < last else 0
        if before < 0x80 and after < 0x80:
            isolated += 1
    return isolated / high if high else 1.0


def _arabic_single_byte(body: bytes) -> bool:
    """True when the non-ASCII bytes read as Arabic words in windows-1256."""
    sample = body[:SAMPLE_BYTES]
    if sum(1 for b in sample if b >= 0x80) < 4 or _isolated_share(sample) > 0.3:
        return False
    letters = 0
    other = 0
    for ch in sample.decode("cp1256", "replace"):
        code = ord(ch)
        if code < 0x80 or ch.isspace():
            continue
        if 0x0621 <= code <= 0x064A or 0x0671 <= code <= 0x06D3:
            letters += 1
        elif not 0x064B <= code <= 0x0652 and code not in _ARABIC_MARKS:
            other += 1
    return letters >= 4 and letters >= 0.8 * (letters + other)


_ARABIC_MARKS = {0x060C, 0x061B, 0x061F, 0x0640, 0x200C, 0x200D, 0x200E, 0x200F, 0xAB, 0xBB}
_LATIN_PUNCTUATION = set("\u20ac\u2018\u2019\u201a\u201c\u201d\u201e\u2013\u2014\u2026")
_LATIN_PUNCTUATION |= set("\u00a0\u00ab\u00bb\u00b0\u00a7\u00b7\u00bf\u00a1\u0153\u0152")


def _latin_single_byte(body: bytes) -> bool:
    """True when the body reads as Western European text in windows-1252 (é, à, ñ, ç...)."""
    sample = body[:SAMPLE_BYTES]
    text = _decodes(sample, "cp1252")
    if text is None or _isolated_share(sample) < 0.5:
        return False
    letters = 0
    other = 0
    for ch in text:
        code = ord(ch)
        if code < 0x80:
            continue
        if 0xC0 <= code <= 0xFF and code not in (0xD7, 0xF7):
            letters += 1
        elif ch not in _LATIN_PUNCTUATION:
            other += 1
    return letters >= 1 and letters >= 2 * other


def _mostly_utf8(body: bytes) -> bool:
    """Valid UTF-8 apart from a handful of stray bytes (e.g. one corrupted character)."""
    text = body[:SAMPLE_BYTES].decode("utf-8", "replace")
    bad = text.count("\ufffd")
    non_ascii = sum(1 for ch in text if ord(ch) >= 0x80 and ch != "\ufffd")
    return non_ascii >= 20 and bad <= max(1, non_ascii // 100)


def _charset_normalizer_guess(body: bytes) -> str | None:
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - depends on the environment
        return None
    best = from_bytes(body[:262_144]).best()
    if best is None or not best.encoding:
        return None
    return normalize_label(best.encoding)


def _declared(body: bytes, content_type: str | None) -> Iterator[str]:
    """Codec names declared for ``body``, strongest first."""
    header = normalize_label(charset_from_content_type(content_type))
    meta = normalize_label(_meta_charset(body[:META_SCAN_BYTES]))
    if meta in _NOT_FROM_META:
        meta = "utf-8"
    if header == "cp1252" and (meta or _arabic_single_byte(body)):
        # A Latin-1 header is often a server-wide default, not the page's own choice.
        header = None
        meta = meta or "cp1256"
    if header:
        yield header
    if meta:
        yield meta


def decode_html(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Decode an HTML (or XML, JSON, text) body; return ``(text, encoding name used)``.

    ``content_type`` is the HTTP ``Content-Type`` header value, if any. The BOM, when present,
    is removed from the text. Never raises on bad bytes.
    """
    for bom, codec_name in _BOMS:
        if body.startswith(bom):
            text = body[len(bom) :].decode(codec_name, "replace")
            return text, _reported(codec_name)

    declared = list(dict.fromkeys(_declared(body, content_type)))
    for codec_name in declared:
        decoded = _decodes(body, codec_name)
        if decoded is None:
            continue
        if _is_single_byte(codec_name) and _has_non_ascii(body):
            utf8 = _decodes(body, "utf-8")
            if utf8 is not None:
                return utf8, "utf-8"
        return decoded, _reported(codec_name)

    utf8 = _decodes(body, "utf-8")
    if utf8 is not None:
        return utf8, "utf-8"
    if _arabic_single_byte(body):
        return body.decode("cp1256", "replace"), "windows-1256"
    if _mostly_utf8(body):
        return body.decode("utf-8", "replace"), "utf-8"
    if _latin_single_byte(body):
        return body.decode("cp1252"), "windows-1252"
    guess = _charset_normalizer_guess(body)
    if guess:
        guessed = _decodes(body, guess)
        if guessed is not None:
            return guessed, _reported(guess)
    if declared:
        return body.decode(declared[0], "replace"), _reported(declared[0])
    return body.decode("utf-8", "replace"), "utf-8"


_HTML_TYPES = ("text/html", "application/xhtml+xml")
_TEXT_TYPES = (
    "application/json",
    "application/ld+json",
    "application/xml",
    "application/javascript",
    "application/x-javascript",
    "application/ecmascript",
    "application/x-www-form-urlencoded",
)
_GENERIC_TYPES = ("", "application/octet-stream", "binary/octet-stream", "application/unknown")
_HTML_MARKERS = (b"<!doctype html", b"<html", b"<head", b"<body", b"<script", b"<iframe")
_BINARY_MAGIC = (
    b"\x89PNG",
    b"GIF87a",
    b"GIF89a",
    b"\xff\xd8\xff",
    b"%PDF-",
    b"PK\x03\x04",
    b"\x1f\x8b",
    b"RIFF",
    b"ID3",
    b"OggS",
    b"\x1aE\xdf\xa3",
    b"wOFF",
    b"wOF2",
)


def _mime(content_type: str | None) -> str:
    if not content_type:
        return ""
    return content_type.split(";", 1)[0].strip().lower()


def _strip_start(body_start: bytes) -> bytes:
    for bom, _ in _BOMS:
        if body_start.startswith(bom):
            body_start = body_start[len(bom) :]
            break
    return body_start[:1024].lstrip().lower()


def looks_like_html(content_type: str | None, body_start: bytes) -> bool:
    """Whether a response is an HTML page.

    A declared HTML type is trusted; a declared non-HTML type is trusted too (no sniffing of
    ``text/plain``, as browsers do); a missing or generic type (``application/octet-stream``)
    is sniffed from the first bytes.
    """
    mime = _mime(content_type)
    if mime in _HTML_TYPES:
        return True
    if mime not in _GENERIC_TYPES:
        return False
    start = _strip_start(body_start)
    while start.startswith(b"<!--"):
        end = start.find(b"-->")
        if end < 0:
            return False
        start = start[end + 3 :].lstrip()
    return start.startswith(_HTML_MARKERS)


def is_text_content(content_type: str | None, body_start: bytes) -> bool:
    """Whether a body is text worth decoding (HTML, XML, JSON, feeds, plain text...)."""
    mime = _mime(content_type)
    if mime.startswith("text/") or mime in _HTML_TYPES or mime in _TEXT_TYPES:
        return True
    if mime.endswith(("+xml", "+json", "/xml", "/json")):
        return True
    if mime not in _GENERIC_TYPES:
        return False
    head = body_start[:1024]
    if head.startswith(_BINARY_MAGIC):
        return False
    if any(head.startswith(bom) for bom, _ in _BOMS):
        return True
    return b"\x00" not in head
