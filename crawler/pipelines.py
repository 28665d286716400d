"""Item pipelines, one job each: collect a site's pages, score the site, store it."""

from __future__ import annotations

from typing import Any, Self

from scrapy.crawler import Crawler

from clinicscout.storage import Storage
from crawler.items import PageItem, SiteItem
from scoring import Page, assess


class CollectPagesPipeline:
    """Holds each site's pages until the spider reports the site complete."""

    def __init__(self) -> None:
        self._pages: dict[str, list[PageItem]] = {}

    def process_item(self, item: Any) -> Any:
        if isinstance(item, PageItem):
            self._pages.setdefault(item.site, []).append(item)
        elif isinstance(item, SiteItem):
            item.pages = self._pages.pop(item.site, [])
        return item


class ScorePipeline:
    """Scores a complete site from its pages."""

    def __init__(self, crawler: Crawler) -> None:
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        if isinstance(item, SiteItem) and item.pages:
            item.assessment = assess(
                Page(p.url, p.title, p.text, tuple(p.structured), tuple(p.tel_links))
                for p in item.pages
            )
            self.stats.inc_value("clinicscout/sites_scored")
            if not item.assessment.offers_microneedling:
                self.stats.inc_value("clinicscout/sites_without_microneedling")
        return item


class StorePipeline:
    """Writes a complete site (clinic, pages, verdicts) in one transaction, when a database is set."""

    def __init__(self, crawler: Crawler) -> None:
        self.stats = crawler.stats
        self.db_path = crawler.settings.get("CLINICSCOUT_DB")
        self.storage: Storage | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def open_spider(self) -> None:
        if self.db_path:
            self.storage = Storage(self.db_path)

    def process_item(self, item: Any) -> Any:
        if self.storage is not None and isinstance(item, SiteItem):
            self.storage.save_site(
                website=item.start_url,
                seed=item.seed,
                pages=[vars(page) for page in item.pages],
                assessment=item.assessment,
                errors=item.errors,
            )
            self.stats.inc_value("clinicscout/sites_stored")
        return item

    def close_spider(self) -> None:
        if self.storage is not None:
            self.storage.update_ranks()
            self.storage.close()
