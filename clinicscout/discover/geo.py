"""Where to look: ``--near ZIP|LAT,LON`` to a point, offline, and distances around it.

US ZIP codes resolve through the ``zipcodes`` package (a packaged gazetteer: no geocoding
service, no network). Other postcodes cannot be resolved offline, so they get a clear message
asking for coordinates instead.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import zipcodes

_EARTH_RADIUS_KM = 6371.0088
_LAT_LON = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*$")
_US_ZIP = re.compile(r"^\s*(\d{5})(?:-\d{4})?\s*$")


class NearError(ValueError):
    """``--near`` is neither a known US ZIP code nor a valid ``LAT,LON`` pair."""


@dataclass(frozen=True)
class Point:
    latitude: float
    longitude: float
    label: str
    state: str | None = None  # US state of a ZIP code, for the NPI registry's ``state``
    city: str | None = None


def parse_near(value: str) -> Point:
    """The point a ``--near`` value names: a US ZIP code or ``LAT,LON`` in decimal degrees."""
    coordinates = _LAT_LON.match(value or "")
    if coordinates:
        latitude, longitude = float(coordinates[1]), float(coordinates[2])
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            raise NearError(f"{value!r}: latitude must be within ±90 and longitude within ±180")
        return Point(latitude, longitude, f"{latitude:.5f},{longitude:.5f}")
    zip_code = _US_ZIP.match(value or "")
    if zip_code:
        found = zipcodes.matching(zip_code[1])
        if not found or not found[0].get("lat"):
            raise NearError(f"{value!r}: unknown US ZIP code (give LAT,LON instead)")
        record = found[0]
        return Point(float(record["lat"]), float(record["long"]), zip_code[1],
                     state=record["state"], city=record["city"])
    raise NearError(
        f"{value!r}: only US ZIP codes can be looked up offline; for any other place give "
        "its coordinates as LAT,LON (for example --near 51.5072,-0.1276)"
    )


def distance_km(a_lat: float, a_lon: float, b_lat: float, b_lon: float) -> float:
    """Great-circle (haversine) distance."""
    phi1, phi2 = math.radians(a_lat), math.radians(b_lat)
    d_phi, d_lambda = phi2 - phi1, math.radians(b_lon - a_lon)
    h = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * _EARTH_RADIUS_KM * math.asin(math.sqrt(h))


@dataclass(frozen=True)
class UsZip:
    zip_code: str
    city: str
    state: str
    distance_km: float


def us_zips_within(point: Point, radius_km: float) -> list[UsZip]:
    """Active US ZIP codes whose centre lies within the radius, nearest first."""
    # The gazetteer's own (native, fast) search in miles, a little wide; then exact kilometres.
    nearby = zipcodes.filter_by_coordinates(point.latitude, point.longitude,
                                            radius_in_miles=radius_km / 1.609344 + 1)
    found = [
        UsZip(r["zip_code"], r["city"], r["state"], d)
        for r in nearby
        if r.get("active") and r.get("lat")
        and (d := distance_km(point.latitude, point.longitude, float(r["lat"]), float(r["long"])))
        <= radius_km
    ]
    return sorted(found, key=lambda z: (z.distance_km, z.zip_code))


def us_state_of_zip(postcode: str | None) -> str | None:
    """The US state of a ZIP code (ZIP+4 accepted), or None."""
    match = _US_ZIP.match(postcode or "")
    found = zipcodes.matching(match[1]) if match else []
    return found[0]["state"] if found else None
