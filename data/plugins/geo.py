"""SQL functions for the "near a ZIP" search: ``haversine_km(lat1, lon1, lat2, lon2)``, and
how it reads what the form asks: ``near_radius_km(km)`` and ``degrees_within(value, limit)``."""

import math

from datasette import hookimpl

EARTH_RADIUS_KM = 6371.0088  # mean radius (IUGG)
DEFAULT_RADIUS_KM = 25.0
MAX_RADIUS_KM = 500.0


def haversine_km(lat1, lon1, lat2, lon2):
    """Great-circle distance in km between two points in degrees; NULL if any is missing."""
    try:
        phi1, phi2 = math.radians(float(lat1)), math.radians(float(lat2))
        dphi = phi2 - phi1
        dlambda = math.radians(float(lon2) - float(lon1))
    except (TypeError, ValueError):
        return None
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def _number(text):
    """A finite number from a form's text, else None ("abc", "", "nan", "inf")."""
    try:
        value = float(str(text).strip())
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def near_radius_km(km):
    """The radius a near search uses: the distance asked, up to 500 km; 25 km when none is
    asked or it is not a positive number."""
    value = _number(km)
    return min(value, MAX_RADIUS_KM) if value is not None and value > 0 else DEFAULT_RADIUS_KM


def degrees_within(value, limit):
    """``value`` as degrees if it is a number within ±``limit`` (90 for a latitude, 180 for a
    longitude); else NULL."""
    number = _number(value)
    return number if number is not None and -limit <= number <= limit else None


@hookimpl
def prepare_connection(conn):
    conn.create_function("haversine_km", 4, haversine_km, deterministic=True)
    conn.create_function("near_radius_km", 1, near_radius_km, deterministic=True)
    conn.create_function("degrees_within", 2, degrees_within, deterministic=True)
