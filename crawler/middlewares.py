"""Downloader middlewares: where a reader expects politeness, safety and scope to live."""

from __future__ import annotations

import asyncio
import socket
from typing import Self
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Response

from crawler.addresses import AddressPolicy
from crawler.scope import parse_address, same_site
from crawler.sniff import binary_kind, looks_like_html

_HTML_TYPES = (b"text/html", b"application/xhtml+xml")
_SITEMAP_TYPES = (b"xml", b"text/plain", b"gzip")


class _CrawlerMiddleware:
    """A middleware that needs the crawler (for stats and the spider)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)


class PrivateAddressGuard(_CrawlerMiddleware):
    """Refuses requests to loopback, private, link-local, multicast and other non-public targets.

    Checked on the resolved addresses of every request, redirects included, so a public-looking
    name that points inside the network is refused too. The policy lives in crawler/addresses.py;
    its resolver enforces it again at connection time.
    """

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.policy = AddressPolicy.from_settings(crawler.settings)
        self._refusals: dict[str, str | None] = {}  # host → why it is refused; decided once per host

    async def process_request(self, request: Request) -> None:
        if self.policy.allow_private:
            return
        host = urlsplit(request.url).hostname or ""
        if host not in self._refusals:
            self._refusals[host] = await self._refusal(host)
        refusal = self._refusals[host]
        if refusal:
            self.crawler.stats.inc_value("clinicscout/refused_private_address")
            raise IgnoreRequest(f"refused {request.url}: {refusal}")

    async def _refusal(self, host: str) -> str | None:
        """Why ``host`` is refused: the first of its addresses the policy refuses, or None."""
        literal = parse_address(host)
        candidates = [literal] if literal else [parse_address(a) for a in await self._resolve(host)]
        for address in candidates:
            refusal = self.policy.refusal(address) if address is not None else None
            if refusal:
                return refusal
        return None

    async def _resolve(self, host: str) -> list[str]:
        """Every address of ``host`` ("2130706433" and "0x7f.1" resolve like names do)."""
        if not host:
            return []
        loop = asyncio.get_running_loop()
        try:
            infos = await loop.getaddrinfo(host, None, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError):
            return []  # the download will fail with Scrapy's own DNS error
        return sorted({info[4][0] for info in infos})


class SiteScopeMiddleware(_CrawlerMiddleware):
    """Drops any request, redirects included, that would leave the clinic's site."""

    def process_request(self, request: Request) -> None:
        site = request.meta.get("site")
        if site and not same_site(request.url, site):
            self.crawler.stats.inc_value("clinicscout/left_site")
            raise IgnoreRequest(f"not followed: {request.url} is outside {site}")


class HtmlOnlyMiddleware(_CrawlerMiddleware):
    """Pages must be HTML; sitemaps XML. Anything else is dropped before it is parsed.

    The body is checked as well as the label (see crawler/sniff.py): a PDF or image served as
    text/html is dropped, an HTML document served as application/octet-stream is read.
    """

    def process_response(self, request: Request, response: Response) -> Response:
        if "site" not in request.meta or response.status != 200:
            return response
        content_type = (response.headers.get(b"Content-Type") or b"").lower()
        label = content_type.decode(errors="replace") or "no Content-Type"
        if request.meta.get("sitemap"):
            if content_type and not any(kind in content_type for kind in _SITEMAP_TYPES):
                self._skip(response, f"not a sitemap ({label})")
            return response
        binary = binary_kind(response.body)
        if binary:
            self._skip(response, f"not HTML ({binary} served as {label})")
        if content_type and not any(kind in content_type for kind in _HTML_TYPES):
            if not looks_like_html(response.body):
                self._skip(response, f"not HTML ({label})")
            self.crawler.stats.inc_value("clinicscout/html_under_wrong_type")
            return response.replace(cls=HtmlResponse)
        return response

    def _skip(self, response: Response, reason: str) -> None:
        self.crawler.stats.inc_value("clinicscout/not_html")
        raise IgnoreRequest(f"skipped {response.url}: {reason}")


class PoliteRobotsTxtMiddleware(RobotsTxtMiddleware):
    """Scrapy's robots.txt handling, with RFC 9309's rule for a robots.txt that errors.

    A robots.txt answering 5xx means the site is unreachable for crawlers: assume it disallows
    everything (RFC 9309, 2.3.1.4), rather than Scrapy's default of reading the error page as
    rules, which allows everything.
    """

    async def _parse_robots(self, response: Response, netloc: str, request: Request) -> None:
        if response.status >= 500:
            self._stats.inc_value("clinicscout/robots_txt_server_error")
            response = response.replace(body=b"User-agent: *\nDisallow: /\n")
        await super()._parse_robots(response, netloc, request)


class ConditionalRequestMiddleware(_CrawlerMiddleware):
    """Asks for a page stored by an earlier crawl only if it changed since (RFC 9110 §13.1).

    The spider holds the validators the runner read from storage; a 304 answer reaches the
    spider, which keeps the stored copy instead of parsing the page again.
    """

    def process_request(self, request: Request) -> None:
        validators = getattr(self.crawler.spider, "known", {}).get(request.url)
        if not validators or request.meta.get("sitemap"):
            return
        if validators.get("etag"):
            request.headers.setdefault(b"If-None-Match", validators["etag"])
        if validators.get("last_modified"):
            request.headers.setdefault(b"If-Modified-Since", validators["last_modified"])
        request.meta["handle_httpstatus_list"] = [*request.meta.get("handle_httpstatus_list", []), 304]
