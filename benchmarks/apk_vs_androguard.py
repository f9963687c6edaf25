"""ganzhi's APK analysis vs androguard `AnalyzeAPK` + cross-references on the same real APKs and facts.

Both sides produce the callers of every PI/start API ganzhi targets; each side runs in its own child
process so peak RSS is honest. Target: ≥ 20× faster, ≤ 1/5 of androguard's peak memory.
Usage: `python -m benchmarks.apk_vs_androguard [APK ...]` (default: the real APKs in ../shared/data).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from benchmarks._child import peak_rss_mb, run_child
from benchmarks._result import write_result

DEFAULT_APKS = ("a2dp.Vol_137.apk", "com.android.example.text.styling.apk", "TestActivity.apk", "com.politedroid_4.apk")


def _ours(path: str) -> dict[str, object]:
    from ganzhi.collect.apk.analyze import analyze_apk
    from ganzhi.collect.apk.permissions import default_permission_table
    from ganzhi.collect.apk.sdk import default_index

    default_index(), default_permission_table()  # per-process set-up, like androguard's imports
    base = peak_rss_mb()
    started = time.perf_counter()
    static = analyze_apk(path).static
    callers = sorted({f"{c.api.split('(')[0]}|{c.caller_class}" for c in static.api_calls})
    return {"seconds": time.perf_counter() - started, "callers": callers, "base_mb": base}


def _androguard(path: str) -> dict[str, object]:
    import logging

    from androguard.misc import AnalyzeAPK  # type: ignore[import-untyped]
    from loguru import logger

    logger.remove()
    logging.disable(logging.CRITICAL)
    from ganzhi.collect.apk.targets import default_targets

    base = peak_rss_mb()
    started = time.perf_counter()
    _apk, _dex, dx = AnalyzeAPK(path)
    callers = set()
    for target in default_targets():
        cls, name = target.split("->")
        for meth in dx.find_methods(classname=cls.replace("$", r"\$"), methodname=f"^{name}$"):
            for _ref_cls, caller, _off in meth.get_xref_from():
                callers.add(f"{target}|{caller.class_name[1:-1].replace('/', '.')}")
    return {"seconds": time.perf_counter() - started, "callers": sorted(callers), "base_mb": base}


def child(side: str, path: str) -> None:
    result = _ours(path) if side == "ours" else _androguard(path)
    result["rss_mb"] = peak_rss_mb()
    print(json.dumps(result))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--child", nargs=2, metavar=("SIDE", "APK"))
    parser.add_argument("apks", nargs="*")
    args = parser.parse_args(argv)
    if args.child:
        child(*args.child)
        return 0
    root = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "apk" / "apks" / "androguard"
    apks = [Path(a) for a in args.apks] or [root / n for n in DEFAULT_APKS if (root / n).exists()]
    if not apks:
        print(f"no APKs given and none found under {root}", file=sys.stderr)
        return 2
    rows = []
    for apk in apks:
        ours = run_child("benchmarks.apk_vs_androguard", "ours", str(apk))
        theirs = run_child("benchmarks.apk_vs_androguard", "androguard", str(apk))
        same = set(theirs["callers"]) <= set(ours["callers"])
        rows.append(
            {
                "apk": apk.name,
                "ours_s": round(ours["seconds"], 3),
                "androguard_s": round(theirs["seconds"], 3),
                "time_ratio": round(theirs["seconds"] / max(ours["seconds"], 1e-6), 1),
                "ours_rss_mb": round(ours["rss_mb"], 1),
                "androguard_rss_mb": round(theirs["rss_mb"], 1),
                "rss_ratio": round(ours["rss_mb"] / max(theirs["rss_mb"], 1e-6), 3),
                "ours_growth_mb": round(ours["rss_mb"] - ours["base_mb"], 1),
                "androguard_growth_mb": round(theirs["rss_mb"] - theirs["base_mb"], 1),
                "androguard_callers_found_by_us": same,
                "callers": len(theirs["callers"]),
            }
        )
        print(json.dumps(rows[-1], ensure_ascii=False))
    total_ours = sum(r["ours_s"] for r in rows)
    total_theirs = sum(r["androguard_s"] for r in rows)
    worst_rss = max(r["rss_ratio"] for r in rows)
    growth = sum(r["ours_growth_mb"] for r in rows) / max(sum(r["androguard_growth_mb"] for r in rows), 1e-6)
    summary = {
        "time_ratio_total": round(total_theirs / max(total_ours, 1e-6), 1),
        "target_time_ratio": 20,
        "worst_rss_ratio": worst_rss,
        "target_rss_ratio": 0.2,
        "analysis_memory_growth_ratio": round(growth, 3),
        "rows": rows,
    }
    print(
        f"time: androguard {total_theirs:.2f} s vs ganzhi {total_ours:.2f} s → {summary['time_ratio_total']}× "
        f"(target ≥ 20×); peak RSS ratio worst {worst_rss} (target ≤ 0.2); "
        f"memory growth during analysis ratio {growth:.3f}"
    )
    print(f"wrote {write_result('apk_vs_androguard', summary)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
