"""Nearest port-out hall: k-d tree index vs brute-force haversine over 100,000 synthetic halls in China.

Run `python -m benchmarks.halls_nearest`; prints per-query latency of both and writes
benchmarks/results/halls_nearest-<time>.json. Halls cluster around cpca county centroids (as real halls do).
"""

from __future__ import annotations

import random
import statistics
import time

from benchmarks._result import write_result
from ganzhi.collect.halls.spatial import NearestIndex, brute_force_nearest
from ganzhi.rules.regions.divisions import default_divisions

HALLS = 100_000
QUERIES = 2_000
BRUTE_QUERIES = 20


def main() -> None:
    """Build, query, compare, write JSON."""
    rng = random.Random(524)
    centres = [(d.lat, d.lon) for d in default_divisions().counties() if d.lat is not None and d.lon is not None]
    points = []
    for i in range(HALLS):
        lat, lon = rng.choice(centres)
        points.append((lat + rng.gauss(0, 0.15), lon + rng.gauss(0, 0.15), i))
    started = time.perf_counter()
    index = NearestIndex(points)
    build_s = time.perf_counter() - started
    # half anywhere in the box around China (sea, desert), half near county centres (where people are)
    queries = [(rng.uniform(18, 50), rng.uniform(75, 132)) for _ in range(QUERIES // 2)]
    queries += [(lat + rng.gauss(0, 0.3), lon + rng.gauss(0, 0.3)) for lat, lon in rng.choices(centres, k=QUERIES // 2)]
    rng.shuffle(queries)
    timings = []
    for lat, lon in queries:
        t = time.perf_counter()
        index.nearest(lat, lon, 3)
        timings.append(time.perf_counter() - t)
    brute = []
    for lat, lon in queries[:BRUTE_QUERIES]:
        t = time.perf_counter()
        expected = brute_force_nearest(points, lat, lon, 3)
        brute.append(time.perf_counter() - t)
        assert [n.item for n in index.nearest(lat, lon, 3)] == [n.item for n in expected]
    result = {
        "halls": HALLS,
        "queries": QUERIES,
        "build_seconds": round(build_s, 3),
        "index_ms_mean": round(statistics.mean(timings) * 1000, 4),
        "index_ms_p99": round(sorted(timings)[int(0.99 * len(timings))] * 1000, 4),
        "brute_force_ms_mean": round(statistics.mean(brute) * 1000, 3),
    }
    result["speedup"] = round(result["brute_force_ms_mean"] / result["index_ms_mean"], 1)
    print(f"nearest hall over {HALLS} halls, k=3")
    print(f"  k-d tree   : mean {result['index_ms_mean']} ms, p99 {result['index_ms_p99']} ms")
    print(f"  build      : {result['build_seconds']} s")
    print(f"  brute force: mean {result['brute_force_ms_mean']} ms (baseline, {BRUTE_QUERIES} queries)")
    print(f"  speed-up   : {result['speedup']}x")
    print(f"wrote {write_result('halls_nearest', result)}")


if __name__ == "__main__":
    main()
