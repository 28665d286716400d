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
from crawler.spiders.clinic import ClinicSpider


@dataclass
class CrawlSummary:
    sites: int = 0
    sites_failed: int = 0
    pages: int = 0
    errors: int = 0
    seconds: float = 0.0
    stats: dict[str, Any] = field(default_factory=dict)
    site_items: list[SiteItem] = field(default_factory=list)


def crawl_settings(
    *,
    db_path: str | None = None,
    max_pages: int | None = None,
    delay: float | None = None,
    allow_private: bool = False,
    log_level: str = "WARNING",
) -> Settings:
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    overrides: dict[str, Any] = {
        "CLINICSCOUT_DB": db_path,
        "CLINICSCOUT_ALLOW_PRIVATE": allow_private,
        "LOG_LEVEL": log_level,
    }
    if max_pages is not None:
        overrides["CLINICSCOUT_PAGE_BUDGET"] = max_pages
    if delay is not None:
        overrides["DOWNLOAD_DELAY"] = delay
        if delay == 0:
            # Full speed for local sites: no throttling, and a few requests per site at once.
            overrides.update(AUTOTHROTTLE_ENABLED=False, DOWNLOAD_DELAY_JITTER=0,
                             CONCURRENT_REQUESTS_PER_DOMAIN=2)
    settings.setdict(overrides, priority="cmdline")
    return settings


def run_crawl(
    seeds: list[Seed],
    settings: Settings,
    on_site: Callable[[SiteItem, int, int], None] | None = None,
    keep_items: bool = False,
) -> CrawlSummary:
    """Crawl the seeds' sites to completion; ``on_site(item, done, total)`` reports progress."""
    summary = CrawlSummary()
    total = len({seed.website for seed in seeds})
    started = time.monotonic()

    def site_scraped(item: Any) -> None:
        if not isinstance(item, SiteItem):
            return
        summary.sites += 1
        summary.pages += len(item.pages)
        summary.errors += len(item.errors)
        if not item.pages:
            summary.sites_failed += 1
        if keep_items:
            summary.site_items.append(item)
        if on_site:
            on_site(item, summary.sites, total)

    process = CrawlerProcess(settings)
    crawler = process.create_crawler(ClinicSpider)
    crawler.signals.connect(site_scraped, signal=signals.item_scraped)
    process.crawl(crawler, sites=seeds)
    process.start()
    summary.seconds = time.monotonic() - started
    summary.stats = dict(crawler.stats.get_stats()) if crawler.stats else {}
    return summary
