"""Per-site, best-first crawl frontier with a page budget.

A site's budget is spent on the pages that matter first: microneedling and treatment pages,
about/team, FAQ, aftercare, pricing, contact. Only as many requests per site are in flight as
the site may download at once, so that what a page reveals can still outrank what was found
earlier. When the frontier is empty and nothing is in flight, the site is complete.

Link traps (endless calendars, ``?page=N`` forever, one page under many query strings) would
spend the budget on one page's variants. Session ids and tracking parameters are removed before
a URL is seen, and a URL pattern (its path with numbers generalised; queries ignored) gets a
handful of URLs at most; the rest are counted as ``trap_skipped``.
"""

from __future__ import annotations

import heapq
import itertools
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from crawler.scope import canonical, same_site, without_session_ids

# Scored on the URL path and the link's anchor text; the best matching family wins.
_PRIORITIES: tuple[tuple[int, re.Pattern[str]], ...] = tuple(
    (weight, re.compile(pattern, re.IGNORECASE))
    for weight, pattern in (
        (100, r"micro[\s\-_]?needl|collagen[\s\-_]induction|derma[\s\-_]?pen|skin[\s\-_]?pen"
              r"|morpheus|vivace|potenza|rf[\s\-_]needl"),
        (60, r"after[\s\-_]?care|post[\s\-_]?(?:care|treatment)|pre[\s\-_]?care|pric|cost|fees"
             r"|rates|menu|packages|specials|membership"),
        (55, r"faq|questions"),
        (50, r"about|team|staff|provider|doctor|physician|our[\s\-_]?(?:story|practice)|meet"
             r"|bios?\b|credentials"),
        (45, r"contact|location|visit|find[\s\-_]us|directions|book"),
        (40, r"treatment|service|procedure|skin|facial|rejuvenation|aesthetic|acne|scar"),
        (5, r"blog|news|article|press|post|careers?|jobs|privacy|terms|cookie|login|cart"
            r"|account|shop|product|tag|category|author|feed"),
    )
)
_DEFAULT_PRIORITY = 20
_NOT_HTML = re.compile(
    r"\.(?:pdf|jpe?g|png|gif|webp|svg|ico|bmp|tiff?|mp[34]|m4a|mov|avi|webm|wav|zip|gz|rar|7z"
    r"|docx?|xlsx?|pptx?|css|js|json|xml|rss|txt|csv|woff2?|ttf|eot|exe|dmg|apk)$",
    re.IGNORECASE,
)
_MAX_URL_LENGTH = 2000
_MAX_URLS_PER_PATTERN = 8
_NUMBER = re.compile(r"\d+")


def link_priority(url: str, anchor_text: str = "", depth: int = 0) -> int:
    label = f"{urlsplit(url).path} {anchor_text}"
    weight = next((w for w, pattern in _PRIORITIES if pattern.search(label)), _DEFAULT_PRIORITY)
    return weight - 5 * depth


@dataclass
class SiteFrontier:
    origin: str
    budget: int
    max_in_flight: int = 1
    pages_fetched: int = 0
    in_flight: int = 0
    _queue: list[tuple[int, int, str, int]] = field(default_factory=list)
    trap_skipped: int = 0
    _seen: set[str] = field(default_factory=set)
    _patterns: dict[str, int] = field(default_factory=dict)
    _order: itertools.count = field(default_factory=itertools.count)

    def offer(self, url: str, priority: int, depth: int = 0) -> bool:
        """Queue a URL if it belongs to the site, looks like HTML and is new. True if queued."""
        if len(url) > _MAX_URL_LENGTH or not same_site(url, self.origin):
            return False
        path = urlsplit(url).path
        if _NOT_HTML.search(path):
            return False
        url = without_session_ids(url)
        if not self._first_sight(url):
            return False
        pattern = _NUMBER.sub("N", path)
        if self._patterns.get(pattern, 0) >= _MAX_URLS_PER_PATTERN:
            self.trap_skipped += 1
            return False
        self._patterns[pattern] = self._patterns.get(pattern, 0) + 1
        heapq.heappush(self._queue, (-priority, next(self._order), url, depth))
        return True

    def mark_seen(self, url: str) -> bool:
        """Record a URL reached by redirect; False if that page was already fetched or queued."""
        return self._first_sight(without_session_ids(url))

    def _first_sight(self, url: str) -> bool:
        """Record ``url`` (session ids already removed); False if it was seen before."""
        key = canonical(url)
        if key in self._seen:
            return False
        self._seen.add(key)
        return True

    def claim(self, url: str) -> bool:
        """Take ``url`` to fetch outside the queue (a sitemap): False if it was seen before, else
        it counts in flight like a queued page until ``finished_one``."""
        if not self.mark_seen(url):
            return False
        self.in_flight += 1
        return True

    def next_urls(self) -> list[tuple[str, int, int]]:
        """(url, priority, depth) to request now, within the budget and the in-flight cap."""
        ready = []
        while (
            self._queue
            and self.in_flight < self.max_in_flight
            and self.pages_fetched + self.in_flight < self.budget
        ):
            negative_priority, _, url, depth = heapq.heappop(self._queue)
            self.in_flight += 1
            ready.append((url, -negative_priority, depth))
        return ready

    def finished_one(self, fetched_page: bool) -> None:
        self.in_flight -= 1
        if fetched_page:
            self.pages_fetched += 1

    @property
    def exhausted(self) -> bool:
        """Nothing in flight and nothing more to fetch: the site is done."""
        return self.in_flight == 0 and (not self._queue or self.pages_fetched >= self.budget)

    @property
    def skipped(self) -> int:
        return len(self._queue)
