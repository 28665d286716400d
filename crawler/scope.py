"""What belongs to a clinic's site.

A site is identified by the origin (scheme, host, port) of its start URL, so that many sites
can be served from 127.0.0.1 on different ports. A crawl stays inside that origin, except that
a host of the same registered domain counts as the same site (``example.com`` redirecting to
``www.example.com``).
"""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import tldextract
from w3lib.url import canonicalize_url

# The bundled public-suffix snapshot: no network access at run time.
# Private suffixes count too: two clinics on github.io or wixsite.com are two sites.
_EXTRACT = tldextract.TLDExtract(
    suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True
)
_DEFAULT_PORTS = {"http": 80, "https": 443}


_CONTROL_OR_SPACE = re.compile(r"[\x00-\x20\x7f]")
# "mailto:x", "javascript:x", but not "clinic.example:8080".
_OTHER_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:(?!\d+(?:/|$))", re.IGNORECASE)


class InvalidWebsite(ValueError):
    """A seed or argument that cannot be a clinic website."""


def normalise_website(raw: str) -> str:
    """A start URL from user input: adds https:// when the scheme is missing, checks the rest."""
    value = (raw or "").strip()
    if not value:
        raise InvalidWebsite("empty website")
    if _CONTROL_OR_SPACE.search(value):
        raise InvalidWebsite(f"{raw!r}: spaces or control characters in a website")
    if "://" not in value:
        if _OTHER_SCHEME.match(value):
            raise InvalidWebsite(f"{raw!r}: only http and https websites can be crawled")
        value = "https://" + value
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError as error:
        raise InvalidWebsite(f"{raw!r}: {error}") from None
    if parts.scheme not in ("http", "https"):
        raise InvalidWebsite(f"{raw!r}: only http and https websites can be crawled")
    if not parts.hostname:
        raise InvalidWebsite(f"{raw!r}: no host name")
    if "@" in parts.netloc:
        raise InvalidWebsite(f"{raw!r}: a user name or password in a website is not allowed")
    return urlunsplit((parts.scheme, parts.netloc.lower(), parts.path or "/", parts.query, ""))


def origin(url: str) -> str:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port or _DEFAULT_PORTS.get(scheme)
    if ":" in host:
        host = f"[{host}]"
    suffix = "" if port == _DEFAULT_PORTS.get(scheme) else f":{port}"
    return f"{scheme}://{host}{suffix}"


Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_address(host: str) -> Address | None:
    """``host`` as an address if it is an IP literal (``[::1]`` included), else None."""
    try:
        return ipaddress.ip_address(host.strip("[]").split("%")[0])
    except ValueError:
        return None


@lru_cache(maxsize=4096)
def registered_domain(host: str) -> str:
    if parse_address(host) is not None:
        return host
    return _EXTRACT(host).top_domain_under_public_suffix or host


def same_site(url: str, site_origin: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return False
    if origin(url) == site_origin:
        return True
    site_host = urlsplit(site_origin).hostname or ""
    host = parts.hostname.lower()
    if not (_on_default_port(url) and _on_default_port(site_origin)):
        return False  # another port on the same host is another site (127.0.0.1:8001 vs :8002)
    if host == site_host:
        return True  # http and https of one host are one site
    # An address is only ever its own site; a name shares its site with its registered domain.
    return parse_address(host) is None and registered_domain(host) == registered_domain(site_host)


def politeness_key(url: str) -> str:
    """What must be crawled from one place at a time: the registered domain, or host:port.

    Mirrors ``same_site``: hosts of one registered domain are one site, another port is another.
    """
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if _on_default_port(url):
        return registered_domain(host)
    return f"{host}:{parts.port}"


def _on_default_port(url: str) -> bool:
    parts = urlsplit(url)
    return parts.port is None or parts.port == _DEFAULT_PORTS.get(parts.scheme)


def canonical(url: str) -> str:
    """The form used to recognise a page already seen: no fragment, sorted query."""
    return canonicalize_url(url, keep_fragments=False)


# Query parameters that name a visitor or a campaign, never a different page.
_SESSION_PARAMETERS = re.compile(
    r"^(?:(?:php|asp\.net_|cf|j)?sess(?:ion)?_?id|sid|s|cfid|cftoken|utm_\w+|fbclid|gclid|dclid|msclkid"
    r"|mc_[ce]id|_ga|_gl|ref|referrer|source)$",
    re.IGNORECASE,
)
_PATH_SESSION = re.compile(r";(?:jsessionid|sessionid|sid|phpsessid)=[^/?#]*", re.IGNORECASE)


def without_session_ids(url: str) -> str:
    """``url`` without session ids and tracking parameters, which make one page look like many."""
    parts = urlsplit(url)
    path = _PATH_SESSION.sub("", parts.path)
    if not parts.query and path == parts.path:
        return url
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _SESSION_PARAMETERS.match(k)]
    return urlunsplit((parts.scheme, parts.netloc, path, urlencode(query), parts.fragment))
