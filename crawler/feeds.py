"""The project's JSON-lines feed: one line per crawled site, what ``clinicscout ingest`` loads.

Scrapyd writes every job's items to a ``jsonlines`` feed; this exporter takes that format's
place so that the feed holds complete sites (start URL, seed, errors, pages) and nothing else:
no per-page lines (they are inside their site) and no assessment (scoring is pure, so ingest
redoes it from the pages).
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from scrapy.exporters import JsonLinesItemExporter

from crawler.items import SiteItem

SITE_FIELDS = [f.name for f in fields(SiteItem) if f.name != "assessment"]


class SiteLinesExporter(JsonLinesItemExporter):
    def __init__(self, file: Any, **kwargs: Any) -> None:
        kwargs["fields_to_export"] = SITE_FIELDS
        super().__init__(file, **kwargs)

    def export_item(self, item: Any) -> None:
        if isinstance(item, SiteItem):
            super().export_item(item)
