"""One clinic, many records: how candidates from the sources become clinics.

Two records are the same clinic when they share a website (same registered domain, so
``www.clinic.com`` and ``book.clinic.com`` are one) or an E.164 phone number. A record already
linked to a clinic by an earlier discovery (same source and id) stays with it, which is what
makes discovery idempotent. NPI organisations have no website: they only *join* a clinic found
by another source, by phone or street address, and are never a clinic on their own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from crawler.scope import origin, registered_domain
from scoring import Identity

# Where several clinics share one host, the path tells them apart (a Facebook page, a booking
# platform's page), so the key keeps it rather than merging every clinic on the platform.
SHARED_HOSTS = frozenset({
    "facebook.com", "instagram.com", "linktr.ee", "yelp.com", "google.com", "business.site",
    "wixsite.com", "square.site", "squarespace.com", "vagaro.com", "booksy.com", "glossgenius.com",
    "mindbodyonline.com", "schedulicity.com", "myshopify.com", "godaddysites.com", "weebly.com",
})
# The order of trust between sources, when their records of one clinic disagree.
SOURCE_PRIORITY = ("seeds", "osm", "npi")
_HOUSE_AND_STREET = re.compile(r"^\s*(\d+[A-Za-z]?)\s+(.+)$")
_DIRECTIONS = {"n", "s", "e", "w", "ne", "nw", "se", "sw", "north", "south", "east", "west"}


@dataclass(frozen=True)
class Candidate:
    """One record of one source: what it says about a clinic (phone in E.164)."""

    source: str
    source_id: str
    website: str | None  # a normalised start URL
    identity: Identity
    joins_only: bool = False  # NPI organisations: join a clinic found elsewhere, or nothing

    def fields(self) -> dict[str, Any]:
        """The clinic columns this record fills."""
        found = {"name": self.identity.name, "website": self.website, **self.identity.as_columns()}
        return {k: v for k, v in found.items() if v not in (None, "")}

    def record(self) -> dict[str, Any]:
        """The row of ``clinic_sources`` (without the clinic it joins)."""
        return {"source": self.source, "source_id": self.source_id, **self.fields()}


@dataclass(frozen=True)
class KnownClinic:
    """A clinic already in the database, as merging needs to see it."""

    id: int
    website: str | None
    phone: str | None
    street_address: str | None
    postcode: str | None
    records: frozenset[tuple[str, str]] = frozenset()  # (source, source_id) linked to it


@dataclass
class Discovered:
    """A clinic to write: an existing one (``clinic_id``) or a new one, and its records."""

    clinic_id: int | None
    records: list[Candidate] = field(default_factory=list)

    def trusted_records(self) -> list[Candidate]:
        """The records, most trusted source first (the first names the clinic's source)."""
        return sorted(self.records, key=_trust)

    def fields(self) -> dict[str, Any]:
        """Each field from the most trusted record that has it."""
        merged: dict[str, Any] = {}
        for record in self.trusted_records():
            for key, value in record.fields().items():
                merged.setdefault(key, value)
        return merged


@dataclass
class MergeResult:
    clinics: list[Discovered]
    unmatched: list[Candidate]  # NPI organisations that matched no clinic


def website_key(website: str | None) -> str | None:
    """The site a website belongs to: its registered domain (and port when not the default)."""
    if not website:
        return None
    parts = urlsplit(website)
    host = (parts.hostname or "").lower().removeprefix("www.")
    if not host:
        return None
    domain = registered_domain(host)
    if domain in SHARED_HOSTS:
        return f"{host}{parts.path.rstrip('/').lower()}"
    site = origin(website)
    port = site.rsplit(":", 1)[1] if site.count(":") == 2 else None
    return f"{domain}:{port}" if port else domain


def address_key(street_address: str | None, postcode: str | None) -> str | None:
    """House number, first street word and 5-digit ZIP: "1200 BARTON SPRINGS RD STE 300" and
    "1200 Barton Springs Road, Suite 300" with 78704 give the same key."""
    if not street_address or not postcode:
        return None
    match = _HOUSE_AND_STREET.match(street_address)
    zip5 = re.sub(r"\D", "", postcode)[:5]
    if not match or len(zip5) < 5:
        return None
    words = [w for w in re.findall(r"[a-z0-9]+", match[2].lower()) if w not in _DIRECTIONS]
    return f"{match[1].lower()} {words[0]} {zip5}" if words else None


def merge(candidates: list[Candidate], known: list[KnownClinic]) -> MergeResult:
    """Group the candidates into clinics, joining the known ones where they match."""
    groups = _Groups()
    for clinic in known:
        node = ("clinic", clinic.id)
        groups.add(node)
        for key in _keys(clinic.website, clinic.phone):
            groups.link(node, key)
        for record in clinic.records:
            groups.link(node, ("record", *record))
    primary = [c for c in candidates if not c.joins_only]
    for candidate in primary:
        node = ("record", candidate.source, candidate.source_id)
        groups.add(node)
        for key in _keys(candidate.website, candidate.identity.phone):
            groups.link(node, key)

    clinics: dict[Any, Discovered] = {}
    for candidate in primary:
        root = groups.find(("record", candidate.source, candidate.source_id))
        clinics.setdefault(root, Discovered(None)).records.append(candidate)
    # A group takes the oldest known clinic in it; two known clinics that now look alike stay
    # two clinics (merging stored sites is an operator's decision, not discovery's).
    for clinic in sorted(known, key=lambda c: c.id, reverse=True):
        root = groups.find(("clinic", clinic.id))
        if root in clinics:
            clinics[root].clinic_id = clinic.id

    found = list(clinics.values())
    unmatched = _join_organisations([c for c in candidates if c.joins_only], found, known)
    return MergeResult(found, unmatched)


def _join_organisations(
    organisations: list[Candidate], clinics: list[Discovered], known: list[KnownClinic]
) -> list[Candidate]:
    by_key: dict[str, Discovered] = {}
    for clinic in clinics:
        for record in clinic.records:
            for key in _join_keys(*_place(record)):
                by_key.setdefault(key, clinic)
    for stored in known:
        target = next((c for c in clinics if c.clinic_id == stored.id), None)
        for key in _join_keys(stored.phone, stored.street_address, stored.postcode):
            if key not in by_key:
                if target is None:
                    target = Discovered(stored.id)
                    clinics.append(target)
                by_key[key] = target
    linked = {record: stored.id for stored in known for record in stored.records}
    unmatched = []
    for organisation in organisations:
        keys = _join_keys(*_place(organisation))
        target = next((by_key[k] for k in keys if k in by_key), None)
        earlier = linked.get((organisation.source, organisation.source_id))
        if earlier is not None:  # joined a clinic last time: stays with it
            target = next((c for c in clinics if c.clinic_id == earlier), None)
            if target is None:
                target = Discovered(earlier)
                clinics.append(target)
        if target is None:
            unmatched.append(organisation)
        else:
            target.records.append(organisation)
    clinics[:] = [c for c in clinics if c.records]
    return unmatched


def _keys(website: str | None, phone: str | None) -> list[tuple[str, str]]:
    keys = []
    if (site := website_key(website)) is not None:
        keys.append(("site", site))
    if phone:
        keys.append(("phone", phone))
    return keys


def _join_keys(phone: str | None, street_address: str | None, postcode: str | None) -> list[str]:
    keys = [f"phone {phone}"] if phone else []
    if (address := address_key(street_address, postcode)) is not None:
        keys.append(f"address {address}")
    return keys


def _place(record: Candidate) -> tuple[str | None, str | None, str | None]:
    return record.identity.phone, record.identity.street_address, record.identity.postcode


def _trust(record: Candidate) -> int:
    return SOURCE_PRIORITY.index(record.source) if record.source in SOURCE_PRIORITY else len(SOURCE_PRIORITY)


class _Groups:
    """Union-find over records, clinics and the keys they share."""

    def __init__(self) -> None:
        self.parent: dict[Any, Any] = {}

    def add(self, node: Any) -> None:
        self.parent.setdefault(node, node)

    def find(self, node: Any) -> Any:
        self.add(node)
        while self.parent[node] != node:
            self.parent[node] = self.parent[self.parent[node]]
            node = self.parent[node]
        return node

    def link(self, a: Any, b: Any) -> None:
        root_a, root_b = self.find(a), self.find(b)
        if root_a != root_b:
            self.parent[root_b] = root_a
