"""Layout metrics of port-out halls: distance from each county centroid to the nearest hall, distance
percentiles, and halls per million people by province (7th census).

Counties are cpca's county-level divisions; a county without its own centroid uses its prefecture's
(counted in `HallLayout.centroid_source`). Only halls that handle port-out count.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence

from ganzhi.collect.halls.spatial import NearestIndex
from ganzhi.evidence.base import Evidence, Subject
from ganzhi.evidence.halls import CountyDistance, Hall, HallLayout, ProvinceDensity
from ganzhi.rules.regions.census import province_populations
from ganzhi.rules.regions.divisions import Divisions


def port_out_index(halls: Sequence[Hall]) -> NearestIndex[Hall]:
    """A nearest-hall index over the halls that handle port-out."""
    return NearestIndex([(h.lat, h.lon, h) for h in halls if h.port_out])


def measure_layout(halls: Sequence[Hall], divisions: Divisions) -> HallLayout:
    """County distances and province densities for `halls`."""
    index = port_out_index(halls)
    counties: list[CountyDistance] = []
    for county in divisions.counties():
        placement = divisions.centroid(county.adcode)
        if placement is None:
            continue
        found = index.nearest(placement.lat, placement.lon, 1)
        km = round(found[0].km, 3) if found else None
        counties.append(CountyDistance(adcode=county.adcode, name=county.name, km=km))
    per_province = Counter(h.adcode[:2] for h in halls if h.port_out)
    provinces = [
        ProvinceDensity(code=code, name=item.name, halls=per_province.get(code, 0), population=item.population)
        for code, item in sorted(province_populations().items())
    ]
    return HallLayout(
        counties=counties,
        provinces=provinces,
        port_out_halls=len(index),
        centroid_source=divisions.source,
    )


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0–100) by linear interpolation between closest ranks; ValueError when empty."""
    if not values:
        raise ValueError("percentile of no values")
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100.0
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def layout_evidence(subject: Subject, layout: HallLayout, source: str, when: dt.datetime | None = None) -> Evidence:
    """Wrap a layout as evidence of `subject`."""
    return Evidence.of(layout, subject, source=source, collected_at=when)
