"""Bytes → text for HTML pages: BOM, explicit encoding, ``<meta charset>``, detection.

When the declared charset is wrong (UTF-8 declared, cp1252 bytes), the bytes win;
beautifulsoup4's ``UnicodeDammit`` does the detection and the mixed-encoding repair.
"""

from __future__ import annotations

import codecs
import re

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# <meta charset=x>, <meta http-equiv=Content-Type content="text/html; charset=x">
# and <?xml encoding=x?>: all three only need the "charset=" / "encoding=" key.
_DECLARED = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-z0-9_:.\-]+)|<\?xml[^>]+encoding\s*=\s*["']([a-z0-9_.\-]+)""",
    re.IGNORECASE,
)
_SNIFF_BYTES = 8192
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]")
# WHATWG encoding labels: browsers decode these as windows-1252, so must we.
_ALIASES = {
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "ascii": "cp1252",
    "us-ascii": "cp1252",
    "iso8859-1": "cp1252",
}


def normalize_encoding(name: str | None) -> str | None:
    """A Python codec name for a declared charset, or None when unknown."""
    if not name:
        return None
    label = name.strip().lower()
    label = _ALIASES.get(label, label)
    try:
        codec = codecs.lookup(label).name
    except LookupError:
        return None
    # An ASCII-compatible page can't really be UTF-16: its <meta> was readable as bytes.
    return "utf-8" if codec.startswith(("utf-16", "utf-32")) else codec


def sniff_encoding(data: bytes) -> str | None:
    """The charset declared in the first few KB of ``data``, if any."""
    match = _DECLARED.search(data[:_SNIFF_BYTES])
    if not match:
        return None
    return normalize_encoding((match.group(1) or match.group(2)).decode("ascii", "replace"))


def decode_html(data: str | bytes, encoding: str | None = None) -> str:
    """Decode page bytes; never raises on bad bytes (undecodable ones become U+FFFD)."""
    if isinstance(data, str):
        return data
    for bom, bom_codec in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(bom_codec, errors="replace")
    codec = (normalize_encoding(encoding) if encoding else None) or sniff_encoding(data)
    if codec is None:
        # Nothing declared: beautifulsoup4's UnicodeDammit tries UTF-8, then windows-1252.
        from bs4.dammit import UnicodeDammit  # here: bs4 (and soupsieve) cost a crawl's start-up

        dammit = UnicodeDammit(data, ["utf-8", "windows-1252"], is_html=True)
        return dammit.unicode_markup or data.decode("utf-8", errors="replace")
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        return _misdeclared(data, codec)


def _misdeclared(data: bytes, codec: str) -> str:
    """Bytes that are not what the page declares (a CMS pasting cp1252 into UTF-8)."""
    if codec == "utf-8":
        if not _UTF8_MULTIBYTE.search(data):
            return data.decode("cp1252", errors="replace")  # no UTF-8 in it at all
        # Mostly UTF-8 with windows-1252 bytes mixed in: bs4 converts those.
        from bs4.dammit import UnicodeDammit

        return UnicodeDammit.detwingle(data).decode("utf-8", errors="replace")
    return data.decode(codec, errors="replace")
