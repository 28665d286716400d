"""Runs the clinic spider in this process: the one place the command line starts Scrapy."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from scrapy import signals
from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from clinicscout.seeds import Seed
from crawler.items import SiteItem
from crawler.pipelines import crawl_counts, crawl_status
from crawler.spiders.clinic import ClinicSpider


@dataclass
class CrawlSummary:
    sites: int = 0
    sites_failed: int = 0
    pages: int = 0
    pages_unchanged: int = 0
    errors: int = 0
    seconds: float = 0.0
    stats: dict[str, Any] = field(default_factory=dict)
    site_items: list[SiteItem] = field(default_factory=list)

    @property
    def status(self) -> str:
        return crawl_status(self.stats)

    @property
    def counts(self) -> dict[str, Any]:
        """The crawls table's columns for this crawl."""
        return crawl_counts(self.stats)


def crawl_settings(
    *,
    db_path: str | None = None,
    max_pages: int | None = None,
    delay: float | None = None,
    allow_private: bool = False,
    log_level: str = "WARNING",
    crawl_id: int | None = None,
    inactive_after: int | None = None,
) -> Settings:
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    overrides: dict[str, Any] = {
        "CLINICSCOUT_DB": db_path,
        "CLINICSCOUT_CRAWL_ID": crawl_id,
        "LOG_LEVEL": log_level,
        **politeness_overrides(max_pages=max_pages, delay=delay, allow_private=allow_private),
    }
    if inactive_after is not None:
        overrides["CLINICSCOUT_INACTIVE_AFTER"] = inactive_after
    settings.setdict(overrides, priority="cmdline")
    return settings


def politeness_overrides(
    *, max_pages: int | None, delay: float | None, allow_private: bool
) -> dict[str, Any]:
    """The settings the crawl options change, wherever the crawl runs (here or on Scrapyd)."""
    overrides: dict[str, Any] = {"CLINICSCOUT_ALLOW_PRIVATE": allow_private}
    if max_pages is not None:
        overrides["CLINICSCOUT_PAGE_BUDGET"] = max_pages
    if delay is not None:
        overrides["DOWNLOAD_DELAY"] = delay
        if delay == 0:
            # Full speed for local sites: no throttling, and a few requests per site at once.
            overrides.update(AUTOTHROTTLE_ENABLED=False, DOWNLOAD_DELAY_JITTER=0,
                             CONCURRENT_REQUESTS_PER_DOMAIN=2)
    return overrides


def run_crawl(
    seeds: list[Seed],
    settings: Settings,
    on_site: Callable[[SiteItem, CrawlSummary], None] | None = None,
    keep_items: bool = False,
    known_pages: dict[str, dict[str, dict[str, Any]]] | None = None,
) -> CrawlSummary:
    """Crawl the seeds' sites to completion; ``on_site(item, summary)`` reports progress.

    ``known_pages`` (``Storage.known_pages()``) makes the crawl incremental: stored pages are
    requested conditionally.
    """
    summary = CrawlSummary()
    started = time.monotonic()

    def site_scraped(item: Any) -> None:
        if not isinstance(item, SiteItem):
            return
        summary.sites += 1
        summary.pages += len(item.pages)
        summary.pages_unchanged += sum(1 for page in item.pages if page.unchanged)
        summary.errors += len(item.errors)
        if not item.pages:
            summary.sites_failed += 1
        if keep_items:
            summary.site_items.append(item)
        if on_site:
            on_site(item, summary)

    process = CrawlerProcess(settings)
    crawler = process.create_crawler(ClinicSpider)
    crawler.signals.connect(site_scraped, signal=signals.item_scraped)
    process.crawl(crawler, sites=seeds, known_pages=known_pages or {})
    process.start()
    summary.seconds = time.monotonic() - started
    summary.stats = dict(crawler.stats.get_stats()) if crawler.stats else {}
    return summary
