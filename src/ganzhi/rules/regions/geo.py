"""Great-circle distance and the plausibility box for coordinates in China."""

from __future__ import annotations

import math

EARTH_RADIUS_KM = 6371.0088

#: A box around China's territory (incl. 南海 islands): coordinates outside are certainly wrong.
CHINA_LAT = (3.5, 53.6)
CHINA_LON = (73.4, 135.1)


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km between two WGS-84 points (mean Earth radius)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def in_china(lat: float, lon: float) -> bool:
    """True when (lat, lon) lies in the box around China; False also for NaN."""
    return CHINA_LAT[0] <= lat <= CHINA_LAT[1] and CHINA_LON[0] <= lon <= CHINA_LON[1]


def coordinate_problem(lat: float, lon: float) -> str | None:
    """Why (lat, lon) cannot be a hall in China, or None when it can."""
    if not (math.isfinite(lat) and math.isfinite(lon)):
        return f"coordinates must be finite numbers (got lat={lat}, lon={lon})"
    if not in_china(lat, lon):
        return (
            f"coordinates outside China: expected lat {CHINA_LAT[0]}–{CHINA_LAT[1]} and lon "
            f"{CHINA_LON[0]}–{CHINA_LON[1]} (got lat={lat}, lon={lon}; swapped?)"
        )
    return None
