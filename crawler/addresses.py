"""Which network addresses the crawler may connect to: the one home of the SSRF policy.

Clinic websites are public. A seed list anyone can edit, or a site that redirects, must never
make the crawler reach loopback, the local network, a cloud metadata endpoint or any other
address that is not globally routable. The policy is enforced twice:

- ``GuardedResolver`` is Scrapy's DNS resolver (``TWISTED_DNS_RESOLVER``): every connection's
  address comes from it, IP literals and numeric forms like ``2130706433`` included, so the
  address checked is the address connected to (a name cannot resolve public when checked and
  private when used);
- ``crawler.middlewares.PrivateAddressGuard`` checks each request and redirect before it is
  scheduled, to count it and to say plainly why it was refused.

``CLINICSCOUT_ALLOW_PRIVATE`` (``--allow-private``) lifts the policy for local demo sites;
``CLINICSCOUT_ALLOWED_NETWORKS`` lifts it for listed networks only (``127.0.0.1/32``).
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Iterable
from typing import Any, Self

from scrapy.resolver import CachingThreadedResolver
from scrapy.settings import BaseSettings
from twisted.internet.error import DNSLookupError

from crawler.scope import Address, parse_address

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

logger = logging.getLogger(__name__)

_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_UNIQUE_LOCAL = ipaddress.ip_network("fc00::/7")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_METADATA = ipaddress.ip_address("169.254.169.254")


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address tunnels or translates to (mapped, 6to4, NAT64)."""
    if address.ipv4_mapped:
        return address.ipv4_mapped
    if address.sixtofour:
        return address.sixtofour
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def non_public_reason(address: Address) -> str | None:
    """Why ``address`` is not a public internet address, or None if it is one."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            reason = non_public_reason(embedded)
            return f"{reason}, embedded in {address}" if reason else None
    if address.is_unspecified:
        return "unspecified address"
    if address.is_loopback:
        return "loopback"
    if address == _METADATA:
        return "link-local (cloud metadata endpoint)"
    if address.is_link_local:
        return "link-local"
    if address.is_multicast:
        return "multicast"
    if address in _CGNAT:
        return "shared address space (carrier-grade NAT)"
    if isinstance(address, ipaddress.IPv6Address) and address in _UNIQUE_LOCAL:
        return "IPv6 unique-local"
    if address.is_private:
        return "private network"
    if not address.is_global:
        return "reserved, not globally routable"
    return None


class AddressPolicy:
    """Refuses non-public addresses unless private ones are allowed, wholly or by network."""

    def __init__(self, allow_private: bool = False, allowed_networks: Iterable[str] = ()) -> None:
        self.allow_private = allow_private
        self.allowed: list[Network] = [ipaddress.ip_network(n.strip(), strict=False)
                                       for n in allowed_networks if n.strip()]

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> Self:
        return cls(settings.getbool("CLINICSCOUT_ALLOW_PRIVATE"),
                   settings.getlist("CLINICSCOUT_ALLOWED_NETWORKS"))

    def refusal(self, address: Address) -> str | None:
        """Why a connection to ``address`` is refused, or None if it is allowed."""
        if self.allow_private:
            return None
        reason = non_public_reason(address)
        if reason is None or any(address.version == n.version and address in n for n in self.allowed):
            return None
        return f"{address} is a non-public address ({reason}); pass --allow-private to crawl local sites"


class RefusedAddress(DNSLookupError):
    """A host name resolved only to addresses the policy refuses.

    Twisted reports any failed lookup as "no results", so the reason is logged here.
    """


class GuardedResolver(CachingThreadedResolver):
    """Scrapy's caching resolver, refusing whatever the address policy refuses."""

    def __init__(self, reactor: Any, cache_size: int, timeout: float, policy: AddressPolicy) -> None:
        super().__init__(reactor, cache_size, timeout)
        self.policy = policy

    @classmethod
    def from_crawler(cls, crawler: Any, reactor: Any) -> Self:
        settings = crawler.settings
        cache_size = settings.getint("DNSCACHE_SIZE") if settings.getbool("DNSCACHE_ENABLED") else 0
        return cls(reactor, cache_size, settings.getfloat("DNS_TIMEOUT"), AddressPolicy.from_settings(settings))

    def getHostByName(self, name: str, timeout: Any = ()) -> Any:  # noqa: N802 - Twisted's interface
        return super().getHostByName(name, timeout).addCallback(self._check, name)

    def _check(self, resolved: str, name: str) -> str:
        address = parse_address(resolved)
        refusal = self.policy.refusal(address) if address is not None else f"{resolved!r} is not an address"
        if refusal:
            logger.warning("refused to connect to %s: %s", name, refusal)
            raise RefusedAddress(f"refused {name}: {refusal}")
        return resolved
