"""Item pipelines, one job each: collect a site's pages, score the site, store it."""

from __future__ import annotations

from contextlib import ExitStack
from typing import Any, Self

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.utils.defer import deferred_from_coro

from clinicscout.ingest import FAILED, RESCORED, UNCHANGED, record_site
from clinicscout.lock import CrawlLock
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
        # A site with unchanged (304) pages is scored where their stored text is: at the store.
        if isinstance(item, SiteItem) and item.pages and not any(p.unchanged for p in item.pages):
            item.assessment = assess(
                Page(p.url, p.title, p.text, tuple(p.structured), tuple(p.tel_links))
                for p in item.pages
            )
            self.stats.inc_value("clinicscout/sites_scored")
            if not item.assessment.offers_microneedling:
                self.stats.inc_value("clinicscout/sites_without_microneedling")
        return item


class StorePipeline:
    """Records each complete site in its own transaction, when a database is set.

    The command line opens the crawl (lock, row in ``crawls``) and passes its id; run as a plain
    ``scrapy crawl … -s CLINICSCOUT_DB=…``, the pipeline opens and closes the crawl itself.
    If the database cannot be written (disk full, read-only), the crawl stops: crawling on would
    only fetch sites that cannot be saved. The error is in the stats for the command to report.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.db_path = crawler.settings.get("CLINICSCOUT_DB")
        self.crawl_id = crawler.settings.getint("CLINICSCOUT_CRAWL_ID") or None
        self.inactive_after = crawler.settings.getint("CLINICSCOUT_INACTIVE_AFTER")
        self.storage: Storage | None = None
        self.failed = False
        self._own_crawl: ExitStack | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        pipeline = cls(crawler)
        # The reason a crawl ended is known only once the spider has closed.
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def open_spider(self) -> None:
        if not self.db_path:
            return
        if self.crawl_id is None:
            self._own_crawl = ExitStack()
            self._own_crawl.enter_context(CrawlLock(self.db_path))
        self.storage = Storage(self.db_path)
        if self.crawl_id is None:
            self.crawl_id = self.storage.begin_crawl("local", len(self.crawler.spider.seeds))

    def process_item(self, item: Any) -> Any:
        if self.storage is None or not isinstance(item, SiteItem):
            return item
        if self.failed:
            raise DropItem(f"not saved: the database failed earlier ({item.site})")
        site = {**vars(item), "pages": [vars(page) for page in item.pages]}
        try:
            outcome = record_site(self.storage, site, crawl_id=self.crawl_id,
                                  inactive_after=self.inactive_after, assessment=item.assessment)
        except StorageError as error:
            self._fail(error)
            raise DropItem(str(error)) from None
        self.stats.inc_value(f"clinicscout/sites_{outcome}")
        self.stats.inc_value("clinicscout/sites_stored")
        return item

    def _fail(self, error: StorageError) -> None:
        self.failed = True
        self.stats.set_value("clinicscout/storage_error", str(error))
        deferred_from_coro(self.crawler.engine.close_spider_async(reason="storage_error"))

    def spider_closed(self, reason: str) -> None:
        if self.storage is None:
            return
        try:
            if self._own_crawl is not None:
                stats = {**self.stats.get_stats(), "finish_reason": reason}
                self.storage.finish_crawl(self.crawl_id, crawl_status(stats), crawl_counts(stats))
        except StorageError as error:
            self.stats.set_value("clinicscout/storage_error", str(error))
        finally:
            self.storage.close()
            if self._own_crawl is not None:
                self._own_crawl.close()


def crawl_status(stats: dict[str, Any]) -> str:
    """'finished'; 'interrupted' when stopped (Ctrl-C, SIGTERM); 'failed' for any other end."""
    reason = stats.get("finish_reason", "finished")
    return {"finished": "finished", "shutdown": "interrupted"}.get(reason, "failed")


def crawl_counts(stats: dict[str, Any]) -> dict[str, Any]:
    """The crawls table's columns from Scrapy's stats, and a summary of those stats."""
    return {
        "sites_rescored": stats.get(f"clinicscout/sites_{RESCORED}", 0),
        "sites_unchanged": stats.get(f"clinicscout/sites_{UNCHANGED}", 0),
        "sites_failed": stats.get(f"clinicscout/sites_{FAILED}", 0),
        "pages_fetched": stats.get("clinicscout/pages", 0),
        "pages_unchanged": stats.get("clinicscout/pages_unchanged", 0),
        "pages_failed": stats.get("clinicscout/page_errors", 0),
        "errors": stats.get("clinicscout/page_errors", 0) + stats.get("log_count/ERROR", 0),
        "stats": {key: value for key, value in stats.items() if not key.startswith("log_count/DEBUG")},
    }
