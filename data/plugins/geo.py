"""SQL functions for the "near a ZIP" search: ``haversine_km(lat1, lon1, lat2, lon2)``."""

import math

from datasette import hookimpl

EARTH_RADIUS_KM = 6371.0088  # mean radius (IUGG)


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


@hookimpl
def prepare_connection(conn):
    conn.create_function("haversine_km", 4, haversine_km, deterministic=True)
