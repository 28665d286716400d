"""The one spider: crawls each clinic's own site, best pages first, within its page budget."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

import scrapy
from scrapy.exceptions import (
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    ResponseDataLossError,
)
from scrapy.http import Response, TextResponse
from scrapy.utils.sitemap import Sitemap
from twisted.python.failure import Failure

from clinicscout.seeds import Seed, read_seeds
from crawler.args import decode_arg
from crawler.extract import extract
from crawler.frontier import SiteFrontier, link_priority
from crawler.items import PageItem, SiteItem
from crawler.scope import origin

_START_PRIORITY = 1000
_MAX_CHILD_SITEMAPS = 3


class ClinicSpider(scrapy.Spider):
    """``scrapy crawl clinic -a url=https://clinic.example`` (or ``-a seeds=clinics.csv``)."""

    name = "clinic"

    def __init__(
        self,
        url: str | None = None,
        seeds: str | None = None,
        sites: list[Seed] | str | None = None,
        known_pages: dict[str, dict[str, dict[str, Any]]] | str | None = None,
        **kwargs: Any,
    ) -> None:
        """``sites`` and ``known_pages`` come from the runner, or encoded from a Scrapyd job.

        ``known_pages`` maps a clinic website to its stored pages (URL → ETag, Last-Modified and
        links): those pages are requested conditionally, and one that has not changed (304)
        offers its stored links, so a recrawl follows the same paths as a crawl from scratch.
        """
        super().__init__(**kwargs)
        if isinstance(sites, str):
            sites = [Seed.from_record(site) for site in decode_arg(sites)]
        if isinstance(known_pages, str):
            known_pages = decode_arg(known_pages)
        self.known_pages = known_pages or {}
        self.known: dict[str, dict[str, Any]] = {}  # page URL → stored page; read by the middleware
        self.seeds: list[Seed] = list(sites or [])
        if url:
            self.seeds.extend(Seed.from_url(u) for u in url.split(","))
        if seeds:
            loaded, errors = read_seeds(seeds)
            for error in errors:
                self.logger.warning("seed file %s: %s", seeds, error)
            self.seeds.extend(loaded)
        self.frontiers: dict[str, SiteFrontier] = {}
        self.site_items: dict[str, SiteItem] = {}

    async def start(self) -> AsyncIterator[Any]:
        budget = self.settings.getint("CLINICSCOUT_PAGE_BUDGET")
        # Requests queued behind a site's download delay still take one of the global request
        # slots, so a site holds no more requests than it may download at once.
        per_site = self.settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN")
        for seed in self.seeds:
            site = origin(seed.website)
            if site in self.frontiers:
                continue
            frontier = SiteFrontier(site, budget, max_in_flight=per_site)
            self.frontiers[site] = frontier
            self.site_items[site] = SiteItem(site=site, start_url=seed.website, seed=dict(seed.details))
            frontier.offer(seed.website, _START_PRIORITY)
            self.known.update(self.known_pages.get(seed.website, {}))
            if frontier.claim(f"{site}/sitemap.xml"):
                yield self._request(f"{site}/sitemap.xml", site, self.parse_sitemap, 0, sitemap=True)
            for request in self._advance(site):
                yield request

    def _request(self, url: str, site: str, callback: Any, priority: int, **meta: Any) -> scrapy.Request:
        return scrapy.Request(
            url,
            callback=callback,
            errback=self.on_error,
            priority=priority,
            dont_filter=True,  # the site frontier de-duplicates, and forgets when the site is done
            meta={"site": site, "download_slot": site, **meta},
        )

    def _advance(self, site: str) -> Iterator[Any]:
        """Requests the next pages of a site, or reports the site complete."""
        frontier = self.frontiers[site]
        for url, priority, depth in frontier.next_urls():
            yield self._request(url, site, self.parse, priority, depth=depth)
        if frontier.exhausted:
            item = self.site_items.pop(site)
            item.pages_skipped = frontier.skipped
            if frontier.trap_skipped:
                self.crawler.stats.inc_value("clinicscout/trap_urls_skipped", frontier.trap_skipped)
                self.logger.info("%s: %d URLs skipped as link traps (one URL pattern, many URLs)",
                                 site, frontier.trap_skipped)
            del self.frontiers[site]
            self.crawler.stats.inc_value("clinicscout/sites_completed")
            yield item

    def parse(self, response: Response) -> Iterator[Any]:
        site = response.meta["site"]
        frontier = self.frontiers[site]
        frontier.finished_one(fetched_page=True)
        depth = response.meta.get("depth", 0)
        redirected_to_known = response.url != response.request.url and not frontier.mark_seen(response.url)
        if redirected_to_known:
            self.crawler.stats.inc_value("clinicscout/duplicate_after_redirect")
        elif response.status == 304:
            self.crawler.stats.inc_value("clinicscout/pages_unchanged")
            for link, anchor_text in self.known.get(response.url, {}).get("links", []):
                frontier.offer(link, link_priority(link, anchor_text, depth + 1), depth + 1)
            yield PageItem(
                site=site, url=response.url, status=304, title="", text="", structured=[],
                tel_links=[], fetched_at=_now(), unchanged=True, **_validators(response),
            )
        elif not isinstance(response, TextResponse):
            self.crawler.stats.inc_value("clinicscout/not_text")
        else:
            content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
            try:
                page = extract(response.body, response.url, content_type)
            except Exception as error:  # one unreadable page must not cost the site its others
                yield from self._page_failed(response, f"{response.url}: could not read the page ({error!r})")
                return
            if page.structured_errors:
                self.crawler.stats.inc_value("clinicscout/malformed_structured_data", page.structured_errors)
            if not page.text:
                self.crawler.stats.inc_value("clinicscout/empty_pages")
            for link, anchor_text in page.links:
                frontier.offer(link, link_priority(link, anchor_text, depth + 1), depth + 1)
            self.crawler.stats.inc_value("clinicscout/pages")
            yield PageItem(
                site=site,
                url=response.url,
                status=response.status,
                title=page.title,
                text=page.text,
                structured=page.structured,
                tel_links=page.tel_links,
                fetched_at=_now(),
                links=[list(link) for link in page.links],
                **_validators(response),
            )
        yield from self._advance(site)

    def parse_sitemap(self, response: Response) -> Iterator[Any]:
        site = response.meta["site"]
        frontier = self.frontiers[site]
        frontier.finished_one(fetched_page=False)
        try:
            sitemap = Sitemap(response.body)
        except Exception:  # not XML, or XML that lxml rejects: a site without a usable sitemap
            sitemap = None
        if sitemap is not None:
            child_sitemaps = 0
            for entry in sitemap:
                # Relative locations break the sitemap protocol but occur; resolve them anyway.
                location = urljoin(response.url, entry.get("loc", "").strip())
                if sitemap.type == "sitemapindex":
                    if child_sitemaps < _MAX_CHILD_SITEMAPS and frontier.claim(location):
                        child_sitemaps += 1
                        yield self._request(location, site, self.parse_sitemap, 0, sitemap=True)
                else:
                    frontier.offer(location, link_priority(location, "", 1), 1)
        yield from self._advance(site)

    def _page_failed(self, response: Response, reason: str) -> Iterator[Any]:
        site = response.meta["site"]
        self.site_items[site].errors.append(reason)
        self.crawler.stats.inc_value("clinicscout/unreadable_pages")
        self.logger.warning("%s", reason)
        yield from self._advance(site)

    def on_error(self, failure: Failure) -> Iterator[Any]:
        request = failure.request
        site = request.meta["site"]
        frontier = self.frontiers.get(site)
        if frontier is None:
            return
        frontier.finished_one(fetched_page=False)
        if not request.meta.get("sitemap"):
            reason = _describe(failure)
            self.site_items[site].errors.append(reason)
            if _may_pass(failure):
                self.site_items[site].failed_urls.append(request.url)
            self.crawler.stats.inc_value("clinicscout/page_errors")
            self.logger.info("%s", reason)
        yield from self._advance(site)


# Download failures whose own message is empty or a Twisted repr, in words an operator can act on.
_FAILURE_REASONS: tuple[tuple[type[BaseException], str], ...] = (
    (DownloadCancelledError, "the page is larger than the download size cap (DOWNLOAD_MAXSIZE)"),
    (ResponseDataLossError, "the connection closed before the whole page arrived"),
    (DownloadConnectionRefusedError, "the server refused the connection"),
    (DownloadFailedError, "the connection was lost (reset or closed by the server)"),
)


def _describe(failure: Failure) -> str:
    error = failure.value
    url = failure.request.url
    response = getattr(error, "response", None)
    if response is not None:
        location = response.headers.get(b"Location")
        if 300 <= response.status < 400 and location:
            # Scrapy follows redirects to http(s) only: file:, data: and ftp: end here.
            return f"{response.url}: HTTP {response.status} redirect to {location.decode('latin-1')} not followed"
        return f"{response.url}: HTTP {response.status}"
    message = str(error)
    if not message or message.startswith("[<"):
        message = next((reason for kind, reason in _FAILURE_REASONS if isinstance(error, kind)),
                       message or type(error).__name__)
    return message if url in message else f"{url}: {message}"


def _may_pass(failure: Failure) -> bool:
    """A timeout, refused connection or server error may pass; a 404 or 410 says the page is gone."""
    response = getattr(failure.value, "response", None)
    return response is None or response.status not in (404, 410)


def _validators(response: Response) -> dict[str, str | None]:
    headers = response.headers
    return {
        "etag": (headers.get(b"ETag") or b"").decode("latin-1") or None,
        "last_modified": (headers.get(b"Last-Modified") or b"").decode("latin-1") or None,
    }


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
