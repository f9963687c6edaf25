"""A small generated hall registry for the demo's nearest-hall finder (`collect.halls.finder.HallFinder`).

The demo writes a registry CSV in the ordinary import format (`collect.halls.importers.COLUMNS`), so the finder
reads it back through `import_halls`, the same path a real operator file takes. Halls sit near county
centroids of a few provinces, as real halls cluster in towns; every name is invented. It lives with
the demo builders, not the collectors, because it makes data rather than reading it.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

from ganzhi.evidence.halls import OPERATOR_NAMES
from ganzhi.rules.regions.divisions import Divisions, default_divisions

#: Provinces the demo registry covers (北京, 上海, 浙江, 广东, 江苏).
DEMO_PROVINCES = ("11", "31", "33", "44", "32")
#: Halls per county in the demo (configurable default: enough for a map-like spread, small to load).
HALLS_PER_COUNTY = 2
#: Share of demo halls that cannot handle port-out (the finder must skip them).
NO_PORT_OUT_SHARE = 0.2
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
