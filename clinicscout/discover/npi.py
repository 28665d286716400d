"""The NPPES NPI Registry API (version 2.1): registered providers of an area, and name look-ups.

The registry has no websites and no coordinates. Area searches go by city and state (from the
ZIP codes within the radius), once per taxonomy of interest (dermatology, plastic surgery,
nurse practitioners, physician assistants), and keep the records whose practice location ZIP
lies within the radius. A city whose answer reaches the registry's paging cap (``limit`` 200,
``skip`` up to 1000) is searched again ZIP code by ZIP code.

The API reports a bad request as HTTP 200 with an ``Errors`` list: that becomes a SourceError.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from clinicscout.discover.geo import Point, UsZip, us_zips_within
from clinicscout.discover.http import JsonClient, SourceError
from clinicscout.discover.merge import Candidate
from scoring import Identity, e164

DEFAULT_NPI_URL = "https://npiregistry.cms.hhs.gov/api/"
SOURCE = "npi"
API_VERSION = "2.1"
PAGE_SIZE = 200  # the API's maximum ``limit``
MAX_SKIP = 1000  # the API's maximum ``skip``
MAX_CITIES = 12  # area searches stay polite: the nearest cities only
# taxonomy_description searched → code prefixes kept (NUCC Health Care Provider Taxonomy).
TAXONOMIES = {
    "Dermatology": ("207N",),
    "Plastic Surgery": ("2082",),
    "Nurse Practitioner": ("363L",),
    "Physician Assistant": ("363A",),
}


@dataclass
class AreaResult:
    organisations: list[Candidate] = field(default_factory=list)  # join a clinic, or nothing
    providers: list[dict[str, Any]] = field(default_factory=list)  # every record, for npi_providers
    notes: list[str] = field(default_factory=list)


def fetch_area(client: JsonClient, url: str, point: Point, radius_km: float) -> AreaResult:
    """The registered dermatology, plastic-surgery, NP and PA providers within the radius."""
    zips = us_zips_within(point, radius_km)
    if not zips:
        raise SourceError(
            f"NPI registry: no US ZIP code lies within {radius_km:g} km of {point.label}; the "
            "registry only covers the United States (drop --source npi, or widen --radius-km)"
        )
    wanted_zips = {z.zip_code for z in zips}
    cities = _nearest_cities(zips)
    result = AreaResult()
    if len(cities) > MAX_CITIES:
        result.notes.append(f"NPI registry: searched the {MAX_CITIES} nearest of {len(cities)} "
                            "cities in the radius")
        cities = cities[:MAX_CITIES]
    records: dict[str, dict[str, Any]] = {}
    for city, state in cities:
        for description, prefixes in TAXONOMIES.items():
            found, complete = search(client, url, city=city, state=state,
                                     taxonomy_description=description)
            if not complete:
                found = []
                for zip_code in sorted(z.zip_code for z in zips if (z.city, z.state) == (city, state)):
                    by_zip, zip_complete = search(client, url, postal_code=zip_code,
                                                  taxonomy_description=description)
                    found.extend(by_zip)
                    if not zip_complete:
                        result.notes.append(f"NPI registry: more than {MAX_SKIP + PAGE_SIZE} "
                                            f"{description} records in ZIP {zip_code}; kept the first")
            for raw in found:
                provider = provider_record(raw)
                if provider is None or provider["postcode"] not in wanted_zips:
                    continue
                if not any(code.startswith(prefixes) for code in provider["taxonomy_codes"].split(",")):
                    continue
                records[provider["npi"]] = provider
    result.providers = sorted(records.values(), key=lambda p: p["npi"])
    result.organisations = [
        organisation_candidate(p) for p in result.providers if p["enumeration_type"] == "NPI-2"
    ]
    return result


def lookup_individuals(client: JsonClient, url: str, first_name: str, last_name: str,
                       state: str) -> list[dict[str, Any]]:
    """Individual (NPI-1) records of this name in a state; the caller re-checks the name."""
    found, _ = search(client, url, enumeration_type="NPI-1", first_name=first_name,
                      last_name=last_name, state=state, pages=1)
    return [p for raw in found if (p := provider_record(raw)) is not None]


def search(client: JsonClient, url: str, pages: int | None = None,
           **criteria: str) -> tuple[list[dict[str, Any]], bool]:
    """Every result of one search, page by page; and whether the paging cap left some out."""
    results: list[dict[str, Any]] = []
    skip = 0
    while True:
        answer = client.get(url, {"version": API_VERSION, **criteria,
                                  "limit": PAGE_SIZE, "skip": skip or None})
        page = _results(answer, url, criteria)
        results.extend(page)
        if len(page) < PAGE_SIZE:
            return results, True
        skip += PAGE_SIZE
        if skip > MAX_SKIP or (pages is not None and skip >= pages * PAGE_SIZE):
            return results, False


def _results(answer: Any, url: str, criteria: dict[str, str]) -> list[dict[str, Any]]:
    asked = ", ".join(f"{k}={v}" for k, v in criteria.items())
    if isinstance(answer, dict) and answer.get("Errors"):
        errors = answer["Errors"] if isinstance(answer["Errors"], list) else [answer["Errors"]]
        described = "; ".join(
            f"{e.get('description', e)}" + (f" (field {e['field']})" if e.get("field") else "")
            if isinstance(e, dict) else str(e)
            for e in errors
        )
        raise SourceError(f"NPI registry: {url} refused the search {asked}: {described}")
    if not isinstance(answer, dict) or not isinstance(answer.get("results", []), list):
        raise SourceError(f"NPI registry: the answer of {url} to {asked} has no 'results' list")
    return [r for r in answer.get("results", []) if isinstance(r, dict)]


def provider_record(raw: dict[str, Any]) -> dict[str, Any] | None:
    """One registry result as a row of ``npi_providers``; None without an NPI number."""
    number = str(raw.get("number") or "").strip()
    if not number:
        return None
    basic = raw.get("basic") or {}
    location = _location(raw.get("addresses") or [])
    taxonomies = [t for t in raw.get("taxonomies") or [] if isinstance(t, dict)]
    primary = next((t for t in taxonomies if t.get("primary")), taxonomies[0] if taxonomies else {})
    first, last = basic.get("first_name") or "", basic.get("last_name") or ""
    street = " ".join(p for p in (location.get("address_1"), location.get("address_2")) if p)
    return {
        "npi": number,
        "enumeration_type": raw.get("enumeration_type"),
        "name": basic.get("organization_name") or " ".join(p for p in (first, last) if p) or None,
        "first_name": first or None,
        "last_name": last or None,
        "credential": basic.get("credential") or None,
        "taxonomy_code": primary.get("code"),
        "taxonomy_description": primary.get("desc"),
        "taxonomy_codes": ",".join(t["code"] for t in taxonomies if t.get("code")),
        "license_state": primary.get("state"),
        "status": basic.get("status"),
        "street_address": street or None,
        "city": location.get("city"),
        "state": location.get("state"),
        "postcode": (location.get("postal_code") or "")[:5] or None,
        "phone": e164(location.get("telephone_number"), "US"),
    }


def _location(addresses: Iterable[Any]) -> dict[str, Any]:
    addresses = [a for a in addresses if isinstance(a, dict)]
    return next((a for a in addresses if a.get("address_purpose") == "LOCATION"),
                addresses[0] if addresses else {})


def organisation_candidate(provider: dict[str, Any]) -> Candidate:
    return Candidate(SOURCE, provider["npi"], website=None, joins_only=True, identity=Identity(
        name=provider["name"], phone=provider["phone"], street_address=provider["street_address"],
        city=(provider["city"] or "").title() or None, region=provider["state"],
        postcode=provider["postcode"], country="US",
    ))


def _nearest_cities(zips: list[UsZip]) -> list[tuple[str, str]]:
    cities: list[tuple[str, str]] = []
    for zip_code in zips:  # nearest first
        if (zip_code.city, zip_code.state) not in cities:
            cities.append((zip_code.city, zip_code.state))
    return cities
