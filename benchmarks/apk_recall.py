"""API-caller recall/precision against androguard over the WHOLE derived target table, on every real APK.

For each APK under ../shared/data/apk/apks (androguard's, apkInspector's and the Chinese ones in `cn/`) both
sides list (target API, calling class) pairs for every target of `api_table.default_api_table()` plus the seed
list: ganzhi with `read_callers` (the engine's call-site scanner), androguard with `AnalyzeAPK` then
`find_methods(...).get_xref_from()` per target (the anchor, measured in the same run). Recall = pairs both
find / androguard's pairs; precision = pairs both find / ganzhi's pairs. Targets (issue 16): recall ≥ 0.95
and precision 1.0. APKs androguard cannot open are listed, not scored.
Usage: `python -m benchmarks.apk_recall [APK ...]`.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks._child import peak_rss_mb, run_child

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "apk" / "apks"


def _targets() -> list[str]:
    from ganzhi.collect.apk.targets import default_targets

    return default_targets()


def _ganzhi(path: str) -> dict[str, Any]:
    from ganzhi.collect.apk.callers import read_callers

    started = time.perf_counter()
    facts = read_callers(path, targets=_targets())
    pairs = sorted({f"{s.target}|{s.caller_class}" for s in facts.call_sites})
    return {"seconds": time.perf_counter() - started, "pairs": pairs}


def _androguard(path: str) -> dict[str, Any]:
    import logging

    from androguard.misc import AnalyzeAPK  # type: ignore[import-untyped]
    from loguru import logger

    logger.remove()
    logging.disable(logging.CRITICAL)
    started = time.perf_counter()
    _apk, _dex, dx = AnalyzeAPK(path)
    pairs = set()
    for target in _targets():
        cls, name = target.split("->")
        for meth in dx.find_methods(classname=cls.replace("$", r"\$"), methodname=f"^{name}$"):
            for _ref_cls, caller, _off in meth.get_xref_from():
                pairs.add(f"{target}|{caller.class_name[1:-1].replace('/', '.')}")
    return {"seconds": time.perf_counter() - started, "pairs": sorted(pairs)}


def child(side: str, path: str) -> None:
    result = {"ganzhi": _ganzhi, "androguard": _androguard}[side](path)
    result["rss_mb"] = peak_rss_mb()
    print(json.dumps(result))


def _default_apks() -> list[Path]:
    return sorted(p for sub in ("androguard", "apkinspector", "cn") for p in (DATA / sub).glob("*.apk"))


def _row(apk: Path) -> dict[str, Any]:
    row: dict[str, Any] = {"apk": f"{apk.parent.name}/{apk.name}"}
    try:
        theirs = run_child("benchmarks.apk_recall", "androguard", str(apk))
    except RuntimeError as exc:
        row["androguard_error"] = str(exc).splitlines()[0][:200]
        return row
    try:
        ours = run_child("benchmarks.apk_recall", "ganzhi", str(apk))
    except RuntimeError as exc:
        row["ganzhi_error"] = str(exc).splitlines()[0][:200]
        return row
    a, g = set(theirs["pairs"]), set(ours["pairs"])
    both = a & g
    row.update(
        androguard_pairs=len(a),
        ganzhi_pairs=len(g),
        both=len(both),
        missed=sorted(a - g)[:20],
        extra=sorted(g - a)[:20],
        recall=round(len(both) / len(a), 4) if a else None,
        precision=round(len(both) / len(g), 4) if g else None,
    )
    return row


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--child", nargs=2, metavar=("SIDE", "APK"))
    parser.add_argument("apks", nargs="*")
    args = parser.parse_args(argv)
    if args.child:
        child(*args.child)
        return 0
    from benchmarks._result import write_result

    apks = [Path(a) for a in args.apks] or _default_apks()
    if not apks:
        print(f"no APKs given and none under {DATA}", file=sys.stderr)
        return 2
    rows = [_row(apk) for apk in apks]
    scored = [r for r in rows if "recall" in r]
    a_total = sum(r["androguard_pairs"] for r in scored)
    g_total = sum(r["ganzhi_pairs"] for r in scored)
    both = sum(r["both"] for r in scored)
    summary = {
        "targets": len(_targets()),
        "apks": len(rows),
        "apks_scored": len(scored),
        "androguard_pairs": a_total,
        "ganzhi_pairs": g_total,
        "recall": round(both / a_total, 4) if a_total else None,
        "precision": round(both / g_total, 4) if g_total else None,
        "target_recall": 0.95,
        "target_precision": 1.0,
        "rows": rows,
    }
    print(f"{'APK':<52} {'androguard':>10} {'ganzhi':>7} {'both':>6} {'recall':>7} {'precision':>9}")
    for r in rows:
        if "recall" in r:
            print(
                f"{r['apk']:<52} {r['androguard_pairs']:>10} {r['ganzhi_pairs']:>7} {r['both']:>6} "
                f"{r['recall']!s:>7} {r['precision']!s:>9}"
            )
        else:
            print(f"{r['apk']:<52} not scored: {r.get('androguard_error') or r.get('ganzhi_error')}")
    print(
        f"overall over {len(scored)} APKs, {summary['targets']} target APIs: recall {summary['recall']} "
        f"(target ≥ 0.95), precision {summary['precision']} (target 1.0)"
    )
    print(f"wrote {write_result('apk_recall', summary)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
