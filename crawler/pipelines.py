"""Item pipelines, one job each: collect a site's pages, score the site, store it."""

from __future__ import annotations

from typing import Any, Self

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.utils.defer import deferred_from_coro

from clinicscout.storage import Storage, StorageError
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
    """Writes a complete site (clinic, pages, verdicts) in one transaction, when a database is set.

    If the database cannot be written (disk full, read-only), the crawl stops: crawling on would
    only fetch sites that cannot be saved. The error is in the stats for the command to report.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.db_path = crawler.settings.get("CLINICSCOUT_DB")
        self.storage: Storage | None = None
        self.failed = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def open_spider(self) -> None:
        if self.db_path:
            self.storage = Storage(self.db_path)

    def process_item(self, item: Any) -> Any:
        if self.storage is None or not isinstance(item, SiteItem):
            return item
        if self.failed:
            raise DropItem(f"not saved: the database failed earlier ({item.site})")
        try:
            self.storage.save_site(
                website=item.start_url,
                seed=item.seed,
                pages=[vars(page) for page in item.pages],
                assessment=item.assessment,
                errors=item.errors,
            )
        except StorageError as error:
            self._fail(error)
            raise DropItem(str(error)) from None
        self.stats.inc_value("clinicscout/sites_stored")
        return item

    def _fail(self, error: StorageError) -> None:
        self.failed = True
        self.stats.set_value("clinicscout/storage_error", str(error))
        deferred_from_coro(self.crawler.engine.close_spider_async(reason="storage_error"))

    def close_spider(self) -> None:
        if self.storage is None:
            return
        try:
            if not self.failed:
                self.storage.update_ranks()
        except StorageError as error:
            self.stats.set_value("clinicscout/storage_error", str(error))
        finally:
            self.storage.close()
