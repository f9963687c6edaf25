"""A small generated hall registry for the demo's nearest-hall finder, and the finder itself.

The demo writes a registry CSV in the ordinary import format (`halls.registry.COLUMNS`), then the
finder reads it back through `import_halls` (the same path a real operator file takes) and indexes
the port-out halls with `halls.spatial.NearestIndex`. Halls sit near county centroids of a few
provinces, as real halls cluster in towns; every name is invented.
"""

from __future__ import annotations

import csv
import random
import threading
from dataclasses import dataclass
from pathlib import Path

from ganzhi.collect.halls.layout import port_out_index
from ganzhi.collect.halls.registry import import_halls
from ganzhi.collect.halls.spatial import NearestIndex, Neighbour
from ganzhi.evidence.halls import OPERATOR_NAMES, Hall
from ganzhi.rules.regions.divisions import Division, Divisions, default_divisions

#: Provinces the demo registry covers (北京, 上海, 浙江, 广东, 江苏).
DEMO_PROVINCES = ("11", "31", "33", "44", "32")
#: Halls per county in the demo (configurable default: enough for a map-like spread, small to load).
HALLS_PER_COUNTY = 2
#: Share of demo halls that cannot handle port-out (the finder must skip them).
NO_PORT_OUT_SHARE = 0.2
#: Most results the finder returns (configurable default).
MAX_RESULTS = 10
HEADER = ("营业厅编号", "运营商", "营业厅名称", "地址", "行政区划代码", "纬度", "经度", "可办理携出", "可办理携入")


def write_demo_registry(path: Path, divisions: Divisions | None = None, seed: int = 524) -> int:
    """Write the demo registry CSV; returns how many halls it lists."""
    divisions = divisions or default_divisions()
    rng = random.Random(seed)
    counties = [c for c in divisions.counties() if c.province_code in DEMO_PROVINCES and c.lat is not None]
    operators = sorted(OPERATOR_NAMES)
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for county in counties:
            for n in range(HALLS_PER_COUNTY):
                count += 1
                operator = operators[(count + n) % len(operators)]
                lat = float(county.lat or 0.0) + rng.uniform(-0.03, 0.03)
                lon = float(county.lon or 0.0) + rng.uniform(-0.03, 0.03)
                port_out = rng.random() >= NO_PORT_OUT_SHARE
                writer.writerow(
                    (
                        f"demo-{county.adcode}-{n + 1}",
                        OPERATOR_NAMES[operator],
                        f"{OPERATOR_NAMES[operator]}{county.name}示例营业厅{n + 1}",
                        f"{county.name}示例路{rng.randint(1, 300)}号（虚构）",
                        county.adcode,
                        f"{lat:.6f}",
                        f"{lon:.6f}",
                        "是" if port_out else "否",
                        "是",
                    )
                )
    return count


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
