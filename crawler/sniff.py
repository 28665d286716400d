"""What a response body really is, whatever its Content-Type says.

Servers mislabel: PDFs and images go out as ``text/html``, pages as ``application/octet-stream``.
The bytes decide: a body that is binary is never read as a page, and a body that is plainly an
HTML document is read even under a wrong label.
"""

from __future__ import annotations

import re

# File signatures of the formats clinic sites serve most under a wrong label.
_SIGNATURES = {
    b"%PDF-": "PDF", b"\x89PNG\r\n\x1a\n": "PNG image", b"GIF87a": "GIF image", b"GIF89a": "GIF image",
    b"\xff\xd8\xff": "JPEG image", b"RIFF": "RIFF media (WebP, WAV, AVI)", b"PK\x03\x04": "ZIP archive (or Office file)",
    b"\x1f\x8b": "gzip data", b"\xd0\xcf\x11\xe0": "Office document", b"OggS": "Ogg media", b"ID3": "MP3 audio",
    b"wOFF": "web font", b"wOF2": "web font", b"\x00\x00\x01\x00": "icon",
}
_UTF16_32_BOMS = (b"\xff\xfe", b"\xfe\xff")
# Control bytes that never appear in text (tab, newlines, form feed and escape excepted).
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f]")
_HTML_START = re.compile(rb"^(?:\xef\xbb\xbf)?\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html[\s>]|head[\s>])",
                         re.IGNORECASE | re.DOTALL)
_SAMPLE = 1024


def binary_kind(body: bytes) -> str | None:
    """A name for the binary format of ``body`` ("PDF", "binary data"…), or None if it is text."""
    for signature, kind in _SIGNATURES.items():
        if body.startswith(signature):
            return kind
    sample = body[:_SAMPLE]
    if sample.startswith(_UTF16_32_BOMS) or _looks_utf16(sample):
        return None
    if len(_CONTROL.findall(sample)) > len(sample) // 20:
        return "binary data"
    return None


def _looks_utf16(sample: bytes) -> bool:
    """UTF-16 without a byte order mark: ASCII markup with every other byte zero."""
    if len(sample) < 16:
        return False
    even, odd = sample[0::2], sample[1::2]
    return even.count(0) > len(even) * 0.9 or odd.count(0) > len(odd) * 0.9


def looks_like_html(body: bytes) -> bool:
    """True for a body that starts as an HTML document does (doctype, <html> or <head>)."""
    return bool(_HTML_START.match(body[:_SAMPLE]))
