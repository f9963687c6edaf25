"""Nearest-hall search: a k-d tree (scipy's C implementation) over 3-D unit vectors, exact for great-circle distance.

On the unit sphere the straight-line (chord) distance grows monotonically with the great-circle distance, so
the k nearest by chord are the k nearest by haversine; no projection error, no special case at the date line.
Results equal a brute-force scan (tested); a query over 100,000 halls takes tens of microseconds.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import numpy as np
from scipy.spatial import cKDTree

from ganzhi.rules.regions.geo import EARTH_RADIUS_KM, haversine_km

T = TypeVar("T")

_Vec = tuple[float, float, float]


def unit_vector(lat: float, lon: float) -> _Vec:
    """(x, y, z) on the unit sphere for a WGS-84 point."""
    phi, lam = math.radians(lat), math.radians(lon)
    return (math.cos(phi) * math.cos(lam), math.cos(phi) * math.sin(lam), math.sin(phi))


def chord_to_km(chord: float) -> float:
    """Great-circle km for a unit-sphere chord length."""
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, chord / 2))


@dataclass(frozen=True, slots=True)
class Neighbour(Generic[T]):
    """One search result: the item and its distance in km."""

    item: T
    km: float


class NearestIndex(Generic[T]):
    """k-nearest search by great-circle distance over fixed points."""

    def __init__(self, points: Sequence[tuple[float, float, T]]) -> None:
        self._items = [item for _lat, _lon, item in points]
        vectors = np.array([unit_vector(lat, lon) for lat, lon, _item in points], dtype=np.float64).reshape(-1, 3)
        self._tree: Any = cKDTree(vectors) if len(vectors) else None

    def __len__(self) -> int:
        return len(self._items)

    def nearest(self, lat: float, lon: float, k: int = 1) -> list[Neighbour[T]]:
        """The `k` nearest items to (lat, lon), closest first (fewer when the index is smaller)."""
        if k < 1:
            raise ValueError(f"k must be >= 1 (got {k})")
        if self._tree is None:
            return []
        count = min(k, len(self._items))
        chords, ids = self._tree.query(unit_vector(lat, lon), k=[*range(1, count + 1)])
        return [Neighbour(item=self._items[int(i)], km=chord_to_km(float(d))) for d, i in zip(chords, ids, strict=True)]


def brute_force_nearest(
    points: Sequence[tuple[float, float, T]], lat: float, lon: float, k: int = 1
) -> list[Neighbour[T]]:
    """The baseline: haversine to every point, then the k smallest."""
    scored = heapq.nsmallest(k, ((haversine_km(lat, lon, p, q), i) for i, (p, q, _item) in enumerate(points)))
    return [Neighbour(item=points[i][2], km=km) for km, i in scored]
