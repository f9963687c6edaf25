"""Policies per second for the full analysis of CAPP-130 originals (one core), with a baseline.

Baseline, measured in the same run: ingest + structure only (no classifier, no facts). Target ≥ 20/s.
Run: `python -m benchmarks.policy_speed`.
"""

from __future__ import annotations

import json
import os
import statistics
import time
from pathlib import Path

from ganzhi.policy.analyze import analyze_document
from ganzhi.policy.classifier import default_classifier
from ganzhi.policy.ingest import read_policy_file
from ganzhi.policy.structure import parse_structure

ORIGINALS = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "policy" / "capp130" / "Original_policies"


def main() -> None:
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    files = sorted(ORIGINALS.glob("*.txt"))
    if not files:
        raise SystemExit(f"CAPP-130 originals not found at {ORIGINALS}")
    sizes = sorted(f.stat().st_size for f in files)
    median = statistics.median(sizes)
    model = default_classifier()
    start = time.perf_counter()
    for f in files:
        parse_structure(read_policy_file(f).text)
    base = len(files) / (time.perf_counter() - start)
    start = time.perf_counter()
    for f in files:
        analyze_document(read_policy_file(f), model)
    full = len(files) / (time.perf_counter() - start)
    result = {
        "policies": len(files),
        "median_bytes": median,
        "policies_per_s": round(full, 2),
        "baseline_ingest_structure_per_s": round(base, 2),
        "target_per_s": 20,
    }
    print(
        f"full analysis: {full:.1f} policies/s (median {median / 1024:.1f} KiB); "
        f"baseline ingest+structure: {base:.1f}/s; target ≥ 20/s"
    )
    out = Path(__file__).resolve().parent / "results"
    out.mkdir(exist_ok=True)
    (out / "policy_speed.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
