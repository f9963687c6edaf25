"""ganzhi's APK engine vs androguard `AnalyzeAPK` + cross-references, same APKs, same facts, one run.

The facts: for every PI/start API ganzhi targets, the classes that call it. Each side runs in a
fresh child process (peak RSS from `getrusage`, library imports included on both sides), `--runs`
times; medians are reported. Sides:
- `ganzhi` — `read_callers`: ZIP + manifest + every DEX + call sites (the same facts androguard gives);
- `ganzhi_full` — `analyze_apk`: everything `scan apk` derives (SDKs, call graph, self-start...), for reference;
- `androguard` — `AnalyzeAPK` then `find_methods(...).get_xref_from()` per target;
- `python` — a bare interpreter, the floor no Python tool can go under.
APKs: the real ones in ../shared/data plus forged ones of growing size (where androguard's memory
grows). Targets (issue 3): ≥ 20× faster and ≤ 1/5 of androguard's raw peak RSS; issue 16: the full
analysis ≥ 50× on APKs over 1 MB. Each side also reports its CPU time (user+sys of the measured
step), which waiting for a core on a loaded machine does not inflate, with the 1-minute load.
Usage: `python -m benchmarks.apk_vs_androguard [--forged 2000,8000] [--runs 3] [APK ...]`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks._child import peak_rss_mb, run_child

# statistics, tempfile and the result writer are imported in the parent only: a measured child
# carries nothing but the interpreter, argparse/json and the side under test.

DEFAULT_APKS = ("a2dp.Vol_137.apk", "com.android.example.text.styling.apk", "TestActivity.apk", "com.politedroid_4.apk")
SIDES = ("ganzhi", "ganzhi_full", "androguard")


def _ganzhi(path: str) -> dict[str, Any]:
    from ganzhi.collect.apk.callers import read_callers

    started, cpu = time.perf_counter(), time.process_time()
    facts = read_callers(path)
    callers = sorted({f"{s.api.split('(')[0]}|{s.caller_class}" for s in facts.call_sites})
    return {"seconds": time.perf_counter() - started, "cpu_seconds": time.process_time() - cpu, "callers": callers}


def _ganzhi_full(path: str) -> dict[str, Any]:
    from ganzhi.collect.apk.analyze import analyze_apk
    from ganzhi.collect.apk.api_table import default_api_table
    from ganzhi.collect.apk.permissions import default_permission_table
    from ganzhi.collect.apk.sdk import default_index

    # per-process set-up from data files only (no APK involved), like androguard's imports
    default_index(), default_permission_table(), default_api_table()
    started, cpu = time.perf_counter(), time.process_time()
    static = analyze_apk(path).static
    callers = sorted({f"{c.api.split('(')[0]}|{c.caller_class}" for c in static.api_calls})
    return {"seconds": time.perf_counter() - started, "cpu_seconds": time.process_time() - cpu, "callers": callers}


def _androguard(path: str) -> dict[str, Any]:
    import logging

    from androguard.misc import AnalyzeAPK  # type: ignore[import-untyped]
    from loguru import logger

    from ganzhi.collect.apk.targets import default_targets

    logger.remove()
    logging.disable(logging.CRITICAL)
    started, cpu = time.perf_counter(), time.process_time()
    _apk, _dex, dx = AnalyzeAPK(path)
    callers = set()
    for target in default_targets():
        cls, name = target.split("->")
        for meth in dx.find_methods(classname=cls.replace("$", r"\$"), methodname=f"^{name}$"):
            for _ref_cls, caller, _off in meth.get_xref_from():
                callers.add(f"{target}|{caller.class_name[1:-1].replace('/', '.')}")
    return {
        "seconds": time.perf_counter() - started,
        "cpu_seconds": time.process_time() - cpu,
        "callers": sorted(callers),
    }


def child(side: str, path: str) -> None:
    if side == "python":
        result: dict[str, Any] = {"seconds": 0.0, "cpu_seconds": 0.0, "callers": []}
    else:
        result = {"ganzhi": _ganzhi, "ganzhi_full": _ganzhi_full, "androguard": _androguard}[side](path)
    result["rss_mb"] = peak_rss_mb()
    print(json.dumps(result))


def _interleaved(apk: Path, runs: int) -> dict[str, dict[str, Any]]:
    """Every side once per round, `runs` rounds, so load from other processes hits all sides alike."""
    import statistics

    rounds = [{side: run_child("benchmarks.apk_vs_androguard", side, str(apk)) for side in SIDES} for _ in range(runs)]
    return {
        side: {
            "seconds": statistics.median(r[side]["seconds"] for r in rounds),
            "cpu_seconds": statistics.median(r[side]["cpu_seconds"] for r in rounds),
            "rss_mb": statistics.median(r[side]["rss_mb"] for r in rounds),
            "callers": rounds[0][side]["callers"],
        }
        for side in SIDES
    }


def _forge(tmp: Path, sizes: list[int]) -> list[Path]:
    from benchmarks.apk_large import forge

    paths = []
    for classes in sizes:
        path = tmp / f"forged-{classes}.apk"
        forge(path, classes, dex_files=max(1, classes // 4000), invokes=20, stored=False)
        paths.append(path)
    return paths


def _row(apk: Path, runs: int, bare_mb: float) -> dict[str, Any]:
    got = _interleaved(apk, runs)
    ours, full, theirs = got["ganzhi"], got["ganzhi_full"], got["androguard"]
    row = {
        "apk": apk.name,
        "apk_mib": round(apk.stat().st_size / 2**20, 2),
        "androguard_s": round(theirs["seconds"], 4),
        "ganzhi_s": round(ours["seconds"], 4),
        "ganzhi_full_s": round(full["seconds"], 4),
        "time_ratio": round(theirs["seconds"] / max(ours["seconds"], 1e-6), 1),
        "time_ratio_full": round(theirs["seconds"] / max(full["seconds"], 1e-6), 1),
        "androguard_cpu_s": round(theirs["cpu_seconds"], 4),
        "ganzhi_full_cpu_s": round(full["cpu_seconds"], 4),
        "cpu_ratio_full": round(theirs["cpu_seconds"] / max(full["cpu_seconds"], 1e-6), 1),
        "load_avg_1min": round(os.getloadavg()[0], 2),
        "androguard_rss_mb": round(theirs["rss_mb"], 1),
        "ganzhi_rss_mb": round(ours["rss_mb"], 1),
        "ganzhi_full_rss_mb": round(full["rss_mb"], 1),
        "rss_ratio": round(ours["rss_mb"] / max(theirs["rss_mb"], 1e-6), 3),
        "rss_ratio_full": round(full["rss_mb"] / max(theirs["rss_mb"], 1e-6), 3),
        "increment_ratio_over_bare_python": round(
            (ours["rss_mb"] - bare_mb) / max(theirs["rss_mb"] - bare_mb, 1e-6), 3
        ),
        "androguard_callers": len(theirs["callers"]),
        "androguard_callers_found_by_ganzhi": set(theirs["callers"]) <= set(ours["callers"]),
        "full_agrees_with_lean": set(ours["callers"]) == set(full["callers"]),
    }
    print(json.dumps(row, ensure_ascii=False), flush=True)
    return row


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--child", nargs=2, metavar=("SIDE", "APK"))
    parser.add_argument("--runs", type=int, default=3, help="child runs per side and APK; medians reported")
    parser.add_argument("--forged", default="2000,8000", help="class counts of forged APKs ('' for none)")
    parser.add_argument("apks", nargs="*")
    args = parser.parse_args(argv)
    if args.child:
        child(*args.child)
        return 0
    import statistics
    import tempfile

    from benchmarks._result import write_result

    root = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "apk" / "apks" / "androguard"
    apks = [Path(a) for a in args.apks] or [root / n for n in DEFAULT_APKS if (root / n).exists()]
    with tempfile.TemporaryDirectory() as tmp:
        sizes = [int(s) for s in args.forged.split(",") if s.strip()]
        apks += _forge(Path(tmp), sizes)
        if not apks:
            print(f"no APKs given, none under {root}, none forged", file=sys.stderr)
            return 2
        bare = statistics.median(run_child("benchmarks.apk_vs_androguard", "python", "-")["rss_mb"] for _ in range(3))
        rows = [_row(apk, args.runs, bare) for apk in apks]
    total_theirs = sum(r["androguard_s"] for r in rows)
    total_ours = sum(r["ganzhi_s"] for r in rows)
    total_full = sum(r["ganzhi_full_s"] for r in rows)
    summary = {
        "runs": args.runs,
        "bare_python_rss_mb": round(bare, 1),
        "time_ratio_total": round(total_theirs / max(total_ours, 1e-6), 1),
        "time_ratio_total_full": round(total_theirs / max(total_full, 1e-6), 1),
        "time_ratio_min": min(r["time_ratio"] for r in rows),
        "target_time_ratio": 20,
        "rss_ratio_worst": max(r["rss_ratio"] for r in rows),
        "rss_ratio_best": min(r["rss_ratio"] for r in rows),
        "time_ratio_min_full": min(r["time_ratio_full"] for r in rows),
        "time_ratio_median_full": statistics.median(r["time_ratio_full"] for r in rows),
        "cpu_ratio_median_full": statistics.median(r["cpu_ratio_full"] for r in rows),
        "cpu_ratio_min_full": min(r["cpu_ratio_full"] for r in rows),
        "rss_ratio_worst_full": max(r["rss_ratio_full"] for r in rows),
        "target_time_ratio_full": 50,
        "target_rss_ratio": 0.2,
        "rows": rows,
    }
    print(
        f"median of {args.runs} runs; bare python {bare:.1f} MiB\n"
        f"time: androguard {total_theirs:.2f} s vs ganzhi {total_ours:.2f} s → {summary['time_ratio_total']}× "
        f"(per APK min {summary['time_ratio_min']}×; full analysis {summary['time_ratio_total_full']}×), "
        "target ≥ 20×\n"
        f"raw peak RSS ratio ganzhi/androguard: worst {summary['rss_ratio_worst']} "
        f"best {summary['rss_ratio_best']} (target ≤ 0.2)\n"
        f"full analysis (issue 16): {summary['time_ratio_total_full']}× in total, per APK min "
        f"{summary['time_ratio_min_full']}×, median {summary['time_ratio_median_full']}× (target ≥ 50×); CPU "
        f"(user+sys, unaffected by waiting for a core) median {summary['cpu_ratio_median_full']}×, min "
        f"{summary['cpu_ratio_min_full']}×; raw peak RSS ratio worst {summary['rss_ratio_worst_full']} (target ≤ 0.2)"
    )
    for r in rows:
        print(
            f"  {r['apk']:<40} {r['apk_mib']:>7} MiB  time {r['time_ratio']:>6}× full {r['time_ratio_full']:>6}×  "
            f"RSS {r['ganzhi_rss_mb']:>6} full {r['ganzhi_full_rss_mb']:>6} vs {r['androguard_rss_mb']:>7} MiB "
            f"= {r['rss_ratio']} / {r['rss_ratio_full']}  full {r['ganzhi_full_s']} s vs {r['androguard_s']} s, "
            f"CPU {r['ganzhi_full_cpu_s']} vs {r['androguard_cpu_s']} s = {r['cpu_ratio_full']}×, "
            f"load {r['load_avg_1min']}"
        )
    print(f"wrote {write_result('apk_vs_androguard', summary)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
