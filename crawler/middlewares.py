"""Downloader middlewares: where a reader expects politeness, safety and scope to live."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from typing import Self
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response

from crawler.scope import same_site

_HTML_TYPES = (b"text/html", b"application/xhtml+xml")
_SITEMAP_TYPES = (b"xml", b"text/plain", b"gzip")


def non_public_address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address itself if ``host`` is an IP literal that is not globally routable."""
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return None if address.is_global and not address.is_multicast else address


class PrivateAddressGuard:
    """Refuses loopback, private, link-local, multicast and other non-public targets.

    Checked on the resolved addresses of every request, redirects included, so a public-looking
    name that points inside the network is refused too. ``CLINICSCOUT_ALLOW_PRIVATE`` (the
    ``--allow-private`` option) turns it off for local demo and test sites.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.allow_private = crawler.settings.getbool("CLINICSCOUT_ALLOW_PRIVATE")
        self._resolved: dict[str, list[str]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    async def process_request(self, request: Request) -> None:
        if self.allow_private:
            return
        host = urlsplit(request.url).hostname or ""
        for candidate in [host, *await self._resolve(host)]:
            address = non_public_address(candidate)
            if address is not None:
                self.crawler.stats.inc_value("clinicscout/refused_private_address")
                raise IgnoreRequest(
                    f"refused {request.url}: {host} is a non-public address ({address}); "
                    "pass --allow-private to crawl local sites"
                )

    async def _resolve(self, host: str) -> list[str]:
        if not host or non_public_address(host) is not None:
            return []
        try:
            ipaddress.ip_address(host.strip("[]"))
            return []
        except ValueError:
            pass
        if host not in self._resolved:
            loop = asyncio.get_running_loop()
            try:
                infos = await loop.getaddrinfo(host, None, type=socket.SOCK_STREAM)
            except OSError:
                infos = []  # the download will fail with Scrapy's own DNS error
            self._resolved[host] = sorted({info[4][0] for info in infos})
        return self._resolved[host]


class SiteScopeMiddleware:
    """Drops any request, redirects included, that would leave the clinic's site."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        site = request.meta.get("site")
        if site and not same_site(request.url, site):
            self.crawler.stats.inc_value("clinicscout/left_site")
            raise IgnoreRequest(f"not followed: {request.url} is outside {site}")


class HtmlOnlyMiddleware:
    """Pages must be HTML; sitemaps XML. Anything else is dropped before it is parsed."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        if "site" not in request.meta or response.status != 200:
            return response
        content_type = (response.headers.get(b"Content-Type") or b"").lower()
        accepted = _SITEMAP_TYPES if request.meta.get("sitemap") else _HTML_TYPES
        if content_type and not any(kind in content_type for kind in accepted):
            self.crawler.stats.inc_value("clinicscout/not_html")
            raise IgnoreRequest(f"skipped {response.url}: not HTML ({content_type.decode(errors='replace')})")
        return response
