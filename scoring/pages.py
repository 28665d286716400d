"""What the scorer reads: a page of a clinic's site, as the crawler extracted it."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any
from urllib.parse import urlsplit


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
        return urlsplit(self.url).path.lower()
