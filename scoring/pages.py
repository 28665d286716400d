"""What the scorer reads: a page of a clinic's site, as the crawler extracted it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any
from urllib.parse import urlsplit

# An absolute URL in plain ASCII, without spaces or control characters (which urlsplit strips
# or removes) or brackets in its host (which it checks): its path is what urlsplit's would be,
# read without urlsplit's cost, a quarter of building a site's text for rescoring.
_PLAIN_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://[^/?#\[\]\x00-\x20]*(/[^?#\x00-\x20]*)?"
                        r"(?:[?#][^\x00-\x20]*)?")


@dataclass(frozen=True)
class Page:
    """One fetched page: its visible text (blocks separated by newlines) and structured data.

    ``structured`` holds schema.org items (JSON-LD and microdata, as plain dicts);
    ``tel_links`` the numbers of the page's ``tel:`` links.
    """

    url: str
    title: str = ""
    text: str = ""
    structured: tuple[dict[str, Any], ...] = field(default_factory=tuple)
    tel_links: tuple[str, ...] = field(default_factory=tuple)

    @cached_property  # read for every page by several rules of each rescoring
    def path(self) -> str:
        return url_path(self.url)


def url_path(url: str) -> str:
    """The URL's path, lowercased: ``urlsplit(url).path.lower()``."""
    plain = _PLAIN_URL.fullmatch(url) if url.isascii() else None
    return ((plain[1] or "") if plain else urlsplit(url).path).lower()
