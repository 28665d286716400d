"""``discover``: ask every source, merge what they say, write it all at once.

Nothing is written until every source has answered: a source that fails (rate limit, server
error, timeout, malformed answer, an ``Errors`` list) stops the discovery with its message and
the database stays as it was. The write itself is one transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from clinicscout.discover import npi, osm
from clinicscout.discover.geo import Point
from clinicscout.discover.http import JsonClient
from clinicscout.discover.merge import Candidate, KnownClinic, merge
from clinicscout.seeds import Seed
from clinicscout.storage import Storage
from scoring import Identity, e164

SOURCES = ("osm", "npi")


@dataclass(frozen=True)
class Endpoints:
    overpass_url: str
    npi_url: str
    timeout: float
    retries: int = 3
    backoff: float = 5.0


@dataclass
class DiscoveryReport:
    found: dict[str, int] = field(default_factory=dict)  # records per source
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    organisations_unmatched: int = 0
    providers: int = 0
    requests: int = 0
    notes: list[str] = field(default_factory=list)


def discover(
    storage: Storage,
    *,
    point: Point | None,
    radius_km: float,
    sources: tuple[str, ...],
    seeds: list[Seed],
    endpoints: Endpoints,
    progress: Callable[[str], None] = lambda message: None,
) -> DiscoveryReport:
    """Candidates from seeds and sources, merged into clinics and written in one transaction.

    Raises SourceError (nothing written) when a source fails.
    """
    report = DiscoveryReport()
    candidates = [_seed_candidate(seed) for seed in seeds]
    if seeds:
        report.found["seeds"] = len(candidates)
    providers: list[dict] = []
    clients = []
    if "osm" in sources and point is not None:
        client = _client("OpenStreetMap", endpoints)
        clients.append(client)
        progress(f"OpenStreetMap: asking {endpoints.overpass_url} for clinics within "
                 f"{radius_km:g} km of {point.label}…")
        found = osm.fetch_osm(client, endpoints.overpass_url, point, radius_km,
                              default_region="US" if point.state else None)
        report.found["osm"] = len(found)
        if not found:
            report.notes.append(f"OpenStreetMap: no clinic within {radius_km:g} km of "
                                f"{point.label} (check --near: LAT,LON, latitude first)")
        candidates.extend(found)
    if "npi" in sources and point is not None:
        client = _client("NPI registry", endpoints)
        clients.append(client)
        progress(f"NPI registry: searching {endpoints.npi_url} around {point.label}…")
        area = npi.fetch_area(client, endpoints.npi_url, point, radius_km)
        report.found["npi"] = len(area.providers)
        report.notes.extend(area.notes)
        candidates.extend(area.organisations)
        providers = area.providers
    report.requests = sum(c.requests_made for c in clients)
    report.providers = len(providers)
    if not candidates and not providers:
        return report

    known = [KnownClinic(**row) for row in storage.known_for_discovery()]
    merged = merge(candidates, known)
    report.organisations_unmatched = len(merged.unmatched)
    counts = storage.save_discovery(
        [(c.clinic_id, c.fields(), [r.record() for r in c.trusted_records()]) for c in merged.clinics],
        providers,
    )
    report.added, report.updated, report.unchanged = (
        counts["added"], counts["updated"], counts["unchanged"]
    )
    return report


def _client(source: str, endpoints: Endpoints) -> JsonClient:
    return JsonClient(source, timeout=endpoints.timeout, retries=endpoints.retries,
                      backoff=endpoints.backoff)


def _seed_candidate(seed: Seed) -> Candidate:
    details = seed.details
    country = (details.get("country") or "").upper() or None
    region = country if country and len(country) == 2 else "US"
    return Candidate("seeds", seed.website, website=seed.website, identity=Identity(
        name=details.get("name"), phone=e164(details.get("phone"), region),
        street_address=details.get("address"), city=details.get("city"),
        region=details.get("region"), postcode=details.get("postcode"), country=country,
        latitude=_float(details.get("latitude")), longitude=_float(details.get("longitude")),
        source="seed list",
    ))


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value else None
    except ValueError:
        return None

