"""Structured spider arguments through Scrapyd, whose ``-a name=value`` carries only strings.

JSON, compressed and base64url-encoded, so that a job's seeds and page validators stay one
short command-line argument (Linux caps a single argument at 128 KiB).
"""

from __future__ import annotations

import base64
import json
import zlib
from typing import Any

_PREFIX = "z:"


def encode_arg(value: Any) -> str:
    packed = zlib.compress(json.dumps(value, separators=(",", ":")).encode(), level=9)
    return _PREFIX + base64.urlsafe_b64encode(packed).decode("ascii")


def decode_arg(text: str) -> Any:
    """The value ``encode_arg`` encoded; ValueError if ``text`` is not such a value."""
    if not text.startswith(_PREFIX):
        raise ValueError("not an encoded clinicscout argument")
    try:
        return json.loads(zlib.decompress(base64.urlsafe_b64decode(text[len(_PREFIX):])))
    except (zlib.error, ValueError) as error:
        raise ValueError(f"corrupt encoded argument: {error}") from None
