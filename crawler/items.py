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
    etag: str | None = None
    last_modified: str | None = None
    # [url, anchor text] of the page's links: what a recrawl follows when the page is unchanged.
    links: list[list[str]] = field(default_factory=list)
    # 304 Not Modified: the stored copy is still current, so the page was not parsed again.
    unchanged: bool = False


@dataclass
class SiteItem:
    """A clinic site whose crawl is complete; the pipelines fill in pages and assessment."""

    site: str
    start_url: str
    seed: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    # Pages that failed for a reason that may pass (timeout, 5xx): their stored copy is kept.
    failed_urls: list[str] = field(default_factory=list)
    pages_skipped: int = 0
    pages: list[PageItem] = field(default_factory=list)
    assessment: Any = None  # scoring.Assessment, set by the scoring pipeline
