"""What the spider hands to the pipelines."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class PageItem:
    """One fetched HTML page of a clinic site, as extracted."""

    site: str
    url: str
    status: int
    title: str
    text: str
    structured: list[dict[str, Any]]
    tel_links: list[str]
    fetched_at: str


@dataclass
class SiteItem:
    """A clinic site whose crawl is complete; the pipelines fill in pages and assessment."""

    site: str
    start_url: str
    seed: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    pages_skipped: int = 0
    pages: list[PageItem] = field(default_factory=list)
    assessment: Any = None  # scoring.Assessment, set by the scoring pipeline
