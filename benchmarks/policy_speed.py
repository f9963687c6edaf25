"""Policies per second for the full analysis of CAPP-130 originals (one core), with a baseline.

Full analysis = read file → decode/normalise → structure → classify (both stages) → facts → summary
(with readability). Baseline, measured in the same run: ingest + structure only. The model and the
word dictionary are loaded before timing (once per process, like any long-running service).
Each figure is the median of `--runs` passes over all originals. Target ≥ 20 policies/s. Wall-clock
throughput drops when other processes share the core, so the CPU-time figure (policies per CPU-second of
this single-threaded process) and the load average are printed too.
Run: `python -m benchmarks.policy_speed [--runs 5]`.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

ORIGINALS = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "policy" / "capp130" / "Original_policies"


def main() -> None:
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    from ganzhi.collect.policy.analyze import analyze_document
    from ganzhi.collect.policy.classifier import default_classifier
    from ganzhi.collect.policy.ingest import read_policy_file
    from ganzhi.collect.policy.structure import parse_structure
    from ganzhi.rules.policy.readability import warm_up

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    files = sorted(ORIGINALS.glob("*.txt"))
    if not files:
        raise SystemExit(f"CAPP-130 originals not found at {ORIGINALS}")
    sizes = sorted(f.stat().st_size for f in files)
    model = default_classifier()
    warm_up()
    analyze_document(read_policy_file(files[0]), model)
    base_runs: list[float] = []
    full_runs: list[float] = []
    cpu_runs: list[float] = []
    for _ in range(max(1, args.runs)):
        start = time.perf_counter()
        for f in files:
            parse_structure(read_policy_file(f).text)
        base_runs.append(len(files) / (time.perf_counter() - start))
        start, cpu_start = time.perf_counter(), time.process_time()
        for f in files:
            analyze_document(read_policy_file(f), model)
        full_runs.append(len(files) / (time.perf_counter() - start))
        cpu_runs.append(len(files) / (time.process_time() - cpu_start))
    full, base = statistics.median(full_runs), statistics.median(base_runs)
    result = {
        "policies": len(files),
        "median_bytes": statistics.median(sizes),
        "runs": len(full_runs),
        "policies_per_s": round(full, 2),
        "policies_per_s_runs": [round(x, 2) for x in full_runs],
        "policies_per_cpu_s": round(statistics.median(cpu_runs), 2),
        "baseline_ingest_structure_per_s": round(base, 2),
        "baseline_runs": [round(x, 2) for x in base_runs],
        "target_per_s": 20,
        "cpu_count": os.cpu_count(),
        "load_average_1min": round(os.getloadavg()[0], 2),
    }
    print(
        f"full analysis: {full:.1f} policies/s (median of {len(full_runs)} runs over {len(files)} policies, "
        f"median {statistics.median(sizes) / 1024:.1f} KiB); {statistics.median(cpu_runs):.1f} per CPU-second; "
        f"baseline ingest+structure: {base:.1f}/s; target ≥ 20/s; load average {os.getloadavg()[0]:.1f} "
        f"on {os.cpu_count()} cores"
    )
    out = Path(__file__).resolve().parent / "results"
    out.mkdir(exist_ok=True)
    (out / "policy_speed.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
