"""The floor for crawling: a bare Scrapy spider that only fetches pages and follows same-origin links.

It runs with clinicscout's own settings (same concurrency, robots.txt, retries, one download
slot per site) minus clinicscout's code: no item pipelines, no project middlewares, no
extraction or scoring. So ``clinicscout crawl`` pages/s ÷ this pages/s is what our code costs.
Run as ``python -m bench.bare_spider URL…``; prints ``{"pages": …, "seconds": …}`` as JSON.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import scrapy
from scrapy.crawler import CrawlerProcess
from scrapy.http import Response, TextResponse
from scrapy.settings import Settings

from crawler.runner import crawl_settings
from crawler.scope import origin


class BareSpider(scrapy.Spider):
    name = "bare"

    def __init__(self, urls: list[str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.urls = urls

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url in self.urls:
            yield scrapy.Request(url, meta={"download_slot": origin(url)})

    def parse(self, response: Response) -> Iterator[scrapy.Request]:
        if not isinstance(response, TextResponse):
            return
        self.crawler.stats.inc_value("bare/pages")
        site = origin(response.url)
        for href in response.xpath("//a/@href").getall():
            url = response.urljoin(href)
            if origin(url) == site:
                yield scrapy.Request(url, meta={"download_slot": site})


def bare_settings() -> Settings:
    """clinicscout's full-speed local settings without clinicscout's components."""
    settings = crawl_settings(delay=0, allow_private=True)
    settings.set("ITEM_PIPELINES", {}, priority="cmdline")
    settings.set("DOWNLOADER_MIDDLEWARES",
                 {"scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None}, priority="cmdline")
    return settings


def main() -> None:
    urls = sys.argv[1:]
    started = time.monotonic()  # timed like crawler.runner.run_crawl: engine start to stop
    process = CrawlerProcess(bare_settings())
    crawler = process.create_crawler(BareSpider)
    process.crawl(crawler, urls=urls)
    process.start()
    seconds = time.monotonic() - started
    pages = crawler.stats.get_value("bare/pages", 0) if crawler.stats else 0
    print(json.dumps({"pages": pages, "seconds": seconds}))


if __name__ == "__main__":
    main()
