"""SSRF: by default the crawler connects to public internet addresses only.

Every request, redirect and resolved name is checked; the hostile suite covers redirects. Here:
the policy itself, then real crawls of loopback in all its spellings, which must be refused
before a single byte reaches the server listening there.
"""

from __future__ import annotations

import ipaddress

import pytest
import sqlite_utils

from crawler.addresses import AddressPolicy, non_public_reason, parse_address
from tests.conftest import run_cli
from tests.hostile_server import CASES, HostileSites

REFUSED = {
    "127.0.0.1": "loopback", "127.255.255.254": "loopback", "::1": "loopback",
    "10.0.0.1": "private network", "172.16.5.4": "private network", "192.168.1.1": "private network",
    "100.64.0.1": "carrier-grade NAT", "169.254.169.254": "cloud metadata", "169.254.1.1": "link-local",
    "224.0.0.1": "multicast", "239.255.255.250": "multicast", "ff02::1": "multicast",
    "0.0.0.0": "unspecified", "::": "unspecified", "fc00::1": "unique-local", "fd12:3456::1": "unique-local",
    "fe80::1": "link-local", "::ffff:10.0.0.1": "private network, embedded",
    "::ffff:127.0.0.1": "loopback, embedded", "2002:7f00:1::": "loopback, embedded",  # 6to4
    "64:ff9b::a9fe:a9fe": "cloud metadata", "198.18.0.1": "private network", "240.0.0.1": "private network",
}
PUBLIC = ["8.8.8.8", "93.184.215.14", "2606:4700:4700::1111", "::ffff:8.8.8.8", "2002:808:808::"]


@pytest.mark.parametrize("address, reason", REFUSED.items())
def test_non_public_addresses_are_named_for_what_they_are(address, reason):
    assert reason in (non_public_reason(ipaddress.ip_address(address)) or "")


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_are_allowed(address):
    assert non_public_reason(ipaddress.ip_address(address)) is None
    assert AddressPolicy().refusal(ipaddress.ip_address(address)) is None


def test_allowed_networks_exempt_exactly_what_they_list():
    policy = AddressPolicy(allowed_networks=["127.0.0.1/32", "10.1.0.0/16"])
    assert policy.refusal(ipaddress.ip_address("127.0.0.1")) is None
    assert policy.refusal(ipaddress.ip_address("10.1.2.3")) is None
    assert "loopback" in policy.refusal(ipaddress.ip_address("127.0.0.2"))
    assert "private" in policy.refusal(ipaddress.ip_address("10.2.0.1"))
    assert AddressPolicy(allow_private=True).refusal(ipaddress.ip_address("169.254.169.254")) is None


def test_bracketed_and_scoped_ipv6_literals_are_addresses():
    assert parse_address("[::1]") == ipaddress.ip_address("::1")
    assert parse_address("fe80::1%eth0") == ipaddress.ip_address("fe80::1")
    assert parse_address("clinic.example") is None


# Spellings of the loopback server: names, IPv6 forms and the numeric forms inet_aton accepts.
LOOPBACK_SPELLINGS = ["127.0.0.1", "localhost", "127.000.000.001", "[::1]", "[::ffff:127.0.0.1]", "2130706433",
                      "0x7f.1", "0x7f000001", "0177.0.0.1", "127.1", "0", "[::]", "[0:0:0:0:0:ffff:7f00:1]"]


@pytest.fixture(scope="module")
def refused_crawl(tmp_path_factory):
    """One crawl, without --allow-private, of a live site under every spelling of its address."""
    db = tmp_path_factory.mktemp("ssrf") / "ssrf.db"
    with HostileSites({"clinic": CASES["inert"]}) as sites:
        port = sites.ports["clinic"]
        urls = [f"http://{host}:{port}/" for host in LOOPBACK_SPELLINGS]
        result = run_cli("crawl", *urls, "--db", str(db), "--delay", "0", check=False)
        requests = sites.requests["clinic"]
    return urls, db, result, requests


def test_every_spelling_of_loopback_is_refused_before_any_connection(refused_crawl):
    urls, db, result, requests = refused_crawl
    assert requests == 0
    assert result.returncode == 1
    clinics = list(sqlite_utils.Database(db).query("select website, crawl_status, crawl_error from clinics"))
    assert len(clinics) == len(urls)
    for clinic in clinics:
        assert clinic["crawl_status"] == "failed", clinic
        assert "non-public address" in clinic["crawl_error"], clinic
    assert "refused" in result.stderr and "--allow-private" in result.stderr


def test_the_resolver_refuses_loopback_even_without_the_middleware(tmp_path):
    """The address checked is the address connected to: the resolver enforces the policy itself."""
    db = tmp_path / "resolver.db"
    without_guard = '{"crawler.middlewares.PrivateAddressGuard": null}'
    with HostileSites({"clinic": CASES["inert"]}) as sites:
        port = sites.ports["clinic"]
        result = run_cli("crawl", f"http://localhost:{port}/", f"http://2130706433:{port}/", "--db", str(db),
                         "--delay", "0", "-s", f"DOWNLOADER_MIDDLEWARES={without_guard}", check=False)
        assert sites.requests["clinic"] == 0
    assert result.returncode == 1
    statuses = [row["crawl_status"] for row in sqlite_utils.Database(db).query("select crawl_status from clinics")]
    assert statuses == ["failed", "failed"]
    # Twisted reports a refused lookup as "no results"; the resolver's log says why.
    assert "refused to connect to localhost: 127.0.0.1 is a non-public address (loopback)" in result.stderr
    assert "refused to connect to 2130706433: 127.0.0.1 is a non-public address (loopback)" in result.stderr
