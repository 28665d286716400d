"""OpenStreetMap through the Overpass API: the clinics, medical spas and skin-care places of an area.

One Overpass QL query, POSTed as the ``data`` form field, asks for every node, way and relation
within the radius that is a clinic (``amenity=clinic``, ``healthcare=clinic``), a doctor or
clinic whose speciality is dermatology or cosmetic/plastic surgery, or a beauty shop doing skin
care (``shop=beauty`` with ``beauty=skin_care|spa|…``). ``out center tags`` returns the tags and,
for ways and relations, a centre point. OpenStreetMap data is © OpenStreetMap contributors,
under the ODbL (attributed in data/metadata.yaml).
"""

from __future__ import annotations

from typing import Any

from clinicscout.discover.geo import Point
from clinicscout.discover.http import JsonClient, SourceError
from clinicscout.discover.merge import Candidate
from crawler.scope import InvalidWebsite, normalise_website
from scoring import Identity, e164

DEFAULT_OVERPASS_URL = "https://overpass-api.de/api/interpreter"
SOURCE = "osm"
SPECIALITIES = "dermatolog|plastic_surgery|cosmetic|aesthetic"
BEAUTY = "skin_care|spa|facial|cosmetics|aesthetic|hair_removal"
SERVER_TIMEOUT_S = 60  # what Overpass may spend on the query ([timeout:…])


def overpass_query(point: Point, radius_km: float) -> str:
    """The Overpass QL query for the clinics within ``radius_km`` of ``point``."""
    around = f"(around:{round(radius_km * 1000)},{point.latitude:.6f},{point.longitude:.6f})"
    selectors = [
        '["amenity"="clinic"]',
        '["healthcare"="clinic"]',
        f'["healthcare"~"^(clinic|doctor)$"]["healthcare:speciality"~"{SPECIALITIES}"]',
        f'["amenity"="doctors"]["healthcare:speciality"~"{SPECIALITIES}"]',
        f'["shop"="beauty"]["beauty"~"{BEAUTY}"]',
    ]
    body = "\n".join(f"  nwr{selector}{around};" for selector in selectors)
    return f"[out:json][timeout:{SERVER_TIMEOUT_S}];\n(\n{body}\n);\nout center tags;"


def fetch_osm(client: JsonClient, endpoint: str, point: Point, radius_km: float,
              default_region: str | None) -> list[Candidate]:
    """The clinics OpenStreetMap knows around ``point``. Raises SourceError on any bad answer."""
    answer = client.post_form(endpoint, {"data": overpass_query(point, radius_km)})
    return parse_overpass(answer, endpoint, default_region)


def parse_overpass(answer: Any, endpoint: str, default_region: str | None) -> list[Candidate]:
    if not isinstance(answer, dict) or not isinstance(answer.get("elements"), list):
        raise SourceError(f"OpenStreetMap: the answer of {endpoint} has no 'elements' list")
    remark = str(answer.get("remark") or "")
    if "error" in remark.lower():
        # Overpass reports a query that ran out of time or memory as HTTP 200 with a remark.
        raise SourceError(f"OpenStreetMap: {endpoint} could not finish the query: {remark}")
    candidates = []
    for element in answer["elements"]:
        candidate = _candidate(element, default_region)
        if candidate is not None:
            candidates.append(candidate)
    return candidates


def _candidate(element: Any, default_region: str | None) -> Candidate | None:
    if not isinstance(element, dict) or "type" not in element or "id" not in element:
        return None
    tags = element.get("tags") or {}
    centre = element.get("center") or element
    country = (tags.get("addr:country") or "").upper() or None
    street = " ".join(p for p in (tags.get("addr:housenumber"), tags.get("addr:street")) if p)
    latitude, longitude = centre.get("lat"), centre.get("lon")
    return Candidate(
        SOURCE, f"{element['type']}/{element['id']}",
        website=_website(tags.get("website") or tags.get("contact:website") or tags.get("url")),
        identity=Identity(
            name=tags.get("name") or tags.get("brand") or None,
            phone=_phone(tags.get("phone") or tags.get("contact:phone"), country or default_region),
            street_address=street or None,
            city=tags.get("addr:city") or None,
            region=tags.get("addr:state") or None,
            postcode=tags.get("addr:postcode") or None,
            country=country,
            latitude=float(latitude) if latitude is not None else None,
            longitude=float(longitude) if longitude is not None else None,
            source="OpenStreetMap",
        ),
    )


def _website(raw: str | None) -> str | None:
    if not raw:
        return None
    try:
        return normalise_website(raw.split(";")[0])
    except InvalidWebsite:
        return None  # a malformed tag loses the website, not the clinic


def _phone(raw: str | None, region: str | None) -> str | None:
    # OSM separates several numbers with ";": the first is the main line.
    return e164(raw.split(";")[0], region) if raw else None
