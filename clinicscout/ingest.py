"""The one path from a crawled site to the database, for local crawls and Scrapyd feeds alike.

A crawled site arrives as a dict shaped like ``crawler.items.SiteItem`` (a line of a JSON-lines
feed, or a SiteItem from the local pipelines): its start URL, seed details, errors and pages.
Pages that answered 304, or failed in a way that may pass, keep their stored copy. A site whose
pages are all as stored keeps its verdicts: only sites whose pages changed are rescored, and
scoring is pure, so a feed scored here gives the same verdicts as a crawl scored in the spider.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clinicscout.storage import Storage
from scoring import Assessment, Page, assess

RESCORED, UNCHANGED, FAILED = "rescored", "unchanged", "failed"
_CONTENT = ("title", "text", "structured", "tel_links", "links")


class FeedError(ValueError):
    """A feed line that is not a crawled site."""


@dataclass
class IngestSummary:
    sites: int = 0
    outcomes: dict[str, int] = field(default_factory=lambda: {RESCORED: 0, UNCHANGED: 0, FAILED: 0})
    pages_fetched: int = 0
    pages_unchanged: int = 0
    errors: int = 0

    def counts(self) -> dict[str, int]:
        """The crawls table's columns for what was ingested."""
        return {
            "sites_rescored": self.outcomes[RESCORED], "sites_unchanged": self.outcomes[UNCHANGED],
            "sites_failed": self.outcomes[FAILED], "pages_fetched": self.pages_fetched,
            "pages_unchanged": self.pages_unchanged, "pages_failed": self.errors,
            "errors": self.errors,
        }

    def add(self, site: dict[str, Any], outcome: str) -> None:
        self.sites += 1
        self.outcomes[outcome] += 1
        pages = site.get("pages", [])
        self.pages_unchanged += sum(1 for p in pages if p.get("unchanged"))
        self.pages_fetched += sum(1 for p in pages if not p.get("unchanged"))
        self.errors += len(site.get("errors", []))


def record_site(
    storage: Storage,
    site: dict[str, Any],
    *,
    crawl_id: int | None,
    inactive_after: int,
    assessment: Assessment | None = None,
) -> str:
    """Store one crawled site in one transaction; RESCORED, UNCHANGED or FAILED.

    ``assessment`` may be given when the pages were scored already (all of them fetched anew).
    """
    website = site["start_url"]
    seed = site.get("seed") or {}
    errors = list(site.get("errors") or [])
    fetched = [p for p in site.get("pages", []) if not p.get("unchanged")]
    if not site.get("pages"):
        storage.save_site(website=website, seed=seed, pages=[], assessment=None, errors=errors,
                          crawl_id=crawl_id, inactive_after=inactive_after)
        return FAILED
    stored = storage.stored_pages(website)
    kept = [p["url"] for p in site["pages"] if p.get("unchanged")] + list(site.get("failed_urls", []))
    pages = {p["url"]: p for p in fetched}
    for url in kept:
        if url in stored and url not in pages:
            pages[url] = stored[url]
        elif url not in stored and url not in site.get("failed_urls", []):
            errors.append(f"{url}: answered 304 but no stored copy")
    fresh = {url: _validators(p) for url, p in pages.items()}
    if set(pages) == set(stored) and all(_same(p, stored[p["url"]]) for p in fetched):
        storage.save_unchanged_site(website=website, seed=seed, validators=fresh, errors=errors,
                                    crawl_id=crawl_id)
        return UNCHANGED
    if assessment is None or len(pages) != len(fetched):
        assessment = assess(_scoring_page(p) for p in pages.values())
    storage.save_site(website=website, seed=seed, pages=list(pages.values()), assessment=assessment,
                      errors=errors, crawl_id=crawl_id, inactive_after=inactive_after)
    return RESCORED


def _same(page: dict[str, Any], stored: dict[str, Any]) -> bool:
    return all(page.get(key) == stored.get(key) for key in _CONTENT)


def _validators(page: dict[str, Any]) -> dict[str, str | None]:
    return {"etag": page.get("etag"), "last_modified": page.get("last_modified")}


def _scoring_page(page: dict[str, Any]) -> Page:
    return Page(page["url"], page.get("title") or "", page.get("text") or "",
                tuple(page.get("structured") or ()), tuple(page.get("tel_links") or ()))


def read_feed(path: str | Path) -> Iterator[dict[str, Any]]:
    """The crawled sites of a JSON-lines feed; FeedError names the file and line of a bad one."""
    with Path(path).open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                site = json.loads(line)
            except json.JSONDecodeError as error:
                raise FeedError(f"{path}, line {number}: not JSON ({error.msg})") from None
            if not isinstance(site, dict) or not isinstance(site.get("start_url"), str) \
                    or not isinstance(site.get("pages", []), list):
                raise FeedError(f"{path}, line {number}: not a crawled site (no start_url)")
            yield site


def ingest_sites(
    storage: Storage, sites: Iterable[dict[str, Any]], *, crawl_id: int | None, inactive_after: int,
    summary: IngestSummary | None = None,
) -> IngestSummary:
    """Records each site, in its own transaction; loading the same sites again changes nothing."""
    summary = summary or IngestSummary()
    for site in sites:
        summary.add(site, record_site(storage, site, crawl_id=crawl_id, inactive_after=inactive_after))
    return summary
