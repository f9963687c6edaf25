"""The nearest port-out hall finder behind the public page: a place in, the closest halls out.

It reads a hall registry through `import_halls` (the same path every operator file takes) and indexes
the port-out halls with `halls.spatial.NearestIndex`; the demo's generated registry is built by
`ganzhi.demo.halls`.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from ganzhi.collect.halls.importers import import_halls
from ganzhi.collect.halls.layout import port_out_index
from ganzhi.collect.halls.spatial import NearestIndex, Neighbour
from ganzhi.evidence.halls import Hall
from ganzhi.rules.regions.divisions import Division, Divisions, default_divisions

#: Most results the finder returns (configurable default).
MAX_RESULTS = 10


@dataclass(frozen=True, slots=True)
class Place:
    """Where the visitor is: a point and how it was given."""

    lat: float
    lon: float
    label: str


class HallFinder:
    """Nearest port-out halls from a registry file, indexed on first use (thread-safe)."""

    def __init__(self, registry: Path | None) -> None:
        self.registry = registry
        self._lock = threading.Lock()
        self._index: NearestIndex[Hall] | None = None
        self._divisions: Divisions | None = None
        self.rejected_rows = 0

    @property
    def available(self) -> bool:
        return self.registry is not None and self.registry.is_file()

    def divisions(self) -> Divisions:
        with self._lock:
            if self._divisions is None:
                self._divisions = default_divisions()
            return self._divisions

    def index(self) -> NearestIndex[Hall]:
        divisions = self.divisions()
        with self._lock:
            if self._index is None:
                if self.registry is None or not self.registry.is_file():
                    self._index = NearestIndex([])
                else:
                    imported = import_halls(self.registry, divisions)
                    self.rejected_rows = len(imported.errors)
                    self._index = port_out_index(imported.halls)
            return self._index

    def place(self, text: str) -> Place | list[Division]:
        """A place from `lat,lon`, a 6-digit adcode or a division name; else the candidate divisions."""
        text = text.strip()[:64]
        parts = [p.strip() for p in text.replace("，", ",").split(",")]
        if len(parts) == 2:
            try:
                lat, lon = float(parts[0]), float(parts[1])
            except ValueError:
                pass
            else:
                if -90 <= lat <= 90 and -180 <= lon <= 180:
                    return Place(lat, lon, f"{lat:.4f}, {lon:.4f}")
        divisions = self.divisions()
        code = Divisions.normalise(text)
        exact = divisions.get(code) if code else None
        found = [exact] if exact is not None else [c for c in divisions.counties() if text and text in c.name]
        found = found[:MAX_RESULTS]
        if len(found) == 1:
            centre = divisions.centroid(found[0].adcode)
            if centre is not None:
                return Place(centre.lat, centre.lon, f"{found[0].name} ({found[0].adcode})")
        return found

    def nearest(self, place: Place, k: int = 3) -> list[Neighbour[Hall]]:
        return self.index().nearest(place.lat, place.lon, max(1, min(k, MAX_RESULTS)))
