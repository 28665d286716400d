"""The arithmetic of the benchmark: percentiles, rates, ratios, and the scale projection."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0–100), interpolating linearly between the closest ranks."""
    if not values:
        raise ValueError("percentile of no values")
    if not 0 <= q <= 100:
        raise ValueError(f"percentile {q} is not between 0 and 100")
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def rate(count: float, seconds: float) -> float:
    """Items per second; a run too short to time has no rate."""
    if seconds <= 0:
        raise ValueError("cannot compute a rate over no time")
    return count / seconds


def ratio(measured: float, floor: float) -> float:
    """How close a measured rate comes to its floor (1.0 = as fast as the floor)."""
    if floor <= 0:
        raise ValueError("the floor rate must be positive")
    return measured / floor


@dataclass(frozen=True)
class PoliteCrawl:
    """How a real crawl runs at the polite defaults of crawler/settings.py."""

    download_delay: float  # seconds between two requests to one site
    concurrent_requests: int  # requests in flight on one machine
    # Requests downloading per site at once; the spider's frontier hands out no more than this.
    per_site_concurrency: int
    page_budget: int
    latency: float  # seconds a real clinic site takes to answer

    @property
    def sites_at_once(self) -> float:
        # The downloader holds at most concurrent_requests requests, per_site_concurrency a site.
        return self.concurrent_requests / self.per_site_concurrency

    @property
    def pages_per_s(self) -> float:
        """Pages/s on one machine if the network and politeness, not the CPU, set the pace."""
        # Every request slot is busy: sites_at_once sites, each downloading per_site_concurrency.
        return self.concurrent_requests / max(self.download_delay, self.latency)


def projected_hours(pages: float, polite_pages_per_s: float, cpu_pages_per_s: float, nodes: int = 1) -> float:
    """Hours to crawl ``pages`` on ``nodes`` machines, each going at the slower of its polite
    pace and its measured full-speed (CPU-bound) pace."""
    per_node = min(polite_pages_per_s, cpu_pages_per_s)
    return pages / (per_node * nodes) / 3600
